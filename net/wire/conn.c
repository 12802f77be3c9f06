/* conn.c: one connection's bytes: query buffer, output, holds, closing.
 *
 * Owns struct conn's buffers and the loop's connection lists, and keeps
 * each within its bounds: the query buffer grows only as bytes arrive (at
 * most about twice what it holds), and output past the connection's limit
 * closes it. Leaves the ring to loop.c and the meaning of the bytes to the
 * handler. See conn.h for the invariants. */
#include "net/wire/conn.h"

#include <arpa/inet.h>
#include <assert.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "net/core/config.h"
#include "net/wire/loop.h"

static void conn_format_addr(const struct sockaddr_storage *sa, char *out, size_t out_len)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
        snprintf(out, out_len, "%s:%d", ip, ntohs(in->sin_port));
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        snprintf(out, out_len, "%s:%d", ip, ntohs(in6->sin6_port));
    } else {
        snprintf(out, out_len, "?:0");
    }
}

static void conn_fill_addresses(struct conn *c)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);
    memset(&sa, 0, sizeof(sa));
    if (getpeername(c->fd, (struct sockaddr *)&sa, &len) == 0)
        conn_format_addr(&sa, c->addr, sizeof(c->addr));
    len = sizeof(sa);
    memset(&sa, 0, sizeof(sa));
    if (getsockname(c->fd, (struct sockaddr *)&sa, &len) == 0)
        conn_format_addr(&sa, c->laddr, sizeof(c->laddr));
}

static void conn_tune_socket(const struct config *cfg, int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (cfg->tcp_keepalive > 0) {
        int interval = cfg->tcp_keepalive;
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &interval, sizeof(interval));
        int intvl = interval / 3 > 0 ? interval / 3 : 1;
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
        int count = 3;
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
    }
}

/* ---- the receive and send ops ---- */

static void conn_arm_recv(struct conn *c);
static void conn_arm_send(struct conn *c);

static void conn_recv_done(struct loop_op *op, struct io_uring_cqe *cqe)
{
    struct conn *c = (struct conn *)((char *)op - offsetof(struct conn, recv_op));
    struct loop *l = c->loop;
    bool more = cqe->flags & IORING_CQE_F_MORE;
    if (!more)
        c->recv_armed = false;
    if (cqe->flags & IORING_CQE_F_BUFFER) {
        unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
        if (cqe->res > 0 && !(c->flags & CONN_CLOSING))
            conn_feed(c, l->recv_buffers + (size_t)bid * LOOP_RECV_BUFFER_BYTES, (size_t)cqe->res);
        loop_recycle_buffer(l, bid);
    }
    if (c->flags & CONN_CLOSING) {
        conn_close(c); /* frees once nothing is in flight */
        return;
    }
    if (cqe->res == 0 || (cqe->res < 0 && cqe->res != -ENOBUFS && cqe->res != -EINTR)) {
        conn_close(c); /* peer closed, or a socket error */
        return;
    }
    /* -ENOBUFS: every provided buffer was in use; they are recycled by now,
     * so simply re-arm. A multishot receive also ends now and then by itself. */
    if (!c->recv_armed && !(c->flags & CONN_CLOSING))
        conn_arm_recv(c);
}

static void conn_arm_recv(struct conn *c)
{
    assert(!c->recv_armed);
    struct io_uring_sqe *sqe = loop_sqe(c->loop);
    io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = LOOP_BUFFER_GROUP;
    c->recv_op.done = conn_recv_done;
    io_uring_sqe_set_data(sqe, &c->recv_op);
    c->recv_armed = true;
}

/* ---- output limits ---- */

/* Output not yet sent: out (held replies included) and the unsent part of
 * the buffer handed to the send. */
static size_t conn_output_pending(const struct conn *c)
{
    assert(c->sending_done <= c->sending.len);
    return c->out.len + (c->sending.len - c->sending_done);
}

/* The out.len + sending.len past which conn_write checks again: one byte
 * below the smallest limit set, never below CONN_OUTPUT_CHECK_BYTES_MIN. */
static size_t conn_output_check_threshold(const struct config_output_limit *limit)
{
    size_t next = SIZE_MAX;
    if (limit->hard_bytes > 0 && (size_t)limit->hard_bytes - 1 < next)
        next = (size_t)limit->hard_bytes - 1;
    if (limit->soft_bytes > 0 && (size_t)limit->soft_bytes - 1 < next)
        next = (size_t)limit->soft_bytes - 1;
    return next < CONN_OUTPUT_CHECK_BYTES_MIN ? CONN_OUTPUT_CHECK_BYTES_MIN : next;
}

static void conn_describe(struct conn *c, struct buf *out)
{
    struct loop *l = c->loop;
    if (l->handler.describe != NULL) {
        l->handler.describe(c, out);
        return;
    }
    char text[200];
    int n = snprintf(text, sizeof(text), "id=%llu addr=%s laddr=%s fd=%d",
                     (unsigned long long)c->id, c->addr, c->laddr, c->fd);
    buf_append(out, text, (size_t)n);
}

/* Logs c with Redis's text (how: "scheduled to be closed ASAP" when found
 * by a write, "closed" when found by the periodic scan, as Redis's
 * clientsCron), then closes it at the next flush with its output dropped;
 * nothing more runs or is written meanwhile. */
static void conn_close_for_output(struct conn *c, const char *how)
{
    struct buf text = {0};
    conn_describe(c, &text);
    log_write(c->loop->log, LOGLEVEL_WARNING, "Client %.*s %s for overcoming of output buffer limits.",
              (int)text.len, text.data ? text.data : "", how);
    buf_free(&text);
    c->flags |= CONN_CLOSE_AFTER_REPLY | CONN_CLOSE_ASAP;
    c->out_check_bytes = SIZE_MAX;
    conn_schedule_write(c);
}

/* Redis's checkClientOutputBufferLimits: whether c's pending output is at
 * or past the hard limit, or has been at or past the soft one for longer
 * than its seconds. The first check above the soft limit starts its clock;
 * one below it stops the clock. Sets *soft when above the soft limit. */
static bool conn_output_limit_reached(struct conn *c, const struct config_output_limit *limit,
                                      bool *soft)
{
    size_t pending = conn_output_pending(c);
    bool hard = limit->hard_bytes > 0 && pending >= (size_t)limit->hard_bytes;
    *soft = limit->soft_bytes > 0 && pending >= (size_t)limit->soft_bytes;
    int64_t now = c->loop->now_ms;
    if (*soft && !c->out_soft_reached) {
        c->out_soft_reached = true;
        c->out_soft_since_ms = now;
    } else if (!*soft) {
        c->out_soft_reached = false;
    }
    bool soft_expired = *soft && limit->soft_seconds < INT64_MAX / 1000 &&
                        now - c->out_soft_since_ms > (int64_t)limit->soft_seconds * 1000;
    return hard || soft_expired;
}

void conn_check_output(struct conn *c)
{
    const struct config_output_limit *limit = c->out_limit;
    if (limit == NULL || (c->flags & CONN_CLOSE_ASAP)) {
        c->out_check_bytes = SIZE_MAX;
        return;
    }
    bool soft;
    if (conn_output_limit_reached(c, limit, &soft)) {
        conn_close_for_output(c, "scheduled to be closed ASAP");
        return;
    }
    /* Above the soft limit every write checks, so the clock is seen out. */
    c->out_check_bytes = soft ? c->out.len + c->sending.len : conn_output_check_threshold(limit);
}

/* Every CONN_OUTPUT_SCAN_INTERVAL_MS: the limits no write re-checks, a
 * soft limit's seconds running out while the client reads nothing and no
 * output is added, or a limit lowered at runtime. Redis's clientsCron
 * checks each client about as often. Closes nothing itself: a connection
 * found is closed by the flush that follows. */
static void conn_scan_output_limits(struct loop *l)
{
    for (struct conn *c = l->conns_head; c; c = c->next) {
        if (c->out_limit == NULL || (c->flags & (CONN_CLOSING | CONN_CLOSE_ASAP)) ||
            conn_output_pending(c) < CONN_OUTPUT_CHECK_BYTES_MIN)
            continue;
        bool soft;
        if (conn_output_limit_reached(c, c->out_limit, &soft))
            conn_close_for_output(c, "closed");
    }
}

/* After a send: output that fell below the soft limit stops its clock (a
 * burst drained in time is forgiven, as "stays above" means). */
static void conn_output_sent(struct conn *c)
{
    if (c->out_soft_reached && c->out_limit != NULL &&
        conn_output_pending(c) < (size_t)c->out_limit->soft_bytes)
        c->out_soft_reached = false;
}

/* ---- send ---- */

static void conn_send_done(struct loop_op *op, struct io_uring_cqe *cqe)
{
    struct conn *c = (struct conn *)((char *)op - offsetof(struct conn, send_op));
    c->send_in_flight = false;
    if (cqe->res < 0 && cqe->res != -EINTR && cqe->res != -EAGAIN) {
        c->sending.len = 0;
        c->sending_done = 0;
        conn_close(c);
        return;
    }
    if (cqe->res > 0) {
        c->sending_done += (size_t)cqe->res;
        c->loop->stats.net_output_bytes += cqe->res;
        c->loop->stats.total_writes_processed++;
        conn_output_sent(c);
    }
    if (c->flags & CONN_CLOSING) {
        conn_close(c);
        return;
    }
    if (c->sending_done == c->sending.len) {
        c->sending.len = 0;
        c->sending_done = 0;
    }
    /* More to send (a short send, or replies built meanwhile): the next
     * flush round picks it up. */
    if (c->sending.len || c->out.len || (c->flags & CONN_CLOSE_AFTER_REPLY))
        conn_schedule_write(c);
}

static void conn_arm_send(struct conn *c)
{
    assert(!c->send_in_flight);
    assert(c->sending_done < c->sending.len);
    struct io_uring_sqe *sqe = loop_sqe(c->loop);
    io_uring_prep_send(sqe, c->fd, c->sending.data + c->sending_done, c->sending.len - c->sending_done,
                       MSG_NOSIGNAL);
    c->send_op.done = conn_send_done;
    io_uring_sqe_set_data(sqe, &c->send_op);
    c->send_in_flight = true;
}

void conn_init(struct conn *c, struct loop *l, int fd, long long bulk_bytes_max)
{
    c->id = ++l->next_conn_id;
    c->loop = l;
    c->fd = fd;
    c->ctime_ms = l->now_ms;
    c->last_interaction_ms = l->now_ms;
    c->out_check_bytes = CONN_OUTPUT_CHECK_BYTES_MIN;
    resp_request_init(&c->request, bulk_bytes_max);
    if (fd >= 0) {
        conn_tune_socket(l->config, fd);
        conn_fill_addresses(c);
        l->conn_count++;
        l->stats.total_connections_received++;
    }
    c->prev = l->conns_tail;
    if (l->conns_tail)
        l->conns_tail->next = c;
    else
        l->conns_head = c;
    l->conns_tail = c;
    if (fd >= 0)
        conn_arm_recv(c);
}

/* Removes c from the list linked through the field at next_offset. */
static void conn_list_remove(struct conn **head, struct conn *c, size_t next_offset)
{
    struct conn **p = head;
    while (*p && *p != c)
        p = (struct conn **)((char *)*p + next_offset);
    if (*p)
        *p = *(struct conn **)((char *)c + next_offset);
}

void conn_destroy(struct conn *c)
{
    struct loop *l = c->loop;
    if (c->prev)
        c->prev->next = c->next;
    else
        l->conns_head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        l->conns_tail = c->prev;
    if (c->flags & CONN_PENDING_WRITE)
        conn_list_remove(&l->pending_writes, c, offsetof(struct conn, pending_write_next));
    if (c->flags & CONN_RESUME)
        conn_list_remove(&l->resume, c, offsetof(struct conn, resume_next));
    if (c->flags & CONN_HELD)
        conn_list_remove(&l->held, c, offsetof(struct conn, held_next));
    if (c->flags & CONN_PAUSED)
        conn_list_remove(&l->paused, c, offsetof(struct conn, paused_next));
    if (c->fd >= 0) {
        close(c->fd);
        l->conn_count--;
    }
    resp_request_free(&c->request);
    alloc_free(c->query);
    buf_free(&c->stash);
    buf_free(&c->out);
    buf_free(&c->sending);
}

void conn_close(struct conn *c)
{
    if (!(c->flags & CONN_CLOSING)) {
        c->flags |= CONN_CLOSING;
        /* Shutting the socket down ends the multishot receive and any send
         * in flight; their completions then come back here. */
        if (c->fd >= 0 && (c->recv_armed || c->send_in_flight))
            shutdown(c->fd, SHUT_RDWR);
    }
    if (!c->recv_armed && !c->send_in_flight && !(c->flags & CONN_PROTECTED))
        c->loop->handler.closed(c);
}

void conn_protect(struct conn *c)
{
    c->flags |= CONN_PROTECTED;
}

void conn_unprotect(struct conn *c)
{
    c->flags &= ~(unsigned)CONN_PROTECTED;
    /* conn_run_resumed feeds the stash or finishes the close */
    if (c->fd >= 0)
        conn_resume(c);
}

void conn_close_after_reply(struct conn *c)
{
    c->flags |= CONN_CLOSE_AFTER_REPLY;
    conn_schedule_write(c);
}

void conn_schedule_write(struct conn *c)
{
    if ((c->flags & CONN_PENDING_WRITE) || c->fd < 0)
        return;
    struct loop *l = c->loop;
    c->flags |= CONN_PENDING_WRITE;
    c->pending_write_next = l->pending_writes;
    l->pending_writes = c;
}

/* Moves the released part of out (some of it still held) into the idle
 * send buffer. */
static void conn_send_released_prefix(struct conn *c)
{
    size_t n = c->out_released;
    c->sending.len = 0;
    c->sending_done = 0;
    buf_append(&c->sending, c->out.data, n);
    memmove(c->out.data, c->out.data + n, c->out.len - n);
    c->out.len -= n;
    c->out_released = 0;
    for (int i = 0; i < c->hold_count; i++)
        c->holds[i].len -= n;
}

/* out's bytes beyond what is released or already held wait for token. */
static void conn_hold(struct conn *c, uint64_t token)
{
    struct loop *l = c->loop;
    size_t covered = c->hold_count ? c->holds[c->hold_count - 1].len : c->out_released;
    if (c->out.len == covered)
        return;
    if (token == 0 && c->hold_count == 0) {
        c->out_released = c->out.len;
        return;
    }
    if (token == 0 || c->hold_count == CONN_HOLDS_MAX ||
        (c->hold_count && c->holds[c->hold_count - 1].token == token)) {
        if (token == 0)
            token = c->holds[c->hold_count - 1].token; /* behind the newest hold */
        /* Merge into the newest hold: it waits for the later of the two
         * (tokens are ordered: a larger one is reached later). */
        uint64_t newest = c->holds[c->hold_count - 1].token;
        c->holds[c->hold_count - 1] = (struct conn_hold){c->out.len, token > newest ? token : newest};
    } else {
        c->holds[c->hold_count++] = (struct conn_hold){c->out.len, token};
    }
    if (!(c->flags & CONN_HELD)) {
        c->flags |= CONN_HELD;
        c->held_next = l->held;
        l->held = c;
    }
}

void conn_hold_output(struct conn *c, uint64_t token)
{
    struct loop *l = c->loop;
    if (token && l->handler.token_ready(l->handler.ctx, token))
        token = 0;
    conn_hold(c, token);
}

void conn_release_holds(struct loop *l, bool all)
{
    struct conn **p = &l->held;
    while (*p) {
        struct conn *c = *p;
        int released = 0;
        while (released < c->hold_count &&
               (all || l->handler.token_ready(l->handler.ctx, c->holds[released].token)))
            released++;
        if (released) {
            c->out_released = c->holds[released - 1].len;
            memmove(c->holds, c->holds + released,
                    (size_t)(c->hold_count - released) * sizeof(c->holds[0]));
            c->hold_count -= released;
            conn_schedule_write(c);
        }
        if (c->hold_count == 0) {
            c->flags &= ~(unsigned)CONN_HELD;
            *p = c->held_next;
            c->held_next = NULL;
        } else {
            p = &c->held_next;
        }
    }
}

void conn_retoken_holds(struct loop *l, uint64_t token)
{
    for (struct conn *c = l->held; c; c = c->held_next) {
        for (int i = 0; i < c->hold_count; i++)
            c->holds[i].token = token;
    }
}

/* Starts a send for c if it has released output and none is in flight.
 * Returns false when c was closed. */
static bool conn_flush(struct conn *c)
{
    if (c->flags & CONN_CLOSING)
        return true;
    if (c->flags & CONN_CLOSE_ASAP) {
        conn_close(c); /* its output is dropped */
        return false;
    }
    if (c->send_in_flight)
        return true; /* its completion reschedules */
    if (c->sending_done == c->sending.len && c->out_released == c->out.len && c->out.len) {
        /* Swap the buffers: out's bytes become the send's, and replies keep
         * building in the (now empty) other buffer. */
        struct buf tmp = c->sending;
        c->sending = c->out;
        c->out = tmp;
        c->out.len = 0;
        c->out_released = 0;
        c->sending_done = 0;
        /* Do not keep a huge idle buffer around after a big reply. */
        if (c->out.cap > 1024 * 1024)
            buf_free(&c->out);
    } else if (c->sending_done == c->sending.len && c->out_released) {
        conn_send_released_prefix(c);
    }
    if (c->sending_done < c->sending.len) {
        conn_arm_send(c);
        return true;
    }
    if (c->out.len)
        return true; /* held: the release reschedules */
    if (c->flags & CONN_CLOSE_AFTER_REPLY) {
        conn_close(c);
        return false;
    }
    return true;
}

void conn_resume(struct conn *c)
{
    if ((c->flags & CONN_RESUME) || c->fd < 0)
        return;
    c->flags |= CONN_RESUME;
    /* Appended, so connections resume in the order they were resumed. */
    struct conn **p = &c->loop->resume;
    while (*p)
        p = &(*p)->resume_next;
    c->resume_next = NULL;
    *p = c;
}

void conn_pause(struct conn *c)
{
    struct loop *l = c->loop;
    if (c->flags & CONN_PAUSED)
        return;
    c->flags |= CONN_PAUSED;
    c->paused_next = l->paused;
    l->paused = c;
}

void conn_unpause_all(struct loop *l)
{
    while (l->paused) {
        struct conn *c = l->paused;
        l->paused = c->paused_next;
        c->paused_next = NULL;
        c->flags &= ~(unsigned)CONN_PAUSED;
        conn_resume(c);
    }
}

/* Runs the pipelined commands of resumed connections. They run here, at
 * the top of the loop, rather than inside the command that woke them, so
 * no command ever runs nested in another. Their commands can resume more
 * connections, hence the loop. */
static void conn_run_resumed(struct loop *l)
{
    while (l->resume) {
        struct conn *c = l->resume;
        l->resume = c->resume_next;
        c->resume_next = NULL;
        c->flags &= ~(unsigned)CONN_RESUME;
        if (c->flags & CONN_PROTECTED)
            continue; /* conn_unprotect resumes it */
        if (c->flags & CONN_CLOSING) {
            conn_close(c); /* a close that waited for conn_unprotect */
            continue;
        }
        if (c->stash.len) {
            struct buf stash = c->stash;
            c->stash = (struct buf){0};
            l->stats.net_input_bytes -= (long long)stash.len; /* counted on arrival */
            l->stats.total_reads_processed--;
            conn_feed(c, stash.data, stash.len);
            buf_free(&stash);
            continue;
        }
        l->handler.input(c);
    }
}

void conn_flush_all(struct loop *l)
{
    conn_run_resumed(l);
    if (l->now_ms - l->output_scan_ms >= CONN_OUTPUT_SCAN_INTERVAL_MS) {
        l->output_scan_ms = l->now_ms;
        conn_scan_output_limits(l);
    }
    /* First the sends of what may leave now (replies that need no wait,
     * replies whose batch became durable), so that they are queued before
     * the AOF's batch goes out: a write the loop makes itself (inline)
     * blocks it for a while, and the ring hands queued sends to the kernel
     * before that. Connections with output nobody gave a token wait for
     * the round's. */
    if (l->held)
        conn_release_holds(l, false);
    struct conn *untokened = NULL; /* keep CONN_PENDING_WRITE: linked here */
    while (l->pending_writes) {
        struct conn *c = l->pending_writes;
        l->pending_writes = c->pending_write_next;
        c->out_check_bytes = CONN_OUTPUT_CHECK_BYTES_MIN; /* see conn.h */
        if (conn_has_unheld_output(c)) {
            c->pending_write_next = untokened;
            untokened = c;
            continue;
        }
        c->flags &= ~(unsigned)CONN_PENDING_WRITE;
        c->pending_write_next = NULL;
        conn_flush(c);
    }
    /* The AOF's batch goes to the writer now. The round's token covers
     * everything logged so far; 0 lets that output go at once. Holds the
     * batch reached already (a write made inline under everysec) are
     * released and sent too. */
    uint64_t token = l->handler.replies_token(l->handler.ctx);
    if (l->held)
        conn_release_holds(l, false);
    while (untokened) {
        struct conn *c = untokened;
        untokened = c->pending_write_next;
        c->pending_write_next = l->pending_writes;
        l->pending_writes = c;
    }
    while (l->pending_writes) {
        struct conn *c = l->pending_writes;
        l->pending_writes = c->pending_write_next;
        c->pending_write_next = NULL;
        c->flags &= ~(unsigned)CONN_PENDING_WRITE;
        c->out_check_bytes = CONN_OUTPUT_CHECK_BYTES_MIN;
        conn_hold(c, token);
        conn_flush(c);
    }
}

/* The capacity the query buffer grows to so that it holds want bytes,
 * more than its capacity cap. It doubles from CONN_QUERY_CHUNK_BYTES, so it
 * holds at most about twice the bytes that arrived, whatever length a
 * header announced: eight headers of 500 MB bulks cost eight chunks, not
 * 4 GB (Redis 7.0 reserves the announced length; the allocator aborts on a
 * failed allocation, so a client must not choose its size). While a big
 * bulk arrives (bulk_end: the buffer offset just past it, 0 if none) the
 * doubling stops at the bulk's end, so a big value that really arrives
 * ends in an exact-size buffer after about log2(size / chunk) moves. */
static size_t conn_query_grown_cap(size_t cap, size_t want, size_t bulk_end)
{
    assert(want > cap);
    size_t grown = cap ? cap : CONN_QUERY_CHUNK_BYTES;
    while (grown < want) {
        assert(grown <= SIZE_MAX / 2);
        grown *= 2;
    }
    if (bulk_end >= want && grown > bulk_end)
        grown = bulk_end;
    assert(grown >= want);
    return grown;
}

/* Makes room for at least `need` more bytes in the query buffer. */
static void conn_query_reserve(struct conn *c, size_t need)
{
    if (c->query_cap - c->query_len >= need)
        return;
    /* The parser waits for a big bulk: where it ends (its offsets count
     * from query_pos, the start of the command). */
    size_t bulk_end = 0;
    if (c->request.bulk_expected_bytes >= CONN_BIG_ARG_BYTES)
        bulk_end = c->request.bulk_start + c->request.bulk_expected_bytes + 2;
    /* Drop the processed prefix first. */
    if (c->query_pos) {
        memmove(c->query, c->query + c->query_pos, c->query_len - c->query_pos);
        c->query_len -= c->query_pos;
        c->query_pos = 0;
        if (c->query_cap - c->query_len >= need)
            return;
    }
    size_t cap = conn_query_grown_cap(c->query_cap, c->query_len + need, bulk_end);
    c->query = alloc_resize(c->query, cap);
    c->query_cap = cap;
}

void conn_query_consumed(struct conn *c)
{
    if (c->query_pos != c->query_len)
        return;
    c->query_pos = c->query_len = 0;
    /* Give back a buffer a big argument grew. */
    if (c->query_cap > 4 * CONN_QUERY_CHUNK_BYTES) {
        alloc_free(c->query);
        c->query = NULL;
        c->query_cap = 0;
    }
}

void conn_feed(struct conn *c, const char *data, size_t len)
{
    struct loop *l = c->loop;
    l->stats.net_input_bytes += (long long)len;
    l->stats.total_reads_processed++;
    c->last_interaction_ms = l->now_ms;
    if (c->flags & CONN_CLOSE_AFTER_REPLY)
        return; /* Redis ignores input after QUIT or a protocol error */
    if (c->flags & CONN_PROTECTED) {
        /* the query buffer limit holds for what waits aside too */
        if ((long long)(c->query_len - c->query_pos + c->stash.len + len) >
            l->config->client_query_buffer_limit) {
            log_write(l->log, LOGLEVEL_WARNING,
                      "Closing client that reached max query buffer length: id=%llu addr=%s",
                      (unsigned long long)c->id, c->addr);
            l->stats.client_query_buffer_limit_disconnections++;
            conn_close(c);
            return;
        }
        buf_append(&c->stash, data, len);
        return;
    }
    conn_query_reserve(c, len);
    memcpy(c->query + c->query_len, data, len);
    c->query_len += len;
    size_t pending = c->query_len - c->query_pos;
    if ((long long)pending > c->query_peak)
        c->query_peak = (long long)pending;
    if ((long long)pending > l->config->client_query_buffer_limit) {
        log_write(l->log, LOGLEVEL_WARNING,
                  "Closing client that reached max query buffer length: id=%llu addr=%s",
                  (unsigned long long)c->id, c->addr);
        l->stats.client_query_buffer_limit_disconnections++;
        conn_close(c);
        return;
    }
    l->handler.input(c);
}
