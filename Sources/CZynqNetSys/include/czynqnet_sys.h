// Small C helpers for the ZynqNet runtime: volatile 32-bit MMIO access, memory barriers,
// a 64-bit-offset mmap (physical addresses above 2 GiB on 32-bit ARM), and an
// async-signal-safe SIGINT flag, and child processes in their own process groups that a
// SIGINT/SIGTERM handler ends with zynqnet. Everything else is Swift.
#ifndef CZYNQNET_SYS_H
#define CZYNQNET_SYS_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

/// One 32-bit load the compiler can neither drop, merge nor reorder with other volatile accesses.
static inline uint32_t zn_mmio_read32(const void *p) {
    return *(const volatile uint32_t *)p;
}

/// One 32-bit store, likewise.
static inline void zn_mmio_write32(void *p, uint32_t v) {
    *(volatile uint32_t *)p = v;
}

/// A full barrier: on ARMv7 `dsb sy`, so buffer writes reach DDR before a DMA register
/// write starts the engine, and DMA results are seen after a status read.
static inline void zn_barrier(void) {
#if defined(__arm__) || defined(__aarch64__)
    __asm__ volatile("dsb sy" ::: "memory");
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/// mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED, fd, offset) with a 64-bit offset
/// even where off_t is 32 bits. Returns NULL (not MAP_FAILED) on failure; errno is set.
void *zn_mmap_shared(int fd, size_t length, uint64_t offset);

/// flock(fd, LOCK_EX|LOCK_NB): 0 locked, 1 held by another open file, -1 error (errno set).
int zn_try_lock_exclusive(int fd);
/// flock(fd, LOCK_UN).
void zn_unlock(int fd);

/// Installs a SIGINT handler that only sets a flag (and a second Ctrl-C restores the default).
void zn_install_sigint_handler(void);
/// 1 once SIGINT arrived (or zn_set_interrupted(1) was called), else 0.
int zn_interrupted(void);
void zn_set_interrupted(int value);

// Child processes and termination signals (zynqnet's Termination in ZynqNetModel).

/// posix_spawnp(file, argv, envp) in a new process group (the child's pid), with default
/// signal actions and an empty signal mask, stdin/stdout/stderr from the given descriptors
/// (-1: inherited) and working directory `cwd` (NULL: inherited). The group is registered
/// (SIGINT/SIGTERM in this thread are blocked meanwhile), so the termination handler ends it.
/// Returns 0 and sets *pid, or an errno value.
int zn_spawn_group(const char *file, char *const argv[], char *const envp[], const char *cwd,
                   int in_fd, int out_fd, int err_fd, pid_t *pid);
/// Forgets a group registered by zn_spawn_group (after its leader was reaped).
void zn_unregister_group(pid_t pgid);
/// Copies up to `max` registered groups into `out`; returns how many.
int zn_registered_groups(pid_t *out, int max);
/// Installs the SIGINT/SIGTERM handler: it records the signal, sets the SIGINT flag, sends
/// SIGTERM to every registered group and writes one byte to `wake_fd`. A second signal
/// restores the default action. Returns 0 or an errno value.
int zn_install_termination_handler(int wake_fd);
/// The first SIGINT/SIGTERM received (0 none).
int zn_termination_signal(void);
/// 1 when zn_install_sigint_handler asked for SIGINT to end a loop gracefully.
int zn_sigint_graceful(void);

#endif
