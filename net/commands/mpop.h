/* mpop.h: the pops that serve from the first of several keys holding data.
 *
 * LMPOP and ZMPOP (and their blocking forms BLMPOP and BZMPOP) share one
 * skeleton: numkeys, the keys, an end word, an optional COUNT, the scan
 * for the first key with data, the [key, elements] reply, the AOF record,
 * and blocking when nothing was found. BLPOP, BRPOP, BZPOPMIN and BZPOPMAX
 * share a smaller one: keys, a timeout, the first key with data serves one
 * element. A family (lists, sorted sets) fills in what differs: its type,
 * its end words, its pop commands, and the pop of one key.
 *
 * Argument checks follow Redis 7.0.15's order and texts: numkeys that is no
 * integer or is below 1 -> "numkeys should be greater than 0"; numkeys that
 * leaves no room for the end word -> syntax error (however large); then the
 * end word, COUNT, and the timeout last. */
#ifndef RINGKV_NET_COMMANDS_MPOP_H
#define RINGKV_NET_COMMANDS_MPOP_H

#include "engine/kv.h"
#include "net/commands/blocking.h"

/* The end to pop from, in the order of a family's end words. */
enum mpop_end {
    MPOP_END_LOW = 0,  /* LEFT (the head of a list), MIN (the lowest score) */
    MPOP_END_HIGH = 1, /* RIGHT (the tail), MAX (the highest score) */
};

struct mpop_family {
    enum kv_type type;              /* the type every key must hold */
    enum blocked_kind blocked_kind; /* what a blocked client waits for */
    const char *end_words[2];       /* per enum mpop_end, lower case: "left", "right" */
    const char *pop_commands[2];    /* per enum mpop_end, what a served pop is logged as */
    int element_replies;            /* replies per element in BLPOP's flat reply: 1 or 2 */
    /* Pops up to count (>= 1) elements from `end` of kv, the non-empty
     * value at c->argv[key_index], replies them as one array (MPOP's form),
     * deletes the key if it emptied and reports the change. Returns how
     * many it popped. */
    long long (*pop_many)(struct client *c, int key_index, struct kv *kv, enum mpop_end end,
                          long long count);
    /* Pops one element like pop_many, replying it as element_replies flat
     * replies (BLPOP's form, after the key). */
    void (*pop_one)(struct client *c, int key_index, struct kv *kv, enum mpop_end end);
};

/* LMPOP/ZMPOP numkeys key [key ...] <end> [COUNT count], with numkeys at
 * argv[numkeys_index]; the blocking forms have their timeout at
 * argv[timeout_index] (-1: not blocking), parsed after the rest as Redis
 * does. family is borrowed for the call. */
void mpop_generic(struct client *c, const struct mpop_family *family, int numkeys_index,
                  int timeout_index);

/* BLPOP/BRPOP/BZPOPMIN/BZPOPMAX key [key ...] timeout: the first key (in
 * argument order) holding data serves one element from end, replying
 * [key, element...]. */
void mpop_blocking_pop_generic(struct client *c, const struct mpop_family *family,
                               enum mpop_end end);

#endif
