// Checkerboard analysis on weights (include/tconv/checkerboard.h): the
// constant response of a stack with given weights, ICNR initialisation, and
// the transposed convolution equal to nearest-upsample + convolution. The
// geometry-only analysis (overlap maps, scores) is in checkerboard.cc.
#include "tconv/checkerboard.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "src/analysis/checkerboard_internal.h"
#include "src/base/checked_int.h"
#include "tconv/plan.h"
#include "tconv/reference.h"

namespace tconv {
Status ConstantResponse(const std::vector<ConvDesc>& stack, const std::vector<Tensor>& weights, float value,
                        std::vector<double>* spread, int64_t* interior_count) {
  if (stack.empty() || stack.size() != weights.size()) {
    return Status::Invalid("constant response: need one weight per layer and at least one layer");
  }
  const int nd = stack[0].ndim;
  std::vector<DeconvLayer> layers;
  for (size_t l = 0; l < stack.size(); ++l) {
    Status st = ValidateConvTranspose(stack[l]);
    if (!st.ok()) return Status::Invalid("layer " + std::to_string(l) + ": " + st.message());
    if (stack[l].ndim != nd) return Status::Invalid("constant response: layers differ in ndim");
    if (l > 0) {
      const ConvDesc& p = stack[l - 1];
      bool chain = stack[l].in_channels == p.out_channels && stack[l].batch == p.batch;
      for (int a = 0; a < nd; ++a) chain = chain && stack[l].in[a] == ConvTransposeOutputLength(p, a);
      if (!chain) {
        return Status::Invalid("constant response: layer " + std::to_string(l) +
                               " input does not match the output of layer " + std::to_string(l - 1));
      }
    }
    layers.push_back(stack[l]);  // its LayerGeometry
  }
  Tensor x(ConvTransposeInputShape(stack[0]), value);
  for (size_t l = 0; l < stack.size(); ++l) {
    Tensor y(ConvTransposeOutputShape(stack[l]));
    TCONV_RETURN_IF_ERROR(ConvTranspose(stack[l], x.cview(), weights[l].cview(), ConstTensorView(), y.view()));
    x = std::move(y);
  }
  std::vector<std::vector<double>> counts(nd);
  std::vector<std::vector<uint8_t>> inner(nd);
  for (int a = 0; a < nd; ++a) {
    TCONV_RETURN_IF_ERROR(AxisOverlap(layers, a, stack[0].in[a], &counts[a], &inner[a]));
  }
  OverlapMap mask;
  OuterProduct(nd, counts, inner, &mask);
  const int64_t cout = x.shape[1], plane = mask.numel();
  spread->assign(static_cast<size_t>(cout), 0.0);
  int64_t n_in = 0;
  for (int64_t i = 0; i < plane; ++i) n_in += mask.interior[i];
  *interior_count = n_in;
  for (int64_t c = 0; c < cout; ++c) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int64_t i = 0; i < plane; ++i) {
      if (!mask.interior[i]) continue;
      const double v = x.data[c * plane + i];  // batch 0
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    (*spread)[c] = n_in > 0 ? hi - lo : 0.0;
  }
  return Status::Ok();
}

Status IcnrWeight(ConstTensorView base, int64_t r, Tensor* out) {
  if (base.rank() < 3 || base.rank() > 5) {
    return Status::Invalid("ICNR: base weight has shape " + ShapeString(base.shape) +
                           ", expected (Cout, Cin, *kernel) with 1..3 kernel axes");
  }
  if (r < 1) return Status::Invalid("ICNR: factor must be >= 1 (got " + std::to_string(r) + ")");
  for (int64_t n : base.shape) {
    if (n < 1) {
      return Status::Invalid("ICNR: base weight has shape " + ShapeString(base.shape) + ": every axis must be >= 1");
    }
  }
  const int nd = base.rank() - 2;
  // (Checked: r and the shape come from the user, e.g. Python's tconv.icnr.)
  int64_t sub = 1, total = base.numel();
  for (int a = 0; a < nd; ++a) {
    if (!CheckedMul(sub, r, &sub) || !CheckedMul(total, r, &total) || total > (int64_t{1} << 32)) {
      return Status::Invalid("ICNR: the weight for factor " + std::to_string(r) + " would have more than 2^32 elements");
    }
  }
  Shape s = base.shape;
  s[0] = base.shape[0] * sub;
  *out = Tensor(s);
  const int64_t per = base.numel() / base.shape[0];
  for (int64_t c = 0; c < base.shape[0]; ++c)
    for (int64_t j = 0; j < sub; ++j)
      std::copy(base.data + c * per, base.data + (c + 1) * per, out->data.data() + (c * sub + j) * per);
  return Status::Ok();
}

Status NearestUpsampleConvAsDeconv(const ConvDesc& conv, ConstTensorView w, const Dims& s, ConvDesc* deconv,
                                   Tensor* w_deconv) {
  TCONV_RETURN_IF_ERROR(ValidateConv(conv));
  TCONV_RETURN_IF_ERROR(CheckShape("weight", w.shape, ConvWeightShape(conv)));
  const int nd = conv.ndim;
  ConvDesc d = conv;
  for (int a = 0; a < nd; ++a) {
    if (conv.stride[a] != 1 || conv.dilation[a] != 1) {
      return Status::Unsupported("nearest-upsample conv as deconv: needs stride 1 and dilation 1 (axis " +
                                 std::to_string(a) + ")");
    }
    if (s[a] < 1 || conv.in[a] % s[a] != 0) {
      return Status::Invalid("nearest-upsample conv as deconv: conv input length " + std::to_string(conv.in[a]) +
                             " on axis " + std::to_string(a) + " must be a multiple of the factor " +
                             std::to_string(s[a]));
    }
    const int64_t k = conv.kernel[a];
    d.in[a] = conv.in[a] / s[a];
    d.kernel[a] = k + s[a] - 1;
    d.stride[a] = s[a];
    d.dilation[a] = 1;
    d.pad_begin[a] = k - 1 - conv.pad_begin[a];
    d.pad_end[a] = k - 1 - conv.pad_end[a];
    d.output_padding[a] = 0;
  }
  TCONV_RETURN_IF_ERROR(ValidateConvTranspose(d));
  *w_deconv = Tensor(ConvTransposeWeightShape(d));
  const int64_t g = conv.groups, cin_g = conv.in_channels / g, cout_g = conv.out_channels / g;
  int64_t ks[3] = {1, 1, 1}, kq[3] = {1, 1, 1}, ss[3] = {1, 1, 1};
  for (int a = 0; a < nd; ++a) {
    ks[3 - nd + a] = conv.kernel[a];
    kq[3 - nd + a] = d.kernel[a];
    ss[3 - nd + a] = s[a];
  }
  const int64_t taps = ks[0] * ks[1] * ks[2], qtaps = kq[0] * kq[1] * kq[2];
  for (int64_t gi = 0; gi < g; ++gi)
    for (int64_t cil = 0; cil < cin_g; ++cil)
      for (int64_t col = 0; col < cout_g; ++col) {
        const float* src = w.data + ((gi * cout_g + col) * cin_g + cil) * taps;
        float* dst = w_deconv->data.data() + ((gi * cin_g + cil) * cout_g + col) * qtaps;
        for (int64_t q0 = 0; q0 < kq[0]; ++q0)
          for (int64_t q1 = 0; q1 < kq[1]; ++q1)
            for (int64_t q2 = 0; q2 < kq[2]; ++q2) {
              double acc = 0;
              const int64_t q[3] = {q0, q1, q2};
              int64_t lo[3], hi[3];
              for (int a = 0; a < 3; ++a) {
                lo[a] = std::max<int64_t>(0, ks[a] - 1 - q[a]);
                hi[a] = std::min<int64_t>(ks[a] - 1, ks[a] - 1 - q[a] + ss[a] - 1);
              }
              for (int64_t t0 = lo[0]; t0 <= hi[0]; ++t0)
                for (int64_t t1 = lo[1]; t1 <= hi[1]; ++t1)
                  for (int64_t t2 = lo[2]; t2 <= hi[2]; ++t2) acc += src[(t0 * ks[1] + t1) * ks[2] + t2];
              dst[(q0 * kq[1] + q1) * kq[2] + q2] = static_cast<float>(acc);
            }
      }
  *deconv = d;
  return Status::Ok();
}

}  // namespace tconv
