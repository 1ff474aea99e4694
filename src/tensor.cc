// Small helpers behind include/tconv/tensor.h.
#include "tconv/tensor.h"

#include "src/base/checked_int.h"

namespace tconv {

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n = SatMul(n, d);  // no wrap-around for a hostile shape
  return n;
}

std::string ShapeString(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

}  // namespace tconv
