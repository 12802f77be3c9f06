/* loop.c: the io_uring event loop.
 *
 * Owns the ring, the provided receive buffers and every network submission:
 * multishot accept per listener, one multishot receive per client (buffers
 * chosen by the kernel from group 0), one send per client at a time, the
 * server tick as a timeout op, and SIGTERM/SIGINT read from a signalfd.
 * Each iteration submits everything queued and waits once
 * (io_uring_submit_and_wait), then runs the completions; every operation's
 * user_data points at a `struct loop_op` whose done() runs from the drain.
 *
 * Leaves parsing and replies to client.c and the tick's work to server.c.
 * Invariant: a client's `sending` buffer is not touched between a send's
 * submission and its completion. */
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
#include "net/server/server.h"
#include "uring/ring.h"

#define LOOP_BUFFER_GROUP 0

_Static_assert((SERVER_RECV_BUFFERS & (SERVER_RECV_BUFFERS - 1)) == 0,
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

static int loop_setup_buffers(struct server *s, char *err, size_t err_len)
{
    s->recv_ring_bytes = sizeof(struct io_uring_buf) * SERVER_RECV_BUFFERS;
    void *mem = mmap(NULL, s->recv_ring_bytes, PROT_READ | PROT_WRITE,
                     MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) {
        snprintf(err, err_len, "cannot map the receive buffer ring: %s", strerror(errno));
        return -errno;
    }
    s->recv_ring = mem;
    io_uring_buf_ring_init(s->recv_ring);
    struct io_uring_buf_reg reg = {
        .ring_addr = (unsigned long)mem,
        .ring_entries = SERVER_RECV_BUFFERS,
        .bgid = LOOP_BUFFER_GROUP,
    };
    int ret = io_uring_register_buf_ring(&s->ring, &reg, 0);
    if (ret < 0) {
        snprintf(err, err_len,
                 "io_uring cannot register provided buffers (%s): ringkv needs Linux 5.19 or newer",
                 strerror(-ret));
        return ret;
    }
    s->recv_buffers = alloc_bytes((size_t)SERVER_RECV_BUFFERS * SERVER_RECV_BUFFER_BYTES);
    int mask = io_uring_buf_ring_mask(SERVER_RECV_BUFFERS);
    for (unsigned i = 0; i < SERVER_RECV_BUFFERS; i++)
        io_uring_buf_ring_add(s->recv_ring, s->recv_buffers + (size_t)i * SERVER_RECV_BUFFER_BYTES,
                              SERVER_RECV_BUFFER_BYTES, (unsigned short)i, mask, (int)i);
    io_uring_buf_ring_advance(s->recv_ring, SERVER_RECV_BUFFERS);
    return 0;
}

/* Checks that the kernel has every operation the loop uses. */
static int loop_probe(struct server *s, char *err, size_t err_len)
{
    struct io_uring_probe *probe = io_uring_get_probe_ring(&s->ring);
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

int loop_init(struct server *s, char *err, size_t err_len)
{
    struct io_uring_params params;
    memset(&params, 0, sizeof(params));
    /* Only the loop's thread submits, and completions are reaped only when
     * it waits: SINGLE_ISSUER with DEFER_TASKRUN (Linux 6.1) lets the kernel
     * run completion work in one batch at that point instead of
     * interrupting the loop for each one. Older kernels get the plain ring. */
    params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    params.cq_entries = SERVER_RING_ENTRIES * 4;
    int ret = io_uring_queue_init_params(SERVER_RING_ENTRIES, &s->ring, &params);
    if (ret == -EINVAL) {
        memset(&params, 0, sizeof(params));
        params.flags = IORING_SETUP_CQSIZE;
        params.cq_entries = SERVER_RING_ENTRIES * 4;
        ret = io_uring_queue_init_params(SERVER_RING_ENTRIES, &s->ring, &params);
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
    io_uring_ring_dontfork(&s->ring);
    /* Saves a file-table lookup on every io_uring_enter. */
    io_uring_register_ring_fd(&s->ring);
    ret = loop_probe(s, err, err_len);
    if (ret < 0)
        return ret;
    return loop_setup_buffers(s, err, err_len);
}

void loop_shutdown(struct server *s)
{
    alloc_free(s->deferred);
    s->deferred = NULL;
    s->deferred_count = s->deferred_cap = 0;
    io_uring_queue_exit(&s->ring);
    if (s->recv_ring)
        munmap(s->recv_ring, s->recv_ring_bytes);
    alloc_free(s->recv_buffers);
    s->recv_ring = NULL;
    s->recv_buffers = NULL;
}

struct io_uring_sqe *loop_sqe(struct server *s)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);
    if (sqe)
        return sqe;
    /* The SQ is full: hand what is queued to the kernel and take a fresh slot. */
    io_uring_submit(&s->ring);
    sqe = io_uring_get_sqe(&s->ring);
    assert(sqe != NULL);
    return sqe;
}

void loop_recycle_buffer(struct server *s, unsigned bid)
{
    assert(bid < SERVER_RECV_BUFFERS);
    io_uring_buf_ring_add(s->recv_ring, s->recv_buffers + (size_t)bid * SERVER_RECV_BUFFER_BYTES,
                          SERVER_RECV_BUFFER_BYTES, (unsigned short)bid,
                          io_uring_buf_ring_mask(SERVER_RECV_BUFFERS), 0);
    io_uring_buf_ring_advance(s->recv_ring, 1);
}

/* ---- receive ---- */

static void loop_recv_done(struct loop_op *op, struct io_uring_cqe *cqe)
{
    struct client *c = (struct client *)((char *)op - offsetof(struct client, recv_op));
    struct server *s = c->server;
    bool more = cqe->flags & IORING_CQE_F_MORE;
    if (!more)
        c->recv_armed = false;
    if (cqe->flags & IORING_CQE_F_BUFFER) {
        unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
        if (cqe->res > 0 && !(c->flags & CLIENT_CLOSING))
            client_feed(c, s->recv_buffers + (size_t)bid * SERVER_RECV_BUFFER_BYTES, (size_t)cqe->res);
        loop_recycle_buffer(s, bid);
    }
    if (c->flags & CLIENT_CLOSING) {
        client_close(c); /* frees once nothing is in flight */
        return;
    }
    if (cqe->res == 0 || (cqe->res < 0 && cqe->res != -ENOBUFS && cqe->res != -EINTR)) {
        client_close(c); /* peer closed, or a socket error */
        return;
    }
    /* -ENOBUFS: every provided buffer was in use; they are recycled by now,
     * so simply re-arm. A multishot receive also ends now and then by itself. */
    if (!c->recv_armed && !(c->flags & CLIENT_CLOSING))
        loop_arm_recv(c);
}

void loop_arm_recv(struct client *c)
{
    assert(!c->recv_armed);
    struct io_uring_sqe *sqe = loop_sqe(c->server);
    io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = LOOP_BUFFER_GROUP;
    c->recv_op.done = loop_recv_done;
    io_uring_sqe_set_data(sqe, &c->recv_op);
    c->recv_armed = true;
}

/* ---- send ---- */

static void loop_send_done(struct loop_op *op, struct io_uring_cqe *cqe)
{
    struct client *c = (struct client *)((char *)op - offsetof(struct client, send_op));
    c->send_in_flight = false;
    if (cqe->res < 0 && cqe->res != -EINTR && cqe->res != -EAGAIN) {
        c->sending.len = 0;
        c->sending_done = 0;
        client_close(c);
        return;
    }
    if (cqe->res > 0) {
        c->sending_done += (size_t)cqe->res;
        c->server->stats.net_output_bytes += cqe->res;
        c->server->stats.total_writes_processed++;
    }
    if (c->flags & CLIENT_CLOSING) {
        client_close(c);
        return;
    }
    if (c->sending_done == c->sending.len) {
        c->sending.len = 0;
        c->sending_done = 0;
    }
    /* More to send (a short send, or replies built meanwhile): the next
     * flush round picks it up. */
    if (c->sending.len || c->out.len || (c->flags & CLIENT_CLOSE_AFTER_REPLY))
        client_schedule_write(c);
}

void loop_arm_send(struct client *c)
{
    assert(!c->send_in_flight);
    assert(c->sending_done < c->sending.len);
    struct io_uring_sqe *sqe = loop_sqe(c->server);
    io_uring_prep_send(sqe, c->fd, c->sending.data + c->sending_done, c->sending.len - c->sending_done,
                       MSG_NOSIGNAL);
    c->send_op.done = loop_send_done;
    io_uring_sqe_set_data(sqe, &c->send_op);
    c->send_in_flight = true;
}

/* ---- accept ---- */

static void loop_accept_done(struct loop_op *op, struct io_uring_cqe *cqe)
{
    struct listener *l = (struct listener *)((char *)op - offsetof(struct listener, accept_op));
    struct server *s = l->server;
    if (!(cqe->flags & IORING_CQE_F_MORE))
        l->accept_armed = false;
    if (cqe->res >= 0) {
        int fd = cqe->res;
        if (s->connected_clients >= s->config.maxclients) {
            static const char msg[] = "-ERR max number of clients reached\r\n";
            ssize_t ignored = write(fd, msg, sizeof(msg) - 1);
            (void)ignored;
            close(fd);
            s->stats.rejected_connections++;
        } else {
            struct client *c = client_create(s, fd);
            loop_arm_recv(c);
        }
    } else if (cqe->res != -EINTR && cqe->res != -ECANCELED) {
        server_log(s, LOGLEVEL_WARNING, "Accepting client connection: %s", strerror(-cqe->res));
    }
    if (!l->accept_armed && !s->shutdown_asap)
        loop_arm_accept(l);
}

void loop_arm_accept(struct listener *l)
{
    struct io_uring_sqe *sqe = loop_sqe(l->server);
    io_uring_prep_multishot_accept(sqe, l->fd, NULL, NULL, SOCK_CLOEXEC);
    l->accept_op.done = loop_accept_done;
    io_uring_sqe_set_data(sqe, &l->accept_op);
    l->accept_armed = true;
}

/* ---- tick and signals ---- */

static void loop_arm_timer(struct server *s);

static void loop_timer_done(struct loop_op *op, struct io_uring_cqe *cqe)
{
    struct server *s = (struct server *)((char *)op - offsetof(struct server, timer_op));
    s->timer_armed = false;
    server_cron(s);
    if (!s->shutdown_asap)
        loop_arm_timer(s);
}

static void loop_arm_timer(struct server *s)
{
    int hz = s->config.hz > 0 ? s->config.hz : 10;
    long long ns = 1000000000LL / hz;
    s->timer_ts.tv_sec = ns / 1000000000LL;
    s->timer_ts.tv_nsec = ns % 1000000000LL;
    struct io_uring_sqe *sqe = loop_sqe(s);
    io_uring_prep_timeout(sqe, &s->timer_ts, 0, 0);
    s->timer_op.done = loop_timer_done;
    io_uring_sqe_set_data(sqe, &s->timer_op);
    s->timer_armed = true;
}

static void loop_arm_signal(struct server *s);

static void loop_signal_done(struct loop_op *op, struct io_uring_cqe *cqe)
{
    struct server *s = (struct server *)((char *)op - offsetof(struct server, signal_op));
    s->signal_armed = false;
    if (cqe->res == (int)sizeof(struct signalfd_siginfo)) {
        struct signalfd_siginfo info;
        memcpy(&info, s->signal_buf, sizeof(info));
        const char *name = info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM";
        server_log(s, LOGLEVEL_WARNING, "Received %s scheduling shutdown...", name);
        char err[256];
        if (server_prepare_shutdown(s, false, false, err, sizeof(err)) == 0)
            s->shutdown_asap = true;
    }
    if (!s->shutdown_asap)
        loop_arm_signal(s);
}

static void loop_arm_signal(struct server *s)
{
    struct io_uring_sqe *sqe = loop_sqe(s);
    io_uring_prep_read(sqe, s->signal_fd, s->signal_buf, sizeof(struct signalfd_siginfo), 0);
    s->signal_op.done = loop_signal_done;
    io_uring_sqe_set_data(sqe, &s->signal_op);
    s->signal_armed = true;
}

static int loop_setup_signals(struct server *s)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
        return -errno;
    s->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (s->signal_fd < 0)
        return -errno;
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit makes writes fail with EFBIG, which the AOF
     * handles like a full disk, instead of killing the server. */
    signal(SIGXFSZ, SIG_IGN);
    return 0;
}

/* Runs a reaped batch. Ring-writer completions go first: a loop op may
 * wait for the writer (SHUTDOWN syncs the AOF) and must not wait for a
 * completion already taken off the ring into this batch. */
static void loop_dispatch_batch(struct io_uring_cqe *batch, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (ring_owns_cqe(&batch[i]))
            ring_complete(&batch[i]);
    for (unsigned i = 0; i < n; i++) {
        if (ring_owns_cqe(&batch[i]))
            continue;
        struct loop_op *op = io_uring_cqe_get_data(&batch[i]);
        if (op)
            op->done(op, &batch[i]);
    }
}

/* Runs the completions loop_wait_writer kept back, in arrival order. */
static void loop_run_deferred(struct server *s)
{
    /* A done() may wait again and defer more: take the array first. */
    for (size_t i = 0; i < s->deferred_count; i++) {
        struct loop_deferred d = s->deferred[i];
        d.op->done(d.op, &d.cqe);
    }
    s->deferred_count = 0;
}

/* CQEs taken off the ring per batch. They are copied and the CQ advanced
 * before any done() runs, so a done() that waits on the ring itself
 * (loop_wait_writer: an AOF sync inside SHUTDOWN) never sees them again. */
#define LOOP_REAP_BATCH 256

/* Copies up to LOOP_REAP_BATCH available CQEs into out and consumes them. */
static unsigned loop_reap(struct server *s, struct io_uring_cqe *out)
{
    struct io_uring_cqe *cqe;
    unsigned head, n = 0;
    io_uring_for_each_cqe(&s->ring, head, cqe) {
        if (n == LOOP_REAP_BATCH)
            break;
        out[n++] = *cqe;
    }
    io_uring_cq_advance(&s->ring, n);
    return n;
}

static void loop_defer(struct server *s, struct io_uring_cqe *cqe)
{
    if (s->deferred_count == s->deferred_cap) {
        s->deferred_cap = s->deferred_cap ? s->deferred_cap * 2 : 64;
        s->deferred = alloc_resize(s->deferred, s->deferred_cap * sizeof(*s->deferred));
    }
    s->deferred[s->deferred_count].op = io_uring_cqe_get_data(cqe);
    s->deferred[s->deferred_count].cqe = *cqe;
    s->deferred_count++;
}

void loop_wait_writer(struct server *s, bool (*done)(void *ctx), void *ctx)
{
    struct io_uring_cqe batch[LOOP_REAP_BATCH];
    while (!done(ctx)) {
        int ret = io_uring_submit_and_wait(&s->ring, 1);
        if (ret < 0 && ret != -EINTR && ret != -EBUSY && ret != -EAGAIN && ret != -ETIME) {
            server_log(s, LOGLEVEL_WARNING, "io_uring_submit_and_wait: %s", strerror(-ret));
            return;
        }
        unsigned n = loop_reap(s, batch);
        for (unsigned i = 0; i < n; i++) {
            if (ring_owns_cqe(&batch[i]))
                ring_complete(&batch[i]);
            else if (io_uring_cqe_get_data(&batch[i]))
                loop_defer(s, &batch[i]);
        }
    }
}

void loop_serve_while_loading(struct server *s)
{
    for (int i = 0; i < s->listener_count; i++)
        if (!s->listeners[i].accept_armed)
            loop_arm_accept(&s->listeners[i]);
    client_flush_all(s);
    int ret = io_uring_submit_and_get_events(&s->ring);
    if (ret < 0 && ret != -EINTR && ret != -EBUSY && ret != -EAGAIN)
        return;
    s->now_ms = server_mstime();
    struct io_uring_cqe batch[LOOP_REAP_BATCH];
    loop_dispatch_batch(batch, loop_reap(s, batch));
    client_flush_all(s);
    io_uring_submit(&s->ring);
}

void loop_run(struct server *s)
{
    if (loop_setup_signals(s) == 0)
        loop_arm_signal(s);
    for (int i = 0; i < s->listener_count; i++)
        if (!s->listeners[i].accept_armed)
            loop_arm_accept(&s->listeners[i]);
    loop_arm_timer(s);
    unsigned last_batch = 0;
    while (!s->shutdown_asap) {
        client_flush_all(s);
        /* After a busy round, collect what arrived meanwhile without going
         * to sleep: a sleep and wake-up per small batch costs more than the
         * requests themselves at pipeline 1. Only an idle round blocks. */
        int ret = last_batch ? io_uring_submit_and_get_events(&s->ring)
                             : io_uring_submit_and_wait(&s->ring, 1);
        if (ret < 0 && ret != -EINTR && ret != -EBUSY && ret != -EAGAIN && ret != -ETIME) {
            server_log(s, LOGLEVEL_WARNING, "io_uring_submit_and_wait: %s", strerror(-ret));
            break;
        }
        s->now_ms = server_mstime();
        struct io_uring_cqe batch[LOOP_REAP_BATCH];
        unsigned seen = 0, n;
        do {
            n = loop_reap(s, batch);
            loop_dispatch_batch(batch, n);
            seen += n;
        } while (n == LOOP_REAP_BATCH);
        last_batch = seen;
        if (s->deferred_count) {
            last_batch += (unsigned)s->deferred_count;
            loop_run_deferred(s);
        }
    }
    /* Send what was produced before the shutdown began (SHUTDOWN has no
     * reply, but pipelined replies before it should reach their clients). */
    client_flush_all(s);
    io_uring_submit(&s->ring);
}
