#!/bin/sh
# Compiles every .cu in $1 to PTX in $2, during the Maven build (generate-resources).
#
# compute_75 is the oldest virtual architecture CUDA 13 still accepts; the driver JIT-compiles
# the PTX for whatever newer card it finds. Next to the PTX goes build.properties, which says
# whether the kernels were built and by which toolkit release, so that the backend can tell a
# driver that is older than the PTX apart from other failures.
#
# A compile error fails the build. Without nvcc on the PATH the build goes on without kernels
# and the cuda provider reports "kernels not built".
set -eu

src=$1
out=$2
arch=compute_75

mkdir -p "$out"
rm -f "$out"/*.ptx "$out"/build.properties

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

for cu in "$src"/*.cu; do
    stem=$(basename "$cu" .cu)
    echo "[build-ptx] nvcc $stem.cu -> $stem.ptx ($arch, CUDA $release)"
    # -Werror all-warnings: a warning in a kernel is treated like the bug it usually is
    nvcc -ptx -arch="$arch" -O3 -std=c++17 -Werror all-warnings -o "$out/$stem.ptx" "$cu"
done

printf 'kernels.built=true\nnvcc.release=%s\narch=%s\n' "$release" "$arch" > "$out/build.properties"
