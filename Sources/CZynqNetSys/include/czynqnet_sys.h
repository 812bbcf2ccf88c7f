// Small C helpers for the ZynqNet runtime: volatile 32-bit MMIO access, memory barriers,
// a 64-bit-offset mmap (physical addresses above 2 GiB on 32-bit ARM), and an
// async-signal-safe SIGINT flag. Everything else is Swift.
#ifndef CZYNQNET_SYS_H
#define CZYNQNET_SYS_H

#include <stdint.h>
#include <stddef.h>

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

#endif
