#!/usr/bin/env bash
# Installs the Debian 12 packages tconv needs, builds it into ./build and
# makes the Python module importable (`python3 -c "import tconv"` from any
# directory).
#
#   ./scripts/setup.sh && ./build/tconv demo
#
# Runs non-interactively (CI has no stdin); uses sudo only when not root.
# Environment: BUILD_DIR (default build), BUILD_TYPE (default Release),
# TCONV_SKIP_APT=1 to skip the package step on a prepared machine, PYTHON
# (default /usr/bin/python3, Debian's: the python3-* packages below are its).
#
# Python: the build puts the package (its .py files and the extension
# _tconv) in $BUILD_DIR/python/tconv/; this script writes tconv.pth into
# that interpreter's user site-packages, a one-line file naming
# $BUILD_DIR/python, which Python adds to sys.path at start-up. Nothing is
# copied: rebuilding updates the module, and deleting tconv.pth undoes it.
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
build_type=${BUILD_TYPE:-Release}
python=${PYTHON:-/usr/bin/python3}

packages=(
  build-essential cmake ninja-build pkg-config python3
  libgtest-dev libgmock-dev libbenchmark-dev
  libopenblas-dev libhwy-dev libcli11-dev libpng-dev nlohmann-json3-dev libdnnl-dev
  # the benchmark peers beside oneDNN (bench/peers/: XNNPACK brings pthreadpool)
  libxnnpack-dev libpthreadpool-dev
  # the report figures (tools/figure/): cairo, its fonts, and chromium for the HTML report's screenshot test
  libcairo2-dev fonts-dejavu-core chromium
  clang libclang-rt-14-dev libomp-dev
  # ONNX models for `tconv inspect` (the build requires them: -DTCONV_ONNX=ON
  # below); python3-onnx writes the fuzz corpus (tests/fuzz/make_onnx_corpus.py)
  libonnx-dev libprotobuf-dev python3-onnx
  # the Python module (python/) and its tests against torch
  python3-dev pybind11-dev python3-numpy python3-pytest python3-torch
  # libtorch's headers: tconv._tconv_torch, tconv.torch's fast path in C++
  # (python/torch_src/; optional, built when found; bench/RESULTS.md #17)
  libtorch-dev
  # the trained checkerboard comparison (scripts/train_checkerboard.py) draws with matplotlib
  python3-matplotlib
  # arm64: the cross compiler, qemu-user and the arm64 builds of the
  # libraries (scripts/test_arm64.sh)
  crossbuild-essential-arm64 qemu-user
  libhwy-dev:arm64 libopenblas-dev:arm64 libpng-dev:arm64 libgtest-dev:arm64
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

cmake -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DPython3_EXECUTABLE="$python" -DTCONV_ONNX=ON -S . -B "$build_dir"
cmake --build "$build_dir"
echo "setup.sh: built $build_dir/tconv; try: $build_dir/tconv demo"

if grep -q '^TCONV_PYTHON:BOOL=ON' "$build_dir/CMakeCache.txt"; then
  site=$("$python" -m site --user-site)
  mkdir -p "$site"
  echo "$(cd "$build_dir/python" && pwd)" > "$site/tconv.pth"
  echo "setup.sh: $site/tconv.pth -> $build_dir/python; try: $python -c 'import tconv'"
else
  echo "setup.sh: the Python module is not built (pybind11 or the Python headers not found)"
fi
