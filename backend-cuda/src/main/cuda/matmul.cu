// C[b] = op(A[b]) op(B[b]), float32, row-major, as MatmulDims defines it:
//   op(A) is M x K; A is stored M x K, or K x M when transA is set;
//   op(B) is K x N; B is stored K x N, or N x K when transB is set;
//   batch entry b of A starts at b * aBatchStride (0: one matrix shared by every entry), same for B;
//   C is [batch, M, N], dense.
//
// Shared-memory tiling with register blocking: a block of 16 x 16 threads computes a 64 x 64
// tile of C, stepping through K 16 at a time. Each step stages a 64 x 16 slice of op(A) and a
// 16 x 64 slice of op(B) in shared memory, zero-filled outside the matrices, so M, N and K need
// not be multiples of anything. Each thread keeps a 4 x 4 block of C in registers: rows
// ty + 16 r and columns tx + 16 c of the tile, an interleaving that lets the 32 threads of a
// warp read consecutive shared-memory words. The launcher (MatmulLauncher) must use
// blockDim = (16, 16, 1); tile rows and batch entries beyond the grid are walked in loops.
#define TILE_M 64
#define TILE_N 64
#define TILE_K 16
#define THREADS_X 16
#define THREADS_Y 16
#define THREADS (THREADS_X * THREADS_Y)
#define ROWS_PER_THREAD (TILE_M / THREADS_Y)
#define COLS_PER_THREAD (TILE_N / THREADS_X)

extern "C" __global__ void __launch_bounds__(THREADS)
matmul_tiled(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
             int batch, int M, int N, int K, int transA, int transB,
             int aBatchStride, int bBatchStride) {
    // +1 column: staggers the banks when a warp stores a column of the slice
    __shared__ float As[TILE_K][TILE_M + 1]; // As[p][i] = op(A)(row0 + i, k0 + p)
    __shared__ float Bs[TILE_K][TILE_N + 1]; // Bs[p][j] = op(B)(k0 + p, col0 + j)

    const int tx = threadIdx.x, ty = threadIdx.y;
    const int tid = ty * THREADS_X + tx;
    const int tilesM = (M + TILE_M - 1) / TILE_M;
    const int col0 = blockIdx.x * TILE_N;

    // Both loops are uniform across the block, so every thread reaches every barrier.
    for (int b = blockIdx.z; b < batch; b += gridDim.z) {
        const float* Ab = A + (size_t)b * aBatchStride;
        const float* Bb = B + (size_t)b * bBatchStride;
        float* Cb = C + (size_t)b * M * N;

        for (int tileRow = blockIdx.y; tileRow < tilesM; tileRow += gridDim.y) {
            const int row0 = tileRow * TILE_M;
            float acc[ROWS_PER_THREAD][COLS_PER_THREAD];
#pragma unroll
            for (int r = 0; r < ROWS_PER_THREAD; ++r) {
#pragma unroll
                for (int c = 0; c < COLS_PER_THREAD; ++c) {
                    acc[r][c] = 0.f;
                }
            }

            for (int k0 = 0; k0 < K; k0 += TILE_K) {
                // Stage op(A)'s slice; consecutive threads take consecutive addresses of A's storage.
                for (int e = tid; e < TILE_M * TILE_K; e += THREADS) {
                    const int i = transA ? e % TILE_M : e / TILE_K;
                    const int p = transA ? e / TILE_M : e % TILE_K;
                    const int gi = row0 + i, gp = k0 + p;
                    float v = 0.f;
                    if (gi < M && gp < K) {
                        v = transA ? Ab[(size_t)gp * M + gi] : Ab[(size_t)gi * K + gp];
                    }
                    As[p][i] = v;
                }
                // Stage op(B)'s slice the same way.
                for (int e = tid; e < TILE_K * TILE_N; e += THREADS) {
                    const int j = transB ? e / TILE_K : e % TILE_N;
                    const int p = transB ? e % TILE_K : e / TILE_N;
                    const int gp = k0 + p, gj = col0 + j;
                    float v = 0.f;
                    if (gp < K && gj < N) {
                        v = transB ? Bb[(size_t)gj * K + gp] : Bb[(size_t)gp * N + gj];
                    }
                    Bs[p][j] = v;
                }
                __syncthreads();

#pragma unroll
                for (int p = 0; p < TILE_K; ++p) {
                    float a[ROWS_PER_THREAD], bv[COLS_PER_THREAD];
#pragma unroll
                    for (int r = 0; r < ROWS_PER_THREAD; ++r) {
                        a[r] = As[p][ty + THREADS_Y * r];
                    }
#pragma unroll
                    for (int c = 0; c < COLS_PER_THREAD; ++c) {
                        bv[c] = Bs[p][tx + THREADS_X * c];
                    }
#pragma unroll
                    for (int r = 0; r < ROWS_PER_THREAD; ++r) {
#pragma unroll
                        for (int c = 0; c < COLS_PER_THREAD; ++c) {
                            acc[r][c] = fmaf(a[r], bv[c], acc[r][c]);
                        }
                    }
                }
                __syncthreads(); // the slices are overwritten by the next step
            }

#pragma unroll
            for (int r = 0; r < ROWS_PER_THREAD; ++r) {
                const int gi = row0 + ty + THREADS_Y * r;
#pragma unroll
                for (int c = 0; c < COLS_PER_THREAD; ++c) {
                    const int gj = col0 + tx + THREADS_X * c;
                    if (gi < M && gj < N) {
                        Cb[(size_t)gi * N + gj] = acc[r][c];
                    }
                }
            }
        }
    }
}
