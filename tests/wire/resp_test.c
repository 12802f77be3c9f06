/* resp_test.c: unit tests for net/wire/resp.c.
 *
 * The request parser is fed whole, byte by byte, at every two-way and
 * three-way split, and in random splits. Each time, the buffer is moved to a
 * fresh allocation between calls, so ASan would catch a parser that kept a
 * pointer into the old one. Every run is written down as a transcript (the
 * commands parsed, then an error or the bytes left waiting), and a transcript
 * must not depend on how the input was cut. Error texts are Redis 7.0's,
 * checked by hand against redis-server 7.0.15. */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/wire/resp.h"
#include "tests/unit.h"

#define TEST_BULK_MAX (512LL * 1024 * 1024) /* Redis's default proto-max-bulk-len */
#define TEST_RANDOM_SEED 0x5eed2024u
#define TEST_RANDOM_ROUNDS 300
#define TEST_RANDOM_COMMANDS_MAX 24

#define ARG(s) {(s), sizeof(s) - 1}

/* check records every passing ck_assert in a file, which dominates the
 * run time of the hot loops below; REQUIRE calls check only on failure. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg("%s:%d: failed: %s", __FILE__, __LINE__, #cond);                          \
    } while (0)

/* ---- Growable byte strings ---- */

struct bytes {
    char *p;
    size_t len;
    size_t cap;
};

static void bytes_append(struct bytes *b, const void *data, size_t len)
{
    if (b->len + len + 1 > b->cap) {
        b->cap = (b->len + len + 1) * 2;
        b->p = realloc(b->p, b->cap);
        REQUIRE(b->p != NULL);
    }
    if (len > 0)
        memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
}

static void bytes_printf(struct bytes *b, const char *format, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(text, sizeof(text), format, ap);
    va_end(ap);
    REQUIRE(n >= 0 && n < (int)sizeof(text));
    bytes_append(b, text, (size_t)n);
}

static void bytes_free(struct bytes *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

/* Escapes bytes for a failure message, cut to a readable length. */
static const char *bytes_show(const struct bytes *b, char *out, size_t out_size)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len && n + 8 < out_size; i++) {
        unsigned char c = (unsigned char)b->p[i];
        if (c >= 0x20 && c < 0x7f)
            out[n++] = (char)c;
        else
            n += (size_t)snprintf(out + n, out_size - n, "\\x%02x", c);
    }
    out[n] = '\0';
    return out;
}

static void bytes_assert_eq(const struct bytes *got, const struct bytes *want, const char *what)
{
    if (got->len == want->len && (got->len == 0 || memcmp(got->p, want->p, got->len) == 0))
        return;
    char a[400], b[400];
    ck_abort_msg("%s: transcript\n  got  %s\n  want %s", what, bytes_show(got, a, sizeof(a)),
                 bytes_show(want, b, sizeof(b)));
}

/* ---- Transcripts ---- */

static void transcript_command(struct bytes *t, int argc, const struct resp_arg *argv)
{
    bytes_printf(t, "C%d", argc);
    for (int i = 0; i < argc; i++) {
        bytes_printf(t, "|%zu:", argv[i].len);
        bytes_append(t, argv[i].ptr, argv[i].len);
    }
    bytes_append(t, ";", 1);
}

static void transcript_error(struct bytes *t, const char *error)
{
    bytes_printf(t, "E%s;", error);
}

static void transcript_waiting(struct bytes *t, size_t pending)
{
    bytes_printf(t, "M%zu;", pending);
}

struct drive_options {
    bool authenticated;
    long long bulk_max;
};

static const struct drive_options drive_default = {true, TEST_BULK_MAX};

/* Returns a new allocation holding old[0..old_len) then add[0..add_len),
 * and frees old: the parser's buffer always moves. */
static char *buffer_moved(char *old, size_t old_len, const char *add, size_t add_len)
{
    char *fresh = malloc(old_len + add_len + 1);
    REQUIRE(fresh != NULL);
    if (old_len > 0)
        memcpy(fresh, old, old_len);
    if (add_len > 0)
        memcpy(fresh + old_len, add, add_len);
    free(old);
    return fresh;
}

/* The hint must describe a bulk that is not complete in the buffer. */
static void drive_check_hint(const struct resp_request *r, size_t len,
                             enum resp_parse_result result)
{
    if (r->bulk_expected_bytes == 0)
        return;
    REQUIRE(result == RESP_PARSE_MORE);
    REQUIRE(r->bulk_start <= len);
    REQUIRE(len - r->bulk_start < r->bulk_expected_bytes + 2);
}

/* Parses whatever the buffer holds; returns false once the parser fails. */
static bool drive_parse_all(struct resp_request *r, char **buf, size_t *len, struct bytes *t)
{
    while (*len > 0) {
        enum resp_parse_result result = resp_parse(r, *buf, *len);
        drive_check_hint(r, *len, result);
        if (result == RESP_PARSE_MORE)
            return true;
        if (result == RESP_PARSE_BAD) {
            REQUIRE(r->error != NULL);
            transcript_error(t, r->error);
            return false;
        }
        REQUIRE(r->consumed > 0);
        REQUIRE(r->consumed <= *len);
        transcript_command(t, r->argc, r->argv);
        size_t rest = *len - r->consumed;
        char *next = buffer_moved(NULL, 0, *buf + r->consumed, rest);
        free(*buf);
        *buf = next;
        *len = rest;
        resp_request_reset(r);
    }
    return true;
}

/* Feeds input[0..len) in pieces that end at the increasing offsets in cuts,
 * then the rest, and appends what happened to t. */
static void drive(const char *input, size_t len, const size_t *cuts, size_t cut_count,
                  const struct drive_options *options, struct bytes *t)
{
    struct resp_request r;
    resp_request_init(&r, options->bulk_max);
    r.authenticated = options->authenticated;
    char *buf = NULL;
    size_t buf_len = 0, fed = 0;
    bool alive = true;
    for (size_t k = 0; k <= cut_count && alive; k++) {
        size_t upto = k < cut_count ? cuts[k] : len;
        REQUIRE(upto >= fed);
        REQUIRE(upto <= len);
        buf = buffer_moved(buf, buf_len, input + fed, upto - fed);
        buf_len += upto - fed;
        fed = upto;
        alive = drive_parse_all(&r, &buf, &buf_len, t);
    }
    if (alive && buf_len > 0)
        transcript_waiting(t, buf_len);
    free(buf);
    resp_request_free(&r);
}

static void drive_whole(const char *input, size_t len, const struct drive_options *options,
                        struct bytes *t)
{
    drive(input, len, NULL, 0, options, t);
}

/* Checks that every way of cutting input in two, and byte-by-byte feeding,
 * give the same transcript as feeding it whole. */
static void assert_split_invariant(const char *input, size_t len,
                                   const struct drive_options *options, const struct bytes *want)
{
    struct bytes got = {0};
    for (size_t cut = 0; cut <= len; cut++) {
        drive(input, len, &cut, 1, options, &got);
        bytes_assert_eq(&got, want, "two-way split");
        got.len = 0;
    }
    size_t *cuts = malloc((len + 1) * sizeof(*cuts));
    for (size_t i = 0; i < len; i++)
        cuts[i] = i + 1;
    drive(input, len, cuts, len, options, &got);
    bytes_assert_eq(&got, want, "byte by byte");
    free(cuts);
    bytes_free(&got);
}

/* ---- Single-call helpers ---- */

static enum resp_parse_result parse_once(struct resp_request *r, const char *input, size_t len)
{
    return resp_parse(r, input, len);
}

/* Parses input with a fresh parser and returns the error text, or NULL if
 * the parser asked for more. Fails the test on DONE. */
static const char *error_of(const char *input, size_t len, bool authenticated, long long bulk_max)
{
    static char error[128];
    struct resp_request r;
    resp_request_init(&r, bulk_max);
    r.authenticated = authenticated;
    enum resp_parse_result result = resp_parse(&r, input, len);
    ck_assert_int_ne(result, RESP_PARSE_DONE);
    const char *out = NULL;
    if (result == RESP_PARSE_BAD) {
        snprintf(error, sizeof(error), "%s", r.error);
        out = error;
    }
    resp_request_free(&r);
    return out;
}

#define ERROR_OF(literal, auth) error_of((literal), sizeof(literal) - 1, (auth), TEST_BULK_MAX)

static void assert_args(const struct resp_request *r, int argc, const struct resp_arg *want)
{
    ck_assert_int_eq(r->argc, argc);
    for (int i = 0; i < argc; i++) {
        ck_assert_uint_eq(r->argv[i].len, want[i].len);
        ck_assert_mem_eq(r->argv[i].ptr, want[i].ptr, want[i].len);
    }
}

/* ---- Request parser: whole commands ---- */

START_TEST(test_multibulk_whole)
{
    static const char input[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n";
    struct resp_request r;
    resp_request_init(&r, TEST_BULK_MAX);
    r.authenticated = true;
    ck_assert_int_eq(parse_once(&r, input, sizeof(input) - 1), RESP_PARSE_DONE);
    const struct resp_arg want[] = {ARG("SET"), ARG("k"), ARG("value")};
    assert_args(&r, 3, want);
    ck_assert_uint_eq(r.consumed, sizeof(input) - 1);
    ck_assert_ptr_null(r.error);
    ck_assert_uint_eq(r.bulk_expected_bytes, 0);
    /* Multibulk arguments point into the caller's buffer, not a copy. */
    ck_assert_ptr_eq(r.argv[0].ptr, input + 8);
    ck_assert_ptr_eq(r.argv[2].ptr, input + 24);
    resp_request_free(&r);
}
END_TEST

START_TEST(test_multibulk_stops_at_command_end)
{
    static const char input[] = "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n";
    struct resp_request r;
    resp_request_init(&r, TEST_BULK_MAX);
    r.authenticated = true;
    ck_assert_int_eq(parse_once(&r, input, sizeof(input) - 1), RESP_PARSE_DONE);
    ck_assert_uint_eq(r.consumed, 14);
    resp_request_reset(&r);
    ck_assert_int_eq(parse_once(&r, input + 14, sizeof(input) - 1 - 14), RESP_PARSE_DONE);
    ck_assert_uint_eq(r.consumed, 14);
    const struct resp_arg want[] = {ARG("PING")};
    assert_args(&r, 1, want);
    resp_request_free(&r);
}
END_TEST

START_TEST(test_inline_whole)
{
    static const struct {
        const char *input;
        size_t consumed;
        int argc;
        struct resp_arg argv[3];
    } cases[] = {
        {"SET k v\r\n", 9, 3, {ARG("SET"), ARG("k"), ARG("v")}},
        {"PING\n", 5, 1, {ARG("PING")}},
        {"  GET \t key \r\nrest", 14, 2, {ARG("GET"), ARG("key")}},
        {"a b\r\r\n", 6, 2, {ARG("a"), ARG("b")}}, /* one '\r' is stripped, the other ends "b" */
        {"a\rb\n", 4, 2, {ARG("a"), ARG("b")}},
        {"echo \"x y\" 'z'\n", 15, 3, {ARG("echo"), ARG("x y"), ARG("z")}},
        {"\xff\xfe \x80\n", 5, 2, {ARG("\xff\xfe"), ARG("\x80")}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct resp_request r;
        resp_request_init(&r, TEST_BULK_MAX);
        ck_assert_int_eq(parse_once(&r, cases[i].input, strlen(cases[i].input)), RESP_PARSE_DONE);
        ck_assert_uint_eq(r.consumed, cases[i].consumed);
        assert_args(&r, cases[i].argc, cases[i].argv);
        for (int j = 0; j < r.argc; j++)
            ck_assert_int_eq(r.argv[j].ptr[r.argv[j].len], '\0'); /* scratch copies end in NUL */
        resp_request_free(&r);
    }
}
END_TEST

START_TEST(test_empty_commands)
{
    static const char *const inputs[] = {"\r\n", "\n", " \t \r\n", "*0\r\n", "*-1\r\n", "*-100\r\n",
                                         "*-9223372036854775808\r\n"};
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        for (int auth = 0; auth < 2; auth++) {
            struct resp_request r;
            resp_request_init(&r, TEST_BULK_MAX);
            r.authenticated = auth;
            ck_assert_int_eq(parse_once(&r, inputs[i], strlen(inputs[i])), RESP_PARSE_DONE);
            ck_assert_int_eq(r.argc, 0);
            ck_assert_uint_eq(r.consumed, strlen(inputs[i]));
            resp_request_free(&r);
        }
    }
}
END_TEST

START_TEST(test_empty_buffer_wants_more)
{
    struct resp_request r;
    resp_request_init(&r, TEST_BULK_MAX);
    ck_assert_int_eq(resp_parse(&r, NULL, 0), RESP_PARSE_MORE);
    ck_assert_int_eq(resp_parse(&r, "", 0), RESP_PARSE_MORE);
    ck_assert_int_eq(resp_parse(&r, "*", 1), RESP_PARSE_MORE);
    ck_assert_int_eq(resp_parse(&r, "*1\r\n", 4), RESP_PARSE_MORE);
    ck_assert_int_eq(resp_parse(&r, "*1\r\n", 4), RESP_PARSE_MORE); /* same bytes again */
    resp_request_free(&r);
}
END_TEST

START_TEST(test_binary_bulks)
{
    static const char input[] = "*4\r\n$3\r\nSET\r\n$5\r\nb\0\r\nc\r\n$0\r\n\r\n$6\r\n*1\r\n$\0\r\n";
    struct resp_request r;
    resp_request_init(&r, TEST_BULK_MAX);
    r.authenticated = true;
    ck_assert_int_eq(parse_once(&r, input, sizeof(input) - 1), RESP_PARSE_DONE);
    const struct resp_arg want[] = {ARG("SET"), ARG("b\0\r\nc"), ARG(""), ARG("*1\r\n$\0")};
    assert_args(&r, 4, want);
    ck_assert_uint_eq(r.consumed, sizeof(input) - 1);
    resp_request_free(&r);
}
END_TEST

/* Redis skips the two bytes after a bulk, and the byte after a header's
 * '\r', without looking at them. */
START_TEST(test_terminators_unchecked_like_redis)
{
    static const struct {
        const char *input;
        size_t consumed;
    } cases[] = {
        {"*1\r\n$4\r\nPINGxy", 14},
        {"*1\rX$4\r\nPING\r\n", 14},
        {"*1\r\n$4\rXPING\r\n", 14},
        {"*1\r\r$4\r\rPING\r\r", 14},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct resp_request r;
        resp_request_init(&r, TEST_BULK_MAX);
        r.authenticated = true;
        ck_assert_int_eq(parse_once(&r, cases[i].input, strlen(cases[i].input)), RESP_PARSE_DONE);
        const struct resp_arg want[] = {ARG("PING")};
        assert_args(&r, 1, want);
        ck_assert_uint_eq(r.consumed, cases[i].consumed);
        resp_request_free(&r);
    }
}
END_TEST

/* ---- Request parser: incremental feeding ---- */

/* Several kinds of command back to back, ending in an unfinished one. */
static const char pipeline_input[] = "*1\r\n$4\r\nPING\r\n"
                                     "SET a \"b c\"\r\n"
                                     "\r\n"
                                     "*0\r\n"
                                     "*2\r\n$3\r\nGET\r\n$0\r\n\r\n"
                                     "*-1\r\n"
                                     "echo 'x y'\n"
                                     "*3\r\n$3\r\nSET\r\n$5\r\nb\0\r\nc\r\n$2\r\n\r\n\r\n"
                                     "*1\r\n$4\r\nPIN";

static void pipeline_expected(struct bytes *t)
{
    const struct resp_arg ping[] = {ARG("PING")};
    const struct resp_arg set[] = {ARG("SET"), ARG("a"), ARG("b c")};
    const struct resp_arg get[] = {ARG("GET"), ARG("")};
    const struct resp_arg echo[] = {ARG("echo"), ARG("x y")};
    const struct resp_arg binary[] = {ARG("SET"), ARG("b\0\r\nc"), ARG("\r\n")};
    transcript_command(t, 1, ping);
    transcript_command(t, 3, set);
    transcript_command(t, 0, NULL);
    transcript_command(t, 0, NULL);
    transcript_command(t, 2, get);
    transcript_command(t, 0, NULL);
    transcript_command(t, 2, echo);
    transcript_command(t, 3, binary);
    transcript_waiting(t, 11);
}

START_TEST(test_pipeline_whole)
{
    struct bytes got = {0}, want = {0};
    pipeline_expected(&want);
    drive_whole(pipeline_input, sizeof(pipeline_input) - 1, &drive_default, &got);
    bytes_assert_eq(&got, &want, "whole");
    bytes_free(&got);
    bytes_free(&want);
}
END_TEST

START_TEST(test_pipeline_every_split_and_byte_by_byte)
{
    struct bytes want = {0};
    pipeline_expected(&want);
    assert_split_invariant(pipeline_input, sizeof(pipeline_input) - 1, &drive_default, &want);
    bytes_free(&want);
}
END_TEST

START_TEST(test_every_three_way_split)
{
    static const char input[] = "*2\r\n$3\r\nGET\r\n$4\r\nk\0\ny\r\nGET \"a\\x41\"\r\n*0\r\n";
    const size_t len = sizeof(input) - 1;
    struct bytes want = {0}, got = {0};
    drive_whole(input, len, &drive_default, &want);
    for (size_t a = 0; a <= len; a++) {
        for (size_t b = a; b <= len; b++) {
            const size_t cuts[2] = {a, b};
            got.len = 0;
            drive(input, len, cuts, 2, &drive_default, &got);
            bytes_assert_eq(&got, &want, "three-way split");
        }
    }
    bytes_free(&want);
    bytes_free(&got);
}
END_TEST

/* Errors must come out the same however the bad input arrives. */
START_TEST(test_errors_split_invariant)
{
    static const char *const inputs[] = {
        "*1\r\n$4\r\nPING\r\n*1\r\nX3\r\n",     "PING\r\nSET \"a\r\n",
        "*1\r\n$4\r\nPING\r\n*2000000\r\n",     "*2\r\n$3\r\nGET\r\n$-5\r\n",
        "*1\r\n$4\r\nPING\r\n*1\r\n$+4\r\nPING\r\n",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        struct bytes want = {0};
        drive_whole(inputs[i], strlen(inputs[i]), &drive_default, &want);
        ck_assert_ptr_nonnull(strstr(want.p, "EProtocol error: "));
        assert_split_invariant(inputs[i], strlen(inputs[i]), &drive_default, &want);
        bytes_free(&want);
    }
}
END_TEST

START_TEST(test_truncated_wants_more)
{
    static const char *const inputs[] = {
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n",
        "SET k \"v w\"\r\n",
        "*1\r\n$0\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        size_t len = strlen(inputs[i]);
        for (size_t prefix = 0; prefix < len; prefix++) {
            struct resp_request r;
            resp_request_init(&r, TEST_BULK_MAX);
            r.authenticated = true;
            ck_assert_int_eq(parse_once(&r, inputs[i], prefix), RESP_PARSE_MORE);
            ck_assert_ptr_null(r.error);
            ck_assert_uint_eq(r.consumed, 0);
            resp_request_free(&r);
        }
    }
}
END_TEST

/* Accepted bytes are never read again: garbling them between calls must
 * not change the outcome (only the argument bytes themselves are read, at
 * the end, to build argv). */
START_TEST(test_accepted_bytes_not_rescanned)
{
    static const char first[] = "*2\r\n$3\r\nGET\r\n$3\r\nke";
    struct resp_request r;
    resp_request_init(&r, TEST_BULK_MAX);
    r.authenticated = true;
    ck_assert_int_eq(resp_parse(&r, first, sizeof(first) - 1), RESP_PARSE_MORE);
    char *buf = buffer_moved(NULL, 0, first, sizeof(first) - 1);
    memset(buf, '#', 8);                    /* "*2\r\n$3\r\n" */
    memset(buf + 11, '#', 6);               /* "\r\n$3\r\n" */
    buf = buffer_moved(buf, sizeof(first) - 1, "y\r\n", 3);
    ck_assert_int_eq(resp_parse(&r, buf, sizeof(first) - 1 + 3), RESP_PARSE_DONE);
    const struct resp_arg want[] = {ARG("GET"), ARG("key")};
    assert_args(&r, 2, want);
    free(buf);
    resp_request_free(&r);
}
END_TEST

START_TEST(test_bulk_expected_hint)
{
    static const char head[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\nab";
    const size_t body = 100000;
    const size_t start = sizeof(head) - 1 - 2;
    char *buf = malloc(start + body + 2);
    memcpy(buf, head, sizeof(head) - 1);
    memset(buf + start + 2, 'v', body - 2);
    struct resp_request r;
    resp_request_init(&r, TEST_BULK_MAX);
    r.authenticated = true;

    ck_assert_int_eq(resp_parse(&r, buf, 6), RESP_PARSE_MORE); /* inside "$3" */
    ck_assert_uint_eq(r.bulk_expected_bytes, 0);
    ck_assert_int_eq(resp_parse(&r, buf, 10), RESP_PARSE_MORE); /* inside "SET" */
    ck_assert_uint_eq(r.bulk_expected_bytes, 3);
    ck_assert_uint_eq(r.bulk_start, 8);
    ck_assert_int_eq(resp_parse(&r, buf, start - 1), RESP_PARSE_MORE); /* "$100000\r" */
    ck_assert_uint_eq(r.bulk_expected_bytes, 0);
    ck_assert_int_eq(resp_parse(&r, buf, start), RESP_PARSE_MORE);
    ck_assert_uint_eq(r.bulk_expected_bytes, body);
    ck_assert_uint_eq(r.bulk_start, start);
    ck_assert_int_eq(resp_parse(&r, buf, sizeof(head) - 1), RESP_PARSE_MORE);
    ck_assert_uint_eq(r.bulk_expected_bytes, body);
    ck_assert_uint_eq(r.bulk_start, start);
    ck_assert_int_eq(resp_parse(&r, buf, start + body), RESP_PARSE_MORE); /* CRLF missing */
    ck_assert_uint_eq(r.bulk_expected_bytes, body);
    ck_assert_int_eq(resp_parse(&r, buf, start + body + 1), RESP_PARSE_MORE);
    memcpy(buf + start + body, "\r\n", 2);
    ck_assert_int_eq(resp_parse(&r, buf, start + body + 2), RESP_PARSE_DONE);
    ck_assert_uint_eq(r.bulk_expected_bytes, 0);
    ck_assert_int_eq(r.argc, 3);
    ck_assert_uint_eq(r.argv[2].len, body);
    ck_assert_ptr_eq(r.argv[2].ptr, buf + start);
    ck_assert_uint_eq(r.consumed, start + body + 2);
    free(buf);
    resp_request_free(&r);
}
END_TEST

/* Many arguments, fed byte by byte: argv and the offsets grow while the
 * command is half read. */
START_TEST(test_many_args_byte_by_byte)
{
    const int argc = 3000;
    struct bytes input = {0}, want = {0};
    struct resp_arg *args = calloc((size_t)argc, sizeof(*args));
    char(*words)[16] = calloc((size_t)argc, sizeof(*words));
    bytes_printf(&input, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        int n = snprintf(words[i], sizeof(words[i]), "w%d", i * 7);
        bytes_printf(&input, "$%d\r\n%s\r\n", n, words[i]);
        args[i].ptr = words[i];
        args[i].len = (size_t)n;
    }
    transcript_command(&want, argc, args);
    size_t *cuts = malloc(input.len * sizeof(*cuts));
    for (size_t i = 0; i < input.len; i++)
        cuts[i] = i + 1;
    struct bytes got = {0};
    drive(input.p, input.len, cuts, input.len, &drive_default, &got);
    bytes_assert_eq(&got, &want, "many args byte by byte");
    free(cuts);
    free(args);
    free(words);
    bytes_free(&got);
    bytes_free(&input);
    bytes_free(&want);
}
END_TEST

START_TEST(test_reset_releases_large_argv)
{
    const int argc = 2000;
    struct bytes input = {0};
    bytes_printf(&input, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++)
        bytes_printf(&input, "$1\r\nx\r\n");
    struct resp_request r;
    resp_request_init(&r, TEST_BULK_MAX);
    r.authenticated = true;
    ck_assert_int_eq(resp_parse(&r, input.p, input.len), RESP_PARSE_DONE);
    ck_assert_int_eq(r.argc, argc);
    ck_assert_uint_ge(r.argv_cap, (size_t)argc);
    resp_request_reset(&r);
    ck_assert_uint_le(r.argv_cap, 1024);
    ck_assert_uint_le(r.arg_offsets_cap, 1024);
    ck_assert_int_eq(resp_parse(&r, "*1\r\n$1\r\ny\r\n", 11), RESP_PARSE_DONE);
    const struct resp_arg want[] = {ARG("y")};
    assert_args(&r, 1, want);
    resp_request_free(&r);
    bytes_free(&input);
}
END_TEST

/* ---- Request parser: errors and limits ---- */

struct error_case {
    const char *input;
    size_t len; /* 0: strlen(input) */
    bool authenticated;
    const char *error; /* NULL: the parser must ask for more */
};

static void assert_error_cases(const struct error_case *cases, size_t count, long long bulk_max)
{
    for (size_t i = 0; i < count; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].input);
        const char *got = error_of(cases[i].input, len, cases[i].authenticated, bulk_max);
        if (cases[i].error == NULL)
            ck_assert_msg(got == NULL, "case %zu: want MORE, got error \"%s\"", i, got);
        else
            ck_assert_msg(got != NULL && strcmp(got, cases[i].error) == 0,
                          "case %zu: want \"%s\", got \"%s\"", i, cases[i].error,
                          got ? got : "(MORE)");
    }
}

#define INVALID_MBULK "Protocol error: invalid multibulk length"
#define INVALID_BULK "Protocol error: invalid bulk length"
#define UNAUTH_MBULK "Protocol error: unauthenticated multibulk length"
#define UNAUTH_BULK "Protocol error: unauthenticated bulk length"
#define UNBALANCED "Protocol error: unbalanced quotes in request"

START_TEST(test_malformed_numbers)
{
    static const struct error_case cases[] = {
        {"*\r\n", 0, true, INVALID_MBULK},
        {"*abc\r\n", 0, true, INVALID_MBULK},
        {"*+5\r\n", 0, true, INVALID_MBULK},
        {"*05\r\n", 0, true, INVALID_MBULK},
        {"*-0\r\n", 0, true, INVALID_MBULK},
        {"*-\r\n", 0, true, INVALID_MBULK},
        {"* 5\r\n", 0, true, INVALID_MBULK},
        {"*5 \r\n", 0, true, INVALID_MBULK},
        {"*5\n\r\n", 0, true, INVALID_MBULK},
        {"*1e3\r\n", 0, true, INVALID_MBULK},
        {"*99999999999999999999\r\n", 0, true, INVALID_MBULK},  /* overflows 64 bits */
        {"*9223372036854775808\r\n", 0, true, INVALID_MBULK},   /* LLONG_MAX + 1 */
        {"*-9223372036854775809\r\n", 0, true, INVALID_MBULK},  /* LLONG_MIN - 1 */
        {"*000000000000000000001\r\n", 0, true, INVALID_MBULK}, /* too long to be a number */
        {"*1\r\n$\r\n", 0, true, INVALID_BULK},
        {"*1\r\n$-1\r\n", 0, true, INVALID_BULK},
        {"*1\r\n$+5\r\n", 0, true, INVALID_BULK},
        {"*1\r\n$05\r\n", 0, true, INVALID_BULK},
        {"*1\r\n$ 5\r\n", 0, true, INVALID_BULK},
        {"*1\r\n$5x\r\n", 0, true, INVALID_BULK},
        {"*1\r\n$abc\r\n", 0, true, INVALID_BULK},
        {"*1\r\n$18446744073709551616\r\n", 0, true, INVALID_BULK},
        {"*1\r\n$9223372036854775807\r\n", 0, true, INVALID_BULK}, /* past proto-max-bulk-len */
        {"*1\r\n$536870913\r\n", 0, true, INVALID_BULK},
        {"*1\r\n$536870912\r\n", 0, true, NULL}, /* exactly the limit */
        {"*1\r\n$-9223372036854775808\r\n", 0, true, INVALID_BULK},
    };
    assert_error_cases(cases, sizeof(cases) / sizeof(cases[0]), TEST_BULK_MAX);
}
END_TEST

START_TEST(test_expected_dollar)
{
    static const struct error_case cases[] = {
        {"*1\r\nX3\r\n", 0, true, "Protocol error: expected '$', got 'X'"},
        {"*2\r\n$3\r\nGET\r\n:1\r\n", 0, true, "Protocol error: expected '$', got ':'"},
        {"*1\r\n*1\r\n", 0, true, "Protocol error: expected '$', got '*'"},
        {"*1\r\n\xff\r\n", 0, true, "Protocol error: expected '$', got '\xff'"},
        /* Redis turns CR and LF in error messages into spaces. */
        {"*1\r\n\r\n", 0, true, "Protocol error: expected '$', got ' '"},
        {"*1\r\n\n\r\n", 0, true, "Protocol error: expected '$', got ' '"},
        /* The first byte is only judged once its whole line is here. */
        {"*1\r\nX", 0, true, NULL},
        {"*1\r\nX3\r", 0, true, NULL},
        {"*3\r\n$3\r\nSET\r\n$1\r\nk\r\nv", 0, false, NULL},
    };
    assert_error_cases(cases, sizeof(cases) / sizeof(cases[0]), TEST_BULK_MAX);
}
END_TEST

START_TEST(test_unauthenticated_limits)
{
    static const struct error_case cases[] = {
        {"*11\r\n", 0, false, UNAUTH_MBULK},
        {"*10\r\n", 0, false, NULL},
        {"*11\r\n", 0, true, NULL},
        {"*1\r\n$16385\r\n", 0, false, UNAUTH_BULK},
        {"*1\r\n$16384\r\n", 0, false, NULL},
        {"*1\r\n$16385\r\n", 0, true, NULL},
        /* Invalid beats unauthenticated, as in Redis. */
        {"*1048577\r\n", 0, false, INVALID_MBULK},
        {"*x\r\n", 0, false, INVALID_MBULK},
        {"*1\r\n$-1\r\n", 0, false, INVALID_BULK},
        {"*1\r\n$600000000\r\n", 0, false, INVALID_BULK},
        {"*1\r\nX\r\n", 0, false, "Protocol error: expected '$', got 'X'"},
    };
    assert_error_cases(cases, sizeof(cases) / sizeof(cases[0]), TEST_BULK_MAX);

    /* Inline commands have no unauthenticated limit in Redis. */
    static const char many[] = "a b c d e f g h i j k l m n o p\r\n";
    struct resp_request r;
    resp_request_init(&r, TEST_BULK_MAX);
    ck_assert(!r.authenticated); /* the default */
    ck_assert_int_eq(resp_parse(&r, many, sizeof(many) - 1), RESP_PARSE_DONE);
    ck_assert_int_eq(r.argc, 16);
    resp_request_free(&r);
}
END_TEST

START_TEST(test_bulk_limit_setting)
{
    static const struct error_case cases[] = {
        {"*1\r\n$10\r\n", 0, true, NULL},
        {"*1\r\n$11\r\n", 0, true, INVALID_BULK},
        {"*1\r\n$0\r\n", 0, true, NULL},
    };
    assert_error_cases(cases, sizeof(cases) / sizeof(cases[0]), 10);
    static const struct error_case zero[] = {
        {"*1\r\n$0\r\n", 0, true, NULL},
        {"*1\r\n$1\r\n", 0, true, INVALID_BULK},
    };
    assert_error_cases(zero, sizeof(zero) / sizeof(zero[0]), 0);
}
END_TEST

START_TEST(test_argument_count_limit)
{
    static const struct error_case cases[] = {
        {"*1048577\r\n", 0, true, INVALID_MBULK},
        {"*1048576\r\n", 0, true, NULL},
        {"*2147483648\r\n", 0, true, INVALID_MBULK},
    };
    assert_error_cases(cases, sizeof(cases) / sizeof(cases[0]), TEST_BULK_MAX);
}
END_TEST

/* Builds prefix + fill_len copies of fill + suffix in a fresh buffer. */
static char *make_long(const char *prefix, char fill, size_t fill_len, const char *suffix,
                       size_t *len)
{
    size_t a = strlen(prefix), c = strlen(suffix);
    char *buf = malloc(a + fill_len + c + 1);
    memcpy(buf, prefix, a);
    memset(buf + a, fill, fill_len);
    memcpy(buf + a + fill_len, suffix, c);
    *len = a + fill_len + c;
    return buf;
}

static const char *error_of_long(const char *prefix, char fill, size_t fill_len, const char *suffix)
{
    size_t len;
    char *buf = make_long(prefix, fill, fill_len, suffix, &len);
    const char *error = error_of(buf, len, true, TEST_BULK_MAX);
    free(buf);
    return error;
}

START_TEST(test_oversized_lines)
{
    const size_t max = RESP_INLINE_BYTES_MAX;
    ck_assert_ptr_null(error_of_long("", 'a', max, ""));
    ck_assert_str_eq(error_of_long("", 'a', max + 1, ""), "Protocol error: too big inline request");
    ck_assert_ptr_null(error_of_long("*", '1', max - 1, ""));
    ck_assert_str_eq(error_of_long("*", '1', max, ""),
                     "Protocol error: too big mbulk count string");
    ck_assert_ptr_null(error_of_long("*1\r\n$", '1', max - 1, ""));
    ck_assert_str_eq(error_of_long("*1\r\n$", '1', max, ""),
                     "Protocol error: too big bulk count string");
    /* Measured from the header's start: earlier arguments do not count. */
    ck_assert_ptr_null(error_of_long("*2\r\n$3\r\nGET\r\n$", '1', max - 1, ""));
    /* Redis reports the bulk header error even when the line is not a '$'. */
    ck_assert_str_eq(error_of_long("*1\r\n", 'x', max + 1, ""),
                     "Protocol error: too big bulk count string");
    /* A '\r' anywhere makes it a line, and a long line is not a number. */
    ck_assert_str_eq(error_of_long("*", '1', max * 2, "\r\n"), INVALID_MBULK);
    ck_assert_str_eq(error_of_long("*1\r\n$", '1', max * 2, "\r\n"), INVALID_BULK);
}
END_TEST

/* As in Redis, the inline limit applies to bytes waiting without a newline:
 * a longer line whose newline is already buffered is accepted. */
START_TEST(test_long_inline_with_newline)
{
    size_t len;
    char *buf = make_long("SET k ", 'v', RESP_INLINE_BYTES_MAX + 100, "\r\n", &len);
    struct resp_request r;
    resp_request_init(&r, TEST_BULK_MAX);
    ck_assert_int_eq(resp_parse(&r, buf, len), RESP_PARSE_DONE);
    ck_assert_int_eq(r.argc, 3);
    ck_assert_uint_eq(r.argv[2].len, RESP_INLINE_BYTES_MAX + 100);
    ck_assert_uint_eq(r.consumed, len);
    /* The scratch that held the long line is given back on reset. */
    ck_assert_uint_gt(r.scratch_cap, RESP_INLINE_BYTES_MAX);
    resp_request_reset(&r);
    ck_assert_uint_le(r.scratch_cap, RESP_INLINE_BYTES_MAX);
    ck_assert_int_eq(resp_parse(&r, "a b\n", 4), RESP_PARSE_DONE);
    ck_assert_int_eq(r.argc, 2);
    resp_request_free(&r);
    free(buf);
}
END_TEST

/* Redis finds line ends with strchr on a NUL-terminated buffer, so a NUL
 * before the end hides it; the command waits until it is too big. */
START_TEST(test_nul_hides_line_end)
{
    static const struct error_case cases[] = {
        {"*1\0\r\n", 5, true, NULL},
        {"*1\r\n$3\0\r\nfoo\r\n", 14, true, NULL},
        {"*1\r\n\0\r\n", 7, true, NULL},
        {"GET a\0b\r\n", 9, true, NULL},
        {"\0\n", 2, true, NULL},
    };
    assert_error_cases(cases, sizeof(cases) / sizeof(cases[0]), TEST_BULK_MAX);
    ck_assert_str_eq(error_of_long("", '\0', RESP_INLINE_BYTES_MAX, "\n"),
                     "Protocol error: too big inline request");

    /* Blocked across calls too, including after the buffer moves. */
    static const char input[] = "*1\r\n$3\0\r\nfoo\r\n";
    const size_t cuts[] = {6, 8, 10};
    struct bytes got = {0};
    drive(input, sizeof(input) - 1, cuts, 3, &drive_default, &got);
    ck_assert_str_eq(got.p, "M14;");
    bytes_free(&got);
}
END_TEST

START_TEST(test_inline_unbalanced)
{
    static const struct error_case cases[] = {
        {"SET \"a\r\n", 0, true, UNBALANCED},
        {"SET 'a\r\n", 0, true, UNBALANCED},
        {"SET \"a\"b\r\n", 0, true, UNBALANCED},
        {"SET 'a'b\n", 0, true, UNBALANCED},
        {"SET \"a\\\"\n", 0, true, UNBALANCED},
        {"SET \"a\\\n", 0, true, UNBALANCED},
        {"SET \"a\"\"b\"\n", 0, true, UNBALANCED},
        {"SET \"a", 0, true, NULL}, /* no newline yet */
    };
    assert_error_cases(cases, sizeof(cases) / sizeof(cases[0]), TEST_BULK_MAX);
}
END_TEST

/* ---- resp_split_args ---- */

struct split_case {
    const char *line;
    size_t len; /* 0: strlen(line) */
    int count;  /* -1: unbalanced */
    struct resp_arg args[4];
};

START_TEST(test_split_args_cases)
{
    static const struct split_case cases[] = {
        {"set \"a b\" c", 0, 3, {ARG("set"), ARG("a b"), ARG("c")}},
        {"\"\\x41\\x4a\\x4A\\n\\t\\r\\b\\a\\\\\\\"z\"", 0, 1, {ARG("AJJ\n\t\r\b\a\\\"z")}},
        {"\"\\xZZ\\q\\x4\"", 0, 1, {ARG("xZZqx4")}},
        {"\"\\x00\"", 0, 1, {ARG("\0")}},
        {"'it\\'s'", 0, 1, {ARG("it's")}},
        {"'a\\nb\\c'", 0, 1, {ARG("a\\nb\\c")}},
        {"'say \"hi\"'", 0, 1, {ARG("say \"hi\"")}},
        {"\"\" '' x", 0, 3, {ARG(""), ARG(""), ARG("x")}},
        {"foo\"bar baz\" q", 0, 2, {ARG("foobar baz"), ARG("q")}},
        {"a'b c'd", 0, -1, {{0}}},
        {"\"a\"\tb", 0, 2, {ARG("a"), ARG("b")}},
        {"\"a\"\v", 0, 1, {ARG("a")}},
        {"\va\vb\f", 0, 1, {ARG("a\vb\f")}},
        {"a\rb\nc", 0, 3, {ARG("a"), ARG("b"), ARG("c")}},
        {"", 0, 0, {{0}}},
        {" \t\r\n\v\f", 0, 0, {{0}}},
        {"a b\0c d", 7, 2, {ARG("a"), ARG("b")}}, /* a NUL ends the line */
        {"\"a\0b\"", 5, -1, {{0}}},
        {"\"ab", 0, -1, {{0}}},
        {"'ab", 0, -1, {{0}}},
        {"\"a\"b", 0, -1, {{0}}},
        {"'a'b", 0, -1, {{0}}},
        {"\"ab\\", 0, -1, {{0}}},
        {"'ab\\'", 0, -1, {{0}}},
        {"x \"", 0, -1, {{0}}},
    };
    char *scratch = NULL;
    size_t scratch_cap = 0, out_cap = 0;
    struct resp_arg *out = NULL;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct split_case *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->line);
        int count = args_split(c->line, len, &scratch, &scratch_cap, &out, &out_cap);
        ck_assert_msg(count == c->count, "case %zu: count %d, want %d", i, count, c->count);
        for (int j = 0; j < count; j++) {
            ck_assert_uint_eq(out[j].len, c->args[j].len);
            ck_assert_mem_eq(out[j].ptr, c->args[j].ptr, c->args[j].len);
            ck_assert_int_eq(out[j].ptr[out[j].len], '\0');
        }
    }
    free(scratch);
    free(out);
}
END_TEST

/* Arguments are C strings in one scratch block that is reused. */
START_TEST(test_split_args_scratch_reuse)
{
    char *scratch = NULL;
    size_t scratch_cap = 0, out_cap = 0;
    struct resp_arg *out = NULL;
    static const char line[] = "bind 127.0.0.1 \"::1\"";
    ck_assert_int_eq(args_split(line, sizeof(line) - 1, &scratch, &scratch_cap, &out, &out_cap),
                     3);
    ck_assert_str_eq(out[0].ptr, "bind");
    ck_assert_str_eq(out[1].ptr, "127.0.0.1");
    ck_assert_str_eq(out[2].ptr, "::1");
    char *first = scratch;
    ck_assert_int_eq(args_split("port 7", 6, &scratch, &scratch_cap, &out, &out_cap), 2);
    ck_assert_ptr_eq(scratch, first);
    ck_assert_str_eq(out[0].ptr, "port");
    ck_assert_str_eq(out[1].ptr, "7");

    /* Many arguments grow out. */
    struct bytes many = {0};
    for (int i = 0; i < 100; i++)
        bytes_printf(&many, "a%d ", i);
    ck_assert_int_eq(args_split(many.p, many.len, &scratch, &scratch_cap, &out, &out_cap), 100);
    ck_assert_uint_ge(out_cap, 100);
    ck_assert_str_eq(out[99].ptr, "a99");
    bytes_free(&many);
    free(scratch);
    free(out);
}
END_TEST

/* ---- Request parser: random streams ---- */

/* This test's random stream. Each test seeds it with test_rng_init
 * before drawing (check forks per test, so no test sees another's draws). */
static struct test_rng rng;

/* Random bytes, heavy on the ones that mean something to RESP. */
static void random_binary(char *out, size_t len)
{
    static const char special[] = "\r\n\0$*\"' ";
    for (size_t i = 0; i < len; i++)
        out[i] = test_rng_below(&rng, 3) == 0
                     ? special[test_rng_below(&rng, sizeof(special) - 1)]
                     : (char)test_rng_next(&rng);
}

static void random_multibulk(struct bytes *input, struct bytes *want)
{
    int argc = (int)(test_rng_below(&rng, 8) == 0 ? test_rng_below(&rng, 40)
                                                  : 1 + test_rng_below(&rng, 6));
    struct resp_arg args[40];
    char data[40][300];
    bytes_printf(input, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        size_t len = test_rng_below(&rng, 10) == 0 ? test_rng_below(&rng, 300)
                                                   : test_rng_below(&rng, 20);
        random_binary(data[i], len);
        args[i].ptr = data[i];
        args[i].len = len;
        bytes_printf(input, "$%zu\r\n", len);
        bytes_append(input, data[i], len);
        bytes_append(input, "\r\n", 2);
    }
    transcript_command(want, argc, args);
}

static void random_inline(struct bytes *input, struct bytes *want)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:";
    static const char *const gaps[] = {" ", "  ", "\t", " \t "};
    int argc = 1 + (int)test_rng_below(&rng, 5);
    struct resp_arg args[5];
    char words[5][12];
    for (int i = 0; i < argc; i++) {
        size_t len = 1 + test_rng_below(&rng, sizeof(words[i]) - 1);
        for (size_t j = 0; j < len; j++)
            words[i][j] = alphabet[test_rng_below(&rng, sizeof(alphabet) - 1)];
        args[i].ptr = words[i];
        args[i].len = len;
        if (i > 0)
            bytes_printf(input, "%s", gaps[test_rng_below(&rng, 4)]);
        bytes_append(input, words[i], len);
    }
    bytes_printf(input, test_rng_below(&rng, 2) ? "\r\n" : "\n");
    transcript_command(want, argc, args);
}

static void random_empty(struct bytes *input, struct bytes *want)
{
    static const char *const empties[] = {"\r\n", "\n", " \t\r\n", "*0\r\n", "*-1\r\n", "*-7\r\n"};
    bytes_printf(input, "%s", empties[test_rng_below(&rng, 6)]);
    transcript_command(want, 0, NULL);
}

/* Bad endings and the error each must give. */
static const struct {
    const char *input;
    const char *error;
} random_bad_tails[] = {
    {"*1\r\n$x\r\n", INVALID_BULK},
    {"*1\r\n:1\r\n", "Protocol error: expected '$', got ':'"},
    {"*x\r\n", INVALID_MBULK},
    {"set \"a\r\n", UNBALANCED},
    {"*2000000\r\n", INVALID_MBULK},
};

/* Appends random commands, sometimes followed by a bad or unfinished one. */
static void random_stream(struct bytes *input, struct bytes *want)
{
    size_t commands = 1 + test_rng_below(&rng, TEST_RANDOM_COMMANDS_MAX);
    for (size_t i = 0; i < commands; i++) {
        size_t kind = test_rng_below(&rng, 10);
        if (kind < 6)
            random_multibulk(input, want);
        else if (kind < 9)
            random_inline(input, want);
        else
            random_empty(input, want);
    }
    size_t tail = test_rng_below(&rng, 8);
    if (tail < 5) {
        bytes_printf(input, "%s", random_bad_tails[tail].input);
        transcript_error(want, random_bad_tails[tail].error);
    } else if (tail == 5) {
        bytes_printf(input, "*2\r\n$3\r\nGET\r\n$5\r\nab");
        transcript_waiting(want, 19);
    }
}

START_TEST(test_random_streams_random_splits)
{
    test_rng_init(&rng, TEST_RANDOM_SEED);
    for (int round = 0; round < TEST_RANDOM_ROUNDS; round++) {
        struct bytes input = {0}, want = {0}, got = {0};
        random_stream(&input, &want);
        drive_whole(input.p, input.len, &drive_default, &got);
        bytes_assert_eq(&got, &want, "random stream, whole");
        for (int trial = 0; trial < 20; trial++) {
            size_t cuts[512], count = 0, at = 0;
            size_t step_max = 1 + test_rng_below(&rng, trial < 10 ? 8 : 200);
            while (count < 512 && at < input.len) {
                at += 1 + test_rng_below(&rng, step_max);
                if (at > input.len)
                    at = input.len;
                cuts[count++] = at;
            }
            got.len = 0;
            drive(input.p, input.len, cuts, count, &drive_default, &got);
            bytes_assert_eq(&got, &want, "random stream, random splits");
        }
        bytes_free(&input);
        bytes_free(&want);
        bytes_free(&got);
    }
}
END_TEST

/* ---- Misuse trips asserts ---- */

START_TEST(test_parse_after_done_without_reset_aborts)
{
    struct resp_request r;
    resp_request_init(&r, TEST_BULK_MAX);
    ck_assert_int_eq(resp_parse(&r, "PING\r\n", 6), RESP_PARSE_DONE);
    resp_parse(&r, "PING\r\n", 6);
}
END_TEST

START_TEST(test_parse_after_bad_without_reset_aborts)
{
    struct resp_request r;
    resp_request_init(&r, TEST_BULK_MAX);
    ck_assert_int_eq(resp_parse(&r, "*x\r\n", 4), RESP_PARSE_BAD);
    resp_parse(&r, "*x\r\n", 4);
}
END_TEST

START_TEST(test_parse_shrunk_buffer_aborts)
{
    static const char input[] = "*2\r\n$3\r\nGET\r\n";
    struct resp_request r;
    resp_request_init(&r, TEST_BULK_MAX);
    r.authenticated = true;
    ck_assert_int_eq(resp_parse(&r, input, sizeof(input) - 1), RESP_PARSE_MORE);
    resp_parse(&r, input, 5);
}
END_TEST

START_TEST(test_init_negative_limit_aborts)
{
    struct resp_request r;
    resp_request_init(&r, -1);
}
END_TEST

/* ---- Reply reader ---- */

/* Writes a reply tree as text, to compare whole trees at once. Recursion is
 * fine here: trees come from the reader, which caps their depth. */
static void reply_show(const struct resp_value *v, struct bytes *out)
{
    bytes_printf(out, "(%d", (int)v->type);
    if (v->str != NULL) {
        bytes_printf(out, " %zu:", v->len);
        bytes_append(out, v->str, v->len);
    }
    if (v->type == RESP_INTEGER || v->type == RESP_BOOL)
        bytes_printf(out, " %lld", v->integer);
    for (size_t i = 0; i < v->count; i++) {
        bytes_append(out, " ", 1);
        reply_show(v->elements[i], out);
    }
    bytes_append(out, ")", 1);
}

/* Reads input whole, checks every proper prefix is incomplete, and returns
 * the tree as text in a static buffer. */
static const char *reply_read_text(const char *input, size_t len)
{
    static char text[1024];
    struct resp_value *v = (struct resp_value *)1;
    size_t used;
    for (size_t prefix = 0; prefix < len; prefix++) {
        REQUIRE(resp_read_reply(input, prefix, &v, &used) == RESP_SCAN_INCOMPLETE);
        REQUIRE(v == NULL);
    }
    ck_assert_int_eq(resp_read_reply(input, len, &v, &used), RESP_SCAN_OK);
    ck_assert_uint_eq(used, len);
    ck_assert_ptr_nonnull(v);
    struct bytes shown = {0};
    reply_show(v, &shown);
    resp_value_free(v);
    ck_assert_uint_lt(shown.len, sizeof(text));
    memcpy(text, shown.p, shown.len + 1);
    bytes_free(&shown);
    return text;
}

#define REPLY_TEXT(literal) reply_read_text((literal), sizeof(literal) - 1)

START_TEST(test_reply_scalars)
{
    ck_assert_str_eq(REPLY_TEXT("+OK\r\n"), "(1 2:OK)");
    ck_assert_str_eq(REPLY_TEXT("+\r\n"), "(1 0:)");
    ck_assert_str_eq(REPLY_TEXT("+a\rb\r\n"), "(1 3:a\rb)");
    ck_assert_str_eq(REPLY_TEXT("-ERR bad thing\r\n"), "(2 13:ERR bad thing)");
    ck_assert_str_eq(REPLY_TEXT(":-42\r\n"), "(3 -42)");
    ck_assert_str_eq(REPLY_TEXT(":9223372036854775807\r\n"), "(3 9223372036854775807)");
    ck_assert_str_eq(REPLY_TEXT(":-9223372036854775808\r\n"), "(3 -9223372036854775808)");
    ck_assert_str_eq(REPLY_TEXT("$3\r\nfoo\r\n"), "(4 3:foo)");
    ck_assert_str_eq(REPLY_TEXT("$0\r\n\r\n"), "(4 0:)");
    ck_assert_str_eq(REPLY_TEXT("$4\r\n\r\n\r\n\r\n"), "(4 4:\r\n\r\n)");
    ck_assert_str_eq(REPLY_TEXT("$-1\r\n"), "(6)");
    ck_assert_str_eq(REPLY_TEXT("*-1\r\n"), "(6)");
    ck_assert_str_eq(REPLY_TEXT("_\r\n"), "(6)");
    ck_assert_str_eq(REPLY_TEXT(",3.14\r\n"), "(9 4:3.14)");
    ck_assert_str_eq(REPLY_TEXT(",-inf\r\n"), "(9 4:-inf)");
    ck_assert_str_eq(REPLY_TEXT(",inf\r\n"), "(9 3:inf)");
    ck_assert_str_eq(REPLY_TEXT(",nan\r\n"), "(9 3:nan)");
    ck_assert_str_eq(REPLY_TEXT(",1e-300\r\n"), "(9 6:1e-300)");
    ck_assert_str_eq(REPLY_TEXT("#t\r\n"), "(10 1)");
    ck_assert_str_eq(REPLY_TEXT("#f\r\n"), "(10 0)");
    ck_assert_str_eq(REPLY_TEXT("=15\r\ntxt:Some string\r\n"), "(11 15:txt:Some string)");
    ck_assert_str_eq(REPLY_TEXT("(3492890328409238509324850943850943825024385\r\n"),
                     "(12 43:3492890328409238509324850943850943825024385)");
    ck_assert_str_eq(REPLY_TEXT("(-1\r\n"), "(12 2:-1)");
    ck_assert_str_eq(REPLY_TEXT("!21\r\nSYNTAX invalid syntax\r\n"), "(2 21:SYNTAX invalid syntax)");
}
END_TEST

START_TEST(test_reply_binary_bulk)
{
    static const char input[] = "$5\r\nhe\0lo\r\n";
    struct resp_value *v;
    size_t used;
    ck_assert_int_eq(resp_read_reply(input, sizeof(input) - 1, &v, &used), RESP_SCAN_OK);
    ck_assert_uint_eq(used, 11);
    ck_assert_int_eq(v->type, RESP_BULK);
    ck_assert_uint_eq(v->len, 5);
    ck_assert_mem_eq(v->str, "he\0lo", 5);
    ck_assert_int_eq(v->str[5], '\0');
    ck_assert_uint_eq(v->count, 0);
    resp_value_free(v);
}
END_TEST

START_TEST(test_reply_aggregates)
{
    ck_assert_str_eq(REPLY_TEXT("*2\r\n$3\r\nfoo\r\n:1\r\n"), "(5 (4 3:foo) (3 1))");
    ck_assert_str_eq(REPLY_TEXT("*0\r\n"), "(5)");
    ck_assert_str_eq(REPLY_TEXT("%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n"), "(7 (1 1:a) (3 1) (1 1:b) (3 2))");
    ck_assert_str_eq(REPLY_TEXT("%0\r\n"), "(7)");
    ck_assert_str_eq(REPLY_TEXT("~3\r\n:1\r\n:2\r\n:3\r\n"), "(8 (3 1) (3 2) (3 3))");
    ck_assert_str_eq(REPLY_TEXT(">3\r\n+message\r\n+ch\r\n$2\r\nhi\r\n"),
                     "(13 (1 7:message) (1 2:ch) (4 2:hi))");
    ck_assert_str_eq(REPLY_TEXT("|1\r\n+ttl\r\n:3600\r\n"), "(14 (1 3:ttl) (3 3600))");
    ck_assert_str_eq(REPLY_TEXT("*3\r\n*2\r\n:1\r\n*0\r\n%1\r\n+k\r\n~1\r\n_\r\n$-1\r\n"),
                     "(5 (5 (3 1) (5)) (7 (1 1:k) (8 (6))) (6))");

    struct resp_value *v;
    size_t used;
    static const char map[] = "%1\r\n+k\r\n+v\r\n";
    ck_assert_int_eq(resp_read_reply(map, sizeof(map) - 1, &v, &used), RESP_SCAN_OK);
    ck_assert_uint_eq(used, sizeof(map) - 1);
    ck_assert_int_eq(v->type, RESP_MAP);
    ck_assert_uint_eq(v->count, 2); /* a map of n pairs has 2n elements */
    resp_value_free(v);
}
END_TEST

/* The reader takes one reply and reports how much it used. */
START_TEST(test_reply_back_to_back)
{
    static const char input[] = "+OK\r\n:1\r\n*1\r\n$1\r\nx\r\n|1\r\n+a\r\n+b\r\n#t\r\n";
    const size_t len = sizeof(input) - 1;
    const long long sizes[] = {5, 4, 11, 12, 4};
    const enum resp_type types[] = {RESP_STRING, RESP_INTEGER, RESP_ARRAY, RESP_ATTRIBUTE,
                                    RESP_BOOL};
    size_t at = 0;
    for (size_t i = 0; i < 5; i++) {
        struct resp_value *v;
        size_t used;
        ck_assert_int_eq(resp_read_reply(input + at, len - at, &v, &used), RESP_SCAN_OK);
        ck_assert_uint_eq(used, sizes[i]);
        ck_assert_int_eq(v->type, types[i]);
        resp_value_free(v);
        at += (size_t)sizes[i];
    }
    ck_assert_uint_eq(at, len);
}
END_TEST

START_TEST(test_reply_malformed)
{
    static const char *const inputs[] = {
        "?\r\n", "x", "\r\n", ":abc\r\n", ":+1\r\n", ":\r\n", ":1.5\r\n", "#x\r\n", "#tt\r\n",
        "#\r\n", "_x\r\n", "$3\r\nfooXY", "$3\r\nfoo\rX", "$-2\r\n", "$abc\r\n", "$+1\r\nx\r\n",
        "%-1\r\n", "~-1\r\n", ">-1\r\n", "|-1\r\n", "*-2\r\n", "=3\r\ntxt\r\n", "=5\r\ntxt;a\r\n",
        "=-1\r\n", "!-1\r\n", ",abc\r\n", ",\r\n", ",1.5x\r\n", "(12a\r\n", "(\r\n", "(-\r\n",
        "*1\r\n?x\r\n", "*2\r\n:1\r\n:x\r\n", "%1\r\n+k\r\n#q\r\n", "*2\r\n*1\r\n$1\r\nab\r\n:1\r\n",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        struct resp_value *v = (struct resp_value *)1;
        size_t used;
        ck_assert_msg(resp_read_reply(inputs[i], strlen(inputs[i]), &v, &used) ==
                          RESP_SCAN_MALFORMED,
                      "case %zu", i);
        ck_assert_ptr_null(v);
    }
    struct resp_value *v;
    size_t used;
    ck_assert_int_eq(resp_read_reply("\0\r\n", 3, &v, &used), RESP_SCAN_MALFORMED);
    ck_assert_int_eq(resp_read_reply("*1\r\n\0\r\n", 7, &v, &used), RESP_SCAN_MALFORMED);
}
END_TEST

START_TEST(test_reply_incomplete)
{
    static const char *const inputs[] = {
        "", "+OK", "+OK\r", ":1", "$3\r\nfo", "$3\r\nfoo", "$3\r\nfoo\r", "*2\r\n:1\r\n",
        "*1\r\n*1\r\n*1\r\n", "%1\r\n+k\r\n", "=15\r\ntxt:", "_\r",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        struct resp_value *v = (struct resp_value *)1;
        size_t used;
        ck_assert_msg(resp_read_reply(inputs[i], strlen(inputs[i]), &v, &used) ==
                          RESP_SCAN_INCOMPLETE,
                      "case %zu", i);
        ck_assert_ptr_null(v);
    }
}
END_TEST

/* Claimed sizes that cannot be complete yet are not allocated. */
START_TEST(test_reply_huge_claims)
{
    static const char *const inputs[] = {
        "*2147483647\r\n", "*9223372036854775807\r\n:1\r\n:2\r\n", "%4611686018427387904\r\n",
        "%9223372036854775807\r\n", "$9223372036854775807\r\nabc", "~1000000000\r\n_\r\n",
        "|4611686018427387903\r\n",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        struct resp_value *v = (struct resp_value *)1;
        size_t used;
        ck_assert_msg(resp_read_reply(inputs[i], strlen(inputs[i]), &v, &used) ==
                          RESP_SCAN_INCOMPLETE,
                      "case %zu", i);
        ck_assert_ptr_null(v);
    }
}
END_TEST

/* Builds depth nested one-element aggregates (alternating kinds), with a
 * leaf at the bottom if leaf is set. */
static void nested_reply(struct bytes *out, int depth, bool leaf)
{
    for (int i = 0; i < depth; i++) {
        switch (i % 4) {
        case 0: bytes_printf(out, "*1\r\n"); break;
        case 1: bytes_printf(out, "%%1\r\n+key\r\n"); break;
        case 2: bytes_printf(out, "~1\r\n"); break;
        default: bytes_printf(out, ">1\r\n"); break;
        }
    }
    if (leaf)
        bytes_printf(out, ":7\r\n");
}

START_TEST(test_reply_depth_limit)
{
    struct bytes input = {0};
    struct resp_value *v;
    size_t used;

    nested_reply(&input, RESP_REPLY_DEPTH_MAX, true);
    ck_assert_int_eq(resp_read_reply(input.p, input.len, &v, &used), RESP_SCAN_OK);
    ck_assert_uint_eq(used, input.len);
    const struct resp_value *walk = v;
    for (int i = 0; i < RESP_REPLY_DEPTH_MAX; i++)
        walk = walk->elements[walk->count - 1];
    ck_assert_int_eq(walk->type, RESP_INTEGER);
    ck_assert_int_eq(walk->integer, 7);
    resp_value_free(v);

    input.len = 0;
    nested_reply(&input, RESP_REPLY_DEPTH_MAX, false);
    ck_assert_int_eq(resp_read_reply(input.p, input.len, &v, &used), RESP_SCAN_INCOMPLETE);

    input.len = 0;
    nested_reply(&input, RESP_REPLY_DEPTH_MAX + 1, true);
    ck_assert_int_eq(resp_read_reply(input.p, input.len, &v, &used), RESP_SCAN_MALFORMED);
    ck_assert_ptr_null(v);

    /* Too deep is known before the rest arrives. */
    input.len = 0;
    nested_reply(&input, RESP_REPLY_DEPTH_MAX + 1, false);
    ck_assert_int_eq(resp_read_reply(input.p, input.len, &v, &used), RESP_SCAN_MALFORMED);

    input.len = 0;
    nested_reply(&input, 10000, true);
    ck_assert_int_eq(resp_read_reply(input.p, input.len, &v, &used), RESP_SCAN_MALFORMED);

    /* Empty aggregates do not open a level. */
    input.len = 0;
    nested_reply(&input, RESP_REPLY_DEPTH_MAX - 1, false);
    bytes_printf(&input, "*0\r\n");
    ck_assert_int_eq(resp_read_reply(input.p, input.len, &v, &used), RESP_SCAN_OK);
    ck_assert_uint_eq(used, input.len);
    resp_value_free(v);
    bytes_free(&input);
}
END_TEST

/* A wide, mixed tree read whole and from every prefix (within
 * reply_read_text), and freed without leaks. */
START_TEST(test_reply_wide_tree)
{
    struct bytes input = {0}, want = {0};
    bytes_printf(&input, "*50\r\n");
    bytes_printf(&want, "(5");
    for (int i = 0; i < 50; i++) {
        bytes_printf(&input, "%%2\r\n:%d\r\n$1\r\n%c\r\n+x\r\n_\r\n", i, 'a' + i % 26);
        bytes_printf(&want, " (7 (3 %d) (4 1:%c) (1 1:x) (6))", i, 'a' + i % 26);
    }
    bytes_printf(&want, ")");
    struct resp_value *v;
    size_t used;
    ck_assert_int_eq(resp_read_reply(input.p, input.len, &v, &used), RESP_SCAN_OK);
    ck_assert_uint_eq(used, input.len);
    struct bytes shown = {0};
    reply_show(v, &shown);
    bytes_assert_eq(&shown, &want, "wide tree");
    resp_value_free(v);
    for (size_t prefix = 0; prefix < input.len; prefix++)
        REQUIRE(resp_read_reply(input.p, prefix, &v, &used) == RESP_SCAN_INCOMPLETE);
    bytes_free(&shown);
    bytes_free(&input);
    bytes_free(&want);
}
END_TEST

/* resp_reply_scan is the same scanner without the tree: on every input, and
 * every prefix of it, it gives the reader's outcome and length. */
static void reply_scan_agrees(const char *input, size_t len)
{
    for (size_t prefix = 0; prefix <= len; prefix++) {
        struct resp_value *v;
        size_t used;
        struct resp_reply_head head = {.reply_bytes = 12345};
        enum resp_scan_result read = resp_read_reply(input, prefix, &v, &used);
        enum resp_scan_result scan = resp_reply_scan(input, prefix, &head);
        REQUIRE(scan == read);
        if (read != RESP_SCAN_OK) {
            REQUIRE(head.reply_bytes == 12345); /* untouched */
            continue;
        }
        REQUIRE(head.reply_bytes == used);
        REQUIRE(head.type == v->type);
        REQUIRE((head.str == NULL) == (v->str == NULL));
        REQUIRE(head.len == v->len);
        resp_value_free(v);
    }
}

START_TEST(test_reply_scan_agrees_with_reader)
{
    static const char *const inputs[] = {
        "+OK\r\n", "-ERR x\r\n", ":-42\r\n", "$3\r\nfoo\r\n", "$-1\r\n", "*-1\r\n", "_\r\n",
        ",3.14\r\n", "#t\r\n", "=15\r\ntxt:Some string\r\n", "(-1\r\n", "!3\r\nERR\r\n",
        "*2\r\n$3\r\nfoo\r\n:1\r\n", "%1\r\n+k\r\n+v\r\n", "|1\r\n+a\r\n+b\r\n#t\r\n",
        "*3\r\n*2\r\n:1\r\n*0\r\n%1\r\n+k\r\n~1\r\n_\r\n$-1\r\n", "?\r\n", ":+1\r\n",
        "$3\r\nfooXY", "*2\r\n:1\r\n:x\r\n", "*2147483647\r\n", "%9223372036854775807\r\n",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
        reply_scan_agrees(inputs[i], strlen(inputs[i]));
    struct bytes input = {0};
    nested_reply(&input, RESP_REPLY_DEPTH_MAX, true);
    reply_scan_agrees(input.p, input.len);
    input.len = 0;
    nested_reply(&input, RESP_REPLY_DEPTH_MAX + 1, true);
    reply_scan_agrees(input.p, input.len);
    bytes_free(&input);
}
END_TEST

/* The head describes the outermost item and borrows from the buffer. */
START_TEST(test_reply_scan_head)
{
    static const char bulk[] = "$5\r\nhe\0lo\r\n+next\r\n";
    struct resp_reply_head head;
    ck_assert_int_eq(resp_reply_scan(bulk, sizeof(bulk) - 1, &head), RESP_SCAN_OK);
    ck_assert_int_eq(head.type, RESP_BULK);
    ck_assert_ptr_eq(head.str, bulk + 4);
    ck_assert_uint_eq(head.len, 5);
    ck_assert_uint_eq(head.reply_bytes, 11);

    ck_assert_int_eq(resp_reply_scan(":-7\r\n", 5, &head), RESP_SCAN_OK);
    ck_assert_int_eq(head.type, RESP_INTEGER);
    ck_assert_int_eq(head.integer, -7);
    ck_assert_ptr_null(head.str);

    static const char array[] = "*2\r\n+a\r\n*1\r\n:1\r\n";
    ck_assert_int_eq(resp_reply_scan(array, sizeof(array) - 1, &head), RESP_SCAN_OK);
    ck_assert_int_eq(head.type, RESP_ARRAY);
    ck_assert_int_eq(head.integer, 2);
    ck_assert_uint_eq(head.reply_bytes, sizeof(array) - 1);

    ck_assert_int_eq(resp_reply_scan("%2\r\n", 4, &head), RESP_SCAN_INCOMPLETE);
    ck_assert_int_eq(resp_reply_scan("%1\r\n+k\r\n:1\r\n", 12, &head), RESP_SCAN_OK);
    ck_assert_int_eq(head.type, RESP_MAP);
    ck_assert_int_eq(head.integer, 1); /* pairs, as sent */

    /* An attribute is a reply of its own; the value it annotates follows. */
    static const char attribute[] = "|1\r\n+k\r\n:1\r\n+OK\r\n";
    ck_assert_int_eq(resp_reply_scan(attribute, sizeof(attribute) - 1, &head), RESP_SCAN_OK);
    ck_assert_int_eq(head.type, RESP_ATTRIBUTE);
    ck_assert_uint_eq(head.reply_bytes, 12);
}
END_TEST

START_TEST(test_reply_free_null)
{
    resp_value_free(NULL);
}
END_TEST

/* ---- Runner ---- */

static Suite *resp_suite(void)
{
    Suite *s = suite_create("resp");
    TCase *request = tcase_create("request");
    tcase_set_timeout(request, 120);
    tcase_add_test(request, test_multibulk_whole);
    tcase_add_test(request, test_multibulk_stops_at_command_end);
    tcase_add_test(request, test_inline_whole);
    tcase_add_test(request, test_empty_commands);
    tcase_add_test(request, test_empty_buffer_wants_more);
    tcase_add_test(request, test_binary_bulks);
    tcase_add_test(request, test_terminators_unchecked_like_redis);
    tcase_add_test(request, test_pipeline_whole);
    tcase_add_test(request, test_pipeline_every_split_and_byte_by_byte);
    tcase_add_test(request, test_every_three_way_split);
    tcase_add_test(request, test_errors_split_invariant);
    tcase_add_test(request, test_truncated_wants_more);
    tcase_add_test(request, test_accepted_bytes_not_rescanned);
    tcase_add_test(request, test_bulk_expected_hint);
    tcase_add_test(request, test_many_args_byte_by_byte);
    tcase_add_test(request, test_reset_releases_large_argv);
    tcase_add_test(request, test_random_streams_random_splits);
    suite_add_tcase(s, request);

    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, test_malformed_numbers);
    tcase_add_test(errors, test_expected_dollar);
    tcase_add_test(errors, test_unauthenticated_limits);
    tcase_add_test(errors, test_bulk_limit_setting);
    tcase_add_test(errors, test_argument_count_limit);
    tcase_add_test(errors, test_oversized_lines);
    tcase_add_test(errors, test_long_inline_with_newline);
    tcase_add_test(errors, test_nul_hides_line_end);
    tcase_add_test(errors, test_inline_unbalanced);
    suite_add_tcase(s, errors);

    TCase *split = tcase_create("split_args");
    tcase_add_test(split, test_split_args_cases);
    tcase_add_test(split, test_split_args_scratch_reuse);
    suite_add_tcase(s, split);

    TCase *misuse = tcase_create("misuse");
    tcase_add_test_raise_signal(misuse, test_parse_after_done_without_reset_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_parse_after_bad_without_reset_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_parse_shrunk_buffer_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_init_negative_limit_aborts, SIGABRT);
    suite_add_tcase(s, misuse);

    TCase *reply = tcase_create("reply");
    tcase_add_test(reply, test_reply_scalars);
    tcase_add_test(reply, test_reply_binary_bulk);
    tcase_add_test(reply, test_reply_aggregates);
    tcase_add_test(reply, test_reply_back_to_back);
    tcase_add_test(reply, test_reply_malformed);
    tcase_add_test(reply, test_reply_incomplete);
    tcase_add_test(reply, test_reply_huge_claims);
    tcase_add_test(reply, test_reply_depth_limit);
    tcase_add_test(reply, test_reply_wide_tree);
    tcase_add_test(reply, test_reply_scan_agrees_with_reader);
    tcase_add_test(reply, test_reply_scan_head);
    tcase_add_test(reply, test_reply_free_null);
    suite_add_tcase(s, reply);
    return s;
}

TEST_SUITE_MAIN(resp_suite)
