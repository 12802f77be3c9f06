/* ring_writer.h: append bytes to a file through a ring_sys, with group commit.
 *
 * A `struct ring_writer` turns a stream of appended bytes into writes at
 * tracked file offsets and fdatasyncs ordered after the writes they cover.
 * It knows nothing of Redis: the AOF and the RDB child both sit on top.
 *
 * Offsets (absolute file offsets, never decreasing except by
 * ring_writer_reset, and `released` not even then):
 *   durable   <= written <= submitted <= appended
 *   released  <= written
 *   durable:   every byte below it was written and then covered by an
 *              fdatasync that succeeded (issued after the write completed,
 *              or linked behind it), or by an RWF_DSYNC write that succeeded,
 *              and every sync op that overlapped that one succeeded too (see
 *              "Sync ops" below). Nothing else is ever reported durable.
 *   written:   every byte below it was written (the page cache has it).
 *   appended:  bytes handed to ring_writer_append so far.
 *   released:  the lowest byte the buffer still holds; bytes below it may
 *              have been overwritten by later appends.
 *
 * Buffer: appended bytes are copied into one preallocated circular buffer
 * and stay there until they are no longer needed: until durable under the
 * ALWAYS and EVERYSEC policies (so that after an error they can be written
 * again from the durable offset), until written under NO. `released` follows
 * that rule but never goes back, so after a switch from NO to ALWAYS or
 * EVERYSEC it stays at the old written offset until durable passes it; it
 * stands still while an error is set (appends are refused then). A full
 * buffer (appended - released == buffer_bytes) refuses appends with -ENOBUFS:
 * that is the back-pressure signal.
 *
 * Sync ops: an fdatasync (linked or not) and an RWF_DSYNC write both sync
 * the file. Linux reports a writeback error to only one of the syncs that
 * check it (errseq is per open file description), so of two sync ops in
 * flight at once, the one covering less may return 0 while the other gets
 * the EIO for a page the first one covered. Key invariant: a sync op's
 * success is credited (durable advanced) only once every sync op that was
 * in flight at any moment during its flight has completed successfully; if
 * any of them fails, nothing it overlapped is ever credited.
 *
 * Errors: the first failed write or fsync is kept (sticky). From then on
 * appends return it, nothing new is submitted, and an fsync is never retried
 * in the hope that earlier data is safe: after a failed fdatasync (or a
 * failed RWF_DSYNC write, whose sync part may be what failed) the kernel may
 * have dropped the dirty pages. Recovery is ring_writer_reset(), after the
 * caller has truncated the file back to ring_writer_recover_offset().
 *
 * Policy: chosen at init, changed at any time by ring_writer_set_policy.
 *
 * Threading: single-threaded. done() and every op completion run from the
 * owner's drain step (net/wire/loop.c, or ring_sys wait() in a child). */
#ifndef RINGKV_URING_RING_WRITER_H
#define RINGKV_URING_RING_WRITER_H

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
/* Successes of sync ops waiting for the sync ops they overlapped (see "Sync
 * ops" above). One held sync op can keep any number of later ones waiting,
 * so the table is bounded, not sized for the worst case: once full, a new
 * credit is merged into the newest one (see ring_writer.c). Sized for one credit
 * per slot that can run a sync op: every write (RWF_DSYNC) and every fsync. */
#define RING_WRITER_CREDITS_MAX (RING_WRITER_WRITES_IN_FLIGHT_MAX + RING_WRITER_FSYNCS_IN_FLIGHT_MAX)

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
    enum ring_writer_fsync fsync_policy; /* the current one: see ring_writer_set_policy */
    uint32_t writes_in_flight_max; /* 1..RING_WRITER_WRITES_IN_FLIGHT_MAX */
    size_t buffer_bytes;           /* RING_WRITER_BUFFER_BYTES_MIN..MAX */
    size_t write_bytes_max;        /* one write's cap, <= buffer_bytes; 0: buffer_bytes */
    uint32_t fsync_interval_ms;    /* EVERYSEC; 0: RING_WRITER_FSYNC_INTERVAL_MS_DEFAULT */
    /* ALWAYS: each write carries RWF_DSYNC instead of a linked fdatasync:
     * one operation per batch instead of two (on io_uring both go to a
     * kernel worker, so this halves the hand-offs). */
    bool dsync_writes;
    /* EVERYSEC and NO: a flush writes with pwritev(2) on the caller's
     * thread, into the page cache, instead of through the ring, so written
     * advances before ring_writer_flush returns (no completion, and no
     * done() call, for those bytes: the caller reads the offsets and
     * ring_writer_error after flushing). A write that fails is the sticky
     * error as on the ring. fdatasyncs still go through the ring. Redis
     * writes the same way before it replies; through the ring a buffered
     * write waits for a kernel worker, which costs a reply its latency. */
    bool inline_writes;
    /* Optional: asked before each inline write; a -errno fails it as if
     * pwritev had (fault tests arm it through uring/ring_inject.h). */
    int (*inline_fault)(void *ctx);
    void *inline_fault_ctx;
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
    uint64_t sync_seq;      /* an RWF_DSYNC write in flight: its sync op number; else 0 */
    uint8_t state;          /* free, in flight, parked (waiting to be queued again) */
};

struct ring_writer_fsync_slot {
    struct ring_op op;
    struct ring_writer *writer; /* back pointer, borrowed */
    uint64_t covers_below;  /* written offset when issued: all bytes below are covered */
    uint64_t linked_start;  /* range of the write it is linked behind; */
    uint64_t linked_end;    /* empty when not linked */
    uint64_t sync_seq;      /* its sync op number while in flight */
    bool in_flight;
};

/* What one successful sync op proved, not yet credited: every byte below
 * covers_below and [island_start, island_end). */
struct ring_writer_credit {
    uint64_t covers_below;
    uint64_t island_start;
    uint64_t island_end;
    /* The highest sync op number issued when the op succeeded: credited once
     * no sync op numbered up to here is in flight. */
    uint64_t tag;
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
    uint64_t released;      /* lowest byte the buffer still holds; never decreases */
    uint64_t sync_target;   /* an fdatasync is wanted until durable reaches this */
    /* Ranges a successful linked fsync made durable beyond a gap below them,
     * merged into durable once the gap closes. Empty slots have start==end. */
    uint64_t island_start[RING_WRITER_FSYNCS_IN_FLIGHT_MAX];
    uint64_t island_end[RING_WRITER_FSYNCS_IN_FLIGHT_MAX];
    /* Successful sync ops waiting for the sync ops they overlapped. */
    struct ring_writer_credit credits[RING_WRITER_CREDITS_MAX];
    uint32_t credit_count;
    uint64_t sync_seq_issued; /* number of the last sync op queued (the first is 1) */
    uint64_t last_fsync_ms; /* EVERYSEC: tick time of the last fsync issued */
    int error;              /* first -errno, or 0 */
    bool fsync_failed;      /* an fsync or an RWF_DSYNC write failed since the last reset */
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

/* Bytes ring_writer_append accepts right now: buffer_bytes minus the bytes
 * from released to appended (0 after an error). */
size_t ring_writer_space(const struct ring_writer *w);

/* Queues writes for every appended byte (and under ALWAYS the fdatasync
 * linked behind each write). Work that does not fit the write slots or the
 * ring now is queued from later completions. Never runs completions. */
void ring_writer_flush(struct ring_writer *w);

/* ring_writer_flush, then an fdatasync covering every byte appended so far,
 * under any policy: durable reaches today's appended offset unless an error
 * comes first. For shutdown, file rotation and the end of a stream. */
void ring_writer_sync(struct ring_writer *w);

/* Changes the fsync policy at once, at any time: with ops in flight, and
 * while the sticky error is set (it stays set; see ring_writer_reset). Ops in
 * flight finish as queued. To ALWAYS: an fdatasync is wanted for every
 * byte asked to be written so far (sync_target = flush target) and issued
 * now when nothing is in the way, and later writes are linked to fdatasyncs
 * (or carry RWF_DSYNC with dsync_writes). To EVERYSEC: ring_writer_tick
 * issues the periodic fdatasync. To NO: bytes are released once written, so
 * ring_writer_space may grow at once; an fdatasync already wanted under the
 * old policy is still issued. Runs no completion and does not call done(). */
void ring_writer_set_policy(struct ring_writer *w, enum ring_writer_fsync policy);

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

/* Where the file must be cut before ring_writer_reset, under any policy:
 * the durable offset once an fdatasync or an RWF_DSYNC write has failed
 * (the kernel may have dropped any page not yet durable); otherwise, when
 * only plain writes failed, the written offset, since every byte below it
 * was written and the page cache still has it (under EVERYSEC those bytes
 * may already have been acknowledged). */
uint64_t ring_writer_recover_offset(const struct ring_writer *w);

/* After an error, once the writer is idle and the caller has truncated the
 * file to ring_writer_recover_offset (and may fsync it): clears the error and
 * queues every held byte again from that offset under the current policy,
 * so durable never counts a byte written before a failed sync. Returns 0,
 * or the sticky error unchanged when the recover offset is below released
 * (the buffer no longer holds those bytes: a failed fsync under NO, which
 * releases bytes once written, or after a switch from NO): the owner must
 * then rebuild the file from its own state. Asserts idle and an error set. */
int ring_writer_reset(struct ring_writer *w);

/* Starts over on fd (borrowed, like config.fd; opened without O_APPEND) at
 * start_offset, keeping the buffer and the policy: every appended byte not
 * yet durable is dropped, the sticky error is cleared and every offset
 * becomes start_offset. For an owner moving to a new file, or to one it
 * emptied, without a new allocation that could fail. Asserts idle. */
void ring_writer_restart(struct ring_writer *w, int fd, uint64_t start_offset);

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
