#!/bin/bash
# ctest subproject_library_only: configures examples/subproject, which
# add_subdirectory()s this checkout, with the CLI's, tests', benchmarks' and
# Python's packages made unfindable, and compiles the example's source
# against tconv::tconv. The library itself is not compiled again (that is
# the installed_example test's build); a full build of the parent is
#   cmake --build WORK_DIR --target parent_example
#   test_subproject.sh CMAKE SOURCE_DIR WORK_DIR CXX GENERATOR
set -euo pipefail
cmake=$1 source=$2 work=$3 cxx=$4 generator=$5
rm -rf "$work"
disabled=()
for pkg in CLI11 nlohmann_json GTest benchmark dnnl pybind11 Python3; do
  disabled+=("-DCMAKE_DISABLE_FIND_PACKAGE_$pkg=ON")
done
"$cmake" -S "$source/examples/subproject" -B "$work" -G "$generator" -DCMAKE_CXX_COMPILER="$cxx" \
  -DTCONV_SOURCE_DIR="$source" "${disabled[@]}" > "$work.configure.log" 2>&1 ||
  { cat "$work.configure.log"; exit 1; }
# The parent gets the library only.
for target in tconv tconv_tests tconv_bench tconv_python; do
  if "$cmake" --build "$work" --target help | grep -q "^$target:"; then
    echo "add_subdirectory built target $target, expected the library only" >&2
    exit 1
  fi
done
"$cmake" --build "$work" --target parent_objects
