#!/usr/bin/python3
"""Exports torchvision architectures to ONNX with seeded random weights, plus PyTorch's own output
for a seeded random input, in ONNX's test_data_set layout:

    OUT/<model>/model.onnx
    OUT/<model>/test_data_set_0/input_0.pb, output_0.pb

A model named NAME:raw is exported the way an exporter that optimizes nothing would write it:
BatchNormalization nodes kept (TrainingMode.PRESERVE on an eval-mode model), shape sub-graphs left
unfolded. NAME:dynamic names the batch axis (dynamic_axes) and feeds a batch of 3, written to
OUT/NAME_dynamic. algoscope's loader must then do the folding itself. NAME@OPSET exports at that opset
(written to OUT/NAME_opsetOPSET) instead of --opset's: at 17, torch writes LayerNormalization as
one node instead of its ReduceMean/Sub/Pow/Sqrt/Div decomposition.

Besides torchvision's architectures, small models made here exercise ops that torchvision's
classifiers lack: transformer_encoder (a 4-layer torch.nn.TransformerEncoder with GELU and
LayerNorm, batch-first tokens), norm_convnet (convolutions with nn.GroupNorm, which torch exports
as InstanceNormalization over the grouped channels, and nn.InstanceNorm2d with affine parameters)
einsum_net (attention written with torch.einsum), upsample_net (a small U-Net-like decoder whose
upsamplings are Resize nodes: nearest, bilinear with and without align_corners, bicubic, and a
fractional scale), conv_autoencoder (Conv2d downsampling, then ConvTranspose2d upsampling: stride
2 with output_padding, groups, dilation), lstm_tagger (a 2-layer bidirectional nn.LSTM,
batch_first, with a Linear head on every step) and gru_encoder (a 2-layer nn.GRU whose last step
feeds a Linear head), both over a fixed sequence length. Segmentation models
(torchvision.models.segmentation, e.g. lraspp_mobilenet_v3_large) are exported with their "out"
map as the only output.

The models are the independent peer for algoscope's end-to-end tests. Nothing is downloaded:
weights are random (BatchNorm statistics too, so that folding BatchNorm into Conv is exercised).
Runs under /usr/bin/python3, where Debian's python3-torch lives.
"""
import argparse
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torchvision


def randomize_batchnorm(model, generator):
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            c = m.num_features
            m.weight.data = torch.rand(c, generator=generator) * 1.0 + 0.5
            m.bias.data = torch.randn(c, generator=generator) * 0.1
            m.running_mean = torch.randn(c, generator=generator) * 0.1
            m.running_var = torch.rand(c, generator=generator) * 1.0 + 0.5


class NormConvNet(torch.nn.Module):
    """Conv -> GroupNorm -> ReLU -> Conv -> InstanceNorm2d (affine) -> ReLU -> pool -> Linear."""

    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 32, 3, padding=1), torch.nn.GroupNorm(8, 32), torch.nn.ReLU(),
            torch.nn.Conv2d(32, 48, 3, stride=2, padding=1),
            torch.nn.InstanceNorm2d(48, affine=True), torch.nn.ReLU(),
            torch.nn.Conv2d(48, 64, 3, padding=1), torch.nn.GroupNorm(1, 64), torch.nn.ReLU())
        self.head = torch.nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.features(x).mean(dim=(2, 3)))


class UpsampleNet(torch.nn.Module):
    """Encoder convolutions, then a decoder that upsamples in every way torch exports as Resize,
    joining a skip connection as a U-Net does."""

    def __init__(self):
        super().__init__()
        self.down1 = torch.nn.Conv2d(3, 16, 3, stride=2, padding=1)
        self.down2 = torch.nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.nearest = torch.nn.Upsample(scale_factor=2, mode="nearest")
        self.merge = torch.nn.Conv2d(32 + 16, 16, 3, padding=1)
        self.corners = torch.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
        self.head = torch.nn.Conv2d(16, 8, 1)

    def forward(self, x):
        skip = torch.relu(self.down1(x))
        deep = torch.relu(self.down2(skip))
        y = torch.relu(self.merge(torch.cat([self.nearest(deep), skip], dim=1)))
        y = self.head(self.corners(y))
        y = torch.nn.functional.interpolate(y, scale_factor=1.5, mode="bilinear",
                                            align_corners=False)
        return torch.nn.functional.interpolate(y, size=(40, 52), mode="bicubic",
                                               align_corners=False)


class ConvAutoencoder(torch.nn.Module):
    """A small convolutional autoencoder: strided Conv2d downsampling, then nn.ConvTranspose2d
    upsampling as decoders write it: stride 2 with output_padding, a grouped 4x4 stride-2 layer
    (DCGAN's shape), and a dilated stride-1 layer without bias."""

    def __init__(self):
        super().__init__()
        self.enc1 = torch.nn.Conv2d(3, 16, 3, stride=2, padding=1)
        self.enc2 = torch.nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.dec1 = torch.nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1)
        self.dec2 = torch.nn.ConvTranspose2d(16, 16, 4, stride=2, padding=1, groups=4)
        self.dec3 = torch.nn.ConvTranspose2d(16, 3, 3, padding=2, dilation=2, bias=False)

    def forward(self, x):
        y = torch.relu(self.enc2(torch.relu(self.enc1(x))))
        y = torch.relu(self.dec2(torch.relu(self.dec1(y))))
        return self.dec3(y)


class EinsumNet(torch.nn.Module):
    """Single-head attention written with torch.einsum (exported as Einsum nodes: batched
    products with axes in several orders), then an einsum projection and a mean over tokens."""

    def __init__(self):
        super().__init__()
        self.qkv = torch.nn.Linear(32, 96)
        self.proj = torch.nn.Parameter(torch.randn(32, 16) * 0.2)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        scores = torch.einsum("btd,bsd->bts", q, k) / 32 ** 0.5
        y = torch.einsum("bts,bsd->btd", scores.softmax(dim=-1), v)
        return torch.einsum("btd,de->be", y, self.proj) / y.shape[1]


class LstmTagger(torch.nn.Module):
    """A 2-layer bidirectional LSTM over batch-first sequences, a Linear head on every step."""

    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(16, 24, num_layers=2, bidirectional=True, batch_first=True)
        self.head = torch.nn.Linear(48, 10)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y)


class GruEncoder(torch.nn.Module):
    """A 2-layer GRU over batch-first sequences; its last step's output feeds a Linear head."""

    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(16, 20, num_layers=2, batch_first=True)
        self.head = torch.nn.Linear(20, 8)

    def forward(self, x):
        y, _ = self.gru(x)
        return self.head(y[:, -1])


class CausalDecoder(torch.nn.Module):
    """A GPT-like decoder-only stack over token embeddings: pre-LayerNorm
    nn.TransformerEncoderLayer blocks with GELU under a causal mask (each token attends to itself
    and the tokens before it), then a final LayerNorm."""

    def __init__(self, width, heads, layers, tokens):
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(d_model=width, nhead=heads,
                                                 dim_feedforward=4 * width, activation="gelu",
                                                 batch_first=True, norm_first=True)
        self.blocks = torch.nn.TransformerEncoder(layer, num_layers=layers,
                                                  norm=torch.nn.LayerNorm(width))
        self.register_buffer("mask", torch.triu(torch.full((tokens, tokens), float("-inf")), 1))

    def forward(self, x):
        return self.blocks(x, mask=self.mask)


class SegmentationOutput(torch.nn.Module):
    """A torchvision segmentation model returns a dict; its "out" map is the prediction."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)["out"]


def small_model(name, generator, batch):
    """One of the models defined here and its input, or None for a torchvision name."""
    if name == "transformer_encoder":
        layer = torch.nn.TransformerEncoderLayer(d_model=192, nhead=3, dim_feedforward=768,
                                                 activation="gelu", batch_first=True)
        model = torch.nn.TransformerEncoder(layer, num_layers=4, norm=torch.nn.LayerNorm(192))
        return model, torch.randn(batch, 50, 192, generator=generator)
    # The peer benchmark's transformer families (bench/peers): BERT-base's layer shape (768 wide,
    # 12 heads, post-LayerNorm) at 4 layers, and a GPT-like causal decoder, over 128 tokens.
    if name == "bert_encoder":
        layer = torch.nn.TransformerEncoderLayer(d_model=768, nhead=12, dim_feedforward=3072,
                                                 activation="gelu", batch_first=True)
        model = torch.nn.TransformerEncoder(layer, num_layers=4)
        return model, torch.randn(batch, 128, 768, generator=generator)
    if name == "gpt_decoder":
        return CausalDecoder(512, 8, 6, 128), torch.randn(batch, 128, 512, generator=generator)
    if name == "norm_convnet":
        return NormConvNet(), torch.randn(batch, 3, 64, 64, generator=generator)
    if name == "einsum_net":
        return EinsumNet(), torch.randn(batch, 10, 32, generator=generator)
    if name == "upsample_net":
        return UpsampleNet(), torch.randn(batch, 3, 32, 36, generator=generator)
    if name == "conv_autoencoder":
        return ConvAutoencoder(), torch.randn(batch, 3, 32, 40, generator=generator)
    # Recurrent models: batch 2 whatever --batch says (batch entries must not mix), 12 steps.
    if name == "lstm_tagger":
        return LstmTagger(), torch.randn(2, 12, 16, generator=generator)
    if name == "gru_encoder":
        return GruEncoder(), torch.randn(2, 12, 16, generator=generator)
    return None


def randomize_norm_affine(model, generator):
    """LayerNorm/GroupNorm/InstanceNorm start at scale 1, shift 0: random values make the test
    notice a kernel that ignores or misplaces them."""
    for m in model.modules():
        if isinstance(m, (torch.nn.LayerNorm, torch.nn.GroupNorm,
                          torch.nn.modules.instancenorm._InstanceNorm)) and m.weight is not None:
            m.weight.data = torch.rand(m.weight.shape, generator=generator) + 0.5
            m.bias.data = torch.randn(m.bias.shape, generator=generator) * 0.1


def build_model(name, seed, batch, size):
    """The eval-mode model NAME with seeded random weights and its seeded random input; the one
    place where both are made, for the exports here and for bench/peers/torch_bench.py."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    small = small_model(name, generator, batch)
    if small:
        model, x = small
    else:
        x = None
        kwargs = {"weights": None}
        if name in ("googlenet", "inception_v3"):
            kwargs.update(aux_logits=False, init_weights=True)
        if hasattr(torchvision.models.segmentation, name):
            kwargs["weights_backbone"] = None
            model = SegmentationOutput(getattr(torchvision.models.segmentation, name)(**kwargs))
        elif hasattr(torchvision.models.video, name):
            # Video models (r3d_18: the 3-D ResNet) take 16 frames of 112x112.
            model = getattr(torchvision.models.video, name)(**kwargs)
            x = torch.randn(batch, 3, 16, 112, 112, generator=generator)
        else:
            model = getattr(torchvision.models, name)(**kwargs)
    randomize_batchnorm(model, generator)
    randomize_norm_affine(model, generator)
    # torchvision zero-initializes some layers (ViT's classifier head): an all-zero output would
    # make the comparison with PyTorch vacuous.
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1 and not p.any():
                p.copy_(torch.randn(p.shape, generator=generator) * 0.02)
    model.eval()
    if x is None:
        x = torch.randn(batch, 3, size, size, generator=generator)
    return model, x


def export(name, out_dir, seed, opset, batch, size, fold, keep_batchnorm, folder, dynamic):
    model, x = build_model(name, seed, batch, size)
    with torch.no_grad():
        y = model(x)
    target = os.path.join(out_dir, folder)
    data = os.path.join(target, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    torch.onnx.export(model, x, os.path.join(target, "model.onnx"), opset_version=opset,
                      input_names=["input"], output_names=["output"],
                      do_constant_folding=fold,
                      dynamic_axes=({"input": {0: "batch"}, "output": {0: "batch"}}
                                    if dynamic else None),
                      training=(torch.onnx.TrainingMode.PRESERVE if keep_batchnorm
                                else torch.onnx.TrainingMode.EVAL))
    def save(array, path, tensor_name):
        with open(path, "wb") as f:
            f.write(onnx.numpy_helper.from_array(np.ascontiguousarray(array), tensor_name).SerializeToString())
    save(x.numpy(), os.path.join(data, "input_0.pb"), "input")
    save(y.numpy(), os.path.join(data, "output_0.pb"), "output")
    print(f"exported {name}: input {tuple(x.shape)}, output {tuple(y.shape)}, opset {opset}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("models", nargs="+")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--no-constant-folding", action="store_true",
                        help="leave shape sub-graphs in the file for algoscope's loader to fold")
    args = parser.parse_args()
    torch.set_num_threads(2)
    for spec in args.models:
        spec, _, opset = spec.partition("@")
        name, _, variant = spec.partition(":")
        folder = f"{name}_opset{opset}" if opset else name
        if variant == "dynamic":
            folder += "_dynamic"
        if os.path.exists(os.path.join(args.out_dir, folder, "test_data_set_0", "output_0.pb")):
            print(f"{folder}: already exported")
            continue
        raw = variant == "raw"
        # A dynamic export names its batch axis and is fed 3 examples: the engine loads it at
        # batch 1 and must specialise it to the input's size.
        dynamic = variant == "dynamic"
        export(name, args.out_dir, args.seed, int(opset or args.opset),
               3 if dynamic else args.batch, args.size, not (args.no_constant_folding or raw), raw,
               folder, dynamic)
    return 0


if __name__ == "__main__":
    sys.exit(main())
