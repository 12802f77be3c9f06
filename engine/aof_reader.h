/* aof_reader.h: walking the commands in one AOF file's bytes.
 *
 * The reader parses a whole file held in memory (read or mmapped by the
 * caller) and hands back one command at a time as argv spans that point
 * into the caller's bytes, so it never copies or allocates for payloads.
 * It tells apart a clean end, a truncated tail (what a crash leaves, and
 * what Redis repairs with aof-load-truncated) and corruption (always fatal
 * in Redis), and reports where the valid prefix ends. It has no I/O. */
#ifndef RINGKV_ENGINE_AOF_READER_H
#define RINGKV_ENGINE_AOF_READER_H

#include "engine/aof_encode.h"

#include <stdbool.h>
#include <stddef.h>

/* Arguments per command. Redis's loader accepts any positive count, but a
 * count this large in an AOF only comes from corruption; client commands
 * are limited the same way by the multibulk parser. */
#define AOF_READER_ARGC_MAX (1024 * 1024)
/* Default ceiling for one argument: proto-max-bulk-len's default. */
#define AOF_READER_BULK_BYTES_DEFAULT (512ULL * 1024 * 1024)
/* Redis reads annotation lines ('#...') with a 1024-byte fgets buffer
 * (AOF_ANNOTATION_LINE_MAX_LEN); longer lines fall apart there. */
#define AOF_READER_ANNOTATION_BYTES_MAX 1024
/* Digits in a "*<n>" or "$<n>" header. 18 digits cannot overflow a 64-bit
 * size, and every legal value has far fewer. */
#define AOF_READER_NUMBER_DIGITS_MAX 18
/* Room for a formatted reason, offsets included. */
#define AOF_READER_REASON_BYTES_MAX 128

/* What Redis's loader logs for the two failure kinds (followed there by the
 * file name and advice). */
#define AOF_READER_FORMAT_ERROR_MESSAGE "Bad file format reading the append only file"
#define AOF_READER_EOF_MESSAGE "Unexpected end of file reading the append only file"

enum aof_read_result {
    AOF_READ_COMMAND,   /* argc/argv hold one complete command */
    AOF_READ_EOF,       /* clean end: every byte belonged to complete commands */
    AOF_READ_TRUNCATED, /* the bytes end inside a command, an annotation or an
                           open MULTI; valid_end says where to cut */
    AOF_READ_CORRUPT,   /* a malformed byte at error_offset; reason says why */
    AOF_READ_RDB,       /* the file starts with "REDIS": an RDB base/preamble */
};

struct aof_reader {
    const char *buf;       /* borrowed: the file's bytes, alive while reading */
    size_t len;            /* bytes in buf */
    size_t bulk_max;       /* largest argument accepted */
    size_t pos;            /* next byte to parse */

    size_t argc;           /* the last command's argument count */
    struct aof_arg *argv;  /* owned array, reused; spans borrow from buf and
                              are valid until the next call */
    size_t argv_cap;       /* slots allocated in argv */
    size_t command_offset; /* where the last command (or failed record) starts */

    size_t valid_end;      /* end of the last complete command outside an
                              open MULTI: the offset to truncate a tail to */
    bool in_multi;         /* a MULTI was read and no EXEC/DISCARD yet */
    size_t multi_offset;   /* where that MULTI starts */
    long long lines;       /* header and payload lines consumed, counted like
                              redis-check-aof's ok_up_to_line (from 1) */

    enum aof_read_result final; /* sticky once EOF, TRUNCATED, CORRUPT or RDB */
    size_t error_offset;   /* TRUNCATED/CORRUPT: the offset of the read that failed */
    bool bad_record_start; /* CORRUPT because a record began with neither '*' nor '#' */
    char reason[AOF_READER_REASON_BYTES_MAX]; /* TRUNCATED/CORRUPT: why */
};

/* Starts reading buf[0..len), which the reader borrows until it is freed.
 * bulk_max is the largest argument accepted (AOF_READER_BULK_BYTES_DEFAULT
 * normally); it must be at most SIZE_MAX / 4. */
void aof_reader_init(struct aof_reader *r, const void *buf, size_t len, size_t bulk_max);
/* Frees the argv array; buf stays the caller's. */
void aof_reader_free(struct aof_reader *r);
/* Continues at offset, e.g. after an RDB preamble the caller parsed itself,
 * and treats everything before it as valid. offset <= len, and no command
 * may have been read yet. */
void aof_reader_skip_to(struct aof_reader *r, size_t offset);

/* Parses the next record. AOF_READ_COMMAND leaves the command in argc/argv
 * (annotations are skipped); the other results are final and repeat on
 * every later call. A file that is empty from the start reads as EOF.
 * MULTI/EXEC/DISCARD are recognised case-insensitively to keep valid_end
 * before an unterminated transaction, as Redis's loader reverts one. */
enum aof_read_result aof_reader_next(struct aof_reader *r);

/* Returns a static name for a result, for logs. */
const char *aof_read_result_name(enum aof_read_result result);

#endif
