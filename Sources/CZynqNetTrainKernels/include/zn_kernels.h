// Dense float kernels for ZynqNetTrain: small, portable C (C11) compiled with -O3.
//
// Every kernel computes each output element with a fixed order of operations that does
// not depend on how a caller splits the rows between threads, so training is bit-for-bit
// deterministic for a fixed seed whatever the thread count (on one machine: the x86-64
// AVX2+FMA path fuses multiply-adds, the portable path does not).
#ifndef ZN_KERNELS_H
#define ZN_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// C[i, 0..<n] (+)= sum_{p=0}^{k-1} A[i, p] * B[p, 0..<n] for rows i in [row0, row1).
/// Row-major, leading dimensions lda/ldb/ldc. accumulate = 0 overwrites C, 1 adds to it.
/// Each C element is summed over p in increasing order (then added to the old C value).
void zn_gemm_rows(int32_t row0, int32_t row1, int32_t n, int32_t k,
                  const float *a, int32_t lda, const float *b, int32_t ldb,
                  float *c, int32_t ldc, int32_t accumulate);

/// Name of the GEMM code path chosen at run time ("avx2-fma" or "portable").
const char *zn_gemm_path(void);

/// dst[j, i] = src[i, j] for a rows x cols row-major src.
void zn_transpose(const float *src, int32_t rows, int32_t cols, float *dst);

/// Z[i, j] += bias[j]; then, if relu, Z[i, j] = max(Z[i, j], 0). Z is rows x n, ld = n.
void zn_bias_relu(float *z, int32_t rows, int32_t n, const float *bias, int32_t relu);

/// Fake quantization of activations (with the zero point and clamp of a format-1 layer):
/// y = scale * (clamp(rint(x / scale) + zero, lo, hi) - zero), rint = round half to even.
/// mask[i] = 1 where lo <= rint(x/scale)+zero <= hi (the straight-through estimator's
/// pass region, clipped STE), else 0. Works in place (y may equal x). mask may be NULL.
void zn_fake_quant_act(const float *x, float *y, uint8_t *mask, int64_t count,
                       float scale, int32_t zero, int32_t lo, int32_t hi);

/// Fake quantization of a weight matrix stored transposed, wt[in][out] (column = output
/// channel): y[p][o] = s[o] * clamp(rint(wt[p][o] / s[o]), -127, 127). s[o] > 0.
void zn_fake_quant_weight_t(const float *wt, float *y, int32_t in, int32_t out, const float *scales);

/// max over rows of |wt[p][o]| per column o (out values).
void zn_absmax_cols(const float *wt, int32_t in, int32_t out, float *result);

/// Softmax cross-entropy on logits (rows x n). For each row: loss[i] = -log softmax(z)[y],
/// dz = (softmax(z) - onehot(y)) * grad_scale (dz may be NULL), pred[i] = argmax (lowest
/// index on a tie). Returns nothing; the caller sums loss in order.
void zn_softmax_xent(const float *z, int32_t rows, int32_t n, const int32_t *labels,
                     float grad_scale, float *dz, float *loss, int32_t *pred);

/// argmax per row (lowest index on a tie).
void zn_argmax_rows(const float *z, int32_t rows, int32_t n, int32_t *pred);

/// out[j] = sum_{i=0}^{rows-1} d[i, j] in increasing i.
void zn_col_sum(const float *d, int32_t rows, int32_t n, float *out);

/// dA[i] = mask-by-activation: dA[i] = (a[i] > 0) ? dA[i] : 0.
void zn_relu_backward(float *da, const float *a, int64_t count);

/// dA[i] = mask[i] ? dA[i] : 0.
void zn_mask_backward(float *da, const uint8_t *mask, int64_t count);

/// Per-column min and max over rows (for calibration); updates lo/hi in place.
void zn_minmax_cols(const float *z, int32_t rows, int32_t n, float *lo, float *hi);

/// Adam (decoupled weight decay, AdamW): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
/// w -= lr * (m / bc1) / (sqrt(v / bc2) + eps) + lr * wd * w.
void zn_adam(float *w, const float *g, float *m, float *v, int64_t count,
             float lr, float b1, float b2, float eps, float bc1, float bc2, float wd);

/// SGD with momentum (and L2 weight decay): v = mu v + g + wd w; w -= lr v.
void zn_sgd(float *w, const float *g, float *vel, int64_t count, float lr, float mu, float wd);

/// dst[r][j] = src[idx[r]][j] * scale for uint8 rows of `cols` elements.
void zn_gather_u8(const uint8_t *src, int32_t cols, const int32_t *idx, int32_t rows,
                  float scale, float *dst);

/// dst[r][j] = src[idx[r]][j] for float rows of `cols` elements.
void zn_gather_f32(const float *src, int32_t cols, const int32_t *idx, int32_t rows, float *dst);

#ifdef __cplusplus
}
#endif
#endif
