// Colour scales for the report's maps: the value range a map is drawn with,
// tick values for its colour bar, and the share of values a picture clamps.
// Maps that are compared are drawn on one SharedScale, so that the same value
// has the same colour in each (a 1.4:1 ripple then looks weaker than a 48:1
// one).
#ifndef TCONV_TOOLS_FIGURE_COLOUR_SCALE_H_
#define TCONV_TOOLS_FIGURE_COLOUR_SCALE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tconv/image.h"

namespace tconv {
namespace figure {

struct ColourScale {
  double lo = 0, hi = 1;
  // Viridis colour of v: lo is dark purple, hi yellow; a flat scale (lo ==
  // hi) draws everything at the middle colour.
  Rgb At(double v) const;
  // Where v sits on the scale, clamped to [0, 1].
  double Fraction(double v) const;
};

// The range of one map: [min(0, min), max] of its finite values, so that a
// colour's distance from the bottom is proportional to the value for
// non-negative maps (counts, responses).
ColourScale ScaleOf(const std::vector<double>& values);
// One range for several maps: the union of their ScaleOf ranges.
ColourScale SharedScale(const std::vector<const std::vector<double>*>& maps);

// "Nice" tick values (1, 2 or 5 times a power of ten apart) within [lo, hi],
// at most `max_ticks` of them (at least 2 when lo < hi; {lo} when flat).
std::vector<double> NiceTicks(double lo, double hi, int max_ticks);
// Ticks for an axis of indices first..last (rows, channels): whole numbers
// only; every index when there are at most `max_ticks` of them.
std::vector<double> IndexTicks(int64_t first, int64_t last, int max_ticks);
// A tick label: "0", "2.5", "48", "1e-05".
std::string TickLabel(double v);

// Share (0 to 1) of the n values outside [lo, hi]: what a picture drawn
// with that range clamps. NaN counts as clipped.
double ClippedFraction(const float* values, int64_t n, double lo, double hi);
// "17.2% of pixel values clipped to [0, 1]".
std::string ClippedNote(double fraction, double lo, double hi);

}  // namespace figure
}  // namespace tconv

#endif  // TCONV_TOOLS_FIGURE_COLOUR_SCALE_H_
