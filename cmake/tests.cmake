# Every folder tests/NAME/ becomes one executable test_NAME built from its
# *.cpp files and tests/main.cpp, registered with CTest.
find_path(DOCTEST_INCLUDE_DIR doctest/doctest.h REQUIRED)

set(PN_TEST_DATA_DIR ${CMAKE_SOURCE_DIR}/tests/data)

# The library each folder tests, when it is not pn_NAME.
set(PN_TEST_LIB_models pn_pneumo)
set(PN_TEST_LIB_train pn_pneumo)
set(PN_TEST_LIB_cuda pn_nn)  # pn_nn -> pn_core -> pn_cuda
# Folders whose tests are split into several CTest tests (name=doctest filter),
# so that `ctest -j2` runs the slow halves side by side. Every other folder is
# one CTest test; doctest reports each failing case itself.
set(PN_TEST_SHARDS_models "albunet=--test-case=*AlbuNet*" "encoders=--test-case-exclude=*AlbuNet*")

file(GLOB PN_TEST_DIRS LIST_DIRECTORIES true ${CMAKE_SOURCE_DIR}/tests/*)
foreach(dir IN LISTS PN_TEST_DIRS)
  if(NOT IS_DIRECTORY ${dir})
    continue()
  endif()
  get_filename_component(name ${dir} NAME)
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cpp)
  if(NOT sources OR name STREQUAL "data" OR name STREQUAL "fuzz")
    continue()
  endif()
  # tests/cuda/ needs the CUDA library (cuda/, PNEUMO_CUDA).
  if(name STREQUAL "cuda" AND NOT TARGET pn_cuda)
    continue()
  endif()
  set(target test_${name})
  # A folder with its own main.cpp (tests/cuda/) uses it instead of the shared one.
  if(EXISTS ${dir}/main.cpp)
    add_executable(${target} ${sources})
  else()
    add_executable(${target} ${CMAKE_SOURCE_DIR}/tests/main.cpp ${sources})
  endif()
  target_include_directories(${target} PRIVATE ${DOCTEST_INCLUDE_DIR} ${CMAKE_SOURCE_DIR}/tests)
  # The original solution's configurations, transforms and folds lie beside
  # the repository in shared/reference.
  target_compile_definitions(${target} PRIVATE PN_TEST_DATA_DIR="${PN_TEST_DATA_DIR}"
                             PN_REFERENCE_DIR="${CMAKE_SOURCE_DIR}/../shared/reference")
  if(DEFINED PN_TEST_LIB_${name})
    target_link_libraries(${target} PRIVATE ${PN_TEST_LIB_${name}})
  elseif(TARGET pn_${name})
    target_link_libraries(${target} PRIVATE pn_${name})
  else()
    target_link_libraries(${target} PRIVATE pn_core)
  endif()
  # tests/train/ also runs the `pneumo` command itself (kill and restart tests).
  if(name STREQUAL "train")
    add_dependencies(${target} pneumo)
    target_compile_definitions(${target} PRIVATE PN_PNEUMO_EXE="$<TARGET_FILE:pneumo>")
  endif()
  if(name STREQUAL "cuda")
    # The checks that need no GPU run everywhere; the GPU checks exit with 77
    # without a usable GPU, which CTest reports as skipped (tests/cuda/main.cpp).
    add_test(NAME cuda/host COMMAND ${target} --test-suite=host)
    add_test(NAME cuda/device COMMAND ${target} --needs-device --test-suite-exclude=host)
    set_tests_properties(cuda/device PROPERTIES SKIP_RETURN_CODE 77)
  elseif(DEFINED PN_TEST_SHARDS_${name})
    foreach(shard IN LISTS PN_TEST_SHARDS_${name})
      string(REPLACE "=" ";" parts "${shard}")
      list(POP_FRONT parts shard_name)
      list(JOIN parts "=" filter)
      add_test(NAME ${name}/${shard_name} COMMAND ${target} ${filter})
    endforeach()
  else()
    add_test(NAME ${name} COMMAND ${target})
  endif()
endforeach()
# tests/pneumo/test_data_deflate.cpp inflates with stb_image (found by pneumo.cmake).
if(TARGET test_pneumo)
  target_include_directories(test_pneumo SYSTEM PRIVATE ${PN_STB_INCLUDE_DIR})
endif()
