/* typed_key.c: the typed lookup, the delete-when-emptied rule and the
 * STORE destination rule that the type families' commands share (see
 * typed_key.h).
 *
 * Owns only those steps. What a missing key means (nil, 0, an empty array,
 * a new value) stays with each command, and so does reporting an in-place
 * change through commands_key_modified.
 *
 * Invariant: a collection key in the database is never empty once a
 * command that removed elements from it returns. */
#include <assert.h>
#include <string.h>

#include "engine/db.h"
#include "engine/hash.h"
#include "engine/kv.h"
#include "engine/list.h"
#include "engine/set.h"
#include "engine/zset.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/keyspace_events.h"
#include "net/commands/notify.h"
#include "net/commands/reply.h"
#include "net/commands/typed_key.h"

bool typed_key_lookup(struct client *c, int i, int flags, enum kv_type type, struct kv **out)
{
    assert(i > 0);
    assert(i < c->argc);
    struct kv *kv = db_lookup(c->db, c->argv[i].ptr, c->argv[i].len, flags);
    if (kv != NULL && kv->type != type) {
        reply_error_wrongtype(c);
        return false;
    }
    *out = kv;
    return true;
}

/* The number of elements of a collection kv. */
static size_t typed_key_element_count(struct kv *kv)
{
    switch ((enum kv_type)kv->type) {
    case KV_LIST:
        return list_count(kv_object(kv));
    case KV_SET:
        return set_size(kv);
    case KV_ZSET:
        return zset_length(kv);
    case KV_HASH:
        return hash_count(kv);
    case KV_STRING:
    case KV_STREAM:
        break;
    }
    assert(!"a string has no elements to empty");
    return 1;
}

bool typed_key_delete_if_empty(struct client *c, struct kv *kv)
{
    if (typed_key_element_count(kv) != 0)
        return false;
    /* db_delete finds the key before it frees kv, so the key may be kv's own. */
    bool deleted = db_delete(c->db, kv_key(kv), kv->key_len);
    assert(deleted);
    return true;
}

void typed_key_store_result(struct client *c, const struct resp_arg *dst, struct kv *result,
                            int type, const char *event)
{
    assert(result->key_len == dst->len);
    assert(memcmp(kv_key(result), dst->ptr, dst->len) == 0);
    size_t count = typed_key_element_count(result);
    bool deleted = false;
    if (count == 0) {
        kv_free(result);
        deleted = db_delete(c->db, dst->ptr, dst->len);
        if (deleted)
            notify_key_modified(c->commands, c->db, dst->ptr, dst->len);
    } else {
        db_set(c->db, result, false);
        notify_key_modified(c->commands, c->db, dst->ptr, dst->len);
    }
    /* Redis replies before it reports the store (or the deletion). */
    reply_integer(c, (long long)count);
    if (deleted)
        keyspace_event(c->commands, NOTIFY_GENERIC, "del", c->db->id, dst->ptr, dst->len);
    else if (count > 0)
        keyspace_event(c->commands, type, event, c->db->id, dst->ptr, dst->len);
}
