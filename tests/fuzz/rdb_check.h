/* rdb_check.h: what the two RDB targets (rdb_file_fuzz.c, rdb_value_fuzz.c)
 * do with an RDB image once they have one: load it, use every value the
 * load produced, save the keyspace again and load that back.
 *
 * The load goes through a memory source (size known) and again through a
 * chunked read callback that hides the size (the caps for unknown sizes);
 * both must come to the same verdict and the same key count. A loaded
 * keyspace is walked with the value types' own readers (the listpack and
 * intset blobs came from outside and passed validation: any read past
 * them is a validation hole), then saved and reloaded: what we accepted
 * must be writable and readable again with nothing lost.
 *
 * The image is also loaded with deep validation skipped (what a server
 * does with a file it trusts, sanitize-dump-payload no). That load must
 * never read outside its input or a blob (ASan), never assert, accept
 * whatever the deep load accepts (with the same keys), and refuse what it
 * accepts unless a non-zero CRC-64 matched. Its values are walked only
 * when the deep load accepted the same image: otherwise a blob may be
 * corrupt past its header, which the file's checksum vouched for, and a
 * later reader may legitimately trip an assert on it, as in Redis. */
#ifndef RINGKV_TESTS_FUZZ_RDB_CHECK_H
#define RINGKV_TESTS_FUZZ_RDB_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/db.h"
#include "engine/hash.h"
#include "engine/kv.h"
#include "engine/list.h"
#include "engine/rdb.h"
#include "engine/set.h"
#include "engine/stream.h"
#include "engine/zset.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_RDB_DATABASES 16
/* Fixed "now" so expiry decisions are deterministic (2023-11-14). */
#define FUZZ_RDB_NOW_MS 1700000000000LL

/* Encoding limits to load under: Redis's defaults, or tiny ones so that
 * small inputs cross every conversion to the big encodings. */
static void fuzz_rdb_limits(struct keyspace *ks, unsigned which)
{
    if (which % 3 == 1) {
        ks->limits.hash_max_listpack_entries = 2;
        ks->limits.hash_max_listpack_value = 4;
        ks->limits.list_max_listpack_size = 2;
        ks->limits.set_max_intset_entries = 2;
        ks->limits.zset_max_listpack_entries = 2;
        ks->limits.zset_max_listpack_value = 4;
    } else if (which % 3 == 2) {
        ks->limits.list_max_listpack_size = -1; /* 4 KB nodes */
        ks->limits.hash_max_listpack_value = 0;
        ks->limits.zset_max_listpack_entries = 0;
    }
}

struct fuzz_chunked {
    const unsigned char *data;
    size_t len, pos, chunk;
};

static long fuzz_chunked_read(void *ctx, void *buf, size_t len)
{
    struct fuzz_chunked *c = ctx;
    size_t n = c->len - c->pos;
    if (n > len)
        n = len;
    if (n > c->chunk)
        n = c->chunk;
    memcpy(buf, c->data + c->pos, n);
    c->pos += n;
    return (long)n;
}

/* Loads data[0..len) into ks; chunk 0 means a memory source. */
static enum rdb_load_result fuzz_rdb_load(const void *data, size_t len, size_t chunk,
                                          bool keep_expired, bool skip_deep, struct keyspace *ks,
                                          struct rdb_load_info *info)
{
    struct rdb_source src;
    struct fuzz_chunked c = {data, len, 0, chunk};
    if (chunk == 0)
        rdb_source_init_memory(&src, data, len);
    else
        rdb_source_init(&src, fuzz_chunked_read, &c, RDB_SOURCE_SIZE_UNKNOWN);
    struct rdb_load_options opt = {.limits = &ks->limits, .now_ms = FUZZ_RDB_NOW_MS,
                                   .keep_expired = keep_expired,
                                   .skip_deep_validation = skip_deep};
    enum rdb_load_result r = rdb_load(&src, ks, &opt, info);
    rdb_source_free(&src);
    if (r != RDB_LOAD_OK) {
        FUZZ_REQUIRE(r == RDB_LOAD_BAD); /* memory and this callback never fail */
        FUZZ_REQUIRE(info->error_text[0] != '\0');
        FUZZ_REQUIRE(info->error_offset <= len);
    }
    FUZZ_REQUIRE(info->bytes <= len);
    return r;
}

/* A stream's entries, both ways, with every field, counted against its
 * length; each group's pending entries, each owned by one of its
 * consumers, whose own lists hold as many. */
static void fuzz_rdb_walk_stream(struct stream *st)
{
    static const struct stream_id lowest = {0, 0}, highest = {UINT64_MAX, UINT64_MAX};
    for (int rev = 0; rev < 2; rev++) {
        struct stream_iter it;
        struct stream_id id;
        int64_t nfields;
        uint64_t n = 0;
        stream_iter_start(&it, st, &lowest, &highest, rev);
        for (; stream_iter_next(&it, &id, &nfields); n++) {
            for (int64_t f = 0; f < nfields; f++) {
                struct stream_text field, value;
                stream_iter_field(&it, &field, &value);
            }
        }
        FUZZ_REQUIRE(n == st->length);
    }
    for (size_t g = 0; g < st->group_count; g++) {
        const struct stream_group *group = st->groups[g];
        uint64_t owned = 0;
        for (size_t c = 0; c < group->consumer_count; c++)
            owned += group->consumers[c]->pel.count;
        FUZZ_REQUIRE(owned == group->pel.count);
        for (struct stream_idmap_node *node = stream_idmap_seek(&group->pel, &lowest); node;
             node = stream_idmap_next(node)) {
            const struct stream_nack *nack = stream_idmap_node_value(node);
            FUZZ_REQUIRE(nack->consumer != NULL);
            FUZZ_REQUIRE(stream_idmap_find(&nack->consumer->pel, &nack->id) == nack);
        }
    }
}

/* Reads every element of one value with the type's own readers. */
static void fuzz_rdb_walk_value(struct kv *kv)
{
    size_t n = 0;
    switch (kv->type) {
    case KV_STRING:
        FUZZ_REQUIRE(kv->val_len == 0 || kv_string_const(kv) != NULL);
        return;
    case KV_LIST: {
        struct list *l = kv_object(kv);
        struct list_iter it;
        struct list_entry e;
        list_check(l);
        for (list_iter_init(&it, l, 0, true); list_iter_valid(&it); list_iter_next(&it), n++)
            list_iter_get(&it, &e);
        FUZZ_REQUIRE(n == list_count(l));
        n = 0;
        for (list_iter_init(&it, l, list_count(l) - 1, false); list_iter_valid(&it);
             list_iter_next(&it), n++)
            list_iter_get(&it, &e);
        FUZZ_REQUIRE(n == list_count(l));
        return;
    }
    case KV_SET: {
        struct set_iter it;
        struct set_elem e;
        set_iter_init(&it, kv);
        for (; set_iter_next(&it, &e); n++)
            FUZZ_REQUIRE(set_contains(kv, e.ptr, e.len));
        set_iter_done(&it);
        FUZZ_REQUIRE(n == set_size(kv));
        return;
    }
    case KV_HASH: {
        struct hash_iter it;
        struct hash_text f, v, got;
        hash_iter_init(&it, kv);
        for (; hash_iter_next(&it, &f, &v); n++)
            FUZZ_REQUIRE(hash_get(kv, f.ptr, f.len, &got));
        hash_iter_done(&it);
        FUZZ_REQUIRE(n == hash_count(kv));
        return;
    }
    case KV_ZSET: {
        struct zset_iter it;
        struct zset_element e;
        double score;
        size_t length = zset_length(kv);
        if (length == 0)
            return;
        for (zset_iter_at_rank(&it, kv, 0, false); zset_iter_valid(&it); zset_iter_next(&it), n++) {
            zset_iter_get(&it, &e);
            FUZZ_REQUIRE(zset_score(kv, e.member, e.len, &score));
        }
        FUZZ_REQUIRE(n == length);
        n = 0;
        for (zset_iter_at_rank(&it, kv, 0, true); zset_iter_valid(&it); zset_iter_next(&it), n++)
            zset_iter_get(&it, &e);
        FUZZ_REQUIRE(n == length);
        return;
    }
    case KV_STREAM:
        fuzz_rdb_walk_stream(kv_object(kv));
        return;
    }
    FUZZ_REQUIRE(!"unknown kv type");
}

/* Walks every value and returns the number of keys. */
static uint64_t fuzz_rdb_walk(struct keyspace *ks)
{
    uint64_t keys = 0;
    for (int i = 0; i < ks->db_count; i++) {
        struct dict_iter it;
        dict_iter_init(&it, &ks->dbs[i].keys);
        for (struct dict_node *node; (node = dict_iter_next(&it)) != NULL; keys++)
            fuzz_rdb_walk_value((struct kv *)node);
        dict_iter_done(&it);
    }
    return keys;
}

/* Saves ks and loads the result into a fresh keyspace with the same
 * limits: it must load, with every key. */
static void fuzz_rdb_round_trip(struct keyspace *ks, uint64_t keys)
{
    struct rdb_buffer out = {0};
    struct rdb_sink sink;
    struct rdb_save_options opt = {.compression = true, .checksum = true,
                                   .ctime_s = FUZZ_RDB_NOW_MS / 1000};
    rdb_sink_init(&sink, rdb_buffer_write, &out);
    FUZZ_REQUIRE(rdb_save(ks, &sink, &opt) == 0);
    rdb_sink_free(&sink);

    struct keyspace again;
    struct rdb_load_info info;
    keyspace_init(&again, FUZZ_RDB_DATABASES);
    again.limits = ks->limits;
    enum rdb_load_result r = fuzz_rdb_load(out.data, out.len, 0, true, false, &again, &info);
    if (r != RDB_LOAD_OK)
        fprintf(stderr, "reload failed at %llu: %s\n", (unsigned long long)info.error_offset,
                info.error_text);
    FUZZ_REQUIRE(r == RDB_LOAD_OK);
    FUZZ_REQUIRE(info.keys_loaded == keys);
    FUZZ_REQUIRE(fuzz_rdb_walk(&again) == keys);
    keyspace_free(&again);
    rdb_buffer_free(&out);
}

/* The shallow load of an image whose deep load gave deep (with deep_info). */
static void fuzz_rdb_check_shallow(const unsigned char *data, size_t len, unsigned which,
                                   bool keep_expired, enum rdb_load_result deep,
                                   const struct rdb_load_info *deep_info)
{
    struct keyspace ks;
    struct rdb_load_info info;
    keyspace_init(&ks, FUZZ_RDB_DATABASES);
    fuzz_rdb_limits(&ks, which);
    /* Through a chunked source every other time: the loader's walks over
     * blobs that straddle refills. */
    size_t chunk = which % 2 == 0 ? 0 : 1 + (which * 104729u + len) % 131;
    enum rdb_load_result r = fuzz_rdb_load(data, len, chunk, keep_expired, true, &ks, &info);
    if (r == RDB_LOAD_OK) {
        /* Only a matching, non-zero CRC-64 lets a shallow load through. */
        FUZZ_REQUIRE(info.checksum != 0);
        FUZZ_REQUIRE(!info.checksum_missing);
    }
    if (deep == RDB_LOAD_OK) {
        /* Shallow checks are a subset of deep ones: the same file loads,
         * unless it has no checksum to vouch for it. */
        FUZZ_REQUIRE(r == RDB_LOAD_OK || info.checksum_missing);
        if (r == RDB_LOAD_OK) {
            FUZZ_REQUIRE(info.keys_loaded == deep_info->keys_loaded);
            uint64_t keys = fuzz_rdb_walk(&ks);
            FUZZ_REQUIRE(keys == info.keys_loaded);
            fuzz_rdb_round_trip(&ks, keys);
        }
    }
    keyspace_free(&ks);
}

/* The whole check for one RDB image. which picks the limits and whether
 * already expired keys are kept. */
static void fuzz_rdb_check(const unsigned char *data, size_t len, unsigned which)
{
    struct keyspace ks, chunked;
    struct rdb_load_info info, chunked_info;
    bool keep_expired = (which / 3) % 2 == 1;
    keyspace_init(&ks, FUZZ_RDB_DATABASES);
    keyspace_init(&chunked, FUZZ_RDB_DATABASES);
    fuzz_rdb_limits(&ks, which);
    fuzz_rdb_limits(&chunked, which);
    enum rdb_load_result r = fuzz_rdb_load(data, len, 0, keep_expired, false, &ks, &info);
    size_t chunk = 1 + (which * 7919u + len) % 257;
    enum rdb_load_result rc = fuzz_rdb_load(data, len, chunk, keep_expired, false, &chunked,
                                            &chunked_info);
    FUZZ_REQUIRE(r == rc);
    if (r == RDB_LOAD_OK) {
        FUZZ_REQUIRE(info.keys_loaded == chunked_info.keys_loaded);
        uint64_t keys = fuzz_rdb_walk(&ks);
        FUZZ_REQUIRE(keys == info.keys_loaded);
        fuzz_rdb_round_trip(&ks, keys);
    }
    keyspace_free(&chunked);
    keyspace_free(&ks);
    fuzz_rdb_check_shallow(data, len, which, keep_expired, r, &info);
}

#endif
