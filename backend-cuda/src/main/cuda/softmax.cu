// Row-wise softmax over the last axis and its gradient, x viewed as [rows, cols].
//
// Numerically stable: the row maximum is subtracted before exp, so exp never overflows, as in
// the CPU reference. NaN propagates (max_nan), so a row holding NaN comes out all NaN, as on the CPU.
// Two shapes of kernel, chosen by SoftmaxLauncher from the row length:
//   *_warp:  one warp per row, for short rows (up to SoftmaxLauncher.WARP_ROW_LIMIT): no shared
//            memory, no barriers, several rows per block;
//   *_block: one block per row, for long rows: the block's threads share the row and reduce
//            through shared memory.
// Both walk rows with a grid-stride loop, so any number of rows fits any grid.
#include "reduce.cuh"

// ---- forward: y = exp(x - max) / sum(exp(x - max)) ---------------------------------------

extern "C" __global__ void softmax_forward_warp(const float* __restrict__ x, float* __restrict__ y,
                                                int rows, int cols) {
    const int lane = threadIdx.x & 31;
    const int warpsPerBlock = blockDim.x >> 5;
    const long long rowStep = (long long)gridDim.x * warpsPerBlock;
    // row is the same for the 32 lanes of a warp, so every lane takes part in each shuffle
    for (long long row = (long long)blockIdx.x * warpsPerBlock + (threadIdx.x >> 5); row < rows; row += rowStep) {
        const float* xr = x + row * cols;
        float* yr = y + row * cols;
        float m = -INFINITY;
        for (int col = lane; col < cols; col += 32) {
            m = max_nan(m, xr[col]);
        }
        m = warp_max(m);
        float sum = 0.f;
        for (int col = lane; col < cols; col += 32) {
            sum += expf(xr[col] - m);
        }
        sum = warp_sum(sum);
        for (int col = lane; col < cols; col += 32) {
            yr[col] = expf(xr[col] - m) / sum;
        }
    }
}

extern "C" __global__ void softmax_forward_block(const float* __restrict__ x, float* __restrict__ y,
                                                 int rows, int cols) {
    __shared__ float scratch[32];
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) { // block-uniform
        const float* xr = x + row * cols;
        float* yr = y + row * cols;
        float m = -INFINITY;
        for (int col = threadIdx.x; col < cols; col += blockDim.x) {
            m = max_nan(m, xr[col]);
        }
        m = block_max(m, scratch);
        float sum = 0.f;
        for (int col = threadIdx.x; col < cols; col += blockDim.x) {
            sum += expf(xr[col] - m);
        }
        sum = block_sum(sum, scratch);
        for (int col = threadIdx.x; col < cols; col += blockDim.x) {
            yr[col] = expf(xr[col] - m) / sum;
        }
    }
}

// ---- backward: dx = y * (dy - sum(dy * y)) ------------------------------------------------

extern "C" __global__ void softmax_backward_warp(const float* __restrict__ y, const float* __restrict__ dy,
                                                 float* __restrict__ dx, int rows, int cols) {
    const int lane = threadIdx.x & 31;
    const int warpsPerBlock = blockDim.x >> 5;
    const long long rowStep = (long long)gridDim.x * warpsPerBlock;
    for (long long row = (long long)blockIdx.x * warpsPerBlock + (threadIdx.x >> 5); row < rows; row += rowStep) {
        const long long off = row * cols;
        float dot = 0.f;
        for (int col = lane; col < cols; col += 32) {
            dot = fmaf(dy[off + col], y[off + col], dot);
        }
        dot = warp_sum(dot);
        for (int col = lane; col < cols; col += 32) {
            dx[off + col] = y[off + col] * (dy[off + col] - dot);
        }
    }
}

extern "C" __global__ void softmax_backward_block(const float* __restrict__ y, const float* __restrict__ dy,
                                                  float* __restrict__ dx, int rows, int cols) {
    __shared__ float scratch[32];
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) { // block-uniform
        const long long off = row * cols;
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
