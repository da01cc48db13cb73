#!/usr/bin/python3
"""Times one torchvision architecture in PyTorch eager mode (random weights, nothing downloaded):
batch-1 random input, torch.set_num_threads(THREADS), inference mode, warm-up runs, then timed
runs. Prints one JSON line {"runtime", "median_ms", "min_ms", "samples"}. Used by run_peers.py;
runs under /usr/bin/python3, where Debian's python3-torch lives.

    /usr/bin/python3 torch_bench.py resnet50 [--threads 2] [--warmup 5] [--repeat 20] [--size 224]
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torchvision


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--size", type=int, default=224)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = getattr(torchvision.models, a.model)(weights=None).eval()
    x = torch.randn(1, 3, a.size, a.size)
    samples = []
    with torch.inference_mode():
        for _ in range(a.warmup):
            model(x)
        for _ in range(a.repeat):
            start = time.perf_counter()
            model(x)
            samples.append((time.perf_counter() - start) * 1e3)
    print(json.dumps({"runtime": f"pytorch {torch.__version__} eager", "threads": a.threads,
                      "median_ms": statistics.median(samples), "min_ms": min(samples),
                      "samples": len(samples)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
