# pneumo/: the segmentation solution, as the static library pn_pneumo.
#
# Its sources are every .cpp in the folders listed in PN_PNEUMO_DIRS: a new
# folder (pneumo/models/, say) is one more entry in that list.
#
# Third-party dependencies, all from Debian packages:
#   DCMTK 3.6.7   libdcmtk-dev  (dcmdata, dcmimgle and the JPEG, JPEG-LS and
#                                RLE decoders)
#   stb           libstb-dev    (stb_image, the PNG reader: header-only;
#                                the PNG writer is pneumo/data/deflate.cpp)
#
# The data code needs only the header-only tensor/error.h; the models in
# pneumo/models/ are built from nn/ modules, so pn_pneumo links pn_nn.

set(PN_PNEUMO_DIRS
    pneumo
    pneumo/data
    pneumo/config
    pneumo/models
    pneumo/augment
    pneumo/loader
    pneumo/infer
    pneumo/train
    pneumo/report
    pneumo/post
    pneumo/synth
    pneumo/demo)

set(PN_PNEUMO_GLOBS)
foreach(dir IN LISTS PN_PNEUMO_DIRS)
  list(APPEND PN_PNEUMO_GLOBS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.cpp)
endforeach()
file(GLOB PN_PNEUMO_SOURCES CONFIGURE_DEPENDS ${PN_PNEUMO_GLOBS})
pn_isa_flags(PN_PNEUMO_SOURCES)

find_package(DCMTK CONFIG REQUIRED)
# The sources include <stb/stb_image.h>; this finds the folder above stb/.
find_path(PN_STB_INCLUDE_DIR stb/stb_image.h REQUIRED)

add_library(pn_pneumo STATIC ${PN_PNEUMO_SOURCES})
target_link_libraries(pn_pneumo
  PUBLIC pn_flags pn_nn Threads::Threads
  PRIVATE DCMTK::dcmdata DCMTK::dcmimgle DCMTK::dcmjpeg DCMTK::dcmjpls
          DCMTK::oflog DCMTK::ofstd)
# stb is used only inside pneumo/data/png.cpp (and, as an independent
# inflater, by tests/pneumo/test_data_deflate.cpp); SYSTEM keeps its warnings out.
target_include_directories(pn_pneumo SYSTEM PRIVATE ${PN_STB_INCLUDE_DIR})
