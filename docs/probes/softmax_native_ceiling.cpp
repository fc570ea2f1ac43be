// How fast can softmax forward go on this machine at all? The CPU backend's algorithm (exp of
// x - max with the TwoSum, the degree-6 polynomial, the next row's maximum on the integer
// units, then a multiply by 1/sum; VectorKernels.softmaxRows), written with AVX-512
// intrinsics and compiled by g++, on 2 threads, against memcpy of the same array on the same
// 2 threads; and the same without the TwoSum (an exp of up to |x - max| x 2^-24 relative
// error). The threads hand over by spinning, as the backend's pool does. Best of many
// alternating repetitions; GB/s = (bytes read + bytes written) / time, as in the benchmarks.
//
//   g++ -O2 -march=x86-64-v4 -pthread softmax_native_ceiling.cpp -o ceiling && ./ceiling 1024
//
// Not part of the build: a measurement that the README's "where we stand" cites
// (docs/cpu-performance-log.md has the figures).
#include <immintrin.h>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <thread>
#include <atomic>
#include <cmath>
static const float LOG2E = 1.4426950408889634f, SHIFTER = 0x1.8p23f, LN2_HI = 0.6931471805599453f;
static const float LN2_LO = (float)(0.6931471805599453 - (double)0.6931471805599453f);
static const float C2 = 0x1.fffffcp-2f, C3 = 0x1.555492p-3f, C4 = 0x1.5558f2p-5f, C5 = 0x1.1239d4p-7f, C6 = 0x1.6a244cp-10f;

static inline float maxOfBits(int hi, int lo) { int b = hi >= 0 ? hi : lo; float f; memcpy(&f, &b, 4); return f; }

// y = exp(x - m) for one row, returns the sum; tracks the next row's maximum
template <bool TWOSUM>
static inline float expPass(const float* x, float* y, int n, float m, const float* next, float* nextMax) {
    __m512 mv = _mm512_set1_ps(m), log2e = _mm512_set1_ps(LOG2E), sh = _mm512_set1_ps(SHIFTER);
    __m512 l2h = _mm512_set1_ps(-LN2_HI), l2l = _mm512_set1_ps(-LN2_LO);
    __m512 c6 = _mm512_set1_ps(C6), c5 = _mm512_set1_ps(C5), c4 = _mm512_set1_ps(C4), c3 = _mm512_set1_ps(C3), c2 = _mm512_set1_ps(C2), one = _mm512_set1_ps(1.f);
    __m512 nl = _mm512_set1_ps(-86.f);
    __m512 sum = _mm512_setzero_ps();
    __m512i hi = _mm512_set1_epi32(INT32_MIN), lo = _mm512_set1_epi32((int)0xff800000);
    for (int i = 0; i + 16 <= n; i += 16) {
        __m512i nx = _mm512_loadu_si512(next + i);
        hi = _mm512_max_epi32(nx, hi); lo = _mm512_min_epi32(nx, lo);
        __m512 xv = _mm512_loadu_ps(x + i);
        __m512 s = _mm512_sub_ps(xv, mv);
        __m512 kf = _mm512_fmadd_ps(s, log2e, sh);
        __m512 k = _mm512_sub_ps(kf, sh);
        __m512 r = _mm512_fmadd_ps(k, l2h, s);
        if (TWOSUM) {
            __m512 b = _mm512_sub_ps(s, xv);
            __m512 e = _mm512_sub_ps(_mm512_sub_ps(xv, _mm512_sub_ps(s, b)), _mm512_add_ps(b, mv));
            r = _mm512_add_ps(r, e);
        }
        r = _mm512_fmadd_ps(k, l2l, r);
        __m512 p = _mm512_fmadd_ps(r, c6, c5);
        p = _mm512_fmadd_ps(p, r, c4); p = _mm512_fmadd_ps(p, r, c3); p = _mm512_fmadd_ps(p, r, c2);
        p = _mm512_fmadd_ps(p, r, one); p = _mm512_fmadd_ps(p, r, one);
        // 2^n added to the exponent (normal results; below -86 the lanes are zeroed: the
        // inputs here never go there, the backend multiplies instead)
        __m512 yv = _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(p), _mm512_slli_epi32(_mm512_castps_si512(kf), 23)));
        yv = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(s, nl, _CMP_GE_OQ), yv);
        _mm512_storeu_ps(y + i, yv);
        sum = _mm512_add_ps(yv, sum);
    }
    *nextMax = maxOfBits(_mm512_reduce_max_epi32(hi), _mm512_reduce_min_epi32(lo));
    return _mm512_reduce_add_ps(sum);
}

template <bool TWOSUM>
static void softmaxRows(const float* x, float* y, int rows, int cols) {
    float m = -INFINITY; for (int i = 0; i < cols; i++) m = x[i] > m ? x[i] : m;
    for (int r = 0; r < rows; r++) {
        const float* next = x + (r + 1 < rows ? (r + 1) : r) * (long)cols;
        float nm;
        float sum = expPass<TWOSUM>(x + (long)r * cols, y + (long)r * cols, cols, m, next, &nm);
        __m512 inv = _mm512_set1_ps(1.f / sum);
        float* yr = y + (long)r * cols;
        for (int i = 0; i < cols; i += 16) _mm512_storeu_ps(yr + i, _mm512_mul_ps(_mm512_loadu_ps(yr + i), inv));
        m = nm;
    }
}

static void copyPart(const float* x, float* y, long from, long to) { memcpy(y + from, x + from, (to - from) * 4); }

// one helper thread spinning on a job counter, as a thread pool would
struct Pair {
    std::atomic<int> job{0}, done{0}; std::atomic<bool> quit{false}; std::thread t; int kind = 0; const float* x; float* y; int rows, cols;
    void part(int which) {
        int half = rows / 2, r0 = which ? half : 0, r1 = which ? rows : half;
        if (kind == 0) copyPart(x, y, (long)r0 * cols, (long)r1 * cols);
        else if (kind == 1) softmaxRows<true>(x + (long)r0 * cols, y + (long)r0 * cols, r1 - r0, cols);
        else softmaxRows<false>(x + (long)r0 * cols, y + (long)r0 * cols, r1 - r0, cols);
    }
    Pair() { t = std::thread([this] { int seen = 0; while (!quit) { int j = job.load(); if (j != seen) { seen = j; part(1); done.fetch_add(1); } } }); }
    void run(int k) { kind = k; int d = done.load(); job.fetch_add(1); part(0); while (done.load() == d) {} }
    ~Pair() { quit = true; t.join(); }
};

int main(int argc, char** argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1024;
    float* x = (float*)aligned_alloc(64, (size_t)n * n * 4); float* y = (float*)aligned_alloc(64, (size_t)n * n * 4);
    srand(1); for (long i = 0; i < (long)n * n; i++) x[i] = (rand() / (float)RAND_MAX) * 16 - 8;
    Pair p; p.x = x; p.y = y; p.rows = n; p.cols = n;
    const char* names[] = {"copy", "softmax, 1-ulp exp (TwoSum)", "softmax, exp without TwoSum"};
    double bytes = 8.0 * n * n;
    for (int round = 0; round < 3; round++) {
        double best[3] = {1e30, 1e30, 1e30};
        int reps = n <= 1024 ? 400 : 60;
        for (int rep = 0; rep < reps; rep++) for (int k = 0; k < 3; k++) {
            auto t0 = std::chrono::high_resolution_clock::now(); p.run(k);
            double ns = std::chrono::duration<double, std::nano>(std::chrono::high_resolution_clock::now() - t0).count();
            if (ns < best[k]) best[k] = ns;
        }
        printf("%d^2: copy %.1f GB/s; %s %.1f GB/s (%.2fx copy); %s %.1f GB/s (%.2fx copy)\n", n, bytes / best[0],
               names[1], bytes / best[1], best[0] / best[1], names[2], bytes / best[2], best[0] / best[2]);
    }
    double s = 0; for (long i = 0; i < (long)n * n; i++) s += y[i]; printf("check %.3f (rows %d)\n", s, n);
}
