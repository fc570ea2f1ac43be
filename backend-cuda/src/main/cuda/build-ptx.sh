#!/bin/sh
# Compiles every .cu in $1 to one fatbin in $2, during the Maven build (generate-resources).
#
# Each <stem>.fatbin holds SASS (machine code) for sm_80 and sm_90, which the driver loads as
# is on an Ampere (8.x) or Hopper (9.0) GPU, and PTX for compute_75, the oldest virtual
# architecture CUDA 13 still accepts, which the driver JIT-compiles for any other GPU of
# compute capability 7.5 or newer. Next to the fatbins goes build.properties: whether the
# kernels were built, by which toolkit release, and which architectures the fatbins hold, so
# that the backend can say which image the driver will run and can tell a driver older than
# the PTX apart from other failures.
#
# A compile error fails the build. Without nvcc on the PATH the build goes on without kernels
# and the cuda provider reports "kernels not built".
set -eu

src=$1
out=$2
sass="80 90"   # SASS for these sm_XY
ptx=75         # PTX for this compute_XY

mkdir -p "$out"
rm -f "$out"/*.ptx "$out"/*.fatbin "$out"/build.properties

if ! command -v nvcc >/dev/null 2>&1; then
    echo "[build-ptx] WARNING: nvcc is not on the PATH: CUDA kernels not built; the cuda backend will report 'kernels not built'" >&2
    printf 'kernels.built=false\nreason=nvcc was not on the PATH when backend-cuda was built\n' > "$out/build.properties"
    exit 0
fi

release=$(nvcc --version | sed -n 's/.*release \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p')
if [ -z "$release" ]; then
    echo "[build-ptx] ERROR: cannot read the CUDA release from 'nvcc --version'" >&2
    exit 1
fi

gencode=""
sass_list=""
for a in $sass; do
    gencode="$gencode -gencode arch=compute_$a,code=sm_$a"
    sass_list="${sass_list:+$sass_list,}sm_$a"
done
gencode="$gencode -gencode arch=compute_$ptx,code=compute_$ptx"

for cu in "$src"/*.cu; do
    stem=$(basename "$cu" .cu)
    echo "[build-ptx] nvcc $stem.cu -> $stem.fatbin (SASS $sass_list, PTX compute_$ptx; CUDA $release)"
    # -Werror all-warnings: a warning in a kernel is treated like the bug it usually is
    # shellcheck disable=SC2086
    nvcc -fatbin $gencode -O3 -std=c++17 -Werror all-warnings -o "$out/$stem.fatbin" "$cu"
done

printf 'kernels.built=true\nnvcc.release=%s\nimage=fatbin\nsass=%s\nptx=compute_%s\n' \
    "$release" "$sass_list" "$ptx" > "$out/build.properties"
