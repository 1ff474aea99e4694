// Value ranges, nice ticks and clipping counts for the report's figures.
#include "tools/figure/colour_scale.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tconv {
namespace figure {

double ColourScale::Fraction(double v) const {
  if (!(hi > lo)) return 0.5;
  return std::min(1.0, std::max(0.0, (v - lo) / (hi - lo)));
}

Rgb ColourScale::At(double v) const { return ColorMap(Fraction(v)); }

ColourScale ScaleOf(const std::vector<double>& values) { return SharedScale({&values}); }

ColourScale SharedScale(const std::vector<const std::vector<double>*>& maps) {
  ColourScale s{0, 0};
  for (const std::vector<double>* m : maps)
    for (double v : *m) {
      if (!std::isfinite(v)) continue;
      s.lo = std::min(s.lo, v);
      s.hi = std::max(s.hi, v);
    }
  return s;
}

std::vector<double> NiceTicks(double lo, double hi, int max_ticks) {
  if (!(hi > lo) || max_ticks < 2) return {lo};
  const double raw = (hi - lo) / (max_ticks - 1);
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * p;
  for (double m : {1.0, 2.0, 5.0})
    if (m * p >= raw) {
      step = m * p;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  if (ticks.size() < 2) ticks = {lo, hi};  // a narrow range between two nice values
  return ticks;
}

std::vector<double> IndexTicks(int64_t first, int64_t last, int max_ticks) {
  std::vector<double> ticks;
  if (last - first + 1 <= max_ticks) {
    for (int64_t i = first; i <= last; ++i) ticks.push_back(static_cast<double>(i));
    return ticks;
  }
  // More indices than ticks: (last - first) / (max_ticks - 1) > 1, so the
  // nice step is a whole number >= 2 and every tick an index.
  return NiceTicks(static_cast<double>(first), static_cast<double>(last), max_ticks);
}

std::string TickLabel(double v) {
  char buf[32];
  if (v == 0) return "0";
  if (std::fabs(v) >= 1e-3 && std::fabs(v) < 1e5) {
    std::snprintf(buf, sizeof(buf), "%.4g", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.2g", v);
  }
  return buf;
}

double ClippedFraction(const float* values, int64_t n, double lo, double hi) {
  if (n <= 0) return 0;
  int64_t clipped = 0;
  for (int64_t i = 0; i < n; ++i) clipped += !(values[i] >= lo && values[i] <= hi);
  return static_cast<double>(clipped) / static_cast<double>(n);
}

std::string ClippedNote(double fraction, double lo, double hi) {
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%.1f%% of pixel values clipped to [%s, %s]", 100 * fraction, TickLabel(lo).c_str(),
                TickLabel(hi).c_str());
  return buf;
}

}  // namespace figure
}  // namespace tconv
