// tconv_membw: the copy bandwidth the memory-bound layers are judged
// against (dw_k4s2's floor = (input + output bytes) / copy bandwidth).
//
// STREAM-like "copy": b[i] = a[i] over `size` bytes, counted as 2*size bytes
// moved (read a, write b; the write-allocate read of b is not counted, as in
// STREAM). Two variants: glibc memcpy and a plain float loop (what a kernel
// with ordinary stores does), 1 and 2 OpenMP threads (each copies half).
// Sizes: the dw_k4s2 working set (5.2 MB: L3-resident on this machine) and
// 256 MB (DRAM). Best of 20 repetitions.
//
//   build-perf2/bench/tconv_membw [MB ...]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

double BestSeconds(int reps, int threads, size_t n, const float* a, float* b, bool use_memcpy) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      const size_t lo = n * t / nt, hi = n * (t + 1) / nt;
      if (use_memcpy) {
        std::memcpy(b + lo, a + lo, (hi - lo) * sizeof(float));
      } else {
        for (size_t i = lo; i < hi; ++i) b[i] = a[i];
      }
    }
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<double> sizes_mb = {5.24, 256.0};
  if (argc > 1) {
    sizes_mb.clear();
    for (int i = 1; i < argc; ++i) sizes_mb.push_back(std::atof(argv[i]));
  }
  std::printf("%10s %8s %3s %10s\n", "size_MB", "variant", "thr", "GB/s");
  for (double mb : sizes_mb) {
    const size_t n = static_cast<size_t>(mb * 1e6 / sizeof(float));
    float* a = static_cast<float*>(std::aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64));
    float* b = static_cast<float*>(std::aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64));
    for (size_t i = 0; i < n; ++i) a[i] = b[i] = static_cast<float>(i & 1023);
    for (int threads : {1, 2}) {
      for (bool mc : {true, false}) {
        const double s = BestSeconds(20, threads, n, a, b, mc);
        std::printf("%10.2f %8s %3d %10.1f\n", mb, mc ? "memcpy" : "loop", threads,
                    2.0 * static_cast<double>(n * sizeof(float)) / s * 1e-9);
      }
    }
    std::free(a);
    std::free(b);
  }
  return 0;
}
