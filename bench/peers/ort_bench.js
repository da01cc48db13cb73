// Times one ONNX model with ONNX Runtime's CPU execution provider: batch-1 random float input of
// the given shape, the given intra-op thread count, warm-up runs, then timed runs. Prints one JSON
// line {"runtime", "median_ms", "min_ms", "samples"}: at least --min-repeat timed runs, at most
// --repeat, stopping once --budget seconds have passed. Used by run_peers.py; install the runtime
// with `npm install --ignore-scripts onnxruntime-node` in this folder (the install script would
// download GPU parts; the CPU binaries are in the package).
//
//   node ort_bench.js MODEL.onnx --shape 1,3,224,224 [--threads 2] [--warmup 5] [--min-repeat 5]
//       [--repeat 20] [--budget SECONDS]
"use strict";
const ort = require("onnxruntime-node");

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function median(sorted) {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  const model = process.argv[2];
  const shape = option("--shape", "1,3,224,224").split(",").map(Number);
  const threads = Number(option("--threads", "2"));
  const warmup = Number(option("--warmup", "5"));
  const minRepeat = Number(option("--min-repeat", "5"));
  const repeat = Number(option("--repeat", "20"));
  const budgetNs = Number(option("--budget", "Infinity")) * 1e9;
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ["cpu"],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  let seed = 42;
  for (let i = 0; i < count; ++i) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    data[i] = (seed / 2147483648) * 2 - 1;
  }
  const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", data, shape) };
  for (let i = 0; i < warmup; ++i) await session.run(feeds);
  const samples = [];
  const began = process.hrtime.bigint();
  while (samples.length < repeat &&
         (samples.length < minRepeat || Number(process.hrtime.bigint() - began) < budgetNs)) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  console.log(JSON.stringify({
    runtime: "onnxruntime-node " + require("onnxruntime-node/package.json").version,
    threads, median_ms: median(samples), min_ms: samples[0], samples: samples.length,
  }));
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(2);
});
