#!/usr/bin/env bash
# Every GPU check of the CUDA backend in one run, for a short session on a GPU machine that has
# a driver, python3 with PyTorch, and no Java or Maven. On the development machine, first:
#   ../shared/device/bundle.sh            (packs the build into .device-bundle/, git-ignored)
# then on the GPU machine, from the project root, with .device-bundle/ carried along:
#   bash backend-cuda/device-check.sh OUTDIR
# Each step has its own time limit; summary.txt gets its exit status and duration. The
# kernel lab's report and the summary are left at the top of OUTDIR, every log in logs.tgz;
# kernel-lab-conv-gemm.md beside them times the tiny-filter convolutions (documented,
# train-large) with the implicit GEMMs forced, for comparison with kernel-lab.md's direct kernels;
# kernel-lab-softmax-block.md the softmax forward over rows of 2048 to 8192 with the block kernel
# forced, for comparison with kernel-lab.md's fused kernel.
# Without a GPU (a dry run) the GPU steps are skipped, saying so, and the kernel lab runs on the CPU.
# DEVICE_CHECK_SKIP="name ..." leaves steps out (for a session short of GPU time), saying so.
set -uo pipefail
out=${1:?usage: device-check.sh OUTDIR}
b=.device-bundle/run
logs=$out/logs
mkdir -p "$logs"
summary=$out/summary.txt
echo "device-check of commit $(cat .device-bundle/COMMIT 2>/dev/null || echo unknown), $(date -u +%FT%TZ)" > "$summary"

step() { # name, time limit in seconds, command...
    local name=$1 limit=$2; shift 2
    case " ${DEVICE_CHECK_SKIP:-} " in *" $name "*) echo "$name skipped (DEVICE_CHECK_SKIP)" >> "$summary"; return ;; esac
    local t0=$SECONDS
    timeout "$limit" "$@" > "$logs/$name.txt" 2>&1
    local rc=$?
    local note=""; [ $rc -eq 124 ] && note=" (killed at its ${limit} s limit)"
    printf '%-16s exit %3d  %4d s%s\n' "$name" $rc $((SECONDS - t0)) "$note" >> "$summary"
}

step diag 60 $b diag
# the convolutions whose filter is tiny enough for the direct kernels (the networks' layer at the
# documented and the large training size): timed once more with the old implicit-GEMM path forced
conv_ops=conv2d-forward,conv2d-backward-input,conv2d-backward-filter
conv_shapes=documented,train-large
# the softmax forward over rows the fused kernel takes (2048 to 8192 columns; 8192^2 is the case
# it was written for), timed once more on the block kernel it replaced
softmax_ops=softmax-forward
softmax_shapes=2048,4096,8192
if ! nvidia-smi -L > /dev/null 2>&1; then
    # a dry run: check the scripts and the lab itself on the CPU, skip what needs a GPU
    echo "no GPU here (nvidia-smi -L failed): the CUDA suites, pass, crosscheck, baseline and JMH are skipped" >> "$summary"
    step kernel-lab 120 $b java dev.tensorbackend.bench.lab.KernelLab "$logs" --backends cpu --quick --budget-ms 20
    # the conv-gemm step's arguments (the property is the CUDA backend's; the CPU ignores it)
    step kernel-lab-conv-gemm 60 $b java -Dtensor.cuda.conv.kernel=gemm dev.tensorbackend.bench.lab.KernelLab "$logs/conv-gemm" \
        --backends cpu --quick --budget-ms 5 --ops "$conv_ops" --shapes "$conv_shapes"
    # the softmax-block step's arguments likewise (the CPU's quick cases leave 8192 out)
    step kernel-lab-softmax-block 60 $b java -Dtensor.cuda.softmax.kernel=block dev.tensorbackend.bench.lab.KernelLab \
        "$logs/softmax-block" --backends cpu --quick --budget-ms 5 --ops "$softmax_ops" --shapes "$softmax_shapes"
else
    # every backend-cuda test with CUDA selected (contract, cross-check, lifecycle, every matmul tiling,
    # the register check where nvcc is there), and the network's tests on cuda
    step test-cuda 150 env JAVA_OPTS="-Dtensor.backend=cuda" $b test \
        --include-classname 'dev\.tensorbackend\.cuda\..*Test' --include-classname 'dev\.tensorbackend\.network\..*Test'
    # the contract suite again, synchronising after every launch so that a failure names its kernel
    step test-cuda-debug 90 env JAVA_OPTS="-Dtensor.backend=cuda -Dtensor.cuda.debug=true" $b test \
        --include-classname 'dev\.tensorbackend\.cuda\.CudaContractTest'
    # the cuBLAS path (falls back to our kernel, saying so, where libcublas.so.12 is missing)
    step test-cublas 120 env JAVA_OPTS="-Dtensor.backend=cuda -Dtensor.cuda.matmul=cublas" $b test \
        --include-classname 'dev\.tensorbackend\.cuda\.Cuda(Contract|CrossCheck)Test'
    step pass-cuda 60 $b java -Dtensor.backend=cuda dev.tensorbackend.network.Main --json
    step crosscheck 90 $b java dev.tensorbackend.network.Main crosscheck
    # PyTorch on the same shapes and the card's ceilings, then our kernels beside them
    step baseline 120 env PYTHONUNBUFFERED=1 python3 benchmarks/pytorch/baseline.py --device cuda --out "$logs/baseline.json"
    lab_args=(--backends cuda,cpu); [ -s "$logs/baseline.json" ] && lab_args+=(--baseline "$logs/baseline.json")
    step kernel-lab 150 $b java dev.tensorbackend.bench.lab.KernelLab "$logs" "${lab_args[@]}"
    # the tiny-filter convolutions (the networks' layer) again on the implicit GEMMs they ran on before
    # the direct kernels (-Dtensor.cuda.conv.kernel=gemm), beside cuDNN: the kernel-lab step above
    # times the launch rule's direct kernels on the same shapes
    gemm_args=(--backends cuda --ops "$conv_ops" --shapes "$conv_shapes"); [ -s "$logs/baseline.json" ] && gemm_args+=(--baseline "$logs/baseline.json")
    step kernel-lab-conv-gemm 60 $b java -Dtensor.cuda.conv.kernel=gemm dev.tensorbackend.bench.lab.KernelLab "$logs/conv-gemm" "${gemm_args[@]}"
    # the softmax forward over long rows again on the block kernel (-Dtensor.cuda.softmax.kernel=block)
    # that the fused kernel replaced, beside PyTorch: the kernel-lab step above times the fused kernel
    softmax_args=(--backends cuda --ops "$softmax_ops" --shapes "$softmax_shapes"); [ -s "$logs/baseline.json" ] && softmax_args+=(--baseline "$logs/baseline.json")
    step kernel-lab-softmax-block 60 $b java -Dtensor.cuda.softmax.kernel=block dev.tensorbackend.bench.lab.KernelLab \
        "$logs/softmax-block" "${softmax_args[@]}"
    # JMH in quick mode on cuda
    step jmh-cuda 180 env JAVA_OPTS="-Dtensor.backend=cuda" $b java dev.tensorbackend.bench.BenchMain "$logs/jmh"
fi

cp "$logs"/kernel-lab.md "$logs"/kernel-lab.json "$out"/ 2>/dev/null
cp "$logs"/conv-gemm/kernel-lab.md "$out"/kernel-lab-conv-gemm.md 2>/dev/null
cp "$logs"/softmax-block/kernel-lab.md "$out"/kernel-lab-softmax-block.md 2>/dev/null
cp "$logs"/jmh/bench-report.md "$out"/jmh-report.md 2>/dev/null
tar czf "$out/logs.tgz" -C "$out" logs && rm -rf "$logs"
cat "$summary"
