// algoscope-cli driven as a user drives it: a real process, its exit code, stdout and stderr.
// Every bad input must end in exit code 2 with a message that names what is wrong, never a crash
// or a hang; good input must produce the documented output. Models come from ONNX's own test data
// (libonnx-testdata) and from files written here.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "algoscope/algoscope.h"
#include "support/fused_models.h"
#include "support/onnx_builder.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;

namespace {

const fs::path kNodeTests = "/usr/share/libonnx-testdata/data/node";

struct Result {
  int exit_code = -1;
  std::string out, err;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<test_support::TempDir>("algoscope_cli");
    dir_ = temp_->path();
  }
  void TearDown() override { temp_.reset(); }

  // `environment`: VAR=value assignments for the command, e.g. "ALGOSCOPE_OPENBLAS=/nowhere".
  Result run(const std::vector<std::string>& args, const std::string& environment = "") {
    std::string cmd = environment + " timeout 120 " + quote(ALGOSCOPE_CLI);
    for (const auto& a : args) cmd += " " + quote(a);
    cmd += " >" + quote((dir_ / "stdout").string()) + " 2>" + quote((dir_ / "stderr").string()) +
           " </dev/null";
    int status = std::system(cmd.c_str());
    Result r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(dir_ / "stdout");
    r.err = slurp(dir_ / "stderr");
    return r;
  }

  // Exit 2 and a message containing every fragment; never a signal or a timeout (124).
  void expect_usage_error(const std::vector<std::string>& args,
                          const std::vector<std::string>& fragments) {
    Result r = run(args);
    EXPECT_EQ(r.exit_code, 2) << "stderr: " << r.err;
    for (const auto& f : fragments)
      EXPECT_NE(r.err.find(f), std::string::npos) << "stderr lacks '" << f << "': " << r.err;
  }

  fs::path write(const std::string& name, const std::string& bytes) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

  std::unique_ptr<test_support::TempDir> temp_;
  fs::path dir_;
};

const std::string relu_model = (kNodeTests / "test_relu" / "model.onnx").string();
const std::string relu_data = (kNodeTests / "test_relu" / "test_data_set_0").string();
const std::string conv_model =
    (kNodeTests / "test_conv_with_strides_padding" / "model.onnx").string();
const std::string conv_data =
    (kNodeTests / "test_conv_with_strides_padding" / "test_data_set_0").string();

TEST_F(Cli, VersionAndHelp) {
  Result v = run({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find(algoscope::version()), std::string::npos);
  Result h = run({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  for (const char* cmd : {"info", "algorithms", "run", "check", "bench", "tune", "compare"})
    EXPECT_NE(h.out.find(cmd), std::string::npos);
  expect_usage_error({}, {"usage"});
  expect_usage_error({"frobnicate"}, {"unknown command 'frobnicate'"});
}

// ALGOSCOPE_ISA holds the whole process to a lower level (the engine's kernels and OpenBLAS's),
// and --version says so; a level that names nothing leaves detection alone.
TEST_F(Cli, IsaLevelHeldByTheEnvironment) {
  Result detected = run({"--version"});
  ASSERT_EQ(detected.exit_code, 0);
  EXPECT_NE(detected.out.find("engine kernels: "), std::string::npos) << detected.out;
  EXPECT_EQ(detected.out.find("capped"), std::string::npos) << detected.out;
  Result typo = run({"--version"}, "ALGOSCOPE_ISA=avx9000");
  EXPECT_EQ(typo.out.find("capped"), std::string::npos) << typo.out;
  Result portable = run({"--version"}, "ALGOSCOPE_ISA=portable");
  if (detected.out.find("engine kernels: portable") != std::string::npos)
    GTEST_SKIP() << "this CPU runs the portable kernels already";
  EXPECT_NE(portable.out.find("engine kernels: portable (capped; the CPU has "), std::string::npos)
      << portable.out;
  if (detected.out.find("engine kernels: avx512") != std::string::npos) {
    Result avx2 = run({"--version"}, "ALGOSCOPE_ISA=avx2");
    EXPECT_NE(avx2.out.find("engine kernels: avx2 (capped; the CPU has avx512)"), std::string::npos)
        << avx2.out;
    // OpenBLAS is held to its AVX2 kernels too, unless the user chose its kernels.
    if (!std::getenv("OPENBLAS_CORETYPE"))
      EXPECT_NE(avx2.out.find("OpenBLAS kernels: Haswell"), std::string::npos) << avx2.out;
  }
}

// $ALGOSCOPE_OPENBLAS names the OpenBLAS file to load. A file that does not load leaves the
// OpenBLAS algorithms not applicable, with the loader's reason, and everything else working.
TEST_F(Cli, OpenBlasFileChosenByTheEnvironment) {
  Result v = run({"--version"}, "ALGOSCOPE_OPENBLAS=/nowhere/libopenblas.so.0");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("OpenBLAS threads: OpenBLAS could not be loaded: /nowhere/libopenblas.so.0"),
            std::string::npos)
      << v.out;
  // An op-wide choice that does not apply falls back to the engine's default, with the reason.
  Result im2col = run({"run", conv_model, "--select", "Conv=im2col"},
                      "ALGOSCOPE_OPENBLAS=/nowhere/libopenblas.so.0");
  EXPECT_EQ(im2col.exit_code, 0) << im2col.err;
  EXPECT_NE(im2col.err.find("im2col does not apply (OpenBLAS could not be loaded"),
            std::string::npos)
      << im2col.err;
  Result pthreads = run({"--version"}, "ALGOSCOPE_OPENBLAS=libopenblas.so.0");
  EXPECT_NE(pthreads.out.find("(libopenblas.so.0)"), std::string::npos) << pthreads.out;
}

// --memory-limit and $ALGOSCOPE_MEMORY_LIMIT: a model that needs more is refused with the value
// and the sizes; a bad size is a usage error naming where it came from.
TEST_F(Cli, MemoryLimitFromTheFlagAndTheEnvironment) {
  expect_usage_error({"run", relu_model, "--memory-limit", "200"},
                     {"input 'x' would need 240 bytes (float32[3,4,5])",
                      "more than the memory limit of 200 bytes"});
  Result env = run({"run", relu_model}, "ALGOSCOPE_MEMORY_LIMIT=200");
  EXPECT_EQ(env.exit_code, 2) << env.err;
  EXPECT_NE(env.err.find("more than the memory limit of 200 bytes"), std::string::npos) << env.err;
  expect_usage_error({"info", relu_model, "--memory-limit", "lots"},
                     {"--memory-limit: 'lots' is not a memory size"});
  Result bad_env = run({"info", relu_model}, "ALGOSCOPE_MEMORY_LIMIT=lots");
  EXPECT_EQ(bad_env.exit_code, 2);
  EXPECT_NE(bad_env.err.find("ALGOSCOPE_MEMORY_LIMIT: 'lots' is not a memory size"),
            std::string::npos)
      << bad_env.err;
  Result fits = run({"run", relu_model, "--memory-limit=1G"});
  EXPECT_EQ(fits.exit_code, 0) << fits.err;
}

TEST_F(Cli, RunWritesOutputsThatMatchOnnxExpectedValues) {
  Result r = run({"run", conv_model, "--inputs", conv_data, "--outputs", (dir_ / "out").string(),
                  "--select", "Conv=im2col", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 thread"), std::string::npos) << r.out;
  algoscope::Tensor got = algoscope::read_tensor_file((dir_ / "out" / "output_0.pb").string());
  algoscope::Tensor want = algoscope::read_tensor_file(conv_data + "/output_0.pb");
  ASSERT_EQ(got.shape(), want.shape());
  for (int64_t i = 0; i < want.numel(); ++i)
    EXPECT_NEAR(got.data<float>()[i], want.data<float>()[i], 1e-4);
}

TEST_F(Cli, RunWithoutInputsUsesSeededRandomInputs) {
  Result a = run({"run", relu_model, "--outputs", (dir_ / "a").string()});
  Result b = run({"run", relu_model, "--outputs", (dir_ / "b").string()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(slurp(dir_ / "a" / "output_0.pb"), slurp(dir_ / "b" / "output_0.pb"));
}

TEST_F(Cli, InfoPrintsTheLayerTableAndJson) {
  Result r = run({"info", conv_model});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"Conv", "1x1x7x5", "1x1x4x3", "im2col", "reference", "FLOPs", "loaded in"})
    EXPECT_NE(r.out.find(f), std::string::npos) << f << " missing from:\n" << r.out;
  Result j = run({"info", conv_model, "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc["layers"].size(), 1u);
  const auto& layer = doc["layers"][0];
  EXPECT_EQ(layer["op"], "Conv");
  EXPECT_EQ(layer["outputs"][0]["shape"], nlohmann::json::array({1, 1, 4, 3}));
  // 2 * N * OC * OH * OW * (IC / groups) * KH * KW
  EXPECT_EQ(layer["flops"].get<double>(), 2.0 * 1 * 1 * 4 * 3 * 1 * 3 * 3);
  EXPECT_EQ(layer["parameters"], 0);  // W is a graph input in this test model
  EXPECT_TRUE(std::find(layer["algorithms"].begin(), layer["algorithms"].end(), "im2col") !=
              layer["algorithms"].end());
  EXPECT_TRUE(doc["fingerprint"].get<std::string>().rfind("sha256:", 0) == 0);
}

TEST_F(Cli, AlgorithmsListsTheRegistry) {
  Result r = run({"algorithms"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"Conv", "im2col", "Gemm", "openblas", "MatMul", "Relu", "reference"})
    EXPECT_NE(r.out.find(f), std::string::npos) << f;
  Result j = run({"algorithms", "--op", "Conv", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc[0]["op"], "Conv");
  for (const auto& alg : doc[0]["algorithms"]) {
    EXPECT_FALSE(alg["summary"].get<std::string>().empty()) << alg["name"];
    EXPECT_FALSE(alg["teaching"].get<std::string>().empty()) << alg["name"];
  }
  expect_usage_error({"algorithms", "--op", "NoSuchOp"}, {"unknown op type 'NoSuchOp'"});
}

TEST_F(Cli, MissingEmptyTruncatedAndGarbageModels) {
  expect_usage_error({"run", (dir_ / "nope.onnx").string()}, {"nope.onnx", "does not exist"});
  expect_usage_error({"info", write("empty.onnx", "").string()}, {"empty.onnx", "empty"});
  std::string bytes = slurp(conv_model);
  for (size_t cut : {bytes.size() / 2, bytes.size() - 3, size_t{10}}) {
    Result r = run({"run", write("truncated.onnx", bytes.substr(0, cut)).string()});
    EXPECT_EQ(r.exit_code, 2) << "cut at " << cut << ": " << r.err;
    EXPECT_NE(r.err.find("truncated.onnx"), std::string::npos) << r.err;
  }
  std::mt19937 rng(7);
  for (int trial = 0; trial < 5; ++trial) {
    std::string garbage(4096, '\0');
    for (char& c : garbage) c = static_cast<char>(rng());
    expect_usage_error({"info", write("garbage.onnx", garbage).string()}, {"garbage.onnx"});
  }
  expect_usage_error({"info", dir_.string()}, {"directory"});
}

// info shows each layer as the graph passes left it (the engine's describe_layer): a Conv with a
// folded BatchNormalization and a Relu, an Add with a Relu, an attention pattern as one node; the
// JSON says what each fusion absorbed and keeps the fields scripts read.
// Untrusted files (issue 16): 400 hostile variants of a bundled sample, cut short at random
// points, with 1 to 8 random bits flipped, or random bytes. `run` either runs one (a flip in a
// weight changes nothing harmful) or refuses it with a message and exit code 2; never a crash, a
// sanitizer abort, a hang (timeout's 124) or a kill. The memory limit keeps a flipped dimension
// from asking for the machine's memory.
TEST_F(Cli, HostileVariantsOfASampleModelRunOrFailCleanly) {
  const std::string sample = slurp(fs::path(ALGOSCOPE_SAMPLES) / "tiny_resnet.onnx");
  ASSERT_GT(sample.size(), 1000u);
  std::mt19937 rng(16);
  auto below = [&](size_t n) {
    return size_t(std::uniform_int_distribution<size_t>(0, n - 1)(rng));
  };
  int ran = 0, refused = 0;
  for (int i = 0; i < 400; ++i) {
    std::string variant;
    if (i < 100) {
      variant = sample.substr(0, below(sample.size()));
    } else if (i < 350) {
      variant = sample;
      const size_t flips = 1 + below(8);
      for (size_t f = 0; f < flips; ++f) variant[below(variant.size())] ^= char(1 << below(8));
    } else {
      variant.resize(1 + below(4096));
      for (char& c : variant) c = char(below(256));
    }
    const fs::path path = write("hostile.onnx", variant);
    Result r = run({"run", path.string()}, "ALGOSCOPE_MEMORY_LIMIT=512M");
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 2)
        << "variant " << i << ": exit " << r.exit_code << "\n"
        << r.err.substr(0, 2000);
    if (r.exit_code == 2) {
      ++refused;
      // The file, or the model named after it, with what is wrong.
      EXPECT_NE(r.err.find("hostile"), std::string::npos)
          << "variant " << i << ": the message does not name the model: " << r.err;
    } else {
      ++ran;
    }
  }
  EXPECT_GT(refused, 150) << "the variants were too harmless to test anything";
  RecordProperty("ran", ran);
  RecordProperty("refused", refused);
}

TEST_F(Cli, InfoShowsFusedOps) {
  struct Case {
    const char* file;
    onnx_builder::ModelBuilder model;
    const char* display_op;
    const char* absorbed;  // one ONNX node the fused layer absorbed
  };
  std::vector<Case> cases;
  cases.push_back({"conv_bn_relu.onnx", fused_models::conv_bn_relu(), "Conv+BN+Relu", "bn"});
  cases.push_back({"add_relu.onnx", fused_models::add_relu(), "Add+Relu", "act"});
  cases.push_back({"attention.onnx", fused_models::attention(), "Attention", "softmax"});
  for (auto& c : cases) {
    SCOPED_TRACE(c.display_op);
    const std::string model = c.model.write((dir_ / c.file).string());
    Result r = run({"info", model});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(std::string(" ") + c.display_op + " "), std::string::npos) << r.out;
    Result j = run({"info", model, "--json"});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    const nlohmann::json* fused = nullptr;
    for (const auto& layer : doc["layers"])
      if (layer["display_op"] == c.display_op) fused = &layer;
    ASSERT_NE(fused, nullptr) << j.out;
    const auto& merged = (*fused)["merged"];
    EXPECT_NE(std::find(merged.begin(), merged.end(), c.absorbed), merged.end()) << merged;
    ASSERT_FALSE((*fused)["fusions"].empty());
    EXPECT_FALSE((*fused)["fusions"][0]["kind"].get<std::string>().empty());
    for (const char* field : {"name", "op", "inputs", "outputs", "parameters", "flops",
                              "algorithms", "default", "not_applicable", "problem", "backends"})
      EXPECT_TRUE(fused->contains(field)) << field;
    const std::string chosen = (*fused)["default"];
    EXPECT_EQ((*fused)["backends"][chosen], "cpu");
  }
}

TEST_F(Cli, UnsupportedOpLoadsForInfoButRunNamesIt) {
  // Det: an op the engine does not implement (Softplus was until issue 19).
  const std::string model = (kNodeTests / "test_det_2d" / "model.onnx").string();
  Result info = run({"info", model});
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("Det"), std::string::npos);
  EXPECT_NE(info.out.find("unsupported"), std::string::npos);
  expect_usage_error({"run", model}, {"unsupported op Det", "Det_0"});
}

TEST_F(Cli, WrongInputShapeOrCount) {
  // The relu model takes 3x4x5; the global average pool test's input is 1x3x5x5.
  const std::string pool_data =
      (kNodeTests / "test_globalaveragepool" / "test_data_set_0").string();
  expect_usage_error({"run", relu_model, "--inputs", pool_data}, {"input 'x'", "3x4x5", "1x3x5x5"});
  expect_usage_error({"run", conv_model, "--inputs", relu_data}, {"input"});
  expect_usage_error({"run", relu_model, "--inputs", (dir_ / "none").string()},
                     {"not a directory"});
  fs::create_directories(dir_ / "bad");
  write("bad/input_0.pb", "not a tensor");
  expect_usage_error({"run", relu_model, "--inputs", (dir_ / "bad").string()}, {"input_0.pb"});
}

// A model whose Reshape target is a graph input (ONNX's test_reshape_reordered_all_dims): info
// loads it and names the deciding input, run without --inputs says to give it, with --inputs
// the model is specialised and matches ONNX's output, and a value that makes no valid shape
// names the input, the value and the node.
TEST_F(Cli, ShapesFromInputValuesSpecialiseWithInputs) {
  const fs::path test = kNodeTests / "test_reshape_reordered_all_dims";
  const std::string model = (test / "model.onnx").string();
  const std::string data = (test / "test_data_set_0").string();
  Result info = run({"info", model});
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE((info.out + info.err).find("value of input 'shape'"), std::string::npos) << info.out;
  expect_usage_error({"run", model}, {"value of input 'shape'", "--inputs"});
  Result ok = run({"check", model, "--inputs", data, "--expected", data});
  EXPECT_EQ(ok.exit_code, 0) << ok.err << ok.out;
  EXPECT_NE(ok.err.find("specialised for input 'shape' = [4, 2, 3]"), std::string::npos) << ok.err;
  fs::create_directories(dir_ / "bad");
  fs::copy_file(test / "test_data_set_0" / "input_0.pb", dir_ / "bad" / "input_0.pb");
  algoscope::Tensor wrong(algoscope::DType::Int64, {3});
  for (int64_t i = 0; i < 3; ++i) wrong.data<int64_t>()[i] = 5;
  algoscope::write_tensor_file((dir_ / "bad" / "input_1.pb").string(), wrong, "shape");
  expect_usage_error({"run", model, "--inputs", (dir_ / "bad").string()},
                     {"'shape' = [5, 5, 5]", "Reshape"});
}

TEST_F(Cli, BadPlans) {
  expect_usage_error({"run", relu_model, "--plan", write("p.json", "{ not json").string()},
                     {"p.json", "not valid JSON"});
  expect_usage_error({"run", relu_model, "--plan", (dir_ / "missing.json").string()},
                     {"missing.json"});
  auto plan = [&](const std::string& layers, const std::string& defaults = "{}") {
    return write("plan.json", R"({"format": "algoscope-plan", "version": 1, "defaults": )" +
                                  defaults + R"(, "layers": )" + layers + "}")
        .string();
  };
  expect_usage_error({"run", relu_model, "--plan", plan(R"({"no_such_node": "reference"})")},
                     {"no node named 'no_such_node'"});
  expect_usage_error({"run", relu_model, "--plan", plan(R"({"Relu_0": "warp_drive"})")},
                     {"Relu_0", "unknown algorithm 'warp_drive'"});
  expect_usage_error({"run", relu_model, "--plan", plan("{}", R"({"Relu": "warp_drive"})")},
                     {"Relu", "warp_drive"});
  expect_usage_error({"run", relu_model, "--plan", plan("{}", R"({"NoSuchOp": "reference"})")},
                     {"unknown op type 'NoSuchOp'"});
  expect_usage_error({"run", relu_model, "--plan",
                      write("v.json", R"({"format": "algoscope-plan", "version": 99})").string()},
                     {"version"});
  // A plan made for another model is refused by its fingerprint.
  expect_usage_error(
      {"run", relu_model, "--plan",
       write(
           "fp.json",
           R"({"format": "algoscope-plan", "version": 1, "model": {"name": "x", "fingerprint": "sha256:00"}})")
           .string()},
      {"fingerprint", "sha256:00"});
}

// A convolution over four spatial axes: `reference` computes it, im2col does not apply (it covers
// 1-D to 3-D), so a plan that picks im2col for this layer must be refused with the reason.
TEST_F(Cli, PlanPickingANonApplicableAlgorithmIsRefused) {
  onnx_builder::ModelBuilder b("conv4d", 13);
  b.input("x", {1, 2, 3, 3, 3, 3});
  b.initializer("w", {2, 2, 2, 2, 2, 2}, onnx_builder::random_floats(64, 1));
  b.node("Conv", {"x", "w"}, {"y"}, "conv4d");
  b.output("y");
  const std::string model = b.write((dir_ / "conv4d.onnx").string());
  Result ok = run({"run", model});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const std::string plan =
      write("plan.json",
            R"({"format": "algoscope-plan", "version": 1, "layers": {"conv4d": "im2col"}})")
          .string();
  expect_usage_error({"run", model, "--plan", plan},
                     {"conv4d", "im2col", "not applicable", "4 spatial axes"});
  // As an op-type choice it only covers the layers it fits: a note, and the engine's choice runs.
  Result fallback = run({"run", model, "--select", "Conv=im2col"});
  EXPECT_EQ(fallback.exit_code, 0) << fallback.err;
  EXPECT_NE(fallback.err.find("im2col does not apply"), std::string::npos) << fallback.err;
}

TEST_F(Cli, BadOptions) {
  expect_usage_error({"run", relu_model, "--select", "Conv"}, {"OP=ALGORITHM"});
  expect_usage_error({"run", relu_model, "--threads", "0"}, {"--threads"});
  expect_usage_error({"run", relu_model, "--threads", "two"}, {"--threads"});
  expect_usage_error({"run", relu_model, "--bogus"}, {"unknown option '--bogus'"});
  expect_usage_error({"run"}, {"MODEL"});
  expect_usage_error({"run", relu_model, relu_model}, {"MODEL"});
  expect_usage_error({"run", relu_model, "--plan"}, {"needs a value"});
}

TEST_F(Cli, SavedPlanRoundTripsThroughRun) {
  auto model = algoscope::load_model(conv_model);
  algoscope::Plan plan = algoscope::Plan::for_model(model);
  plan.layers[model.nodes[0].name] = "im2col";
  plan.save((dir_ / "plan.json").string());
  Result r =
      run({"run", conv_model, "--inputs", conv_data, "--plan", (dir_ / "plan.json").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// ---------------------------------------------------------------------------------------------
// check, bench, tune and compare

// x[1,8,12,12] -> Conv 3x3 (pad 1) -> Relu -> Conv 1x1 -> y, random weights: two layers once the
// Relu is fused, small enough to tune in seconds, with float sums that differ from the reference's
// double sums in the last bits.
std::string small_conv_net(const fs::path& dir) {
  onnx_builder::ModelBuilder b("small_conv_net");
  b.input("x", {1, 8, 12, 12});
  b.initializer("w1", {8, 8, 3, 3}, onnx_builder::random_floats(8 * 8 * 9, 3));
  b.initializer("w2", {8, 8, 1, 1}, onnx_builder::random_floats(8 * 8, 4));
  b.node("Conv", {"x", "w1"}, {"a"}, "conv3x3").ints("pads", {1, 1, 1, 1});
  b.node("Relu", {"a"}, {"r"}, "relu");
  b.node("Conv", {"r", "w2"}, {"y"}, "conv1x1");
  b.output("y");
  return b.write((dir / "small_conv_net.onnx").string());
}

nlohmann::json read_json(const fs::path& p) { return nlohmann::json::parse(slurp(p)); }

TEST_F(Cli, CheckPassesOnExpectedOutputsAndFailsOnAMismatch) {
  const std::string json_path = (dir_ / "check.json").string();
  Result r = run({"check", conv_model, "--inputs", conv_data, "--expected", conv_data, "--select",
                  "Conv=im2col", "--json", json_path, "--csv", (dir_ / "check.csv").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("PASS"), std::string::npos) << r.out;
  auto doc = read_json(json_path);
  EXPECT_EQ(doc["command"], "check");
  EXPECT_EQ(doc["passed"], true);
  ASSERT_EQ(doc["layers"].size(), 1u);
  EXPECT_EQ(doc["layers"][0]["algorithm"], "im2col");
  EXPECT_EQ(doc["layers"][0]["compared"], true);
  EXPECT_EQ(doc["outputs"][0]["vs_expected"]["passed"], true);
  EXPECT_NE(slurp(dir_ / "check.csv").find("max_abs_error"), std::string::npos);

  // An expected output that is off in one element: exit 1, and the output is named.
  fs::create_directories(dir_ / "off");
  algoscope::Tensor off = algoscope::read_tensor_file(conv_data + "/output_0.pb");
  off.data<float>()[3] += 1;
  algoscope::write_tensor_file((dir_ / "off" / "output_0.pb").string(), off);
  Result bad = run({"check", conv_model, "--inputs", conv_data, "--expected",
                    (dir_ / "off").string(), "--json", json_path});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.out.find("FAIL output"), std::string::npos) << bad.out;
  EXPECT_EQ(read_json(json_path)["outputs"][0]["vs_expected"]["mismatches"], 1);
}

TEST_F(Cli, CheckNamesTheLayerOutsideAnExactTolerance) {
  const std::string model = small_conv_net(dir_);
  Result ok = run({"check", model, "--select", "Conv=im2col"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err << ok.out;
  // Float sums against double sums: not bit-identical, so a zero tolerance fails.
  Result exact = run({"check", model, "--select", "Conv=im2col", "--atol", "0", "--rtol", "0",
                      "--json", (dir_ / "exact.json").string()});
  EXPECT_EQ(exact.exit_code, 1) << exact.err;
  EXPECT_NE(exact.out.find("FAIL layer 'conv3x3' (Conv, im2col)"), std::string::npos) << exact.out;
  auto doc = read_json(dir_ / "exact.json");
  EXPECT_EQ(doc["passed"], false);
  EXPECT_TRUE(std::find(doc["failed_layers"].begin(), doc["failed_layers"].end(), "conv3x3") !=
              doc["failed_layers"].end());
  EXPECT_EQ(doc["end_to_end_tolerance"]["atol"], 0.0);
}

// check --propagation: each layer's accumulated error beside its local one, in the table, the
// JSON and the CSV; the 1x1 conv inherits the 3x3 conv's error.
TEST_F(Cli, CheckPropagationFollowsTheErrorThroughTheLayers) {
  const std::string model = small_conv_net(dir_);
  const std::string json_path = (dir_ / "propagation.json").string();
  const std::string csv_path = (dir_ / "propagation.csv").string();
  Result r = run({"check", model, "--select", "Conv=winograd_f4", "--propagation", "--json",
                  json_path, "--csv", csv_path});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  for (const char* text :
       {"error propagation", "accumulated by the last layer", "grew most at layer '"})
    EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
  auto doc = read_json(json_path);
  ASSERT_EQ(doc["layers"].size(), 2u);  // the Relu is in conv3x3's epilogue
  for (const auto& layer : doc["layers"]) {
    ASSERT_TRUE(layer["propagation"].is_object()) << layer["name"];
    EXPECT_GT(layer["propagation"]["accumulated_relative"].get<double>(), 0) << layer["name"];
  }
  EXPECT_EQ(doc["layers"][0]["propagation"]["inherited_relative"], 0.0);  // reads the input
  EXPECT_EQ(doc["layers"][0]["algorithm"], "winograd_f4");
  EXPECT_GT(doc["layers"][0]["propagation"]["local_relative"].get<double>(), 0);
  EXPECT_EQ(doc["layers"][1]["propagation"]["inherited_relative"],
            doc["layers"][0]["propagation"]["accumulated_relative"]);
  EXPECT_GT(doc["layers"][1]["propagation"]["growth"].get<double>(), 0);
  const std::string csv = slurp(csv_path);
  EXPECT_NE(csv.find("accumulated_relative,inherited_relative,growth"), std::string::npos) << csv;
}

TEST_F(Cli, CheckBadUsage) {
  expect_usage_error({"check", relu_model, "--atol", "1e-3"}, {"--atol and --rtol"});
  expect_usage_error({"check", relu_model, "--atol", "x", "--rtol", "0"}, {"--atol"});
  expect_usage_error({"check", relu_model, "--expected", conv_data},
                     {"expected output 0", "3x4x5"});
  fs::create_directories(dir_ / "none");
  expect_usage_error({"check", relu_model, "--expected", (dir_ / "none").string()},
                     {"none", "no output_0.pb"});
  expect_usage_error({"check"}, {"MODEL"});
}

TEST_F(Cli, BenchReportsLatencyLayersJsonAndCsv) {
  const std::string model = small_conv_net(dir_);
  const std::string json_path = (dir_ / "bench.json").string();
  const std::string csv_path = (dir_ / "bench.csv").string();
  // --ci 0: exactly --repeat runs.
  Result r = run({"bench", model, "--layers", "--warmup", "1", "--repeat", "3", "--ci", "0",
                  "--threads", "1", "--json", json_path, "--csv", csv_path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"latency", "median", "overhead", "conv3x3", "conv1x1", "GFLOP/s"})
    EXPECT_NE(r.out.find(f), std::string::npos) << f << " missing from:\n" << r.out;
  auto doc = read_json(json_path);
  EXPECT_EQ(doc["command"], "bench");
  EXPECT_GT(doc["latency_ms"]["median"].get<double>(), 0);
  EXPECT_GT(doc["latency_ms"]["min"].get<double>(), 0);
  EXPECT_EQ(doc["latency_ms"]["samples"], 3);
  EXPECT_EQ(doc["latency_ms"]["stop"], "count");
  EXPECT_EQ(doc["threads"], 1);
  ASSERT_EQ(doc["layers"].size(), 2u);
  EXPECT_EQ(doc["layers"][0]["name"], "conv3x3");
  EXPECT_EQ(doc["layers"][0]["time_ms"]["samples"], 3);
  EXPECT_GT(doc["layers"][0]["flops"].get<double>(), 0);
  std::string csv = slurp(csv_path);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3) << csv;  // header + 2 layers
  EXPECT_EQ(csv.rfind("index,layer,op,algorithm,median_ms", 0), 0u) << csv;

  // --trace: a Chrome trace with one slice per run and per kernel of each run.
  const std::string trace_path = (dir_ / "trace.json").string();
  Result traced = run({"bench", model, "--warmup", "1", "--repeat", "4", "--ci", "0", "--threads",
                       "1", "--trace", trace_path});
  ASSERT_EQ(traced.exit_code, 0) << traced.err;
  EXPECT_NE(traced.out.find("trace of the 4 timed run(s) written to"), std::string::npos)
      << traced.out;
  std::map<std::string, int> slices;
  const auto trace = read_json(trace_path);
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "X") ++slices[e["cat"].get<std::string>() + " " + e["name"].get<std::string>()];
  EXPECT_EQ(slices, (std::map<std::string, int>{{"kernel conv1x1", 4},
                                                {"kernel conv3x3", 4},
                                                {"run run 0", 1},
                                                {"run run 1", 1},
                                                {"run run 2", 1},
                                                {"run run 3", 1}}));

  Result all = run({"bench", model, "--all-algorithms", "--repeat", "2", "--json", json_path});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  // Each layer's pick is marked: "fastest", or "tune's choice (...)" when candidates tie within
  // noise (tiny layers on a quiet machine often do).
  EXPECT_TRUE(all.out.find("fastest") != std::string::npos ||
              all.out.find("tune's choice (") != std::string::npos)
      << all.out;
  auto timings = read_json(json_path)["algorithms"]["timings"];
  std::set<std::string> conv3x3;
  for (const auto& t : timings)
    if (t["name"] == "conv3x3") conv3x3.insert(t["algorithm"].get<std::string>());
  for (const char* algorithm : {"im2col", "direct", "winograd_f2", "smm"})
    EXPECT_TRUE(conv3x3.count(algorithm)) << algorithm;
  EXPECT_FALSE(conv3x3.count("reference")) << "the slow ground truth is not timed";

  // Adaptive repeating: a target any three runs meet; one nothing meets, stopped by --max-repeat.
  // The figure's confidence is printed next to it.
  Result loose = run({"bench", model, "--repeat", "1", "--ci", "1000", "--json", json_path});
  ASSERT_EQ(loose.exit_code, 0) << loose.err;
  EXPECT_NE(loose.out.find("(95% CI), 3 run(s), converged"), std::string::npos) << loose.out;
  EXPECT_EQ(read_json(json_path)["latency_ms"]["samples"], 3);
  Result strict = run({"bench", model, "--repeat", "2", "--ci", "1e-9", "--max-repeat", "7",
                       "--budget", "1000", "--json", json_path});
  ASSERT_EQ(strict.exit_code, 0) << strict.err;
  EXPECT_NE(strict.out.find("7 run(s), limit"), std::string::npos) << strict.out;
  EXPECT_EQ(read_json(json_path)["latency_ms"]["stop"], "limit");
  expect_usage_error({"bench", model, "--ci", "-1"}, {"--ci"});
  expect_usage_error({"bench", model, "--max-repeat", "0"}, {"--max-repeat"});
  expect_usage_error({"bench", model, "--budget", "soon"}, {"--budget"});
  expect_usage_error({"bench", model, "--repeat", "0"}, {"--repeat"});
  expect_usage_error({"bench", model, "--warmup", "-1"}, {"--warmup"});
}

TEST_F(Cli, BenchShowsTheRooflineAndTheMemoryAlongTheSteps) {
  const std::string model = small_conv_net(dir_);
  const std::string json_path = (dir_ / "bench.json").string();
  const std::string roofs = "ALGOSCOPE_ROOFS_CACHE=" + quote((dir_ / "roofs.json").string());
  Result r = run({"bench", model, "--layers", "--memory", "--select", "Conv=im2col", "--repeat",
                  "2", "--ci", "0", "--threads", "1", "--json", json_path},
                 roofs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"FLOP/B", "of roof", "roofline  peak", "(measured now)", "ridge at",
                        "memory in use along the steps", "peak      ", "held      "})
    EXPECT_NE(r.out.find(f), std::string::npos) << f << " missing from:\n" << r.out;
  auto doc = read_json(json_path);
  const auto& roof = doc["roofline"];
  EXPECT_GT(roof["peak_gflops"].get<double>(), 0);
  EXPECT_GT(roof["bandwidth_gbs"].get<double>(), 0);
  EXPECT_EQ(roof["threads"], 1);
  // conv3x3 by im2col: 2*8*144*72 FLOPs over x, W, y and the patch matrix written and read.
  const auto& conv = doc["layers"][0];
  ASSERT_EQ(conv["name"], "conv3x3");
  const double x = 8 * 144 * 4, w = 8 * 8 * 9 * 4, y = 8 * 144 * 4, patches = 8 * 9 * 144 * 4;
  EXPECT_DOUBLE_EQ(conv["traffic_bytes"].get<double>(), x + w + y + 2 * patches);
  EXPECT_DOUBLE_EQ(conv["intensity"].get<double>(),
                   conv["flops"].get<double>() / (x + w + y + 2 * patches));
  EXPECT_GT(conv["attainable_gflops"].get<double>(), 0);
  EXPECT_GE(conv["roof_percent"].get<double>(), 0);
  // The peak is at conv3x3: its output r (the Relu fused in) live beside its patch matrix.
  const auto& memory = doc["memory"];
  EXPECT_EQ(memory["peak"]["name"], "conv3x3");
  EXPECT_EQ(memory["peak"]["value"], "r");
  EXPECT_EQ(memory["peak"]["in_use_bytes"].get<double>(), y + patches);
  EXPECT_EQ(memory["steps"].size(), 2u);
  EXPECT_EQ(memory["weights_bytes"].get<double>(), w + 8 * 8 * 4);
  // A second bench on as many threads reads the roofs from the cache.
  Result again =
      run({"bench", model, "--layers", "--repeat", "1", "--ci", "0", "--threads", "1"}, roofs);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("(cached)"), std::string::npos) << again.out;
}

TEST_F(Cli, ExtractWritesALayerThatChecksAlone) {
  const std::string model = small_conv_net(dir_);
  const std::string out = (dir_ / "layer").string();
  Result r = run({"extract", model, "--layer", "conv3x3", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ONNX node(s) conv3x3, relu"), std::string::npos) << r.out;
  const std::string data = out + "/test_data_set_0";
  ASSERT_TRUE(fs::exists(out + "/model.onnx"));
  ASSERT_TRUE(fs::exists(data + "/input_0.pb"));
  ASSERT_TRUE(fs::exists(data + "/output_0.pb"));
  // The layer alone, under another algorithm, computes what it did in the model.
  Result check = run({"check", out + "/model.onnx", "--inputs", data, "--expected", data,
                      "--select", "Conv=winograd_f2"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // The input recorded under a plan is that plan's run.
  Result planned =
      run({"extract", model, "--layer", "conv1x1", "-o", out, "--select", "Conv=im2col"});
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  EXPECT_NE(planned.out.find("this plan's run"), std::string::npos) << planned.out;
  expect_usage_error({"extract", model, "-o", out}, {"--layer"});
  expect_usage_error({"extract", model, "--layer", "conv3x3"}, {"-o DIR"});
  expect_usage_error({"extract", model, "--layer", "nope", "-o", out}, {"no layer named 'nope'"});
}

TEST_F(Cli, TuneWritesAPlanThatLoadsBackAndSecondRunHitsTheCache) {
  const std::string model = small_conv_net(dir_);
  const std::string plan_path = (dir_ / "tuned.json").string();
  const std::string cache = (dir_ / "cache" / "tuning-cache.json").string();
  Result first = run({"tune", model, "-o", plan_path, "--repeat", "2", "--threads", "1", "--cache",
                      cache, "--json", (dir_ / "tune.json").string()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("2 measured"), std::string::npos) << first.out;
  EXPECT_TRUE(fs::exists(cache));

  auto loaded_model = algoscope::load_model(model);
  algoscope::Plan plan = algoscope::Plan::load(plan_path);
  EXPECT_NO_THROW(algoscope::validate_plan(plan, loaded_model));
  EXPECT_EQ(plan.layers.size(), 2u);
  EXPECT_EQ(plan.model_fingerprint, loaded_model.fingerprint);
  auto measurements = nlohmann::json::parse(plan.measurements_json);
  EXPECT_EQ(measurements["method"], "tune");
  EXPECT_EQ(measurements["threads"], 1);
  ASSERT_EQ(measurements["layers"].size(), 2u);
  EXPECT_EQ(measurements["layers"][0]["algorithm"], plan.layers.at("conv3x3"));
  EXPECT_GT(measurements["layers"][0]["candidates"].size(), 3u);
  EXPECT_GT(measurements["end_to_end"]["latency_ms"]["median"].get<double>(), 0);
  EXPECT_EQ(read_json(dir_ / "tune.json")["cache_hits"], 0);
  // Both convs have oneDNN candidates: unless the per-layer choices already are oneDNN's, the
  // family's plan was timed too, and the summary says so. Where the two convs' choices differ,
  // a plan giving both one algorithm (an op plan) may be timed as well.
  ASSERT_TRUE(measurements["family_plans"].is_array());
  for (const auto& family : measurements["family_plans"]) {
    if (family["family"] == "") {
      EXPECT_EQ(family["op_type"], "Conv");
      EXPECT_NE(first.out.find("the plan with Conv by " + family["preferred"].get<std::string>()),
                std::string::npos)
          << first.out;
      continue;
    }
    EXPECT_EQ(family["family"], "onednn");
    EXPECT_NE(first.out.find("the onednn layout family's plan"), std::string::npos) << first.out;
  }
  // The tuned plan runs.
  EXPECT_EQ(run({"run", model, "--plan", plan_path}).exit_code, 0);

  Result second = run({"tune", model, "-o", plan_path, "--repeat", "2", "--threads", "1", "--cache",
                       cache, "--json", (dir_ / "tune.json").string()});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("0 measured (0 algorithm timings), 0 sharing the measurements of an "
                            "identical layer, 2 from the tuning cache"),
            std::string::npos)
      << second.out;
  EXPECT_EQ(read_json(dir_ / "tune.json")["timings_performed"], 0);

  Result ignoring = run({"tune", model, "-o", plan_path, "--repeat", "2", "--threads", "1",
                         "--cache", cache, "--no-cache"});
  EXPECT_NE(ignoring.out.find("2 measured"), std::string::npos) << ignoring.out;
  Result cleared = run({"tune", model, "-o", plan_path, "--repeat", "2", "--threads", "1",
                        "--cache", cache, "--clear-cache"});
  EXPECT_NE(cleared.out.find("2 measured"), std::string::npos) << cleared.out;
  EXPECT_NE(cleared.err.find("cleared the tuning cache"), std::string::npos) << cleared.err;

  Result heuristic = run({"tune", model, "-o", plan_path, "--heuristic"});
  ASSERT_EQ(heuristic.exit_code, 0) << heuristic.err;
  algoscope::Plan guessed = algoscope::Plan::load(plan_path);
  EXPECT_NO_THROW(algoscope::validate_plan(guessed, loaded_model));
  EXPECT_EQ(nlohmann::json::parse(guessed.measurements_json)["method"], "heuristic");

  expect_usage_error({"tune", model}, {"-o PLAN"});
  expect_usage_error({"tune", model, "-o"}, {"needs a value"});
  expect_usage_error({"tune", model, "-o", plan_path, "--strategy", "best"},
                     {"--strategy", "per-layer, family or global"});
  expect_usage_error({"tune", model, "-o", plan_path, "--memory-budget", "lots"},
                     {"--memory-budget"});
}

// The global strategy (the default) prints the optimizer's plan with its prediction beside the
// measured time and records it in the plan; a memory budget below the activations is refused.
TEST_F(Cli, TuneGlobalPredictsAndExplainsAndKeepsToAMemoryBudget) {
  const std::string model = small_conv_net(dir_);
  const std::string plan_path = (dir_ / "tuned.json").string();
  const std::string cache = (dir_ / "cache.json").string();
  Result r = run({"tune", model, "-o", plan_path, "--repeat", "2", "--threads", "1", "--cache",
                  cache, "--memory-budget", "64M"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("the plan optimizer's plan"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("measured/predicted"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("memory budget 64"), std::string::npos) << r.out;
  auto measurements = nlohmann::json::parse(algoscope::Plan::load(plan_path).measurements_json);
  EXPECT_EQ(measurements["strategy"], "global");
  ASSERT_TRUE(measurements["global_plan"].is_object());
  EXPECT_GT(measurements["global_plan"]["predicted_ms"].get<double>(), 0);
  EXPECT_EQ(measurements["global_plan"]["layers"].size(), 2u);
  EXPECT_EQ(measurements["memory_budget_bytes"], 64 << 20);

  Result per_layer = run({"tune", model, "-o", plan_path, "--repeat", "2", "--threads", "1",
                          "--cache", cache, "--strategy", "per-layer"});
  ASSERT_EQ(per_layer.exit_code, 0) << per_layer.err;
  EXPECT_EQ(per_layer.out.find("the plan optimizer's plan"), std::string::npos) << per_layer.out;
  EXPECT_TRUE(
      nlohmann::json::parse(algoscope::Plan::load(plan_path).measurements_json)["global_plan"]
          .is_null());

  Result tight = run({"tune", model, "-o", plan_path, "--cache", cache, "--memory-budget", "1K"});
  EXPECT_EQ(tight.exit_code, 2);
  EXPECT_NE(tight.err.find("memory budget of 1024 bytes is less than"), std::string::npos)
      << tight.err;
}

// Two tunes of different models into one cache, started together: both keep their entries (a
// third tune of each is served by the cache alone). Then a corrupt cache: a warning naming where
// it was set aside, exit 0, and a good cache again; and one of an older version, replaced.
TEST_F(Cli, TwoTunesIntoOneCacheAtOnceAndACorruptCacheSetAside) {
  const std::string first = small_conv_net(dir_);
  onnx_builder::ModelBuilder b("other_conv");
  b.input("x", {1, 4, 10, 10});
  b.initializer("w", {6, 4, 3, 3}, onnx_builder::random_floats(6 * 4 * 9, 7));
  b.node("Conv", {"x", "w"}, {"y"}, "conv").ints("pads", {1, 1, 1, 1});
  b.output("y");
  const std::string second = b.write((dir_ / "other_conv.onnx").string());
  const std::string cache = (dir_ / "shared" / "cache.json").string();
  auto tune_command = [&](const std::string& model, const std::string& tag) {
    return "timeout 300 " + quote(ALGOSCOPE_CLI) + " tune " + quote(model) + " -o " +
           quote((dir_ / (tag + ".plan.json")).string()) + " --repeat 2 --threads 1 --cache " +
           quote(cache) + " >" + quote((dir_ / (tag + ".out")).string()) + " 2>&1";
  };
  const std::string both = "(" + tune_command(first, "a") + ") & a=$!; (" +
                           tune_command(second, "b") + ") & b=$!; wait $a && wait $b";
  ASSERT_EQ(std::system(("bash -c " + quote(both)).c_str()), 0)
      << slurp(dir_ / "a.out") << slurp(dir_ / "b.out");
  Result again_first = run({"tune", first, "-o", (dir_ / "a2.json").string(), "--repeat", "2",
                            "--threads", "1", "--cache", cache});
  EXPECT_NE(again_first.out.find("2 from the tuning cache"), std::string::npos) << again_first.out;
  Result again_second = run({"tune", second, "-o", (dir_ / "b2.json").string(), "--repeat", "2",
                             "--threads", "1", "--cache", cache});
  EXPECT_NE(again_second.out.find("1 from the tuning cache"), std::string::npos)
      << again_second.out;

  write("shared/cache.json", "{\"format\": \"algoscope-tuning-cache\", \"entries\": [1,");
  Result corrupt = run({"tune", second, "-o", (dir_ / "b3.json").string(), "--repeat", "2",
                        "--threads", "1", "--cache", cache});
  EXPECT_EQ(corrupt.exit_code, 0) << corrupt.err;
  EXPECT_NE(corrupt.err.find("set aside as '" + cache + ".corrupt'"), std::string::npos)
      << corrupt.err;
  EXPECT_NE(corrupt.out.find("1 measured"), std::string::npos) << corrupt.out;
  EXPECT_TRUE(fs::exists(cache + ".corrupt"));
  EXPECT_TRUE(algoscope::TuningCache(cache).problem().empty());

  // A cache an older algoscope wrote is measured again and replaced, not set aside as broken.
  fs::remove(cache + ".corrupt");
  write("shared/cache.json",
        "{\"format\": \"algoscope-tuning-cache\", \"version\": 1, \"entries\": {}}");
  Result stale = run({"tune", second, "-o", (dir_ / "b4.json").string(), "--repeat", "2",
                      "--threads", "1", "--cache", cache});
  EXPECT_EQ(stale.exit_code, 0) << stale.err;
  EXPECT_NE(stale.err.find("written by an older algoscope (version 1)"), std::string::npos)
      << stale.err;
  EXPECT_NE(stale.out.find("1 measured"), std::string::npos) << stale.out;
  EXPECT_FALSE(fs::exists(cache + ".corrupt"));
  EXPECT_TRUE(algoscope::TuningCache(cache).problem().empty());
}

TEST_F(Cli, CompareTwoPlansOfOneModel) {
  const std::string model = small_conv_net(dir_);
  auto loaded = algoscope::load_model(model);
  algoscope::Plan a = algoscope::Plan::for_model(loaded);
  algoscope::Plan b = algoscope::Plan::for_model(loaded);
  b.layers["conv3x3"] = "im2col";
  a.layers["conv3x3"] = "direct";
  a.save((dir_ / "a.json").string());
  b.save((dir_ / "b.json").string());
  Result r = run({"compare", (dir_ / "a.json").string(), (dir_ / "b.json").string(), model,
                  "--repeat", "3", "--ci", "0", "--json", (dir_ / "compare.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 of 2 layer(s) differ"), std::string::npos) << r.out;
  auto doc = read_json(dir_ / "compare.json");
  EXPECT_EQ(doc["differing_layers"], 1);
  EXPECT_GT(doc["latency_ratio"].get<double>(), 0);
  EXPECT_EQ(doc["layers"][0]["algorithm_a"], "direct");
  EXPECT_EQ(doc["layers"][0]["algorithm_b"], "im2col");
  EXPECT_EQ(doc["layers"][0]["differs"], true);
  EXPECT_EQ(doc["a"]["latency_ms"]["samples"], 3);

  expect_usage_error({"compare", (dir_ / "a.json").string(), model}, {"PLAN_A PLAN_B MODEL"});
  expect_usage_error(
      {"compare", (dir_ / "a.json").string(), (dir_ / "b.json").string(), conv_model},
      {"a.json", "fingerprint"});
}

TEST_F(Cli, PluginAlgorithmsAreListedSelectableAndChecked) {
  const std::string plugin = ALGOSCOPE_EXAMPLE_PLUGIN;
  Result list = run({"--plugin", plugin, "algorithms", "--op", "Conv", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto algorithms = nlohmann::json::parse(list.out).at(0).at("algorithms");
  bool found = false;
  for (const auto& a : algorithms)
    if (a.at("name") == "example_loops") {
      found = true;
      EXPECT_EQ(a.at("backend"), "plugin");
      EXPECT_NE(a.at("plugin").get<std::string>().find("example_plugin"), std::string::npos);
    }
  EXPECT_TRUE(found) << list.out;
  // Without --plugin the algorithm does not exist: a plan naming it is refused.
  expect_usage_error({"run", conv_model, "--select", "Conv=example_loops"}, {"example_loops"});
  // With it: selectable, and it matches ONNX's expected output.
  Result r = run({"run", conv_model, "--inputs", conv_data, "--outputs", (dir_ / "out").string(),
                  "--select", "Conv=example_loops", "--plugin", plugin});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  algoscope::Tensor got = algoscope::read_tensor_file((dir_ / "out" / "output_0.pb").string());
  algoscope::Tensor want = algoscope::read_tensor_file(conv_data + "/output_0.pb");
  ASSERT_EQ(got.shape(), want.shape());
  for (int64_t i = 0; i < want.numel(); ++i)
    EXPECT_NEAR(got.data<float>()[i], want.data<float>()[i], 1e-4);
  Result check = run({"--plugin=" + plugin, "check", conv_model, "--select", "Conv=example_loops"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // Bad plugins: clear messages, exit 2.
  expect_usage_error({"--plugin", (dir_ / "none.so").string(), "algorithms"}, {"no such file"});
  expect_usage_error({"--plugin", write("junk.so", "junk").string(), "algorithms"},
                     {"cannot be loaded"});
  expect_usage_error({"algorithms", "--plugin"}, {"--plugin needs a library path"});
}

}  // namespace
