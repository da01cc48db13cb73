#!/usr/bin/python3
"""Tuned algoscope plans against ONNX Runtime CPU and PyTorch eager on the same models and machine.

For every model: export it to ONNX (tests/models/export_torchvision.py: torchvision
architectures and the transformer families defined there, random weights, batch 1), tune it
with `algoscope-cli tune`, check the tuned plan against PyTorch's output, bench the tuned plan
(`bench --layers`: median latency, per-layer breakdown, framework overhead), then time the same
ONNX file with ONNX Runtime (ort_bench.js) and the same architecture and input with PyTorch eager
(torch_bench.py), all with the same thread count and warm-up. Each timing takes at least
--min-repeat runs and stops at --repeat runs or after --budget seconds, so that a 3-D ResNet costs
no more wall time than a SqueezeNet. The three are timed in --rounds interleaved rounds
(algoscope, ONNX Runtime, PyTorch, then again), and each one's latency is the median of its round
medians: on a shared machine the speed drifts by 1.5x over minutes, and interleaving keeps a slow
minute from landing on one framework only. Ends with a markdown table of latencies and ratios
measured in this one run, titled with the CPU model and the ISA level the engine ran at, written
to OUT/results.md (and every figure to OUT/results.json).

    env -u OPENBLAS_CORETYPE /usr/bin/python3 bench/peers/run_peers.py
        [--cli build/app/algoscope-cli] [--isa avx2] [--threads 2] [--models NAME ...]
        [--rounds 3] [--out bench/peers/out] [--cache FILE]

--isa caps the engine (ALGOSCOPE_ISA, which also caps its oneDNN and OpenBLAS) and PyTorch
(ATEN_CPU_CAPABILITY, DNNL_MAX_CPU_ISA, OPENBLAS_CORETYPE) at that level; ONNX Runtime has no
such switch and runs at the CPU's own level, which the title says. Unset OPENBLAS_CORETYPE
before running on an AVX-512 machine whose environment pins it to Haswell, or every GEMM through
OpenBLAS runs AVX2 kernels whatever --isa says.

The same run also reports tune's three strategies (issue 21), from the tune JSON: the per-layer
choices, the best layout family's or op's plan and the plan optimizer's, each timed end to end by
tune with runs alternating, with the cost model's predicted time beside each. --strategies-only
stops there (no check, bench or peers), writing OUT/strategies.md.

Needs `npm install --ignore-scripts` in bench/peers (ONNX Runtime) and python3-torch,
python3-torchvision and python3-onnx (Debian). Goal (issue 20): tuned latency <= 1.0x ONNX
Runtime's on every model and a geometric mean <= 0.85x, at every ISA level.
"""
import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys

import onnx
import onnx.numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# One model per family of issue 20's table, in its order; the input size where it is not 224.
MODELS = ["efficientnet_b0", "efficientnet_v2_s", "gpt_decoder", "bert_encoder", "convnext_tiny",
          "mobilenet_v3_large", "densenet121", "vit_b_16", "squeezenet1_1", "inception_v3",
          "resnet50", "googlenet", "regnet_y_800mf", "resnext50_32x4d", "mnasnet1_0", "vgg16",
          "alexnet", "resnet18", "shufflenet_v2_x1_0", "mobilenet_v2", "r3d_18"]
SIZES = {"inception_v3": 299}
# What PyTorch reads to cap its own kernels at an ISA level.
TORCH_CAPS = {"avx2": {"ATEN_CPU_CAPABILITY": "avx2", "DNNL_MAX_CPU_ISA": "AVX2",
                       "OPENBLAS_CORETYPE": "Haswell"},
              "avx512": {"ATEN_CPU_CAPABILITY": "avx512", "DNNL_MAX_CPU_ISA": "AVX512_CORE"}}


def run(cmd, env=None):
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, check=True, text=True, stdout=subprocess.PIPE,
                          env=env).stdout


def last_json_line(text):
    return json.loads(text.strip().splitlines()[-1])


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def engine_level(cli, env):
    """The level the engine's kernels run at, as `algoscope-cli --version` says it."""
    for line in run([cli, "--version"], env=env).splitlines():
        if line.startswith("engine kernels:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def input_shape(data_dir):
    tensor = onnx.TensorProto()
    with open(os.path.join(data_dir, "input_0.pb"), "rb") as f:
        tensor.ParseFromString(f.read())
    return ",".join(str(d) for d in tensor.dims)


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def strategies_of(tune):
    """Per strategy (per-layer, family, global): the median tune measured and what it predicted."""
    per_layer = tune["per_layer_end_to_end"] or tune["end_to_end"]
    out = {"per-layer": (per_layer["latency_ms"]["median"], per_layer["latency_ms"]["ci_relative"],
                         tune["per_layer_predicted_ms"])}
    if tune["family_plans"]:
        best = min(tune["family_plans"], key=lambda f: f["latency_ms"]["median"])
        out["family"] = (best["latency_ms"]["median"], best["latency_ms"]["ci_relative"],
                         best["predicted_ms"])
    g = tune.get("global_plan")
    if g:
        # A plan new after calibrating is timed in a second batch beside the first batch's
        # fastest (its rival); the predictions, made from the first batch, are scaled by the
        # rival's drift between the two.
        drift = g.get("drift", 1)
        out["global"] = (g["latency_ms"]["median"], g["latency_ms"]["ci_relative"],
                         g["predicted_ms"] * drift)
        out["global from isolated timings"] = (g["latency_ms"]["median"], 0,
                                               g["isolated_predicted_ms"] * drift)
        if g.get("rival_latency_ms"):
            out["rival"] = (g["rival_latency_ms"]["median"], g["rival_latency_ms"]["ci_relative"],
                            0)
    return out


def strategies_table(rows, title):
    """Markdown: each strategy's measured and predicted time, per model."""
    lines = [title, "",
             "Each plan timed by tune, runs alternating; predicted: the cost model (isolated kernel "
             "times less the conversions native layouts skip, plus copies). global/best other: the "
             "optimizer's plan against the faster of the other two (* beyond noise: more than "
             "both medians' 95% intervals apart). Where the optimizer's plan was new after "
             "calibration, tune timed it in a second batch beside the first batch's fastest plan "
             "(which may be the optimizer's first one), and the comparison is within that batch "
             "(that plan's time there in the 'best other' column), the prediction scaled by that "
             "plan's drift between the batches; the per-layer and family columns are from the "
             "first batch.", "",
             "| model | per-layer (ms) | family (ms) | global (ms) | best other, global's batch "
             "(ms) | global / best other | measured / predicted: per-layer | family | global | "
             "global from isolated timings |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    ratios, misses = [], []
    for r in rows:
        s = r["strategies"]
        def cell(k):
            return f"{s[k][0]:.2f}" if k in s else "-"
        def accuracy(k):
            if k not in s or s[k][2] <= 0:
                return "-"
            ratio = s[k][0] / s[k][2]
            misses.append(abs(ratio - 1) > 0.15)
            return f"{ratio:.2f}"
        vs, best_ms = "-", "-"
        if "global" in s:
            others = [s[k] for k in ("per-layer", "family") if k in s]
            best = s["rival"] if "rival" in s else min(others, key=lambda t: t[0])
            ratio = s["global"][0] / best[0]
            ratios.append(ratio)
            noise = s["global"][1] + best[1]
            vs = f"{ratio:.2f}{' *' if ratio > 1 + noise else ''}"
            best_ms = f"{best[0]:.2f}"
        lines.append(f"| {r['model']} | {cell('per-layer')} | {cell('family')} | {cell('global')} | "
                     f"{best_ms} | {vs} | {accuracy('per-layer')} | {accuracy('family')} | "
                     f"{accuracy('global')} | {accuracy('global from isolated timings')} |")
    if ratios:
        lines.append(f"| geometric mean | | | | | {geomean(ratios):.2f} | | | | |")
    lines += ["", f"{sum(misses)} of {len(misses)} predictions off by more than 15 % (the global "
              "plan's is made after calibrating on the other plans' runs, before its own; the "
              "others' from isolated timings)."]
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "algoscope-cli"))
    p.add_argument("--models", nargs="+", default=MODELS)
    p.add_argument("--isa", choices=sorted(TORCH_CAPS), help="cap the engine and PyTorch here")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--min-repeat", type=int, default=5)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--budget", type=float, default=3.0, help="seconds per timing, after warm-up")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--tune-repeat", type=int, default=3)
    p.add_argument("--out", default=os.path.join(HERE, "out"))
    p.add_argument("--cache", help="tune's cache (default OUT/tuning-cache.ISA.json); a new file "
                   "measures every layer afresh")
    p.add_argument("--node", default="node")
    p.add_argument("--strategies-only", action="store_true",
                   help="tune only, and report the strategies (no check, bench or peers)")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    ours_env, torch_env = dict(os.environ), dict(os.environ)
    if a.isa:
        ours_env["ALGOSCOPE_ISA"] = a.isa
        torch_env.update(TORCH_CAPS[a.isa])
    level = engine_level(a.cli, ours_env)
    # The tuning cache is keyed by the ISA level among other things; one file per level keeps
    # the runs apart anyway.
    cache = a.cache or os.path.join(a.out, f"tuning-cache.{a.isa or 'native'}.json")
    threads = ["--threads", str(a.threads)]
    warmup = ["--warmup", str(a.warmup)]
    peer_timing = [*warmup, "--min-repeat", str(a.min_repeat), "--repeat", str(a.repeat),
                   "--budget", str(a.budget)]

    rows = []
    for name in a.models:
        size = SIZES.get(name, 224)
        run([sys.executable, os.path.join(ROOT, "tests", "models", "export_torchvision.py"), a.out,
             name, "--size", str(size)])
        d = os.path.join(a.out, name)
        onnx_file = os.path.join(d, "model.onnx")
        data = os.path.join(d, "test_data_set_0")
        plan = os.path.join(d, f"tuned.{a.isa or 'native'}.plan.json")
        run([a.cli, "tune", onnx_file, "-o", plan, *threads, "--repeat", str(a.tune_repeat),
             "--cache", cache, "--json", os.path.join(d, "tune.json")], env=ours_env)
        with open(os.path.join(d, "tune.json")) as f:
            strategies = strategies_of(json.load(f))
        if a.strategies_only:
            rows.append({"model": name, "strategies": strategies})
            continue
        check = subprocess.run([a.cli, "check", onnx_file, "--plan", plan, "--inputs", data,
                                "--expected", data, *threads, "--json",
                                os.path.join(d, "check.json")], text=True,
                               stdout=subprocess.PIPE, env=ours_env)
        with open(os.path.join(d, "check.txt"), "w") as f:
            f.write(check.stdout)
        ours, ort, torch = [], [], []
        for round_index in range(a.rounds):
            # The first round also writes the per-layer breakdown.
            layers = ["--layers"] if round_index == 0 else []
            bench_json = os.path.join(d, f"bench.{round_index}.json")
            bench_text = run([a.cli, "bench", onnx_file, "--plan", plan, *layers, *threads,
                              *warmup, "--repeat", str(a.min_repeat), "--max-repeat",
                              str(a.repeat), "--budget", str(a.budget), "--json", bench_json],
                             env=ours_env)
            if round_index == 0:
                with open(os.path.join(d, "bench.txt"), "w") as f:
                    f.write(bench_text)
            with open(bench_json) as f:
                ours.append(json.load(f))
            ort.append(last_json_line(run([a.node, os.path.join(HERE, "ort_bench.js"), onnx_file,
                                           "--shape", input_shape(data), *threads,
                                           *peer_timing])))
            torch.append(last_json_line(run([sys.executable, os.path.join(HERE, "torch_bench.py"),
                                             name, "--size", str(size), *threads, *peer_timing],
                                            env=torch_env)))
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
                     "ort": ort[0]["runtime"], "torch": torch[0]["runtime"],
                     "strategies": strategies})
        with open(os.path.join(a.out, "results.json"), "w") as f:
            json.dump({"cpu": cpu_model(), "engine_level": level, "isa": a.isa,
                       "threads": a.threads, "models": rows}, f, indent=2)

    title = f"# tune's strategies: {cpu_model()}, engine kernels {level}, {a.threads} thread(s)"
    strategies_text = strategies_table(rows, title)
    with open(os.path.join(a.out, "strategies.md"), "w") as f:
        f.write(strategies_text)
    if a.strategies_only:
        with open(os.path.join(a.out, "results.json"), "w") as f:
            json.dump({"cpu": cpu_model(), "engine_level": level, "isa": a.isa,
                       "threads": a.threads, "models": rows}, f, indent=2)
        print("\n" + strategies_text)
        return 0
    vs_ort = [r["algoscope_ms"] / r["ort_ms"] for r in rows]
    vs_torch = [r["algoscope_ms"] / r["torch_ms"] for r in rows]
    lines = [f"# {cpu_model()}, engine kernels {level}, {a.threads} thread(s)", "",
             f"batch 1; each latency the median of {a.rounds} interleaved rounds' medians "
             f"({a.warmup} warm-up, then {a.min_repeat}..{a.repeat} runs within {a.budget:g} s); "
             f"{rows[0]['ort']} (at the CPU's own ISA level), {rows[0]['torch']}"
             f"{' capped at ' + a.isa if a.isa else ''}", "",
             "| model | algoscope tuned (ms) | ONNX Runtime (ms) | PyTorch eager (ms) | "
             "vs ORT (<= 1.0) | vs PyTorch | overhead | check vs PyTorch |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r, o, t in zip(rows, vs_ort, vs_torch):
        lines.append(f"| {r['model']} | {r['algoscope_ms']:.2f} | {r['ort_ms']:.2f} | "
                     f"{r['torch_ms']:.2f} | {o:.2f}{'' if o <= 1.0 else ' *'} | {t:.2f} | "
                     f"{r['overhead_percent']:.2f} % | {r['check']} |")
    lines.append(f"| geometric mean (<= 0.85) | | | | {geomean(vs_ort):.2f} | "
                 f"{geomean(vs_torch):.2f} | | |")
    lines += ["", f"{sum(o <= 1.0 for o in vs_ort)} of {len(rows)} models at or under ONNX "
              "Runtime's latency (* marks the rest)."]
    text = "\n".join(lines) + "\n\n" + strategies_text.replace("# ", "## ", 1)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(text)
    print("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
