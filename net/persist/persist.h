/* persist.h: persistence's state: the AOF, RDB saves, fork children and
 * start-up loading.
 *
 * The layer sits on the wire (net/wire/: it shares the loop's ring with
 * the AOF writer and releases held replies through the loop's holds) and on
 * uring/ and engine/. It never calls a command: an AOF is replayed through
 * the replayer the layer above installs. */
#ifndef RINGKV_NET_PERSIST_PERSIST_H
#define RINGKV_NET_PERSIST_PERSIST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/db.h"
#include "engine/library_codes.h"
#include "net/core/log.h"
#include "net/persist/aof.h"
#include "net/wire/loop.h"
#include "net/wire/resp.h"

/* How the AOF's commands are run when it is loaded: through a fake client
 * of the command layer, which persistence sees only as a session pointer. */
struct persist_replayer {
    void *ctx; /* borrowed */
    /* Returns a new session (owned by the replayer until close). */
    void *(*open)(void *ctx);
    /* Runs one command (argv borrowed for the call); false, running
     * nothing, when the command is unknown. */
    bool (*run)(void *session, int argc, struct resp_arg *argv);
    /* A file ended: an unfinished MULTI is discarded. */
    void (*reset)(void *session);
    void (*close)(void *session);
};

/* Start-up loading: while the dataset loads, clients can connect; INFO
 * reports the progress and most commands get -LOADING. */
struct loading_state {
    bool active;
    bool serve_clients;          /* start-up only: DEBUG RELOAD serves nobody */
    int64_t start_ms;
    long long total_bytes;
    long long done_bytes;        /* files finished before the current one */
    long long loaded_bytes;      /* done_bytes + the current file's progress */
    long long rdb_used_mem;
    int64_t last_serve_ms;
};

/* ---- Fork children ----
 *
 * Every child (BGSAVE, AOF rewrite, and any later one) goes through the
 * same steps, which give INFO Redis 7.0's live current_* fields:
 *
 *   parent, just before fork()    persist_child_forking(p, kind): opens the
 *                                 report pipe, notes the keyspace's size
 *                                 (current_save_keys_total) and zeroes the
 *                                 current_* figures
 *   child, first thing            persist_child_init(p): signals,
 *                                 listeners, lower CPU and I/O priority
 *   child, while it walks keys    persist_child_key_delay(p) after each key
 *                                 (rdb-key-save-delay, a test hook; a no-op
 *                                 at 0) and persist_child_progress(p,
 *                                 keys_done) at least every
 *                                 PERSIST_CHILD_PROGRESS_KEYS keys
 *   child, once it succeeded      persist_child_info_send(p): the final
 *                                 copy-on-write measure, and its log line
 *   parent, every tick            persist_child_info_poll(p) (aof_cron
 *                                 calls it): reads whatever reports came,
 *                                 never blocking
 *   parent, after reaping         persist_child_info_receive(p): reads the
 *                                 rest, returns rdb_last_cow_size /
 *                                 aof_last_cow_size, zeroes current_*
 *
 * The pipe carries fixed-size records (struct persist_child_record in
 * persist.c, smaller than PIPE_BUF so each write is atomic: whole or not at
 * all). Both ends are non-blocking; a report that does not fit a full pipe
 * is dropped, so the child never waits for the parent. */

/* What a child is for; names its copy-on-write log line ("RDB", "AOF
 * rewrite"), as Redis does. */
enum persist_child_kind { PERSIST_CHILD_RDB = 0, PERSIST_CHILD_AOF_REWRITE = 1 };

/* Keys between two persist_child_progress calls at most: the walk checks
 * the clock only that often, as Redis's rdbSaveRio does every 1024 keys. */
#define PERSIST_CHILD_PROGRESS_KEYS 1024
/* A child reports its progress at most this often. */
#define PERSIST_CHILD_REPORT_INTERVAL_MS 1000
/* Reading /proc/self/smaps_rollup costs time in proportion to the child's
 * mappings: a child spends at most 1/PERSIST_CHILD_COW_DUTY_CYCLE of its
 * time on it (Redis's CHILD_COW_DUTY_CYCLE); a report in between repeats
 * the last measure with its age. */
#define PERSIST_CHILD_COW_DUTY_CYCLE 100

/* The parent's view of the running child, from its reports: what INFO
 * shows as current_* (all zero while no child runs). */
struct persist_child_stats {
    uint64_t keys_total;          /* keys in the keyspace at fork */
    uint64_t keys_processed;      /* from the newest progress report */
    uint64_t cow_bytes;           /* the newest copy-on-write measure */
    uint64_t cow_peak_bytes;      /* the largest measure so far, the final one included */
    int64_t cow_measured_mono_ms; /* CLOCK_MONOTONIC ms of cow_bytes; 0: none yet */
    bool final_received;          /* the child's last report (persist_child_info_send) came */
};

/* The child's side, in its own copy of struct persist: the throttles and
 * the figures for its log line. */
struct persist_child_reporter {
    enum persist_child_kind kind; /* set by the parent before fork */
    uint64_t reports;             /* progress records sent or dropped */
    int64_t last_report_mono_ms;
    int64_t cow_read_mono_us;     /* when the last measure ended; 0: never */
    int64_t cow_read_cost_us;     /* what it cost */
    uint64_t cow_bytes;
    uint64_t cow_peak_bytes;
    uint64_t cow_sum_bytes;       /* for the average in the log line */
    uint64_t cow_reads;
};

/* INFO's current_* fields, ready to print (persist_child_current). */
struct persist_child_current {
    uint64_t cow_peak_bytes;
    uint64_t cow_bytes;
    uint64_t cow_age_s;           /* seconds since cow_bytes was measured; 0 if never */
    double fork_perc;             /* keys_processed / keys_total * 100; 0 when total is 0 */
    uint64_t keys_processed;
    uint64_t keys_total;
};

struct latency_monitor;

struct persist {
    const struct config *config; /* borrowed */
    /* The server's latency monitor (net/core/latency.h), borrowed: forks
     * record the "fork" event. NULL in unit tests. */
    struct latency_monitor *latency;
    const struct log *log;       /* borrowed */
    struct keyspace *keyspace;   /* borrowed */
    struct loop *loop;           /* borrowed */
    struct persist_replayer replayer;
    /* The kernel the AOF writer talks to: NULL for the loop's io_uring. A
     * unit test puts uring/'s fake kernel (ring_fake) here, and a
     * wait_writer that steps it. Borrowed. */
    struct ring_sys *aof_ring;
    /* Runs writer completions until done(ctx) is true: NULL for
     * loop_wait_writer. */
    void (*wait_writer)(struct persist *p, bool (*done)(void *ctx), void *ctx);

    long long dirty;             /* changes since the last save */
    int64_t lastsave_s;

    /* RDB saving (rdb_save.c) */
    pid_t rdb_child_pid;                 /* the BGSAVE child, 0 when none runs */
    /* Replication info in RDB files (Redis's rdbSaveInfo). Before each
     * save (and fork) repl_save_info(repl_save_ctx) fills repl_save_*
     * (repl_save_id[0] == 0: none is written); a load of an RDB file keeps
     * what it found in repl_loaded_* (id "" when absent). */
    void (*repl_save_info)(void *ctx);
    void *repl_save_ctx;
    char repl_save_id[41];
    long long repl_save_offset;
    int repl_save_db;
    char repl_loaded_id[41];
    long long repl_loaded_offset;
    int repl_loaded_db;
    /* net/repl/'s diskless sync child (it reaps it itself), 0 when none */
    pid_t repl_child_pid;
    int64_t rdb_child_start_ms;
    long long rdb_dirty_before_bgsave;   /* dirty at fork time, subtracted on success */
    int64_t rdb_last_bgsave_try_s;       /* for the retry delay after a failure */
    bool rdb_last_bgsave_ok;             /* rdb_last_bgsave_status */
    bool rdb_bgsave_scheduled;           /* BGSAVE SCHEDULE waiting for the child slot */
    int64_t rdb_last_bgsave_time_s;      /* -1 before the first BGSAVE ended */
    long long rdb_saves;
    long long rdb_last_load_keys_loaded;
    long long rdb_last_load_keys_expired;
    long long rdb_last_cow_size;

    /* fork children (persist.c) */
    long long stat_total_forks;
    long long stat_latest_fork_usec;
    int child_info_pipe[2];              /* child -> parent: progress and copy-on-write reports */
    struct persist_child_stats child_stats;       /* parent: the running child's last report */
    struct persist_child_reporter child_reporter; /* child: its report throttles */
    /* A child said it could not lower its CPU or I/O priority: later
     * children stay silent about it (logged once per server). */
    bool child_priority_warned;

    struct aof_state aof;
    struct loading_state loading;

    /* Function libraries (net/commands/function.c fills these in): the
     * sources every RDB, DUMP-free save and AOF rewrite writes (borrowed,
     * kept current by their owner; NULL: none), and the compiler a load
     * hands each library record to (NULL: the records are skipped). */
    const struct library_codes *functions;
    bool (*function_load)(void *ctx, const char *code, size_t len, bool replace, char *err,
                          size_t err_len);
    /* Drops every library, before a file is loaded a second time. */
    void (*function_reset)(void *ctx);
    void *function_ctx; /* borrowed */
    /* Set by DEBUG RELOAD MERGE for its load: keys and libraries already
     * present are replaced (rdb_load_options.merge). */
    bool load_merge;
};

/* Waits for the AOF writer (see wait_writer). */
void persist_wait_writer(struct persist *p, bool (*done)(void *ctx), void *ctx);
/* Whether a child (BGSAVE or AOF rewrite) runs: one at a time. */
bool persist_child_running(const struct persist *p);
/* In the parent, just before fork(): opens the report pipe (a stale one
 * is drained and closed first), records kind for the child and the
 * keyspace's key count as current_save_keys_total, and zeroes the other
 * current_* figures. A failed pipe leaves reports off for this child. */
void persist_child_forking(struct persist *p, enum persist_child_kind kind);
/* The same for a BGSAVE child: persist_child_forking(p, PERSIST_CHILD_RDB). */
void persist_child_info_open(struct persist *p);
/* In a freshly forked child, first thing: unblocks the signals the parent
 * reads from its signalfd (a kill must end the child), closes the
 * listeners, resets the report throttles, and lowers the child's priority
 * so the parent's event loop wins the CPU and the disk: child-sched-policy
 * (SCHED_BATCH by default), child-nice added to the server's niceness,
 * child-ioprio (best-effort 7 by default). Threads the child creates later
 * inherit all three. A failure is logged once per server and ignored. */
void persist_child_init(struct persist *p);
/* In the child, while it walks the keyspace; keys_done counts the keys
 * visited so far (written or skipped as expired), across every database.
 * Call it at least every PERSIST_CHILD_PROGRESS_KEYS keys (calling after
 * every key is fine too): a call reads CLOCK_MONOTONIC and returns, except
 * when PERSIST_CHILD_REPORT_INTERVAL_MS passed since the last report (the
 * first call always reports): then it measures the copy-on-write bytes
 * (/proc/self/smaps_rollup, within the duty cycle) and writes one record,
 * dropped if the pipe is full. Not thread-safe: a child that encodes with
 * several threads calls it from one of them with the keys all threads
 * finished. */
void persist_child_progress(struct persist *p, uint64_t keys_done);
/* In the child, after each key: sleeps rdb-key-save-delay microseconds
 * (Redis's debugDelay: a negative -n sleeps 1 us with probability 1/n), the
 * hook tests use to make a child slow. Returns at once when it is 0. */
void persist_child_key_delay(const struct persist *p);
/* In the child, once the file is complete, just before _exit(0): measures
 * the copy-on-write bytes once more, logs Redis's "Fork CoW for ..." line
 * and sends the final record, whose peak becomes rdb_last_cow_size /
 * aof_last_cow_size. */
void persist_child_info_send(struct persist *p);
/* In the parent, from the tick: reads the reports that came (at most a
 * bounded number per call; never blocks) into p->child_stats. */
void persist_child_info_poll(struct persist *p);
/* In the parent, after reaping the child (or killing it): reads what is
 * left, closes the pipe and zeroes current_*. Returns the peak
 * copy-on-write bytes when the child's final record came, else 0. */
long long persist_child_info_receive(struct persist *p);
/* INFO's current_* fields: the running child's figures, all zero when no
 * child runs. */
void persist_child_current(const struct persist *p, struct persist_child_current *out);

/* Loading progress: start with the bytes to load; report the bytes of the
 * current file read so far (clients are served meanwhile when
 * loading.serve_clients); mark a file done; end. */
void persist_loading_start(struct persist *p, long long total_bytes);
void persist_loading_progress(struct persist *p, long long file_bytes);
void persist_loading_file_done(struct persist *p, long long file_bytes);
void persist_loading_end(struct persist *p);

#endif
