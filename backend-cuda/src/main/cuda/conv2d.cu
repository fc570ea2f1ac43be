// 2-D convolution (cross-correlation, filter not flipped) and its two gradients, as
// Conv2dGeometry defines them: input [n, c, h, w], filter [k, c, r, s], output [n, k, outH, outW],
//   out[b, o, y, x] = sum over (ch, i, j) of in[b, ch, y*strideH - padH + i, x*strideW - padW + j] * f[o, ch, i, j]
// with zeros outside the input.
//
// Direct kernels, each a gather: every thread (or block) owns one result element and reads
// what it needs, so no two threads ever add into the same element. No atomics, and each
// element is summed in one fixed order: results are the same on every run.
#include "reduce.cuh"

// One thread per output element (grid-stride).
extern "C" __global__ void conv2d_forward(const float* __restrict__ in, const float* __restrict__ f,
                                          float* __restrict__ out,
                                          int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
                                          int strideH, int strideW, int padH, int padW) {
    const long long total = (long long)n * k * outH * outW;
    for (long long idx = global_thread_index(); idx < total; idx += global_thread_count()) {
        // idx = ((b * k + o) * outH + y) * outW + x
        const int x = (int)(idx % outW);
        long long t = idx / outW;
        const int y = (int)(t % outH);
        t /= outH;
        const int o = (int)(t % k);
        const int b = (int)(t / k);
        const int iy0 = y * strideH - padH, ix0 = x * strideW - padW;
        float acc = 0.f;
        for (int ch = 0; ch < c; ++ch) {
            const float* plane = in + ((size_t)b * c + ch) * h * w;
            const float* taps = f + ((size_t)o * c + ch) * r * s;
            for (int i = 0; i < r; ++i) {
                const int iy = iy0 + i;
                if (iy < 0 || iy >= h) {
                    continue;
                }
                for (int j = 0; j < s; ++j) {
                    const int ix = ix0 + j;
                    if (ix >= 0 && ix < w) {
                        acc = fmaf(plane[(size_t)iy * w + ix], taps[i * s + j], acc);
                    }
                }
            }
        }
        out[idx] = acc;
    }
}

// One thread per input element (grid-stride): gradIn[b, ch, iy, ix] sums gradOut[b, o, y, x] * f[o, ch, i, j]
// over the outputs that read it, those with y * strideH = iy + padH - i and x * strideW = ix + padW - j.
extern "C" __global__ void conv2d_backward_input(const float* __restrict__ gradOut, const float* __restrict__ f,
                                                 float* __restrict__ gradIn,
                                                 int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
                                                 int strideH, int strideW, int padH, int padW) {
    const long long total = (long long)n * c * h * w;
    for (long long idx = global_thread_index(); idx < total; idx += global_thread_count()) {
        // idx = ((b * c + ch) * h + iy) * w + ix
        const int ix = (int)(idx % w);
        long long t = idx / w;
        const int iy = (int)(t % h);
        t /= h;
        const int ch = (int)(t % c);
        const int b = (int)(t / c);
        float acc = 0.f;
        for (int o = 0; o < k; ++o) {
            const float* gradPlane = gradOut + ((size_t)b * k + o) * outH * outW;
            const float* taps = f + ((size_t)o * c + ch) * r * s;
            for (int i = 0; i < r; ++i) {
                const int sy = iy + padH - i; // = y * strideH for the output row that reads iy through tap i
                if (sy < 0 || sy % strideH != 0 || sy / strideH >= outH) {
                    continue;
                }
                const int y = sy / strideH;
                for (int j = 0; j < s; ++j) {
                    const int sx = ix + padW - j;
                    if (sx < 0 || sx % strideW != 0 || sx / strideW >= outW) {
                        continue;
                    }
                    const int x = sx / strideW;
                    acc = fmaf(gradPlane[(size_t)y * outW + x], taps[i * s + j], acc);
                }
            }
        }
        gradIn[idx] = acc;
    }
}

// One block per filter element (grid-stride over elements): gradF[o, ch, i, j] sums
// gradOut[b, o, y, x] * in[b, ch, y*strideH - padH + i, x*strideW - padW + j] over b, y, x.
// The threads split (b, y, x) and a fixed-order block reduction adds their partial sums.
// blockDim.x: a multiple of 32, at most 1024.
extern "C" __global__ void conv2d_backward_filter(const float* __restrict__ in, const float* __restrict__ gradOut,
                                                  float* __restrict__ gradF,
                                                  int n, int c, int h, int w, int k, int r, int s, int outH, int outW,
                                                  int strideH, int strideW, int padH, int padW) {
    __shared__ float scratch[32];
    const long long taps = (long long)k * c * r * s;
    const long long positions = (long long)n * outH * outW;
    for (long long fi = blockIdx.x; fi < taps; fi += gridDim.x) { // block-uniform: barriers are safe
        // fi = ((o * c + ch) * r + i) * s + j
        const int j = (int)(fi % s);
        long long t = fi / s;
        const int i = (int)(t % r);
        t /= r;
        const int ch = (int)(t % c);
        const int o = (int)(t / c);
        float acc = 0.f;
        for (long long p = threadIdx.x; p < positions; p += blockDim.x) {
            // p = (b * outH + y) * outW + x
            const int x = (int)(p % outW);
            const long long q = p / outW;
            const int y = (int)(q % outH);
            const int b = (int)(q / outH);
            const int iy = y * strideH - padH + i, ix = x * strideW - padW + j;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                const float g = gradOut[(((size_t)b * k + o) * outH + y) * outW + x];
                const float v = in[(((size_t)b * c + ch) * h + iy) * w + ix];
                acc = fmaf(g, v, acc);
            }
        }
        const float total = block_sum(acc, scratch);
        if (threadIdx.x == 0) {
            gradF[fi] = total;
        }
    }
}
