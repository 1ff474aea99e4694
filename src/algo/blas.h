// Internal: the OpenBLAS settings the GEMM-based algorithms share
// (gemm_col2im, zero_insert, the convolution's im2col + GEMM), in one place.
//
// OpenBLAS (Debian's pthread build) threads one GEMM by itself once M*N*K
// exceeds 65536*4 (interface/gemm.c: SMP_THRESHOLD_MIN *
// GEMM_MULTITHREAD_THRESHOLD), with its own process-wide thread count and no
// per-call control; calling such GEMMs from several OpenMP workers
// oversubscribes the cores (3x slower on 2 cores for a 64->64 3x3 56x56
// layer). So an algorithm hands its GEMM tasks to its own workers only while
// each GEMM is small enough for OpenBLAS to run it on one thread; above that
// the tasks run in order and OpenBLAS parallelises each GEMM. Either way each
// task's GEMM is the same call, so results do not depend on the thread count.
#ifndef TCONV_SRC_ALGO_BLAS_H_
#define TCONV_SRC_ALGO_BLAS_H_

#include <cstdint>

namespace tconv {

// M*N*K above which OpenBLAS threads a GEMM itself.
constexpr double kBlasThreadedMnk = 65536.0 * 4;
// Multiply-adds below which a parallel region costs more than it saves.
constexpr double kMinParallelMacs = 32768.0;

// True when OpenBLAS would run a GEMM of m*n*k = mnk multiply-adds on more
// than one of its own threads.
bool BlasThreadsItself(double mnk);

// OpenMP workers for `tasks` GEMM tasks of task_mnk multiply-adds each (of
// total_macs multiply-adds of work in all) at `threads`: 1 when OpenBLAS
// threads each GEMM itself or the work is too small to split, else
// min(threads, tasks).
int GemmWorkers(int threads, int64_t tasks, double task_mnk, double total_macs);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_BLAS_H_
