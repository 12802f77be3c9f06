/* resp.h: RESP request parsing (server side) and reply reading (clients:
 * tests and bench). No I/O: both work on byte buffers the caller owns.
 *
 * Request parser: feed it the unconsumed bytes of a connection's query
 * buffer, from the start of the current command, each time more arrive. It
 * keeps its position between calls (offsets, not pointers, so the caller may
 * reallocate the buffer between calls) and never rescans what it has already
 * accepted. On RESP_PARSE_DONE, argv[0..argc) point into the buffer passed to
 * that call (or into the parser's own scratch for inline commands) and stay
 * valid until the next resp_parse / resp_request_reset / buffer change;
 * `consumed` tells how many bytes the command took. argc may be 0 (an empty
 * inline line or `*0`/`*-1`): nothing to run, just drop the bytes. */
#ifndef RINGKV_NET_RESP_H
#define RINGKV_NET_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Redis's PROTO_INLINE_MAX_SIZE: an inline line or a `*`/`$` header longer
 * than this without a newline is an error. */
#define RESP_INLINE_BYTES_MAX (1024 * 64)
/* Redis caps a multibulk at 1024*1024 arguments. */
#define RESP_ARGS_MAX (1024 * 1024)
/* Unauthenticated clients may send at most this many arguments / bulk bytes
 * (Redis 7.0 processMultibulkBuffer). */
#define RESP_UNAUTH_ARGS_MAX 10
#define RESP_UNAUTH_BULK_BYTES_MAX 16384

enum resp_parse_result {
    RESP_PARSE_DONE, /* one whole command is in argv */
    RESP_PARSE_MORE, /* need more bytes; call again with the buffer extended */
    RESP_PARSE_BAD,  /* protocol error: reply "-ERR <error>" and close */
};

struct resp_arg {
    const char *ptr; /* borrowed, see the file comment */
    size_t len;
};

struct resp_request {
    /* limits, set by the caller before parsing */
    long long bulk_bytes_max; /* proto-max-bulk-len */
    bool authenticated;       /* false: the unauthenticated limits apply */

    /* result */
    int argc;
    struct resp_arg *argv; /* owned by the parser, grows up to RESP_ARGS_MAX */
    size_t consumed;       /* bytes of the buffer this command used */
    const char *error;     /* static text after "ERR ", e.g. "Protocol error: invalid bulk length" */
    /* Hint: when > 0, the parser is waiting for a bulk of this many bytes
     * (plus CRLF) starting at `bulk_start`; the caller may grow its buffer once. */
    size_t bulk_expected_bytes;
    size_t bulk_start; /* offset in the buffer of that bulk's first byte */

    /* private parse state */
    int kind;                 /* 0 unknown, 1 inline, 2 multibulk */
    long long multibulk_left; /* arguments still to read, -1 before the header */
    long long bulk_len;       /* length of the bulk being read, -1 before its header */
    size_t pos;               /* offset of the next unparsed byte */
    size_t argv_cap;
    size_t *arg_offsets;      /* owned, offsets of each argument in the buffer */
    size_t arg_offsets_cap;
    char *scratch;            /* owned, unescaped inline arguments */
    size_t scratch_cap;
    size_t line_scanned;      /* bytes from pos already searched for the line end */
    bool line_blocked;        /* a NUL hides the line end, as strchr would in Redis */
    char error_buf[48];       /* formatted "expected '$', got 'c'" message */
};

void resp_request_init(struct resp_request *r, long long bulk_bytes_max);
/* Frees what the parser owns. */
void resp_request_free(struct resp_request *r);
/* Forgets the current command (call after running it, or after a BAD). */
void resp_request_reset(struct resp_request *r);
/* buf[0..len) starts at the first byte of the current command. */
enum resp_parse_result resp_parse(struct resp_request *r, const char *buf, size_t len);

/* Splits an inline line as Redis's sdssplitargs does (quotes, \xHH and the
 * C escapes in double quotes, no escapes in single quotes). Writes owned
 * results into out (grown with engine/alloc.h); returns the count, or -1 on
 * unbalanced quotes. Used by the parser and by the config file reader. */
int resp_split_args(const char *line, size_t len, char **scratch, size_t *scratch_cap,
                    struct resp_arg **out, size_t *out_cap);

/* ---- Reply reading, for clients (tests, bench) ---- */

enum resp_type {
    RESP_STRING = 1,  /* + simple string */
    RESP_ERROR,       /* - */
    RESP_INTEGER,     /* : */
    RESP_BULK,        /* $ */
    RESP_ARRAY,       /* * */
    RESP_NIL,         /* $-1, *-1 or RESP3 _ */
    RESP_MAP,         /* % */
    RESP_SET,         /* ~ */
    RESP_DOUBLE,      /* , (str holds the text) */
    RESP_BOOL,        /* # (integer 0/1) */
    RESP_VERBATIM,    /* = (str holds "txt:..." as sent) */
    RESP_BIGNUM,      /* ( */
    RESP_PUSH,        /* > */
    RESP_ATTRIBUTE,   /* | */
};

/* A parsed reply tree; everything owned by the root. */
struct resp_value {
    enum resp_type type;
    long long integer;
    char *str; /* NUL-terminated copy for string-like types */
    size_t len;
    size_t count; /* elements (a map of n pairs has count 2n) */
    struct resp_value **elements;
};

/* Reads one complete reply from buf[0..len). Returns the bytes it used and
 * sets *out (owned by the caller, free with resp_value_free); returns 0 if
 * more bytes are needed; returns -1 on malformed input. Nesting is limited to
 * RESP_REPLY_DEPTH_MAX; deeper input is malformed. */
#define RESP_REPLY_DEPTH_MAX 64
long long resp_read_reply(const char *buf, size_t len, struct resp_value **out);
void resp_value_free(struct resp_value *v);

#endif
