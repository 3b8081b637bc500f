# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
#
# Helpers shared by the rdma-bulk CMakeLists files, in the manner of
# rdma-core's buildlib/rdma_functions.cmake.

# Every header published into build/include, for the self-containment test.
set_property(GLOBAL PROPERTY RDMA_BULK_PUBLIC_HEADERS "")

# rdma_bulk_public_header(SUBDIR HEADER...)
# Link public headers into build/include/SUBDIR (rdma-core links rather
# than copies, so an edit is seen without a cmake rerun) and install them.
function(rdma_bulk_public_header subdir)
  file(MAKE_DIRECTORY "${BUILD_INCLUDE}/${subdir}")
  foreach(hdr ${ARGN})
    get_filename_component(abs "${hdr}" ABSOLUTE)
    get_filename_component(name "${hdr}" NAME)
    file(CREATE_LINK "${abs}" "${BUILD_INCLUDE}/${subdir}/${name}" SYMBOLIC)
    install(FILES "${abs}" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/${subdir}")
    set_property(GLOBAL APPEND PROPERTY RDMA_BULK_PUBLIC_HEADERS "${subdir}/${name}")
  endforeach()
endfunction()

# rdma_bulk_kernel_headers(DIR)
# The uAPI copies in DIR are reachable as <rdma/...> from build/include, as
# rdma-core's kernel-headers are; they are not installed (the distribution's
# kernel headers package owns include/rdma).
function(rdma_bulk_kernel_headers dir)
  file(GLOB hdrs "${PROJECT_SOURCE_DIR}/${dir}/*.h")
  file(MAKE_DIRECTORY "${BUILD_INCLUDE}/rdma")
  foreach(abs ${hdrs})
    get_filename_component(name "${abs}" NAME)
    file(CREATE_LINK "${abs}" "${BUILD_INCLUDE}/rdma/${name}" SYMBOLIC)
    set_property(GLOBAL APPEND PROPERTY RDMA_BULK_PUBLIC_HEADERS "rdma/${name}")
  endforeach()
endfunction()

# rdma_bulk_shared_library(NAME SOVERSION MAPFILE SOURCE...)
# A versioned shared library: libNAME.so.SOVERSION, exported symbols
# limited to those named in the linker map MAPFILE.
function(rdma_bulk_shared_library name soversion mapfile)
  add_library(${name} SHARED ${ARGN})
  get_filename_component(map "${mapfile}" ABSOLUTE)
  set_target_properties(${name} PROPERTIES
    SOVERSION ${soversion}
    VERSION ${soversion}.${PROJECT_VERSION}
    C_VISIBILITY_PRESET hidden
    LINK_DEPENDS "${map}")
  target_link_options(${name} PRIVATE
    "-Wl,--version-script=${map}" "-Wl,--no-undefined" "-Wl,-z,relro,-z,now")
  install(TARGETS ${name} LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
endfunction()

# rdma_bulk_unit_test(NAME SOURCE... [LIBS lib...])
# A C program under tests/unit that ctest runs on the host.
function(rdma_bulk_unit_test name)
  cmake_parse_arguments(T "" "" "LIBS" ${ARGN})
  add_executable(${name} ${T_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${T_LIBS})
  set_target_properties(${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/tests/unit")
  add_test(NAME ${name} COMMAND ${name})
endfunction()
