// Internal entry to the fingerprint hash that can force the portable rounds, so tests check both
// the SHA-NI and the portable code on machines that have the extensions.
#pragma once

#include <string>

namespace algoscope {

std::string sha256_fingerprint(const std::string& bytes, bool allow_sha_extensions);

}  // namespace algoscope
