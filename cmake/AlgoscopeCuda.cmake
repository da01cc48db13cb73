# Finds what the CUDA backend (engine/cuda, the module libalgoscope_cuda.so) needs: the CUDA
# toolkit with nvcc, the runtime and cuBLAS/cuBLASLt (CMake's CUDAToolkit), and cuDNN 9 (in the
# toolkit's folder on our machines, or CUDNN_ROOT). ALGOSCOPE_CUDA=AUTO builds the backend when
# all are found and says in one line what is missing otherwise; ON makes a missing piece an error.
set(ALGOSCOPE_HAVE_CUDA OFF)
if(ALGOSCOPE_CUDA STREQUAL "OFF")
  message(STATUS "CUDA backend: off (ALGOSCOPE_CUDA=OFF)")
  return()
endif()

set(_algoscope_cuda_missing "")
include(CheckLanguage)
check_language(CUDA)
if(NOT CMAKE_CUDA_COMPILER)
  list(APPEND _algoscope_cuda_missing "nvcc (the CUDA toolkit)")
endif()
find_package(CUDAToolkit 12 QUIET)
if(NOT CUDAToolkit_FOUND)
  list(APPEND _algoscope_cuda_missing "the CUDA toolkit's libraries")
elseif(NOT TARGET CUDA::cublas OR NOT TARGET CUDA::cublasLt)
  list(APPEND _algoscope_cuda_missing "cuBLAS")
endif()
find_path(ALGOSCOPE_CUDNN_INCLUDE_DIR cudnn.h
          HINTS ${CUDAToolkit_INCLUDE_DIRS} ENV CUDNN_ROOT PATH_SUFFIXES include)
find_library(ALGOSCOPE_CUDNN_LIBRARY NAMES cudnn
             HINTS ${CUDAToolkit_LIBRARY_DIR} ENV CUDNN_ROOT PATH_SUFFIXES lib64 lib)
if(NOT ALGOSCOPE_CUDNN_INCLUDE_DIR OR NOT ALGOSCOPE_CUDNN_LIBRARY)
  list(APPEND _algoscope_cuda_missing "cuDNN")
endif()

if(_algoscope_cuda_missing)
  list(JOIN _algoscope_cuda_missing ", " _algoscope_cuda_missing_text)
  if(ALGOSCOPE_CUDA STREQUAL "ON")
    message(FATAL_ERROR "ALGOSCOPE_CUDA=ON but not found: ${_algoscope_cuda_missing_text} "
                        "(the README says how to install CUDA and cuDNN on Debian 12)")
  endif()
  message(STATUS "CUDA backend: off, not found: ${_algoscope_cuda_missing_text} "
                 "(GPU algorithms are listed as not applicable; see the README to install them)")
  return()
endif()

if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  # A100 and H100: the GPUs our users deploy on and the one we test on.
  set(CMAKE_CUDA_ARCHITECTURES 80 90)
endif()
enable_language(CUDA)
add_library(algoscope_cudnn INTERFACE IMPORTED)
target_include_directories(algoscope_cudnn INTERFACE ${ALGOSCOPE_CUDNN_INCLUDE_DIR})
target_link_libraries(algoscope_cudnn INTERFACE ${ALGOSCOPE_CUDNN_LIBRARY})
set(ALGOSCOPE_HAVE_CUDA ON)
message(STATUS "CUDA backend: on (CUDA ${CUDAToolkit_VERSION}, cuDNN in ${ALGOSCOPE_CUDNN_INCLUDE_DIR})")
