/* ring.c: the real ring_sys backend on io_uring.
 *
 * Owns the translation of ring_ops into SQEs and of tagged CQEs back into
 * done() calls, and the lifetime of a private ring. Leaves the borrowed
 * ring's submission and CQE loop to its owner (net/wire/loop.c).
 *
 * Invariant: the SQEs of one queue() call are taken from the SQ together
 * and without a submit in between, so a link chain is never cut in two by
 * a submission boundary (the kernel would run the head without its tail). */
#define _GNU_SOURCE /* pwritev2 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/uio.h>
#include <linux/fs.h> /* RWF_DSYNC */

#include "uring/ring.h"

static void ring_prep(struct io_uring_sqe *sqe, struct ring_op *op)
{
    if (op->kind == RING_OP_WRITE) {
        assert(op->iov_count >= 1);
        assert(op->iov_count <= RING_OP_IOVECS_MAX);
        if (op->iov_count == 1)
            io_uring_prep_write(sqe, op->fd, op->iov[0].iov_base, (unsigned)op->iov[0].iov_len,
                                op->offset);
        else
            io_uring_prep_writev(sqe, op->fd, op->iov, op->iov_count, op->offset);
        if (op->dsync)
            sqe->rw_flags = RWF_DSYNC;
    } else if (op->kind == RING_OP_FSYNC) {
        io_uring_prep_fsync(sqe, op->fd, IORING_FSYNC_DATASYNC);
    } else {
        assert(op->kind == RING_OP_NOP);
        io_uring_prep_nop(sqe);
    }
    if (op->link_next)
        sqe->flags |= IOSQE_IO_LINK;
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)op | RING_USER_DATA_TAG);
}

static int ring_uring_queue(struct ring_sys *sys, struct ring_op *const *ops, int count)
{
    struct ring_uring *u = (struct ring_uring *)sys;
    assert(count >= 1);
    assert(count <= RING_QUEUE_OPS_MAX);
    assert(!ops[count - 1]->link_next);
    if (count == 1 && ops[0]->run_inline && io_uring_sq_ready(u->ring) > 0) {
        /* The write below blocks this thread for a while: what the owner
         * queued before it (the sends of replies that need not wait) goes
         * to the kernel first, so it is not delayed behind the write. A
         * refusal leaves the entries queued for the next submit. */
        (void)io_uring_submit(u->ring);
    }
    if (io_uring_sq_space_left(u->ring) < (unsigned)count) {
        /* Hand what is queued to the kernel to free SQ slots, as the loop's
         * own SQE helper does; completions still run from the drain. */
        int ret = io_uring_submit(u->ring);
        if (ret < 0 && ret != -EAGAIN && ret != -EBUSY && ret != -EINTR)
            return ret;
        if (io_uring_sq_space_left(u->ring) < (unsigned)count)
            return -EBUSY;
    }
    for (int i = 0; i < count; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(u->ring);
        assert(sqe != NULL); /* space was checked above */
        struct ring_op *op = ops[i];
        op->inline_ran = false;
        if (op->run_inline && op->kind == RING_OP_WRITE && !op->link_next && count == 1) {
            /* Written now; the no-op carries the result to the drain. */
            ssize_t n = pwritev2(op->fd, op->iov, (int)op->iov_count, (off_t)op->offset,
                                 op->dsync ? RWF_DSYNC : 0);
            op->inline_result = n < 0 ? -errno : (int)n;
            op->inline_ran = true;
            io_uring_prep_nop(sqe);
            io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)op | RING_USER_DATA_TAG);
            continue;
        }
        ring_prep(sqe, op);
    }
    return 0;
}

void ring_complete(const struct io_uring_cqe *cqe)
{
    assert(ring_owns_cqe(cqe));
    struct ring_op *op = (struct ring_op *)(uintptr_t)(cqe->user_data & ~RING_USER_DATA_TAG);
    assert(op->kind == RING_OP_WRITE || op->kind == RING_OP_FSYNC || op->kind == RING_OP_NOP);
    op->result = op->inline_ran ? op->inline_result : cqe->res;
    op->inline_ran = false;
    op->done(op);
}

static int ring_uring_wait(struct ring_sys *sys)
{
    struct ring_uring *u = (struct ring_uring *)sys;
    assert(u->owns_ring); /* a borrowed ring's CQEs belong to its owner */
    int ret = io_uring_submit_and_wait(u->ring, 1);
    if (ret < 0)
        return ret;
    /* Collect first, then run: a done() may queue and submit new ops. */
    struct io_uring_cqe copies[RING_PRIVATE_ENTRIES * 2];
    int count = 0;
    unsigned head;
    struct io_uring_cqe *cqe;
    io_uring_for_each_cqe(u->ring, head, cqe) {
        if (count == (int)(sizeof(copies) / sizeof(copies[0])))
            break;
        copies[count++] = *cqe;
    }
    io_uring_cq_advance(u->ring, (unsigned)count);
    for (int i = 0; i < count; i++)
        ring_complete(&copies[i]);
    return count;
}

static const struct ring_sys_calls ring_uring_borrowed_calls = {
    .queue = ring_uring_queue,
    .wait = NULL,
};

static const struct ring_sys_calls ring_uring_private_calls = {
    .queue = ring_uring_queue,
    .wait = ring_uring_wait,
};

void ring_uring_init_borrowed(struct ring_uring *u, struct io_uring *ring)
{
    assert(ring != NULL);
    memset(u, 0, sizeof(*u));
    u->sys.calls = &ring_uring_borrowed_calls;
    u->ring = ring;
    u->owns_ring = false;
}

int ring_uring_init_private(struct ring_uring *u)
{
    memset(u, 0, sizeof(*u));
    int ret = io_uring_queue_init(RING_PRIVATE_ENTRIES, &u->own, 0);
    if (ret < 0)
        return ret;
    u->sys.calls = &ring_uring_private_calls;
    u->ring = &u->own;
    u->owns_ring = true;
    return 0;
}

void ring_uring_exit(struct ring_uring *u)
{
    if (u->owns_ring)
        io_uring_queue_exit(&u->own);
    u->ring = NULL;
    u->owns_ring = false;
}
