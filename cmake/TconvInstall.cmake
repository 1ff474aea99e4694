# cmake --install: the public headers, libtconv.a and libtconv.so, the CMake
# package (find_package(tconv CONFIG) -> tconv::tconv, tconv::tconv_static)
# and tconv.pc. The CLI is installed too when it is built.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TCONV_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tconv)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/tconv DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(TARGETS tconv_lib tconv_shared EXPORT tconvTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET tconv)
  install(TARGETS tconv RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(EXPORT tconvTargets NAMESPACE tconv:: DESTINATION ${TCONV_CMAKE_DIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/tconvConfig.cmake.in
  ${PROJECT_BINARY_DIR}/tconvConfig.cmake INSTALL_DESTINATION ${TCONV_CMAKE_DIR})
# 0.x: a minor version may break the API, so only the same minor matches.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tconvConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tconvConfig.cmake ${PROJECT_BINARY_DIR}/tconvConfigVersion.cmake
        DESTINATION ${TCONV_CMAKE_DIR})

# pkg-config: the libdir/includedir relative to the prefix the file lands in,
# so that an installed tree can be moved (cmake --install --prefix ...).
file(RELATIVE_PATH TCONV_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" TCONV_PC_TO_PREFIX "${TCONV_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/tconv.pc.in ${PROJECT_BINARY_DIR}/tconv.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/tconv.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The downstream example (examples/) against an installed copy of this
# build: ctest installs into a scratch prefix, then configures, builds and
# runs the example with find_package, and compiles it again with pkg-config.
# (Not in the sanitizer and fuzz builds: the example would need their runtimes.)
if(TCONV_BUILD_TESTS AND NOT CMAKE_CROSSCOMPILING AND NOT TCONV_ASAN AND NOT TCONV_TSAN AND NOT TCONV_FUZZ)
  add_test(NAME installed_example
    COMMAND bash ${PROJECT_SOURCE_DIR}/examples/test_installed.sh ${CMAKE_COMMAND} ${PROJECT_BINARY_DIR}
            ${PROJECT_BINARY_DIR}/installed_example ${PROJECT_SOURCE_DIR}/examples ${CMAKE_CXX_COMPILER}
            ${CMAKE_GENERATOR})
  set_tests_properties(installed_example PROPERTIES TIMEOUT 300)
  # add_subdirectory from a parent project, library only (no CLI11,
  # nlohmann-json, GoogleTest, Google Benchmark, oneDNN, pybind11).
  add_test(NAME subproject_library_only
    COMMAND bash ${PROJECT_SOURCE_DIR}/examples/test_subproject.sh ${CMAKE_COMMAND} ${PROJECT_SOURCE_DIR}
            ${PROJECT_BINARY_DIR}/subproject_example ${CMAKE_CXX_COMPILER} ${CMAKE_GENERATOR})
  set_tests_properties(subproject_library_only PROPERTIES TIMEOUT 300)
endif()
