#!/usr/bin/python3
"""What calling an algoscope session from Python costs over running it from C++: a converted
torchvision ResNet-18 (algoscope.torch.convert, random weights) called as a torch module, against
the same model and plan timed end to end by the engine itself (algoscope.bench, C++'s
time_end_to_end: Session::run in a loop). Rounds alternate the two so that a shared machine's drift
affects both; each round's ratio is median(Python) / median(C++), and the median ratio over the
rounds is reported.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_overhead.py [--threads N] [--rounds R]
"""
import argparse
import statistics
import time

import torch
import torchvision

import algoscope
import algoscope.torch as at


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=30, help="timed calls per round and side")
    parser.add_argument("--size", type=int, default=224)
    args = parser.parse_args()

    torch.manual_seed(0)
    net = torchvision.models.resnet18(weights=None).eval()
    x = torch.randn(1, 3, args.size, args.size)
    converted = at.convert(net, x, threads=args.threads)
    model, plan = converted.model, at.plan_of(converted)
    for _ in range(3):
        converted(x)  # warm-up: first touches, JIT kernels

    ratios, python_ms, engine_ms = [], [], []
    for _ in range(args.rounds):
        samples = []
        for _ in range(args.calls):
            start = time.perf_counter()
            converted(x)
            samples.append((time.perf_counter() - start) * 1e3)
        py = statistics.median(samples)
        engine = algoscope.bench(model, plan, threads=args.threads, warmup=1, repeat=args.calls,
                                 ci=0)["latency_ms"]["median"]
        python_ms.append(py)
        engine_ms.append(engine)
        ratios.append(py / engine)
    print(f"resnet18 {args.size}x{args.size}, {converted.session.threads} thread(s), "
          f"{args.rounds} rounds of {args.calls} calls each side")
    print(f"Python (converted module): median {statistics.median(python_ms):.3f} ms")
    print(f"C++ (time_end_to_end):     median {statistics.median(engine_ms):.3f} ms")
    print(f"overhead: median ratio {statistics.median(ratios):.4f} "
          f"(rounds {min(ratios):.4f}-{max(ratios):.4f})")


if __name__ == "__main__":
    main()
