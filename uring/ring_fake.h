/* ring_fake.h: a ring_sys for tests, with an in-memory file and a crash.
 *
 * The fake runs queued ring_ops one at a time when the test steps it, never
 * inside queue(). It keeps a model of one file with two images: the page
 * cache (what writes change and reads would see) and the disk (what survives
 * a crash). A successful fsync copies every dirty byte of the cache to disk;
 * a failed fsync marks them clean without copying them (the pages are lost,
 * as with Linux writeback errors), so a later successful fsync does not save
 * them. ring_fake_crash keeps only the disk image, optionally with a torn
 * tail: some not-yet-durable bytes reach the disk, some as garbage.
 *
 * Adversity: a script of faults applied to the next op of a kind (short
 * write, -errno, delayed completion, or a short write or -errno whose
 * completion comes late), and random faults, random execution
 * order among independent ops and random delays. Links behave like
 * IOSQE_IO_LINK: a linked op starts only after its predecessor completed in
 * full; a failure or short write completes the rest of the chain with
 * -ECANCELED.
 *
 * Direct-I/O crash model (sector_bytes set): an RWF_DSYNC write reaches the
 * disk when its completion is delivered, not when it runs (until then its
 * bytes are dirty, like a plain write's), and a torn crash lands, sector by
 * sector, each sector wholly old or wholly new: any subset of the dirty
 * sectors (plain writes not fsynced, dsync writes not yet delivered) and
 * any subset of the sectors of every write still queued. A sector landed
 * beyond the durable size grows the file to it; the rest of the growth
 * reads as zeros. Without torn_tail none of them lands.
 *
 * Lives in the library (not tests/) so that net/'s tests can drive the AOF
 * through it too. Not for production use. */
#ifndef RINGKV_URING_RING_FAKE_H
#define RINGKV_URING_RING_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uring/ring.h"

/* Ops queued or awaiting completion at once; enough for a few writers. */
#define RING_FAKE_OPS_MAX 128
/* Scripted faults waiting to be applied. */
#define RING_FAKE_SCRIPT_MAX 64
/* Steps a delayed completion waits at most, in random mode. */
#define RING_FAKE_DELAY_STEPS_MAX 4

enum ring_fake_action {
    RING_FAKE_SHORT = 1, /* a write transfers `value` bytes (fewer than asked) */
    RING_FAKE_FAIL = 2,  /* the op fails with `value` (-errno); a write writes nothing */
    RING_FAKE_DELAY = 3, /* the op runs now; its completion comes `value` steps later */
    /* Applied when the op is queued: it does not start for `value` steps
     * while other ops can, so later ops overtake it (out-of-order I/O). */
    RING_FAKE_HOLD = 4,
};

struct ring_fake_fault {
    uint8_t kind;   /* enum ring_op_kind it applies to */
    uint8_t action; /* enum ring_fake_action */
    int value;
    /* SHORT and FAIL: the op's completion comes this many steps after it
     * ran (0: at once), as with RING_FAKE_DELAY. */
    int late_steps;
};

struct ring_fake_entry {
    struct ring_op *op; /* borrowed from the caller until its completion */
    uint64_t seq;
    uint64_t prev_seq;  /* the linked predecessor still running, or 0 */
    uint64_t iov_hash;  /* check_stable_buffers: the write's bytes when queued */
    bool executed;      /* ran; the completion is being delayed */
    int hold_steps;     /* steps before it may start (RING_FAKE_HOLD) */
    int delay_steps;
    int result;
};

struct ring_fake {
    struct ring_sys sys; /* first: a ring_sys pointer is a ring_fake pointer */
    struct ring_fake_entry entries[RING_FAKE_OPS_MAX]; /* in queue order */
    int entry_count;
    int queue_limit;     /* queue() answers -EBUSY beyond this many entries */
    uint64_t next_seq;
    struct ring_fake_fault script[RING_FAKE_SCRIPT_MAX];
    int script_count;
    /* Random behaviour, each a percentage (0: off). */
    bool random_order;   /* run any eligible op, not the oldest */
    uint32_t short_percent;
    uint32_t eintr_percent;
    uint32_t delay_percent;
    uint64_t rng;
    /* The direct-I/O crash model's sector (see above): a power of two; 0:
     * off, the model of torn_tail. Set before queuing the first op. */
    uint32_t sector_bytes;
    /* Counts in unstable_writes every write whose bytes changed between
     * queue() and when it ran or completed: the kernel may read them at any
     * moment in between, so the owner must not touch them. */
    bool check_stable_buffers;
    uint64_t unstable_writes;
    /* The file model. */
    uint8_t *cache;      /* owned, file_bytes_max */
    uint8_t *disk;       /* owned */
    uint8_t *dirty;      /* owned: 1 where cache differs from what an fsync would save */
    size_t file_bytes_max;
    uint64_t cache_len;
    uint64_t disk_len;
    uint64_t dirty_start; /* every dirty byte lies in [dirty_start, dirty_end) */
    uint64_t dirty_end;
    uint64_t touched_end; /* no image byte at or above it was ever set */
    /* Counters for assertions. */
    uint64_t writes_run;
    uint64_t fsyncs_run;
    uint64_t linked_ops;
    int in_flight_peak;
};

/* Allocates the file model (file_bytes_max bytes, three images). Returns 0
 * or -ENOMEM. */
int ring_fake_init(struct ring_fake *f, size_t file_bytes_max, uint64_t seed);
void ring_fake_free(struct ring_fake *f);

/* As ring_fake_init on the same allocation: an empty file, nothing queued,
 * no script, every setting and counter back to its default. Clears only
 * the bytes ever touched, so thousands of small runs stay cheap. */
void ring_fake_restart(struct ring_fake *f, uint64_t seed);

/* The file holds bytes[0..len) (copied), all durable, as if written and
 * fsynced before. Asserts nothing is queued. */
void ring_fake_set_file(struct ring_fake *f, const uint8_t *bytes, uint64_t len);

/* Appends a fault for the next op of `kind` that runs. */
void ring_fake_script(struct ring_fake *f, enum ring_op_kind kind, enum ring_fake_action action,
                      int value);

/* ring_fake_script for RING_FAKE_SHORT or RING_FAKE_FAIL whose completion
 * also comes late_steps steps after the op ran: a failure that happens now
 * (a failed fsync drops the dirty pages now) but reaches its owner after
 * other completions. */
void ring_fake_script_late(struct ring_fake *f, enum ring_op_kind kind,
                           enum ring_fake_action action, int value, int late_steps);

/* Ops queued and not yet completed. */
int ring_fake_in_flight(const struct ring_fake *f);

/* Runs one op, or delivers one delayed completion. Returns the number of
 * completions delivered (a chain cancel delivers several); 0 when nothing
 * was in flight or the op's completion was delayed. */
int ring_fake_step(struct ring_fake *f);

/* Steps until nothing is in flight (completions may queue more). Returns
 * the completions delivered. */
int ring_fake_run(struct ring_fake *f);

/* The process dies: ops in flight vanish without completing (their owners
 * must not be torn down through the normal path), and the file becomes the
 * disk image, plus with torn_tail a random mix of cache bytes and garbage
 * over a random stretch of the bytes that were not durable (with
 * sector_bytes set: whole sectors instead, see above; the iovecs of ops
 * still queued are read, so their buffers must still be alive). */
void ring_fake_crash(struct ring_fake *f, bool torn_tail);

/* ftruncate(2) on the model: the cache is cut now, the disk on the next
 * successful fsync. */
void ring_fake_truncate(struct ring_fake *f, uint64_t len);

/* The page cache view of the file (after a crash: what recovery reads).
 * Borrowed, valid until the next call on f. */
const uint8_t *ring_fake_file(const struct ring_fake *f, uint64_t *len);

#endif
