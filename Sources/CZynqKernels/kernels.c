/*
 * int16 dot-product kernels for the zynqnet simulator. Each instruction set computes the
 * same exact int32 sums (see czynqkernels.h for the bounds that rule out overflow); the
 * x86 ones are compiled with target attributes and chosen at run time, so the library
 * runs on any x86_64 CPU and uses AVX2 where the CPU has it.
 */
#include "czynqkernels.h"

#if defined(__x86_64__) || defined(__i386__)
#define CZK_X86 1
#include <immintrin.h>
#endif

#if defined(__ARM_NEON) || defined(__ARM_NEON__)
#define CZK_HAVE_NEON 1
#include <arm_neon.h>
#endif

/* ---- portable ---------------------------------------------------------------------- */

static void dot_portable(const int16_t *x, size_t x_stride, size_t n_images,
                         const int16_t *w, size_t w_stride, size_t n_out,
                         size_t k_len, int32_t *out, size_t out_stride) {
    for (size_t i = 0; i < n_images; i++) {
        const int16_t *xi = x + i * x_stride;
        for (size_t o = 0; o < n_out; o++) {
            const int16_t *wo = w + o * w_stride;
            int32_t acc = 0;
            for (size_t k = 0; k < k_len; k++) acc += (int32_t)xi[k] * (int32_t)wo[k];
            out[i * out_stride + o] = acc;
        }
    }
}

/* ---- x86 --------------------------------------------------------------------------- */

#ifdef CZK_X86

__attribute__((target("sse2")))
static inline int32_t hsum_128(__m128i v) {
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(v);
}

/* 4 images x 2 outputs per tile, 8 int16 per step (k_len is a multiple of 16). */
__attribute__((target("sse2")))
static void dot_sse2(const int16_t *x, size_t x_stride, size_t n_images,
                     const int16_t *w, size_t w_stride, size_t n_out,
                     size_t k_len, int32_t *out, size_t out_stride) {
    size_t o = 0;
    for (; o + 2 <= n_out; o += 2) {
        const int16_t *w0 = w + o * w_stride, *w1 = w0 + w_stride;
        size_t i = 0;
        for (; i + 4 <= n_images; i += 4) {
            const int16_t *x0 = x + i * x_stride, *x1 = x0 + x_stride, *x2 = x1 + x_stride, *x3 = x2 + x_stride;
            __m128i a00 = _mm_setzero_si128(), a01 = a00, a10 = a00, a11 = a00,
                    a20 = a00, a21 = a00, a30 = a00, a31 = a00;
            for (size_t k = 0; k < k_len; k += 8) {
                __m128i v0 = _mm_loadu_si128((const __m128i *)(w0 + k));
                __m128i v1 = _mm_loadu_si128((const __m128i *)(w1 + k));
                __m128i u;
                u = _mm_loadu_si128((const __m128i *)(x0 + k));
                a00 = _mm_add_epi32(a00, _mm_madd_epi16(u, v0)); a01 = _mm_add_epi32(a01, _mm_madd_epi16(u, v1));
                u = _mm_loadu_si128((const __m128i *)(x1 + k));
                a10 = _mm_add_epi32(a10, _mm_madd_epi16(u, v0)); a11 = _mm_add_epi32(a11, _mm_madd_epi16(u, v1));
                u = _mm_loadu_si128((const __m128i *)(x2 + k));
                a20 = _mm_add_epi32(a20, _mm_madd_epi16(u, v0)); a21 = _mm_add_epi32(a21, _mm_madd_epi16(u, v1));
                u = _mm_loadu_si128((const __m128i *)(x3 + k));
                a30 = _mm_add_epi32(a30, _mm_madd_epi16(u, v0)); a31 = _mm_add_epi32(a31, _mm_madd_epi16(u, v1));
            }
            int32_t *r = out + i * out_stride + o;
            r[0] = hsum_128(a00); r[1] = hsum_128(a01); r += out_stride;
            r[0] = hsum_128(a10); r[1] = hsum_128(a11); r += out_stride;
            r[0] = hsum_128(a20); r[1] = hsum_128(a21); r += out_stride;
            r[0] = hsum_128(a30); r[1] = hsum_128(a31);
        }
        for (; i < n_images; i++) {
            const int16_t *xi = x + i * x_stride;
            __m128i a0 = _mm_setzero_si128(), a1 = a0;
            for (size_t k = 0; k < k_len; k += 8) {
                __m128i u = _mm_loadu_si128((const __m128i *)(xi + k));
                a0 = _mm_add_epi32(a0, _mm_madd_epi16(u, _mm_loadu_si128((const __m128i *)(w0 + k))));
                a1 = _mm_add_epi32(a1, _mm_madd_epi16(u, _mm_loadu_si128((const __m128i *)(w1 + k))));
            }
            out[i * out_stride + o] = hsum_128(a0);
            out[i * out_stride + o + 1] = hsum_128(a1);
        }
    }
    for (; o < n_out; o++) {
        const int16_t *wo = w + o * w_stride;
        for (size_t i = 0; i < n_images; i++) {
            const int16_t *xi = x + i * x_stride;
            __m128i a = _mm_setzero_si128();
            for (size_t k = 0; k < k_len; k += 8)
                a = _mm_add_epi32(a, _mm_madd_epi16(_mm_loadu_si128((const __m128i *)(xi + k)),
                                                    _mm_loadu_si128((const __m128i *)(wo + k))));
            out[i * out_stride + o] = hsum_128(a);
        }
    }
}

/* The four 8-lane sums of a, b, c, d, in that order. */
__attribute__((target("avx2")))
static inline __m128i hsum4_256(__m256i a, __m256i b, __m256i c, __m256i d) {
    __m256i ab = _mm256_hadd_epi32(a, b);
    __m256i cd = _mm256_hadd_epi32(c, d);
    __m256i abcd = _mm256_hadd_epi32(ab, cd);
    return _mm_add_epi32(_mm256_castsi256_si128(abcd), _mm256_extracti128_si256(abcd, 1));
}

__attribute__((target("avx2")))
static inline int32_t hsum_256(__m256i a) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

#define LD256(p) _mm256_loadu_si256((const __m256i *)(p))
#define MAC(acc, u, v) acc = _mm256_add_epi32(acc, _mm256_madd_epi16(u, v))

/* One image against outputs o .. o+5 (6 accumulators). */
__attribute__((target("avx2")))
static inline void avx2_1x6(const int16_t *xi, const int16_t *w0, size_t w_stride, size_t k_len, int32_t *dst) {
    const int16_t *w1 = w0 + w_stride, *w2 = w1 + w_stride, *w3 = w2 + w_stride, *w4 = w3 + w_stride, *w5 = w4 + w_stride;
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    for (size_t k = 0; k < k_len; k += 16) {
        __m256i u = LD256(xi + k);
        MAC(a0, u, LD256(w0 + k)); MAC(a1, u, LD256(w1 + k)); MAC(a2, u, LD256(w2 + k));
        MAC(a3, u, LD256(w3 + k)); MAC(a4, u, LD256(w4 + k)); MAC(a5, u, LD256(w5 + k));
    }
    _mm_storeu_si128((__m128i *)dst, hsum4_256(a0, a1, a2, a3));
    dst[4] = hsum_256(a4);
    dst[5] = hsum_256(a5);
}

/*
 * 2 images x 6 outputs per tile (12 accumulators), 16 int16 per step. The six weight rows
 * (6 x 2 x in bytes, in L1 for in up to about 2000) are reused by every image pair, so
 * per step only the two activation rows come from L2.
 */
__attribute__((target("avx2")))
static void dot_avx2(const int16_t *x, size_t x_stride, size_t n_images,
                     const int16_t *w, size_t w_stride, size_t n_out,
                     size_t k_len, int32_t *out, size_t out_stride) {
    size_t o = 0;
    for (; o + 6 <= n_out; o += 6) {
        const int16_t *w0 = w + o * w_stride, *w1 = w0 + w_stride, *w2 = w1 + w_stride,
                      *w3 = w2 + w_stride, *w4 = w3 + w_stride, *w5 = w4 + w_stride;
        size_t i = 0;
        for (; i + 2 <= n_images; i += 2) {
            const int16_t *x0 = x + i * x_stride, *x1 = x0 + x_stride;
            __m256i a00 = _mm256_setzero_si256(), a01 = a00, a02 = a00, a03 = a00, a04 = a00, a05 = a00,
                    a10 = a00, a11 = a00, a12 = a00, a13 = a00, a14 = a00, a15 = a00;
            for (size_t k = 0; k < k_len; k += 16) {
                __m256i u0 = LD256(x0 + k), u1 = LD256(x1 + k), v;
                v = LD256(w0 + k); MAC(a00, u0, v); MAC(a10, u1, v);
                v = LD256(w1 + k); MAC(a01, u0, v); MAC(a11, u1, v);
                v = LD256(w2 + k); MAC(a02, u0, v); MAC(a12, u1, v);
                v = LD256(w3 + k); MAC(a03, u0, v); MAC(a13, u1, v);
                v = LD256(w4 + k); MAC(a04, u0, v); MAC(a14, u1, v);
                v = LD256(w5 + k); MAC(a05, u0, v); MAC(a15, u1, v);
            }
            int32_t *d0 = out + i * out_stride + o, *d1 = d0 + out_stride;
            int32_t mid[4];
            _mm_storeu_si128((__m128i *)d0, hsum4_256(a00, a01, a02, a03));
            _mm_storeu_si128((__m128i *)mid, hsum4_256(a04, a05, a10, a11));
            _mm_storeu_si128((__m128i *)(d1 + 2), hsum4_256(a12, a13, a14, a15));
            d0[4] = mid[0]; d0[5] = mid[1]; d1[0] = mid[2]; d1[1] = mid[3];
        }
        for (; i < n_images; i++) avx2_1x6(x + i * x_stride, w0, w_stride, k_len, out + i * out_stride + o);
    }
    for (; o < n_out; o++) {
        const int16_t *wo = w + o * w_stride;
        for (size_t i = 0; i < n_images; i++) {
            const int16_t *xi = x + i * x_stride;
            __m256i a = _mm256_setzero_si256();
            for (size_t k = 0; k < k_len; k += 16) MAC(a, LD256(xi + k), LD256(wo + k));
            out[i * out_stride + o] = hsum_256(a);
        }
    }
}

#endif /* CZK_X86 */

/* ---- ARM NEON ---------------------------------------------------------------------- */

#ifdef CZK_HAVE_NEON

static inline int32_t hsum_neon(int32x4_t v) {
#if defined(__aarch64__)
    return vaddvq_s32(v);
#else
    int32x2_t s = vadd_s32(vget_low_s32(v), vget_high_s32(v));
    s = vpadd_s32(s, s);
    return vget_lane_s32(s, 0);
#endif
}

#define NMAC(acc, u, v) \
    acc = vmlal_s16(vmlal_s16(acc, vget_low_s16(u), vget_low_s16(v)), vget_high_s16(u), vget_high_s16(v))

/* 2 images x 2 outputs per tile, 8 int16 per step. */
static void dot_neon(const int16_t *x, size_t x_stride, size_t n_images,
                     const int16_t *w, size_t w_stride, size_t n_out,
                     size_t k_len, int32_t *out, size_t out_stride) {
    size_t o = 0;
    for (; o + 2 <= n_out; o += 2) {
        const int16_t *w0 = w + o * w_stride, *w1 = w0 + w_stride;
        size_t i = 0;
        for (; i + 2 <= n_images; i += 2) {
            const int16_t *x0 = x + i * x_stride, *x1 = x0 + x_stride;
            int32x4_t a00 = vdupq_n_s32(0), a01 = a00, a10 = a00, a11 = a00;
            for (size_t k = 0; k < k_len; k += 8) {
                int16x8_t v0 = vld1q_s16(w0 + k), v1 = vld1q_s16(w1 + k);
                int16x8_t u0 = vld1q_s16(x0 + k), u1 = vld1q_s16(x1 + k);
                NMAC(a00, u0, v0); NMAC(a01, u0, v1); NMAC(a10, u1, v0); NMAC(a11, u1, v1);
            }
            out[i * out_stride + o] = hsum_neon(a00);
            out[i * out_stride + o + 1] = hsum_neon(a01);
            out[(i + 1) * out_stride + o] = hsum_neon(a10);
            out[(i + 1) * out_stride + o + 1] = hsum_neon(a11);
        }
        for (; i < n_images; i++) {
            const int16_t *xi = x + i * x_stride;
            int32x4_t a0 = vdupq_n_s32(0), a1 = a0;
            for (size_t k = 0; k < k_len; k += 8) {
                int16x8_t u = vld1q_s16(xi + k);
                int16x8_t v0 = vld1q_s16(w0 + k), v1 = vld1q_s16(w1 + k);
                NMAC(a0, u, v0); NMAC(a1, u, v1);
            }
            out[i * out_stride + o] = hsum_neon(a0);
            out[i * out_stride + o + 1] = hsum_neon(a1);
        }
    }
    for (; o < n_out; o++) {
        const int16_t *wo = w + o * w_stride;
        for (size_t i = 0; i < n_images; i++) {
            const int16_t *xi = x + i * x_stride;
            int32x4_t a = vdupq_n_s32(0);
            for (size_t k = 0; k < k_len; k += 8) {
                int16x8_t u = vld1q_s16(xi + k), v = vld1q_s16(wo + k);
                NMAC(a, u, v);
            }
            out[i * out_stride + o] = hsum_neon(a);
        }
    }
}

#endif /* CZK_HAVE_NEON */

/* ---- dispatch ---------------------------------------------------------------------- */

int czk_isa_available(int isa) {
    switch (isa) {
    case CZK_PORTABLE:
        return 1;
#ifdef CZK_X86
    case CZK_SSE2:
#if defined(__x86_64__)
        return 1;
#else
        return __builtin_cpu_supports("sse2") ? 1 : 0;
#endif
    case CZK_AVX2:
        return __builtin_cpu_supports("avx2") ? 1 : 0;
#endif
#ifdef CZK_HAVE_NEON
    case CZK_NEON:
        return 1;
#endif
    default:
        return 0;
    }
}

int czk_best_isa(void) {
    if (czk_isa_available(CZK_AVX2)) return CZK_AVX2;
    if (czk_isa_available(CZK_NEON)) return CZK_NEON;
    if (czk_isa_available(CZK_SSE2)) return CZK_SSE2;
    return CZK_PORTABLE;
}

void czk_dot_block(int isa,
                   const int16_t *x, size_t x_stride, size_t n_images,
                   const int16_t *w, size_t w_stride, size_t n_out,
                   size_t k_len,
                   int32_t *out, size_t out_stride) {
    if (!czk_isa_available(isa)) isa = CZK_PORTABLE;
    switch (isa) {
#ifdef CZK_X86
    case CZK_AVX2:
        dot_avx2(x, x_stride, n_images, w, w_stride, n_out, k_len, out, out_stride);
        return;
    case CZK_SSE2:
        dot_sse2(x, x_stride, n_images, w, w_stride, n_out, k_len, out, out_stride);
        return;
#endif
#ifdef CZK_HAVE_NEON
    case CZK_NEON:
        dot_neon(x, x_stride, n_images, w, w_stride, n_out, k_len, out, out_stride);
        return;
#endif
    default:
        dot_portable(x, x_stride, n_images, w, w_stride, n_out, k_len, out, out_stride);
        return;
    }
}
