// `ref` as an algorithm: the reference kernel behind the plan interface, so
// `--algo ref` works everywhere and the sweep can compare like with like.
#include <vector>

#include "src/algo/algorithm.h"
#include "src/base/bf16.h"
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
  // w: f32, or bf16 (then x is bf16 in Run: both widened exactly).
  RefPrepared(const Geom3& g, ConstBuffer w, const float* bias)
      : desc_(ToDesc(g)), bias_(bias ? std::vector<float>(bias, bias + g.cout) : std::vector<float>()) {
    const int64_t n = NumElements(ConvTransposeWeightShape(desc_));
    if (w.dtype == DType::kBF16) {
      for (int64_t i = 0; i < n; ++i) w_.push_back(Bf16ToF32(w.As<uint16_t>()[i]));
    } else {
      w_.assign(w.As<float>(), w.As<float>() + n);
    }
  }
  std::string Kernel() const override { return "ref: double-precision loops (the oracle)"; }
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    if (xb.dtype == DType::kBF16) return RunBf16(xb, yb);
    const float* x = xb.As<float>();
    float* y = yb.As<float>();
    ConstTensorView b(bias_.empty() ? nullptr : bias_.data(), {desc_.out_channels});
    // Shapes were checked by the plan; the reference re-checks them anyway.
    ConvTransposeRef(desc_, ConstTensorView(x, ConvTransposeInputShape(desc_)),
                     ConstTensorView(w_.data(), ConvTransposeWeightShape(desc_)), b,
                     TensorView(y, ConvTransposeOutputShape(desc_)));
  }

 private:
  // bf16 x widened, y f32 or rounded to bf16 once (allocates: the oracle).
  void RunBf16(ConstBuffer xb, Buffer yb) const {
    const Shape xs = ConvTransposeInputShape(desc_), ys = ConvTransposeOutputShape(desc_);
    std::vector<float> x(static_cast<size_t>(NumElements(xs)));
    for (size_t i = 0; i < x.size(); ++i) x[i] = Bf16ToF32(xb.As<uint16_t>()[i]);
    std::vector<float> y;
    float* out = yb.dtype == DType::kF32 ? yb.As<float>() : nullptr;
    if (!out) y.resize(static_cast<size_t>(NumElements(ys)));
    ConstTensorView b(bias_.empty() ? nullptr : bias_.data(), {desc_.out_channels});
    ConvTransposeRef(desc_, ConstTensorView(x.data(), xs), ConstTensorView(w_.data(), ConvTransposeWeightShape(desc_)),
                     b, TensorView(out ? out : y.data(), ys));
    for (size_t i = 0; i < y.size(); ++i) yb.As<uint16_t>()[i] = Bf16Bits(y[i]);
  }

  ConvDesc desc_;
  std::vector<float> w_;  // a copy: the plan must not depend on the caller's buffers
  std::vector<float> bias_;
};

// int8 (tconv/quant.h): ConvTransposeRefInt8 on copies of w, bias and q.
class RefInt8Prepared : public PreparedAlgo {
 public:
  RefInt8Prepared(const Geom3& g, const int8_t* w, const int32_t* bias, const QuantParams& q)
      : desc_(ToDesc(g)), w_(w, w + NumElements(ConvTransposeWeightShape(desc_))), q_(q) {
    if (bias) bias_.assign(bias, bias + g.cout);
  }
  std::string Kernel() const override { return "ref: int64 loops, then requantization (the int8 oracle)"; }
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    ConstI32View b(bias_.empty() ? nullptr : bias_.data(), {desc_.out_channels});
    ConvTransposeRefInt8(desc_, ConstQuantView(xb.data, ConvTransposeInputShape(desc_)),
                         ConstI8View(w_.data(), ConvTransposeWeightShape(desc_)), b, q_,
                         QuantView{yb.data, ConvTransposeOutputShape(desc_)});
  }

 private:
  ConvDesc desc_;
  std::vector<int8_t> w_;
  std::vector<int32_t> bias_;
  QuantParams q_;
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
  if (in.w.dtype == DType::kI8) return std::make_unique<RefInt8Prepared>(g, in.w.As<int8_t>(), in.bias.As<int32_t>(), *in.quant);
  return std::make_unique<RefPrepared>(g, in.w, in.bias.As<float>());
}

}  // namespace

const Algorithm kRefAlgorithm = {"ref", "plain loops, double accumulation (the oracle)", RefCost, RefPrepare, nullptr,
                                 DTypeBit(DType::kF32) | DTypeBit(DType::kBF16) | DTypeBit(DType::kI8)};

}  // namespace tconv
