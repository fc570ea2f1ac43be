#!/bin/sh
# Builds and runs check_kernels.cpp: our .cu kernels executed on the CPU under cuda_emulation.h
# (part of backend-cuda's test phase; run it by hand with: sh backend-cuda/src/test/cuda-emulation/run.sh).
# -ffp-contract=off: the host compiler must not fuse multiply-adds the kernels keep separate.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${TMPDIR:-/tmp}/check_kernels}
if ! command -v g++ >/dev/null 2>&1; then
    echo "[cuda-emulation] g++ not on the PATH: kernel emulation skipped" >&2
    exit 0
fi
g++ -std=c++17 -O1 -ffp-contract=off -Wall -Wno-unknown-pragmas -Wno-sign-compare \
    -x c++ "$here/check_kernels.cpp" -o "$out"
"$out"
