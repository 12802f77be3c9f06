/* conn.h: one connection's bytes: the query buffer, the output, holds.
 *
 * A connection knows no command. Received bytes are appended to its query
 * buffer and the loop's handler is told (handler.input) to run what is
 * whole, parsing with `request` (net/wire/resp.h). Whatever it answers is
 * appended to `out` (conn_write). The layer above may give each reply its
 * own hold token as it is made (conn_hold_output: the AOF offset that
 * reply waits for, 0 for none). Before the loop sleeps, conn_flush_all
 * asks the handler for the round's token (handler.replies_token: the AOF
 * offset everything logged so far reaches) and holds with it the output
 * nobody gave a token. Held output is sent once handler.token_ready says
 * its token is reached, and never ahead of earlier output: a connection's
 * replies leave in the order they were made.
 *
 * Output limits: the layer above points out_limit at the limit that
 * applies (client-output-buffer-limit's class). A connection whose pending
 * output (out, held replies included, plus the unsent part of `sending`)
 * reaches the hard limit, or stays at or above the soft limit for longer
 * than its seconds, is closed as soon as the current command ends, its
 * output dropped (Redis's "closed ASAP"). As in Redis, the check runs when
 * output is added (not below CONN_OUTPUT_CHECK_BYTES_MIN) and periodically
 * (conn_flush_all, every CONN_OUTPUT_SCAN_INTERVAL_MS).
 *
 * The session built on a connection (net/commands/client.h) embeds a
 * `struct conn` and finds itself again with container_of. A connection with
 * fd -1 is a fake one (AOF loading, tests): it is never sent.
 *
 * Invariant: a connection is released (handler.closed) only when it is
 * closing and has neither a receive nor a send in flight, so no completion
 * reaches freed memory; `sending` is not touched while a send is in flight. */
#ifndef RINGKV_NET_WIRE_CONN_H
#define RINGKV_NET_WIRE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/wire/buf.h"
#include "net/wire/resp.h"

struct loop;
struct io_uring_cqe;
struct config_output_limit;

/* Query buffer growth step when no bulk length is known. */
#define CONN_QUERY_CHUNK_BYTES (16 * 1024)
/* Redis's PROTO_MBULK_BIG_ARG: a buffer receiving a bulk this large stops
 * growing at the bulk's end, so the value ends in an exact-size buffer. It
 * still grows by doubling as the bytes arrive, never to the announced
 * length up front: a header alone must not reserve memory. */
#define CONN_BIG_ARG_BYTES (32 * 1024)
/* Pending output below this is never checked against the output limit:
 * Redis checks only once replies spill out of its 16 KB reply buffer
 * (PROTO_REPLY_CHUNK_BYTES), so smaller limits act as this. */
#define CONN_OUTPUT_CHECK_BYTES_MIN (16 * 1024)
/* How often conn_flush_all checks every connection's pending output
 * against its limit, for what no write re-checks (a soft limit's seconds
 * running out while nothing is added): Redis's clientsCron does this. */
#define CONN_OUTPUT_SCAN_INTERVAL_MS 100
/* Distinct hold tokens a connection's output waits for at once; more are
 * merged into the newest (which waits for the later token). */
#define CONN_HOLDS_MAX 4

/* An io_uring operation owned by someone; user_data points at it. */
struct loop_op {
    void (*done)(struct loop_op *op, struct io_uring_cqe *cqe); /* runs from the loop's drain step */
};

enum conn_flag {
    CONN_CLOSE_AFTER_REPLY = 1 << 0, /* QUIT, protocol error: close once out is sent */
    CONN_CLOSING = 1 << 1,           /* waiting for in-flight ops before the release */
    CONN_PENDING_WRITE = 1 << 2,     /* on loop->pending_writes */
    CONN_RESUME = 1 << 3,            /* on loop->resume: its query buffer runs before the next sleep */
    CONN_HELD = 1 << 4,              /* on loop->held */
    CONN_PAUSED = 1 << 5,            /* on loop->paused (back-pressure) */
    /* Passed its output limit: closes at the next flush, output dropped;
     * set with CONN_CLOSE_AFTER_REPLY, so nothing more runs or is written. */
    CONN_CLOSE_ASAP = 1 << 6,
    /* CLIENT REPLY OFF or SKIP: conn_write drops what is written (the
     * layer above clears it around the pushes it still sends). */
    CONN_MUTED = 1 << 7,
    /* A long script runs for it (conn_protect): what arrives waits in
     * `stash`, and a close waits, until conn_unprotect. */
    CONN_PROTECTED = 1 << 8,
};

/* A stretch of output that waits for a token: out[0, len) is covered. */
struct conn_hold {
    size_t len;
    uint64_t token;
};

struct conn {
    uint64_t id;       /* CLIENT ID: unique, in creation order */
    struct loop *loop; /* borrowed */
    int fd;            /* -1 for a fake connection */
    unsigned flags;    /* enum conn_flag */
    char addr[64];     /* "ip:port" of the peer */
    char laddr[64];    /* "ip:port" of our side */
    int64_t ctime_ms;  /* connection time */
    int64_t last_interaction_ms;

    /* input */
    char *query;       /* owned query buffer */
    size_t query_len;  /* bytes held */
    size_t query_cap;
    size_t query_pos;  /* start of the first unprocessed command */
    long long query_peak;
    struct resp_request request; /* the parser's state for the next command */
    struct buf stash;  /* input that arrived while CONN_PROTECTED */

    /* output */
    struct buf out;       /* replies being built */
    struct buf sending;   /* bytes handed to the in-flight send */
    size_t sending_done;  /* bytes of `sending` already sent */
    size_t out_released;  /* out[0, out_released) may be sent now */
    struct conn_hold holds[CONN_HOLDS_MAX];
    int hold_count;
    /* borrowed, from the config (set by the layer above); NULL: unlimited */
    const struct config_output_limit *out_limit;
    /* conn_write checks the limit once out.len + sending.len passes this
     * (an upper bound of the pending output, so the common case costs one
     * compare); back to CONN_OUTPUT_CHECK_BYTES_MIN at every flush round,
     * so a limit changed at runtime applies from the next round. */
    size_t out_check_bytes;
    bool out_soft_reached;       /* pending output was seen at or above the soft limit ... */
    int64_t out_soft_since_ms;   /* ... first at this loop time, and has stayed there since */

    /* io */
    struct loop_op recv_op;
    struct loop_op send_op;
    bool recv_armed;
    bool send_in_flight;

    /* lists (intrusive) */
    struct conn *prev, *next;          /* loop->conns, in creation order */
    struct conn *pending_write_next;   /* loop->pending_writes */
    struct conn *resume_next;          /* loop->resume */
    struct conn *held_next;            /* loop->held */
    struct conn *paused_next;          /* loop->paused */
};

/* Sets up c (zeroed by the caller) on fd (-1: fake) and links it into the
 * loop's list; a real fd is tuned (TCP_NODELAY, keepalive), counted, and
 * its multishot receive armed. */
void conn_init(struct conn *c, struct loop *l, int fd, long long bulk_bytes_max);
/* Closes now if nothing is in flight, else once the ops complete; the
 * handler's closed() runs then. */
void conn_close(struct conn *c);
/* Closes after the pending output is sent. */
void conn_close_after_reply(struct conn *c);
/* While c's command runs the loop nested (a script past
 * busy-reply-threshold serving other clients): c's new input is set aside
 * and c is not released even if it closes. conn_unprotect ends that; the
 * input set aside and a pending close are dealt with when the loop next
 * runs resumed connections, outside any command. */
void conn_protect(struct conn *c);
void conn_unprotect(struct conn *c);
/* Unlinks c, closes its fd and frees its buffers (from handler.closed). */
void conn_destroy(struct conn *c);
/* Marks c as having output for the next send round. */
void conn_schedule_write(struct conn *c);
/* Checks c's pending output against its limit (out_limit), closing it
 * ASAP when passed; called by conn_write past out_check_bytes. */
void conn_check_output(struct conn *c);
/* Appends reply bytes to out (dropped after a final reply, as Redis does,
 * once the output limit closed c, and while c is muted). Inline: every reply fragment passes
 * here. */
static inline void conn_write(struct conn *c, const void *p, size_t len)
{
    if (c->flags & (CONN_CLOSE_AFTER_REPLY | CONN_CLOSE_ASAP | CONN_MUTED))
        return;
    buf_append(&c->out, p, len);
    if (c->out.len + c->sending.len > c->out_check_bytes)
        conn_check_output(c);
    if (!(c->flags & CONN_PENDING_WRITE))
        conn_schedule_write(c);
}
/* Appends received bytes to the query buffer, closing c when it passes
 * client-query-buffer-limit; then the handler's input() runs. The buffer
 * grows by doubling (see conn.c, conn_query_grown_cap), so it holds at most
 * about twice the bytes received, whatever length a header announced. */
void conn_feed(struct conn *c, const char *data, size_t len);
/* Drops the processed prefix of the query buffer once all of it ran. */
void conn_query_consumed(struct conn *c);
/* c's unprocessed query bytes run again before the loop next sleeps, after
 * those of connections resumed earlier (a client leaving a blocking command,
 * or back-pressure ending). */
void conn_resume(struct conn *c);
/* Back-pressure: c runs nothing until conn_unpause_all. */
void conn_pause(struct conn *c);
void conn_unpause_all(struct loop *l);

/* Before the loop sleeps: runs resumed connections, asks the handler for
 * the round's hold token, then holds or sends each connection's output. */
void conn_flush_all(struct loop *l);
/* The output appended since the last call (or the last release) waits for
 * token: 0 lets it go at once unless earlier output of c is still held,
 * which it then follows. A token already reached counts as 0. */
void conn_hold_output(struct conn *c, uint64_t token);
/* Whether c has output no conn_hold_output call has covered yet. */
static inline bool conn_has_unheld_output(const struct conn *c)
{
    return c->out.len > (c->hold_count ? c->holds[c->hold_count - 1].len : c->out_released);
}
/* Releases held output whose token is ready (all: every hold). */
void conn_release_holds(struct loop *l, bool all);
/* Every held output now waits for token instead (its old tokens became
 * meaningless: the AOF's offsets started again). */
void conn_retoken_holds(struct loop *l, uint64_t token);

#endif
