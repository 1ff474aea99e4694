// ValidateQuantParams (tconv/quant.h): one-line messages naming the field.
#include <cmath>
#include <cstdio>
#include <string>

#include "tconv/quant.h"

namespace tconv {
namespace {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

Status CheckScale(const std::string& what, float s) {
  if (!(std::isfinite(s) && s > 0.0f)) return Status::Invalid(what + " must be finite and > 0 (got " + Num(s) + ")");
  return Status::Ok();
}

Status CheckZeroPoint(const char* what, int32_t zp, QuantType t, const char* tensor) {
  if (zp < QuantTypeMin(t) || zp > QuantTypeMax(t)) {
    return Status::Invalid(std::string(what) + " must be in [" + std::to_string(QuantTypeMin(t)) + ", " +
                           std::to_string(QuantTypeMax(t)) + "] for " + QuantTypeName(t) + " " + tensor + " (got " +
                           std::to_string(zp) + ")");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateQuantParams(const QuantParams& q, int64_t out_channels) {
  if (q.x_type == QuantType::kFloat32) return Status::Invalid("x_type must be u8 or s8 (got f32)");
  TCONV_RETURN_IF_ERROR(CheckScale("x_scale", q.x_scale));
  TCONV_RETURN_IF_ERROR(CheckZeroPoint("x_zero_point", q.x_zero_point, q.x_type, "x"));
  const int64_t n = static_cast<int64_t>(q.w_scale.size());
  if (n != 1 && n != out_channels) {
    return Status::Invalid("w_scale has " + std::to_string(n) + " values: expected 1 (per tensor) or Cout = " +
                           std::to_string(out_channels) + " (per output channel)");
  }
  for (int64_t c = 0; c < n; ++c) {
    TCONV_RETURN_IF_ERROR(CheckScale(n == 1 ? "w_scale" : "w_scale[" + std::to_string(c) + "]", q.w_scale[c]));
  }
  if (q.w_zero_point != 0) {
    return Status::Invalid("w_zero_point must be 0: int8 weights are symmetric (got " +
                           std::to_string(q.w_zero_point) + ")");
  }
  if (q.y_type == QuantType::kFloat32) return Status::Ok();
  TCONV_RETURN_IF_ERROR(CheckScale("y_scale", q.y_scale));
  return CheckZeroPoint("y_zero_point", q.y_zero_point, q.y_type, "y");
}

}  // namespace tconv
