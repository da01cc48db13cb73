"""algoscope for PyTorch modules, the way the ai3 framework did it: take a module, choose how each
layer is computed, get back something to call.

    import torch, torchvision, algoscope.torch as at
    net = torchvision.models.resnet18(weights=None).eval()
    x = torch.randn(1, 3, 224, 224)
    fast = at.convert(net, x, {"Conv": "winograd_f4"})              # an op type -> an algorithm
    fast = at.convert(net, x, {"Conv": ["direct", "im2col", ...]})  # by position among the Convs
    fast = at.convert(net, x, lambda layer: "smm" if "smm" in layer.applicable_algorithms else None)
    y = fast(x)                                                     # a torch.Tensor
    at.plan_of(fast).save("resnet18.plan.json")                      # what was chosen

`convert` exports the module with torch.onnx.export, loads the ONNX bytes into algoscope, builds a
Plan from the selection and compiles a Session; the module it returns runs that session.
Inference only: nothing is differentiated, and the inputs must have the sample's shapes and types.
"""
import io
import warnings

import torch

from . import _core

# PyTorch module names as ai3 wrote them, for the ONNX op types torch exports them as.
_TORCH_NAMES = {
    "conv1d": ["Conv"], "conv2d": ["Conv"], "conv3d": ["Conv"],
    "convtranspose2d": ["ConvTranspose"], "linear": ["Gemm", "MatMul"],
    "maxpool2d": ["MaxPool"], "avgpool2d": ["AveragePool"],
    "adaptiveavgpool2d": ["GlobalAveragePool", "AveragePool"], "relu": ["Relu"],
    "batchnorm2d": ["BatchNormalization"], "layernorm": ["LayerNormalization"],
    "multiheadattention": ["Attention"], "softmax": ["Softmax"], "gelu": ["Gelu"],
}


def export(module, sample_input, opset=13):
    """The module as ONNX bytes (torch.onnx.export of its inference on `sample_input`)."""
    inputs = sample_input if isinstance(sample_input, tuple) else (sample_input,)
    buffer = io.BytesIO()
    was_training = module.training
    module.eval()
    try:
        # Not under torch.no_grad(): there, torch's TransformerEncoderLayer takes a fused fast
        # path that has no ONNX export.
        with warnings.catch_warnings():
            # The tracer's warnings about shapes read as Python numbers hold for the sample's
            # shapes, the only ones the converted module takes.
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            torch.onnx.export(module, inputs, buffer, opset_version=opset,
                              input_names=[f"input_{i}" for i in range(len(inputs))],
                              do_constant_folding=True)
    finally:
        module.train(was_training)
    return buffer.getvalue()


def _op_types(model, key):
    """The model's op types a selection key names: an ONNX op type, or a torch module name."""
    present = {layer.op_type for layer in model.layers}
    for op in present:
        if op.lower() == key.lower():
            return [op]
    names = [op for op in _TORCH_NAMES.get(key.lower(), []) if op in present]
    if names:
        return names
    raise _core.Error(f"the selection names '{key}', but the model has no such layer (its op "
                      f"types: {', '.join(sorted(present))})")


def _choose(plan, layer, algorithm, how):
    """Puts `algorithm` in the plan for `layer`, or raises naming why it cannot compute it."""
    if algorithm is None:
        return
    if not isinstance(algorithm, str):
        raise _core.Error(f"{how} gave {algorithm!r} for layer '{layer.name}': give an algorithm "
                          f"name or None")
    known = [a.name for a in layer.algorithms]
    if algorithm not in known:
        raise _core.Error(f"{how}: no algorithm '{algorithm}' for {layer.op_type} (layer "
                          f"'{layer.name}'); its algorithms: {', '.join(known)}")
    found = next(a for a in layer.algorithms if a.name == algorithm)
    if not found.applicable:
        raise _core.Error(f"{how}: '{algorithm}' cannot compute layer '{layer.name}': "
                          f"{found.why_not}")
    plan.set_layer(layer.name, algorithm)


def build_plan(model, selection):
    """A Plan for `model` from a selection in any of convert's forms (see convert)."""
    plan = _core.Plan.for_model(model)
    layers = [layer for layer in model.layers if layer.runnable]
    if selection is None:
        return plan
    if isinstance(selection, str):
        matched = [layer for layer in layers if selection in layer.applicable_algorithms]
        if not matched:
            raise _core.Error(f"'{selection}' applies to no layer of model '{model.name}'")
        for layer in matched:
            plan.set_layer(layer.name, selection)
    elif callable(selection):
        for layer in layers:
            _choose(plan, layer, selection(layer), "the selection function")
    elif isinstance(selection, (list, tuple)):
        if len(selection) != len(layers):
            raise _core.Error(f"the selection lists {len(selection)} algorithm(s) but the model "
                              f"has {len(layers)} runnable layer(s)")
        for layer, algorithm in zip(layers, selection):
            _choose(plan, layer, algorithm, "the selection list")
    elif isinstance(selection, dict):
        for key, choice in selection.items():
            ops = _op_types(model, key)
            of_type = [layer for layer in layers if layer.op_type in ops]
            how = f"selection['{key}']"
            if not of_type:
                raise _core.Error(f"{how}: the model's {'/'.join(ops)} layers cannot run "
                                  f"(see their `problem`)")
            if isinstance(choice, str):
                # As the CLI's --select: where it does not apply the engine chooses.
                if not any(choice in layer.applicable_algorithms for layer in of_type):
                    _choose(plan, of_type[0], choice, how)  # raises with the reason
                for layer in of_type:
                    if choice in layer.applicable_algorithms:
                        plan.set_layer(layer.name, choice)
            elif callable(choice):
                for layer in of_type:
                    _choose(plan, layer, choice(layer), how)
            elif isinstance(choice, (list, tuple)):
                if len(choice) != len(of_type):
                    raise _core.Error(f"{how} lists {len(choice)} algorithm(s) but the model has "
                                      f"{len(of_type)} {'/'.join(ops)} layer(s)")
                for layer, algorithm in zip(of_type, choice):
                    _choose(plan, layer, algorithm, how)
            else:
                raise _core.Error(f"{how} must be an algorithm name, a list of them or a function "
                                  f"of the layer, not {type(choice).__name__}")
    else:
        raise _core.Error("the selection must be an algorithm name, a dict op type -> name, list "
                          "or function, a list by position, or a function of the layer, not "
                          f"{type(selection).__name__}")
    plan.validate(model)
    return plan


class Converted(torch.nn.Module):
    """A PyTorch module whose forward runs an algoscope session of the module it was converted
    from, with the algorithms its plan chose. Inference only: the outputs carry no autograd graph
    (backward through them is impossible), and the inputs must have the shapes and types of the
    sample the module was exported with (algoscope.Error otherwise). Inputs may live on any device;
    they are read on the CPU and the outputs are CPU tensors."""

    def __init__(self, model, plan, threads=0):
        super().__init__()
        self.model = model
        self.plan = plan
        self.session = _core.Session(model, plan, threads)

    def forward(self, *inputs):
        arrays = [t.detach().cpu().contiguous().numpy() if isinstance(t, torch.Tensor) else t
                  for t in inputs]
        outputs = [torch.from_numpy(array) for array in self.session.run(arrays)]
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def extra_repr(self):
        return f"model={self.model.name}, threads={self.session.threads}"


def convert(module, sample_input, selection=None, threads=0, opset=13):
    """Exports `module` (a torch.nn.Module, used for inference) on `sample_input` (a tensor or a
    tuple of them), chooses each layer's algorithm from `selection` and returns a Converted module
    that runs it with algoscope. `selection`:

    - None: the engine's own choice everywhere;
    - an algorithm name: it, wherever it applies;
    - a dict from op type (ONNX's "Conv", "MatMul", "Attention", ..., or ai3's torch names
      "conv2d", "linear") to an algorithm name (where it applies, like the CLI's --select), a list
      of names by position among that op's layers in execution order (None: the engine's choice),
      or a function of the layer (an algoscope.Layer: name, op_type, input and output shapes,
      applicable_algorithms) returning a name or None;
    - a list of names by position among all runnable layers;
    - a function of the layer, for every layer.

    A name that is unknown or does not apply where it was asked for raises algoscope.Error naming
    the layer and why."""
    model = _core.load_bytes(export(module, sample_input, opset), f"{type(module).__name__}.onnx")
    return Converted(model, build_plan(model, selection), threads)


def plan_of(converted):
    """The Plan a Converted module runs (save it with .save(path) for the CLI or the explorer)."""
    if not isinstance(converted, Converted):
        raise TypeError("plan_of takes what algoscope.torch.convert returned")
    return converted.plan
