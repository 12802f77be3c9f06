/* aof_reader.c: the AOF record parser.
 *
 * Owns the rules for reading the RESP multibulks and '#' annotation lines
 * an AOF holds, ringkv's batches and padding among them (the rules are in
 * aof_reader.h, the frame's bytes in aof_batch.h), and for classifying how
 * a file ends. Executing commands, loading RDB bases and truncating files
 * are left to the caller.
 *
 * The key invariant: r->valid_end <= r->pos <= r->limit <= r->len, and
 * every byte before valid_end belongs to complete records outside an open
 * MULTI and to whole batches whose CRC matched, so truncating the file to
 * valid_end always leaves a file Redis loads cleanly and this reader reads
 * to the same commands. Nothing is allocated from a length read from the
 * file: payloads are borrowed spans checked against the bytes present, and
 * the argv array grows only as arguments actually arrive.
 *
 * Batches are checked whole (CRC over their bytes) before their first
 * record is returned. Records after padding are checked to their end (the
 * next header or EOF) before the first is returned, on a copy of the
 * reader, so every byte is parsed at most twice.
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
#include "engine/aof_batch.h"

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

/* The longest annotation line Redis skips whole, newline included. */
#define AOF_READER_LINE_BYTES_MAX (AOF_READER_ANNOTATION_BYTES_MAX - 1)
static_assert(AOF_READER_LINE_BYTES_MAX == AOF_BATCH_LINE_BYTES_MAX, "one rule for '#' lines");

enum aof_step {
    AOF_STEP_OK,
    AOF_STEP_SHORT, /* the bytes end before the item does */
    AOF_STEP_BAD,   /* the item is malformed; the reason is already set */
};

/* What a '#' line is. */
enum aof_line {
    AOF_LINE_HEADER,     /* starts with the batch header prefix (maybe malformed) */
    AOF_LINE_PADDING,    /* '#', spaces, '\n' */
    AOF_LINE_ANNOTATION, /* any other line Redis skips */
    AOF_LINE_SHORT,      /* no newline before the limit, which is near */
    AOF_LINE_LONG,       /* no newline within Redis's line buffer */
};

/* What one step of aof_reader_next did. */
enum aof_item {
    AOF_ITEM_COMMAND, /* a command is in argc/argv */
    AOF_ITEM_SKIPPED, /* a line or a batch header was consumed; go on */
    AOF_ITEM_FINAL,   /* r->final is set */
};

void aof_reader_init(struct aof_reader *r, const void *buf, size_t len, size_t bulk_max)
{
    assert(buf != NULL || len == 0);
    assert(bulk_max <= SIZE_MAX / 4);
    memset(r, 0, sizeof(*r));
    r->buf = buf;
    r->len = len;
    r->bulk_max = bulk_max;
    r->limit = len;
    r->lines = 1;
    r->zone = AOF_READER_PLAIN;
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
    r->valid_batch_seq = r->batch_seq;
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
    case AOF_READ_TORN: return "torn";
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
    if (i >= r->limit)
        return AOF_STEP_SHORT;
    if (p[i] != marker) {
        snprintf(r->reason, sizeof(r->reason), "Expected prefix '%c', got: '%c'", marker, p[i]);
        return AOF_STEP_BAD;
    }
    i++;
    unsigned long long n = 0;
    size_t digits = 0;
    while (i < r->limit && p[i] >= '0' && p[i] <= '9') {
        if (++digits > AOF_READER_NUMBER_DIGITS_MAX) {
            snprintf(r->reason, sizeof(r->reason), "Number after '%c' is too long", marker);
            return AOF_STEP_BAD;
        }
        n = n * 10 + (unsigned long long)(p[i] - '0');
        i++;
    }
    if (i + 2 > r->limit) {
        /* Only a prefix of a well-formed line is present so far. */
        if (i == r->limit || p[i] == '\r')
            return AOF_STEP_SHORT;
    }
    if (digits == 0 || p[i] != '\r' || p[i + 1] != '\n') {
        unsigned char a = (unsigned char)p[i], b = i + 1 < r->limit ? (unsigned char)p[i + 1] : 0;
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
    size_t have = r->limit - start;
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

/* Classifies the '#' line at r->pos; *line_end gets its end for PADDING and
 * ANNOTATION. Inside a batch, header lines are annotations like any other.
 * The file ending inside the header prefix ("#ringkv-b") is a header cut
 * off; a lone '#' stays a cut-off annotation, as for Redis's files. */
static enum aof_line aof_reader_line(const struct aof_reader *r, size_t *line_end)
{
    const char *at = r->buf + r->pos;
    size_t avail = r->limit - r->pos;
    assert(avail > 0 && at[0] == '#');
    if (r->zone != AOF_READER_BATCH) {
        if (aof_batch_is_header(at, avail))
            return AOF_LINE_HEADER;
        if (avail >= 2 && avail < AOF_BATCH_HEADER_PREFIX_BYTES &&
            memcmp(at, AOF_BATCH_HEADER_PREFIX, avail) == 0)
            return AOF_LINE_HEADER;
    }
    size_t window = avail < AOF_READER_LINE_BYTES_MAX ? avail : AOF_READER_LINE_BYTES_MAX;
    const char *nl = memchr(at, '\n', window);
    if (nl == NULL)
        return avail < AOF_READER_LINE_BYTES_MAX ? AOF_LINE_SHORT : AOF_LINE_LONG;
    size_t bytes = (size_t)(nl - at) + 1;
    *line_end = r->pos + bytes;
    return aof_batch_is_padding(at, bytes) ? AOF_LINE_PADDING : AOF_LINE_ANNOTATION;
}

/* Everything before r->pos is now part of the valid log. */
static void aof_reader_mark_valid(struct aof_reader *r)
{
    assert(!r->in_multi);
    assert(r->zone != AOF_READER_BATCH);
    r->valid_end = r->pos;
    r->valid_batch_seq = r->batch_seq;
}

static bool aof_arg_is(const struct aof_arg *arg, const char *name)
{
    size_t n = strlen(name);
    return arg->len == n && strncasecmp(arg->ptr, name, n) == 0;
}

/* Updates the transaction state after a complete command and moves
 * valid_end when no transaction is open (inside a batch, only its end
 * moves valid_end). */
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
    if (!r->in_multi && r->zone != AOF_READER_BATCH)
        aof_reader_mark_valid(r);
}

/* Turns a failed step into the final result. Inside a batch whose CRC
 * matched, bytes that end early are not a cut-off tail but a malformed
 * batch: corruption. */
static enum aof_read_result aof_reader_step_failed(struct aof_reader *r, enum aof_step step,
                                                   size_t offset)
{
    assert(step != AOF_STEP_OK);
    if (step == AOF_STEP_SHORT && r->reason[0] == '\0')
        snprintf(r->reason, sizeof(r->reason), "Unexpected end of file");
    char reason[AOF_READER_REASON_BYTES_MAX];
    memcpy(reason, r->reason, sizeof(reason));
    if (r->zone == AOF_READER_BATCH) {
        return aof_reader_finish(r, AOF_READ_CORRUPT, offset, "%s (inside batch seq %llu)",
                                 reason, (unsigned long long)r->batch_seq);
    }
    enum aof_read_result result = step == AOF_STEP_BAD ? AOF_READ_CORRUPT : AOF_READ_TRUNCATED;
    return aof_reader_finish(r, result, offset, "%s", reason);
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

static enum aof_item aof_reader_command_item(struct aof_reader *r)
{
    return aof_reader_command(r) == AOF_READ_COMMAND ? AOF_ITEM_COMMAND : AOF_ITEM_FINAL;
}

/* Skips a line that is not padding: valid_end follows it outside a
 * transaction. */
static enum aof_item aof_reader_skip_annotation(struct aof_reader *r, size_t line_end)
{
    r->pos = line_end;
    if (!r->in_multi && r->zone != AOF_READER_BATCH)
        aof_reader_mark_valid(r);
    return AOF_ITEM_SKIPPED;
}

/* ---- batches ---- */

/* A header line at r->pos: checks it and the bytes it covers, then moves
 * into the batch, or ends the log before it (valid_end stays where the
 * last good record or batch ended). */
static enum aof_item aof_reader_batch_start(struct aof_reader *r)
{
    size_t at = r->pos;
    struct aof_batch_header h;
    if (r->len - at < AOF_BATCH_HEADER_BYTES) {
        aof_reader_finish(r, AOF_READ_TORN, at, "Batch header at offset %zu is cut off by the "
                          "end of the file", at);
        return AOF_ITEM_FINAL;
    }
    if (!aof_batch_parse_header(r->buf + at, AOF_BATCH_HEADER_BYTES, &h)) {
        aof_reader_finish(r, AOF_READ_TORN, at, "Malformed batch header at offset %zu", at);
        return AOF_ITEM_FINAL;
    }
    unsigned long long seq = h.seq;
    if (h.seq != r->batch_seq + 1) {
        aof_reader_finish(r, AOF_READ_TORN, at, "Batch seq %llu at offset %zu does not follow "
                          "seq %llu", seq, at, (unsigned long long)r->batch_seq);
        return AOF_ITEM_FINAL;
    }
    size_t start = at + AOF_BATCH_HEADER_BYTES;
    if (h.len > r->len - start) {
        aof_reader_finish(r, AOF_READ_TORN, at, "Batch seq %llu at offset %zu runs past the "
                          "end of the file (%lu bytes, %zu left)", seq, at,
                          (unsigned long)h.len, r->len - start);
        return AOF_ITEM_FINAL;
    }
    uint32_t crc = aof_crc32c(0, r->buf + start, h.len);
    if (crc != h.crc) {
        aof_reader_finish(r, AOF_READ_TORN, at, "Batch seq %llu at offset %zu fails its "
                          "CRC-32C (%08lx stored, %08lx computed)", seq, at,
                          (unsigned long)h.crc, (unsigned long)crc);
        return AOF_ITEM_FINAL;
    }
    r->batch_seq = h.seq;
    r->batches++;
    r->zone = AOF_READER_BATCH;
    r->batch_end = start + h.len;
    r->limit = r->batch_end;
    r->pos = start;
    return AOF_ITEM_SKIPPED;
}

/* At the end of the batch being read. */
static void aof_reader_batch_done(struct aof_reader *r)
{
    assert(r->zone == AOF_READER_BATCH);
    assert(r->pos == r->batch_end);
    r->zone = AOF_READER_AFTER_BATCH;
    r->limit = r->len;
    r->batch_end = 0;
    if (!r->in_multi)
        aof_reader_mark_valid(r);
}

/* One item inside a batch: records and annotations only. */
static enum aof_item aof_reader_in_batch(struct aof_reader *r)
{
    char first = r->buf[r->pos];
    if (first == '*')
        return aof_reader_command_item(r);
    if (first == '#') {
        size_t line_end;
        enum aof_line line = aof_reader_line(r, &line_end);
        if (line == AOF_LINE_PADDING || line == AOF_LINE_ANNOTATION)
            return aof_reader_skip_annotation(r, line_end);
        aof_reader_finish(r, AOF_READ_CORRUPT, r->pos, "Annotation line does not end inside "
                          "batch seq %llu", (unsigned long long)r->batch_seq);
        return AOF_ITEM_FINAL;
    }
    r->command_offset = r->pos;
    aof_reader_finish(r, AOF_READ_CORRUPT, r->pos, "Expected prefix '*', got: '%c' (inside "
                      "batch seq %llu)", first, (unsigned long long)r->batch_seq);
    return AOF_ITEM_FINAL;
}

/* Whether the bytes at r->pos, after padding, are records Redis appended:
 * records and annotations (no padding) up to the end of the file, or up to
 * a header whose seq follows the last batch's. Checked on a copy of the
 * reader, so nothing of them is returned unless all of them pass. */
static bool aof_reader_tail_is_plain(const struct aof_reader *r)
{
    struct aof_reader scan = *r;
    scan.argv = NULL;
    scan.argv_cap = 0;
    scan.argc = 0;
    scan.zone = AOF_READER_PLAIN;
    bool plain = true;
    while (plain && scan.pos < scan.len) {
        char first = scan.buf[scan.pos];
        if (first == '*') {
            plain = aof_reader_command(&scan) == AOF_READ_COMMAND;
            continue;
        }
        size_t line_end = scan.pos;
        enum aof_line line = first == '#' ? aof_reader_line(&scan, &line_end) : AOF_LINE_LONG;
        if (line == AOF_LINE_HEADER) {
            struct aof_batch_header h;
            plain = scan.len - scan.pos >= AOF_BATCH_HEADER_BYTES &&
                    aof_batch_parse_header(scan.buf + scan.pos, AOF_BATCH_HEADER_BYTES, &h) &&
                    h.seq == r->batch_seq + 1;
            break;
        }
        plain = line == AOF_LINE_ANNOTATION;
        scan.pos = line_end;
    }
    aof_reader_free(&scan);
    return plain;
}

/* ---- zones ---- */

/* One item where records are as Redis writes them. */
static enum aof_item aof_reader_plain(struct aof_reader *r)
{
    char first = r->buf[r->pos];
    if (first == '*')
        return aof_reader_command_item(r);
    if (first != '#') {
        r->command_offset = r->pos;
        r->bad_record_start = true;
        aof_reader_finish(r, AOF_READ_CORRUPT, r->pos, "Expected prefix '*', got: '%c'", first);
        return AOF_ITEM_FINAL;
    }
    size_t line_end;
    switch (aof_reader_line(r, &line_end)) {
    case AOF_LINE_HEADER:
        return aof_reader_batch_start(r);
    case AOF_LINE_PADDING:
        r->zone = AOF_READER_PADDING;
        r->pos = line_end;
        return AOF_ITEM_SKIPPED;
    case AOF_LINE_ANNOTATION:
        return aof_reader_skip_annotation(r, line_end);
    case AOF_LINE_SHORT:
        aof_reader_step_failed(r, AOF_STEP_SHORT, r->pos);
        return AOF_ITEM_FINAL;
    case AOF_LINE_LONG:
        aof_reader_finish(r, AOF_READ_CORRUPT, r->pos, "Annotation line longer than %d bytes",
                          AOF_READER_LINE_BYTES_MAX);
        return AOF_ITEM_FINAL;
    }
    assert(!"unreachable");
    return AOF_ITEM_FINAL;
}

/* One item right after a batch: the next header, padding, or records that
 * Redis appended to a file ringkv closed cleanly. What is none of these
 * ends the log at the batch. */
static enum aof_item aof_reader_after_batch(struct aof_reader *r)
{
    size_t at = r->pos;
    char first = r->buf[at];
    if (first == '*') {
        if (aof_reader_command(r) == AOF_READ_COMMAND) {
            r->zone = AOF_READER_PLAIN;
            return AOF_ITEM_COMMAND;
        }
        char reason[AOF_READER_REASON_BYTES_MAX];
        memcpy(reason, r->reason, sizeof(reason));
        r->bad_record_start = false;
        aof_reader_finish(r, AOF_READ_TORN, at, "Bytes at offset %zu after batch seq %llu are "
                          "not a record: %s", at, (unsigned long long)r->batch_seq, reason);
        return AOF_ITEM_FINAL;
    }
    if (first == '#') {
        size_t line_end;
        switch (aof_reader_line(r, &line_end)) {
        case AOF_LINE_HEADER:
            return aof_reader_batch_start(r);
        case AOF_LINE_PADDING:
            r->zone = AOF_READER_PADDING;
            r->pos = line_end;
            return AOF_ITEM_SKIPPED;
        case AOF_LINE_ANNOTATION:
            r->zone = AOF_READER_PLAIN;
            return aof_reader_skip_annotation(r, line_end);
        case AOF_LINE_SHORT:
        case AOF_LINE_LONG:
            break;
        }
    }
    aof_reader_finish(r, AOF_READ_TORN, at, "Bytes at offset %zu after batch seq %llu are not "
                      "a record", at, (unsigned long long)r->batch_seq);
    return AOF_ITEM_FINAL;
}

/* One item after padding: more padding, the next header, or a tail Redis
 * appended at the end of the file. Anything else is what is left of a
 * batch whose header never reached the disk: the log ends before the
 * padding. */
static enum aof_item aof_reader_after_padding(struct aof_reader *r)
{
    size_t at = r->pos;
    if (r->buf[at] == '#') {
        size_t line_end;
        enum aof_line line = aof_reader_line(r, &line_end);
        if (line == AOF_LINE_HEADER)
            return aof_reader_batch_start(r);
        if (line == AOF_LINE_PADDING) {
            r->pos = line_end;
            return AOF_ITEM_SKIPPED;
        }
    }
    if (at % AOF_READER_TAIL_ALIGN_BYTES == 0 && aof_reader_tail_is_plain(r)) {
        r->zone = AOF_READER_PLAIN;
        return AOF_ITEM_SKIPPED;
    }
    aof_reader_finish(r, AOF_READ_TORN, at, "Bytes at offset %zu after padding belong to no "
                      "batch", at);
    return AOF_ITEM_FINAL;
}

static enum aof_read_result aof_reader_at_end(struct aof_reader *r)
{
    assert(r->zone != AOF_READER_BATCH);
    if (r->in_multi) {
        return aof_reader_finish(r, AOF_READ_TRUNCATED, r->multi_offset,
                                 "Reached EOF before reading EXEC for MULTI");
    }
    return aof_reader_finish(r, AOF_READ_EOF, r->pos, "End of file");
}

enum aof_read_result aof_reader_next(struct aof_reader *r)
{
    if (r->final != AOF_READ_COMMAND)
        return r->final;
    assert(r->valid_end <= r->pos);
    assert(r->pos <= r->limit);
    assert(r->limit <= r->len);
    r->reason[0] = '\0';
    if (r->pos == 0 && r->len >= AOF_READER_RDB_MAGIC_BYTES &&
        memcmp(r->buf, AOF_READER_RDB_MAGIC, AOF_READER_RDB_MAGIC_BYTES) == 0) {
        return aof_reader_finish(r, AOF_READ_RDB, 0, "RDB preamble");
    }
    for (;;) {
        if (r->zone == AOF_READER_BATCH && r->pos == r->batch_end)
            aof_reader_batch_done(r);
        if (r->pos == r->len)
            return aof_reader_at_end(r);
        enum aof_item item = AOF_ITEM_FINAL;
        switch (r->zone) {
        case AOF_READER_PLAIN: item = aof_reader_plain(r); break;
        case AOF_READER_BATCH: item = aof_reader_in_batch(r); break;
        case AOF_READER_AFTER_BATCH: item = aof_reader_after_batch(r); break;
        case AOF_READER_PADDING: item = aof_reader_after_padding(r); break;
        }
        if (item == AOF_ITEM_COMMAND)
            return AOF_READ_COMMAND;
        if (item == AOF_ITEM_FINAL)
            return r->final;
    }
}
