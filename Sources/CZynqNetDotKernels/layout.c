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
static inline void copy_short(void *dst, const void *src, size_t bytes) {
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
    } else {
        for (size_t t = 0; t < bytes; t++) d[t] = s[t];
    }
}

#define ZL_IM2COL(NAME, T)                                                                            \
    void NAME(const T *x, T *dst, size_t n, size_t in_stride, size_t row_stride,                      \
              const struct czk_window *g, T pad) {                                                    \
        const ptrdiff_t H = (ptrdiff_t)g->h, W = (ptrdiff_t)g->w, C = (ptrdiff_t)g->c;                \
        const ptrdiff_t kh = (ptrdiff_t)g->kh, kw = (ptrdiff_t)g->kw;                                 \
        const ptrdiff_t sh = (ptrdiff_t)g->sh, sw = (ptrdiff_t)g->sw;                                 \
        const ptrdiff_t top = (ptrdiff_t)g->top, left = (ptrdiff_t)g->left;                           \
        const size_t run = (size_t)(kw * C), row_len = (size_t)kh * run;                              \
        T *row = dst;                                                                                 \
        for (size_t i = 0; i < n; i++) {                                                              \
            const T *image = x + i * in_stride;                                                       \
            for (ptrdiff_t yy = 0; yy < (ptrdiff_t)g->ho; yy++) {                                     \
                for (ptrdiff_t v = 0; v < (ptrdiff_t)g->wo; v++) {                                    \
                    T *d = row;                                                                       \
                    const ptrdiff_t c0 = v * sw - left;                                               \
                    const int inside = c0 >= 0 && c0 + kw <= W;                                       \
                    for (ptrdiff_t a = 0; a < kh; a++, d += run) {                                    \
                        const ptrdiff_t r = yy * sh + a - top;                                        \
                        if (r >= 0 && r < H && inside) {                                              \
                            copy_short(d, image + (r * W + c0) * C, run * sizeof(T));                 \
                            continue;                                                                 \
                        }                                                                             \
                        for (ptrdiff_t b = 0; b < kw; b++) {                                          \
                            const ptrdiff_t col = c0 + b;                                             \
                            T *db = d + b * C;                                                        \
                            if (r >= 0 && r < H && col >= 0 && col < W)                               \
                                copy_short(db, image + (r * W + col) * C, (size_t)C * sizeof(T));     \
                            else                                                                      \
                                for (ptrdiff_t ch = 0; ch < C; ch++) db[ch] = pad;                    \
                        }                                                                             \
                    }                                                                                 \
                    for (size_t t = row_len; t < row_stride; t++) row[t] = 0;                         \
                    row += row_stride;                                                                \
                }                                                                                     \
            }                                                                                         \
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
