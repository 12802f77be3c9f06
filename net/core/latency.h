/* latency.h: Redis 7.0's latency monitor and per-command latency
 * histograms, as data structures with no I/O.
 *
 * The monitor keeps, for each named event ("command", "fast-command",
 * "fork", "expire-cycle", ...), its last LATENCY_SAMPLES_MAX samples of at
 * most one per second (the worst one of that second) and its all-time
 * worst; code that times a step calls latency_monitor_add_if_needed, which
 * costs a branch while latency-monitor-threshold is 0. LATENCY LATEST,
 * HISTORY, GRAPH, RESET and DOCTOR read it (net/server/cmd_latency.c).
 *
 * The histogram has HdrHistogram's layout at 2 significant figures over
 * 1 ns .. 1 s (the one Redis 7.0 gives each command), so LATENCY HISTOGRAM
 * buckets and INFO latencystats percentiles come out as Redis's do. Kept in
 * net/core so every net layer (persistence, commands, server) can record. */
#ifndef RINGKV_NET_CORE_LATENCY_H
#define RINGKV_NET_CORE_LATENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LATENCY_SAMPLES_MAX 160    /* Redis's LATENCY_TS_LEN */
#define LATENCY_EVENT_NAME_BYTES 64

struct latency_sample {
    int64_t time_s;     /* unix time; 0: an unused slot */
    int64_t latency_ms;
};

struct latency_event {
    char name[LATENCY_EVENT_NAME_BYTES];
    int next;            /* the slot the next new second goes to */
    int64_t max_ms;      /* all-time worst, kept until the event is reset */
    struct latency_sample samples[LATENCY_SAMPLES_MAX];
};

struct latency_monitor {
    struct latency_event *events; /* owned array, in the order events first happened */
    int count, cap;
};

void latency_monitor_init(struct latency_monitor *m);
void latency_monitor_free(struct latency_monitor *m);
/* Records latency_ms for event (a constant name) now: a new sample, or the
 * worse of two in the same second. */
void latency_monitor_add(struct latency_monitor *m, const char *event, int64_t latency_ms);
/* Redis's latencyAddSampleIfNeeded: only when the monitor is on
 * (threshold_ms > 0) and the step took at least threshold_ms. */
static inline void latency_monitor_add_if_needed(struct latency_monitor *m, long long threshold_ms,
                                                 const char *event, int64_t latency_ms)
{
    if (threshold_ms > 0 && latency_ms >= threshold_ms)
        latency_monitor_add(m, event, latency_ms);
}
/* The event named exactly name (case-sensitive, as Redis's dict), or NULL. */
const struct latency_event *latency_monitor_find(const struct latency_monitor *m, const char *name,
                                                 size_t len);
/* Forgets the events named name, ignoring case (NULL: every event).
 * Returns how many were forgotten. */
int latency_monitor_reset(struct latency_monitor *m, const char *name, size_t len);
/* The newest sample of e. */
const struct latency_sample *latency_event_latest(const struct latency_event *e);

/* HdrHistogram at 2 significant figures: 256 sub-buckets, values 1 ns to
 * 1 s, 3072 counters (24 KiB; allocated when a command first runs). */
#define LATENCY_HISTOGRAM_MIN_NS 1
#define LATENCY_HISTOGRAM_MAX_NS 1000000000LL
#define LATENCY_HISTOGRAM_COUNTS 3072

struct latency_histogram {
    uint64_t total;
    uint64_t counts[LATENCY_HISTOGRAM_COUNTS];
};

/* Records one value in ns, clamped to the histogram's range. */
void latency_histogram_record(struct latency_histogram *h, int64_t value_ns);
/* HdrHistogram's value at percentile (0..100), in ns: the top of the
 * bucket where the cumulative count reaches it (its bottom for 0). */
int64_t latency_histogram_percentile(const struct latency_histogram *h, double percentile);
/* LATENCY HISTOGRAM's rows: for each bucket a power of two from 1024 ns,
 * its top in microseconds and the cumulative count there, only where the
 * count grew, until every value is counted. Calls row once per row and
 * returns how many. */
int latency_histogram_rows(const struct latency_histogram *h,
                           void (*row)(int64_t usec, uint64_t cumulative, void *ctx), void *ctx);

#endif
