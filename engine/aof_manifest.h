/* aof_manifest.h: the Redis 7.0 multi-part AOF manifest.
 *
 * The AOF directory holds one BASE file (an RDB or RESP snapshot), the INCR
 * files written since, history files waiting for deletion, and a manifest
 * naming them, one line each:
 *
 *     file appendonly.aof.2.base.rdb seq 2 type b
 *     file appendonly.aof.2.incr.aof seq 2 type i
 *
 * This module parses and validates manifests as Redis 7.0 does, writes them
 * back byte for byte as redis-server 7.0.15 does (base, then history, then
 * incr lines; only a name holding a single quote differs: we quote it, so
 * the line reads back), names the files, performs the list edits a rewrite
 * needs and replaces the manifest file crash-safely. */
#ifndef RINGKV_ENGINE_AOF_MANIFEST_H
#define RINGKV_ENGINE_AOF_MANIFEST_H

#include "engine/aof_encode.h"

#include <stdbool.h>
#include <stddef.h>

/* Redis reads manifest lines with a 1025-byte fgets buffer, so a line of
 * more than 1024 bytes (newline included) is "too long". */
#define AOF_MANIFEST_LINE_BYTES_MAX 1024
/* A manifest lists a handful of files; Redis has no limit, but anything
 * near this size is not a manifest, and we refuse to read it whole. */
#define AOF_MANIFEST_FILE_BYTES_MAX (16 * 1024 * 1024)
/* Largest seq a manifest may give. Each rewrite adds one to the newest
 * BASE and INCR seq (an assert guards the overflow); stopping here leaves
 * over 8 * 10^18 rewrites, so no file can bring that assert within reach.
 * Redis reads seq with atoll and has no limit. */
#define AOF_MANIFEST_SEQ_MAX 1000000000000000000LL

#define AOF_MANIFEST_SUFFIX ".manifest"
#define AOF_MANIFEST_TEMP_PREFIX "temp-"
#define AOF_BASE_SUFFIX ".base"
#define AOF_INCR_SUFFIX ".incr"
#define AOF_RDB_FORMAT_SUFFIX ".rdb"
#define AOF_RESP_FORMAT_SUFFIX ".aof"

enum aof_file_type {
    AOF_FILE_TYPE_BASE = 'b',
    AOF_FILE_TYPE_HISTORY = 'h',
    AOF_FILE_TYPE_INCR = 'i',
};

struct aof_file_info {
    char *name;              /* owned, NUL-terminated, a bare file name */
    long long seq;           /* >= 1 */
    enum aof_file_type type;
};

struct aof_file_list {
    struct aof_file_info *items; /* owned array */
    size_t count;
    size_t cap;
};

struct aof_manifest {
    bool has_base;
    struct aof_file_info base;    /* valid when has_base */
    struct aof_file_list history; /* manifest order: newest first */
    struct aof_file_list incr;    /* strictly increasing seq: load order */
    long long base_seq;           /* seq of the newest BASE (0: none yet) */
    long long incr_seq;           /* seq of the newest INCR (0: none yet) */
};

/* Why a manifest was rejected. reason is one of Redis's messages, or
 * ringkv's where it is stricter (static storage); line is the 1-based line
 * Redis would report, or 0. When Redis
 * would also echo the offending line, has_line_text is set and
 * text[line_offset, line_offset + line_len) is that line, untrimmed. */
struct aof_manifest_error {
    int line;
    const char *reason;
    bool has_line_text;
    size_t line_offset;
    size_t line_len;
}; 

enum aof_manifest_parse_result {
    AOF_MANIFEST_PARSE_OK,
    AOF_MANIFEST_PARSE_BAD,
};

void aof_manifest_init(struct aof_manifest *m);
void aof_manifest_free(struct aof_manifest *m);
/* Makes dst (uninitialised) an owned deep copy of src. */
void aof_manifest_copy(struct aof_manifest *dst, const struct aof_manifest *src);

/* Parses text[0..len) (borrowed) into m, which must be freshly initialised.
 * On BAD, err says why and m holds whatever parsed before (free it). */
enum aof_manifest_parse_result aof_manifest_parse(struct aof_manifest *m, const char *text,
                                                  size_t len, struct aof_manifest_error *err);

/* Appends the manifest text as redis-server 7.0 writes it. */
void aof_manifest_serialise(const struct aof_manifest *m, struct aof_buffer *out);

/* File names. Each returns an owned NUL-terminated string (alloc_free). */
char *aof_manifest_file_name(const char *appendfilename);      /* <a>.manifest */
char *aof_manifest_temp_file_name(const char *appendfilename); /* temp-<a>.manifest */
char *aof_manifest_base_file_name(const char *appendfilename, long long seq, bool rdb);
char *aof_manifest_incr_file_name(const char *appendfilename, long long seq);
/* Redis's rule for appendfilename and manifest entries: no '/' or '\\'. */
bool aof_manifest_name_is_basename(const char *name);

/* Appends a new INCR file with seq = ++incr_seq. Returns it, borrowed:
 * valid until the manifest is next changed. */
const struct aof_file_info *aof_manifest_add_incr(struct aof_manifest *m,
                                                  const char *appendfilename);
/* Installs a new BASE with seq = ++base_seq, moving the old one (if any) to
 * the front of the history. Returns it, borrowed like add_incr's. */
const struct aof_file_info *aof_manifest_new_base(struct aof_manifest *m,
                                                  const char *appendfilename, bool rdb);
/* After a successful rewrite: moves the INCR files into history, keeping
 * the last one (the one being appended to) when keep_last. Moved files go
 * to the front of the history in their original order, as Redis does. */
void aof_manifest_mark_incr_history(struct aof_manifest *m, bool keep_last);
/* Forgets the history, once its files are deleted. */
void aof_manifest_clear_history(struct aof_manifest *m);

/* The files to load, in order: the BASE (if any), then every INCR. */
size_t aof_manifest_load_count(const struct aof_manifest *m);
const struct aof_file_info *aof_manifest_load_file(const struct aof_manifest *m, size_t index);

/* Reads a whole file into out (appended). Returns 0, or -errno; -EFBIG when
 * it is larger than AOF_MANIFEST_FILE_BYTES_MAX. */
int aof_manifest_read_file(const char *path, struct aof_buffer *out);

/* Replaces <dir>/<appendfilename>.manifest crash-safely: writes
 * temp-<appendfilename>.manifest in dir, fdatasyncs it, renames it over the
 * manifest and fsyncs dir. Returns 0 or -errno. A failure before the rename
 * leaves the old manifest (the temp file is removed); a failed directory
 * fsync after it leaves either manifest possibly on disk, so a caller must
 * then delete no file that either one names. */
int aof_manifest_write_file(const char *dir, const char *appendfilename,
                            const struct aof_manifest *m);

#endif
