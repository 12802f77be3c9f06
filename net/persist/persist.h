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

struct persist {
    const struct config *config; /* borrowed */
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
    int child_info_pipe[2];              /* child -> parent: its copy-on-write bytes */

    struct aof_state aof;
    struct loading_state loading;
};

/* Waits for the AOF writer (see wait_writer). */
void persist_wait_writer(struct persist *p, bool (*done)(void *ctx), void *ctx);
/* Whether a child (BGSAVE or AOF rewrite) runs: one at a time. */
bool persist_child_running(const struct persist *p);
/* In a freshly forked child: unblocks the signals the parent reads from its
 * signalfd (a kill must end the child) and closes the listeners. */
void persist_child_init(struct persist *p);
/* Copy-on-write reporting for fork children: open the pipe before fork(),
 * the child sends its private dirty bytes just before it exits, the parent
 * reads them once it reaped the child (0 when nothing came). */
void persist_child_info_open(struct persist *p);
void persist_child_info_send(struct persist *p);
long long persist_child_info_receive(struct persist *p);

/* Loading progress: start with the bytes to load; report the bytes of the
 * current file read so far (clients are served meanwhile when
 * loading.serve_clients); mark a file done; end. */
void persist_loading_start(struct persist *p, long long total_bytes);
void persist_loading_progress(struct persist *p, long long file_bytes);
void persist_loading_file_done(struct persist *p, long long file_bytes);
void persist_loading_end(struct persist *p);

#endif
