// Verdict and fix of one upsampling path (InspectGraph).
//
// Geometry first: a path whose all-ones model is uneven (ScoreStack > 1)
// is "checkerboard" whatever its weights. An even path whose weights give a
// constant input a phase ripple above kRippleLimit of its level is
// "uneven-weights". Everything else is "ok".
//
// The kernel fix for an uneven ConvTranspose: per axis with k mod s != 0,
// k' = the next multiple of s, and pads/output padding re-chosen so that
// the output size o = (i-1)*s + d*(k-1) + 1 - pb - pe + a is unchanged:
// P = pb + pe - a + d*(k' - k) (grown by s*d until >= 0), pb' = pe' =
// ceil(P/2), a' = 2*ceil(P/2) - P (0 or 1: symmetric pads, as torch's
// ConvTranspose takes them). It is checked here: score 1, same length.
#include <cmath>
#include <numeric>
#include <sstream>
#include <string>

#include "src/analysis/inspect_internal.h"

namespace tconv {
namespace inspect {

namespace {

constexpr double kRippleLimit = 0.05;

std::string Num(double v) {
  if (std::isinf(v)) return "inf";
  std::ostringstream s;
  s.precision(4);
  s << v;
  return s.str();
}

std::string Axes(const Dims& d, int nd) {
  std::string s;
  for (int a = 0; a < nd; ++a) s += (a ? "x" : "") + std::to_string(d[a]);
  return s;
}

// The even kernel geometry with the same stride and output size, or false
// when the unevenness comes from gcd(d, s) > 1 (no kernel size cures it).
bool EvenKernelFix(const UpsamplePath& p, LayerGeometry* fix) {
  *fix = p.geometry;
  const int nd = p.ndim;
  for (int a = 0; a < nd; ++a) {
    const int64_t k = fix->kernel[a], s = fix->stride[a], d = fix->dilation[a];
    if (std::gcd(d, s) != 1) return false;
    if (k % s == 0) continue;
    int64_t k2 = (k + s - 1) / s * s;
    int64_t total = fix->pad_begin[a] + fix->pad_end[a] - fix->output_padding[a] + d * (k2 - k);
    while (total < 0) {
      k2 += s;
      total += d * s;
    }
    const int64_t pad = (total + 1) / 2;
    fix->kernel[a] = k2;
    fix->pad_begin[a] = fix->pad_end[a] = pad;
    fix->output_padding[a] = 2 * pad - total;
  }
  return true;
}

// Score 1 and the same output length, for the real input size (or 8).
Status CheckFix(const UpsamplePath& p, const LayerGeometry& fix) {
  CheckerboardScore sc;
  TCONV_RETURN_IF_ERROR(ScoreStack({fix}, &sc));
  if (sc.score != 1.0) return Status::Invalid("internal: the suggested kernel is not even");
  ConvDesc a, b;
  static_cast<LayerGeometry&>(a) = p.geometry;
  static_cast<LayerGeometry&>(b) = fix;
  for (int ax = 0; ax < p.ndim; ++ax) a.in[ax] = b.in[ax] = p.sizes_known ? p.in_size[ax] : 8;
  if (!ValidateConvTranspose(a).ok() || !ValidateConvTranspose(b).ok()) return Status::Ok();  // sizes unknown
  for (int ax = 0; ax < p.ndim; ++ax) {
    if (ConvTransposeOutputLength(a, ax) != ConvTransposeOutputLength(b, ax)) {
      return Status::Invalid("internal: the suggested kernel changes the output size");
    }
  }
  return Status::Ok();
}

std::string Alternatives(const UpsamplePath& p) {
  const std::string s = Axes(p.factor, p.ndim);
  int64_t prod = 1;
  for (int a = 0; a < p.ndim; ++a) prod *= p.factor[a];
  std::ostringstream o;
  o << "Or resize + conv: Resize (nearest or linear) x" << s << " then a stride-1 Conv (k 3, pad 1), "
    << "output size = input x" << s << ". Or sub-pixel: a stride-1 Conv to " << p.out_channels << "*" << prod
    << " channels (k 3, pad 1) + " << (p.ndim == 2 ? "DepthToSpace / PixelShuffle" : "a pixel shuffle") << " x" << s
    << ", initialised with ICNR (tconv::IcnrWeight) so that it starts without a grid.";
  return o.str();
}

}  // namespace

Status DecideVerdict(UpsamplePath* p) {
  const PhaseSpreadReport& w = p->weights;
  const bool uneven = p->scored && !(p->score.score <= 1.0 + 1e-12);
  if (!p->scored) {
    p->verdict = "unknown";
    p->reason = "not modelled (a non-integer scale or an unknown geometry)";
    p->fix = "none suggested";
    return Status::Ok();
  }
  if (uneven) {
    p->verdict = "checkerboard";
    p->reason = "uneven overlap: with equal weights the output phases receive " + Num(p->score.min) + " to " +
                Num(p->score.max) + " contributions (score " + Num(p->score.score) + ")";
    std::string fix;
    if (p->kind == PathKind::kConvTranspose && EvenKernelFix(*p, &p->fix_geometry)) {
      TCONV_RETURN_IF_ERROR(CheckFix(*p, p->fix_geometry));
      p->has_fix_geometry = true;
      const LayerGeometry& f = p->fix_geometry;
      fix = "Use ConvTranspose kernel " + Axes(f.kernel, p->ndim) + ", stride " + Axes(f.stride, p->ndim) +
            ", pads " + Axes(f.pad_begin, p->ndim) + ", output_padding " + Axes(f.output_padding, p->ndim) +
            ": the same output size, even overlap (score 1). ";
    } else if (p->kind == PathKind::kConvTranspose) {
      fix = "The dilation shares a factor with the stride, so no kernel size evens it: use dilation 1. ";
    }
    p->fix = fix + Alternatives(*p);
    return Status::Ok();
  }
  if (w.available && w.constant_ripple > kRippleLimit) {
    p->verdict = "uneven-weights";
    p->reason = "even geometry, but the weights' per-phase kernel sums differ: a constant input gives a ripple of " +
                Num(100 * w.constant_ripple) + "% of the output level (worst pair: input channel " +
                std::to_string(w.worst_ci) + " -> output channel " + std::to_string(w.worst_co) + ", spread " +
                Num(w.max_spread) + ")";
    if (p->kind == PathKind::kSubPixel) {
      p->fix = "Initialise the conv with ICNR (tconv::IcnrWeight): every sub-position then copies one kernel and "
               "a constant input stays constant; if these are trained weights, check the outputs for the grid.";
    } else {
      p->fix = "The geometry is fine; the grid, if any, comes from the weights. At initialisation use the kernel "
               "of nearest-resize + conv (tconv::NearestUpsampleConvAsDeconv), whose phases all sum alike; for "
               "trained weights check the outputs (phase-mean spread). " +
               Alternatives(*p);
    }
    return Status::Ok();
  }
  p->verdict = "ok";
  p->reason = "even overlap (score 1)" + std::string(w.available ? " and even per-phase kernel sums (ripple " +
                                                                       Num(100 * w.constant_ripple) + "%)"
                                                                 : "");
  p->fix = "none needed";
  return Status::Ok();
}

}  // namespace inspect
}  // namespace tconv
