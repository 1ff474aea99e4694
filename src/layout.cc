// Layout names and shape permutations (include/tconv/layout.h).
#include "tconv/layout.h"

#include "src/base/ascii_lower.h"

namespace tconv {

const char* LayoutName(Layout layout) { return layout == Layout::kNHWC ? "nhwc" : "nchw"; }

Status ParseLayout(const std::string& flag, const std::string& text, Layout* out) {
  const std::string lower = AsciiLower(text);
  if (lower == "nchw") {
    *out = Layout::kNCHW;
  } else if (lower == "nhwc") {
    *out = Layout::kNHWC;
  } else {
    return Status::Invalid(flag + " must be nchw (channels first) or nhwc (channels last) (got '" + text + "')");
  }
  return Status::Ok();
}

Shape ShapeInLayout(const Shape& nchw, Layout layout) {
  if (layout == Layout::kNCHW || nchw.size() < 3) return nchw;
  Shape s = {nchw[0]};
  s.insert(s.end(), nchw.begin() + 2, nchw.end());
  s.push_back(nchw[1]);
  return s;
}

Shape ShapeToNCHW(const Shape& stored, Layout layout) {
  if (layout == Layout::kNCHW || stored.size() < 3) return stored;
  Shape s = {stored[0], stored.back()};
  s.insert(s.end(), stored.begin() + 1, stored.end() - 1);
  return s;
}

}  // namespace tconv
