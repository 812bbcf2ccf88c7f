/*
 * Runs the NEON dot-product kernel against the portable one on an ARM target under
 * qemu-user, without any C library (freestanding; the exit code is the result):
 * 0 = every case equal, k = case k-1 differed, 255 = NEON unavailable.
 * Built and run by Tests/ZynqNetSimTests/CrossArchTests.swift for aarch64 and armv7.
 */
#include "czynqkernels.h"

void *memset(void *d, int c, size_t n) {
    unsigned char *p = d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}
void *memcpy(void *d, const void *s, size_t n) {
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--) *p++ = *q++;
    return d;
}

static uint32_t seed = 12345u;
static int16_t next_value(void) {
    seed = seed * 1103515245u + 12345u;
    uint32_t r = (seed >> 16) & 0xffu;
    if ((seed >> 8) % 7u == 0u) return (seed & 1u) ? -128 : 127; /* extremes often */
    return (int16_t)((int32_t)r - 128);
}

#define MAXN 9
#define MAXO 8
#define MAXK 128
static int16_t X[MAXN * (MAXK + 16)], W[MAXO * (MAXK + 16)];
static int32_t A[MAXN * MAXO], B[MAXN * MAXO];

static int check(void) {
    if (!czk_isa_available(CZK_NEON)) return 255;
    for (int t = 0; t < 200; t++) {
        size_t n = 1 + t % MAXN, outs = 1 + (t / MAXN) % MAXO, k = 16 * (size_t)(1 + t % (MAXK / 16));
        size_t xs = k + 16 * (size_t)(t & 1), ws = k + 16 * (size_t)((t >> 1) & 1);
        for (size_t i = 0; i < n * xs; i++) X[i] = next_value();
        for (size_t i = 0; i < outs * ws; i++) W[i] = next_value();
        czk_dot_block(CZK_NEON, X, xs, n, W, ws, outs, k, A, outs);
        czk_dot_block(CZK_PORTABLE, X, xs, n, W, ws, outs, k, B, outs);
        for (size_t i = 0; i < n * outs; i++)
            if (A[i] != B[i]) return 1 + t;
    }
    /* The longest block: 65536 products of -128 * -128 sum to 2^30 exactly. */
    static int16_t big[65536];
    for (size_t i = 0; i < 65536; i++) big[i] = -128;
    czk_dot_block(CZK_NEON, big, 0, 1, big, 0, 1, 65536, A, 1);
    return A[0] == (1 << 30) ? 0 : 254;
}

static void sys_exit(int code) {
#if defined(__aarch64__)
    register long x0 __asm__("x0") = code;
    register long x8 __asm__("x8") = 93; /* exit */
    __asm__ volatile("svc 0" : : "r"(x0), "r"(x8));
#elif defined(__arm__)
    register long r0 __asm__("r0") = code;
    register long r7 __asm__("r7") = 1; /* exit */
    __asm__ volatile("svc 0" : : "r"(r0), "r"(r7));
#endif
    for (;;) {}
}

void _start(void) { sys_exit(check()); }
