/* alloc.c: malloc wrappers that abort on out-of-memory, and memory statistics.
 *
 * Normal builds link jemalloc unprefixed, so plain malloc() is jemalloc and
 * mallctl("stats.allocated") covers every allocation in the process, which
 * is what INFO's used_memory reports. */
#include "engine/alloc.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RINGKV_SANITIZE
#include <jemalloc/jemalloc.h>
#endif

static void alloc_oom(size_t size)
{
    fprintf(stderr, "ringkv: out of memory allocating %zu bytes\n", size);
    fflush(stderr);
    abort();
}

void *alloc_bytes(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        alloc_oom(size);
    return p;
}

void *alloc_zeroed(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p)
        alloc_oom(size);
    return p;
}

void *alloc_resize(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        alloc_oom(size);
    return q;
}

void alloc_free(void *p)
{
    free(p);
}

size_t alloc_usable_size(const void *p)
{
    return p ? malloc_usable_size((void *)p) : 0;
}

char *alloc_strndup(const char *s, size_t len)
{
    char *p = alloc_bytes(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *alloc_strdup(const char *s)
{
    return alloc_strndup(s, strlen(s));
}

#ifndef RINGKV_SANITIZE
static size_t alloc_mallctl_size(const char *name)
{
    size_t value = 0, len = sizeof(value);
    if (mallctl(name, &value, &len, NULL, 0) != 0)
        return 0;
    return value;
}

void alloc_stats_read(struct alloc_stats *out)
{
    /* jemalloc caches statistics; bumping the epoch refreshes them. */
    uint64_t epoch = 1;
    size_t len = sizeof(epoch);
    mallctl("epoch", &epoch, &len, &epoch, len);
    out->allocated = alloc_mallctl_size("stats.allocated");
    out->active = alloc_mallctl_size("stats.active");
    out->resident = alloc_mallctl_size("stats.resident");
    out->mapped = alloc_mallctl_size("stats.mapped");
    out->retained = alloc_mallctl_size("stats.retained");
}

const char *alloc_name(void)
{
    return "jemalloc-5.3.0";
}

void alloc_stats_print(void (*write)(void *ctx, const char *text), void *ctx)
{
    malloc_stats_print(write, ctx, NULL);
}

int alloc_purge(void)
{
    /* Every arena's dirty pages back to the system, as MEMORY PURGE asks. */
    char name[64];
    snprintf(name, sizeof(name), "arena.%u.purge", (unsigned)MALLCTL_ARENAS_ALL);
    return mallctl(name, NULL, NULL, NULL, 0) == 0 ? 0 : -1;
}
#else
void alloc_stats_print(void (*write)(void *ctx, const char *text), void *ctx)
{
    (void)write;
    (void)ctx;
}

int alloc_purge(void)
{
    return 0;
}

void alloc_stats_read(struct alloc_stats *out)
{
    struct mallinfo2 mi = mallinfo2();
    out->allocated = mi.uordblks + mi.hblkhd;
    out->active = out->allocated;
    out->resident = mi.arena + mi.hblkhd;
    out->mapped = out->resident;
    out->retained = 0;
}

const char *alloc_name(void)
{
    return "libc";
}
#endif
