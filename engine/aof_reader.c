/* aof_reader.c: the AOF record parser.
 *
 * Owns the rules for reading the RESP multibulks and '#' annotation lines
 * an AOF holds, and for classifying how a file ends. Executing commands,
 * loading RDB bases and truncating files are left to the caller.
 *
 * The key invariant: r->valid_end <= r->pos <= r->len, and every byte
 * before valid_end belongs to complete records outside an open MULTI, so
 * truncating the file to valid_end always leaves a file Redis loads
 * cleanly. Nothing is allocated from a length read from the file: payloads
 * are borrowed spans checked against the bytes present, and the argv array
 * grows only as arguments actually arrive.
 *
 * Where Redis's loader is lax (it reads "*<n>" with atoi, skips the two
 * bytes after a payload unchecked and reads a final annotation line that
 * lacks its newline as complete) this reader is strict like
 * redis-check-aof: headers must be digits then CRLF and payloads must end
 * in CRLF. An annotation without its newline at the very end is reported as
 * a truncated tail, because bytes appended after it would be swallowed
 * into the comment. */
#include "engine/aof_reader.h"

#include "engine/alloc.h"

#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* First argv allocation; most commands have few arguments. */
#define AOF_READER_ARGV_INITIAL 8
/* "REDIS" opens every RDB file, and so every RDB base or preamble. */
#define AOF_READER_RDB_MAGIC "REDIS"
#define AOF_READER_RDB_MAGIC_BYTES 5

enum aof_step {
    AOF_STEP_OK,
    AOF_STEP_SHORT, /* the bytes end before the item does */
    AOF_STEP_BAD,   /* the item is malformed; the reason is already set */
};

void aof_reader_init(struct aof_reader *r, const void *buf, size_t len, size_t bulk_max)
{
    assert(buf != NULL || len == 0);
    assert(bulk_max <= SIZE_MAX / 4);
    memset(r, 0, sizeof(*r));
    r->buf = buf;
    r->len = len;
    r->bulk_max = bulk_max;
    r->lines = 1;
    r->final = AOF_READ_COMMAND;
}

void aof_reader_free(struct aof_reader *r)
{
    alloc_free(r->argv);
    r->argv = NULL;
    r->argv_cap = 0;
    r->argc = 0;
}

void aof_reader_skip_to(struct aof_reader *r, size_t offset)
{
    assert(offset <= r->len);
    assert(r->pos == 0);
    assert(r->final == AOF_READ_COMMAND || r->final == AOF_READ_RDB);
    r->pos = offset;
    r->valid_end = offset;
    r->final = AOF_READ_COMMAND; /* the RDB result is consumed: commands follow */
}

const char *aof_read_result_name(enum aof_read_result result)
{
    switch (result) {
    case AOF_READ_COMMAND: return "command";
    case AOF_READ_EOF: return "eof";
    case AOF_READ_TRUNCATED: return "truncated";
    case AOF_READ_CORRUPT: return "corrupt";
    case AOF_READ_RDB: return "rdb";
    }
    return "unknown";
}

__attribute__((format(printf, 4, 5)))
static enum aof_read_result aof_reader_finish(struct aof_reader *r, enum aof_read_result result,
                                              size_t offset, const char *fmt, ...)
{
    assert(result != AOF_READ_COMMAND);
    r->final = result;
    r->error_offset = offset;
    r->argc = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
    va_end(ap);
    return result;
}

/* Reads "<marker><digits>\r\n" at *at. On success stores the number, moves
 * *at past the CRLF and counts the line. */
static enum aof_step aof_reader_number(struct aof_reader *r, size_t *at, char marker,
                                       unsigned long long *value)
{
    const char *p = r->buf;
    size_t i = *at;
    if (i >= r->len)
        return AOF_STEP_SHORT;
    if (p[i] != marker) {
        snprintf(r->reason, sizeof(r->reason), "Expected prefix '%c', got: '%c'", marker, p[i]);
        return AOF_STEP_BAD;
    }
    i++;
    unsigned long long n = 0;
    size_t digits = 0;
    while (i < r->len && p[i] >= '0' && p[i] <= '9') {
        if (++digits > AOF_READER_NUMBER_DIGITS_MAX) {
            snprintf(r->reason, sizeof(r->reason), "Number after '%c' is too long", marker);
            return AOF_STEP_BAD;
        }
        n = n * 10 + (unsigned long long)(p[i] - '0');
        i++;
    }
    if (i + 2 > r->len) {
        /* Only a prefix of a well-formed line is present so far. */
        if (i == r->len || p[i] == '\r')
            return AOF_STEP_SHORT;
    }
    if (digits == 0 || p[i] != '\r' || p[i + 1] != '\n') {
        unsigned char a = (unsigned char)p[i], b = i + 1 < r->len ? (unsigned char)p[i + 1] : 0;
        snprintf(r->reason, sizeof(r->reason), "Expected \\r\\n, got: %02x%02x", a, b);
        return AOF_STEP_BAD;
    }
    *at = i + 2;
    *value = n;
    r->lines++;
    return AOF_STEP_OK;
}

static void aof_reader_store_arg(struct aof_reader *r, const char *ptr, size_t len)
{
    if (r->argc == r->argv_cap) {
        size_t cap = r->argv_cap ? r->argv_cap * 2 : AOF_READER_ARGV_INITIAL;
        assert(cap <= 2 * (size_t)AOF_READER_ARGC_MAX);
        r->argv = alloc_resize(r->argv, cap * sizeof(*r->argv));
        r->argv_cap = cap;
    }
    r->argv[r->argc].ptr = ptr;
    r->argv[r->argc].len = len;
    r->argc++;
}

/* Reads one "$<len>\r\n<bytes>\r\n" at *at into the next argv slot. */
static enum aof_step aof_reader_bulk(struct aof_reader *r, size_t *at, size_t *error_offset)
{
    unsigned long long len;
    *error_offset = *at;
    enum aof_step step = aof_reader_number(r, at, '$', &len);
    if (step != AOF_STEP_OK)
        return step;
    if (len > r->bulk_max) {
        snprintf(r->reason, sizeof(r->reason),
                 "Expected to read string of %llu bytes, which is not in the suitable range", len);
        return AOF_STEP_BAD;
    }
    size_t start = *at;
    *error_offset = start;
    size_t have = r->len - start;
    if (have < (size_t)len + 2) {
        snprintf(r->reason, sizeof(r->reason), "Expected to read %llu bytes, got %zu bytes",
                 len + 2, have);
        return AOF_STEP_SHORT;
    }
    const char *end = r->buf + start + len;
    if (end[0] != '\r' || end[1] != '\n') {
        /* Reported at the payload's start, like redis-check-aof. */
        snprintf(r->reason, sizeof(r->reason), "Expected \\r\\n, got: %02x%02x",
                 (unsigned char)end[0], (unsigned char)end[1]);
        return AOF_STEP_BAD;
    }
    aof_reader_store_arg(r, r->buf + start, (size_t)len);
    *at = start + len + 2;
    r->lines++;
    return AOF_STEP_OK;
}

/* Skips a '#' line at r->pos. Returns OK, SHORT (no newline before the end)
 * or BAD (no newline within the limit). */
static enum aof_step aof_reader_annotation(struct aof_reader *r)
{
    size_t avail = r->len - r->pos;
    size_t window = avail < AOF_READER_ANNOTATION_BYTES_MAX ? avail : AOF_READER_ANNOTATION_BYTES_MAX;
    const char *nl = memchr(r->buf + r->pos, '\n', window);
    if (nl == NULL) {
        if (avail < AOF_READER_ANNOTATION_BYTES_MAX)
            return AOF_STEP_SHORT;
        snprintf(r->reason, sizeof(r->reason), "Annotation line longer than %d bytes",
                 AOF_READER_ANNOTATION_BYTES_MAX);
        return AOF_STEP_BAD;
    }
    r->pos = (size_t)(nl - r->buf) + 1;
    return AOF_STEP_OK;
}

static bool aof_arg_is(const struct aof_arg *arg, const char *name)
{
    size_t n = strlen(name);
    return arg->len == n && strncasecmp(arg->ptr, name, n) == 0;
}

/* Updates the transaction state after a complete command and moves
 * valid_end when no transaction is open. */
static void aof_reader_track_multi(struct aof_reader *r)
{
    assert(r->argc >= 1);
    if (aof_arg_is(&r->argv[0], "multi")) {
        if (!r->in_multi)
            r->multi_offset = r->command_offset;
        r->in_multi = true;
    } else if (aof_arg_is(&r->argv[0], "exec") || aof_arg_is(&r->argv[0], "discard")) {
        r->in_multi = false;
    }
    if (!r->in_multi)
        r->valid_end = r->pos;
}

/* Turns a failed step into the final result. */
static enum aof_read_result aof_reader_step_failed(struct aof_reader *r, enum aof_step step,
                                                   size_t offset)
{
    assert(step != AOF_STEP_OK);
    if (step == AOF_STEP_BAD) {
        char reason[AOF_READER_REASON_BYTES_MAX];
        memcpy(reason, r->reason, sizeof(reason));
        return aof_reader_finish(r, AOF_READ_CORRUPT, offset, "%s", reason);
    }
    if (r->reason[0] == '\0')
        snprintf(r->reason, sizeof(r->reason), "Unexpected end of file");
    char reason[AOF_READER_REASON_BYTES_MAX];
    memcpy(reason, r->reason, sizeof(reason));
    return aof_reader_finish(r, AOF_READ_TRUNCATED, offset, "%s", reason);
}

static enum aof_read_result aof_reader_command(struct aof_reader *r)
{
    size_t at = r->pos;
    unsigned long long argc;
    r->command_offset = at;
    r->argc = 0;
    enum aof_step step = aof_reader_number(r, &at, '*', &argc);
    if (step != AOF_STEP_OK)
        return aof_reader_step_failed(r, step, r->pos);
    if (argc < 1 || argc > AOF_READER_ARGC_MAX) {
        return aof_reader_finish(r, AOF_READ_CORRUPT, r->pos,
                                 "Argument count %llu is not in the suitable range", argc);
    }
    for (unsigned long long i = 0; i < argc; i++) {
        size_t error_offset;
        step = aof_reader_bulk(r, &at, &error_offset);
        if (step != AOF_STEP_OK)
            return aof_reader_step_failed(r, step, error_offset);
    }
    assert(r->argc == argc);
    r->pos = at;
    aof_reader_track_multi(r);
    return AOF_READ_COMMAND;
}

enum aof_read_result aof_reader_next(struct aof_reader *r)
{
    if (r->final != AOF_READ_COMMAND)
        return r->final;
    assert(r->valid_end <= r->pos);
    assert(r->pos <= r->len);
    r->reason[0] = '\0';
    if (r->pos == 0 && r->len >= AOF_READER_RDB_MAGIC_BYTES &&
        memcmp(r->buf, AOF_READER_RDB_MAGIC, AOF_READER_RDB_MAGIC_BYTES) == 0) {
        return aof_reader_finish(r, AOF_READ_RDB, 0, "RDB preamble");
    }
    while (r->pos < r->len) {
        char first = r->buf[r->pos];
        if (first == '*')
            return aof_reader_command(r);
        if (first != '#') {
            r->command_offset = r->pos;
            r->bad_record_start = true;
            return aof_reader_finish(r, AOF_READ_CORRUPT, r->pos,
                                     "Expected prefix '*', got: '%c'", first);
        }
        size_t line_start = r->pos;
        enum aof_step step = aof_reader_annotation(r);
        if (step != AOF_STEP_OK)
            return aof_reader_step_failed(r, step, line_start);
        if (!r->in_multi)
            r->valid_end = r->pos;
    }
    if (r->in_multi) {
        return aof_reader_finish(r, AOF_READ_TRUNCATED, r->multi_offset,
                                 "Reached EOF before reading EXEC for MULTI");
    }
    return aof_reader_finish(r, AOF_READ_EOF, r->pos, "End of file");
}
