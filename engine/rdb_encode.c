/* rdb_encode.c: writing the RDB format.
 *
 * Owns the sink plumbing (buffering and the running CRC-64), the memory
 * buffer used by tests and DUMP, and the encoder that walks a keyspace and
 * writes what Redis 7.0 writes. Files, fsync, rename and fork are net/'s;
 * the in-memory layout of each value is its type module's, and blobs
 * (listpack, intset) leave as the bytes they are.
 *
 * Sections: sink; encoder. Loading is engine/rdb_decode.c. */
#include "engine/rdb.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <lzf.h>

#include "engine/alloc.h"
#include "engine/crc64.h"
#include "engine/evict.h"
#include "engine/hash.h"
#include "engine/intset.h"
#include "engine/kv.h"
#include "engine/list.h"
#include "engine/listpack.h"
#include "engine/lzf_encode.h"
#include "engine/number.h"
#include "engine/rdb_format.h"
#include "engine/set.h"
#include "engine/stream.h"
#include "engine/zset.h"
#include "engine/zskiplist.h"

/* Strings up to this long are compressed by engine/lzf_encode.c, longer
 * ones by liblzf. */
#define RDB_LZF_OWN_BYTES_MAX (16u * 1024)
/* How far ahead the bucket walk prefetches keys, and the line size it
 * assumes (x86-64, arm64). */
#define RDB_PREFETCH_BUCKETS 8
#define RDB_CACHE_LINE_BYTES 64

_Static_assert(RDB_MAGIC_BYTES == 9, "REDIS + 4 digits");

/* ======================================================================
 * Sink
 * ====================================================================== */

void rdb_sink_init(struct rdb_sink *sink, rdb_write_fn write, void *ctx)
{
    assert(write != NULL);
    memset(sink, 0, sizeof(*sink));
    sink->write = write;
    sink->ctx = ctx;
    sink->crc = CRC64_INIT;
    sink->buf = alloc_bytes(RDB_SINK_BUFFER_BYTES);
}

/* Folds the buffered bytes not yet checksummed into the CRC. The CRC runs
 * over the buffer at flush time rather than over each small write: a key
 * is a handful of writes of a few bytes, and the checksum's per-call cost
 * would otherwise dominate its per-byte cost. */
static void rdb_sink_crc_sync(struct rdb_sink *sink)
{
    assert(sink->crc_pos <= sink->buf_used);
    sink->crc = crc64_update(sink->crc, sink->buf + sink->crc_pos, sink->buf_used - sink->crc_pos);
    sink->crc_pos = sink->buf_used;
}

uint64_t rdb_sink_crc(struct rdb_sink *sink)
{
    rdb_sink_crc_sync(sink);
    return sink->crc;
}

int rdb_sink_flush(struct rdb_sink *sink)
{
    rdb_sink_crc_sync(sink);
    if (sink->error == 0 && sink->buf_used > 0) {
        int rc = sink->write(sink->ctx, sink->buf, sink->buf_used);
        assert(rc <= 0);
        if (rc < 0)
            sink->error = rc;
    }
    sink->buf_used = sink->crc_pos = 0;
    return sink->error;
}

/* Buffers buf; counted says whether the CRC covers it. */
static void rdb_sink_append(struct rdb_sink *sink, const void *buf, size_t len, bool counted)
{
    if (!counted)
        rdb_sink_crc_sync(sink);
    sink->bytes += len;
    if (sink->buf_used + len > RDB_SINK_BUFFER_BYTES && rdb_sink_flush(sink) != 0)
        return;
    if (sink->buf_used + len <= RDB_SINK_BUFFER_BYTES) {
        memcpy(sink->buf + sink->buf_used, buf, len);
        sink->buf_used += len;
        if (!counted)
            sink->crc_pos = sink->buf_used;
        return;
    }
    /* Big writes (large values) bypass the buffer, which is empty now,
     * rather than being cut into buffer-sized pieces. */
    if (counted)
        sink->crc = crc64_update(sink->crc, buf, len);
    int rc = sink->write(sink->ctx, buf, len);
    if (rc < 0)
        sink->error = rc;
}

void rdb_sink_write(struct rdb_sink *sink, const void *buf, size_t len)
{
    if (sink->error == 0)
        rdb_sink_append(sink, buf, len, true);
}

void rdb_sink_write_uncounted(struct rdb_sink *sink, const void *buf, size_t len)
{
    if (sink->error == 0)
        rdb_sink_append(sink, buf, len, false);
}

void rdb_sink_add_crc(struct rdb_sink *sink, uint64_t part_crc, uint64_t part_len)
{
    rdb_sink_crc_sync(sink);
    sink->crc = crc64_combine(sink->crc, part_crc, part_len);
}

void rdb_sink_free(struct rdb_sink *sink)
{
    alloc_free(sink->buf);
    sink->buf = NULL;
    sink->buf_used = 0;
}

int rdb_buffer_write(void *ctx, const void *buf, size_t len)
{
    struct rdb_buffer *b = ctx;
    if (len == 0)
        return 0; /* an empty buffer has no data pointer to copy to */
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len)
            cap *= 2;
        b->data = alloc_resize(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, buf, len);
    b->len += len;
    return 0;
}

void rdb_buffer_free(struct rdb_buffer *b)
{
    alloc_free(b->data);
    memset(b, 0, sizeof(*b));
}

/* ======================================================================
 * Encoder
 * ====================================================================== */

static void rdb_put_byte(struct rdb_encoder *enc, unsigned char byte)
{
    rdb_sink_write(enc->sink, &byte, 1);
}

/* The shortest length prefix for len. */
static void rdb_put_len(struct rdb_encoder *enc, uint64_t len)
{
    unsigned char buf[9];
    size_t n;
    if (len < (1 << 6)) {
        buf[0] = (unsigned char)len;
        n = 1;
    } else if (len < (1 << 14)) {
        buf[0] = (unsigned char)((RDB_LEN_14BIT << 6) | (len >> 8));
        buf[1] = (unsigned char)(len & 0xff);
        n = 2;
    } else if (len <= UINT32_MAX) {
        buf[0] = RDB_LEN_32BIT;
        for (int i = 0; i < 4; i++)
            buf[1 + i] = (unsigned char)(len >> (24 - 8 * i));
        n = 5;
    } else {
        buf[0] = RDB_LEN_64BIT;
        for (int i = 0; i < 8; i++)
            buf[1 + i] = (unsigned char)(len >> (56 - 8 * i));
        n = 9;
    }
    rdb_sink_write(enc->sink, buf, n);
}

static void rdb_put_le(struct rdb_encoder *enc, uint64_t value, size_t bytes)
{
    unsigned char buf[8];
    assert(bytes <= sizeof(buf));
    for (size_t i = 0; i < bytes; i++)
        buf[i] = (unsigned char)(value >> (8 * i));
    rdb_sink_write(enc->sink, buf, bytes);
}

/* The 0xC0..0xC2 forms, used when s is the canonical text of an integer
 * that fits 32 bits, as Redis's rdbTryIntegerEncoding does. */
static bool rdb_try_put_integer(struct rdb_encoder *enc, const char *s, size_t len)
{
    long long value;
    if (len == 0 || len > RDB_INT_STRING_BYTES_MAX || !number_parse_ll(s, len, &value))
        return false;
    if (value >= INT8_MIN && value <= INT8_MAX) {
        rdb_put_byte(enc, (RDB_LEN_ENCVAL << 6) | RDB_ENC_INT8);
        rdb_put_le(enc, (uint64_t)value, 1);
    } else if (value >= INT16_MIN && value <= INT16_MAX) {
        rdb_put_byte(enc, (RDB_LEN_ENCVAL << 6) | RDB_ENC_INT16);
        rdb_put_le(enc, (uint64_t)value, 2);
    } else if (value >= INT32_MIN && value <= INT32_MAX) {
        rdb_put_byte(enc, (RDB_LEN_ENCVAL << 6) | RDB_ENC_INT32);
        rdb_put_le(enc, (uint64_t)value, 4);
    } else {
        return false;
    }
    return true;
}

static bool rdb_try_put_lzf(struct rdb_encoder *enc, const void *s, size_t len)
{
    /* liblzf takes unsigned int lengths. */
    if (len > UINT_MAX)
        return false;
    size_t out_max = len - RDB_LZF_SAVING_MIN;
    if (enc->scratch_bytes < out_max) {
        alloc_free(enc->scratch);
        enc->scratch = alloc_bytes(out_max);
        enc->scratch_bytes = out_max;
    }
    /* Short strings (listpacks, values) through our compressor, whose
     * table fits the input; long ones through liblzf, whose big table
     * finds more matches over a long input and whose cost it amortizes. */
    size_t out_len = len <= RDB_LZF_OWN_BYTES_MAX && !enc->options.lzf_redis_bytes
                         ? lzf_encode(s, len, enc->scratch, out_max)
                         : lzf_compress(s, (unsigned int)len, enc->scratch, (unsigned int)out_max);
    if (out_len == 0)
        return false;
    assert(out_len <= out_max);
    rdb_put_byte(enc, (RDB_LEN_ENCVAL << 6) | RDB_ENC_LZF);
    rdb_put_len(enc, out_len);
    rdb_put_len(enc, len);
    rdb_sink_write(enc->sink, enc->scratch, out_len);
    return true;
}

/* A string in the smallest form Redis 7.0 would choose. Keys, values and
 * blobs all go through here, as in Redis's rdbSaveRawString. */
static void rdb_put_string(struct rdb_encoder *enc, const void *s, size_t len)
{
    if (rdb_try_put_integer(enc, s, len))
        return;
    if (enc->options.compression && len > RDB_LZF_BYTES_MIN && rdb_try_put_lzf(enc, s, len))
        return;
    rdb_put_len(enc, len);
    rdb_sink_write(enc->sink, s, len);
}

static void rdb_put_aux(struct rdb_encoder *enc, const char *key, const char *val)
{
    rdb_put_byte(enc, RDB_OPCODE_AUX);
    rdb_put_string(enc, key, strlen(key));
    rdb_put_string(enc, val, strlen(val));
}

static void rdb_put_aux_ll(struct rdb_encoder *enc, const char *key, long long value)
{
    char buf[LISTPACK_INTEGER_TEXT_BYTES];
    number_format_ll(buf, value);
    rdb_put_aux(enc, key, buf);
}

/* One RDB_OPCODE_FUNCTION2 record per library: the opcode, then the
 * library's whole source as a string (Redis 7.0's rdbSaveFunctions). */
static void rdb_put_functions(struct rdb_encoder *enc)
{
    const struct library_codes *codes = enc->options.functions;
    for (size_t i = 0; codes != NULL && i < codes->count; i++) {
        rdb_put_byte(enc, RDB_OPCODE_FUNCTION2);
        rdb_put_string(enc, codes->items[i].code, codes->items[i].len);
    }
}

void rdb_encode_functions(struct rdb_sink *sink, const struct library_codes *codes,
                          bool compression)
{
    struct rdb_save_options options = {.compression = compression, .functions = codes};
    struct rdb_encoder enc;
    rdb_encoder_init(&enc, NULL, sink, &options);
    rdb_put_functions(&enc);
    alloc_free(enc.scratch);
}

static void rdb_put_header(struct rdb_encoder *enc)
{
    char magic[RDB_MAGIC_BYTES + 1];
    int n = snprintf(magic, sizeof(magic), "REDIS%04d", RDB_VERSION);
    assert(n == RDB_MAGIC_BYTES);
    rdb_sink_write(enc->sink, magic, RDB_MAGIC_BYTES);
    /* The AUX fields Redis 7.0 writes, in its order: the replication info
     * only when the caller gives it. */
    rdb_put_aux(enc, "redis-ver", RDB_REDIS_VER);
    rdb_put_aux_ll(enc, "redis-bits", (long long)(sizeof(void *) * 8));
    rdb_put_aux_ll(enc, "ctime", enc->options.ctime_s);
    rdb_put_aux_ll(enc, "used-mem", (long long)enc->options.used_mem);
    if (enc->options.repl_id != NULL) {
        rdb_put_aux_ll(enc, "repl-stream-db", enc->options.repl_stream_db);
        rdb_put_aux(enc, "repl-id", enc->options.repl_id);
        rdb_put_aux_ll(enc, "repl-offset", enc->options.repl_offset);
    }
    rdb_put_aux_ll(enc, "aof-base", enc->options.aof_base ? 1 : 0);
    rdb_put_functions(enc);
}

static void rdb_put_list(struct rdb_encoder *enc, const struct list *l)
{
    size_t nodes = 0;
    for (const struct list_node *node = l->head; node != NULL; node = node->next)
        nodes++;
    rdb_put_len(enc, nodes);
    for (const struct list_node *node = l->head; node != NULL; node = node->next) {
        rdb_put_len(enc, RDB_QUICKLIST_NODE_PACKED);
        rdb_put_string(enc, node->lp, listpack_bytes(node->lp));
    }
}

static void rdb_put_hash_table(struct rdb_encoder *enc, struct kv *kv)
{
    struct hash_iter it;
    struct hash_text field, value;
    rdb_put_len(enc, hash_count(kv));
    hash_iter_init(&it, kv);
    while (hash_iter_next(&it, &field, &value)) {
        rdb_put_string(enc, field.ptr, field.len);
        rdb_put_string(enc, value.ptr, value.len);
    }
    hash_iter_done(&it);
}

static void rdb_put_set_table(struct rdb_encoder *enc, struct kv *kv)
{
    struct set_iter it;
    struct set_elem elem;
    rdb_put_len(enc, set_size(kv));
    set_iter_init(&it, kv);
    while (set_iter_next(&it, &elem))
        rdb_put_string(enc, elem.ptr, elem.len);
    set_iter_done(&it);
}

/* ZSET_2 lists members from the highest score down, as Redis does, so a
 * loader inserting in file order always inserts at the head of its
 * skiplist. */
static void rdb_put_zset_skiplist(struct rdb_encoder *enc, struct kv *kv)
{
    const struct zset_big *zs = kv_object(kv);
    rdb_put_len(enc, zskiplist_length(zs->zsl));
    for (struct zskiplist_node *node = zskiplist_last(zs->zsl); node != NULL;
         node = zskiplist_node_prev(node)) {
        rdb_put_string(enc, zskiplist_node_member(node), zskiplist_node_member_len(node));
        double score = zskiplist_node_score(node);
        uint64_t bits;
        memcpy(&bits, &score, sizeof(bits));
        rdb_put_le(enc, bits, 8);
    }
}

/* A stream as Redis 7.0 writes RDB_TYPE_STREAM_LISTPACKS_2: the nodes
 * (16-byte big-endian master ID, then the listpack verbatim), the stream's
 * counters, then each group with its PEL and consumers (rdbSaveObject). */
static void rdb_put_stream_pel(struct rdb_encoder *enc, const struct stream_idmap *pel, bool nacks)
{
    rdb_put_len(enc, pel->count);
    for (struct stream_idmap_node *n = stream_idmap_seek(pel, NULL); n != NULL;
         n = stream_idmap_next(n)) {
        unsigned char raw[16];
        stream_id_encode(stream_idmap_node_id(n), raw);
        rdb_sink_write(enc->sink, raw, sizeof(raw));
        if (nacks) {
            const struct stream_nack *nack = stream_idmap_node_value(n);
            rdb_put_le(enc, (uint64_t)nack->delivery_time, 8);
            rdb_put_len(enc, nack->delivery_count);
        }
    }
}

static void rdb_put_stream(struct rdb_encoder *enc, const struct stream *s)
{
    rdb_put_len(enc, s->node_count);
    for (size_t i = 0; i < s->node_count; i++) {
        unsigned char raw[16];
        stream_id_encode(&s->nodes[i].master, raw);
        rdb_put_string(enc, raw, sizeof(raw));
        rdb_put_string(enc, s->nodes[i].lp, listpack_bytes(s->nodes[i].lp));
    }
    rdb_put_len(enc, s->length);
    rdb_put_len(enc, s->last_id.ms);
    rdb_put_len(enc, s->last_id.seq);
    rdb_put_len(enc, s->first_id.ms);
    rdb_put_len(enc, s->first_id.seq);
    rdb_put_len(enc, s->max_deleted_id.ms);
    rdb_put_len(enc, s->max_deleted_id.seq);
    rdb_put_len(enc, s->entries_added);
    rdb_put_len(enc, s->group_count);
    for (size_t i = 0; i < s->group_count; i++) {
        const struct stream_group *g = s->groups[i];
        rdb_put_string(enc, g->name, g->name_len);
        rdb_put_len(enc, g->last_id.ms);
        rdb_put_len(enc, g->last_id.seq);
        rdb_put_len(enc, (uint64_t)g->entries_read);
        rdb_put_stream_pel(enc, &g->pel, true);
        rdb_put_len(enc, g->consumer_count);
        for (size_t j = 0; j < g->consumer_count; j++) {
            const struct stream_consumer *c = g->consumers[j];
            rdb_put_string(enc, c->name, c->name_len);
            rdb_put_le(enc, (uint64_t)c->seen_time, 8);
            rdb_put_stream_pel(enc, &c->pel, false);
        }
    }
}

/* The type byte, then the value in the encoding matching the kv's. */
static void rdb_put_value(struct rdb_encoder *enc, struct kv *kv)
{
    void *obj = kv->type == KV_STRING ? NULL : kv_object(kv);
    switch (kv->type) {
    case KV_STRING:
        rdb_put_byte(enc, RDB_TYPE_STRING);
        rdb_put_string(enc, kv_key(kv), kv->key_len);
        rdb_put_string(enc, kv_string_const(kv), kv->val_len);
        return;
    case KV_LIST:
        assert(kv->encoding == KV_ENC_QUICKLIST);
        rdb_put_byte(enc, RDB_TYPE_LIST_QUICKLIST_2);
        rdb_put_string(enc, kv_key(kv), kv->key_len);
        rdb_put_list(enc, obj);
        return;
    case KV_HASH:
        rdb_put_byte(enc, kv->encoding == KV_ENC_LISTPACK ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH);
        rdb_put_string(enc, kv_key(kv), kv->key_len);
        if (kv->encoding == KV_ENC_LISTPACK)
            rdb_put_string(enc, obj, listpack_bytes(obj));
        else
            rdb_put_hash_table(enc, kv);
        return;
    case KV_SET:
        rdb_put_byte(enc, kv->encoding == KV_ENC_INTSET ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET);
        rdb_put_string(enc, kv_key(kv), kv->key_len);
        if (kv->encoding == KV_ENC_INTSET)
            rdb_put_string(enc, obj, intset_blob_bytes(obj));
        else
            rdb_put_set_table(enc, kv);
        return;
    case KV_ZSET:
        rdb_put_byte(enc,
                     kv->encoding == KV_ENC_LISTPACK ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2);
        rdb_put_string(enc, kv_key(kv), kv->key_len);
        if (kv->encoding == KV_ENC_LISTPACK)
            rdb_put_string(enc, obj, listpack_bytes(obj));
        else
            rdb_put_zset_skiplist(enc, kv);
        return;
    case KV_STREAM:
        rdb_put_byte(enc, RDB_TYPE_STREAM_LISTPACKS_2);
        rdb_put_string(enc, kv_key(kv), kv->key_len);
        rdb_put_stream(enc, obj);
        return;
    }
    assert(!"unknown kv type");
}

static void rdb_put_key(struct rdb_encoder *enc, struct db *db, struct kv *kv)
{
    if (kv->flags & KV_FLAG_EXPIRES) {
        int64_t when_ms = db_get_expire(db, kv);
        assert(when_ms >= 0);
        rdb_put_byte(enc, RDB_OPCODE_EXPIRETIME_MS);
        rdb_put_le(enc, (uint64_t)when_ms, 8);
    }
    const struct keyspace *ks = enc->keyspace;
    if (enc->options.access == RDB_ACCESS_IDLE) {
        rdb_put_byte(enc, RDB_OPCODE_IDLE);
        rdb_put_len(enc, evict_idle_ms(kv, ks->lru_clock_s) / 1000);
    } else if (enc->options.access == RDB_ACCESS_FREQ) {
        rdb_put_byte(enc, RDB_OPCODE_FREQ);
        rdb_put_byte(enc, lfu_decayed(kv, ks->lru_clock_s, ks->lfu_decay_minutes));
    }
    rdb_put_value(enc, kv);
    enc->keys_written++;
    if (enc->options.after_key != NULL)
        enc->options.after_key(enc->options.after_key_ctx);
    if (enc->options.progress != NULL && enc->keys_written % RDB_PROGRESS_KEYS == 0)
        enc->options.progress(enc->options.progress_ctx, enc->keys_written);
}

void rdb_encoder_init(struct rdb_encoder *enc, struct keyspace *ks, struct rdb_sink *sink,
                      const struct rdb_save_options *options)
{
    memset(enc, 0, sizeof(*enc));
    enc->keyspace = ks;
    enc->sink = sink;
    enc->options = *options;
    enc->stage = RDB_ENCODER_HEADER;
}

void rdb_encoder_put_header(struct rdb_encoder *enc)
{
    rdb_put_header(enc);
}

void rdb_encoder_put_trailer(struct rdb_encoder *enc)
{
    rdb_put_byte(enc, RDB_OPCODE_EOF);
    /* The CRC covers everything up to and including the EOF opcode. */
    uint64_t crc = enc->options.checksum ? rdb_sink_crc(enc->sink) : 0;
    rdb_put_le(enc, crc, 8);
}

void rdb_encoder_put_db_open(struct rdb_encoder *enc, int db_index)
{
    struct db *db = &enc->keyspace->dbs[db_index];
    rdb_put_byte(enc, RDB_OPCODE_SELECTDB);
    rdb_put_len(enc, (uint64_t)db_index);
    rdb_put_byte(enc, RDB_OPCODE_RESIZEDB);
    rdb_put_len(enc, db_size(db));
    rdb_put_len(enc, db_expires_size(db));
}

uint64_t rdb_encoder_put_buckets(struct rdb_encoder *enc, int db_index, int table, uint64_t lo,
                                 uint64_t hi)
{
    struct db *db = &enc->keyspace->dbs[db_index];
    const struct dict_table *t = &db->keys.table[table];
    assert(lo <= hi && hi <= t->size);
    uint64_t before = enc->keys_written;
    for (uint64_t i = lo; i < hi && enc->sink->error == 0; i++) {
        /* The walk is bound by the memory latency of reaching each key:
         * start loading the keys a few buckets ahead while this one is
         * encoded (a string key's header, name and value share its first
         * cache lines). */
        if (i + RDB_PREFETCH_BUCKETS < hi) {
            const struct dict_node *ahead = t->buckets[i + RDB_PREFETCH_BUCKETS];
            if (ahead != NULL) {
                __builtin_prefetch(ahead);
                __builtin_prefetch((const char *)ahead + RDB_CACHE_LINE_BYTES);
            }
        }
        for (struct dict_node *node = t->buckets[i]; node != NULL; node = node->next)
            rdb_put_key(enc, db, (struct kv *)((char *)node - offsetof(struct kv, link)));
    }
    return enc->keys_written - before;
}

/* Moves to the next non-empty database (writing its SELECTDB and
 * RESIZEDB), or to the trailer when none is left. */
static void rdb_encoder_open_db(struct rdb_encoder *enc)
{
    struct keyspace *ks = enc->keyspace;
    while (enc->db_index < ks->db_count && db_size(&ks->dbs[enc->db_index]) == 0)
        enc->db_index++;
    if (enc->db_index == ks->db_count) {
        enc->stage = RDB_ENCODER_TRAILER;
        return;
    }
    rdb_encoder_put_db_open(enc, enc->db_index);
    dict_iter_init(&enc->iter, &ks->dbs[enc->db_index].keys);
    enc->stage = RDB_ENCODER_KEYS;
}

bool rdb_encoder_step(struct rdb_encoder *enc, size_t keys_max)
{
    assert(keys_max > 0); /* zero would never make progress */
    size_t done = 0;
    while (enc->sink->error == 0 && enc->stage != RDB_ENCODER_DONE) {
        switch (enc->stage) {
        case RDB_ENCODER_HEADER:
            rdb_put_header(enc);
            enc->stage = RDB_ENCODER_DB_START;
            break;
        case RDB_ENCODER_DB_START:
            rdb_encoder_open_db(enc);
            break;
        case RDB_ENCODER_KEYS: {
            if (done == keys_max)
                return false;
            struct dict_node *node = dict_iter_next(&enc->iter);
            if (node == NULL) {
                dict_iter_done(&enc->iter);
                enc->db_index++;
                enc->stage = RDB_ENCODER_DB_START;
                break;
            }
            rdb_put_key(enc, &enc->keyspace->dbs[enc->db_index],
                        (struct kv *)((char *)node - offsetof(struct kv, link)));
            done++;
            break;
        }
        case RDB_ENCODER_TRAILER:
            rdb_encoder_put_trailer(enc);
            enc->stage = RDB_ENCODER_DONE;
            break;
        case RDB_ENCODER_DONE:
            break;
        }
    }
    return true;
}

int rdb_encoder_finish(struct rdb_encoder *enc)
{
    if (enc->stage == RDB_ENCODER_KEYS)
        dict_iter_done(&enc->iter);
    alloc_free(enc->scratch);
    enc->scratch = NULL;
    enc->scratch_bytes = 0;
    return rdb_sink_flush(enc->sink);
}

int rdb_save(struct keyspace *ks, struct rdb_sink *sink, const struct rdb_save_options *options)
{
    if (options->threads > 1)
        return rdb_save_parallel(ks, sink, options);
    /* The pieces in the stepping encoder's order (so the same bytes), with
     * the bucket walk's prefetching. */
    struct rdb_encoder enc;
    rdb_encoder_init(&enc, ks, sink, options);
    rdb_encoder_put_header(&enc);
    for (int i = 0; i < ks->db_count; i++) {
        struct db *db = &ks->dbs[i];
        if (db_size(db) == 0)
            continue;
        rdb_encoder_put_db_open(&enc, i);
        int tables = dict_is_rehashing(&db->keys) ? 2 : 1;
        for (int t = 0; t < tables; t++)
            rdb_encoder_put_buckets(&enc, i, t, 0, db->keys.table[t].size);
    }
    rdb_encoder_put_trailer(&enc);
    return rdb_encoder_finish(&enc);
}


/* ======================================================================
 * DUMP payloads
 * ====================================================================== */

/* The value is encoded by rdb_put_value, the same type switch a snapshot
 * goes through (so every type it knows, present or added later, dumps),
 * and the key it writes after the type byte is cut out: its bytes are
 * exactly what rdb_put_string writes for the key alone. */
void rdb_dump_value(struct kv *kv, bool compression, struct rdb_buffer *out)
{
    /* A payload is compared with Redis's more often than a file is, and
     * is one value: liblzf's bytes (Redis's) are worth its cost here. */
    struct rdb_save_options options = {.compression = compression, .lzf_redis_bytes = true};
    struct rdb_buffer whole = {0}, key = {0};
    struct rdb_sink sink;
    struct rdb_encoder enc;

    rdb_sink_init(&sink, rdb_buffer_write, &whole);
    rdb_encoder_init(&enc, NULL, &sink, &options);
    rdb_put_value(&enc, kv);
    int rc = rdb_encoder_finish(&enc);
    assert(rc == 0);
    rdb_sink_free(&sink);

    rdb_sink_init(&sink, rdb_buffer_write, &key);
    rdb_encoder_init(&enc, NULL, &sink, &options);
    rdb_put_string(&enc, kv_key(kv), kv->key_len);
    rc = rdb_encoder_finish(&enc);
    assert(rc == 0);
    rdb_sink_free(&sink);

    assert(whole.len > 1 + key.len && memcmp(whole.data + 1, key.data, key.len) == 0);
    unsigned char footer[RDB_DUMP_FOOTER_BYTES];
    rdb_buffer_write(out, whole.data, 1);
    rdb_buffer_write(out, whole.data + 1 + key.len, whole.len - 1 - key.len);
    footer[0] = (unsigned char)(RDB_VERSION & 0xff);
    footer[1] = (unsigned char)(RDB_VERSION >> 8);
    rdb_buffer_write(out, footer, 2);
    uint64_t crc = crc64_update(CRC64_INIT, out->data, out->len);
    for (int i = 0; i < 8; i++)
        footer[2 + i] = (unsigned char)(crc >> (8 * i));
    rdb_buffer_write(out, footer + 2, 8);
    rdb_buffer_free(&whole);
    rdb_buffer_free(&key);
}
