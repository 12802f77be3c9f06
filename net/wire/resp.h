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
#ifndef RINGKV_NET_WIRE_RESP_H
#define RINGKV_NET_WIRE_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/core/args.h"

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


/* ---- Reply reading, for clients (tests, bench) ----
 *
 * One scanner serves every client: resp_reply_scan finds where a reply ends
 * and describes its first item without allocating (the black-box harness,
 * the load generator); resp_read_reply builds the whole value tree (unit
 * tests). Both accept and refuse exactly the same bytes. A reply is one
 * item with everything nested in it; a RESP3 attribute (|) is a reply of
 * its own, and the reply it annotates is the next one. Nesting is limited
 * to RESP_REPLY_DEPTH_MAX aggregates; deeper input is malformed, which is
 * known as soon as the aggregate one level too deep is met. */

#define RESP_REPLY_DEPTH_MAX 64

enum resp_scan_result {
    RESP_SCAN_OK,         /* one whole reply is at the start of the buffer */
    RESP_SCAN_INCOMPLETE, /* the buffer ends inside the reply; call again with more */
    RESP_SCAN_MALFORMED,  /* not RESP2 or RESP3: the stream cannot be read further */
};

enum resp_type {
    RESP_STRING = 1,  /* + simple string */
    RESP_ERROR,       /* - (and the RESP3 blob error !) */
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

/* What resp_reply_scan tells about a reply without building it: its length
 * and its first (outermost) item. */
struct resp_reply_head {
    enum resp_type type;
    /* Borrowed from the scanned buffer, valid while it is: the line of
     * + - ( , or the payload of $ = !; NULL for the other types. Not
     * NUL-terminated. */
    const char *str;
    size_t len;
    long long integer;  /* the value of : and # (0/1); an aggregate's count as sent */
    size_t reply_bytes; /* the whole reply, nested elements included */
};

/* Finds where the reply at the start of buf[0..len) ends. On RESP_SCAN_OK
 * fills *head; otherwise leaves it untouched. Allocates nothing. */
enum resp_scan_result resp_reply_scan(const char *buf, size_t len, struct resp_reply_head *head);

/* A parsed reply tree; everything owned by the root. */
struct resp_value {
    enum resp_type type;
    long long integer;
    char *str; /* NUL-terminated copy for string-like types */
    size_t len;
    size_t count; /* elements (a map of n pairs has count 2n) */
    struct resp_value **elements;
};

/* Reads the reply at the start of buf[0..len) into a tree. On RESP_SCAN_OK
 * sets *out (owned by the caller, free with resp_value_free) and *used (the
 * bytes it took, as resp_reply_scan's reply_bytes); otherwise sets *out to
 * NULL and *used to 0. Claimed sizes that cannot be complete yet are not
 * allocated: they read as incomplete. */
enum resp_scan_result resp_read_reply(const char *buf, size_t len, struct resp_value **out,
                                      size_t *used);
void resp_value_free(struct resp_value *v);

#endif
