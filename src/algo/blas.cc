// The OpenBLAS threading policy (blas.h).
#include "src/algo/blas.h"

#include <cblas.h>

#include <algorithm>

namespace tconv {

bool BlasThreadsItself(double mnk) { return mnk > kBlasThreadedMnk && openblas_get_num_threads() > 1; }

int GemmWorkers(int threads, int64_t tasks, double task_mnk, double total_macs) {
  if (BlasThreadsItself(task_mnk) || total_macs < kMinParallelMacs) return 1;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, tasks)));
}

}  // namespace tconv
