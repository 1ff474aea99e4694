// `gemm_col2im`: the article's first method, transposed convolution as the
// backward-data pass of a convolution (Caffe's Deconvolution layer).
//
// Per batch item n and group grp, with W_g the (Cin/g, Cout/g * k_sp) slice of
// the weight and X_g the (Cin/g, in_sp) input:
//   col[(Cout/g * k_sp) x in_sp] = W_g^T * X_g         (cblas_sgemm, OpenBLAS)
//   y[n, grp] = bias + col2im(col)                     (Col2ImAdd, src/algo/im2col.h)
// col2im scatter-adds each column back to the window of the output it came
// from; output positions outside [0, L) (negative pads) get the bias only,
// and taps cropped by positive pads are dropped by Col2ImAdd's ranges.
//
// Prepare packs W^T once per group as (Cout/g * k_sp) x (Cin/g), row-major.
// The workspace is the column buffer of one batch item, all groups:
// Cout * k_sp * in_sp floats (none when col2im is the identity: 1x1x1
// kernel, stride 1, no pads, no output padding; the GEMM then writes y),
// one per image run at once (below).
//
// Threading: the tasks are (group, block of output channels), blocks fixed
// by the geometry alone, so every GEMM call is the same for any thread
// count. A task computes its rows of the column buffer and then col2im's
// them into its own output planes (one writer per output element). With
// fewer blocks than kTargetTasks (few output channels, Split below) a long
// input cuts each block's GEMM into chunks of input pixels, col2im after
// all of them; a short one runs several images at once, each in its own
// column buffer. Otherwise batch items run in order. OpenBLAS runs each
// GEMM on one thread; the tasks spread over our `threads` workers
// (src/algo/blas.h).
//
// int8 plans run the same steps on exact integers (gemm_col2im_int8.h),
// bf16 plans on the AMX tiles or widened to f32 (gemm_col2im_bf16.h).
#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <vector>

#include "src/algo/algorithm.h"
#include "src/algo/blas.h"
#include "src/algo/gemm_col2im_bf16.h"
#include "src/algo/gemm_col2im_int8.h"
#include "src/algo/gemm_one_pixel.h"
#include "src/algo/im2col.h"
#include "src/base/checked_int.h"
#include "src/base/parallel.h"

namespace tconv {
namespace {

// Enough tasks per batch item that 2-16 threads balance.
constexpr int64_t kTargetTasks = 16;
// The narrowest input-pixel chunk a GEMM is cut into (RunChunked). Zen 4,
// 1 thread, gemm_col2im GFLOP/s unchunked / chunks of >= 256, 512, 1024
// pixels: wavegan_out (64 -> 1, k25 s4, 4096 pixels) 44.8 / 66 / 66 / 48.8
// (the GEMM's input panel stays in L2), tasnet_dec (512 -> 1, k16 s8,
// 3999 pixels) 39.7 / 36.5 / 37.9 / 38.2.
constexpr int64_t kMinChunkPixels = 512;
// The most column-buffer bytes images run at once may take together.
constexpr int64_t kMaxSlotBytes = int64_t{8} << 20;

bool ColIsIdentity(const Geom3& g) { return Im2ColIsIdentity(AsConvGeom(g)); }

int64_t ColumnFloats(const Geom3& g) { return ColIsIdentity(g) ? 0 : SatProduct({g.cout, g.k_sp, g.in_sp}); }

// How a Run splits its work, from the geometry alone (so every GEMM call is
// the same at any thread count): output-channel blocks; with fewer than
// kTargetTasks blocks (Cout/g 1-15), the GEMMs cut into input-pixel chunks
// where the input is long enough, else that many images at once, each with
// its own column buffer (mnist_gan_out: one block of 196 pixels per image).
struct Split {
  int64_t cb = 1, nblk = 1;       // output channels per block, blocks per group
  int64_t chunks = 1, chunk = 1;  // input-pixel chunks per block and their width
  int64_t slots = 1;              // images run at once
};

Split SplitOf(const Geom3& g) {
  Split sp;
  const int64_t nblk = std::min<int64_t>(g.cout_g, std::max<int64_t>(1, (kTargetTasks + g.groups - 1) / g.groups));
  sp.cb = (g.cout_g + nblk - 1) / nblk;
  sp.nblk = (g.cout_g + sp.cb - 1) / sp.cb;
  sp.chunk = g.in_sp;
  const int64_t blocks = g.groups * sp.nblk, want = (kTargetTasks + blocks - 1) / blocks;
  if (blocks >= kTargetTasks) return sp;
  if (g.in_sp >= 2 * kMinChunkPixels) {
    sp.chunks = std::min(want, g.in_sp / kMinChunkPixels);
    sp.chunk = (g.in_sp + sp.chunks - 1) / sp.chunks;
    sp.chunk = (sp.chunk + 15) / 16 * 16;
    sp.chunks = (g.in_sp + sp.chunk - 1) / sp.chunk;
  } else {
    const int64_t col_bytes = std::max<int64_t>(1, SatMul(ColumnFloats(g), sizeof(float)));
    sp.slots = std::max<int64_t>(1, std::min({want, g.n, kMaxSlotBytes / col_bytes}));
  }
  return sp;
}

class GemmCol2ImPrepared : public PreparedAlgo {
 public:
  GemmCol2ImPrepared(const Geom3& g, const float* w, const float* bias)
      : g_(g), cg_(AsConvGeom(g)), identity_(ColIsIdentity(g)), split_(SplitOf(g)) {
    // wt_[grp][(cog*k_sp + kk)][cig] = w[grp*cin_g + cig][cog][kk]
    const int64_t rows = g.cout_g * g.k_sp;
    wt_.resize(static_cast<size_t>(g.groups * rows * g.cin_g));
    for (int64_t ci = 0; ci < g.cin; ++ci) {
      const int64_t grp = ci / g.cin_g, cig = ci % g.cin_g;
      const float* src = w + ci * rows;
      float* dst = wt_.data() + grp * rows * g.cin_g + cig;
      for (int64_t r = 0; r < rows; ++r) dst[r * g.cin_g] = src[r];
    }
    if (bias) bias_.assign(bias, bias + g.cout);
  }

  std::string Kernel() const override { return "gemm_col2im: OpenBLAS sgemm + col2im"; }
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    const float* x = xb.As<float>();
    float* y = yb.As<float>();
    const Geom3& g = g_;
    const Split& sp = split_;
    float* col_all = static_cast<float*>(ws);
    const int64_t tasks = g.groups * sp.nblk;
    const double task_mnk = static_cast<double>(sp.cb * g.k_sp) * static_cast<double>(g.in_sp) * g.cin_g;
    const int64_t parts = tasks * sp.chunks * sp.slots;
    const int workers =
        GemmWorkers(threads, parts, task_mnk / static_cast<double>(sp.chunks), task_mnk * static_cast<double>(tasks));
    const BlasOneThread blas;
    if (sp.chunks > 1) {
      for (int64_t n = 0; n < g.n; ++n) RunChunked(x, y, col_all, n, workers);
      return;
    }
    for (int64_t n0 = 0; n0 < g.n; n0 += sp.slots) {  // sp.slots images at a time, each in its own buffer
      const int64_t count = std::min(sp.slots, g.n - n0) * tasks;
      ParallelForDynamic(workers, count, 1, [&](int64_t t) {
        RunTask(x, y, col_all + (t / tasks) * ColumnFloats(g), n0 + t / tasks, t % tasks);
      });
    }
  }

  // Block b (group, output channels) of image n: its GEMM into col (or y),
  // then col2im into its own output planes.
  void RunTask(const float* x, float* y, float* col_all, int64_t n, int64_t b) const {
    BlockGemm(x, y, col_all, n, b, 0, g_.in_sp);
    if (!identity_) BlockCol2Im(y, col_all, n, b);
  }

  // Image n with the channel blocks' GEMMs cut into split_.chunks chunks of
  // input pixels (fixed by the geometry, so each call is the same at any
  // thread count): the GEMMs, then (after the barrier) col2im by channel
  // block, one writer per output plane.
  void RunChunked(const float* x, float* y, float* col_all, int64_t n, int workers) const {
    const int64_t tasks = g_.groups * split_.nblk, chunks = split_.chunks, chunk = split_.chunk;
    std::atomic<int64_t> next_gemm{0}, next_col2im{0};
    ParallelRegion(workers, [&](const Team& team) {
      team.ForDynamic(next_gemm, tasks * chunks, 1, [&](int64_t t) {
        const int64_t p0 = (t % chunks) * chunk;
        BlockGemm(x, y, col_all, n, t / chunks, p0, std::min(chunk, g_.in_sp - p0));
      });
      if (!identity_) team.ForDynamic(next_col2im, tasks, 1, [&](int64_t b) { BlockCol2Im(y, col_all, n, b); });
    });
  }

  // Block b's first output channel and channel count.
  void BlockChannels(int64_t b, int64_t* co0, int64_t* cbn) const {
    const int64_t grp = b / split_.nblk, c0 = (b % split_.nblk) * split_.cb;
    *cbn = std::min(split_.cb, g_.cout_g - c0);
    *co0 = grp * g_.cout_g + c0;
  }

  // Block b's GEMM over input pixels [p0, p0 + pn) of image n: into its rows
  // of the column buffer, or (col2im the identity) accumulated into those
  // pixels of its y planes, which start from the bias.
  void BlockGemm(const float* x, float* y, float* col_all, int64_t n, int64_t b, int64_t p0, int64_t pn) const {
    const Geom3& g = g_;
    int64_t co0, cbn;
    BlockChannels(b, &co0, &cbn);
    const int64_t grp = co0 / g.cout_g;
    const float* xg = x + (n * g.cin + grp * g.cin_g) * g.in_sp + p0;
    const float* a = wt_.data() + co0 * g.k_sp * g.cin_g;
    const int m = static_cast<int>(cbn * g.k_sp), k = static_cast<int>(g.cin_g), ld = static_cast<int>(g.in_sp);
    if (identity_) {
      float* yb = y + (n * g.cout + co0) * g.out_sp + p0;
      for (int64_t c = 0; c < cbn; ++c) std::fill_n(yb + c * g.out_sp, pn, bias_.empty() ? 0.0f : bias_[co0 + c]);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, static_cast<int>(pn), k, 1.0f, a, k, xg, ld, 1.0f, yb,
                  ld);
      return;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, static_cast<int>(pn), k, 1.0f, a, k, xg, ld, 0.0f,
                col_all + co0 * g.k_sp * g.in_sp + p0, ld);
  }

  // Block b's y planes of image n: the bias, then col2im of its columns.
  void BlockCol2Im(float* y, const float* col_all, int64_t n, int64_t b) const {
    const Geom3& g = g_;
    int64_t co0, cbn;
    BlockChannels(b, &co0, &cbn);
    float* yb = y + (n * g.cout + co0) * g.out_sp;
    for (int64_t c = 0; c < cbn; ++c) std::fill_n(yb + c * g.out_sp, g.out_sp, bias_.empty() ? 0.0f : bias_[co0 + c]);
    Geom3 cg = cg_;  // the conv view, restricted to this block's channels
    cg.cin_g = cbn;
    Col2ImAdd(cg, col_all + co0 * g.k_sp * g.in_sp, yb);
  }

  Geom3 g_, cg_;
  bool identity_;
  std::vector<float> wt_;    // per group: (Cout/g * k_sp) x (Cin/g)
  std::vector<float> bias_;  // empty without bias
  Split split_;
};

AlgoCost GemmCol2ImCost(const Geom3& g) {
  if (OnePixelGemmApplies(g)) return OnePixelGemmCost(g);
  AlgoCost c;
  c.macs = SatProduct({g.n, g.cin, g.cout_g, g.k_sp, g.in_sp});
  c.workspace_bytes = SatProduct({SplitOf(g).slots, ColumnFloats(g), sizeof(float)});
  c.packed_bytes = SatProduct({g.cin, g.cout_g, g.k_sp, sizeof(float)});
  return c;
}

std::unique_ptr<PreparedAlgo> GemmCol2ImPrepare(const PrepareInput& in, std::string* why) {
  const Geom3& g = in.g;
  const float* w = in.w.dtype == DType::kF32 ? in.w.As<float>() : nullptr;
  const float* bias = in.w.dtype == DType::kF32 ? in.bias.As<float>() : nullptr;
  // CBLAS takes int dimensions; beyond them the column buffer alone would be
  // many GiB, so report it as out of memory.
  if (SatMul(g.cout_g, g.k_sp) > INT_MAX || g.in_sp > INT_MAX || g.cin_g > INT_MAX) return nullptr;
  if (in.w.dtype == DType::kI8) return PrepareGemmCol2ImInt8(in);
  if (in.w.dtype == DType::kBF16) return PrepareGemmCol2ImBf16(in, GemmCol2ImPrepare, GemmCol2ImCost, why);
  if (OnePixelGemmApplies(g)) return PrepareOnePixelGemm(g, w, bias);
  return std::make_unique<GemmCol2ImPrepared>(g, w, bias);
}

}  // namespace

const Algorithm kGemmCol2ImAlgorithm = {
    "gemm_col2im",  "W^T * x by sgemm into a column buffer, then col2im scatter-add (Caffe's deconvolution)",
    GemmCol2ImCost, GemmCol2ImPrepare,
    nullptr,        DTypeBit(DType::kF32) | DTypeBit(DType::kBF16) | DTypeBit(DType::kI8)};

}  // namespace tconv
