#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include "czynqnet_sys.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <string.h>
#include <sys/file.h>
#include <errno.h>

int zn_try_lock_exclusive(int fd) {
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
        if (errno == EINTR) continue;
        if (errno == EWOULDBLOCK) return 1;
        return -1;
    }
}

void zn_unlock(int fd) { (void)flock(fd, LOCK_UN); }

void *zn_mmap_shared(int fd, size_t length, uint64_t offset) {
    void *p = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);
    return p == MAP_FAILED ? NULL : p;
}

static volatile sig_atomic_t zn_sigint_flag = 0;

static void zn_on_sigint(int sig) {
    (void)sig;
    zn_sigint_flag = 1;
    // A second Ctrl-C kills the process the usual way.
    signal(SIGINT, SIG_DFL);
}

void zn_install_sigint_handler(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = zn_on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

int zn_interrupted(void) { return zn_sigint_flag ? 1 : 0; }

void zn_set_interrupted(int value) { zn_sigint_flag = value ? 1 : 0; }
