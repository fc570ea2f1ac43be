#!/usr/bin/env bash
# Times every matmul kernel, each forced for every call, on the kernel lab's matmul shapes
# (matmul 64..4096, attention QK^T and AV), for a short GPU session. Prepare on the
# development machine with ../shared/device/bundle.sh; then on the GPU machine, from the
# project root, with .device-bundle/ carried along:
#   bash backend-cuda/matmul-variants.sh OUTDIR [BASELINE_JSON]
# BASELINE_JSON: benchmarks/pytorch/baseline.py's output, to set PyTorch beside each row.
# Steps, each with its own time limit (summary.txt: exit status and seconds of each):
#   tilings       MatmulTilingsTest: every kernel bit for bit against the fmaf chain on the GPU;
#   lab-KERNEL    KernelLab --ops matmul,attention-qkt,attention-av with
#                 -Dtensor.cuda.matmul.kernel=KERNEL, one process per kernel (a faulting kernel
#                 cannot spoil the next), for auto and every kernel; each checks against the CPU;
# then OUTDIR/KERNEL/kernel-lab.{md,json} per kernel and OUTDIR/variants.md, the table kernel x
# shape -> ms (CUDA events) and TFLOP/s. Under 90 s on an H200 (most of it JVM starts and the CPU
# reference of 4096^3; at worst 30 + 20 s per kernel, the steps' limits). Without a GPU (a dry
# run) it says CUDA is unusable, checks the lab's options on the CPU in a second and exits 0.
# MATMUL_KERNELS="auto tile128 ..." chooses the kernels, MATMUL_SHAPES="1024,4096" the shape
# labels (default: all 11), MATMUL_BUDGET_MS the lab's time budget per case (default 30).
set -uo pipefail
out=${1:?usage: matmul-variants.sh OUTDIR [BASELINE_JSON]}
baseline=${2:-}
b=.device-bundle/run
kernels=${MATMUL_KERNELS:-auto tile128 warp128 warp128k16 warp128x256 tile64}
budget=${MATMUL_BUDGET_MS:-30}
mkdir -p "$out/logs"
summary=$out/summary.txt
echo "matmul-variants of commit $(cat .device-bundle/COMMIT 2>/dev/null || echo unknown), $(date -u +%FT%TZ)" > "$summary"
t_start=$SECONDS

step() { # name, time limit in seconds, command...
    local name=$1 limit=$2; shift 2
    local t0=$SECONDS
    timeout "$limit" "$@" > "$out/logs/$name.txt" 2>&1
    local rc=$?
    local note=""; [ $rc -eq 124 ] && note=" (killed at its ${limit} s limit)"
    printf '%-20s exit %3d  %4d s%s\n' "$name" $rc $((SECONDS - t0)) "$note" >> "$summary"
    return $rc
}

if [ ! -x "$b" ]; then
    echo "no $b: run ../shared/device/bundle.sh on the development machine first" | tee -a "$summary" >&2
    exit 2
fi
if ! nvidia-smi -L > /dev/null 2>&1; then
    echo "no GPU here (nvidia-smi -L failed): CUDA is unusable, nothing to time; dry run ends" | tee -a "$summary"
    step lab-dry-run 60 $b java dev.tensorbackend.bench.lab.KernelLab "$out/dry-run" --backends cpu \
        --ops matmul --shapes 64,128 --budget-ms 5
    cat "$summary"
    exit 0
fi
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm --format=csv,noheader >> "$summary" 2>&1

# every kernel bit for bit on the GPU first: a wrong kernel's times mean nothing
step tilings 30 $b test --include-classname 'dev\.tensorbackend\.cuda\.MatmulTilingsTest'

lab_args=(--backends cuda --ops matmul,attention-qkt,attention-av --budget-ms "$budget")
[ -n "${MATMUL_SHAPES:-}" ] && lab_args+=(--shapes "$MATMUL_SHAPES")
[ -n "$baseline" ] && [ -s "$baseline" ] && lab_args+=(--baseline "$baseline")
for k in $kernels; do
    step "lab-$k" 20 $b java "-Dtensor.cuda.matmul.kernel=$k" dev.tensorbackend.bench.lab.KernelLab "$out/$k" "${lab_args[@]}"
    # the lab goes on without a backend it cannot open (CUDA unusable, unknown kernel): say so here
    grep -h "left out" "$out/logs/lab-$k.txt" | sed "s/^/    lab-$k: /" >> "$summary"
done

# the table: kernel x shape -> device ms and TFLOP/s, from each kernel's kernel-lab.json
python3 - "$out" $kernels > "$out/variants.md" 2> "$out/logs/variants-table.txt" <<'PY' || echo "variants table failed: see logs/variants-table.txt" >> "$summary"
import json, os, sys
out, kernels = sys.argv[1], sys.argv[2:]
rows, cols = {}, []
for k in kernels:
    path = os.path.join(out, k, "kernel-lab.json")
    if not os.path.exists(path):
        continue
    for r in json.load(open(path)).get("rows", []):
        key = r["op"] + " " + r["shape"]
        if key not in cols:
            cols.append(key)
        rows.setdefault(k, {})[key] = r
print("# matmul kernels, each forced for every call: device ms by CUDA events (TFLOP/s, PyTorch time / ours"
      " when a baseline was given); FAIL = wrong result or an error\n")
print("| kernel | " + " | ".join(cols) + " |")
print("|---|" + "---|" * len(cols))
for k in kernels:
    cells = []
    for c in cols:
        r = rows.get(k, {}).get(c)
        if r is None:
            cells.append("-")
            continue
        # the device (CUDA event) time where the lab has it, else the wall-clock pipelined time
        ms = r.get("deviceMs") if isinstance(r.get("deviceMs"), (int, float)) else r.get("pipelinedMs")
        tp, ratio = r.get("throughput"), r.get("oursOverPytorch")
        ok = r.get("passed")
        cell = "FAIL " if not ok else ""
        if isinstance(ms, (int, float)):
            cell += "%.4f" % ms
            extra = []
            if isinstance(tp, (int, float)):
                extra.append("%.1f" % (tp / 1000))
            if isinstance(ratio, (int, float)):
                extra.append("%.2fx" % ratio)
            if extra:
                cell += " (" + ", ".join(extra) + ")"
        cells.append(cell.strip() or "FAIL")
    print("| " + k + " | " + " | ".join(cells) + " |")
PY
echo "total $((SECONDS - t_start)) s" >> "$summary"
cat "$summary"
cat "$out/variants.md" 2>/dev/null
