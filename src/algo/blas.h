// Internal: the OpenBLAS settings the GEMM-based algorithms share
// (gemm_col2im, zero_insert, the convolution's im2col + GEMM), in one place.
//
// OpenBLAS (Debian's pthread build, libopenblas0-pthread) threads one GEMM by
// itself once M*N*K exceeds 65536*4, with a process-wide thread count and no
// per-call control, and its threaded GEMM does not give the bits of its
// one-thread GEMM. So `threads` means threads, and results do not depend on
// them: OpenBLAS runs on one thread during tconv's calls (a BlasOneThread
// scope around them), and an algorithm hands its GEMM tasks (output-channel,
// column or (batch, group) blocks) to its own `threads` workers. Each
// task's GEMM is the same call at any thread count.
//
// The scope restores OpenBLAS's count when the last concurrent scope ends, so
// other OpenBLAS users in the process (numpy on Debian's OpenBLAS) keep
// theirs outside tconv's calls. tests/thread_count_test.cc counts the threads
// that work.
#ifndef TCONV_SRC_ALGO_BLAS_H_
#define TCONV_SRC_ALGO_BLAS_H_

#include <cstdint>

namespace tconv {

// Multiply-adds below which a parallel region costs more than it saves.
constexpr double kMinParallelMacs = 32768.0;

// OpenBLAS on one thread while the scope lives (see above).
class BlasOneThread {
 public:
  BlasOneThread();
  ~BlasOneThread();
  BlasOneThread(const BlasOneThread&) = delete;
  BlasOneThread& operator=(const BlasOneThread&) = delete;
};

// Workers for `tasks` GEMM tasks of task_mnk multiply-adds each (of
// total_macs multiply-adds of work in all) at `threads`: 1 when the work is
// too small to split, else min(threads, tasks).
int GemmWorkers(int threads, int64_t tasks, double task_mnk, double total_macs);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_BLAS_H_
