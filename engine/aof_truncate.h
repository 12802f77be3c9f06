/* aof_truncate.h: cutting an AOF file back to a point in time, as Redis
 * 7.0's `redis-check-aof --truncate-to-timestamp <ts>` does.
 *
 * Redis writes "#TS:<unix seconds>\r\n" before the first command of each
 * new second when aof-timestamp-enabled is on (engine/aof_encode.h
 * aof_encode_timestamp). redis-check-aof 7.0 reads the file record by
 * record and, at the first "#TS:" annotation whose value is greater than
 * the requested timestamp, cuts the file at the start of that line. Its
 * rules, kept here and by the callers:
 *   - a timestamp of 0 turns the feature off (nothing is ever cut);
 *   - "#TS:" must be followed by what strtol reads as a number (leading
 *     blanks and a sign allowed) and then '\r', else the file is refused
 *     ("Invalid timestamp annotation");
 *   - a cut at offset 0 is refused ("has nothing before timestamp");
 *   - only the last file of a multi-part AOF may be cut; a cut point in an
 *     earlier file (the base, or an incr that is not the last) is refused,
 *     and nothing is changed;
 *   - a malformed record before the cut point ends the walk first, so the
 *     cut is never reached (the file is reported as not valid instead).
 *
 * ringkv's batches (engine/aof_batch.h) add one rule. Its writer stages
 * the #TS line with the command it precedes, so the line can fall inside a
 * batch. Cutting there as Redis would leaves a header whose length runs
 * past the end of the file: ringkv's loader treats that batch as torn and
 * drops all of it, commands before the #TS line included, and the cut
 * would lose writes older than the timestamp. Removing the header instead
 * would leave plain records after padding at an unaligned offset, which
 * the loader also refuses. So a cut inside a batch keeps the batch's
 * earlier bytes and rewrites its header in place with the same seq and
 * the kept length and CRC-32C: the header has a fixed size, the batch
 * chain stays unbroken, and the file ends cleanly after it. A #TS line
 * that starts a batch's payload cuts before the batch's header (the batch
 * keeps nothing). A file without batches is cut exactly where
 * redis-check-aof cuts it.
 *
 * The search walks the file with engine/aof_reader, so it sees the
 * annotation lines between records exactly as the loader consumes them,
 * and stops at the first read problem. No allocation beyond the reader's. */
#ifndef RINGKV_ENGINE_AOF_TRUNCATE_H
#define RINGKV_ENGINE_AOF_TRUNCATE_H

#include "engine/aof_batch.h"
#include "engine/aof_reader.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The annotation Redis writes once a second and cuts at. */
#define AOF_TRUNCATE_TS_PREFIX "#TS:"
#define AOF_TRUNCATE_TS_PREFIX_BYTES 4

enum aof_ts_cut_result {
    AOF_TS_CUT_NONE,           /* no later #TS before the walk stopped:
                                  nothing to cut (see stop) */
    AOF_TS_CUT_FOUND,          /* cut the file as keep_bytes/header say */
    AOF_TS_CUT_NOTHING_BEFORE, /* the cut would leave an empty file */
    AOF_TS_CUT_BAD_ANNOTATION, /* a #TS line whose value does not parse */
};

struct aof_ts_cut {
    enum aof_ts_cut_result result;
    /* FOUND, NOTHING_BEFORE, BAD_ANNOTATION: where the #TS line starts
     * (redis-check-aof's offset) and, except for BAD_ANNOTATION, its value. */
    size_t ts_offset;
    long long ts;
    /* FOUND: the file's new length; when rewrite_header, the header at
     * header_offset is replaced by header first (same seq, the kept
     * length and CRC). keep_bytes > 0. */
    size_t keep_bytes;
    bool rewrite_header;
    size_t header_offset;
    uint64_t header_seq;
    uint8_t header[AOF_BATCH_HEADER_BYTES];
    /* NONE: how the walk ended: AOF_READ_EOF for a file read to its end,
     * else the reader's final result; AOF_READ_COMMAND when it stopped at
     * a MULTI/EXEC nesting error redis-check-aof reports ("Unexpected
     * MULTI"). The caller reports these as it always does. */
    enum aof_read_result stop;
};

/* Finds where buf[0..len) (borrowed for the call) is to be cut for
 * to_timestamp, reading records from offset start (after an RDB preamble
 * the caller checked; 0 otherwise). to_timestamp 0 always gives NONE.
 * Fills *cut. */
void aof_ts_find_cut(const char *buf, size_t len, size_t start, long long to_timestamp,
                     struct aof_ts_cut *cut);

/* Applies a FOUND cut to the file open for writing at fd: the header
 * rewrite (if any), the truncation, then an fsync, so the cut survives a
 * crash once this returns. Returns 0 or -errno; on failure the file may be
 * cut or not, and must not be trusted. */
int aof_ts_apply_cut(int fd, const struct aof_ts_cut *cut);

/* Parses the value of the #TS line at line[0..line_len) as redis-check-aof
 * does (strtol after "#TS:", which must end at '\r'). Returns false when
 * it does not parse; line must start with AOF_TRUNCATE_TS_PREFIX. */
bool aof_ts_parse(const char *line, size_t line_len, long long *ts);

#endif
