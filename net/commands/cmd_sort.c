/* cmd_sort.c: SORT and SORT_RO (Redis 7.0's "generic" group), over lists,
 * sets and sorted sets.
 *
 * The elements are copied out, weighed (by themselves, or by the value a
 * BY pattern names: a string key, or a hash field with "->field"), sorted
 * with Redis's comparator (numbers, ties broken by the bytes; or ALPHA,
 * collated), and cut by LIMIT; then each is replied or stored as itself
 * or as the values its GET patterns name ("#" is the element). "BY" with
 * no '*' means no sorting: lists and sorted sets keep their own order (and
 * LIMIT reads just the range), except that a set sorted into STORE is
 * sorted ALPHA so the result is the same on replicas. A sort that cannot
 * parse a weight replies Redis's error and stores nothing. STORE writes a
 * list ("sortstore" event) or deletes the destination for an empty
 * result; SORT is logged to the AOF as sent. Patterns read arbitrary keys,
 * so BY and GET need a user who may read every key, as in Redis 7.0.
 *
 * Redis converts a listpack sorted set to a skiplist when it sorts one;
 * OBJECT ENCODING shows it, so this does too.
 *
 * Names: helpers are sort_*. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/hash.h"
#include "engine/list.h"
#include "engine/partial_sort.h"
#include "engine/set.h"
#include "engine/zset.h"
#include "net/commands/acl.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keyspace_events.h"
#include "net/commands/reply.h"
#include "net/commands/typed_key.h"

/* One element to sort: an owned NUL-terminated copy, its numeric weight,
 * and (ALPHA with BY) an owned copy of its weight's text, NULL when the BY
 * key is missing. */
struct sort_item {
    char *str;
    size_t len;
    double score;
    char *cmp;
    size_t cmp_len;
};

struct sort_request {
    bool desc, alpha, dontsort;
    long limit_start, limit_count;
    const struct resp_arg *by;    /* NULL: sort by the elements */
    const struct resp_arg *store; /* NULL: reply */
    const struct resp_arg **gets; /* owned array of borrowed patterns */
    int get_count;
};

/* A value found through a pattern: borrowed text (or in buf). */
struct sort_value {
    const char *ptr;
    size_t len;
    struct hash_text h;
};

/* ---- Options ---- */

/* SORT key [BY p] [LIMIT o c] [GET p ...] [ASC|DESC] [ALPHA] [STORE d]. */
static bool sort_parse(struct client *c, struct sort_request *r, bool readonly)
{
    bool full_access = c->user == NULL ||
                       acl_user_reads_all_keys(c->commands, c->user, c->cmd, c->argc, c->argv);
    r->gets = alloc_bytes(sizeof(*r->gets) * (size_t)c->argc);
    for (int j = 2; j < c->argc; j++) {
        const struct resp_arg *a = &c->argv[j];
        int left = c->argc - j - 1;
        if (arg_equals(a, "asc")) {
            r->desc = false;
        } else if (arg_equals(a, "desc")) {
            r->desc = true;
        } else if (arg_equals(a, "alpha")) {
            r->alpha = true;
        } else if (arg_equals(a, "limit") && left >= 2) {
            long long start, count;
            if (!arg_get_ll(c, j + 1, &start, NULL) || !arg_get_ll(c, j + 2, &count, NULL))
                return false;
            r->limit_start = (long)start;
            r->limit_count = (long)count;
            j += 2;
        } else if (!readonly && arg_equals(a, "store") && left >= 1) {
            r->store = &c->argv[++j];
        } else if (arg_equals(a, "by") && left >= 1) {
            r->by = &c->argv[++j];
            /* A pattern without '*' names no key: nothing to sort by. */
            if (memchr(r->by->ptr, '*', r->by->len) == NULL) {
                r->dontsort = true;
            } else if (!full_access) {
                reply_error(c, "BY option of SORT denied due to insufficient ACL permissions.");
                return false;
            }
        } else if (arg_equals(a, "get") && left >= 1) {
            if (!full_access) {
                reply_error(c, "GET option of SORT denied due to insufficient ACL permissions.");
                return false;
            }
            r->gets[r->get_count++] = &c->argv[++j];
        } else {
            reply_error_syntax(c);
            return false;
        }
    }
    return true;
}

/* ---- Patterns ---- */

/* The value pattern names for element subst: "#" is the element; else the
 * first '*' is replaced by it, and "->field" after the star reads a hash
 * field. Only strings (and hash fields) are values; false when there is
 * none. */
static bool sort_lookup(struct client *c, const struct resp_arg *pattern, const char *subst,
                        size_t subst_len, struct sort_value *out)
{
    const char *p = pattern->ptr;
    size_t plen = pattern->len;
    if (plen == 1 && p[0] == '#') {
        out->ptr = subst;
        out->len = subst_len;
        return true;
    }
    const char *star = memchr(p, '*', plen);
    if (star == NULL)
        return false;
    const char *field = NULL;
    size_t field_len = 0;
    const char *end = p + plen;
    for (const char *q = star + 1; q + 1 < end; q++) {
        if (q[0] == '-' && q[1] == '>') {
            if (q + 2 < end) {
                field = q + 2;
                field_len = (size_t)(end - field);
            }
            break;
        }
    }
    size_t prefix = (size_t)(star - p);
    size_t postfix = plen - prefix - 1 - (field ? field_len + 2 : 0);
    size_t key_len = prefix + subst_len + postfix;
    char small[256];
    char *key = key_len <= sizeof(small) ? small : alloc_bytes(key_len);
    memcpy(key, p, prefix);
    memcpy(key + prefix, subst, subst_len);
    memcpy(key + prefix + subst_len, star + 1, postfix);
    struct kv *kv = db_lookup(c->db, key, key_len, DB_LOOKUP_READ);
    if (key != small)
        alloc_free(key);
    if (kv == NULL)
        return false;
    if (field) {
        if (kv->type != KV_HASH || !hash_get(kv, field, field_len, &out->h))
            return false;
        out->ptr = out->h.ptr;
        out->len = out->h.len;
        return true;
    }
    if (kv->type != KV_STRING)
        return false;
    out->ptr = kv_string_const(kv);
    out->len = kv->val_len;
    return true;
}

/* ---- Loading the elements ---- */

struct sort_vector {
    struct sort_item *items; /* owned */
    size_t count, cap;
};

static void sort_vector_push(struct sort_vector *v, const char *s, size_t len)
{
    if (v->count == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = alloc_resize(v->items, sizeof(*v->items) * v->cap);
    }
    struct sort_item *it = &v->items[v->count++];
    it->str = alloc_strndup(s, len);
    it->len = len;
    it->score = 0;
    it->cmp = NULL;
    it->cmp_len = 0;
}

static void sort_vector_free(struct sort_vector *v)
{
    for (size_t i = 0; i < v->count; i++) {
        alloc_free(v->items[i].str);
        alloc_free(v->items[i].cmp);
    }
    alloc_free(v->items);
}

/* count list elements from rank start, towards the head when desc. */
static void sort_load_list(struct kv *kv, struct sort_vector *v, size_t start, size_t count,
                           bool desc)
{
    struct list *l = kv_object(kv);
    if (count == 0)
        return;
    size_t index = desc ? l->count - start - 1 : start;
    struct list_iter it;
    list_iter_init(&it, l, index, !desc);
    for (size_t n = 0; n < count && it.node != NULL; n++, list_iter_next(&it)) {
        struct list_entry e;
        list_iter_get(&it, &e);
        sort_vector_push(v, (const char *)e.str, e.len);
    }
}

static void sort_load_set(struct kv *kv, struct sort_vector *v)
{
    struct set_iter it;
    struct set_elem e;
    set_iter_init(&it, kv);
    while (set_iter_next(&it, &e))
        sort_vector_push(v, e.ptr, e.len);
    set_iter_done(&it);
}

/* count members from rank start (from the highest when desc). */
static void sort_load_zset(struct kv *kv, struct sort_vector *v, size_t start, size_t count,
                           bool desc)
{
    if (count == 0)
        return;
    struct zset_iter it;
    zset_iter_at_rank(&it, kv, start, desc);
    for (size_t n = 0; n < count && zset_iter_valid(&it); n++, zset_iter_next(&it)) {
        struct zset_element e;
        zset_iter_get(&it, &e);
        sort_vector_push(v, e.member, e.len);
    }
}

/* ---- Weights and the comparator ---- */

/* Parses a weight as Redis's strtod use: the whole text, no overflow, not
 * NaN. */
static bool sort_parse_weight(const char *s, size_t len, double *out)
{
    char small[64];
    char *buf = len < sizeof(small) ? small : alloc_bytes(len + 1);
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    *out = strtod(buf, &end);
    bool ok = end[0] == '\0' && errno != ERANGE && !isnan(*out);
    if (buf != small)
        alloc_free(buf);
    return ok;
}

/* Fills every item's weight; false when one cannot be read as a number
 * (numeric sort). */
static bool sort_weigh(struct client *c, const struct sort_request *r, struct sort_vector *v)
{
    bool ok = true;
    for (size_t j = 0; j < v->count; j++) {
        struct sort_item *it = &v->items[j];
        struct sort_value val;
        if (r->by) {
            if (!sort_lookup(c, r->by, it->str, it->len, &val))
                continue;
        } else {
            val.ptr = it->str;
            val.len = it->len;
        }
        if (r->alpha) {
            if (r->by) {
                it->cmp = alloc_strndup(val.ptr, val.len);
                it->cmp_len = val.len;
            }
        } else if (!sort_parse_weight(val.ptr, val.len, &it->score)) {
            ok = false;
        }
    }
    return ok;
}

/* Redis's compareStringObjects: bytes, then length. */
static int sort_binary_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int cmp = memcmp(a, b, alen < blen ? alen : blen);
    if (cmp != 0)
        return cmp;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

struct sort_order {
    bool desc, alpha, by, store;
};

static int sort_compare(const struct sort_item *a, const struct sort_item *b,
                        const struct sort_order *o)
{
    int cmp;
    if (!o->alpha) {
        if (a->score > b->score)
            cmp = 1;
        else if (a->score < b->score)
            cmp = -1;
        else /* equal weights: the elements' bytes decide, for a deterministic result */
            cmp = sort_binary_cmp(a->str, a->len, b->str, b->len);
    } else if (o->by) {
        if (!a->cmp || !b->cmp)
            cmp = a->cmp == b->cmp ? 0 : a->cmp == NULL ? -1 : 1;
        else if (o->store)
            cmp = sort_binary_cmp(a->cmp, a->cmp_len, b->cmp, b->cmp_len);
        else
            cmp = strcoll(a->cmp, b->cmp);
    } else if (o->store) {
        cmp = sort_binary_cmp(a->str, a->len, b->str, b->len);
    } else {
        cmp = strcoll(a->str, b->str);
    }
    return o->desc ? -cmp : cmp;
}

static int sort_compare_any(const void *a, const void *b, void *ctx)
{
    return sort_compare(a, b, ctx);
}

/* Stable merge sort, as glibc's qsort sorts for Redis (equal elements
 * keep their loading order). */
static void sort_items(struct sort_item *a, size_t n, const struct sort_order *o,
                       struct sort_item *tmp)
{
    if (n < 2)
        return;
    size_t mid = n / 2;
    sort_items(a, mid, o, tmp);
    sort_items(a + mid, n - mid, o, tmp);
    size_t i = 0, j = mid, k = 0;
    while (i < mid && j < n)
        tmp[k++] = sort_compare(&a[j], &a[i], o) < 0 ? a[j++] : a[i++];
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, sizeof(*a) * n);
}

/* ---- Output ---- */

static void sort_reply(struct client *c, const struct sort_request *r,
                       const struct sort_vector *v, long start, long end)
{
    long n = end - start + 1;
    reply_array_len(c, r->get_count ? (long long)r->get_count * n : n);
    for (long j = start; j <= end; j++) {
        const struct sort_item *it = &v->items[j];
        if (!r->get_count)
            reply_bulk(c, it->str, it->len);
        for (int g = 0; g < r->get_count; g++) {
            struct sort_value val;
            if (sort_lookup(c, r->gets[g], it->str, it->len, &val))
                reply_bulk(c, val.ptr, val.len);
            else
                reply_null(c);
        }
    }
}

/* STORE: a list of the elements (or of their GET values, "" for missing
 * ones) replaces the destination; an empty one deletes it. */
static void sort_store(struct client *c, const struct sort_request *r, const struct sort_vector *v,
                       long start, long end)
{
    struct list *l = list_new(c->commands->keyspace->limits.list_max_listpack_size);
    for (long j = start; j <= end; j++) {
        const struct sort_item *it = &v->items[j];
        if (!r->get_count)
            list_push(l, LIST_TAIL, it->str, it->len);
        for (int g = 0; g < r->get_count; g++) {
            struct sort_value val;
            if (sort_lookup(c, r->gets[g], it->str, it->len, &val))
                list_push(l, LIST_TAIL, val.ptr, val.len);
            else
                list_push(l, LIST_TAIL, "", 0);
        }
    }
    struct kv *result = kv_new_object(r->store->ptr, r->store->len, KV_LIST, KV_ENC_QUICKLIST, l);
    typed_key_store_result(c, r->store, result, NOTIFY_LIST, "sortstore");
}

/* ---- The command ---- */

static size_t sort_length(struct kv *kv)
{
    switch ((enum kv_type)kv->type) {
    case KV_LIST:
        return ((struct list *)kv_object(kv))->count;
    case KV_SET:
        return set_size(kv);
    default:
        return zset_length(kv);
    }
}

static void sort_run(struct client *c, struct sort_request *r)
{
    struct kv *kv = db_lookup(c->db, c->argv[1].ptr, c->argv[1].len, DB_LOOKUP_READ);
    if (kv && kv->type != KV_SET && kv->type != KV_LIST && kv->type != KV_ZSET) {
        reply_error_wrongtype(c);
        return;
    }
    /* A set has no order of its own: into STORE, or for a script (whose
     * effects must not depend on hash order), it is sorted, so that a
     * replica stores the same list. */
    if (kv && r->dontsort && kv->type == KV_SET && (r->store || (c->flags & CLIENT_SCRIPT))) {
        r->dontsort = false;
        r->alpha = true;
        r->by = NULL;
    }
    if (kv && kv->type == KV_ZSET)
        zset_convert_to_skiplist(kv);

    long len = kv ? (long)sort_length(kv) : 0;
    /* LIMIT, clamped to the length as Redis does. */
    long start = r->limit_start < 0 ? 0 : r->limit_start;
    if (start > len)
        start = len;
    long count = r->limit_count < -1 ? -1 : r->limit_count;
    if (count > len)
        count = len;
    long end = count < 0 ? len - 1 : start + count - 1;
    if (start >= len) {
        start = len - 1;
        end = len - 2;
    }
    if (end >= len)
        end = len - 1;

    struct sort_vector v = {0};
    bool ordered = kv && (kv->type == KV_LIST || kv->type == KV_ZSET);
    if (ordered && r->dontsort) {
        /* Their own order: load just the range. */
        size_t n = end >= start ? (size_t)(end - start + 1) : 0;
        if (kv->type == KV_LIST)
            sort_load_list(kv, &v, (size_t)start, n, r->desc);
        else
            sort_load_zset(kv, &v, (size_t)start, n, r->desc);
        end -= start;
        start = 0;
    } else if (kv && kv->type == KV_LIST) {
        sort_load_list(kv, &v, 0, (size_t)len, false);
    } else if (kv && kv->type == KV_SET) {
        sort_load_set(kv, &v);
    } else if (kv) {
        sort_load_zset(kv, &v, 0, (size_t)len, false);
    }

    bool weights_ok = true;
    if (!r->dontsort) {
        weights_ok = sort_weigh(c, r, &v);
        struct sort_order o = {.desc = r->desc, .alpha = r->alpha, .by = r->by != NULL,
                               .store = r->store != NULL};
        if (r->by && (start != 0 || end != (long)v.count - 1)) {
            /* Redis's partial sort for BY with a LIMIT: ties come out in
             * its order, not a stable one. */
            partial_sort(v.items, v.count, sizeof(*v.items), sort_compare_any, &o, start, end);
        } else if (v.count > 1) {
            struct sort_item *tmp = alloc_bytes(sizeof(*tmp) * v.count);
            sort_items(v.items, v.count, &o, tmp);
            alloc_free(tmp);
        }
    }
    if (!weights_ok)
        reply_error(c, "One or more scores can't be converted into double");
    else if (r->store == NULL)
        sort_reply(c, r, &v, start, end);
    else
        sort_store(c, r, &v, start, end);
    sort_vector_free(&v);
}

static void sort_generic(struct client *c, bool readonly)
{
    struct sort_request r = {.limit_start = 0, .limit_count = -1};
    if (sort_parse(c, &r, readonly))
        sort_run(c, &r);
    alloc_free(r.gets);
}

static void sort_command(struct client *c)
{
    sort_generic(c, false);
}

static void sort_ro_command(struct client *c)
{
    sort_generic(c, true);
}

/* ---- Keys (ACL, COMMAND GETKEYS) ---- */

/* SORT's keys as Redis's sortGetKeys finds them: the sorted key (spec 0)
 * and the last STORE's destination (spec 2), skipping the arguments of
 * LIMIT, GET and BY. */
static int sort_getkeys(const struct resp_arg *argv, int argc, int *positions, int *specs)
{
    positions[0] = 1;
    specs[0] = 0;
    int count = 1;
    bool found_store = false;
    for (int i = 2; i < argc; i++) {
        if (arg_equals(&argv[i], "limit")) {
            i += 2;
        } else if (arg_equals(&argv[i], "get") || arg_equals(&argv[i], "by")) {
            i += 1;
        } else if (arg_equals(&argv[i], "store") && i + 1 < argc) {
            found_store = true;
            positions[count] = i + 1;
            specs[count] = 2;
        }
    }
    return count + found_store;
}

/* SORT_RO reads only the sorted key. */
static int sort_ro_getkeys(const struct resp_arg *argv, int argc, int *positions, int *specs)
{
    (void)argv;
    (void)argc;
    positions[0] = 1;
    specs[0] = 0;
    return 1;
}

struct command sort_commands[] = {
    {.name = "sort", .proc = sort_command, .arity = -2, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_WRITE | ACL_SET | ACL_SORTEDSET | ACL_LIST | ACL_SLOW | ACL_DANGEROUS,
     .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RO access/i1/r0,1,0;RO access/u/u;OW update/u/u", .getkeys = sort_getkeys,
     .key_spec_notes = {NULL,
                        "For the optional BY/GET keyword. It is marked 'unknown' because the key "
                        "names derive from the content of the key we sort",
                        "For the optional STORE keyword. It is marked 'unknown' because the "
                        "keyword can appear anywhere in the argument array"},
     .summary = "Sort the elements in a list, set or sorted set", .since = "1.0.0",
     .group = "generic",
     .complexity = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, "
                   "and M the number of returned elements. When the elements are not sorted, "
                   "complexity is O(N).",
     .arguments = "key^k#0 pattern^p#1='BY'? offset_count^b='LIMIT'?(offset^i count^i) pattern^p#1='GET'?*+ "
                  "order^o?(asc^t='ASC' desc^t='DESC') sorting^t='ALPHA'? "
                  "destination^k#2='STORE'?"},
    {.name = "sort_ro", .proc = sort_ro_command, .arity = -2, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_SET | ACL_SORTEDSET | ACL_LIST | ACL_SLOW | ACL_DANGEROUS,
     .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RO access/i1/r0,1,0;RO access/u/u", .getkeys = sort_ro_getkeys,
     .key_spec_notes = {NULL,
                        "For the optional BY/GET keyword. It is marked 'unknown' because the key "
                        "names derive from the content of the key we sort"},
     .summary = "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
     .since = "7.0.0", .group = "generic",
     .complexity = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, "
                   "and M the number of returned elements. When the elements are not sorted, "
                   "complexity is O(N).",
     .arguments = "key^k#0 pattern^p#1='BY'? offset_count^b='LIMIT'?(offset^i count^i) pattern^p#1='GET'?*+ "
                  "order^o?(asc^t='ASC' desc^t='DESC') sorting^t='ALPHA'?"},
    {0},
};
