#!/usr/bin/env python3
"""Splits a Java Flight Recording of a JacFlux benchmark run into the stages of a call.

Usage (the JDK's `jfr` tool must be on PATH):

    JAVA_TOOL_OPTIONS="-XX:StartFlightRecording=filename=run.jfr,settings=profile" \
        bin/jacflux bench -q --case lenet-norms --methods jacflux --runs 300 --no-gc
    python3 bench/profile_split.py run.jfr

Each execution or native-method sample (from any thread) is put in the first stage, in the order
below, whose marker appears anywhere in its stack: the per-layer products (per-sample gradients,
norms or weighted sums, given each layer's input and output cotangent), the backward sweep, the
forward pass, the rest of the library (planning, allocation, copies), or outside the library
(the benchmark harness, the JIT's and GC's threads are not sampled). Shares are of the samples
inside the library.
"""
import collections
import json
import subprocess
import sys

STAGES = [
    ("per-layer products", ("PerSampleRule", "$Rule.", "GhostPass.writeGradients", "GhostPass.parameterSquaredNorms",
                            "GhostPass.weightedSum", "ConvKernels.perSample", "ProductNorms")),
    ("backward sweep", ("Backprop$Sweep",)),
    ("forward pass", ("Sequential.activations", ".forward(", "Tape.")),
]


def frames(event):
    trace = event["values"].get("stackTrace")
    if not trace:
        return None
    return [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] + "(" for f in trace["frames"]]


def main(path):
    out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample", path],
                         check=True, capture_output=True, text=True).stdout
    counts = collections.Counter()
    kernels = collections.Counter()
    for event in json.loads(out)["recording"]["events"]:
        names = frames(event)
        if names is None:
            continue
        if not any(n.startswith("dev.jacflux.") and ".bench." not in n for n in names):
            counts["outside the library"] += 1
            continue
        stack = " ".join(names)
        stage = next((s for s, markers in STAGES if any(m in stack for m in markers)), "rest of the library")
        counts[stage] += 1
        inner = next((n for n in names if n.startswith("dev.jacflux.")), names[0])
        kernels[(stage, inner.rstrip("("))] += 1
    inside = sum(v for k, v in counts.items() if k != "outside the library")
    print(f"{inside} samples inside the library, {counts['outside the library']} outside")
    for stage in [s for s, _ in STAGES] + ["rest of the library"]:
        print(f"  {stage:22s} {counts[stage]:6d}  {100.0 * counts[stage] / max(inside, 1):5.1f}%")
        for (s, k), v in kernels.most_common():
            if s == stage and v * 50 >= inside:
                print(f"      {k.replace('dev.jacflux.', ''):60s} {100.0 * v / inside:5.1f}%")


if __name__ == "__main__":
    main(sys.argv[1])
