/* reply.h: building replies into a client's output buffer, RESP2 or RESP3.
 *
 * Every command replies through these functions, which pick the wire form
 * from the client's protocol version (HELLO 2|3): a map is `%n` in RESP3
 * and a flat `*2n` array in RESP2, a null is `_` or `$-1`/`*-1`, and so on.
 * Errors are counted for INFO's errorstats. */
#ifndef RINGKV_NET_COMMANDS_REPLY_H
#define RINGKV_NET_COMMANDS_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "net/wire/buf.h"

struct client;


/* "+OK". */
void reply_ok(struct client *c);
/* "+<s>": s must not contain CR or LF. */
void reply_status(struct client *c, const char *s);
/* An error. reply_error(c, "syntax error") sends "-ERR syntax error". A
 * message that starts with '-' carries its own code ("-foo" sends "-foo"),
 * and so does one starting with a known Redis code and a space
 * ("WRONGTYPE ...", "NOAUTH ...", "ERR ..."). CR/LF become spaces. */
void reply_error(struct client *c, const char *msg);
void reply_errorf(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The frequent errors, with Redis's exact texts. */
void reply_error_syntax(struct client *c);      /* -ERR syntax error */
void reply_error_wrongtype(struct client *c);   /* -WRONGTYPE Operation against a key holding the wrong kind of value */
void reply_error_not_integer(struct client *c); /* -ERR value is not an integer or out of range */
void reply_error_not_float(struct client *c);   /* -ERR value is not a valid float */
void reply_error_arity(struct client *c);       /* -ERR wrong number of arguments for '<fullname>' command */

void reply_integer(struct client *c, long long v);
void reply_bulk(struct client *c, const void *p, size_t len);
void reply_bulk_cstr(struct client *c, const char *s);
void reply_bulk_ll(struct client *c, long long v);
/* RESP3 double (",1.5"), RESP2 bulk string of %.17g ("inf"/"-inf" too). */
void reply_double(struct client *c, double v);
/* Reply with pre-formatted text as a RESP3 double or a RESP2 bulk. */
void reply_double_text(struct client *c, const char *text, size_t len);
/* RESP3 "#t"/"#f", RESP2 ":1"/":0". */
void reply_bool(struct client *c, bool v);
/* Null bulk: RESP3 "_", RESP2 "$-1". */
void reply_null(struct client *c);
/* Null array: RESP3 "_", RESP2 "*-1". */
void reply_null_array(struct client *c);
void reply_array_len(struct client *c, long long n);
/* n key/value pairs follow. */
void reply_map_len(struct client *c, long long n);
void reply_set_len(struct client *c, long long n);
/* RESP3 "=len\r\ntxt:..." verbatim string (ext is 3 chars), RESP2 bulk. */
void reply_verbatim(struct client *c, const char *p, size_t len, const char *ext);
/* Appends raw protocol bytes. */
void reply_raw(struct client *c, const void *p, size_t len);
/* An empty array ("*0"). */
void reply_empty_array(struct client *c);

/* A subcommand HELP reply in Redis's layout: "<NAME> <subcommand> ...", the
 * NULL-terminated lines, then the HELP entry itself. */
void reply_help(struct client *c, const char *name, const char *const *lines);

/* Deferred aggregate length for replies whose count is known only at the
 * end (KEYS, SCAN): reply_defer_len returns a handle, reply_set_defer_len
 * fills it in. type is '*', '%' or '~' (RESP2 always sends '*'; for '%'
 * pass the number of pairs and RESP2 gets twice that). */
size_t reply_defer_len(struct client *c);
void reply_set_defer_len(struct client *c, size_t handle, long long n, char type);

#endif
