/* stream.c: the stream type: listpack nodes in Redis 7.0's stream layout,
 * consumer groups, consumers and pending entries lists (see stream.h).
 *
 * The node format, the node split rules (stream-node-max-bytes /
 * -entries), the way deletion only flags entries until a node empties, and
 * trimming are Redis's, because the node bytes go into RDB files verbatim
 * and XINFO reports node counts. Everything else (the containers holding
 * nodes, groups, consumers and PELs) is our own. */
#include "engine/stream.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/listpack.h"

/* ====================================================================
 * IDs
 * ==================================================================== */

int stream_id_cmp(const struct stream_id *a, const struct stream_id *b)
{
    if (a->ms != b->ms)
        return a->ms < b->ms ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return 0;
}

bool stream_id_incr(struct stream_id *id)
{
    if (id->seq == UINT64_MAX) {
        if (id->ms == UINT64_MAX)
            return false;
        id->ms++;
        id->seq = 0;
        return true;
    }
    id->seq++;
    return true;
}

bool stream_id_decr(struct stream_id *id)
{
    if (id->seq == 0) {
        if (id->ms == 0)
            return false;
        id->ms--;
        id->seq = UINT64_MAX;
        return true;
    }
    id->seq--;
    return true;
}

size_t stream_id_format(const struct stream_id *id, char *buf)
{
    return (size_t)sprintf(buf, "%" PRIu64 "-%" PRIu64, id->ms, id->seq);
}

void stream_id_encode(const struct stream_id *id, unsigned char out[16])
{
    for (int i = 0; i < 8; i++) {
        out[i] = (unsigned char)(id->ms >> (56 - 8 * i));
        out[8 + i] = (unsigned char)(id->seq >> (56 - 8 * i));
    }
}

void stream_id_decode(const unsigned char in[16], struct stream_id *id)
{
    id->ms = 0;
    id->seq = 0;
    for (int i = 0; i < 8; i++) {
        id->ms = (id->ms << 8) | in[i];
        id->seq = (id->seq << 8) | in[8 + i];
    }
}

/* ====================================================================
 * Ordered ID map: a skiplist (forward links only)
 * ==================================================================== */

#define IDMAP_LEVEL_MAX 32

struct stream_idmap_node {
    struct stream_id id;
    void *value;
    int level;
    struct stream_idmap_node *next[];
};

static struct stream_idmap_node *idmap_node_new(int level)
{
    struct stream_idmap_node *n =
        alloc_zeroed(sizeof(*n) + (size_t)level * sizeof(struct stream_idmap_node *));
    n->level = level;
    return n;
}

void stream_idmap_init(struct stream_idmap *m)
{
    m->head = idmap_node_new(IDMAP_LEVEL_MAX);
    m->level = 1;
    m->count = 0;
}

void stream_idmap_clear(struct stream_idmap *m)
{
    if (!m->head)
        return;
    struct stream_idmap_node *n = m->head->next[0];
    while (n) {
        struct stream_idmap_node *next = n->next[0];
        alloc_free(n);
        n = next;
    }
    alloc_free(m->head);
    m->head = NULL;
    m->count = 0;
}

/* A geometric level (p = 1/4) from a private xorshift generator: not
 * derived from the ID, so chosen IDs cannot flatten the list. */
static int idmap_random_level(void)
{
    static uint64_t state = 0x9E3779B97F4A7C15ULL;
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    uint64_t x = state;
    int level = 1;
    while ((x & 3) == 0 && level < IDMAP_LEVEL_MAX) {
        level++;
        x >>= 2;
    }
    return level;
}

/* Fills update[] with, per level, the last node before id. */
static struct stream_idmap_node *idmap_search(const struct stream_idmap *m,
                                              const struct stream_id *id,
                                              struct stream_idmap_node **update)
{
    struct stream_idmap_node *x = m->head;
    for (int i = m->level - 1; i >= 0; i--) {
        while (x->next[i] && stream_id_cmp(&x->next[i]->id, id) < 0)
            x = x->next[i];
        if (update)
            update[i] = x;
    }
    return x->next[0];
}

void *stream_idmap_find(const struct stream_idmap *m, const struct stream_id *id)
{
    struct stream_idmap_node *n = idmap_search(m, id, NULL);
    return n && stream_id_cmp(&n->id, id) == 0 ? n->value : NULL;
}

bool stream_idmap_insert(struct stream_idmap *m, const struct stream_id *id, void *value)
{
    struct stream_idmap_node *update[IDMAP_LEVEL_MAX];
    struct stream_idmap_node *n = idmap_search(m, id, update);
    if (n && stream_id_cmp(&n->id, id) == 0)
        return false;
    int level = idmap_random_level();
    if (level > m->level) {
        for (int i = m->level; i < level; i++)
            update[i] = m->head;
        m->level = level;
    }
    n = idmap_node_new(level);
    n->id = *id;
    n->value = value;
    for (int i = 0; i < level; i++) {
        n->next[i] = update[i]->next[i];
        update[i]->next[i] = n;
    }
    m->count++;
    return true;
}

void *stream_idmap_remove(struct stream_idmap *m, const struct stream_id *id)
{
    struct stream_idmap_node *update[IDMAP_LEVEL_MAX];
    struct stream_idmap_node *n = idmap_search(m, id, update);
    if (!n || stream_id_cmp(&n->id, id) != 0)
        return NULL;
    for (int i = 0; i < m->level; i++) {
        if (update[i]->next[i] != n)
            break;
        update[i]->next[i] = n->next[i];
    }
    while (m->level > 1 && m->head->next[m->level - 1] == NULL)
        m->level--;
    void *value = n->value;
    alloc_free(n);
    m->count--;
    return value;
}

struct stream_idmap_node *stream_idmap_seek(const struct stream_idmap *m,
                                            const struct stream_id *id)
{
    if (!id)
        return m->head->next[0];
    return idmap_search(m, id, NULL);
}

struct stream_idmap_node *stream_idmap_next(const struct stream_idmap_node *n)
{
    return n->next[0];
}

struct stream_idmap_node *stream_idmap_last(const struct stream_idmap *m)
{
    struct stream_idmap_node *x = m->head;
    for (int i = m->level - 1; i >= 0; i--)
        while (x->next[i])
            x = x->next[i];
    return x == m->head ? NULL : x;
}

const struct stream_id *stream_idmap_node_id(const struct stream_idmap_node *n)
{
    return &n->id;
}

void *stream_idmap_node_value(const struct stream_idmap_node *n)
{
    return n->value;
}

/* ====================================================================
 * Listpack helpers
 * ==================================================================== */

static int64_t lp_int(const unsigned char *p)
{
    struct listpack_entry e;
    listpack_get(p, &e);
    if (e.str) {
        /* Never written by us; a loaded node was validated to hold
         * integers here. */
        return 0;
    }
    return e.integer;
}

static bool lp_is_int(const unsigned char *p, int64_t *out)
{
    struct listpack_entry e;
    listpack_get(p, &e);
    if (e.str)
        return false;
    *out = e.integer;
    return true;
}

/* ====================================================================
 * The stream
 * ==================================================================== */

struct stream *stream_new(void)
{
    struct stream *s = alloc_zeroed(sizeof(*s));
    return s;
}

static void stream_consumer_free(struct stream_consumer *c)
{
    stream_idmap_clear(&c->pel);
    alloc_free(c->name);
    alloc_free(c);
}

static void stream_group_free(struct stream_group *g)
{
    for (struct stream_idmap_node *n = stream_idmap_seek(&g->pel, NULL); n; n = n->next[0])
        alloc_free(n->value);
    stream_idmap_clear(&g->pel);
    for (size_t i = 0; i < g->consumer_count; i++)
        stream_consumer_free(g->consumers[i]);
    alloc_free(g->consumers);
    alloc_free(g->name);
    alloc_free(g);
}

void stream_free(struct stream *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->node_count; i++)
        listpack_free(s->nodes[i].lp);
    alloc_free(s->nodes);
    for (size_t i = 0; i < s->group_count; i++)
        stream_group_free(s->groups[i]);
    alloc_free(s->groups);
    alloc_free(s);
}

struct stream *stream_copy(const struct stream *s)
{
    struct stream *d = stream_new();
    d->length = s->length;
    d->last_id = s->last_id;
    d->first_id = s->first_id;
    d->max_deleted_id = s->max_deleted_id;
    d->entries_added = s->entries_added;
    if (s->node_count) {
        d->nodes = alloc_bytes(s->node_count * sizeof(*d->nodes));
        d->node_cap = d->node_count = s->node_count;
        for (size_t i = 0; i < s->node_count; i++) {
            d->nodes[i].master = s->nodes[i].master;
            d->nodes[i].lp = listpack_from_bytes(s->nodes[i].lp, listpack_bytes(s->nodes[i].lp));
        }
    }
    for (size_t i = 0; i < s->group_count; i++) {
        const struct stream_group *g = s->groups[i];
        struct stream_group *ng =
            stream_group_create(d, g->name, g->name_len, &g->last_id, g->entries_read);
        for (size_t j = 0; j < g->consumer_count; j++) {
            const struct stream_consumer *c = g->consumers[j];
            struct stream_consumer *nc = stream_consumer_create(ng, c->name, c->name_len,
                                                                c->seen_time);
            nc->active_time = c->active_time;
        }
        for (struct stream_idmap_node *n = stream_idmap_seek(&g->pel, NULL); n; n = n->next[0]) {
            const struct stream_nack *nack = n->value;
            struct stream_consumer *nc =
                stream_consumer_find(ng, nack->consumer->name, nack->consumer->name_len);
            stream_nack_add(ng, nc, &nack->id, nack->delivery_time, nack->delivery_count);
        }
    }
    return d;
}

struct kv *stream_kv_new(const char *key, size_t key_len, struct stream *s)
{
    return kv_new_object(key, key_len, KV_STREAM, KV_ENC_STREAM, s ? s : stream_new());
}

size_t stream_bytes(const struct stream *s)
{
    size_t bytes = alloc_usable_size(s);
    if (s->nodes)
        bytes += alloc_usable_size(s->nodes);
    for (size_t i = 0; i < s->node_count; i++)
        bytes += alloc_usable_size(s->nodes[i].lp) + 16;
    for (size_t i = 0; i < s->group_count; i++) {
        const struct stream_group *g = s->groups[i];
        bytes += alloc_usable_size(g) + g->name_len;
        bytes += g->pel.count * (sizeof(struct stream_nack) + sizeof(struct stream_idmap_node) +
                                 2 * sizeof(void *));
        for (size_t j = 0; j < g->consumer_count; j++)
            bytes += sizeof(struct stream_consumer) + g->consumers[j]->name_len;
    }
    return bytes;
}

/* ---- Nodes ---- */

/* Index of the last node whose master ID <= id, or -1. */
static long stream_node_floor(const struct stream *s, const struct stream_id *id)
{
    long lo = 0, hi = (long)s->node_count; /* first index with master > id */
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (stream_id_cmp(&s->nodes[mid].master, id) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

static void stream_node_remove_range(struct stream *s, size_t from, size_t count)
{
    for (size_t i = from; i < from + count; i++)
        listpack_free(s->nodes[i].lp);
    memmove(s->nodes + from, s->nodes + from + count,
            (s->node_count - from - count) * sizeof(*s->nodes));
    s->node_count -= count;
}

static void stream_node_push(struct stream *s, const struct stream_id *master, unsigned char *lp)
{
    if (s->node_count == s->node_cap) {
        s->node_cap = s->node_cap ? s->node_cap * 2 : 4;
        s->nodes = alloc_resize(s->nodes, s->node_cap * sizeof(*s->nodes));
    }
    s->nodes[s->node_count].master = *master;
    s->nodes[s->node_count].lp = lp;
    s->node_count++;
}

void stream_adopt_node(struct stream *s, const struct stream_id *master, unsigned char *lp)
{
    stream_node_push(s, master, lp);
}

/* Whether the last node can take an entry of elebytes field/value bytes,
 * by Redis's streamAppendItem rules. */
static bool stream_node_has_room(const unsigned char *lp, size_t elebytes,
                                 const struct stream_limits *lim)
{
    size_t max_bytes = (size_t)lim->node_max_bytes;
    if (max_bytes == 0 || max_bytes > STREAM_NODE_BYTES_HARD_MAX)
        max_bytes = STREAM_NODE_BYTES_HARD_MAX;
    if (listpack_bytes(lp) + elebytes >= max_bytes)
        return false;
    if (lim->node_max_entries) {
        unsigned char *p = listpack_first((unsigned char *)lp);
        int64_t count = lp_int(p) + lp_int(listpack_next((unsigned char *)lp, p));
        if (count >= lim->node_max_entries)
            return false;
    }
    return true;
}

void stream_append(struct stream *s, const struct stream_id *id, const struct stream_field *fv,
                   size_t nfields, const struct stream_limits *lim)
{
    size_t elebytes = 0;
    for (size_t i = 0; i < nfields * 2; i++)
        elebytes += fv[i].len;

    unsigned char *lp = NULL;
    struct stream_id master;
    if (s->node_count) {
        struct stream_node *last = &s->nodes[s->node_count - 1];
        if (stream_node_has_room(last->lp, elebytes, lim)) {
            lp = last->lp;
            master = last->master;
        }
    }

    int flags = STREAM_ITEM_FLAG_NONE;
    bool new_node = lp == NULL;
    if (new_node) {
        master = *id;
        lp = listpack_new();
        lp = listpack_append_integer(lp, 1); /* live entries */
        lp = listpack_append_integer(lp, 0); /* deleted entries */
        lp = listpack_append_integer(lp, (long long)nfields);
        for (size_t i = 0; i < nfields; i++)
            lp = listpack_append(lp, fv[2 * i].ptr, fv[2 * i].len);
        lp = listpack_append_integer(lp, 0); /* master entry terminator */
        flags |= STREAM_ITEM_FLAG_SAMEFIELDS;
    } else {
        unsigned char *p = listpack_first(lp);
        int64_t count = lp_int(p);
        lp = listpack_replace_integer(lp, &p, count + 1);
        p = listpack_next(lp, p); /* deleted */
        p = listpack_next(lp, p); /* num-fields */
        int64_t master_fields = lp_int(p);
        if ((size_t)master_fields == nfields) {
            size_t i;
            for (i = 0; i < nfields; i++) {
                p = listpack_next(lp, p);
                if (!listpack_entry_equals(p, fv[2 * i].ptr, fv[2 * i].len))
                    break;
            }
            if (i == nfields)
                flags |= STREAM_ITEM_FLAG_SAMEFIELDS;
        }
    }

    bool same = flags & STREAM_ITEM_FLAG_SAMEFIELDS;
    lp = listpack_append_integer(lp, flags);
    lp = listpack_append_integer(lp, (long long)(id->ms - master.ms));
    lp = listpack_append_integer(lp, (long long)(id->seq - master.seq));
    if (!same)
        lp = listpack_append_integer(lp, (long long)nfields);
    for (size_t i = 0; i < nfields; i++) {
        if (!same)
            lp = listpack_append(lp, fv[2 * i].ptr, fv[2 * i].len);
        lp = listpack_append(lp, fv[2 * i + 1].ptr, fv[2 * i + 1].len);
    }
    long long lp_count = (long long)nfields + 3;
    if (!same)
        lp_count += (long long)nfields + 1;
    lp = listpack_append_integer(lp, lp_count);

    if (new_node)
        stream_node_push(s, &master, lp);
    else
        s->nodes[s->node_count - 1].lp = lp;
    s->length++;
    s->entries_added++;
    s->last_id = *id;
    if (s->length == 1)
        s->first_id = *id;
}

/* ---- Iteration ---- */

/* Skips the master entry of it->lp; returns the first entry's flags or
 * NULL. Sets master field state. */
static unsigned char *stream_iter_open_node(struct stream_iter *it)
{
    struct stream_node *n = &it->s->nodes[it->node_index];
    it->lp = n->lp;
    it->master_id = n->master;
    unsigned char *p = listpack_first(it->lp); /* count */
    p = listpack_next(it->lp, p);              /* deleted */
    p = listpack_next(it->lp, p);              /* num-fields */
    it->master_fields_count = lp_int(p);
    p = listpack_next(it->lp, p);
    it->master_fields = p;
    for (int64_t i = 0; i < it->master_fields_count; i++)
        p = listpack_next(it->lp, p);
    /* p is the master terminator */
    return listpack_next(it->lp, p);
}

void stream_iter_start(struct stream_iter *it, struct stream *s, const struct stream_id *start,
                       const struct stream_id *end, bool rev)
{
    memset(it, 0, sizeof(*it));
    it->s = s;
    it->start = start ? *start : (struct stream_id){0, 0};
    it->end = end ? *end : (struct stream_id){UINT64_MAX, UINT64_MAX};
    it->rev = rev;
    long idx;
    if (!rev) {
        idx = stream_node_floor(s, &it->start);
        if (idx < 0)
            idx = 0;
    } else {
        idx = stream_node_floor(s, &it->end);
    }
    it->node_index = idx;
    it->lp = NULL;
    it->p = NULL;
}

/* The entry after (forward) the one at p; p is its flags. */
static unsigned char *stream_entry_skip(struct stream_iter *it, unsigned char *p)
{
    int64_t flags = lp_int(p);
    p = listpack_next(it->lp, p); /* ms */
    p = listpack_next(it->lp, p); /* seq */
    p = listpack_next(it->lp, p);
    int64_t n;
    if (flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
        n = it->master_fields_count;
    } else {
        n = lp_int(p) * 2;
        p = listpack_next(it->lp, p);
    }
    for (int64_t i = 0; i < n; i++)
        p = listpack_next(it->lp, p);
    /* p is lp-count */
    return listpack_next(it->lp, p);
}

/* The flags of the entry before the one whose flags are at p (p NULL: the
 * node's last entry); NULL when at the master entry. */
static unsigned char *stream_entry_prev(struct stream_iter *it, unsigned char *p)
{
    unsigned char *q = p ? listpack_prev(it->lp, p) : listpack_last(it->lp);
    int64_t lp_count = lp_int(q);
    if (lp_count == 0)
        return NULL; /* the master entry's terminator */
    for (int64_t i = 0; i < lp_count; i++)
        q = listpack_prev(it->lp, q);
    return q;
}

/* Decodes the entry at it->p: id, flags, field pointers. */
static void stream_iter_decode(struct stream_iter *it, struct stream_id *id)
{
    unsigned char *p = it->p;
    it->entry_flags = lp_int(p);
    p = listpack_next(it->lp, p);
    id->ms = it->master_id.ms + (uint64_t)lp_int(p);
    p = listpack_next(it->lp, p);
    id->seq = it->master_id.seq + (uint64_t)lp_int(p);
    p = listpack_next(it->lp, p);
    if (it->entry_flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
        it->nfields = it->master_fields_count;
    } else {
        it->nfields = lp_int(p);
        p = listpack_next(it->lp, p);
    }
    it->fields = p;
}

bool stream_iter_next(struct stream_iter *it, struct stream_id *id, int64_t *nfields)
{
    for (;;) {
        if (it->lp == NULL) {
            if (it->node_index < 0 || (size_t)it->node_index >= it->s->node_count)
                return false;
            unsigned char *first = stream_iter_open_node(it);
            it->p = it->rev ? stream_entry_prev(it, NULL) : first;
        } else if (it->p) {
            it->p = it->rev ? stream_entry_prev(it, it->p) : stream_entry_skip(it, it->p);
        }
        if (it->p == NULL) {
            /* Node done: move on. */
            it->lp = NULL;
            it->node_index += it->rev ? -1 : 1;
            if (!it->rev && (size_t)it->node_index < it->s->node_count &&
                stream_id_cmp(&it->s->nodes[it->node_index].master, &it->end) > 0)
                return false;
            continue;
        }
        stream_iter_decode(it, id);
        if (it->entry_flags & STREAM_ITEM_FLAG_DELETED)
            continue;
        if (!it->rev) {
            if (stream_id_cmp(id, &it->start) < 0)
                continue;
            if (stream_id_cmp(id, &it->end) > 0)
                return false;
        } else {
            if (stream_id_cmp(id, &it->end) > 0)
                continue;
            if (stream_id_cmp(id, &it->start) < 0)
                return false;
        }
        *nfields = it->nfields;
        it->fp = it->fields;
        it->mfp = it->master_fields;
        return true;
    }
}

static void stream_text_of(const unsigned char *p, struct stream_text *t)
{
    struct listpack_entry e;
    listpack_get(p, &e);
    if (e.str) {
        t->ptr = (const char *)e.str;
        t->len = e.len;
    } else {
        t->len = (size_t)snprintf(t->buf, sizeof(t->buf), "%lld", e.integer);
        t->ptr = t->buf;
    }
}

void stream_iter_field(struct stream_iter *it, struct stream_text *field,
                       struct stream_text *value)
{
    if (it->entry_flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
        stream_text_of(it->mfp, field);
        it->mfp = listpack_next(it->lp, it->mfp);
    } else {
        stream_text_of(it->fp, field);
        it->fp = listpack_next(it->lp, it->fp);
    }
    stream_text_of(it->fp, value);
    it->fp = listpack_next(it->lp, it->fp);
}

void stream_iter_remove(struct stream_iter *it)
{
    struct stream *s = it->s;
    struct stream_id current;
    stream_iter_decode(it, &current);
    size_t node = (size_t)it->node_index;
    unsigned char *lp = s->nodes[node].lp;
    unsigned char *p = it->p;
    lp = listpack_replace_integer(lp, &p, it->entry_flags | STREAM_ITEM_FLAG_DELETED);
    p = listpack_first(lp);
    int64_t count = lp_int(p);
    if (count == 1) {
        listpack_free(lp);
        s->nodes[node].lp = NULL;
        memmove(s->nodes + node, s->nodes + node + 1,
                (s->node_count - node - 1) * sizeof(*s->nodes));
        s->node_count--;
    } else {
        lp = listpack_replace_integer(lp, &p, count - 1);
        p = listpack_next(lp, p);
        int64_t deleted = lp_int(p);
        lp = listpack_replace_integer(lp, &p, deleted + 1);
        s->nodes[node].lp = lp;
    }
    s->length--;
    /* Re-seek: positions may have moved. */
    struct stream_id start = it->start, end = it->end;
    if (it->rev)
        end = current;
    else
        start = current;
    stream_iter_start(it, s, &start, &end, it->rev);
}

bool stream_delete(struct stream *s, const struct stream_id *id)
{
    struct stream_iter it;
    struct stream_id got;
    int64_t nf;
    stream_iter_start(&it, s, id, id, false);
    if (!stream_iter_next(&it, &got, &nf))
        return false;
    stream_iter_remove(&it);
    return true;
}

bool stream_entry_exists(struct stream *s, const struct stream_id *id)
{
    struct stream_iter it;
    struct stream_id got;
    int64_t nf;
    stream_iter_start(&it, s, id, id, false);
    return stream_iter_next(&it, &got, &nf);
}

bool stream_edge_id(const struct stream *s, bool first, struct stream_id *out)
{
    struct stream_iter it;
    int64_t nf;
    stream_iter_start(&it, (struct stream *)s, NULL, NULL, !first);
    if (stream_iter_next(&it, out, &nf))
        return true;
    *out = (struct stream_id){0, 0};
    return false;
}

void stream_update_first_id(struct stream *s)
{
    stream_edge_id(s, true, &s->first_id);
}

/* ---- Trimming ---- */

/* The last entry ID (deleted or not) in node i. */
static struct stream_id stream_node_last_id(struct stream *s, size_t i)
{
    struct stream_iter it = {.s = s, .node_index = (long)i};
    stream_iter_open_node(&it);
    it.p = stream_entry_prev(&it, NULL);
    struct stream_id id = s->nodes[i].master;
    if (it.p)
        stream_iter_decode(&it, &id);
    return id;
}

int64_t stream_trim(struct stream *s, const struct stream_trim *t)
{
    if (t->strategy == STREAM_TRIM_NONE)
        return 0;
    int64_t deleted = 0;
    size_t drop = 0; /* whole nodes removed from the head */
    for (size_t i = 0; i < s->node_count; i++) {
        if (t->strategy == STREAM_TRIM_MAXLEN && s->length <= t->maxlen)
            break;
        unsigned char *lp = s->nodes[i].lp;
        unsigned char *p = listpack_first(lp);
        int64_t entries = lp_int(p);
        if (t->limit && deleted + entries > t->limit)
            break;
        bool remove_node;
        if (t->strategy == STREAM_TRIM_MAXLEN) {
            remove_node = s->length - (uint64_t)entries >= t->maxlen;
        } else {
            struct stream_id last = stream_node_last_id(s, i);
            remove_node = stream_id_cmp(&last, &t->minid) < 0;
        }
        if (remove_node) {
            drop++;
            s->length -= (uint64_t)entries;
            deleted += entries;
            continue;
        }
        if (t->approx)
            break;

        /* Flag entries inside this node. */
        struct stream_iter it = {.s = s, .node_index = (long)i};
        unsigned char *e = stream_iter_open_node(&it);
        int64_t deleted_here = 0;
        while (e) {
            struct stream_id cur;
            it.p = e;
            stream_iter_decode(&it, &cur);
            bool stop = t->strategy == STREAM_TRIM_MAXLEN ? s->length <= t->maxlen
                                                          : stream_id_cmp(&cur, &t->minid) >= 0;
            if (stop)
                break;
            unsigned char *next = stream_entry_skip(&it, e);
            bool at_end = next == NULL;
            size_t next_off = at_end ? 0 : (size_t)(next - it.lp);
            if (!(it.entry_flags & STREAM_ITEM_FLAG_DELETED)) {
                size_t off = (size_t)(e - it.lp);
                unsigned char *q = it.lp + off;
                it.lp = listpack_replace_integer(it.lp, &q,
                                                 it.entry_flags | STREAM_ITEM_FLAG_DELETED);
                s->nodes[i].lp = it.lp;
                deleted_here++;
                s->length--;
            }
            e = at_end ? NULL : it.lp + next_off;
        }
        deleted += deleted_here;
        lp = it.lp;
        p = listpack_first(lp);
        lp = listpack_replace_integer(lp, &p, entries - deleted_here);
        p = listpack_next(lp, p);
        int64_t marked = lp_int(p);
        lp = listpack_replace_integer(lp, &p, marked + deleted_here);
        s->nodes[i].lp = lp;
        break;
    }
    if (drop)
        stream_node_remove_range(s, 0, drop);
    stream_update_first_id(s);
    return deleted;
}

/* ---- Lag ---- */

bool stream_range_has_tombstones(const struct stream *s, const struct stream_id *start,
                                 const struct stream_id *end)
{
    if (!s->length || stream_id_is_zero(&s->max_deleted_id))
        return false;
    if (stream_id_cmp(&s->first_id, &s->max_deleted_id) > 0)
        return false;
    struct stream_id a = start ? *start : (struct stream_id){0, 0};
    struct stream_id b = end ? *end : (struct stream_id){UINT64_MAX, UINT64_MAX};
    return stream_id_cmp(&a, &s->max_deleted_id) <= 0 &&
           stream_id_cmp(&s->max_deleted_id, &b) <= 0;
}

long long stream_estimate_distance(const struct stream *s, const struct stream_id *id)
{
    if (!s->entries_added)
        return 0;
    if (!s->length && stream_id_cmp(id, &s->last_id) < 1)
        return (long long)s->entries_added;
    int cmp_last = stream_id_cmp(id, &s->last_id);
    if (cmp_last == 0)
        return (long long)s->entries_added;
    if (cmp_last > 0)
        return STREAM_ENTRIES_READ_INVALID;
    int cmp_first = stream_id_cmp(id, &s->first_id);
    if (stream_id_is_zero(&s->max_deleted_id) ||
        stream_id_cmp(&s->max_deleted_id, &s->first_id) < 0) {
        if (cmp_first < 0)
            return (long long)(s->entries_added - s->length);
        if (cmp_first == 0)
            return (long long)(s->entries_added - s->length + 1);
    }
    return STREAM_ENTRIES_READ_INVALID;
}

bool stream_group_lag(const struct stream *s, const struct stream_group *g, long long *lag)
{
    if (!s->entries_added) {
        *lag = 0;
        return true;
    }
    if (g->entries_read != STREAM_ENTRIES_READ_INVALID &&
        !stream_range_has_tombstones(s, &g->last_id, NULL)) {
        *lag = (long long)s->entries_added - g->entries_read;
        return true;
    }
    long long read = stream_estimate_distance(s, &g->last_id);
    if (read == STREAM_ENTRIES_READ_INVALID)
        return false;
    *lag = (long long)s->entries_added - read;
    return true;
}

/* ====================================================================
 * Groups and consumers: arrays sorted by name, bytewise (rax order)
 * ==================================================================== */

static int name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Position of name in a sorted array of objects whose name fields are
 * reached through get; *found says whether it is there. */
#define SORTED_FIND(arr, count, name, len, found)                                      \
    ({                                                                                 \
        size_t lo_ = 0, hi_ = (count);                                                 \
        *(found) = false;                                                              \
        while (lo_ < hi_) {                                                            \
            size_t mid_ = lo_ + (hi_ - lo_) / 2;                                       \
            int c_ = name_cmp((arr)[mid_]->name, (arr)[mid_]->name_len, (name), (len)); \
            if (c_ == 0) {                                                             \
                *(found) = true;                                                       \
                lo_ = mid_;                                                            \
                break;                                                                 \
            }                                                                          \
            if (c_ < 0)                                                                \
                lo_ = mid_ + 1;                                                        \
            else                                                                       \
                hi_ = mid_;                                                            \
        }                                                                              \
        lo_;                                                                           \
    })

struct stream_group *stream_group_find(const struct stream *s, const char *name, size_t len)
{
    bool found;
    size_t i = SORTED_FIND(s->groups, s->group_count, name, len, &found);
    return found ? s->groups[i] : NULL;
}

struct stream_group *stream_group_create(struct stream *s, const char *name, size_t len,
                                         const struct stream_id *last_id, long long entries_read)
{
    bool found;
    size_t i = SORTED_FIND(s->groups, s->group_count, name, len, &found);
    if (found)
        return NULL;
    struct stream_group *g = alloc_zeroed(sizeof(*g));
    g->name = alloc_strndup(name, len);
    g->name_len = len;
    g->last_id = *last_id;
    g->entries_read = entries_read;
    stream_idmap_init(&g->pel);
    if (s->group_count == s->group_cap) {
        s->group_cap = s->group_cap ? s->group_cap * 2 : 2;
        s->groups = alloc_resize(s->groups, s->group_cap * sizeof(*s->groups));
    }
    memmove(s->groups + i + 1, s->groups + i, (s->group_count - i) * sizeof(*s->groups));
    s->groups[i] = g;
    s->group_count++;
    return g;
}

bool stream_group_destroy(struct stream *s, const char *name, size_t len)
{
    bool found;
    size_t i = SORTED_FIND(s->groups, s->group_count, name, len, &found);
    if (!found)
        return false;
    stream_group_free(s->groups[i]);
    memmove(s->groups + i, s->groups + i + 1, (s->group_count - i - 1) * sizeof(*s->groups));
    s->group_count--;
    return true;
}

struct stream_consumer *stream_consumer_find(const struct stream_group *g, const char *name,
                                             size_t len)
{
    bool found;
    size_t i = SORTED_FIND(g->consumers, g->consumer_count, name, len, &found);
    return found ? g->consumers[i] : NULL;
}

struct stream_consumer *stream_consumer_create(struct stream_group *g, const char *name,
                                               size_t len, int64_t now_ms)
{
    bool found;
    size_t i = SORTED_FIND(g->consumers, g->consumer_count, name, len, &found);
    if (found)
        return NULL;
    struct stream_consumer *c = alloc_zeroed(sizeof(*c));
    c->name = alloc_strndup(name, len);
    c->name_len = len;
    c->seen_time = now_ms;
    c->active_time = -1;
    stream_idmap_init(&c->pel);
    if (g->consumer_count == g->consumer_cap) {
        g->consumer_cap = g->consumer_cap ? g->consumer_cap * 2 : 2;
        g->consumers = alloc_resize(g->consumers, g->consumer_cap * sizeof(*g->consumers));
    }
    memmove(g->consumers + i + 1, g->consumers + i,
            (g->consumer_count - i) * sizeof(*g->consumers));
    g->consumers[i] = c;
    g->consumer_count++;
    return c;
}

long long stream_consumer_delete(struct stream_group *g, const char *name, size_t len)
{
    bool found;
    size_t i = SORTED_FIND(g->consumers, g->consumer_count, name, len, &found);
    if (!found)
        return -1;
    struct stream_consumer *c = g->consumers[i];
    long long pending = (long long)c->pel.count;
    for (struct stream_idmap_node *n = stream_idmap_seek(&c->pel, NULL); n; n = n->next[0]) {
        struct stream_nack *nack = stream_idmap_remove(&g->pel, &n->id);
        alloc_free(nack);
    }
    stream_consumer_free(c);
    memmove(g->consumers + i, g->consumers + i + 1,
            (g->consumer_count - i - 1) * sizeof(*g->consumers));
    g->consumer_count--;
    return pending;
}

struct stream_nack *stream_nack_add(struct stream_group *g, struct stream_consumer *consumer,
                                    const struct stream_id *id, int64_t now_ms,
                                    uint64_t delivery_count)
{
    struct stream_nack *nack = alloc_zeroed(sizeof(*nack));
    nack->id = *id;
    nack->delivery_time = now_ms;
    nack->delivery_count = delivery_count;
    nack->consumer = consumer;
    if (!stream_idmap_insert(&g->pel, id, nack)) {
        alloc_free(nack);
        return NULL;
    }
    stream_idmap_insert(&consumer->pel, id, nack);
    return nack;
}

void stream_nack_move(struct stream_nack *nack, struct stream_consumer *to)
{
    if (nack->consumer == to)
        return;
    stream_idmap_remove(&nack->consumer->pel, &nack->id);
    stream_idmap_insert(&to->pel, &nack->id, nack);
    nack->consumer = to;
}

bool stream_nack_ack(struct stream_group *g, const struct stream_id *id)
{
    struct stream_nack *nack = stream_idmap_remove(&g->pel, id);
    if (!nack)
        return false;
    stream_idmap_remove(&nack->consumer->pel, id);
    alloc_free(nack);
    return true;
}

/* ====================================================================
 * Checks for loaded nodes
 * ==================================================================== */

bool stream_node_validate(const unsigned char *lpc, size_t bytes, const struct stream_id *master,
                          bool deep, size_t *entries_out)
{
    (void)bytes;
    (void)deep;
    unsigned char *lp = (unsigned char *)lpc;
    int64_t count, deleted, master_fields, v;
    unsigned char *p = listpack_first(lp);
    if (!p || !lp_is_int(p, &count) || count < 0)
        return false;
    if (!(p = listpack_next(lp, p)) || !lp_is_int(p, &deleted) || deleted < 0)
        return false;
    if (!(p = listpack_next(lp, p)) || !lp_is_int(p, &master_fields) || master_fields < 0)
        return false;
    for (int64_t i = 0; i < master_fields; i++)
        if (!(p = listpack_next(lp, p)))
            return false;
    if (!(p = listpack_next(lp, p)) || !lp_is_int(p, &v) || v != 0)
        return false;
    int64_t seen = 0, live = 0;
    struct stream_id prev = {0, 0};
    p = listpack_next(lp, p);
    while (p) {
        int64_t flags, ms, seq, nf, lp_count;
        if (!lp_is_int(p, &flags) || flags < 0 || flags > 3)
            return false;
        if (!(p = listpack_next(lp, p)) || !lp_is_int(p, &ms))
            return false;
        if (!(p = listpack_next(lp, p)) || !lp_is_int(p, &seq))
            return false;
        struct stream_id id = {master->ms + (uint64_t)ms, master->seq + (uint64_t)seq};
        if (stream_id_cmp(&id, master) < 0 || (seen && stream_id_cmp(&id, &prev) <= 0))
            return false;
        prev = id;
        int64_t elements;
        if (flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
            nf = master_fields;
            elements = nf;
        } else {
            if (!(p = listpack_next(lp, p)) || !lp_is_int(p, &nf) || nf < 0 || nf > (1LL << 31))
                return false;
            elements = nf * 2;
        }
        for (int64_t i = 0; i < elements; i++)
            if (!(p = listpack_next(lp, p)))
                return false;
        if (!(p = listpack_next(lp, p)) || !lp_is_int(p, &lp_count))
            return false;
        int64_t want = (flags & STREAM_ITEM_FLAG_SAMEFIELDS) ? nf + 3 : nf * 2 + 4;
        if (lp_count != want)
            return false;
        seen++;
        if (!(flags & STREAM_ITEM_FLAG_DELETED))
            live++;
        p = listpack_next(lp, p);
    }
    if (seen != count + deleted || live != count || seen == 0)
        return false;
    if (entries_out)
        *entries_out = (size_t)count;
    return true;
}
