// Plain-text tables for terminal output: columns sized to their widest cell, numbers right-aligned.
// And the same kind of rows as CSV for --csv (raw numbers, not human units).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace algoscope::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header, std::vector<bool> right_aligned = {});
  void add(std::vector<std::string> row);
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// RFC 4180 CSV: a header line, then one line per row; cells quoted where needed. Throws
// algoscope::Error when the file cannot be written.
void write_csv(const std::string& path, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows);

// 1234567 -> "1.23M"; 0 -> "0".
std::string human_count(double value);
// 3211264 -> "3.1 MiB".
std::string human_bytes(double bytes);

}  // namespace algoscope::cli
