# Every folder tests/NAME/ becomes one executable test_NAME built from its
# *.cpp files and tests/main.cpp; each doctest test case is one CTest test.
find_path(DOCTEST_INCLUDE_DIR doctest/doctest.h REQUIRED)
find_package(doctest QUIET)
if(doctest_FOUND)
  include(${doctest_DIR}/doctest.cmake)  # doctest_discover_tests: one CTest test per test case
endif()

set(PN_TEST_DATA_DIR ${CMAKE_SOURCE_DIR}/tests/data)
file(GLOB PN_TEST_DIRS LIST_DIRECTORIES true ${CMAKE_SOURCE_DIR}/tests/*)
foreach(dir IN LISTS PN_TEST_DIRS)
  if(NOT IS_DIRECTORY ${dir})
    continue()
  endif()
  get_filename_component(name ${dir} NAME)
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cpp)
  if(NOT sources OR name STREQUAL "data")
    continue()
  endif()
  set(target test_${name})
  add_executable(${target} ${CMAKE_SOURCE_DIR}/tests/main.cpp ${sources})
  target_include_directories(${target} PRIVATE ${DOCTEST_INCLUDE_DIR} ${CMAKE_SOURCE_DIR}/tests)
  # The original solution's configurations, transforms and folds lie beside
  # the repository in shared/reference.
  target_compile_definitions(${target} PRIVATE PN_TEST_DATA_DIR="${PN_TEST_DATA_DIR}"
                             PN_REFERENCE_DIR="${CMAKE_SOURCE_DIR}/../shared/reference")
  # tests/NAME links the library pn_NAME when there is one (which brings its
  # own dependencies), else the core.
  if(TARGET pn_${name})
    target_link_libraries(${target} PRIVATE pn_${name})
  else()
    target_link_libraries(${target} PRIVATE pn_core)
  endif()
  if(COMMAND doctest_discover_tests)
    doctest_discover_tests(${target} TEST_PREFIX "${name}/")
  else()
    add_test(NAME ${name} COMMAND ${target})
  endif()
endforeach()
