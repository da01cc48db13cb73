#!/usr/bin/env bash
# The device check of the CUDA backend, in two halves.
#
#   scripts/gpu-check.sh bundle   On a machine of ours (Debian libraries, CUDA toolkit, no GPU
#                                 needed): builds build-gpu (engine, CUDA module, CLI, tests; no
#                                 GUI, no oneDNN) and copies into build-gpu/bundle the binaries and
#                                 the non-system libraries they need: libonnx, libonnx_proto,
#                                 libprotobuf, libfftw3f, OpenBLAS (loaded at run time) and
#                                 libgfortran/libquadmath, libgomp. CUDA, cuDNN and cuBLAS do not
#                                 travel: they are linked by soname and found on the GPU machine.
#   scripts/gpu-check.sh run      On a machine with an NVIDIA GPU, nvcc and PyTorch (whose pip
#                                 wheels carry cuDNN and cuBLAS) but none of our Debian libraries:
#                                 runs, within 8 minutes, the GPU tests with ALGOSCOPE_REQUIRE_GPU=1,
#                                 compute-sanitizer memcheck on one short test, the kernel
#                                 benchmark of the seed paper's conv shapes (every cuDNN algorithm;
#                                 cudnn_find is checked to be within 5 % of the best), and
#                                 ResNet-50 and ViT-B/16 with every layer on the GPU: outputs
#                                 checked against PyTorch's, latency against PyTorch eager with
#                                 cudnn.benchmark, transfers per run counted. Writes
#                                 gpu-check.log and gpu-check.json to $OUT (or ./gpu-check-out).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"
bundle=build-gpu/bundle

if [ "$mode" = bundle ]; then
  cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DALGOSCOPE_GUI=OFF \
        -DALGOSCOPE_ONEDNN=OFF -DALGOSCOPE_CUDA=ON -DALGOSCOPE_BENCH=ON
  cmake --build build-gpu --target algoscope-cli cuda_tests kernel_bench algoscope_cuda
  rm -rf "$bundle" && mkdir -p "$bundle/bin" "$bundle/lib"
  cp build-gpu/app/algoscope-cli build-gpu/tests/cuda_tests build-gpu/bench/kernel_bench "$bundle/bin/"
  cp -P build-gpu/engine/libalgoscope.so* build-gpu/engine/libalgoscope_cuda.so "$bundle/lib/"
  # Every non-system, non-CUDA library the binaries load, plus OpenBLAS, which the engine dlopens.
  openblas=$(ls /usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0 2>/dev/null || true)
  for f in "$bundle"/bin/* "$bundle"/lib/libalgoscope*.so* $openblas; do
    ldd "$f" | awk '/=> \// {print $3}' | grep -Ev 'libc\.so|libm\.so|libstdc\+\+|libgcc_s|ld-linux|libpthread|libdl\.so|librt\.so|libcuda|libcudart|libcudnn|libcublas' || true
  done | sort -u | xargs -r cp -L -t "$bundle/lib/"
  [ -n "$openblas" ] && cp -L "$openblas" "$bundle/lib/libopenblas.so.0"
  du -sh "$bundle"
  exit 0
fi

out="${OUT:-gpu-check-out}"
mkdir -p "$out"
log="$out/gpu-check.log"
exec > >(tee "$log") 2>&1
start=$(date +%s)
python=$(command -v python3)
nvidia-smi || true
# cuDNN and cuBLAS from PyTorch's wheels (nvidia-cudnn-cu*, nvidia-cublas-cu*), else the toolkit's.
torch_libs=$("$python" - <<'EOF' 2>/dev/null || true
import glob, os
import torch
roots = [os.path.dirname(torch.__file__)] + [p for p in __import__("sys").path if p.endswith("site-packages")]
dirs = set()
for r in roots:
    for pattern in ("nvidia/*/lib", "lib"):
        dirs.update(glob.glob(os.path.join(r, pattern)))
print(":".join(sorted(dirs)))
EOF
)
export LD_LIBRARY_PATH="$PWD/$bundle/lib:${torch_libs}:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
export ALGOSCOPE_OPENBLAS="$PWD/$bundle/lib/libopenblas.so.0"
export ALGOSCOPE_REQUIRE_GPU=1
bin="$PWD/$bundle/bin"
status=0

echo "== GPU tests"
timeout 150 "$bin/cuda_tests" || status=1

echo "== compute-sanitizer memcheck on one short test"
if command -v compute-sanitizer >/dev/null; then
  timeout 90 compute-sanitizer --tool memcheck --error-exitcode 3 "$bin/cuda_tests" \
    --gtest_filter=CudaDevice.AChainOfGpuLayersTransfersOnlyAtItsEnds || status=1
else
  echo "compute-sanitizer not found"; status=1
fi

echo "== seed paper conv shapes, every cuDNN algorithm"
timeout 90 "$bin/kernel_bench" --benchmark_filter='paper/.*/cudnn' --benchmark_repetitions=3 \
  --benchmark_out="$out/kernel_bench.json" --benchmark_out_format=json || status=1

echo "== ResNet-50 and ViT-B/16 entirely on the GPU: outputs against PyTorch, latency against PyTorch eager"
timeout 150 "$python" - "$bin/algoscope-cli" "$out" <<'EOF' || status=1
import json, os, subprocess, sys, time
import onnx.numpy_helper as nh
import torch, torchvision
cli, out = sys.argv[1], sys.argv[2]
torch.backends.cudnn.benchmark = True
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
# Every op these exports keep has a GPU algorithm (torchvision_tests checks that on every machine).
gpu_plan = ["Conv=cudnn_find", "Gemm=cublas", "MatMul=cublas", "Attention=cuda_flash"] + [
    op + "=cuda" for op in ("Add", "Sub", "Mul", "Div", "Pow", "Relu", "Clip", "Erf", "Sqrt",
                            "MaxPool", "GlobalAveragePool", "Flatten", "Reshape", "Transpose",
                            "Concat", "Softmax", "ReduceMean", "Gather", "Slice", "Squeeze",
                            "Unsqueeze")]
select = [a for op in gpu_plan for a in ("--select", op)]
figures = {}
for name, model in (("resnet50", torchvision.models.resnet50()),
                    ("vit_b_16", torchvision.models.vit_b_16())):
    model.eval()
    x = torch.randn(1, 3, 224, 224)
    folder = os.path.join(out, name)
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    torch.onnx.export(model, x, path, opset_version=13)
    with torch.no_grad():
        want = model(x)
    open(os.path.join(data, "input_0.pb"), "wb").write(nh.from_array(x.numpy()).SerializeToString())
    open(os.path.join(data, "output_0.pb"), "wb").write(
        nh.from_array(want.numpy()).SerializeToString())
    check = subprocess.run([cli, "check", path, "--inputs", data, "--expected", data, *select,
                            "--json", os.path.join(folder, "check.json")],
                           capture_output=True, text=True)
    print(check.stdout[-2000:], check.stderr[-2000:])
    gpu = model.cuda()
    xg = x.cuda()
    with torch.no_grad():
        for _ in range(10): gpu(xg)
        torch.cuda.synchronize()
        times = []
        for _ in range(30):
            t = time.perf_counter(); gpu(xg); torch.cuda.synchronize()
            times.append(time.perf_counter() - t)
    torch_ms = sorted(times)[len(times) // 2] * 1e3
    bench_json = os.path.join(folder, "bench.json")
    bench = subprocess.run([cli, "bench", path, *select, "--layers", "--repeat", "30",
                            "--json", bench_json], capture_output=True, text=True)
    print(bench.stdout[-4000:], bench.stderr[-2000:])
    result = json.load(open(bench_json))
    figures[name] = {"check_passed": check.returncode == 0,
                     "algoscope_gpu_ms": result["latency_ms"]["median"],
                     "transfers_per_run": len(result.get("transfers", [])),
                     "pytorch_eager_ms": torch_ms,
                     "ratio": result["latency_ms"]["median"] / torch_ms}
    print(name, figures[name])
json.dump(figures, open(os.path.join(out, "models.json"), "w"), indent=1)
sys.exit(0 if all(f["check_passed"] for f in figures.values()) else 1)
EOF

"$python" - "$out" <<'EOF' || status=1
import json, os, sys
out = sys.argv[1]
figures = {}
path = os.path.join(out, "kernel_bench.json")
if os.path.exists(path):
    runs = [b for b in json.load(open(path))["benchmarks"] if b.get("aggregate_name") == "median"]
    shapes = {}
    for b in runs:
        shape, algorithm = b["run_name"].rsplit("/", 1)
        shapes.setdefault(shape, {})[algorithm] = b["real_time"]
    for shape, algos in shapes.items():
        best = min(algos.values())
        find = algos.get("cudnn_find")
        figures[shape] = {"best_ms": best, "cudnn_find_ms": find, "algorithms": algos,
                          "find_within_5_percent": find is not None and find <= 1.05 * best}
p = os.path.join(out, "models.json")
if os.path.exists(p): figures["models"] = json.load(open(p))
json.dump(figures, open(os.path.join(out, "gpu-check.json"), "w"), indent=1)
print(json.dumps(figures, indent=1))
bad = [s for s, f in figures.items() if isinstance(f, dict) and f.get("find_within_5_percent") is False]
sys.exit(1 if bad else 0)
EOF
echo "gpu-check: $(( $(date +%s) - start )) s, status $status"
exit $status
