/*
 * Runs the NEON dot-product kernels against the portable ones on an ARM target under
 * qemu-user, without any C library (freestanding; the exit code is the result):
 * 0 = every case equal, k = case k-1 differed (int16 NEON), 250 + j = the sdot kernel
 * differed on an 8-bit case (j = 0: random cases, 1: the longest block), 254 = the int16
 * long block, 255 = NEON unavailable. It prints which kernels it ran, e.g.
 * "neon: 200 cases equal" and "neondot: 200 cases equal" or "neondot: unavailable".
 * Built and run by Tests/ZynqNetSimTests/CrossArchTests.swift for aarch64 (with and without
 * FEAT_DotProd: qemu -cpu max / cortex-a53) and armv7.
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

static long sys_write(const char *s, size_t n) {
#if defined(__aarch64__)
    register long x0 __asm__("x0") = 1;
    register const char *x1 __asm__("x1") = s;
    register size_t x2 __asm__("x2") = n;
    register long x8 __asm__("x8") = 64; /* write */
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x8) : "memory");
    return x0;
#elif defined(__arm__)
    register long r0 __asm__("r0") = 1;
    register const char *r1 __asm__("r1") = s;
    register size_t r2 __asm__("r2") = n;
    register long r7 __asm__("r7") = 4; /* write */
    __asm__ volatile("svc 0" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
    return r0;
#endif
}

static void say(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    sys_write(s, n);
}

#if defined(__aarch64__)
/* The auxiliary vector from the initial stack, for the kernels' getauxval(AT_HWCAP). */
static unsigned long *auxv;
unsigned long getauxval(unsigned long type) {
    for (unsigned long *p = auxv; p && p[0]; p += 2)
        if (p[0] == type) return p[1];
    return 0;
}
#endif

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

/* 8-bit cases: up to 9 images, 40 outputs, 200 inputs (not multiples of 4, 16 or 64). */
#define N8 9
#define O8 40
#define K8 200
static uint8_t U8[N8 * K8];
static int8_t W8[O8 * K8];
static int8_t P8[3 * (K8 + 63) / 64 * 16 * 64 + 64];
static int32_t C8[48], A8[N8 * O8], B8[N8 * O8];
static int8_t PBIG[65536 / 4 * 64]; /* one group of 16 outputs over the longest block */
static uint8_t UBIG[65536];
static int8_t WBIG[65536];

static int check_dot(void) {
    for (int t = 0; t < 200; t++) {
        size_t n = 1 + (size_t)t % N8, outs = 1 + (size_t)(t * 7) % O8, k = 1 + (size_t)(t * 13) % K8;
        for (size_t i = 0; i < n * k; i++) U8[i] = (uint8_t)(next_value() + 128);
        for (size_t i = 0; i < outs * k; i++) W8[i] = (int8_t)next_value();
        czk_pack8(W8, k, outs, k, P8, C8);
        czk_dot8(CZK_NEONDOT, U8, k, n, P8, C8, outs, k, A8, outs);
        czk_dot8(CZK_PORTABLE, U8, k, n, P8, C8, outs, k, B8, outs);
        for (size_t i = 0; i < n * outs; i++)
            if (A8[i] != B8[i]) return 250;
    }
    /* The longest block: u = 0 (x~ = -128) against w = -128: 2^30. */
    for (size_t i = 0; i < 65536; i++) { UBIG[i] = 0; WBIG[i] = -128; }
    czk_pack8(WBIG, 65536, 1, 65536, PBIG, C8);
    czk_dot8(CZK_NEONDOT, UBIG, 65536, 1, PBIG, C8, 1, 65536, A8, 1);
    return A8[0] == (1 << 30) ? 0 : 251;
}

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
    if (A[0] != (1 << 30)) return 254;
    say("neon: 200 cases equal\n");
    if (!czk_isa_available(CZK_NEONDOT)) {
        say("neondot: unavailable\n");
        return 0;
    }
    int r = check_dot();
    if (r == 0) say("neondot: 200 cases equal\n");
    return r;
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

#if defined(__aarch64__)
/* _start gets the initial stack: argc, argv[], NULL, envp[], NULL, then the auxv pairs. */
void start_c(unsigned long *sp) {
    unsigned long *p = sp + 1 + sp[0] + 1;
    while (*p) p++;
    auxv = p + 1;
    sys_exit(check());
}
__asm__(".text\n.global _start\n_start:\n  mov x0, sp\n  bl start_c\n");
#else
void _start(void) { sys_exit(check()); }
#endif
