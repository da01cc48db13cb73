# Finds the Debian-packaged dependencies of the engine (scripts/install-deps.sh installs them) and
# stops with the package name when one is missing, instead of failing later in a compiler error.

function(algoscope_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "${what} not found: install the Debian package ${package} "
                        "(scripts/install-deps.sh installs everything).")
  endif()
endfunction()

find_package(Threads REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Protobuf QUIET)
algoscope_require(Protobuf_FOUND "Protocol Buffers" "libprotobuf-dev protobuf-compiler")
find_package(ONNX QUIET)
algoscope_require(ONNX_FOUND "ONNX" "libonnx-dev")
find_package(nlohmann_json 3.10 QUIET)
algoscope_require(nlohmann_json_FOUND "nlohmann JSON" "nlohmann-json3-dev")
# OpenBLAS is loaded at run time (see engine/src/blas/sgemm.h); the package must be installed.
find_library(ALGOSCOPE_OPENBLAS_LIBRARY NAMES openblas)
algoscope_require(ALGOSCOPE_OPENBLAS_LIBRARY "OpenBLAS" "libopenblas-dev")
# FFTW3 single precision for the fft Conv algorithm (engine/src/ops/conv/fft.cpp).
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(ALGOSCOPE_FFTW3F QUIET IMPORTED_TARGET fftw3f)
endif()
if(ALGOSCOPE_FFTW3F_FOUND)
  add_library(algoscope_fftw3f INTERFACE IMPORTED)
  target_link_libraries(algoscope_fftw3f INTERFACE PkgConfig::ALGOSCOPE_FFTW3F)
else()
  find_path(ALGOSCOPE_FFTW3F_INCLUDE_DIR fftw3.h)
  find_library(ALGOSCOPE_FFTW3F_LIBRARY NAMES fftw3f)
  algoscope_require(ALGOSCOPE_FFTW3F_LIBRARY "FFTW3 (single precision)" "libfftw3-dev")
  add_library(algoscope_fftw3f INTERFACE IMPORTED)
  target_include_directories(algoscope_fftw3f INTERFACE ${ALGOSCOPE_FFTW3F_INCLUDE_DIR})
  target_link_libraries(algoscope_fftw3f INTERFACE ${ALGOSCOPE_FFTW3F_LIBRARY})
endif()

# oneDNN (libdnnl-dev) provides the onednn_* algorithms, which our own are benchmarked against.
# Debian's dnnl-config.cmake insists on OpenCL (its GPU runtime), which the CPU provider does not
# need, so the library and header are found directly.
set(ALGOSCOPE_HAVE_DNNL OFF)
if(ALGOSCOPE_ONEDNN)
  find_library(ALGOSCOPE_DNNL_LIBRARY NAMES dnnl)
  find_path(ALGOSCOPE_DNNL_INCLUDE_DIR NAMES dnnl.hpp)
  if(ALGOSCOPE_DNNL_LIBRARY AND ALGOSCOPE_DNNL_INCLUDE_DIR)
    set(ALGOSCOPE_HAVE_DNNL ON)
    add_library(algoscope_dnnl INTERFACE IMPORTED)
    target_link_libraries(algoscope_dnnl INTERFACE ${ALGOSCOPE_DNNL_LIBRARY})
    target_include_directories(algoscope_dnnl INTERFACE ${ALGOSCOPE_DNNL_INCLUDE_DIR})
  else()
    message(STATUS "oneDNN not found (Debian package libdnnl-dev): building without onednn_* algorithms")
  endif()
endif()
