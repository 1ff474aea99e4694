// Internal: im2col / col2im for one (batch, group) slice, in convolution terms.
//
// Convolution terms (Geom3 from MakeGeom3(desc, GeomOp::kConv)):
//   "im"  = the convolution input of one group, (cin_g, in[0], in[1], in[2]),
//   "col" = the column buffer, (cin_g * k_sp) rows x out_sp columns, row
//           r = ci_g*k_sp + (k0*k[1] + k1)*k[2] + k2, column
//           c = (o0*out[1] + o1)*out[2] + o2 (C order, row-major).
// Column c, row r holds im[ci_g, o*s + k*d - pb] (per axis), or 0 when that
// index lies outside [0, in) on any axis. Any stride, dilation and negative or
// positive pads; 1-D / 2-D problems are the 3-D problem with leading size-1
// axes (see src/geom3.h). out[] must be >= 1 on every axis; it need not be the
// floor formula's value (AsConvGeom below relies on that).
//
// With W_g the (cout_g, cin_g*k_sp) weight of one group:
//   conv forward:        y_g  = W_g * col(x_g)                    (Im2Col)
//   conv backward-data:  dx_g = col2im(W_g^T * dy_g)              (Col2ImAdd)
//   transposed conv:     y_t  = col2im(W_t^T * x_t)  -- the same thing with
//                         the transposed desc read through AsConvGeom.
#ifndef TCONV_SRC_ALGO_IM2COL_H_
#define TCONV_SRC_ALGO_IM2COL_H_

#include <cstdint>
#include <vector>

#include "src/geom3.h"

namespace tconv {

// col[(cin_g*k_sp) x out_sp] = im2col(x_group[cin_g x in_sp]); every element
// of col is written (zeros for padding).
void Im2Col(const Geom3& g, const float* x_group, float* col);

// x_group[cin_g x in_sp] += col2im(col); the adjoint of Im2Col. Elements of
// x_group that no column reaches are left unchanged. Sequential: one caller
// per x_group at a time.
void Col2ImAdd(const Geom3& g, const float* col, float* x_group);
// The same into int32 for columns of exact integer sums (int8 plans).
void Col2ImAdd(const Geom3& g, const float* col, int32_t* x_group);

// Col2ImPlane's tables for g: per axis 0 and 1, the taps reaching each
// index i of x (k, and the column index o, with i = o*s + k*d - pb) in k
// order; along axis 2, each tap's valid columns and where they land.
struct Col2ImTaps {
  struct Tap {
    int64_t k, o;
  };
  struct Along {
    int64_t lo, hi;  // valid columns o2
    int64_t at;      // o2's element of Col2ImPlane's row: at + o2
  };
  explicit Col2ImTaps(const Geom3& g);
  std::vector<int64_t> first[2];  // index i's taps: taps[ax][first[ax][i] .. first[ax][i + 1])
  std::vector<Tap> taps[2];
  std::vector<Along> along;
};
// One channel's plane (col's first k_sp rows, col_ld floats apart):
// x_plane = bias + col2im(col), every element written, row by row of
// x_plane with the taps' adds contiguous however large the stride (the
// row's elements summed by residue of s[2] in `row`, RoundUp(in[2], s[2])
// floats of scratch, then interleaved). Its sums run in a fixed order (per
// element: the taps in (k0, k1, k2) order, then the bias), not Col2ImAdd's.
void Col2ImPlane(const Geom3& g, const Col2ImTaps& taps, const float* col, int64_t col_ld, float bias, float* row,
                 float* x_plane);

// True when Im2Col is the identity (1x1x1 kernel, stride 1, zero pads), so
// callers may use x_group itself as the column buffer.
bool Im2ColIsIdentity(const Geom3& g);

// A transposed-convolution geometry (MakeGeom3(desc, kConvTranspose)) read as
// the convolution it is the adjoint of: in <-> out, cin <-> cout (and the
// per-group counts), same k, s, d, pb, pe. The transposed input is then the
// column space (out_sp columns), the transposed output is "im", and the
// transposed weight (Cin_t, Cout_t/g, k) is the convolution weight
// (Cout_c = Cin_t, Cin_c/g = Cout_t/g, k). Output padding needs no special
// care: positions of the transposed output no column reaches stay as they were.
Geom3 AsConvGeom(const Geom3& transposed);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_IM2COL_H_
