// AmxTilesPermitted (src/kernels/amx_kernels.h): baseline code, called by
// the registry before it lists any AMX kernel.
#include <sys/syscall.h>
#include <unistd.h>

#include "src/kernels/amx_kernels.h"

namespace tconv {
namespace kernels {

bool AmxTilesPermitted() {
  // Linux (5.16 on) hands out the 8 KiB tile state only to processes that
  // ask; asked once.
  static const bool granted = [] {
    constexpr long kArchReqXcompPerm = 0x1023;
    constexpr long kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
  }();
  return granted;
}

}  // namespace kernels
}  // namespace tconv
