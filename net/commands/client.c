/* client.c: one connection's life: query buffer, parsing, output, closing.
 *
 * Owns struct client. Received bytes are appended to the query buffer and
 * every whole command in it runs at once (pipelining); replies accumulate in
 * `out`. Before the loop sleeps, client_flush_all moves each client's `out`
 * into `sending` and submits one send. Leaves the ring to loop.c and command
 * semantics to command.c.
 *
 * Invariant: a client is freed only when it is closing and has neither a
 * receive nor a send in flight, so no completion can reach freed memory. */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "net/commands/command.h"
#include "net/server/server.h"

static void client_format_addr(const struct sockaddr_storage *sa, char *out, size_t out_len)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
        port = ntohs(in->sin_port);
        snprintf(out, out_len, "%s:%d", ip, port);
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        port = ntohs(in6->sin6_port);
        snprintf(out, out_len, "%s:%d", ip, port);
    } else {
        snprintf(out, out_len, "?:0");
    }
}

static void client_fill_addresses(struct client *c)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);
    memset(&sa, 0, sizeof(sa));
    if (getpeername(c->fd, (struct sockaddr *)&sa, &len) == 0)
        client_format_addr(&sa, c->addr, sizeof(c->addr));
    len = sizeof(sa);
    memset(&sa, 0, sizeof(sa));
    if (getsockname(c->fd, (struct sockaddr *)&sa, &len) == 0)
        client_format_addr(&sa, c->laddr, sizeof(c->laddr));
}

static void client_tune_socket(struct server *s, int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (s->config.tcp_keepalive > 0) {
        int interval = s->config.tcp_keepalive;
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &interval, sizeof(interval));
        int intvl = interval / 3 > 0 ? interval / 3 : 1;
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
        int count = 3;
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
    }
}

static void client_init_state(struct client *c)
{
    struct server *s = c->server;
    c->db = &s->keyspace.dbs[0];
    c->resp = 2;
    c->authenticated = !(s->config.requirepass && s->config.requirepass[0]);
    c->request.authenticated = c->authenticated;
}

struct client *client_create(struct server *s, int fd)
{
    struct client *c = alloc_zeroed(sizeof(*c));
    c->id = ++s->next_client_id;
    c->fd = fd;
    c->server = s;
    client_init_state(c);
    c->ctime_ms = s->now_ms;
    c->last_interaction_ms = s->now_ms;
    resp_request_init(&c->request, s->config.proto_max_bulk_len);
    c->request.authenticated = c->authenticated;
    if (fd >= 0) {
        client_tune_socket(s, fd);
        client_fill_addresses(c);
        s->connected_clients++;
        s->stats.total_connections_received++;
    }
    c->prev = s->clients_tail;
    if (s->clients_tail)
        s->clients_tail->next = c;
    else
        s->clients_head = c;
    s->clients_tail = c;
    return c;
}

static void client_unlink(struct client *c)
{
    struct server *s = c->server;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->clients_head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        s->clients_tail = c->prev;
    if (c->flags & CLIENT_PENDING_WRITE) {
        struct client **p = &s->pending_writes;
        while (*p && *p != c)
            p = &(*p)->pending_write_next;
        if (*p)
            *p = c->pending_write_next;
    }
    if (c->flags & CLIENT_UNBLOCKED) {
        struct client **p = &s->unblocked;
        while (*p && *p != c)
            p = &(*p)->unblocked_next;
        if (*p)
            *p = c->unblocked_next;
    }
    if (c->flags & CLIENT_HELD) {
        struct client **p = &s->aof.held;
        while (*p && *p != c)
            p = &(*p)->held_next;
        if (*p)
            *p = c->held_next;
    }
    if (c->flags & CLIENT_PAUSED) {
        struct client **p = &s->aof.paused;
        while (*p && *p != c)
            p = &(*p)->paused_next;
        if (*p)
            *p = c->paused_next;
    }
}

static void client_free(struct client *c)
{
    struct server *s = c->server;
    /* Out of every watch list and blocking FIFO first: neither map may
     * hold a freed client. */
    transaction_client_reset(c);
    blocking_unblock(c, 0);
    client_unlink(c);
    if (c->flags & CLIENT_MONITOR)
        s->monitors--;
    if (c->fd >= 0) {
        close(c->fd);
        s->connected_clients--;
    }
    resp_request_free(&c->request);
    alloc_free(c->query);
    alloc_free(c->name);
    buf_free(&c->out);
    buf_free(&c->sending);
    alloc_free(c);
}

void client_close(struct client *c)
{
    if (!(c->flags & CLIENT_CLOSING)) {
        c->flags |= CLIENT_CLOSING;
        /* A closing client must not be served: the element it would pop
         * stays for the next waiter. */
        blocking_unblock(c, 0);
        /* Shutting the socket down ends the multishot receive and any send
         * in flight; their completions then come back here. */
        if (c->fd >= 0 && (c->recv_armed || c->send_in_flight))
            shutdown(c->fd, SHUT_RDWR);
    }
    if (!c->recv_armed && !c->send_in_flight)
        client_free(c);
}

void client_close_after_reply(struct client *c)
{
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    client_schedule_write(c);
}

void client_schedule_write(struct client *c)
{
    if (c->flags & (CLIENT_PENDING_WRITE | CLIENT_FAKE))
        return;
    c->flags |= CLIENT_PENDING_WRITE;
    c->pending_write_next = c->server->pending_writes;
    c->server->pending_writes = c;
}

/* Moves the released part of out (some of it still waits for the AOF)
 * into the idle send buffer. */
static void client_send_released_prefix(struct client *c)
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

/* With the AOF on: out's bytes beyond what is released or already held
 * wait for the AOF to reach barrier (aof_reply_ready). */
static void client_hold(struct client *c, uint64_t barrier)
{
    struct server *s = c->server;
    size_t covered = c->hold_count ? c->holds[c->hold_count - 1].len : c->out_released;
    if (c->out.len == covered)
        return;
    if (c->hold_count == CLIENT_REPLY_HOLDS_MAX ||
        (c->hold_count && c->holds[c->hold_count - 1].offset == barrier)) {
        /* Merge into the newest hold: it waits for the later of the two
         * (AOF_BARRIER_NEXT_BASE, the largest, covers any offset). */
        uint64_t newest = c->holds[c->hold_count - 1].offset;
        c->holds[c->hold_count - 1] =
            (struct reply_hold){c->out.len, barrier > newest ? barrier : newest};
    } else {
        c->holds[c->hold_count++] = (struct reply_hold){c->out.len, barrier};
    }
    if (!(c->flags & CLIENT_HELD)) {
        c->flags |= CLIENT_HELD;
        c->held_next = s->aof.held;
        s->aof.held = c;
    }
}

void client_release_holds(struct server *s, bool all)
{
    struct client **p = &s->aof.held;
    while (*p) {
        struct client *c = *p;
        int released = 0;
        while (released < c->hold_count &&
               (all || aof_reply_ready(s, c->holds[released].offset)))
            released++;
        if (released) {
            c->out_released = c->holds[released - 1].len;
            memmove(c->holds, c->holds + released,
                    (size_t)(c->hold_count - released) * sizeof(c->holds[0]));
            c->hold_count -= released;
            client_schedule_write(c);
        }
        if (c->hold_count == 0) {
            c->flags &= ~(unsigned)CLIENT_HELD;
            *p = c->held_next;
            c->held_next = NULL;
        } else {
            p = &c->held_next;
        }
    }
}

void client_holds_rebarrier(struct server *s, uint64_t barrier)
{
    for (struct client *c = s->aof.held; c; c = c->held_next) {
        for (int i = 0; i < c->hold_count; i++)
            c->holds[i].offset = barrier;
    }
}

/* Starts a send for c if it has output and none is in flight. Returns
 * false when the client was closed. */
static bool client_flush(struct client *c)
{
    if (c->flags & CLIENT_CLOSING)
        return true;
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
        client_send_released_prefix(c);
    }
    if (c->sending_done < c->sending.len) {
        loop_arm_send(c);
        return true;
    }
    if (c->out.len)
        return true; /* held for the AOF: the release reschedules */
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY) {
        client_close(c);
        return false;
    }
    return true;
}

void client_unblocked(struct client *c)
{
    if (c->flags & (CLIENT_UNBLOCKED | CLIENT_FAKE))
        return;
    c->flags |= CLIENT_UNBLOCKED;
    /* Appended, so clients resume in the order they were unblocked. */
    struct client **p = &c->server->unblocked;
    while (*p)
        p = &(*p)->unblocked_next;
    c->unblocked_next = NULL;
    *p = c;
}

static void client_process_query(struct client *c);

/* Runs the pipelined commands of clients that were unblocked. They run
 * here, at the top of the loop, rather than inside the command that woke
 * them, so no command ever runs nested in another. Their commands can
 * unblock more clients, hence the loop. */
static void client_resume_unblocked(struct server *s)
{
    while (s->unblocked) {
        struct client *c = s->unblocked;
        s->unblocked = c->unblocked_next;
        c->unblocked_next = NULL;
        c->flags &= ~(unsigned)CLIENT_UNBLOCKED;
        if (!(c->flags & CLIENT_CLOSING))
            client_process_query(c);
    }
}

void client_flush_all(struct server *s)
{
    client_resume_unblocked(s);
    /* The AOF batch of this round goes to the ring first; the replies built
     * so far wait until it is durable (always: group commit) or written
     * (everysec, no: as Redis writes before it replies). */
    uint64_t barrier = aof_before_replies(s);
    if (!barrier && s->aof.held)
        client_release_holds(s, false); /* those whose barrier is reached */
    while (s->pending_writes) {
        struct client *c = s->pending_writes;
        s->pending_writes = c->pending_write_next;
        c->pending_write_next = NULL;
        c->flags &= ~(unsigned)CLIENT_PENDING_WRITE;
        if (barrier)
            client_hold(c, barrier);
        else if (c->hold_count)
            client_hold(c, c->holds[c->hold_count - 1].offset); /* behind its held replies */
        else
            c->out_released = c->out.len;
        client_flush(c);
    }
}

/* Makes room for at least `need` more bytes in the query buffer. */
static void client_query_reserve(struct client *c, size_t need)
{
    if (c->query_cap - c->query_len >= need)
        return;
    /* Drop the processed prefix first. */
    if (c->query_pos) {
        memmove(c->query, c->query + c->query_pos, c->query_len - c->query_pos);
        c->query_len -= c->query_pos;
        c->query_pos = 0;
        if (c->query_cap - c->query_len >= need)
            return;
    }
    size_t want = c->query_len + need;
    size_t cap = c->query_cap ? c->query_cap : CLIENT_QUERY_CHUNK_BYTES;
    while (cap < want)
        cap *= 2;
    c->query = alloc_resize(c->query, cap);
    c->query_cap = cap;
}

static void client_protocol_error(struct client *c, const char *error)
{
    reply_error(c, error);
    server_log(c->server, LOGLEVEL_VERBOSE, "Protocol error (%s) from client: id=%llu addr=%s",
               error, (unsigned long long)c->id, c->addr);
    client_close_after_reply(c);
}

/* Runs every whole command in the query buffer. */
static void client_process_query(struct client *c)
{
    struct resp_request *r = &c->request;
    /* A blocked client runs nothing more until it unblocks: its pipelined
     * commands wait here and resume from client_flush_all. */
    while (!(c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSING | CLIENT_BLOCKED)) &&
           c->query_pos < c->query_len) {
        if (c->server->shutdown_asap)
            break;
        if (aof_congested(c->server)) {
            aof_pause_client(c); /* resumes when the AOF drains */
            break;
        }
        r->authenticated = c->authenticated;
        enum resp_parse_result res = resp_parse(r, c->query + c->query_pos, c->query_len - c->query_pos);
        if (res == RESP_PARSE_MORE)
            break;
        if (res == RESP_PARSE_BAD) {
            client_protocol_error(c, r->error);
            resp_request_reset(r);
            break;
        }
        size_t consumed = r->consumed;
        if (r->argc > 0) {
            c->argc = r->argc;
            c->argv = r->argv;
            command_process(c);
            c->argc = 0;
            c->argv = NULL;
        }
        resp_request_reset(r);
        c->query_pos += consumed;
    }
    if (c->query_pos == c->query_len) {
        c->query_pos = c->query_len = 0;
        /* Give back a buffer a big argument grew. */
        if (c->query_cap > 4 * CLIENT_QUERY_CHUNK_BYTES) {
            alloc_free(c->query);
            c->query = NULL;
            c->query_cap = 0;
        }
    }
}

void client_feed(struct client *c, const char *data, size_t len)
{
    struct server *s = c->server;
    s->stats.net_input_bytes += (long long)len;
    s->stats.total_reads_processed++;
    c->last_interaction_ms = s->now_ms;
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY)
        return; /* Redis ignores input after QUIT or a protocol error */
    size_t need = len;
    /* A big bulk announced by its header: grow once to hold all of it. */
    if (c->request.bulk_expected_bytes >= CLIENT_BIG_ARG_BYTES &&
        c->request.bulk_expected_bytes + 2 > need)
        need = c->request.bulk_expected_bytes + 2;
    client_query_reserve(c, need);
    memcpy(c->query + c->query_len, data, len);
    c->query_len += len;
    size_t pending = c->query_len - c->query_pos;
    if ((long long)pending > c->query_peak)
        c->query_peak = (long long)pending;
    if ((long long)pending > s->config.client_query_buffer_limit) {
        server_log(s, LOGLEVEL_WARNING, "Closing client that reached max query buffer length: id=%llu addr=%s",
                   (unsigned long long)c->id, c->addr);
        s->stats.client_query_buffer_limit_disconnections++;
        client_close(c);
        return;
    }
    client_process_query(c);
}

void client_set_name(struct client *c, const char *name, size_t len)
{
    alloc_free(c->name);
    c->name = len ? alloc_strndup(name, len) : NULL;
}

void client_reset(struct client *c)
{
    if (c->flags & CLIENT_MONITOR) {
        c->flags &= ~(unsigned)CLIENT_MONITOR;
        c->server->monitors--;
    }
    transaction_client_reset(c); /* discards MULTI, unwatches every key */
    client_set_name(c, NULL, 0);
    client_init_state(c);
}

struct client *client_by_id(struct server *s, uint64_t id)
{
    for (struct client *c = s->clients_head; c; c = c->next)
        if (c->id == id && !(c->flags & CLIENT_CLOSING))
            return c;
    return NULL;
}

static const char *client_flags_text(const struct client *c, char *out)
{
    char *p = out;
    if (c->flags & CLIENT_MONITOR)
        *p++ = 'O';
    if (c->flags & CLIENT_BLOCKED)
        *p++ = 'b';
    if (c->flags & CLIENT_MULTI)
        *p++ = 'x';
    if (c->flags & CLIENT_DIRTY_CAS)
        *p++ = 'd';
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY)
        *p++ = 'c';
    if (p == out)
        *p++ = 'N';
    *p = '\0';
    return out;
}

void client_info_line(struct client *c, struct buf *b)
{
    struct server *s = c->server;
    char line[1024 + CLIENT_NAME_BYTES_MAX], flags[16];
    int n = snprintf(line, sizeof(line),
        "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d sub=0 psub=0 "
        "ssub=0 multi=%d qbuf=%zu qbuf-free=%zu argv-mem=0 multi-mem=0 rbs=%zu rbp=%lld obl=%zu "
        "oll=0 omem=%zu tot-mem=%zu events=r cmd=%s user=default redir=-1 resp=%d",
        (unsigned long long)c->id, c->addr, c->laddr, c->fd, c->name ? c->name : "",
        (long long)((s->now_ms - c->ctime_ms) / 1000), (long long)((s->now_ms - c->last_interaction_ms) / 1000),
        client_flags_text(c, flags), c->db->id, (c->flags & CLIENT_MULTI) ? c->queued_count : -1,
        c->query_len - c->query_pos, c->query_cap - c->query_len, c->query_cap, c->query_peak,
        c->out.len, c->out.cap + c->sending.cap,
        sizeof(*c) + c->query_cap + c->out.cap + c->sending.cap,
        c->last_cmd ? c->last_cmd->fullname : "NULL", c->resp);
    buf_append(b, line, (size_t)n);
}

void client_feed_monitors(struct client *c)
{
    struct server *s = c->server;
    if (!s->monitors)
        return;
    struct buf line = {0};
    char head[128];
    long long us = server_ustime();
    int n = snprintf(head, sizeof(head), "+%lld.%06lld [%d %s]", us / 1000000, us % 1000000,
                     c->db->id, c->fd < 0 ? "lua" : c->addr);
    buf_append(&line, head, (size_t)n);
    /* Passwords never reach a monitor: AUTH's arguments and HELLO's AUTH
     * pair are shown as (redacted), as Redis does. */
    bool is_auth = c->cmd && strcmp(c->cmd->name, "auth") == 0;
    bool is_hello = c->cmd && strcmp(c->cmd->name, "hello") == 0;
    int redact_from = c->argc, redact_to = -1;
    if (is_auth) {
        redact_from = 1;
        redact_to = c->argc - 1;
    }
    for (int i = 2; is_hello && i + 2 < c->argc; i++) {
        if (c->argv[i].len == 4 && strncasecmp(c->argv[i].ptr, "auth", 4) == 0) {
            redact_from = i + 1;
            redact_to = i + 2;
            break;
        }
    }
    for (int i = 0; i < c->argc; i++) {
        if (i >= redact_from && i <= redact_to) {
            buf_append(&line, " \"(redacted)\"", 13);
            continue;
        }
        buf_append(&line, " \"", 2);
        for (size_t j = 0; j < c->argv[i].len; j++) {
            unsigned char ch = (unsigned char)c->argv[i].ptr[j];
            char esc[8];
            int m;
            if (ch == '\\' || ch == '"')
                m = snprintf(esc, sizeof(esc), "\\%c", ch);
            else if (ch == '\n')
                m = snprintf(esc, sizeof(esc), "\\n");
            else if (ch == '\r')
                m = snprintf(esc, sizeof(esc), "\\r");
            else if (ch == '\t')
                m = snprintf(esc, sizeof(esc), "\\t");
            else if (ch == '\a')
                m = snprintf(esc, sizeof(esc), "\\a");
            else if (ch == '\b')
                m = snprintf(esc, sizeof(esc), "\\b");
            else if (ch < 32 || ch > 126)
                m = snprintf(esc, sizeof(esc), "\\x%02x", ch);
            else
                esc[0] = (char)ch, m = 1;
            buf_append(&line, esc, (size_t)m);
        }
        buf_append(&line, "\"", 1);
    }
    buf_append(&line, "\r\n", 2);
    for (struct client *m = s->clients_head; m; m = m->next)
        if ((m->flags & CLIENT_MONITOR) && m != c && !(m->flags & CLIENT_CLOSING))
            reply_raw(m, line.data, line.len);
    buf_free(&line);
}
