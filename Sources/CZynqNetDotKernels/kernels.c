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
#include <cpuid.h>
#if defined(__linux__) && defined(__x86_64__) && !defined(CZK_FREESTANDING)
#include <sys/syscall.h>
#include <unistd.h>
#define CZK_AMX_KERNEL 1 /* AMX needs Linux's arch_prctl permission; elsewhere it is never offered */
#endif
#if defined(__x86_64__) && !defined(CZK_FREESTANDING)
/* The software model of the AMX tile unit (tests) and the self-check that lets czk_best_isa
   choose AMX: hosted x86-64 builds only. */
#define CZK_AMX_MODEL_BUILD 1
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#endif
#endif

#if defined(__ARM_NEON) || defined(__ARM_NEON__)
#define CZK_HAVE_NEON 1
#include <arm_neon.h>
#endif

#if defined(__aarch64__) && defined(CZK_HAVE_NEON)
#define CZK_NEON_DOT 1
#if defined(__APPLE__)
#include <sys/sysctl.h>
#elif defined(__linux__)
/* glibc's getauxval (the freestanding test harness brings its own); declared here so the
   file builds without a target sysroot. */
extern unsigned long getauxval(unsigned long type);
#define CZK_AT_HWCAP 16UL
#define CZK_HWCAP_ASIMDDP (1UL << 20)
#endif
#endif

/* No <string.h>: the ARM test harness is built without a C library. */
#define CZK_MEMCPY __builtin_memcpy
#define CZK_MEMSET __builtin_memset

__attribute__((unused)) static inline uint32_t load_u32(const uint8_t *p) {
    uint32_t v;
    CZK_MEMCPY(&v, p, 4);
    return v;
}

/* The bytes p[0 .. n-1] (n < 4) in a word, the rest zero (they meet zero weights). */
__attribute__((unused)) static inline uint32_t load_tail_u32(const uint8_t *p, size_t n) {
    uint32_t v = 0;
    for (size_t b = 0; b < n; b++) v |= (uint32_t)p[b] << (8 * b);
    return v;
}

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


/* ---- x86, 8-bit operands: vpdpbusd and AMX ---------------------------------------- */
/*
 * The weights of 16 outputs form one row of 64 bytes per 4 inputs (see czk_pack8), so one
 * zmm load gives 16 outputs' weights for inputs 4q .. 4q+3; the image's 4 bytes u are
 * broadcast to every lane and vpdpbusd adds the 4 products to each output's int32 lane.
 * A tile is M images x NG groups (6 x 4 = 24 zmm accumulators): per 4 inputs it loads NG
 * weight rows (reused by the M images) and M broadcasts, and issues M x NG vpdpbusd. No
 * horizontal sums: each lane is one output.
 */
#define ZMM_TARGET __attribute__((target("avx512f,avx512bw,avx512vnni")))

ZMM_TARGET __attribute__((always_inline))
static inline void zmm_tile(const int M, const int NG, const uint8_t *x, size_t xs, const int8_t *wp, size_t gstride,
                            size_t k_len, const int32_t *corr, size_t n_valid, int32_t *out, size_t os) {
    __m512i acc[6][4];
    for (int r = 0; r < M; r++)
        for (int g = 0; g < NG; g++) acc[r][g] = _mm512_setzero_si512();
    const size_t q_full = k_len / 4, tail = k_len % 4;
    for (size_t q = 0; q < q_full; q++) {
        __m512i wv[4];
        for (int g = 0; g < NG; g++) wv[g] = _mm512_loadu_si512((const void *)(wp + g * gstride + q * 64));
        for (int r = 0; r < M; r++) {
            const __m512i b = _mm512_set1_epi32((int)load_u32(x + r * xs + 4 * q));
            for (int g = 0; g < NG; g++) acc[r][g] = _mm512_dpbusd_epi32(acc[r][g], b, wv[g]);
        }
    }
    if (tail) {
        __m512i wv[4];
        for (int g = 0; g < NG; g++) wv[g] = _mm512_loadu_si512((const void *)(wp + g * gstride + q_full * 64));
        for (int r = 0; r < M; r++) {
            const __m512i b = _mm512_set1_epi32((int)load_tail_u32(x + r * xs + 4 * q_full, tail));
            for (int g = 0; g < NG; g++) acc[r][g] = _mm512_dpbusd_epi32(acc[r][g], b, wv[g]);
        }
    }
    for (int g = 0; g < NG; g++) {
        const __m512i c = _mm512_loadu_si512((const void *)(corr + 16 * g));
        const size_t valid = n_valid - 16 * (size_t)g;
        const __mmask16 m = valid >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << valid) - 1);
        for (int r = 0; r < M; r++) _mm512_mask_storeu_epi32(out + r * os + 16 * g, m, _mm512_sub_epi32(acc[r][g], c));
    }
}

#define ZMM_NG(M)                                                                             \
    switch (ng) {                                                                             \
    case 4: zmm_tile(M, 4, xi, x_stride, wg, gstride, k_len, cg, valid, oi, out_stride); break; \
    case 3: zmm_tile(M, 3, xi, x_stride, wg, gstride, k_len, cg, valid, oi, out_stride); break; \
    case 2: zmm_tile(M, 2, xi, x_stride, wg, gstride, k_len, cg, valid, oi, out_stride); break; \
    default: zmm_tile(M, 1, xi, x_stride, wg, gstride, k_len, cg, valid, oi, out_stride); break; \
    }

ZMM_TARGET
static void dot8_avx512(const uint8_t *x, size_t x_stride, size_t n_images,
                        const int8_t *wp, const int32_t *corr, size_t n_out,
                        size_t k_len, int32_t *out, size_t out_stride) {
    const size_t groups = (n_out + 15) / 16, gstride = czk_pack8_rows(k_len) * 64;
    for (size_t g0 = 0; g0 < groups; g0 += 4) {
        const int ng = groups - g0 >= 4 ? 4 : (int)(groups - g0);
        const int8_t *wg = wp + g0 * gstride;
        const int32_t *cg = corr + 16 * g0;
        const size_t valid = n_out - 16 * g0;
        for (size_t i = 0; i < n_images; i += 6) {
            const uint8_t *xi = x + i * x_stride;
            int32_t *oi = out + i * out_stride + 16 * g0;
            switch (n_images - i >= 6 ? 6 : n_images - i) {
            case 6: ZMM_NG(6) break;
            case 5: ZMM_NG(5) break;
            case 4: ZMM_NG(4) break;
            case 3: ZMM_NG(3) break;
            case 2: ZMM_NG(2) break;
            default: ZMM_NG(1) break;
            }
        }
    }
}

/*
 * The same at 256 bits for AVX-VNNI (VEX: only ymm0-15): a tile is M images x one group of
 * 16 outputs (two ymm per image, 12 accumulators at M = 6). Written once as a macro and
 * instantiated for the VEX instruction (avxvnni) and its EVEX twin (avx512vl + vnni), so a
 * machine with AVX-512 VNNI but no AVX-VNNI tests the very same code.
 */
#define YMM_KERNEL(NAME, TARGET, DPBUSD)                                                                  \
    TARGET __attribute__((always_inline)) static inline void NAME##_tile(                                  \
        const int M, const uint8_t *x, size_t xs, const int8_t *wg, size_t k_len, const int32_t *corr,    \
        size_t valid, int32_t *out, size_t os) {                                                          \
        __m256i lo[6], hi[6];                                                                             \
        for (int r = 0; r < M; r++) lo[r] = hi[r] = _mm256_setzero_si256();                               \
        const size_t q_full = k_len / 4, tail = k_len % 4;                                                \
        for (size_t q = 0; q <= q_full; q++) {                                                            \
            if (q == q_full && tail == 0) break;                                                          \
            const __m256i w0 = _mm256_loadu_si256((const __m256i *)(wg + q * 64));                        \
            const __m256i w1 = _mm256_loadu_si256((const __m256i *)(wg + q * 64 + 32));                   \
            for (int r = 0; r < M; r++) {                                                                 \
                const uint8_t *p = x + r * xs + 4 * q;                                                    \
                const __m256i b = _mm256_set1_epi32((int)(q < q_full ? load_u32(p) : load_tail_u32(p, tail))); \
                lo[r] = DPBUSD(lo[r], b, w0);                                                             \
                hi[r] = DPBUSD(hi[r], b, w1);                                                             \
            }                                                                                             \
        }                                                                                                 \
        const __m256i c0 = _mm256_loadu_si256((const __m256i *)corr);                                     \
        const __m256i c1 = _mm256_loadu_si256((const __m256i *)(corr + 8));                               \
        for (int r = 0; r < M; r++) {                                                                     \
            const __m256i v0 = _mm256_sub_epi32(lo[r], c0), v1 = _mm256_sub_epi32(hi[r], c1);             \
            int32_t *d = out + r * os;                                                                    \
            if (valid >= 16) {                                                                            \
                _mm256_storeu_si256((__m256i *)d, v0);                                                    \
                _mm256_storeu_si256((__m256i *)(d + 8), v1);                                              \
            } else {                                                                                      \
                int32_t t[16];                                                                            \
                _mm256_storeu_si256((__m256i *)t, v0);                                                    \
                _mm256_storeu_si256((__m256i *)(t + 8), v1);                                              \
                for (size_t j = 0; j < valid; j++) d[j] = t[j];                                           \
            }                                                                                             \
        }                                                                                                 \
    }                                                                                                     \
    TARGET static void NAME(const uint8_t *x, size_t x_stride, size_t n_images, const int8_t *wp,          \
                            const int32_t *corr, size_t n_out, size_t k_len, int32_t *out, size_t out_stride) { \
        const size_t groups = (n_out + 15) / 16, gstride = czk_pack8_rows(k_len) * 64;                    \
        for (size_t g = 0; g < groups; g++) {                                                             \
            const int8_t *wg = wp + g * gstride;                                                          \
            const size_t valid = n_out - 16 * g;                                                          \
            for (size_t i = 0; i < n_images; i += 6) {                                                    \
                const uint8_t *xi = x + i * x_stride;                                                     \
                int32_t *oi = out + i * out_stride + 16 * g;                                              \
                switch (n_images - i >= 6 ? 6 : n_images - i) {                                           \
                case 6: NAME##_tile(6, xi, x_stride, wg, k_len, corr + 16 * g, valid, oi, out_stride); break; \
                case 5: NAME##_tile(5, xi, x_stride, wg, k_len, corr + 16 * g, valid, oi, out_stride); break; \
                case 4: NAME##_tile(4, xi, x_stride, wg, k_len, corr + 16 * g, valid, oi, out_stride); break; \
                case 3: NAME##_tile(3, xi, x_stride, wg, k_len, corr + 16 * g, valid, oi, out_stride); break; \
                case 2: NAME##_tile(2, xi, x_stride, wg, k_len, corr + 16 * g, valid, oi, out_stride); break; \
                default: NAME##_tile(1, xi, x_stride, wg, k_len, corr + 16 * g, valid, oi, out_stride); break; \
                }                                                                                         \
            }                                                                                             \
        }                                                                                                 \
    }

YMM_KERNEL(dot8_avxvnni, __attribute__((target("avx2,avxvnni"))), _mm256_dpbusd_avx_epi32)
YMM_KERNEL(dot8_avxvnni_evex, __attribute__((target("avx2,avx512f,avx512vl,avx512vnni"))), _mm256_dpbusd_epi32)

#if defined(CZK_AMX_KERNEL) || defined(CZK_AMX_MODEL_BUILD)
/*
 * AMX-INT8: 16 images x 64 outputs per pass. Tiles 0-3 hold the int32 sums of 4 groups
 * (16 x 16 each), tile 4 the images' bytes for 64 inputs (16 rows x 64 bytes, read in place),
 * tile 5 one group's packed weights for those inputs (16 rows of 4 inputs x 16 outputs,
 * exactly czk_pack8's rows). tdpbusd computes the same u8 x s8 sums as vpdpbusd. Inputs
 * past the last multiple of 64 are copied into a zero-padded stage so no row is read past
 * its end; fewer than 16 images go to the AVX-512 VNNI kernel (every AMX CPU has it).
 *
 * Written once as a macro over the tile operations OP##_LOADCONFIG, _LOADD, _STORED, _ZERO,
 * _DPBUSD, _RELEASE (and OP##_REGION, the memory the kernel lets a tile instruction touch, and
 * OP##_COPY, the kernel's own copy into the stage):
 * instantiated with the AMX instructions (HW, `dot8_amx`) and with the strict software model
 * of the tile unit below (MODEL, `dot8_amx_model`, CZK_AMX_MODEL), so a machine without AMX
 * runs the very same code.
 */
struct czk_amx_config {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
};

static void amx_copy(const int32_t *c, const int32_t *corr, size_t g, size_t n_out, int32_t *out, size_t os) {
    for (size_t r = 0; r < 16; r++)
        for (size_t l = 0; l < 16 && 16 * g + l < n_out; l++) out[r * os + 16 * g + l] = c[r * 16 + l] - corr[16 * g + l];
}

#define AMX_GROUP(OP, j)                                                                              \
    if (ng > j) {                                                                                     \
        OP##_LOADD(5, wk + (j) * gstride, 64);                                                        \
        OP##_DPBUSD(j, 4, 5);                                                                         \
    }
#define AMX_STORE(OP, j)                                                                              \
    if (ng > j) {                                                                                     \
        OP##_STORED(j, c, 64);                                                                        \
        amx_copy(c, corr, g0 + (j), n_out, out + i * out_stride, out_stride);                         \
    }
#define AMX_KERNEL(NAME, TARGET, OP)                                                                  \
    TARGET static void NAME(const uint8_t *x, size_t x_stride, size_t n_images,                        \
                            const int8_t *wp, const int32_t *corr, size_t n_out,                       \
                            size_t k_len, int32_t *out, size_t out_stride) {                           \
        const size_t groups = (n_out + 15) / 16, gstride = czk_pack8_rows(k_len) * 64;                 \
        const size_t chunks = (k_len + 63) / 64, full = k_len / 64;                                   \
        struct czk_amx_config cfg;                                                                    \
        CZK_MEMSET(&cfg, 0, sizeof cfg);                                                              \
        cfg.palette = 1;                                                                              \
        for (int t = 0; t < 6; t++) {                                                                 \
            cfg.colsb[t] = 64;                                                                        \
            cfg.rows[t] = 16;                                                                         \
        }                                                                                             \
        static __thread uint8_t stage[16 * 64];                                                       \
        int32_t c[16 * 16];                                                                           \
        size_t i = 0;                                                                                 \
        if (n_images >= 16) {                                                                         \
            /* What tile loads may read (x: n_images rows of k_len bytes) and stores write. */        \
            OP##_REGION(x, n_images, k_len, x_stride, 0);                                             \
            OP##_REGION(wp, 1, czk_pack8_size(n_out, k_len), 0, 0);                                   \
            OP##_REGION(stage, 1, sizeof stage, 0, 1);                                                \
            OP##_REGION(c, 1, sizeof c, 0, 1);                                                        \
            OP##_LOADCONFIG(&cfg);                                                                    \
            for (; i + 16 <= n_images; i += 16) {                                                     \
                const uint8_t *xi = x + i * x_stride;                                                 \
                if (full < chunks) {                                                                  \
                    CZK_MEMSET(stage, 0, sizeof stage);                                               \
                    for (size_t r = 0; r < 16; r++)                                                   \
                        OP##_COPY(stage + r * 64, xi + r * x_stride + full * 64, k_len - full * 64);  \
                }                                                                                     \
                for (size_t g0 = 0; g0 < groups; g0 += 4) {                                           \
                    const size_t ng = groups - g0 >= 4 ? 4 : groups - g0;                             \
                    OP##_ZERO(0);                                                                     \
                    OP##_ZERO(1);                                                                     \
                    OP##_ZERO(2);                                                                     \
                    OP##_ZERO(3);                                                                     \
                    for (size_t kc = 0; kc < chunks; kc++) {                                          \
                        if (kc < full) OP##_LOADD(4, xi + kc * 64, x_stride);                         \
                        else OP##_LOADD(4, stage, 64);                                                \
                        const int8_t *wk = wp + g0 * gstride + kc * 16 * 64;                          \
                        AMX_GROUP(OP, 0) AMX_GROUP(OP, 1) AMX_GROUP(OP, 2) AMX_GROUP(OP, 3)           \
                    }                                                                                 \
                    AMX_STORE(OP, 0) AMX_STORE(OP, 1) AMX_STORE(OP, 2) AMX_STORE(OP, 3)               \
                }                                                                                     \
            }                                                                                         \
            OP##_RELEASE();                                                                           \
        }                                                                                             \
        if (i < n_images)                                                                             \
            dot8_avx512(x + i * x_stride, x_stride, n_images - i, wp, corr, n_out, k_len,             \
                        out + i * out_stride, out_stride);                                            \
    }

#ifdef CZK_AMX_KERNEL
#define AMX_TARGET __attribute__((target("amx-tile,amx-int8,avx512f,avx512bw,avx512vnni")))
#define HW_LOADCONFIG(cfg) _tile_loadconfig(cfg)
#define HW_LOADD(t, p, stride) _tile_loadd(t, p, stride)
#define HW_STORED(t, p, stride) _tile_stored(t, p, stride)
#define HW_ZERO(t) _tile_zero(t)
#define HW_DPBUSD(d, a, b) _tile_dpbusd(d, a, b)
#define HW_RELEASE() _tile_release()
#define HW_REGION(p, rows, len, stride, writable) ((void)0)
#define HW_COPY(dst, src, len) CZK_MEMCPY(dst, src, len)
AMX_KERNEL(dot8_amx, AMX_TARGET, HW)

/* Linux grants AMX's tile data state to a process only on request (arch_prctl, 5.16+). */
static int amx_permission(void) {
    return syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XFEATURE_XTILEDATA */) == 0;
}
#endif /* CZK_AMX_KERNEL */

#ifdef CZK_AMX_MODEL_BUILD
/*
 * A strict software model of the AMX tile unit (palette 1: 8 tiles of 16 rows x 64 bytes),
 * per thread like the real tile state, after the Intel SDM (LDTILECFG, TILELOADD, TILESTORED,
 * TILEZERO, TDPBUSD, TILERELEASE and their #GP/#UD conditions). Anything the hardware would
 * fault on ends the process with a message (or, under czk_amx_model_run, returns it): tile
 * instructions before LDTILECFG or after TILERELEASE, a palette other than 1, non-zero reserved
 * bytes or start_row, colsb > 64, rows > 16, a tile with rows xor colsb zero, an unconfigured
 * tile, colsb not a multiple of 4, TDPBUSD on a repeated tile or with shapes that do not chain
 * (dst.rows == src1.rows, src1.colsb / 4 == src2.rows, dst.colsb == src2.colsb, K and N <= 16).
 * Loads read exactly rows x colsb bytes, one byte at a time at base + row * stride, and each
 * byte must lie in a region the kernel declared (OP##_REGION: rows of len bytes, stride apart);
 * stores likewise, and the kernel's own copy (OP##_COPY). Bytes past colsb and rows past `rows` are zeroed as the SDM says. TDPBUSD
 * multiplies u8 (src1) by s8 (src2), adds the 4 products of each dword to the int32 lane with
 * wraparound (no saturation). For tests; never chosen (CZK_AMX_MODEL).
 */
enum { AMX_MODEL_REGIONS = 8 };
struct amx_region {
    const uint8_t *base;
    size_t rows, len, stride;
    int writable;
};
struct amx_model_state {
    int configured;
    uint8_t rows[8];
    uint16_t colsb[8];
    uint8_t tile[8][16][64];
    struct amx_region region[AMX_MODEL_REGIONS];
    int regions;
    int fault;                 /* CZK_AMX_FAULT_*: a deliberately wrong unit, for the self-check's tests */
    uint64_t dpbusd;           /* TDPBUSDs executed on this thread */
    jmp_buf *trap;             /* set: a fault returns here (czk_amx_model_run, self-check) */
    char message[200];
};
static __thread struct amx_model_state amx_model;
static uint64_t amx_model_dpbusd_total; /* all threads, atomic */

__attribute__((format(printf, 1, 2), noreturn))
static void amx_model_fail(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vsnprintf(amx_model.message, sizeof amx_model.message, format, ap);
    va_end(ap);
    if (amx_model.trap) longjmp(*amx_model.trap, 1);
    fprintf(stderr, "czk AMX model: %s\n", amx_model.message);
    abort();
}

static void amx_model_clear(void) {
    amx_model.configured = 0;
    CZK_MEMSET(amx_model.rows, 0, sizeof amx_model.rows);
    CZK_MEMSET(amx_model.colsb, 0, sizeof amx_model.colsb);
    CZK_MEMSET(amx_model.tile, 0, sizeof amx_model.tile);
    amx_model.regions = 0;
}

static void amx_model_region(const void *base, size_t rows, size_t len, size_t stride, int writable) {
    if (amx_model.regions == AMX_MODEL_REGIONS) amx_model_fail("more than %d regions declared", AMX_MODEL_REGIONS);
    amx_model.region[amx_model.regions++] = (struct amx_region){(const uint8_t *)base, rows, len, stride, writable};
}

/* Whether byte p lies in a declared region (a writable one for a store). */
static int amx_model_allowed(const uint8_t *p, int write) {
    for (int j = 0; j < amx_model.regions; j++) {
        const struct amx_region *g = &amx_model.region[j];
        if ((write && !g->writable) || p < g->base) continue;
        const size_t off = (size_t)(p - g->base);
        const size_t r = g->rows <= 1 || g->stride == 0 ? 0 : off / g->stride;
        if (r < (g->rows ? g->rows : 1) && off - r * g->stride < g->len) return 1;
    }
    return 0;
}

/* The kernel's own copy (into the stage), byte by byte, must stay in the declared regions too. */
static void amx_model_copy(void *dst, const void *src, size_t len) {
    for (size_t j = 0; j < len; j++) {
        const uint8_t *s = (const uint8_t *)src + j;
        uint8_t *d = (uint8_t *)dst + j;
        if (!amx_model_allowed(s, 0)) amx_model_fail("the kernel copies byte %zu of %zu from %p, outside what it may read", j, len, (const void *)s);
        if (!amx_model_allowed(d, 1)) amx_model_fail("the kernel copies byte %zu of %zu to %p, outside what it may write", j, len, (void *)d);
        *d = *s;
    }
}

static void amx_model_need_config(const char *insn) {
    if (!amx_model.configured) amx_model_fail("%s without a tile configuration (before LDTILECFG or after TILERELEASE)", insn);
}

static void amx_model_need_tile(const char *insn, int t) {
    amx_model_need_config(insn);
    if (t < 0 || t > 7) amx_model_fail("%s: tmm%d does not exist (palette 1 has tmm0-7)", insn, t);
    if (amx_model.rows[t] == 0) amx_model_fail("%s: tmm%d is not configured (#UD)", insn, t);
    if (amx_model.colsb[t] % 4) amx_model_fail("%s: tmm%d colsb %u is not a multiple of 4 (#UD)", insn, t, amx_model.colsb[t]);
}

static void amx_model_loadconfig(const void *mem) {
    uint8_t b[64];
    for (int j = 0; j < 64; j++) b[j] = ((const volatile uint8_t *)mem)[j];
    if (b[0] == 0) { /* the INIT state, as TILERELEASE */
        amx_model_clear();
        return;
    }
    if (b[0] != 1) amx_model_fail("LDTILECFG: palette %u (only 1 exists) (#GP)", b[0]);
    if (b[1] != 0) amx_model_fail("LDTILECFG: start_row %u (a kernel starts at row 0)", b[1]);
    for (int j = 2; j < 64; j++) {
        const int reserved = j < 16 || (j >= 32 && j < 48) || j >= 56;
        if (reserved && b[j]) amx_model_fail("LDTILECFG: reserved byte %d is %u, not 0 (#GP)", j, b[j]);
    }
    uint8_t rows[8];
    uint16_t colsb[8];
    for (int t = 0; t < 8; t++) {
        colsb[t] = (uint16_t)(b[16 + 2 * t] | b[17 + 2 * t] << 8);
        rows[t] = b[48 + t];
        if (colsb[t] > 64) amx_model_fail("LDTILECFG: tmm%d colsb %u > 64 (#GP)", t, colsb[t]);
        if (rows[t] > 16) amx_model_fail("LDTILECFG: tmm%d rows %u > 16 (#GP)", t, rows[t]);
        if ((rows[t] == 0) != (colsb[t] == 0)) amx_model_fail("LDTILECFG: tmm%d has rows %u but colsb %u (#GP)", t, rows[t], colsb[t]);
    }
    const int regions = amx_model.regions;
    amx_model_clear(); /* LDTILECFG zeroes every tile */
    amx_model.regions = regions;
    CZK_MEMCPY(amx_model.rows, rows, sizeof rows);
    CZK_MEMCPY(amx_model.colsb, colsb, sizeof colsb);
    amx_model.configured = 1;
}

static void amx_model_loadd(int t, const void *base, size_t stride) {
    amx_model_need_tile("TILELOADD", t);
    const int rows = amx_model.rows[t] - (amx_model.fault == CZK_AMX_FAULT_LOAD_ROWS ? 1 : 0);
    CZK_MEMSET(amx_model.tile[t], 0, sizeof amx_model.tile[t]); /* bytes past colsb, rows past `rows` */
    for (int r = 0; r < rows; r++) {
        const uint8_t *row = (const uint8_t *)base + (ptrdiff_t)r * (ptrdiff_t)stride;
        for (int j = 0; j < amx_model.colsb[t]; j++) {
            if (!amx_model_allowed(row + j, 0))
                amx_model_fail("TILELOADD tmm%d row %d byte %d: %p is outside what the kernel may read", t, r, j, (const void *)(row + j));
            amx_model.tile[t][r][j] = ((const volatile uint8_t *)row)[j];
        }
    }
}

static void amx_model_stored(int t, void *base, size_t stride) {
    amx_model_need_tile("TILESTORED", t);
    for (int r = 0; r < amx_model.rows[t]; r++) {
        uint8_t *row = (uint8_t *)base + (ptrdiff_t)r * (ptrdiff_t)stride;
        for (int j = 0; j < amx_model.colsb[t]; j++) {
            if (!amx_model_allowed(row + j, 1))
                amx_model_fail("TILESTORED tmm%d row %d byte %d: %p is outside what the kernel may write", t, r, j, (void *)(row + j));
            ((volatile uint8_t *)row)[j] = amx_model.tile[t][r][j];
        }
    }
}

static void amx_model_zero(int t) {
    amx_model_need_tile("TILEZERO", t);
    CZK_MEMSET(amx_model.tile[t], 0, sizeof amx_model.tile[t]);
}

static void amx_model_dpbusd(int d, int a, int b) {
    amx_model_need_config("TDPBUSD");
    if (d == a || d == b || a == b) amx_model_fail("TDPBUSD tmm%d, tmm%d, tmm%d: the three tiles must differ (#UD)", d, a, b);
    amx_model_need_tile("TDPBUSD", d);
    amx_model_need_tile("TDPBUSD", a);
    amx_model_need_tile("TDPBUSD", b);
    const int m = amx_model.rows[d], n = amx_model.colsb[d] / 4, k = amx_model.colsb[a] / 4;
    if (amx_model.rows[a] != m) amx_model_fail("TDPBUSD: dst tmm%d rows %d != src1 tmm%d rows %u (#UD)", d, m, a, amx_model.rows[a]);
    if (amx_model.rows[b] != k) amx_model_fail("TDPBUSD: src1 tmm%d colsb/4 %d != src2 tmm%d rows %u (#UD)", a, k, b, amx_model.rows[b]);
    if (amx_model.colsb[b] != amx_model.colsb[d])
        amx_model_fail("TDPBUSD: dst tmm%d colsb %u != src2 tmm%d colsb %u (#UD)", d, amx_model.colsb[d], b, amx_model.colsb[b]);
    if (n > 16 || k > 16) amx_model_fail("TDPBUSD: N %d or K %d > 16 (#UD)", n, k);
    const int kk = k - (amx_model.fault == CZK_AMX_FAULT_SHORT_K ? 1 : 0);
    for (int r = 0; r < m; r++) {
        for (int col = 0; col < n; col++) {
            uint32_t acc;
            CZK_MEMCPY(&acc, &amx_model.tile[d][r][4 * col], 4);
            for (int q = 0; q < kk; q++)
                for (int e = 0; e < 4; e++) {
                    const uint32_t u = amx_model.tile[a][r][4 * q + e];
                    const int32_t w = amx_model.fault == CZK_AMX_FAULT_UNSIGNED_W ? (int32_t)amx_model.tile[b][q][4 * col + e]
                                                                                   : (int32_t)(int8_t)amx_model.tile[b][q][4 * col + e];
                    acc += (uint32_t)((int32_t)u * w); /* |u w| <= 2^15: exact; the sum wraps mod 2^32 */
                }
            CZK_MEMCPY(&amx_model.tile[d][r][4 * col], &acc, 4);
        }
        CZK_MEMSET(&amx_model.tile[d][r][4 * n], 0, 64 - 4 * (size_t)n);
    }
    for (int r = m; r < 16; r++) CZK_MEMSET(amx_model.tile[d][r], 0, 64);
    amx_model.dpbusd++;
    __atomic_add_fetch(&amx_model_dpbusd_total, 1, __ATOMIC_RELAXED);
    if (amx_model.fault == CZK_AMX_FAULT_TRAP) raise(SIGILL); /* as a #UD on hardware */
}

static void amx_model_release(void) { amx_model_clear(); }

#define MODEL_LOADCONFIG(cfg) amx_model_loadconfig(cfg)
#define MODEL_LOADD(t, p, stride) amx_model_loadd(t, p, stride)
#define MODEL_STORED(t, p, stride) amx_model_stored(t, p, stride)
#define MODEL_ZERO(t) amx_model_zero(t)
#define MODEL_DPBUSD(d, a, b) amx_model_dpbusd(d, a, b)
#define MODEL_RELEASE() amx_model_release()
#define MODEL_REGION(p, rows, len, stride, writable) amx_model_region(p, rows, len, stride, writable)
#define MODEL_COPY(dst, src, len) amx_model_copy(dst, src, len)
AMX_KERNEL(dot8_amx_model, ZMM_TARGET, MODEL)

int czk_amx_model_run(const struct czk_amx_op *ops, size_t n_ops, const uint8_t *in, size_t in_len,
                      uint8_t *out, size_t out_len, char *message, size_t message_len) {
    jmp_buf trap;
    volatile size_t j = 0;
    int result = 0;
    amx_model_clear();
    if (setjmp(trap) == 0) {
        amx_model.trap = &trap;
        amx_model_region(in, 1, in_len, 0, 0);
        amx_model_region(out, 1, out_len, 0, 1);
        for (; j < n_ops; j++) {
            const struct czk_amx_op o = ops[j];
            switch (o.op) {
            case CZK_AMX_LDTILECFG: amx_model_loadconfig(in + o.offset); break;
            case CZK_AMX_TILELOADD: amx_model_loadd(o.t0, in + o.offset, (size_t)o.stride); break;
            case CZK_AMX_TILESTORED: amx_model_stored(o.t0, out + o.offset, (size_t)o.stride); break;
            case CZK_AMX_TILEZERO: amx_model_zero(o.t0); break;
            case CZK_AMX_TDPBUSD: amx_model_dpbusd(o.t0, o.t1, o.t2); break;
            case CZK_AMX_TILERELEASE: {
                const int regions = amx_model.regions;
                amx_model_release();
                amx_model.regions = regions;
                break;
            }
            default: amx_model_fail("unknown operation %d", o.op);
            }
        }
    } else {
        result = (int)j + 1;
        if (message && message_len) snprintf(message, message_len, "%s", amx_model.message);
    }
    amx_model.trap = NULL;
    amx_model_clear();
    return result;
}

uint64_t czk_amx_model_dpbusd_count(int all_threads) {
    return all_threads ? __atomic_load_n(&amx_model_dpbusd_total, __ATOMIC_RELAXED) : amx_model.dpbusd;
}
#endif /* CZK_AMX_MODEL_BUILD */
#endif /* CZK_AMX_KERNEL || CZK_AMX_MODEL_BUILD */


static uint64_t xgetbv0(void) {
    uint32_t a, d;
    __asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
    return ((uint64_t)d << 32) | a;
}

enum { F_AVX2 = 1, F_AVX512VNNI = 2, F_AVXVNNI = 4, F_AMX = 8, F_AVX512DQ = 16, F_KNOWN = 1 << 30 };

/* What the CPU has and the OS has enabled (XCR0), found once. */
static int x86_features(void) {
    static int cached = 0;
    int f = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
    if (f) return f;
    f = F_KNOWN;
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, 0) >= 7 && __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 27)) /* OSXSAVE */) {
        const unsigned avx = c & (1u << 28);
        const uint64_t xcr0 = xgetbv0();
        const int ymm_os = (xcr0 & 0x6) == 0x6;            /* SSE + AVX state */
        const int zmm_os = (xcr0 & 0xE6) == 0xE6;          /* + opmask, ZMM_Hi256, Hi16_ZMM */
        const int amx_os = (xcr0 & 0x60000) == 0x60000;    /* XTILECFG + XTILEDATA */
        unsigned a7, b7, c7, d7;
        __cpuid_count(7, 0, a7, b7, c7, d7);
        if (avx && ymm_os && (b7 & (1u << 5))) f |= F_AVX2;
        const int avx512 = zmm_os && (b7 & (1u << 16)) && (b7 & (1u << 30)) && (b7 & (1u << 31)); /* F, BW, VL */
        if ((f & F_AVX2) && avx512 && (c7 & (1u << 11))) f |= F_AVX512VNNI;
        if ((f & F_AVX2) && avx512 && (b7 & (1u << 17))) f |= F_AVX512DQ;
        if (a7 >= 1) {
            unsigned a71, b71, c71, d71;
            __cpuid_count(7, 1, a71, b71, c71, d71);
            if ((f & F_AVX2) && (a71 & (1u << 4))) f |= F_AVXVNNI;
        }
#ifdef CZK_AMX_KERNEL
        if ((f & F_AVX512VNNI) && amx_os && (d7 & (1u << 24)) && (d7 & (1u << 25)) && amx_permission()) f |= F_AMX;
#else
        (void)amx_os;
#endif
    }
    __atomic_store_n(&cached, f, __ATOMIC_RELEASE);
    return f;
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

#ifdef CZK_NEON_DOT
/*
 * sdot (FEAT_DotProd): x~ = u ^ 0x80 and w as int8, so no correction. Per image, 16 inputs
 * are one q register; for each of its 4 groups of 4 inputs (lane l) the group's packed row
 * (64 bytes = 4 q registers of 4 outputs x 4 inputs) is dotted with that lane. A tile is
 * M images x 16 outputs (4 x 4 accumulators at M = 4).
 */
#define DOT_TARGET __attribute__((target("dotprod")))

DOT_TARGET __attribute__((always_inline))
static inline void sdot_tile(const int M, const uint8_t *x, size_t xs, const int8_t *wg, size_t k_len,
                             size_t valid, int32_t *out, size_t os) {
    int32x4_t acc[4][4];
    for (int r = 0; r < M; r++)
        for (int j = 0; j < 4; j++) acc[r][j] = vdupq_n_s32(0);
    const uint8x16_t flip = vdupq_n_u8(0x80);
    for (size_t k = 0; k < k_len; k += 16) {
        int8x16_t xv[4];
        for (int r = 0; r < M; r++) {
            uint8x16_t u;
            if (k + 16 <= k_len) {
                u = vld1q_u8(x + r * xs + k);
            } else {
                uint8_t t[16] = {0};
                CZK_MEMCPY(t, x + r * xs + k, k_len - k);
                u = vld1q_u8(t);
            }
            xv[r] = vreinterpretq_s8_u8(veorq_u8(u, flip));
        }
        const int8_t *row = wg + (k / 4) * 64;
#define SDOT_LANE(l)                                                                    \
        {                                                                               \
            const int8x16_t w0 = vld1q_s8(row + (l) * 64), w1 = vld1q_s8(row + (l) * 64 + 16), \
                            w2 = vld1q_s8(row + (l) * 64 + 32), w3 = vld1q_s8(row + (l) * 64 + 48); \
            for (int r = 0; r < M; r++) {                                               \
                acc[r][0] = vdotq_laneq_s32(acc[r][0], w0, xv[r], l);                   \
                acc[r][1] = vdotq_laneq_s32(acc[r][1], w1, xv[r], l);                   \
                acc[r][2] = vdotq_laneq_s32(acc[r][2], w2, xv[r], l);                   \
                acc[r][3] = vdotq_laneq_s32(acc[r][3], w3, xv[r], l);                   \
            }                                                                           \
        }
        SDOT_LANE(0) SDOT_LANE(1) SDOT_LANE(2) SDOT_LANE(3)
#undef SDOT_LANE
    }
    for (int r = 0; r < M; r++) {
        int32_t *d = out + r * os;
        for (int j = 0; j < 4; j++) {
            if (valid >= 4 * (size_t)j + 4) {
                vst1q_s32(d + 4 * j, acc[r][j]);
            } else {
                int32_t t[4];
                vst1q_s32(t, acc[r][j]);
                for (size_t l = 0; 4 * (size_t)j + l < valid; l++) d[4 * j + l] = t[l];
            }
        }
    }
}

DOT_TARGET
static void dot8_neondot(const uint8_t *x, size_t x_stride, size_t n_images,
                         const int8_t *wp, const int32_t *corr, size_t n_out,
                         size_t k_len, int32_t *out, size_t out_stride) {
    (void)corr;
    const size_t groups = (n_out + 15) / 16, gstride = czk_pack8_rows(k_len) * 64;
    for (size_t g = 0; g < groups; g++) {
        const int8_t *wg = wp + g * gstride;
        const size_t valid = n_out - 16 * g;
        for (size_t i = 0; i < n_images; i += 4) {
            const uint8_t *xi = x + i * x_stride;
            int32_t *oi = out + i * out_stride + 16 * g;
            switch (n_images - i >= 4 ? 4 : n_images - i) {
            case 4: sdot_tile(4, xi, x_stride, wg, k_len, valid, oi, out_stride); break;
            case 3: sdot_tile(3, xi, x_stride, wg, k_len, valid, oi, out_stride); break;
            case 2: sdot_tile(2, xi, x_stride, wg, k_len, valid, oi, out_stride); break;
            default: sdot_tile(1, xi, x_stride, wg, k_len, valid, oi, out_stride); break;
            }
        }
    }
}

static int neon_dot_available(void) {
#if defined(__ARM_FEATURE_DOTPROD)
    return 1;
#elif defined(__APPLE__)
    int v = 0;
    size_t len = sizeof v;
    return sysctlbyname("hw.optional.arm.FEAT_DotProd", &v, &len, NULL, 0) == 0 && v != 0;
#elif defined(__linux__)
    return (getauxval(CZK_AT_HWCAP) & CZK_HWCAP_ASIMDDP) != 0;
#else
    return 0;
#endif
}
#endif /* CZK_NEON_DOT */

/* ---- 8-bit packing and the portable 8-bit kernel ------------------------------------ */

size_t czk_pack8_rows(size_t k_len) { return (k_len + 63) / 64 * 16; }
size_t czk_pack8_size(size_t n_out, size_t k_len) { return (n_out + 15) / 16 * czk_pack8_rows(k_len) * 64; }
size_t czk_pack8_corr_count(size_t n_out) { return (n_out + 15) / 16 * 16; }

void czk_pack8(const int8_t *w, size_t w_stride, size_t n_out, size_t k_len, int8_t *packed, int32_t *corr) {
    const size_t gstride = czk_pack8_rows(k_len) * 64;
    CZK_MEMSET(packed, 0, czk_pack8_size(n_out, k_len));
    for (size_t o = 0; o < czk_pack8_corr_count(n_out); o++) {
        int32_t sum = 0; /* |sum| <= 128 * 65536 = 2^23 */
        if (o < n_out) {
            int8_t *row = packed + (o / 16) * gstride + (o % 16) * 4;
            for (size_t k = 0; k < k_len; k++) {
                const int8_t v = w[o * w_stride + k];
                row[(k / 4) * 64 + k % 4] = v;
                sum += v;
            }
        }
        corr[o] = 128 * sum;
    }
}

static void dot8_portable(const uint8_t *x, size_t x_stride, size_t n_images,
                          const int8_t *wp, const int32_t *corr, size_t n_out,
                          size_t k_len, int32_t *out, size_t out_stride) {
    const size_t gstride = czk_pack8_rows(k_len) * 64;
    for (size_t i = 0; i < n_images; i++) {
        const uint8_t *xi = x + i * x_stride;
        for (size_t o = 0; o < n_out; o++) {
            const int8_t *row = wp + (o / 16) * gstride + (o % 16) * 4;
            int32_t acc = 0; /* |acc| <= 255 * 128 * 65536 < 2^31 */
            for (size_t k = 0; k < k_len; k++) acc += (int32_t)xi[k] * (int32_t)row[(k / 4) * 64 + k % 4];
            out[i * out_stride + o] = acc - corr[o];
        }
    }
}


/* ---- requantization (Int64 path) --------------------------------------------------- */

/* min/max as conditional moves, not branches: the clamps are data-dependent (relu,
   saturation), and clang's x86 back end turns selects in loops back into branches. */
static inline int64_t min64(int64_t a, int64_t b) {
#if defined(__x86_64__)
    __asm__("cmpq %1, %0\n\tcmovgq %1, %0" : "+r"(a) : "r"(b) : "cc");
    return a;
#else
    return b < a ? b : a;
#endif
}
static inline int64_t max64(int64_t a, int64_t b) {
#if defined(__x86_64__)
    __asm__("cmpq %1, %0\n\tcmovlq %1, %0" : "+r"(a) : "r"(b) : "cc");
    return a;
#else
    return b > a ? b : a;
#endif
}

static inline int32_t requant_one(int32_t acc, int64_t bias, int64_t m, int64_t r, int64_t s,
                                  int32_t zero, int32_t lo, int32_t hi) {
    /* Proven at load (PackedLayer): |bias + acc| * m + r fits int64, so no step overflows. */
    int64_t q = ((bias + (int64_t)acc) * m + r) >> s; /* arithmetic shift: floor */
    q = min64(max64(q, -1024), 1024);
    return (int32_t)min64(max64(zero + q, lo), hi);
}

/* Outputs o0 .. n_out - 1 of one row `a` in scalar C, stored at element `at` of dst as czk_requant
   says for `kind`; for CZK_OUT_I16 also the zeros from n_out up to dst_stride. The portable path
   (o0 = 0) and the vector paths' tails use it. */
static void requant_row_scalar(const int32_t *a, size_t o0, size_t n_out,
                               const int64_t *bias, const int64_t *mult, const int64_t *round_add, const int64_t *shift,
                               int32_t zero, int32_t lo, int32_t hi, int kind, void *dst, size_t at, size_t dst_stride,
                               int32_t add) {
    switch (kind) {
    case CZK_OUT_I32: {
        int32_t *d = (int32_t *)dst + at;
        for (size_t o = o0; o < n_out; o++) d[o] = requant_one(a[o], bias[o], mult[o], round_add[o], shift[o], zero, lo, hi);
        break;
    }
    case CZK_OUT_U8: {
        uint8_t *d = (uint8_t *)dst + at;
        for (size_t o = o0; o < n_out; o++)
            d[o] = (uint8_t)(requant_one(a[o], bias[o], mult[o], round_add[o], shift[o], zero, lo, hi) + add);
        break;
    }
    default: {
        int16_t *d = (int16_t *)dst + at;
        for (size_t o = o0; o < n_out; o++)
            d[o] = (int16_t)(requant_one(a[o], bias[o], mult[o], round_add[o], shift[o], zero, lo, hi) + add);
        for (size_t o = n_out; o < dst_stride; o++) d[o] = 0;
        break;
    }
    }
}

#ifdef CZK_X86
/* The same, 8 outputs at a time: vpmullq (AVX512DQ) and vpsravq on int64 lanes. */
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl")))
static void requant_avx512(const int32_t *acc, size_t n_images, size_t n_out,
                           const int64_t *bias, const int64_t *mult, const int64_t *round_add, const int64_t *shift,
                           int32_t zero, int32_t lo, int32_t hi, int kind, void *dst, size_t dst_stride, int32_t add) {
    const __m512i qlo = _mm512_set1_epi64(-1024), qhi = _mm512_set1_epi64(1024);
    const __m256i vz = _mm256_set1_epi32(zero), vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi),
                  vadd = _mm256_set1_epi32(add);
    for (size_t i = 0; i < n_images; i++) {
        const int32_t *a = acc + i * n_out;
        for (size_t o = 0; o < n_out; o += 8) {
            const __mmask8 m = n_out - o >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << (n_out - o)) - 1);
            __m512i v = _mm512_cvtepi32_epi64(_mm256_maskz_loadu_epi32(m, a + o));
            v = _mm512_add_epi64(v, _mm512_maskz_loadu_epi64(m, bias + o));
            v = _mm512_mullo_epi64(v, _mm512_maskz_loadu_epi64(m, mult + o));
            v = _mm512_add_epi64(v, _mm512_maskz_loadu_epi64(m, round_add + o));
            v = _mm512_srav_epi64(v, _mm512_maskz_loadu_epi64(m, shift + o));
            v = _mm512_min_epi64(_mm512_max_epi64(v, qlo), qhi);
            __m256i y = _mm256_add_epi32(_mm512_cvtepi64_epi32(v), vz);
            y = _mm256_min_epi32(_mm256_max_epi32(y, vlo), vhi);
            switch (kind) {
            case CZK_OUT_I32: _mm256_mask_storeu_epi32((int32_t *)dst + i * dst_stride + o, m, y); break;
            case CZK_OUT_U8: _mm256_mask_cvtepi32_storeu_epi8((uint8_t *)dst + i * dst_stride + o, m, _mm256_add_epi32(y, vadd)); break;
            default: _mm256_mask_cvtepi32_storeu_epi16((int16_t *)dst + i * dst_stride + o, m, _mm256_add_epi32(y, vadd)); break;
            }
        }
        if (kind == CZK_OUT_I16)
            for (size_t o = n_out; o < dst_stride; o++) ((int16_t *)dst)[i * dst_stride + o] = 0;
    }
}
#endif

#ifdef CZK_X86
/*
 * The same on AVX2, 8 outputs at a time in two ymm of 4 int64 lanes. AVX2 has no 64 x 64-bit
 * multiply and no variable arithmetic 64-bit shift, so:
 *   a * M (M = the spec's uint32 multiplier, 0 <= M < 2^32): the low 64 bits of
 *     lo32(a) * M + ((hi32(a) * M) << 32), two vpmuludq; exact because the product is proven
 *     to fit int64 (PackedLayer), so its value is its low 64 bits in two's complement;
 *   v >> s (floor, 0 <= s <= 63): ((v ^ t) >>> s) ^ t with t = (v < 0 ? -1 : 0), one vpsrlvq.
 */
#define AVX2_TARGET __attribute__((target("avx2")))
AVX2_TARGET static inline __m256i requant4_avx2(__m128i acc4, const int64_t *bias, const int64_t *mult,
                                               const int64_t *round_add, const int64_t *shift) {
    __m256i v = _mm256_add_epi64(_mm256_cvtepi32_epi64(acc4), _mm256_loadu_si256((const __m256i *)bias));
    const __m256i m = _mm256_loadu_si256((const __m256i *)mult);
    v = _mm256_add_epi64(_mm256_mul_epu32(v, m), _mm256_slli_epi64(_mm256_mul_epu32(_mm256_srli_epi64(v, 32), m), 32));
    v = _mm256_add_epi64(v, _mm256_loadu_si256((const __m256i *)round_add));
    const __m256i t = _mm256_cmpgt_epi64(_mm256_setzero_si256(), v);
    v = _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(v, t), _mm256_loadu_si256((const __m256i *)shift)), t);
    const __m256i qlo = _mm256_set1_epi64x(-1024), qhi = _mm256_set1_epi64x(1024);
    v = _mm256_blendv_epi8(v, qlo, _mm256_cmpgt_epi64(qlo, v));
    return _mm256_blendv_epi8(v, qhi, _mm256_cmpgt_epi64(v, qhi));
}

AVX2_TARGET
static void requant_avx2(const int32_t *acc, size_t n_images, size_t n_out,
                         const int64_t *bias, const int64_t *mult, const int64_t *round_add, const int64_t *shift,
                         int32_t zero, int32_t lo, int32_t hi, int kind, void *dst, size_t dst_stride, int32_t add) {
    const __m256i vz = _mm256_set1_epi32(zero), vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi),
                  vadd = _mm256_set1_epi32(add), even = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    const size_t full = n_out & ~(size_t)7;
    for (size_t i = 0; i < n_images; i++) {
        const int32_t *a = acc + i * n_out;
        for (size_t o = 0; o < full; o += 8) {
            const __m256i q0 = requant4_avx2(_mm_loadu_si128((const __m128i *)(a + o)), bias + o, mult + o, round_add + o, shift + o);
            const __m256i q1 = requant4_avx2(_mm_loadu_si128((const __m128i *)(a + o + 4)), bias + o + 4, mult + o + 4,
                                             round_add + o + 4, shift + o + 4);
            /* the low 32 bits of each int64 lane (all in [-1024, 1024]), in order */
            __m256i y = _mm256_permute2x128_si256(_mm256_permutevar8x32_epi32(q0, even),
                                                  _mm256_permutevar8x32_epi32(q1, even), 0x20);
            y = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(y, vz), vlo), vhi);
            if (kind == CZK_OUT_I32) {
                _mm256_storeu_si256((__m256i *)((int32_t *)dst + i * dst_stride + o), y);
                continue;
            }
            y = _mm256_add_epi32(y, vadd);
            const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(y), _mm256_extracti128_si256(y, 1));
            if (kind == CZK_OUT_U8) _mm_storel_epi64((__m128i *)((uint8_t *)dst + i * dst_stride + o), _mm_packus_epi16(w, w));
            else _mm_storeu_si128((__m128i *)((int16_t *)dst + i * dst_stride + o), w);
        }
        requant_row_scalar(a, full, n_out, bias, mult, round_add, shift, zero, lo, hi, kind, dst, i * dst_stride, dst_stride, add);
    }
}
#endif

void czk_requant(int isa, const int32_t *acc, size_t n_images, size_t n_out,
                 const int64_t *bias, const int64_t *mult, const int64_t *round_add, const int64_t *shift,
                 int32_t zero, int32_t lo, int32_t hi,
                 int kind, void *dst, size_t dst_stride, int32_t add) {
#ifdef CZK_X86
    if ((isa == CZK_AVX512VNNI || isa == CZK_AMX || isa == CZK_AMX_MODEL) && (x86_features() & F_AVX512DQ) && czk_isa_available(isa)) {
        requant_avx512(acc, n_images, n_out, bias, mult, round_add, shift, zero, lo, hi, kind, dst, dst_stride, add);
        return;
    }
    if ((isa == CZK_AVX2 || isa == CZK_AVXVNNI || isa == CZK_AVXVNNI_EVEX) && czk_isa_available(isa)) {
        requant_avx2(acc, n_images, n_out, bias, mult, round_add, shift, zero, lo, hi, kind, dst, dst_stride, add);
        return;
    }
#endif
    for (size_t i = 0; i < n_images; i++)
        requant_row_scalar(acc + i * n_out, 0, n_out, bias, mult, round_add, shift, zero, lo, hi, kind, dst, i * dst_stride,
                           dst_stride, add);
}

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
        return (x86_features() & F_AVX2) != 0;
    case CZK_AVX512VNNI:
    case CZK_AVXVNNI_EVEX:
        return (x86_features() & F_AVX512VNNI) != 0;
    case CZK_AVXVNNI:
        return (x86_features() & F_AVXVNNI) != 0;
    case CZK_AMX:
        return (x86_features() & F_AMX) != 0;
#ifdef CZK_AMX_MODEL_BUILD
    case CZK_AMX_MODEL:
        return (x86_features() & F_AVX512VNNI) != 0;
#endif
#endif
#ifdef CZK_HAVE_NEON
    case CZK_NEON:
        return 1;
#endif
#ifdef CZK_NEON_DOT
    case CZK_NEONDOT:
        return neon_dot_available();
#endif
    default:
        return 0;
    }
}

int czk_isa_is_8bit(int isa) {
    return isa == CZK_AVX512VNNI || isa == CZK_AVXVNNI || isa == CZK_AMX || isa == CZK_NEONDOT || isa == CZK_AVXVNNI_EVEX
        || isa == CZK_AMX_MODEL;
}

/* The fastest kernel here but AMX, which must first pass its self-check. */
static int best_without_amx(void) {
    static const int order[] = {CZK_AVX512VNNI, CZK_AVXVNNI, CZK_AVX2, CZK_NEONDOT, CZK_NEON, CZK_SSE2};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (czk_isa_available(order[i])) return order[i];
    return CZK_PORTABLE;
}

#ifdef CZK_AMX_MODEL_BUILD
enum { CHECK_X = 33 * 131, CHECK_W = 70 * 100, CHECK_PACKED = 5 * 32 * 64, CHECK_CORR = 80, CHECK_OUT = 19 * 70 };

static __thread sigjmp_buf *check_trap; /* set while this thread runs a kernel under the self-check */
/* One self-check at a time: the signal actions it replaces are the process's. */
static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
static const int check_sigs[3] = {SIGILL, SIGSEGV, SIGBUS};
static struct sigaction check_old[3];

static void check_signal(int sig, siginfo_t *info, void *context) {
    if (check_trap) siglongjmp(*check_trap, sig);
    /* Another thread's fault: what the action the check replaced would have done. */
    for (int j = 0; j < 3; j++) {
        if (check_sigs[j] != sig) continue;
        const struct sigaction *o = &check_old[j];
        if (o->sa_flags & SA_SIGINFO) {
            o->sa_sigaction(sig, info, context);
        } else if (o->sa_handler != SIG_DFL && o->sa_handler != SIG_IGN) {
            o->sa_handler(sig);
        } else {
            sigaction(sig, o, NULL);
            raise(sig); /* delivered with the old action once this handler returns */
        }
    }
}

#ifdef CZK_AMX_KERNEL
AMX_TARGET static void amx_release_tiles(void) { _tile_release(); }
#endif

/*
 * One problem of the self-check: n images of k inputs (rows xs apart, the padding between rows
 * 0xA5 so a read past a row's end changes a sum) against outs outputs; u = 255 and 0, w = -128
 * and 127 on diagonals (so 255 x -128 occurs), image 1 all 255 against output 0 all -128 (the
 * largest sum), the rest from a fixed LCG. Every output starts as 0x5A5A5A5A.
 */
static int check_problem(int isa, size_t n, size_t k, size_t outs, size_t xs, char *reason, size_t len) {
    static const uint32_t poison = 0x5A5A5A5Au;
    uint8_t x[CHECK_X];
    int8_t w[CHECK_W], packed[CHECK_PACKED];
    int32_t corr[CHECK_CORR], got[CHECK_OUT], want[CHECK_OUT];
    if (n * xs > CHECK_X || outs * k > CHECK_W || czk_pack8_size(outs, k) > CHECK_PACKED || n * outs > CHECK_OUT) abort();
    uint32_t lcg = 0x19u;
#define CHECK_NEXT() (lcg = lcg * 1664525u + 1013904223u, (uint8_t)(lcg >> 24))
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < xs; j++) {
            uint8_t v = CHECK_NEXT();
            if (j >= k) v = 0xA5;
            else if (i == 1 || (i + j) % 5 == 0) v = 255;
            else if ((i + j) % 5 == 1) v = 0;
            x[i * xs + j] = v;
        }
    for (size_t o = 0; o < outs; o++)
        for (size_t j = 0; j < k; j++) {
            int8_t v = (int8_t)CHECK_NEXT();
            if (o == 0 || (o + j) % 3 == 0) v = -128;
            else if ((o + j) % 3 == 1) v = 127;
            w[o * k + j] = v;
        }
#undef CHECK_NEXT
    czk_pack8(w, k, outs, k, packed, corr);
    for (size_t j = 0; j < n * outs; j++) CZK_MEMCPY(&got[j], &poison, 4), CZK_MEMCPY(&want[j], &poison, 4);
    dot8_portable(x, xs, n, packed, corr, outs, k, want, outs);
    czk_dot8(isa, x, xs, n, packed, corr, outs, k, got, outs);
    for (size_t j = 0; j < n * outs; j++)
        if (got[j] != want[j]) {
            snprintf(reason, len, "image %zu output %zu of %zu x %zu inputs x %zu outputs: %d, the portable kernel %d",
                     j / outs, j % outs, n, k, outs, got[j], want[j]);
            return 0;
        }
    return 1;
}

int czk_self_check(int isa, char *reason, size_t reason_len) {
    char none[1];
    if (!reason || !reason_len) reason = none, reason_len = sizeof none;
    reason[0] = 0;
    if (!czk_isa_available(isa) || !czk_isa_is_8bit(isa)) {
        snprintf(reason, reason_len, "kernel %d is not an 8-bit kernel available here", isa);
        return 0;
    }
    pthread_mutex_lock(&check_lock);
    struct sigaction sa;
    CZK_MEMSET(&sa, 0, sizeof sa);
    sa.sa_sigaction = check_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    for (int j = 0; j < 3; j++) sigaction(check_sigs[j], &sa, &check_old[j]);
    sigjmp_buf strap;
    jmp_buf mtrap;
    volatile int ok = 0;
    const int sig = sigsetjmp(strap, 1);
    if (sig == 0) {
        check_trap = &strap;
        if (setjmp(mtrap) == 0) {
            amx_model.trap = &mtrap; /* the model's refusals, when isa is CZK_AMX_MODEL */
            ok = check_problem(isa, 19, 100, 70, 103, reason, reason_len)
                && check_problem(isa, 33, 130, 17, 131, reason, reason_len);
        } else {
            snprintf(reason, reason_len, "the tile unit refused an instruction: %s", amx_model.message);
            amx_model_clear();
        }
    } else {
        snprintf(reason, reason_len, "signal %d (%s) in the kernel", sig,
                 sig == SIGILL ? "SIGILL: #UD" : sig == SIGSEGV ? "SIGSEGV: #GP or a bad address" : "SIGBUS");
#ifdef CZK_AMX_KERNEL
        if (isa == CZK_AMX) amx_release_tiles();
#endif
        amx_model_clear();
    }
    check_trap = NULL;
    amx_model.trap = NULL;
    for (int j = 0; j < 3; j++) sigaction(check_sigs[j], &check_old[j], NULL);
    pthread_mutex_unlock(&check_lock);
    return ok;
}

/* AMX (`amx_isa`) if it is available and passes the self-check, else the best of the rest. */
static int choose_isa(int amx_isa, int *status, char *reason, size_t reason_len) {
    *status = CZK_AMX_CHECK_NOT_RUN;
    if (reason_len) reason[0] = 0;
    if (czk_isa_available(amx_isa)) {
        if (czk_self_check(amx_isa, reason, reason_len)) {
            *status = CZK_AMX_CHECK_PASSED;
            return amx_isa;
        }
        *status = CZK_AMX_CHECK_FAILED;
    }
    return best_without_amx();
}

static pthread_once_t best_once = PTHREAD_ONCE_INIT;
static int best_isa, amx_status;
static char amx_reason[240];

static void choose_best(void) { best_isa = choose_isa(CZK_AMX, &amx_status, amx_reason, sizeof amx_reason); }

int czk_best_isa(void) {
    pthread_once(&best_once, choose_best);
    return best_isa;
}

int czk_amx_check_status(void) {
    pthread_once(&best_once, choose_best);
    return amx_status;
}

const char *czk_amx_check_reason(void) {
    pthread_once(&best_once, choose_best);
    return amx_status == CZK_AMX_CHECK_FAILED ? amx_reason : "";
}

int czk_amx_model_choose(int fault, int *status, char *reason, size_t reason_len) {
    amx_model.fault = fault;
    const int isa = choose_isa(CZK_AMX_MODEL, status, reason, reason_len);
    amx_model.fault = CZK_AMX_FAULT_NONE;
    return isa;
}
#else
int czk_best_isa(void) { return best_without_amx(); }
int czk_amx_check_status(void) { return CZK_AMX_CHECK_NOT_RUN; }
const char *czk_amx_check_reason(void) { return ""; }
int czk_self_check(int isa, char *reason, size_t reason_len) {
    (void)isa;
    if (reason && reason_len) reason[0] = 0;
    return 0;
}
int czk_amx_model_choose(int fault, int *status, char *reason, size_t reason_len) {
    (void)fault;
    *status = CZK_AMX_CHECK_NOT_RUN;
    if (reason && reason_len) reason[0] = 0;
    return -1;
}
int czk_amx_model_run(const struct czk_amx_op *ops, size_t n_ops, const uint8_t *in, size_t in_len,
                      uint8_t *out, size_t out_len, char *message, size_t message_len) {
    (void)ops, (void)n_ops, (void)in, (void)in_len, (void)out, (void)out_len;
    if (message && message_len) message[0] = 0;
    return -1;
}
uint64_t czk_amx_model_dpbusd_count(int all_threads) {
    (void)all_threads;
    return 0;
}
#endif

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

void czk_dot8(int isa,
              const uint8_t *x, size_t x_stride, size_t n_images,
              const int8_t *packed, const int32_t *corr, size_t n_out,
              size_t k_len,
              int32_t *out, size_t out_stride) {
    if (!czk_isa_available(isa)) isa = CZK_PORTABLE;
    switch (isa) {
#ifdef CZK_X86
    case CZK_AVX512VNNI:
        dot8_avx512(x, x_stride, n_images, packed, corr, n_out, k_len, out, out_stride);
        return;
    case CZK_AVXVNNI:
        dot8_avxvnni(x, x_stride, n_images, packed, corr, n_out, k_len, out, out_stride);
        return;
    case CZK_AVXVNNI_EVEX:
        dot8_avxvnni_evex(x, x_stride, n_images, packed, corr, n_out, k_len, out, out_stride);
        return;
#ifdef CZK_AMX_KERNEL
    case CZK_AMX:
        dot8_amx(x, x_stride, n_images, packed, corr, n_out, k_len, out, out_stride);
        return;
#endif
#ifdef CZK_AMX_MODEL_BUILD
    case CZK_AMX_MODEL:
        dot8_amx_model(x, x_stride, n_images, packed, corr, n_out, k_len, out, out_stride);
        return;
#endif
#endif
#ifdef CZK_NEON_DOT
    case CZK_NEONDOT:
        dot8_neondot(x, x_stride, n_images, packed, corr, n_out, k_len, out, out_stride);
        return;
#endif
    default:
        dot8_portable(x, x_stride, n_images, packed, corr, n_out, k_len, out, out_stride);
        return;
    }
}
