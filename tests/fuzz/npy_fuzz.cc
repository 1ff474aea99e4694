// libFuzzer target: ParseNpy and ParseNpyInt (the int8 plans' files) must
// never crash, leak or hit UB on any bytes, and whatever they accept must
// re-encode and parse back to the same tensor.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tconv/npy.h"

namespace {

void CheckInt(const uint8_t* data, size_t size) {
  tconv::IntTensor t;
  tconv::Status st = tconv::ParseNpyInt(data, size, &t);
  if (!st.ok()) {
    if (st.message().empty() || !t.data.empty() || !t.shape.empty()) std::abort();
    return;
  }
  if (static_cast<int64_t>(t.data.size()) != tconv::NumElements(t.shape)) std::abort();
  std::string again;
  if (!tconv::EncodeNpyInt(t, &again).ok()) std::abort();
  tconv::IntTensor u;
  if (!tconv::ParseNpyInt(reinterpret_cast<const uint8_t*>(again.data()), again.size(), &u).ok()) std::abort();
  if (u.type != t.type || u.shape != t.shape || u.data != t.data) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckInt(data, size);
  tconv::Tensor t;
  tconv::Status st = tconv::ParseNpy(data, size, &t);
  if (!st.ok()) {
    if (st.message().empty() || !t.data.empty() || !t.shape.empty()) std::abort();
    return 0;
  }
  if (static_cast<int64_t>(t.data.size()) != tconv::NumElements(t.shape)) std::abort();
  std::string again;
  if (!tconv::EncodeNpy(t, &again).ok()) std::abort();
  tconv::Tensor u;
  if (!tconv::ParseNpy(reinterpret_cast<const uint8_t*>(again.data()), again.size(), &u).ok()) std::abort();
  if (u.shape != t.shape || u.data.size() != t.data.size() ||
      (!t.data.empty() && std::memcmp(u.data.data(), t.data.data(), t.data.size() * sizeof(float)) != 0)) {
    std::abort();
  }
  return 0;
}
