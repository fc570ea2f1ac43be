// Row-wise softmax over the last axis and its gradient, x viewed as [rows, cols].
//
// Numerically stable: the row maximum is subtracted before exp, so exp never overflows, as in
// the CPU reference. NaN propagates (max_nan), so a row holding NaN comes out all NaN, as on the CPU.
//
// These kernels are bound by memory traffic, so each reads its row from global memory once and
// keeps it in registers between the reduction and the write: forward moves one read and one
// write per element, backward two reads (y, dy) and one write. Loads are coalesced: value i of
// a thread is column (thread + i * threads), so a warp's load covers consecutive columns.
// Two shapes of kernel, chosen by SoftmaxLauncher from the row length:
//   *_warp:  one warp per row, for rows up to 32 * SOFTMAX_WARP_VALUES columns (= the launcher's
//            WARP_ROW_LIMIT): no shared memory, no barriers, several rows per block;
//   *_block: one block per row, for longer rows; rows up to blockDim.x * SOFTMAX_BLOCK_VALUES
//            columns stay in registers, longer ones are read twice: forward finds max and sum
//            in one online pass (the running sum is rescaled when the maximum grows), backward
//            reads y and dy once for the dot product and once for the result.
// Both walk rows with a grid-stride loop, so any number of rows fits any grid. Every reduction
// has a fixed order, so results are the same on every run.
#include "reduce.cuh"

#define SOFTMAX_WARP_VALUES 32
#define SOFTMAX_BLOCK_VALUES 32

// ---- forward: y = exp(x - max) / sum(exp(x - max)) ---------------------------------------

extern "C" __global__ void __launch_bounds__(256) softmax_forward_warp(const float* __restrict__ x,
                                                                       float* __restrict__ y, int rows, int cols) {
    const int lane = threadIdx.x & 31;
    const int warpsPerBlock = blockDim.x >> 5;
    const long long rowStep = (long long)gridDim.x * warpsPerBlock;
    // row is the same for the 32 lanes of a warp, so every lane takes part in each shuffle
    for (long long row = (long long)blockIdx.x * warpsPerBlock + (threadIdx.x >> 5); row < rows; row += rowStep) {
        const float* xr = x + row * cols;
        float* yr = y + row * cols;
        float v[SOFTMAX_WARP_VALUES];
        float m = -INFINITY;
#pragma unroll
        for (int i = 0; i < SOFTMAX_WARP_VALUES; ++i) {
            const int col = lane + 32 * i;
            v[i] = col < cols ? xr[col] : -INFINITY;
            m = max_nan(m, v[i]);
        }
        m = warp_max(m);
        float sum = 0.f;
#pragma unroll
        for (int i = 0; i < SOFTMAX_WARP_VALUES; ++i) {
            if (lane + 32 * i < cols) {
                v[i] = expf(v[i] - m);
                sum += v[i];
            }
        }
        sum = warp_sum(sum);
#pragma unroll
        for (int i = 0; i < SOFTMAX_WARP_VALUES; ++i) {
            const int col = lane + 32 * i;
            if (col < cols) {
                yr[col] = v[i] / sum;
            }
        }
    }
}

// The row's maximum and sum of exp(x - maximum) in one pass over global memory. Each thread keeps
// a running pair, rescaling its sum when its maximum grows; the block then brings every pair to
// the common maximum. A thread that has seen only -inf keeps (-inf, 0) and adds nothing.
__device__ __forceinline__ void online_max_sum(const float* xr, int cols, float* scratch, float& rowMax,
                                               float& rowSum) {
    float m = -INFINITY, s = 0.f;
    for (int col = threadIdx.x; col < cols; col += blockDim.x) {
        const float xv = xr[col];
        const float grown = max_nan(m, xv);
        if (grown == -INFINITY) {
            continue;
        }
        s = (grown == m ? s : s * expf(m - grown)) + expf(xv - grown);
        m = grown;
    }
    rowMax = block_max(m, scratch);
    rowSum = block_sum(m == -INFINITY ? 0.f : s * expf(m - rowMax), scratch);
}

extern "C" __global__ void __launch_bounds__(256) softmax_forward_block(const float* __restrict__ x,
                                                                        float* __restrict__ y, int rows, int cols) {
    __shared__ float scratch[32];
    const bool inRegisters = cols <= (int)blockDim.x * SOFTMAX_BLOCK_VALUES;
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) { // block-uniform
        const float* xr = x + row * cols;
        float* yr = y + row * cols;
        if (inRegisters) {
            float v[SOFTMAX_BLOCK_VALUES];
            float m = -INFINITY;
#pragma unroll
            for (int i = 0; i < SOFTMAX_BLOCK_VALUES; ++i) {
                const int col = threadIdx.x + blockDim.x * i;
                v[i] = col < cols ? xr[col] : -INFINITY;
                m = max_nan(m, v[i]);
            }
            m = block_max(m, scratch);
            float sum = 0.f;
#pragma unroll
            for (int i = 0; i < SOFTMAX_BLOCK_VALUES; ++i) {
                if (threadIdx.x + blockDim.x * i < cols) {
                    v[i] = expf(v[i] - m);
                    sum += v[i];
                }
            }
            sum = block_sum(sum, scratch);
#pragma unroll
            for (int i = 0; i < SOFTMAX_BLOCK_VALUES; ++i) {
                const int col = threadIdx.x + blockDim.x * i;
                if (col < cols) {
                    yr[col] = v[i] / sum;
                }
            }
        } else {
            float m, sum;
            online_max_sum(xr, cols, scratch, m, sum);
            for (int col = threadIdx.x; col < cols; col += blockDim.x) {
                yr[col] = expf(xr[col] - m) / sum;
            }
        }
    }
}

// ---- backward: dx = y * (dy - sum(dy * y)) ------------------------------------------------

extern "C" __global__ void __launch_bounds__(256) softmax_backward_warp(const float* __restrict__ y,
                                                                        const float* __restrict__ dy,
                                                                        float* __restrict__ dx, int rows, int cols) {
    const int lane = threadIdx.x & 31;
    const int warpsPerBlock = blockDim.x >> 5;
    const long long rowStep = (long long)gridDim.x * warpsPerBlock;
    for (long long row = (long long)blockIdx.x * warpsPerBlock + (threadIdx.x >> 5); row < rows; row += rowStep) {
        const long long off = row * cols;
        float yv[SOFTMAX_WARP_VALUES], dyv[SOFTMAX_WARP_VALUES];
        float dot = 0.f;
#pragma unroll
        for (int i = 0; i < SOFTMAX_WARP_VALUES; ++i) {
            const int col = lane + 32 * i;
            yv[i] = col < cols ? y[off + col] : 0.f;
            dyv[i] = col < cols ? dy[off + col] : 0.f;
            dot = fmaf(dyv[i], yv[i], dot);
        }
        dot = warp_sum(dot);
#pragma unroll
        for (int i = 0; i < SOFTMAX_WARP_VALUES; ++i) {
            const int col = lane + 32 * i;
            if (col < cols) {
                dx[off + col] = yv[i] * (dyv[i] - dot);
            }
        }
    }
}

extern "C" __global__ void __launch_bounds__(256) softmax_backward_block(const float* __restrict__ y,
                                                                         const float* __restrict__ dy,
                                                                         float* __restrict__ dx, int rows, int cols) {
    __shared__ float scratch[32];
    const bool inRegisters = cols <= (int)blockDim.x * SOFTMAX_BLOCK_VALUES;
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) { // block-uniform
        const long long off = row * cols;
        if (inRegisters) {
            float yv[SOFTMAX_BLOCK_VALUES], dyv[SOFTMAX_BLOCK_VALUES];
            float dot = 0.f;
#pragma unroll
            for (int i = 0; i < SOFTMAX_BLOCK_VALUES; ++i) {
                const int col = threadIdx.x + blockDim.x * i;
                yv[i] = col < cols ? y[off + col] : 0.f;
                dyv[i] = col < cols ? dy[off + col] : 0.f;
                dot = fmaf(dyv[i], yv[i], dot);
            }
            dot = block_sum(dot, scratch);
#pragma unroll
            for (int i = 0; i < SOFTMAX_BLOCK_VALUES; ++i) {
                const int col = threadIdx.x + blockDim.x * i;
                if (col < cols) {
                    dx[off + col] = yv[i] * (dyv[i] - dot);
                }
            }
        } else {
            float dot = 0.f;
            for (int col = threadIdx.x; col < cols; col += blockDim.x) {
                dot = fmaf(dy[off + col], y[off + col], dot);
            }
            dot = block_sum(dot, scratch);
            for (int col = threadIdx.x; col < cols; col += blockDim.x) {
                dx[off + col] = y[off + col] * (dy[off + col] - dot);
            }
        }
    }
}
