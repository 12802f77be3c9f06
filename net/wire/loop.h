/* loop.h: the io_uring event loop: the ring, listeners, connections.
 *
 * The loop owns the ring, the provided receive buffers and every network
 * submission: multishot accept per listener, one multishot receive per
 * connection, one send per connection at a time, the tick as a timeout op
 * and SIGTERM/SIGINT read from a signalfd. It knows no command: what
 * arrives goes to the handler the layer above installs, and the ring
 * writer's completions (uring/) run from the same drain step.
 *
 * Each iteration flushes output (conn_flush_all), submits everything queued
 * and waits once, then runs the completions: every operation's user_data
 * points at a `struct loop_op` whose done() runs from the drain. */
#ifndef RINGKV_NET_WIRE_LOOP_H
#define RINGKV_NET_WIRE_LOOP_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/core/log.h"
#include "net/wire/conn.h"

/* Ring entries: submissions per loop iteration are bounded by this; the
 * loop submits early when the SQ fills. The CQ is 4x (IORING_SETUP_CQSIZE). */
#define LOOP_RING_ENTRIES 4096
/* Provided receive buffers: count and size. A receive holds one only until
 * its bytes are copied into the connection's query buffer. */
#define LOOP_RECV_BUFFERS 1024
#define LOOP_RECV_BUFFER_BYTES (16 * 1024)
#define LOOP_RECV_AREA_BYTES ((size_t)LOOP_RECV_BUFFERS * LOOP_RECV_BUFFER_BYTES)
#define LOOP_LISTENERS_MAX 16
/* The provided-buffer group receives take their buffers from. */
#define LOOP_BUFFER_GROUP 0

/* What the layer above does with the loop's events. Every callback gets
 * ctx back; a connection's owner finds itself with container_of. */
struct loop_handler {
    void *ctx; /* borrowed */
    /* A connection was accepted on fd: the owner builds its session
     * (conn_init arms the receive) or closes fd. */
    void (*accept)(void *ctx, int fd);
    /* c has unprocessed query bytes (new ones, or it was resumed). */
    void (*input)(struct conn *c);
    /* c closed and nothing is in flight: the owner frees it, calling
     * conn_destroy. */
    void (*closed)(struct conn *c);
    /* Once per iteration, before the loop submits and sleeps: sends
     * output (conn_flush_all). */
    void (*before_sleep)(struct loop *l);
    /* Before replies go out: the token this round's replies wait for
     * (the AOF offset), or 0 when they may leave at once. */
    uint64_t (*replies_token)(void *ctx);
    /* Whether output held for token may leave now. */
    bool (*token_ready)(void *ctx, uint64_t token);
    /* hz times a second. */
    void (*tick)(void *ctx);
    /* SIGTERM or SIGINT arrived. */
    void (*signal)(void *ctx, int signo);
    /* Optional: appends a one-line description of c (CLIENT LIST's form)
     * to out, for log lines about c; NULL: the wire's own, id and
     * addresses. */
    void (*describe)(struct conn *c, struct buf *out);
};

struct listener {
    int fd; /* -1: retired (CONFIG SET port), its slot free once !accept_armed */
    struct loop_op accept_op;
    struct loop *loop; /* borrowed */
    bool accept_armed;
};

/* A completion loop_wait_writer set aside for the loop's next round. */
struct loop_deferred {
    struct loop_op *op;
    struct io_uring_cqe cqe; /* user_data, res, flags: all done() reads */
};

/* The wire's counters, for INFO stats. */
struct loop_stats {
    long long total_connections_received;
    long long rejected_connections;
    long long net_input_bytes;
    long long net_output_bytes;
    long long total_reads_processed;
    long long total_writes_processed;
    long long client_query_buffer_limit_disconnections;
};

struct loop {
    const struct config *config; /* borrowed: maxclients, hz, tcp-keepalive, query limit */
    const struct log *log;       /* borrowed */
    struct loop_handler handler;

    struct io_uring ring;
    struct io_uring_buf_ring *recv_ring; /* mmapped, provided buffers group 0 */
    char *recv_buffers;                  /* owned mapping of LOOP_RECV_AREA_BYTES, not forked */
    size_t recv_ring_bytes;
    struct listener listeners[LOOP_LISTENERS_MAX];
    int listener_count;
    struct loop_op timer_op;
    struct __kernel_timespec timer_ts;
    bool timer_armed;
    int signal_fd;
    struct loop_op signal_op;
    char signal_buf[128];
    bool signal_armed;
    struct loop_deferred *deferred;      /* owned array, see loop_wait_writer */
    size_t deferred_count, deferred_cap;

    int64_t now_ms;                      /* cached at each iteration */
    int64_t output_scan_ms;              /* last conn_flush_all scan of output limits */
    bool stopping;                       /* loop_run returns after this round */
    /* Set by the owner (in before_sleep) while it has work to go on with
     * between iterations (an unfinished eviction run): the loop then polls
     * for completions instead of sleeping, as an event loop with a 0 ms
     * timer would. */
    bool work_pending;

    /* The batch of completions being dispatched (NULL between batches):
     * entries before batch_next have run. loop_serve_once, called nested
     * from a done(), runs the rest first. */
    struct io_uring_cqe *batch;
    unsigned batch_next, batch_count;

    /* connections (intrusive lists, see struct conn) */
    struct conn *conns_head, *conns_tail;
    int conn_count;                      /* real ones (fd >= 0) */
    uint64_t next_conn_id;
    struct conn *pending_writes;
    struct conn *resume;                 /* in order */
    struct conn *held;
    struct conn *paused;

    struct loop_stats stats;
};

/* Sets up the ring and provided buffers; on failure returns -errno and
 * writes a message naming the cause and the fix into err. */
int loop_init(struct loop *l, char *err, size_t err_len);
void loop_shutdown(struct loop *l);
/* Returns a submission entry, submitting queued ones if the SQ is full. */
struct io_uring_sqe *loop_sqe(struct loop *l);
/* Gives a provided receive buffer back to the kernel. */
void loop_recycle_buffer(struct loop *l, unsigned bid);
/* Runs until loop->stopping. */
void loop_run(struct loop *l);
/* Arms the accept of every listener that has none (listeners added while
 * the loop runs: CONFIG SET port / bind). */
void loop_arm_listeners(struct loop *l);
/* Accepts and serves clients without blocking, once: called every few ms
 * while the dataset loads at start-up. */
void loop_serve_once(struct loop *l);
/* Runs ring-writer completions until done(ctx) is true, keeping every other
 * completion for the loop's next round (so no command runs nested). */
void loop_wait_writer(struct loop *l, bool (*done)(void *ctx), void *ctx);

#endif
