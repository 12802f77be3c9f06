/* latency.c: the latency monitor's events and the latency histograms (see
 * latency.h). Owns the sample ring of each event and HdrHistogram's bucket
 * arithmetic at 2 significant figures; replies are cmd_latency.c's. */
#include "net/core/latency.h"

#include <assert.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "engine/alloc.h"

void latency_monitor_init(struct latency_monitor *m)
{
    memset(m, 0, sizeof(*m));
}

void latency_monitor_free(struct latency_monitor *m)
{
    alloc_free(m->events);
    memset(m, 0, sizeof(*m));
}

static struct latency_event *latency_monitor_get(struct latency_monitor *m, const char *event)
{
    for (int i = 0; i < m->count; i++)
        if (strcmp(m->events[i].name, event) == 0)
            return &m->events[i];
    if (m->count == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->events = alloc_resize(m->events, sizeof(*m->events) * (size_t)m->cap);
    }
    struct latency_event *e = &m->events[m->count++];
    memset(e, 0, sizeof(*e));
    assert(strlen(event) < sizeof(e->name));
    strcpy(e->name, event);
    return e;
}

void latency_monitor_add(struct latency_monitor *m, const char *event, int64_t latency_ms)
{
    int64_t now_s = (int64_t)time(NULL);
    struct latency_event *e = latency_monitor_get(m, event);
    if (latency_ms > e->max_ms)
        e->max_ms = latency_ms;
    /* One sample a second: a second spike in the same second only raises it. */
    struct latency_sample *prev = &e->samples[(e->next + LATENCY_SAMPLES_MAX - 1) % LATENCY_SAMPLES_MAX];
    if (prev->time_s == now_s) {
        if (latency_ms > prev->latency_ms)
            prev->latency_ms = latency_ms;
        return;
    }
    e->samples[e->next].time_s = now_s;
    e->samples[e->next].latency_ms = latency_ms;
    e->next = (e->next + 1) % LATENCY_SAMPLES_MAX;
}

const struct latency_event *latency_monitor_find(const struct latency_monitor *m, const char *name,
                                                 size_t len)
{
    for (int i = 0; i < m->count; i++)
        if (strlen(m->events[i].name) == len && memcmp(m->events[i].name, name, len) == 0)
            return &m->events[i];
    return NULL;
}

int latency_monitor_reset(struct latency_monitor *m, const char *name, size_t len)
{
    int removed = 0;
    for (int i = 0; i < m->count;) {
        struct latency_event *e = &m->events[i];
        if (name == NULL || (strlen(e->name) == len && strncasecmp(e->name, name, len) == 0)) {
            memmove(e, e + 1, sizeof(*e) * (size_t)(m->count - i - 1));
            m->count--;
            removed++;
        } else {
            i++;
        }
    }
    return removed;
}

const struct latency_sample *latency_event_latest(const struct latency_event *e)
{
    return &e->samples[(e->next + LATENCY_SAMPLES_MAX - 1) % LATENCY_SAMPLES_MAX];
}

/* ---- HdrHistogram's layout: lowest value 1, 2 significant figures ----
 * Values below 256 have a counter each; above, bucket b (1..) holds 128
 * sub-buckets of width 2^b covering [128 << b, 256 << b). */
#define HIST_SUB_BUCKETS_HALF_MAGNITUDE 7 /* 128 */
#define HIST_SUB_BUCKET_MASK 255

static int hist_bucket_index(int64_t value)
{
    int bits = 64 - __builtin_clzll((unsigned long long)value | HIST_SUB_BUCKET_MASK);
    return bits - (HIST_SUB_BUCKETS_HALF_MAGNITUDE + 1);
}

static int hist_counts_index(int64_t value)
{
    int bucket = hist_bucket_index(value);
    int sub = (int)(value >> bucket);
    return ((bucket + 1) << HIST_SUB_BUCKETS_HALF_MAGNITUDE) + sub -
           (1 << HIST_SUB_BUCKETS_HALF_MAGNITUDE);
}

static int64_t hist_value_at_index(int index)
{
    int bucket = (index >> HIST_SUB_BUCKETS_HALF_MAGNITUDE) - 1;
    int sub = (index & ((1 << HIST_SUB_BUCKETS_HALF_MAGNITUDE) - 1)) +
              (1 << HIST_SUB_BUCKETS_HALF_MAGNITUDE);
    if (bucket < 0) {
        sub -= 1 << HIST_SUB_BUCKETS_HALF_MAGNITUDE;
        bucket = 0;
    }
    return (int64_t)sub << bucket;
}

/* The top of value's bucket: the largest value counted with it. */
static int64_t hist_highest_equivalent(int64_t value)
{
    int bucket = hist_bucket_index(value);
    int64_t lowest = (value >> bucket) << bucket;
    return lowest + ((int64_t)1 << bucket) - 1;
}

static int64_t hist_lowest_equivalent(int64_t value)
{
    int bucket = hist_bucket_index(value);
    return (value >> bucket) << bucket;
}

void latency_histogram_record(struct latency_histogram *h, int64_t value_ns)
{
    if (value_ns < LATENCY_HISTOGRAM_MIN_NS)
        value_ns = LATENCY_HISTOGRAM_MIN_NS;
    if (value_ns > LATENCY_HISTOGRAM_MAX_NS)
        value_ns = LATENCY_HISTOGRAM_MAX_NS;
    int index = hist_counts_index(value_ns);
    assert(index >= 0 && index < LATENCY_HISTOGRAM_COUNTS);
    h->counts[index]++;
    h->total++;
}

int64_t latency_histogram_percentile(const struct latency_histogram *h, double percentile)
{
    double p = percentile < 100.0 ? percentile : 100.0;
    uint64_t wanted = (uint64_t)((p / 100.0) * (double)h->total + 0.5);
    if (wanted < 1)
        wanted = 1;
    uint64_t seen = 0;
    int64_t value = 0;
    for (int i = 0; i < LATENCY_HISTOGRAM_COUNTS; i++) {
        seen += h->counts[i];
        if (seen >= wanted) {
            value = hist_value_at_index(i);
            break;
        }
    }
    return percentile == 0.0 ? hist_lowest_equivalent(value ? value : 1)
                             : hist_highest_equivalent(value ? value : 1);
}

int latency_histogram_rows(const struct latency_histogram *h,
                           void (*row)(int64_t usec, uint64_t cumulative, void *ctx), void *ctx)
{
    /* HdrHistogram's logarithmic iteration from 1024 ns, base 2: each step
     * stops at the first counter at or past the level and reports that
     * counter's top with the count up to and including it. */
    int rows = 0, index = -1;
    uint64_t cumulative = 0, reported = 0;
    for (int64_t level = 1024; cumulative < h->total || index < 0; level *= 2) {
        int64_t level_lowest = hist_lowest_equivalent(level);
        while (index + 1 < LATENCY_HISTOGRAM_COUNTS &&
               (index < 0 || hist_value_at_index(index) < level_lowest)) {
            index++;
            cumulative += h->counts[index];
        }
        if (cumulative > reported) {
            row(hist_highest_equivalent(hist_value_at_index(index)) / 1000, cumulative, ctx);
            reported = cumulative;
            rows++;
        }
        if (index + 1 >= LATENCY_HISTOGRAM_COUNTS)
            break;
    }
    return rows;
}
