#!/usr/bin/python3
"""Exports torchvision architectures to ONNX with seeded random weights, plus PyTorch's own output
for a seeded random input, in ONNX's test_data_set layout:

    OUT/<model>/model.onnx
    OUT/<model>/test_data_set_0/input_0.pb, output_0.pb

A model named NAME:raw is exported the way an exporter that optimizes nothing would write it:
BatchNormalization nodes kept (TrainingMode.PRESERVE on an eval-mode model), shape sub-graphs left
unfolded. algoscope's loader must then do the folding itself.

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


def export(name, out_dir, seed, opset, batch, size, fold, keep_batchnorm):
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    kwargs = {"weights": None}
    if name in ("googlenet", "inception_v3"):
        kwargs.update(aux_logits=False, init_weights=True)
    model = getattr(torchvision.models, name)(**kwargs)
    randomize_batchnorm(model, generator)
    # torchvision zero-initializes some layers (ViT's classifier head): an all-zero output would
    # make the comparison with PyTorch vacuous.
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1 and not p.any():
                p.copy_(torch.randn(p.shape, generator=generator) * 0.02)
    model.eval()
    x = torch.randn(batch, 3, size, size, generator=generator)
    with torch.no_grad():
        y = model(x)
    target = os.path.join(out_dir, name)
    data = os.path.join(target, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    torch.onnx.export(model, x, os.path.join(target, "model.onnx"), opset_version=opset,
                      input_names=["input"], output_names=["output"],
                      do_constant_folding=fold,
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
        name, _, variant = spec.partition(":")
        if os.path.exists(os.path.join(args.out_dir, name, "test_data_set_0", "output_0.pb")):
            print(f"{name}: already exported")
            continue
        raw = variant == "raw"
        export(name, args.out_dir, args.seed, args.opset, args.batch, args.size,
               not (args.no_constant_folding or raw), raw)
    return 0


if __name__ == "__main__":
    sys.exit(main())
