/* conn_test.c: unit tests for net/wire/conn.c's bounds, on fake
 * connections (fd -1) of a zeroed loop: no ring, no socket.
 *
 * The query buffer: a header announcing a huge bulk reserves nothing
 * beyond what arrived; growth never reserves more than about twice the
 * bytes held; a big value that arrives ends in an exact-size buffer after a
 * few moves. The output limit: the hard limit closes at once, the soft one
 * after its seconds, a drained burst is forgiven, no limit never closes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/core/config.h"
#include "net/core/log.h"
#include "net/wire/conn.h"
#include "net/wire/loop.h"
#include "net/wire/resp.h"
#include "tests/unit.h"

#define TEST_SEED 0xc0ffee11u

static struct config test_config;
static struct log test_log;
static struct loop test_loop;
static size_t commands_done;

/* The loop's input handler: runs the parser as dispatch does, counting
 * whole commands and dropping them. */
static void test_input(struct conn *c)
{
    while (c->query_pos < c->query_len) {
        enum resp_parse_result r =
            resp_parse(&c->request, c->query + c->query_pos, c->query_len - c->query_pos);
        TEST_CHECK(r != RESP_PARSE_BAD);
        if (r != RESP_PARSE_DONE)
            break;
        commands_done++;
        c->query_pos += c->request.consumed;
        resp_request_reset(&c->request);
    }
    conn_query_consumed(c);
}

static void test_closed(struct conn *c)
{
    (void)c;
}

static uint64_t test_replies_token(void *ctx)
{
    (void)ctx;
    return 0;
}

/* A fresh loop and an authenticated fake connection on it. */
static void test_open(struct conn *c)
{
    config_init(&test_config);
    test_config.loglevel = LOGLEVEL_NOTHING;
    test_log = (struct log){.config = &test_config, .main_pid = getpid()};
    memset(&test_loop, 0, sizeof(test_loop));
    test_loop.config = &test_config;
    test_loop.log = &test_log;
    test_loop.handler.input = test_input;
    test_loop.handler.closed = test_closed;
    test_loop.handler.replies_token = test_replies_token;
    commands_done = 0;
    memset(c, 0, sizeof(*c));
    conn_init(c, &test_loop, -1, test_config.proto_max_bulk_len);
    c->request.authenticated = true;
}

static void test_close(struct conn *c)
{
    conn_destroy(c);
    config_free(&test_config);
}

/* Feeds data and checks the growth rule: the buffer grows only to hold
 * what arrived, by at most about twice the bytes it then holds. */
static void feed_checked(struct conn *c, const char *data, size_t len)
{
    size_t cap_before = c->query_cap;
    size_t held = c->query_len - c->query_pos + len; /* unprocessed bytes once it arrived */
    conn_feed(c, data, len);
    if (c->query_cap > cap_before)
        TEST_CHECK(c->query_cap <= CONN_QUERY_CHUNK_BYTES || c->query_cap < 2 * held);
}

START_TEST(bulk_header_reserves_little)
{
    struct conn c;
    test_open(&c);
    const char header[] = "*1\r\n$500000000\r\n";
    conn_feed(&c, header, sizeof(header) - 1);
    ck_assert_uint_le(c.query_cap, CONN_QUERY_CHUNK_BYTES);
    ck_assert_uint_eq(c.request.bulk_expected_bytes, 500000000);
    /* Some of the bulk: still about what arrived. */
    static char bytes[100000];
    memset(bytes, 'x', sizeof(bytes));
    conn_feed(&c, bytes, sizeof(bytes));
    ck_assert_uint_le(c.query_cap, 2 * c.query_len);
    ck_assert_uint_eq(commands_done, 0);
    test_close(&c);
}
END_TEST

/* A 1 MB SET arriving in receive-buffer pieces ends in a buffer of exactly
 * its size, after few moves. */
START_TEST(big_bulk_ends_exact)
{
    enum { VALUE_BYTES = 1000000 };
    struct conn c;
    test_open(&c);
    char header[64];
    int header_len = snprintf(header, sizeof(header), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n",
                              VALUE_BYTES);
    size_t total = (size_t)header_len + VALUE_BYTES + 2;
    char *request = malloc(total);
    ck_assert_ptr_nonnull(request);
    memcpy(request, header, (size_t)header_len);
    memset(request + header_len, 'v', VALUE_BYTES);
    memcpy(request + total - 2, "\r\n", 2);
    size_t moves = 0, cap = 0;
    for (size_t at = 0; at < total;) {
        size_t piece = total - at < LOOP_RECV_BUFFER_BYTES ? total - at : LOOP_RECV_BUFFER_BYTES;
        if (at + piece == total) {
            /* Before the last piece: the buffer holds the command exactly. */
            ck_assert_uint_eq(c.query_cap, total);
        }
        feed_checked(&c, request + at, piece);
        if (c.query_cap != cap)
            moves++;
        cap = c.query_cap;
        at += piece;
    }
    ck_assert_uint_eq(commands_done, 1);
    /* 16 KB doubling to 1 MB, the last step cut to the bulk's end; the
     * buffer is given back once the command ran. */
    ck_assert_uint_le(moves, 9);
    free(request);
    test_close(&c);
}
END_TEST

/* Pipelines of small and big commands in random pieces: every command
 * arrives, and no growth reserves more than about twice what is held. */
START_TEST(random_pieces_growth_bounded)
{
    struct test_rng rng;
    test_rng_init(&rng, TEST_SEED);
    for (int round = 0; round < 20; round++) {
        struct conn c;
        test_open(&c);
        size_t len = 0, cap = 0, expected = 0;
        char *stream = NULL;
        while (len < 4 * 1024 * 1024) {
            size_t value_bytes = test_rng_below(&rng, 4) == 0 ? test_rng_below(&rng, 600000)
                                                              : test_rng_below(&rng, 100);
            char header[64];
            int n = snprintf(header, sizeof(header), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%zu\r\n",
                             value_bytes);
            if (len + (size_t)n + value_bytes + 2 > cap) {
                cap = (len + (size_t)n + value_bytes + 2) * 2;
                stream = realloc(stream, cap);
                ck_assert_ptr_nonnull(stream);
            }
            memcpy(stream + len, header, (size_t)n);
            memset(stream + len + n, 'v', value_bytes);
            memcpy(stream + len + n + value_bytes, "\r\n", 2);
            len += (size_t)n + value_bytes + 2;
            expected++;
        }
        for (size_t at = 0; at < len;) {
            size_t piece = 1 + test_rng_below(&rng, LOOP_RECV_BUFFER_BYTES);
            if (piece > len - at)
                piece = len - at;
            feed_checked(&c, stream + at, piece);
            at += piece;
        }
        ck_assert_uint_eq(commands_done, expected);
        free(stream);
        test_close(&c);
    }
}
END_TEST

static void write_bytes(struct conn *c, size_t bytes)
{
    static const char chunk[1024];
    while (bytes > 0) {
        size_t n = bytes < sizeof(chunk) ? bytes : sizeof(chunk);
        conn_write(c, chunk, n);
        bytes -= n;
    }
}

START_TEST(hard_limit_closes_asap)
{
    struct conn c;
    test_open(&c);
    struct config_output_limit limit = {.hard_bytes = 64 * 1024};
    c.out_limit = &limit;
    write_bytes(&c, 60 * 1024);
    ck_assert_uint_eq(c.flags & CONN_CLOSE_ASAP, 0);
    write_bytes(&c, 8 * 1024);
    ck_assert_uint_ne(c.flags & CONN_CLOSE_ASAP, 0);
    ck_assert_uint_ne(c.flags & CONN_CLOSE_AFTER_REPLY, 0);
    /* Nothing more is written. */
    size_t held = c.out.len;
    ck_assert_uint_le(held, 64 * 1024 + 1024);
    write_bytes(&c, 100 * 1024);
    ck_assert_uint_eq(c.out.len, held);
    test_close(&c);
}
END_TEST

START_TEST(soft_limit_after_seconds)
{
    struct conn c;
    test_open(&c);
    struct config_output_limit limit = {.soft_bytes = 32 * 1024, .soft_seconds = 2};
    c.out_limit = &limit;
    test_loop.now_ms = 1000;
    write_bytes(&c, 40 * 1024); /* above: the clock starts */
    test_loop.now_ms = 3000;
    write_bytes(&c, 1);         /* exactly 2 s: not yet past */
    ck_assert_uint_eq(c.flags & CONN_CLOSE_ASAP, 0);
    test_loop.now_ms = 3001;
    write_bytes(&c, 1);
    ck_assert_uint_ne(c.flags & CONN_CLOSE_ASAP, 0);
    test_close(&c);

    /* A burst that drains (here: the output is dropped as if sent) and a
     * later check below the limit forgive it. */
    test_open(&c);
    c.out_limit = &limit;
    test_loop.now_ms = 1000;
    write_bytes(&c, 40 * 1024);
    c.out.len = 0;
    c.out_check_bytes = CONN_OUTPUT_CHECK_BYTES_MIN; /* as the next flush round */
    write_bytes(&c, 20 * 1024);                      /* checked, below the soft limit */
    test_loop.now_ms = 10000;
    write_bytes(&c, 20 * 1024);                      /* above again: a new clock */
    ck_assert_uint_eq(c.flags & CONN_CLOSE_ASAP, 0);
    test_close(&c);
}
END_TEST

/* With no output added, the flush round's scan sees the soft limit's
 * seconds run out. */
START_TEST(soft_limit_scan)
{
    struct conn c;
    test_open(&c);
    struct config_output_limit limit = {.soft_bytes = 32 * 1024, .soft_seconds = 1};
    c.out_limit = &limit;
    test_loop.now_ms = 1000;
    write_bytes(&c, 40 * 1024);
    test_loop.now_ms = 1900;
    conn_flush_all(&test_loop);
    ck_assert_uint_eq(c.flags & CONN_CLOSE_ASAP, 0);
    test_loop.now_ms = 2050; /* the next scan, past the second */
    conn_flush_all(&test_loop);
    ck_assert_uint_ne(c.flags & CONN_CLOSE_ASAP, 0);
    test_close(&c);
}
END_TEST

START_TEST(no_limit_never_closes)
{
    struct conn c;
    test_open(&c);
    write_bytes(&c, 8 * 1024 * 1024); /* out_limit NULL: a fake client */
    ck_assert_uint_eq(c.flags & CONN_CLOSE_ASAP, 0);
    ck_assert_uint_eq(c.out.len, 8 * 1024 * 1024);
    test_close(&c);

    test_open(&c);
    struct config_output_limit none = {0};
    c.out_limit = &none; /* normal 0 0 0: Redis's default */
    write_bytes(&c, 8 * 1024 * 1024);
    ck_assert_uint_eq(c.flags & CONN_CLOSE_ASAP, 0);
    test_close(&c);
}
END_TEST

static Suite *conn_suite(void)
{
    Suite *s = suite_create("conn");
    TCase *query = tcase_create("query");
    tcase_add_test(query, bulk_header_reserves_little);
    tcase_add_test(query, big_bulk_ends_exact);
    tcase_add_test(query, random_pieces_growth_bounded);
    suite_add_tcase(s, query);
    TCase *output = tcase_create("output");
    tcase_add_test(output, hard_limit_closes_asap);
    tcase_add_test(output, soft_limit_after_seconds);
    tcase_add_test(output, soft_limit_scan);
    tcase_add_test(output, no_limit_never_closes);
    suite_add_tcase(s, output);
    return s;
}

TEST_SUITE_MAIN(conn_suite)
