/*
 * cpuid_mask.so: make a process (and the threads and children it starts) see an x86-64 CPU
 * with fewer instruction sets than it has, so one machine can run the simulator bench as if
 * it were another kind of CPU. Used by `bench/sim_bench.sh --cpuid-mask avx2`.
 *
 *   LD_PRELOAD=bench/out/cpuid_mask.so ZN_CPUID_MASK=avx2 program ...
 *
 * How: Linux's arch_prctl(ARCH_SET_CPUID, 0) turns on CPUID faulting for the thread (inherited
 * by threads and fork()ed children; execve() turns it off again, so LD_PRELOAD must stay in the
 * environment to follow exec'd children). Every CPUID instruction then raises SIGSEGV; the
 * handler below turns faulting off, runs the real CPUID, clears the bits of the masked
 * instruction sets, turns faulting back on, and resumes after the instruction. Code that
 * detects its kernels with CPUID (onnxruntime's MLAS, NumPy, zynqnet's kernels.c) therefore
 * picks what it would pick on the masked CPU. XGETBV is not intercepted: the OS still saves
 * the AVX-512 state, which is harmless, since every user checks the CPUID feature bit as well.
 * glibc reads CPUID before any preload runs; its string functions keep their AVX-512 forms
 * (sim_bench.sh masks them separately with GLIBC_TUNABLES).
 *
 * Masks (ZN_CPUID_MASK):
 *   avx2   no AVX-512 (any), no AVX-VNNI / AVX-VNNI-INT8 / AVX-IFMA, no AMX: an AVX2 machine
 *          such as AMD Zen 2/3 or Intel before Ice Lake. The CPU still runs its own
 *          microarchitecture: this reproduces the instruction set, not the other CPU's timing.
 *
 * If the CPU or kernel has no CPUID faulting (/proc/cpuinfo flag cpuid_fault), or the mask is
 * unknown, the process is stopped with one line on stderr and exit status 2 before main().
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define ARCH_SET_CPUID 0x1012

static volatile int mask_avx2;

static void say(const char *s) {
    ssize_t r = write(2, s, strlen(s));
    (void)r;
}

static void apply_mask(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d) {
    if (!mask_avx2) return;
    if (leaf == 7 && sub == 0) {
        /* EBX: AVX512F 16, DQ 17, IFMA 21, PF 26, ER 27, CD 28, BW 30, VL 31 */
        *b &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31));
        /* ECX: VBMI 1, VBMI2 6, VNNI 11, BITALG 12, VPOPCNTDQ 14 */
        *c &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
        /* EDX: 4VNNIW 2, 4FMAPS 3, VP2INTERSECT 8, AMX-BF16 22, FP16 23, AMX-TILE 24, AMX-INT8 25 */
        *d &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) | (1u << 25));
    } else if (leaf == 7 && sub == 1) {
        /* EAX: AVX-VNNI 4, AVX512_BF16 5, AVX-IFMA 23; EDX: AVX-VNNI-INT8 4, AVX10 19 */
        *a &= ~((1u << 4) | (1u << 5) | (1u << 23));
        *d &= ~((1u << 4) | (1u << 19));
    } else if (leaf == 0xD && sub == 0) {
        /* state components the CPU supports: opmask 5, ZMM_Hi256 6, Hi16_ZMM 7, XTILECFG 17, XTILEDATA 18 */
        *a &= ~((1u << 5) | (1u << 6) | (1u << 7) | (1u << 17) | (1u << 18));
    } else if (leaf == 0x1D || leaf == 0x1E || leaf == 0x24) {
        *a = *b = *c = *d = 0; /* AMX tile / TMUL information, AVX10 */
    }
    (void)c;
}

static void on_segv(int sig, siginfo_t *si, void *ctx) {
    (void)si;
    ucontext_t *uc = (ucontext_t *)ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    const uint8_t *ip = (const uint8_t *)g[REG_RIP];
    if (ip[0] == 0x0F && ip[1] == 0xA2) {
        uint32_t leaf = (uint32_t)g[REG_RAX], sub = (uint32_t)g[REG_RCX], a, b, c, d;
        syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1);
        __cpuid_count(leaf, sub, a, b, c, d);
        syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0);
        apply_mask(leaf, sub, &a, &b, &c, &d);
        g[REG_RAX] = a;
        g[REG_RBX] = b;
        g[REG_RCX] = c;
        g[REG_RDX] = d;
        g[REG_RIP] += 2;
        return;
    }
    /* a real crash: let it happen as it would have */
    signal(sig, SIG_DFL);
}

__attribute__((constructor)) static void cpuid_mask_init(void) {
    const char *m = getenv("ZN_CPUID_MASK");
    if (m == NULL || m[0] == 0) return;
    if (strcmp(m, "avx2") != 0) {
        say("error: 'ZN_CPUID_MASK': unknown mask (valid: avx2)\n");
        _exit(2);
    }
    mask_avx2 = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) != 0 || syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) != 0) {
        say("error: 'ZN_CPUID_MASK': this CPU or kernel has no CPUID faulting (arch_prctl ARCH_SET_CPUID), so it cannot be masked\n");
        _exit(2);
    }
}
