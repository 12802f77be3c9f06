/* aof_encode.c: AOF records (RESP multibulks) built in a growable buffer.
 *
 * Owns the byte layout of records the server appends to INCR files and
 * writes into RESP-format BASE files. It leaves file I/O to others. The
 * invariant: buf->len <= buf->cap, and every record appended is complete,
 * so a buffer always holds a whole number of commands. */
#include "engine/aof_encode.h"

#include "engine/alloc.h"
#include "engine/number.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The first allocation: big enough for a typical small command so the
 * buffer doesn't grow several times for its first record. */
#define AOF_BUFFER_INITIAL_BYTES 256
/* Longest "*<n>\r\n" or "$<n>\r\n" header: marker, 20 digits, CRLF. */
#define AOF_ENCODE_HEADER_BYTES_MAX 24

void aof_buffer_init(struct aof_buffer *buf)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
}

void aof_buffer_free(struct aof_buffer *buf)
{
    alloc_free(buf->data);
    aof_buffer_init(buf);
}

void aof_buffer_clear(struct aof_buffer *buf)
{
    buf->len = 0;
}

void aof_buffer_reserve(struct aof_buffer *buf, size_t extra)
{
    assert(buf->len <= buf->cap);
    if (buf->cap - buf->len >= extra)
        return;
    assert(extra <= SIZE_MAX / 2 - buf->len);
    size_t want = buf->len + extra;
    size_t cap = buf->cap ? buf->cap : AOF_BUFFER_INITIAL_BYTES;
    while (cap < want)
        cap *= 2;
    buf->data = alloc_resize(buf->data, cap);
    buf->cap = cap;
}

void aof_buffer_append(struct aof_buffer *buf, const void *bytes, size_t len)
{
    if (len == 0)
        return;
    aof_buffer_reserve(buf, len);
    memcpy(buf->data + buf->len, bytes, len);
    buf->len += len;
}

void aof_buffer_append_str(struct aof_buffer *buf, const char *s)
{
    aof_buffer_append(buf, s, strlen(s));
}

void aof_buffer_appendf(struct aof_buffer *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert(need >= 0);
    /* One more byte for the NUL vsnprintf insists on writing. */
    aof_buffer_reserve(buf, (size_t)need + 1);
    va_start(ap, fmt);
    int wrote = vsnprintf(buf->data + buf->len, (size_t)need + 1, fmt, ap);
    va_end(ap);
    assert(wrote == need);
    buf->len += (size_t)wrote;
}

/* Every logged command passes here once per argument under every fsync
 * policy, so no stdio: number_format_ll writes the digits. */
static void aof_encode_header(struct aof_buffer *buf, char marker, size_t n)
{
    char header[AOF_ENCODE_HEADER_BYTES_MAX];
    _Static_assert(AOF_ENCODE_HEADER_BYTES_MAX >= 1 + 20 + 3, "marker, digits, CRLF, NUL");
    header[0] = marker;
    size_t len = 1 + number_format_ll(header + 1, (long long)n);
    header[len++] = '\r';
    header[len++] = '\n';
    aof_buffer_append(buf, header, len);
}

void aof_encode_command(struct aof_buffer *buf, size_t argc, const struct aof_arg *argv)
{
    assert(argc >= 1);
    size_t start = buf->len;
    aof_encode_header(buf, '*', argc);
    for (size_t i = 0; i < argc; i++) {
        aof_encode_header(buf, '$', argv[i].len);
        aof_buffer_append(buf, argv[i].ptr, argv[i].len);
        aof_buffer_append(buf, "\r\n", 2);
    }
    assert(buf->len > start);
}

void aof_encode_select(struct aof_buffer *buf, int db)
{
    assert(db >= 0);
    char digits[16];
    int len = snprintf(digits, sizeof(digits), "%d", db);
    assert(len > 0 && (size_t)len < sizeof(digits));
    struct aof_arg argv[2] = {{"SELECT", 6}, {digits, (size_t)len}};
    aof_encode_command(buf, 2, argv);
}

void aof_encode_timestamp(struct aof_buffer *buf, long long unix_s)
{
    aof_buffer_appendf(buf, "#TS:%lld\r\n", unix_s);
}

void aof_select_reset(struct aof_select_state *state)
{
    state->db = AOF_SELECTED_DB_NONE;
}

int aof_select_emit_if_needed(struct aof_select_state *state, struct aof_buffer *buf, int db)
{
    assert(db >= 0);
    if (state->db == db)
        return 0;
    aof_encode_select(buf, db);
    state->db = db;
    return 1;
}

/* Length of the record or annotation line at p, or len when it is cut
 * off (the rest counts as one unit). */
static size_t aof_unit_len(const char *p, size_t len)
{
    const char *nl = memchr(p, '\n', len);
    if (nl == NULL)
        return len;
    size_t at = (size_t)(nl - p) + 1;
    if (p[0] != '*')
        return at; /* an annotation line */
    long long count = 0;
    for (size_t i = 1; i < at && p[i] >= '0' && p[i] <= '9'; i++)
        count = count * 10 + (p[i] - '0');
    for (long long k = 0; k < count; k++) {
        if (at >= len)
            return len;
        nl = memchr(p + at, '\n', len - at);
        if (nl == NULL)
            return len;
        size_t bulk = 0;
        for (size_t i = at + 1; p + i < nl && p[i] >= '0' && p[i] <= '9'; i++)
            bulk = bulk * 10 + (size_t)(p[i] - '0');
        at = (size_t)(nl - p) + 1;
        if (bulk + 2 > len - at)
            return len;
        at += bulk + 2;
    }
    return at;
}

/* Walks units from the start while they end at or below max (first:
 * stops after the first unit whatever its size). */
static size_t aof_units_walk(const char *buf, size_t len, size_t max, bool first)
{
    static const char multi[] = "*1\r\n$5\r\nMULTI\r\n";
    static const char exec[] = "*1\r\n$4\r\nEXEC\r\n";
    size_t pos = 0, good = 0;
    bool in_multi = false;
    while (pos < len && pos <= max) {
        size_t n = aof_unit_len(buf + pos, len - pos);
        const char *rec = buf + pos;
        if (n == sizeof(multi) - 1 && memcmp(rec, multi, n) == 0)
            in_multi = true;
        else if (n == sizeof(exec) - 1 && memcmp(rec, exec, n) == 0)
            in_multi = false;
        pos += n;
        if (!in_multi && pos <= max) {
            good = pos;
            if (first)
                break;
        }
    }
    return first && in_multi ? len : good;
}

size_t aof_units_prefix(const char *buf, size_t len, size_t max)
{
    return aof_units_walk(buf, len, max, false);
}

size_t aof_units_first(const char *buf, size_t len)
{
    return aof_units_walk(buf, len, SIZE_MAX, true);
}
