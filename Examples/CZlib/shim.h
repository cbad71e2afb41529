// zlib's inflate, which bn-train uses to read its gzip-compressed data set.
#include <zlib.h>
