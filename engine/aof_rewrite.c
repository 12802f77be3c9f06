/* aof_rewrite.c: the RESP-format AOF BASE file (aof-use-rdb-preamble no).
 *
 * Owns the walk over the keyspace and the choice of commands that rebuild
 * each key. The buffer, SELECT and the #TS annotation come from
 * engine/aof_encode.h; files, fsync and rename belong to net/ and uring/.
 *
 * A collection's batches are written as a stream: the "*<argc>" header
 * counts the items still to come, capped at AOF_REWRITE_ITEMS_PER_CMD, so
 * no element needs to be held while its command is built (the iterators
 * hand out text that lives only until the next step). Element text is
 * the same as Redis's: integers stored compactly come back as their
 * decimal text, and scores are printed with "%.17g" ("inf", "-inf"), as
 * Redis's rioWriteBulkDouble does.
 *
 * Invariant: the buffer only ever holds whole bulk strings and headers, is
 * flushed once it reaches AOF_REWRITE_FLUSH_BYTES, and so never holds more
 * than twice that; a payload of a chunk or more is passed to the callback
 * directly. After the first failed write nothing more is written. */
#include "engine/aof_rewrite.h"

#include <assert.h>
#include <string.h>

#include "engine/aof_encode.h"
#include "engine/hash.h"
#include "engine/kv.h"
#include "engine/list.h"
#include "engine/number.h"
#include "engine/set.h"
#include "engine/stream.h"
#include "engine/zset.h"

/* Room for "*<n>\r\n" or "$<n>\r\n" with a 64-bit n, and for the decimal
 * text of any long long. */
#define AOF_REWRITE_HEADER_BYTES_MAX 24
#define AOF_REWRITE_INT_TEXT_BYTES 24

_Static_assert(AOF_REWRITE_ITEMS_PER_CMD > 0, "a batch must make progress");
_Static_assert(AOF_REWRITE_FLUSH_BYTES >= 4096, "chunks should be worth a write call");

struct aof_rewriter {
    aof_rewrite_write_fn write;
    void *ctx;                  /* borrowed, passed to write */
    struct aof_buffer buf;      /* owned, flushed at AOF_REWRITE_FLUSH_BYTES */
    int error;                  /* first -errno from write; sticky */
    struct aof_rewrite_stats stats;
    uint64_t keys_visited;      /* written or skipped, for options->progress */
};

/* A collection being written as commands of at most
 * AOF_REWRITE_ITEMS_PER_CMD items each. */
struct aof_rewrite_batch {
    const char *command;        /* static: "RPUSH", "SADD", "ZADD", "HMSET" */
    const struct kv *kv;        /* borrowed: the key */
    size_t args_per_item;       /* 1, or 2 for pairs */
    size_t items_left;          /* items not yet started */
    size_t items_in_command;    /* items still owed to the current command */
};

/* ---- Output ---- */

static void aof_rewrite_pass(struct aof_rewriter *w, const void *bytes, size_t len)
{
    if (w->error != 0 || len == 0)
        return;
    int rc = w->write(w->ctx, bytes, len);
    assert(rc <= 0);
    if (rc < 0)
        w->error = rc;
    else
        w->stats.bytes += len;
}

static void aof_rewrite_flush(struct aof_rewriter *w)
{
    aof_rewrite_pass(w, w->buf.data, w->buf.len);
    aof_buffer_clear(&w->buf);
}

static void aof_rewrite_flush_if_full(struct aof_rewriter *w)
{
    if (w->buf.len >= AOF_REWRITE_FLUSH_BYTES)
        aof_rewrite_flush(w);
    assert(w->buf.len < AOF_REWRITE_FLUSH_BYTES || w->error != 0);
}

static void aof_rewrite_header(struct aof_rewriter *w, char marker, size_t n)
{
    char text[AOF_REWRITE_HEADER_BYTES_MAX];
    text[0] = marker;
    size_t len = 1 + number_format_ll(text + 1, (long long)n);
    text[len++] = '\r';
    text[len++] = '\n';
    assert(len <= sizeof(text));
    aof_buffer_append(&w->buf, text, len);
}

/* One bulk string: "$<len>\r\n<bytes>\r\n". */
static void aof_rewrite_bulk(struct aof_rewriter *w, const void *bytes, size_t len)
{
    if (w->error != 0)
        return;
    aof_rewrite_header(w, '$', len);
    if (len >= AOF_REWRITE_FLUSH_BYTES) {
        /* Copying a big value into the buffer would only double the
         * memory it costs; the header goes out first to keep the order. */
        aof_rewrite_flush(w);
        aof_rewrite_pass(w, bytes, len);
    } else {
        aof_buffer_append(&w->buf, bytes, len);
    }
    aof_buffer_append(&w->buf, "\r\n", 2);
    aof_rewrite_flush_if_full(w);
}

static void aof_rewrite_bulk_str(struct aof_rewriter *w, const char *s)
{
    aof_rewrite_bulk(w, s, strlen(s));
}

static void aof_rewrite_bulk_double(struct aof_rewriter *w, double value)
{
    char text[ZSET_SCORE_TEXT_BYTES];
    size_t len = number_format_double(text, sizeof(text), value);
    assert(len > 0 && len < sizeof(text));
    aof_rewrite_bulk(w, text, len);
}

/* The "*<argc>", the command name and the key of one command. */
static void aof_rewrite_begin(struct aof_rewriter *w, size_t argc, const char *command,
                              const struct kv *kv)
{
    assert(argc >= 2);
    if (w->error != 0)
        return;
    aof_rewrite_header(w, '*', argc);
    aof_rewrite_bulk_str(w, command);
    aof_rewrite_bulk(w, kv_key(kv), kv->key_len);
    w->stats.commands++;
}

/* ---- Batches ---- */

static void aof_rewrite_batch_init(struct aof_rewrite_batch *b, const char *command,
                                   const struct kv *kv, size_t args_per_item, size_t items)
{
    assert(items > 0); /* the keyspace never holds an empty collection */
    b->command = command;
    b->kv = kv;
    b->args_per_item = args_per_item;
    b->items_left = items;
    b->items_in_command = 0;
}

/* Called before each item's arguments: opens the next command when the
 * current one has all its items. */
static void aof_rewrite_batch_item(struct aof_rewriter *w, struct aof_rewrite_batch *b)
{
    assert(b->items_left > 0);
    if (b->items_in_command == 0) {
        size_t items = b->items_left < AOF_REWRITE_ITEMS_PER_CMD ? b->items_left
                                                                  : AOF_REWRITE_ITEMS_PER_CMD;
        aof_rewrite_begin(w, 2 + items * b->args_per_item, b->command, b->kv);
        b->items_in_command = items;
    }
    b->items_in_command--;
    b->items_left--;
}

/* Every item announced in a header was written, unless writing failed. */
static void aof_rewrite_batch_done(const struct aof_rewriter *w, const struct aof_rewrite_batch *b)
{
    assert(w->error != 0 || b->items_left == 0);
    assert(w->error != 0 || b->items_in_command == 0);
}

/* ---- Values ---- */

static void aof_rewrite_string(struct aof_rewriter *w, const struct kv *kv)
{
    aof_rewrite_begin(w, 3, "SET", kv);
    aof_rewrite_bulk(w, kv_string_const(kv), kv->val_len);
}

static void aof_rewrite_list(struct aof_rewriter *w, struct kv *kv)
{
    struct list *l = kv_object(kv);
    struct aof_rewrite_batch b;
    struct list_iter it;
    struct list_entry e;
    aof_rewrite_batch_init(&b, "RPUSH", kv, 1, list_count(l));
    list_iter_init(&it, l, 0, true);
    for (; list_iter_valid(&it) && w->error == 0; list_iter_next(&it)) {
        aof_rewrite_batch_item(w, &b);
        list_iter_get(&it, &e);
        aof_rewrite_bulk(w, e.str, e.len);
    }
    aof_rewrite_batch_done(w, &b);
}

static void aof_rewrite_set(struct aof_rewriter *w, const struct kv *kv)
{
    struct aof_rewrite_batch b;
    struct set_iter it;
    struct set_elem e;
    aof_rewrite_batch_init(&b, "SADD", kv, 1, set_size(kv));
    set_iter_init(&it, kv);
    while (w->error == 0 && set_iter_next(&it, &e)) {
        aof_rewrite_batch_item(w, &b);
        aof_rewrite_bulk(w, e.ptr, e.len);
    }
    set_iter_done(&it);
    aof_rewrite_batch_done(w, &b);
}

/* Members go out in score order for both encodings (Redis walks a
 * skiplist zset's dict instead, in no particular order): any order loads
 * to the same zset, and this one lets the loader append in order. */
static void aof_rewrite_zset(struct aof_rewriter *w, struct kv *kv)
{
    struct aof_rewrite_batch b;
    struct zset_iter it;
    struct zset_element e;
    aof_rewrite_batch_init(&b, "ZADD", kv, 2, zset_length(kv));
    zset_iter_at_rank(&it, kv, 0, false);
    for (; zset_iter_valid(&it) && w->error == 0; zset_iter_next(&it)) {
        aof_rewrite_batch_item(w, &b);
        zset_iter_get(&it, &e);
        aof_rewrite_bulk_double(w, e.score);
        aof_rewrite_bulk(w, e.member, e.len);
    }
    aof_rewrite_batch_done(w, &b);
}

static void aof_rewrite_hash(struct aof_rewriter *w, struct kv *kv)
{
    struct aof_rewrite_batch b;
    struct hash_iter it;
    struct hash_text field, value;
    aof_rewrite_batch_init(&b, "HMSET", kv, 2, hash_count(kv));
    hash_iter_init(&it, kv);
    while (w->error == 0 && hash_iter_next(&it, &field, &value)) {
        aof_rewrite_batch_item(w, &b);
        aof_rewrite_bulk(w, field.ptr, field.len);
        aof_rewrite_bulk(w, value.ptr, value.len);
    }
    hash_iter_done(&it);
    aof_rewrite_batch_done(w, &b);
}

/* ---- Streams: as Redis 7.0's rewriteStreamObject ---- */

static void aof_rewrite_bulk_id(struct aof_rewriter *w, const struct stream_id *id)
{
    char text[48];
    aof_rewrite_bulk(w, text, stream_id_format(id, text));
}

static void aof_rewrite_bulk_ll(struct aof_rewriter *w, long long v)
{
    char text[AOF_REWRITE_INT_TEXT_BYTES];
    aof_rewrite_bulk(w, text, number_format_ll(text, v));
}

/* "*<argc>", two words, then the key (XGROUP CREATE ...). */
static void aof_rewrite_begin2(struct aof_rewriter *w, size_t argc, const char *command,
                               const char *sub, const struct kv *kv)
{
    if (w->error != 0)
        return;
    aof_rewrite_header(w, '*', argc);
    aof_rewrite_bulk_str(w, command);
    aof_rewrite_bulk_str(w, sub);
    aof_rewrite_bulk(w, kv_key(kv), kv->key_len);
    w->stats.commands++;
}

static void aof_rewrite_stream_groups(struct aof_rewriter *w, const struct kv *kv,
                                      const struct stream *s)
{
    for (size_t i = 0; i < s->group_count && w->error == 0; i++) {
        const struct stream_group *g = s->groups[i];
        aof_rewrite_begin2(w, 7, "XGROUP", "CREATE", kv);
        aof_rewrite_bulk(w, g->name, g->name_len);
        aof_rewrite_bulk_id(w, &g->last_id);
        aof_rewrite_bulk_str(w, "ENTRIESREAD");
        aof_rewrite_bulk_ll(w, g->entries_read);
        for (size_t j = 0; j < g->consumer_count; j++) {
            const struct stream_consumer *c = g->consumers[j];
            if (c->pel.count == 0) {
                aof_rewrite_begin2(w, 5, "XGROUP", "CREATECONSUMER", kv);
                aof_rewrite_bulk(w, g->name, g->name_len);
                aof_rewrite_bulk(w, c->name, c->name_len);
                continue;
            }
            for (struct stream_idmap_node *n = stream_idmap_seek(&c->pel, NULL); n != NULL;
                 n = stream_idmap_next(n)) {
                const struct stream_nack *nack = stream_idmap_node_value(n);
                aof_rewrite_begin(w, 12, "XCLAIM", kv);
                aof_rewrite_bulk(w, g->name, g->name_len);
                aof_rewrite_bulk(w, c->name, c->name_len);
                aof_rewrite_bulk_str(w, "0");
                aof_rewrite_bulk_id(w, &nack->id);
                aof_rewrite_bulk_str(w, "TIME");
                aof_rewrite_bulk_ll(w, nack->delivery_time);
                aof_rewrite_bulk_str(w, "RETRYCOUNT");
                aof_rewrite_bulk_ll(w, (long long)nack->delivery_count);
                aof_rewrite_bulk_str(w, "JUSTID");
                aof_rewrite_bulk_str(w, "FORCE");
            }
        }
    }
}

static void aof_rewrite_stream(struct aof_rewriter *w, struct kv *kv)
{
    struct stream *s = kv_object(kv);
    if (s->length) {
        struct stream_iter it;
        struct stream_id id;
        int64_t nfields;
        stream_iter_start(&it, s, NULL, NULL, false);
        while (w->error == 0 && stream_iter_next(&it, &id, &nfields)) {
            aof_rewrite_begin(w, 3 + (size_t)nfields * 2, "XADD", kv);
            aof_rewrite_bulk_id(w, &id);
            for (int64_t i = 0; i < nfields; i++) {
                struct stream_text f, v;
                stream_iter_field(&it, &f, &v);
                aof_rewrite_bulk(w, f.ptr, f.len);
                aof_rewrite_bulk(w, v.ptr, v.len);
            }
        }
    } else {
        /* An empty stream: XADD with MAXLEN 0 creates it and leaves it
         * empty. */
        aof_rewrite_begin(w, 7, "XADD", kv);
        aof_rewrite_bulk_str(w, "MAXLEN");
        aof_rewrite_bulk_str(w, "0");
        aof_rewrite_bulk_str(w, "0-1");
        aof_rewrite_bulk_str(w, "x");
        aof_rewrite_bulk_str(w, "y");
    }
    aof_rewrite_begin(w, 7, "XSETID", kv);
    aof_rewrite_bulk_id(w, &s->last_id);
    aof_rewrite_bulk_str(w, "ENTRIESADDED");
    aof_rewrite_bulk_ll(w, (long long)s->entries_added);
    aof_rewrite_bulk_str(w, "MAXDELETEDID");
    aof_rewrite_bulk_id(w, &s->max_deleted_id);
    aof_rewrite_stream_groups(w, kv, s);
}

/* Written through the same streaming helpers as the values rather than
 * aof_encode_command, so a huge key never has to fit in the buffer. */
static void aof_rewrite_expire(struct aof_rewriter *w, const struct kv *kv, int64_t when_ms)
{
    assert(when_ms >= 0);
    char digits[AOF_REWRITE_INT_TEXT_BYTES];
    size_t len = number_format_ll(digits, when_ms);
    aof_rewrite_begin(w, 3, "PEXPIREAT", kv);
    aof_rewrite_bulk(w, digits, len);
}

static void aof_rewrite_key(struct aof_rewriter *w, const struct db *db, struct kv *kv,
                            const struct aof_rewrite_options *options)
{
    int64_t when_ms = (kv->flags & KV_FLAG_EXPIRES) ? db_get_expire(db, kv) : -1;
    if (options->skip_expired && when_ms >= 0 && when_ms < options->now_ms) {
        w->stats.keys_expired_skipped++;
        return;
    }
    switch (kv->type) {
    case KV_STRING:
        aof_rewrite_string(w, kv);
        break;
    case KV_LIST:
        aof_rewrite_list(w, kv);
        break;
    case KV_SET:
        aof_rewrite_set(w, kv);
        break;
    case KV_ZSET:
        aof_rewrite_zset(w, kv);
        break;
    case KV_HASH:
        aof_rewrite_hash(w, kv);
        break;
    case KV_STREAM:
        aof_rewrite_stream(w, kv);
        break;
    default:
        assert(!"unknown kv type");
    }
    if (when_ms >= 0)
        aof_rewrite_expire(w, kv, when_ms);
    if (w->error == 0)
        w->stats.keys_written++;
}

/* ---- The walk ---- */

static void aof_rewrite_db(struct aof_rewriter *w, struct db *db,
                           const struct aof_rewrite_options *options)
{
    assert(db_size(db) > 0);
    aof_encode_select(&w->buf, db->id);
    w->stats.commands++;
    struct dict_iter it;
    dict_iter_init(&it, &db->keys);
    struct dict_node *node;
    while (w->error == 0 && (node = dict_iter_next(&it)) != NULL) {
        aof_rewrite_key(w, db, (struct kv *)((char *)node - offsetof(struct kv, link)), options);
        w->keys_visited++;
        if (options->progress != NULL)
            options->progress(options->progress_ctx, w->keys_visited);
    }
    dict_iter_done(&it);
}

/* FUNCTION LOAD <code> per library, before the first SELECT, as Redis
 * 7.0's rewriteFunctions writes them. */
static void aof_rewrite_functions(struct aof_rewriter *w, const struct library_codes *codes)
{
    for (size_t i = 0; codes != NULL && i < codes->count && w->error == 0; i++) {
        aof_rewrite_header(w, '*', 3);
        aof_rewrite_bulk_str(w, "FUNCTION");
        aof_rewrite_bulk_str(w, "LOAD");
        aof_rewrite_bulk(w, codes->items[i].code, codes->items[i].len);
        w->stats.commands++;
        aof_rewrite_flush_if_full(w);
    }
}

int aof_rewrite_keyspace(struct keyspace *ks, aof_rewrite_write_fn write, void *ctx,
                         const struct aof_rewrite_options *options,
                         struct aof_rewrite_stats *stats)
{
    assert(write != NULL);
    assert(options != NULL);
    struct aof_rewriter w = {.write = write, .ctx = ctx};
    aof_buffer_init(&w.buf);
    aof_buffer_reserve(&w.buf, 2 * AOF_REWRITE_FLUSH_BYTES);
    if (options->timestamp)
        aof_encode_timestamp(&w.buf, options->now_s);
    aof_rewrite_functions(&w, options->functions);
    for (int i = 0; i < ks->db_count && w.error == 0; i++) {
        if (db_size(&ks->dbs[i]) > 0)
            aof_rewrite_db(&w, &ks->dbs[i], options);
    }
    aof_rewrite_flush(&w);
    aof_buffer_free(&w.buf);
    if (stats != NULL)
        *stats = w.stats;
    return w.error;
}
