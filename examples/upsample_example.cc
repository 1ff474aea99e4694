// A 2x upsampling transposed convolution (DCGAN's k4 s2 p1) through an
// installed tconv: shape inference from the tensors, a plan, one run, and a
// check of one output value computed by hand.
//
// With x = 1 everywhere and w = 1 everywhere, each interior output of a
// k4 s2 p1 transposed convolution receives k/s = 2 taps per axis from each
// of Cin input channels: 2 * 2 * Cin, plus the bias.
#include <cmath>
#include <cstdio>

#include "tconv/desc.h"
#include "tconv/plan.h"
#include "tconv/tensor.h"

int main() {
  const int64_t n = 1, cin = 3, cout = 2, h = 5, w = 5, k = 4;
  tconv::Tensor x({n, cin, h, w}, 1.0f);
  tconv::Tensor weight({cin, cout, k, k}, 1.0f);
  tconv::Tensor bias({cout}, 0.5f);

  tconv::ConvDesc desc;
  tconv::Status st = tconv::InferConvDesc(tconv::ConvOp::kConvTranspose, x.shape, weight.shape, 1, "x", "weight",
                                          &desc);
  if (!st.ok()) return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
  for (int a = 0; a < 2; ++a) {
    desc.stride[a] = 2;
    desc.pad_begin[a] = desc.pad_end[a] = 1;
  }
  tconv::PlanOptions options;
  auto plan = tconv::Plan::Create(desc, weight.cview(), bias.cview(), options, &st);
  if (!plan) return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;

  tconv::Tensor y(plan->output_shape());
  st = plan->Run(x.cview(), y.view());
  if (!st.ok()) return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;

  // y is (1, 2, 10, 10); (4, 4) is interior.
  const float got = y.data[(1 * 10 + 4) * 10 + 4];
  const float want = 2 * 2 * cin + 0.5f;
  std::printf("output %s, algorithm %s, y[0,1,4,4] = %g (expected %g)\n",
              tconv::ShapeString(y.shape).c_str(), plan->algorithm().c_str(), got, want);
  return y.shape == tconv::Shape{1, 2, 10, 10} && std::fabs(got - want) < 1e-5f ? 0 : 1;
}
