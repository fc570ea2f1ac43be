// Just enough of CUDA to run our .cu kernels on the CPU, so that their index arithmetic, bounds
// checks, barriers and warp shuffles execute somewhere even without a GPU.
//
// A launch runs its blocks one after another. The threads of a block are fibers (ucontext) on
// one OS thread, switched only where CUDA threads must wait for each other:
//   __syncthreads        waits until every thread of the block has arrived;
//   __shfl_xor_sync      waits until all 32 lanes of the warp have arrived (full mask only).
// A thread that leaves the kernel while others wait at a barrier is reported as the bug it is
// on a GPU (a hang there), as is a warp whose lanes do not all reach the shuffle.
// __shared__ becomes `static`: one copy, shared by the block's threads, reused by the next block.
// float4 is 16-byte aligned as on a GPU; check_kernels is built with UBSan's alignment check
// where the compiler has it, so a misaligned 128-bit load or store fails there as it would on
// a GPU (misaligned address).
#pragma once

#include <ucontext.h>

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

inline dim3 threadIdx, blockIdx, blockDim, gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))

struct alignas(16) float4 {
    float x, y, z, w;
};

inline float4 make_float4(float x, float y, float z, float w) {
    return {x, y, z, w};
}

namespace emu {
enum class Wait { RUNNING, BARRIER, WARP, DONE };

struct Fiber {
    ucontext_t context;
    std::vector<char> stack;
    Wait wait = Wait::RUNNING;
};

inline std::vector<Fiber> fibers;
inline ucontext_t scheduler;
inline int current = -1;
inline std::vector<float> warp_slots;
inline const std::function<void()>* kernel_body;
// Called instead of exiting when set (the mock driver turns a failure into an error code); it
// must not return.
inline void (*fail_hook)(const char* what) = nullptr;

[[noreturn]] inline void fail(const char* what) {
    if (fail_hook) {
        fail_hook(what);
    }
    std::fprintf(stderr, "cuda emulation: %s (thread %d of block %u,%u,%u)\n", what, current, blockIdx.x, blockIdx.y,
                 blockIdx.z);
    std::exit(2);
}

inline void yield(Wait wait) {
    fibers[current].wait = wait;
    swapcontext(&fibers[current].context, &scheduler);
}

inline void fiber_entry() {
    (*kernel_body)();
    fibers[current].wait = Wait::DONE;
    // returning resumes the scheduler through uc_link
}

inline void set_thread_index(int t) {
    threadIdx = {t % blockDim.x, (t / blockDim.x) % blockDim.y, t / (blockDim.x * blockDim.y)};
}

// Runs one block to completion, releasing barrier and warp waits when everyone concerned waits.
inline void run_block(int threads) {
    constexpr size_t stack_bytes = 256 * 1024;
    fibers.resize(threads);
    for (int t = 0; t < threads; ++t) {
        Fiber& f = fibers[t];
        f.stack.resize(stack_bytes);
        f.wait = Wait::RUNNING;
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = f.stack.data();
        f.context.uc_stack.ss_size = f.stack.size();
        f.context.uc_link = &scheduler;
        makecontext(&f.context, fiber_entry, 0);
    }
    for (;;) {
        bool progressed = false;
        for (int t = 0; t < threads; ++t) {
            if (fibers[t].wait == Wait::RUNNING) {
                current = t;
                set_thread_index(t);
                swapcontext(&scheduler, &fibers[t].context);
                progressed = true;
            }
        }
        // release warps whose 32 lanes all wait at a shuffle
        for (int w = 0; w < threads / 32; ++w) {
            int waiting = 0;
            for (int l = 0; l < 32; ++l) waiting += fibers[w * 32 + l].wait == Wait::WARP;
            if (waiting == 32) {
                for (int l = 0; l < 32; ++l) fibers[w * 32 + l].wait = Wait::RUNNING;
                progressed = true;
            }
        }
        int atBarrier = 0, done = 0;
        for (int t = 0; t < threads; ++t) {
            atBarrier += fibers[t].wait == Wait::BARRIER;
            done += fibers[t].wait == Wait::DONE;
        }
        if (done == threads) {
            return;
        }
        if (atBarrier == threads) {
            for (int t = 0; t < threads; ++t) fibers[t].wait = Wait::RUNNING;
            continue;
        }
        if (!progressed) {
            current = -1;
            fail(atBarrier > 0 && done > 0 ? "some threads left the kernel while others wait at __syncthreads"
                                           : "threads wait for each other forever (barrier or shuffle not reached by all)");
        }
    }
}

inline void launch(dim3 grid, dim3 block, const std::function<void()>& kernel) {
    const unsigned threads = block.x * block.y * block.z;
    if (threads % 32 != 0 || threads > 1024) {
        std::fprintf(stderr, "cuda emulation: blocks must be whole warps, at most 1024 threads (got %u)\n", threads);
        std::exit(2);
    }
    gridDim = grid;
    blockDim = block;
    kernel_body = &kernel;
    warp_slots.assign(threads, 0.f);
    for (unsigned bz = 0; bz < grid.z; ++bz) {
        for (unsigned by = 0; by < grid.y; ++by) {
            for (unsigned bx = 0; bx < grid.x; ++bx) {
                blockIdx = {bx, by, bz};
                run_block((int)threads);
            }
        }
    }
}
}  // namespace emu

inline void __syncthreads() {
    emu::yield(emu::Wait::BARRIER);
}

inline float __shfl_xor_sync(unsigned mask, float v, int offset) {
    if (mask != 0xffffffffu) {
        emu::fail("only full-warp shuffles are emulated");
    }
    const int lane = emu::current & 31, warp = emu::current >> 5;
    emu::warp_slots[warp * 32 + lane] = v;
    emu::yield(emu::Wait::WARP); // every lane has written
    const float other = emu::warp_slots[warp * 32 + (lane ^ offset)];
    emu::yield(emu::Wait::WARP); // every lane has read before the next shuffle writes
    return other;
}

// The read-only data path is a GPU cache detail: here a plain load, of T's own alignment (which
// UBSan checks in check_kernels, so a misaligned float4 __ldg fails there as on a GPU).
template <class T>
inline T __ldg(const T* p) {
    return *p;
}

// A kernel that traps fails its launch on a GPU; here it fails as any other emulated fault does.
[[noreturn]] inline void __trap() {
    emu::fail("the kernel called __trap()");
}

// -ffp-contract=off keeps the host compiler from fusing; these are then plain IEEE operations
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }

using std::isnan;
