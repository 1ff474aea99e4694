// The wisdom key: written by WisdomKey, checked by CheckWisdomKey, which
// parses it back and requires WisdomKey to give the very same text (one
// canonical form, so a key that was edited or damaged never half-matches).
#include "src/tune/wisdom_key.h"

#include <cstdint>
#include <sstream>
#include <vector>

namespace tconv {
namespace {

std::string Axes(const Dims& v, int ndim) {
  std::string s;
  for (int a = 0; a < ndim; ++a) s += (a ? "x" : "") + std::to_string(v[a]);
  return s;
}

// A decimal integer of at most 12 digits (every valid size is below 2^40).
bool ParseCount(const std::string& s, int64_t* v) {
  if (s.empty() || s.size() > 12) return false;
  *v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    *v = *v * 10 + (c - '0');
  }
  return true;
}

// "4x4" into the first `ndim` entries of *out; ndim 0: taken from the text.
bool ParseAxes(const std::string& s, int* ndim, Dims* out) {
  std::vector<int64_t> v;
  size_t p = 0;
  for (;;) {
    const size_t q = s.find('x', p);
    int64_t x = 0;
    if (!ParseCount(s.substr(p, q == std::string::npos ? std::string::npos : q - p), &x)) return false;
    v.push_back(x);
    if (q == std::string::npos) break;
    p = q + 1;
  }
  if (v.size() > 3 || (*ndim != 0 && static_cast<int>(v.size()) != *ndim)) return false;
  *ndim = static_cast<int>(v.size());
  *out = {1, 1, 1};
  for (size_t a = 0; a < v.size(); ++a) (*out)[a] = v[a];
  return true;
}

}  // namespace

std::string WisdomKey(const ConvDesc& d, int threads, Layout layout, const std::string& isa) {
  const int nd = d.ndim;
  return "f32 isa=" + isa + " threads=" + std::to_string(threads) + " layout=" + LayoutName(layout) +
         " n=" + std::to_string(d.batch) + " cin=" + std::to_string(d.in_channels) +
         " cout=" + std::to_string(d.out_channels) + " groups=" + std::to_string(d.groups) + " in=" + Axes(d.in, nd) +
         " kernel=" + Axes(d.kernel, nd) + " stride=" + Axes(d.stride, nd) + " dilation=" + Axes(d.dilation, nd) +
         " pads=" + Axes(d.pad_begin, nd) + "/" + Axes(d.pad_end, nd) + " output_padding=" + Axes(d.output_padding, nd);
}

Status CheckWisdomKey(const std::string& key) {
  std::istringstream ss(key);
  std::vector<std::string> f;
  for (std::string t; ss >> t;) f.push_back(t);
  static const char* const kNames[] = {
      "",        "isa=", "threads=", "layout=", "n=",        "cin=",  "cout=",
      "groups=", "in=",  "kernel=",  "stride=", "dilation=", "pads=", "output_padding="};
  constexpr size_t kFields = sizeof kNames / sizeof kNames[0];
  if (f.size() != kFields) {
    return Status::Invalid("key has " + std::to_string(f.size()) + " fields, expected " + std::to_string(kFields));
  }
  if (f[0] != "f32") return Status::Invalid("unknown element type '" + f[0] + "' (this tconv computes f32)");
  std::vector<std::string> v(kFields);
  for (size_t i = 1; i < kFields; ++i) {
    const std::string name = kNames[i];
    if (f[i].compare(0, name.size(), name) != 0)
      return Status::Invalid("field " + std::to_string(i + 1) + " is '" + f[i] + "', expected " + name + "...");
    v[i] = f[i].substr(name.size());
  }
  bool isa_ok = !v[1].empty() && v[1].size() <= 32;
  for (char c : v[1]) isa_ok = isa_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (!isa_ok) return Status::Invalid("bad isa '" + v[1] + "'");
  int64_t threads = 0;
  if (!ParseCount(v[2], &threads) || threads < 1 || threads > 65536)
    return Status::Invalid("bad threads '" + v[2] + "'");
  Layout layout = Layout::kNCHW;
  if (!ParseLayout("layout", v[3], &layout).ok()) return Status::Invalid("bad layout '" + v[3] + "'");
  ConvDesc d;
  d.ndim = 0;
  const size_t slash = v[12].find('/');
  const bool ok =
      ParseCount(v[4], &d.batch) && ParseCount(v[5], &d.in_channels) && ParseCount(v[6], &d.out_channels) &&
      ParseCount(v[7], &d.groups) && ParseAxes(v[8], &d.ndim, &d.in) && ParseAxes(v[9], &d.ndim, &d.kernel) &&
      ParseAxes(v[10], &d.ndim, &d.stride) && ParseAxes(v[11], &d.ndim, &d.dilation) && slash != std::string::npos &&
      ParseAxes(v[12].substr(0, slash), &d.ndim, &d.pad_begin) &&
      ParseAxes(v[12].substr(slash + 1), &d.ndim, &d.pad_end) && ParseAxes(v[13], &d.ndim, &d.output_padding);
  if (!ok) return Status::Invalid("a size field is not a list of non-negative integers of the same rank");
  for (int a = d.ndim; a < 3; ++a) d.pad_begin[a] = d.pad_end[a] = d.output_padding[a] = 0;
  const Status valid = ValidateConvTranspose(d);
  if (!valid.ok()) return Status::Invalid("the geometry is invalid: " + valid.message());
  if (WisdomKey(d, static_cast<int>(threads), layout, v[1]) != key) {
    return Status::Invalid("the key is not in canonical form (one space between fields, no leading zeros)");
  }
  return Status::Ok();
}

}  // namespace tconv
