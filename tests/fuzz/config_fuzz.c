/* config_fuzz.c: libFuzzer target for the config file reader
 * (net/core/config.c: config_init, config_load_file).
 * fuzz-links: core
 *
 * The input is a redis.conf. config.h reads files only by path, so the
 * bytes go into one memfd, reused for every input, and are loaded through
 * /proc/self/fd/<n>. A refused file must say why; an accepted one must
 * then format every parameter for CONFIG GET, since what the file set is
 * what CONFIG GET and CONFIG REWRITE print.
 *
 * `include` reads other files. A fuzzer must not wander the filesystem, so
 * this target defines glob() (it takes the place of libc's for the whole
 * program, and only the include directive calls it) to match nothing, and
 * points stdin at /dev/null; a plain included path still opens, which
 * covers the include code and its depth limit (an input can include its
 * own memfd). */
#define _GNU_SOURCE /* memfd_create */
#include <fcntl.h>
#include <glob.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "net/core/config.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_ERR_BYTES 1024

static int memfd = -1;
static char memfd_path[64];

int glob(const char *pattern, int flags, int (*errfunc)(const char *, int), glob_t *pglob)
{
    (void)pattern;
    (void)errfunc;
    if (!(flags & GLOB_APPEND))
        memset(pglob, 0, sizeof(*pglob));
    return GLOB_NOMATCH;
}

static void emit(const char *name, const char *value, void *ctx)
{
    size_t *count = ctx;
    FUZZ_REQUIRE(name[0] != '\0');
    (void)strlen(value);
    (*count)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memfd < 0) {
        int null_fd = open("/dev/null", O_RDONLY);
        FUZZ_REQUIRE(null_fd >= 0);
        FUZZ_REQUIRE(dup2(null_fd, STDIN_FILENO) == STDIN_FILENO);
        close(null_fd);
        memfd = memfd_create("ringkv-config-fuzz", MFD_CLOEXEC);
        FUZZ_REQUIRE(memfd >= 0);
        snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
    }
    FUZZ_REQUIRE(ftruncate(memfd, 0) == 0);
    FUZZ_REQUIRE(pwrite(memfd, data, size, 0) == (ssize_t)size);

    struct config cfg;
    char err[FUZZ_ERR_BYTES] = "";
    config_init(&cfg);
    if (config_load_file(&cfg, memfd_path, err, sizeof(err)) != 0) {
        FUZZ_REQUIRE(err[0] != '\0');
    } else {
        size_t count = 0;
        config_get(&cfg, "*", 1, emit, &count);
        FUZZ_REQUIRE(count > 0);
    }
    config_free(&cfg);
    return 0;
}
