/* aof_rewrite_test.c: unit tests for engine/aof_rewrite.c.
 *
 * A keyspace holding every type in every encoding (small and large, more
 * than AOF_REWRITE_ITEMS_PER_CMD items, binary bytes, a value bigger than
 * a flush chunk), over several databases, with TTLs and one key already
 * expired, is rewritten into memory. The bytes are parsed back with
 * engine/aof_reader.h and checked three ways: the exact command sequence
 * (per database, each key's commands against a reference built from the
 * type iterators, plus literal checks for keys whose order is fixed), a
 * replay of the commands into a fresh keyspace that must describe the same
 * as the original (contents, encodings, expiries), and a byte-for-byte
 * comparison with a file redis-server 7.0.15 wrote for a small dataset.
 * Sink failures must stop the walk and come back as the -errno.
 *
 * Set RINGKV_AOF_REWRITE_EXPORT=<path> to also write the dataset's rewrite
 * to <path>, for checking by hand that redis-server loads it (as the BASE
 * of a manifest) to the same data. */
#include "engine/alloc.h"
#include "engine/aof_encode.h"
#include "engine/aof_reader.h"
#include "engine/aof_rewrite.h"
#include "engine/db.h"
#include "engine/hash.h"
#include "engine/kv.h"
#include "engine/list.h"
#include "engine/number.h"
#include "engine/rdb.h"
#include "engine/set.h"
#include "engine/zset.h"
#include "tests/unit.h"

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_TIMEOUT_S 120
#define TEST_DATABASES 16
/* The clock the rewrites run at: the "expired" key's TTL is before it. */
#define TEST_NOW_MS 1700000000000LL
#define TEST_BIG_STRING_BYTES (3 * AOF_REWRITE_FLUSH_BYTES + 17)

/* ---- Growable text and lists of strings ---- */

struct text {
    char *data;
    size_t len, cap;
};

static void text_add(struct text *t, const void *s, size_t len)
{
    if (t->len + len + 1 > t->cap) {
        t->cap = (t->len + len + 1) * 2;
        t->data = realloc(t->data, t->cap);
    }
    memcpy(t->data + t->len, s, len);
    t->len += len;
    t->data[t->len] = '\0';
}

static void text_str(struct text *t, const char *s)
{
    text_add(t, s, strlen(s));
}

/* Appends s with every byte outside printable ASCII (and '\\' and ' ')
 * escaped as \xNN, so binary arguments compare and print as text. */
static void text_escaped(struct text *t, const void *s, size_t len)
{
    const unsigned char *p = s;
    char esc[5];
    for (size_t i = 0; i < len; i++) {
        if (p[i] > ' ' && p[i] < 127 && p[i] != '\\') {
            text_add(t, &p[i], 1);
        } else {
            snprintf(esc, sizeof(esc), "\\x%02x", p[i]);
            text_add(t, esc, 4);
        }
    }
}

struct strings {
    char **v;
    size_t n, cap;
};

/* Takes the text's buffer. */
static void strings_take(struct strings *l, struct text *t)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = t->data ? t->data : strdup("");
    memset(t, 0, sizeof(*t));
}

static void strings_free(struct strings *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts l and appends its strings to out, each followed by sep. */
static void strings_join_sorted(struct strings *l, struct text *out, const char *sep)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < l->n; i++) {
        text_str(out, l->v[i]);
        text_str(out, sep);
    }
}

/* ---- Canonical description of a keyspace ---- */

static void describe_value(struct text *t, struct kv *kv)
{
    struct strings members = {0};
    struct text m = {0};
    if (kv->type == KV_STRING) {
        text_escaped(t, kv_string_const(kv), kv->val_len);
    } else if (kv->type == KV_LIST) {
        struct list_iter it;
        struct list_entry e;
        list_check(kv_object(kv));
        for (list_iter_init(&it, kv_object(kv), 0, true); list_iter_valid(&it);
             list_iter_next(&it)) {
            list_iter_get(&it, &e);
            text_escaped(t, e.str, e.len);
            text_str(t, ",");
        }
    } else if (kv->type == KV_SET) {
        struct set_iter it;
        struct set_elem e;
        set_iter_init(&it, kv);
        while (set_iter_next(&it, &e)) {
            text_escaped(&m, e.ptr, e.len);
            strings_take(&members, &m);
        }
        set_iter_done(&it);
    } else if (kv->type == KV_HASH) {
        struct hash_iter it;
        struct hash_text f, v;
        hash_iter_init(&it, kv);
        while (hash_iter_next(&it, &f, &v)) {
            text_escaped(&m, f.ptr, f.len);
            text_str(&m, "=");
            text_escaped(&m, v.ptr, v.len);
            strings_take(&members, &m);
        }
        hash_iter_done(&it);
    } else {
        TEST_CHECK(kv->type == KV_ZSET);
        struct zset_iter it;
        struct zset_element e;
        char score[ZSET_SCORE_TEXT_BYTES];
        for (zset_iter_at_rank(&it, kv, 0, false); zset_iter_valid(&it); zset_iter_next(&it)) {
            zset_iter_get(&it, &e);
            text_escaped(t, e.member, e.len);
            text_add(t, score, zset_format_score(score, e.score));
            text_str(t, ",");
        }
    }
    strings_join_sorted(&members, t, ",");
    strings_free(&members);
}

/* One sorted line per key: db, key, type, encoding, expiry, contents. */
static char *describe(struct keyspace *ks)
{
    struct strings lines = {0};
    for (int i = 0; i < ks->db_count; i++) {
        struct dict_iter it;
        dict_iter_init(&it, &ks->dbs[i].keys);
        for (struct dict_node *node; (node = dict_iter_next(&it)) != NULL;) {
            struct kv *kv = (struct kv *)node;
            struct text t = {0};
            char head[96];
            snprintf(head, sizeof(head), "db%d ", i);
            text_str(&t, head);
            text_escaped(&t, kv_key(kv), kv->key_len);
            snprintf(head, sizeof(head), " %s %s exp=%lld : ", kv_type_name(kv->type),
                     kv_encoding_name(kv->encoding), (long long)db_get_expire(&ks->dbs[i], kv));
            text_str(&t, head);
            describe_value(&t, kv);
            strings_take(&lines, &t);
        }
        dict_iter_done(&it);
    }
    struct text out = {0};
    strings_join_sorted(&lines, &out, "\n");
    strings_free(&lines);
    return out.data ? out.data : strdup("");
}

/* ---- The dataset ---- */

static void add_string(struct db *db, const char *key, size_t key_len, const void *val,
                       size_t len)
{
    db_add(db, kv_new_string(key, key_len, val, len, -1));
}

static struct kv *find(struct db *db, const char *key)
{
    struct kv *kv = db_lookup(db, key, strlen(key), DB_LOOKUP_NOEXPIRE | DB_LOOKUP_NOTOUCH);
    TEST_CHECK(kv != NULL);
    return kv;
}

static void add_list(struct db *db, const char *key, size_t count, bool numbers)
{
    struct list *l = list_new(db->keyspace->limits.list_max_listpack_size);
    char buf[64];
    for (size_t i = 0; i < count; i++) {
        int n = numbers || i % 3 == 0 ? snprintf(buf, sizeof(buf), "%zu", i + 1)
                                      : snprintf(buf, sizeof(buf), "elem-%zu-\r\n", i);
        list_push(l, LIST_TAIL, buf, (size_t)n);
    }
    db_add(db, kv_new_object(key, strlen(key), KV_LIST, KV_ENC_QUICKLIST, l));
}

static void add_set(struct db *db, const char *key, size_t count, bool integers)
{
    char buf[64];
    int n = integers ? snprintf(buf, sizeof(buf), "-7") : snprintf(buf, sizeof(buf), "m");
    struct kv *kv = set_new_kv(key, strlen(key), buf, (size_t)n);
    set_add(kv, buf, (size_t)n, db->keyspace->limits.set_max_intset_entries);
    for (size_t i = 1; i < count; i++) {
        n = integers ? snprintf(buf, sizeof(buf), "%zu", i * 1000003)
                     : snprintf(buf, sizeof(buf), "member %zu", i);
        set_add(kv, buf, (size_t)n, db->keyspace->limits.set_max_intset_entries);
    }
    db_add(db, kv);
}

static void add_zset(struct db *db, const char *key, size_t count, size_t member_bytes)
{
    const struct encoding_limits *lim = &db->keyspace->limits;
    struct kv *kv = zset_new(key, strlen(key), KV_ENC_LISTPACK);
    char buf[256];
    for (size_t i = 0; i < count; i++) {
        int n = snprintf(buf, sizeof(buf), "zm%zu", i);
        while ((size_t)n < member_bytes && (size_t)n < sizeof(buf))
            buf[n++] = 'z';
        double score = i == 0 ? -INFINITY : i == 1 ? INFINITY : i == 2 ? 0.1 : (double)i / 3;
        zset_add(kv, score, buf, (size_t)n, 0, NULL, lim->zset_max_listpack_entries,
                 lim->zset_max_listpack_value);
    }
    db_add(db, kv);
}

static void add_hash(struct db *db, const char *key, size_t count, size_t value_bytes)
{
    struct kv *kv = hash_kv_new(key, strlen(key));
    char f[64], v[256];
    for (size_t i = 0; i < count; i++) {
        int fl = snprintf(f, sizeof(f), "field:%zu", i);
        size_t vl = i % 4 == 0 ? (size_t)snprintf(v, sizeof(v), "%zu", i * 7) : value_bytes;
        if (i % 4 != 0)
            memset(v, 'a' + (int)(i % 26), vl);
        hash_set(kv, f, (size_t)fl, v, vl, &db->keyspace->limits);
    }
    db_add(db, kv);
}

static void build_dataset(struct keyspace *ks)
{
    struct db *db0 = &ks->dbs[0], *db2 = &ks->dbs[2], *db7 = &ks->dbs[7];
    add_string(db0, "str", 3, "hello", 5);
    add_string(db0, "int", 3, "12345", 5);
    add_string(db0, "empty", 5, "", 0);
    add_string(db0, "bin\0\r\nkey", 9, "\0\r\n\xff", 4);
    char *big = malloc(TEST_BIG_STRING_BYTES);
    for (size_t i = 0; i < TEST_BIG_STRING_BYTES; i++)
        big[i] = (char)(i * 31 + 7);
    add_string(db0, "big", 3, big, TEST_BIG_STRING_BYTES);
    free(big);
    add_string(db0, "ttl-str", 7, "v", 1);
    db_set_expire(db0, find(db0, "ttl-str"), 4102444800123LL);
    add_string(db0, "expired", 7, "old", 3);
    db_set_expire(db0, find(db0, "expired"), 1000);
    add_list(db0, "list-small", 4, false);
    add_list(db0, "list-130", 130, true);
    add_list(db0, "list-big", 5000, false);
    add_set(db2, "set-intset", 100, true);
    add_set(db2, "set-small", 2, false);
    add_set(db2, "set-ht", 1000, false);
    add_set(db2, "set-ht-int", 600, true);
    add_zset(db7, "zset-lp", 20, 0);
    add_zset(db7, "zset-sl", 300, 0);
    db_set_expire(db7, find(db7, "zset-sl"), 4102444800000LL);
    add_zset(db7, "zset-long", 2, 100);
    add_hash(db7, "hash-lp", 10, 8);
    add_hash(db7, "hash-ht", 700, 8);
    add_hash(db7, "hash-long", 3, 100);
    db_set_expire(db7, find(db7, "hash-long"), 4102444800001LL);
    add_string(&ks->dbs[15], "last", 4, "x", 1);

    TEST_CHECK(find(db2, "set-intset")->encoding == KV_ENC_INTSET);
    TEST_CHECK(find(db2, "set-ht-int")->encoding == KV_ENC_HASHTABLE);
    TEST_CHECK(find(db7, "zset-lp")->encoding == KV_ENC_LISTPACK);
    TEST_CHECK(find(db7, "zset-sl")->encoding == KV_ENC_SKIPLIST);
    TEST_CHECK(find(db7, "zset-long")->encoding == KV_ENC_SKIPLIST);
    TEST_CHECK(find(db7, "hash-lp")->encoding == KV_ENC_LISTPACK);
    TEST_CHECK(find(db7, "hash-ht")->encoding == KV_ENC_HASHTABLE);
    TEST_CHECK(find(db7, "hash-long")->encoding == KV_ENC_HASHTABLE);
}

/* ---- Rewriting and parsing back ---- */

static const struct aof_rewrite_options options_default = {.now_s = TEST_NOW_MS / 1000,
                                                           .now_ms = TEST_NOW_MS};

static void rewrite(struct keyspace *ks, const struct aof_rewrite_options *opt,
                    struct rdb_buffer *out, struct aof_rewrite_stats *stats)
{
    memset(out, 0, sizeof(*out));
    TEST_CHECK(aof_rewrite_keyspace(ks, rdb_buffer_write, out, opt, stats) == 0);
    TEST_CHECK(stats->bytes == out->len);
}

/* One parsed command as text: the arguments, escaped, joined by spaces. */
static void command_text(const struct aof_reader *r, struct text *t)
{
    for (size_t i = 0; i < r->argc; i++) {
        if (i > 0)
            text_str(t, " ");
        text_escaped(t, r->argv[i].ptr, r->argv[i].len);
    }
}

/* Parses a whole rewrite into one string per command. */
static void parse_commands(const struct rdb_buffer *b, struct strings *out)
{
    struct aof_reader r;
    aof_reader_init(&r, b->data, b->len, AOF_READER_BULK_BYTES_DEFAULT);
    enum aof_read_result res;
    while ((res = aof_reader_next(&r)) == AOF_READ_COMMAND) {
        struct text t = {0};
        command_text(&r, &t);
        strings_take(out, &t);
    }
    TEST_CHECK(res == AOF_READ_EOF);
    TEST_CHECK(r.valid_end == b->len);
    aof_reader_free(&r);
}

/* ---- The expected commands of one key, from the type iterators ---- */

struct expect {
    struct strings *out;
    const struct kv *kv;
    const char *command;
    size_t items_left, in_command;
    struct text t;
};

static void expect_item(struct expect *e)
{
    if (e->in_command == 0) {
        e->in_command = e->items_left < AOF_REWRITE_ITEMS_PER_CMD ? e->items_left
                                                                  : AOF_REWRITE_ITEMS_PER_CMD;
        text_str(&e->t, e->command);
        text_str(&e->t, " ");
        text_escaped(&e->t, kv_key(e->kv), e->kv->key_len);
    }
    e->items_left--;
}

static void expect_arg(struct expect *e, const void *s, size_t len)
{
    text_str(&e->t, " ");
    text_escaped(&e->t, s, len);
}

static void expect_item_done(struct expect *e)
{
    if (--e->in_command == 0)
        strings_take(e->out, &e->t);
}

static void expect_collection(struct expect *e, struct kv *kv)
{
    if (kv->type == KV_LIST) {
        struct list_iter it;
        struct list_entry le;
        for (list_iter_init(&it, kv_object(kv), 0, true); list_iter_valid(&it);
             list_iter_next(&it)) {
            list_iter_get(&it, &le);
            expect_item(e);
            expect_arg(e, le.str, le.len);
            expect_item_done(e);
        }
    } else if (kv->type == KV_SET) {
        struct set_iter it;
        struct set_elem se;
        set_iter_init(&it, kv);
        while (set_iter_next(&it, &se)) {
            expect_item(e);
            expect_arg(e, se.ptr, se.len);
            expect_item_done(e);
        }
        set_iter_done(&it);
    } else if (kv->type == KV_HASH) {
        struct hash_iter it;
        struct hash_text f, v;
        hash_iter_init(&it, kv);
        while (hash_iter_next(&it, &f, &v)) {
            expect_item(e);
            expect_arg(e, f.ptr, f.len);
            expect_arg(e, v.ptr, v.len);
            expect_item_done(e);
        }
        hash_iter_done(&it);
    } else {
        struct zset_iter it;
        struct zset_element ze;
        char score[64];
        for (zset_iter_at_rank(&it, kv, 0, false); zset_iter_valid(&it); zset_iter_next(&it)) {
            zset_iter_get(&it, &ze);
            expect_item(e);
            /* Written independently of number.h: what rioWriteBulkDouble
             * prints. */
            int n = isinf(ze.score) ? snprintf(score, sizeof(score), "%s",
                                               ze.score > 0 ? "inf" : "-inf")
                                    : snprintf(score, sizeof(score), "%.17g", ze.score);
            expect_arg(e, score, (size_t)n);
            expect_arg(e, ze.member, ze.len);
            expect_item_done(e);
        }
    }
}

/* Appends the commands expected for kv to out (one string per command). */
static void expect_key(struct db *db, struct kv *kv, struct strings *out)
{
    static const char *const names[] = {"SET", "RPUSH", "SADD", "ZADD", "HMSET"};
    struct expect e = {.out = out, .kv = kv, .command = names[kv->type]};
    if (kv->type == KV_STRING) {
        text_str(&e.t, "SET ");
        text_escaped(&e.t, kv_key(kv), kv->key_len);
        expect_arg(&e, kv_string_const(kv), kv->val_len);
        strings_take(out, &e.t);
    } else {
        e.items_left = kv->type == KV_LIST  ? list_count(kv_object(kv))
                       : kv->type == KV_SET ? set_size(kv)
                       : kv->type == KV_ZSET ? zset_length(kv)
                                             : hash_count(kv);
        expect_collection(&e, kv);
        TEST_CHECK(e.items_left == 0 && e.in_command == 0);
    }
    int64_t when = db_get_expire(db, kv);
    if (when >= 0) {
        char tail[32];
        snprintf(tail, sizeof(tail), " %lld", (long long)when);
        text_str(&e.t, "PEXPIREAT ");
        text_escaped(&e.t, kv_key(kv), kv->key_len);
        text_str(&e.t, tail);
        strings_take(out, &e.t);
    }
}

/* Joins cmds[from..to) with newlines into one string (a key's group). */
static char *join_range(struct strings *cmds, size_t from, size_t to)
{
    struct text t = {0};
    for (size_t i = from; i < to; i++) {
        text_str(&t, cmds->v[i]);
        text_str(&t, "\n");
    }
    return t.data;
}

/* The key a command acts on (its second argument), as escaped text. */
static size_t command_key(const char *cmd, const char **key)
{
    const char *sp = strchr(cmd, ' ');
    TEST_CHECK(sp != NULL);
    *key = sp + 1;
    const char *end = strchr(*key, ' ');
    return end ? (size_t)(end - *key) : strlen(*key);
}

/* Splits one database's commands cmds[from..to) into per-key groups. */
static void group_by_key(struct strings *cmds, size_t from, size_t to, struct strings *groups)
{
    size_t start = from;
    for (size_t i = from + 1; i <= to; i++) {
        const char *a, *b = NULL;
        size_t alen = command_key(cmds->v[start], &a), blen = 0;
        if (i < to)
            blen = command_key(cmds->v[i], &b);
        if (i == to || alen != blen || memcmp(a, b, alen) != 0) {
            struct text t = {0};
            char *g = join_range(cmds, start, i);
            text_str(&t, g);
            free(g);
            strings_take(groups, &t);
            start = i;
        }
    }
}

/* Checks one database's commands cmds[from..to) against its keys. */
static void check_db_commands(struct keyspace *ks, int dbi, struct strings *cmds, size_t from,
                              size_t to, const struct aof_rewrite_options *opt)
{
    struct strings got = {0}, want = {0};
    group_by_key(cmds, from, to, &got);
    struct dict_iter it;
    dict_iter_init(&it, &ks->dbs[dbi].keys);
    for (struct dict_node *node; (node = dict_iter_next(&it)) != NULL;) {
        struct kv *kv = (struct kv *)node;
        int64_t when = db_get_expire(&ks->dbs[dbi], kv);
        if (opt->skip_expired && when >= 0 && when < opt->now_ms)
            continue;
        struct strings one = {0};
        expect_key(&ks->dbs[dbi], kv, &one);
        struct text t = {0};
        char *g = join_range(&one, 0, one.n);
        text_str(&t, g);
        free(g);
        strings_take(&want, &t);
        strings_free(&one);
    }
    dict_iter_done(&it);
    TEST_CHECK(got.n == want.n);
    if (got.n > 1) {
        qsort(got.v, got.n, sizeof(char *), cmp_str);
        qsort(want.v, want.n, sizeof(char *), cmp_str);
    }
    for (size_t i = 0; i < got.n; i++) {
        if (strcmp(got.v[i], want.v[i]) != 0)
            ck_abort_msg("db %d key group %zu differs:\n got %.300s\nwant %.300s", dbi, i,
                         got.v[i], want.v[i]);
    }
    strings_free(&got);
    strings_free(&want);
}

/* The whole sequence: optional #TS is invisible to the reader; then for
 * each non-empty db in order "SELECT <db>" and its keys' groups. */
static void check_sequence(struct keyspace *ks, struct strings *cmds,
                           const struct aof_rewrite_options *opt)
{
    size_t i = 0;
    for (int dbi = 0; dbi < ks->db_count; dbi++) {
        if (db_size(&ks->dbs[dbi]) == 0)
            continue;
        char select[32];
        snprintf(select, sizeof(select), "SELECT %d", dbi);
        TEST_CHECK(i < cmds->n && strcmp(cmds->v[i], select) == 0);
        size_t end = ++i;
        while (end < cmds->n && strncmp(cmds->v[end], "SELECT ", 7) != 0)
            end++;
        check_db_commands(ks, dbi, cmds, i, end, opt);
        i = end;
    }
    TEST_CHECK(i == cmds->n);
}

static size_t find_command(struct strings *cmds, const char *prefix)
{
    for (size_t i = 0; i < cmds->n; i++) {
        if (strncmp(cmds->v[i], prefix, strlen(prefix)) == 0)
            return i;
    }
    ck_abort_msg("no command starting with %s", prefix);
    return 0;
}

/* ---- Replaying the commands into a fresh keyspace ---- */

static bool arg_is(const struct aof_arg *a, const char *s)
{
    return a->len == strlen(s) && memcmp(a->ptr, s, a->len) == 0;
}

static long long arg_ll(const struct aof_arg *a)
{
    long long v;
    TEST_CHECK(number_parse_ll(a->ptr, a->len, &v));
    return v;
}

/* Finds the key of a collection command, creating it with create() when
 * absent (the commands' own behaviour). */
static struct kv *replay_target(struct db *db, const struct aof_arg *argv, int type,
                                struct kv *(*create)(const struct aof_arg *argv))
{
    struct kv *kv = db_lookup(db, argv[1].ptr, argv[1].len, DB_LOOKUP_WRITE);
    if (kv == NULL) {
        kv = create(argv);
        db_add(db, kv);
    }
    TEST_CHECK(kv->type == type);
    return kv;
}

static struct kv *create_list(const struct aof_arg *argv)
{
    /* The same fill the dataset's lists were made with. */
    return kv_new_object(argv[1].ptr, argv[1].len, KV_LIST, KV_ENC_QUICKLIST, list_new(-2));
}

static struct kv *create_set(const struct aof_arg *argv)
{
    return set_new_kv(argv[1].ptr, argv[1].len, argv[2].ptr, argv[2].len);
}

static struct kv *create_zset(const struct aof_arg *argv)
{
    return zset_new(argv[1].ptr, argv[1].len, KV_ENC_LISTPACK);
}

static struct kv *create_hash(const struct aof_arg *argv)
{
    return hash_kv_new(argv[1].ptr, argv[1].len);
}

static void replay_collection(struct db *db, size_t argc, const struct aof_arg *argv)
{
    const struct encoding_limits *lim = &db->keyspace->limits;
    struct kv *kv;
    if (arg_is(&argv[0], "RPUSH")) {
        kv = replay_target(db, argv, KV_LIST, create_list);
        for (size_t i = 2; i < argc; i++)
            list_push(kv_object(kv), LIST_TAIL, argv[i].ptr, argv[i].len);
    } else if (arg_is(&argv[0], "SADD")) {
        kv = replay_target(db, argv, KV_SET, create_set);
        for (size_t i = 2; i < argc; i++)
            TEST_CHECK(set_add(kv, argv[i].ptr, argv[i].len, lim->set_max_intset_entries));
    } else if (arg_is(&argv[0], "ZADD")) {
        kv = replay_target(db, argv, KV_ZSET, create_zset);
        TEST_CHECK(argc % 2 == 0);
        for (size_t i = 2; i < argc; i += 2) {
            double score;
            TEST_CHECK(number_parse_double(argv[i].ptr, argv[i].len, &score));
            TEST_CHECK(zset_add(kv, score, argv[i + 1].ptr, argv[i + 1].len, 0, NULL,
                                lim->zset_max_listpack_entries,
                                lim->zset_max_listpack_value) == ZSET_ADD_ADDED);
        }
    } else {
        TEST_CHECK(arg_is(&argv[0], "HMSET"));
        kv = replay_target(db, argv, KV_HASH, create_hash);
        TEST_CHECK(argc % 2 == 0);
        for (size_t i = 2; i < argc; i += 2)
            TEST_CHECK(hash_set(kv, argv[i].ptr, argv[i].len, argv[i + 1].ptr, argv[i + 1].len,
                                lim));
    }
}

/* Executes each command of a rewrite against ks, as a loader would. */
static void replay(const struct rdb_buffer *b, struct keyspace *ks)
{
    struct aof_reader r;
    aof_reader_init(&r, b->data, b->len, AOF_READER_BULK_BYTES_DEFAULT);
    struct db *db = NULL;
    while (aof_reader_next(&r) == AOF_READ_COMMAND) {
        const struct aof_arg *argv = r.argv;
        TEST_CHECK(r.argc >= 2);
        TEST_CHECK(r.argc <= 2 + 2 * AOF_REWRITE_ITEMS_PER_CMD);
        if (arg_is(&argv[0], "SELECT")) {
            long long id = arg_ll(&argv[1]);
            TEST_CHECK(id >= 0 && id < ks->db_count);
            db = &ks->dbs[id];
            continue;
        }
        TEST_CHECK(db != NULL);
        if (arg_is(&argv[0], "SET")) {
            TEST_CHECK(r.argc == 3);
            db_add(db, kv_new_string(argv[1].ptr, argv[1].len, argv[2].ptr, argv[2].len, -1));
        } else if (arg_is(&argv[0], "PEXPIREAT")) {
            TEST_CHECK(r.argc == 3);
            struct kv *kv = db_lookup(db, argv[1].ptr, argv[1].len, DB_LOOKUP_WRITE);
            TEST_CHECK(kv != NULL);
            db_set_expire(db, kv, arg_ll(&argv[2]));
        } else {
            TEST_CHECK(r.argc >= 3);
            replay_collection(db, r.argc, argv);
        }
    }
    TEST_CHECK(r.final == AOF_READ_EOF);
    aof_reader_free(&r);
}

/* ---- Tests ---- */

static void new_dataset(struct keyspace *ks)
{
    keyspace_init(ks, TEST_DATABASES);
    ks->now_ms = TEST_NOW_MS;
    ks->expire_paused = true; /* the expired key must survive lookups */
    build_dataset(ks);
}

START_TEST(test_sequence_and_replay)
{
    struct keyspace ks, again;
    new_dataset(&ks);
    struct rdb_buffer out;
    struct aof_rewrite_stats stats;
    rewrite(&ks, &options_default, &out, &stats);
    TEST_CHECK(stats.keys_written == keyspace_key_count(&ks));
    TEST_CHECK(stats.keys_expired_skipped == 0);
    TEST_CHECK(out.len > TEST_BIG_STRING_BYTES);

    const char *export_path = getenv("RINGKV_AOF_REWRITE_EXPORT");
    if (export_path != NULL) {
        FILE *f = fopen(export_path, "wb");
        TEST_CHECK(f != NULL && fwrite(out.data, 1, out.len, f) == out.len && fclose(f) == 0);
    }

    struct strings cmds = {0};
    parse_commands(&out, &cmds);
    TEST_CHECK(stats.commands == cmds.n);
    check_sequence(&ks, &cmds, &options_default);

    /* Keys whose element order is fixed whatever the hash seed. */
    size_t i = find_command(&cmds, "RPUSH list-130 ");
    TEST_CHECK(strncmp(cmds.v[i], "RPUSH list-130 1 2 3 ", 21) == 0);
    TEST_CHECK(strcmp(strrchr(cmds.v[i], ' '), " 64") == 0);
    TEST_CHECK(strncmp(cmds.v[i + 1], "RPUSH list-130 65 66 ", 21) == 0);
    TEST_CHECK(strcmp(strrchr(cmds.v[i + 1], ' '), " 128") == 0);
    TEST_CHECK(strcmp(cmds.v[i + 2], "RPUSH list-130 129 130") == 0);
    i = find_command(&cmds, "ZADD zset-lp ");
    TEST_CHECK(strncmp(cmds.v[i],
                       "ZADD zset-lp -inf zm0 0.10000000000000001 zm2 1 zm3 "
                       "1.3333333333333333 zm4 ",
                       72) == 0);
    TEST_CHECK(strcmp(cmds.v[i] + strlen(cmds.v[i]) - 8, " inf zm1") == 0);
    i = find_command(&cmds, "SADD set-intset ");
    TEST_CHECK(strncmp(cmds.v[i], "SADD set-intset -7 1000003 2000006 ", 35) == 0);
    i = find_command(&cmds, "SET ttl-str ");
    TEST_CHECK(strcmp(cmds.v[i], "SET ttl-str v") == 0);
    TEST_CHECK(strcmp(cmds.v[i + 1], "PEXPIREAT ttl-str 4102444800123") == 0);
    i = find_command(&cmds, "SET bin");
    TEST_CHECK(strcmp(cmds.v[i], "SET bin\\x00\\x0d\\x0akey \\x00\\x0d\\x0a\\xff") == 0);
    /* Redis 7.0 keeps an already expired key, with its past TTL. */
    i = find_command(&cmds, "SET expired ");
    TEST_CHECK(strcmp(cmds.v[i + 1], "PEXPIREAT expired 1000") == 0);
    i = find_command(&cmds, "SET empty");
    TEST_CHECK(strcmp(cmds.v[i], "SET empty ") == 0);

    keyspace_init(&again, TEST_DATABASES);
    again.now_ms = TEST_NOW_MS;
    again.expire_paused = true;
    replay(&out, &again);
    char *a = describe(&ks), *b = describe(&again);
    TEST_CHECK(strcmp(a, b) == 0);
    free(a);
    free(b);
    strings_free(&cmds);
    rdb_buffer_free(&out);
    keyspace_free(&again);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_skip_expired_and_timestamp)
{
    struct keyspace ks, again;
    new_dataset(&ks);
    struct aof_rewrite_options opt = options_default;
    opt.skip_expired = true;
    opt.timestamp = true;
    struct rdb_buffer out;
    struct aof_rewrite_stats stats;
    rewrite(&ks, &opt, &out, &stats);
    TEST_CHECK(stats.keys_written == keyspace_key_count(&ks) - 1);
    TEST_CHECK(stats.keys_expired_skipped == 1);
    TEST_CHECK(out.len > 20 && memcmp(out.data, "#TS:1700000000\r\n*2\r\n$6\r\nSELECT\r\n", 31) == 0);

    struct strings cmds = {0};
    parse_commands(&out, &cmds);
    check_sequence(&ks, &cmds, &opt);
    for (size_t i = 0; i < cmds.n; i++)
        TEST_CHECK(strstr(cmds.v[i], "expired") == NULL);

    /* A key expiring exactly now is still alive (expiry means when < now). */
    opt.now_ms = 1000;
    rdb_buffer_free(&out);
    rewrite(&ks, &opt, &out, &stats);
    TEST_CHECK(stats.keys_expired_skipped == 0);

    keyspace_init(&again, TEST_DATABASES);
    again.expire_paused = true;
    replay(&out, &again);
    char *a = describe(&ks), *b = describe(&again);
    TEST_CHECK(strcmp(a, b) == 0);
    free(a);
    free(b);
    strings_free(&cmds);
    rdb_buffer_free(&out);
    keyspace_free(&again);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_empty_keyspace)
{
    struct keyspace ks;
    keyspace_init(&ks, TEST_DATABASES);
    struct rdb_buffer out;
    struct aof_rewrite_stats stats;
    rewrite(&ks, &options_default, &out, &stats);
    TEST_CHECK(out.len == 0 && stats.commands == 0 && stats.keys_written == 0);
    struct aof_rewrite_options opt = options_default;
    opt.timestamp = true;
    opt.now_s = 42;
    rewrite(&ks, &opt, &out, &stats);
    TEST_CHECK(out.len == 8 && memcmp(out.data, "#TS:42\r\n", 8) == 0);
    rdb_buffer_free(&out);
    keyspace_free(&ks);
}
END_TEST

/* A write callback that records the calls and fails with ENOSPC once a
 * byte budget is spent. */
struct recorder {
    struct rdb_buffer bytes;
    size_t budget, calls, calls_after_error, largest;
    bool failed;
};

static int recorder_write(void *ctx, const void *buf, size_t len)
{
    struct recorder *rec = ctx;
    TEST_CHECK(len > 0);
    rec->calls++;
    if (rec->failed)
        rec->calls_after_error++;
    if (len > rec->budget) {
        rec->failed = true;
        return -ENOSPC;
    }
    rec->budget -= len;
    if (len > rec->largest)
        rec->largest = len;
    return rdb_buffer_write(&rec->bytes, buf, len);
}

START_TEST(test_chunks_are_bounded)
{
    struct keyspace ks;
    new_dataset(&ks);
    struct recorder rec = {.budget = SIZE_MAX};
    struct aof_rewrite_stats stats;
    TEST_CHECK(aof_rewrite_keyspace(&ks, recorder_write, &rec, &options_default, &stats) == 0);
    TEST_CHECK(stats.bytes == rec.bytes.len);
    /* Every call is a chunk of at most two flush sizes, except the big
     * string's payload, which goes through whole. */
    TEST_CHECK(rec.largest == TEST_BIG_STRING_BYTES);
    TEST_CHECK(rec.calls >= rec.bytes.len / (2 * AOF_REWRITE_FLUSH_BYTES));
    struct rdb_buffer whole;
    rewrite(&ks, &options_default, &whole, &stats);
    TEST_CHECK(whole.len == rec.bytes.len && memcmp(whole.data, rec.bytes.data, whole.len) == 0);
    rdb_buffer_free(&whole);
    rdb_buffer_free(&rec.bytes);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_sink_errors)
{
    struct keyspace ks;
    new_dataset(&ks);
    struct rdb_buffer whole;
    struct aof_rewrite_stats stats;
    rewrite(&ks, &options_default, &whole, &stats);
    /* Fail at budgets around every interesting size: the first call, the
     * big payload, and late in the file. */
    size_t budgets[] = {0, 1, 100, AOF_REWRITE_FLUSH_BYTES, TEST_BIG_STRING_BYTES,
                        whole.len / 2, whole.len - 1};
    for (size_t i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++) {
        struct recorder rec = {.budget = budgets[i]};
        int rc = aof_rewrite_keyspace(&ks, recorder_write, &rec, &options_default, &stats);
        TEST_CHECK(rc == -ENOSPC);
        TEST_CHECK(rec.failed && rec.calls_after_error == 0);
        TEST_CHECK(stats.bytes == rec.bytes.len);
        TEST_CHECK(rec.bytes.len <= budgets[i]);
        /* What was accepted is a prefix of the full rewrite. */
        TEST_CHECK(rec.bytes.len == 0 || memcmp(rec.bytes.data, whole.data, rec.bytes.len) == 0);
        rdb_buffer_free(&rec.bytes);
    }
    struct recorder rec = {.budget = whole.len};
    TEST_CHECK(aof_rewrite_keyspace(&ks, recorder_write, &rec, &options_default, &stats) == 0);
    rdb_buffer_free(&rec.bytes);
    rdb_buffer_free(&whole);
    keyspace_free(&ks);
}
END_TEST

/* ---- Golden file from redis-server 7.0.15 ---- */

/* appendonlydir/appendonly.aof.2.base.aof as written by redis-server
 * 7.0.15 (Debian bookworm), started in an empty directory with
 * --appendonly yes --aof-use-rdb-preamble no --aof-timestamp-enabled yes
 * --save '', after: SET s hello; PEXPIREAT s 4102444800000; (db 1) RPUSH
 * l x 1 2 .. 65; (db 2) SADD is 3 1 2 -7; (db 3) HSET h f1 v1 f2 2;
 * PEXPIREAT h 4102444800123; (db 4) ZADD z 1.5 a 3 b inf c -inf d 0.1 e;
 * (db 5) SET e ""; (db 15) SET k v; then BGREWRITEAOF. One key per
 * database, so the file does not depend on Redis's random hash seed. */
#define GOLDEN_TS_S 1795482142LL
static const char golden_base[] =
    "#TS:1795482142\r\n"
    "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
    "*3\r\n$3\r\nSET\r\n$1\r\ns\r\n$5\r\nhello\r\n"
    "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\ns\r\n$13\r\n4102444800000\r\n"
    "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n"
    "*66\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"
    "$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n8\r\n$1\r\n9\r\n$2\r\n10\r\n$2\r\n11\r\n$2\r\n"
    "12\r\n$2\r\n13\r\n$2\r\n14\r\n$2\r\n15\r\n$2\r\n16\r\n$2\r\n17\r\n$2\r\n18\r\n$2\r\n19\r\n"
    "$2\r\n20\r\n$2\r\n21\r\n$2\r\n22\r\n$2\r\n23\r\n$2\r\n24\r\n$2\r\n25\r\n$2\r\n26\r\n$2\r\n"
    "27\r\n$2\r\n28\r\n$2\r\n29\r\n$2\r\n30\r\n$2\r\n31\r\n$2\r\n32\r\n$2\r\n33\r\n$2\r\n34\r\n"
    "$2\r\n35\r\n$2\r\n36\r\n$2\r\n37\r\n$2\r\n38\r\n$2\r\n39\r\n$2\r\n40\r\n$2\r\n41\r\n$2\r\n"
    "42\r\n$2\r\n43\r\n$2\r\n44\r\n$2\r\n45\r\n$2\r\n46\r\n$2\r\n47\r\n$2\r\n48\r\n$2\r\n49\r\n"
    "$2\r\n50\r\n$2\r\n51\r\n$2\r\n52\r\n$2\r\n53\r\n$2\r\n54\r\n$2\r\n55\r\n$2\r\n56\r\n$2\r\n"
    "57\r\n$2\r\n58\r\n$2\r\n59\r\n$2\r\n60\r\n$2\r\n61\r\n$2\r\n62\r\n$2\r\n63\r\n"
    "*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$2\r\n64\r\n$2\r\n65\r\n"
    "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n"
    "*6\r\n$4\r\nSADD\r\n$2\r\nis\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n"
    "*6\r\n$5\r\nHMSET\r\n$1\r\nh\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$1\r\n2\r\n"
    "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nh\r\n$13\r\n4102444800123\r\n"
    "*2\r\n$6\r\nSELECT\r\n$1\r\n4\r\n"
    "*12\r\n$4\r\nZADD\r\n$1\r\nz\r\n$4\r\n-inf\r\n$1\r\nd\r\n$19\r\n0.10000000000000001\r\n"
    "$1\r\ne\r\n$3\r\n1.5\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$3\r\ninf\r\n$1\r\nc\r\n"
    "*2\r\n$6\r\nSELECT\r\n$1\r\n5\r\n"
    "*3\r\n$3\r\nSET\r\n$1\r\ne\r\n$0\r\n\r\n"
    "*2\r\n$6\r\nSELECT\r\n$2\r\n15\r\n"
    "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
#define GOLDEN_BASE_BYTES 1139

/* Builds the golden dataset the way the commands above would. */
static void build_golden(struct keyspace *ks)
{
    const struct encoding_limits *lim = &ks->limits;
    db_add(&ks->dbs[0], kv_new_string("s", 1, "hello", 5, -1));
    db_set_expire(&ks->dbs[0], find(&ks->dbs[0], "s"), 4102444800000LL);
    struct list *l = list_new(lim->list_max_listpack_size);
    list_push(l, LIST_TAIL, "x", 1);
    char buf[16];
    for (int i = 1; i <= 65; i++)
        list_push(l, LIST_TAIL, buf, (size_t)snprintf(buf, sizeof(buf), "%d", i));
    db_add(&ks->dbs[1], kv_new_object("l", 1, KV_LIST, KV_ENC_QUICKLIST, l));
    struct kv *set = set_new_kv("is", 2, "3", 1);
    const char *members[] = {"3", "1", "2", "-7"};
    for (size_t i = 0; i < 4; i++)
        set_add(set, members[i], strlen(members[i]), lim->set_max_intset_entries);
    db_add(&ks->dbs[2], set);
    struct kv *h = hash_kv_new("h", 1);
    hash_set(h, "f1", 2, "v1", 2, lim);
    hash_set(h, "f2", 2, "2", 1, lim);
    db_add(&ks->dbs[3], h);
    db_set_expire(&ks->dbs[3], h, 4102444800123LL);
    struct kv *z = zset_new("z", 1, KV_ENC_LISTPACK);
    const double scores[] = {1.5, 3, INFINITY, -INFINITY, 0.1};
    for (size_t i = 0; i < 5; i++)
        zset_add(z, scores[i], (const char[]){(char)('a' + i)}, 1, 0, NULL,
                 lim->zset_max_listpack_entries, lim->zset_max_listpack_value);
    db_add(&ks->dbs[4], z);
    db_add(&ks->dbs[5], kv_new_string("e", 1, "", 0, -1));
    db_add(&ks->dbs[15], kv_new_string("k", 1, "v", 1, -1));
}

START_TEST(test_golden_redis)
{
    TEST_CHECK(sizeof(golden_base) - 1 == GOLDEN_BASE_BYTES);
    struct keyspace ks;
    keyspace_init(&ks, TEST_DATABASES);
    build_golden(&ks);
    struct aof_rewrite_options opt = {.timestamp = true, .now_s = GOLDEN_TS_S,
                                      .now_ms = GOLDEN_TS_S * 1000};
    struct rdb_buffer out;
    struct aof_rewrite_stats stats;
    rewrite(&ks, &opt, &out, &stats);
    if (out.len != GOLDEN_BASE_BYTES || memcmp(out.data, golden_base, out.len) != 0)
        ck_abort_msg("rewrite differs from Redis's:\n%.*s", (int)out.len, (char *)out.data);
    TEST_CHECK(stats.commands == 17);
    TEST_CHECK(stats.keys_written == 7);
    rdb_buffer_free(&out);
    keyspace_free(&ks);
}
END_TEST

static Suite *aof_rewrite_suite(void)
{
    Suite *s = suite_create("aof_rewrite");
    TCase *tc = tcase_create("aof_rewrite");
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_sequence_and_replay);
    tcase_add_test(tc, test_skip_expired_and_timestamp);
    tcase_add_test(tc, test_empty_keyspace);
    tcase_add_test(tc, test_chunks_are_bounded);
    tcase_add_test(tc, test_sink_errors);
    tcase_add_test(tc, test_golden_redis);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(aof_rewrite_suite)
