/* aof_reader.h: walking the commands in one AOF file's bytes.
 *
 * The reader parses a whole file held in memory (read or mmapped by the
 * caller) and hands back one command at a time as argv spans that point
 * into the caller's bytes, so it never copies or allocates for payloads.
 * It tells apart a clean end, a truncated tail (what a crash leaves, and
 * what Redis repairs with aof-load-truncated), a torn log (ringkv's
 * batches, below) and corruption (always fatal in Redis), and reports
 * where the valid prefix ends. It has no I/O.
 *
 * Batches (engine/aof_batch.h). ringkv frames what it appends in batches,
 * each a header line (sequence number, length, CRC-32C) and whole records,
 * written into space pre-filled with padding lines, several at once: after
 * a power cut a later batch may be on disk and an earlier one not, and a
 * batch may be torn at sector granularity. So that what is replayed is
 * always a prefix of what was logged, the log of a file ends:
 *   - at a header whose seq is not the previous header's + 1 (1 for the
 *     first in the file), whose batch runs past the end of the file or
 *     fails its CRC, or that is malformed: nothing of that batch or after
 *     it counts;
 *   - at the end of the last good batch or record when padding follows and
 *     then anything but more padding, the next header or a tail Redis
 *     appended: records starting at an AOF_READER_TAIL_ALIGN_BYTES-aligned
 *     offset, with no padding line before the next header (whose seq must
 *     follow) or the end of the file. Other bytes after padding are what
 *     is left of a batch whose header did not reach the disk;
 *   - at the end of a batch when the bytes right after it are not a record,
 *     an annotation, padding or a header.
 * These end the read with AOF_READ_TORN. Records right after a batch with
 * no padding between (Redis appended to a cleanly closed file) are read as
 * in a file without batches; padding alone at the end is a clean EOF whose
 * valid_end stops before the padding. A file without batch headers or
 * padding (Redis's own) reads exactly as Redis reads it. Records inside a
 * batch are returned only after its CRC matched; one that does not end
 * inside its batch is corruption. */
#ifndef RINGKV_ENGINE_AOF_READER_H
#define RINGKV_ENGINE_AOF_READER_H

#include "engine/aof_encode.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Arguments per command. Redis's loader accepts any positive count, but a
 * count this large in an AOF only comes from corruption; client commands
 * are limited the same way by the multibulk parser. */
#define AOF_READER_ARGC_MAX (1024 * 1024)
/* Default ceiling for one argument: proto-max-bulk-len's default. */
#define AOF_READER_BULK_BYTES_DEFAULT (512ULL * 1024 * 1024)
/* Redis reads annotation lines ('#...') with a 1024-byte fgets buffer
 * (AOF_ANNOTATION_LINE_MAX_LEN): a line of up to 1023 bytes, newline
 * included, is skipped whole; longer lines fall apart there. */
#define AOF_READER_ANNOTATION_BYTES_MAX 1024
/* Records after padding are accepted as a tail Redis appended only when
 * they start at a multiple of this: Redis appends at the end of the file,
 * and ringkv's log writer keeps a file with pre-written padding at a
 * multiple of it. */
#define AOF_READER_TAIL_ALIGN_BYTES 4096
/* Digits in a "*<n>" or "$<n>" header. 18 digits cannot overflow a 64-bit
 * size, and every legal value has far fewer. */
#define AOF_READER_NUMBER_DIGITS_MAX 18
/* Room for a formatted reason, offsets included. */
#define AOF_READER_REASON_BYTES_MAX 192

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
    AOF_READ_TORN,      /* the log ends at valid_end before the bytes do: a
                           batch out of sequence, torn or malformed, or bytes
                           after padding or a batch that belong to no batch;
                           error_offset and reason say which */
};

/* Where the reader stands with respect to batches (see the top). */
enum aof_reader_zone {
    AOF_READER_PLAIN,       /* records as Redis writes them */
    AOF_READER_BATCH,       /* inside a batch whose CRC matched */
    AOF_READER_AFTER_BATCH, /* right after a batch */
    AOF_READER_PADDING,     /* after one or more padding lines */
};

struct aof_reader {
    const char *buf;       /* borrowed: the file's bytes, alive while reading */
    size_t len;            /* bytes in buf */
    size_t bulk_max;       /* largest argument accepted */
    size_t pos;            /* next byte to parse */
    size_t limit;          /* records must end by here: len, or the end of
                              the batch being read */

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

    enum aof_reader_zone zone;
    uint64_t batch_seq;    /* the last batch whose CRC matched, 0 before one */
    uint64_t valid_batch_seq; /* the last batch before valid_end: what a file
                              cut at valid_end ends with (0: none) */
    uint64_t batches;      /* batches whose CRC matched */
    size_t batch_end;      /* zone BATCH: where the batch's bytes end */

    enum aof_read_result final; /* sticky once EOF, TRUNCATED, CORRUPT, RDB or TORN */
    size_t error_offset;   /* TRUNCATED/CORRUPT/TORN: the offset of the read
                              that failed (TORN: of the header or stray bytes) */
    bool bad_record_start; /* CORRUPT because a record began with neither '*' nor '#' */
    char reason[AOF_READER_REASON_BYTES_MAX]; /* TRUNCATED/CORRUPT/TORN: why */
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
 * (annotations, batch headers and padding are skipped); the other results
 * are final and repeat on every later call. A file that is empty from the
 * start reads as EOF. At EOF, valid_end < len only when everything after it
 * is padding. MULTI/EXEC/DISCARD are recognised case-insensitively to keep
 * valid_end before an unterminated transaction, as Redis's loader reverts
 * one. valid_end moves over a batch only at its end, so cutting there
 * never splits a batch. (ringkv's writer never lets a transaction span
 * batches; if one did and the log ended inside it, the cut would fall
 * before the batch it began in, though its commands before MULTI were
 * returned.) */
enum aof_read_result aof_reader_next(struct aof_reader *r);

/* Returns a static name for a result, for logs. */
const char *aof_read_result_name(enum aof_read_result result);

#endif
