// The OpenBLAS threading policy (blas.h).
#include "src/algo/blas.h"

#include <cblas.h>

#include <algorithm>
#include <mutex>

namespace tconv {
namespace {

struct BlasCount {
  std::mutex mu;
  int active = 0;  // scopes alive
  int saved = 1;   // OpenBLAS's count before the first of them
};

BlasCount& Count() {
  static BlasCount c;
  return c;
}

}  // namespace

int GemmWorkers(int threads, int64_t tasks, double task_mnk, double total_macs) {
  (void)task_mnk;
  if (total_macs < kMinParallelMacs) return 1;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, tasks)));
}

BlasOneThread::BlasOneThread() {
  BlasCount& c = Count();
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.active++ == 0) {
    c.saved = openblas_get_num_threads();
    if (c.saved != 1) openblas_set_num_threads(1);
  }
}

BlasOneThread::~BlasOneThread() {
  BlasCount& c = Count();
  std::lock_guard<std::mutex> lock(c.mu);
  if (--c.active == 0 && c.saved != 1) openblas_set_num_threads(c.saved);
}

}  // namespace tconv
