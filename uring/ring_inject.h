/* ring_inject.h: a ring_sys that fails chosen ops, for fault tests of a
 * running server.
 *
 * Wraps another ring_sys (the event loop's borrowed ring). Every op passes
 * through unchanged unless a fault is armed for its kind: then the op never
 * reaches the kernel's file. It is sent as a no-op (RING_OP_NOP) instead,
 * and its completion, delivered from the owner's drain step like any other,
 * carries the armed -errno. Ops linked behind a failed op in the same
 * queue() call complete with -ECANCELED, as IOSQE_IO_LINK does; they are
 * sent as no-ops too, so none of their I/O runs.
 *
 * Which ops fail is decided when they are queued, in queue order: an op of
 * an armed kind first uses up the rule's `skip`, then its `count`. An op
 * canceled by a failed op ahead of it uses up nothing (it never ran). A
 * queue() call that returns an error uses up nothing and leaves every op as
 * it was. Between queue() and done() a faulted op's kind, done and
 * iov[0].iov_base belong to the decorator; done() sees them restored.
 *
 * A failed op changes no file: a failed write wrote nothing, a failed fsync
 * dropped nothing (the real kernel may drop dirty pages; the fake in
 * ring_fake.h models that). What it tests is the owner's reaction.
 *
 * Armed from DEBUG RINGKV-AOF-FAULT (enable-debug-command). Not a way to
 * lose data in production: with nothing armed it adds one branch per op.
 * Nothing is allocated; completions are never run inside queue(). */
#ifndef RINGKV_URING_RING_INJECT_H
#define RINGKV_URING_RING_INJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "uring/ring.h"

/* Ops of any kind that a ring_inject may have in flight as no-ops at once.
 * More wait: queue() answers -EBUSY until one completes. 64 holds one
 * ring_writer's every write and fsync (33) with room to spare, so the AOF
 * writer never sees that -EBUSY; ring_inject.c asserts this. */
#define RING_INJECT_FAULTED_MAX 64

struct ring_inject_rule {
    int error;      /* -errno to complete with; 0: not armed */
    uint32_t skip;  /* ops of this kind to let through first */
    uint32_t count; /* ops to fail after that; UINT32_MAX: until cleared */
};

struct ring_inject_faulted {  /* an op sent as a no-op */
    struct ring_op *op;       /* borrowed: the caller's op, NULL when free */
    void (*done)(struct ring_op *op); /* its own completion */
    /* Its own iov[0].iov_base: while it is a no-op (which ignores its iov),
     * the op's iov[0].iov_base points at this slot, so that the completion
     * can find it without a global. */
    void *iov_base;
    uint8_t kind;             /* its own kind, restored before done() */
    /* What done() will see: the armed error, or -ECANCELED behind one. If
     * the kernel cancels the no-op itself (a real op ahead of it in the
     * chain failed), done() sees that -ECANCELED instead, as it would have
     * without the decorator. */
    int result;
};

struct ring_inject {
    struct ring_sys sys;    /* first: a ring_sys pointer is a ring_inject pointer */
    struct ring_sys *inner; /* borrowed; outlives this */
    struct ring_inject_rule rules[RING_OP_KIND_MAX + 1]; /* by enum ring_op_kind; [0] unused */
    struct ring_inject_faulted faulted[RING_INJECT_FAULTED_MAX];
    /* Ops failed by a rule (not those canceled behind them), for tests and
     * logs. */
    uint64_t ops_failed;
};

/* Wraps inner. Nothing is armed. r's wait() forwards to inner's, and is
 * NULL when inner has none. Cannot fail. Every op queued through r must have
 * completed before r is initialized again or goes away. */
void ring_inject_init(struct ring_inject *r, struct ring_sys *inner);

/* Arms kind (RING_OP_WRITE..RING_OP_KIND_MAX), replacing its rule: after
 * `skip` more ops of that kind pass, the next `count` (UINT32_MAX: all, until
 * disarmed) complete with error (-errno, < 0). error 0 or count 0 disarms the
 * kind; a rule whose count runs out disarms itself. Ops already queued are
 * not affected. */
void ring_inject_arm(struct ring_inject *r, enum ring_op_kind kind, int error, uint32_t skip,
                     uint32_t count);

/* Disarms every kind. Ops already queued as no-ops still complete with
 * their error. */
void ring_inject_clear(struct ring_inject *r);

/* For an op its owner runs outside the ring (ring_writer's inline writes):
 * uses up one op of kind's rule as queue() would, and returns the -errno it
 * fails with, or 0 when it passes. */
int ring_inject_take(struct ring_inject *r, enum ring_op_kind kind);

#endif
