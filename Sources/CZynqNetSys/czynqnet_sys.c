#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include "czynqnet_sys.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <string.h>
#include <sys/file.h>
#include <errno.h>
#include <spawn.h>
#include <pthread.h>
#include <unistd.h>

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

static volatile sig_atomic_t zn_term_installed = 0;
static volatile sig_atomic_t zn_graceful = 0;

void zn_install_sigint_handler(void) {
    // zynqnet's termination handler already sets the flag; it then leaves SIGINT to the loop.
    zn_graceful = 1;
    if (zn_term_installed) return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = zn_on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

int zn_interrupted(void) { return zn_sigint_flag ? 1 : 0; }

void zn_set_interrupted(int value) { zn_sigint_flag = value ? 1 : 0; }

int zn_sigint_graceful(void) { return zn_graceful ? 1 : 0; }

// Registered process groups: slots are claimed and cleared with atomics, read by the handler.
#define ZN_MAX_GROUPS 256
static volatile pid_t zn_groups[ZN_MAX_GROUPS];
static volatile sig_atomic_t zn_term_signal = 0;
static int zn_wake_fd = -1;

static void zn_register_group(pid_t g) {
    for (int i = 0; i < ZN_MAX_GROUPS; i++) {
        pid_t zero = 0;
        if (__atomic_compare_exchange_n(&zn_groups[i], &zero, g, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return;
    }
}

void zn_unregister_group(pid_t g) {
    for (int i = 0; i < ZN_MAX_GROUPS; i++) {
        pid_t want = g;
        if (__atomic_compare_exchange_n(&zn_groups[i], &want, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return;
    }
}

int zn_registered_groups(pid_t *out, int max) {
    int n = 0;
    for (int i = 0; i < ZN_MAX_GROUPS && n < max; i++) {
        pid_t g = __atomic_load_n(&zn_groups[i], __ATOMIC_SEQ_CST);
        if (g > 0) out[n++] = g;
    }
    return n;
}

int zn_spawn_group(const char *file, char *const argv[], char *const envp[], const char *cwd,
                   int in_fd, int out_fd, int err_fd, pid_t *pid) {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    int rc = posix_spawnattr_init(&attr);
    if (rc) return rc;
    rc = posix_spawn_file_actions_init(&actions);
    if (rc) { posix_spawnattr_destroy(&attr); return rc; }
    sigset_t empty, defaults, block, old;
    sigemptyset(&empty);
    sigfillset(&defaults);
    sigdelset(&defaults, SIGKILL);
    sigdelset(&defaults, SIGSTOP);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (in_fd >= 0) posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
    if (out_fd >= 0) posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    if (err_fd >= 0) posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    if (cwd) posix_spawn_file_actions_addchdir_np(&actions, cwd);
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pid_t child = 0;
    rc = posix_spawnp(&child, file, &actions, &attr, argv, envp);
    if (rc == 0) {
        zn_register_group(child);
        *pid = child;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc;
}

static void zn_on_termination(int sig) {
    int saved = errno;
    if (!zn_term_signal) zn_term_signal = sig;
    zn_sigint_flag = 1;
    for (int i = 0; i < ZN_MAX_GROUPS; i++) {
        pid_t g = zn_groups[i];
        if (g > 0) kill(-g, SIGTERM);
    }
    if (zn_wake_fd >= 0) {
        char c = (char)sig;
        (void)!write(zn_wake_fd, &c, 1);
    }
    // A second signal ends the process the usual way.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    errno = saved;
}

int zn_install_termination_handler(int wake_fd) {
    zn_wake_fd = wake_fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = zn_on_termination;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    if (sigaction(SIGINT, &sa, NULL) != 0) return errno;
    if (sigaction(SIGTERM, &sa, NULL) != 0) return errno;
    // A parent may have left them blocked (the mask is inherited across exec).
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGINT);
    sigaddset(&both, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &both, NULL);
    zn_term_installed = 1;
    return 0;
}

int zn_termination_signal(void) { return zn_term_signal; }
