/* aof_encode.h: building AOF records in memory.
 *
 * An AOF record is one command as a RESP multibulk: "*<argc>\r\n" then, per
 * argument, "$<len>\r\n<bytes>\r\n". This module appends such records to a
 * growable byte buffer and decides when a SELECT must precede a command.
 * Writing the buffer to a file is someone else's job (uring/ via net/). */
#ifndef RINGKV_ENGINE_AOF_ENCODE_H
#define RINGKV_ENGINE_AOF_ENCODE_H

#include <stddef.h>

/* A growable byte buffer. data is owned by the buffer (allocated with
 * engine/alloc.h) and moves when the buffer grows: pointers into it are
 * valid only until the next append. A zeroed struct is an empty buffer. */
struct aof_buffer {
    char *data;  /* owned; NULL until the first append */
    size_t len;  /* bytes in use */
    size_t cap;  /* bytes allocated */
};

/* One command argument, borrowed from the caller for the call's duration. */
struct aof_arg {
    const char *ptr;
    size_t len;
};

void aof_buffer_init(struct aof_buffer *buf);
/* Frees data and leaves an empty buffer that may be reused. */
void aof_buffer_free(struct aof_buffer *buf);
/* Forgets the contents but keeps the allocation for reuse. */
void aof_buffer_clear(struct aof_buffer *buf);
/* Makes room for at least extra more bytes. */
void aof_buffer_reserve(struct aof_buffer *buf, size_t extra);
void aof_buffer_append(struct aof_buffer *buf, const void *bytes, size_t len);
/* Appends a NUL-terminated string (without its NUL). */
void aof_buffer_append_str(struct aof_buffer *buf, const char *s);
/* Appends printf-formatted text. */
void aof_buffer_appendf(struct aof_buffer *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends one command as a RESP multibulk. argv is borrowed; argc >= 1. */
void aof_encode_command(struct aof_buffer *buf, size_t argc, const struct aof_arg *argv);

/* Appends "SELECT <db>" as a multibulk. */
void aof_encode_select(struct aof_buffer *buf, int db);

/* Appends "#TS:<unix_s>\r\n", the annotation Redis writes before the first
 * command of each new second when aof-timestamp-enabled is on. */
void aof_encode_timestamp(struct aof_buffer *buf, long long unix_s);

/* The longest prefix of buf[0..len) (whole records and annotation lines,
 * as this file encodes them) of at most max bytes that ends where a unit
 * ends: a record, an annotation line, or a whole MULTI ... EXEC. Returns 0
 * when the first unit is longer than max. A log that cuts its batches
 * there never splits a record or a transaction between two of them. */
size_t aof_units_prefix(const char *buf, size_t len, size_t max);
/* The length of buf's first unit (len when it is cut off). */
size_t aof_units_first(const char *buf, size_t len);

/* The SELECT emission rule: the AOF writer remembers the db its last
 * command ran in; a command for another db is preceded by SELECT. Redis
 * resets the memory to "none" (-1) when a new INCR file starts, so every
 * INCR file begins with a SELECT. */
#define AOF_SELECTED_DB_NONE (-1)

struct aof_select_state {
    int db;  /* db of the last command written, or AOF_SELECTED_DB_NONE */
};

void aof_select_reset(struct aof_select_state *state);
/* Appends SELECT when db differs from the last one written and records
 * db. Returns 1 when a SELECT was appended, 0 otherwise. db >= 0. */
int aof_select_emit_if_needed(struct aof_select_state *state, struct aof_buffer *buf, int db);

#endif
