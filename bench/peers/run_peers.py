#!/usr/bin/python3
"""Tuned algoscope plans against ONNX Runtime CPU and PyTorch eager on the same models and machine.

For every model: export the torchvision architecture to ONNX (random weights, batch 1), tune it
with `algoscope-cli tune`, check the tuned plan against PyTorch's output, bench the tuned plan
(`bench --layers`: median latency, per-layer breakdown, framework overhead), then time the same
ONNX file with ONNX Runtime (ort_bench.js) and the same architecture with PyTorch eager
(torch_bench.py), all with the same thread count, warm-up and repeats. The three are timed in
--rounds interleaved rounds (algoscope, ONNX Runtime, PyTorch, then again), and each one's latency
is the median of its round medians: on a shared machine the speed drifts by 1.5x over minutes,
and interleaving keeps a slow minute from landing on one framework only. Ends with a markdown
table of latencies and ratios measured in this one run. Results per model land in OUT/<model>/.

    /usr/bin/python3 bench/peers/run_peers.py --cli build/app/algoscope-cli [--threads 2]
        [--models resnet18 resnet50 mobilenet_v2 vgg16 vit_b_16] [--warmup 5] [--repeat 20]
        [--rounds 3] [--out bench/peers/out]

Needs `npm install --ignore-scripts` in bench/peers (ONNX Runtime) and python3-torch,
python3-torchvision and python3-onnx (Debian). Targets (issue 4): tuned latency <= 1.3x ONNX
Runtime's and <= 0.6x PyTorch's, framework overhead <= 3 % of the summed kernel time.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODELS = ["resnet18", "resnet50", "mobilenet_v2", "vgg16", "vit_b_16"]


def run(cmd, **kwargs):
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, check=True, text=True, stdout=subprocess.PIPE, **kwargs).stdout


def last_json_line(text):
    return json.loads(text.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "algoscope-cli"))
    p.add_argument("--models", nargs="+", default=MODELS)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--tune-repeat", type=int, default=5)
    p.add_argument("--out", default=os.path.join(HERE, "out"))
    p.add_argument("--node", default="node")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cache = os.path.join(a.out, "tuning-cache.json")
    threads = ["--threads", str(a.threads)]
    timing = ["--warmup", str(a.warmup), "--repeat", str(a.repeat)]

    rows = []
    for name in a.models:
        run([sys.executable, os.path.join(ROOT, "tests", "models", "export_torchvision.py"), a.out,
             name])
        d = os.path.join(a.out, name)
        onnx_file = os.path.join(d, "model.onnx")
        data = os.path.join(d, "test_data_set_0")
        plan = os.path.join(d, "tuned.plan.json")
        run([a.cli, "tune", onnx_file, "-o", plan, *threads, "--repeat", str(a.tune_repeat),
             "--cache", cache, "--json", os.path.join(d, "tune.json")])
        check = subprocess.run([a.cli, "check", onnx_file, "--plan", plan, "--inputs", data,
                                "--expected", data, *threads, "--json",
                                os.path.join(d, "check.json")], text=True,
                               stdout=subprocess.PIPE)
        with open(os.path.join(d, "check.txt"), "w") as f:
            f.write(check.stdout)
        ours, ort, torch = [], [], []
        for round_index in range(a.rounds):
            # The first round also writes the per-layer breakdown.
            layers = ["--layers"] if round_index == 0 else []
            bench_json = os.path.join(d, f"bench.{round_index}.json")
            bench_text = run([a.cli, "bench", onnx_file, "--plan", plan, *layers, *threads,
                              *timing, "--json", bench_json])
            if round_index == 0:
                with open(os.path.join(d, "bench.txt"), "w") as f:
                    f.write(bench_text)
            with open(bench_json) as f:
                ours.append(json.load(f))
            ort.append(last_json_line(run([a.node, os.path.join(HERE, "ort_bench.js"), onnx_file,
                                           "--shape", "1,3,224,224", *threads, *timing])))
            torch.append(last_json_line(run([sys.executable, os.path.join(HERE, "torch_bench.py"),
                                             name, *threads, *timing])))
        rows.append({"model": name,
                     "algoscope_ms": statistics.median(b["latency_ms"]["median"] for b in ours),
                     "kernel_sum_ms": statistics.median(b["kernel_sum_ms"]["median"] for b in ours),
                     "overhead_percent": statistics.median(b["overhead_percent"] for b in ours),
                     "check": "pass" if check.returncode == 0 else "FAIL",
                     "ort_ms": statistics.median(r["median_ms"] for r in ort),
                     "torch_ms": statistics.median(r["median_ms"] for r in torch),
                     "rounds": {"algoscope_ms": [b["latency_ms"]["median"] for b in ours],
                                "ort_ms": [r["median_ms"] for r in ort],
                                "torch_ms": [r["median_ms"] for r in torch]},
                     "ort": ort[0]["runtime"], "torch": torch[0]["runtime"]})
        with open(os.path.join(a.out, "results.json"), "w") as f:
            json.dump(rows, f, indent=2)

    print(f"\nbatch 1, {a.threads} threads; each latency the median of {a.rounds} interleaved "
          f"rounds' medians of {a.repeat} runs after {a.warmup} warm-up; "
          f"{rows[0]['ort']}, {rows[0]['torch']}\n")
    print("| model | algoscope tuned (ms) | ONNX Runtime (ms) | PyTorch eager (ms) | vs ORT "
          "(<= 1.3) | vs PyTorch (<= 0.6) | overhead (<= 3 %) | check vs PyTorch |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['model']} | {r['algoscope_ms']:.2f} | {r['ort_ms']:.2f} | {r['torch_ms']:.2f} "
              f"| {r['algoscope_ms'] / r['ort_ms']:.2f} | {r['algoscope_ms'] / r['torch_ms']:.2f} "
              f"| {r['overhead_percent']:.2f} % | {r['check']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
