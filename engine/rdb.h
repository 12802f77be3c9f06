/* rdb.h: the RDB snapshot format: encoding a keyspace and loading one.
 *
 * Bytes leave through a `struct rdb_sink` and arrive through a
 * `struct rdb_source`, both defined here and both nothing more than a
 * callback and a context, so the encoder cannot tell a file written through
 * io_uring from a memory buffer, and the loader cannot tell a file from a
 * DUMP payload or a test vector. Both keep the running CRC-64 of every byte
 * that passed and their first error: later calls do nothing, and the caller
 * checks once at the end.
 *
 * The encoder writes what Redis 7.0 writes ("REDIS0010"), so redis-server
 * 7.0 and later can load our dumps. The loader reads RDB versions 1 to 12,
 * i.e. what Redis up to 7.4 and Valkey 8 write, except streams, modules
 * and hash field expiry, which it refuses with a clear message. Function
 * libraries pass through as source texts (see library_codes.h).
 *
 * Nothing read from a source is trusted: every length is checked against
 * what is left of the input (when its size is known) and against the
 * format's own limits before anything is allocated from it. Embedded
 * blobs (listpacks, intsets) are validated entry by entry before the value
 * types see them (sanitize-dump-payload yes), or, for a file whose CRC-64
 * vouches for them, only by header, size and terminator, as Redis does by
 * default; either way every walk the loader itself makes is bounds-checked.
 *
 * The encoder can split a keyspace among threads (engine/rdb_parallel.c)
 * and write the same bytes one thread would. */
#ifndef RINGKV_ENGINE_RDB_H
#define RINGKV_ENGINE_RDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/db.h"
#include "engine/dict.h"
#include "engine/library_codes.h"

/* The version this encoder writes (Redis 7.0's RDB_VERSION) and the newest
 * the loader accepts (Redis 7.4's). */
#define RDB_VERSION 10
#define RDB_VERSION_LOAD_MAX 12
/* "REDIS" + four digits. */
#define RDB_MAGIC_BYTES 9
/* The redis-ver AUX value we claim: the Redis release whose format and
 * behaviour we follow. */
#define RDB_REDIS_VER "7.0.15"

/* Bytes the sink gathers before calling write: big enough that a fork
 * child's writes are few and large, small enough to be no memory concern. */
#define RDB_SINK_BUFFER_BYTES (64 * 1024)
/* Bytes the source asks its read callback for at a time. */
#define RDB_SOURCE_BUFFER_BYTES (64 * 1024)
/* Room for the reason in a load error. */
#define RDB_ERROR_TEXT_BYTES 256

/* Value type ids and opcodes, numbered as in every RDB file. */
enum rdb_type {
    RDB_TYPE_STRING = 0,
    RDB_TYPE_LIST = 1,
    RDB_TYPE_SET = 2,
    RDB_TYPE_ZSET = 3,
    RDB_TYPE_HASH = 4,
    RDB_TYPE_ZSET_2 = 5,
    RDB_TYPE_MODULE_PRE_GA = 6,
    RDB_TYPE_MODULE_2 = 7,
    RDB_TYPE_HASH_ZIPMAP = 9,
    RDB_TYPE_LIST_ZIPLIST = 10,
    RDB_TYPE_SET_INTSET = 11,
    RDB_TYPE_ZSET_ZIPLIST = 12,
    RDB_TYPE_HASH_ZIPLIST = 13,
    RDB_TYPE_LIST_QUICKLIST = 14,
    RDB_TYPE_STREAM_LISTPACKS = 15,
    RDB_TYPE_HASH_LISTPACK = 16,
    RDB_TYPE_ZSET_LISTPACK = 17,
    RDB_TYPE_LIST_QUICKLIST_2 = 18,
    RDB_TYPE_STREAM_LISTPACKS_2 = 19,
    RDB_TYPE_SET_LISTPACK = 20,
    RDB_TYPE_STREAM_LISTPACKS_3 = 21,
    RDB_TYPE_HASH_METADATA_PRE_GA = 22,
    RDB_TYPE_HASH_LISTPACK_EX_PRE_GA = 23,
    RDB_TYPE_HASH_METADATA = 24,
    RDB_TYPE_HASH_LISTPACK_EX = 25,
    RDB_TYPE_COUNT = 26, /* sizes per-type counters */
};

enum rdb_opcode {
    RDB_OPCODE_SLOT_INFO = 244,
    RDB_OPCODE_FUNCTION2 = 245,
    RDB_OPCODE_FUNCTION_PRE_GA = 246,
    RDB_OPCODE_MODULE_AUX = 247,
    RDB_OPCODE_IDLE = 248,
    RDB_OPCODE_FREQ = 249,
    RDB_OPCODE_AUX = 250,
    RDB_OPCODE_RESIZEDB = 251,
    RDB_OPCODE_EXPIRETIME_MS = 252,
    RDB_OPCODE_EXPIRETIME = 253,
    RDB_OPCODE_SELECTDB = 254,
    RDB_OPCODE_EOF = 255,
};

/* ---- Output ---- */

/* Writes buf[0..len) in full (short writes are the callback's to finish);
 * returns 0 or -errno. */
typedef int (*rdb_write_fn)(void *ctx, const void *buf, size_t len);

struct rdb_sink {
    rdb_write_fn write;
    void *ctx;                /* borrowed, passed to write */
    uint64_t crc;             /* CRC-64 of the bytes accepted before buf[crc_pos] */
    uint64_t bytes;           /* bytes accepted so far (buffered ones included) */
    int error;                /* first -errno from write; sticky */
    unsigned char *buf;       /* owned, RDB_SINK_BUFFER_BYTES */
    size_t buf_used;
    size_t crc_pos;           /* buffered bytes before this are in crc (or uncounted) */
};

/* Sets up a sink over write/ctx (ctx borrowed for the sink's life). */
void rdb_sink_init(struct rdb_sink *sink, rdb_write_fn write, void *ctx);
/* Appends buf[0..len) (borrowed). Does nothing after an error. */
void rdb_sink_write(struct rdb_sink *sink, const void *buf, size_t len);
/* Appends bytes whose CRC the caller computed elsewhere: the sink's CRC
 * skips them until rdb_sink_add_crc folds in the CRC of exactly the bytes
 * appended this way since the last fold. */
void rdb_sink_write_uncounted(struct rdb_sink *sink, const void *buf, size_t len);
void rdb_sink_add_crc(struct rdb_sink *sink, uint64_t part_crc, uint64_t part_len);
/* The CRC-64 of every counted byte accepted so far. */
uint64_t rdb_sink_crc(struct rdb_sink *sink);
/* Hands the buffered bytes to write. Returns the sticky error (0 if none). */
int rdb_sink_flush(struct rdb_sink *sink);
/* Frees the buffer (without flushing). */
void rdb_sink_free(struct rdb_sink *sink);

/* A growable memory buffer with an rdb_write_fn, for tests and DUMP. */
struct rdb_buffer {
    unsigned char *data; /* owned */
    size_t len, cap;
};
/* rdb_write_fn appending to the struct rdb_buffer in ctx; never fails. */
int rdb_buffer_write(void *ctx, const void *buf, size_t len);
void rdb_buffer_free(struct rdb_buffer *b);

/* Keys between two calls of rdb_save_options.progress. */
#define RDB_PROGRESS_KEYS 1024

/* The access data saved before each key, as Redis does by maxmemory-policy
 * (even with no maxmemory): an LRU policy saves the idle time
 * (RDB_OPCODE_IDLE, seconds), an LFU one the decayed counter
 * (RDB_OPCODE_FREQ); the others save neither. */
enum rdb_access_data { RDB_ACCESS_NONE = 0, RDB_ACCESS_IDLE, RDB_ACCESS_FREQ };

struct rdb_save_options {
    bool compression; /* rdbcompression: LZF for strings longer than 20 bytes */
    /* Compress every string with liblzf, whose output is Redis's byte for
     * byte, rather than short ones with engine/lzf_encode.c (DUMP). */
    bool lzf_redis_bytes;
    enum rdb_access_data access; /* read with the keyspace's clock and lfu_decay_minutes */
    bool checksum;    /* rdbchecksum: write the CRC-64, else 0 */
    bool aof_base;    /* the aof-base AUX value: written as an AOF base file */
    int64_t ctime_s;  /* the ctime AUX value (unix seconds) */
    uint64_t used_mem; /* the used-mem AUX value */
    /* Replication (Redis's rdbSaveInfo): the repl-stream-db, repl-id and
     * repl-offset AUX values, written when repl_id is not NULL. */
    const char *repl_id;
    long long repl_offset;
    int repl_stream_db;
    /* rdb_save: encoding threads. 0 or 1 encodes on the caller's thread;
     * more splits the keys among that many threads (engine/rdb_parallel.c)
     * while the caller's thread writes. The bytes are the same either way. */
    int threads;
    /* May be NULL. Called on the thread that writes to the sink, about
     * every RDB_PROGRESS_KEYS keys, with the keys encoded so far. */
    void (*progress)(void *ctx, uint64_t keys_done);
    void *progress_ctx; /* borrowed */
    /* May be NULL. Called after each key, on the thread that encoded it
     * (a test hook that slows a save down: rdb-key-save-delay). */
    void (*after_key)(void *ctx);
    void *after_key_ctx; /* borrowed */
    /* May be NULL. The function libraries, written after the AUX fields
     * as Redis 7.0 writes them (one RDB_OPCODE_FUNCTION2 record each). */
    const struct library_codes *functions; /* borrowed */
};

enum rdb_encoder_stage {
    RDB_ENCODER_HEADER,
    RDB_ENCODER_DB_START,
    RDB_ENCODER_KEYS,
    RDB_ENCODER_TRAILER,
    RDB_ENCODER_DONE,
};

/* An incremental encoder: each rdb_encoder_step writes at most a given
 * number of keys, so a caller can interleave it with other work; memory
 * beyond the values themselves is the sink's buffer and one LZF scratch
 * buffer as large as the largest string compressed. The keyspace must not
 * change between steps (it runs in a fork child). */
struct rdb_encoder {
    struct keyspace *keyspace; /* borrowed */
    struct rdb_sink *sink;     /* borrowed */
    struct rdb_save_options options;
    enum rdb_encoder_stage stage;
    int db_index;
    struct dict_iter iter;     /* live while stage == RDB_ENCODER_KEYS */
    unsigned char *scratch;    /* owned LZF output buffer */
    size_t scratch_bytes;
    uint64_t keys_written;
};

/* Starts an encoding of ks (borrowed) into sink (borrowed). */
void rdb_encoder_init(struct rdb_encoder *enc, struct keyspace *ks, struct rdb_sink *sink,
                      const struct rdb_save_options *options);
/* Writes up to keys_max keys (and the header, db openings and trailer as
 * they come). Returns true when the whole file has been written or the sink
 * failed; then call rdb_encoder_finish. */
bool rdb_encoder_step(struct rdb_encoder *enc, size_t keys_max);
/* Releases the encoder (also when stopped early) and flushes the sink.
 * Returns the sink's error, 0 on success. */
int rdb_encoder_finish(struct rdb_encoder *enc);
/* The whole encoding in one call (on options->threads threads). Returns 0
 * or the sink's -errno. */
int rdb_save(struct keyspace *ks, struct rdb_sink *sink, const struct rdb_save_options *options);

/* The file in pieces, for the parallel encoder: the header; per non-empty
 * database its opening (SELECTDB, RESIZEDB) and then its keys, bucket
 * range by bucket range (table 0, then table 1 while rehashing, as the
 * single-threaded walk visits them); the trailer. Each writes to the
 * encoder's sink. rdb_encoder_put_buckets only reads the keyspace, so
 * encoders on different threads may run it on disjoint ranges at once;
 * it returns the keys written. */
void rdb_encoder_put_header(struct rdb_encoder *enc);
void rdb_encoder_put_db_open(struct rdb_encoder *enc, int db_index);
uint64_t rdb_encoder_put_buckets(struct rdb_encoder *enc, int db_index, int table, uint64_t lo,
                                 uint64_t hi);
void rdb_encoder_put_trailer(struct rdb_encoder *enc);
/* rdb_save with options->threads >= 2 encoding threads. */
int rdb_save_parallel(struct keyspace *ks, struct rdb_sink *sink,
                      const struct rdb_save_options *options);

/* ---- Input ---- */

/* Reads up to len bytes into buf; returns the count (0 at end of input) or
 * -errno. */
typedef long (*rdb_read_fn)(void *ctx, void *buf, size_t len);

struct rdb_source {
    rdb_read_fn read;
    void *ctx;            /* borrowed, passed to read */
    uint64_t size;        /* total input bytes, or RDB_SOURCE_SIZE_UNKNOWN */
    uint64_t offset;      /* bytes consumed so far */
    uint64_t crc;         /* CRC-64 of the consumed bytes (up to crc_pos) */
    int error;            /* first -errno from read; sticky */
    unsigned char *buf;   /* owned, RDB_SOURCE_BUFFER_BYTES (NULL for memory) */
    const unsigned char *data; /* current window: buf, or the memory input */
    size_t data_len, pos, crc_pos;
    bool at_end;          /* read returned 0 */
};
#define RDB_SOURCE_SIZE_UNKNOWN UINT64_MAX

/* A source over read/ctx (borrowed). size is the total input length when
 * known (a file's size), which lets the loader refuse lengths that run past
 * the end before allocating anything; else RDB_SOURCE_SIZE_UNKNOWN. */
void rdb_source_init(struct rdb_source *src, rdb_read_fn read, void *ctx, uint64_t size);
/* A source over data[0..len) (borrowed until the load ends). */
void rdb_source_init_memory(struct rdb_source *src, const void *data, size_t len);
void rdb_source_free(struct rdb_source *src);

/* Called for each AUX field (all borrowed for the call). */
typedef void (*rdb_aux_fn)(void *ctx, const char *key, size_t key_len, const char *val,
                           size_t val_len);

/* Validation of embedded blobs (listpacks, intsets), as Redis 7.0's
 * sanitize-dump-payload decides it for a load:
 *   - deep (the default, false here): every entry of every blob is walked
 *     and checked (sizes, backlens, counts, intset order, zset scores)
 *     before the value types see it; for `sanitize-dump-payload yes`,
 *     ringkv-check-rdb, and any file without a checksum;
 *   - skip_deep_validation: only what Redis's shallow validation checks
 *     (a blob's header, total size and terminator, plus the first listpack
 *     entry), with every walk the loader itself does still bounds-checked
 *     (a bad entry is a load error with its offset). For `no` and
 *     `clients` at start-up, DEBUG RELOAD and an AOF base. The blobs are
 *     then vouched for by the file's CRC-64 alone: such a load fails
 *     (rdb_load_info.checksum_missing) unless the file ends with a non-zero
 *     CRC-64 that matches, so a caller should set it only for a file whose
 *     trailer it saw is non-zero, and load again deeply when told. */
struct rdb_load_options {
    const struct encoding_limits *limits; /* borrowed: when to use the big encodings */
    int64_t now_ms;     /* keys expiring before this are dropped ... */
    bool keep_expired;  /* ... unless set (loading an AOF base, or checking) */
    bool skip_deep_validation; /* see above; false: deep */
    rdb_aux_fn on_aux;  /* may be NULL */
    void *aux_ctx;
    /* Called with each function library's source (RDB_OPCODE_FUNCTION2,
     * or the pre-GA RDB_OPCODE_FUNCTION_PRE_GA form Redis 7.0 also reads),
     * borrowed for the call; returns false to fail the load with err
     * (NUL-terminated, at most err_len bytes) as the reason; replace is
     * options.merge. NULL: the
     * records are read and skipped (a checker). */
    bool (*on_function)(void *ctx, const char *code, size_t len, bool replace, char *err,
                        size_t err_len);
    void *function_ctx;
    /* DEBUG RELOAD MERGE (Redis's RDBFLAGS_ALLOW_DUP): a key already in
     * the keyspace is replaced by the file's, and on_function is told to
     * replace a library of the same name; otherwise both fail the load. */
    bool merge;
};

enum rdb_load_result {
    RDB_LOAD_OK = 0,
    RDB_LOAD_BAD,  /* the input is not a file we can load: see error_text */
    RDB_LOAD_IO,   /* the read callback failed: see io_error */
};

/* What a load found. The AUX fields the loader knows are kept here. */
struct rdb_load_info {
    int version;
    char redis_ver[32];       /* redis-ver or valkey-ver, "" if absent */
    long long redis_bits;     /* -1 if absent */
    long long ctime_s;        /* -1 if absent */
    long long used_mem;       /* -1 if absent */
    long long aof_base;       /* -1 if absent */
    char repl_id[41];         /* repl-id, "" if absent (or not 40 bytes) */
    long long repl_offset;    /* repl-offset, -1 if absent */
    long long repl_stream_db; /* repl-stream-db, -1 if absent */
    uint64_t keys_loaded;
    uint64_t keys_expired_skipped; /* dropped because already expired */
    uint64_t keys_empty_skipped;   /* empty collections, skipped as Redis does */
    uint64_t keys_by_type[RDB_TYPE_COUNT]; /* per RDB type id, as read */
    uint64_t checksum;        /* the trailer's CRC-64 (0: not checked) */
    /* Set with RDB_LOAD_BAD when a load with skip_deep_validation found no
     * checksum to vouch for its blobs (a stored 0, or a version before 5):
     * discard the keyspace and load again without skipping. */
    bool checksum_missing;
    uint64_t bytes;           /* bytes consumed */
    /* Set when the result is not RDB_LOAD_OK. */
    uint64_t error_offset;    /* byte offset of the problem */
    int io_error;             /* -errno for RDB_LOAD_IO */
    char error_text[RDB_ERROR_TEXT_BYTES];
};

/* Loads every key of src into ks, which should be empty (a key already
 * present counts as a duplicate). On failure the keys loaded so far stay in
 * ks: the caller flushes it or exits, as Redis does. The error reported is
 * the first in file order. */
enum rdb_load_result rdb_load(struct rdb_source *src, struct keyspace *ks,
                              const struct rdb_load_options *options, struct rdb_load_info *info);

/* The function records of a FUNCTION DUMP payload (the same bytes as in
 * an RDB file, strings compressed when compression is set) into sink. */
void rdb_encode_functions(struct rdb_sink *sink, const struct library_codes *codes,
                          bool compression);

/* What rdb_decode_function_record found. */
enum rdb_function_record {
    RDB_FUNCTION_RECORD_OK,  /* *code and *len set (owned by the caller: alloc_free) */
    RDB_FUNCTION_RECORD_BAD, /* err holds Redis's reason */
};
/* Reads one function record (its opcode, 245 or the pre-GA 246, then its
 * body) from src, for FUNCTION RESTORE. */
enum rdb_function_record rdb_decode_function_record(struct rdb_source *src, char **code,
                                                    size_t *len, char *err, size_t err_len);

/* ---- DUMP / RESTORE payloads ----
 *
 * Redis 7.0's DUMP format: the RDB type byte and the value as an RDB file
 * holds it (no key), then the RDB version (2 bytes, little-endian) and the
 * CRC-64 of everything before it (8 bytes, little-endian). */
#define RDB_DUMP_FOOTER_BYTES 10

/* Appends the payload of kv's value (borrowed) to out. compression is
 * rdbcompression's (LZF for long strings), as for a snapshot. */
void rdb_dump_value(struct kv *kv, bool compression, struct rdb_buffer *out);

enum rdb_restore_result {
    RDB_RESTORE_OK = 0,
    RDB_RESTORE_BAD_FOOTER, /* too short, a newer version, or a wrong CRC-64 */
    RDB_RESTORE_BAD_DATA,   /* the value does not decode (or is empty) */
};

/* Why a payload's value did not decode (RDB_RESTORE_BAD_DATA). */
struct rdb_restore_error {
    uint64_t offset; /* into the payload */
    char text[RDB_ERROR_TEXT_BYTES];
};

/* Checks payload[0..len)'s footer (version at most RDB_VERSION, and the
 * CRC-64 unless skip_checksum) and decodes its value under key[0..key_len)
 * into *out (owned by the caller), with every blob validated deeply and
 * every length checked against the payload. Nothing is trusted, nothing
 * read past len; *out is NULL unless RDB_RESTORE_OK. err (may be NULL)
 * gets the reason of a RDB_RESTORE_BAD_DATA. */
enum rdb_restore_result rdb_restore_value(const void *payload, size_t len, const char *key,
                                          size_t key_len, const struct encoding_limits *limits,
                                          bool skip_checksum, struct kv **out,
                                          struct rdb_restore_error *err);

/* Name of an RDB type id for messages ("quicklist2"), or "unknown". */
const char *rdb_type_name(int type);

#endif
