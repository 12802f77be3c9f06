/* alloc.c: malloc wrappers that abort on out-of-memory, and memory statistics.
 *
 * Normal builds link jemalloc unprefixed, so plain malloc() is jemalloc and
 * mallctl("stats.allocated") covers every allocation in the process, which
 * is what INFO's used_memory reports. */
#include "engine/alloc.h"

#include <assert.h>
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
/* jemalloc's MALLCTL_ARENAS_ALL, as the text of a mallctl name part. */
#define ALLOC_ARENAS_ALL "4096"
static_assert(MALLCTL_ARENAS_ALL == 4096, "the merged arenas' index in mallctl names");

static size_t alloc_mallctl_size(const char *name)
{
    size_t value = 0, len = sizeof(value);
    if (mallctl(name, &value, &len, NULL, 0) != 0)
        return 0;
    return value;
}

/* alloc_used_bytes's anchor: the main thread's jemalloc counters (their
 * addresses, fixed for the thread's life) and alloc_stats.used less that
 * thread's net allocation at the last alloc_stats_read. Process-wide, like
 * the allocator they describe. */
static const uint64_t *alloc_thread_allocated;
static const uint64_t *alloc_thread_freed;
static uint64_t alloc_used_base;

static uint64_t alloc_thread_net(void)
{
    return *alloc_thread_allocated - *alloc_thread_freed;
}

static void alloc_used_anchor(size_t used)
{
    if (alloc_thread_allocated == NULL) {
        uint64_t *a = NULL, *f = NULL;
        size_t len = sizeof(a);
        if (mallctl("thread.allocatedp", &a, &len, NULL, 0) != 0 ||
            mallctl("thread.deallocatedp", &f, &len, NULL, 0) != 0)
            return; /* a jemalloc without statistics: used memory stays 0 */
        alloc_thread_allocated = a;
        alloc_thread_freed = f;
    }
    alloc_used_base = (uint64_t)used - alloc_thread_net();
}

size_t alloc_used_bytes(void)
{
    if (alloc_thread_allocated == NULL)
        return 0;
    /* Unsigned wrap-around makes base + net exact even when the thread
     * freed more than it allocated since the anchor. */
    uint64_t used = alloc_used_base + alloc_thread_net();
    return (int64_t)used < 0 ? 0 : (size_t)used;
}

void alloc_stats_read(struct alloc_stats *out)
{
    /* jemalloc caches statistics; bumping the epoch refreshes them. */
    uint64_t epoch = 1;
    size_t len = sizeof(epoch);
    mallctl("epoch", &epoch, &len, &epoch, len);
    out->allocated = alloc_mallctl_size("stats.allocated");
    /* Every arena's thread-cache bytes, merged (MALLCTL_ARENAS_ALL). */
    size_t cached = alloc_mallctl_size("stats.arenas." ALLOC_ARENAS_ALL ".tcache_bytes");
    out->used = out->allocated > cached ? out->allocated - cached : 0;
    alloc_used_anchor(out->used);
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
/* ASan replaces malloc, so glibc's mallinfo2 sees none of the program's
 * blocks: the sanitizer's own count is the used memory there. */
/* The sanitizer runtime's (sanitizer/allocator_interface.h, which gcc
 * does not install): declared here so both compilers build this. */
size_t __sanitizer_get_current_allocated_bytes(void);
size_t __sanitizer_get_heap_size(void);

size_t alloc_used_bytes(void)
{
    return __sanitizer_get_current_allocated_bytes();
}

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
    out->allocated = alloc_used_bytes();
    out->used = out->allocated;
    out->active = out->allocated;
    out->resident = __sanitizer_get_heap_size();
    out->mapped = out->resident;
    out->retained = 0;
}

const char *alloc_name(void)
{
    return "libc";
}
#endif
