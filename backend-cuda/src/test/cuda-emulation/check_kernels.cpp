// Runs every kernel of src/main/cuda on the CPU (cuda_emulation.h) against plain loops, at
// odd shapes and with grids both as the Java launchers size them and deliberately smaller,
// so that the grid-stride loops take over. Exit status 0 when every check passes.
//
// This checks the kernels' arithmetic, indexing, bounds checks and barrier/shuffle structure.
// It cannot show GPU-only faults: races the OS scheduler happens not to expose, memory model
// subtleties, or numerics of the GPU's own expf.
#include "cuda_emulation.h"

#include "../../main/cuda/conv2d.cu"
#include "../../main/cuda/elementwise.cu"
#include "../../main/cuda/matmul.cu"
#include "../../main/cuda/softmax.cu"

#include <algorithm>
#include <cstring>
#include <random>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

static int failures = 0, checks = 0;
static const bool verbose = std::getenv("EMULATION_VERBOSE") != nullptr; // print every passing check too
static std::mt19937 rng(12345);

static std::vector<float> random_values(size_t n, float scale = 1.f) {
    std::uniform_real_distribution<float> d(-scale, scale);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

// |actual - expected| <= atol + rtol |expected|, NaN only against NaN
static void compare(const std::string& what, const std::vector<double>& expected, const std::vector<float>& actual,
                    double atol, double rtol) {
    ++checks;
    double worst = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
        const double e = expected[i], a = actual[i];
        const bool special = std::isnan(e) || std::isnan(a) || std::isinf(e) || std::isinf(a);
        const bool ok = special ? (std::isnan(e) ? std::isnan(a) : a == e)  // NaN and infinity only as themselves
                                : std::fabs(a - e) <= atol + rtol * std::fabs(e);
        worst = std::max(worst, special ? 0 : std::fabs(a - e));
        if (!ok) {
            std::printf("FAIL %s: element %zu expected %.9g got %.9g\n", what.c_str(), i, e, a);
            ++failures;
            return;
        }
    }
    if (verbose) {
        std::printf("ok   %-60s max|err| %.3g\n", what.c_str(), worst);
    }
}

static unsigned ceil_div(long long a, long long b) { return (unsigned)((a + b - 1) / b); }
static unsigned cap(long long v, long long limit) { return (unsigned)std::min(v, limit); }

// ---- matmul ---------------------------------------------------------------------------------

// The kernels and their geometry (rows x columns of C per block), as MatmulLauncher launches them.
struct MatmulKernel {
    const char* name;
    void (*kernel)(const float*, const float*, float*, int, int, int, int, int, int, int, int);
    unsigned tileM, tileN, threads;
};
static const MatmulKernel MM128{"matmul_tile128", matmul_tile128, TILE128, TILE128, THREADS128};
static const MatmulKernel MM64{"matmul_tile64", matmul_tile64, TILE64, TILE64, THREADS64};
static const MatmulKernel MM32{"matmul_tile32", matmul_tile32, TILE32, TILE32, THREADS32};
static const MatmulKernel WARP128{"matmul_warp128", matmul_warp128, WT128_TILE, WT128_TILE, WT_THREADS};
static const MatmulKernel WARP128K16{"matmul_warp128k16", matmul_warp128k16, WT128K16_TILE, WT128K16_TILE, WT_THREADS};
static const MatmulKernel WARP128X256{"matmul_warp128x256", matmul_warp128x256, WT128X256_TILE_M, WT128X256_TILE_N,
                                      WT_THREADS};

// gridY, gridZ: 0 for the launcher's grid (every tile row, every batch entry, up to 65535),
// otherwise that many blocks, fewer than needed, so the kernel's tile loop takes the rest.
// offset: the operands and C start that many floats into their allocations, so that a
// nonzero offset makes them misaligned for float4 and the scalar path must take over.
static void check_matmul(const MatmulKernel& kern, int batch, int m, int k, int n, bool ta, bool tb, bool aShared,
                         bool bShared, unsigned gridY = 0, unsigned gridZ = 0, int offset = 0) {
    const int aStride = aShared ? 0 : m * k, bStride = bShared ? 0 : k * n;
    auto Aalloc = random_values(offset + (size_t)(aShared ? 1 : batch) * m * k);
    auto Balloc = random_values(offset + (size_t)(bShared ? 1 : batch) * k * n);
    std::vector<float> Calloc(offset + (size_t)batch * m * n, NAN);
    const float *A = Aalloc.data() + offset, *B = Balloc.data() + offset;
    float* C = Calloc.data() + offset;
    if (offset == 0 && (reinterpret_cast<size_t>(A) % 16 || reinterpret_cast<size_t>(B) % 16 || reinterpret_cast<size_t>(C) % 16)) {
        std::printf("FAIL matmul: the test's buffers are not 16-byte aligned, so the float4 paths go unchecked\n");
        ++failures;
    }
    // The kernels' contract: each element of C is one fmaf chain over k = 0 .. K-1 in order,
    // so the expected values are exact, whatever the tile, grid or alignment.
    std::vector<double> ref((size_t)batch * m * n);
    for (int b = 0; b < batch; ++b)
        for (int i = 0; i < m; ++i)
            for (int j = 0; j < n; ++j) {
                float acc = 0.f;
                for (int p = 0; p < k; ++p) {
                    const float av = ta ? A[b * aStride + p * m + i] : A[b * aStride + i * k + p];
                    const float bv = tb ? B[b * bStride + j * k + p] : B[b * bStride + p * n + j];
                    acc = std::fmaf(av, bv, acc);
                }
                ref[(size_t)b * m * n + i * n + j] = acc;
            }
    // MatmulLauncher.config: x = ceil(n/tileN), y = min(ceil(m/tileM), 65535), z = min(batch, 65535)
    const dim3 grid{ceil_div(n, kern.tileN), gridY ? gridY : cap(ceil_div(m, kern.tileM), 65535),
                    gridZ ? gridZ : cap(batch, 65535)};
    emu::launch(grid, {kern.threads, 1, 1}, [&] { kern.kernel(A, B, C, batch, m, n, k, ta, tb, aStride, bStride); });
    char what[200];
    std::snprintf(what, sizeof what, "%s b%d m%d k%d n%d%s%s%s%s grid %u,%u,%u%s", kern.name, batch, m, k, n,
                  ta ? " aT" : "", tb ? " bT" : "", aShared ? " a-shared" : "", bShared ? " b-shared" : "", grid.x,
                  grid.y, grid.z, offset ? " misaligned" : "");
    compare(what, ref, std::vector<float>(C, C + (size_t)batch * m * n), 0, 0);
}

static void check_matmuls(const MatmulKernel& kern) {
    for (int flags = 0; flags < 4; ++flags) {
        const bool ta = flags & 1, tb = flags & 2;
        check_matmul(kern, 1, 1, 1, 1, ta, tb, false, false);
        check_matmul(kern, 1, 37, 71, 53, ta, tb, false, false);      // primes: scalar loads and stores
        check_matmul(kern, 1, 64, 64, 64, ta, tb, false, false);      // float4 throughout
        check_matmul(kern, 1, 132, 20, 136, ta, tb, false, false);    // float4, edges in every dimension
        check_matmul(kern, 1, 140, 44, 260, ta, tb, false, false);    // past 128 x 256 tiles, K steps of 16 and 8 with a partial last
        check_matmul(kern, 1, 12, 36, 20, ta, tb, false, false, 0, 0, 1); // float4 shapes, misaligned
        check_matmul(kern, 1, 5, 4, 7, ta, tb, false, false);         // one quad of K, ragged N
        check_matmul(kern, 1, 9, 203, 11, ta, tb, false, false);      // many K steps, partial last
        check_matmul(kern, 1, 130, 3, 2, ta, tb, false, false, 1, 1); // tile rows walked by one block
        check_matmul(kern, 3, 33, 17, 65, ta, tb, false, false);
        check_matmul(kern, 3, 33, 17, 65, ta, tb, true, false, 1, 1);
        check_matmul(kern, 3, 33, 17, 65, ta, tb, false, true, 2, 2);
        check_matmul(kern, 3, 12, 8, 16, ta, tb, true, false);        // shared and batched, float4
        check_matmul(kern, 5, 8, 12, 4, ta, tb, false, true, 1, 2);
    }
    check_matmul(kern, 1, 4, 0, 3, false, false, false, false); // k = 0: zeros
    check_matmul(kern, 2, 4, 0, 8, true, true, false, true);
}

// ---- conv2d ---------------------------------------------------------------------------------

struct Conv {
    int n, c, h, w, k, r, s, sh, sw, ph, pw;
    int outH() const { return (h + 2 * ph - r) / sh + 1; }
    int outW() const { return (w + 2 * pw - s) / sw + 1; }
};

// Conv2dLauncher.backwardFilterSplit: how many position ranges backward-filter sums separately
static int filter_split_positions(const Conv& g) {
    const long long positions = (long long)g.n * g.outH() * g.outW();
    const int rows = g.k > 32 ? 64 : 32; // backwardFilterTileRows
    const long long tiles = ((g.k + rows - 1) / rows) * (((long long)g.c * g.r * g.s + 127) / 128);
    const long long wanted = std::max(1LL, std::min((512 + std::max(tiles, 1LL) - 1) / std::max(tiles, 1LL), positions / 256));
    return (int)(((std::max(positions, 1LL) + wanted - 1) / wanted + 15) / 16 * 16);
}

// The conv kernels of both tile heights (32 rows; 64, the _wide kernels) as Conv2dLauncher
// launches them (grids capped at gridCap in every dimension, so the tile loops take over),
// backward-filter once with the launcher's split of the positions and once with
// splitPositions 16 (a split per step: the partial-sum pass).
static void check_conv(const Conv& g, unsigned gridCap, bool wide);

static void check_conv(const Conv& g, unsigned gridCap) {
    for (const bool wide : {false, true}) {
        check_conv(g, gridCap, wide);
    }
}

// The three passes by plain loops in double: out, gin (input gradient), gf (filter gradient).
static void conv_reference(const Conv& g, const std::vector<float>& in, const std::vector<float>& f,
                           const std::vector<float>& gout, std::vector<double>& out, std::vector<double>& gin,
                           std::vector<double>& gf) {
    const int oh = g.outH(), ow = g.outW();
    out.assign((size_t)g.n * g.k * oh * ow, 0);
    gin.assign(in.size(), 0);
    gf.assign(f.size(), 0);
    for (int b = 0; b < g.n; ++b)
        for (int o = 0; o < g.k; ++o)
            for (int y = 0; y < oh; ++y)
                for (int x = 0; x < ow; ++x)
                    for (int ch = 0; ch < g.c; ++ch)
                        for (int i = 0; i < g.r; ++i)
                            for (int j = 0; j < g.s; ++j) {
                                const int iy = y * g.sh - g.ph + i, ix = x * g.sw - g.pw + j;
                                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                                const size_t ii = (((size_t)b * g.c + ch) * g.h + iy) * g.w + ix;
                                const size_t fi = (((size_t)o * g.c + ch) * g.r + i) * g.s + j;
                                const size_t oi = (((size_t)b * g.k + o) * oh + y) * ow + x;
                                out[oi] += (double)in[ii] * f[fi];
                                gin[ii] += (double)gout[oi] * f[fi];
                                gf[fi] += (double)gout[oi] * in[ii];
                            }
}

static void check_conv(const Conv& g, unsigned gridCap, bool wide) {
    const int TM = wide ? 64 : 32;
    const int oh = g.outH(), ow = g.outW();
    auto in = random_values((size_t)g.n * g.c * g.h * g.w), f = random_values((size_t)g.k * g.c * g.r * g.s);
    auto gout = random_values((size_t)g.n * g.k * oh * ow);
    std::vector<double> out, gin, gf;
    conv_reference(g, in, f, gout, out, gin, gf);
    std::vector<float> aOut(out.size(), NAN), aIn(gin.size(), NAN);
    const unsigned T = 128; // CONV_THREADS
    const long long positions = (long long)g.n * oh * ow, crs = (long long)g.c * g.r * g.s;
    if (!out.empty()) {
        emu::launch({cap(ceil_div(positions, 128), gridCap), cap(ceil_div(g.k, TM), gridCap), 1}, {T, 1, 1}, [&] {
            (wide ? conv2d_forward_wide : conv2d_forward)(in.data(), f.data(), aOut.data(), g.n, g.c, g.h, g.w, g.k, g.r, g.s, oh, ow, g.sh, g.sw, g.ph, g.pw);
        });
    }
    if (!gin.empty()) {
        emu::launch({cap(ceil_div((long long)g.n * g.h * g.w, 128), gridCap), cap(ceil_div(g.c, TM), gridCap), 1}, {T, 1, 1}, [&] {
            (wide ? conv2d_backward_input_wide : conv2d_backward_input)(gout.data(), f.data(), aIn.data(), g.n, g.c, g.h, g.w, g.k, g.r, g.s, oh, ow, g.sh, g.sw, g.ph,
                                  g.pw);
        });
    }
    char what[160];
    std::snprintf(what, sizeof what, "%s n%d c%d %dx%d k%d %dx%d stride %d,%d pad %d,%d grid<=%u", wide ? "(wide)" : "", g.n,
                  g.c, g.h, g.w, g.k, g.r, g.s, g.sh, g.sw, g.ph, g.pw, gridCap);
    compare(std::string("conv2d_forward ") + what, out, aOut, 1e-6 * g.c * g.r * g.s, 1e-5);
    compare(std::string("conv2d_backward_input ") + what, gin, aIn, 1e-6 * g.k * g.r * g.s, 1e-5);
    if (gf.empty()) {
        return;
    }
    for (int per : {filter_split_positions(g), 16}) {
        const int splits = (int)std::max(1LL, (positions + per - 1) / per);
        std::vector<float> aF(gf.size(), NAN), partials(splits > 1 ? (size_t)splits * gf.size() : 0, NAN);
        float* result = splits > 1 ? partials.data() : aF.data();
        emu::launch({cap(ceil_div(crs, 128), gridCap), cap(ceil_div(g.k, TM), gridCap), cap(splits, gridCap)}, {T, 1, 1}, [&] {
            (wide ? conv2d_backward_filter_wide : conv2d_backward_filter)(in.data(), gout.data(), result, g.n, g.c, g.h, g.w, g.k, g.r, g.s, oh, ow, g.sh, g.sw, g.ph,
                                   g.pw, per, splits);
        });
        if (splits > 1) {
            emu::launch({cap(ceil_div((long long)gf.size(), 256), gridCap), 1, 1}, {256, 1, 1}, [&] {
                conv2d_backward_filter_reduce(partials.data(), aF.data(), (int)gf.size(), splits);
            });
        }
        compare(std::string("conv2d_backward_filter ") + what + " splits " + std::to_string(splits), gf, aF,
                1e-6 * std::max(positions, 1LL), 1e-5);
    }
}

// The direct kernels for tiny filters (c*r*s <= 16, k <= 8), as Conv2dLauncher launches them
// (grids capped at gridCap, so the grid-stride loops take over). Forward and backward-input must
// equal, bit for bit, the float fmaf chains their comments document (forward over (ch, i, j),
// backward-input over (i, j, o), padding taps skipped); all three are also held to the double
// loops of conv_reference. Each is launched again with grids of 1 and 3 blocks: the same bits, since
// no sum's order depends on the grid. Backward-filter runs with the launcher's chunk of
// CONV_DIRECT_CHUNK positions and with chunks of 16 (many partial sums: the reduce kernel's
// threads then add several chunks each when there are more than 256).
static void check_conv_direct(const Conv& g, unsigned gridCap) {
    const int oh = g.outH(), ow = g.outW();
    auto in = random_values((size_t)g.n * g.c * g.h * g.w), f = random_values((size_t)g.k * g.c * g.r * g.s);
    auto gout = random_values((size_t)g.n * g.k * oh * ow);
    std::vector<double> out, gin, gf;
    conv_reference(g, in, f, gout, out, gin, gf);
    std::vector<double> outChain(out.size()), ginChain(gin.size());
    auto inIdx = [&](int b, int ch, int iy, int ix) { return (((size_t)b * g.c + ch) * g.h + iy) * g.w + ix; };
    auto fIdx = [&](int o, int ch, int i, int j) { return (((size_t)o * g.c + ch) * g.r + i) * g.s + j; };
    auto outIdx = [&](int b, int o, int y, int x) { return (((size_t)b * g.k + o) * oh + y) * ow + x; };
    for (int b = 0; b < g.n; ++b)
        for (int o = 0; o < g.k; ++o)
            for (int y = 0; y < oh; ++y)
                for (int x = 0; x < ow; ++x) {
                    float chain = 0.f;
                    for (int ch = 0; ch < g.c; ++ch)
                        for (int i = 0; i < g.r; ++i)
                            for (int j = 0; j < g.s; ++j) {
                                const int iy = y * g.sh - g.ph + i, ix = x * g.sw - g.pw + j;
                                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                                chain = std::fmaf(in[inIdx(b, ch, iy, ix)], f[fIdx(o, ch, i, j)], chain);
                            }
                    outChain[outIdx(b, o, y, x)] = chain;
                }
    for (int b = 0; b < g.n; ++b)
        for (int ch = 0; ch < g.c; ++ch)
            for (int iy = 0; iy < g.h; ++iy)
                for (int ix = 0; ix < g.w; ++ix) {
                    float chain = 0.f;
                    for (int i = 0; i < g.r; ++i)
                        for (int j = 0; j < g.s; ++j) {
                            const int sy = iy + g.ph - i, sx = ix + g.pw - j;
                            if (sy < 0 || sx < 0 || sy % g.sh || sx % g.sw || sy / g.sh >= oh || sx / g.sw >= ow) continue;
                            for (int o = 0; o < g.k; ++o) {
                                chain = std::fmaf(gout[outIdx(b, o, sy / g.sh, sx / g.sw)], f[fIdx(o, ch, i, j)], chain);
                            }
                        }
                    ginChain[inIdx(b, ch, iy, ix)] = chain;
                }

    const unsigned T = CONV_DIRECT_THREADS;
    const long long positions = (long long)g.n * oh * ow;
    char what[160];
    std::snprintf(what, sizeof what, "n%d c%d %dx%d k%d %dx%d stride %d,%d pad %d,%d grid<=%u", g.n, g.c, g.h, g.w, g.k,
                  g.r, g.s, g.sh, g.sw, g.ph, g.pw, gridCap);
    auto same_bits = [&](const std::string& name, const std::vector<float>& a, const std::vector<float>& b) {
        ++checks;
        if (a.size() != b.size() || (!a.empty() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) != 0)) {
            std::printf("FAIL %s: the bits depend on the grid\n", name.c_str());
            ++failures;
        } else if (verbose) {
            std::printf("ok   %-60s same bits\n", name.c_str());
        }
    };

    // forward and backward-input, with the launcher's grid (capped) and then 1 and 3 blocks
    std::vector<float> aOut, aIn;
    for (unsigned blocks : {0u, 1u, 3u}) {
        std::vector<float> o(out.size(), NAN), gi(gin.size(), NAN);
        if (!o.empty()) {
            emu::launch({blocks ? blocks : cap(ceil_div(positions, T), gridCap), 1, 1}, {T, 1, 1}, [&] {
                conv2d_forward_direct(in.data(), f.data(), o.data(), g.n, g.c, g.h, g.w, g.k, g.r, g.s, oh, ow, g.sh, g.sw, g.ph, g.pw);
            });
        }
        if (!gi.empty()) {
            emu::launch({blocks ? blocks : cap(ceil_div((long long)gi.size(), T), gridCap), 1, 1}, {T, 1, 1}, [&] {
                conv2d_backward_input_direct(gout.data(), f.data(), gi.data(), g.n, g.c, g.h, g.w, g.k, g.r, g.s, oh, ow, g.sh, g.sw,
                                             g.ph, g.pw);
            });
        }
        if (blocks == 0) {
            aOut = o;
            aIn = gi;
        } else {
            same_bits(std::string("conv2d_forward_direct ") + what + " on " + std::to_string(blocks) + " blocks", aOut, o);
            same_bits(std::string("conv2d_backward_input_direct ") + what + " on " + std::to_string(blocks) + " blocks", aIn, gi);
        }
    }
    compare(std::string("conv2d_forward_direct (fmaf chain) ") + what, outChain, aOut, 0, 0);
    compare(std::string("conv2d_backward_input_direct (fmaf chain) ") + what, ginChain, aIn, 0, 0);
    compare(std::string("conv2d_forward_direct ") + what, out, aOut, 1e-6 * g.c * g.r * g.s, 1e-5);
    compare(std::string("conv2d_backward_input_direct ") + what, gin, aIn, 1e-6 * g.k * g.r * g.s, 1e-5);
    if (gf.empty()) {
        return;
    }
    // backward-filter: the launcher's chunks (Conv2dLauncher.backwardFilterDirectChunks) on its
    // grid, then 1 and 3 blocks; at small shapes also chunks of 16 positions on 3 blocks (once,
    // not again for gridCap 1), so that the partial sums and the reduce kernel run there too
    // (each chunk costs the emulation a block's worth of shuffles; check_filter_direct_reduce
    // takes the reduce kernel further)
    for (int per : {CONV_DIRECT_CHUNK, 16}) {
        const int chunks = (int)std::max(1LL, (positions + per - 1) / per);
        if (per != CONV_DIRECT_CHUNK && (chunks > 16 || gridCap <= 3)) {
            continue;
        }
        std::vector<float> first;
        for (unsigned blocks : per == CONV_DIRECT_CHUNK ? std::vector<unsigned>{0u, 1u, 3u} : std::vector<unsigned>{3u}) {
            std::vector<float> aF(gf.size(), NAN), partials(chunks > 1 ? (size_t)chunks * gf.size() : 0, NAN);
            float* result = chunks > 1 ? partials.data() : aF.data();
            emu::launch({blocks ? blocks : cap(chunks, gridCap), blocks ? blocks : cap(g.k, gridCap), 1}, {T, 1, 1}, [&] {
                conv2d_backward_filter_direct(in.data(), gout.data(), result, g.n, g.c, g.h, g.w, g.k, g.r, g.s, oh, ow, g.sh, g.sw,
                                              g.ph, g.pw, per, chunks);
            });
            if (chunks > 1) {
                emu::launch({blocks ? blocks : cap((long long)gf.size(), gridCap), 1, 1}, {T, 1, 1}, [&] {
                    conv2d_backward_filter_direct_reduce(partials.data(), aF.data(), (int)gf.size(), chunks);
                });
            }
            const std::string name = std::string("conv2d_backward_filter_direct ") + what + " chunk " + std::to_string(per)
                                     + " (" + std::to_string(chunks) + ")";
            if (first.empty()) {
                first = aF;
                compare(name + (blocks ? " on " + std::to_string(blocks) + " blocks" : ""), gf, aF, 1e-6 * std::max(positions, 1LL), 1e-5);
            } else {
                same_bits(name + " on " + std::to_string(blocks) + " blocks", first, aF);
            }
        }
    }
}

// conv2d_backward_filter_direct_reduce on its own, with more chunks than threads (each thread
// adds several, in order) and with grids smaller than the element count: against the double
// sum, and the same bits on 1 and 3 blocks as on one block per element.
static void check_filter_direct_reduce(int elements, int chunks) {
    auto partials = random_values((size_t)elements * chunks);
    std::vector<double> ref(elements);
    for (int c = 0; c < chunks; ++c)
        for (int e = 0; e < elements; ++e) ref[e] += partials[(size_t)c * elements + e];
    std::vector<float> first;
    for (unsigned blocks : {(unsigned)elements, 1u, 3u}) {
        std::vector<float> out(elements, NAN);
        emu::launch({blocks, 1, 1}, {CONV_DIRECT_THREADS, 1, 1},
                    [&] { conv2d_backward_filter_direct_reduce(partials.data(), out.data(), elements, chunks); });
        const std::string name = "conv2d_backward_filter_direct_reduce elements " + std::to_string(elements) + " chunks "
                                 + std::to_string(chunks) + " on " + std::to_string(blocks) + " blocks";
        if (first.empty()) {
            first = out;
            compare(name, ref, out, 1e-6 * chunks, 1e-5);
        } else {
            ++checks;
            if (std::memcmp(first.data(), out.data(), out.size() * sizeof(float)) != 0) {
                std::printf("FAIL %s: the bits depend on the grid\n", name.c_str());
                ++failures;
            } else if (verbose) {
                std::printf("ok   %-60s same bits\n", name.c_str());
            }
        }
    }
}

// ---- softmax --------------------------------------------------------------------------------

static void check_softmax(int rows, int cols, float scale, unsigned gridCap) {
    auto x = random_values((size_t)rows * cols, scale), dy = random_values((size_t)rows * cols);
    if (rows > 2 && cols > 2) {
        x[cols + 1] = NAN; // row 1 must come out all NaN, as on the CPU
    }
    if (cols > 1) {
        x[0] = -INFINITY; // row 0: exp gives 0 there, also when it is the first value a thread sees
    }
    if (rows > 2) { // the last row far below zero: exp underflows unless the true row maximum is subtracted
        for (int c = 0; c < cols; ++c) x[(size_t)(rows - 1) * cols + c] = -std::fabs(x[(size_t)(rows - 1) * cols + c]) - 200.f;
    }
    std::vector<double> y(x.size()), dx(x.size());
    std::vector<float> yf(x.size());
    for (int r = 0; r < rows; ++r) {
        float m = -INFINITY;
        bool nan = false;
        for (int c = 0; c < cols; ++c) { m = std::max(m, x[r * cols + c]); nan |= std::isnan(x[r * cols + c]); }
        double sum = 0;
        for (int c = 0; c < cols; ++c) sum += std::exp((double)x[r * cols + c] - m);
        for (int c = 0; c < cols; ++c) y[r * cols + c] = nan ? NAN : std::exp((double)x[r * cols + c] - m) / sum;
    }
    // backward on a proper distribution (the forward's output, taken from the reference)
    for (size_t i = 0; i < y.size(); ++i) yf[i] = std::isnan(y[i]) ? 0.f : (float)y[i];
    for (int r = 0; r < rows; ++r) {
        double dot = 0;
        for (int c = 0; c < cols; ++c) dot += (double)dy[r * cols + c] * yf[r * cols + c];
        for (int c = 0; c < cols; ++c) dx[r * cols + c] = yf[r * cols + c] * (dy[r * cols + c] - dot);
    }
    std::vector<float> ay(x.size(), -1.f), adx(x.size(), -1.f);
    const bool warp = cols <= 1024;
    const unsigned T = 256;
    const unsigned blocks = cap(warp ? ceil_div(rows, T / 32) : rows, gridCap);
    emu::launch({blocks, 1, 1}, {T, 1, 1}, [&] {
        if (warp) softmax_forward_warp(x.data(), ay.data(), rows, cols);
        else softmax_forward_block(x.data(), ay.data(), rows, cols);
    });
    emu::launch({blocks, 1, 1}, {T, 1, 1}, [&] {
        if (warp) softmax_backward_warp(yf.data(), dy.data(), adx.data(), rows, cols);
        else softmax_backward_block(yf.data(), dy.data(), adx.data(), rows, cols);
    });
    char what[120];
    std::snprintf(what, sizeof what, "%s rows %d cols %d scale %g grid<=%u", warp ? "warp" : "block", rows, cols, scale, gridCap);
    compare(std::string("softmax_forward_") + what, y, ay, 1e-7, 5e-5);
    compare(std::string("softmax_backward_") + what, dx, adx, 1e-6, 1e-4);
}

// softmax_forward_fused: rows held in registers, 128-bit accesses where aligned, one (max, sum)
// reduction. threads: the block size (SoftmaxLauncher.fusedThreads gives ceil(cols / 32) rounded
// up to whole warps, at most 256); offsetX / offsetY: x and y start that many floats into their
// allocations, so a nonzero offset makes them misaligned and the 4-byte path must take over. The
// rows (at least 8) hold the special values the CPU reference has rules for:
//   0: one -inf (exp gives 0 there)        1: one NaN (the row is NaN)
//   2: all -inf (the row is NaN, as exp(-inf - -inf) is)       3: one +inf (the row is NaN)
//   4: -inf but for its last value, so almost every thread holds only -inf (its pair (-inf, 0))
//   5: far below zero (exp underflows unless the true row maximum is subtracted)
//   6: values up to +-3e38: x - max overflows to -inf in float, which must give 0
//   7 and beyond: random values of size up to scale.
static std::vector<float> fused_inputs(int rows, int cols, float scale) {
    auto x = random_values((size_t)rows * cols, scale);
    auto row = [&](int r) { return x.data() + (size_t)r * cols; };
    row(0)[cols / 3] = -INFINITY;
    row(1)[cols / 2] = NAN;
    std::fill(row(2), row(2) + cols, -INFINITY);
    row(3)[cols - 1] = INFINITY;
    std::fill(row(4), row(4) + cols - 1, -INFINITY);
    for (int c = 0; c < cols; ++c) row(5)[c] = -std::fabs(row(5)[c]) - 200.f;
    for (int c = 0; c < cols; ++c) row(6)[c] = row(6)[c] / scale * 3e38f;
    return x;
}

// The CPU reference's rule (ReferenceKernels.softmax): max as Math.max (NaN wins), exp of the
// difference and the sum in double.
static std::vector<double> softmax_reference(const float* x, int rows, int cols) {
    std::vector<double> y((size_t)rows * cols);
    for (int r = 0; r < rows; ++r) {
        const float* xr = x + (size_t)r * cols;
        float m = -INFINITY;
        for (int c = 0; c < cols; ++c) m = std::isnan(xr[c]) || std::isnan(m) ? NAN : std::max(m, xr[c]);
        double sum = 0;
        for (int c = 0; c < cols; ++c) sum += std::exp((double)xr[c] - m);
        for (int c = 0; c < cols; ++c) y[(size_t)r * cols + c] = std::exp((double)xr[c] - m) / sum;
    }
    return y;
}

static void check_softmax_fused(int rows, int cols, unsigned threads, float scale, unsigned gridCap, int offsetX = 0,
                                int offsetY = 0) {
    auto xalloc = fused_inputs(rows, cols, scale);
    xalloc.insert(xalloc.begin(), offsetX, 0.f);
    const float* x = xalloc.data() + offsetX;
    std::vector<double> ref = softmax_reference(x, rows, cols);
    const unsigned blocks = cap(rows, gridCap);
    std::vector<float> first;
    for (int run = 0; run < 2; ++run) { // the same bits again, on the full grid after the capped one
        std::vector<float> yalloc(offsetY + (size_t)rows * cols, -1.f);
        float* y = yalloc.data() + offsetY;
        emu::launch({run == 0 ? blocks : cap(rows, 65535), 1, 1}, {threads, 1, 1},
                    [&] { softmax_forward_fused(x, y, rows, cols); });
        std::vector<float> out(y, y + (size_t)rows * cols);
        char what[160];
        std::snprintf(what, sizeof what, "softmax_forward_fused rows %d cols %d threads %u scale %g grid<=%u%s%s", rows, cols,
                      threads, scale, run == 0 ? gridCap : 65535u, offsetX ? " x misaligned" : "",
                      offsetY ? " y misaligned" : "");
        if (run == 0) {
            compare(what, ref, out, 1e-7, 5e-5); // CrossCheck.SOFTMAX
            first = out;
        } else {
            ++checks;
            if (std::memcmp(first.data(), out.data(), out.size() * sizeof(float)) != 0) {
                std::printf("FAIL %s: other bits than on the first run\n", what);
                ++failures;
            } else if (verbose) {
                std::printf("ok   %-60s same bits\n", what);
            }
        }
    }
}

// A launch for a row longer than the block holds must fail, never leave the row's tail unwritten:
// in a child process (the emulation exits with status 2 on a kernel fault).
static void check_softmax_fused_refuses_long_rows() {
    ++checks;
    std::fflush(stdout);
    const pid_t child = fork();
    if (child == 0) {
        std::freopen("/dev/null", "w", stderr);
        std::vector<float> x(2 * 1025, 0.f), y(2 * 1025);
        emu::launch({1, 1, 1}, {32, 1, 1}, [&] { softmax_forward_fused(x.data(), y.data(), 2, 1025); }); // holds 1024
        std::_Exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 2) {
        std::printf("FAIL softmax_forward_fused with 1025 columns on 32 threads: expected the trap (exit status 2), got %s %d\n",
                    WIFEXITED(status) ? "exit status" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        ++failures;
    } else if (verbose) {
        std::printf("ok   %-60s trapped\n", "softmax_forward_fused cols > 32 x threads");
    }
}

// ---- element-wise ---------------------------------------------------------------------------

static void check_elementwise(int n, unsigned gridCap) {
    auto a = random_values(n), b = random_values(n);
    const float specials[] = {NAN, INFINITY, -INFINITY, 0.f, -0.f, 1.f, -1.f};
    for (int i = 0; i < n; i += 5) a[i] = specials[(i / 5) % 7];
    const unsigned T = 256, blocks = cap(ceil_div(n, T), gridCap);
    std::vector<double> relu(n), reluB(n), add(n), mul(n), scale(n), axpyRef(n);
    for (int i = 0; i < n; ++i) {
        relu[i] = (a[i] > 0 || std::isnan(a[i])) ? a[i] : 0.f;
        reluB[i] = a[i] > 0 ? b[i] : (std::isnan(a[i]) ? NAN : 0.f);
        add[i] = a[i] + b[i];
        mul[i] = a[i] * b[i];
        scale[i] = -0.37f * a[i];
        axpyRef[i] = b[i] + 0.73f * a[i];
    }
    std::vector<float> o1(n, -7), o2(n, -7), o3(n, -7), o4(n, -7), o5(n, -7), o6 = b;
    emu::launch({blocks, 1, 1}, {T, 1, 1}, [&] { relu_forward(a.data(), o1.data(), n); });
    emu::launch({blocks, 1, 1}, {T, 1, 1}, [&] { relu_backward(a.data(), b.data(), o2.data(), n); });
    emu::launch({blocks, 1, 1}, {T, 1, 1}, [&] { add_elements(a.data(), b.data(), o3.data(), n); });
    emu::launch({blocks, 1, 1}, {T, 1, 1}, [&] { mul_elements(a.data(), b.data(), o4.data(), n); });
    emu::launch({blocks, 1, 1}, {T, 1, 1}, [&] { scale_elements(a.data(), o5.data(), -0.37f, n); });
    emu::launch({blocks, 1, 1}, {T, 1, 1}, [&] { axpy(0.73f, a.data(), o6.data(), n); });
    const std::string s = " n " + std::to_string(n) + " grid<=" + std::to_string(gridCap);
    compare("relu_forward" + s, relu, o1, 0, 0);
    compare("relu_backward" + s, reluB, o2, 0, 0);
    compare("add_elements" + s, add, o3, 0, 0);
    compare("mul_elements" + s, mul, o4, 0, 0);
    compare("scale_elements" + s, scale, o5, 0, 0);
    compare("axpy" + s, axpyRef, o6, 0, 0);
}

static void check_bias(int outer, int len, int inner, unsigned gridCap) {
    auto x = random_values((size_t)outer * len * inner), bias = random_values(len);
    std::vector<double> y(x.size()), s(len);
    for (int o = 0; o < outer; ++o)
        for (int l = 0; l < len; ++l)
            for (int i = 0; i < inner; ++i) {
                const size_t idx = ((size_t)o * len + l) * inner + i;
                y[idx] = x[idx] + bias[l];
                s[l] += x[idx];
            }
    std::vector<float> ay(x.size(), NAN), as(len, NAN);
    const unsigned T = 256;
    if (!x.empty()) {
        emu::launch({cap(ceil_div((long long)x.size(), T), gridCap), 1, 1}, {T, 1, 1},
                    [&] { add_bias(x.data(), bias.data(), ay.data(), outer, len, inner); });
    }
    emu::launch({cap(len, gridCap), 1, 1}, {T, 1, 1}, [&] { sum_to_axis(x.data(), as.data(), outer, len, inner); });
    const std::string what = " [" + std::to_string(outer) + ", " + std::to_string(len) + ", " + std::to_string(inner)
                             + "] grid<=" + std::to_string(gridCap);
    compare("add_bias" + what, y, ay, 0, 0);
    compare("sum_to_axis" + what, s, as, 1e-6 * std::max(outer * inner, 1), 1e-5);
}

static void check_sum(int n) {
    auto x = random_values(n);
    double ref = 0;
    for (float v : x) ref += v;
    // ElementwiseLauncher.sum: min(ceil(n/256), 1024) partials, then one block over them
    const unsigned T = 256, partials = cap(ceil_div(std::max(n, 1), T), 1024);
    std::vector<float> scratch(partials, NAN), out(1, NAN);
    if (partials == 1) {
        emu::launch({1, 1, 1}, {T, 1, 1}, [&] { sum_blocks(x.data(), out.data(), n); });
    } else {
        emu::launch({partials, 1, 1}, {T, 1, 1}, [&] { sum_blocks(x.data(), scratch.data(), n); });
        emu::launch({1, 1, 1}, {T, 1, 1}, [&] { sum_blocks(scratch.data(), out.data(), (int)partials); });
    }
    compare("sum_blocks (two passes) n " + std::to_string(n), {ref}, out, 1e-7 * n + 1e-6, 1e-6);
}

int main() {
    check_matmuls(MM128);
    check_matmuls(MM64);
    check_matmuls(MM32);
    check_matmuls(WARP128);
    check_matmuls(WARP128K16);
    check_matmuls(WARP128X256);
    for (unsigned gridCap : {65535u, 1u}) {
        // n, c, h, w, k, r, s, strideH, strideW, padH, padW
        check_conv({1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, gridCap);
        check_conv({2, 3, 7, 5, 4, 3, 3, 1, 1, 1, 1}, gridCap);
        check_conv({1, 2, 9, 11, 3, 3, 2, 2, 3, 1, 0}, gridCap);
        check_conv({2, 3, 13, 13, 2, 5, 5, 2, 2, 2, 2}, gridCap);
        check_conv({1, 2, 4, 4, 2, 6, 6, 1, 1, 1, 1}, gridCap);   // filter as large as the padded input
        check_conv({2, 3, 5, 5, 2, 2, 2, 3, 3, 0, 0}, gridCap);   // stride > filter: pixels no output reads
        check_conv({0, 2, 5, 5, 2, 3, 3, 1, 1, 0, 0}, gridCap);   // empty batch: filter gradient zeros
        check_conv({3, 17, 9, 7, 33, 3, 3, 1, 1, 1, 1}, gridCap); // 2 channel chunks, 2 row tiles, 189 columns
        check_conv({1, 35, 6, 6, 3, 3, 3, 1, 1, 0, 0}, gridCap);  // c r s = 315: 3 column tiles of backward-filter
        check_conv({1, 5, 11, 6, 7, 1, 1, 1, 1, 0, 0}, gridCap);  // 1x1
        check_conv({1, 3, 10, 9, 4, 1, 1, 2, 3, 2, 1}, gridCap);  // 1x1, strided, outputs reading only padding
        check_conv({3, 2, 8, 11, 5, 2, 3, 3, 2, 2, 1}, gridCap);  // stride 3 > filter 2 in y, non-square
        check_conv({2, 4, 5, 7, 3, 7, 9, 1, 1, 1, 1}, gridCap);   // non-square filter as large as the padded input
        check_conv({1, 1, 1, 1, 2, 3, 3, 1, 1, 1, 1}, gridCap);   // one pixel, all padding around it
        check_conv({3, 1, 20, 1, 2, 3, 1, 2, 1, 0, 0}, gridCap);  // one column wide
        check_conv({2, 2, 16, 16, 3, 3, 3, 1, 1, 1, 1}, gridCap); // 512 positions: the launcher splits them in 2
        check_conv({2, 0, 5, 5, 3, 3, 3, 1, 1, 0, 0}, gridCap);   // no input channels: the output is zeros
        check_conv({2, 3, 5, 5, 0, 3, 3, 1, 1, 0, 0}, gridCap);   // no output channels: the input gradient is zeros
        check_conv({2, 70, 5, 6, 66, 3, 3, 1, 2, 1, 1}, gridCap); // more than 64 channels each way: 2 tiles of 64 rows
        // the direct kernels: every shape within the rule c*r*s <= 16, k <= 8
        check_conv_direct({1, 1, 4, 4, 1, 2, 2, 2, 2, 0, 0}, gridCap);     // the documented network's layer
        check_conv_direct({4, 1, 128, 64, 1, 2, 2, 2, 2, 0, 0}, gridCap);  // the training networks' layer, smaller: 4 chunks
        check_conv_direct({3, 1, 9, 7, 1, 2, 2, 2, 2, 0, 0}, gridCap);     // odd sizes: the last row and column unread
        check_conv_direct({2, 1, 11, 13, 8, 2, 2, 2, 2, 0, 0}, gridCap);   // k = 8, the most the rule takes
        check_conv_direct({2, 4, 7, 9, 3, 2, 2, 1, 1, 0, 0}, gridCap);     // c*r*s = 16, stride 1: overlapping taps
        check_conv_direct({2, 2, 6, 5, 3, 2, 2, 2, 2, 1, 1}, gridCap);     // padding
        check_conv_direct({1, 1, 5, 5, 2, 3, 3, 1, 1, 1, 1}, gridCap);     // 3x3, same padding
        check_conv_direct({2, 3, 5, 6, 2, 1, 1, 1, 1, 0, 0}, gridCap);     // 1x1
        check_conv_direct({1, 16, 3, 3, 2, 1, 1, 1, 1, 1, 0}, gridCap);    // 16 channels of 1x1, outputs reading only padding
        check_conv_direct({2, 1, 7, 1, 4, 4, 1, 1, 1, 2, 0}, gridCap);     // 4x1 filter, one column wide
        check_conv_direct({2, 2, 8, 11, 5, 2, 2, 3, 3, 0, 0}, gridCap);    // stride 3 > filter: pixels no output reads
        check_conv_direct({1, 2, 9, 11, 3, 2, 2, 2, 3, 1, 0}, gridCap);    // unequal strides and padding
        check_conv_direct({1, 1, 2, 2, 1, 4, 4, 1, 1, 1, 1}, gridCap);     // filter as large as the padded input
        check_conv_direct({0, 1, 4, 4, 1, 2, 2, 2, 2, 0, 0}, gridCap);     // empty batch: the filter gradient is zeros
        check_conv_direct({2, 0, 5, 5, 3, 2, 2, 1, 1, 0, 0}, gridCap);     // no input channels: the output is zeros
        check_conv_direct({2, 1, 5, 5, 0, 2, 2, 1, 1, 0, 0}, gridCap);     // no output channels: the input gradient is zeros
    }
    check_filter_direct_reduce(4, 512);  // the training networks' layer at full size: 4 elements, 512 chunks
    check_filter_direct_reduce(7, 1000); // odd counts, 3 to 4 chunks per thread
    check_filter_direct_reduce(3, 1);
    for (unsigned gridCap : {65535u, 2u}) {
        check_softmax(1, 1, 1, gridCap);
        check_softmax(3, 5, 1, gridCap);
        check_softmax(37, 33, 1, gridCap);
        check_softmax(5, 1024, 1, gridCap);
        check_softmax(3, 1025, 1, gridCap);
        check_softmax(4, 3000, 1, gridCap);
        check_softmax(2, 8192, 1, gridCap);  // the longest row a 256-thread block keeps in registers
        check_softmax(3, 8193, 30, gridCap); // one longer: the online max/sum pass
        check_softmax(2, 9001, 50, gridCap);
        check_softmax(9, 40, 50, gridCap);
        // the fused forward, blocks as SoftmaxLauncher.fusedThreads sizes them
        check_softmax_fused(8, 1025, 64, 1, gridCap);    // just past the warp kernels: 4-byte path, 2 warps
        check_softmax_fused(9, 1028, 64, 1, gridCap);    // the same, 128-bit path
        check_softmax_fused(8, 2048, 64, 50, gridCap);   // every thread full (32 values)
        check_softmax_fused(8, 3001, 96, 1, gridCap);    // 3 warps, ragged end
        check_softmax_fused(8, 4100, 160, 1e4f, gridCap); // large magnitudes
        check_softmax_fused(8, 8191, 256, 1, gridCap);   // longest row on the 4-byte path
        check_softmax_fused(9, 8192, 256, 30, gridCap);  // the H200 case's row length: 128-bit, full block
        check_softmax_fused(8, 8192, 256, 1, gridCap, 1, 0); // x misaligned: 4-byte path
        check_softmax_fused(8, 4096, 128, 1, gridCap, 0, 3); // y misaligned
        check_softmax_fused(8, 1000, 32, 1, gridCap);    // one warp, one slot of the warps' buffer
        check_softmax_fused(8, 12, 256, 1, gridCap);     // a block larger than the row: idle threads
        check_softmax_fused(8, 5000, 256, 1, gridCap);   // more threads than needed (157 would do)
        check_elementwise(1, gridCap);
        check_elementwise(1001, gridCap);
        check_bias(1, 1, 1, gridCap);
        check_bias(4, 7, 1, gridCap);
        check_bias(2, 3, 35, gridCap);
        check_bias(8, 5, 33, gridCap);
        check_bias(0, 5, 3, gridCap);
    }
    check_softmax_fused_refuses_long_rows();
    for (int n : {1, 255, 256, 257, 4099, 70000}) { // the 1024-partial cap is reached in EmulatedCudaCrossCheckTest
        check_sum(n);
    }
    std::printf("cuda emulation: %d of %d checks of the kernels in src/main/cuda failed%s\n", failures, checks,
                verbose ? "" : " (EMULATION_VERBOSE=1 lists each check)");
    return failures == 0 ? 0 : 1;
}
