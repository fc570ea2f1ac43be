// Reductions shared by the kernel families. Every reduction here combines values in a fixed
// order that depends only on blockDim, never on timing, so a result is the same on every run.
#pragma once

#define FULL_WARP_MASK 0xffffffffu

// max that propagates NaN, as Java's Math.max does in the CPU reference (fmaxf would drop it)
__device__ __forceinline__ float max_nan(float a, float b) {
    return (a > b || isnan(a)) ? a : b;
}

// Butterfly over the 32 lanes; every lane ends with the same bits (a+b and b+a are equal).
__device__ __forceinline__ float warp_sum(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(FULL_WARP_MASK, v, offset);
    }
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = max_nan(v, __shfl_xor_sync(FULL_WARP_MASK, v, offset));
    }
    return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024), returned to every thread.
// scratch holds 32 floats in shared memory; the call must be reached by every thread.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        v = lane < warps ? scratch[lane] : 0.f;
        v = warp_sum(v);
        if (lane == 0) {
            scratch[0] = v;
        }
    }
    __syncthreads();
    const float total = scratch[0];
    __syncthreads(); // every thread has read scratch[0] before a later call overwrites it
    return total;
}

__device__ __forceinline__ float block_max(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_max(v);
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        v = lane < warps ? scratch[lane] : -INFINITY;
        v = warp_max(v);
        if (lane == 0) {
            scratch[0] = v;
        }
    }
    __syncthreads();
    const float total = scratch[0];
    __syncthreads();
    return total;
}

// Grid-stride index helpers: 64-bit so that n near 2^31 cannot overflow the step.
__device__ __forceinline__ long long global_thread_index() {
    return (long long)blockIdx.x * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ long long global_thread_count() {
    return (long long)gridDim.x * blockDim.x;
}
