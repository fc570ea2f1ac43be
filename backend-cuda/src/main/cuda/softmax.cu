// Row-wise softmax over the last axis and its gradient, x viewed as [rows, cols].
//
// Numerically stable: the row maximum is subtracted before exp, so exp never overflows, as in
// the CPU reference. NaN propagates (max_nan), so a row holding NaN comes out all NaN, as on the CPU.
//
// These kernels are bound by memory traffic, so each reads its row from global memory once and
// keeps it in registers between the reduction and the write: forward moves one read and one
// write per element, backward two reads (y, dy) and one write. Loads are coalesced: value i of
// a thread is column (thread + i * threads), so a warp's load covers consecutive columns.
// Three shapes of kernel, chosen by SoftmaxLauncher from the row length:
//   *_warp:  one warp per row, for rows up to 32 * SOFTMAX_WARP_VALUES columns (= the launcher's
//            WARP_ROW_LIMIT): no shared memory, no barriers, several rows per block;
//   *_block: one block per row, for longer rows; rows up to blockDim.x * SOFTMAX_BLOCK_VALUES
//            columns stay in registers, longer ones are read twice: forward finds max and sum
//            in one online pass (the running sum is rescaled when the maximum grows), backward
//            reads y and dy once for the dot product and once for the result.
//   softmax_forward_fused: one block per row, built to stream: 128-bit accesses, one block
//            reduction of (max, sum) pairs, one multiply per output, a block sized to the row.
//            The launch rule's forward for rows of WARP_ROW_LIMIT + 1 to 8192 columns;
//            softmax_forward_block takes longer rows, and all of them when forced
//            (tensor.cuda.softmax.kernel=block), to be timed beside it.
// All walk rows with a grid-stride loop, so any number of rows fits any grid. Every reduction
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

// ---- forward, fused: built to stream a long row at the copy bandwidth ----------------------
//
// softmax_forward_block spends 77 registers (sm_90) on its 32 values per thread (3 blocks, 3 rows,
// per H200 multiprocessor), loads and stores 4 bytes per instruction, and runs its phases one after
// another: load, block max (3 barriers), exp, block sum (3 barriers), one IEEE division per
// element, store. While a block reduces it has no loads in flight, and few other rows are there
// to cover for it: the forward reached 64% of the copy bandwidth at 8192^2 on an H200, the
// backward (one reduction, no exp, no division) 88%. This kernel cuts what lies between a row's
// loads and its stores:
//   - each thread finds its own maximum m_t and sum s_t of e = exp(x - m_t) over its values,
//     keeping e in registers (one expf per element); the block then reduces the (m_t, s_t) pairs
//     once, rescaling as it merges (S = sum_t s_t exp(m_t - M)), and each thread writes
//     e * (exp(m_t - M) / S): one multiply per element, no division;
//   - that reduction has one barrier per row: every warp merges the warps' pairs itself (the same
//     butterfly on the same values, so the same bits), and the warps' slots alternate between two
//     buffers from row to row, so a warp that runs ahead to the next row cannot overwrite a slot
//     that a slower warp has yet to read (to reach that buffer again it must pass the next row's
//     barrier, which the slower warp reaches only after reading);
//   - 128-bit loads and stores where every row starts on 16 bytes (cols % 4 == 0 and both bases
//     aligned), 4-byte ones otherwise, so any cols and any base work;
//   - 32 values per thread and as many threads as the row needs (whole warps, at most 256: the
//     launcher's fusedThreads), at most 64 registers (__launch_bounds__(256, 4)): four rows of
//     8192 share a multiprocessor, more of shorter rows, each thread with up to eight 128-bit
//     loads in flight.
// Rows longer than blockDim.x * SOFTMAX_FUSED_VALUES (8192 at 256 threads) are not this kernel's:
// the launcher runs softmax_forward_block's online two-pass path for them. A second path here
// made ptxas spill within the 64 registers. Launched for such a row anyway, the kernel traps (a
// launch failure, not a wrong answer).
// Special values come out as in the CPU reference: NaN anywhere makes the row NaN (max_nan); a
// row whose maximum is +inf or -inf (all -inf) is NaN, since exp(inf - inf) is NaN there too;
// -inf elements of a finite row give 0. A thread with no value above -inf holds (-inf, 0).

#define SOFTMAX_FUSED_THREADS 256
#define SOFTMAX_FUSED_VALUES 32
#define SOFTMAX_FUSED_MIN_BLOCKS 4

// Merges the pair (om, os) into (m, s), each a maximum and a sum of exp(x - maximum): both sums
// are brought to the larger maximum. When both are empty (maximum -inf) the exponent base is 0, so
// that they stay (-inf, 0) instead of becoming exp(-inf - -inf) = NaN.
__device__ __forceinline__ void merge_max_sum(float& m, float& s, float om, float os) {
    const float merged = max_nan(m, om);
    const float base = merged == -INFINITY ? 0.f : merged;
    s = s * expf(m - base) + os * expf(om - base);
    m = merged;
}

// Butterfly over the 32 lanes; every lane ends with the same pair (merging is symmetric).
__device__ __forceinline__ void warp_max_sum(float& m, float& s) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        const float om = __shfl_xor_sync(FULL_WARP_MASK, m, offset);
        const float os = __shfl_xor_sync(FULL_WARP_MASK, s, offset);
        merge_max_sum(m, s, om, os);
    }
}

// The block's pair, returned to every thread, behind one barrier; warpMax and warpSum are this
// row's buffer of 32 slots each (see above for why two buffers alternate).
__device__ __forceinline__ void block_max_sum(float& m, float& s, float* warpMax, float* warpSum) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    warp_max_sum(m, s);
    if (lane == 0) {
        warpMax[warp] = m;
        warpSum[warp] = s;
    }
    __syncthreads();
    m = lane < warps ? warpMax[lane] : -INFINITY;
    s = lane < warps ? warpSum[lane] : 0.f;
    warp_max_sum(m, s);
}

// Loads this thread's values of a row; past its end, -inf (exp gives 0 there, the maximum ignores
// it). Vectorised: 128-bit word j of the thread is the row's word (thread + blockDim.x * j), so a
// warp's load covers 512 consecutive bytes; scalar: value i is column (thread + blockDim.x * i).
// Through the read-only data path (__ldg), as nvcc compiles the other kernels' loads of their
// __restrict__ inputs: here it cannot infer that, the alignment test having cast x to an integer.
template <bool VEC>
__device__ __forceinline__ void fused_load(const float* __restrict__ xr, int cols, float (&v)[SOFTMAX_FUSED_VALUES]) {
    if constexpr (VEC) {
        const float4* x4 = reinterpret_cast<const float4*>(xr);
        const int words = cols >> 2; // cols is a multiple of 4 on this path
#pragma unroll
        for (int j = 0; j < SOFTMAX_FUSED_VALUES / 4; ++j) {
            const int w = threadIdx.x + blockDim.x * j;
            const float4 f = w < words ? __ldg(x4 + w) : make_float4(-INFINITY, -INFINITY, -INFINITY, -INFINITY);
            v[4 * j] = f.x;
            v[4 * j + 1] = f.y;
            v[4 * j + 2] = f.z;
            v[4 * j + 3] = f.w;
        }
    } else {
#pragma unroll
        for (int i = 0; i < SOFTMAX_FUSED_VALUES; ++i) {
            const int col = threadIdx.x + blockDim.x * i;
            v[i] = col < cols ? __ldg(xr + col) : -INFINITY;
        }
    }
}

// This thread's pair over its values, which become e = exp(x - m). With no value above -inf the
// base is 0: e = exp(-inf) = 0 and the pair (-inf, 0), not NaN.
__device__ __forceinline__ void fused_exp(float (&v)[SOFTMAX_FUSED_VALUES], float& m, float& s) {
    m = -INFINITY;
#pragma unroll
    for (int i = 0; i < SOFTMAX_FUSED_VALUES; ++i) {
        m = max_nan(m, v[i]);
    }
    const float base = m == -INFINITY ? 0.f : m;
    s = 0.f;
#pragma unroll
    for (int i = 0; i < SOFTMAX_FUSED_VALUES; ++i) {
        v[i] = expf(v[i] - base);
        s += v[i];
    }
}

// Writes e * k for this thread's values of the row, laid out as fused_load reads them.
template <bool VEC>
__device__ __forceinline__ void fused_store(float* yr, int cols, const float (&e)[SOFTMAX_FUSED_VALUES], float k) {
    if constexpr (VEC) {
        float4* y4 = reinterpret_cast<float4*>(yr);
        const int words = cols >> 2;
#pragma unroll
        for (int j = 0; j < SOFTMAX_FUSED_VALUES / 4; ++j) {
            const int w = threadIdx.x + blockDim.x * j;
            if (w < words) {
                y4[w] = make_float4(e[4 * j] * k, e[4 * j + 1] * k, e[4 * j + 2] * k, e[4 * j + 3] * k);
            }
        }
    } else {
#pragma unroll
        for (int i = 0; i < SOFTMAX_FUSED_VALUES; ++i) {
            const int col = threadIdx.x + blockDim.x * i;
            if (col < cols) {
                yr[col] = e[i] * k;
            }
        }
    }
}

// The block's rows, each held in registers from its loads to its stores; every thread of the
// block takes part in every row. warpMax and warpSum: the two buffers of 32 slots (see above).
template <bool VEC>
__device__ __forceinline__ void fused_rows(const float* __restrict__ x, float* __restrict__ y, int rows, int cols,
                                           float (*warpMax)[32], float (*warpSum)[32]) {
    int buffer = 0;
    for (long long row = blockIdx.x; row < rows; row += gridDim.x, buffer ^= 1) { // block-uniform
        float v[SOFTMAX_FUSED_VALUES];
        fused_load<VEC>(x + row * cols, cols, v);
        float m, s;
        fused_exp(v, m, s);
        float rowMax = m, rowSum = s;
        block_max_sum(rowMax, rowSum, warpMax[buffer], warpSum[buffer]);
        // exp(m - rowMax) is 0 for a thread whose values are all -inf (its e are 0 too), and NaN
        // when rowMax is +-inf or NaN, which makes the row NaN as on the CPU
        fused_store<VEC>(y + row * cols, cols, v, expf(m - rowMax) * (1.f / rowSum));
    }
}

extern "C" __global__ void __launch_bounds__(SOFTMAX_FUSED_THREADS, SOFTMAX_FUSED_MIN_BLOCKS)
softmax_forward_fused(const float* __restrict__ x, float* __restrict__ y, int rows, int cols) {
    __shared__ float warpMax[2][32], warpSum[2][32];
    if (cols > (int)blockDim.x * SOFTMAX_FUSED_VALUES) {
        __trap(); // the launcher never does this (see above); a row cut short must not pass unseen
    }
    // every row starts on 16 bytes when cols % 4 == 0 and both bases do: then 128-bit accesses.
    // Decided once per launch, outside the row loop (inside it, ptxas spilled on sm_90).
    if ((cols & 3) == 0 && (((size_t)x | (size_t)y) & 15) == 0) {
        fused_rows<true>(x, y, rows, cols, warpMax, warpSum);
    } else {
        fused_rows<false>(x, y, rows, cols, warpMax, warpSum);
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
