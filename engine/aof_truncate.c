/* aof_truncate.c: finding and applying a point-in-time cut of an AOF file.
 *
 * Owns the --truncate-to-timestamp rules (aof_truncate.h): which #TS line
 * the cut falls at, and how a cut inside one of ringkv's batches keeps the
 * batch chain valid. Reading records is engine/aof_reader's; printing,
 * prompting and choosing the file (only the last of a manifest) are the
 * callers' (tools/ringkv-check-aof.c, tools/ringkv-backup.c).
 *
 * The walk: the reader returns commands and consumes annotations, padding
 * and batch headers between them itself. Every byte between the end of one
 * command and the start of the next (or the point where the reader
 * stopped) was consumed as whole lines, so this file scans that gap line by
 * line for "#TS:" and for batch headers, the way redis-check-aof sees the
 * same bytes. A header is taken as one only outside the batch last seen,
 * as the reader does; the reader has already checked it (sequence, length,
 * CRC) before it returned the command after it.
 *
 * The key invariant: a FOUND cut keeps only bytes the reader accepted, and
 * when it falls inside a batch the kept payload is a prefix that ends
 * where a #TS line began, which the writer only ever places between whole
 * records; so the cut file reads to a clean EOF. */
#include "engine/aof_truncate.h"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The batch the scan is in, as far as its headers tell. */
struct aof_ts_scan {
    long long to_timestamp;
    const char *buf;
    size_t at;            /* next byte of the gap to scan */
    bool have_batch;      /* a header was seen */
    size_t header_offset; /* that header's offset */
    size_t payload_start; /* its payload's first byte */
    size_t payload_end;   /* one past its payload */
    uint64_t seq;
    int multi;            /* MULTI nesting, counted as redis-check-aof does */
};

static bool aof_ts_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool aof_ts_parse(const char *line, size_t line_len, long long *ts)
{
    assert(line_len >= AOF_TRUNCATE_TS_PREFIX_BYTES);
    assert(memcmp(line, AOF_TRUNCATE_TS_PREFIX, AOF_TRUNCATE_TS_PREFIX_BYTES) == 0);
    /* strtol: blanks, an optional sign, digits; with no digits the end
     * pointer stays at the start, right after the prefix. */
    size_t i = AOF_TRUNCATE_TS_PREFIX_BYTES;
    while (i < line_len && aof_ts_is_space(line[i]))
        i++;
    bool negative = false;
    if (i < line_len && (line[i] == '+' || line[i] == '-'))
        negative = line[i++] == '-';
    unsigned long long value = 0;
    size_t digits = 0;
    unsigned long long limit = (unsigned long long)INT64_MAX + (negative ? 1 : 0);
    for (; i < line_len && line[i] >= '0' && line[i] <= '9'; i++, digits++) {
        unsigned digit = (unsigned)(line[i] - '0');
        if (value > (limit - digit) / 10)
            return false; /* strtol's ERANGE */
        value = value * 10 + digit;
    }
    size_t end = digits == 0 ? AOF_TRUNCATE_TS_PREFIX_BYTES : i;
    if (end >= line_len || line[end] != '\r')
        return false;
    *ts = negative ? (long long)(0 - value) : (long long)value;
    return true;
}

/* Fills cut for a #TS line at offset that is later than the target. */
static void aof_ts_cut_at(const struct aof_ts_scan *s, size_t offset, long long ts,
                          struct aof_ts_cut *cut)
{
    cut->ts_offset = offset;
    cut->ts = ts;
    size_t keep = offset;
    if (s->have_batch && offset >= s->payload_start && offset < s->payload_end) {
        if (offset == s->payload_start) {
            keep = s->header_offset;
        } else {
            size_t kept = offset - s->payload_start;
            assert(kept <= AOF_BATCH_BYTES_MAX);
            cut->rewrite_header = true;
            cut->header_offset = s->header_offset;
            cut->header_seq = s->seq;
            aof_batch_header(cut->header, s->seq, s->buf + s->payload_start, kept);
        }
    }
    cut->keep_bytes = keep;
    cut->result = keep == 0 ? AOF_TS_CUT_NOTHING_BEFORE : AOF_TS_CUT_FOUND;
}

/* Notes the batch header at offset, when it is one outside the last batch. */
static void aof_ts_scan_header(struct aof_ts_scan *s, size_t offset, size_t line_bytes)
{
    if (s->have_batch && offset < s->payload_end)
        return; /* inside a batch a header line is an annotation */
    struct aof_batch_header h;
    if (!aof_batch_parse_header(s->buf + offset, line_bytes, &h))
        return;
    s->have_batch = true;
    s->header_offset = offset;
    s->payload_start = offset + AOF_BATCH_HEADER_BYTES;
    s->payload_end = s->payload_start + h.len;
    s->seq = h.seq;
}

/* Scans the lines in buf[s->at, gap_end). Returns true when it settled the
 * result (a cut, or a bad annotation). */
static bool aof_ts_scan_gap(struct aof_ts_scan *s, size_t gap_end, struct aof_ts_cut *cut)
{
    while (s->at < gap_end) {
        size_t p = s->at;
        const char *nl = memchr(s->buf + p, '\n', gap_end - p);
        size_t line_end = nl != NULL ? (size_t)(nl - s->buf) + 1 : gap_end;
        size_t line_bytes = line_end - p;
        s->at = line_end;
        if (line_bytes >= AOF_BATCH_HEADER_PREFIX_BYTES &&
            aof_batch_is_header(s->buf + p, line_bytes)) {
            aof_ts_scan_header(s, p, line_bytes);
            continue;
        }
        if (line_bytes < AOF_TRUNCATE_TS_PREFIX_BYTES ||
            memcmp(s->buf + p, AOF_TRUNCATE_TS_PREFIX, AOF_TRUNCATE_TS_PREFIX_BYTES) != 0)
            continue;
        long long ts;
        if (!aof_ts_parse(s->buf + p, line_bytes, &ts)) {
            cut->result = AOF_TS_CUT_BAD_ANNOTATION;
            cut->ts_offset = p;
            return true;
        }
        if (ts > s->to_timestamp) {
            aof_ts_cut_at(s, p, ts, cut);
            return true;
        }
    }
    return false;
}

/* redis-check-aof's MULTI/EXEC count: a nested MULTI or an EXEC without
 * one ends its walk with an error. Returns false then. */
static bool aof_ts_track_multi(struct aof_ts_scan *s, const struct aof_reader *r)
{
    const struct aof_arg *name = &r->argv[0];
    if (name->len == 5 && strncasecmp(name->ptr, "multi", 5) == 0)
        return s->multi++ == 0;
    if (name->len == 4 && strncasecmp(name->ptr, "exec", 4) == 0)
        return --s->multi == 0;
    return true;
}

void aof_ts_find_cut(const char *buf, size_t len, size_t start, long long to_timestamp,
                     struct aof_ts_cut *cut)
{
    assert(start <= len);
    memset(cut, 0, sizeof(*cut));
    cut->result = AOF_TS_CUT_NONE;
    cut->stop = AOF_READ_EOF;
    if (to_timestamp == 0)
        return;
    struct aof_reader r;
    aof_reader_init(&r, buf, len, AOF_READER_BULK_BYTES_DEFAULT);
    if (start > 0)
        aof_reader_skip_to(&r, start);
    struct aof_ts_scan s = {.to_timestamp = to_timestamp, .buf = buf, .at = start};
    for (;;) {
        enum aof_read_result result = aof_reader_next(&r);
        size_t gap_end = result == AOF_READ_COMMAND ? r.command_offset : r.pos;
        assert(gap_end >= s.at);
        if (aof_ts_scan_gap(&s, gap_end, cut))
            break;
        if (result != AOF_READ_COMMAND) {
            cut->stop = result;
            break;
        }
        s.at = r.pos;
        if (!aof_ts_track_multi(&s, &r)) {
            cut->stop = AOF_READ_COMMAND;
            break;
        }
    }
    aof_reader_free(&r);
    assert(cut->result != AOF_TS_CUT_FOUND || cut->keep_bytes > 0);
    assert(cut->result != AOF_TS_CUT_FOUND || cut->keep_bytes <= cut->ts_offset);
}

static int aof_ts_pwrite_all(int fd, const uint8_t *p, size_t n, off_t offset)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, offset);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        if (w == 0)
            return -EIO;
        p += w;
        n -= (size_t)w;
        offset += w;
    }
    return 0;
}

int aof_ts_apply_cut(int fd, const struct aof_ts_cut *cut)
{
    assert(cut->result == AOF_TS_CUT_FOUND);
    if (cut->rewrite_header) {
        int err = aof_ts_pwrite_all(fd, cut->header, AOF_BATCH_HEADER_BYTES,
                                    (off_t)cut->header_offset);
        if (err < 0)
            return err;
    }
    if (ftruncate(fd, (off_t)cut->keep_bytes) < 0)
        return -errno;
    if (fsync(fd) < 0)
        return -errno;
    return 0;
}
