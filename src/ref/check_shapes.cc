// Shape checks shared by the reference kernels and the plan.
#include "tconv/reference.h"

namespace tconv {

Status CheckShape(const char* what, const Shape& got, const Shape& want) {
  if (got != want) {
    return Status::Invalid(std::string(what) + " has shape " + ShapeString(got) + ", expected " + ShapeString(want));
  }
  return Status::Ok();
}

}  // namespace tconv
