// Atomic file replacement (file_io.h): a unique temporary file beside the target, written in
// full, fsync'ed, then renamed over it.
#include "algoscope/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "algoscope/error.h"

namespace algoscope {

void write_file_atomically(const std::string& path, const std::string& bytes,
                           const std::string& what) {
  // Unique per process and call: two threads or processes saving at once never share a temporary.
  static std::atomic<unsigned> counter{0};
  const std::string temp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  auto fail = [&](const std::string& doing) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    throw Error("cannot write " + what + " '" + path + "': " + doing + " failed (" + reason + ")");
  };
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    const std::string reason = std::strerror(errno);
    throw Error("cannot write " + what + " '" + path + "': " + reason);
  }
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      fail("writing");
    }
    done += static_cast<size_t>(n);
  }
  // On disk before the rename: otherwise a power loss could leave the new name on empty data.
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("flushing");
  }
  if (::close(fd) != 0) fail("closing");
  if (::rename(temp.c_str(), path.c_str()) != 0) fail("renaming the temporary file");
}

}  // namespace algoscope
