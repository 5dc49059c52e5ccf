# bench/: benchmark executables, built with the project but never run as
# tests. Each entry of PN_BENCHES is bench/<name>.cpp, built as <name> against
# pn_core.
set(PN_BENCHES
    gemm_bench
    conv_bench)

foreach(name IN LISTS PN_BENCHES)
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/bench/${name}.cpp)
  target_link_libraries(${name} PRIVATE pn_core)
endforeach()
