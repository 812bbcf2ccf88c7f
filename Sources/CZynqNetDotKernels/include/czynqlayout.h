#ifndef CZYNQLAYOUT_H
#define CZYNQLAYOUT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The simulator's data movement around the GEMM kernels for conv2d and maxpool2d layers,
 * on tensors of shape (h, w, c), images `in_stride` elements apart. Both work on either
 * activation encoding (the int16 x~ or the 8-bit u = x~ + 128): each is the code minus a
 * constant, so copies and the maximum commute with it.
 */
struct czk_window {
    size_t h, w, c;     /* input tensor */
    size_t ho, wo;      /* output positions */
    size_t kh, kw;      /* window */
    size_t sh, sw;      /* stride */
    size_t top, left;   /* padding before the first row / column */
};

/*
 * im2col: for each image i < n and output position (y, v), one row of `row_stride` elements
 * at dst[(i * ho * wo + y * wo + v) * row_stride]: the kh x kw x c patch in (a, b, channel)
 * order (the OHWI weight row's order), `pad` where the patch lies in the padding, and 0 from
 * kh * kw * c up to row_stride. Reads only x[i * in_stride + 0 .. h * w * c - 1].
 */
void czk_im2col_u8(const uint8_t *x, uint8_t *dst, size_t n, size_t in_stride, size_t row_stride,
                   const struct czk_window *g, uint8_t pad);
void czk_im2col_i16(const int16_t *x, int16_t *dst, size_t n, size_t in_stride, size_t row_stride,
                    const struct czk_window *g, int16_t pad);

/*
 * maxpool2d: dst[i * out_stride + (y * wo + v) * c + ch] = max over a < kh, b < kw of
 * x[i * in_stride + ((y * sh + a) * w + v * sw + b) * c + ch] (no padding: every window lies
 * inside the input). Writes only the ho * wo * c outputs of each image.
 */
void czk_maxpool_u8(const uint8_t *x, uint8_t *dst, size_t n, size_t in_stride, size_t out_stride,
                    const struct czk_window *g);
void czk_maxpool_i16(const int16_t *x, int16_t *dst, size_t n, size_t in_stride, size_t out_stride,
                     const struct czk_window *g);

#ifdef __cplusplus
}
#endif

#endif
