#ifndef CZYNQKERNELS_H
#define CZYNQKERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "czynqlayout.h" /* im2col and maxpool2d around the kernels */

#ifdef __cplusplus
extern "C" {
#endif

/* Instruction sets a dot-product kernel can use. */
enum {
    CZK_PORTABLE = 0, /* plain C, any machine */
    CZK_SSE2 = 1,     /* x86: _mm_madd_epi16 */
    CZK_AVX2 = 2,     /* x86: _mm256_madd_epi16 (chosen at run time when the CPU has it) */
    CZK_NEON = 3,     /* ARM: vmlal_s16 (when the compiler targets NEON) */
    /* Kernels on 8-bit operands (czk_dot8), chosen at run time by cpuid/xgetbv or HWCAP: */
    CZK_AVX512VNNI = 4, /* x86: EVEX vpdpbusd on zmm (AVX512F + BW + VNNI, OS-enabled zmm state) */
    CZK_AVXVNNI = 5,    /* x86: VEX vpdpbusd on ymm (AVX-VNNI, e.g. Alder Lake, Zen 5) */
    CZK_AMX = 6,        /* x86: AMX-INT8 tdpbusd (AMX-TILE + AMX-INT8, XTILEDATA granted by arch_prctl) */
    CZK_NEONDOT = 7,    /* aarch64: sdot (FEAT_DotProd: HWCAP_ASIMDDP on Linux) */
    /* The AVX-VNNI kernel's code with the EVEX encoding of the same 256-bit instruction
       (AVX512VL + AVX512_VNNI): lets a machine without AVX-VNNI test that kernel's logic.
       For tests; never chosen. */
    CZK_AVXVNNI_EVEX = 8,
    /* The AMX kernel's code (dot8_amx: one macro) on a strict software model of the tile unit
       (x86-64 with AVX-512 VNNI, hosted builds): lets a machine without AMX test that kernel's
       logic. For tests; never chosen. */
    CZK_AMX_MODEL = 9,
    CZK_ISA_COUNT = 10,
};

/* 1 if this build and this CPU can run kernels of `isa`, else 0. */
int czk_isa_available(int isa);

/*
 * The fastest instruction set available here, chosen once per process. Where the CPU and OS
 * offer AMX, the first call runs the AMX kernel on a fixed problem (czk_self_check) and
 * chooses it only if its sums equal the portable kernel's, else the next best (AVX-512 VNNI).
 */
int czk_best_isa(void);

/* What that one-time AMX self-check found (it runs inside the first czk_best_isa call). */
enum { CZK_AMX_CHECK_NOT_RUN = 0 /* no AMX here */, CZK_AMX_CHECK_PASSED = 1, CZK_AMX_CHECK_FAILED = 2 };
int czk_amx_check_status(void);
/* Why it failed (one line), "" otherwise. */
const char *czk_amx_check_reason(void);

/*
 * The self-check's problem through `isa`: 8-bit kernels on 19 images x 100 inputs x 70 outputs
 * and 33 x 130 x 17 (16-image AMX blocks and a remainder, a k_len that is not a multiple of 64,
 * n_out not a multiple of 16, padded rows, u = 0/255 against w = -128/127), compared with the
 * portable kernel. 1 if every sum is equal; 0 (and a line in `reason`) if one differs, the kernel
 * faults (SIGILL, SIGSEGV or SIGBUS on this thread) or `isa` is unavailable. Hosted x86-64 only
 * (elsewhere 0, "not built").
 */
int czk_self_check(int isa, char *reason, size_t reason_len);

/* ---- the AMX tile unit's software model: test hooks (hosted x86-64; elsewhere -1, the count 0) ---- */

/* Faults to inject into the model, on the calling thread, to test the self-check. */
enum {
    CZK_AMX_FAULT_NONE = 0,
    CZK_AMX_FAULT_UNSIGNED_W = 1, /* TDPBUSD reads src2 as unsigned bytes */
    CZK_AMX_FAULT_LOAD_ROWS = 2,  /* TILELOADD loads one row fewer (the last stays zero) */
    CZK_AMX_FAULT_SHORT_K = 3,    /* TDPBUSD skips the last dword of src1's rows */
    CZK_AMX_FAULT_TRAP = 4,       /* TDPBUSD raises SIGILL, as a #UD would */
};
/* czk_best_isa's choice with the model, with `fault` injected, as the AMX candidate: returns
   CZK_AMX_MODEL if it passes the self-check, else the next best; `status` and `reason` as above. */
int czk_amx_model_choose(int fault, int *status, char *reason, size_t reason_len);

/* One tile instruction for czk_amx_model_run: offsets into `in` (LDTILECFG's 64 bytes,
   TILELOADD's rows) or `out` (TILESTORED), strides in bytes. */
enum { CZK_AMX_LDTILECFG = 0, CZK_AMX_TILELOADD = 1, CZK_AMX_TILESTORED = 2, CZK_AMX_TILEZERO = 3,
       CZK_AMX_TDPBUSD = 4, CZK_AMX_TILERELEASE = 5 };
struct czk_amx_op {
    int32_t op, t0, t1, t2; /* TDPBUSD t0, t1, t2 (dst, src1, src2); others t0 */
    int64_t offset, stride;
};
/* Runs `ops` on a fresh model whose loads may read in[0 .. in_len) and stores write
   out[0 .. out_len): 0 if all ran, else the 1-based index of the instruction the hardware would
   fault on (or the model refuses), with its message in `message`. Leaves the model released. */
int czk_amx_model_run(const struct czk_amx_op *ops, size_t n_ops, const uint8_t *in, size_t in_len,
                      uint8_t *out, size_t out_len, char *message, size_t message_len);
/* TDPBUSDs the model executed: on this thread (0) or on all threads (1). */
uint64_t czk_amx_model_dpbusd_count(int all_threads);

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

/* 1 if `isa` is an 8-bit kernel (czk_dot8), 0 if an int16 one (czk_dot_block). */
int czk_isa_is_8bit(int isa);

/*
 * The 8-bit kernels. Activations are bytes u = x~ + 128 (x~ in [-128, 127] as above, so u in
 * [0, 255]); weights are int8, packed once by czk_pack8 into groups of 16 outputs:
 *   packed[((g * k4 + r) * 16 + j) * 4 + b] = w[(16 g + j) * w_stride + 4 r + b]
 * (zero beyond n_out and k_len), with k4 = czk_pack8_rows(k_len) = ceil(k_len / 64) * 16 rows
 * of 4 bytes per group, and corr[o] = 128 * sum_k w[o][k] for o < 16 * ceil(n_out / 16).
 * czk_dot8 writes the same sums as czk_dot_block:
 *   out[i * out_stride + o] = sum_k (u[i][k] - 128) * w[o][k] = sum_k u w - corr[o].
 *
 * Exactness (the caller keeps k_len <= 65536): vpdpbusd adds four products u * w, each in
 * [-255 * 128, 255 * 127], to an int32 lane; a lane holds one output's partial sum, at most
 * 255 * 128 * 65536 = 2 139 095 040 < 2^31 in magnitude, so no step wraps (and the
 * instruction does not saturate); |corr| <= 2^30 and the result |sum x~ w| <= 2^30.
 * AMX tdpbusd accumulates the same per-output sums. sdot (aarch64) multiplies x~ = u ^ 0x80
 * and w as int8 (|product| <= 2^14, partial sums <= 2^30) and needs no correction.
 * Rows of x need no padding or alignment: no kernel reads past x[i][k_len - 1].
 */
size_t czk_pack8_rows(size_t k_len);
size_t czk_pack8_size(size_t n_out, size_t k_len);        /* bytes of packed */
size_t czk_pack8_corr_count(size_t n_out);                /* int32s of corr */
void czk_pack8(const int8_t *w, size_t w_stride, size_t n_out, size_t k_len,
               int8_t *packed, int32_t *corr);
void czk_dot8(int isa,
              const uint8_t *x, size_t x_stride, size_t n_images,
              const int8_t *packed, const int32_t *corr, size_t n_out,
              size_t k_len,
              int32_t *out, size_t out_stride);

/*
 * The simulator's Int64 requantization (Requantizer's `.shift` mode in Swift: floor, half_up and
 * gemmlowp with s <= 31) on a block of int32 sums, for layers whose every channel is proven to
 * fit Int64 (the caller checks both; any other layer uses the Swift code):
 *   a = bias[o] + acc[i * n_out + o]
 *   q = clamp((a * mult[o] + round_add[o]) >> shift[o], -1024, 1024)   (>> is floor division)
 *   y = clamp(zero + q, lo, hi)
 * and stores y (CZK_OUT_I32: int32 dst[i * dst_stride + o]), y + add as a byte (CZK_OUT_U8)
 * or y + add as int16 with dst[i * dst_stride + o] = 0 for n_out <= o < dst_stride (CZK_OUT_I16).
 * With isa CZK_AVX512VNNI or CZK_AMX (and AVX512DQ) it runs on 8 int64 lanes (vpmullq,
 * vpsravq); with CZK_AVX2 or CZK_AVXVNNI on 4 int64 lanes per ymm (a * M from two vpmuludq,
 * which needs 0 <= mult < 2^32: the spec's multipliers are uint32; the floor shift from
 * vpsrlvq on the sign-flipped value, which needs 0 <= shift <= 63; u8 and int16 stores assume
 * y + add fits the type, as it does for codes); otherwise in branch-free scalar C.
 */
enum { CZK_OUT_I32 = 0, CZK_OUT_U8 = 1, CZK_OUT_I16 = 2 };
void czk_requant(int isa, const int32_t *acc, size_t n_images, size_t n_out,
                 const int64_t *bias, const int64_t *mult, const int64_t *round_add, const int64_t *shift,
                 int32_t zero, int32_t lo, int32_t hi,
                 int kind, void *dst, size_t dst_stride, int32_t add);

#ifdef __cplusplus
}
#endif

#endif
