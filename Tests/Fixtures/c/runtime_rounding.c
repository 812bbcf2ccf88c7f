/* The requantizations of the runtimes format 2's `gemmlowp` and `float32` modes come
 * from, written from their documented definitions (not copied from those projects):
 *
 *   g ACC MULT SHIFT   TFLite / TFLite Micro's MultiplyByQuantizedMultiplier on int32:
 *                      RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(ACC * 2^left, MULT), right)
 *                      with left = max(SHIFT, 0), right = max(-SHIFT, 0), MULT in [2^30, 2^31)
 *   f ACC M S          onnxruntime / XNNPACK: nearbyintf((float)ACC * scale), scale = M * 2^-S
 *                      a float32 (M its 24-bit significand)
 *
 * Reads one case per line on stdin and prints one integer result per line.
 * Built by Tests/ZynqNetSimTests/Fixtures/cTests.swift with the system cc. */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "float expressions must be evaluated in float (FLT_EVAL_METHOD 0)"
#endif

/* gemmlowp's fixedpoint: the high 32 bits of 2*a*b, rounded to nearest (a nudge of 2^30
 * for a non-negative product, 1 - 2^30 for a negative one, then division truncating toward
 * zero); the one overflowing case a = b = INT32_MIN saturates to INT32_MAX. */
static int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? (INT64_C(1) << 30) : (INT64_C(1) - (INT64_C(1) << 30));
    return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero (0 <= exponent <= 31). */
static int32_t rounding_divide_by_pot(int32_t x, int exponent) {
    int32_t mask = (int32_t)((INT64_C(1) << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int main(void) {
    char mode;
    long long acc, m, s;
    while (scanf(" %c %lld %lld %lld", &mode, &acc, &m, &s) == 4) {
        if (mode == 'g') {
            int left = s > 0 ? (int)s : 0, right = s > 0 ? 0 : (int)-s;
            int32_t x = (int32_t)acc * (int32_t)(INT64_C(1) << left); /* the caller keeps this in int32 */
            printf("%" PRId32 "\n", rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x, (int32_t)m), right));
        } else if (mode == 'f') {
            float scale = ldexpf((float)m, -(int)s);
            float q = nearbyintf((float)(int32_t)acc * scale);
            printf("%lld\n", (long long)q);
        } else {
            return 2;
        }
    }
    return 0;
}
