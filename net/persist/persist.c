/* persist.c: what the AOF and RDB saves share: fork children (one at a
 * time; their priority, progress and copy-on-write reports) and the
 * start-up loading progress.
 *
 * A child reports through a pipe opened before fork (persist.h lists the
 * steps). Each report is one struct persist_child_record written with a
 * single write(2): smaller than PIPE_BUF, so the kernel writes it whole or
 * not at all, and the reader, reading one record's size at a time, never
 * sees half of one. Both ends are O_NONBLOCK: a child whose parent stopped
 * reading loses reports instead of stalling its snapshot, and the parent's
 * tick reads until EAGAIN, never waiting for the child.
 *
 * Key invariant: the parent's current_* figures describe the child that
 * runs now; persist_child_forking and persist_child_info_receive zero them
 * at both ends of a child's life, and INFO shows zeros whenever no child
 * runs. */
#define _GNU_SOURCE /* pipe2 */
#include "net/persist/persist.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Clients are served at most this often while loading. */
#define PERSIST_LOADING_SERVE_INTERVAL_MS 10
/* Records the parent reads per poll: a second of reports is one record,
 * so this bounds the work of a tick far above what a child sends. */
#define PERSIST_CHILD_RECORDS_PER_POLL 64
/* After the child ended, what is left is at most a full pipe. */
#define PERSIST_CHILD_PIPE_BYTES_MAX (1024 * 1024)

/* ioprio_set(2) has no glibc wrapper; the values are the kernel's
 * (include/uapi/linux/ioprio.h). IOPRIO_WHO_PROCESS with 0 is the calling
 * thread; clone copies its I/O priority to the threads it creates. */
#define PERSIST_IOPRIO_WHO_PROCESS 1
#define PERSIST_IOPRIO_CLASS_BE 2
#define PERSIST_IOPRIO_CLASS_IDLE 3
#define PERSIST_IOPRIO_CLASS_SHIFT 13
#define PERSIST_IOPRIO_VALUE(class, level) (((class) << PERSIST_IOPRIO_CLASS_SHIFT) | (level))
/* The weakest niceness. */
#define PERSIST_NICE_MAX 19

enum persist_child_record_type {
    PERSIST_CHILD_RECORD_PROGRESS = 1, /* Redis's CHILD_INFO_TYPE_CURRENT_INFO */
    PERSIST_CHILD_RECORD_FINAL = 2,    /* its RDB/AOF_COW_SIZE: the child succeeded */
    PERSIST_CHILD_RECORD_PRIORITY_FAILED = 3, /* could not lower its priority (logged) */
};

/* One report. Both processes are the same binary, so the layout needs no
 * versioning; the fixed widths keep it the same size everywhere. */
struct persist_child_record {
    uint32_t type;                /* enum persist_child_record_type */
    uint32_t reserved;            /* 0 */
    uint64_t keys_processed;      /* PROGRESS only */
    uint64_t cow_bytes;           /* the child's Private_Dirty bytes */
    int64_t cow_measured_mono_ms; /* CLOCK_MONOTONIC ms of that measure (one clock for both) */
};

static_assert(sizeof(struct persist_child_record) == 32, "a record has no padding");
static_assert(sizeof(struct persist_child_record) <= PIPE_BUF,
              "a record must be written atomically");
static_assert(PERSIST_CHILD_PROGRESS_KEYS > 0, "the walk reports every so many keys");

static int64_t persist_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void persist_wait_writer(struct persist *p, bool (*done)(void *ctx), void *ctx)
{
    if (p->wait_writer)
        p->wait_writer(p, done, ctx);
    else
        loop_wait_writer(p->loop, done, ctx);
}

bool persist_child_running(const struct persist *p)
{
    return p->rdb_child_pid != 0 || p->aof.child_pid != 0 || p->repl_child_pid != 0;
}

/* Applies child-sched-policy, child-nice and child-ioprio to the calling
 * (only) thread of a new child; threads it creates later (the parallel RDB
 * encoder's) inherit all three. Returns NULL, or what failed (for the log).
 *
 * Why the defaults (batch, nice +10, best-effort 7). On a 2-core machine
 * the loop, the kernel's io_uring workers, the clients and the child share
 * two CPUs. Nice 10 weighs the child at 110 against the loop's 1024: when
 * both want one CPU the loop gets about 90% of it, and an idle CPU still
 * runs the child at full speed. SCHED_IDLE (weight 3) would let a busy loop
 * starve the snapshot, and a snapshot that does not end keeps its
 * copy-on-write memory growing. SCHED_BATCH adds what nice alone lacks: a
 * batch task does not preempt the running task when it wakes up (the
 * scheduler takes it for CPU-bound), so the child's many wake-ups (its ring
 * writes completing) never cut into a loop iteration, while the loop's
 * wake-ups (a client's bytes) still preempt the child. The price shows in
 * the worst case, a child that sleeps after every key (rdb-key-save-delay
 * 200): on the loaded 2-core test VM, a BGSAVE of 1000 such keys took
 * 0.37 s at normal / nice 0 and 2.1 s at batch / nice 10; an encoder that
 * computes rather than sleeps waits far less.
 *
 * I/O: best-effort 7 is the lowest level that is still served in turn. The
 * idle class is served only after the disk had no other I/O for a while,
 * so under a steady AOF (`always` writes every millisecond or so) a
 * snapshot could wait forever. I/O priorities count only where the block
 * scheduler honours them (BFQ; mq-deadline honours the class, not the
 * level; `none` ignores them), and they cover the child's own direct
 * writes, reads and sync waits: buffered pages are written back by the
 * kernel's flusher threads at their priority. */
static const char *persist_child_lower_priority(const struct config *cfg, int *err)
{
    if (cfg->child_sched_policy != CHILD_SCHED_NORMAL) {
        /* Lowering the policy needs no privilege. The niceness survives
         * the change: sched_setscheduler leaves it to setpriority. */
        struct sched_param param = {.sched_priority = 0};
        int policy = cfg->child_sched_policy == CHILD_SCHED_IDLE ? SCHED_IDLE : SCHED_BATCH;
        if (sched_setscheduler(0, policy, &param) < 0) {
            *err = errno;
            return "sched_setscheduler";
        }
    }
    if (cfg->child_nice > 0) {
        /* Relative to the server's own niceness, as nice(1) is. */
        errno = 0;
        int now = getpriority(PRIO_PROCESS, 0);
        if (now == -1 && errno != 0) {
            *err = errno;
            return "getpriority";
        }
        int target = now + cfg->child_nice > PERSIST_NICE_MAX ? PERSIST_NICE_MAX
                                                               : now + cfg->child_nice;
        if (target > now && setpriority(PRIO_PROCESS, 0, target) < 0) {
            *err = errno;
            return "setpriority";
        }
    }
    if (cfg->child_ioprio != CHILD_IOPRIO_INHERIT) {
        int value = cfg->child_ioprio == CHILD_IOPRIO_IDLE
                        ? PERSIST_IOPRIO_VALUE(PERSIST_IOPRIO_CLASS_IDLE, 0)
                        : PERSIST_IOPRIO_VALUE(PERSIST_IOPRIO_CLASS_BE, cfg->child_ioprio);
        if (syscall(SYS_ioprio_set, PERSIST_IOPRIO_WHO_PROCESS, 0, value) < 0) {
            *err = errno;
            return "ioprio_set";
        }
    }
    return NULL;
}

static void persist_child_write_record(struct persist *p, const struct persist_child_record *r)
{
    assert(r->type >= PERSIST_CHILD_RECORD_PROGRESS);
    assert(r->type <= PERSIST_CHILD_RECORD_PRIORITY_FAILED);
    if (p->child_info_pipe[1] <= 0)
        return;
    /* Whole or nothing (PIPE_BUF); EAGAIN on a full pipe drops it. */
    ssize_t ignored = write(p->child_info_pipe[1], r, sizeof(*r));
    (void)ignored;
}

void persist_child_init(struct persist *p)
{
    /* The parent blocks SIGTERM/SIGINT for its signalfd; the child must
     * die of them (a kill of the child is how a save is aborted). */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_UNBLOCK, &mask, NULL);
    for (int i = 0; i < p->loop->listener_count; i++)
        close(p->loop->listeners[i].fd);
    enum persist_child_kind kind = p->child_reporter.kind;
    p->child_reporter = (struct persist_child_reporter){.kind = kind};
    int err = 0;
    const char *failed = persist_child_lower_priority(p->config, &err);
    if (failed != NULL && !p->child_priority_warned) {
        log_write(p->log, LOGLEVEL_WARNING,
                  "Can't lower the priority of the background child (%s: %s); it runs at the "
                  "server's priority. Not logged again.",
                  failed, strerror(err));
        struct persist_child_record r = {.type = PERSIST_CHILD_RECORD_PRIORITY_FAILED};
        persist_child_write_record(p, &r);
    }
}

void persist_loading_start(struct persist *p, long long total_bytes)
{
    struct loading_state *l = &p->loading;
    if (!l->active) {
        l->active = true;
        l->start_ms = log_clock_ms();
        l->done_bytes = l->loaded_bytes = 0;
        l->last_serve_ms = l->start_ms;
    }
    l->total_bytes = total_bytes;
}

void persist_loading_progress(struct persist *p, long long file_bytes)
{
    struct loading_state *l = &p->loading;
    if (!l->active)
        return;
    l->loaded_bytes = l->done_bytes + file_bytes;
    if (!l->serve_clients)
        return;
    int64_t now = log_clock_ms();
    if (now - l->last_serve_ms < PERSIST_LOADING_SERVE_INTERVAL_MS)
        return;
    l->last_serve_ms = now;
    loop_serve_once(p->loop);
}

void persist_loading_file_done(struct persist *p, long long file_bytes)
{
    p->loading.done_bytes += file_bytes;
    p->loading.loaded_bytes = p->loading.done_bytes;
}

void persist_loading_end(struct persist *p)
{
    p->loading.active = false;
}

void persist_child_forking(struct persist *p, enum persist_child_kind kind)
{
    if (p->child_info_pipe[0] > 0)
        persist_child_info_receive(p); /* a stale pipe: drop it */
    if (pipe2(p->child_info_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        p->child_info_pipe[0] = p->child_info_pipe[1] = 0;
    p->child_stats = (struct persist_child_stats){
        .keys_total = p->keyspace ? keyspace_key_count(p->keyspace) : 0,
    };
    p->child_reporter = (struct persist_child_reporter){.kind = kind};
}

void persist_child_info_open(struct persist *p)
{
    persist_child_forking(p, PERSIST_CHILD_RDB);
}

/* Sums the Private_Dirty of this process: the pages it no longer shares
 * with its parent (what Redis reports as the child's COW size). */
static long long persist_private_dirty_bytes(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (!f)
        return 0;
    char line[256];
    long long kb = 0, total = 0;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "Private_Dirty: %lld kB", &kb) == 1)
            total += kb;
    fclose(f);
    return total * 1024;
}

/* Measures the copy-on-write bytes into the reporter, unless force is
 * false and the duty cycle says the last measure is recent enough for
 * what it cost. */
static void persist_child_measure_cow(struct persist_child_reporter *r, bool force)
{
    int64_t start_us = persist_mono_us();
    if (!force && r->cow_read_mono_us != 0 &&
        start_us - r->cow_read_mono_us <= r->cow_read_cost_us * PERSIST_CHILD_COW_DUTY_CYCLE)
        return;
    long long cow = persist_private_dirty_bytes();
    r->cow_read_mono_us = persist_mono_us();
    r->cow_read_cost_us = r->cow_read_mono_us - start_us;
    r->cow_bytes = cow > 0 ? (uint64_t)cow : 0;
    if (r->cow_bytes > r->cow_peak_bytes)
        r->cow_peak_bytes = r->cow_bytes;
    r->cow_sum_bytes += r->cow_bytes;
    r->cow_reads++;
    assert(r->cow_read_mono_us > 0);
}

static const char *persist_child_kind_name(enum persist_child_kind kind)
{
    return kind == PERSIST_CHILD_AOF_REWRITE ? "AOF rewrite" : "RDB";
}

static void persist_child_log_cow(const struct persist *p, enum loglevel level)
{
    const struct persist_child_reporter *r = &p->child_reporter;
    assert(r->cow_reads > 0);
    log_write(p->log, level, "Fork CoW for %s: current %llu MB, peak %llu MB, average %llu MB",
              persist_child_kind_name(r->kind), (unsigned long long)(r->cow_bytes >> 20),
              (unsigned long long)(r->cow_peak_bytes >> 20),
              (unsigned long long)((r->cow_sum_bytes / r->cow_reads) >> 20));
}

void persist_child_progress(struct persist *p, uint64_t keys_done)
{
    struct persist_child_reporter *r = &p->child_reporter;
    int64_t now_ms = persist_mono_us() / 1000;
    if (r->reports > 0 && now_ms - r->last_report_mono_ms < PERSIST_CHILD_REPORT_INTERVAL_MS)
        return;
    r->reports++;
    r->last_report_mono_ms = now_ms;
    uint64_t reads_before = r->cow_reads;
    persist_child_measure_cow(r, false);
    if (r->cow_reads != reads_before && r->cow_bytes > 0)
        persist_child_log_cow(p, LOGLEVEL_VERBOSE);
    struct persist_child_record rec = {
        .type = PERSIST_CHILD_RECORD_PROGRESS,
        .keys_processed = keys_done,
        .cow_bytes = r->cow_bytes,
        .cow_measured_mono_ms = r->cow_read_mono_us / 1000,
    };
    persist_child_write_record(p, &rec);
}

void persist_child_key_delay(const struct persist *p)
{
    int usec = p->config->rdb_key_save_delay;
    if (usec == 0)
        return;
    /* Even the shortest sleep is a context switch: a negative value sleeps
     * one microsecond for one key in -usec on average. */
    if (usec < 0)
        usec = rand() % -(long long)usec == 0 ? 1 : 0;
    if (usec > 0)
        usleep((useconds_t)usec);
}

void persist_child_info_send(struct persist *p)
{
    struct persist_child_reporter *r = &p->child_reporter;
    persist_child_measure_cow(r, true);
    persist_child_log_cow(p, LOGLEVEL_NOTICE);
    struct persist_child_record rec = {
        .type = PERSIST_CHILD_RECORD_FINAL,
        .cow_bytes = r->cow_bytes,
        .cow_measured_mono_ms = r->cow_read_mono_us / 1000,
    };
    persist_child_write_record(p, &rec);
}

/* Folds one report into the parent's view; Redis's updateChildInfo. */
static void persist_child_apply(struct persist *p, const struct persist_child_record *r)
{
    struct persist_child_stats *st = &p->child_stats;
    if (r->type == PERSIST_CHILD_RECORD_PRIORITY_FAILED) {
        p->child_priority_warned = true;
        return;
    }
    if (r->cow_bytes > st->cow_peak_bytes)
        st->cow_peak_bytes = r->cow_bytes;
    if (r->type == PERSIST_CHILD_RECORD_PROGRESS) {
        st->cow_bytes = r->cow_bytes;
        st->cow_measured_mono_ms = r->cow_measured_mono_ms;
        st->keys_processed = r->keys_processed;
    } else if (r->type == PERSIST_CHILD_RECORD_FINAL) {
        st->final_received = true;
    }
}

/* Reads up to max_records whole records; returns false once the pipe is
 * empty (or broken). */
static bool persist_child_read_records(struct persist *p, int max_records)
{
    if (p->child_info_pipe[0] <= 0)
        return false;
    for (int i = 0; i < max_records; i++) {
        struct persist_child_record r;
        ssize_t n = read(p->child_info_pipe[0], &r, sizeof(r));
        if (n < 0 && errno == EINTR)
            continue;
        /* Whole records only (PIPE_BUF); anything else is our own bug,
         * but the parent is not the place to crash for a statistic. */
        if (n != (ssize_t)sizeof(r) || r.type < PERSIST_CHILD_RECORD_PROGRESS ||
            r.type > PERSIST_CHILD_RECORD_PRIORITY_FAILED)
            return false;
        persist_child_apply(p, &r);
    }
    return true;
}

void persist_child_info_poll(struct persist *p)
{
    if (!persist_child_running(p))
        return;
    persist_child_read_records(p, PERSIST_CHILD_RECORDS_PER_POLL);
}

long long persist_child_info_receive(struct persist *p)
{
    if (p->child_info_pipe[0] <= 0) {
        p->child_stats = (struct persist_child_stats){0};
        return 0;
    }
    persist_child_read_records(
        p, PERSIST_CHILD_PIPE_BYTES_MAX / (int)sizeof(struct persist_child_record));
    long long cow = p->child_stats.final_received ? (long long)p->child_stats.cow_peak_bytes : 0;
    close(p->child_info_pipe[0]);
    close(p->child_info_pipe[1]);
    p->child_info_pipe[0] = p->child_info_pipe[1] = 0;
    p->child_stats = (struct persist_child_stats){0};
    return cow;
}

void persist_child_current(const struct persist *p, struct persist_child_current *out)
{
    *out = (struct persist_child_current){0};
    if (!persist_child_running(p))
        return;
    const struct persist_child_stats *st = &p->child_stats;
    out->cow_peak_bytes = st->cow_peak_bytes;
    out->cow_bytes = st->cow_bytes;
    if (st->cow_measured_mono_ms != 0) {
        int64_t age_ms = persist_mono_us() / 1000 - st->cow_measured_mono_ms;
        out->cow_age_s = age_ms > 0 ? (uint64_t)age_ms / 1000 : 0;
    }
    out->keys_processed = st->keys_processed;
    out->keys_total = st->keys_total;
    if (st->keys_total > 0)
        out->fork_perc = (double)st->keys_processed / (double)st->keys_total * 100.0;
}
