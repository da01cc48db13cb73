#!/usr/bin/python3
"""Times one model in PyTorch eager mode: the architecture and seeded random input that
tests/models/export_torchvision.py exports (a torchvision name or one of its own models, random
weights, nothing downloaded), torch.set_num_threads(THREADS), inference mode, warm-up runs, then
timed runs (at least --min-repeat, at most --repeat, stopping once --budget seconds have passed).
Prints one JSON line {"runtime", "median_ms", "min_ms", "samples"}. Used by
run_peers.py; runs under /usr/bin/python3, where Debian's python3-torch lives.

    /usr/bin/python3 torch_bench.py resnet50 [--threads 2] [--warmup 5] [--min-repeat 5]
        [--repeat 20] [--budget SECONDS] [--size 224]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                "models"))
from export_torchvision import build_model  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--min-repeat", type=int, default=5)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--budget", type=float, default=float("inf"))
    p.add_argument("--size", type=int, default=224)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model, x = build_model(a.model, 0, 1, a.size)
    samples = []
    with torch.inference_mode():
        for _ in range(a.warmup):
            model(x)
        began = time.perf_counter()
        while len(samples) < a.repeat and (len(samples) < a.min_repeat or
                                           time.perf_counter() - began < a.budget):
            start = time.perf_counter()
            model(x)
            samples.append((time.perf_counter() - start) * 1e3)
    print(json.dumps({"runtime": f"pytorch {torch.__version__} eager", "threads": a.threads,
                      "median_ms": statistics.median(samples), "min_ms": min(samples),
                      "samples": len(samples)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
