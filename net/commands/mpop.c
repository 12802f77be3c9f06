/* mpop.c: the skeletons of LMPOP/ZMPOP/BLMPOP/BZMPOP and of
 * BLPOP/BRPOP/BZPOPMIN/BZPOPMAX (see mpop.h).
 *
 * Owns argument parsing (in Redis 7.0.15's order, with its error texts),
 * the scan for the first key that holds data (restricted to the ready key
 * during a wake-up), the [key, ...] reply around the family's pop, the AOF
 * record and the hand-over to blocking.c. Leaves the pop itself, its
 * element replies and deleting an emptied key to the family.
 *
 * AOF: a served pop is logged as the family's plain pop of the key that
 * served, as Redis 7.0 logs it: LPOP/RPOP or ZPOPMIN/ZPOPMAX key, with the
 * number popped for the MPOP forms.
 *
 * Invariant: every call sends exactly one reply, or blocks the client
 * without one. */
#include <assert.h>
#include <limits.h>

#include "engine/db.h"
#include "engine/number.h"
#include "net/commands/arg.h"
#include "net/commands/blocking.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/mpop.h"
#include "net/commands/propagate.h"
#include "net/commands/reply.h"
#include "net/commands/typed_key.h"

/* Longest decimal long long ("-9223372036854775808"), NUL included: the
 * counts logged for the MPOP forms. */
#define MPOP_LL_TEXT_BYTES 21

static const char *const mpop_error_numkeys = "numkeys should be greater than 0";
static const char *const mpop_error_count = "count should be greater than 0";

/* MPOP's arguments once parsed. */
struct mpop_request {
    int first_key;
    int key_count;
    enum mpop_end end;
    long long count;
    int64_t deadline_ms; /* 0 when not blocking or blocking forever */
};

/* Parses argv[i] as an integer in 1..LONG_MAX, as Redis's
 * getRangeLongFromObjectOrReply: replies msg when it is no integer or out of
 * that range. */
static bool mpop_parse_positive(struct client *c, int i, const char *msg, long long *out)
{
    if (!arg_get_ll(c, i, out, msg))
        return false;
    if (*out < 1 || *out > LONG_MAX) {
        reply_error(c, msg);
        return false;
    }
    return true;
}

/* Parses the family's end word at argv[i]; a syntax error otherwise. */
static bool mpop_parse_end(struct client *c, const struct mpop_family *f, int i,
                           enum mpop_end *end)
{
    if (arg_equals(&c->argv[i], f->end_words[MPOP_END_LOW]))
        *end = MPOP_END_LOW;
    else if (arg_equals(&c->argv[i], f->end_words[MPOP_END_HIGH]))
        *end = MPOP_END_HIGH;
    else {
        reply_error_syntax(c);
        return false;
    }
    return true;
}

/* Parses numkeys, the end word, COUNT and the timeout, in Redis's order. */
static bool mpop_parse(struct client *c, const struct mpop_family *f, int numkeys_index,
                       int timeout_index, struct mpop_request *r)
{
    long long numkeys;
    if (!mpop_parse_positive(c, numkeys_index, mpop_error_numkeys, &numkeys))
        return false;
    /* The end word must follow the keys. Redis computes its index and
     * compares it with argc, so a huge numkeys is a syntax error too. */
    if (numkeys >= c->argc - numkeys_index - 1) {
        reply_error_syntax(c);
        return false;
    }
    r->first_key = numkeys_index + 1;
    r->key_count = (int)numkeys;
    int end_index = r->first_key + r->key_count;
    if (!mpop_parse_end(c, f, end_index, &r->end))
        return false;
    r->count = -1;
    for (int i = end_index + 1; i < c->argc; i++) {
        if (r->count == -1 && arg_equals(&c->argv[i], "count") && i + 1 < c->argc) {
            if (!mpop_parse_positive(c, ++i, mpop_error_count, &r->count))
                return false;
        } else {
            reply_error_syntax(c);
            return false;
        }
    }
    if (r->count == -1)
        r->count = 1;
    r->deadline_ms = 0;
    if (timeout_index >= 0 && !blocking_parse_timeout(c, timeout_index, &r->deadline_ms))
        return false;
    assert(r->count >= 1);
    return true;
}

/* Logs a pop from the key at argv[key_index] as the family's pop command,
 * with the number popped when popped_count >= 0 (the MPOP forms). */
static void mpop_propagate(struct client *c, const struct mpop_family *f, int key_index,
                           enum mpop_end end, long long popped_count)
{
    char count_text[MPOP_LL_TEXT_BYTES];
    struct aof_arg argv[] = {aof_arg_str(f->pop_commands[end]), aof_arg_of(&c->argv[key_index]),
                             {0}};
    if (popped_count < 0) {
        propagate_as(c, 2, argv);
        return;
    }
    argv[2] = (struct aof_arg){count_text, number_format_ll(count_text, popped_count)};
    propagate_as(c, 3, argv);
}

/* Finds the first of the keys argv[first .. first+count) that holds data
 * (during a wake-up, only the ready key is looked at), as Redis does: a key
 * of another type before it is a WRONGTYPE error. Returns its index with
 * *kv set, 0 when none holds data, or -1 after the WRONGTYPE reply. */
static int mpop_find_key(struct client *c, const struct mpop_family *f, int first, int count,
                         struct kv **kv)
{
    assert(first > 0);
    for (int i = first; i < first + count; i++) {
        if (blocking_skip_key(c, i))
            continue;
        if (!typed_key_lookup(c, i, DB_LOOKUP_WRITE, f->type, kv))
            return -1;
        if (*kv != NULL)
            return i;
    }
    return 0;
}

void mpop_generic(struct client *c, const struct mpop_family *family, int numkeys_index,
                  int timeout_index)
{
    struct mpop_request r;
    if (!mpop_parse(c, family, numkeys_index, timeout_index, &r))
        return;
    struct kv *kv;
    int i = mpop_find_key(c, family, r.first_key, r.key_count, &kv);
    if (i < 0)
        return;
    if (i > 0) {
        reply_array_len(c, 2);
        reply_bulk(c, c->argv[i].ptr, c->argv[i].len);
        long long popped = family->pop_many(c, i, kv, r.end, r.count);
        assert(popped > 0);
        mpop_propagate(c, family, i, r.end, popped);
    } else if (timeout_index < 0 || (c->flags & CLIENT_DENY_BLOCKING)) {
        reply_null_array(c);
    } else {
        blocking_block(c, family->blocked_kind, r.first_key, r.key_count, r.deadline_ms);
    }
}

void mpop_blocking_pop_generic(struct client *c, const struct mpop_family *family,
                               enum mpop_end end)
{
    int64_t deadline;
    if (!blocking_parse_timeout(c, c->argc - 1, &deadline))
        return;
    struct kv *kv;
    int i = mpop_find_key(c, family, 1, c->argc - 2, &kv);
    if (i < 0)
        return;
    if (i > 0) {
        reply_array_len(c, 1 + family->element_replies);
        reply_bulk(c, c->argv[i].ptr, c->argv[i].len);
        family->pop_one(c, i, kv, end);
        mpop_propagate(c, family, i, end, -1);
    } else if (c->flags & CLIENT_DENY_BLOCKING) {
        /* Inside EXEC nothing can add meanwhile: the timeout is as good as
         * expired. */
        reply_null_array(c);
    } else {
        blocking_block(c, family->blocked_kind, 1, c->argc - 2, deadline);
    }
}
