// A per-test scratch directory under the system's temporary folder, named after the running test
// and the process (ctest runs test programs in parallel), emptied first and removed afterwards.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace test_support {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "algoscope_test") {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string test = info ? std::string(info->test_suite_name()) + "." + info->name() : "";
    std::string name = prefix + "_" + std::to_string(::getpid()) + "_" + test;
    for (char& c : name)
      if (c == '/') c = '_';  // parameterized test names contain '/'
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace test_support
