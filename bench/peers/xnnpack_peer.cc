// XNNPACK peer: xnn_create_deconvolution2d_nhwc_f32 (the API of Debian 12's
// libxnnpack 0.0~git20220216), NHWC tensors, the bias in the operator,
// threads from a pthreadpool of `threads` (none at 1: the caller runs it).
// 2-D layers, and 1-D layers as 2-D with height 1 (what an XNNPACK user
// does); 3-D layers are declined. Nothing but the operator is timed: x is
// converted to NHWC and the weight to XNNPACK's (g, Cout/g, kh, kw, Cin/g)
// once, at setup.
#include <pthreadpool.h>
#include <xnnpack.h>

#include <cmath>
#include <limits>
#include <memory>
#include <mutex>

#include "bench/peers/peers.h"

namespace tconv {
namespace bench {
namespace {

class XnnpackRunner : public Runner {
 public:
  xnn_operator_t op = nullptr;
  pthreadpool_t pool = nullptr;
  std::vector<float> x, y;  // NHWC
  int64_t n = 1, c = 1, h = 1, w = 1;
  ~XnnpackRunner() override {
    if (op) xnn_delete_operator(op);
    if (pool) pthreadpool_destroy(pool);
  }
  void Run() override { xnn_run_operator(op, pool); }
  std::string Impl() const override { return "xnn_deconvolution2d_nhwc_f32"; }
  bool ReadOutputNchw(float* out) override {
    for (int64_t b = 0; b < n; ++b)
      for (int64_t p = 0; p < h * w; ++p)
        for (int64_t ch = 0; ch < c; ++ch) out[(b * c + ch) * h * w + p] = y[(b * h * w + p) * c + ch];
    return true;
  }
};

bool Initialize(std::string* why) {
  static std::once_flag once;
  static xnn_status st = xnn_status_uninitialized;
  std::call_once(once, [] { st = xnn_initialize(nullptr); });
  if (st != xnn_status_success) *why = "XNNPACK: xnn_initialize failed (status " + std::to_string(st) + ")";
  return st == xnn_status_success;
}

}  // namespace

std::vector<std::string> XnnpackVariants() { return {"xnnpack:nhwc+bias"}; }

Runner* MakeXnnpackPeer(const PeerProblem& p, const std::string& variant, int threads, std::string* why) {
  if (variant != "xnnpack:nhwc+bias") {
    *why = "unknown XNNPACK configuration " + variant;
    return nullptr;
  }
  if (p.ndim > 2) {
    *why = "XNNPACK's deconvolution is 2-D only";
    return nullptr;
  }
  if (!Initialize(why)) return nullptr;
  // 1-D as 2-D with height 1: axis 0 is H, axis 1 is W.
  const int o = p.ndim == 2 ? 0 : -1;
  auto ax = [&](const int64_t* v, int a, int64_t one) { return a < 0 ? one : v[a]; };
  const int64_t kh = ax(p.kernel, o, 1), kw = p.kernel[o + 1], ih = ax(p.in, o, 1), iw = p.in[o + 1];
  const int64_t oh = ax(p.out, o, 1), ow = p.out[o + 1];
  const int64_t g = p.groups, cig = p.cin / g, cog = p.cout / g;
  auto r = std::make_unique<XnnpackRunner>();
  r->n = p.n, r->c = p.cout, r->h = oh, r->w = ow;
  // x NCHW -> NHWC; w (Cin, Cout/g, kh, kw) -> (g, Cout/g, kh, kw, Cin/g).
  r->x.resize(static_cast<size_t>(p.n * p.cin * ih * iw));
  for (int64_t b = 0; b < p.n; ++b)
    for (int64_t ch = 0; ch < p.cin; ++ch)
      for (int64_t q = 0; q < ih * iw; ++q) r->x[(b * ih * iw + q) * p.cin + ch] = p.x[(b * p.cin + ch) * ih * iw + q];
  std::vector<float> wt(static_cast<size_t>(p.cin * cog * kh * kw));
  for (int64_t ci = 0; ci < p.cin; ++ci) {
    const int64_t grp = ci / cig, cg = ci % cig;
    for (int64_t co = 0; co < cog; ++co)
      for (int64_t k = 0; k < kh * kw; ++k)
        wt[((grp * cog + co) * kh * kw + k) * cig + cg] = p.w[(ci * cog + co) * kh * kw + k];
  }
  r->y.assign(static_cast<size_t>(p.n * p.cout * oh * ow), 0.0f);
  const float inf = std::numeric_limits<float>::infinity();
  const uint32_t pt = o < 0 ? 0 : static_cast<uint32_t>(p.pad_begin[o]);
  const uint32_t pb = o < 0 ? 0 : static_cast<uint32_t>(p.pad_end[o]);
  const uint32_t pl = static_cast<uint32_t>(p.pad_begin[o + 1]), pr = static_cast<uint32_t>(p.pad_end[o + 1]);
  const uint32_t sh = static_cast<uint32_t>(ax(p.stride, o, 1)), sw = static_cast<uint32_t>(p.stride[o + 1]);
  const uint32_t dh = static_cast<uint32_t>(ax(p.dilation, o, 1)), dw = static_cast<uint32_t>(p.dilation[o + 1]);
  const uint32_t ah = static_cast<uint32_t>(ax(p.output_padding, o, 0));
  const uint32_t aw = static_cast<uint32_t>(p.output_padding[o + 1]);
  xnn_status st = xnn_create_deconvolution2d_nhwc_f32(
      pt, pr, pb, pl, static_cast<uint32_t>(kh), static_cast<uint32_t>(kw), sh, sw, dh, dw, static_cast<uint32_t>(g),
      static_cast<size_t>(cig), static_cast<size_t>(cog), static_cast<size_t>(p.cin), static_cast<size_t>(p.cout),
      wt.data(), p.b, -inf, inf, 0, &r->op);
  if (st != xnn_status_success) {
    *why = "XNNPACK declined the layer (create status " + std::to_string(st) + ")";
    return nullptr;
  }
  if (threads > 1) r->pool = pthreadpool_create(static_cast<size_t>(threads));
  st = xnn_setup_deconvolution2d_nhwc_f32(r->op, static_cast<size_t>(p.n), static_cast<size_t>(ih),
                                          static_cast<size_t>(iw), ah, aw, r->x.data(), r->y.data(), r->pool);
  if (st != xnn_status_success) {
    *why = "XNNPACK declined the layer (setup status " + std::to_string(st) + ")";
    return nullptr;
  }
  return r.release();
}

std::string XnnpackVersion() { return "XNNPACK (Debian libxnnpack0, API of git 2022-02-16)"; }

}  // namespace bench
}  // namespace tconv
