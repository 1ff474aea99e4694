// `ref` as an algorithm: the reference kernel behind the plan interface, so
// `--algo ref` works everywhere and the sweep can compare like with like.
#include <vector>

#include "src/algo/algorithm.h"
#include "src/base/checked_int.h"
#include "tconv/reference.h"

namespace tconv {
namespace {

ConvDesc ToDesc(const Geom3& g) {
  ConvDesc d;
  d.ndim = 3;
  d.batch = g.n;
  d.in_channels = g.cin;
  d.out_channels = g.cout;
  d.groups = g.groups;
  for (int a = 0; a < 3; ++a) {
    d.in[a] = g.in[a];
    d.kernel[a] = g.k[a];
    d.stride[a] = g.s[a];
    d.dilation[a] = g.d[a];
    d.pad_begin[a] = g.pb[a];
    d.pad_end[a] = g.pe[a];
    d.output_padding[a] = g.a[a];
  }
  return d;
}

class RefPrepared : public PreparedAlgo {
 public:
  RefPrepared(const Geom3& g, const float* w, const float* bias)
      : desc_(ToDesc(g)),
        w_(w, w + NumElements(ConvTransposeWeightShape(desc_))),
        bias_(bias ? std::vector<float>(bias, bias + g.cout) : std::vector<float>()) {}
  std::string Kernel() const override { return "ref: double-precision loops (the oracle)"; }
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    const float* x = xb.As<float>();
    float* y = yb.As<float>();
    ConstTensorView b(bias_.empty() ? nullptr : bias_.data(), {desc_.out_channels});
    // Shapes were checked by the plan; the reference re-checks them anyway.
    ConvTransposeRef(desc_, ConstTensorView(x, ConvTransposeInputShape(desc_)),
                     ConstTensorView(w_.data(), ConvTransposeWeightShape(desc_)), b,
                     TensorView(y, ConvTransposeOutputShape(desc_)));
  }

 private:
  ConvDesc desc_;
  std::vector<float> w_;  // a copy: the plan must not depend on the caller's buffers
  std::vector<float> bias_;
};

AlgoCost RefCost(const Geom3& g) {
  // The gather visits every (output, tap) pair and multiplies only on hits,
  // so it executes exactly the useful multiply-adds.
  AlgoCost c;
  c.macs = SatProduct({g.n, g.cin, g.cout_g, g.in_sp, g.k_sp});  // upper bound; taps past the crop are skipped
  return c;
}

std::unique_ptr<PreparedAlgo> RefPrepare(const PrepareInput& in, std::string* /*why*/) {
  const Geom3& g = in.g;
  const float* w = in.w.As<float>();
  const float* bias = in.bias.As<float>();
  return std::make_unique<RefPrepared>(g, w, bias);
}

}  // namespace

const Algorithm kRefAlgorithm = {"ref", "plain loops, double accumulation (the oracle)", RefCost, RefPrepare};

}  // namespace tconv
