// The registries' shared conventions: every built-in algorithm's teaching text ends with the
// tolerance sentence generated from its tolerance field (so prose and number cannot disagree, and
// no hand-written tolerance is left beside it), and the generated sentence reads as the texts
// always wrote tolerances.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "algoscope/error.h"
#include "algoscope/registry.h"

namespace {

using algoscope::Registry;
using algoscope::Tolerance;
using algoscope::tolerance_sentence;

size_t count(const std::string& text, const std::string& word) {
  size_t n = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

TEST(RegistryLists, ToleranceSentenceIsGeneratedFromTheNumbers) {
  EXPECT_EQ(tolerance_sentence(Tolerance{1e-4, 1e-3}), "Tolerance: atol 1e-4, rtol 1e-3.");
  EXPECT_EQ(tolerance_sentence(Tolerance{1e-3, 1e-2}), "Tolerance: atol 1e-3, rtol 1e-2.");
  EXPECT_EQ(tolerance_sentence(Tolerance{1.5e-7, 2e-6}), "Tolerance: atol 1.5e-7, rtol 2e-6.");
  EXPECT_EQ(tolerance_sentence(Tolerance{0.0, 1e-6}), "Tolerance: atol 0, rtol 1e-6.");
  EXPECT_EQ(tolerance_sentence(Tolerance{0.0, 0.0}), "Tolerance: exact (atol 0, rtol 0).");
}

TEST(RegistryLists, EveryBuiltInTeachingTextStatesItsToleranceAsGenerated) {
  const Registry& registry = Registry::instance();
  size_t checked = 0;
  for (const std::string& op_type : registry.op_types()) {
    const algoscope::OpDefinition* op = registry.find_op(op_type);
    ASSERT_NE(op, nullptr);
    for (const algoscope::Algorithm& a : op->algorithms) {
      if (!a.origin.empty()) continue;  // a plugin's text is its own
      SCOPED_TRACE(op_type + "/" + a.name);
      const std::string sentence = tolerance_sentence(a.tolerance);
      ASSERT_GE(a.teaching.size(), sentence.size());
      EXPECT_EQ(a.teaching.substr(a.teaching.size() - sentence.size()), sentence);
      // Nothing else in the text states a tolerance that could disagree with the field.
      EXPECT_EQ(count(a.teaching, "atol"), 1u);
      EXPECT_EQ(count(a.teaching, "rtol"), 1u);
      ++checked;
    }
  }
  EXPECT_GT(checked, 50u);
}

TEST(RegistryLists, ReferenceAndDefaultAreTheEngineNames) {
  EXPECT_EQ(algoscope::kReference, "reference");
  EXPECT_EQ(algoscope::kDefault, "default");
  EXPECT_EQ(&algoscope::OpDefinition::kReference, &algoscope::kReference);
  // Every op lists its reference first; the registry refuses an algorithm named kDefault.
  const Registry& registry = Registry::instance();
  for (const std::string& op_type : registry.op_types()) {
    SCOPED_TRACE(op_type);
    const algoscope::OpDefinition* op = registry.find_op(op_type);
    ASSERT_FALSE(op->algorithms.empty());
    EXPECT_EQ(op->algorithms.front().name, algoscope::kReference);
  }
  Registry empty;
  algoscope::OpDefinition op;
  op.op_type = "Op";
  empty.add_op(std::move(op));
  algoscope::Algorithm named_default;
  named_default.name = algoscope::kDefault;
  named_default.prepare = [](const algoscope::Layer&) -> std::unique_ptr<algoscope::Kernel> {
    return nullptr;
  };
  EXPECT_THROW(empty.add_algorithm("Op", named_default), algoscope::Error);
}

}  // namespace
