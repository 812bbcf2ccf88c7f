#ifndef CZYNQKERNELS_H
#define CZYNQKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Instruction sets a dot-product kernel can use. */
enum {
    CZK_PORTABLE = 0, /* plain C, any machine */
    CZK_SSE2 = 1,     /* x86: _mm_madd_epi16 */
    CZK_AVX2 = 2,     /* x86: _mm256_madd_epi16 (chosen at run time when the CPU has it) */
    CZK_NEON = 3,     /* ARM: vmlal_s16 (when the compiler targets NEON) */
};

/* 1 if this build and this CPU can run kernels of `isa`, else 0. */
int czk_isa_available(int isa);

/* The fastest instruction set available here. */
int czk_best_isa(void);

/*
 * Blocked int16 dot products:
 *   out[i * out_stride + o] = sum_{k < k_len} x[i * x_stride + k] * w[o * w_stride + k]
 * for i < n_images, o < n_out, with int32 accumulation.
 *
 * Requirements (the caller proves them): k_len is a multiple of 16; every x and w value is
 * in [-128, 127] (int8 widened to int16), and k_len <= 65536, so every partial sum is at most
 * 65536 * 2^14 = 2^30 in magnitude and no int32 step can overflow. Pointers need no alignment.
 * An unavailable `isa` falls back to CZK_PORTABLE.
 */
void czk_dot_block(int isa,
                   const int16_t *x, size_t x_stride, size_t n_images,
                   const int16_t *w, size_t w_stride, size_t n_out,
                   size_t k_len,
                   int32_t *out, size_t out_stride);

#ifdef __cplusplus
}
#endif

#endif
