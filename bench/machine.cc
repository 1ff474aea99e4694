// CPU name and copy bandwidth of bench/machine.h (the FMA peak is in
// peak_fma.cc, compiled for every Highway target).
#include "bench/machine.h"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

namespace tconv {
namespace bench {

std::string CpuModel() {
  std::ifstream f("/proc/cpuinfo");
  std::string line, name, family, model;
  auto value = [](const std::string& l) {
    const size_t c = l.find(':');
    return c == std::string::npos ? std::string() : l.substr(std::min(l.size(), c + 2));
  };
  while (std::getline(f, line) && (name.empty() || family.empty() || model.empty())) {
    if (line.rfind("model name", 0) == 0 && name.empty()) name = value(line);
    if (line.rfind("cpu family", 0) == 0 && family.empty()) family = value(line);
    if (line.rfind("model\t", 0) == 0 && model.empty()) model = value(line);
  }
  if (name.empty()) name = "unknown CPU";
  if (!family.empty()) name += " (family " + family + " model " + model + ")";
  return name + ", " + std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " CPUs online";
}

namespace {

double CopySeconds(int threads, size_t n, const float* a, float* b, bool use_memcpy) {
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
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

double CopyGBps(int64_t footprint_bytes, int threads) {
  // At least 64 KiB, at most 1 GiB of working set.
  const int64_t fp = std::min<int64_t>(std::max<int64_t>(footprint_bytes, 1 << 16), int64_t{1} << 30);
  const size_t n = static_cast<size_t>(fp / 2 / sizeof(float));
  const size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
  std::unique_ptr<float, decltype(&std::free)> a(static_cast<float*>(std::aligned_alloc(64, bytes)), &std::free);
  std::unique_ptr<float, decltype(&std::free)> b(static_cast<float*>(std::aligned_alloc(64, bytes)), &std::free);
  if (!a || !b) return 0;
  for (size_t i = 0; i < n; ++i) a.get()[i] = b.get()[i] = static_cast<float>(i & 1023);
  double best = 1e30, spent = 0;
  for (int rep = 0; rep < 40 && (rep < 4 || spent < 0.2); ++rep) {
    const double s = CopySeconds(threads, n, a.get(), b.get(), rep % 2 == 0);
    best = std::min(best, s);
    spent += s;
  }
  return 2.0 * static_cast<double>(n * sizeof(float)) / best * 1e-9;
}

}  // namespace bench
}  // namespace tconv
