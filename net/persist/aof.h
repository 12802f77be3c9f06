/* aof.h: the running append-only file (aof.c) and its loading (aof_load.c).
 *
 * Appends go to the iteration's staging buffer (aof_feed) and, before the
 * replies of that iteration leave, to the ring writer (uring/ring_writer.h) as
 * one batch (aof_before_replies); the writer's completions release the
 * replies whose bytes are durable (always) or written (everysec, no) through
 * the loop's holds (conn_release_holds). Rewrites run in a forked child; the
 * multi-part layout and the manifest are engine/aof_manifest.h's. */
#ifndef RINGKV_NET_PERSIST_AOF_H
#define RINGKV_NET_PERSIST_AOF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/aof_encode.h"
#include "engine/aof_manifest.h"
#include "net/persist/aof_log.h"
#include "uring/ring.h"
#include "uring/ring_inject.h"

struct persist;
struct buf;

enum aof_status {
    AOF_OFF = 0,
    AOF_ON,
    AOF_WAIT_REWRITE, /* CONFIG SET appendonly yes: ON once the first rewrite ends */
};

/* The append-only file (aof.c). */
struct aof_state {
    enum aof_status status;
    struct aof_manifest manifest;
    int fd;                            /* the INCR being appended to, -1 if none */
    struct ring_uring uring;           /* wraps the event loop's ring */
    struct ring_inject inject;         /* wraps uring; the writer's ring_sys (fault tests) */
    struct aof_log log;                /* the INCR's writer (log.open: there is one) */
    struct aof_buffer staging;         /* records of this loop iteration */
    struct aof_select_state select;
    long long last_ts_s;               /* aof-timestamp-enabled: last #TS written */
    uint64_t batch_seq;                /* last batch sequence number in the current incr; 0 if none */
    size_t oversize_left;              /* log.oversize: bytes of the big unit not yet handed over */
    long long base_size;               /* bytes of the BASE */
    long long rewrite_base_size;       /* base + incr after the last rewrite */
    long long closed_incr_size;        /* bytes of INCRs before the current one */
    /* errors */
    int error;                         /* -errno of a failed write/fsync, 0 if fine */
    int64_t error_since_ms;
    int64_t last_retry_ms;
    int64_t last_error_log_ms;
    int last_logged_error;             /* the -errno last logged, 0 after a recovery */
    bool retried;                      /* a retry began; "looks solved" once it proves itself */
    /* Writes (and PING) are refused with this -errno from the failure until
     * a retry proves itself: the AOF has everything the writer held when
     * the retry began (retry_target), durable under always, written
     * otherwise. 0 when writes are accepted; set whenever error is. */
    int refused_error;
    uint64_t retry_target;
    /* Changes whenever offsets start again (the writer opened, retargeted
     * or closed): an offset kept from before means nothing after it. */
    uint64_t epoch;
    /* everysec */
    int64_t fsync_pending_since_ms;    /* written > durable since then, 0 if not */
    long long delayed_fsync;
    /* stats: fdatasyncs completed and records they covered */
    long long fsyncs;
    long long records_logged;
    uint64_t last_durable;
    /* aof-write-inline auto: when a reply last left without waiting */
    int64_t last_unheld_reply_ms;
    /* back-pressure: clients wait (conn_pause) until the writer drains */
    bool congested;
    /* rewrite */
    pid_t child_pid;
    int64_t child_start_ms;
    bool rewrite_scheduled;
    bool last_rewrite_ok;
    long long last_rewrite_time_s;     /* -1 before the first */
    long long rewrites;
    long long consecutive_failures;
    long long last_cow_size;
    int64_t next_auto_rewrite_ms;      /* backoff after failures */
    bool loading;
    /* Replies wait (AOF_BARRIER_NEXT_BASE) for data that only the next
     * installed base makes durable. */
    bool base_owed;
    /* The INCR lost bytes the writer no longer holds (a failed fsync under
     * no): writes stay refused until a rewrite rebuilds the AOF. */
    bool rebuild;
    /* Replies held at or below this offset were produced under always and
     * wait for durability even after a switch to everysec or no. */
    uint64_t durable_required_until;
    /* Replies held at or below this offset when a write failed (everysec,
     * no): they still wait for their bytes to be written, while replies
     * produced after the error go out (reads keep being served). */
    uint64_t written_required_until;
};

/* Start-up with appendonly yes: loads the AOF (or, when there is none yet,
 * dump.rdb, which becomes the base), then opens the INCR for appending.
 * Returns 0, or -1 with the reason in err. */
int aof_startup(struct persist *p, char *err, size_t err_len);
/* Appends one record for db_id to this iteration's batch, preceded by a
 * SELECT when the db changes. command: count it in the stats. */
void aof_feed(struct persist *p, int db_id, const char *rec, size_t len, bool command);
/* A barrier no INCR offset reaches: the replies wait until the next
 * rewrite is installed and everything logged before is durable (the first
 * base after CONFIG SET appendonly yes, or the rebuild of a damaged AOF).
 * Being the largest value, it also dominates when holds are merged. */
#define AOF_BARRIER_NEXT_BASE UINT64_MAX
/* Before replies go out: hands the iteration's batch to the ring writer.
 * Returns the AOF offset (or AOF_BARRIER_NEXT_BASE) that replies produced
 * so far must wait for (see aof_reply_ready), or 0 when they may go out at
 * once. */
uint64_t aof_before_replies(struct persist *p);
/* Whether replies waiting for the AOF up to offset may leave (durable
 * under always, written under everysec and no). */
bool aof_reply_ready(const struct persist *p, uint64_t offset);
/* The token a reply produced now waits for if it may have seen everything
 * logged so far (staged records included): the logical end, or
 * AOF_BARRIER_NEXT_BASE, or 0 when that is ready already (and when no AOF
 * is written). Tokens only grow within one aof_token_epoch. */
uint64_t aof_token_now(const struct persist *p);
/* The generation of the offsets tokens are made of (see aof_state.epoch). */
uint64_t aof_token_epoch(const struct persist *p);
/* WAITAOF (Redis 7.2): the offset everything logged so far ends at
 * (staged records included), 0 when no AOF is written; with
 * aof_token_epoch it names a client's last write. */
uint64_t aof_write_offset(const struct persist *p);
/* Whether the write that ended at offset in epoch is fsynced in an AOF a
 * restart loads: false while the AOF is off or waits for its first base;
 * an older epoch's offsets were made durable when the offsets started
 * again, or wait for the next base (base_owed). Only an fdatasync that
 * succeeded counts (aof_log_durable). */
bool aof_fsynced(const struct persist *p, uint64_t epoch, uint64_t offset);
/* A reply went out without waiting for the AOF (aof-write-inline auto
 * keeps the loop free while that happens). */
void aof_note_reply_not_held(struct persist *p);
/* The tick: everysec fsync, error retry, rewrite child, automatic rewrite. */
void aof_cron(struct persist *p);
/* Shutdown: writes and fsyncs everything, kills a rewrite child. */
void aof_shutdown(struct persist *p);
void aof_free(struct persist *p);
/* Errors writing the AOF refuse writes: fills msg with the MISCONF error. */
bool aof_writes_denied(const struct persist *p, char *msg, size_t msg_len);
/* Back-pressure: the AOF cannot take more now; clients wait (conn_pause)
 * and the AOF resumes them when it drains (conn_unpause_all). */
bool aof_congested(const struct persist *p);
/* Kills a running rewrite child and removes its temp file. */
void aof_kill_child(struct persist *p);
/* BGREWRITEAOF: starts a rewrite child now, or schedules one (schedule_only,
 * or another child runs), or fails with err filled. */
enum aof_rewrite_outcome { AOF_REWRITE_STARTED, AOF_REWRITE_SCHEDULED, AOF_REWRITE_FAILED };
enum aof_rewrite_outcome aof_rewrite_request(struct persist *p, bool schedule_only, char *err,
                                             size_t err_len);
/* CONFIG SET appendonly / appendfsync. Returns 0 or -1 with err. */
int aof_set_enabled(struct persist *p, bool on, char *err, size_t err_len);
void aof_set_fsync_policy(struct persist *p);
/* INFO persistence's aof_* lines. */
void aof_info(struct persist *p, struct buf *b);
/* DEBUG LOADAOF: makes the AOF durable, empties the keyspace and loads it
 * again. Returns 0 or -1 with err. */
int aof_debug_reload(struct persist *p, char *err, size_t err_len);

#endif
