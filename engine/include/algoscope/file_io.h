// Writing the files a user keeps (plans, the tuning cache, exported results, tensors) so that a
// crash, a kill or a full disk in the middle never leaves a half-written file where a good one was:
// the bytes go to a temporary file in the same folder, are flushed to disk, and the temporary file
// is renamed over the target, which POSIX makes atomic.
#pragma once

#include <string>

namespace algoscope {

// Replaces `path` with `bytes` atomically. `what` names the file in errors ("plan file").
// Throws Error naming the file and the system's reason; the old file is then untouched and no
// temporary file is left behind.
void write_file_atomically(const std::string& path, const std::string& bytes,
                           const std::string& what = "file");

}  // namespace algoscope
