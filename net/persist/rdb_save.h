/* rdb_save.h: RDB snapshots: SAVE, BGSAVE in a forked child streaming
 * through a private ring, save points, and the stream the AOF's base
 * rewrite shares. Every file is written as temp, fdatasync, rename,
 * directory fsync. */
#ifndef RINGKV_NET_PERSIST_RDB_SAVE_H
#define RINGKV_NET_PERSIST_RDB_SAVE_H

#include <stdbool.h>

struct persist;
struct rdb_sink;

/* SAVE: writes dbfilename through temp-<pid>.rdb on the main thread (write,
 * fdatasync, rename, directory fsync). Returns 0, or -1 after logging why
 * (the caller replies "-ERR"). */
int rdb_save_blocking(struct persist *p);
/* BGSAVE: forks a child that streams the snapshot through a private ring.
 * No child may be running. Returns 0 once forked, -1 (logged) if fork
 * failed. */
int rdb_save_background(struct persist *p);
/* From the tick: reaps the child (updating lastsave, dirty, the status) or,
 * when none runs, starts a scheduled BGSAVE or one a save point calls for. */
void rdb_save_cron(struct persist *p);
/* Kills a running child and removes its temp file (shutdown). */
void rdb_save_kill_child(struct persist *p);
/* stop-writes-on-bgsave-error: writes are refused with MISCONF. */
bool rdb_save_writes_denied(const struct persist *p);
/* Encodes the keyspace into fd (RDB, with the aof-base AUX field when
 * aof_base), through a private ring when use_ring (a forked child), else
 * with write(2); then fdatasync. An AOF base follows
 * aof-rewrite-incremental-fsync, a dump rdb-save-incremental-fsync.
 * Returns 0 or -errno. */
int rdb_save_to_fd(struct persist *p, int fd, bool use_ring, bool aof_base);
/* Encodes the keyspace as an RDB file into sink (a fork child's progress
 * reports included) and flushes it: replication's diskless sync, whose
 * sink writes to the replicas' sockets. Returns 0 or -errno. */
int rdb_save_to_sink(struct persist *p, struct rdb_sink *sink);
/* The same for any encoder writing into an rdb_sink (the AOF's RESP base);
 * incremental_fsync starts writeback every few MB while streaming. */
struct rdb_sink;
typedef int (*rdb_save_encode_fn)(struct persist *p, struct rdb_sink *sink, void *ctx);
int rdb_save_stream(struct persist *p, int fd, bool use_ring, bool incremental_fsync,
                    rdb_save_encode_fn encode, void *ctx);
/* Redis's MISCONF text for rdb_save_writes_denied. */
#define RDB_SAVE_MISCONF_ERROR                                                                    \
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "   \
    "to disk. Commands that may modify the data set are disabled, because this instance is "    \
    "configured to report errors during writes if RDB snapshotting fails "                       \
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "  \
    "RDB error."

#endif
