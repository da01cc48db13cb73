// Tests of atomic file replacement (file_io.h), which plans, the tuning cache, tensors and the
// CLI's results are saved through: the target holds either its old bytes or all of the new ones,
// even when the writer is killed in the middle; failures name the file and leave no temporary.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "algoscope/error.h"
#include "algoscope/file_io.h"
#include "support/temp_dir.h"

namespace {

using test_support::TempDir;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t files_in(const std::string& folder) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(folder)) ++n;
  return n;
}

TEST(AtomicWrite, CreatesAndReplacesWithoutLeavingTemporaries) {
  TempDir dir;
  const std::string path = dir.file("plan.json");
  algoscope::write_file_atomically(path, "first", "plan file");
  EXPECT_EQ(slurp(path), "first");
  algoscope::write_file_atomically(path, "second, longer", "plan file");
  EXPECT_EQ(slurp(path), "second, longer");
  EXPECT_EQ(files_in(dir.path()), 1u);
}

TEST(AtomicWrite, AFailureNamesTheFileAndKeepsTheOldOne) {
  TempDir dir;
  const std::string path = dir.file("cache.json");
  algoscope::write_file_atomically(path, "old", "tuning cache");
  try {
    algoscope::write_file_atomically(dir.file("missing/folder/cache.json"), "new", "tuning cache");
    FAIL() << "writing into a missing folder succeeded";
  } catch (const algoscope::Error& e) {
    EXPECT_NE(std::string(e.what()).find("tuning cache"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("missing/folder/cache.json"), std::string::npos);
  }
  EXPECT_EQ(slurp(path), "old");
  EXPECT_EQ(files_in(dir.path()), 1u);
}

// A writer process killed at some point of a large write: whenever the kill lands, the target
// holds the complete old or the complete new bytes, never a prefix.
TEST(AtomicWrite, KillingTheWriterMidWayNeverLeavesAPartialFile) {
  TempDir dir;
  const std::string path = dir.file("results.json");
  const std::string old_bytes = "old results";
  algoscope::write_file_atomically(path, old_bytes);
  const std::string new_bytes(size_t{192} << 20, 'x');
  for (int delay_ms : {0, 5, 20, 60}) {
    SCOPED_TRACE(delay_ms);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      try {
        algoscope::write_file_atomically(path, new_bytes);
      } catch (...) {
      }
      ::_exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    const auto size = std::filesystem::file_size(path);
    EXPECT_TRUE(size == old_bytes.size() || size == new_bytes.size()) << size << " bytes";
    if (size == old_bytes.size()) EXPECT_EQ(slurp(path), old_bytes);
    algoscope::write_file_atomically(path, old_bytes);  // the next round starts from the old file
  }
}

}  // namespace
