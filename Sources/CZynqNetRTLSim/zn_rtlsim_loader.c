// dlopen loader of the rtlsim shared library (see include/zn_rtlsim.h).
#define _GNU_SOURCE
#include "zn_rtlsim.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int zn_rtlsim_load(const char *path, zn_rtl_api *api, char *error, size_t error_size) {
    memset(api, 0, sizeof *api);
    // RTLD_LOCAL: every design's library carries its own Verilator runtime and model class of
    // the same name; none of them may bind to another's symbols.
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(error, error_size, "dlopen failed: %s", e ? e : "unknown error");
        return -1;
    }
    zn_rtl_get_api_fn get = (zn_rtl_get_api_fn)dlsym(h, "zn_rtl_get_api");
    if (!get) {
        snprintf(error, error_size, "no zn_rtl_get_api symbol (not an rtlsim library)");
        dlclose(h);
        return -1;
    }
    get(api);
    if (api->abi != ZN_RTL_ABI) {
        snprintf(error, error_size, "ABI %u, this zynqnet needs %u (rebuild the cache)", api->abi, (unsigned)ZN_RTL_ABI);
        dlclose(h);
        return -1;
    }
    return 0;
}
