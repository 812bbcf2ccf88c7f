#!/usr/bin/env bash
# bench/amx_selfcheck_bench.sh: how long the one-time AMX self-check (czk_self_check) takes, and
# how fast the AMX kernel runs on the software model of the tile unit (CZK_AMX_MODEL).
#
# Builds a small C harness against Sources/CZynqNetDotKernels/kernels.c with `clang -O2` in a
# temporary directory (removed afterwards) and prints: the CPU (lscpu Model name) and the load
# average, the self-check through avx512vnni, the model and (where the CPU has it) the real AMX
# kernel, first call and best of 50, and 64 images x 784 inputs x 128 outputs through
# avx512vnni and the model (best of 5). x86-64 with AVX-512 VNNI only. Writes nothing here.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/bench.c" <<'C'
#include "czynqkernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(void) {
    char why[240];
    const int isas[] = {CZK_AVX512VNNI, CZK_AMX_MODEL, CZK_AMX};
    const char *names[] = {"avx512vnni", "amx model", "amx"};
    for (int a = 0; a < 3; a++) {
        if (!czk_isa_available(isas[a])) { printf("self-check %-10s: not available here\n", names[a]); continue; }
        double first = 0, best = 1e9;
        for (int r = 0; r < 50; r++) {
            const double t0 = now();
            const int ok = czk_self_check(isas[a], why, sizeof why);
            const double t = now() - t0;
            if (!ok) { printf("self-check %-10s: FAILED: %s\n", names[a], why); break; }
            if (r == 0) first = t;
            if (t < best) best = t;
        }
        printf("self-check %-10s: first %.3f ms, best of 50 %.3f ms\n", names[a], first * 1e3, best * 1e3);
    }
    const double t0 = now();
    const int b = czk_best_isa();
    printf("czk_best_isa first call %.3f ms: isa %d, AMX check status %d %s\n", (now() - t0) * 1e3, b, czk_amx_check_status(), czk_amx_check_reason());
    const size_t n = 64, k = 784, o = 128;
    uint8_t *x = malloc(n * k);
    int8_t *w = malloc(o * k), *p = malloc(czk_pack8_size(o, k));
    int32_t *c = malloc(4 * czk_pack8_corr_count(o)), *out = malloc(4 * n * o);
    srand(1);
    for (size_t j = 0; j < n * k; j++) x[j] = (uint8_t)rand();
    for (size_t j = 0; j < o * k; j++) w[j] = (int8_t)rand();
    czk_pack8(w, k, o, k, p, c);
    for (int a = 0; a < 2; a++) {
        double best = 1e9;
        for (int r = 0; r < 5; r++) {
            const double t1 = now();
            czk_dot8(isas[a], x, k, n, p, c, o, k, out, o);
            const double t = now() - t1;
            if (t < best) best = t;
        }
        printf("dot8 %-10s 64 x 784 x 128: %.3f ms (%.0f images/s)\n", names[a], best * 1e3, n / best);
    }
    return 0;
}
C
clang -O2 -I Sources/CZynqNetDotKernels/include Sources/CZynqNetDotKernels/kernels.c "$tmp/bench.c" -o "$tmp/bench" -lpthread
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$tmp/bench"
