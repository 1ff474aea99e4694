// Pixel shuffle / unshuffle for 1-3 spatial axes (include/tconv/pixel_shuffle.h).
// Both directions walk the same index map: for every low-resolution position
// and every sub-position, one element of the shuffled tensor and one of the
// unshuffled tensor correspond; the direction only decides which is read.
#include "tconv/pixel_shuffle.h"

#include <string>

namespace tconv {
namespace {

Status CheckCommon(const Shape& in, int64_t r, const char* what) {
  if (in.size() < 3 || in.size() > 5) {
    return Status::Invalid(std::string(what) + ": input has shape " + ShapeString(in) +
                           ", expected rank 3..5 (N, C, *spatial)");
  }
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] < 1) {
      return Status::Invalid(std::string(what) + ": input dim " + std::to_string(i) + " must be >= 1 (got " +
                             std::to_string(in[i]) + ")");
    }
  }
  if (r < 1 || r > 4096) {
    return Status::Invalid(std::string(what) + ": factor must be in 1..4096 (got " + std::to_string(r) + ")");
  }
  return Status::Ok();
}

int64_t Pow(int64_t r, int d) {
  int64_t v = 1;
  for (int i = 0; i < d; ++i) v *= r;
  return v;
}

// Walks (n, c, low-res position, sub-position); calls f(hi_index, lo_index)
// where hi indexes the (N, C, *in*r) tensor and lo the (N, C*r^D, *in) one.
template <typename F>
void ForEachPair(const Shape& lo, int64_t r, int64_t c_out, F f) {
  const int nd = static_cast<int>(lo.size()) - 2;
  int64_t l[3] = {1, 1, 1};
  for (int a = 0; a < nd; ++a) l[3 - nd + a] = lo[2 + a];
  int64_t rr[3] = {1, 1, 1};
  for (int a = 3 - nd; a < 3; ++a) rr[a] = r;
  const int64_t h[3] = {l[0] * rr[0], l[1] * rr[1], l[2] * rr[2]};
  const int64_t lo_plane = l[0] * l[1] * l[2], hi_plane = h[0] * h[1] * h[2];
  const int64_t sub = rr[0] * rr[1] * rr[2];
  for (int64_t n = 0; n < lo[0]; ++n) {
    for (int64_t c = 0; c < c_out; ++c) {
      for (int64_t s0 = 0; s0 < rr[0]; ++s0)
        for (int64_t s1 = 0; s1 < rr[1]; ++s1)
          for (int64_t s2 = 0; s2 < rr[2]; ++s2) {
            const int64_t lo_c = c * sub + (s0 * rr[1] + s1) * rr[2] + s2;
            const int64_t lo_base = (n * c_out * sub + lo_c) * lo_plane;
            const int64_t hi_base = (n * c_out + c) * hi_plane;
            for (int64_t a = 0; a < l[0]; ++a)
              for (int64_t b = 0; b < l[1]; ++b)
                for (int64_t e = 0; e < l[2]; ++e) {
                  const int64_t hi = hi_base + ((a * rr[0] + s0) * h[1] + (b * rr[1] + s1)) * h[2] + e * rr[2] + s2;
                  f(hi, lo_base + (a * l[1] + b) * l[2] + e);
                }
          }
    }
  }
}

Status CheckViews(ConstTensorView x, TensorView y, const Shape& want, const char* what) {
  if (y.shape != want) {
    return Status::Invalid(std::string(what) + ": output has shape " + ShapeString(y.shape) + ", expected " +
                           ShapeString(want));
  }
  if ((x.data == nullptr && x.numel() > 0) || (y.data == nullptr && y.numel() > 0)) {
    return Status::Invalid(std::string(what) + ": null data");
  }
  return Status::Ok();
}

}  // namespace

Status PixelShuffleShape(const Shape& in, int64_t r, Shape* out) {
  TCONV_RETURN_IF_ERROR(CheckCommon(in, r, "pixel_shuffle"));
  const int nd = static_cast<int>(in.size()) - 2;
  const int64_t sub = Pow(r, nd);
  if (in[1] % sub != 0) {
    return Status::Invalid("pixel_shuffle: input channels " + std::to_string(in[1]) + " must be a multiple of r^" +
                           std::to_string(nd) + " = " + std::to_string(sub));
  }
  *out = in;
  (*out)[1] = in[1] / sub;
  for (int a = 0; a < nd; ++a) (*out)[2 + a] = in[2 + a] * r;
  return Status::Ok();
}

Status PixelUnshuffleShape(const Shape& in, int64_t r, Shape* out) {
  TCONV_RETURN_IF_ERROR(CheckCommon(in, r, "pixel_unshuffle"));
  const int nd = static_cast<int>(in.size()) - 2;
  *out = in;
  for (int a = 0; a < nd; ++a) {
    if (in[2 + a] % r != 0) {
      return Status::Invalid("pixel_unshuffle: spatial dim " + std::to_string(a) + " (" + std::to_string(in[2 + a]) +
                             ") must be a multiple of the factor " + std::to_string(r));
    }
    (*out)[2 + a] = in[2 + a] / r;
  }
  (*out)[1] = in[1] * Pow(r, nd);
  return Status::Ok();
}

Status PixelShuffle(int64_t r, ConstTensorView x, TensorView y) {
  Shape want;
  TCONV_RETURN_IF_ERROR(PixelShuffleShape(x.shape, r, &want));
  TCONV_RETURN_IF_ERROR(CheckViews(x, y, want, "pixel_shuffle"));
  ForEachPair(x.shape, r, want[1], [&](int64_t hi, int64_t lo) { y.data[hi] = x.data[lo]; });
  return Status::Ok();
}

Status PixelUnshuffle(int64_t r, ConstTensorView x, TensorView y) {
  Shape want;
  TCONV_RETURN_IF_ERROR(PixelUnshuffleShape(x.shape, r, &want));
  TCONV_RETURN_IF_ERROR(CheckViews(x, y, want, "pixel_unshuffle"));
  ForEachPair(want, r, x.shape[1], [&](int64_t hi, int64_t lo) { y.data[lo] = x.data[hi]; });
  return Status::Ok();
}

}  // namespace tconv
