/* ring.h: the table of kernel-facing calls that uring/ makes, and its real
 * io_uring implementation.
 *
 * Everything uring/ asks of the kernel is a `struct ring_op` (a write at an
 * explicit offset, an fdatasync, or a no-op) handed to a `struct ring_sys`.
 * The real backend (`struct ring_uring`) turns ops into SQEs on either a
 * borrowed ring (the server's event loop ring) or a private ring it creates
 * (a forked child's). Tests swap in the fake of uring/ring_fake.h, which runs
 * ops against an in-memory file model and injects failures; a running server
 * can wrap its backend in uring/ring_inject.h, which fails chosen ops.
 *
 * Completions: an op's done() runs from the owner's drain step, never inside
 * queue(). On a borrowed ring the loop routes every CQE whose user_data has
 * RING_USER_DATA_TAG set to ring_complete(); ops are at least 8-byte aligned
 * so the tag bit is free. On a private ring, ring_sys wait() does the drain.
 *
 * Ownership: ring_sys never allocates per op. The caller embeds each op and
 * keeps it, and the bytes its iovecs point at, alive until done() has run. */
#ifndef RINGKV_URING_RING_H
#define RINGKV_URING_RING_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

/* Low bit of user_data marking a CQE as belonging to a ring_op. Loop ops
 * are pointers too, so their low bit is clear. */
#define RING_USER_DATA_TAG 1ull

/* A write names at most two byte ranges: the writer's buffer is circular,
 * so one flushed range can wrap once around its end. */
#define RING_OP_IOVECS_MAX 2

/* The most ops one queue() call takes: a write linked to an fsync. */
#define RING_QUEUE_OPS_MAX 2

/* Ring size of a private ring (a forked child's): enough SQEs for every
 * write and fsync a streaming writer can have in flight. */
#define RING_PRIVATE_ENTRIES 64

enum ring_op_kind {
    RING_OP_WRITE = 1, /* pwrite/pwritev of iov[0..iov_count) at offset */
    RING_OP_FSYNC = 2, /* fdatasync (IORING_FSYNC_DATASYNC) of fd */
    /* Completes with result 0 without touching any file (fd, offset and
     * iov are ignored). uring/ring_inject.h sends the ops it fails as
     * no-ops, so they keep their place in order and in link chains. */
    RING_OP_NOP = 3,
};

/* The highest kind: tables indexed by kind have RING_OP_KIND_MAX + 1 rows. */
#define RING_OP_KIND_MAX RING_OP_NOP

struct ring_op {                      /* embedded by the caller */
    void (*done)(struct ring_op *op); /* runs from the drain step; owner via container_of */
    int result;                       /* before done(): bytes written, 0 (fsync, nop), or -errno */
    uint8_t kind;                     /* enum ring_op_kind */
    /* When set, the next op of the same queue() call starts only after this
     * one completed in full (IOSQE_IO_LINK). A failure or short write of this
     * op completes the rest of the chain with -ECANCELED. */
    bool link_next;
    /* Writes: RWF_DSYNC. The written range is durable (as after an
     * fdatasync covering it) once the write completes successfully. */
    bool dsync;
    /* Writes not linked to another op: the real backend may perform the
     * write itself, synchronously inside queue() (pwritev2), and deliver
     * its result through a no-op's completion, from the drain step like
     * any other. For a loop thread that loses less blocking on a short
     * durable write than it loses to the two wake-ups an asynchronous one
     * costs (the device's completion, then the sync part in a kernel
     * worker). The fake ignores it. */
    bool run_inline;
    int inline_result;                   /* backend's: the inline write's result */
    bool inline_ran;                     /* backend's: result holds it */
    int fd;                              /* borrowed */
    uint64_t offset;                     /* writes: file offset of iov[0]'s first byte */
    uint32_t iov_count;                  /* writes: 1..RING_OP_IOVECS_MAX */
    struct iovec iov[RING_OP_IOVECS_MAX]; /* borrowed bytes, valid until done() */
} __attribute__((aligned(8)));

_Static_assert(_Alignof(struct ring_op) > RING_USER_DATA_TAG,
               "the user_data tag bit must be free in every op pointer");

struct ring_sys;

struct ring_sys_calls {
    /* Queues ops[0..count) in order as one unit: either all are queued or
     * none is (-EBUSY when the backend has no room now; retry after a
     * completion). Links are honoured only inside one call, and the last op's
     * link_next must be clear. Never runs a completion. Returns 0 or -errno. */
    int (*queue)(struct ring_sys *sys, struct ring_op *const *ops, int count);
    /* Submits what is queued, blocks until at least one completion is
     * available, and runs done() for every available one. Returns the number
     * of completions run (0 when nothing was in flight), or -errno (-EINTR:
     * call again). Only backends that own their completions implement it; a
     * borrowed loop ring leaves it NULL. */
    int (*wait)(struct ring_sys *sys);
};

struct ring_sys {
    const struct ring_sys_calls *calls; /* borrowed, static */
};

/* The real backend. */
struct ring_uring {
    struct ring_sys sys;  /* first: a ring_sys pointer is a ring_uring pointer */
    struct io_uring *ring; /* &own, or borrowed from the event loop */
    struct io_uring own;   /* initialized only by ring_uring_init_private */
    bool owns_ring;
};

/* Uses the caller's ring (borrowed: it must outlive u). Completions come
 * back through ring_complete(), called by the ring's owner. Cannot fail. */
void ring_uring_init_borrowed(struct ring_uring *u, struct io_uring *ring);

/* Creates a private ring of RING_PRIVATE_ENTRIES entries (a forked child
 * builds its own; it must never touch the parent's). Returns 0 or -errno
 * (e.g. -ENOSYS, -EPERM when io_uring is unavailable). */
int ring_uring_init_private(struct ring_uring *u);

/* Tears down a private ring; a borrowed one is left alone. Every op must
 * have completed. */
void ring_uring_exit(struct ring_uring *u);

/* Whether a CQE of a shared ring belongs to a ring_op. */
static inline bool ring_owns_cqe(const struct io_uring_cqe *cqe)
{
    return (cqe->user_data & RING_USER_DATA_TAG) != 0;
}

/* Runs the done() of the op a tagged CQE completes. Called by the ring's
 * owner from its drain step; the CQE is only read. */
void ring_complete(const struct io_uring_cqe *cqe);

#endif
