// Just enough of CUDA to run our .cu kernels on the CPU, so their index arithmetic, bounds
// checks, barriers and warp shuffles execute somewhere even without a GPU.
//
// A launch runs its blocks one after another; the threads of a block run as real OS threads,
// so __syncthreads is a real barrier (std::barrier) and a kernel whose threads miss a barrier
// hangs here as it would on a GPU. __shared__ becomes `static`: one copy, shared by the
// block's threads, reused by the next block. Warp shuffles go through a per-warp exchange with
// its own barrier, so all 32 lanes must take part, as the full mask demands.
#pragma once

#include <barrier>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __restrict__ __restrict
#define __launch_bounds__(...)

namespace emu {
inline std::unique_ptr<std::barrier<>> block_barrier;
inline std::vector<std::unique_ptr<std::barrier<>>> warp_barriers;
inline std::vector<float> warp_slots;
inline thread_local int linear_thread;
}  // namespace emu

inline void __syncthreads() {
    emu::block_barrier->arrive_and_wait();
}

inline float __shfl_xor_sync(unsigned mask, float v, int offset) {
    if (mask != 0xffffffffu) {
        std::fprintf(stderr, "only full-warp shuffles are emulated\n");
        std::abort();
    }
    const int lane = emu::linear_thread & 31, warp = emu::linear_thread >> 5;
    emu::warp_slots[warp * 32 + lane] = v;
    emu::warp_barriers[warp]->arrive_and_wait();
    const float other = emu::warp_slots[warp * 32 + (lane ^ offset)];
    emu::warp_barriers[warp]->arrive_and_wait();
    return other;
}

// no contraction is asked for with -ffp-contract=off; these are then plain IEEE operations
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }

using std::isnan;

namespace emu {
// Runs kernel() for every thread of every block of the grid. One OS thread per thread of a
// block, reused block after block; a barrier between blocks keeps a block from starting
// while the last one still uses the (static) shared memory.
inline void launch(dim3 grid, dim3 block, const std::function<void()>& kernel) {
    const unsigned threads = block.x * block.y * block.z;
    if (threads % 32 != 0) {
        std::fprintf(stderr, "blocks must be whole warps here (got %u threads)\n", threads);
        std::abort();
    }
    gridDim = grid;
    blockDim = block;
    block_barrier = std::make_unique<std::barrier<>>(threads);
    warp_barriers.clear();
    for (unsigned w = 0; w < threads / 32; ++w) {
        warp_barriers.push_back(std::make_unique<std::barrier<>>(32));
    }
    warp_slots.assign(threads, 0.f);
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back([=, &kernel] {
            threadIdx = {t % block.x, (t / block.x) % block.y, t / (block.x * block.y)};
            linear_thread = (int)t;
            for (unsigned bz = 0; bz < grid.z; ++bz) {
                for (unsigned by = 0; by < grid.y; ++by) {
                    for (unsigned bx = 0; bx < grid.x; ++bx) {
                        blockIdx = {bx, by, bz};
                        kernel();
                        block_barrier->arrive_and_wait();
                    }
                }
            }
        });
    }
    for (auto& t : pool) {
        t.join();
    }
}
}  // namespace emu
