// Internal: ASCII lower-casing for the case-insensitive option values
// (auto_pad, resample modes, TCONV_ISA, layouts).
#ifndef TCONV_SRC_BASE_ASCII_LOWER_H_
#define TCONV_SRC_BASE_ASCII_LOWER_H_

#include <cctype>
#include <string>

namespace tconv {

inline std::string AsciiLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace tconv

#endif  // TCONV_SRC_BASE_ASCII_LOWER_H_
