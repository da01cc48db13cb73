// libFuzzer target: bytes as a TensorProto file (input_K.pb of an ONNX test_data_set folder), the
// way `--inputs` and `--expected` read them. The file lies alone in the target's scratch folder,
// so external-data references can only resolve to it or fail. A tensor that reads must be
// consistent, and write and read back to the same bytes. Only algoscope::Error may come out.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "algoscope/tensor_io.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  algoscope::fuzz::limit_engine_memory();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace algoscope;
  const std::string path = fuzz::write_scratch_file("input_0.pb", data, size);
  fuzz::expect_clean_errors("read_tensor_file", [&] {
    const Tensor tensor = read_tensor_file(path);
    fuzz::check(tensor.bytes() == fuzz::bytes_or_max(tensor.dtype(), tensor.shape()),
                "a tensor's byte count is its shape's");
    const std::string copy = (fuzz::scratch_dir() / "output_0.pb").string();
    write_tensor_file(copy, tensor, "copy");
    const Tensor reread = read_tensor_file(copy);
    fuzz::check(reread.dtype() == tensor.dtype() && reread.shape() == tensor.shape() &&
                    std::memcmp(reread.raw(), tensor.raw(), tensor.bytes()) == 0,
                "a tensor reads back equal after write_tensor_file");
  });
  return 0;
}
