// Element-wise ops and reductions of the network: bias add and its gradient, ReLU and its
// gradient, add, mul, scale, axpy (also the SGD update: param += -lr * grad) and sum.
//
// Each element-wise kernel does exactly the IEEE operations the CPU reference does, in the
// same order and without fused multiply-add (__fmul_rn keeps nvcc from contracting), so its
// results equal the CPU's bit for bit. Every kernel walks its elements with a grid-stride
// loop, so any grid size covers any n.
#include "reduce.cuh"

// y[o, l, i] = x[o, l, i] + bias[l], x viewed as [outer, len, inner]
extern "C" __global__ void add_bias(const float* __restrict__ x, const float* __restrict__ bias,
                                    float* __restrict__ y, int outer, int len, int inner) {
    const long long n = (long long)outer * len * inner;
    for (long long idx = global_thread_index(); idx < n; idx += global_thread_count()) {
        const int l = (int)((idx / inner) % len);
        y[idx] = x[idx] + bias[l];
    }
}

// out[l] = sum over o, i of x[o, l, i]: one block per l (grid-stride over l), a fixed-order
// block reduction, so no atomics and the same bits on every run. blockDim.x: multiple of 32.
extern "C" __global__ void sum_to_axis(const float* __restrict__ x, float* __restrict__ out,
                                       int outer, int len, int inner) {
    __shared__ float scratch[32];
    const long long count = (long long)outer * inner;
    for (int l = blockIdx.x; l < len; l += gridDim.x) { // block-uniform: the barriers inside are safe
        float acc = 0.f;
        for (long long t = threadIdx.x; t < count; t += blockDim.x) {
            const long long o = t / inner, i = t % inner;
            acc += x[(o * len + l) * inner + i];
        }
        const float total = block_sum(acc, scratch);
        if (threadIdx.x == 0) {
            out[l] = total;
        }
    }
}

// max(x, 0); NaN stays NaN
extern "C" __global__ void relu_forward(const float* __restrict__ x, float* __restrict__ y, int n) {
    for (long long idx = global_thread_index(); idx < n; idx += global_thread_count()) {
        const float v = x[idx];
        y[idx] = (v > 0.f || isnan(v)) ? v : 0.f;
    }
}

// gradY where x > 0, NaN where x is NaN, else 0 (the CPU reference's rule)
extern "C" __global__ void relu_backward(const float* __restrict__ x, const float* __restrict__ gradY,
                                         float* __restrict__ gradX, int n) {
    for (long long idx = global_thread_index(); idx < n; idx += global_thread_count()) {
        const float v = x[idx];
        gradX[idx] = v > 0.f ? gradY[idx] : (isnan(v) ? v : 0.f);
    }
}

extern "C" __global__ void add_elements(const float* __restrict__ a, const float* __restrict__ b,
                                        float* __restrict__ c, int n) {
    for (long long idx = global_thread_index(); idx < n; idx += global_thread_count()) {
        c[idx] = a[idx] + b[idx];
    }
}

extern "C" __global__ void mul_elements(const float* __restrict__ a, const float* __restrict__ b,
                                        float* __restrict__ c, int n) {
    for (long long idx = global_thread_index(); idx < n; idx += global_thread_count()) {
        c[idx] = a[idx] * b[idx];
    }
}

extern "C" __global__ void scale_elements(const float* __restrict__ x, float* __restrict__ y, float alpha, int n) {
    for (long long idx = global_thread_index(); idx < n; idx += global_thread_count()) {
        y[idx] = alpha * x[idx];
    }
}

// in place y += alpha * x, rounded twice like the CPU's float arithmetic (no FMA)
extern "C" __global__ void axpy(float alpha, const float* __restrict__ x, float* __restrict__ y, int n) {
    for (long long idx = global_thread_index(); idx < n; idx += global_thread_count()) {
        y[idx] = __fadd_rn(y[idx], __fmul_rn(alpha, x[idx]));
    }
}

// out[blockIdx.x] = sum of the elements this block visits. Launched twice for a full sum:
// first with a grid fixed by n writing one partial per block, then with one block over the
// partials. The grid depends on n only, so the order of additions, and the result, never vary.
extern "C" __global__ void sum_blocks(const float* __restrict__ x, float* __restrict__ out, int n) {
    __shared__ float scratch[32];
    float acc = 0.f;
    for (long long idx = global_thread_index(); idx < n; idx += global_thread_count()) {
        acc += x[idx];
    }
    const float total = block_sum(acc, scratch);
    if (threadIdx.x == 0) {
        out[blockIdx.x] = total;
    }
}
