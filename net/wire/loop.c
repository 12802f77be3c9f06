/* loop.c: the io_uring event loop (see loop.h).
 *
 * Receive buffers are chosen by the kernel from provided-buffer group 0.
 * Leaves the connections' buffers to conn.c, and what the bytes mean, the
 * tick's work and the signals' to the handler.
 * Invariant: a connection's `sending` buffer is not touched between a
 * send's submission and its completion. */
#include "net/wire/loop.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "uring/ring.h"


_Static_assert((LOOP_RECV_BUFFERS & (LOOP_RECV_BUFFERS - 1)) == 0,
               "the provided buffer ring size must be a power of two");

static const char *loop_fix_hint(int err)
{
    if (err == -EPERM)
        return "io_uring is disabled for this process: check /proc/sys/kernel/io_uring_disabled "
               "(set it to 0 with 'sysctl kernel.io_uring_disabled=0') or the io_uring_group sysctl";
    if (err == -ENOSYS)
        return "the kernel or a seccomp filter refuses io_uring_setup: use Linux 6.0 or newer and "
               "allow io_uring in the container's seccomp profile (docker: --security-opt "
               "seccomp=unconfined or a profile that permits io_uring_setup/enter/register)";
    if (err == -ENOMEM)
        return "not enough locked memory for the ring: raise 'ulimit -l' (RLIMIT_MEMLOCK)";
    return "check that the kernel supports io_uring (Linux 6.0 or newer)";
}

static int loop_setup_buffers(struct loop *l, char *err, size_t err_len)
{
    l->recv_ring_bytes = sizeof(struct io_uring_buf) * LOOP_RECV_BUFFERS;
    void *mem = mmap(NULL, l->recv_ring_bytes, PROT_READ | PROT_WRITE,
                     MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) {
        snprintf(err, err_len, "cannot map the receive buffer ring: %s", strerror(errno));
        return -errno;
    }
    l->recv_ring = mem;
    io_uring_buf_ring_init(l->recv_ring);
    struct io_uring_buf_reg reg = {
        .ring_addr = (unsigned long)mem,
        .ring_entries = LOOP_RECV_BUFFERS,
        .bgid = LOOP_BUFFER_GROUP,
    };
    int ret = io_uring_register_buf_ring(&l->ring, &reg, 0);
    if (ret < 0) {
        snprintf(err, err_len,
                 "io_uring cannot register provided buffers (%s): ringkv needs Linux 5.19 or newer",
                 strerror(-ret));
        return ret;
    }
    /* Both the ring and the buffers stay out of fork children (which never
     * serve clients): otherwise every buffer the kernel fills while a
     * snapshot child lives would first be copied (about a third of the
     * parent's copy-on-write faults during a BGSAVE under a GET load). */
    if (madvise(mem, l->recv_ring_bytes, MADV_DONTFORK) < 0) {
        snprintf(err, err_len, "cannot keep the receive buffer ring out of children: %s",
                 strerror(errno));
        return -errno;
    }
    mem = mmap(NULL, LOOP_RECV_AREA_BYTES, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE,
               -1, 0);
    if (mem == MAP_FAILED || madvise(mem, LOOP_RECV_AREA_BYTES, MADV_DONTFORK) < 0) {
        int e = errno;
        if (mem != MAP_FAILED)
            munmap(mem, LOOP_RECV_AREA_BYTES);
        snprintf(err, err_len, "cannot map the receive buffers: %s", strerror(e));
        return -e;
    }
    l->recv_buffers = mem;
    int mask = io_uring_buf_ring_mask(LOOP_RECV_BUFFERS);
    for (unsigned i = 0; i < LOOP_RECV_BUFFERS; i++)
        io_uring_buf_ring_add(l->recv_ring, l->recv_buffers + (size_t)i * LOOP_RECV_BUFFER_BYTES,
                              LOOP_RECV_BUFFER_BYTES, (unsigned short)i, mask, (int)i);
    io_uring_buf_ring_advance(l->recv_ring, LOOP_RECV_BUFFERS);
    return 0;
}

/* Checks that the kernel has every operation the loop uses. */
static int loop_probe(struct loop *l, char *err, size_t err_len)
{
    struct io_uring_probe *probe = io_uring_get_probe_ring(&l->ring);
    if (!probe) {
        snprintf(err, err_len, "io_uring probe failed: ringkv needs Linux 6.0 or newer");
        return -ENOSYS;
    }
    static const int ops[] = {IORING_OP_ACCEPT, IORING_OP_RECV, IORING_OP_SEND, IORING_OP_TIMEOUT,
                              IORING_OP_READ, IORING_OP_WRITE, IORING_OP_FSYNC};
    int ret = 0;
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (!io_uring_opcode_supported(probe, ops[i])) {
            snprintf(err, err_len, "io_uring lacks operation %d: ringkv needs Linux 6.0 or newer", ops[i]);
            ret = -ENOSYS;
            break;
        }
    }
    io_uring_free_probe(probe);
    return ret;
}

int loop_init(struct loop *l, char *err, size_t err_len)
{
    struct io_uring_params params;
    memset(&params, 0, sizeof(params));
    /* Only the loop's thread submits, and completions are reaped only when
     * it waits: SINGLE_ISSUER with DEFER_TASKRUN (Linux 6.1) lets the kernel
     * run completion work in one batch at that point instead of
     * interrupting the loop for each one. Older kernels get the plain ring. */
    params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    params.cq_entries = LOOP_RING_ENTRIES * 4;
    int ret = io_uring_queue_init_params(LOOP_RING_ENTRIES, &l->ring, &params);
    if (ret == -EINVAL) {
        memset(&params, 0, sizeof(params));
        params.flags = IORING_SETUP_CQSIZE;
        params.cq_entries = LOOP_RING_ENTRIES * 4;
        ret = io_uring_queue_init_params(LOOP_RING_ENTRIES, &l->ring, &params);
    }
    if (ret < 0) {
        snprintf(err, err_len, "io_uring is not usable: io_uring_setup failed: %s. Fix: %s",
                 strerror(-ret), loop_fix_hint(ret));
        return ret;
    }
    if (!(params.features & IORING_FEAT_NODROP)) {
        snprintf(err, err_len, "io_uring lacks IORING_FEAT_NODROP: ringkv needs Linux 6.0 or newer");
        return -ENOSYS;
    }
    /* A forked child (BGSAVE, AOF rewrite) must not share the ring's
     * mappings; it builds a ring of its own. */
    io_uring_ring_dontfork(&l->ring);
    /* Saves a file-table lookup on every io_uring_enter. */
    io_uring_register_ring_fd(&l->ring);
    ret = loop_probe(l, err, err_len);
    if (ret < 0)
        return ret;
    return loop_setup_buffers(l, err, err_len);
}

void loop_shutdown(struct loop *l)
{
    alloc_free(l->deferred);
    l->deferred = NULL;
    l->deferred_count = l->deferred_cap = 0;
    io_uring_queue_exit(&l->ring);
    if (l->recv_ring)
        munmap(l->recv_ring, l->recv_ring_bytes);
    if (l->recv_buffers)
        munmap(l->recv_buffers, LOOP_RECV_AREA_BYTES);
    l->recv_ring = NULL;
    l->recv_buffers = NULL;
}

struct io_uring_sqe *loop_sqe(struct loop *l)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);
    if (sqe)
        return sqe;
    /* The SQ is full: hand what is queued to the kernel and take a fresh slot. */
    io_uring_submit(&l->ring);
    sqe = io_uring_get_sqe(&l->ring);
    assert(sqe != NULL);
    return sqe;
}

void loop_recycle_buffer(struct loop *l, unsigned bid)
{
    assert(bid < LOOP_RECV_BUFFERS);
    io_uring_buf_ring_add(l->recv_ring, l->recv_buffers + (size_t)bid * LOOP_RECV_BUFFER_BYTES,
                          LOOP_RECV_BUFFER_BYTES, (unsigned short)bid,
                          io_uring_buf_ring_mask(LOOP_RECV_BUFFERS), 0);
    io_uring_buf_ring_advance(l->recv_ring, 1);
}

/* ---- accept ---- */

static void loop_arm_accept(struct listener *lst);

static void loop_accept_done(struct loop_op *op, struct io_uring_cqe *cqe)
{
    struct listener *lst = (struct listener *)((char *)op - offsetof(struct listener, accept_op));
    struct loop *l = lst->loop;
    if (!(cqe->flags & IORING_CQE_F_MORE))
        lst->accept_armed = false;
    if (cqe->res >= 0) {
        int fd = cqe->res;
        if (l->conn_count >= l->config->maxclients) {
            static const char msg[] = "-ERR max number of clients reached\r\n";
            ssize_t ignored = write(fd, msg, sizeof(msg) - 1);
            (void)ignored;
            close(fd);
            l->stats.rejected_connections++;
        } else {
            l->handler.accept(l->handler.ctx, fd);
        }
    } else if (cqe->res != -EINTR && cqe->res != -ECANCELED) {
        log_write(l->log, LOGLEVEL_WARNING, "Accepting client connection: %s", strerror(-cqe->res));
    }
    /* A retired listener (fd -1, CONFIG SET port) is not armed again: its
     * slot is free once this last completion has come. */
    if (!lst->accept_armed && !l->stopping && lst->fd >= 0)
        loop_arm_accept(lst);
}

static void loop_arm_accept(struct listener *lst)
{
    struct io_uring_sqe *sqe = loop_sqe(lst->loop);
    io_uring_prep_multishot_accept(sqe, lst->fd, NULL, NULL, SOCK_CLOEXEC);
    lst->accept_op.done = loop_accept_done;
    io_uring_sqe_set_data(sqe, &lst->accept_op);
    lst->accept_armed = true;
}

void loop_arm_listeners(struct loop *l)
{
    for (int i = 0; i < l->listener_count; i++)
        if (!l->listeners[i].accept_armed && l->listeners[i].fd >= 0)
            loop_arm_accept(&l->listeners[i]);
}

/* ---- tick and signals ---- */

static void loop_arm_timer(struct loop *l);

static void loop_timer_done(struct loop_op *op, struct io_uring_cqe *cqe)
{
    struct loop *l = (struct loop *)((char *)op - offsetof(struct loop, timer_op));
    l->timer_armed = false;
    l->handler.tick(l->handler.ctx);
    if (!l->stopping)
        loop_arm_timer(l);
}

static void loop_arm_timer(struct loop *l)
{
    int hz = l->config->hz > 0 ? l->config->hz : 10;
    long long ns = 1000000000LL / hz;
    l->timer_ts.tv_sec = ns / 1000000000LL;
    l->timer_ts.tv_nsec = ns % 1000000000LL;
    struct io_uring_sqe *sqe = loop_sqe(l);
    io_uring_prep_timeout(sqe, &l->timer_ts, 0, 0);
    l->timer_op.done = loop_timer_done;
    io_uring_sqe_set_data(sqe, &l->timer_op);
    l->timer_armed = true;
}

static void loop_arm_signal(struct loop *l);

static void loop_signal_done(struct loop_op *op, struct io_uring_cqe *cqe)
{
    struct loop *l = (struct loop *)((char *)op - offsetof(struct loop, signal_op));
    l->signal_armed = false;
    if (cqe->res == (int)sizeof(struct signalfd_siginfo)) {
        struct signalfd_siginfo info;
        memcpy(&info, l->signal_buf, sizeof(info));
        l->handler.signal(l->handler.ctx, (int)info.ssi_signo);
    }
    if (!l->stopping)
        loop_arm_signal(l);
}

static void loop_arm_signal(struct loop *l)
{
    struct io_uring_sqe *sqe = loop_sqe(l);
    io_uring_prep_read(sqe, l->signal_fd, l->signal_buf, sizeof(struct signalfd_siginfo), 0);
    l->signal_op.done = loop_signal_done;
    io_uring_sqe_set_data(sqe, &l->signal_op);
    l->signal_armed = true;
}

static int loop_setup_signals(struct loop *l)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
        return -errno;
    l->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (l->signal_fd < 0)
        return -errno;
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit makes writes fail with EFBIG, which the AOF
     * handles like a full disk, instead of killing the server. */
    signal(SIGXFSZ, SIG_IGN);
    return 0;
}

/* Runs what is left of the batch being dispatched. */
static void loop_dispatch_rest(struct loop *l)
{
    while (l->batch && l->batch_next < l->batch_count) {
        struct io_uring_cqe *cqe = &l->batch[l->batch_next++];
        if (ring_owns_cqe(cqe))
            continue;
        struct loop_op *op = io_uring_cqe_get_data(cqe);
        if (op)
            op->done(op, cqe);
    }
}

/* Runs a reaped batch. Ring-writer completions go first: a loop op may
 * wait for the writer (SHUTDOWN syncs the AOF) and must not wait for a
 * completion already taken off the ring into this batch. */
static void loop_dispatch_batch(struct loop *l, struct io_uring_cqe *batch, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (ring_owns_cqe(&batch[i]))
            ring_complete(&batch[i]);
    /* The batch is the loop's while it runs, so that a done() which serves
     * the loop nested (a long script, loop_serve_once) runs the rest of it
     * first: those completions must not wait for the script to end. */
    struct io_uring_cqe *outer = l->batch;
    unsigned outer_next = l->batch_next, outer_count = l->batch_count;
    l->batch = batch;
    l->batch_next = 0;
    l->batch_count = n;
    loop_dispatch_rest(l);
    l->batch = outer;
    l->batch_next = outer_next;
    l->batch_count = outer_count;
}

/* Runs the completions loop_wait_writer kept back, in arrival order. */
static void loop_run_deferred(struct loop *l)
{
    /* A done() may wait again and defer more: take the array first. */
    for (size_t i = 0; i < l->deferred_count; i++) {
        struct loop_deferred d = l->deferred[i];
        d.op->done(d.op, &d.cqe);
    }
    l->deferred_count = 0;
}

/* CQEs taken off the ring per batch. They are copied and the CQ advanced
 * before any done() runs, so a done() that waits on the ring itself
 * (loop_wait_writer: an AOF sync inside SHUTDOWN) never sees them again. */
#define LOOP_REAP_BATCH 256

/* Copies up to LOOP_REAP_BATCH available CQEs into out and consumes them. */
static unsigned loop_reap(struct loop *l, struct io_uring_cqe *out)
{
    struct io_uring_cqe *cqe;
    unsigned head, n = 0;
    io_uring_for_each_cqe(&l->ring, head, cqe) {
        if (n == LOOP_REAP_BATCH)
            break;
        out[n++] = *cqe;
    }
    io_uring_cq_advance(&l->ring, n);
    return n;
}

static void loop_defer(struct loop *l, struct io_uring_cqe *cqe)
{
    if (l->deferred_count == l->deferred_cap) {
        l->deferred_cap = l->deferred_cap ? l->deferred_cap * 2 : 64;
        l->deferred = alloc_resize(l->deferred, l->deferred_cap * sizeof(*l->deferred));
    }
    l->deferred[l->deferred_count].op = io_uring_cqe_get_data(cqe);
    l->deferred[l->deferred_count].cqe = *cqe;
    l->deferred_count++;
}

void loop_wait_writer(struct loop *l, bool (*done)(void *ctx), void *ctx)
{
    struct io_uring_cqe batch[LOOP_REAP_BATCH];
    while (!done(ctx)) {
        int ret = io_uring_submit_and_wait(&l->ring, 1);
        if (ret < 0 && ret != -EINTR && ret != -EBUSY && ret != -EAGAIN && ret != -ETIME) {
            log_write(l->log, LOGLEVEL_WARNING, "io_uring_submit_and_wait: %s", strerror(-ret));
            return;
        }
        unsigned n = loop_reap(l, batch);
        for (unsigned i = 0; i < n; i++) {
            if (ring_owns_cqe(&batch[i]))
                ring_complete(&batch[i]);
            else if (io_uring_cqe_get_data(&batch[i]))
                loop_defer(l, &batch[i]);
        }
    }
}

void loop_serve_once(struct loop *l)
{
    for (int i = 0; i < l->listener_count; i++)
        if (!l->listeners[i].accept_armed && l->listeners[i].fd >= 0)
            loop_arm_accept(&l->listeners[i]);
    /* Nested in a done() (a long script): the completions reaped with it
     * come first. */
    loop_dispatch_rest(l);
    l->handler.before_sleep(l);
    int ret = io_uring_submit_and_get_events(&l->ring);
    if (ret < 0 && ret != -EINTR && ret != -EBUSY && ret != -EAGAIN)
        return;
    l->now_ms = log_clock_ms();
    struct io_uring_cqe batch[LOOP_REAP_BATCH];
    loop_dispatch_batch(l, batch, loop_reap(l, batch));
    l->handler.before_sleep(l);
    io_uring_submit(&l->ring);
}

void loop_run(struct loop *l)
{
    if (loop_setup_signals(l) == 0)
        loop_arm_signal(l);
    for (int i = 0; i < l->listener_count; i++)
        if (!l->listeners[i].accept_armed && l->listeners[i].fd >= 0)
            loop_arm_accept(&l->listeners[i]);
    loop_arm_timer(l);
    unsigned last_batch = 0;
    while (!l->stopping) {
        l->handler.before_sleep(l);
        /* After a busy round, collect what arrived meanwhile without going
         * to sleep: a sleep and wake-up per small batch costs more than the
         * requests themselves at pipeline 1. Only an idle round blocks. */
        int ret = last_batch || l->work_pending ? io_uring_submit_and_get_events(&l->ring)
                             : io_uring_submit_and_wait(&l->ring, 1);
        if (ret < 0 && ret != -EINTR && ret != -EBUSY && ret != -EAGAIN && ret != -ETIME) {
            log_write(l->log, LOGLEVEL_WARNING, "io_uring_submit_and_wait: %s", strerror(-ret));
            break;
        }
        l->now_ms = log_clock_ms();
        struct io_uring_cqe batch[LOOP_REAP_BATCH];
        unsigned seen = 0, n;
        do {
            n = loop_reap(l, batch);
            loop_dispatch_batch(l, batch, n);
            seen += n;
        } while (n == LOOP_REAP_BATCH);
        last_batch = seen;
        if (l->deferred_count) {
            last_batch += (unsigned)l->deferred_count;
            loop_run_deferred(l);
        }
    }
    /* Send what was produced before the shutdown began (SHUTDOWN has no
     * reply, but pipelined replies before it should reach their clients). */
    l->handler.before_sleep(l);
    io_uring_submit(&l->ring);
}
