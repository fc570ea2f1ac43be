#!/bin/sh
# Builds the CPU emulation of our kernels (cuda_emulation.h) into $1 (default: a temp folder):
#   check_kernels  every kernel against plain loops, run here, under AddressSanitizer where the
#                  compiler has it, so an out-of-bounds access in a kernel fails the check;
#   kernel_server  the device EmulatedDevice.java drives, so the Java tests can run CudaBackend
#                  with its real launchers and kernels.
# Part of backend-cuda's build (process-test-classes); by hand: sh backend-cuda/src/test/cuda-emulation/run.sh
# -ffp-contract=off: the host compiler must not fuse multiply-adds the kernels keep separate.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${TMPDIR:-/tmp}/cuda-emulation}
mkdir -p "$out"
rm -f "$out/check_kernels" "$out/kernel_server"
if ! command -v g++ >/dev/null 2>&1; then
    echo "[cuda-emulation] g++ not on the PATH: kernel emulation skipped; the emulated-device tests will say so" >&2
    exit 0
fi
# -fno-strict-aliasing: the kernels read float arrays as float4, as CUDA code does
flags="-std=c++17 -O1 -ffp-contract=off -fno-strict-aliasing -Wall -Wno-unknown-pragmas -Wno-sign-compare"
# AddressSanitizer, and UBSan's alignment check (a misaligned float4 access faults on a GPU),
# where this g++ has them and this machine lets their programs run
sanitizer_runs() {
    echo 'int main(){return 0;}' | g++ $1 -x c++ - -o "$out/sanitizer-probe" 2>/dev/null \
        && ASAN_OPTIONS=detect_leaks=0 "$out/sanitizer-probe" >/dev/null 2>&1
}
sanitize="-fsanitize=address -fno-omit-frame-pointer"
if ! sanitizer_runs "$sanitize"; then
    echo "[cuda-emulation] AddressSanitizer unavailable here: out-of-bounds accesses in kernels will not be caught" >&2
    sanitize=""
fi
alignment="-fsanitize=alignment -fno-sanitize-recover=alignment"
if sanitizer_runs "$sanitize $alignment"; then
    sanitize="$sanitize $alignment"
else
    echo "[cuda-emulation] UBSan's alignment check unavailable here: misaligned float4 accesses in kernels will not be caught" >&2
fi
rm -f "$out/sanitizer-probe"
g++ $flags $sanitize -x c++ "$here/check_kernels.cpp" -o "$out/check_kernels"
g++ $flags -x c++ "$here/kernel_server.cpp" -o "$out/kernel_server"
# the fibers switch stacks, which ASan supports with a warning; no leak check at exit
status=0
ASAN_OPTIONS=detect_leaks=0 "$out/check_kernels" > "$out/check_kernels.log" 2>&1 || status=$?
grep -v "ASan doesn't fully support makecontext" "$out/check_kernels.log" || true
exit $status
