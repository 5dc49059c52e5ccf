# apps/: the `pneumo` command.
file(GLOB PN_APP_SOURCES CONFIGURE_DEPENDS apps/*.cpp)
add_executable(pneumo ${PN_APP_SOURCES})
target_link_libraries(pneumo PRIVATE pn_core)
foreach(lib pn_nn pn_pneumo)
  if(TARGET ${lib})
    target_link_libraries(pneumo PRIVATE ${lib})
  endif()
endforeach()
