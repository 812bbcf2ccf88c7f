// zlib for the gzip and npz readers (raw deflate + CRC-32).
#include <zlib.h>
