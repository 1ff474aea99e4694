# The library's two forms, from the one set of objects in tconv_objects
# (compiled once, position-independent):
#   tconv_lib     libtconv.a   the tests, CLI and Python module link it;
#                              installed as tconv::tconv_static
#   tconv_shared  libtconv.so  installed as tconv::tconv
# A parent project (add_subdirectory) gets the same names as an installed
# package: tconv::tconv and tconv::tconv_static.
#
# Include paths: the build tree sees the source root too (src/... private
# headers, for the tests and tools); an installed tree has include/ only,
# which holds every public header (none includes a private one).
set_target_properties(tconv_objects PROPERTIES POSITION_INDEPENDENT_CODE ON)
set(TCONV_DEPENDENCIES Threads::Threads PkgConfig::OPENBLAS hwy::hwy PNG::PNG)
target_include_directories(tconv_objects PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>)
target_link_libraries(tconv_objects PUBLIC ${TCONV_DEPENDENCIES})

foreach(kind STATIC SHARED)
  if(kind STREQUAL "STATIC")
    set(target tconv_lib)
    set(export_name tconv_static)
  else()
    set(target tconv_shared)
    set(export_name tconv)
  endif()
  add_library(${target} ${kind} $<TARGET_OBJECTS:tconv_objects>)
  add_library(tconv::${export_name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME tconv EXPORT_NAME ${export_name}
                        POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:include>)
  # PUBLIC for both: the static archive needs them at the consumer's link.
  target_link_libraries(${target} PUBLIC ${TCONV_DEPENDENCIES})
endforeach()
set_target_properties(tconv_shared PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
