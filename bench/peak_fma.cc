// The f32 FMA peak of bench/machine.h: 12 independent multiply-add chains
// of the widest vectors Highway finds at run time (enough chains to cover
// the FMA latency times the FMA pipes of Zen 4 and Zen 5: 4 cycles x 2), one
// chain per register so nothing but FMAs runs in the loop.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "bench/machine.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "bench/peak_fma.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace bench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Runs `iters` rounds of 12 FMAs; returns the flops done (and a sum the
// compiler must keep).
double FmaChains(int64_t iters, float* sink) {
  const hn::ScalableTag<float> d;
  const auto m = hn::Set(d, 0.9999999f), c = hn::Set(d, 1e-7f);
  auto a0 = hn::Set(d, 0.1f), a1 = hn::Set(d, 0.2f), a2 = hn::Set(d, 0.3f), a3 = hn::Set(d, 0.4f);
  auto a4 = hn::Set(d, 0.5f), a5 = hn::Set(d, 0.6f), a6 = hn::Set(d, 0.7f), a7 = hn::Set(d, 0.8f);
  auto a8 = hn::Set(d, 0.9f), a9 = hn::Set(d, 1.0f), a10 = hn::Set(d, 1.1f), a11 = hn::Set(d, 1.2f);
  for (int64_t i = 0; i < iters; ++i) {
    a0 = hn::MulAdd(a0, m, c), a1 = hn::MulAdd(a1, m, c), a2 = hn::MulAdd(a2, m, c), a3 = hn::MulAdd(a3, m, c);
    a4 = hn::MulAdd(a4, m, c), a5 = hn::MulAdd(a5, m, c), a6 = hn::MulAdd(a6, m, c), a7 = hn::MulAdd(a7, m, c);
    a8 = hn::MulAdd(a8, m, c), a9 = hn::MulAdd(a9, m, c), a10 = hn::MulAdd(a10, m, c), a11 = hn::MulAdd(a11, m, c);
  }
  const auto s = hn::Add(hn::Add(hn::Add(hn::Add(a0, a1), hn::Add(a2, a3)), hn::Add(hn::Add(a4, a5), hn::Add(a6, a7))),
                         hn::Add(hn::Add(a8, a9), hn::Add(a10, a11)));
  *sink += hn::GetLane(s);
  return static_cast<double>(iters) * 12.0 * static_cast<double>(hn::Lanes(d)) * 2.0;
}

const char* TargetNameHere() { return hwy::TargetName(HWY_TARGET); }

}  // namespace HWY_NAMESPACE
}  // namespace bench
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace tconv {
namespace bench {

HWY_EXPORT(FmaChains);
HWY_EXPORT(TargetNameHere);

std::string PeakIsa() { return HWY_DYNAMIC_DISPATCH(TargetNameHere)(); }

double PeakGflops(int threads) {
  using Clock = std::chrono::steady_clock;
  int64_t iters = 1 << 20;
  double best = 0;
  for (int rep = 0; rep < 6; ++rep) {
    double flops = 0;
    const auto t0 = Clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : flops)
    {
      float sink = 0;
      flops += HWY_DYNAMIC_DISPATCH(FmaChains)(iters, &sink);
      if (sink == 12345.678f) flops += 1;  // keeps the chains alive
    }
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::max(best, flops / dt * 1e-9);
    // Batches of about 50 ms after the first (calibration) one.
    iters = std::max<int64_t>(iters, static_cast<int64_t>(static_cast<double>(iters) * 0.05 / std::max(dt, 1e-6)));
  }
  return best;
}

}  // namespace bench
}  // namespace tconv
#endif  // HWY_ONCE
