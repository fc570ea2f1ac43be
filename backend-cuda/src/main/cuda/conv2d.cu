// 2-D convolution (cross-correlation, filter not flipped) and its two gradients, as
// Conv2dGeometry defines them: input [n, c, h, w], filter [k, c, r, s], output [n, k, outH, outW],
//   out[b, o, y, x] = sum over (ch, i, j) of in[b, ch, y*strideH - padH + i, x*strideW - padW + j] * f[o, ch, i, j]
// with zeros outside the input.
//
// Each pass is an implicit GEMM, C[M][N] = sum over K of A[M][K] B[K][N], whose operands are
// gathered from the tensors while a tile is staged in shared memory; no patch matrix is ever
// written to global memory.
//
//   pass             M (tile rows)   N (tile columns)            K (reduction)
//   forward          out channel o   output position (b, y, x)   filter tap (i, j) x input channel
//   backward-input   in channel ch   input position (b, iy, ix)  filter tap (i, j) x out channel
//   backward-filter  out channel o   filter element (ch, i, j)   output position (b, y, x)
//
// A block of CONV_THREADS threads computes a TM x CONV_TILE_N tile of C, CONV_TILE_K values of K
// per step. Two tile heights: TM = CONV_TILE_M (32) for layers with few channels, where a
// taller tile would mostly multiply zeros, and TM = CONV_TILE_M_WIDE (64), the `_wide`
// kernels, which do twice the multiply-adds per value staged. Each thread keeps an 8 x 4
// (TM 32) or 8 x 8 (TM 64) block of C in registers, read from shared memory as float4. The
// tiles are double-buffered: while the block multiplies one step's tiles, each thread holds
// the next step's values in registers, and one barrier per step separates the two.
//
// In the forward and backward-input passes, K runs over the filter taps, and for each tap over
// the channels CONV_TILE_K at a time (the channels past the last are zero). Within one step the
// tap is fixed, so each column of B is one position of the image, checked against the padding
// once per step, and its CONV_TILE_K values are the same pixel in consecutive channel planes.
// The columns are consecutive image positions, so a warp's loads are consecutive addresses
// (for stride 1), and so are the addresses its stores of C cover.
//
// Backward-filter reduces over n * outH * outW positions into only k * c * r * s values, so
// the positions are split into `splits` ranges of `splitPositions` (a multiple of CONV_TILE_K),
// one per blockIdx.z; each range's sums go to its own slice of a partial buffer, which
// conv2d_backward_filter_reduce then adds up slice by slice. With one split the kernel writes
// the gradient directly.
//
// No atomics; every element of every result is summed in an order fixed by the geometry and
// the launch arithmetic, never by timing: results are the same on every run. Every loop that
// contains a barrier is uniform across the block. Tiles beyond gridDim are walked in loops.
//
// Tiny filters (c*r*s <= CONV_DIRECT_MAX_TAPS, k <= CONV_DIRECT_MAX_K: the networks' own layer,
// one channel, 2x2, stride 2) take the `_direct` kernels at the end of this file instead: the
// GEMM tiles above would multiply mostly zeros there (see there).
#include "reduce.cuh"

#define CONV_TILE_M 32
#define CONV_TILE_M_WIDE 64
#define CONV_TILE_N 128
#define CONV_TILE_K 16
#define CONV_THREADS 128
#define CONV_ROWS_PER_THREAD 8
// row pitch of B in shared memory, padded by 4 floats: rows stay 16-byte aligned for the
// float4 reads, and the column-wise stores of backward-filter spread over the banks
#define CONV_B_PITCH (CONV_TILE_N + 4)
// values of B each thread stages per step
#define CONV_B_PER_THREAD (CONV_TILE_N * CONV_TILE_K / CONV_THREADS)

// The shape of a TM x CONV_TILE_N tile's work. Thread (ty, tx) owns rows 8 ty .. 8 ty + 7 and,
// in each of GROUPS groups of CONV_TILE_N / GROUPS columns, columns 4 tx .. 4 tx + 3 of the group.
template <int TM>
struct ConvTile {
    static constexpr int GROUPS = TM / 32;                     // float4 column groups per thread
    static constexpr int COLS = 4 * GROUPS;                    // columns per thread
    static constexpr int THREADS_N = CONV_TILE_N / COLS;       // threads along a row: 32 or 16
    static constexpr int GROUP_WIDTH = CONV_TILE_N / GROUPS;   // 128 or 64
    static constexpr int A_PITCH = TM + 4;                     // padded as B's
    static constexpr int A_PER_THREAD = TM * CONV_TILE_K / CONV_THREADS; // values of A staged per thread
    static_assert(TM / CONV_ROWS_PER_THREAD * THREADS_N == CONV_THREADS, "the threads cover the tile once");
    static_assert(THREADS_N * 4 == GROUP_WIDTH, "a group's columns are covered by float4s");

    // the tile column of this thread's register column jj
    static __device__ __forceinline__ int column(int tx, int jj) {
        return (jj / 4) * GROUP_WIDTH + tx * 4 + jj % 4;
    }
};

// The block's share of one step: acc[i][j] += sum over kk of As[kk][8 ty + i] * Bs[kk][column(tx, j)].
// A warp's A reads are broadcasts of one or two addresses; its B reads are 512 or 256
// consecutive bytes (the two halves of a TM 64 warp read the same ones): no bank conflicts.
template <int TM>
__device__ __forceinline__ void conv_multiply_tiles(const float (*As)[ConvTile<TM>::A_PITCH], const float (*Bs)[CONV_B_PITCH],
                                                    float (&acc)[CONV_ROWS_PER_THREAD][ConvTile<TM>::COLS], int ty, int tx) {
    using T = ConvTile<TM>;
#pragma unroll
    for (int kk = 0; kk < CONV_TILE_K; ++kk) {
        const float4 a0 = *reinterpret_cast<const float4*>(&As[kk][ty * CONV_ROWS_PER_THREAD]);
        const float4 a1 = *reinterpret_cast<const float4*>(&As[kk][ty * CONV_ROWS_PER_THREAD + 4]);
        const float a[CONV_ROWS_PER_THREAD] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
        float b[T::COLS];
#pragma unroll
        for (int g = 0; g < T::GROUPS; ++g) {
            const float4 b4 = *reinterpret_cast<const float4*>(&Bs[kk][g * T::GROUP_WIDTH + tx * 4]);
            b[4 * g] = b4.x;
            b[4 * g + 1] = b4.y;
            b[4 * g + 2] = b4.z;
            b[4 * g + 3] = b4.w;
        }
#pragma unroll
        for (int i = 0; i < CONV_ROWS_PER_THREAD; ++i) {
#pragma unroll
            for (int j = 0; j < T::COLS; ++j) {
                acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
            }
        }
    }
}

// A column of backward-filter's B: filter element (ch, i, j) and its offset ch*h*w + i*w + j in an image.
struct __align__(16) ConvColumn {
    int offset, i, j, unused;
};

template <int COLS>
__device__ __forceinline__ void conv_zero(float (&acc)[CONV_ROWS_PER_THREAD][COLS]) {
#pragma unroll
    for (int i = 0; i < CONV_ROWS_PER_THREAD; ++i) {
#pragma unroll
        for (int j = 0; j < COLS; ++j) {
            acc[i][j] = 0.f;
        }
    }
}

// Forward: A[o][(tap, ch)] = f[o, ch, i, j], B[(tap, ch)][(b, y, x)] = in[b, ch, y*strideH - padH + i, x*strideW - padW + j].
// Launch: blockDim (CONV_THREADS); grid x over ceil(n*outH*outW / CONV_TILE_N), y over ceil(k / TM).
template <int TM>
__device__ __forceinline__ void conv_forward_tiles(const float* __restrict__ in, const float* __restrict__ f, float* __restrict__ out,
        int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
        int strideH, int strideW, int padH, int padW) {
    using T = ConvTile<TM>;
    __shared__ __align__(16) float As[2][CONV_TILE_K][T::A_PITCH];
    __shared__ __align__(16) float Bs[2][CONV_TILE_K][CONV_B_PITCH];

    const int tid = threadIdx.x, ty = tid / T::THREADS_N, tx = tid % T::THREADS_N;
    const int plane = outH * outW;                  // output positions per image
    const long long columns = (long long)n * plane; // N
    const long long hw = (long long)h * w;
    const int chunks = (c + CONV_TILE_K - 1) / CONV_TILE_K;
    const int steps = r * s * chunks; // 0 when c == 0: the output is zeros
    const long long tilesN = (columns + CONV_TILE_N - 1) / CONV_TILE_N;
    const int tilesM = (k + TM - 1) / TM;
    // A staging: K offset aK, rows aRow + (CONV_THREADS / CONV_TILE_K) t; the lanes sharing a row
    // read consecutive channels of one filter, r*s floats apart, rather than r*s*c apart
    const int aK = tid % CONV_TILE_K, aRow = tid / CONV_TILE_K;

    for (long long tileN = blockIdx.x; tileN < tilesN; tileN += gridDim.x) {
        // B staging: this thread's column is one output position, fixed for the whole tile
        const long long col = tileN * CONV_TILE_N + tid;
        const bool colValid = col < columns;
        int iy0 = 0, ix0 = 0;
        const float* image = in;
        if (colValid) {
            const int b = (int)col / plane, p = (int)col % plane; // col < N, an int
            iy0 = (p / outW) * strideH - padH;
            ix0 = (p % outW) * strideW - padW;
            image = in + (size_t)b * c * hw;
        }
        for (int tileM = blockIdx.y; tileM < tilesM; tileM += gridDim.y) {
            float acc[CONV_ROWS_PER_THREAD][T::COLS];
            conv_zero(acc);
            float aNext[T::A_PER_THREAD], bNext[CONV_B_PER_THREAD];

            // gathers step `step`'s values of this thread into aNext and bNext
            auto load = [&](int step) {
                const int tap = step / chunks, ch0 = (step - tap * chunks) * CONV_TILE_K;
                const int i = tap / s, j = tap - i * s;
                const int ch = ch0 + aK;
#pragma unroll
                for (int t = 0; t < T::A_PER_THREAD; ++t) {
                    const int o = tileM * TM + aRow + t * (CONV_THREADS / CONV_TILE_K);
                    aNext[t] = (o < k && ch < c) ? f[(((size_t)o * c + ch) * r + i) * s + j] : 0.f;
                }
                const int iy = iy0 + i, ix = ix0 + j;
                const bool inside = colValid && iy >= 0 && iy < h && ix >= 0 && ix < w;
                const float* pixel = image + (size_t)(inside ? iy : 0) * w + (inside ? ix : 0);
#pragma unroll
                for (int kk = 0; kk < CONV_B_PER_THREAD; ++kk) {
                    bNext[kk] = (inside && ch0 + kk < c) ? pixel[(size_t)(ch0 + kk) * hw] : 0.f;
                }
            };
            auto stage = [&](int buf) {
#pragma unroll
                for (int t = 0; t < T::A_PER_THREAD; ++t) {
                    As[buf][aK][aRow + t * (CONV_THREADS / CONV_TILE_K)] = aNext[t];
                }
#pragma unroll
                for (int kk = 0; kk < CONV_B_PER_THREAD; ++kk) {
                    Bs[buf][kk][tid] = bNext[kk];
                }
            };

            if (steps > 0) {
                load(0);
                stage(0);
            }
            __syncthreads();
            for (int step = 0; step < steps; ++step) {
                const int buf = step & 1;
                if (step + 1 < steps) {
                    load(step + 1); // global loads in flight while the tiles are multiplied
                }
                conv_multiply_tiles<TM>(As[buf], Bs[buf], acc, ty, tx);
                if (step + 1 < steps) {
                    stage(buf ^ 1); // last read in step - 1, which every thread has finished
                }
                __syncthreads();
            }

            // out[b, o, y, x] for this thread's 8 channels and its columns' positions
#pragma unroll
            for (int jj = 0; jj < T::COLS; ++jj) {
                const long long cj = tileN * CONV_TILE_N + T::column(tx, jj);
                if (cj < columns) {
                    const int b = (int)cj / plane, p = (int)cj % plane;
#pragma unroll
                    for (int ii = 0; ii < CONV_ROWS_PER_THREAD; ++ii) {
                        const int oo = tileM * TM + ty * CONV_ROWS_PER_THREAD + ii;
                        if (oo < k) {
                            out[((size_t)b * k + oo) * plane + p] = acc[ii][jj];
                        }
                    }
                }
            }
        }
    }
}

// Backward-input: gradIn[b, ch, iy, ix] sums gradOut[b, o, y, x] * f[o, ch, i, j] over the
// (o, i, j) whose output reads it, those with y * strideH = iy + padH - i and x * strideW = ix + padW - j.
// A[ch][(tap, o)] = f[o, ch, i, j], B[(tap, o)][(b, iy, ix)] = gradOut[b, o, y, x], zero where
// the tap reaches no output (the stride does not divide, or y, x fall outside); a pixel that
// no output reads comes out zero.
// Launch: blockDim (CONV_THREADS); grid x over ceil(n*h*w / CONV_TILE_N), y over ceil(c / TM).
template <int TM>
__device__ __forceinline__ void conv_backward_input_tiles(const float* __restrict__ gradOut, const float* __restrict__ f, float* __restrict__ gradIn,
        int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
        int strideH, int strideW, int padH, int padW) {
    using T = ConvTile<TM>;
    __shared__ __align__(16) float As[2][CONV_TILE_K][T::A_PITCH];
    __shared__ __align__(16) float Bs[2][CONV_TILE_K][CONV_B_PITCH];

    const int tid = threadIdx.x, ty = tid / T::THREADS_N, tx = tid % T::THREADS_N;
    const int hw = h * w;                        // input positions per image
    const long long columns = (long long)n * hw; // N
    const long long plane = (long long)outH * outW;
    const int chunks = (k + CONV_TILE_K - 1) / CONV_TILE_K;
    const int steps = r * s * chunks; // 0 when k == 0: the gradient is zeros
    const long long tilesN = (columns + CONV_TILE_N - 1) / CONV_TILE_N;
    const int tilesM = (c + TM - 1) / TM;
    const int aRow = tid % TM, aK = tid / TM;

    for (long long tileN = blockIdx.x; tileN < tilesN; tileN += gridDim.x) {
        const long long col = tileN * CONV_TILE_N + tid;
        const bool colValid = col < columns;
        int sy0 = 0, sx0 = 0; // iy + padH, ix + padW
        const float* grads = gradOut;
        if (colValid) {
            const int b = (int)col / hw, p = (int)col % hw; // col < N, an int
            sy0 = p / w + padH;
            sx0 = p % w + padW;
            grads = gradOut + (size_t)b * k * plane;
        }
        for (int tileM = blockIdx.y; tileM < tilesM; tileM += gridDim.y) {
            const int ch = tileM * TM + aRow;
            float acc[CONV_ROWS_PER_THREAD][T::COLS];
            conv_zero(acc);
            float aNext[T::A_PER_THREAD], bNext[CONV_B_PER_THREAD];

            auto load = [&](int step) {
                const int tap = step / chunks, o0 = (step - tap * chunks) * CONV_TILE_K;
                const int i = tap / s, j = tap - i * s;
#pragma unroll
                for (int t = 0; t < T::A_PER_THREAD; ++t) {
                    const int o = o0 + aK + t * (CONV_THREADS / TM);
                    aNext[t] = (ch < c && o < k) ? f[(((size_t)o * c + ch) * r + i) * s + j] : 0.f;
                }
                // the output (y, x) that reads this pixel through tap (i, j), if any
                const int sy = sy0 - i, sx = sx0 - j;
                const int y = sy / strideH, x = sx / strideW;
                const bool reads = colValid && sy >= 0 && sx >= 0 && y * strideH == sy && x * strideW == sx
                                   && y < outH && x < outW;
                const float* g = grads + (reads ? (size_t)y * outW + x : 0);
#pragma unroll
                for (int kk = 0; kk < CONV_B_PER_THREAD; ++kk) {
                    bNext[kk] = (reads && o0 + kk < k) ? g[(size_t)(o0 + kk) * plane] : 0.f;
                }
            };
            auto stage = [&](int buf) {
#pragma unroll
                for (int t = 0; t < T::A_PER_THREAD; ++t) {
                    As[buf][aK + t * (CONV_THREADS / TM)][aRow] = aNext[t];
                }
#pragma unroll
                for (int kk = 0; kk < CONV_B_PER_THREAD; ++kk) {
                    Bs[buf][kk][tid] = bNext[kk];
                }
            };

            if (steps > 0) {
                load(0);
                stage(0);
            }
            __syncthreads();
            for (int step = 0; step < steps; ++step) {
                const int buf = step & 1;
                if (step + 1 < steps) {
                    load(step + 1);
                }
                conv_multiply_tiles<TM>(As[buf], Bs[buf], acc, ty, tx);
                if (step + 1 < steps) {
                    stage(buf ^ 1);
                }
                __syncthreads();
            }

#pragma unroll
            for (int jj = 0; jj < T::COLS; ++jj) {
                const long long cj = tileN * CONV_TILE_N + T::column(tx, jj);
                if (cj < columns) {
                    const int b = (int)cj / hw, p = (int)cj % hw;
#pragma unroll
                    for (int ii = 0; ii < CONV_ROWS_PER_THREAD; ++ii) {
                        const int cc = tileM * TM + ty * CONV_ROWS_PER_THREAD + ii;
                        if (cc < c) {
                            gradIn[((size_t)b * c + cc) * hw + p] = acc[ii][jj];
                        }
                    }
                }
            }
        }
    }
}

// Backward-filter: gradF[o, ch, i, j] sums gradOut[b, o, y, x] * in[b, ch, y*strideH - padH + i, x*strideW - padW + j]
// over the positions (b, y, x). A[o][p] = gradOut[b, o, y, x], B[p][(ch, i, j)] = that input value.
// Split z covers positions [z * splitPositions, (z + 1) * splitPositions) and writes its sums to
// result + z * k*c*r*s (result is gradF itself when splits == 1, else the partial buffer).
// splitPositions: a positive multiple of CONV_TILE_K.
// Launch: blockDim (CONV_THREADS); grid x over ceil(c*r*s / CONV_TILE_N), y over ceil(k / TM), z over splits.
template <int TM>
__device__ __forceinline__ void conv_backward_filter_tiles(const float* __restrict__ in, const float* __restrict__ gradOut, float* __restrict__ result,
        int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
        int strideH, int strideW, int padH, int padW, int splitPositions, int splits) {
    using T = ConvTile<TM>;
    __shared__ __align__(16) float As[2][CONV_TILE_K][T::A_PITCH];
    __shared__ __align__(16) float Bs[2][CONV_TILE_K][CONV_B_PITCH];
    // per column of the tile: filter element (ch, i, j), one 16-byte read
    __shared__ ConvColumn columns[CONV_TILE_N];

    const int tid = threadIdx.x, ty = tid / T::THREADS_N, tx = tid % T::THREADS_N;
    const int rs = r * s, crs = c * rs;
    const int plane = outH * outW;
    const long long positions = (long long)n * plane; // K
    const long long hw = (long long)h * w;
    const int tilesN = (crs + CONV_TILE_N - 1) / CONV_TILE_N;
    const int tilesM = (k + TM - 1) / TM;
    // staging: this thread's position within a step is kk, its A rows and B columns step by
    // CONV_THREADS / CONV_TILE_K, so the 16 lanes sharing a row or column read consecutive positions
    const int kk = tid % CONV_TILE_K, lane0 = tid / CONV_TILE_K;
    const int spread = CONV_THREADS / CONV_TILE_K;

    for (int split = blockIdx.z; split < splits; split += gridDim.z) {
        const long long begin = (long long)split * splitPositions;
        const long long end = begin + splitPositions < positions ? begin + splitPositions : positions;
        const int steps = end > begin ? (int)((end - begin + CONV_TILE_K - 1) / CONV_TILE_K) : 0;
        float* dst = result + (size_t)split * k * crs;

        for (int tileN = blockIdx.x; tileN < tilesN; tileN += gridDim.x) {
            __syncthreads(); // the previous tile's readers of the column table are done
            {
                const int q = tileN * CONV_TILE_N + tid;
                ConvColumn col = {0, 1 << 30, 0, 0}; // beyond c*r*s: i outside every image, the column stays zero
                if (q < crs) {
                    const int ch = q / rs, i = (q % rs) / s, j = q % s;
                    col = {(int)(ch * hw) + i * w + j, i, j, 0};
                }
                columns[tid] = col;
            }
            __syncthreads();
            for (int tileM = blockIdx.y; tileM < tilesM; tileM += gridDim.y) {
                float acc[CONV_ROWS_PER_THREAD][T::COLS];
                conv_zero(acc);
                float aNext[T::A_PER_THREAD], bNext[CONV_B_PER_THREAD];

                auto load = [&](int step) {
                    const long long p = begin + (long long)step * CONV_TILE_K + kk;
                    const bool valid = p < end;
                    int b = 0, y = 0, x = 0;
                    if (valid) { // p < n*outH*outW, an int: 32-bit division
                        b = (int)p / plane;
                        const int pp = (int)p - b * plane;
                        y = pp / outW;
                        x = pp - y * outW;
                    }
                    const float* g = gradOut + ((size_t)b * k * plane + (size_t)y * outW + x);
#pragma unroll
                    for (int t = 0; t < T::A_PER_THREAD; ++t) {
                        const int o = tileM * TM + lane0 + t * spread;
                        aNext[t] = (valid && o < k) ? g[(size_t)o * plane] : 0.f;
                    }
                    const int iy0 = y * strideH - padH, ix0 = x * strideW - padW;
                    const float* image = in + (size_t)b * c * hw;
#pragma unroll
                    for (int t = 0; t < CONV_B_PER_THREAD; ++t) {
                        const ConvColumn col = columns[lane0 + t * spread];
                        const int iy = iy0 + col.i, ix = ix0 + col.j;
                        const bool inside = valid && iy >= 0 && iy < h && ix >= 0 && ix < w;
                        bNext[t] = inside ? image[(long long)col.offset + (long long)iy0 * w + ix0] : 0.f;
                    }
                };
                auto stage = [&](int buf) {
#pragma unroll
                    for (int t = 0; t < T::A_PER_THREAD; ++t) {
                        As[buf][kk][lane0 + t * spread] = aNext[t];
                    }
#pragma unroll
                    for (int t = 0; t < CONV_B_PER_THREAD; ++t) {
                        Bs[buf][kk][lane0 + t * spread] = bNext[t];
                    }
                };

                if (steps > 0) {
                    load(0);
                    stage(0);
                }
                __syncthreads();
                for (int step = 0; step < steps; ++step) {
                    const int buf = step & 1;
                    if (step + 1 < steps) {
                        load(step + 1);
                    }
                    conv_multiply_tiles<TM>(As[buf], Bs[buf], acc, ty, tx);
                    if (step + 1 < steps) {
                        stage(buf ^ 1);
                    }
                    __syncthreads();
                }

#pragma unroll
                for (int ii = 0; ii < CONV_ROWS_PER_THREAD; ++ii) {
                    const int o = tileM * TM + ty * CONV_ROWS_PER_THREAD + ii;
#pragma unroll
                    for (int jj = 0; jj < T::COLS; ++jj) {
                        const int q = tileN * CONV_TILE_N + T::column(tx, jj);
                        if (o < k && q < crs) {
                            dst[(size_t)o * crs + q] = acc[ii][jj];
                        }
                    }
                }
            }
        }
    }
}

// The kernels: the same code for the two tile heights.
extern "C" __global__ void __launch_bounds__(CONV_THREADS)
conv2d_forward(const float* __restrict__ in, const float* __restrict__ f, float* __restrict__ out,
        int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
        int strideH, int strideW, int padH, int padW) {
    conv_forward_tiles<CONV_TILE_M>(in, f, out, n, c, h, w, k, r, s, outH, outW, strideH, strideW, padH, padW);
}

extern "C" __global__ void __launch_bounds__(CONV_THREADS)
conv2d_forward_wide(const float* __restrict__ in, const float* __restrict__ f, float* __restrict__ out,
        int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
        int strideH, int strideW, int padH, int padW) {
    conv_forward_tiles<CONV_TILE_M_WIDE>(in, f, out, n, c, h, w, k, r, s, outH, outW, strideH, strideW, padH, padW);
}

extern "C" __global__ void __launch_bounds__(CONV_THREADS)
conv2d_backward_input(const float* __restrict__ gradOut, const float* __restrict__ f, float* __restrict__ gradIn,
        int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
        int strideH, int strideW, int padH, int padW) {
    conv_backward_input_tiles<CONV_TILE_M>(gradOut, f, gradIn, n, c, h, w, k, r, s, outH, outW, strideH, strideW, padH, padW);
}

extern "C" __global__ void __launch_bounds__(CONV_THREADS)
conv2d_backward_input_wide(const float* __restrict__ gradOut, const float* __restrict__ f, float* __restrict__ gradIn,
        int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
        int strideH, int strideW, int padH, int padW) {
    conv_backward_input_tiles<CONV_TILE_M_WIDE>(gradOut, f, gradIn, n, c, h, w, k, r, s, outH, outW, strideH, strideW, padH, padW);
}

extern "C" __global__ void __launch_bounds__(CONV_THREADS)
conv2d_backward_filter(const float* __restrict__ in, const float* __restrict__ gradOut, float* __restrict__ result,
        int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
        int strideH, int strideW, int padH, int padW, int splitPositions, int splits) {
    conv_backward_filter_tiles<CONV_TILE_M>(in, gradOut, result, n, c, h, w, k, r, s, outH, outW, strideH, strideW, padH, padW, splitPositions, splits);
}

extern "C" __global__ void __launch_bounds__(CONV_THREADS)
conv2d_backward_filter_wide(const float* __restrict__ in, const float* __restrict__ gradOut, float* __restrict__ result,
        int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
        int strideH, int strideW, int padH, int padW, int splitPositions, int splits) {
    conv_backward_filter_tiles<CONV_TILE_M_WIDE>(in, gradOut, result, n, c, h, w, k, r, s, outH, outW, strideH, strideW, padH, padW, splitPositions, splits);
}

// gradF[e] = partials[0][e] + partials[1][e] + ... + partials[splits - 1][e], in that order
// (grid-stride, a thread per filter element).
extern "C" __global__ void conv2d_backward_filter_reduce(const float* __restrict__ partials, float* __restrict__ gradF,
                                                         int elements, int splits) {
    for (long long e = global_thread_index(); e < elements; e += global_thread_count()) {
        float total = 0.f;
        for (int z = 0; z < splits; ++z) {
            total += partials[(size_t)z * elements + e];
        }
        gradF[e] = total;
    }
}

// ---- direct kernels for tiny filters ----------------------------------------------------------
//
// For c*r*s <= CONV_DIRECT_MAX_TAPS and k <= CONV_DIRECT_MAX_K (Conv2dLauncher's rule). There
// the GEMMs above waste almost all their work: a 32-row tile holds k <= 8 real rows, and the
// forward and backward-input reductions step through channels 16 at a time per tap, so with one
// input channel 15 of every 16 staged values are zeros. These kernels do only the real
// multiply-adds, read every operand from global memory once per thread that needs it, and keep
// the k*c*r*s (<= 128) filter values in shared memory, which every thread of a warp reads at the
// same address (a broadcast). Block: CONV_DIRECT_THREADS threads; grids are walked in loops.
//
//   forward          a thread per output position (b, y, x): its c*r*s input values, gathered
//                    into registers first (independent loads, all in flight at once), then the
//                    k outputs, each one fmaf chain over (ch, i, j) in order. Consecutive threads
//                    are consecutive x, so a warp's stores are consecutive addresses.
//   backward-input   a thread per input element (b, ch, iy, ix): a gather over the taps (i, j) and
//                    output channels o whose output reads it (the stride divides and the output
//                    lies inside), in the order (i, j, o); at most k*r*s products, no atomics.
//   backward-filter  a reduction over n*outH*outW positions into k*c*r*s values. The positions are
//                    cut into chunks of CONV_DIRECT_CHUNK; blockIdx.y is the output channel o, a
//                    block takes chunk after chunk (blockIdx.x + m gridDim.x). Each thread sums
//                    the chunk's positions tid, tid + CONV_DIRECT_THREADS, ... in that order for
//                    all c*r*s taps in registers; the block adds its warps' sums by warp_sum's
//                    butterfly, then the warps in order, and writes them to partials[chunk][o][tap].
//                    conv2d_backward_filter_direct_reduce then adds the chunks of each element in
//                    a fixed order (a strided per-thread sum, then block_sum). With one chunk the
//                    first kernel writes the gradient itself. The chunk size is a constant, so the
//                    order of every sum depends only on the shape: the same bits on every run,
//                    for any grid.
// Padding taps are skipped, not multiplied by zero, as in the reference loops.
#define CONV_DIRECT_MAX_TAPS 16
#define CONV_DIRECT_MAX_K 8
#define CONV_DIRECT_THREADS 256
#define CONV_DIRECT_POSITIONS_PER_THREAD 8
#define CONV_DIRECT_CHUNK (CONV_DIRECT_THREADS * CONV_DIRECT_POSITIONS_PER_THREAD)
// forward and backward-filter: at most 64 registers, so that 4 blocks (1024 threads) share a
// multiprocessor to cover the loads' latency. ptxas needs 53-56 registers for them unbounded,
// but with the block size alone as the bound it chose 40 for backward-filter on sm_90 and
// spilled; KernelRegisterSpillTest holds them to no spills.
#define CONV_DIRECT_MIN_BLOCKS 4

// f[0 .. k*c*r*s) into shared memory; every thread of the block must call it (it holds a barrier)
__device__ __forceinline__ void conv_direct_stage_filter(const float* __restrict__ f, float* fs, int count) {
    for (int e = threadIdx.x; e < count; e += blockDim.x) {
        fs[e] = f[e];
    }
    __syncthreads();
}

// Launch: blockDim (CONV_DIRECT_THREADS); grid x over ceil(n*outH*outW / CONV_DIRECT_THREADS).
extern "C" __global__ void __launch_bounds__(CONV_DIRECT_THREADS, CONV_DIRECT_MIN_BLOCKS)
conv2d_forward_direct(const float* __restrict__ in, const float* __restrict__ f, float* __restrict__ out,
        int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
        int strideH, int strideW, int padH, int padW) {
    __shared__ float fs[CONV_DIRECT_MAX_K * CONV_DIRECT_MAX_TAPS];
    const int crs = c * r * s;
    conv_direct_stage_filter(f, fs, k * crs);
    const int plane = outH * outW;
    const long long positions = (long long)n * plane;
    const int hw = h * w, chw = c * hw; // an image, c*h*w < 2^31 elements
    for (long long p = global_thread_index(); p < positions; p += global_thread_count()) {
        const int b = (int)p / plane, q = (int)p - b * plane; // p < n*outH*outW, an int
        const int y = q / outW, x = q - y * outW;
        const int iy0 = y * strideH - padH, ix0 = x * strideW - padW;
        const float* image = in + (size_t)b * chw;
        // k chains of fmaf over the taps (ch, i, j) in order; the taps' loads do not depend on
        // the chains, so all of them can be in flight at once
        float acc[CONV_DIRECT_MAX_K];
#pragma unroll
        for (int o = 0; o < CONV_DIRECT_MAX_K; ++o) {
            acc[o] = 0.f;
        }
        int ch = 0, i = 0, j = 0;
#pragma unroll
        for (int t = 0; t < CONV_DIRECT_MAX_TAPS; ++t) {
            const int iy = iy0 + i, ix = ix0 + j;
            if (t < crs && iy >= 0 && iy < h && ix >= 0 && ix < w) {
                const float v = image[ch * hw + iy * w + ix];
#pragma unroll
                for (int o = 0; o < CONV_DIRECT_MAX_K; ++o) {
                    if (o < k) {
                        acc[o] = fmaf(v, fs[o * crs + t], acc[o]);
                    }
                }
            }
            if (++j == s) {
                j = 0;
                if (++i == r) {
                    i = 0;
                    ++ch;
                }
            }
        }
        float* dst = out + (size_t)b * k * plane + q;
#pragma unroll
        for (int o = 0; o < CONV_DIRECT_MAX_K; ++o) {
            if (o < k) {
                dst[(size_t)o * plane] = acc[o];
            }
        }
    }
}

// Launch: blockDim (CONV_DIRECT_THREADS); grid x over ceil(n*c*h*w / CONV_DIRECT_THREADS).
extern "C" __global__ void __launch_bounds__(CONV_DIRECT_THREADS)
conv2d_backward_input_direct(const float* __restrict__ gradOut, const float* __restrict__ f, float* __restrict__ gradIn,
        int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
        int strideH, int strideW, int padH, int padW) {
    __shared__ float fs[CONV_DIRECT_MAX_K * CONV_DIRECT_MAX_TAPS];
    const int rs = r * s, crs = c * rs;
    conv_direct_stage_filter(f, fs, k * crs);
    const int hw = h * w;
    const long long plane = (long long)outH * outW;
    const long long elements = (long long)n * c * hw;
    for (long long e = global_thread_index(); e < elements; e += global_thread_count()) {
        const int image = (int)e / hw, pix = (int)e - image * hw; // e < n*c*h*w, an int; image = b*c + ch
        const int b = image / c, ch = image - b * c;
        const int iy = pix / w, ix = pix - iy * w;
        const float* grads = gradOut + (size_t)b * k * plane;
        float acc = 0.f;
        for (int i = 0; i < r; ++i) {
            // the output row y that reads row iy through filter row i: y*strideH = iy + padH - i
            const int sy = iy + padH - i, y = sy / strideH;
            if (sy < 0 || y * strideH != sy || y >= outH) {
                continue;
            }
            for (int j = 0; j < s; ++j) {
                const int sx = ix + padW - j, x = sx / strideW;
                if (sx < 0 || x * strideW != sx || x >= outW) {
                    continue;
                }
                const float* g = grads + (size_t)y * outW + x;
                const float* tap = fs + ch * rs + i * s + j; // f[o, ch, i, j] at tap[o * crs]
                for (int o = 0; o < k; ++o) {
                    acc = fmaf(g[o * plane], tap[o * crs], acc);
                }
            }
        }
        gradIn[e] = acc;
    }
}

// Writes result[chunk * k*c*r*s + o * c*r*s + t] for every chunk and output channel o (result is
// gradF itself when chunks == 1, else the partial buffer); chunkPositions == CONV_DIRECT_CHUNK
// in every launch (a parameter so that the emulation can also check other splits).
// Launch: blockDim (CONV_DIRECT_THREADS); grid x over chunks, y over k.
extern "C" __global__ void __launch_bounds__(CONV_DIRECT_THREADS, CONV_DIRECT_MIN_BLOCKS)
conv2d_backward_filter_direct(const float* __restrict__ in, const float* __restrict__ gradOut, float* __restrict__ result,
        int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
        int strideH, int strideW, int padH, int padW, int chunkPositions, int chunks) {
    __shared__ float warpSums[CONV_DIRECT_THREADS / 32][CONV_DIRECT_MAX_TAPS];
    const int crs = c * r * s;
    const int plane = outH * outW;
    const long long positions = (long long)n * plane;
    const int hw = h * w, chw = c * hw; // an image, c*h*w < 2^31 elements
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    for (int o = blockIdx.y; o < k; o += gridDim.y) {
        for (int chunk = blockIdx.x; chunk < chunks; chunk += gridDim.x) {
            const long long begin = (long long)chunk * chunkPositions;
            const long long end = begin + chunkPositions < positions ? begin + chunkPositions : positions;
            float acc[CONV_DIRECT_MAX_TAPS];
#pragma unroll
            for (int t = 0; t < CONV_DIRECT_MAX_TAPS; ++t) {
                acc[t] = 0.f;
            }
            for (long long p = begin + threadIdx.x; p < end; p += blockDim.x) {
                const int b = (int)p / plane, q = (int)p - b * plane;
                const int y = q / outW, x = q - y * outW;
                const float g = gradOut[((size_t)b * k + o) * plane + q];
                const int iy0 = y * strideH - padH, ix0 = x * strideW - padW;
                const float* image = in + (size_t)b * chw;
                int ch = 0, i = 0, j = 0;
#pragma unroll
                for (int t = 0; t < CONV_DIRECT_MAX_TAPS; ++t) {
                    const int iy = iy0 + i, ix = ix0 + j;
                    if (t < crs && iy >= 0 && iy < h && ix >= 0 && ix < w) {
                        acc[t] = fmaf(g, image[ch * hw + iy * w + ix], acc[t]);
                    }
                    if (++j == s) {
                        j = 0;
                        if (++i == r) {
                            i = 0;
                            ++ch;
                        }
                    }
                }
            }
            // the block's sum of each tap: each warp's by the butterfly, then the warps in order
#pragma unroll
            for (int t = 0; t < CONV_DIRECT_MAX_TAPS; ++t) {
                if (t < crs) { // uniform: every lane reaches the shuffles
                    const float sum = warp_sum(acc[t]);
                    if (lane == 0) {
                        warpSums[warp][t] = sum;
                    }
                }
            }
            __syncthreads();
            if (threadIdx.x < crs) {
                float total = 0.f;
                for (int wi = 0; wi < warps; ++wi) {
                    total += warpSums[wi][threadIdx.x];
                }
                result[((size_t)chunk * k + o) * crs + threadIdx.x] = total;
            }
            __syncthreads(); // warpSums is read before the next chunk overwrites it
        }
    }
}

// gradF[e] = the sum over chunks of partials[chunk][e]: thread t adds chunks t, t + blockDim.x, ...
// in order, then block_sum adds the threads' sums in its fixed order.
// Launch: blockDim (CONV_DIRECT_THREADS); grid x over the elements k*c*r*s.
extern "C" __global__ void __launch_bounds__(CONV_DIRECT_THREADS)
conv2d_backward_filter_direct_reduce(const float* __restrict__ partials, float* __restrict__ gradF, int elements, int chunks) {
    __shared__ float scratch[32];
    for (int e = blockIdx.x; e < elements; e += gridDim.x) {
        float sum = 0.f;
        for (int chunk = threadIdx.x; chunk < chunks; chunk += blockDim.x) {
            sum += partials[(size_t)chunk * elements + e];
        }
        const float total = block_sum(sum, scratch);
        if (threadIdx.x == 0) {
            gradF[e] = total;
        }
    }
}
