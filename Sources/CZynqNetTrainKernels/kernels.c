// Dense float kernels for ZynqNetTrain. See include/zn_kernels.h for the contracts.
#include "zn_kernels.h"
#include <math.h>
#include <stddef.h>

#define ZN_MR 4
#define ZN_NR 16

// The GEMM body, inlined into one function per instruction set. Every C element is
// sum_{p=0}^{k-1} a[i,p]*b[p,j] accumulated in increasing p from 0.0f, then stored or
// added to C: the same expression for the register tile and the edges, so the value of
// an element does not depend on which tile (or thread) computed it.
static inline __attribute__((always_inline)) void zn_gemm_body(
    int32_t row0, int32_t row1, int32_t n, int32_t k, const float *a, int32_t lda,
    const float *b, int32_t ldb, float *c, int32_t ldc, int32_t accumulate) {
    int32_t i = row0;
    for (; i + ZN_MR <= row1; i += ZN_MR) {
        const float *a0 = a + (ptrdiff_t)i * lda;
        const float *a1 = a0 + lda;
        const float *a2 = a1 + lda;
        const float *a3 = a2 + lda;
        float *c0 = c + (ptrdiff_t)i * ldc;
        float *c1 = c0 + ldc;
        float *c2 = c1 + ldc;
        float *c3 = c2 + ldc;
        int32_t j = 0;
        for (; j + ZN_NR <= n; j += ZN_NR) {
            float r0[ZN_NR], r1[ZN_NR], r2[ZN_NR], r3[ZN_NR];
            for (int t = 0; t < ZN_NR; t++) { r0[t] = 0.0f; r1[t] = 0.0f; r2[t] = 0.0f; r3[t] = 0.0f; }
            const float *bp = b + j;
            for (int32_t p = 0; p < k; p++, bp += ldb) {
                const float x0 = a0[p], x1 = a1[p], x2 = a2[p], x3 = a3[p];
                for (int t = 0; t < ZN_NR; t++) {
                    const float bv = bp[t];
                    r0[t] += x0 * bv;
                    r1[t] += x1 * bv;
                    r2[t] += x2 * bv;
                    r3[t] += x3 * bv;
                }
            }
            if (accumulate) {
                for (int t = 0; t < ZN_NR; t++) {
                    c0[j + t] += r0[t]; c1[j + t] += r1[t]; c2[j + t] += r2[t]; c3[j + t] += r3[t];
                }
            } else {
                for (int t = 0; t < ZN_NR; t++) {
                    c0[j + t] = r0[t]; c1[j + t] = r1[t]; c2[j + t] = r2[t]; c3[j + t] = r3[t];
                }
            }
        }
        for (; j < n; j++) {
            float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
            const float *bp = b + j;
            for (int32_t p = 0; p < k; p++, bp += ldb) {
                const float bv = *bp;
                s0 += a0[p] * bv;
                s1 += a1[p] * bv;
                s2 += a2[p] * bv;
                s3 += a3[p] * bv;
            }
            if (accumulate) { c0[j] += s0; c1[j] += s1; c2[j] += s2; c3[j] += s3; }
            else { c0[j] = s0; c1[j] = s1; c2[j] = s2; c3[j] = s3; }
        }
    }
    for (; i < row1; i++) {
        const float *a0 = a + (ptrdiff_t)i * lda;
        float *c0 = c + (ptrdiff_t)i * ldc;
        int32_t j = 0;
        for (; j + ZN_NR <= n; j += ZN_NR) {
            float r0[ZN_NR];
            for (int t = 0; t < ZN_NR; t++) r0[t] = 0.0f;
            const float *bp = b + j;
            for (int32_t p = 0; p < k; p++, bp += ldb) {
                const float x0 = a0[p];
                for (int t = 0; t < ZN_NR; t++) {
                    const float bv = bp[t];
                    r0[t] += x0 * bv;
                }
            }
            if (accumulate) { for (int t = 0; t < ZN_NR; t++) c0[j + t] += r0[t]; }
            else { for (int t = 0; t < ZN_NR; t++) c0[j + t] = r0[t]; }
        }
        for (; j < n; j++) {
            float s0 = 0.0f;
            const float *bp = b + j;
            for (int32_t p = 0; p < k; p++, bp += ldb) {
                const float bv = *bp;
                s0 += a0[p] * bv;
            }
            if (accumulate) c0[j] += s0; else c0[j] = s0;
        }
    }
}

static void zn_gemm_portable(int32_t row0, int32_t row1, int32_t n, int32_t k,
                             const float *a, int32_t lda, const float *b, int32_t ldb,
                             float *c, int32_t ldc, int32_t accumulate) {
    zn_gemm_body(row0, row1, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define ZN_HAVE_AVX2_PATH 1
__attribute__((target("avx2,fma")))
static void zn_gemm_avx2(int32_t row0, int32_t row1, int32_t n, int32_t k,
                         const float *a, int32_t lda, const float *b, int32_t ldb,
                         float *c, int32_t ldc, int32_t accumulate) {
    zn_gemm_body(row0, row1, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

static int zn_use_avx2(void) {
    static int cached = -1;  // benign race: every thread computes the same value
    if (cached < 0) {
        __builtin_cpu_init();
        cached = (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1 : 0;
    }
    return cached;
}
#endif

void zn_gemm_rows(int32_t row0, int32_t row1, int32_t n, int32_t k,
                  const float *a, int32_t lda, const float *b, int32_t ldb,
                  float *c, int32_t ldc, int32_t accumulate) {
    if (row1 <= row0 || n <= 0) return;
#ifdef ZN_HAVE_AVX2_PATH
    if (zn_use_avx2()) {
        zn_gemm_avx2(row0, row1, n, k, a, lda, b, ldb, c, ldc, accumulate);
        return;
    }
#endif
    zn_gemm_portable(row0, row1, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

const char *zn_gemm_path(void) {
#ifdef ZN_HAVE_AVX2_PATH
    if (zn_use_avx2()) return "avx2-fma";
#endif
    return "portable";
}

void zn_transpose(const float *src, int32_t rows, int32_t cols, float *dst) {
    // 8x8 blocks keep both sides in cache.
    for (int32_t i0 = 0; i0 < rows; i0 += 8) {
        int32_t i1 = i0 + 8 < rows ? i0 + 8 : rows;
        for (int32_t j0 = 0; j0 < cols; j0 += 8) {
            int32_t j1 = j0 + 8 < cols ? j0 + 8 : cols;
            for (int32_t i = i0; i < i1; i++)
                for (int32_t j = j0; j < j1; j++)
                    dst[(ptrdiff_t)j * rows + i] = src[(ptrdiff_t)i * cols + j];
        }
    }
}

void zn_bias_relu(float *z, int32_t rows, int32_t n, const float *bias, int32_t relu) {
    for (int32_t i = 0; i < rows; i++) {
        float *zi = z + (ptrdiff_t)i * n;
        if (bias) for (int32_t j = 0; j < n; j++) zi[j] += bias[j];
        if (relu) for (int32_t j = 0; j < n; j++) zi[j] = zi[j] > 0.0f ? zi[j] : 0.0f;
    }
}

void zn_fake_quant_act(const float *x, float *y, uint8_t *mask, int64_t count,
                       float scale, int32_t zero, int32_t lo, int32_t hi) {
    const float inv = 1.0f / scale;
    const float flo = (float)lo, fhi = (float)hi, fz = (float)zero;
    for (int64_t i = 0; i < count; i++) {
        float q = rintf(x[i] * inv) + fz;
        uint8_t inside = (q >= flo && q <= fhi) ? 1 : 0;
        q = q < flo ? flo : (q > fhi ? fhi : q);
        if (mask) mask[i] = inside;
        y[i] = scale * (q - fz);
    }
}

void zn_fake_quant_weight_t(const float *wt, float *y, int32_t in, int32_t out, const float *scales) {
    for (int32_t p = 0; p < in; p++) {
        const float *row = wt + (ptrdiff_t)p * out;
        float *yr = y + (ptrdiff_t)p * out;
        for (int32_t o = 0; o < out; o++) {
            float q = rintf(row[o] / scales[o]);
            q = q < -127.0f ? -127.0f : (q > 127.0f ? 127.0f : q);
            yr[o] = q * scales[o];
        }
    }
}

void zn_absmax_cols(const float *wt, int32_t in, int32_t out, float *result) {
    for (int32_t o = 0; o < out; o++) result[o] = 0.0f;
    for (int32_t p = 0; p < in; p++) {
        const float *row = wt + (ptrdiff_t)p * out;
        for (int32_t o = 0; o < out; o++) {
            float v = fabsf(row[o]);
            result[o] = v > result[o] ? v : result[o];
        }
    }
}

void zn_softmax_xent(const float *z, int32_t rows, int32_t n, const int32_t *labels,
                     float grad_scale, float *dz, float *loss, int32_t *pred) {
    for (int32_t i = 0; i < rows; i++) {
        const float *zi = z + (ptrdiff_t)i * n;
        int32_t best = 0;
        float mx = zi[0];
        for (int32_t j = 1; j < n; j++) if (zi[j] > mx) { mx = zi[j]; best = j; }
        double sum = 0.0;
        for (int32_t j = 0; j < n; j++) sum += exp((double)(zi[j] - mx));
        const int32_t y = labels ? labels[i] : -1;
        if (loss) loss[i] = (y >= 0 && y < n) ? (float)(log(sum) - (double)(zi[y] - mx)) : 0.0f;
        if (pred) pred[i] = best;
        if (dz) {
            float *di = dz + (ptrdiff_t)i * n;
            for (int32_t j = 0; j < n; j++) {
                double p = exp((double)(zi[j] - mx)) / sum;
                di[j] = (float)((p - (j == y ? 1.0 : 0.0)) * (double)grad_scale);
            }
        }
    }
}

void zn_argmax_rows(const float *z, int32_t rows, int32_t n, int32_t *pred) {
    for (int32_t i = 0; i < rows; i++) {
        const float *zi = z + (ptrdiff_t)i * n;
        int32_t best = 0;
        for (int32_t j = 1; j < n; j++) if (zi[j] > zi[best]) best = j;
        pred[i] = best;
    }
}

void zn_col_sum(const float *d, int32_t rows, int32_t n, float *out) {
    for (int32_t j = 0; j < n; j++) out[j] = 0.0f;
    for (int32_t i = 0; i < rows; i++) {
        const float *di = d + (ptrdiff_t)i * n;
        for (int32_t j = 0; j < n; j++) out[j] += di[j];
    }
}

void zn_relu_backward(float *da, const float *a, int64_t count) {
    for (int64_t i = 0; i < count; i++) da[i] = a[i] > 0.0f ? da[i] : 0.0f;
}

void zn_mask_backward(float *da, const uint8_t *mask, int64_t count) {
    for (int64_t i = 0; i < count; i++) da[i] = mask[i] ? da[i] : 0.0f;
}

void zn_minmax_cols(const float *z, int32_t rows, int32_t n, float *lo, float *hi) {
    for (int32_t i = 0; i < rows; i++) {
        const float *zi = z + (ptrdiff_t)i * n;
        for (int32_t j = 0; j < n; j++) {
            lo[j] = zi[j] < lo[j] ? zi[j] : lo[j];
            hi[j] = zi[j] > hi[j] ? zi[j] : hi[j];
        }
    }
}

void zn_adam(float *w, const float *g, float *m, float *v, int64_t count,
             float lr, float b1, float b2, float eps, float bc1, float bc2, float wd) {
    const float ib1 = 1.0f - b1, ib2 = 1.0f - b2;
    const float step = lr / bc1, ibc2 = 1.0f / bc2, decay = lr * wd;
    for (int64_t i = 0; i < count; i++) {
        const float gi = g[i];
        const float mi = b1 * m[i] + ib1 * gi;
        const float vi = b2 * v[i] + ib2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= step * mi / (sqrtf(vi * ibc2) + eps) + decay * w[i];
    }
}

void zn_sgd(float *w, const float *g, float *vel, int64_t count, float lr, float mu, float wd) {
    for (int64_t i = 0; i < count; i++) {
        const float vi = mu * vel[i] + g[i] + wd * w[i];
        vel[i] = vi;
        w[i] -= lr * vi;
    }
}

void zn_gather_u8(const uint8_t *src, int32_t cols, const int32_t *idx, int32_t rows,
                  float scale, float *dst) {
    for (int32_t r = 0; r < rows; r++) {
        const uint8_t *s = src + (ptrdiff_t)idx[r] * cols;
        float *d = dst + (ptrdiff_t)r * cols;
        for (int32_t j = 0; j < cols; j++) d[j] = (float)s[j] * scale;
    }
}

void zn_gather_f32(const float *src, int32_t cols, const int32_t *idx, int32_t rows, float *dst) {
    for (int32_t r = 0; r < rows; r++) {
        const float *s = src + (ptrdiff_t)idx[r] * cols;
        float *d = dst + (ptrdiff_t)r * cols;
        for (int32_t j = 0; j < cols; j++) d[j] = s[j];
    }
}
