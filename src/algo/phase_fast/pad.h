// Internal: the pad passes of phase's SIMD path (pad.cc), run by its Run
// before the tasks.
#ifndef TCONV_SRC_ALGO_PHASE_FAST_PAD_H_
#define TCONV_SRC_ALGO_PHASE_FAST_PAD_H_

#include <cstdint>

#include "src/algo/phase_fast/plan.h"

namespace tconv {
namespace phase_fast {

// Writes the padded volume of one (n, ci) input volume `src` to `dst`
// (p.plane elements: zero borders, input rows, zero tail).
void PadVolume(const PhasePlan& p, const float* src, float* dst);
// The elements [e0, e1) of that volume (0 <= e0 <= e1 <= p.plane): padded
// rows (row r = z*hp + y at r*wp), parts of rows or the tail alike, so that
// threads can split a volume by rows or, with fewer rows than threads (a 1-D
// input is one row), inside them. src == nullptr: only the padding, the
// input elements are left as they are.
void PadVolumeSpan(const PhasePlan& p, const float* src, float* dst, int64_t e0, int64_t e1);
// Zeroes every element of the padded volume `dst` that is not an input
// element.
void ZeroVolumePadding(const PhasePlan& p, float* dst);
// Channels-last input: writes input row `row` = (n*in_d + iz)*in_h + iy of
// the (N, *in, Cin) tensor x into that row of image n's Cin padded volumes
// in xpad.
void PadRowChannelsLast(const PhasePlan& p, const float* x, float* xpad, int64_t row);
// Batch-interleaved layout: writes channel ci of the images of image group j
// of x ((N, Cin, *in), or (N, *in, Cin) when x_channels_last) into xpad
// (cstride elements at (j*Cin + ci)*cstride; lanes of missing images 0).
void PadChannelInterleaved(const PhasePlan& p, const float* x, bool x_channels_last, float* xpad, int64_t j,
                           int64_t ci);

}  // namespace phase_fast
}  // namespace tconv

#endif  // TCONV_SRC_ALGO_PHASE_FAST_PAD_H_
