/* server.h: the server's state, and the client (one connection).
 *
 * net/server.c builds one `struct server` in main and passes it down; there
 * are no other globals. Command handlers receive the client and reach the
 * server through c->server.
 *
 * A client's life: accepted (loop.c arms a multishot receive), bytes arrive
 * and are appended to its query buffer, client.c parses and runs each whole
 * command (command.c), replies accumulate in `out`, and before the loop
 * sleeps every client with pending output gets one send. At most one send
 * and one receive are in flight per client; a closing client is freed only
 * when both have completed. */
#ifndef RINGKV_NET_SERVER_H
#define RINGKV_NET_SERVER_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "engine/aof_encode.h"
#include "engine/aof_manifest.h"
#include "engine/db.h"
#include "engine/dict.h"
#include "net/core/config.h"
#include "net/commands/keymap.h"
#include "net/commands/reply.h"
#include "net/wire/resp.h"
#include "uring/ring.h"
#include "uring/ring_inject.h"
#include "uring/writer.h"

#define SERVER_VERSION "0.1.0"        /* ringkv_version */
#define SERVER_REDIS_VERSION "7.0.15" /* the Redis compatibility level clients check */
/* Ring entries: submissions per loop iteration are bounded by this; the
 * loop submits early when the SQ fills. The CQ is 4x (IORING_SETUP_CQSIZE). */
#define SERVER_RING_ENTRIES 4096
/* Provided receive buffers: count and size. A receive holds one only until
 * its bytes are copied into the client's query buffer. */
#define SERVER_RECV_BUFFERS 1024
#define SERVER_RECV_BUFFER_BYTES (16 * 1024)
/* File descriptors reserved beyond maxclients (listeners, files, signalfd). */
#define SERVER_RESERVED_FDS 32
#define SERVER_LISTENERS_MAX 16
/* Query buffer growth step when no bulk length is known. */
#define CLIENT_QUERY_CHUNK_BYTES (16 * 1024)
/* Redis's PROTO_MBULK_BIG_ARG: bulks this large get an exact-size buffer. */
#define CLIENT_BIG_ARG_BYTES (32 * 1024)
#define CLIENT_NAME_BYTES_MAX 1024

struct server;
struct command;

/* An io_uring operation owned by someone; user_data points at it. */
struct loop_op {
    void (*done)(struct loop_op *op, struct io_uring_cqe *cqe); /* runs from the loop's drain step */
};

enum client_flag {
    CLIENT_CLOSE_AFTER_REPLY = 1 << 0, /* QUIT, protocol error: close once out is sent */
    CLIENT_CLOSING = 1 << 1,           /* waiting for in-flight ops before the free */
    CLIENT_MONITOR = 1 << 2,
    CLIENT_PENDING_WRITE = 1 << 3,     /* on server->pending_writes */
    CLIENT_MULTI = 1 << 4,             /* inside MULTI: commands are queued */
    CLIENT_DIRTY_EXEC = 1 << 5,        /* a command failed to queue: EXEC aborts */
    CLIENT_NO_EVICT = 1 << 6,
    CLIENT_FAKE = 1 << 7,              /* not a connection: AOF loading, tests */
    CLIENT_DIRTY_CAS = 1 << 8,         /* a watched key changed: EXEC replies null */
    /* Set while EXEC runs the queue: a blocking command (BLPOP...) must not
     * block but answer as if its timeout had passed, as in Redis. */
    CLIENT_DENY_BLOCKING = 1 << 9,
    CLIENT_BLOCKED = 1 << 10,          /* waiting in a blocking command (net/blocking.c) */
    CLIENT_UNBLOCKED = 1 << 11,        /* on server->unblocked: its query buffer resumes */
    CLIENT_HELD = 1 << 12,             /* on server->aof.held */
    CLIENT_PAUSED = 1 << 13,           /* on server->aof.paused */
};

/* What a blocked client waits for: the key type that can serve it. */
enum blocked_kind {
    BLOCKED_NONE = 0,
    BLOCKED_LIST,  /* BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP */
    BLOCKED_ZSET,  /* BZPOPMIN, BZPOPMAX, BZMPOP */
};

struct blocking_key;   /* net/blocking.c */
struct blocking_ready; /* net/blocking.c */

/* A blocked client's state (net/blocking.c). The command is kept whole, as
 * an owned copy of its arguments (keys, destination, ends, count): a
 * wake-up runs the command's handler again on that copy, restricted to the
 * key that became ready, so the blocking forms share their reply and pop
 * code with the immediate path. */
struct blocked_state {
    enum blocked_kind kind;
    int db_id;
    int64_t timeout_ms;            /* absolute, 0 blocks forever */
    struct command *cmd;           /* borrowed: the static tables */
    int argc;
    struct resp_arg *argv;         /* owned: one block holding the array, then the bytes */
    struct blocking_key **keys;    /* owned array of borrowed map nodes, one per distinct key */
    int key_count;
    /* Set while a wake-up re-runs the command: the ready key, and whether
     * the handler found nothing for it and asked to stay blocked. */
    const char *serving_key;
    size_t serving_key_len;
    bool serving;
    bool reblock;
};

/* A stretch of a client's output that waits for the AOF (client.c). */
#define CLIENT_REPLY_HOLDS_MAX 4
struct reply_hold {
    size_t len;      /* out[0, len) is covered */
    uint64_t offset; /* by the AOF being durable up to here */
};

struct transaction_command; /* cmd_transaction.c */
struct watch_key;           /* cmd_transaction.c */

struct client {
    uint64_t id;
    int fd;                /* -1 for a fake client */
    struct server *server; /* borrowed */
    struct db *db;         /* borrowed, the selected database */
    int resp;              /* 2 or 3 */
    bool authenticated;
    unsigned flags;        /* enum client_flag */
    char *name;            /* owned, NULL when unnamed */
    char addr[64];         /* "ip:port" of the peer */
    char laddr[64];        /* "ip:port" of our side */
    int64_t ctime_ms;      /* connection time */
    int64_t last_interaction_ms;

    /* input */
    char *query;           /* owned query buffer */
    size_t query_len;      /* bytes held */
    size_t query_cap;
    size_t query_pos;      /* start of the first unprocessed command */
    long long query_peak;
    struct resp_request request;
    int argc;                   /* the command being run */
    struct resp_arg *argv;      /* borrowed from request, valid during the command */
    const struct command *cmd;      /* the command being run */
    const struct command *last_cmd; /* for CLIENT LIST cmd= */

    /* output */
    struct buf out;        /* replies being built */
    struct buf sending;    /* bytes handed to the in-flight send; not touched until it completes */
    size_t sending_done;   /* bytes of `sending` already sent */
    unsigned long long reply_bytes_total;
    /* With the AOF on, replies wait until the AOF bytes produced before
     * them are durable (always) or written (everysec, no). out[0,
     * out_released) may be sent; each hold says that out[.., len) waits
     * for the AOF to reach offset (aof_reply_ready). */
    size_t out_released;
    struct reply_hold holds[CLIENT_REPLY_HOLDS_MAX];
    int hold_count;
    struct client *held_next;          /* server->aof.held, when hold_count > 0 */
    struct client *paused_next;        /* server->aof.paused: AOF back-pressure */

    /* transaction (cmd_transaction.c) */
    struct transaction_command *queued; /* owned array, MULTI's queue in arrival order */
    int queued_count;
    int queued_cap;
    struct watch_key **watched;         /* owned array of borrowed watch map nodes */
    int watched_count;
    int watched_cap;

    /* blocking commands (net/blocking.c) */
    struct blocked_state blocked;

    /* io */
    struct loop_op recv_op;
    struct loop_op send_op;
    bool recv_armed;
    bool send_in_flight;

    /* lists (intrusive) */
    struct client *prev, *next;         /* server->clients, in id order */
    struct client *pending_write_next;  /* server->pending_writes */
    struct client *unblocked_next;      /* server->unblocked */
};

/* A completion loop_wait_writer set aside for the loop's next round. */
struct loop_deferred {
    struct loop_op *op;
    struct io_uring_cqe cqe; /* user_data, res, flags: all done() reads */
};

struct listener {
    int fd;
    struct loop_op accept_op;
    struct server *server;
    bool accept_armed;
};

struct server_stats {
    long long total_connections_received;
    long long total_commands_processed;
    long long rejected_connections;
    long long net_input_bytes;
    long long net_output_bytes;
    long long total_error_replies;
    long long unexpected_error_replies;
    long long total_reads_processed;
    long long total_writes_processed;
    long long instantaneous_ops; /* computed by the tick */
    long long ops_sample_count;
    long long ops_sample_time_ms;
    long long client_query_buffer_limit_disconnections;
};

/* INFO errorstats: one counter per error code ("ERR", "WRONGTYPE"). Redis
 * also stops tracking new codes past 128. */
#define SERVER_ERROR_CODES_MAX 128
struct error_stat {
    char code[32];
    long long count;
};

/* Start-up loading (server.c): while the dataset loads, clients can
 * connect; INFO reports the progress and most commands get -LOADING. */
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

/* Propagation of the current unit of work (propagate.c). */
struct propagate_entry {
    int db_id;
    size_t offset, len; /* the record in propagate_state.records */
};

struct propagate_state {
    struct aof_buffer records;         /* encoded commands of the current unit */
    struct propagate_entry *entries;   /* owned */
    int count, cap;
    int depth;                         /* command calls in progress */
    /* The running command's own choice (command_propagate_as/none). */
    bool override_set, none;
    struct aof_buffer override;        /* its record */
};

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
    struct ring_uring uring;           /* borrowed: the event loop's ring */
    struct ring_inject inject;         /* wraps uring; the writer's ring_sys (fault tests) */
    struct ring_writer writer;
    bool writer_open;
    uint64_t writer_base;              /* INCR file size when the writer opened on it */
    struct aof_buffer staging;         /* records of this loop iteration */
    struct aof_select_state select;
    long long last_ts_s;               /* aof-timestamp-enabled: last #TS written */
    long long base_size;               /* bytes of the BASE */
    long long rewrite_base_size;       /* base + incr after the last rewrite */
    long long closed_incr_size;        /* bytes of INCRs before the current one */
    /* errors */
    int error;                         /* -errno of a failed write/fsync, 0 if fine */
    int64_t error_since_ms;
    int64_t last_retry_ms;
    int64_t last_error_log_ms;
    /* everysec */
    int64_t fsync_pending_since_ms;    /* written > durable since then, 0 if not */
    long long delayed_fsync;
    /* stats: fdatasyncs completed and records they covered */
    long long fsyncs;
    long long records_logged;
    uint64_t last_durable;
    /* group commit: clients with held replies; clients paused by back-pressure */
    struct client *held;
    struct client *paused;
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

struct server {
    struct config config;
    struct keyspace keyspace;

    /* io_uring */
    struct io_uring ring;
    struct io_uring_buf_ring *recv_ring; /* mmapped, provided buffers group 0 */
    char *recv_buffers;                  /* owned, SERVER_RECV_BUFFERS * SERVER_RECV_BUFFER_BYTES */
    size_t recv_ring_bytes;
    unsigned recv_buffers_out;           /* buffers the kernel filled and we hold */
    struct listener listeners[SERVER_LISTENERS_MAX];
    int listener_count;
    struct loop_op timer_op;
    struct __kernel_timespec timer_ts;
    bool timer_armed;
    int signal_fd;
    struct loop_op signal_op;
    char signal_buf[128];
    bool signal_armed;
    struct loop_deferred *deferred;      /* owned array, see loop_wait_writer */
    size_t deferred_count, deferred_cap;

    /* clients */
    struct client *clients_head, *clients_tail;
    struct client *pending_writes;
    uint64_t next_client_id;
    int connected_clients;
    int monitors;
    int blocked_clients;
    struct client *unblocked;            /* unblocked clients whose queries resume before the next sleep */

    /* commands */
    struct dict commands;                /* struct command_node, owned */
    /* WATCH: (db id, key) -> the clients watching it; struct watch_key
     * nodes, owned by cmd_transaction.c. */
    struct keymap watched_keys;
    bool watch_settle_pending;           /* a whole-db change awaits transaction_settle */
    /* Blocking commands: (db id, key) -> FIFO of the clients blocked on it
     * (struct blocking_key nodes, owned by net/blocking.c), and the keys
     * changed since they were last served, in the order they changed. */
    struct keymap blocking_keys;
    struct blocking_ready *ready_keys;   /* owned array */
    int ready_count;
    int ready_cap;

    /* state */
    pid_t pid;
    int64_t start_time_ms;
    int64_t now_ms;                      /* cached at each loop iteration */
    bool shutdown_asap;                  /* set by SIGTERM/SIGINT/SHUTDOWN */
    int shutdown_exit_code;
    long long dirty;                     /* changes since the last save */
    int64_t lastsave_s;
    long long cron_loops;
    long long stat_peak_memory;
    unsigned arch_bits;
    char run_id[41];
    char *executable;                    /* owned absolute path */
    char *config_file;                   /* owned absolute path, NULL if none */

    /* RDB saving (net/rdb_save.c) */
    pid_t rdb_child_pid;                 /* the BGSAVE child, 0 when none runs */
    int64_t rdb_child_start_ms;
    long long rdb_dirty_before_bgsave;   /* dirty at fork time, subtracted on success */
    int64_t rdb_last_bgsave_try_s;       /* for the retry delay after a failure */
    bool rdb_last_bgsave_ok;             /* rdb_last_bgsave_status */
    bool rdb_bgsave_scheduled;           /* BGSAVE SCHEDULE waiting for the child slot */
    int64_t rdb_last_bgsave_time_s;      /* -1 before the first BGSAVE ended */
    long long rdb_saves;
    long long rdb_last_load_keys_loaded;
    long long rdb_last_load_keys_expired;
    long long stat_total_forks;
    long long stat_latest_fork_usec;
    int child_info_pipe[2];              /* child -> parent: its copy-on-write bytes */
    long long rdb_last_cow_size;

    struct propagate_state prop;
    struct aof_state aof;
    struct loading_state loading;

    struct server_stats stats;
    struct error_stat errorstats[SERVER_ERROR_CODES_MAX];
    int errorstat_count;
};

/* Cached wall-clock time. */
int64_t server_mstime(void);
long long server_ustime(void);

/* Writes a log line in Redis's format ("pid:M dd Mon yyyy hh:mm:ss.mmm * msg")
 * when level >= loglevel. */
void server_log(struct server *s, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* --- client.c --- */
struct client *client_create(struct server *s, int fd);
/* Closes now if nothing is in flight, else once the ops complete. */
void client_close(struct client *c);
/* Closes after the pending output is sent. */
void client_close_after_reply(struct client *c);
/* Called by the receive completion with freshly received bytes. */
void client_feed(struct client *c, const char *data, size_t len);
/* Marks the client as having output for the next send round. */
void client_schedule_write(struct client *c);
/* Sends pending output of every client (before the loop sleeps). */
void client_flush_all(struct server *s);
/* Formats the CLIENT LIST / CLIENT INFO line for c into b (no newline). */
void client_info_line(struct client *c, struct buf *b);
void client_set_name(struct client *c, const char *name, size_t len);
/* Resets to a fresh connection's state (RESET). */
void client_reset(struct client *c);
/* Feeds a command to every MONITOR client (before it runs). */
void client_feed_monitors(struct client *c);
struct client *client_by_id(struct server *s, uint64_t id);
/* c left the blocked state: its pipelined commands run before the loop
 * next sleeps (client_flush_all), in order. */
void client_unblocked(struct client *c);

/* Releases held replies the AOF has made durable (all: every one, when the
 * AOF is switched off). */
void client_release_holds(struct server *s, bool all);
/* The INCR's offsets start again (switching on: the pending INCR is emptied
 * because the next rewrite's snapshot holds what it had): every held reply
 * now waits for barrier instead. */
void client_holds_rebarrier(struct server *s, uint64_t barrier);

/* --- blocking.c --- */
void blocking_server_init(struct server *s);
void blocking_server_free(struct server *s);
/* Parses the timeout (seconds, a float) at argv[i] into an absolute
 * deadline in ms (0: forever); replies Redis 7.0's error and returns false
 * when it is invalid. */
bool blocking_parse_timeout(struct client *c, int i, int64_t *deadline_ms);
/* During a wake-up, whether the key at argv[i] is not the ready one and
 * must be skipped by the handler's scan of its keys. */
bool blocking_skip_key(struct client *c, int i);
/* Blocks c on the keys argv[first .. first+count-1] of its current
 * command, which is copied. During a wake-up it only notes that c stays
 * blocked. Sends no reply. */
void blocking_block(struct client *c, enum blocked_kind kind, int first, int count,
                    int64_t deadline_ms);
/* Unblocks c without serving it. reply: 0 none (disconnect), 't' the
 * timeout reply (null array), 'e' CLIENT UNBLOCK's UNBLOCKED error. */
void blocking_unblock(struct client *c, int reply);
/* A key changed (key NULL: the whole of db may change): clients blocked
 * on it get a chance to be served after the current command. */
void blocking_key_touched(struct server *s, struct db *db, const char *key, size_t key_len);
/* Serves the clients blocked on keys that changed (after each top-level
 * command, so after EXEC and never inside a transaction). */
void blocking_serve_ready(struct server *s);
/* Replies to and unblocks the clients whose timeout passed (the tick). */
void blocking_expire_timeouts(struct server *s);

/* --- loop.c --- */
/* Sets up the ring and provided buffers; on failure returns -errno and
 * writes a message naming the cause and the fix into err. */
int loop_init(struct server *s, char *err, size_t err_len);
void loop_shutdown(struct server *s);
/* Returns a submission entry, submitting queued ones if the SQ is full. */
struct io_uring_sqe *loop_sqe(struct server *s);
void loop_arm_recv(struct client *c);
void loop_arm_send(struct client *c);
void loop_arm_accept(struct listener *l);
/* Runs until shutdown_asap. */
void loop_run(struct server *s);
/* Returns a provided buffer to the kernel. */
void loop_recycle_buffer(struct server *s, unsigned bid);

/* --- server.c --- */
int server_init(struct server *s, char *err, size_t err_len);
/* Makes config.dir the working directory and stores it as an absolute
 * path. Returns 0 or -errno. */
int server_chdir(struct server *s);
/* Copies the configuration values the keyspace reads (LFU policy,
 * encoding limits) into it; at start-up and after CONFIG SET. */
void server_apply_config(struct server *s);
/* The periodic tick: expiry, rehash, stats, client timeouts. */
void server_cron(struct server *s);
/* Frees everything at exit. */
void server_free(struct server *s);
/* Prepares a shutdown (SHUTDOWN, SIGTERM): returns 0, or -1 with an error
 * reply text when it must be refused. */
int server_prepare_shutdown(struct server *s, bool save, bool nosave, char *err, size_t err_len);
/* Keyspace change accounting: bumps `dirty` (save points) and invalidates
 * WATCH. Call it once per key changed, after the change. A NULL key means
 * the whole database is about to change (FLUSHDB, FLUSHALL, SWAPDB): call it
 * before the change; WATCH then compares each watched key before and after
 * the command, as Redis 7.0 does (see transaction_db_changing). */
void server_key_modified(struct server *s, struct db *db, const char *key, size_t key_len);

/* Copy-on-write reporting for fork children: open the pipe before fork(),
 * the child sends its private dirty bytes just before it exits, the parent
 * reads them once it reaped the child (0 when nothing came). */
void server_child_info_open(struct server *s);
void server_child_info_send(struct server *s);
long long server_child_info_receive(struct server *s);

/* Loading progress: start with the bytes to load (serve: answer clients
 * meanwhile, start-up only); report the bytes of the current file read so
 * far; mark a file done; end. */
void server_loading_start(struct server *s, long long total_bytes, bool serve);
void server_loading_progress(struct server *s, long long file_bytes);
void server_loading_file_done(struct server *s, long long file_bytes);
void server_loading_end(struct server *s);

/* Whether a child (BGSAVE or AOF rewrite) runs: one at a time. */
bool server_child_running(const struct server *s);
/* In a freshly forked child: unblocks the signals the parent reads from its
 * signalfd (a kill must end the child) and closes the listeners. */
void server_child_init(struct server *s);

/* Like server_prepare_shutdown, for SHUTDOWN [SAVE|NOSAVE] [FORCE]: force
 * exits even when the final save fails. */
int server_prepare_shutdown_force(struct server *s, bool save, bool nosave, bool force, char *err,
                                  size_t err_len);

/* --- rdb_save.c --- */
/* SAVE: writes dbfilename through temp-<pid>.rdb on the main thread (write,
 * fdatasync, rename, directory fsync). Returns 0, or -1 after logging why
 * (the caller replies "-ERR"). */
int rdb_save_blocking(struct server *s);
/* BGSAVE: forks a child that streams the snapshot through a private ring.
 * No child may be running. Returns 0 once forked, -1 (logged) if fork
 * failed. */
int rdb_save_background(struct server *s);
/* From the tick: reaps the child (updating lastsave, dirty, the status) or,
 * when none runs, starts a scheduled BGSAVE or one a save point calls for. */
void rdb_save_cron(struct server *s);
/* Kills a running child and removes its temp file (shutdown). */
void rdb_save_kill_child(struct server *s);
/* stop-writes-on-bgsave-error: writes are refused with MISCONF. */
bool rdb_save_writes_denied(const struct server *s);
/* Loads dbfilename (if it exists, *found says) into the empty keyspace.
 * Returns 0, or -1 with a message naming the file, offset and reason. */
int rdb_save_load_file(struct server *s, bool *found, char *err, size_t err_len);
/* Loads the RDB file at path (relative to the data directory): the AOF
 * base uses it too. consumed (optional) gets the bytes the RDB took. */
int rdb_save_load_path(struct server *s, const char *path, bool *found, uint64_t *consumed,
                       char *err, size_t err_len);
/* Encodes the keyspace into fd (RDB, with the aof-base AUX field when
 * aof_base), through a private ring when use_ring (a forked child), else
 * with write(2); then fdatasync. An AOF base follows
 * aof-rewrite-incremental-fsync, a dump rdb-save-incremental-fsync.
 * Returns 0 or -errno. */
int rdb_save_to_fd(struct server *s, int fd, bool use_ring, bool aof_base);
/* The same for any encoder writing into an rdb_sink (the AOF's RESP base);
 * incremental_fsync starts writeback every few MB while streaming. */
struct rdb_sink;
typedef int (*rdb_save_encode_fn)(struct server *s, struct rdb_sink *sink, void *ctx);
int rdb_save_stream(struct server *s, int fd, bool use_ring, bool incremental_fsync,
                    rdb_save_encode_fn encode, void *ctx);
/* Redis's MISCONF text for rdb_save_writes_denied. */
#define RDB_SAVE_MISCONF_ERROR                                                                    \
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "   \
    "to disk. Commands that may modify the data set are disabled, because this instance is "    \
    "configured to report errors during writes if RDB snapshotting fails "                       \
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "  \
    "RDB error."

/* --- propagate.c --- */
/* What a write command leaves in the AOF. After a command ran, if it
 * changed the dirty counter, its argv is logged as the client sent it,
 * unless the handler said otherwise with one of these (Redis 7.0's
 * rewriteClientCommandVector / alsoPropagate / preventCommandPropagation):
 *   command_propagate_as: log this argv instead (copied now), e.g.
 *       SET key value PXAT <ms> for SET ... EX; calling it again replaces it.
 *   command_propagate_none: log nothing for the command itself (its
 *       effects were logged with propagate_add, e.g. SPOP as SREMs).
 *   propagate_add: log one more command (copied now) in db_id, in order,
 *       before the command's own. Outside any command (the expiry cycle)
 *       it is logged at once.
 * Everything one top-level command (EXEC included) logs is one unit: more
 * than one command is wrapped in MULTI ... EXEC, as Redis does. Without
 * an AOF these cost a flag test. */
void command_propagate_as(struct client *c, int argc, const struct aof_arg *argv);
void command_propagate_none(struct client *c);
void propagate_add(struct server *s, int db_id, int argc, const struct aof_arg *argv);
/* Argument builders for the calls above. */
static inline struct aof_arg aof_arg_str(const char *s)
{
    return (struct aof_arg){s, strlen(s)};
}
static inline struct aof_arg aof_arg_of(const struct resp_arg *a)
{
    return (struct aof_arg){a->ptr, a->len};
}

/* Brackets one command call (command.c, a blocked client's wake-up). */
struct propagate_frame {
    long long dirty;
    bool override_set, none;
};
void propagate_begin(struct server *s, struct propagate_frame *f);
void propagate_end(struct client *c, const struct command *cmd, struct propagate_frame *f);
void propagate_free(struct server *s);

/* --- aof.c --- */
/* Start-up with appendonly yes: loads the AOF (or, when there is none yet,
 * dump.rdb, which becomes the base), then opens the INCR for appending.
 * Returns 0, or -1 with the reason in err. */
int aof_startup(struct server *s, char *err, size_t err_len);
/* Appends one record for db_id to this iteration's batch, preceded by a
 * SELECT when the db changes. command: count it in the stats. */
void aof_feed(struct server *s, int db_id, const char *rec, size_t len, bool command);
/* A barrier no INCR offset reaches: the replies wait until the next
 * rewrite is installed and everything logged before is durable (the first
 * base after CONFIG SET appendonly yes, or the rebuild of a damaged AOF).
 * Being the largest value, it also dominates when holds are merged. */
#define AOF_BARRIER_NEXT_BASE UINT64_MAX
/* Before replies go out: hands the iteration's batch to the ring writer.
 * Returns the AOF offset (or AOF_BARRIER_NEXT_BASE) that replies produced
 * so far must wait for (see aof_reply_ready), or 0 when they may go out at
 * once. */
uint64_t aof_before_replies(struct server *s);
/* Whether replies waiting for the AOF up to offset may leave (durable
 * under always, written under everysec and no). */
bool aof_reply_ready(const struct server *s, uint64_t offset);
/* The tick: everysec fsync, error retry, rewrite child, automatic rewrite. */
void aof_cron(struct server *s);
/* Shutdown: writes and fsyncs everything, kills a rewrite child. */
void aof_shutdown(struct server *s);
void aof_free(struct server *s);
/* Errors writing the AOF refuse writes: fills msg with the MISCONF error. */
bool aof_writes_denied(const struct server *s, char *msg, size_t msg_len);
/* Back-pressure: the AOF cannot take more now; c waits (paused). */
bool aof_congested(const struct server *s);
void aof_pause_client(struct client *c);
/* Kills a running rewrite child and removes its temp file. */
void aof_kill_child(struct server *s);
/* BGREWRITEAOF. Returns 0 started, 1 scheduled, -1 failed (err filled). */
int aof_rewrite_request(struct server *s, bool schedule_only, char *err, size_t err_len);
/* CONFIG SET appendonly / appendfsync. Returns 0 or -1 with err. */
int aof_set_enabled(struct server *s, bool on, char *err, size_t err_len);
void aof_set_fsync_policy(struct server *s);
/* INFO persistence's aof_* lines. */
void aof_info(struct server *s, struct buf *b);
/* DEBUG LOADAOF: makes the AOF durable, empties the keyspace and loads it
 * again. Returns 0 or -1 with err. */
int aof_debug_reload(struct server *s, char *err, size_t err_len);

/* --- loop.c (loading) --- */
/* Accepts and serves clients without blocking, once: called every few ms
 * while the dataset loads at start-up. */
void loop_serve_while_loading(struct server *s);

/* --- loop.c (AOF waits) --- */
/* Runs ring-writer completions until done(ctx) is true, keeping every other
 * completion for the loop's next round (so no command runs nested). */
void loop_wait_writer(struct server *s, bool (*done)(void *ctx), void *ctx);

/* --- cmd_transaction.c --- */
/* MULTI/EXEC/WATCH state. Every function borrows its arguments. */
void transaction_server_init(struct server *s);
void transaction_server_free(struct server *s);
/* Queues c's current command (c->argc/argv, copied) and replies +QUEUED. */
void transaction_queue(struct client *c, struct command *cmd);
/* A command failed its checks while c is in MULTI: EXEC must abort. */
void transaction_flag_error(struct client *c);
/* EXEC itself was rejected by a check (arity): discards the transaction
 * and replies "-EXECABORT Transaction discarded because of: <error>". */
void transaction_abort(struct client *c, const char *error);
/* Leaves MULTI (if in it), frees the queue and unwatches every key: for
 * RESET and for a closing client. */
void transaction_client_reset(struct client *c);
/* A key changed (or expired and was deleted): flags its watchers. */
void transaction_key_touched(struct server *s, struct db *db, const char *key, size_t key_len);
/* The whole of db is about to change: records which watched keys exist now,
 * for transaction_settle to compare with what exists after the command. */
void transaction_db_changing(struct server *s, struct db *db);
/* Runs after every command: judges the whole-db changes it recorded. */
void transaction_settle(struct server *s);

#endif
