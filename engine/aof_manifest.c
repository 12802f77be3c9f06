/* aof_manifest.c: parsing, writing and editing the multi-part AOF manifest.
 *
 * Owns the manifest's text format, the AOF file naming rules and the
 * crash-safe replacement of the manifest file. Deciding when to rotate
 * files, and deleting history files, is left to the server.
 *
 * Format history: Redis 7.0 introduced the manifest (PR #9788). Each line is
 * split like redis-cli arguments (quotes and escapes allowed), holds
 * key/value pairs in any order with "file", "seq" and "type" required and
 * unknown keys ignored for forward compatibility. Redis writes the BASE,
 * then history (newest first), then INCR files, quoting a name only when it
 * holds spaces, quotes, backslashes or unprintable bytes.
 *
 * Where we are stricter than Redis (which uses atoll and accepts "seq -3"
 * or "seq 7x"): seq must be a whole positive decimal number up to
 * AOF_MANIFEST_SEQ_MAX, a file name must not be empty, and an entry must
 * fit on one line when written back (see aof_manifest_parse_line). Redis
 * never writes anything else. */
#include "engine/aof_manifest.h"

#include "engine/alloc.h"
#include "engine/durable_fs.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Tokens per line: a line of at most AOF_MANIFEST_LINE_BYTES_MAX bytes
 * holds at most half as many one-byte tokens. */
#define AOF_MANIFEST_TOKENS_MAX (AOF_MANIFEST_LINE_BYTES_MAX / 2)
/* Bytes read per read(2) call when loading a manifest. */
#define AOF_MANIFEST_READ_CHUNK_BYTES 4096

#define AOF_MANIFEST_ERR_EMPTY "Found an empty AOF manifest"
#define AOF_MANIFEST_ERR_LONG_LINE "The AOF manifest file contains too long line"
#define AOF_MANIFEST_ERR_FORMAT "Invalid AOF manifest file format"
#define AOF_MANIFEST_ERR_PATH "File can't be a path, just a filename"
#define AOF_MANIFEST_ERR_DUP_BASE "Found duplicate base file information"
#define AOF_MANIFEST_ERR_SEQ "Found a non-monotonic sequence number"
#define AOF_MANIFEST_ERR_TYPE "Unknown AOF file type"
/* ringkv's own: the entry could not be written back (see parse_line). */
#define AOF_MANIFEST_ERR_NAME_LONG "File name too long to write back on one manifest line"

/* ---- file lists ---- */

void aof_manifest_init(struct aof_manifest *m)
{
    memset(m, 0, sizeof(*m));
}

static void aof_file_list_free(struct aof_file_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        alloc_free(list->items[i].name);
    alloc_free(list->items);
    memset(list, 0, sizeof(*list));
}

void aof_manifest_free(struct aof_manifest *m)
{
    if (m->has_base)
        alloc_free(m->base.name);
    aof_file_list_free(&m->history);
    aof_file_list_free(&m->incr);
    aof_manifest_init(m);
}

/* Inserts info (taking ownership of its name) at index. */
static void aof_file_list_insert(struct aof_file_list *list, size_t index, struct aof_file_info info)
{
    assert(index <= list->count);
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 4;
        list->items = alloc_resize(list->items, cap * sizeof(*list->items));
        list->cap = cap;
    }
    memmove(&list->items[index + 1], &list->items[index],
            (list->count - index) * sizeof(*list->items));
    list->items[index] = info;
    list->count++;
}

static void aof_file_list_copy(struct aof_file_list *dst, const struct aof_file_list *src)
{
    memset(dst, 0, sizeof(*dst));
    for (size_t i = 0; i < src->count; i++) {
        struct aof_file_info info = src->items[i];
        info.name = alloc_strdup(info.name);
        aof_file_list_insert(dst, dst->count, info);
    }
}

void aof_manifest_copy(struct aof_manifest *dst, const struct aof_manifest *src)
{
    *dst = *src;
    if (src->has_base)
        dst->base.name = alloc_strdup(src->base.name);
    aof_file_list_copy(&dst->history, &src->history);
    aof_file_list_copy(&dst->incr, &src->incr);
}

/* ---- names ---- */

bool aof_manifest_name_is_basename(const char *name)
{
    return strchr(name, '/') == NULL && strchr(name, '\\') == NULL;
}

static char *aof_manifest_format_name(const char *fmt, const char *appendfilename, long long seq,
                                      const char *kind, const char *format)
{
    int need = snprintf(NULL, 0, fmt, appendfilename, seq, kind, format);
    assert(need > 0);
    char *name = alloc_bytes((size_t)need + 1);
    int wrote = snprintf(name, (size_t)need + 1, fmt, appendfilename, seq, kind, format);
    assert(wrote == need);
    return name;
}

char *aof_manifest_file_name(const char *appendfilename)
{
    size_t a = strlen(appendfilename), s = strlen(AOF_MANIFEST_SUFFIX);
    char *name = alloc_bytes(a + s + 1);
    memcpy(name, appendfilename, a);
    memcpy(name + a, AOF_MANIFEST_SUFFIX, s + 1);
    return name;
}

char *aof_manifest_temp_file_name(const char *appendfilename)
{
    size_t p = strlen(AOF_MANIFEST_TEMP_PREFIX);
    char *manifest = aof_manifest_file_name(appendfilename);
    size_t m = strlen(manifest);
    char *name = alloc_bytes(p + m + 1);
    memcpy(name, AOF_MANIFEST_TEMP_PREFIX, p);
    memcpy(name + p, manifest, m + 1);
    alloc_free(manifest);
    return name;
}

char *aof_manifest_base_file_name(const char *appendfilename, long long seq, bool rdb)
{
    assert(seq >= 1);
    return aof_manifest_format_name("%s.%lld%s%s", appendfilename, seq, AOF_BASE_SUFFIX,
                                    rdb ? AOF_RDB_FORMAT_SUFFIX : AOF_RESP_FORMAT_SUFFIX);
}

char *aof_manifest_incr_file_name(const char *appendfilename, long long seq)
{
    assert(seq >= 1);
    return aof_manifest_format_name("%s.%lld%s%s", appendfilename, seq, AOF_INCR_SUFFIX,
                                    AOF_RESP_FORMAT_SUFFIX);
}

/* ---- edits ---- */

const struct aof_file_info *aof_manifest_add_incr(struct aof_manifest *m, const char *appendfilename)
{
    assert(m->incr_seq < LLONG_MAX);
    struct aof_file_info info = {
        .seq = ++m->incr_seq,
        .type = AOF_FILE_TYPE_INCR,
    };
    info.name = aof_manifest_incr_file_name(appendfilename, info.seq);
    aof_file_list_insert(&m->incr, m->incr.count, info);
    return &m->incr.items[m->incr.count - 1];
}

const struct aof_file_info *aof_manifest_new_base(struct aof_manifest *m, const char *appendfilename,
                                                  bool rdb)
{
    assert(m->base_seq < LLONG_MAX);
    if (m->has_base) {
        m->base.type = AOF_FILE_TYPE_HISTORY;
        aof_file_list_insert(&m->history, 0, m->base);
    }
    m->base.seq = ++m->base_seq;
    m->base.type = AOF_FILE_TYPE_BASE;
    m->base.name = aof_manifest_base_file_name(appendfilename, m->base.seq, rdb);
    m->has_base = true;
    return &m->base;
}

void aof_manifest_mark_incr_history(struct aof_manifest *m, bool keep_last)
{
    size_t moving = m->incr.count;
    if (keep_last && moving > 0)
        moving--;
    /* Redis walks from the newest movable INCR back, pushing each at the
     * head of the history, which leaves them oldest first at the front. */
    for (size_t i = moving; i-- > 0;) {
        struct aof_file_info info = m->incr.items[i];
        info.type = AOF_FILE_TYPE_HISTORY;
        aof_file_list_insert(&m->history, 0, info);
    }
    memmove(&m->incr.items[0], &m->incr.items[moving],
            (m->incr.count - moving) * sizeof(*m->incr.items));
    m->incr.count -= moving;
    assert(!keep_last || m->incr.count <= 1);
}

void aof_manifest_clear_history(struct aof_manifest *m)
{
    aof_file_list_free(&m->history);
}

size_t aof_manifest_load_count(const struct aof_manifest *m)
{
    return (m->has_base ? 1 : 0) + m->incr.count;
}

const struct aof_file_info *aof_manifest_load_file(const struct aof_manifest *m, size_t index)
{
    assert(index < aof_manifest_load_count(m));
    if (m->has_base) {
        if (index == 0)
            return &m->base;
        index--;
    }
    return &m->incr.items[index];
}

/* ---- serialising ---- */

/* The bytes that make Redis quote a name (sdsneedsrepr), and one more: a
 * single quote. Redis writes a name holding one bare, and its own splitter
 * then reads that quote as the start of a quoted section and refuses the
 * line, so the manifest cannot be loaded again (an appendfilename holding
 * a quote does that to Redis). Inside double quotes it is an ordinary
 * byte. Found by fuzzing. */
static bool aof_manifest_needs_quotes(const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p == '\\' || *p == '"' || *p == '\'' || !isprint(*p) || isspace(*p))
            return true;
    }
    return false;
}

/* Quotes a name the way Redis's sdscatrepr does. */
static void aof_manifest_append_quoted(struct aof_buffer *out, const char *name)
{
    aof_buffer_append(out, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        switch (*p) {
        case '\\': aof_buffer_append(out, "\\\\", 2); break;
        case '"': aof_buffer_append(out, "\\\"", 2); break;
        case '\n': aof_buffer_append(out, "\\n", 2); break;
        case '\r': aof_buffer_append(out, "\\r", 2); break;
        case '\t': aof_buffer_append(out, "\\t", 2); break;
        case '\a': aof_buffer_append(out, "\\a", 2); break;
        case '\b': aof_buffer_append(out, "\\b", 2); break;
        default:
            if (isprint(*p))
                aof_buffer_append(out, p, 1);
            else
                aof_buffer_appendf(out, "\\x%02x", *p);
        }
    }
    aof_buffer_append(out, "\"", 1);
}

static void aof_manifest_append_line(struct aof_buffer *out, const struct aof_file_info *info)
{
    assert(info->seq >= 1);
    aof_buffer_append_str(out, "file ");
    if (aof_manifest_needs_quotes(info->name))
        aof_manifest_append_quoted(out, info->name);
    else
        aof_buffer_append_str(out, info->name);
    aof_buffer_appendf(out, " seq %lld type %c\n", info->seq, (char)info->type);
}

/* Bytes of info's line as aof_manifest_serialise writes it, newline included. */
static size_t aof_manifest_line_bytes(const struct aof_file_info *info)
{
    struct aof_buffer line;
    aof_buffer_init(&line);
    aof_manifest_append_line(&line, info);
    size_t bytes = line.len;
    aof_buffer_free(&line);
    return bytes;
}

void aof_manifest_serialise(const struct aof_manifest *m, struct aof_buffer *out)
{
    if (m->has_base)
        aof_manifest_append_line(out, &m->base);
    for (size_t i = 0; i < m->history.count; i++)
        aof_manifest_append_line(out, &m->history.items[i]);
    for (size_t i = 0; i < m->incr.count; i++)
        aof_manifest_append_line(out, &m->incr.items[i]);
}

/* ---- parsing ---- */

struct aof_manifest_tokens {
    struct aof_buffer bytes;                   /* tokens, each NUL-terminated */
    size_t start[AOF_MANIFEST_TOKENS_MAX];     /* offset of each token in bytes */
    size_t len[AOF_MANIFEST_TOKENS_MAX];       /* its length, NULs from \x00 included */
    size_t count;
};

static int aof_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool aof_is_separator(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Reads one double-quoted token body starting after the quote at *at.
 * Returns false on an unterminated quote or a closing quote glued to more
 * text, which Redis's splitter rejects. */
static bool aof_manifest_split_quoted(const char *line, size_t len, size_t *at, struct aof_buffer *out)
{
    size_t i = *at;
    while (i < len) {
        char c = line[i];
        if (c == '"') {
            if (i + 1 < len && !isspace((unsigned char)line[i + 1]))
                return false;
            *at = i + 1;
            return true;
        }
        if (c == '\\' && i + 3 < len && line[i + 1] == 'x' && aof_hex_value(line[i + 2]) >= 0 &&
            aof_hex_value(line[i + 3]) >= 0) {
            char byte = (char)(aof_hex_value(line[i + 2]) * 16 + aof_hex_value(line[i + 3]));
            aof_buffer_append(out, &byte, 1);
            i += 4;
            continue;
        }
        if (c == '\\' && i + 1 < len) {
            char e = line[i + 1];
            char byte = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t'
                      : e == 'b' ? '\b' : e == 'a' ? '\a' : e;
            aof_buffer_append(out, &byte, 1);
            i += 2;
            continue;
        }
        aof_buffer_append(out, &c, 1);
        i++;
    }
    return false;
}

/* Reads one single-quoted token body; only \' is an escape there. */
static bool aof_manifest_split_single(const char *line, size_t len, size_t *at, struct aof_buffer *out)
{
    size_t i = *at;
    while (i < len) {
        char c = line[i];
        if (c == '\\' && i + 1 < len && line[i + 1] == '\'') {
            aof_buffer_append(out, "'", 1);
            i += 2;
            continue;
        }
        if (c == '\'') {
            if (i + 1 < len && !isspace((unsigned char)line[i + 1]))
                return false;
            *at = i + 1;
            return true;
        }
        aof_buffer_append(out, &c, 1);
        i++;
    }
    return false;
}

/* Splits line[0..len) into tokens the way Redis's sdssplitargs does: runs
 * separated by whitespace, with quoted parts that may begin mid-token.
 * Returns false when the quoting is broken or there are too many tokens. */
static bool aof_manifest_split(const char *line, size_t len, struct aof_manifest_tokens *t)
{
    size_t i = 0;
    t->count = 0;
    aof_buffer_clear(&t->bytes);
    for (;;) {
        while (i < len && isspace((unsigned char)line[i]))
            i++;
        if (i == len)
            return true;
        if (t->count == AOF_MANIFEST_TOKENS_MAX)
            return false;
        size_t start = t->bytes.len;
        while (i < len && !aof_is_separator(line[i])) {
            bool ok = true;
            if (line[i] == '"') {
                i++;
                ok = aof_manifest_split_quoted(line, len, &i, &t->bytes);
            } else if (line[i] == '\'') {
                i++;
                ok = aof_manifest_split_single(line, len, &i, &t->bytes);
            } else {
                aof_buffer_append(&t->bytes, &line[i], 1);
                i++;
            }
            if (!ok)
                return false;
        }
        t->start[t->count] = start;
        t->len[t->count] = t->bytes.len - start;
        aof_buffer_append(&t->bytes, "", 1);
        t->count++;
    }
}

/* Parses a seq value: a whole decimal number in [1, AOF_MANIFEST_SEQ_MAX]. */
static long long aof_manifest_parse_seq(const char *s, size_t len)
{
    if (len == 0 || len > 19)
        return 0;
    unsigned long long n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        n = n * 10 + (unsigned long long)(s[i] - '0');
    }
    return n > (unsigned long long)AOF_MANIFEST_SEQ_MAX ? 0 : (long long)n;
}

/* Fills info from the key/value tokens of one line. Returns NULL or the
 * reason the line is rejected. info->name is owned on success only. */
static const char *aof_manifest_parse_pairs(const struct aof_manifest_tokens *t,
                                            struct aof_file_info *info)
{
    const char *name = NULL;
    size_t name_len = 0;
    memset(info, 0, sizeof(*info));
    if (t->count < 6 || t->count % 2 != 0)
        return AOF_MANIFEST_ERR_FORMAT;
    for (size_t i = 0; i < t->count; i += 2) {
        const char *key = t->bytes.data + t->start[i];
        const char *value = t->bytes.data + t->start[i + 1];
        size_t value_len = t->len[i + 1];
        if (strcasecmp(key, "file") == 0) {
            if (!aof_manifest_name_is_basename(value))
                return AOF_MANIFEST_ERR_PATH;
            name = value;
            name_len = value_len;
        } else if (strcasecmp(key, "seq") == 0) {
            info->seq = aof_manifest_parse_seq(value, value_len);
        } else if (strcasecmp(key, "type") == 0) {
            info->type = (enum aof_file_type)value[0];
        }
    }
    /* A NUL from "\x00" would cut the name short when used as a path. */
    if (name == NULL || name_len == 0 || strlen(name) != name_len || info->seq == 0 ||
        info->type == 0)
        return AOF_MANIFEST_ERR_FORMAT;
    info->name = alloc_strndup(name, name_len);
    return NULL;
}

/* Adds a parsed line's file to m, applying Redis's cross-line rules.
 * Takes ownership of info->name. */
static const char *aof_manifest_add_parsed(struct aof_manifest *m, struct aof_file_info info,
                                           long long *incr_seq_max)
{
    switch (info.type) {
    case AOF_FILE_TYPE_BASE:
        if (m->has_base)
            break;
        m->base = info;
        m->has_base = true;
        m->base_seq = info.seq;
        return NULL;
    case AOF_FILE_TYPE_HISTORY:
        aof_file_list_insert(&m->history, m->history.count, info);
        return NULL;
    case AOF_FILE_TYPE_INCR:
        if (info.seq <= *incr_seq_max)
            break;
        aof_file_list_insert(&m->incr, m->incr.count, info);
        m->incr_seq = info.seq;
        *incr_seq_max = info.seq;
        return NULL;
    default:
        alloc_free(info.name);
        return AOF_MANIFEST_ERR_TYPE;
    }
    alloc_free(info.name);
    return info.type == AOF_FILE_TYPE_BASE ? AOF_MANIFEST_ERR_DUP_BASE : AOF_MANIFEST_ERR_SEQ;
}

/* Handles one line (comment or entry) of at most the line limit. */
static const char *aof_manifest_parse_line(struct aof_manifest *m, const char *line, size_t len,
                                           struct aof_manifest_tokens *t, long long *incr_seq_max)
{
    if (line[0] == '#')
        return NULL;
    /* Redis finds the newline with strchr, so a NUL byte hides it. */
    const char *nul = memchr(line, '\0', len);
    if (line[len - 1] != '\n' || nul != NULL)
        return AOF_MANIFEST_ERR_LONG_LINE;
    size_t start = 0, end = len;
    while (start < end && strchr(" \t\r\n", line[start]))
        start++;
    while (end > start && strchr(" \t\r\n", line[end - 1]))
        end--;
    if (start == end)
        return AOF_MANIFEST_ERR_FORMAT;
    if (!aof_manifest_split(line + start, end - start, t))
        return AOF_MANIFEST_ERR_FORMAT;
    struct aof_file_info info;
    const char *reason = aof_manifest_parse_pairs(t, &info);
    if (reason != NULL)
        return reason;
    /* What we accept we must be able to write back and read again. A name
     * whose quoted form (four bytes per unprintable byte, as sdscatrepr
     * writes it) makes its line longer than the reader's limit would leave
     * a manifest no restart can load (Redis has that trap; a manifest it
     * wrote and read never holds such a name). Found by fuzzing. */
    if (aof_manifest_line_bytes(&info) > AOF_MANIFEST_LINE_BYTES_MAX) {
        alloc_free(info.name);
        return AOF_MANIFEST_ERR_NAME_LONG;
    }
    return aof_manifest_add_parsed(m, info, incr_seq_max);
}

enum aof_manifest_parse_result aof_manifest_parse(struct aof_manifest *m, const char *text,
                                                  size_t len, struct aof_manifest_error *err)
{
    assert(!m->has_base);
    assert(m->incr.count == 0);
    memset(err, 0, sizeof(*err));
    if (len == 0) {
        err->reason = AOF_MANIFEST_ERR_EMPTY;
        return AOF_MANIFEST_PARSE_BAD;
    }
    struct aof_manifest_tokens *t = alloc_zeroed(sizeof(*t));
    long long incr_seq_max = 0;
    size_t pos = 0;
    int line_number = 0;
    size_t line_start = 0;
    const char *reason = NULL;
    while (pos < len && reason == NULL) {
        line_start = pos;
        /* Mirror fgets with a 1025-byte buffer: a line ends at its newline
         * or after 1024 bytes, whichever comes first. */
        size_t window = len - pos < AOF_MANIFEST_LINE_BYTES_MAX ? len - pos : AOF_MANIFEST_LINE_BYTES_MAX;
        const char *nl = memchr(text + pos, '\n', window);
        size_t line_len = nl ? (size_t)(nl - (text + pos)) + 1 : window;
        line_number++;
        reason = aof_manifest_parse_line(m, text + pos, line_len, t, &incr_seq_max);
        pos += line_len;
    }
    aof_buffer_free(&t->bytes);
    alloc_free(t);
    if (reason != NULL) {
        err->line = line_number;
        err->reason = reason;
        /* Redis echoes the line unless it never got as far as reading it. */
        err->has_line_text = strcmp(reason, AOF_MANIFEST_ERR_LONG_LINE) != 0;
        err->line_offset = line_start;
        err->line_len = pos - line_start;
        return AOF_MANIFEST_PARSE_BAD;
    }
    return AOF_MANIFEST_PARSE_OK;
}

/* ---- files ---- */

int aof_manifest_read_file(const char *path, struct aof_buffer *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t total = 0;
    int result = 0;
    for (;;) {
        if (total >= AOF_MANIFEST_FILE_BYTES_MAX) {
            result = -EFBIG;
            break;
        }
        aof_buffer_reserve(out, AOF_MANIFEST_READ_CHUNK_BYTES);
        ssize_t n = read(fd, out->data + out->len, AOF_MANIFEST_READ_CHUNK_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            result = -errno;
            break;
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
        total += (size_t)n;
    }
    close(fd);
    return result;
}

/* Writes all of buf, finishing short writes. Returns 0 or -errno. */
static int aof_manifest_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        assert((size_t)n <= len);
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static char *aof_manifest_join(const char *dir, const char *name)
{
    size_t d = strlen(dir), n = strlen(name);
    char *path = alloc_bytes(d + 1 + n + 1);
    memcpy(path, dir, d);
    path[d] = '/';
    memcpy(path + d + 1, name, n + 1);
    return path;
}

/* Writes text to path and flushes it to disk. Returns 0 or -errno. */
static int aof_manifest_write_temp(const char *path, const struct aof_buffer *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    int result = aof_manifest_write_all(fd, text->data, text->len);
    if (result == 0 && fdatasync(fd) < 0)
        result = -errno;
    if (close(fd) < 0 && result == 0)
        result = -errno;
    return result;
}

int aof_manifest_write_file(const char *dir, const char *appendfilename,
                            const struct aof_manifest *m)
{
    assert(aof_manifest_name_is_basename(appendfilename));
    struct aof_buffer text;
    aof_buffer_init(&text);
    aof_manifest_serialise(m, &text);
    char *manifest_name = aof_manifest_file_name(appendfilename);
    char *temp_name = aof_manifest_temp_file_name(appendfilename);
    char *manifest_path = aof_manifest_join(dir, manifest_name);
    char *temp_path = aof_manifest_join(dir, temp_name);

    int result = aof_manifest_write_temp(temp_path, &text);
    bool renamed = false;
    if (result == 0)
        result = durable_rename(temp_path, manifest_path, &renamed);
    if (!renamed)
        unlink(temp_path);

    alloc_free(temp_path);
    alloc_free(manifest_path);
    alloc_free(temp_name);
    alloc_free(manifest_name);
    aof_buffer_free(&text);
    return result;
}
