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
