// The Python extension algoscope._core: the engine as Python sees it (python/algoscope/__init__.py
// re-exports it). Models, their layers as the CLI and explorer describe them, the registry with
// its teaching texts, plans, sessions that run on numpy arrays (views in, owned arrays out, no
// copies where the layout allows), and the measurement services with progress callbacks and
// cancellation. Results of the services are the engine's own JSON, parsed, so a dict from Python
// has the fields the CLI's --json files document. The GIL is released while the engine works and
// taken back only to call Python (a progress callback, a signal check for Ctrl-C).
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/algoscope.h"

namespace py = pybind11;

namespace algoscope::python {
namespace {

py::object parse_json(const std::string& text) {
  return py::module_::import("json").attr("loads")(text);
}

// numpy dtype <-> engine DType.
DType dtype_of_array(const py::array& array, const std::string& what) {
  const py::dtype d = array.dtype();
  if (d.is(py::dtype::of<float>())) return DType::Float32;
  if (d.is(py::dtype::of<int64_t>())) return DType::Int64;
  if (d.is(py::dtype::of<int32_t>())) return DType::Int32;
  if (d.is(py::dtype::of<bool>())) return DType::Bool;
  if (d.is(py::dtype::of<uint8_t>())) return DType::UInt8;
  throw Error(what + " has numpy dtype " + d.attr("name").cast<std::string>() +
              "; algoscope computes float32, int64, int32, bool and uint8");
}

py::dtype numpy_dtype(DType type) {
  switch (type) {
    case DType::Float32:
      return py::dtype::of<float>();
    case DType::Int64:
      return py::dtype::of<int64_t>();
    case DType::Int32:
      return py::dtype::of<int32_t>();
    case DType::Bool:
      return py::dtype::of<bool>();
    case DType::UInt8:
      return py::dtype::of<uint8_t>();
  }
  throw Error("unknown tensor type");
}

// A view of a C-contiguous array (the array must outlive it); others are copied into `keep`.
Tensor tensor_view(py::handle object, const std::string& what, std::vector<py::array>& keep) {
  py::array array = py::array::ensure(object);
  if (!array) throw Error(what + " is not an array (give a numpy array or a CPU torch tensor)");
  if (!(array.flags() & py::array::c_style))
    array = py::array::ensure(array, py::array::c_style | py::array::forcecast);
  const DType type = dtype_of_array(array, what);
  Shape shape(array.shape(), array.shape() + array.ndim());
  keep.push_back(array);
  return Tensor::view(type, std::move(shape), const_cast<void*>(array.data()));
}

// An array that owns the tensor's storage (moved, not copied).
py::array to_numpy(Tensor&& tensor) {
  auto* owned = new Tensor(std::move(tensor));
  py::capsule free(owned, [](void* p) { delete static_cast<Tensor*>(p); });
  std::vector<py::ssize_t> shape(owned->shape().begin(), owned->shape().end());
  return py::array(numpy_dtype(owned->dtype()), shape, owned->raw(), free);
}

std::vector<Tensor> input_tensors(const Model& model, const py::sequence& inputs,
                                  std::vector<py::array>& keep) {
  std::vector<Tensor> tensors;
  for (size_t i = 0; i < inputs.size(); ++i)
    tensors.push_back(
        tensor_view(inputs[i],
                    "input " + std::to_string(i) +
                        (i < model.inputs.size() ? " ('" + model.inputs[i] + "')" : ""),
                    keep));
  return tensors;
}

// Progress and cancellation for a service called from Python. The engine calls `progress` on the
// calling thread before each unit of work; it takes the GIL, checks for Ctrl-C (a
// KeyboardInterrupt cancels the service, which then returns what it finished) and calls the
// user's callback with a dict, whose False return value cancels too.
class ServiceControl {
 public:
  explicit ServiceControl(py::object callback) : callback_(std::move(callback)) {}
  RunControl control() {
    RunControl c;
    c.cancel = token_;
    c.progress = [this](const Progress& p) {
      py::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() != 0) {
        PyErr_Clear();
        interrupted_ = true;
        token_->cancel();
        return;
      }
      if (callback_.is_none()) return;
      try {
        py::dict report;
        report["done"] = p.done;
        report["total"] = p.total;
        report["layer"] = p.layer;
        report["algorithm"] = p.algorithm;
        const py::object answer = callback_(report);
        if (!answer.is_none() && !answer.cast<bool>()) token_->cancel();
      } catch (py::error_already_set& e) {
        // Ctrl-C while the callback ran is an interrupt like any other; another exception stops
        // the service and is raised once the engine returns.
        if (e.matches(PyExc_KeyboardInterrupt))
          interrupted_ = true;
        else
          error_ = std::make_unique<py::error_already_set>(std::move(e));
        token_->cancel();
      }
    };
    return c;
  }
  // After the service: raises the callback's exception, if any.
  void finish() {
    if (error_) {
      std::unique_ptr<py::error_already_set> error = std::move(error_);
      throw std::move(*error);
    }
  }
  bool interrupted() const { return interrupted_; }

 private:
  py::object callback_;
  std::shared_ptr<CancelToken> token_ = std::make_shared<CancelToken>();
  std::unique_ptr<py::error_already_set> error_;
  bool interrupted_ = false;
};

// Runs `work` without the GIL, then hands the callback's exception on; with Ctrl-C the result is
// kept (marked partial by the engine) and a KeyboardInterrupt warning printed.
template <typename Work>
auto run_service(ServiceControl& control, Work&& work) {
  auto result = [&] {
    py::gil_scoped_release release;
    return work();
  }();
  control.finish();
  if (control.interrupted())
    PyErr_WarnEx(PyExc_RuntimeWarning,
                 "interrupted (Ctrl-C): the result holds what finished and is marked partial", 1);
  return result;
}

Plan plan_or_default(const std::shared_ptr<Model>& model, const std::optional<Plan>& plan) {
  return plan ? *plan : Plan::for_model(*model);
}

AdaptiveRepeat adaptive_from(double ci, int max_repeat, double budget_s, AdaptiveRepeat fallback) {
  if (ci >= 0) fallback.target_ci = ci;
  if (max_repeat > 0) fallback.max_repeat = max_repeat;
  if (budget_s > 0) fallback.budget_ms = budget_s * 1e3;
  return fallback;
}

// The Session a Python object holds, with its model kept alive.
class PySession {
 public:
  PySession(std::shared_ptr<Model> model, const std::optional<Plan>& plan, int threads)
      : model_(model) {
    const Plan p = plan_or_default(model, plan);
    py::gil_scoped_release release;
    session_ = std::make_unique<Session>(model_, p, SessionOptions{threads});
  }
  py::list run(const py::args& args) {
    // run(x) or run(x, y) or run([x, y]).
    py::sequence inputs = args;
    if (args.size() == 1 &&
        (py::isinstance<py::list>(args[0]) || py::isinstance<py::tuple>(args[0])))
      inputs = args[0].cast<py::sequence>();
    std::vector<py::array> keep;
    std::vector<Tensor> tensors = input_tensors(*model_, inputs, keep);
    std::vector<Tensor> outputs;
    {
      py::gil_scoped_release release;
      outputs = session_->run(tensors);
    }
    py::list result;
    for (Tensor& t : outputs) result.append(to_numpy(std::move(t)));
    return result;
  }
  const Session& session() const { return *session_; }
  std::shared_ptr<Model> model() const { return model_; }

 private:
  std::shared_ptr<Model> model_;
  std::unique_ptr<Session> session_;
};

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() =
      "algoscope's engine: load ONNX models, choose an algorithm per layer, run, check, time "
      "and tune (see the algoscope package)";
  // Every engine error (a bad file, plan, name or shape) is algoscope.Error with the engine's
  // message.
  py::register_exception<Error>(m, "Error");
  m.attr("__version__") = version();

  py::class_<TensorInfo>(m, "TensorInfo")
      .def_property_readonly("dtype", [](const TensorInfo& t) { return dtype_name(t.dtype); })
      .def_property_readonly("shape", [](const TensorInfo& t) { return t.shape; })
      .def("__repr__", [](const TensorInfo& t) {
        return std::string(dtype_name(t.dtype)) + "[" + shape_to_string(t.shape) + "]";
      });

  py::class_<ValueDescription>(m, "Value")
      .def_readonly("name", &ValueDescription::name)
      .def_readonly("constant", &ValueDescription::constant)
      .def_property_readonly("dtype",
                             [](const ValueDescription& v) -> py::object {
                               return v.known ? py::object(py::str(dtype_name(v.info.dtype)))
                                              : py::object(py::none());
                             })
      .def_property_readonly("shape",
                             [](const ValueDescription& v) -> py::object {
                               return v.known ? py::cast(v.info.shape) : py::none();
                             })
      .def("__repr__", [](const ValueDescription& v) { return v.name + ": " + v.shape_text(); });

  py::class_<AlgorithmDescription>(m, "LayerAlgorithm")
      .def_readonly("name", &AlgorithmDescription::name)
      .def_property_readonly("backend",
                             [](const AlgorithmDescription& a) { return backend_name(a.backend); })
      .def_readonly("why_not", &AlgorithmDescription::why_not)
      .def_readonly("is_default", &AlgorithmDescription::is_default)
      .def_readonly("workspace_bytes", &AlgorithmDescription::workspace_bytes)
      .def_readonly("prepared_bytes", &AlgorithmDescription::prepared_bytes)
      .def_readonly("traffic_bytes", &AlgorithmDescription::traffic_bytes)
      .def_property_readonly("applicable", &AlgorithmDescription::applicable)
      .def("__repr__", [](const AlgorithmDescription& a) {
        return a.name + (a.applicable() ? "" : " (not applicable: " + a.why_not + ")");
      });

  // The same description `algoscope-cli info` and the explorer's layer table show.
  py::class_<LayerDescription>(m, "Layer")
      .def_readonly("index", &LayerDescription::index)
      .def_readonly("name", &LayerDescription::node)
      .def_readonly("op_type", &LayerDescription::op_type)
      .def_readonly("domain", &LayerDescription::domain)
      .def_readonly("display_op", &LayerDescription::display_op)
      .def_readonly("merged_nodes", &LayerDescription::merged_nodes)
      .def_readonly("inputs", &LayerDescription::inputs)
      .def_readonly("outputs", &LayerDescription::outputs)
      .def_readonly("parameters", &LayerDescription::parameters)
      .def_readonly("flops", &LayerDescription::flops)
      .def_readonly("problem", &LayerDescription::problem)
      .def_readonly("algorithms", &LayerDescription::algorithms)
      .def_readonly("default_algorithm", &LayerDescription::default_algorithm)
      .def_property_readonly("runnable", &LayerDescription::runnable)
      .def_property_readonly("applicable_algorithms", &LayerDescription::applicable_algorithms)
      .def("__repr__", [](const LayerDescription& d) {
        return "<Layer " + d.node + ": " + d.display_op + " " + d.input_shapes_text() + " -> " +
               d.output_shapes_text() + ">";
      });

  py::class_<Model, std::shared_ptr<Model>>(m, "Model")
      .def_readonly("name", &Model::name)
      .def_readonly("path", &Model::path)
      .def_readonly("fingerprint", &Model::fingerprint)
      .def_readonly("producer", &Model::producer)
      .def_readonly("opset", &Model::opset)
      .def_readonly("load_notes", &Model::load_notes)
      .def_property_readonly("inputs",
                             [](const Model& model) {
                               std::vector<ValueDescription> values;
                               for (const auto& n : model.inputs)
                                 values.push_back(describe_value(model, n));
                               return values;
                             })
      .def_property_readonly("outputs",
                             [](const Model& model) {
                               std::vector<ValueDescription> values;
                               for (const auto& n : model.outputs)
                                 values.push_back(describe_value(model, n));
                               return values;
                             })
      .def_property_readonly("layers", [](const Model& model) { return describe_layers(model); })
      .def("unsupported_ops", [](const Model& model) { return unsupported_ops(model); })
      .def(
          "random_inputs",
          [](const Model& model, uint64_t seed) {
            py::list result;
            for (Tensor& t : random_inputs(model, seed)) result.append(to_numpy(std::move(t)));
            return result;
          },
          py::arg("seed") = 42, "Deterministic inputs, as the CLI uses without --inputs")
      .def("__repr__", [](const Model& model) {
        return "<Model " + model.name + ": " + std::to_string(model.nodes.size()) + " layers>";
      });

  m.def(
      "load",
      [](const std::string& path) {
        py::gil_scoped_release release;
        return std::make_shared<Model>(load_model(path));
      },
      py::arg("path"), "Loads an ONNX file; raises algoscope.Error naming what is wrong");
  m.def(
      "load_bytes",
      [](const py::bytes& bytes, const std::string& name) {
        std::string data = bytes;
        py::gil_scoped_release release;
        return std::make_shared<Model>(load_model_from_bytes(data, name));
      },
      py::arg("data"), py::arg("name") = "model.onnx",
      "Loads an ONNX model from bytes (`name` names it in messages)");

  // --- The registry.
  py::class_<Algorithm>(m, "Algorithm")
      .def_readonly("name", &Algorithm::name)
      .def_property_readonly("backend", [](const Algorithm& a) { return backend_name(a.backend); })
      .def_readonly("summary", &Algorithm::summary)
      .def_readonly("teaching", &Algorithm::teaching)
      .def_property_readonly(
          "tolerance",
          [](const Algorithm& a) { return py::make_tuple(a.tolerance.atol, a.tolerance.rtol); })
      .def_readonly("layout_family", &Algorithm::layout_family)
      .def_readonly("origin", &Algorithm::origin)
      .def("__repr__", [](const Algorithm& a) { return "<Algorithm " + a.name + ">"; });
  m.def("op_types", [] { return Registry::instance().op_types(); });
  m.def(
      "algorithms",
      [](const std::string& op) {
        const OpDefinition* definition = Registry::instance().find_op(op);
        if (!definition) throw Error("no op type '" + op + "' in the registry");
        std::vector<const Algorithm*> result;
        for (const Algorithm& a : definition->algorithms) result.push_back(&a);
        return result;
      },
      py::arg("op_type"), py::return_value_policy::reference,
      "The algorithms of an op type, in registry order");
  m.def(
      "load_plugin", [](const std::string& path) { load_plugin(path); }, py::arg("path"));

  // --- Plans.
  py::class_<Plan>(m, "Plan")
      .def(py::init<>())
      .def_static("for_model", &Plan::for_model, py::arg("model"),
                  "A plan for `model` with nothing chosen (the engine's choice everywhere)")
      .def_static("from_json", &Plan::from_json, py::arg("text"), py::arg("origin") = "plan")
      .def_static("load", &Plan::load, py::arg("path"))
      .def("to_json", &Plan::to_json)
      .def("save", &Plan::save, py::arg("path"))
      .def_readwrite("model_name", &Plan::model_name)
      .def_readwrite("model_fingerprint", &Plan::model_fingerprint)
      .def_readwrite("defaults", &Plan::defaults, "op type -> algorithm")
      .def_readwrite("layers", &Plan::layers, "layer (node) name -> algorithm")
      .def(
          "set_default",
          [](Plan& p, const std::string& op, const std::string& algorithm) {
            p.defaults[op] = algorithm;
          },
          py::arg("op_type"), py::arg("algorithm"))
      .def(
          "set_layer",
          [](Plan& p, const std::string& layer, const std::string& algorithm) {
            p.layers[layer] = algorithm;
          },
          py::arg("layer"), py::arg("algorithm"))
      .def(
          "validate", [](const Plan& p, const Model& model) { validate_plan(p, model); },
          py::arg("model"),
          "Raises algoscope.Error naming every unknown layer or algorithm, an algorithm that does "
          "not apply, or a plan made for another model")
      .def("__eq__", [](const Plan& a, const Plan& b) { return a == b; })
      .def("__repr__", [](const Plan& p) {
        return "<Plan for " + (p.model_name.empty() ? std::string("any model") : p.model_name) +
               ": " + std::to_string(p.defaults.size()) + " op default(s), " +
               std::to_string(p.layers.size()) + " layer choice(s)>";
      });
  m.def("reference_plan", &reference_plan, py::arg("model"));

  // --- Sessions.
  py::class_<PySession>(m, "Session")
      .def(py::init<std::shared_ptr<Model>, const std::optional<Plan>&, int>(), py::arg("model"),
           py::arg("plan") = py::none(), py::arg("threads") = 0,
           "Compiles `model` under `plan` (None: the engine's choice) for `threads` threads (0: "
           "all); raises algoscope.Error for an unknown or non-applicable algorithm")
      .def("run", &PySession::run,
           "Runs on numpy arrays (or CPU torch tensors), one per graph input in order; returns "
           "the outputs as numpy arrays. Raises algoscope.Error for a wrong count, type or shape")
      .def_property_readonly("threads", [](const PySession& s) { return s.session().threads(); })
      .def_property_readonly("arena_bytes",
                             [](const PySession& s) { return s.session().arena_bytes(); })
      .def_property_readonly("layers",
                             [](const PySession& s) {
                               py::list result;
                               for (const CompiledLayer& l : s.session().layers())
                                 result.append(py::make_tuple(l.node->name, l.algorithm->name));
                               return result;
                             })
      .def_property_readonly("model", &PySession::model);

  // --- Measurement services: results as the CLI's JSON, parsed.
  m.def(
      "check",
      [](std::shared_ptr<Model> model, const std::optional<Plan>& plan, int threads,
         bool propagation, const py::object& inputs, const py::object& progress) {
        CheckOptions options;
        options.threads = threads;
        options.propagation = propagation;
        std::vector<py::array> keep;
        if (!inputs.is_none())
          options.inputs = input_tensors(*model, inputs.cast<py::sequence>(), keep);
        ServiceControl control(progress);
        options.control = control.control();
        const Plan p = plan_or_default(model, plan);
        const std::string json =
            run_service(control, [&] { return to_json(check_plan(model, p, options)); });
        return parse_json(json);
      },
      py::arg("model"), py::arg("plan") = py::none(), py::arg("threads") = 0,
      py::arg("propagation") = false, py::arg("inputs") = py::none(),
      py::arg("progress") = py::none(),
      "Every layer of the plan against `reference` on the same inputs, then the outputs end to "
      "end (as `algoscope-cli check --json`)");
  m.def(
      "time_layers",
      [](std::shared_ptr<Model> model, const std::optional<Plan>& plan, int threads,
         std::vector<std::string> layers, bool verify, int warmup, int repeat, double ci,
         const py::object& progress) {
        LayerTimingOptions options;
        options.threads = threads;
        options.nodes = std::move(layers);
        options.verify = verify;
        options.warmup = warmup;
        options.repeat = repeat;
        options.adaptive = adaptive_from(ci, 0, 0, options.adaptive);
        ServiceControl control(progress);
        options.control = control.control();
        const Plan p = plan_or_default(model, plan);
        const std::string json =
            run_service(control, [&] { return to_json(time_layers(model, p, options)); });
        return parse_json(json);
      },
      py::arg("model"), py::arg("plan") = py::none(), py::arg("threads") = 0,
      py::arg("layers") = std::vector<std::string>{}, py::arg("verify") = true,
      py::arg("warmup") = 1, py::arg("repeat") = 5, py::arg("ci") = -1.0,
      py::arg("progress") = py::none(),
      "Every applicable algorithm of the layers (all: empty) alone, on inputs recorded from a run "
      "of the plan (as `algoscope-cli bench --all-algorithms`)");
  m.def(
      "bench",
      [](std::shared_ptr<Model> model, const std::optional<Plan>& plan, int threads, int warmup,
         int repeat, double ci, int max_repeat, double budget_s, const py::object& progress) {
        EndToEndOptions options;
        options.threads = threads;
        options.warmup = warmup;
        options.repeat = repeat;
        options.adaptive = adaptive_from(ci, max_repeat, budget_s, options.adaptive);
        ServiceControl control(progress);
        options.control = control.control();
        const Plan p = plan_or_default(model, plan);
        const std::string json =
            run_service(control, [&] { return to_json(time_end_to_end(model, p, options)); });
        return parse_json(json);
      },
      py::arg("model"), py::arg("plan") = py::none(), py::arg("threads") = 0, py::arg("warmup") = 2,
      py::arg("repeat") = 10, py::arg("ci") = -1.0, py::arg("max_repeat") = 0,
      py::arg("budget") = 0.0, py::arg("progress") = py::none(),
      "The compiled plan end to end: latency, per-layer times, memory (as `algoscope-cli bench "
      "--json`); the run's statistics in milliseconds");
  m.def(
      "tune",
      [](std::shared_ptr<Model> model, const std::string& strategy, int threads, int repeat,
         bool cache, const std::string& cache_path, bool end_to_end, const py::object& progress) {
        TuneOptions options;
        const auto s = tune_strategy_named(strategy);
        if (!s)
          throw Error("unknown tuning strategy '" + strategy + "': per-layer, family or global");
        options.strategy = *s;
        options.threads = threads;
        options.repeat = repeat;
        options.use_cache = cache;
        options.cache_path = cache_path;
        options.measure_end_to_end = end_to_end;
        ServiceControl control(progress);
        options.control = control.control();
        TuneResult result = run_service(control, [&] { return tune(model, options); });
        return py::make_tuple(result.plan, parse_json(to_json(result)));
      },
      py::arg("model"), py::arg("strategy") = "global", py::arg("threads") = 0,
      py::arg("repeat") = 5, py::arg("cache") = true, py::arg("cache_path") = "",
      py::arg("end_to_end") = true, py::arg("progress") = py::none(),
      "Per layer the fastest algorithm within tolerance (as `algoscope-cli tune`); returns (plan, "
      "report). A progress callback returning False, or Ctrl-C, stops it: the plan then names "
      "the layers decided so far and the report says partial");

  // --- Tensors in ONNX's .pb files, as the CLI's --inputs/--outputs folders hold them.
  m.def(
      "read_tensor", [](const std::string& path) { return to_numpy(read_tensor_file(path)); },
      py::arg("path"));
  m.def(
      "write_tensor",
      [](const std::string& path, const py::object& array) {
        std::vector<py::array> keep;
        write_tensor_file(path, tensor_view(array, "the tensor", keep));
      },
      py::arg("path"), py::arg("array"));
}

}  // namespace algoscope::python
