// Hooks the Embedded Swift standard library expects and glibc does not provide, for the
// board binary (armv7 hard-float, linked statically against glibc by arm-linux-gnueabihf-gcc).
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <locale.h>

// Double(String) / Float(String): the C locale's strtod, as the full runtime does.
// The embedded stdlib passes the text and wants the end of the parsed part (NULL: none).
const char *_swift_stdlib_strtod_clocale(const char *nptr, double *outResult) {
    char *end = NULL;
    *outResult = strtod(nptr, &end);
    return end == nptr ? NULL : end;
}

const char *_swift_stdlib_strtof_clocale(const char *nptr, float *outResult) {
    char *end = NULL;
    *outResult = strtof(nptr, &end);
    return end == nptr ? NULL : end;
}

// stdout line-buffered from the start, so that what was printed survives a trap.
__attribute__((constructor)) static void zn_board_line_buffered(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
}
