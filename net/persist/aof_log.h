/* aof_log.h: the writer of the current INCR file, direct or buffered.
 *
 * aof.c sees one log with offsets; underneath it is one of two writers:
 * - direct (appendfsync always, aof-direct-io yes, a filesystem that takes
 *   O_DIRECT): uring/log_writer.h. Each batch is framed with a header line
 *   (engine/aof_batch.h: sequence number, length, CRC-32C) and written with
 *   O_DIRECT + RWF_DSYNC into space pre-written with padding lines, several
 *   batches in flight, durability reported in order;
 * - buffered (everysec, no, or where O_DIRECT is refused):
 *   uring/ring_writer.h, plain Redis records as Redis writes them.
 *
 * Offsets are tokens for held replies. Buffered: file offsets. Direct: the
 * file size when the log opened plus the record bytes handed over since
 * (headers and padding not counted), so they are logical sizes too. A
 * token is only compared with offsets of the same open log: aof.c settles
 * every hold before the log moves (aof_log_restart, aof_log_switch). */
#ifndef RINGKV_NET_PERSIST_AOF_LOG_H
#define RINGKV_NET_PERSIST_AOF_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uring/log_writer.h"
#include "uring/ring_inject.h"
#include "uring/ring_writer.h"

enum aof_log_io { AOF_LOG_BUFFERED = 0, AOF_LOG_DIRECT = 1 };

struct aof_log;

struct aof_log_config {
    struct ring_sys *sys;        /* borrowed */
    struct ring_inject *inject;  /* borrowed, optional: faults for inline writes too */
    const char *dir;             /* borrowed: the AOF directory (the direct I/O probe) */
    enum ring_writer_fsync policy;
    bool direct_wanted;          /* aof-direct-io: try O_DIRECT under ALWAYS */
    uint64_t prewrite_bytes;     /* aof-prewrite-size */
    uint32_t batches_in_flight;  /* aof-batches-in-flight */
    bool write_inline;           /* aof-write-inline */
    void (*done)(struct aof_log *l); /* progress or an error (from the drain step) */
};

struct aof_log_stats {           /* since start-up, over every file */
    uint64_t batches;            /* direct batches durable */
    uint64_t batch_bytes;        /* their bytes, headers included */
    uint64_t filler_bytes;       /* padding written inside batch writes */
    uint64_t gap_bytes;          /* of it, gaps left in the file (a block shared with a write in flight) */
    uint64_t prewritten_bytes;   /* padding written ahead by extensions */
    uint64_t in_flight_sum;      /* batch writes in flight at each submission */
    uint32_t in_flight_peak;
    uint64_t inline_writes;      /* batch writes the loop made itself */
};

struct aof_log {
    struct aof_log_config config;
    enum aof_log_io io;
    bool open;
    int fd;                      /* borrowed from aof.c */
    char reason[160];            /* why this io (logged, INFO) */
    struct ring_writer rw;       /* initialized while open, in both modes */
    struct log_writer lw;        /* initialized while open and direct */
    uint64_t logical;            /* direct: token after everything submitted */
    uint64_t base_token;         /* direct: the token of the file's bytes when it opened */
    /* Buffered: its tokens are its file offsets less this (0 but after a
     * record too big for a batch, whose replies are held on tokens that
     * continue the direct log's; see aof_log_go_oversize). */
    uint64_t shift;
    uint64_t seq;                /* direct: last batch sequence number in this file */
    /* Buffered for now because a record (or transaction) came that no
     * direct batch can hold: batches hold whole ones (the loader replays a
     * batch's records only whole), so it goes as plain records right
     * after the last batch; the log turns direct again once it is durable
     * (aof_log_oversize_done). */
    bool oversize;
    struct aof_log_stats stats;  /* totals of closed direct writers */
};

/* Opens the log on fd (O_RDWR, no O_APPEND), whose size is start; seq is
 * the last batch number already in the file (0: none). Direct when the
 * policy is ALWAYS, direct_wanted and the file takes O_DIRECT; buffered
 * otherwise, with the reason kept. Returns 0 or -errno (-ENOMEM). */
int aof_log_open(struct aof_log *l, const struct aof_log_config *config, int fd, uint64_t start,
                 uint64_t seq);
/* Frees the writers; asserts idle. The fd stays open. */
void aof_log_close(struct aof_log *l);

/* Offsets: handed over, written (page cache or disk), durable. Handed
 * over is also the file's logical size, what aof_current_size and
 * auto-rewrite count (direct: records only, as the same file written by
 * Redis would have grown). */
uint64_t aof_log_appended(const struct aof_log *l);
uint64_t aof_log_written(const struct aof_log *l);
uint64_t aof_log_durable(const struct aof_log *l);
/* How many of want bytes aof_log_append takes now (0 while an error is
 * set or no batch can go out now). */
size_t aof_log_space(const struct aof_log *l, size_t want);
/* The largest unit (record or transaction) a direct batch can hold;
 * SIZE_MAX when buffered. */
size_t aof_log_batch_max(const struct aof_log *l);
/* Once idle with everything durable: the log turns buffered at the end of
 * the file (padding cut) for a unit larger than aof_log_batch_max. */
int aof_log_go_oversize(struct aof_log *l);
/* Once idle with everything durable after aof_log_go_oversize: direct
 * again (config: the current values). */
int aof_log_oversize_done(struct aof_log *l, const struct aof_log_config *config);
/* Hands over data[0..len), len <= aof_log_space: a batch of its own
 * (direct) or bytes behind the others (buffered). Returns 0 or -errno. */
int aof_log_append(struct aof_log *l, const void *data, size_t len);
void aof_log_flush(struct aof_log *l);
/* Everything handed over becomes durable (direct: already on its way). */
void aof_log_sync(struct aof_log *l);
void aof_log_tick(struct aof_log *l, uint64_t now_ms);
/* A policy change that keeps the io (see aof_log_io_for). */
void aof_log_set_policy(struct aof_log *l, enum ring_writer_fsync policy);
/* The io the log would choose for policy (whether a switch is needed). */
bool aof_log_io_changes(const struct aof_log *l, enum ring_writer_fsync policy);

int aof_log_error(const struct aof_log *l);
bool aof_log_idle(const struct aof_log *l);
/* Direct writer: the batch writes prepared from now on are made by the
 * calling thread (inline) or go through the ring. */
void aof_log_set_inline(struct aof_log *l, bool on);
/* Direct writer: more space is being written ahead (not yet fsynced). */
bool aof_log_extending(const struct aof_log *l);
uint32_t aof_log_ops_in_flight(const struct aof_log *l);
/* After an error, once idle: makes the log write again what it holds.
 * Returns 0, or -errno when the held bytes are gone (buffered writer after
 * a failed fsync under no): the AOF must be rebuilt. */
int aof_log_reset(struct aof_log *l);

/* Once idle with everything durable: cuts the pre-written padding off the
 * file (truncate + fdatasync), so it ends as Redis's would. Buffered: does
 * nothing. Returns 0 or -errno. */
int aof_log_cut_padding(struct aof_log *l);
/* Once idle, padding cut: reopens the log on fd (the same or a new one)
 * at start with the config's current values; a new file starts its batch
 * numbers at 0. Returns 0 or -errno. */
int aof_log_restart(struct aof_log *l, const struct aof_log_config *config, int fd,
                    uint64_t start, uint64_t seq);

/* Totals for INFO, the open writer included. */
void aof_log_stats(const struct aof_log *l, struct aof_log_stats *out);
/* Bytes of the file up to the end of the log (direct: the last batch's
 * end; buffered: appended). */
uint64_t aof_log_file_end(const struct aof_log *l);

#endif
