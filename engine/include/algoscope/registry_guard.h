// Threads and the algorithm registry. A plugin may be loaded (algorithms added) while other
// threads compile sessions, measure or list algorithms. Adding an algorithm appends to an op's
// deque of algorithms, which would race with a reader walking it, so additions take the registry
// exclusively (RegistryWriteGuard, which add_op, add_algorithm and load_plugin take) and every walk
// over an op's algorithms happens under a RegistryReadGuard (shared). The engine's entry points
// hold one for their duration: Session construction, model loading, measurement (check, timing,
// tune, compare), selection and plan validation, sweeps and describe. Code of one's own that
// iterates OpDefinition::algorithms while another thread may load a plugin holds one too, or takes
// a snapshot with algorithms_of(). Pointers to an Algorithm stay valid after the guard ends (the
// deque never moves its elements).
//
// Guards nest on one thread. Adding an algorithm on a thread that holds a read guard on the same
// registry is refused with an Error (it would wait for itself forever).
#pragma once

#include <string>
#include <vector>

#include "algoscope/registry.h"

namespace algoscope {

class RegistryReadGuard {
 public:
  explicit RegistryReadGuard(const Registry& registry);
  ~RegistryReadGuard();
  RegistryReadGuard(const RegistryReadGuard&) = delete;
  RegistryReadGuard& operator=(const RegistryReadGuard&) = delete;

 private:
  const Registry& registry_;
};

// Exclusive, for a batch of additions (load_plugin: the whole registration and its before/after
// listing); additions and reads inside it on the same thread do not lock again.
class RegistryWriteGuard {
 public:
  explicit RegistryWriteGuard(const Registry& registry);
  ~RegistryWriteGuard();
  RegistryWriteGuard(const RegistryWriteGuard&) = delete;
  RegistryWriteGuard& operator=(const RegistryWriteGuard&) = delete;

 private:
  const Registry& registry_;
  bool locked_ = false;  // false: this thread already held it (nested)
};

// A snapshot of an op's algorithms (empty for an unknown op), safe while plugins load.
std::vector<const Algorithm*> algorithms_of(const Registry& registry, const std::string& op_type);

}  // namespace algoscope
