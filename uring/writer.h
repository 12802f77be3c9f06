/* writer.h: append bytes to a file through a ring_sys, with group commit.
 *
 * A `struct ring_writer` turns a stream of appended bytes into writes at
 * tracked file offsets and fdatasyncs ordered after the writes they cover.
 * It knows nothing of Redis: the AOF and the RDB child both sit on top.
 *
 * Offsets (absolute file offsets, never decreasing except by
 * ring_writer_reset):
 *   durable   <= written <= submitted <= appended
 *   durable:   every byte below it was written and then covered by an
 *              fdatasync that succeeded (issued after the write completed,
 *              or linked behind it). Nothing else is ever reported durable.
 *   written:   every byte below it was written (the page cache has it).
 *   appended:  bytes handed to ring_writer_append so far.
 *
 * Buffer: appended bytes are copied into one preallocated circular buffer
 * and stay there until they are no longer needed: until durable under the
 * ALWAYS and EVERYSEC policies (so that after an error they can be written
 * again from the durable offset), until written under NO. A full buffer
 * refuses appends with -ENOBUFS: that is the back-pressure signal.
 *
 * Errors: the first failed write or fsync is kept (sticky). From then on
 * appends return it, nothing new is submitted, and an fsync is never retried
 * in the hope that earlier data is safe: after a failed fdatasync the kernel
 * may have dropped the dirty pages. Recovery is ring_writer_reset(), after
 * the caller has truncated the file back to ring_writer_recover_offset().
 *
 * Threading: single-threaded. done() and every op completion run from the
 * owner's drain step (net/loop.c, or ring_sys wait() in a child). */
#ifndef RINGKV_URING_WRITER_H
#define RINGKV_URING_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uring/ring.h"

/* Writes one writer keeps in flight. Each is an SQE; with a linked fsync
 * each needs two, so a ring shared by several writers must hold
 * 2 * their sum. Deep queues buy nothing on one sequential file. */
#define RING_WRITER_WRITES_IN_FLIGHT_MAX 16
/* fsyncs in flight: one linked behind each write plus one unlinked. */
#define RING_WRITER_FSYNCS_IN_FLIGHT_MAX (RING_WRITER_WRITES_IN_FLIGHT_MAX + 1)
/* Smallest and largest buffer. The floor keeps a flush worth a syscall; the
 * ceiling bounds what one writer pins in memory. */
#define RING_WRITER_BUFFER_BYTES_MIN 4096
#define RING_WRITER_BUFFER_BYTES_MAX ((size_t)1 << 32)
/* Largest single write. A CQE result is an int and Linux caps one write at
 * 0x7ffff000 bytes, so stay well below both. */
#define RING_WRITER_WRITE_BYTES_MAX ((size_t)1 << 30)
/* Consecutive no-progress outcomes (EINTR, EAGAIN, zero-byte write, link
 * cancel) one op tolerates before the writer gives up with that error, so a
 * stuck device cannot spin the loop forever. */
#define RING_WRITER_RETRIES_MAX 100
/* Default everysec interval. */
#define RING_WRITER_FSYNC_INTERVAL_MS_DEFAULT 1000

_Static_assert(RING_WRITER_WRITES_IN_FLIGHT_MAX + RING_WRITER_FSYNCS_IN_FLIGHT_MAX <= 64,
               "slot masks are 64-bit");
_Static_assert(RING_WRITER_WRITE_BYTES_MAX <= 0x7ffff000,
               "one write must fit Linux's per-call cap and an int result");
_Static_assert(RING_WRITER_BUFFER_BYTES_MIN <= RING_WRITER_WRITE_BYTES_MAX,
               "a minimal buffer must fit in one write");
_Static_assert(RING_QUEUE_OPS_MAX >= 2, "a write and its linked fsync are queued together");
_Static_assert(RING_PRIVATE_ENTRIES >= RING_WRITER_WRITES_IN_FLIGHT_MAX + RING_WRITER_FSYNCS_IN_FLIGHT_MAX,
               "a private ring must hold one writer's worst case at once");

enum ring_writer_fsync {
    /* Writes only. durable advances only through ring_writer_sync. */
    RING_WRITER_FSYNC_NO = 0,
    /* ring_writer_tick issues at most one fdatasync per interval, covering
     * the writes completed by then; one more when the buffer is half full
     * of written but not durable bytes, and never two at once. */
    RING_WRITER_FSYNC_EVERYSEC = 1,
    /* Group commit: each flush becomes a write linked to an fdatasync (or
     * one RWF_DSYNC write, see dsync_writes). */
    RING_WRITER_FSYNC_ALWAYS = 2,
};

struct ring_writer;

struct ring_writer_config {
    int fd; /* borrowed; opened for writing WITHOUT O_APPEND (writes carry offsets) */
    uint64_t start_offset; /* file size at init; bytes below it are taken as durable */
    enum ring_writer_fsync fsync_policy;
    uint32_t writes_in_flight_max; /* 1..RING_WRITER_WRITES_IN_FLIGHT_MAX */
    size_t buffer_bytes;           /* RING_WRITER_BUFFER_BYTES_MIN..MAX */
    size_t write_bytes_max;        /* one write's cap, <= buffer_bytes; 0: buffer_bytes */
    uint32_t fsync_interval_ms;    /* EVERYSEC; 0: RING_WRITER_FSYNC_INTERVAL_MS_DEFAULT */
    /* ALWAYS: each write carries RWF_DSYNC instead of a linked fdatasync:
     * one operation per batch instead of two (on io_uring both go to a
     * kernel worker, so this halves the hand-offs). */
    bool dsync_writes;
    /* Runs from the drain step after a completion advanced written or
     * durable, or set the sticky error (each at most once per completion).
     * May call any writer function except init/free. Optional (NULL). */
    void (*done)(struct ring_writer *w);
};

struct ring_writer_write {  /* one write slot */
    struct ring_op op;      /* op.done = the writer's write completion */
    struct ring_writer *writer; /* back pointer, borrowed */
    uint64_t start;         /* first byte not yet written */
    uint64_t end;           /* end of the range this slot owns */
    uint32_t retries;       /* consecutive no-progress outcomes */
    uint8_t state;          /* free, in flight, parked (waiting to be queued again) */
};

struct ring_writer_fsync_slot {
    struct ring_op op;
    struct ring_writer *writer; /* back pointer, borrowed */
    uint64_t covers_below;  /* written offset when issued: all bytes below are covered */
    uint64_t linked_start;  /* range of the write it is linked behind; */
    uint64_t linked_end;    /* empty when not linked */
    bool in_flight;
};

struct ring_writer {
    struct ring_writer_config config;
    struct ring_sys *sys;   /* borrowed; outlives the writer */
    uint8_t *buffer;        /* owned; byte at offset o lives at buffer[o % buffer_bytes] */
    uint64_t appended;
    uint64_t flush_target;  /* bytes up to here were asked to be written */
    uint64_t submitted;     /* bytes below here belong to a write slot or are written */
    uint64_t written;
    uint64_t durable;
    uint64_t sync_target;   /* an fdatasync is wanted until durable reaches this */
    /* Ranges a successful linked fsync made durable beyond a gap below them,
     * merged into durable once the gap closes. Empty slots have start==end. */
    uint64_t island_start[RING_WRITER_FSYNCS_IN_FLIGHT_MAX];
    uint64_t island_end[RING_WRITER_FSYNCS_IN_FLIGHT_MAX];
    uint64_t last_fsync_ms; /* EVERYSEC: tick time of the last fsync issued */
    int error;              /* first -errno, or 0 */
    bool fsync_failed;      /* the error came from (or followed) a failed fsync */
    uint32_t fsync_retries; /* consecutive canceled unlinked fsyncs */
    uint32_t fsyncs_in_flight;
    bool in_pump;           /* pump is not re-entrant: asserted */
    struct ring_writer_write writes[RING_WRITER_WRITES_IN_FLIGHT_MAX];
    struct ring_writer_fsync_slot fsyncs[RING_WRITER_FSYNCS_IN_FLIGHT_MAX];
};

/* Allocates the buffer and prepares every slot; the only allocation the
 * writer makes. sys and config->fd are borrowed until ring_writer_free.
 * Returns 0 or -ENOMEM. Invalid config is a programmer error (assert). */
int ring_writer_init(struct ring_writer *w, struct ring_sys *sys,
                     const struct ring_writer_config *config);

/* Frees the buffer. Asserts that no op is in flight (see ring_writer_idle). */
void ring_writer_free(struct ring_writer *w);

/* Copies buf[0..len) (borrowed, only during the call) behind the appended
 * bytes. All or nothing: returns 0, -ENOBUFS when fewer than len bytes of
 * space are free (see ring_writer_space; retry after done() reports
 * progress), -EMSGSIZE when len exceeds the whole buffer, or the sticky
 * -errno. Nothing is submitted until ring_writer_flush. */
int ring_writer_append(struct ring_writer *w, const void *buf, size_t len);

/* Bytes ring_writer_append accepts right now (0 after an error). */
size_t ring_writer_space(const struct ring_writer *w);

/* Queues writes for every appended byte (and under ALWAYS the fdatasync
 * linked behind each write). Work that does not fit the write slots or the
 * ring now is queued from later completions. Never runs completions. */
void ring_writer_flush(struct ring_writer *w);

/* ring_writer_flush, then an fdatasync covering every byte appended so far,
 * under any policy: durable reaches today's appended offset unless an error
 * comes first. For shutdown, file rotation and the end of a stream. */
void ring_writer_sync(struct ring_writer *w);

/* EVERYSEC: issues the periodic fdatasync when the interval has passed
 * since the last one, no fsync is in flight and written > durable. Other
 * policies: does nothing. Call it from the server tick with a monotonic ms
 * clock. */
void ring_writer_tick(struct ring_writer *w, uint64_t now_ms);

uint64_t ring_writer_appended(const struct ring_writer *w);
uint64_t ring_writer_written(const struct ring_writer *w);
uint64_t ring_writer_durable(const struct ring_writer *w);

/* The sticky error: 0 or the first -errno of a write or fsync. */
int ring_writer_error(const struct ring_writer *w);

/* Writes and fsyncs in flight. */
uint32_t ring_writer_ops_in_flight(const struct ring_writer *w);

/* Whether no write or fsync is in flight (nothing will complete). */
bool ring_writer_idle(const struct ring_writer *w);

/* Where the file must be cut before ring_writer_reset: the durable offset
 * under ALWAYS and EVERYSEC and after any failed fsync; otherwise (NO, after
 * a failed write) the written offset, since the page cache still has every
 * byte below it. */
uint64_t ring_writer_recover_offset(const struct ring_writer *w);

/* After an error, once the writer is idle and the caller has truncated the
 * file to ring_writer_recover_offset (and may fsync it): clears the error and
 * queues every held byte again from that offset, so durable never counts a
 * byte written before the error. Returns 0, or the sticky error unchanged
 * when the writer no longer holds every byte from the recover offset on (a
 * failed fsync under NO, which releases bytes once written): the owner must
 * then rebuild the file from its own state. Asserts idle and an error set. */
int ring_writer_reset(struct ring_writer *w);

/* Streaming (the RDB child, on a ring_sys with wait(), e.g. a private
 * ring_uring): copies all of buf[0..len), flushing and blocking in wait()
 * whenever the buffer is full, so up to writes_in_flight_max writes run
 * while the caller produces more. Returns 0 or the sticky -errno. */
int ring_writer_write_all(struct ring_writer *w, const void *buf, size_t len);

/* Streaming: ring_writer_sync, then blocks until durable == appended or an
 * error; then until idle. Returns 0 or the -errno. The caller then closes
 * and renames the file (and fsyncs the directory). */
int ring_writer_finish(struct ring_writer *w);

/* Blocks in wait() until no op is in flight (teardown after an error). */
void ring_writer_drain(struct ring_writer *w);

#endif
