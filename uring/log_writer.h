/* log_writer.h: a durable log in pre-written file space, written with direct
 * I/O, several batches in flight, durability reported in order.
 *
 * The owner hands whole batches (log_writer_submit); each is written with
 * one write of whole blocks (RWF_DSYNC under `dsync`, from an aligned
 * buffer, on an fd the owner opened with O_DIRECT) into space that was
 * written and fdatasync'd before, so a batch write changes no metadata and
 * several run at once without a journal commit each. Like ring_writer.h it
 * knows nothing of Redis: the owner supplies the padding (config.fill) that
 * its readers skip, and frames its batches itself.
 *
 * File layout. Positions are file offsets. The log ends at `position`: the
 * end of the last batch submitted. Everything from there to `prewritten`
 * (the file size, a multiple of block_bytes) is padding made by fill(). A
 * batch starts at `position` unless the block holding `position` belongs to
 * a write still in flight; then it starts at the next block boundary and
 * the gap is padding (already written by that earlier write). A batch's
 * write covers whole blocks: the bytes of its first block below its start
 * are rewritten unchanged from memory (so a torn write can only damage
 * bytes not yet acknowledged), and the bytes after its end up to the block
 * end are padding.
 *
 * Padding is cut into pieces that each end at a sector boundary (every
 * sector that holds no batch byte is exactly one piece), each between
 * LOG_WRITER_PAD_MIN and LOG_WRITER_PAD_MAX bytes: a 1-byte remainder
 * before a sector boundary joins the next sector's piece (the write then
 * extends into the next block when it must). A reader that skips each piece
 * as one line therefore sees whole pieces at every sector, whatever
 * sectors of an in-flight write reached the disk. "Sector" here is always
 * LOG_WRITER_PAD_UNIT_BYTES (512), the smallest sector there is: a piece
 * boundary at every 512 bytes is one at every sector boundary of any larger
 * sector_bytes too (a 4096-byte sector is eight pieces; one piece could not
 * hold it). A batch of one byte that ends on a block boundary right behind
 * such a merged piece also rewrites the next block, so that everything from
 * `position` to `prewritten` is whole pieces at all times.
 *
 * Pre-written space. When less than config.extend_bytes / 2 remains between
 * the end of the furthest batch and `prewritten`, the writer extends the
 * file by extend_bytes of padding in the background: plain writes, then an
 * fdatasync; `prewritten` advances only when that fdatasync succeeded. The
 * first extension also rewrites the partial block at the start position
 * (bytes below it from config.tail, padding above). A batch that does not
 * fit below `prewritten` waits for the extension (the extension then covers
 * it). An extension is written in pieces of config.extend_write_bytes, up
 * to LOG_WRITER_EXTEND_WRITES_MAX at once, and its fdatasync is queued once
 * they all completed. The owner fsyncs the directory after creating the
 * file; the writer never creates, renames or deletes.
 *
 * Order. Batches may complete in any order; `durable` advances over a batch
 * only when it and every batch submitted before it completed successfully,
 * and reports the token the owner gave the newest such batch.
 *
 * Errors are sticky, as in ring_writer.h: the first failed write, fdatasync
 * or extension refuses submissions; nothing is credited past a failed batch.
 * A short batch write whose count is a whole number of blocks is continued;
 * any other short write is -EIO. A zero-byte write and -EINTR, -EAGAIN,
 * -EBUSY or -ECANCELED results are retried, LOG_WRITER_RETRIES_MAX times in
 * a row at most. Direct writes bypass the page cache, so there are no
 * dropped dirty pages to hide: log_writer_reset (once idle) writes every
 * batch not yet durable again, from memory, at its old position, and
 * restarts an unfinished extension from its beginning (writes, then a new
 * fdatasync).
 *
 * Ring room: when queue() refuses (-EBUSY), the work is parked and offered
 * again from the writer's next completion, or by log_writer_retry when none
 * of its ops is in flight.
 *
 * Threading: single-threaded; completions run from the owner's drain step
 * (the event loop, or ring_sys wait()). */
#ifndef RINGKV_URING_LOG_WRITER_H
#define RINGKV_URING_LOG_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "uring/ring.h"

/* Batch writes in flight at most. */
#define LOG_WRITER_IN_FLIGHT_MAX 16
/* Extension writes in flight at most, and the size of one (the default of
 * config.extend_write_bytes). */
#define LOG_WRITER_EXTEND_WRITES_MAX 4
#define LOG_WRITER_EXTEND_WRITE_BYTES ((size_t)1 << 20)
/* Padding piece sizes fill() is asked for. */
#define LOG_WRITER_PAD_MIN 2
#define LOG_WRITER_PAD_MAX 1023
/* The grid padding pieces end on: every multiple of it outside batch bytes
 * is a piece boundary (but the one inside a merged 1 + 512-byte piece). */
#define LOG_WRITER_PAD_UNIT_BYTES 512
/* Consecutive no-progress results (zero bytes, -EINTR, -EAGAIN, -EBUSY,
 * -ECANCELED) one op tolerates before the writer gives up with that error. */
#define LOG_WRITER_RETRIES_MAX 100
/* Largest batch whatever the buffer: a write's result is an int and Linux
 * caps one write at 0x7ffff000 bytes. */
#define LOG_WRITER_BATCH_BYTES_MAX ((size_t)1 << 30)

_Static_assert(LOG_WRITER_PAD_UNIT_BYTES + 1 <= LOG_WRITER_PAD_MAX,
               "a merged piece (one byte and a whole unit) must fit fill()");
_Static_assert(LOG_WRITER_PAD_UNIT_BYTES >= LOG_WRITER_PAD_MIN, "a unit is a piece");
_Static_assert(LOG_WRITER_IN_FLIGHT_MAX + LOG_WRITER_EXTEND_WRITES_MAX + 1 <= RING_PRIVATE_ENTRIES,
               "a private ring must hold one writer's ops at once");

struct log_writer;

struct log_writer_config {
    int fd;                /* borrowed; O_DIRECT in production, no O_APPEND */
    uint32_t block_bytes;  /* write alignment (offset, length, memory): a power of two >= 512 */
    uint32_t sector_bytes; /* atomic unit a crash can tear at: power of two, <= block_bytes, >= 512 */
    uint64_t start;        /* position where the log continues; the file's size must equal it */
    /* The file's bytes [start rounded down to a block, start): start %
     * block_bytes bytes, borrowed during init. NULL when start is aligned. */
    const uint8_t *tail;
    size_t buffer_bytes;   /* multiple of block_bytes; the largest batch is a bit smaller */
    uint32_t in_flight_max; /* 1..LOG_WRITER_IN_FLIGHT_MAX */
    uint64_t extend_bytes; /* multiple of block_bytes, >= extend_write_bytes */
    /* One extension write: a multiple of block_bytes; 0: LOG_WRITER_EXTEND_WRITE_BYTES.
     * Tests use small ones so that extensions come often. */
    size_t extend_write_bytes;
    /* Batch writes carry RWF_DSYNC (durable on completion). Without it a
     * completion still counts as durable: only for tests, or an fd whose
     * writes are durable anyway (O_DSYNC). */
    bool dsync;
    /* Batch writes ask the backend to run them inline (ring_op.run_inline):
     * the calling thread blocks for each one instead of waking for its
     * completion. Extensions stay asynchronous. */
    bool inline_batches;
    /* Fills dst[0..len) with padding its readers skip, LOG_WRITER_PAD_MIN <=
     * len <= LOG_WRITER_PAD_MAX: one line, e.g. "#   ...\n". */
    void (*fill)(uint8_t *dst, size_t len);
    /* Runs from the drain step after a completion advanced durable, set the
     * sticky error, freed a slot, or made room (pre-written space). May call
     * any writer function except init/free. Optional. */
    void (*done)(struct log_writer *w);
    void *owner;           /* for the owner's use in done() */
};

enum log_writer_batch_state {
    LOG_WRITER_BATCH_FREE = 0,
    LOG_WRITER_BATCH_WAITING = 1,   /* its write is not below prewritten yet */
    LOG_WRITER_BATCH_IN_FLIGHT = 2, /* queued: its completion will come */
    LOG_WRITER_BATCH_DONE = 3,      /* written in full; durable once all before it are */
    LOG_WRITER_BATCH_PARKED = 4,    /* owes bytes, not queued: ring full, a retry, or failed */
};

struct log_writer_batch {      /* one batch slot, in submission order */
    struct ring_op op;
    struct log_writer *writer;
    uint64_t write_start;      /* block-aligned first byte the write covers */
    uint64_t write_end;        /* block-aligned end */
    uint64_t batch_start;      /* the batch's own bytes: [batch_start, batch_end) */
    uint64_t batch_end;
    uint64_t token;
    uint64_t write_next;       /* first byte of the write not yet written (short writes) */
    uint32_t retries;          /* consecutive no-progress results */
    bool sent;                 /* went out once (counted in stats.in_flight_sum) */
    uint8_t state;             /* enum log_writer_batch_state */
};

struct log_writer_extend {
    struct ring_op op;
    struct log_writer *writer;
    bool in_flight;
    bool parked;               /* prepared, waiting for ring room or a retry */
    uint32_t retries;
};

struct log_writer_stats {
    uint64_t batches;         /* batches durable */
    uint64_t batch_bytes;     /* their own bytes */
    uint64_t pad_bytes;       /* padding inside batch writes (gaps, block tails) */
    uint64_t bytes_written;   /* by batch writes, rewrites included */
    uint64_t extensions;      /* extensions made durable */
    uint64_t extend_bytes;    /* bytes they added */
    uint32_t in_flight_peak;  /* most batch writes in flight at once */
    uint64_t in_flight_sum;   /* sum, over submitted batches, of writes in flight when it went
                               * out (itself included), counted once per batch */
    uint64_t gap_bytes;       /* skipped: batches that started at the next block boundary */
    uint64_t space_waits;     /* batches that had to wait for pre-written space */
    uint64_t resets;          /* log_writer_reset calls */
    uint64_t inline_writes;   /* batch writes asked to run inline */
};

struct log_writer {
    struct log_writer_config config;
    struct ring_sys *sys;     /* borrowed */
    uint8_t *buffer;          /* owned, block-aligned: the byte at position o lives at buffer[o % buffer_bytes] */
    uint8_t *pad_chunk;       /* owned: extend_write_bytes of padding, aligned */
    uint8_t *tail_block;      /* owned, aligned: the first extension's partial start block(s) */
    size_t tail_bytes;        /* its length: 0 (start aligned), one or two blocks */
    uint64_t position;        /* end of the last batch submitted */
    uint64_t prewritten;      /* file size made durable by extensions */
    uint64_t extend_base;     /* the extension under way starts here (block-aligned) */
    uint64_t extend_target;   /* extension under way up to here (== prewritten: none) */
    uint64_t extend_next;     /* next extension byte to queue */
    uint64_t extend_done;     /* extension bytes written below here */
    bool extend_fsync;        /* the extension's fdatasync is in flight */
    uint32_t extend_sync_retries;
    uint64_t write_end_max;   /* end of the furthest batch write */
    uint64_t submitted_token; /* token of the last batch submitted */
    bool tail_pending;        /* the first extension still owes the partial start block */
    uint64_t durable_token;
    uint64_t durable_position;/* end of the last batch durable in order */
    int error;
    bool in_pump;
    /* Ring of batch slots: [head, head + count) in submission order. */
    struct log_writer_batch batches[LOG_WRITER_IN_FLIGHT_MAX];
    uint32_t head;
    uint32_t count;
    uint32_t in_flight;
    struct log_writer_extend extends[LOG_WRITER_EXTEND_WRITES_MAX];
    struct ring_op extend_sync;
    uint32_t extends_in_flight;
    struct log_writer_stats stats;
};

/* Allocates the buffers (the only allocations) and starts the first
 * extension. Returns 0 or -ENOMEM. Invalid config asserts. */
int log_writer_init(struct log_writer *w, struct ring_sys *sys, const struct log_writer_config *config);

/* Frees the buffers. Asserts idle. */
void log_writer_free(struct log_writer *w);

/* The largest batch log_writer_submit can ever take: buffer_bytes minus two
 * blocks (capped at LOG_WRITER_BATCH_BYTES_MAX), which fits whenever every
 * batch before it is durable. */
size_t log_writer_batch_max(const struct log_writer *w);

/* Whether log_writer_submit would take a batch of len bytes now: a free
 * slot, room in the buffer, no error. */
bool log_writer_can_submit(const struct log_writer *w, size_t len);

/* Copies iov[0..iovcnt) (borrowed during the call; at least one byte in
 * all) as one batch behind the
 * last one, and writes it as soon as pre-written space covers it. token is
 * the owner's, reported by log_writer_durable_token once the batch and all
 * before it are durable; tokens must not decrease. Returns 0, -EAGAIN
 * (no slot or room now: retry from done()), -EMSGSIZE (larger than
 * log_writer_batch_max) or the sticky -errno. */
int log_writer_submit(struct log_writer *w, const struct iovec *iov, int iovcnt, uint64_t token);

/* The token of the newest batch durable in order (0 before the first). */
uint64_t log_writer_durable_token(const struct log_writer *w);

/* End of the last batch submitted, and of the last durable in order: for
 * a clean close, the owner truncates the file to position once everything
 * is durable. */
uint64_t log_writer_position(const struct log_writer *w);
uint64_t log_writer_durable_position(const struct log_writer *w);

/* Whether every submitted batch is durable. */
bool log_writer_all_durable(const struct log_writer *w);

/* 0 or the sticky -errno. */
int log_writer_error(const struct log_writer *w);

/* No write or fsync in flight. */
bool log_writer_idle(const struct log_writer *w);
/* Batch writes prepared from now on run inline or not (config.inline_batches). */
void log_writer_set_inline(struct log_writer *w, bool on);
/* Whether an extension is planned or under way (not yet fsynced). */
bool log_writer_extending(const struct log_writer *w);

/* Batch writes in flight now. */
uint32_t log_writer_in_flight(const struct log_writer *w);

/* After an error, once idle: clears it and writes again every batch not
 * yet durable and the unfinished extension. */
void log_writer_reset(struct log_writer *w);

/* Offers the ring again the work it refused for lack of room (-EBUSY) when
 * no completion of this writer is coming to do it: call it from the
 * owner's tick. Does nothing when nothing waits or an error is set. */
void log_writer_retry(struct log_writer *w);

const struct log_writer_stats *log_writer_stats(const struct log_writer *w);

/* Blocks in the ring's wait() until idle (teardown, tests on a private ring). */
void log_writer_drain(struct log_writer *w);

#endif
