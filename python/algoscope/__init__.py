"""algoscope from Python: load an ONNX model, see its layers as the CLI and the explorer describe
them, choose an algorithm per layer (a Plan), run it on numpy arrays, and check, time and tune it.

    import algoscope
    model = algoscope.load("resnet18.onnx")
    plan = algoscope.Plan.for_model(model)
    plan.set_default("Conv", "winograd_f4")            # every 3x3 stride-1 Conv, others unchanged
    session = algoscope.Session(model, plan, threads=2)
    (logits,) = session.run(x)                         # numpy in, numpy out
    report = algoscope.check(model, plan)              # every layer against `reference`
    tuned, report = algoscope.tune(model, progress=print)

Every engine error is raised as algoscope.Error with the engine's message. The engine works
without the GIL; a progress callback returning False, or Ctrl-C, stops check, timing and tune,
which then return what they finished, marked partial. For PyTorch modules see algoscope.torch.
"""
from ._core import (  # noqa: F401
    Algorithm,
    Error,
    Layer,
    LayerAlgorithm,
    Model,
    Plan,
    Session,
    TensorInfo,
    Value,
    __version__,
    algorithms,
    bench,
    check,
    load,
    load_bytes,
    load_plugin,
    op_types,
    read_tensor,
    reference_plan,
    time_layers,
    tune,
    write_tensor,
)

__all__ = [
    "Algorithm", "Error", "Layer", "LayerAlgorithm", "Model", "Plan", "Session", "TensorInfo",
    "Value", "algorithms", "bench", "check", "load", "load_bytes", "load_plugin", "op_types",
    "read_tensor", "reference_plan", "time_layers", "tune", "write_tensor",
]
