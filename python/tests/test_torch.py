"""algoscope.torch.convert against the PyTorch modules it converts: torchvision's ResNet-18 and a
transformer encoder, with each form of selection; their outputs must match torch's within the
tolerance of the algorithms chosen."""
import pytest

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")

import algoscope  # noqa: E402
import algoscope.torch as at  # noqa: E402


def close_to(got, want, rtol):
    """|got - want| <= rtol * (max(1, max |want|) + |want|), the engine's tolerance form."""
    scale = max(1.0, want.abs().max().item())
    return bool(((got - want).abs() <= rtol * (scale + want.abs())).all())


@pytest.fixture(scope="module")
def resnet18():
    torch.manual_seed(0)
    net = torchvision.models.resnet18(weights=None).eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        want = net(x)
    return net, x, want


@pytest.fixture(scope="module")
def encoder():
    torch.manual_seed(1)
    layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128,
                                             batch_first=True)
    net = torch.nn.TransformerEncoder(layer, num_layers=2).eval()
    x = torch.randn(1, 12, 64)
    with torch.no_grad():
        want = net(x)
    return net, x, want


def test_resnet18_with_an_algorithm_per_op_type(resnet18):
    net, x, want = resnet18
    fast = at.convert(net, x, {"Conv": "im2col"}, threads=1)
    got = fast(x)
    assert isinstance(got, torch.Tensor) and got.shape == want.shape
    assert close_to(got, want, 1e-3)
    plan = at.plan_of(fast)
    convs = [layer for layer in fast.model.layers if layer.op_type == "Conv"]
    assert len(convs) == 20
    assert all(plan.layers[layer.name] == "im2col" for layer in convs)
    assert dict(fast.session.layers)[convs[0].name] == "im2col"
    # ai3's module names work too.
    assert at.plan_of(at.convert(net, x, {"conv2d": "im2col"})) == plan


def test_resnet18_with_a_list_by_position_and_a_function(resnet18):
    net, x, want = resnet18
    model = algoscope.load_bytes(at.export(net, x))
    convs = [layer for layer in model.layers if layer.op_type == "Conv"]
    by_position = ["direct" if i % 2 else "im2col" for i in range(len(convs))]
    listed = at.convert(net, x, {"Conv": by_position}, threads=1)
    assert close_to(listed(x), want, 1e-3)
    assert [at.plan_of(listed).layers[c.name] for c in convs] == by_position

    def winograd_where_it_applies(layer):
        return "winograd_f2" if "winograd_f2" in layer.applicable_algorithms else None

    chosen = at.convert(net, x, winograd_where_it_applies, threads=1)
    assert close_to(chosen(x), want, 1e-3)
    three_by_three = [c for c in convs if "winograd_f2" in c.applicable_algorithms]
    assert three_by_three and all(at.plan_of(chosen).layers[c.name] == "winograd_f2"
                                  for c in three_by_three)
    # The plan saves for the CLI and the explorer, and loads back equal.
    again = algoscope.Plan.from_json(at.plan_of(chosen).to_json())
    assert again == at.plan_of(chosen)


def test_transformer_encoder_with_each_selection_form(encoder):
    net, x, want = encoder
    model = algoscope.load_bytes(at.export(net, x))
    ops = {layer.op_type for layer in model.layers}
    assert "Attention" in ops, ops  # the loader fused torch's attention
    attention = [layer for layer in model.layers if layer.op_type == "Attention"]
    attention_algorithms = [a for a in attention[0].applicable_algorithms if a != "reference"]
    forms = [
        {"Attention": attention_algorithms[-1]},
        {"Attention": [attention_algorithms[0]] * len(attention)},
        {"Attention": lambda layer: attention_algorithms[-1]},
        lambda layer: "reference" if layer.op_type == "LayerNormalization" else None,
        [None] * len([layer for layer in model.layers if layer.runnable]),
    ]
    for selection in forms:
        fast = at.convert(net, x, selection, threads=1)
        got = fast(x)
        assert got.shape == want.shape
        assert close_to(got, want, 1e-3), selection
    assert not fast(x).requires_grad


def test_a_session_runs_on_torch_tensors_as_on_numpy(resnet18):
    net, x, want = resnet18
    model = algoscope.load_bytes(at.export(net, x))
    session = algoscope.Session(model, threads=1)
    from_tensor = session.run(x)[0]
    assert (from_tensor == session.run(x.numpy())[0]).all()
    assert close_to(torch.from_numpy(from_tensor), want, 1e-3)


def test_bad_selections_and_inputs_raise_clear_errors(resnet18):
    net, x, _ = resnet18
    with pytest.raises(algoscope.Error, match="no algorithm 'nope' for Conv"):
        at.convert(net, x, {"Conv": lambda layer: "nope"})
    with pytest.raises(algoscope.Error, match="cannot compute layer"):
        at.convert(net, x, {"Conv": lambda layer: "winograd_f4"})  # the 7x7 stem
    with pytest.raises(algoscope.Error, match="lists 2 algorithm"):
        at.convert(net, x, {"Conv": ["direct", "im2col"]})
    with pytest.raises(algoscope.Error, match="no such layer"):
        at.convert(net, x, {"LSTM": "direct"})
    fast = at.convert(net, x)
    with pytest.raises(algoscope.Error, match="shape"):
        fast(torch.randn(1, 3, 32, 32))
