// Convolution forward / backward-data / backward-weight: the GEMM forms
// (DESIGN.md, the article's methods 1 and 2), and the option plumbing that
// lets "ref" select the oracle instead.
//
// Per batch item n and group grp, with W_g the (cout_g, cin_g*k_sp) slice of
// the weight, col = Im2Col(x[n, grp]) ((cin_g*k_sp) x out_sp):
//   forward:          y[n, grp]   = bias + W_g * col              (sgemm NN)
//   backward-data:    dx[n, grp]  = Col2ImAdd(W_g^T * dy[n, grp])  (sgemm TN)
//   backward-weight:  dW_g       += dy[n, grp] * col^T, n = 0..N-1 (sgemm NT)
// A 1x1 kernel with stride 1 and no pads skips im2col/col2im entirely.
//
// Threading (src/base/parallel.h, options.threads): forward and backward-data split the
// independent (n, grp) slices; backward-weight splits groups only and
// accumulates over n in order, so no result depends on the thread count.
// OpenBLAS itself runs on one thread (src/algo/blas.h), so a layer with one
// (n, grp) slice runs on one thread.
#include <cblas.h>
#include <algorithm>
#include <climits>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "src/algo/blas.h"
#include "src/algo/im2col.h"
#include "src/base/checked_int.h"
#include "src/base/parallel.h"
#include "src/geom3.h"
#include "tconv/conv.h"
#include "tconv/limits.h"
#include "tconv/reference.h"

namespace tconv {
namespace {

enum class ConvAlgo { kGemm, kRef };

Status ParseOptions(const ConvOptions& options, ConvAlgo* algo) {
  if (options.algo == "auto" || options.algo == "gemm") {
    *algo = ConvAlgo::kGemm;
  } else if (options.algo == "ref") {
    *algo = ConvAlgo::kRef;
  } else {
    return Status::Invalid("algo must be one of auto, gemm, ref for a convolution (got '" + options.algo + "')");
  }
  TCONV_RETURN_IF_ERROR(CheckThreads("threads", options.threads));
  if (options.max_memory_bytes < 0) {
    return Status::Invalid("max_memory_bytes must be >= 0 (0: physical memory) (got " +
                           std::to_string(options.max_memory_bytes) + ")");
  }
  return Status::Ok();
}

// The GEMM dims must fit the 32-bit CBLAS interface; returns the column
// buffer size (floats) for one slice, 0 when im2col is the identity.
Status ColumnBufferSize(const Geom3& g, int64_t* floats) {
  const int64_t rows = g.cin_g * g.k_sp;  // <= weight elements <= 2^40: no overflow
  if (rows > INT_MAX || g.out_sp > INT_MAX || g.cout_g > INT_MAX || g.in_sp > INT_MAX) {
    return Status::Unsupported("gemm: a GEMM dimension exceeds 2^31-1 (rows " + std::to_string(rows) +
                               ", columns " + std::to_string(g.out_sp) + ")");
  }
  if (Im2ColIsIdentity(g)) {
    *floats = 0;
    return Status::Ok();
  }
  int64_t n = 0;
  if (__builtin_mul_overflow(rows, g.out_sp, &n) || n > (int64_t{1} << 40)) {
    return Status::OutOfMemory("gemm: column buffer of " + std::to_string(rows) + " x " + std::to_string(g.out_sp) +
                               " floats is too large");
  }
  *floats = n;
  return Status::Ok();
}

// One column buffer per worker, allocated before any parallel region,
// within the memory limit (ConvOptions::max_memory_bytes).
Status AllocateWorkspace(int64_t per_worker, int workers, int64_t limit, std::vector<float>* ws) {
  if (per_worker == 0) return Status::Ok();
  int64_t total = 0;
  if (__builtin_mul_overflow(per_worker, static_cast<int64_t>(workers), &total) ||
      static_cast<uint64_t>(total) > ws->max_size()) {
    return Status::OutOfMemory("gemm: workspace of " + std::to_string(per_worker) + " x " +
                               std::to_string(workers) + " floats is too large");
  }
  TCONV_RETURN_IF_ERROR(CheckMemory("gemm: the column buffers", SatMul(total, sizeof(float)), limit));
  try {
    ws->resize(static_cast<size_t>(total));
  } catch (const std::bad_alloc&) {
    return Status::OutOfMemory("gemm: cannot allocate a workspace of " + std::to_string(total * 4) + " bytes");
  }
  return Status::Ok();
}

// The (n, group) slices go to our workers; OpenBLAS runs each slice's GEMM
// on one thread (src/algo/blas.h).
int Workers(const ConvOptions& options, int64_t tasks, int64_t m, int64_t n, int64_t k) {
  const double mnk = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  return GemmWorkers(options.threads, tasks, mnk, mnk * static_cast<double>(tasks));
}

Status ConvGemm(const ConvDesc& desc, ConstTensorView x, ConstTensorView w, ConstTensorView bias, TensorView y,
                const ConvOptions& options) {
  const Geom3 g = MakeGeom3(desc, GeomOp::kConv);
  int64_t col_floats = 0;
  TCONV_RETURN_IF_ERROR(ColumnBufferSize(g, &col_floats));
  const int64_t tasks = g.n * g.groups;
  const int M = static_cast<int>(g.cout_g), N = static_cast<int>(g.out_sp), K = static_cast<int>(g.cin_g * g.k_sp);
  const int workers = Workers(options, tasks, M, N, K);
  const BlasOneThread blas;
  std::vector<float> ws;
  TCONV_RETURN_IF_ERROR(AllocateWorkspace(col_floats, workers, options.max_memory_bytes, &ws));

  ParallelRegion(workers, [&](const Team& team) { team.ForStatic(tasks, [&](int64_t t) {
    const int64_t n = t / g.groups, grp = t % g.groups;
    const float* xg = x.data + (n * g.cin + grp * g.cin_g) * g.in_sp;
    float* yg = y.data + (n * g.cout + grp * g.cout_g) * g.out_sp;
    const float* wg = w.data + grp * g.cout_g * K;
    const float* col = xg;
    if (col_floats != 0) {
      float* buf = ws.data() + static_cast<size_t>(team.thread()) * col_floats;
      Im2Col(g, xg, buf);
      col = buf;
    }
    float beta = 0.0f;
    if (bias.data) {
      for (int64_t co = 0; co < g.cout_g; ++co) std::fill_n(yg + co * g.out_sp, g.out_sp, bias.data[grp * g.cout_g + co]);
      beta = 1.0f;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, wg, K, col, N, beta, yg, N);
  }, /*nowait=*/true); });
  return Status::Ok();
}

Status ConvBackwardDataGemm(const ConvDesc& desc, ConstTensorView dy, ConstTensorView w, TensorView dx,
                            const ConvOptions& options) {
  const Geom3 g = MakeGeom3(desc, GeomOp::kConv);
  int64_t col_floats = 0;
  TCONV_RETURN_IF_ERROR(ColumnBufferSize(g, &col_floats));
  const int64_t tasks = g.n * g.groups;
  const int M = static_cast<int>(g.cin_g * g.k_sp), N = static_cast<int>(g.out_sp), K = static_cast<int>(g.cout_g);
  const int workers = Workers(options, tasks, M, N, K);
  const BlasOneThread blas;
  std::vector<float> ws;
  TCONV_RETURN_IF_ERROR(AllocateWorkspace(col_floats, workers, options.max_memory_bytes, &ws));

  ParallelRegion(workers, [&](const Team& team) { team.ForStatic(tasks, [&](int64_t t) {
    const int64_t n = t / g.groups, grp = t % g.groups;
    const float* dyg = dy.data + (n * g.cout + grp * g.cout_g) * g.out_sp;
    float* dxg = dx.data + (n * g.cin + grp * g.cin_g) * g.in_sp;
    const float* wg = w.data + grp * g.cout_g * M;
    if (col_floats == 0) {  // identity im2col: the GEMM writes dx directly
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, M, N, K, 1.0f, wg, M, dyg, N, 0.0f, dxg, N);
      return;
    }
    float* col = ws.data() + static_cast<size_t>(team.thread()) * col_floats;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, M, N, K, 1.0f, wg, M, dyg, N, 0.0f, col, N);
    std::memset(dxg, 0, sizeof(float) * g.cin_g * g.in_sp);
    Col2ImAdd(g, col, dxg);
  }, /*nowait=*/true); });
  return Status::Ok();
}

Status ConvBackwardWeightGemm(const ConvDesc& desc, ConstTensorView x, ConstTensorView dy, TensorView dw,
                              TensorView db, const ConvOptions& options) {
  const Geom3 g = MakeGeom3(desc, GeomOp::kConv);
  int64_t col_floats = 0;
  TCONV_RETURN_IF_ERROR(ColumnBufferSize(g, &col_floats));
  const int M = static_cast<int>(g.cout_g), N = static_cast<int>(g.cin_g * g.k_sp), K = static_cast<int>(g.out_sp);
  const int workers = Workers(options, g.groups, M, N, K);
  const BlasOneThread blas;
  std::vector<float> ws;
  TCONV_RETURN_IF_ERROR(AllocateWorkspace(col_floats, workers, options.max_memory_bytes, &ws));

  // An empty batch contributes nothing: dW is zero (the loop below only
  // writes dW from its first sample, with beta = 0).
  if (g.n == 0) std::fill(dw.data, dw.data + NumElements(dw.shape), 0.0f);
  // Each group owns its rows of dW and accumulates over n in order.
  ParallelRegion(workers, [&](const Team& team) { team.ForStatic(g.groups, [&](int64_t grp) {
    float* dwg = dw.data + grp * g.cout_g * N;
    float* buf = col_floats ? ws.data() + static_cast<size_t>(team.thread()) * col_floats : nullptr;
    for (int64_t n = 0; n < g.n; ++n) {
      const float* xg = x.data + (n * g.cin + grp * g.cin_g) * g.in_sp;
      const float* dyg = dy.data + (n * g.cout + grp * g.cout_g) * g.out_sp;
      const float* col = xg;
      if (buf) {
        Im2Col(g, xg, buf);
        col = buf;
      }
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, dyg, K, col, K, n == 0 ? 0.0f : 1.0f, dwg,
                  N);
    }
  }, /*nowait=*/true); });
  if (db.data) {  // sum of dy over n and positions, double accumulation, fixed order
    for (int64_t co = 0; co < g.cout; ++co) {
      double acc = 0.0;
      for (int64_t n = 0; n < g.n; ++n) {
        const float* p = dy.data + (n * g.cout + co) * g.out_sp;
        for (int64_t o = 0; o < g.out_sp; ++o) acc += p[o];
      }
      db.data[co] = static_cast<float>(acc);
    }
  }
  return Status::Ok();
}

}  // namespace

Status Conv(const ConvDesc& desc, ConstTensorView x, ConstTensorView w, ConstTensorView bias, TensorView y,
            const ConvOptions& options) {
  ConvAlgo algo;
  TCONV_RETURN_IF_ERROR(ParseOptions(options, &algo));
  if (algo == ConvAlgo::kRef) return ConvRef(desc, x, w, bias, y);
  TCONV_RETURN_IF_ERROR(ValidateConv(desc));
  TCONV_RETURN_IF_ERROR(CheckShape("input", x.shape, ConvInputShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("weight", w.shape, ConvWeightShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("output", y.shape, ConvOutputShape(desc)));
  if (bias.data) TCONV_RETURN_IF_ERROR(CheckShape("bias", bias.shape, {desc.out_channels}));
  return ConvGemm(desc, x, w, bias, y, options);
}

Status ConvBackwardData(const ConvDesc& desc, ConstTensorView dy, ConstTensorView w, TensorView dx,
                        const ConvOptions& options) {
  ConvAlgo algo;
  TCONV_RETURN_IF_ERROR(ParseOptions(options, &algo));
  if (algo == ConvAlgo::kRef) return ConvBackwardDataRef(desc, dy, w, dx);
  TCONV_RETURN_IF_ERROR(ValidateConv(desc));
  TCONV_RETURN_IF_ERROR(CheckShape("output gradient", dy.shape, ConvOutputShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("weight", w.shape, ConvWeightShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("input gradient", dx.shape, ConvInputShape(desc)));
  return ConvBackwardDataGemm(desc, dy, w, dx, options);
}

Status ConvBackwardWeight(const ConvDesc& desc, ConstTensorView x, ConstTensorView dy, TensorView dw, TensorView db,
                          const ConvOptions& options) {
  ConvAlgo algo;
  TCONV_RETURN_IF_ERROR(ParseOptions(options, &algo));
  if (algo == ConvAlgo::kRef) return ConvBackwardWeightRef(desc, x, dy, dw, db);
  TCONV_RETURN_IF_ERROR(ValidateConv(desc));
  TCONV_RETURN_IF_ERROR(CheckShape("input", x.shape, ConvInputShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("output gradient", dy.shape, ConvOutputShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("weight gradient", dw.shape, ConvWeightShape(desc)));
  if (db.data) TCONV_RETURN_IF_ERROR(CheckShape("bias gradient", db.shape, {desc.out_channels}));
  return ConvBackwardWeightGemm(desc, x, dy, dw, db, options);
}

}  // namespace tconv
