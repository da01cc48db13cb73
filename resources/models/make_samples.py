#!/usr/bin/python3
"""Writes the sample models bundled with algoscope (resources/models/*.onnx): small enough to ship
and to run instantly, varied enough to show the algorithm choices. Weights are random with a fixed
seed. Regenerate with: /usr/bin/python3 resources/models/make_samples.py resources/models

- lenet.onnx: LeNet-5 on 1x1x28x28 (5x5 convs, max pooling, fully connected layers).
- tiny_resnet.onnx: a ResNet-like net on 1x3x64x64 with 3x3, 1x1, strided, grouped and depthwise
  convolutions, BatchNorm (left for algoscope's loader to fold), residual additions, ReLU6 and
  global average pooling.
"""
import os
import sys

import torch
import torch.nn as nn


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


class Block(nn.Module):
    """Basic residual block; `groups` > 1 makes the second conv grouped."""

    def __init__(self, cin, cout, stride, groups):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (self.down(x) if self.down is not None else x))


class InvertedResidual(nn.Module):
    """MobileNetV2-style: 1x1 expand, 3x3 depthwise, 1x1 project, ReLU6."""

    def __init__(self, c, expand):
        super().__init__()
        h = c * expand
        self.body = nn.Sequential(
            nn.Conv2d(c, h, 1, bias=False), nn.BatchNorm2d(h), nn.ReLU6(),
            nn.Conv2d(h, h, 3, 1, 1, groups=h, bias=False), nn.BatchNorm2d(h), nn.ReLU6(),
            nn.Conv2d(h, c, 1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x):
        return x + self.body(x)


class TinyResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.layer1 = Block(16, 16, 1, 1)
        self.layer2 = Block(16, 32, 2, 4)
        self.mobile = InvertedResidual(32, 4)
        self.layer3 = Block(32, 64, 2, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.layer3(self.mobile(self.layer2(self.layer1(self.stem(x)))))
        return self.fc(torch.flatten(self.pool(x), 1))


def randomize_batchnorm(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.normal_(0, 0.1)
            m.running_mean.normal_(0, 0.1)
            m.running_var.uniform_(0.5, 1.5)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    torch.manual_seed(0)
    for name, model, shape in [("lenet", LeNet(), (1, 1, 28, 28)),
                               ("tiny_resnet", TinyResNet(), (1, 3, 64, 64))]:
        randomize_batchnorm(model)
        model.eval()
        torch.onnx.export(model, torch.randn(*shape), os.path.join(out, name + ".onnx"),
                          opset_version=13, input_names=["input"], output_names=["logits"],
                          training=torch.onnx.TrainingMode.PRESERVE)
        print(f"wrote {name}.onnx")


if __name__ == "__main__":
    main()
