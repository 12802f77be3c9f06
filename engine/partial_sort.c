/* partial_sort.c: Redis's partial quicksort (see partial_sort.h): pick a
 * pivot (median of three, or of three medians above 40 elements), move it
 * first, partition into less / greater with the equal ones gathered at
 * both ends, swap those into the middle, then sort the less and greater
 * parts that overlap the wanted range. Small parts, and a pass that moved
 * nothing, finish with an insertion sort. */
#include "engine/partial_sort.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

struct psort {
    char *base;
    size_t es;
    partial_sort_cmp cmp;
    void *ctx;
    long lo, hi; /* the wanted range */
};

static char *psort_at(const struct psort *s, long i)
{
    return s->base + (size_t)i * s->es;
}

static int psort_cmp(const struct psort *s, long i, long j)
{
    return s->cmp(psort_at(s, i), psort_at(s, j), s->ctx);
}

static void psort_swap(const struct psort *s, long i, long j)
{
    char tmp[PARTIAL_SORT_ELEMENT_MAX];
    memcpy(tmp, psort_at(s, i), s->es);
    memcpy(psort_at(s, i), psort_at(s, j), s->es);
    memcpy(psort_at(s, j), tmp, s->es);
}

/* Swaps the count elements from i with the count from j, pairwise. */
static void psort_swap_run(const struct psort *s, long i, long j, long count)
{
    for (long k = 0; k < count; k++)
        psort_swap(s, i + k, j + k);
}

/* The index of the median of three. */
static long psort_median(const struct psort *s, long a, long b, long c)
{
    if (psort_cmp(s, a, b) < 0)
        return psort_cmp(s, b, c) < 0 ? b : psort_cmp(s, a, c) < 0 ? c : a;
    return psort_cmp(s, b, c) > 0 ? b : psort_cmp(s, a, c) < 0 ? a : c;
}

static void psort_insertion(const struct psort *s, long first, long n)
{
    for (long m = first + 1; m < first + n; m++)
        for (long l = m; l > first && psort_cmp(s, l - 1, l) > 0; l--)
            psort_swap(s, l, l - 1);
}

/* Whether [first, first + n) misses the wanted range entirely. */
static bool psort_outside(const struct psort *s, long first, long n)
{
    long end = first + n;
    return (s->lo < first && s->hi < first) || (s->lo >= end && s->hi >= end);
}

static void psort_range(const struct psort *s, long first, long n)
{
    for (;;) {
        if (n < 7) {
            psort_insertion(s, first, n);
            return;
        }
        long pm = first + n / 2;
        if (n > 7) {
            long pl = first, pn = first + n - 1;
            if (n > 40) {
                long d = n / 8;
                pl = psort_median(s, pl, pl + d, pl + 2 * d);
                pm = psort_median(s, pm - d, pm, pm + d);
                pn = psort_median(s, pn - 2 * d, pn - d, pn);
            }
            pm = psort_median(s, pl, pm, pn);
        }
        psort_swap(s, first, pm);
        long pa = first + 1, pb = first + 1;
        long pc = first + n - 1, pd = first + n - 1;
        bool swapped = false;
        for (;;) {
            int r;
            while (pb <= pc && (r = psort_cmp(s, pb, first)) <= 0) {
                if (r == 0) {
                    swapped = true;
                    psort_swap(s, pa, pb);
                    pa++;
                }
                pb++;
            }
            while (pb <= pc && (r = psort_cmp(s, pc, first)) >= 0) {
                if (r == 0) {
                    swapped = true;
                    psort_swap(s, pc, pd);
                    pd--;
                }
                pc--;
            }
            if (pb > pc)
                break;
            psort_swap(s, pb, pc);
            swapped = true;
            pb++;
            pc--;
        }
        if (!swapped) {
            psort_insertion(s, first, n);
            return;
        }
        long end = first + n;
        long r = pa - first < pb - pa ? pa - first : pb - pa;
        psort_swap_run(s, first, pb - r, r);
        r = pd - pc < end - pd - 1 ? pd - pc : end - pd - 1;
        psort_swap_run(s, pb, end - r, r);
        long left = pb - pa;
        if (left > 1 && !psort_outside(s, first, left))
            psort_range(s, first, left);
        long right = pd - pc;
        if (right <= 1)
            return;
        first = end - right;
        n = right;
        if (psort_outside(s, first, n))
            return;
    }
}

void partial_sort(void *base, size_t n, size_t es, partial_sort_cmp cmp, void *ctx, long lo,
                  long hi)
{
    assert(es <= PARTIAL_SORT_ELEMENT_MAX);
    struct psort s = {.base = base, .es = es, .cmp = cmp, .ctx = ctx, .lo = lo, .hi = hi};
    psort_range(&s, 0, (long)n);
}
