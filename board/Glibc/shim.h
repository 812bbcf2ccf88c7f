// Headers and wrappers of the board build's Glibc stand-in (see module.modulemap).
#ifndef ZN_BOARD_GLIBC_SHIM_H
#define ZN_BOARD_GLIBC_SHIM_H
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <time.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/file.h>
#include <sys/utsname.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <limits.h>

static inline int zn_board_errno(void) { return errno; }
static inline void zn_board_set_errno(int v) { errno = v; }
static inline int zn_board_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }
static inline int zn_board_ioctl(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }
static inline void *zn_board_map_failed(void) { return MAP_FAILED; }
static inline mode_t zn_board_s_ifmt(void) { return S_IFMT; }
static inline mode_t zn_board_s_ifreg(void) { return S_IFREG; }
static inline mode_t zn_board_s_ifdir(void) { return S_IFDIR; }
static inline mode_t zn_board_s_ifchr(void) { return S_IFCHR; }
static inline mode_t zn_board_s_iflnk(void) { return S_IFLNK; }
/// Writes `len` bytes to fd 1 or 2 (print and the one-line errors).
static inline void zn_board_write_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) { if (errno == EINTR) continue; return; }
        p += n; len -= (size_t)n;
    }
}
/// Seconds of CLOCK_MONOTONIC as a double.
static inline double zn_board_monotonic_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
#endif
