#!/bin/bash
# ctest installed_example: installs this build into a scratch prefix and
# builds examples/ against it, twice: with find_package(tconv CONFIG)
# (shared and static targets) and with pkg-config; runs every program.
#   test_installed.sh CMAKE BUILD_DIR WORK_DIR EXAMPLES_DIR CXX GENERATOR
set -euo pipefail
cmake=$1 build=$2 work=$3 examples=$4 cxx=$5 generator=$6
rm -rf "$work"
prefix=$work/prefix
"$cmake" --install "$build" --prefix "$prefix" > "$work.install.log" 2>&1 ||
  { cat "$work.install.log"; exit 1; }
launcher=()
command -v ccache > /dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

"$cmake" -S "$examples" -B "$work/cmake-build" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; exit 1; }
"$cmake" --build "$work/cmake-build" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
"$work/cmake-build/upsample_example"
"$work/cmake-build/upsample_example_static"

# pkg-config: the installed tconv.pc alone gives the flags.
if command -v pkg-config > /dev/null 2>&1; then
  libdir=$(dirname "$(find "$prefix" -name tconv.pc | head -n 1)")/..
  export PKG_CONFIG_PATH=$libdir/pkgconfig
  # shellcheck disable=SC2046  # the flags are meant to split
  "$cxx" -std=c++17 -o "$work/pkgconfig_example" "$examples/upsample_example.cc" $(pkg-config --cflags --libs tconv)
  LD_LIBRARY_PATH=$libdir "$work/pkgconfig_example"
  # shellcheck disable=SC2046
  "$cxx" -std=c++17 -o "$work/pkgconfig_example_static" "$examples/upsample_example.cc" \
    $(pkg-config --static --cflags tconv) "$libdir/libtconv.a" $(pkg-config --static --libs-only-l --libs-only-other tconv | sed 's/-ltconv//')
  "$work/pkgconfig_example_static"
fi
