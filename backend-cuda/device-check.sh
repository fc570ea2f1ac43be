#!/usr/bin/env bash
# The GPU checks of the CUDA backend in one run, for a device call (see ../shared/device/README.md):
#   from the project root, here:  ../shared/device/bundle.sh
#   device call, carry [".device-bundle"]:  bash backend-cuda/device-check.sh "$OUT"
# Writes every log under $1 and a summary of exit statuses in $1/summary.txt.
set -uo pipefail
out=${1:?usage: device-check.sh OUTDIR}
b=.device-bundle/run
mkdir -p "$out"
step() { # name, command...
    local name=$1; shift
    "$@" > "$out/$name.txt" 2>&1
    echo "$name: exit $?" >> "$out/summary.txt"
}
step diag $b diag
# every module's tests with CUDA selected (contract, cross-check, memory checks run; nothing skips for want of a GPU)
step test-cuda env JAVA_OPTS="-Dtensor.backend=cuda" $b test
# the CUDA suites again on the cuBLAS path (falls back to the kernel, saying so, without libcublas.so.12)
step test-cublas env JAVA_OPTS="-Dtensor.backend=cuda -Dtensor.cuda.matmul=cublas" $b test \
    --include-classname 'dev\.tensorbackend\.cuda\.Cuda(Contract|CrossCheck)Test'
# a failing kernel named by the debug property, if anything fails
step test-cuda-debug env JAVA_OPTS="-Dtensor.backend=cuda -Dtensor.cuda.debug=true" $b test \
    --include-classname 'dev\.tensorbackend\.cuda\.CudaContractTest'
step pass-cuda $b java -Dtensor.backend=cuda dev.tensorbackend.network.Main --json
step crosscheck $b java dev.tensorbackend.network.Main crosscheck
cat "$out/summary.txt"
