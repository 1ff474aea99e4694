#!/usr/bin/env bash
# Installs the Debian 12 packages tconv needs and builds it into ./build.
#
#   ./scripts/setup.sh && ./build/tconv demo
#
# Runs non-interactively (CI has no stdin); uses sudo only when not root.
# Environment: BUILD_DIR (default build), BUILD_TYPE (default Release),
# TCONV_SKIP_APT=1 to skip the package step on a prepared machine.
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
build_type=${BUILD_TYPE:-Release}

packages=(
  build-essential cmake ninja-build pkg-config python3
  libgtest-dev libgmock-dev libbenchmark-dev
  libopenblas-dev libhwy-dev libcli11-dev libpng-dev nlohmann-json3-dev libdnnl-dev
  clang libclang-rt-14-dev libomp-dev
  # arm64: the cross compiler, qemu-user and the arm64 builds of the
  # libraries (scripts/test_arm64.sh)
  crossbuild-essential-arm64 qemu-user
  libhwy-dev:arm64 libopenblas-dev:arm64 libpng-dev:arm64 libgtest-dev:arm64 libgomp1:arm64
)

if [[ "${TCONV_SKIP_APT:-0}" != 1 ]]; then
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "setup.sh: not root and sudo is not installed; install these packages as root: ${packages[*]}" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${sudo[@]}" dpkg --add-architecture arm64
  fi
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y "${packages[@]}"
fi

cmake -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -S . -B "$build_dir"
cmake --build "$build_dir"
echo "setup.sh: built $build_dir/tconv; try: $build_dir/tconv demo"
