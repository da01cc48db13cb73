"""The Python module against the engine's other faces: the CLI's outputs on the same model and
plan, the plan files the CLI reads, and the services' reports; bad input as algoscope.Error."""
import json
import os
import signal
import subprocess
import threading

import numpy as np
import pytest

import algoscope

SOURCE = os.environ.get("ALGOSCOPE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("ALGOSCOPE_CLI", "algoscope-cli")
TINY_RESNET = os.path.join(SOURCE, "resources", "models", "tiny_resnet.onnx")
LENET = os.path.join(SOURCE, "resources", "models", "lenet.onnx")


@pytest.fixture(scope="module")
def model():
    return algoscope.load(TINY_RESNET)


def cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)


def test_layers_and_registry_describe_what_the_cli_does(model):
    info = json.loads(cli("info", TINY_RESNET, "--json").stdout)
    assert [layer.name for layer in model.layers] == [layer["name"] for layer in info["layers"]]
    for layer, described in zip(model.layers, info["layers"]):
        assert layer.display_op == described["display_op"]
        assert layer.applicable_algorithms == described["algorithms"]
        assert layer.default_algorithm == described["default"]
        assert layer.flops == pytest.approx(described["flops"])
    conv = next(layer for layer in model.layers if layer.op_type == "Conv")
    assert "im2col" in conv.applicable_algorithms
    assert all(a.workspace_bytes >= 0 for a in conv.algorithms)
    assert [v.shape for v in model.inputs] == [info["inputs"][0]["shape"]]
    assert "Conv" in algoscope.op_types()
    im2col = next(a for a in algoscope.algorithms("Conv") if a.name == "im2col")
    assert "Extra memory" in im2col.teaching and im2col.summary
    assert im2col.tolerance == (1e-4, 1e-3)


def test_running_from_numpy_equals_the_cli(model, tmp_path):
    inputs = model.random_inputs(seed=7)
    for k, array in enumerate(inputs):
        algoscope.write_tensor(str(tmp_path / f"input_{k}.pb"), array)
    plan = algoscope.Plan.for_model(model)
    plan.set_default("Conv", "im2col")
    plan_path = str(tmp_path / "plan.json")
    plan.save(plan_path)
    result = cli("run", TINY_RESNET, "--plan", plan_path, "--inputs", str(tmp_path), "--outputs",
                 str(tmp_path / "out"), "--threads", "1")
    assert result.returncode == 0, result.stderr
    session = algoscope.Session(model, plan, threads=1)
    outputs = session.run(*inputs)
    assert len(outputs) == len(model.outputs)
    for k, got in enumerate(outputs):
        want = algoscope.read_tensor(str(tmp_path / "out" / f"output_{k}.pb"))
        assert got.shape == want.shape and got.dtype == np.float32
        np.testing.assert_array_equal(got, want)  # one engine, one plan, one thread: bit for bit
    # A list, or a non-contiguous array (copied), runs the same.
    np.testing.assert_array_equal(session.run(inputs)[0], outputs[0])
    fortran = np.asfortranarray(inputs[0])
    np.testing.assert_array_equal(session.run(fortran)[0], outputs[0])
    assert dict(session.layers)[model.layers[0].name] in ("im2col", model.layers[0].default_algorithm)


def test_a_plan_built_in_python_round_trips_and_the_cli_takes_it(model, tmp_path):
    plan = algoscope.Plan.for_model(model)
    conv = [layer for layer in model.layers if layer.op_type == "Conv"]
    plan.set_default("Conv", "direct")
    plan.set_layer(conv[0].name, "im2col")
    plan.validate(model)
    again = algoscope.Plan.from_json(plan.to_json())
    assert again == plan and again.layers == {conv[0].name: "im2col"}
    assert again.model_fingerprint == model.fingerprint
    path = str(tmp_path / "plan.json")
    plan.save(path)
    assert algoscope.Plan.load(path) == plan
    result = cli("check", TINY_RESNET, "--plan", path)
    assert result.returncode == 0, result.stderr + result.stdout
    session = algoscope.Session(model, algoscope.Plan.load(path), threads=1)
    assert dict(session.layers)[conv[0].name] == "im2col"


def test_bad_input_raises_clear_errors(model, tmp_path):
    plan = algoscope.Plan.for_model(model)
    conv = next(layer for layer in model.layers if layer.op_type == "Conv")
    plan.set_layer(conv.name, "no_such_algorithm")
    with pytest.raises(algoscope.Error, match="no_such_algorithm"):
        algoscope.Session(model, plan)
    with pytest.raises(algoscope.Error, match="no_such_algorithm"):
        plan.validate(model)
    other = algoscope.Plan.for_model(algoscope.load(LENET))
    with pytest.raises(algoscope.Error, match="lenet"):
        algoscope.Session(model, other)
    session = algoscope.Session(model, threads=1)
    shape = model.inputs[0].shape
    with pytest.raises(algoscope.Error, match="shape"):
        session.run(np.zeros([shape[0], shape[1], shape[2] + 1, shape[3]], dtype=np.float32))
    with pytest.raises(algoscope.Error, match="float64"):
        session.run(np.zeros(shape, dtype=np.float64))
    with pytest.raises(algoscope.Error, match="input"):
        session.run()
    with pytest.raises(algoscope.Error, match="not a valid ONNX model"):
        algoscope.load_bytes(b"garbage" * 10, "garbage.onnx")
    with pytest.raises(algoscope.Error, match="does not exist"):
        algoscope.load(str(tmp_path / "missing.onnx"))
    with pytest.raises(algoscope.Error, match="strategy"):
        algoscope.tune(model, strategy="fastest")


def test_services_report_as_the_cli_does(model):
    plan = algoscope.Plan.for_model(model)
    plan.set_default("Conv", "winograd_f4")
    seen = []
    report = algoscope.check(model, plan, threads=1, propagation=True, progress=seen.append)
    assert report["passed"] and not report["partial"]
    assert len(report["layers"]) == len(model.layers)
    assert all(layer["propagation"] is not None for layer in report["layers"])
    assert seen and seen[-1]["done"] == seen[-1]["total"]
    timed = algoscope.bench(model, plan, threads=1, repeat=3, ci=0)
    assert timed["latency_ms"]["samples"] == 3 and timed["latency_ms"]["median"] > 0
    assert timed["memory"]["peak"]["name"] in [layer.name for layer in model.layers]
    conv = next(layer for layer in model.layers if layer.op_type == "Conv")
    alone = algoscope.time_layers(model, plan, threads=1, layers=[conv.name], repeat=3, ci=0)
    assert {t["algorithm"] for t in alone["timings"]} == set(conv.applicable_algorithms) - {"reference"}


def test_a_tune_stopped_by_its_callback_returns_what_it_finished(model, tmp_path):
    calls = []

    def stop_after_a_few(progress):
        calls.append(progress)
        return len(calls) < 30  # False: stop (after two of the Convs, 12 units each)

    plan, report = algoscope.tune(model, strategy="per-layer", threads=1, repeat=3,
                                  cache_path=str(tmp_path / "cache.json"),
                                  progress=stop_after_a_few)
    assert report["partial"] is True
    decided = report["layers"]
    assert 0 < len(decided) < len(model.layers)
    assert len(calls) == 30
    # The partial plan names the decided layers and is a valid plan for the model.
    assert set(plan.layers) >= {layer["name"] for layer in decided}
    plan.validate(model)
    # An exception in the callback stops the tune too and reaches the caller.
    def fail(progress):
        raise KeyError("from the callback")
    with pytest.raises(KeyError, match="from the callback"):
        algoscope.tune(model, strategy="per-layer", threads=1, cache=False, progress=fail)


def test_ctrl_c_stops_a_tune_and_keeps_what_finished(model, tmp_path):
    calls = []

    def press_ctrl_c_once(progress):
        calls.append(progress)
        if len(calls) == 30:
            os.kill(os.getpid(), signal.SIGINT)  # as a notebook's interrupt button does

    with pytest.warns(RuntimeWarning, match="interrupted"):
        plan, report = algoscope.tune(model, strategy="per-layer", threads=1, repeat=3,
                                      cache_path=str(tmp_path / "cache.json"),
                                      progress=press_ctrl_c_once)
    assert report["partial"] is True
    assert 0 < len(report["layers"]) < len(model.layers)
    assert len(calls) <= 31


def test_the_engine_runs_without_the_gil(model):
    # While another thread benches the model, this one keeps running Python: it could not if the
    # engine held the GIL.
    worker = threading.Thread(
        target=lambda: algoscope.bench(model, threads=1, warmup=1, repeat=30, ci=0))
    worker.start()
    turns = 0
    while worker.is_alive():
        turns += 1
    worker.join()
    assert turns > 1000
