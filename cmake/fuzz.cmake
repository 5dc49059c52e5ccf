# tests/fuzz/: libFuzzer harnesses for every reader of outside data, built
# with clang when PNEUMO_FUZZ is on (tools/fuzz does it and runs them). The
# whole project is then compiled with coverage instrumentation and the
# address and undefined-behaviour sanitizers.
if(NOT PNEUMO_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "PNEUMO_FUZZ needs clang (configure with CXX=clang++)")
endif()
file(GLOB PN_FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/fuzz_*.cpp)
foreach(src IN LISTS PN_FUZZ_SOURCES)
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE pn_pneumo)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endforeach()
