/* list.c: the list value type (quicklist of listpack nodes; see list.h).
 *
 * Owns node sizing (when a push may extend a node and when it starts a new
 * one, following Redis 7.0's _quicklistNodeAllowInsert estimate), node
 * removal when a node empties, splitting a full node for a middle insert,
 * and walking the list by index. Element bytes and their encodings belong
 * to engine/listpack.c. */
#include "engine/list.h"

#include <assert.h>
#include <string.h>

#include "engine/alloc.h"

/* Listpack byte limits for fills -1 .. -5 (Redis's optimization_level). */
static const size_t list_fill_bytes[] = {4096, 8192, 16384, 32768, 65536};

struct list *list_new(long long fill)
{
    struct list *l = alloc_zeroed(sizeof(*l));
    if (fill > LIST_FILL_MAX)
        fill = LIST_FILL_MAX;
    else if (fill < LIST_FILL_MIN)
        fill = LIST_FILL_MIN;
    l->fill = (int)fill;
    return l;
}

static struct list_node *list_node_new(void)
{
    struct list_node *node = alloc_zeroed(sizeof(*node));
    node->lp = listpack_new();
    return node;
}

static void list_node_free(struct list_node *node)
{
    listpack_free(node->lp);
    alloc_free(node);
}

void list_free(void *obj, enum kv_encoding enc)
{
    assert(enc == KV_ENC_QUICKLIST);
    (void)enc;
    struct list *l = obj;
    struct list_node *node = l->head;
    while (node != NULL) {
        struct list_node *next = node->next;
        list_node_free(node);
        node = next;
    }
    alloc_free(l);
}

void *list_copy(const void *obj, enum kv_encoding enc)
{
    assert(enc == KV_ENC_QUICKLIST);
    (void)enc;
    const struct list *src = obj;
    struct list *l = list_new(src->fill);
    for (const struct list_node *from = src->head; from != NULL; from = from->next)
        list_append_listpack(l, listpack_from_bytes(from->lp, listpack_bytes(from->lp)),
                             from->count);
    assert(l->count == src->count);
    return l;
}

/* ---- Node sizing ---- */

/* Whether an element of len bytes may join node. Like Redis 7.0 this
 * estimates the entry's size as a ziplist entry would have been (len plus
 * a previous-length field of 1 or 5 bytes plus an encoding of 1, 2 or 5
 * bytes), which overestimates integers; matching the estimate matters
 * because it decides where node boundaries fall. */
static bool list_node_allows_insert(const struct list *l, const struct list_node *node, size_t len)
{
    if (node == NULL)
        return false;
    size_t overhead = len < 254 ? 1 : 5;
    if (len < 64)
        overhead += 1;
    else if (len < 16384)
        overhead += 2;
    else
        overhead += 5;
    size_t new_bytes = listpack_bytes(node->lp) + len + overhead;
    if (l->fill < 0)
        return new_bytes <= list_fill_bytes[-l->fill - 1];
    if (new_bytes > LIST_NODE_SAFETY_BYTES)
        return false;
    return (int)node->count < (l->fill == 0 ? 1 : l->fill);
}

/* Links node into l after `after` (NULL: at the head). */
static void list_link_after(struct list *l, struct list_node *after, struct list_node *node)
{
    node->prev = after;
    node->next = after != NULL ? after->next : l->head;
    if (node->next != NULL)
        node->next->prev = node;
    else
        l->tail = node;
    if (after != NULL)
        after->next = node;
    else
        l->head = node;
}

void list_append_listpack(struct list *l, unsigned char *lp, uint32_t count)
{
    assert(count > 0);
    struct list_node *node = alloc_zeroed(sizeof(*node));
    node->lp = lp;
    node->count = count;
    list_link_after(l, l->tail, node);
    l->count += count;
}

static void list_unlink(struct list *l, struct list_node *node)
{
    if (node->prev != NULL)
        node->prev->next = node->next;
    else
        l->head = node->next;
    if (node->next != NULL)
        node->next->prev = node->prev;
    else
        l->tail = node->prev;
}

void list_push(struct list *l, enum list_end end, const void *s, size_t len)
{
    struct list_node *node = end == LIST_HEAD ? l->head : l->tail;
    if (!list_node_allows_insert(l, node, len)) {
        node = list_node_new();
        list_link_after(l, end == LIST_HEAD ? NULL : l->tail, node);
    }
    if (end == LIST_HEAD)
        node->lp = listpack_prepend(node->lp, s, len);
    else
        node->lp = listpack_append(node->lp, s, len);
    node->count++;
    l->count++;
}

/* ---- Finding elements ---- */

/* The node holding element index, with *offset set to its index within
 * the node; walks from whichever end is nearer. */
static struct list_node *list_locate(const struct list *l, size_t index, size_t *offset)
{
    assert(index < l->count);
    if (index < l->count / 2) {
        struct list_node *node = l->head;
        while (index >= node->count) {
            index -= node->count;
            node = node->next;
        }
        *offset = index;
        return node;
    }
    size_t from_tail = l->count - 1 - index;
    struct list_node *node = l->tail;
    while (from_tail >= node->count) {
        from_tail -= node->count;
        node = node->prev;
    }
    *offset = node->count - 1 - from_tail;
    return node;
}

static void list_entry_read(const unsigned char *p, struct list_entry *out)
{
    out->str = listpack_get_text(p, &out->len, out->buf);
}

void list_get(struct list *l, size_t index, struct list_entry *out)
{
    size_t offset;
    struct list_node *node = list_locate(l, index, &offset);
    list_entry_read(listpack_seek(node->lp, (long)offset), out);
}

void list_peek(struct list *l, enum list_end end, struct list_entry *out)
{
    assert(l->count > 0);
    if (end == LIST_HEAD)
        list_entry_read(listpack_first(l->head->lp), out);
    else
        list_entry_read(listpack_last(l->tail->lp), out);
}

/* Drops node from l once its last entry has gone. */
static void list_node_drop_if_empty(struct list *l, struct list_node *node)
{
    if (node->count > 0)
        return;
    list_unlink(l, node);
    list_node_free(node);
}

void list_pop(struct list *l, enum list_end end)
{
    assert(l->count > 0);
    struct list_node *node = end == LIST_HEAD ? l->head : l->tail;
    unsigned char *p = end == LIST_HEAD ? listpack_first(node->lp) : listpack_last(node->lp);
    node->lp = listpack_delete(node->lp, p, NULL);
    node->count--;
    l->count--;
    list_node_drop_if_empty(l, node);
}

void list_set(struct list *l, size_t index, const void *s, size_t len)
{
    size_t offset;
    struct list_node *node = list_locate(l, index, &offset);
    unsigned char *p = listpack_seek(node->lp, (long)offset);
    node->lp = listpack_replace(node->lp, &p, s, len);
}

void list_delete_range(struct list *l, size_t start, size_t count)
{
    assert(start + count <= l->count);
    if (count == 0)
        return;
    size_t offset;
    struct list_node *node = list_locate(l, start, &offset);
    while (count > 0) {
        assert(node != NULL);
        struct list_node *next = node->next;
        size_t here = node->count - offset;
        if (here > count)
            here = count;
        if (here == node->count) {
            list_unlink(l, node);
            list_node_free(node);
        } else {
            node->lp = listpack_delete_range(node->lp, (long)offset, here);
            node->count -= (uint32_t)here;
        }
        l->count -= here;
        count -= here;
        offset = 0;
        node = next;
    }
}

/* ---- Walking ---- */

void list_iter_init(struct list_iter *it, struct list *l, size_t index, bool forward)
{
    it->list = l;
    it->forward = forward;
    if (index >= l->count) {
        it->node = NULL;
        it->p = NULL;
        return;
    }
    size_t offset;
    it->node = list_locate(l, index, &offset);
    it->offset = (long)offset;
    it->p = listpack_seek(it->node->lp, (long)offset);
}

void list_iter_get(const struct list_iter *it, struct list_entry *out)
{
    assert(it->node != NULL);
    list_entry_read(it->p, out);
}

bool list_iter_equals(const struct list_iter *it, const void *s, size_t len)
{
    assert(it->node != NULL);
    return listpack_entry_equals(it->p, s, len);
}

/* Moves to the first (forward) or last entry of the next node in the walk's
 * direction, or past the end. */
static void list_iter_enter(struct list_iter *it, struct list_node *node)
{
    it->node = node;
    if (node == NULL) {
        it->p = NULL;
        return;
    }
    if (it->forward) {
        it->p = listpack_first(node->lp);
        it->offset = 0;
    } else {
        it->p = listpack_last(node->lp);
        it->offset = (long)node->count - 1;
    }
}

void list_iter_next(struct list_iter *it)
{
    assert(it->node != NULL);
    unsigned char *p = it->forward ? listpack_next(it->node->lp, it->p)
                                   : listpack_prev(it->node->lp, it->p);
    if (p != NULL) {
        it->p = p;
        it->offset += it->forward ? 1 : -1;
        return;
    }
    list_iter_enter(it, it->forward ? it->node->next : it->node->prev);
}

void list_iter_delete(struct list_iter *it)
{
    struct list_node *node = it->node;
    assert(node != NULL);
    struct list *l = it->list;
    /* Entries before the deleted one keep their offset in the blob, so
     * remember where the previous one starts across the reallocation. */
    unsigned char *prev = it->forward ? NULL : listpack_prev(node->lp, it->p);
    size_t prev_bytes = prev != NULL ? (size_t)(prev - node->lp) : 0;
    unsigned char *nextp;
    node->lp = listpack_delete(node->lp, it->p, &nextp);
    node->count--;
    l->count--;
    if (node->count == 0) {
        struct list_node *following = it->forward ? node->next : node->prev;
        list_node_drop_if_empty(l, node);
        list_iter_enter(it, following);
        return;
    }
    if (it->forward) {
        /* The entry after the deleted one now sits at its offset. */
        if (nextp != NULL)
            it->p = nextp;
        else
            list_iter_enter(it, node->next);
        return;
    }
    if (prev == NULL) {
        list_iter_enter(it, node->prev);
        return;
    }
    it->offset--;
    it->p = node->lp + prev_bytes;
}

/* Splits node after its entry number offset: the entries after it move to
 * a new node linked after node. */
static void list_node_split(struct list *l, struct list_node *node, size_t offset)
{
    struct list_node *tail = alloc_zeroed(sizeof(*tail));
    tail->lp = listpack_from_bytes(node->lp, listpack_bytes(node->lp));
    size_t keep = offset + 1;
    node->lp = listpack_delete_range(node->lp, (long)keep, node->count - keep);
    tail->lp = listpack_delete_range(tail->lp, 0, keep);
    tail->count = node->count - (uint32_t)keep;
    node->count = (uint32_t)keep;
    list_link_after(l, node, tail);
}

/* Inserts s as the only element of a new node linked after `after`. */
static void list_insert_new_node(struct list *l, struct list_node *after, const void *s, size_t len)
{
    struct list_node *node = list_node_new();
    node->lp = listpack_append(node->lp, s, len);
    node->count = 1;
    list_link_after(l, after, node);
    l->count++;
}

void list_iter_insert(struct list_iter *it, enum listpack_where where, const void *s, size_t len)
{
    struct list_node *node = it->node;
    assert(node != NULL);
    struct list *l = it->list;
    bool at_tail = where == LISTPACK_AFTER && it->offset == (long)node->count - 1;
    bool at_head = where == LISTPACK_BEFORE && it->offset == 0;
    it->node = NULL;
    if (list_node_allows_insert(l, node, len)) {
        node->lp = listpack_insert(node->lp, it->p, where, s, len, NULL);
        node->count++;
        l->count++;
    } else if (at_tail && list_node_allows_insert(l, node->next, len)) {
        node->next->lp = listpack_prepend(node->next->lp, s, len);
        node->next->count++;
        l->count++;
    } else if (at_head && list_node_allows_insert(l, node->prev, len)) {
        node->prev->lp = listpack_append(node->prev->lp, s, len);
        node->prev->count++;
        l->count++;
    } else if (at_tail) {
        list_insert_new_node(l, node, s, len);
    } else if (at_head) {
        list_insert_new_node(l, node->prev, s, len);
    } else {
        /* A full node, insertion in its middle: split it so the new
         * element goes at the end of the first half's own node. */
        size_t split_after = where == LISTPACK_AFTER ? (size_t)it->offset : (size_t)it->offset - 1;
        list_node_split(l, node, split_after);
        if (list_node_allows_insert(l, node, len)) {
            node->lp = listpack_append(node->lp, s, len);
            node->count++;
            l->count++;
        } else {
            list_insert_new_node(l, node, s, len);
        }
    }
}

/* ---- Checking ---- */

void list_check(const struct list *l)
{
    size_t total = 0;
    const struct list_node *prev = NULL;
    for (const struct list_node *node = l->head; node != NULL; node = node->next) {
        assert(node->prev == prev);
        assert(node->count > 0);
        assert(listpack_count(node->lp) == node->count);
        total += node->count;
        prev = node;
    }
    assert(l->tail == prev);
    assert(total == l->count);
    (void)total;
}
