// Which layers the depthwise kernels on windows run: see depthwise_windows.h.
#include "src/algo/depthwise_windows.h"

namespace tconv {

std::string DwWindowsRefusal(const Geom3& g) {
  if (g.cin_g != 1 || g.cout_g != 1) return "not depthwise";
  if (g.in[0] != 1 || g.k[0] != 1 || g.out[0] != 1) return "3-D";
  for (int a = 1; a < 3; ++a) {
    if (g.d[a] != 1) return "dilation";
    if (g.s[a] > kernels::kDwWindowsMaxStride) return "stride > " + std::to_string(kernels::kDwWindowsMaxStride);
    if (g.k[a] > 2 * g.s[a]) return "kernel > 2 x stride";
    if (g.pb[a] < 0) return "a negative leading pad";
  }
  return "";
}

}  // namespace tconv
