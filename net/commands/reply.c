/* reply.c: reply encoding into client output buffers, RESP2 and RESP3.
 *
 * Owns the wire form of every reply type. Leaves sending to net/wire/: the
 * functions here only append to c->conn.out and mark the client as having output.
 * Invariant: nothing here touches c->conn.sending, which belongs to an in-flight
 * send. */
#include "net/commands/reply.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/number.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/wire/buf.h"
#include "net/wire/conn.h"

void reply_raw(struct client *c, const void *p, size_t len)
{
    conn_write(&c->conn, p, len);
}

/* Appends "<prefix><n>\r\n". */
static void reply_header(struct client *c, char prefix, long long n)
{
    char hdr[32];
    hdr[0] = prefix;
    size_t len = 1 + number_format_ll(hdr + 1, n);
    hdr[len++] = '\r';
    hdr[len++] = '\n';
    reply_raw(c, hdr, len);
}

void reply_ok(struct client *c)
{
    reply_raw(c, "+OK\r\n", 5);
}

void reply_status(struct client *c, const char *s)
{
    size_t len = strlen(s);
    buf_reserve(&c->conn.out, len + 3);
    reply_raw(c, "+", 1);
    reply_raw(c, s, len);
    reply_raw(c, "\r\n", 2);
}

/* Counts the error under its code for INFO errorstats. */
static void reply_count_error(struct commands *cs, const char *msg, size_t len)
{
    cs->stats.total_error_replies++;
    const char *space = memchr(msg, ' ', len);
    size_t code_len = space ? (size_t)(space - msg) : len;
    for (int i = 0; i < cs->stats.errorstat_count; i++) {
        if (strlen(cs->stats.errorstats[i].code) == code_len &&
            memcmp(cs->stats.errorstats[i].code, msg, code_len) == 0) {
            cs->stats.errorstats[i].count++;
            return;
        }
    }
    if (cs->stats.errorstat_count == COMMANDS_ERROR_CODES_MAX || code_len >= sizeof(cs->stats.errorstats[0].code))
        return;
    struct error_stat *e = &cs->stats.errorstats[cs->stats.errorstat_count++];
    memcpy(e->code, msg, code_len);
    e->code[code_len] = '\0';
    e->count = 1;
}

/* Whether msg starts with one of Redis's error codes and a space. Any
 * other text gets "ERR " in front, as in Redis ("DB index is out of range"
 * must not be taken for a code "DB"). */
static bool reply_has_code(const char *msg, size_t len)
{
    static const char *const codes[] = {
        "ERR", "WRONGTYPE", "NOAUTH", "WRONGPASS", "NOPROTO", "EXECABORT", "MISCONF", "BUSY",
        "NOSCRIPT", "LOADING", "READONLY", "OOM", "NOPERM", "BUSYKEY", "NOTBUSY", "CROSSSLOT",
        "UNKILLABLE", "NOREPLICAS", "MASTERDOWN", "BUSYGROUP", "NOGROUP", "UNBLOCKED",
    };
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        size_t n = strlen(codes[i]);
        if (len > n && memcmp(msg, codes[i], n) == 0 && msg[n] == ' ')
            return true;
    }
    return false;
}

void reply_error(struct client *c, const char *msg)
{
    size_t len = strlen(msg);
    /* A leading '-' means the caller supplies its own code (Redis's rule). */
    bool coded = true;
    if (len && msg[0] == '-') {
        msg++;
        len--;
    } else {
        coded = reply_has_code(msg, len);
    }
    buf_reserve(&c->conn.out, len + 8);
    reply_raw(c, coded ? "-" : "-ERR ", coded ? 1 : 5);
    size_t start = c->conn.out.len;
    reply_raw(c, msg, len);
    /* A newline inside an error would break the protocol. */
    for (size_t i = start; i < c->conn.out.len; i++)
        if (c->conn.out.data[i] == '\r' || c->conn.out.data[i] == '\n')
            c->conn.out.data[i] = ' ';
    reply_raw(c, "\r\n", 2);
    if (coded && !(len >= 1 && msg[0] == ' '))
        reply_count_error(c->commands, msg, len);
    else
        reply_count_error(c->commands, "ERR", 3);
    if (c->cmd)
        ((struct command *)c->cmd)->stats.failed_calls++;
}

void reply_errorf(struct client *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    reply_error(c, msg);
}

void reply_error_syntax(struct client *c)
{
    reply_error(c, "syntax error");
}

void reply_error_wrongtype(struct client *c)
{
    reply_error(c, "WRONGTYPE Operation against a key holding the wrong kind of value");
}

void reply_error_not_integer(struct client *c)
{
    reply_error(c, "value is not an integer or out of range");
}

void reply_error_not_float(struct client *c)
{
    reply_error(c, "value is not a valid float");
}

void reply_error_arity(struct client *c)
{
    reply_errorf(c, "wrong number of arguments for '%s' command", c->cmd ? c->cmd->fullname : "");
}

void reply_integer(struct client *c, long long v)
{
    reply_header(c, ':', v);
}

void reply_bulk(struct client *c, const void *p, size_t len)
{
    buf_reserve(&c->conn.out, len + 32);
    reply_header(c, '$', (long long)len);
    reply_raw(c, p, len);
    reply_raw(c, "\r\n", 2);
}

void reply_bulk_cstr(struct client *c, const char *s)
{
    reply_bulk(c, s, strlen(s));
}

void reply_bulk_ll(struct client *c, long long v)
{
    char text[32];
    size_t len = number_format_ll(text, v);
    reply_bulk(c, text, len);
}

void reply_double_text(struct client *c, const char *text, size_t len)
{
    if (c->resp == 3) {
        reply_raw(c, ",", 1);
        reply_raw(c, text, len);
        reply_raw(c, "\r\n", 2);
    } else {
        reply_bulk(c, text, len);
    }
}

void reply_double(struct client *c, double v)
{
    char text[128];
    size_t len = number_format_double(text, sizeof(text), v);
    reply_double_text(c, text, len);
}

void reply_bool(struct client *c, bool v)
{
    if (c->resp == 3)
        reply_raw(c, v ? "#t\r\n" : "#f\r\n", 4);
    else
        reply_raw(c, v ? ":1\r\n" : ":0\r\n", 4);
}

void reply_null(struct client *c)
{
    if (c->resp == 3)
        reply_raw(c, "_\r\n", 3);
    else
        reply_raw(c, "$-1\r\n", 5);
}

void reply_null_array(struct client *c)
{
    if (c->resp == 3)
        reply_raw(c, "_\r\n", 3);
    else
        reply_raw(c, "*-1\r\n", 5);
}

void reply_array_len(struct client *c, long long n)
{
    reply_header(c, '*', n);
}

void reply_empty_array(struct client *c)
{
    reply_raw(c, "*0\r\n", 4);
}

void reply_map_len(struct client *c, long long n)
{
    if (c->resp == 3)
        reply_header(c, '%', n);
    else
        reply_header(c, '*', n * 2);
}

void reply_set_len(struct client *c, long long n)
{
    reply_header(c, c->resp == 3 ? '~' : '*', n);
}

void reply_verbatim(struct client *c, const char *p, size_t len, const char *ext)
{
    if (c->resp != 3) {
        reply_bulk(c, p, len);
        return;
    }
    assert(strlen(ext) == 3);
    buf_reserve(&c->conn.out, len + 40);
    reply_header(c, '=', (long long)len + 4);
    reply_raw(c, ext, 3);
    reply_raw(c, ":", 1);
    reply_raw(c, p, len);
    reply_raw(c, "\r\n", 2);
}

size_t reply_defer_len(struct client *c)
{
    /* Nothing is reserved: reply_set_defer_len inserts the header here. No
     * send can start in between, since sends start only before the loop
     * sleeps, never during a command. */
    return c->conn.out.len;
}

void reply_set_defer_len(struct client *c, size_t handle, long long n, char type)
{
    if (c->conn.flags & (CONN_CLOSE_AFTER_REPLY | CONN_MUTED))
        return;
    assert(handle <= c->conn.out.len);
    char hdr[32];
    if (c->resp != 3)
        n = type == '%' ? n * 2 : n, type = '*';
    hdr[0] = type;
    size_t len = 1 + number_format_ll(hdr + 1, n);
    hdr[len++] = '\r';
    hdr[len++] = '\n';
    buf_reserve(&c->conn.out, len);
    memmove(c->conn.out.data + handle + len, c->conn.out.data + handle, c->conn.out.len - handle);
    memcpy(c->conn.out.data + handle, hdr, len);
    c->conn.out.len += len;
    conn_schedule_write(&c->conn);
}

void reply_help(struct client *c, const char *name, const char *const *lines)
{
    /* Redis's addReplyHelp: a title line, the given lines, then HELP. */
    size_t count = 0;
    while (lines[count])
        count++;
    reply_array_len(c, (long long)count + 3);
    char header[128];
    snprintf(header, sizeof(header), "%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
             name);
    reply_status(c, header);
    for (size_t i = 0; i < count; i++)
        reply_status(c, lines[i]);
    reply_status(c, "HELP");
    reply_status(c, "    Prints this help.");
}
