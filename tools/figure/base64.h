// Standard base64 (RFC 4648, with '=' padding), for images inlined into the
// HTML report as data: URIs.
#ifndef TCONV_TOOLS_FIGURE_BASE64_H_
#define TCONV_TOOLS_FIGURE_BASE64_H_

#include <string>

namespace tconv {
namespace figure {

std::string Base64(const std::string& bytes);

}  // namespace figure
}  // namespace tconv

#endif  // TCONV_TOOLS_FIGURE_BASE64_H_
