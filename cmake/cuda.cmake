# cuda/: the CUDA backend, as the static library pn_cuda.
#
#   PNEUMO_CUDA   ON by default when CMake finds nvcc (check_language(CUDA)).
#   PNEUMO_CUDNN  ON by default when cuDNN's header and library are found;
#                 without it convolutions run as im2col + cuBLAS GEMM.
#
# The host sanitizers (PNEUMO_SANITIZE, PNEUMO_FUZZ) and nvcc objects do not
# mix (ASan's shadow memory and the CUDA driver's mappings collide, and nvcc
# does not take -fsanitize), so those builds default to PNEUMO_CUDA=OFF;
# compute-sanitizer checks the device code instead (tools/gpu-check).
#
# The core never includes a CUDA header: tensor/backend.cpp reaches the CUDA
# backend through load_cuda_backend(), which cuda/register.cpp defines in a
# CUDA build and cuda/absent.cpp (returns nullptr) otherwise. pn_core and
# pn_cuda link each other (a cycle CMake allows between static libraries).
include(CheckLanguage)
check_language(CUDA)
set(pn_cuda_default OFF)
if(CMAKE_CUDA_COMPILER AND NOT PNEUMO_SANITIZE AND NOT PNEUMO_FUZZ)
  set(pn_cuda_default ON)
endif()
option(PNEUMO_CUDA "Build the CUDA backend (cuda/)" ${pn_cuda_default})

if(NOT PNEUMO_CUDA)
  target_sources(pn_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/cuda/absent.cpp)
  return()
endif()
if(PNEUMO_SANITIZE OR PNEUMO_FUZZ)
  message(FATAL_ERROR "PNEUMO_CUDA cannot be combined with PNEUMO_SANITIZE or PNEUMO_FUZZ: "
                      "configure with -DPNEUMO_CUDA=OFF (compute-sanitizer checks device code)")
endif()
if(NOT CMAKE_CUDA_COMPILER)
  message(FATAL_ERROR "PNEUMO_CUDA=ON but no CUDA compiler was found (put nvcc on PATH or set CMAKE_CUDA_COMPILER)")
endif()

# Ampere (A100) and Hopper (H100/H200); override with -DCMAKE_CUDA_ARCHITECTURES.
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  set(CMAKE_CUDA_ARCHITECTURES 80 90)
endif()
if(CCACHE_PROGRAM)
  set(CMAKE_CUDA_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()
enable_language(CUDA)
# CMake 3.25 does not know nvcc's C++20 flag (nvcc has it since CUDA 12).
if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
  set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
  set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
endif()
find_package(CUDAToolkit REQUIRED)

find_path(PN_CUDNN_INCLUDE_DIR cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS})
find_library(PN_CUDNN_LIBRARY cudnn HINTS ${CUDAToolkit_LIBRARY_DIR} ${CUDAToolkit_LIBRARY_ROOT}/lib64)
set(pn_cudnn_default OFF)
if(PN_CUDNN_INCLUDE_DIR AND PN_CUDNN_LIBRARY)
  set(pn_cudnn_default ON)
endif()
option(PNEUMO_CUDNN "Run convolutions through cuDNN" ${pn_cudnn_default})

file(GLOB PN_CUDA_SOURCES CONFIGURE_DEPENDS cuda/*.cu cuda/*.cpp)
list(REMOVE_ITEM PN_CUDA_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/cuda/absent.cpp)
if(NOT PNEUMO_CUDNN)
  list(REMOVE_ITEM PN_CUDA_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/cuda/conv2d_cudnn.cpp)
endif()
add_library(pn_cuda STATIC ${PN_CUDA_SOURCES})
set_target_properties(pn_cuda PROPERTIES CUDA_STANDARD 20 CUDA_STANDARD_REQUIRED ON CUDA_EXTENSIONS OFF)
target_link_libraries(pn_cuda PUBLIC pn_flags CUDA::cudart CUDA::cublas PRIVATE pn_core)
target_link_libraries(pn_core PUBLIC pn_cuda)
# nvcc: its own warnings, and the host compiler's -Wall on the host half;
# -lineinfo lets compute-sanitizer name the source line of a fault (it does
# not change the code).
target_compile_options(pn_cuda PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra -lineinfo>)
if(PNEUMO_WERROR)
  target_compile_options(pn_cuda PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-Werror=all-warnings>)
endif()
if(PNEUMO_CUDNN)
  target_compile_definitions(pn_cuda PUBLIC PNEUMO_CUDNN=1)
  target_include_directories(pn_cuda SYSTEM PUBLIC ${PN_CUDNN_INCLUDE_DIR})
  target_link_libraries(pn_cuda PUBLIC ${PN_CUDNN_LIBRARY})
endif()
message(STATUS "pneumo: CUDA backend ON (architectures ${CMAKE_CUDA_ARCHITECTURES}, cuDNN ${PNEUMO_CUDNN})")
