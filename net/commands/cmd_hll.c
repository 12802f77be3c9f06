/* cmd_hll.c: the HyperLogLog commands (PFADD, PFCOUNT, PFMERGE, PFDEBUG,
 * PFSELFTEST).
 *
 * Owns what Redis 7.0's hyperloglog.c gives these commands: which string
 * counts as a HyperLogLog and the errors for one that does not
 * ("WRONGTYPE Key is not a valid HyperLogLog string value.") or whose
 * sparse body is damaged ("INVALIDOBJ Corrupted HLL object detected"),
 * the cached cardinality a one-key PFCOUNT keeps in the value (a write,
 * logged as PFCOUNT when it refreshes the cache), a many-key PFCOUNT
 * that merges without writing, and the promotion from sparse to dense at
 * hll-sparse-max-bytes. The byte format and the estimator live in
 * engine/hll.c; this file keeps the value inside the key's kv, growing it
 * as the sparse form needs.
 *
 * Invariant: every handler sends exactly one reply; every change to a key
 * is reported through notify_key_modified (PFADD and PFMERGE also publish
 * the "pfadd" event, as Redis does). */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/hll.h"
#include "engine/kv.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keyspace_events.h"
#include "net/commands/notify.h"
#include "net/commands/reply.h"
#include "net/commands/typed_key.h"
#include "net/core/config.h"
#include "net/persist/persist.h"

static const char *const hll_err_invalid = "-INVALIDOBJ Corrupted HLL object detected";
static const char *const hll_err_wrongtype =
    "-WRONGTYPE Key is not a valid HyperLogLog string value.";

/* ---- the value inside its kv ---- */

static uint8_t *hll_bytes(struct kv *kv)
{
    return (uint8_t *)kv_string(kv);
}

/* Looks up argv[i] with flags; replies WRONGTYPE (either text) and returns
 * false unless it is missing (*out NULL) or a valid HyperLogLog. */
static bool hll_lookup(struct client *c, int i, int flags, struct kv **out)
{
    if (!typed_key_lookup(c, i, flags, KV_STRING, out))
        return false;
    if (*out && !hll_is_valid(hll_bytes(*out), (*out)->val_len)) {
        reply_error(c, hll_err_wrongtype);
        return false;
    }
    return true;
}

/* Redis unshares a value before writing it, which makes it raw. */
static void hll_unshare(struct kv *kv)
{
    kv->encoding = KV_ENC_RAW;
}

/* A new empty HLL under argv[i]; returns it linked. */
static struct kv *hll_create(struct client *c, int i)
{
    uint8_t empty[HLL_EMPTY_BYTES];
    hll_init_empty(empty);
    struct kv *kv = kv_new_string(c->argv[i].ptr, c->argv[i].len, (const char *)empty,
                                  sizeof(empty), KV_ENC_RAW);
    db_add(c->db, kv);
    return kv;
}

/* Converts a sparse kv to dense in place (same key, possibly moved).
 * Returns false when the sparse body is corrupt (kv untouched). */
static bool hll_to_dense(struct client *c, struct kv **kv)
{
    if (hll_encoding_of(hll_bytes(*kv)) == HLL_ENC_DENSE)
        return true;
    uint8_t *dense = alloc_bytes(HLL_DENSE_BYTES);
    if (!hll_sparse_to_dense(hll_bytes(*kv), (*kv)->val_len, dense)) {
        alloc_free(dense);
        return false;
    }
    struct kv *k = *kv;
    k = HLL_DENSE_BYTES <= kv_string_capacity(k)
            ? kv_resize_string(k, HLL_DENSE_BYTES, true)
            : db_resize_string(c->db, k, HLL_DENSE_BYTES, false);
    memcpy(hll_bytes(k), dense, HLL_DENSE_BYTES);
    alloc_free(dense);
    *kv = k;
    return true;
}

/* Raises one register of the HLL in *kv (which may move), promoting a
 * sparse value to dense when it must. Returns 1 if it changed, 0 if not,
 * -1 when the value is corrupt. */
static int hll_set(struct client *c, struct kv **kv, uint32_t index, unsigned count)
{
    struct kv *k = *kv;
    if (hll_encoding_of(hll_bytes(k)) == HLL_ENC_SPARSE) {
        size_t len = k->val_len;
        if (len + HLL_SPARSE_SET_ROOM > kv_string_capacity(k)) {
            /* Grow greedily, then give the length back: only the room stays. */
            k = db_resize_string(c->db, k, len + HLL_SPARSE_SET_ROOM, true);
            k = kv_resize_string(k, len, true);
            *kv = k;
        }
        size_t max_bytes = (size_t)c->commands->config->hll_sparse_max_bytes;
        enum hll_set_result r = hll_sparse_set(hll_bytes(k), &len, index, count, max_bytes);
        if (r == HLL_SET_INVALID)
            return -1;
        if (r != HLL_SET_PROMOTE) {
            kv_resize_string(k, len, true); /* within capacity: stays put */
            return r == HLL_SET_UPDATED;
        }
        if (!hll_to_dense(c, kv))
            return -1;
        k = *kv;
    }
    bool changed = hll_dense_set(hll_bytes(k) + HLL_HEADER_BYTES, index, count);
    /* A promotion always comes with a register to raise. */
    return changed ? 1 : 0;
}

/* ---- PFADD ---- */

static void hll_pfadd_command(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv *kv;
    if (!hll_lookup(c, 1, DB_LOOKUP_WRITE, &kv))
        return;
    bool updated = false;
    if (!kv) {
        kv = hll_create(c, 1);
        updated = true;
    } else {
        hll_unshare(kv);
    }
    for (int j = 2; j < c->argc; j++) {
        uint32_t index;
        unsigned count = hll_pattern(c->argv[j].ptr, c->argv[j].len, &index);
        int r = hll_set(c, &kv, index, count);
        if (r < 0) {
            reply_error(c, hll_err_invalid);
            return;
        }
        updated |= r == 1;
    }
    if (updated) {
        hll_cache_invalidate(hll_bytes(kv));
        notify_key_modified(c->commands, c->db, key->ptr, key->len);
        keyspace_event(c->commands, NOTIFY_STRING, "pfadd", c->db->id, key->ptr, key->len);
    }
    reply_integer(c, updated ? 1 : 0);
}

/* ---- PFCOUNT ---- */

/* One key: the cached cardinality, refreshed when invalid (a change to
 * the value, logged as this PFCOUNT as Redis logs it). */
static void hll_pfcount_one(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv *kv;
    /* A read lookup (hits and misses counted), as Redis 7.0's. */
    if (!hll_lookup(c, 1, DB_LOOKUP_READ, &kv))
        return;
    if (!kv) {
        reply_integer(c, 0);
        return;
    }
    hll_unshare(kv);
    uint8_t *p = hll_bytes(kv);
    if (hll_cache_valid(p)) {
        reply_integer(c, (long long)hll_cache_get(p));
        return;
    }
    bool invalid = false;
    uint64_t card = hll_count(p, kv->val_len, &invalid);
    if (invalid) {
        reply_error(c, hll_err_invalid);
        return;
    }
    hll_cache_set(p, card);
    notify_key_modified(c->commands, c->db, key->ptr, key->len);
    reply_integer(c, (long long)card);
}

static void hll_pfcount_command(struct client *c)
{
    if (c->argc == 2) {
        hll_pfcount_one(c);
        return;
    }
    /* Many keys: the union's estimate, from registers merged aside. */
    uint8_t *max = alloc_zeroed(HLL_REGISTERS);
    for (int j = 1; j < c->argc; j++) {
        struct kv *kv;
        if (!hll_lookup(c, j, DB_LOOKUP_READ, &kv)) {
            alloc_free(max);
            return;
        }
        if (kv && !hll_merge(max, hll_bytes(kv), kv->val_len)) {
            alloc_free(max);
            reply_error(c, hll_err_invalid);
            return;
        }
    }
    reply_integer(c, (long long)hll_count_registers(max));
    alloc_free(max);
}

/* ---- PFMERGE ---- */

static void hll_pfmerge_command(struct client *c)
{
    const struct resp_arg *dst = &c->argv[1];
    uint8_t *max = alloc_zeroed(HLL_REGISTERS);
    bool use_dense = false;
    /* The destination is one of the sources. */
    for (int j = 1; j < c->argc; j++) {
        struct kv *kv;
        if (!hll_lookup(c, j, DB_LOOKUP_READ, &kv)) {
            alloc_free(max);
            return;
        }
        if (!kv)
            continue;
        if (hll_encoding_of(hll_bytes(kv)) == HLL_ENC_DENSE)
            use_dense = true;
        if (!hll_merge(max, hll_bytes(kv), kv->val_len)) {
            alloc_free(max);
            reply_error(c, hll_err_invalid);
            return;
        }
    }
    struct kv *kv = db_lookup(c->db, dst->ptr, dst->len, DB_LOOKUP_WRITE);
    if (!kv)
        kv = hll_create(c, 1);
    else
        hll_unshare(kv);
    if (use_dense && !hll_to_dense(c, &kv)) {
        alloc_free(max);
        reply_error(c, hll_err_invalid);
        return;
    }
    for (uint32_t j = 0; j < HLL_REGISTERS; j++) {
        if (max[j] == 0)
            continue;
        /* The merged sources were valid, and so is the destination. */
        int r = hll_set(c, &kv, j, max[j]);
        assert(r >= 0);
        (void)r;
    }
    alloc_free(max);
    hll_cache_invalidate(hll_bytes(kv));
    notify_key_modified(c->commands, c->db, dst->ptr, dst->len);
    keyspace_event(c->commands, NOTIFY_STRING, "pfadd", c->db->id, dst->ptr, dst->len);
    reply_ok(c);
}

/* ---- PFDEBUG, PFSELFTEST ---- */

/* An encoding change PFDEBUG makes is logged (Redis bumps dirty) without
 * counting as a modification of the key. */
static void hll_force_propagation(struct client *c)
{
    c->commands->persist->dirty++;
}

static void hll_pfdebug_command(struct client *c)
{
    const struct resp_arg *sub = &c->argv[1];
    struct kv *kv = db_lookup(c->db, c->argv[2].ptr, c->argv[2].len, DB_LOOKUP_WRITE);
    if (!kv) {
        reply_error(c, "The specified key does not exist");
        return;
    }
    if (kv->type != KV_STRING) {
        reply_error_wrongtype(c);
        return;
    }
    if (!hll_is_valid(hll_bytes(kv), kv->val_len)) {
        reply_error(c, hll_err_wrongtype);
        return;
    }
    hll_unshare(kv);
    bool sparse = hll_encoding_of(hll_bytes(kv)) == HLL_ENC_SPARSE;
    if (arg_equals(sub, "getreg")) {
        if (sparse) {
            if (!hll_to_dense(c, &kv)) {
                reply_error(c, hll_err_invalid);
                return;
            }
            hll_force_propagation(c);
        }
        reply_array_len(c, HLL_REGISTERS);
        for (uint32_t j = 0; j < HLL_REGISTERS; j++)
            reply_integer(c, hll_dense_get(hll_bytes(kv) + HLL_HEADER_BYTES, j));
    } else if (arg_equals(sub, "decode")) {
        if (!sparse) {
            reply_error(c, "HLL encoding is not sparse");
            return;
        }
        size_t len;
        char *text = hll_sparse_describe(hll_bytes(kv), kv->val_len, &len);
        reply_bulk(c, text, len);
        alloc_free(text);
    } else if (arg_equals(sub, "encoding")) {
        reply_status(c, sparse ? "sparse" : "dense");
    } else if (arg_equals(sub, "todense")) {
        if (sparse) {
            if (!hll_to_dense(c, &kv)) {
                reply_error(c, hll_err_invalid);
                return;
            }
            hll_force_propagation(c);
        }
        reply_integer(c, sparse ? 1 : 0);
    } else {
        reply_errorf(c, "Unknown PFDEBUG subcommand '%.*s'", (int)sub->len, sub->ptr);
    }
}

static void hll_pfselftest_command(struct client *c)
{
    char err[128];
    if (hll_selftest(err, sizeof(err)))
        reply_ok(c);
    else
        reply_errorf(c, "-%s", err);
}

/* ---- the table ---- */

struct command hll_commands[] = {
    {.name = "pfadd", .proc = hll_pfadd_command, .arity = -2,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = ACL_WRITE | ACL_HYPERLOGLOG | ACL_FAST,
     .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW insert/i1/r0,1,0",
     .summary = "Adds the specified elements to the specified HyperLogLog.", .since = "2.8.9",
     .group = "hyperloglog", .complexity = "O(1) to add every element.",
     .arguments = "key^k#0 element^s?*"},
    {.name = "pfcount", .proc = hll_pfcount_command, .arity = -2,
     .flags = CMD_READONLY | CMD_MAY_REPLICATE, .acl = ACL_READ | ACL_HYPERLOGLOG | ACL_SLOW,
     .first_key = 1, .last_key = -1, .key_step = 1,
     .key_specs = "RW access/i1/r-1,1,0",
     .key_spec_notes = {"RW because it may change the internal representation of the key, and "
                        "propagate to replicas"},
     .summary = "Return the approximated cardinality of the set(s) observed by the HyperLogLog "
                "at key(s).",
     .since = "2.8.9", .group = "hyperloglog",
     .complexity = "O(1) with a very small average constant time when called with a single "
                   "key. O(N) with N being the number of keys, and much bigger constant times, "
                   "when called with multiple keys.",
     .arguments = "key^k#0*"},
    {.name = "pfmerge", .proc = hll_pfmerge_command, .arity = -2,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_WRITE | ACL_HYPERLOGLOG | ACL_SLOW,
     .first_key = 1, .last_key = -1, .key_step = 1,
     .key_specs = "RW access insert/i1/r0,1,0;RO access/i2/r-1,1,0",
     .summary = "Merge N different HyperLogLogs into a single one.", .since = "2.8.9",
     .group = "hyperloglog",
     .complexity = "O(N) to merge N HyperLogLogs, but with high constant times.",
     .arguments = "destkey^k#0 sourcekey^k#1*"},
    {.name = "pfdebug", .proc = hll_pfdebug_command, .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_ADMIN,
     .acl = ACL_WRITE | ACL_HYPERLOGLOG | ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS,
     .first_key = 2, .last_key = 2, .key_step = 1,
     .key_specs = "RW access/i2/r0,1,0",
     .summary = "Internal commands for debugging HyperLogLog values", .since = "2.8.9",
     .group = "hyperloglog", .complexity = "N/A", .doc_flags = "syscmd",
     .arguments = "subcommand^s key^k#0"},
    {.name = "pfselftest", .proc = hll_pfselftest_command, .arity = 1, .flags = CMD_ADMIN,
     .acl = ACL_HYPERLOGLOG | ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS,
     .summary = "An internal command for testing HyperLogLog values", .since = "2.8.9",
     .group = "hyperloglog", .complexity = "N/A", .doc_flags = "syscmd"},
    {0},
};
