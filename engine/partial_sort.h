/* partial_sort.h: Redis's partial quicksort, for replies whose order of
 * equal elements must be Redis's.
 *
 * Redis sorts with glibc's qsort (a stable merge sort) when it needs the
 * whole array, but with its own pqsort, a Bentley-McIlroy quicksort that
 * skips the partitions outside a wanted range, when it needs only part of
 * it (SORT ... BY ... LIMIT, GEORADIUS ... COUNT). Elements that compare
 * equal come out of that in an order of its own; this is the same
 * algorithm, with the same pivots, partitioning and fallbacks, so that
 * they come out as they do from redis-server. Only [lo, hi] (element
 * indexes) is guaranteed sorted afterwards. */
#ifndef RINGKV_ENGINE_PARTIAL_SORT_H
#define RINGKV_ENGINE_PARTIAL_SORT_H

#include <stddef.h>

/* A comparator with a context pointer (qsort_r style). */
typedef int (*partial_sort_cmp)(const void *a, const void *b, void *ctx);

/* Sorts the n elements of es bytes at base enough that indexes lo..hi
 * hold what a full sort would put there. es must be at most
 * PARTIAL_SORT_ELEMENT_MAX bytes. */
#define PARTIAL_SORT_ELEMENT_MAX 256
void partial_sort(void *base, size_t n, size_t es, partial_sort_cmp cmp, void *ctx, long lo,
                  long hi);

#endif
