# Cross build for arm64 (aarch64) on Debian 12: crossbuild-essential-arm64
# and the :arm64 multiarch packages of the dependencies (scripts/setup.sh
# installs them; scripts/test_arm64.sh builds the library and tests with
# this file and runs the kernel sweeps under qemu-user).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Multiarch: arm64 libraries and CMake packages under /usr/lib/aarch64-linux-gnu,
# arm64-specific headers under /usr/include/aarch64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
# Tests (gtest_discover_tests included) run the arm64 binaries through qemu,
# which finds the arm64 loader and libraries of the multiarch install under /.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /)
