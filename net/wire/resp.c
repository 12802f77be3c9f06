/* resp.c: RESP request parsing for the server, and a reply reader for clients.
 *
 * Owns three things. The request parser cuts a connection's query bytes into
 * commands the way Redis 7.0's processInlineBuffer and processMultibulkBuffer
 * do, with the same error texts and the same quirks (listed where they are
 * implemented). The inline splitter, shared with the config file reader,
 * follows sdssplitargs. The reply scanner, the one every client uses (the
 * unit tests, the black-box harness, the load generator), finds where a
 * reply ends and can build it as a value tree. Reading sockets, growing the
 * query buffer, sending "-ERR ..." and closing the connection are left to
 * the caller.
 *
 * Key invariant: the request parser remembers only offsets from the start of
 * the current command. Every byte before `pos` has been accepted exactly
 * once, so the caller may move its buffer between calls, and no call looks
 * at those bytes again (argv pointers are made from the offsets on DONE).
 *
 * Numbers (headers, integer replies) are Redis's string2ll, engine/number.h's
 * number_parse_ll, which also bounds the work spent on a line that is not a
 * number.
 *
 * Sections: request state; lines and errors; multibulk; inline commands;
 * args_split (net/core/args.h); reply reading; freeing replies. */
#include "net/wire/resp.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/number.h"

/* argv and scratch capacities kept across commands; a command larger than
 * this gives its memory back on reset so one huge MSET does not pin it. */
#define RESP_ARGV_KEEP_MAX 1024
#define RESP_SCRATCH_KEEP_BYTES RESP_INLINE_BYTES_MAX
/* First argv capacity of a multibulk; it doubles up to the declared count,
 * so a bare "*1048576" header costs nothing until its arguments arrive. */
#define RESP_ARGV_INITIAL 16
/* The smallest reply element is three bytes ("_\r\n"), so an aggregate that
 * claims more elements than remaining_bytes / 3 cannot be complete yet. */
#define RESP_REPLY_ELEMENT_BYTES_MIN 3
/* Longest RESP3 double text the reader accepts. Redis sends %.17g, at most
 * 24 bytes; the margin admits other servers' fixed-point output. */
#define RESP_REPLY_DOUBLE_BYTES_MAX 512

static_assert(RESP_ARGS_MAX <= INT_MAX, "argc is an int");
static_assert(RESP_UNAUTH_ARGS_MAX <= RESP_ARGS_MAX, "unauthenticated limits are tighter");
static_assert(SIZE_MAX >= LLONG_MAX, "a bulk length must fit in size_t");
static_assert(RESP_REPLY_DEPTH_MAX >= 1, "the reader must accept at least one aggregate");

static const char resp_error_inline_too_big[] = "Protocol error: too big inline request";
static const char resp_error_mbulk_too_big[] = "Protocol error: too big mbulk count string";
static const char resp_error_bulk_too_big[] = "Protocol error: too big bulk count string";
static const char resp_error_unbalanced[] = "Protocol error: unbalanced quotes in request";
static const char resp_error_mbulk_invalid[] = "Protocol error: invalid multibulk length";
static const char resp_error_mbulk_unauth[] = "Protocol error: unauthenticated multibulk length";
static const char resp_error_bulk_invalid[] = "Protocol error: invalid bulk length";
static const char resp_error_bulk_unauth[] = "Protocol error: unauthenticated bulk length";
static const char resp_error_expected_format[] = "Protocol error: expected '$', got '%c'";

static_assert(sizeof(resp_error_expected_format) <= sizeof(((struct resp_request *)0)->error_buf),
              "the formatted message (one char replaces %c) fits error_buf");

enum resp_kind {
    RESP_KIND_UNKNOWN = 0,
    RESP_KIND_INLINE = 1,
    RESP_KIND_MULTIBULK = 2,
};

/* ---- Request state ---- */

/* Forgets where the current line search got to. */
static void resp_line_forget(struct resp_request *r)
{
    r->line_scanned = 0;
    r->line_blocked = false;
}

void resp_request_init(struct resp_request *r, long long bulk_bytes_max)
{
    assert(bulk_bytes_max >= 0);
    memset(r, 0, sizeof(*r));
    r->bulk_bytes_max = bulk_bytes_max;
    /* The safe default: the caller lifts the limits once it knows that the
     * client needs no password or has given it. */
    r->authenticated = false;
    resp_request_reset(r);
}

void resp_request_free(struct resp_request *r)
{
    alloc_free(r->argv);
    alloc_free(r->arg_offsets);
    alloc_free(r->scratch);
    r->argv = NULL;
    r->arg_offsets = NULL;
    r->scratch = NULL;
    r->argv_cap = 0;
    r->arg_offsets_cap = 0;
    r->scratch_cap = 0;
    r->argc = 0;
}

void resp_request_reset(struct resp_request *r)
{
    if (r->argv_cap > RESP_ARGV_KEEP_MAX) {
        alloc_free(r->argv);
        r->argv = NULL;
        r->argv_cap = 0;
    }
    if (r->arg_offsets_cap > RESP_ARGV_KEEP_MAX) {
        alloc_free(r->arg_offsets);
        r->arg_offsets = NULL;
        r->arg_offsets_cap = 0;
    }
    if (r->scratch_cap > RESP_SCRATCH_KEEP_BYTES) {
        alloc_free(r->scratch);
        r->scratch = NULL;
        r->scratch_cap = 0;
    }
    r->argc = 0;
    r->consumed = 0;
    r->error = NULL;
    r->bulk_expected_bytes = 0;
    r->bulk_start = 0;
    r->kind = RESP_KIND_UNKNOWN;
    r->multibulk_left = -1;
    r->bulk_len = -1;
    r->pos = 0;
    resp_line_forget(r);
}

/* ---- Lines and errors ---- */

static enum resp_parse_result resp_fail(struct resp_request *r, const char *error)
{
    assert(error != NULL);
    r->error = error;
    r->bulk_expected_bytes = 0;
    return RESP_PARSE_BAD;
}

/* Redis formats this one with addReplyErrorFormat, which turns CR and LF
 * into spaces so the reply stays one line. A NUL cannot get here: it would
 * have hidden the line end (see resp_line_find). */
static enum resp_parse_result resp_fail_expected_dollar(struct resp_request *r, char got)
{
    assert(got != '\0');
    if (got == '\r' || got == '\n')
        got = ' ';
    snprintf(r->error_buf, sizeof(r->error_buf), resp_error_expected_format, got);
    return resp_fail(r, r->error_buf);
}

/* Looks for `end` from pos onwards and stores its offset in *end_at.
 *
 * Redis searches its NUL-terminated query buffer with strchr, so a NUL byte
 * before the line end hides it for good: the line then only completes as an
 * error once more than RESP_INLINE_BYTES_MAX bytes are waiting. We do the
 * same. The search resumes where the previous call stopped. */
static bool resp_line_find(struct resp_request *r, const char *buf, size_t len, char end,
                           size_t *end_at)
{
    size_t from = r->pos + r->line_scanned;
    assert(from <= len);
    if (r->line_blocked)
        return false;
    const char *hit = memchr(buf + from, end, len - from);
    size_t stop = hit ? (size_t)(hit - buf) : len;
    if (memchr(buf + from, '\0', stop - from) != NULL) {
        r->line_blocked = true;
        return false;
    }
    /* Stopping on the end byte itself makes the next call find it at once
     * when a header's second terminator byte was still missing. */
    r->line_scanned = stop - r->pos;
    if (hit == NULL)
        return false;
    *end_at = stop;
    return true;
}

/* Finds the '\r' that ends a `*` or `$` header. Redis needs one more byte
 * after it and skips that byte without checking that it is '\n'. */
static enum resp_parse_result resp_header_find(struct resp_request *r, const char *buf, size_t len,
                                               const char *too_big, size_t *cr_at)
{
    if (!resp_line_find(r, buf, len, '\r', cr_at)) {
        if (len - r->pos > RESP_INLINE_BYTES_MAX)
            return resp_fail(r, too_big);
        return RESP_PARSE_MORE;
    }
    if (len - *cr_at < 2)
        return RESP_PARSE_MORE;
    return RESP_PARSE_DONE;
}

/* ---- Multibulk ---- */

/* Takes ownership of array (of element_bytes each) and returns it grown to
 * hold at least need elements, doubling but never past limit. */
static void *resp_array_reserve(void *array, size_t *cap, size_t element_bytes, size_t need,
                                size_t limit)
{
    assert(need <= limit);
    if (need <= *cap)
        return array;
    size_t grown = *cap < RESP_ARGV_INITIAL ? RESP_ARGV_INITIAL : *cap * 2;
    if (grown > limit)
        grown = limit;
    if (grown < need)
        grown = need;
    *cap = grown;
    return alloc_resize(array, grown * element_bytes);
}

static enum resp_parse_result resp_read_count(struct resp_request *r, const char *buf, size_t len)
{
    size_t cr;
    long long count;
    enum resp_parse_result result = resp_header_find(r, buf, len, resp_error_mbulk_too_big, &cr);
    if (result != RESP_PARSE_DONE)
        return result;
    assert(buf[r->pos] == '*');
    assert(cr > r->pos);
    /* Redis 7.0 allows counts up to INT_MAX here; ringkv keeps the earlier
     * cap of RESP_ARGS_MAX that resp.h states, with the same error text. */
    if (!number_parse_ll(buf + r->pos + 1, cr - r->pos - 1, &count) || count > RESP_ARGS_MAX)
        return resp_fail(r, resp_error_mbulk_invalid);
    if (!r->authenticated && count > RESP_UNAUTH_ARGS_MAX)
        return resp_fail(r, resp_error_mbulk_unauth);
    /* Redis accepts zero and negative counts as an empty command. */
    r->multibulk_left = count > 0 ? count : 0;
    r->argc = 0;
    r->pos = cr + 2;
    resp_line_forget(r);
    return RESP_PARSE_DONE;
}

static enum resp_parse_result resp_read_bulk_header(struct resp_request *r, const char *buf,
                                                    size_t len)
{
    size_t cr;
    long long bulk_len;
    enum resp_parse_result result = resp_header_find(r, buf, len, resp_error_bulk_too_big, &cr);
    if (result != RESP_PARSE_DONE)
        return result;
    /* Redis checks the first byte only once the whole line is here. */
    if (buf[r->pos] != '$')
        return resp_fail_expected_dollar(r, buf[r->pos]);
    assert(cr > r->pos);
    if (!number_parse_ll(buf + r->pos + 1, cr - r->pos - 1, &bulk_len) || bulk_len < 0 ||
        bulk_len > r->bulk_bytes_max)
        return resp_fail(r, resp_error_bulk_invalid);
    if (!r->authenticated && bulk_len > RESP_UNAUTH_BULK_BYTES_MAX)
        return resp_fail(r, resp_error_bulk_unauth);
    r->bulk_len = bulk_len;
    r->pos = cr + 2;
    resp_line_forget(r);
    return RESP_PARSE_DONE;
}

/* Records the bulk at pos as the next argument. Its two trailing bytes are
 * skipped unchecked, as Redis does. */
static void resp_accept_bulk(struct resp_request *r)
{
    size_t index = (size_t)r->argc;
    size_t total = index + (size_t)r->multibulk_left;
    assert(r->multibulk_left > 0);
    assert(r->bulk_len >= 0);
    r->argv = resp_array_reserve(r->argv, &r->argv_cap, sizeof(*r->argv), index + 1, total);
    r->arg_offsets = resp_array_reserve(r->arg_offsets, &r->arg_offsets_cap,
                                        sizeof(*r->arg_offsets), index + 1, total);
    r->arg_offsets[index] = r->pos;
    r->argv[index].ptr = NULL;
    r->argv[index].len = (size_t)r->bulk_len;
    r->argc++;
    r->pos += (size_t)r->bulk_len + 2;
    r->bulk_len = -1;
    r->multibulk_left--;
}

/* While a multibulk is in progress, argc counts the arguments accepted so
 * far and argv[i].len holds their lengths; pointers come last. */
static enum resp_parse_result resp_parse_multibulk(struct resp_request *r, const char *buf,
                                                   size_t len)
{
    enum resp_parse_result result;
    if (r->multibulk_left < 0) {
        result = resp_read_count(r, buf, len);
        if (result != RESP_PARSE_DONE)
            return result;
    }
    while (r->multibulk_left > 0) {
        if (r->bulk_len < 0) {
            result = resp_read_bulk_header(r, buf, len);
            if (result != RESP_PARSE_DONE)
                return result;
        }
        size_t available = len - r->pos;
        if (available < 2 || available - 2 < (size_t)r->bulk_len) {
            r->bulk_expected_bytes = (size_t)r->bulk_len;
            r->bulk_start = r->pos;
            return RESP_PARSE_MORE;
        }
        resp_accept_bulk(r);
    }
    for (int i = 0; i < r->argc; i++)
        r->argv[i].ptr = buf + r->arg_offsets[i];
    assert(r->pos <= len);
    r->consumed = r->pos;
    return RESP_PARSE_DONE;
}

/* ---- Inline commands ---- */

/* Redis looks only for '\n' and strips one '\r' before it. The size limit
 * applies to bytes waiting without a newline, so (as in Redis) a longer line
 * is accepted if its newline is already in the buffer. */
static enum resp_parse_result resp_parse_inline(struct resp_request *r, const char *buf, size_t len)
{
    size_t newline;
    assert(r->pos == 0);
    if (!resp_line_find(r, buf, len, '\n', &newline)) {
        if (len - r->pos > RESP_INLINE_BYTES_MAX)
            return resp_fail(r, resp_error_inline_too_big);
        return RESP_PARSE_MORE;
    }
    size_t line_len = newline;
    if (line_len > 0 && buf[line_len - 1] == '\r')
        line_len--;
    int argc = args_split(buf, line_len, &r->scratch, &r->scratch_cap, &r->argv, &r->argv_cap);
    if (argc < 0)
        return resp_fail(r, resp_error_unbalanced);
    r->argc = argc;
    r->consumed = newline + 1;
    return RESP_PARSE_DONE;
}

enum resp_parse_result resp_parse(struct resp_request *r, const char *buf, size_t len)
{
    assert(r->error == NULL);  /* BAD is final until reset */
    assert(r->consumed == 0);  /* DONE must be followed by reset */
    assert(len >= r->pos);     /* the buffer only grows between calls */
    r->bulk_expected_bytes = 0;
    r->bulk_start = 0;
    if (len == 0)
        return RESP_PARSE_MORE;
    if (r->kind == RESP_KIND_UNKNOWN)
        r->kind = buf[0] == '*' ? RESP_KIND_MULTIBULK : RESP_KIND_INLINE;
    if (r->kind == RESP_KIND_INLINE)
        return resp_parse_inline(r, buf, len);
    assert(r->kind == RESP_KIND_MULTIBULK);
    return resp_parse_multibulk(r, buf, len);
}

/* ---- Reply reading ---- */

/* One item as it stands on the wire: a whole scalar, or only the header of
 * an aggregate, whose elements follow as items of their own. */
struct resp_item {
    enum resp_type type;
    const char *str;   /* borrowed from the buffer: see resp_reply_head */
    size_t len;
    long long integer; /* the value of : and #; an aggregate's count as sent */
    size_t elements;   /* elements that follow: n, or 2n for % and | */
    size_t bytes;      /* the item's own bytes, a blob's payload and CRLF included */
};

/* An aggregate being walked. A child's slot is count - owed, since the
 * parent is paid only once the child is whole. */
struct resp_walk_frame {
    struct resp_value *aggregate; /* borrowed: part of the tree being built, or NULL */
    size_t owed;                  /* elements still to come */
};

/* Finds the "\r\n" that ends the line starting at buf[from]. A lone '\r'
 * inside the line is data, as hiredis treats it. */
static bool resp_reply_line(const char *buf, size_t len, size_t from, size_t *cr_at)
{
    while (from < len) {
        const char *cr = memchr(buf + from, '\r', len - from);
        if (cr == NULL)
            return false;
        size_t at = (size_t)(cr - buf);
        if (at + 1 >= len)
            return false;
        if (buf[at + 1] == '\n') {
            *cr_at = at;
            return true;
        }
        from = at + 1;
    }
    return false;
}

/* A RESP3 double: "inf", "-inf", "nan" or what strtod reads in full. */
static bool resp_double_valid(const char *s, size_t len)
{
    char text[RESP_REPLY_DOUBLE_BYTES_MAX];
    if (len == 0 || len >= sizeof(text))
        return false;
    memcpy(text, s, len);
    text[len] = '\0';
    char *end = NULL;
    strtod(text, &end);
    return end == text + len;
}

/* A RESP3 big number: an optional '-' and at least one digit. */
static bool resp_bignum_valid(const char *s, size_t len)
{
    size_t i = len > 0 && s[0] == '-' ? 1 : 0;
    if (i == len)
        return false;
    for (; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static enum resp_scan_result resp_item_text(struct resp_item *item, enum resp_type type,
                                            const char *str, size_t len)
{
    item->type = type;
    item->str = str;
    item->len = len;
    return RESP_SCAN_OK;
}

/* One-line types: + - ( , : # _. */
static enum resp_scan_result resp_scan_simple(const char *line, size_t line_len, char type,
                                              struct resp_item *item)
{
    switch (type) {
    case '+': return resp_item_text(item, RESP_STRING, line, line_len);
    case '-': return resp_item_text(item, RESP_ERROR, line, line_len);
    case '(':
        if (!resp_bignum_valid(line, line_len))
            return RESP_SCAN_MALFORMED;
        return resp_item_text(item, RESP_BIGNUM, line, line_len);
    case ',':
        if (!resp_double_valid(line, line_len))
            return RESP_SCAN_MALFORMED;
        return resp_item_text(item, RESP_DOUBLE, line, line_len);
    case ':':
        if (!number_parse_ll(line, line_len, &item->integer))
            return RESP_SCAN_MALFORMED;
        item->type = RESP_INTEGER;
        return RESP_SCAN_OK;
    case '#':
        if (line_len != 1 || (line[0] != 't' && line[0] != 'f'))
            return RESP_SCAN_MALFORMED;
        item->type = RESP_BOOL;
        item->integer = line[0] == 't';
        return RESP_SCAN_OK;
    case '_':
        if (line_len != 0)
            return RESP_SCAN_MALFORMED;
        item->type = RESP_NIL;
        return RESP_SCAN_OK;
    default: return RESP_SCAN_MALFORMED;
    }
}

/* Length-prefixed types: $ (bulk), = (verbatim, "txt:" prefix kept) and
 * the RESP3 blob error !, which reads as an ordinary error. item->bytes
 * holds the header's bytes on entry. */
static enum resp_scan_result resp_scan_blob(const char *buf, size_t len, long long blob_len,
                                            struct resp_item *item)
{
    char type = buf[0];
    if (blob_len == -1 && type == '$') {
        item->type = RESP_NIL;
        return RESP_SCAN_OK;
    }
    if (blob_len < 0)
        return RESP_SCAN_MALFORMED;
    size_t available = len - item->bytes;
    if (available < 2 || available - 2 < (size_t)blob_len)
        return RESP_SCAN_INCOMPLETE;
    const char *body = buf + item->bytes;
    if (body[blob_len] != '\r' || body[blob_len + 1] != '\n')
        return RESP_SCAN_MALFORMED;
    if (type == '=' && (blob_len < 4 || body[3] != ':'))
        return RESP_SCAN_MALFORMED;
    item->bytes += (size_t)blob_len + 2;
    enum resp_type kind = type == '$' ? RESP_BULK : type == '=' ? RESP_VERBATIM : RESP_ERROR;
    return resp_item_text(item, kind, body, (size_t)blob_len);
}

/* Aggregate headers: * % ~ > |, with remaining bytes after the header. A
 * map or attribute of n pairs owes 2n elements. When nesting is not
 * allowed, a non-empty aggregate is malformed at once, even though its
 * elements have not arrived. */
static enum resp_scan_result resp_scan_aggregate(char type, size_t remaining, long long n,
                                                 bool nest_allowed, struct resp_item *item)
{
    if (n == -1 && type == '*') {
        item->type = RESP_NIL;
        return RESP_SCAN_OK;
    }
    if (n < 0)
        return RESP_SCAN_MALFORMED;
    if (n > 0 && !nest_allowed)
        return RESP_SCAN_MALFORMED;
    bool pairs = type == '%' || type == '|';
    /* Cannot be complete yet: wait instead of trusting what is claimed. */
    if ((unsigned long long)n > remaining / RESP_REPLY_ELEMENT_BYTES_MIN / (pairs ? 2 : 1))
        return RESP_SCAN_INCOMPLETE;
    item->type = type == '*'   ? RESP_ARRAY
                 : type == '%' ? RESP_MAP
                 : type == '~' ? RESP_SET
                 : type == '>' ? RESP_PUSH
                               : RESP_ATTRIBUTE;
    item->integer = n;
    item->elements = (size_t)n * (pairs ? 2 : 1);
    return RESP_SCAN_OK;
}

/* Reads one item at buf: a whole scalar, or an aggregate's header. A type
 * byte that no reply starts with is malformed before its line ends. */
static enum resp_scan_result resp_item_scan(const char *buf, size_t len, bool nest_allowed,
                                            struct resp_item *item)
{
    size_t cr;
    long long n;
    memset(item, 0, sizeof(*item));
    if (len == 0)
        return RESP_SCAN_INCOMPLETE;
    if (buf[0] == '\0' || strchr("+-(,:#_$=!*%~>|", buf[0]) == NULL)
        return RESP_SCAN_MALFORMED;
    if (!resp_reply_line(buf, len, 1, &cr))
        return RESP_SCAN_INCOMPLETE;
    const char *line = buf + 1;
    size_t line_len = cr - 1;
    item->bytes = cr + 2;
    if (strchr("$=!*%~>|", buf[0]) == NULL)
        return resp_scan_simple(line, line_len, buf[0], item);
    if (!number_parse_ll(line, line_len, &n))
        return RESP_SCAN_MALFORMED;
    if (strchr("$=!", buf[0]) != NULL)
        return resp_scan_blob(buf, len, n, item);
    return resp_scan_aggregate(buf[0], len - item->bytes, n, nest_allowed, item);
}

/* Returns an owned value holding the item (an aggregate with its slots
 * still empty). */
static struct resp_value *resp_value_from_item(const struct resp_item *item)
{
    struct resp_value *v = alloc_zeroed(sizeof(*v));
    v->type = item->type;
    if (item->str != NULL) {
        v->str = alloc_strndup(item->str, item->len);
        v->len = item->len;
    }
    if (item->type == RESP_INTEGER || item->type == RESP_BOOL)
        v->integer = item->integer;
    v->count = item->elements;
    if (v->count > 0)
        v->elements = alloc_zeroed(v->count * sizeof(*v->elements));
    return v;
}

/* Walks the reply at buf: items in order, each aggregate header pushing a
 * frame that owes its elements, each whole item paying its parent, paid-up
 * frames popping. Stores the first item in *first. When tree is not NULL,
 * builds the reply into *tree as it goes, linking each value in at once, so
 * that on failure freeing *tree frees everything. */
static enum resp_scan_result resp_reply_walk(const char *buf, size_t len, struct resp_item *first,
                                             size_t *used, struct resp_value **tree)
{
    struct resp_walk_frame stack[RESP_REPLY_DEPTH_MAX];
    size_t depth = 0, at = 0;
    *used = 0;
    for (;;) {
        struct resp_item item;
        enum resp_scan_result r =
            resp_item_scan(buf + at, len - at, depth < RESP_REPLY_DEPTH_MAX, &item);
        if (r != RESP_SCAN_OK)
            return r;
        if (at == 0)
            *first = item;
        at += item.bytes;
        struct resp_value *v = tree != NULL ? resp_value_from_item(&item) : NULL;
        if (tree != NULL && depth == 0) {
            *tree = v;
        } else if (tree != NULL) {
            struct resp_value *parent = stack[depth - 1].aggregate;
            parent->elements[parent->count - stack[depth - 1].owed] = v;
        }
        if (item.elements > 0) {
            /* So no tree is ever deeper than resp_value_free's stack. */
            assert(depth < RESP_REPLY_DEPTH_MAX);
            stack[depth].aggregate = v;
            stack[depth].owed = item.elements;
            depth++;
            continue;
        }
        while (depth > 0 && --stack[depth - 1].owed == 0)
            depth--;
        if (depth == 0)
            break;
    }
    assert(at > 0);
    assert(at <= len);
    *used = at;
    return RESP_SCAN_OK;
}

enum resp_scan_result resp_reply_scan(const char *buf, size_t len, struct resp_reply_head *head)
{
    struct resp_item first;
    size_t used;
    enum resp_scan_result r = resp_reply_walk(buf, len, &first, &used, NULL);
    if (r != RESP_SCAN_OK)
        return r;
    head->type = first.type;
    head->str = first.str;
    head->len = first.len;
    head->integer = first.integer;
    head->reply_bytes = used;
    return RESP_SCAN_OK;
}

enum resp_scan_result resp_read_reply(const char *buf, size_t len, struct resp_value **out,
                                      size_t *used)
{
    struct resp_item first;
    struct resp_value *tree = NULL;
    *out = NULL;
    enum resp_scan_result r = resp_reply_walk(buf, len, &first, used, &tree);
    if (r != RESP_SCAN_OK) {
        resp_value_free(tree);
        return r;
    }
    assert(tree != NULL);
    *out = tree;
    return RESP_SCAN_OK;
}

/* ---- Freeing replies ---- */

/* Iterative, with one frame per open aggregate; the reader never builds a
 * tree deeper than RESP_REPLY_DEPTH_MAX aggregates. */
void resp_value_free(struct resp_value *v)
{
    struct resp_walk_frame stack[RESP_REPLY_DEPTH_MAX];
    size_t depth = 0;
    if (v == NULL)
        return;
    for (;;) {
        if (v != NULL && v->elements != NULL) {
            assert(depth < RESP_REPLY_DEPTH_MAX);
            stack[depth].aggregate = v;
            stack[depth].owed = v->count;
            depth++;
        } else if (v != NULL) {
            alloc_free(v->str);
            alloc_free(v);
        }
        v = NULL;
        /* Find the next child to visit, freeing aggregates whose children are all gone. */
        while (depth > 0 && v == NULL) {
            struct resp_walk_frame *top = &stack[depth - 1];
            if (top->owed > 0) {
                v = top->aggregate->elements[top->aggregate->count - top->owed--];
                continue;
            }
            alloc_free(top->aggregate->elements);
            alloc_free(top->aggregate->str);
            alloc_free(top->aggregate);
            depth--;
        }
        if (depth == 0 && v == NULL)
            return;
    }
}
