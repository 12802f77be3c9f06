/* alloc.h: the single allocation wrapper used by engine/ and net/.
 *
 * Out of memory aborts here, so callers never check for NULL. In normal
 * builds malloc is jemalloc (linked in place of libc's); used memory comes
 * from jemalloc's own statistics. The sanitizer build uses libc malloc and
 * mallinfo2 instead, because ASan must own the heap. */
#ifndef RINGKV_ENGINE_ALLOC_H
#define RINGKV_ENGINE_ALLOC_H

#include <stddef.h>

/* Returns owned memory of at least size bytes. */
void *alloc_bytes(size_t size);
void *alloc_zeroed(size_t size);
/* Takes ownership of p (may be NULL) and returns the resized block. */
void *alloc_resize(void *p, size_t size);
void alloc_free(void *p);
/* Bytes usable in p (its size class), so callers can use slack. */
size_t alloc_usable_size(const void *p);
/* Returns an owned copy of s[0..len) with a NUL after it. */
char *alloc_strndup(const char *s, size_t len);
char *alloc_strdup(const char *s);

struct alloc_stats {
    /* Bytes the program holds (used_memory): jemalloc's allocated bytes
     * less those sitting in thread caches, freed by the program but not
     * yet back in the arenas. Redis's own counter (zmalloc's) counts live
     * blocks only, and so does this. */
    size_t used;
    size_t allocated; /* jemalloc's stats.allocated (allocator_allocated) */
    size_t active;    /* bytes in active pages */
    size_t resident;  /* bytes resident, allocator metadata included */
    size_t mapped;
    size_t retained;
};
/* Reads the allocator's statistics (costly: jemalloc merges every arena's
 * counters, several microseconds) and re-anchors alloc_used_bytes to them. */
void alloc_stats_read(struct alloc_stats *out);
/* used_memory, cheaply enough to ask before every command (maxmemory):
 * alloc_stats.used at the last alloc_stats_read, moved by what the calling
 * thread allocated and freed since (jemalloc's per-thread counters, two
 * loads). Only the main thread allocates in the server process between
 * reads (the RDB encoder's threads run in the fork child, or inside a
 * blocking SAVE, which a read follows), so between two reads the estimate
 * moves exactly as the real figure does. Call alloc_stats_read once on
 * the main thread first. */
size_t alloc_used_bytes(void);
/* Name of the allocator for INFO (mem_allocator). */
const char *alloc_name(void);
/* jemalloc's malloc_stats_print, its text handed to write in pieces
 * (MEMORY MALLOC-STATS). Writes nothing in the sanitizer build. */
void alloc_stats_print(void (*write)(void *ctx, const char *text), void *ctx);
/* Returns unused dirty pages of every arena to the system (MEMORY PURGE).
 * 0, or -1 when jemalloc refuses; always 0 in the sanitizer build. */
int alloc_purge(void);
/* Whether the allocator has statistics to print (jemalloc). */
static inline int alloc_has_stats_print(void)
{
#ifdef RINGKV_SANITIZE
    return 0;
#else
    return 1;
#endif
}

#endif
