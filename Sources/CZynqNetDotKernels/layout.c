/*
 * im2col and maxpool2d for the simulator (see czynqlayout.h). Written in C because the
 * runs they copy are short (a 3x3 window over one channel is three runs of three bytes):
 * a call to memmove per run, which is what the Swift loops compiled to, cost more than the
 * GEMM itself. Runs up to 32 bytes are copied with fixed-size moves that the compiler
 * inlines; longer ones with memcpy.
 */
#include "czynqlayout.h"

#define ZL_MEMCPY __builtin_memcpy

/* Copies `bytes` bytes with at most two (overlapping) fixed-size moves per size class. */
__attribute__((always_inline)) static inline void copy_short(void *dst, const void *src, size_t bytes) {
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    if (bytes >= 16) {
        if (bytes > 32) {
            ZL_MEMCPY(d, s, bytes);
            return;
        }
        ZL_MEMCPY(d, s, 16);
        ZL_MEMCPY(d + bytes - 16, s + bytes - 16, 16);
    } else if (bytes >= 8) {
        ZL_MEMCPY(d, s, 8);
        ZL_MEMCPY(d + bytes - 8, s + bytes - 8, 8);
    } else if (bytes >= 4) {
        ZL_MEMCPY(d, s, 4);
        ZL_MEMCPY(d + bytes - 4, s + bytes - 4, 4);
    } else if (bytes >= 2) {
        ZL_MEMCPY(d, s, 2);
        ZL_MEMCPY(d + bytes - 2, s + bytes - 2, 2);
    } else if (bytes == 1) {
        d[0] = s[0];
    }
}

/*
 * One im2col pass with the window's run (kw * c elements, contiguous in the input when the
 * window's columns lie inside it) of RUN_BYTES bytes: always inlined, and called with a
 * constant for the common sizes, so a short run becomes one or two moves. The loops go by
 * output row, window row a (one input row, or padding), then output column, so the inner
 * loop is only the copies of one input row's runs into successive patch rows.
 */
#define ZL_IM2COL(NAME, T)                                                                            \
    __attribute__((always_inline)) static inline void NAME##_body(                                    \
        const T *x, T *dst, size_t n, size_t in_stride, size_t row_stride,                            \
        const struct czk_window *g, T pad, const size_t run_bytes) {                                  \
        const ptrdiff_t H = (ptrdiff_t)g->h, W = (ptrdiff_t)g->w, C = (ptrdiff_t)g->c;                \
        const ptrdiff_t kh = (ptrdiff_t)g->kh, kw = (ptrdiff_t)g->kw;                                 \
        const ptrdiff_t sh = (ptrdiff_t)g->sh, sw = (ptrdiff_t)g->sw;                                 \
        const ptrdiff_t top = (ptrdiff_t)g->top, left = (ptrdiff_t)g->left;                           \
        const ptrdiff_t ho = (ptrdiff_t)g->ho, wo = (ptrdiff_t)g->wo;                                 \
        const size_t run = (size_t)(kw * C), row_len = (size_t)kh * run;                              \
        /* output columns [v_lo, v_hi) have every window column inside the input */                   \
        ptrdiff_t v_lo = (left + sw - 1) / sw, v_hi = W - kw + left >= 0 ? (W - kw + left) / sw + 1 : 0; \
        if (v_hi > wo) v_hi = wo;                                                                     \
        if (v_lo > v_hi) v_lo = v_hi;                                                                 \
        for (size_t i = 0; i < n; i++) {                                                              \
            const T *image = x + i * in_stride;                                                       \
            T *out_image = dst + i * (size_t)(ho * wo) * row_stride;                                  \
            for (ptrdiff_t yy = 0; yy < ho; yy++) {                                                   \
                T *out_row = out_image + (size_t)(yy * wo) * row_stride;                              \
                for (ptrdiff_t a = 0; a < kh; a++) {                                                  \
                    const ptrdiff_t r = yy * sh + a - top;                                            \
                    T *d = out_row + (size_t)a * run;                                                 \
                    if (r < 0 || r >= H) {                                                            \
                        for (ptrdiff_t v = 0; v < wo; v++, d += row_stride)                           \
                            for (size_t t = 0; t < run; t++) d[t] = pad;                              \
                        continue;                                                                     \
                    }                                                                                 \
                    const T *src = image + r * W * C;                                                 \
                    for (ptrdiff_t v = 0; v < wo; v++, d += row_stride) {                             \
                        const ptrdiff_t c0 = v * sw - left;                                           \
                        if (v >= v_lo && v < v_hi) {                                                  \
                            /* the inside columns: nothing but copies */                              \
                            const T *s = src + c0 * C;                                                \
                            for (; v < v_hi; v++, d += row_stride, s += sw * C) copy_short(d, s, run_bytes); \
                            v--, d -= row_stride;                                                     \
                            continue;                                                                 \
                        }                                                                             \
                        for (ptrdiff_t b = 0; b < kw; b++) {                                          \
                            const ptrdiff_t col = c0 + b;                                             \
                            T *db = d + b * C;                                                        \
                            if (col >= 0 && col < W)                                                  \
                                copy_short(db, src + col * C, (size_t)C * sizeof(T));                 \
                            else                                                                      \
                                for (ptrdiff_t ch = 0; ch < C; ch++) db[ch] = pad;                    \
                        }                                                                             \
                    }                                                                                 \
                }                                                                                     \
                if (row_stride > row_len) {                                                           \
                    T *d = out_row;                                                                   \
                    for (ptrdiff_t v = 0; v < wo; v++, d += row_stride)                               \
                        for (size_t t = row_len; t < row_stride; t++) d[t] = 0;                       \
                }                                                                                     \
            }                                                                                         \
        }                                                                                             \
    }                                                                                                 \
    void NAME(const T *x, T *dst, size_t n, size_t in_stride, size_t row_stride,                      \
              const struct czk_window *g, T pad) {                                                    \
        const size_t b = g->kw * g->c * sizeof(T);                                                    \
        switch (b) {                                                                                  \
        case 1: NAME##_body(x, dst, n, in_stride, row_stride, g, pad, 1); break;                      \
        case 2: NAME##_body(x, dst, n, in_stride, row_stride, g, pad, 2); break;                      \
        case 3: NAME##_body(x, dst, n, in_stride, row_stride, g, pad, 3); break;                      \
        case 4: NAME##_body(x, dst, n, in_stride, row_stride, g, pad, 4); break;                      \
        case 6: NAME##_body(x, dst, n, in_stride, row_stride, g, pad, 6); break;                      \
        case 8: NAME##_body(x, dst, n, in_stride, row_stride, g, pad, 8); break;                      \
        case 12: NAME##_body(x, dst, n, in_stride, row_stride, g, pad, 12); break;                    \
        case 16: NAME##_body(x, dst, n, in_stride, row_stride, g, pad, 16); break;                    \
        case 24: NAME##_body(x, dst, n, in_stride, row_stride, g, pad, 24); break;                    \
        case 32: NAME##_body(x, dst, n, in_stride, row_stride, g, pad, 32); break;                    \
        case 48: NAME##_body(x, dst, n, in_stride, row_stride, g, pad, 48); break;                    \
        default: NAME##_body(x, dst, n, in_stride, row_stride, g, pad, b); break;                     \
        }                                                                                             \
    }

ZL_IM2COL(czk_im2col_u8, uint8_t)
ZL_IM2COL(czk_im2col_i16, int16_t)

/*
 * maxpool2d. Windows that tile the input (stride = window, the usual 2 x 2 / 2) first take the
 * maximum of the kh input rows over the whole row (one long loop the compiler vectorizes), then
 * of the kw columns of each window; other windows go position by position.
 */
#define ZL_MAXPOOL(NAME, T)                                                                           \
    void NAME(const T *x, T *dst, size_t n, size_t in_stride, size_t out_stride,                      \
              const struct czk_window *g) {                                                           \
        const size_t W = g->w, C = g->c, kh = g->kh, kw = g->kw, sh = g->sh, sw = g->sw;              \
        const size_t ho = g->ho, wo = g->wo, span = wo * kw * C;                                      \
        const int tiled = sh == kh && sw == kw && span <= 4096;                                       \
        T rowmax[4096];                                                                               \
        for (size_t i = 0; i < n; i++) {                                                              \
            const T *image = x + i * in_stride;                                                       \
            T *o = dst + i * out_stride;                                                              \
            for (size_t y = 0; y < ho; y++) {                                                         \
                if (tiled) {                                                                          \
                    const T *r0 = image + (y * sh) * W * C;                                           \
                    for (size_t t = 0; t < span; t++) rowmax[t] = r0[t];                              \
                    for (size_t a = 1; a < kh; a++) {                                                 \
                        const T *ra = r0 + a * W * C;                                                 \
                        for (size_t t = 0; t < span; t++) rowmax[t] = ra[t] > rowmax[t] ? ra[t] : rowmax[t]; \
                    }                                                                                 \
                    for (size_t v = 0; v < wo; v++, o += C) {                                         \
                        const T *p = rowmax + v * kw * C;                                             \
                        for (size_t ch = 0; ch < C; ch++) o[ch] = p[ch];                              \
                        for (size_t b = 1; b < kw; b++)                                               \
                            for (size_t ch = 0; ch < C; ch++) o[ch] = p[b * C + ch] > o[ch] ? p[b * C + ch] : o[ch]; \
                    }                                                                                 \
                    continue;                                                                         \
                }                                                                                     \
                for (size_t v = 0; v < wo; v++, o += C) {                                             \
                    const T *corner = image + ((y * sh) * W + v * sw) * C;                            \
                    for (size_t ch = 0; ch < C; ch++) o[ch] = corner[ch];                             \
                    for (size_t a = 0; a < kh; a++)                                                   \
                        for (size_t b = 0; b < kw; b++) {                                             \
                            const T *s = corner + (a * W + b) * C;                                    \
                            for (size_t ch = 0; ch < C; ch++) o[ch] = s[ch] > o[ch] ? s[ch] : o[ch];  \
                        }                                                                             \
                }                                                                                     \
            }                                                                                         \
        }                                                                                             \
    }

ZL_MAXPOOL(czk_maxpool_u8, uint8_t)
ZL_MAXPOOL(czk_maxpool_i16, int16_t)
