// C[b] = op(A[b]) op(B[b]), float32, row-major, as MatmulDims defines it:
//   op(A) is M x K; A is stored M x K, or K x M when transA is set;
//   op(B) is K x N; B is stored K x N, or N x K when transB is set;
//   batch entry b of A starts at b * aBatchStride (0: one matrix shared by every entry), same for B;
//   C is [batch, M, N], dense.
//
// Three kernels, one body (matmul_tiles below) in three sizes; MatmulLauncher picks one per call
// (three warp-tiled variants for large problems follow at the end of the file):
//   matmul_tile128: a 128 x 128 tile of C per block of 256 threads, 8 x 8 results per thread;
//   matmul_tile64:  a  64 x  64 tile of C per block of 128 threads, 8 x 4 results per thread;
//   matmul_tile32:  a  32 x  32 tile of C per block of  64 threads, 4 x 4 results per thread;
// the larger the tile, the more arithmetic per byte moved, but the fewer blocks: the smaller
// tiles are for problems too small to give every multiprocessor a block of the larger ones.
// Blocks are one-dimensional (blockDim = (threads, 1, 1)); gridDim.x covers the columns of C,
// gridDim.y the tile rows and gridDim.z the batch entries, the last two walked in loops beyond
// the grid.
//
// How a block works through K, TILE_K at a time:
//   - each K step stages an M-slice of op(A) and an N-slice of op(B), both stored k-major in
//     shared memory (s[p][i] = element (i, k0 + p)), so that a thread reads its rows of A and
//     its columns of B for one k as 128-bit words; zero-filled outside the matrices, so M, N
//     and K need not be multiples of anything;
//   - the global reads are 128-bit (4 consecutive elements of the operand's storage) where the
//     4 lie inside the matrix and the address is 16-byte aligned, scalar otherwise;
//   - shared memory holds two slices of each operand: while the block multiplies one, each
//     thread has already read its share of the next into registers, and writes it into the
//     other buffer afterwards; one __syncthreads per K step separates the two;
//   - a thread's rows come in runs of 4 consecutive rows, one run in each half of the tile
//     when it has 8 (128 x 128: rows ty*4..+3 and 64+ty*4..+3), likewise its columns, so that
//     its shared-memory reads are aligned float4s and a warp's reads of B cover consecutive
//     words.
// Each element of C is one fmaf chain over k = 0, 1, ..., K-1 in that order, whatever the
// tile size, grid or alignment: no split of K, no atomics, so results are bit-for-bit
// repeatable and the three kernels give identical bits.
#define TILE_K 8
#define TILE128 128
#define THREADS128 256
#define TILE64 64
#define THREADS64 128
#define TILE32 32
#define THREADS32 64
// Extra words per shared row: with 4 the transposing stores of a k-contiguous operand hit 32
// different banks, and the rows stay 16-byte aligned for the float4 reads.
#define SLICE_PAD 4

// The share of one operand's K-step slice that one thread moves: QUADS groups of 4 elements
// that are consecutive in the operand's storage. The operand X is viewed as L x K (L = M for
// A, N for B): element (l, k) is X[l * K + k] when K_MAJOR (A plain, B transposed), else
// X[k * L + l] (A transposed, B plain).
// BK: the K step, TILE_K but for the warp-tiled kernels below.
template <int BL, int THREADS, bool K_MAJOR, int BK = TILE_K>
struct SliceShare {
    static constexpr int QUADS = BL * BK / 4 / THREADS;
    static_assert(QUADS >= 1 && BL * BK / 4 % THREADS == 0, "every thread moves whole quads");
    float4 v[QUADS];

    // Reads from global memory the quads of the slice at rows l0.., columns k0..; vec: 16-byte
    // aligned X and a multiple of 4 in the storage's contiguous dimension.
    __device__ __forceinline__ void load(const float* __restrict__ X, int L, int K, int l0, int k0, bool vec, int tid) {
#pragma unroll
        for (int q = 0; q < QUADS; ++q) {
            const int e = tid + q * THREADS;
            if (K_MAJOR) {
                const int gl = l0 + e / (BK / 4), gk = k0 + e % (BK / 4) * 4;
                const float* src = X + (size_t)gl * K + gk;
                if (vec && gl < L && gk + 3 < K) {
                    v[q] = *reinterpret_cast<const float4*>(src);
                } else {
                    const bool in = gl < L;
                    v[q].x = in && gk < K ? src[0] : 0.f;
                    v[q].y = in && gk + 1 < K ? src[1] : 0.f;
                    v[q].z = in && gk + 2 < K ? src[2] : 0.f;
                    v[q].w = in && gk + 3 < K ? src[3] : 0.f;
                }
            } else {
                const int gk = k0 + e / (BL / 4), gl = l0 + e % (BL / 4) * 4;
                const float* src = X + (size_t)gk * L + gl;
                if (vec && gk < K && gl + 3 < L) {
                    v[q] = *reinterpret_cast<const float4*>(src);
                } else {
                    const bool in = gk < K;
                    v[q].x = in && gl < L ? src[0] : 0.f;
                    v[q].y = in && gl + 1 < L ? src[1] : 0.f;
                    v[q].z = in && gl + 2 < L ? src[2] : 0.f;
                    v[q].w = in && gl + 3 < L ? src[3] : 0.f;
                }
            }
        }
    }

    // Writes the quads into a k-major shared slice s[p][l].
    __device__ __forceinline__ void store(float (*s)[BL + SLICE_PAD], int tid) const {
#pragma unroll
        for (int q = 0; q < QUADS; ++q) {
            const int e = tid + q * THREADS;
            if (K_MAJOR) {
                const int l = e / (BK / 4), p = e % (BK / 4) * 4;
                s[p][l] = v[q].x;
                s[p + 1][l] = v[q].y;
                s[p + 2][l] = v[q].z;
                s[p + 3][l] = v[q].w;
            } else {
                const int p = e / (BL / 4), l = e % (BL / 4) * 4;
                *reinterpret_cast<float4*>(&s[p][l]) = v[q];
            }
        }
    }
};

__device__ __forceinline__ bool aligned16(const void* p) {
    return reinterpret_cast<size_t>(p) % 16 == 0;
}

// The body of the kernels: a BM x BN tile of C per block of THREADS = (BM / TM) * (BN / TN)
// threads, each thread a TM x TN block of results; P_UNROLL is how far the loop over the k of
// a step is unrolled. The operands' layouts are template parameters so that each
// instantiation carries only its own index arithmetic; the kernel owns the shared buffers,
// so its four instantiations share them.
template <int BM, int BN, int TM, int TN, int THREADS, int P_UNROLL, bool A_K_MAJOR, bool B_K_MAJOR>
__device__ __forceinline__ void matmul_tiles(float (*As)[TILE_K][BM + SLICE_PAD], float (*Bs)[TILE_K][BN + SLICE_PAD],
                                             const float* __restrict__ A, const float* __restrict__ B,
                                             float* __restrict__ C, int batch, int M, int N, int K,
                                             int aBatchStride, int bBatchStride) {
    constexpr int THREADS_N = BN / TN, THREADS_M = BM / TM;
    // a thread's rows come as TM / 4 runs of 4, one run per ROW_RUN rows of the tile; columns alike
    constexpr int ROW_RUN = 4 * THREADS_M, COL_RUN = 4 * THREADS_N;
    static_assert(TM % 4 == 0 && TN % 4 == 0 && BM % TM == 0 && BN % TN == 0, "float4 runs tile the block");
    static_assert(THREADS_M * THREADS_N == THREADS, "one thread per TM x TN block of the tile");
    // As[.][p][i] = op(A)(row0 + i, k0 + p), Bs[.][p][j] = op(B)(k0 + p, col0 + j)

    const int tid = threadIdx.x;
    const int tx = tid % THREADS_N, ty = tid / THREADS_N;
    const int tilesM = (M + BM - 1) / BM;
    const int col0 = blockIdx.x * BN;
    const int steps = (K + TILE_K - 1) / TILE_K;

    // The blocks of one grid column walk the (batch entry, tile row) pairs; batch * tilesM is
    // below 2^31 because C, batch x M x N, is (unsigned, so that item + step cannot wrap).
    // The loops are uniform across the block, so every thread reaches every barrier.
    const unsigned items = (unsigned)batch * tilesM;
    for (unsigned item = blockIdx.z * gridDim.y + blockIdx.y; item < items; item += gridDim.y * gridDim.z) {
        const int b = item / tilesM, row0 = item % tilesM * BM;
        const float* Ab = A + (size_t)b * aBatchStride;
        const float* Bb = B + (size_t)b * bBatchStride;
        const bool aVec = aligned16(Ab) && (A_K_MAJOR ? K : M) % 4 == 0;
        const bool bVec = aligned16(Bb) && (B_K_MAJOR ? K : N) % 4 == 0;
        float acc[TM][TN];
#pragma unroll
        for (int i = 0; i < TM; ++i) {
#pragma unroll
            for (int j = 0; j < TN; ++j) {
                acc[i][j] = 0.f;
            }
        }

        SliceShare<BM, THREADS, A_K_MAJOR> aNext;
        SliceShare<BN, THREADS, B_K_MAJOR> bNext;
        if (steps > 0) {
            aNext.load(Ab, M, K, row0, 0, aVec, tid);
            bNext.load(Bb, N, K, col0, 0, bVec, tid);
            aNext.store(As[0], tid);
            bNext.store(Bs[0], tid);
            __syncthreads();
        }
        for (int s = 0; s < steps; ++s) {
            const int cur = s & 1;
            const bool more = s + 1 < steps;
            if (more) { // in flight while the block multiplies the current slices
                aNext.load(Ab, M, K, row0, (s + 1) * TILE_K, aVec, tid);
                bNext.load(Bb, N, K, col0, (s + 1) * TILE_K, bVec, tid);
            }
#pragma unroll P_UNROLL
            for (int p = 0; p < TILE_K; ++p) {
                float a[TM], bv[TN];
#pragma unroll
                for (int r = 0; r < TM / 4; ++r) {
                    const float4 t = *reinterpret_cast<const float4*>(&As[cur][p][r * ROW_RUN + ty * 4]);
                    a[4 * r] = t.x;
                    a[4 * r + 1] = t.y;
                    a[4 * r + 2] = t.z;
                    a[4 * r + 3] = t.w;
                }
#pragma unroll
                for (int c = 0; c < TN / 4; ++c) {
                    const float4 t = *reinterpret_cast<const float4*>(&Bs[cur][p][c * COL_RUN + tx * 4]);
                    bv[4 * c] = t.x;
                    bv[4 * c + 1] = t.y;
                    bv[4 * c + 2] = t.z;
                    bv[4 * c + 3] = t.w;
                }
#pragma unroll
                for (int i = 0; i < TM; ++i) {
#pragma unroll
                    for (int j = 0; j < TN; ++j) {
                        acc[i][j] = fmaf(a[i], bv[j], acc[i][j]);
                    }
                }
            }
            if (more) {
                // the other buffer was last read in step s - 1, which the barrier below it closed
                aNext.store(As[cur ^ 1], tid);
                bNext.store(Bs[cur ^ 1], tid);
            }
            // the next step reads what was just stored; the one after overwrites the current buffer
            __syncthreads();
        }

        float* Cb = C + (size_t)b * M * N;
        const bool cVec = aligned16(Cb) && N % 4 == 0;
#pragma unroll
        for (int i = 0; i < TM; ++i) {
            const int gi = row0 + i / 4 * ROW_RUN + ty * 4 + i % 4;
            if (gi < M) {
#pragma unroll
                for (int c = 0; c < TN / 4; ++c) {
                    const int gj = col0 + c * COL_RUN + tx * 4;
                    // unsigned: past the last column (where nothing is stored) gi * N + gj may pass 2^31 - 1
                    float* dst = Cb + ((unsigned)gi * N + gj);
                    if (cVec && gj + 3 < N) {
                        *reinterpret_cast<float4*>(dst) =
                                make_float4(acc[i][4 * c], acc[i][4 * c + 1], acc[i][4 * c + 2], acc[i][4 * c + 3]);
                    } else {
#pragma unroll
                        for (int e = 0; e < 4; ++e) {
                            if (gj + e < N) {
                                dst[e] = acc[i][4 * c + e];
                            }
                        }
                    }
                }
            }
        }
    }
}

// Runs the body instantiated for the operands' layouts: A is k-contiguous unless transposed,
// B is k-contiguous only when transposed.
#define MATMUL_DISPATCH(BM, BN, TM, TN, THREADS, P_UNROLL)                                                              \
    __shared__ __align__(16) float As[2][TILE_K][BM + SLICE_PAD];                                             \
    __shared__ __align__(16) float Bs[2][TILE_K][BN + SLICE_PAD];                                             \
    if (!transA && !transB) {                                                                                 \
        matmul_tiles<BM, BN, TM, TN, THREADS, P_UNROLL, true, false>(As, Bs, A, B, C, batch, M, N, K, aBatchStride, bBatchStride); \
    } else if (!transA) {                                                                                     \
        matmul_tiles<BM, BN, TM, TN, THREADS, P_UNROLL, true, true>(As, Bs, A, B, C, batch, M, N, K, aBatchStride, bBatchStride);  \
    } else if (!transB) {                                                                                     \
        matmul_tiles<BM, BN, TM, TN, THREADS, P_UNROLL, false, false>(As, Bs, A, B, C, batch, M, N, K, aBatchStride, bBatchStride); \
    } else {                                                                                                  \
        matmul_tiles<BM, BN, TM, TN, THREADS, P_UNROLL, false, true>(As, Bs, A, B, C, batch, M, N, K, aBatchStride, bBatchStride); \
    }

// Large problems: 128 x 128 tiles, 256 threads of 8 x 8; at most 128 registers a thread, so
// two blocks fit on a multiprocessor. Its loop over the k of a step stays rolled (P_UNROLL 1):
// unrolled, ptxas preloads shared operands for later k into registers and spills under the
// cap; the other block's warps hide the shared-memory latency instead.
extern "C" __global__ void __launch_bounds__(THREADS128, 2)
matmul_tile128(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
               int batch, int M, int N, int K, int transA, int transB,
               int aBatchStride, int bBatchStride) {
    MATMUL_DISPATCH(TILE128, TILE128, 8, 8, THREADS128, 1)
}

// Medium problems: 64 x 64 tiles, 128 threads of 8 x 4, four times as many blocks.
extern "C" __global__ void __launch_bounds__(THREADS64)
matmul_tile64(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
              int batch, int M, int N, int K, int transA, int transB,
              int aBatchStride, int bBatchStride) {
    MATMUL_DISPATCH(TILE64, TILE64, 8, 4, THREADS64, TILE_K)
}

// Small problems: 32 x 32 tiles, 64 threads of 4 x 4, four times as many blocks again.
extern "C" __global__ void __launch_bounds__(THREADS32)
matmul_tile32(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
              int batch, int M, int N, int K, int transA, int transB,
              int aBatchStride, int bBatchStride) {
    MATMUL_DISPATCH(TILE32, TILE32, 4, 4, THREADS32, TILE_K)
}

// ---- Warp-tiled kernels for large problems ------------------------------------------------
//
// Same contract and the same per-element fmaf chain as the kernels above (so the same bits),
// organised for more multiply-adds per shared-memory read and per instruction issued:
//   - the block's threads are grouped by warp: each warp owns a WM x WN sub-tile of the block's
//     tile, its 32 lanes arranged LANES_M x LANES_N inside it, each lane TM x TN results in
//     runs of 4 rows and 4 columns; one float4 read of a slice by a warp then touches only
//     LANES_M (A) or LANES_N (B) distinct float4s, each shared by several lanes, where the
//     block-wide arrangement above spreads B's over 16 (two shared-memory wavefronts, here one);
//   - the loop over the k of a step is unrolled completely, so that ptxas can issue the
//     shared reads of the next k while the multiply-adds of the current one run, with no loop
//     counter or address arithmetic between them (the tile128 kernel keeps it rolled: its
//     block-wide indexing spilled under the 128-register cap when unrolled; this one does not);
//   - the three kernels trade registers for occupancy differently, which only a GPU can judge:
//       matmul_warp128      128 x 128, K step 8,  8 x 8 a lane, <= 128 registers: 2 blocks/SM;
//       matmul_warp128k16   128 x 128, K step 16, 8 x 8 a lane, ~200 registers: 1 block/SM,
//                           half the barriers per multiply-add;
//       matmul_warp128x256  128 x 256, K step 8,  8 x 16 a lane, ~250 registers: 1 block/SM,
//                           twice the multiply-adds per shared read and per global byte.
// The global reads, zero fill at the edges, two shared buffers and register staging are those
// of the kernels above (SliceShare); the kernels stage no more than 33 KiB of shared memory,
// under the 48 KiB a block gets without opting in.
#define WT_THREADS 256
#define WT128_TILE 128
#define WT128K16_TILE 128
#define WT128K16_K 16
#define WT128X256_TILE_M 128
#define WT128X256_TILE_N 256

template <int BM, int BN, int BK, int TM, int TN, int WM, int WN, int THREADS, bool A_K_MAJOR, bool B_K_MAJOR>
__device__ __forceinline__ void matmul_warp_tiles(float (*As)[BK][BM + SLICE_PAD], float (*Bs)[BK][BN + SLICE_PAD],
                                                  const float* __restrict__ A, const float* __restrict__ B,
                                                  float* __restrict__ C, int batch, int M, int N, int K,
                                                  int aBatchStride, int bBatchStride) {
    constexpr int WARPS_N = BN / WN, WARPS_M = BM / WM;
    constexpr int LANES_N = WN / TN, LANES_M = WM / TM;
    // a lane's rows come as TM / 4 runs of 4, one run per ROW_RUN rows of the warp's sub-tile
    constexpr int ROW_RUN = 4 * LANES_M, COL_RUN = 4 * LANES_N;
    static_assert(TM % 4 == 0 && TN % 4 == 0 && WM % TM == 0 && WN % TN == 0 && BM % WM == 0 && BN % WN == 0,
                  "float4 runs tile the warp's sub-tile, sub-tiles the block's tile");
    static_assert(LANES_M * LANES_N == 32 && WARPS_M * WARPS_N * 32 == THREADS, "one lane per TM x TN block");

    const int tid = threadIdx.x;
    const int warp = tid / 32, lane = tid % 32;
    // first row and column of the lane's first run, within the block's tile
    const int rowBase = warp / WARPS_N * WM + lane / LANES_N * 4;
    const int colBase = warp % WARPS_N * WN + lane % LANES_N * 4;
    const int tilesM = (M + BM - 1) / BM;
    const int col0 = blockIdx.x * BN;
    const int steps = (K + BK - 1) / BK;

    // as in matmul_tiles: the blocks of one grid column walk the (batch entry, tile row) pairs
    const unsigned items = (unsigned)batch * tilesM;
    for (unsigned item = blockIdx.z * gridDim.y + blockIdx.y; item < items; item += gridDim.y * gridDim.z) {
        const int b = item / tilesM, row0 = item % tilesM * BM;
        const float* Ab = A + (size_t)b * aBatchStride;
        const float* Bb = B + (size_t)b * bBatchStride;
        const bool aVec = aligned16(Ab) && (A_K_MAJOR ? K : M) % 4 == 0;
        const bool bVec = aligned16(Bb) && (B_K_MAJOR ? K : N) % 4 == 0;
        float acc[TM][TN];
#pragma unroll
        for (int i = 0; i < TM; ++i) {
#pragma unroll
            for (int j = 0; j < TN; ++j) {
                acc[i][j] = 0.f;
            }
        }

        SliceShare<BM, THREADS, A_K_MAJOR, BK> aNext;
        SliceShare<BN, THREADS, B_K_MAJOR, BK> bNext;
        if (steps > 0) {
            aNext.load(Ab, M, K, row0, 0, aVec, tid);
            bNext.load(Bb, N, K, col0, 0, bVec, tid);
            aNext.store(As[0], tid);
            bNext.store(Bs[0], tid);
            __syncthreads();
        }
        for (int s = 0; s < steps; ++s) {
            const int cur = s & 1;
            const bool more = s + 1 < steps;
            if (more) { // in flight while the block multiplies the current slices
                aNext.load(Ab, M, K, row0, (s + 1) * BK, aVec, tid);
                bNext.load(Bb, N, K, col0, (s + 1) * BK, bVec, tid);
            }
#pragma unroll
            for (int p = 0; p < BK; ++p) {
                float a[TM], bv[TN];
#pragma unroll
                for (int r = 0; r < TM / 4; ++r) {
                    const float4 t = *reinterpret_cast<const float4*>(&As[cur][p][rowBase + r * ROW_RUN]);
                    a[4 * r] = t.x;
                    a[4 * r + 1] = t.y;
                    a[4 * r + 2] = t.z;
                    a[4 * r + 3] = t.w;
                }
#pragma unroll
                for (int c = 0; c < TN / 4; ++c) {
                    const float4 t = *reinterpret_cast<const float4*>(&Bs[cur][p][colBase + c * COL_RUN]);
                    bv[4 * c] = t.x;
                    bv[4 * c + 1] = t.y;
                    bv[4 * c + 2] = t.z;
                    bv[4 * c + 3] = t.w;
                }
#pragma unroll
                for (int i = 0; i < TM; ++i) {
#pragma unroll
                    for (int j = 0; j < TN; ++j) {
                        acc[i][j] = fmaf(a[i], bv[j], acc[i][j]);
                    }
                }
            }
            if (more) {
                // the other buffer was last read in step s - 1, which the barrier below it closed
                aNext.store(As[cur ^ 1], tid);
                bNext.store(Bs[cur ^ 1], tid);
            }
            __syncthreads();
        }

        float* Cb = C + (size_t)b * M * N;
        const bool cVec = aligned16(Cb) && N % 4 == 0;
#pragma unroll
        for (int i = 0; i < TM; ++i) {
            const int gi = row0 + rowBase + i / 4 * ROW_RUN + i % 4;
            if (gi < M) {
#pragma unroll
                for (int c = 0; c < TN / 4; ++c) {
                    const int gj = col0 + colBase + c * COL_RUN;
                    // unsigned: past the last column (where nothing is stored) gi * N + gj may pass 2^31 - 1
                    float* dst = Cb + ((unsigned)gi * N + gj);
                    if (cVec && gj + 3 < N) {
                        *reinterpret_cast<float4*>(dst) =
                                make_float4(acc[i][4 * c], acc[i][4 * c + 1], acc[i][4 * c + 2], acc[i][4 * c + 3]);
                    } else {
#pragma unroll
                        for (int e = 0; e < 4; ++e) {
                            if (gj + e < N) {
                                dst[e] = acc[i][4 * c + e];
                            }
                        }
                    }
                }
            }
        }
    }
}

#define MATMUL_WARP_DISPATCH(BM, BN, BK, TM, TN, WM, WN, THREADS)                                                      \
    __shared__ __align__(16) float As[2][BK][BM + SLICE_PAD];                                                          \
    __shared__ __align__(16) float Bs[2][BK][BN + SLICE_PAD];                                                          \
    if (!transA && !transB) {                                                                                          \
        matmul_warp_tiles<BM, BN, BK, TM, TN, WM, WN, THREADS, true, false>(As, Bs, A, B, C, batch, M, N, K, aBatchStride, bBatchStride);  \
    } else if (!transA) {                                                                                              \
        matmul_warp_tiles<BM, BN, BK, TM, TN, WM, WN, THREADS, true, true>(As, Bs, A, B, C, batch, M, N, K, aBatchStride, bBatchStride);   \
    } else if (!transB) {                                                                                              \
        matmul_warp_tiles<BM, BN, BK, TM, TN, WM, WN, THREADS, false, false>(As, Bs, A, B, C, batch, M, N, K, aBatchStride, bBatchStride); \
    } else {                                                                                                           \
        matmul_warp_tiles<BM, BN, BK, TM, TN, WM, WN, THREADS, false, true>(As, Bs, A, B, C, batch, M, N, K, aBatchStride, bBatchStride);  \
    }

// 128 x 128 tiles, 256 threads of 8 x 8 as 8 warps of 32 x 64 (lanes 4 x 8), K steps of 8;
// two blocks per multiprocessor, as matmul_tile128.
extern "C" __global__ void __launch_bounds__(WT_THREADS, 2)
matmul_warp128(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
               int batch, int M, int N, int K, int transA, int transB,
               int aBatchStride, int bBatchStride) {
    MATMUL_WARP_DISPATCH(WT128_TILE, WT128_TILE, TILE_K, 8, 8, 32, 64, WT_THREADS)
}

// The same tiles in K steps of 16, one block per multiprocessor (at two, it spills).
extern "C" __global__ void __launch_bounds__(WT_THREADS, 1)
matmul_warp128k16(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
                  int batch, int M, int N, int K, int transA, int transB,
                  int aBatchStride, int bBatchStride) {
    MATMUL_WARP_DISPATCH(WT128K16_TILE, WT128K16_TILE, WT128K16_K, 8, 8, 32, 64, WT_THREADS)
}

// 128 x 256 tiles, 256 threads of 8 x 16 as 8 warps of 32 x 128 (lanes 4 x 8), K steps of 8,
// one block per multiprocessor.
extern "C" __global__ void __launch_bounds__(WT_THREADS, 1)
matmul_warp128x256(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
                   int batch, int M, int N, int K, int transA, int transB,
                   int aBatchStride, int bBatchStride) {
    MATMUL_WARP_DISPATCH(WT128X256_TILE_M, WT128X256_TILE_N, TILE_K, 8, 16, 32, 128, WT_THREADS)
}
