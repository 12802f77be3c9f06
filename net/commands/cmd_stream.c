/* cmd_stream.c: the stream commands (XADD, XRANGE, XREVRANGE, XLEN, XDEL,
 * XTRIM, XREAD, XREADGROUP, XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM,
 * XINFO, XSETID).
 *
 * Owns the semantics Redis 7.0's t_stream.c gives these commands: argument
 * parsing and its error texts in Redis's order, reply shapes for RESP2 and
 * RESP3, what reaches the AOF (XADD with the ID it generated and an exact
 * trim; XREADGROUP as the XCLAIMs and XGROUP SETID Redis writes), keyspace
 * events (class t) and the blocking forms of XREAD / XREADGROUP. The data
 * structure belongs to engine/stream.c.
 *
 * Blocking: a blocked XREAD keeps its command with `$` already replaced by
 * the stream's last ID (Redis resolves it when the client blocks); a
 * wake-up runs the handler again on the ready key only, which serves when
 * the stream has grown past the awaited ID and otherwise stays blocked. */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/kv.h"
#include "engine/stream.h"
#include "net/commands/arg.h"
#include "net/commands/blocking.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/dirty_keys.h"
#include "net/commands/commands.h"
#include "net/commands/keyspace_events.h"
#include "net/commands/notify.h"
#include "net/commands/propagate.h"
#include "net/commands/reply.h"
#include "net/commands/typed_key.h"
#include "net/persist/persist.h"

/* Room for "<ms>-<seq>" with two 20-digit numbers. */
#define STREAM_ID_TEXT_BYTES 48
/* XREAD's COUNT when a blocked client is served without one
 * (XREAD_BLOCKED_DEFAULT_COUNT). */
#define STREAM_BLOCKED_DEFAULT_COUNT 1000
/* XAUTOCLAIM's default COUNT and the scan budget per requested entry. */
#define STREAM_AUTOCLAIM_COUNT_DEFAULT 100
#define STREAM_AUTOCLAIM_ATTEMPTS_FACTOR 10
/* COUNTs whose 16-byte-per-ID list is past 64 GB fail without trying (a
 * sanitizer's allocator aborts on such sizes instead of failing). */
#define STREAM_AUTOCLAIM_PROBE_MAX ((1ULL << 36) / 16)

static const char STREAM_ERR_ID[] = "ERR Invalid stream ID specified as stream command argument";

/* ---- Helpers ---- */

static int64_t stream_now(struct client *c)
{
    return c->commands->keyspace->now_ms;
}

static struct stream_limits stream_limits_of(struct client *c)
{
    const struct encoding_limits *l = &c->commands->keyspace->limits;
    return (struct stream_limits){l->stream_node_max_bytes, l->stream_node_max_entries};
}

static void stream_event(struct client *c, const char *event, const struct resp_arg *key)
{
    keyspace_event(c->commands, NOTIFY_STREAM, event, c->db->id, key->ptr, key->len);
}

static void stream_touched(struct client *c, const struct resp_arg *key)
{
    notify_key_modified(c->commands, c->db, key->ptr, key->len);
}

/* A change Redis counts (server.dirty) without signalling the key: group
 * and PEL bookkeeping (XREADGROUP, XACK, XCLAIM, XGROUP ...), which
 * WATCH does not see in 7.0. */
static void stream_dirty(struct client *c, const struct resp_arg *key)
{
    c->commands->persist->dirty++;
    /* Under appendfsync always, reads of the key wait for this change. */
    dirty_keys_touched(c->commands, c->db->id, key->ptr, key->len);
}

static void reply_stream_id(struct client *c, const struct stream_id *id)
{
    char text[STREAM_ID_TEXT_BYTES];
    reply_bulk(c, text, stream_id_format(id, text));
}

/* Redis's string2ull: an integer without sign, or what strtoull takes
 * whole. */
static bool stream_parse_u64(const char *s, uint64_t *out)
{
    if (*s == '\0')
        return false;
    char *end = NULL;
    errno = 0;
    if (*s == '-') {
        /* string2ll accepts "-N": negative values are out of range. */
        return false;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE || errno == EINVAL || *end != '\0')
        return false;
    *out = v;
    return true;
}

/* Redis's streamGenericParseIDOrReply. seq_given non-NULL allows "ms-*". */
static bool stream_parse_id(const struct resp_arg *a, struct stream_id *id, uint64_t missing_seq,
                            bool strict, bool *seq_given)
{
    char buf[128];
    if (a->len > sizeof(buf) - 1)
        return false;
    memcpy(buf, a->ptr, a->len);
    buf[a->len] = '\0';
    if (strict && (buf[0] == '-' || buf[0] == '+') && buf[1] == '\0')
        return false;
    if (seq_given)
        *seq_given = true;
    if (buf[0] == '-' && buf[1] == '\0') {
        *id = (struct stream_id){0, 0};
        return true;
    }
    if (buf[0] == '+' && buf[1] == '\0') {
        *id = (struct stream_id){UINT64_MAX, UINT64_MAX};
        return true;
    }
    uint64_t ms, seq;
    char *dash = strchr(buf, '-');
    if (dash)
        *dash = '\0';
    if (!stream_parse_u64(buf, &ms))
        return false;
    if (dash) {
        if (seq_given && dash[1] == '*' && dash[2] == '\0') {
            seq = 0;
            *seq_given = false;
        } else if (!stream_parse_u64(dash + 1, &seq)) {
            return false;
        }
    } else {
        seq = missing_seq;
    }
    id->ms = ms;
    id->seq = seq;
    return true;
}

static bool stream_parse_id_or_reply(struct client *c, const struct resp_arg *a,
                                     struct stream_id *id, uint64_t missing_seq, bool strict,
                                     bool *seq_given)
{
    if (stream_parse_id(a, id, missing_seq, strict, seq_given))
        return true;
    reply_error(c, STREAM_ERR_ID);
    return false;
}

/* A range end: "(" makes it exclusive (strict parse of the rest). */
static bool stream_parse_interval(struct client *c, const struct resp_arg *a,
                                  struct stream_id *id, bool *exclusive, uint64_t missing_seq)
{
    *exclusive = a->len > 1 && a->ptr[0] == '(';
    if (*exclusive) {
        struct resp_arg rest = {.ptr = a->ptr + 1, .len = a->len - 1};
        return stream_parse_id_or_reply(c, &rest, id, missing_seq, true, NULL);
    }
    return stream_parse_id_or_reply(c, a, id, missing_seq, false, NULL);
}

static bool stream_lookup(struct client *c, int i, int flags, struct kv **kv)
{
    return typed_key_lookup(c, i, flags, KV_STREAM, kv);
}

/* Replies one entry as [id, [field, value, ...]] from an iterator. */
static void stream_reply_entry(struct client *c, struct stream_iter *it,
                               const struct stream_id *id, int64_t nfields)
{
    reply_array_len(c, 2);
    reply_stream_id(c, id);
    reply_array_len(c, nfields * 2);
    for (int64_t i = 0; i < nfields; i++) {
        struct stream_text f, v;
        stream_iter_field(it, &f, &v);
        reply_bulk(c, f.ptr, f.len);
        reply_bulk(c, v.ptr, v.len);
    }
}

/* Propagation helpers (Redis's streamPropagateXCLAIM / GroupID /
 * ConsumerCreation). */
static void stream_propagate_xclaim(struct client *c, const struct resp_arg *key,
                                    const struct stream_group *g, const struct stream_nack *nack)
{
    char id[STREAM_ID_TEXT_BYTES], last[STREAM_ID_TEXT_BYTES], when[24], count[24];
    size_t id_len = stream_id_format(&nack->id, id);
    size_t last_len = stream_id_format(&g->last_id, last);
    int when_len = snprintf(when, sizeof(when), "%lld", (long long)nack->delivery_time);
    int count_len = snprintf(count, sizeof(count), "%llu",
                             (unsigned long long)nack->delivery_count);
    struct aof_arg argv[] = {
        aof_arg_str("XCLAIM"), aof_arg_of(key), {g->name, g->name_len},
        {nack->consumer->name, nack->consumer->name_len}, aof_arg_str("0"), {id, id_len},
        aof_arg_str("TIME"), {when, (size_t)when_len}, aof_arg_str("RETRYCOUNT"),
        {count, (size_t)count_len}, aof_arg_str("FORCE"), aof_arg_str("JUSTID"),
        aof_arg_str("LASTID"), {last, last_len},
    };
    propagate_add(c->commands, c->db->id, 14, argv);
}

static void stream_propagate_group_id(struct client *c, const struct resp_arg *key,
                                      const struct stream_group *g)
{
    char last[STREAM_ID_TEXT_BYTES], read[24];
    size_t last_len = stream_id_format(&g->last_id, last);
    int read_len = snprintf(read, sizeof(read), "%lld", g->entries_read);
    struct aof_arg argv[] = {
        aof_arg_str("XGROUP"), aof_arg_str("SETID"), aof_arg_of(key), {g->name, g->name_len},
        {last, last_len}, aof_arg_str("ENTRIESREAD"), {read, (size_t)read_len},
    };
    propagate_add(c->commands, c->db->id, 7, argv);
}

static void stream_propagate_consumer_creation(struct client *c, const struct resp_arg *key,
                                               const struct stream_group *g,
                                               const struct stream_consumer *consumer)
{
    struct aof_arg argv[] = {
        aof_arg_str("XGROUP"), aof_arg_str("CREATECONSUMER"), aof_arg_of(key),
        {g->name, g->name_len}, {consumer->name, consumer->name_len},
    };
    propagate_add(c->commands, c->db->id, 5, argv);
}

/* Redis's streamReplyWithRange for XRANGE / XREAD / XREADGROUP: replies
 * the entries in [start, end] (end NULL: to the end), at most count (0: all).
 * With a group, advances its last ID and adds the entries to the PELs
 * (unless noack), logging XCLAIMs. Returns the number of entries. */
struct stream_read_group {
    struct stream_group *group;
    struct stream_consumer *consumer;
    const struct resp_arg *key;
    bool noack;
};

static size_t stream_reply_range(struct client *c, struct stream *s,
                                 const struct stream_id *start, const struct stream_id *end,
                                 size_t count, bool rev, const struct stream_read_group *rg)
{
    size_t handle = reply_defer_len(c);
    size_t n = 0;
    bool propagate_last_id = false;
    struct stream_iter it;
    struct stream_id id;
    int64_t nfields;
    stream_iter_start(&it, s, start, end, rev);
    while (stream_iter_next(&it, &id, &nfields)) {
        struct stream_group *g = rg ? rg->group : NULL;
        if (g && stream_id_cmp(&id, &g->last_id) > 0) {
            if (g->entries_read != STREAM_ENTRIES_READ_INVALID &&
                !stream_range_has_tombstones(s, &id, NULL))
                g->entries_read++;
            else if (s->entries_added)
                g->entries_read = stream_estimate_distance(s, &id);
            g->last_id = id;
            /* 7.0.15 logs the group's position only under NOACK: else
             * the XCLAIMs' LASTID carries it. */
            if (rg->noack)
                propagate_last_id = true;
        }
        stream_reply_entry(c, &it, &id, nfields);
        if (g && !rg->noack) {
            int64_t now = stream_now(c);
            struct stream_nack *nack = stream_idmap_find(&g->pel, &id);
            if (nack) {
                stream_nack_move(nack, rg->consumer);
                nack->delivery_time = now;
                nack->delivery_count = 1;
            } else {
                nack = stream_nack_add(g, rg->consumer, &id, now, 1);
            }
            stream_propagate_xclaim(c, rg->key, g, nack);
        }
        n++;
        if (count && n == count)
            break;
    }
    if (rg && propagate_last_id)
        stream_propagate_group_id(c, rg->key, rg->group);
    reply_set_defer_len(c, handle, (long long)n, '*');
    return n;
}

/* XREADGROUP with an ID other than ">": the consumer's own pending
 * entries from start on (streamReplyWithRangeFromConsumerPEL). */
static size_t stream_reply_consumer_pel(struct client *c, struct stream *s,
                                        const struct stream_id *start, size_t count,
                                        struct stream_consumer *consumer)
{
    size_t handle = reply_defer_len(c);
    size_t n = 0;
    for (struct stream_idmap_node *p = stream_idmap_seek(&consumer->pel, start);
         p && (!count || n < count); p = stream_idmap_next(p)) {
        const struct stream_id *id = stream_idmap_node_id(p);
        struct stream_iter it;
        struct stream_id got;
        int64_t nfields;
        stream_iter_start(&it, s, id, id, false);
        if (stream_iter_next(&it, &got, &nfields)) {
            stream_reply_entry(c, &it, &got, nfields);
            struct stream_nack *nack = stream_idmap_node_value(p);
            nack->delivery_time = stream_now(c);
            nack->delivery_count++;
        } else {
            reply_array_len(c, 2);
            reply_stream_id(c, id);
            reply_null_array(c);
        }
        n++;
    }
    reply_set_defer_len(c, handle, (long long)n, '*');
    return n;
}

/* ---- XADD, XTRIM ---- */

struct stream_add_args {
    struct stream_trim trim;
    int trim_arg; /* argv index of the MAXLEN / MINID value */
    bool approx_arg; /* the "~" precedes trim_arg */
    bool id_given, seq_given, nomkstream;
    struct stream_id id;
};

/* Redis's streamParseAddOrTrimArgsOrReply; returns the index of the ID
 * (XADD) or argc (XTRIM), -1 after an error reply. */
static int stream_parse_add_trim(struct client *c, struct stream_add_args *a, bool xadd)
{
    memset(a, 0, sizeof(*a));
    bool limit_given = false;
    int i = 2;
    for (; i < c->argc; i++) {
        int more = c->argc - 1 - i;
        const struct resp_arg *opt = &c->argv[i];
        if (xadd && opt->len == 1 && opt->ptr[0] == '*')
            break;
        bool maxlen = arg_equals(opt, "maxlen"), minid = arg_equals(opt, "minid");
        if ((maxlen || minid) && more) {
            if (a->trim.strategy != STREAM_TRIM_NONE) {
                reply_error(c, "ERR syntax error, MAXLEN and MINID options at the same time are "
                               "not compatible");
                return -1;
            }
            a->trim.approx = false;
            a->approx_arg = false;
            const struct resp_arg *next = &c->argv[i + 1];
            if (more >= 2 && next->len == 1 && next->ptr[0] == '~') {
                a->trim.approx = true;
                a->approx_arg = true;
                i++;
            } else if (more >= 2 && next->len == 1 && next->ptr[0] == '=') {
                i++;
            }
            if (maxlen) {
                long long v;
                if (!arg_get_ll(c, i + 1, &v, NULL))
                    return -1;
                if (v < 0) {
                    reply_error(c, "ERR The MAXLEN argument must be >= 0.");
                    return -1;
                }
                a->trim.maxlen = (uint64_t)v;
                a->trim.strategy = STREAM_TRIM_MAXLEN;
            } else {
                if (!stream_parse_id_or_reply(c, &c->argv[i + 1], &a->trim.minid, 0, true, NULL))
                    return -1;
                a->trim.strategy = STREAM_TRIM_MINID;
            }
            i++;
            a->trim_arg = i;
        } else if (arg_equals(opt, "limit") && more) {
            long long v;
            if (!arg_get_ll(c, i + 1, &v, NULL))
                return -1;
            if (v < 0) {
                reply_error(c, "ERR The LIMIT argument must be >= 0.");
                return -1;
            }
            a->trim.limit = v;
            limit_given = true;
            i++;
        } else if (xadd && arg_equals(opt, "nomkstream")) {
            a->nomkstream = true;
        } else if (xadd) {
            if (!stream_parse_id_or_reply(c, opt, &a->id, 0, true, &a->seq_given))
                return -1;
            a->id_given = true;
            break;
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    if (a->trim.limit && a->trim.strategy == STREAM_TRIM_NONE) {
        reply_error(c, "ERR syntax error, LIMIT cannot be used without specifying a trimming "
                       "strategy");
        return -1;
    }
    if (!xadd && a->trim.strategy == STREAM_TRIM_NONE) {
        reply_error(c, "ERR syntax error, XTRIM must be called with a trimming strategy");
        return -1;
    }
    if (client_must_obey(c)) {
        a->trim.limit = 0;
    } else if (limit_given) {
        if (!a->trim.approx) {
            reply_error(c, "ERR syntax error, LIMIT cannot be used without the special ~ option");
            return -1;
        }
    } else if (a->trim.approx) {
        long long entries = c->commands->keyspace->limits.stream_node_max_entries;
        /* Redis's default work bound for "~": 100 nodes' worth. */
        a->trim.limit = entries > 1000000 ? 1000000 : 100 * entries;
        if (a->trim.limit <= 0)
            a->trim.limit = 10000;
        if (a->trim.limit > 1000000)
            a->trim.limit = 1000000;
    } else {
        a->trim.limit = 0;
    }
    return i;
}

/* After an approximate trim the log gets "=" and the resulting bound, so a
 * replay trims exactly what this one did (streamRewriteApproxSpecifier /
 * streamRewriteTrimArgument). idx_id is the ID's index (-1 for XTRIM),
 * id_text its replacement (NULL: keep). */
static void stream_propagate_rewritten(struct client *c, const struct stream_add_args *a,
                                       struct stream *s, int idx_id, const char *id_text,
                                       size_t id_len)
{
    char bound[STREAM_ID_TEXT_BYTES];
    size_t bound_len = 0;
    if (a->trim.approx) {
        if (a->trim.strategy == STREAM_TRIM_MAXLEN)
            bound_len = (size_t)snprintf(bound, sizeof(bound), "%llu",
                                         (unsigned long long)s->length);
        else
            bound_len = stream_id_format(&s->first_id, bound);
    }
    struct aof_arg *argv = malloc(sizeof(*argv) * (size_t)c->argc);
    for (int i = 0; i < c->argc; i++)
        argv[i] = aof_arg_of(&c->argv[i]);
    if (a->trim.approx) {
        argv[a->trim_arg - 1] = aof_arg_str("=");
        argv[a->trim_arg] = (struct aof_arg){bound, bound_len};
    }
    if (idx_id >= 0 && id_text)
        argv[idx_id] = (struct aof_arg){id_text, id_len};
    propagate_as(c, c->argc, argv);
    free(argv);
}

/* XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id
 *      field value [field value ...] */
static void stream_xadd_command(struct client *c)
{
    struct stream_add_args a;
    int idpos = stream_parse_add_trim(c, &a, true);
    if (idpos < 0)
        return;
    int field_pos = idpos + 1;
    if (c->argc - field_pos < 2 || (c->argc - field_pos) % 2 == 1) {
        reply_error_arity(c);
        return;
    }
    if (a.id_given && a.seq_given && a.id.ms == 0 && a.id.seq == 0) {
        reply_error(c, "ERR The ID specified in XADD must be greater than 0-0");
        return;
    }
    struct kv *kv;
    if (!stream_lookup(c, 1, DB_LOOKUP_WRITE, &kv))
        return;
    bool created = false;
    if (!kv) {
        if (a.nomkstream) {
            reply_null(c);
            return;
        }
        kv = stream_kv_new(c->argv[1].ptr, c->argv[1].len, NULL);
        created = true;
    }
    struct stream *s = kv_object(kv);
    if (s->last_id.ms == UINT64_MAX && s->last_id.seq == UINT64_MAX) {
        reply_error(c, "ERR The stream has exhausted the last possible ID, unable to add more "
                       "items");
        goto fail;
    }
    struct stream_id id;
    if (!a.id_given) {
        /* ms from the clock unless it went backwards past the last ID. */
        uint64_t ms = (uint64_t)stream_now(c);
        if (ms > s->last_id.ms) {
            id = (struct stream_id){ms, 0};
        } else {
            id = s->last_id;
            stream_id_incr(&id);
        }
    } else if (!a.seq_given) {
        if (a.id.ms == s->last_id.ms) {
            if (s->last_id.seq == UINT64_MAX) {
                /* Redis's streamAppendItem fails with ERANGE here. */
                reply_error(c, "ERR Elements are too large to be stored");
                goto fail;
            }
            id = (struct stream_id){a.id.ms, s->last_id.seq + 1};
        } else if (a.id.ms > s->last_id.ms) {
            id = (struct stream_id){a.id.ms, 0};
        } else {
            reply_error(c, "ERR The ID specified in XADD is equal or smaller than the target "
                           "stream top item");
            goto fail;
        }
    } else {
        id = a.id;
        if (stream_id_cmp(&id, &s->last_id) <= 0) {
            reply_error(c, "ERR The ID specified in XADD is equal or smaller than the target "
                           "stream top item");
            goto fail;
        }
    }
    size_t nfields = (size_t)(c->argc - field_pos) / 2;
    size_t total = 0;
    for (int i = field_pos; i < c->argc; i++)
        total += c->argv[i].len;
    if (total > STREAM_NODE_BYTES_HARD_MAX) {
        reply_error(c, "ERR Elements are too large to be stored");
        goto fail;
    }
    struct stream_field *fv = malloc(sizeof(*fv) * nfields * 2);
    for (size_t i = 0; i < nfields * 2; i++)
        fv[i] = (struct stream_field){c->argv[field_pos + (int)i].ptr,
                                      c->argv[field_pos + (int)i].len};
    struct stream_limits lim = stream_limits_of(c);
    stream_append(s, &id, fv, nfields, &lim);
    free(fv);
    if (created)
        db_add(c->db, kv);
    reply_stream_id(c, &id);
    stream_touched(c, &c->argv[1]);
    stream_event(c, "xadd", &c->argv[1]);
    if (a.trim.strategy != STREAM_TRIM_NONE) {
        if (stream_trim(s, &a.trim))
            stream_event(c, "xtrim", &c->argv[1]);
    }
    char idtext[STREAM_ID_TEXT_BYTES];
    size_t idlen = stream_id_format(&id, idtext);
    bool rewrite_id = !a.id_given || !a.seq_given;
    if (a.trim.approx || rewrite_id)
        stream_propagate_rewritten(c, &a, s, idpos, rewrite_id ? idtext : NULL, idlen);
    return;
fail:
    if (created)
        kv_free(kv);
}

/* XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
static void stream_xtrim_command(struct client *c)
{
    struct kv *kv;
    if (!stream_lookup(c, 1, DB_LOOKUP_WRITE, &kv))
        return;
    struct stream_add_args a;
    if (stream_parse_add_trim(c, &a, false) < 0)
        return;
    if (!kv) {
        reply_integer(c, 0);
        return;
    }
    struct stream *s = kv_object(kv);
    int64_t deleted = stream_trim(s, &a.trim);
    if (deleted) {
        stream_touched(c, &c->argv[1]);
        stream_event(c, "xtrim", &c->argv[1]);
        if (a.trim.approx)
            stream_propagate_rewritten(c, &a, s, -1, NULL, 0);
    }
    reply_integer(c, deleted);
}

/* ---- XRANGE, XREVRANGE, XLEN, XDEL ---- */

static void stream_range_generic(struct client *c, bool rev)
{
    const struct resp_arg *startarg = rev ? &c->argv[3] : &c->argv[2];
    const struct resp_arg *endarg = rev ? &c->argv[2] : &c->argv[3];
    struct stream_id start, end;
    bool startex, endex;
    long long count = -1;
    if (!stream_parse_interval(c, startarg, &start, &startex, 0))
        return;
    if (startex && !stream_id_incr(&start)) {
        reply_error(c, "ERR invalid start ID for the interval");
        return;
    }
    if (!stream_parse_interval(c, endarg, &end, &endex, UINT64_MAX))
        return;
    if (endex && !stream_id_decr(&end)) {
        reply_error(c, "ERR invalid end ID for the interval");
        return;
    }
    for (int j = 4; j < c->argc; j++) {
        int additional = c->argc - j - 1;
        if (arg_equals(&c->argv[j], "count") && additional >= 1) {
            if (!arg_get_ll(c, j + 1, &count, NULL))
                return;
            if (count < 0)
                count = 0;
            j++;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    struct kv *kv;
    if (!stream_lookup(c, 1, DB_LOOKUP_READ, &kv))
        return;
    if (!kv) {
        reply_empty_array(c);
        return;
    }
    if (count == 0) {
        reply_null_array(c);
        return;
    }
    stream_reply_range(c, kv_object(kv), &start, &end, count == -1 ? 0 : (size_t)count, rev,
                       NULL);
}

static void stream_xrange_command(struct client *c)
{
    stream_range_generic(c, false);
}

static void stream_xrevrange_command(struct client *c)
{
    stream_range_generic(c, true);
}

static void stream_xlen_command(struct client *c)
{
    struct kv *kv;
    if (!stream_lookup(c, 1, DB_LOOKUP_READ, &kv))
        return;
    reply_integer(c, kv ? (long long)((struct stream *)kv_object(kv))->length : 0);
}

/* XDEL key id [id ...] */
static void stream_xdel_command(struct client *c)
{
    struct kv *kv;
    if (!stream_lookup(c, 1, DB_LOOKUP_WRITE, &kv))
        return;
    /* All IDs are checked before anything is deleted. */
    for (int j = 2; j < c->argc; j++) {
        struct stream_id id;
        if (!stream_parse_id_or_reply(c, &c->argv[j], &id, 0, true, NULL))
            return;
    }
    if (!kv) {
        reply_integer(c, 0);
        return;
    }
    struct stream *s = kv_object(kv);
    long long deleted = 0;
    bool first_deleted = false;
    for (int j = 2; j < c->argc; j++) {
        struct stream_id id;
        stream_parse_id(&c->argv[j], &id, 0, true, NULL);
        if (stream_delete(s, &id)) {
            if (stream_id_cmp(&id, &s->max_deleted_id) > 0)
                s->max_deleted_id = id;
            if (stream_id_cmp(&id, &s->first_id) == 0)
                first_deleted = true;
            deleted++;
        }
    }
    if (first_deleted)
        stream_update_first_id(s);
    if (deleted) {
        stream_touched(c, &c->argv[1]);
        stream_event(c, "xdel", &c->argv[1]);
    }
    reply_integer(c, deleted);
}

/* ---- XREAD, XREADGROUP ---- */

static bool stream_parse_block_timeout(struct client *c, int i, int64_t *deadline)
{
    long long ms;
    if (!arg_get_ll(c, i, &ms, "ERR timeout is not an integer or out of range"))
        return false;
    if (ms < 0) {
        reply_error(c, "ERR timeout is negative");
        return false;
    }
    if (ms > 0) {
        if (ms > LLONG_MAX - stream_now(c)) {
            reply_error(c, "ERR timeout is out of range");
            return false;
        }
        ms += stream_now(c);
    }
    *deadline = ms;
    return true;
}

static void stream_xread_generic(struct client *c, bool xreadgroup)
{
    long long count = 0;
    bool block = false, noack = false;
    int64_t deadline = 0;
    int streams_arg = 0, streams_count = 0;
    const struct resp_arg *groupname = NULL, *consumername = NULL;
    bool serving = c->blocked.serving;
    for (int i = 1; i < c->argc; i++) {
        int more = c->argc - i - 1;
        const struct resp_arg *o = &c->argv[i];
        if (arg_equals(o, "block") && more) {
            /* Refused at the option, before its value, with the command's
             * name as the script spelt it (Redis 7.0.15). */
            if (c->flags & CLIENT_SCRIPT) {
                reply_errorf(c, "ERR %.*s command is not allowed with BLOCK option from scripts",
                             (int)c->argv[0].len, c->argv[0].ptr);
                return;
            }
            i++;
            if (!stream_parse_block_timeout(c, i, &deadline))
                return;
            block = true;
        } else if (arg_equals(o, "count") && more) {
            i++;
            if (!arg_get_ll(c, i, &count, NULL))
                return;
            if (count < 0)
                count = 0;
        } else if (arg_equals(o, "streams") && more) {
            streams_arg = i + 1;
            streams_count = c->argc - streams_arg;
            if (streams_count % 2 != 0) {
                reply_errorf(c,
                             "ERR Unbalanced %s list of streams: for each stream key an ID or "
                             "'%c' must be specified.",
                             xreadgroup ? "XREADGROUP" : "XREAD", xreadgroup ? '>' : '$');
                return;
            }
            streams_count /= 2;
            break;
        } else if (arg_equals(o, "group") && more >= 2) {
            if (!xreadgroup) {
                reply_error(c, "ERR The GROUP option is only supported by XREADGROUP. You called "
                               "XREAD instead.");
                return;
            }
            groupname = &c->argv[i + 1];
            consumername = &c->argv[i + 2];
            i += 2;
        } else if (arg_equals(o, "noack")) {
            if (!xreadgroup) {
                reply_error(c, "ERR The NOACK option is only supported by XREADGROUP. You called "
                               "XREAD instead.");
                return;
            }
            noack = true;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    if (streams_arg == 0) {
        reply_error_syntax(c);
        return;
    }
    if (xreadgroup && groupname == NULL) {
        reply_error(c, "ERR Missing GROUP option for XREADGROUP");
        return;
    }

    struct stream_id *ids = malloc(sizeof(*ids) * (size_t)streams_count);
    struct stream_group **groups = calloc((size_t)streams_count, sizeof(*groups));
    /* Text of the resolved IDs of "$" arguments, for the blocked copy. */
    bool any_dollar = false;
    for (int k = 0; k < streams_count; k++) {
        int i = streams_arg + streams_count + k;
        const struct resp_arg *key = &c->argv[streams_arg + k];
        if (serving && blocking_skip_key(c, streams_arg + k))
            continue;
        struct kv *kv;
        if (serving) {
            kv = db_lookup(c->db, key->ptr, key->len, DB_LOOKUP_READ | DB_LOOKUP_NOTOUCH);
            if (!kv || kv->type != KV_STREAM) {
                if (xreadgroup)
                    reply_error(c, "UNBLOCKED the stream key no longer exists");
                else
                    blocking_block(c, BLOCKED_STREAM, streams_arg, streams_count, deadline);
                goto done;
            }
        } else if (!stream_lookup(c, streams_arg + k, DB_LOOKUP_READ, &kv)) {
            goto done;
        }
        struct stream *s = kv ? kv_object(kv) : NULL;
        if (groupname) {
            struct stream_group *g = s ? stream_group_find(s, groupname->ptr, groupname->len)
                                       : NULL;
            if (!g) {
                if (serving)
                    reply_error(c, "NOGROUP the consumer group this client was blocked on no "
                                   "longer exists");
                else
                    reply_errorf(c,
                                 "NOGROUP No such key '%.*s' or consumer group '%.*s' in "
                                 "XREADGROUP with GROUP option",
                                 (int)key->len, key->ptr, (int)groupname->len, groupname->ptr);
                goto done;
            }
            groups[k] = g;
        }
        const struct resp_arg *a = &c->argv[i];
        if (a->len == 1 && a->ptr[0] == '$') {
            if (xreadgroup) {
                reply_error(c, "ERR The $ ID is meaningless in the context of XREADGROUP: you "
                               "want to read the history of this consumer by specifying a proper "
                               "ID, or use the > ID to get new messages. The $ ID would just "
                               "return an empty result set.");
                goto done;
            }
            ids[k] = s ? s->last_id : (struct stream_id){0, 0};
            any_dollar = true;
            continue;
        }
        if (a->len == 1 && a->ptr[0] == '>') {
            if (!xreadgroup) {
                reply_error(c, "ERR The > ID can be specified only when calling XREADGROUP using "
                               "the GROUP <group> <consumer> option.");
                goto done;
            }
            ids[k] = (struct stream_id){UINT64_MAX, UINT64_MAX};
            continue;
        }
        if (!stream_parse_id_or_reply(c, a, &ids[k], 0, true, NULL))
            goto done;
    }

    size_t served = 0, handle = 0;
    bool ready_done = false; /* a wake-up serves its key once, even if named twice */
    for (int k = 0; k < streams_count && !ready_done; k++) {
        const struct resp_arg *key = &c->argv[streams_arg + k];
        if (serving && blocking_skip_key(c, streams_arg + k))
            continue;
        ready_done = serving;
        struct kv *kv = db_lookup(c->db, key->ptr, key->len, DB_LOOKUP_READ | DB_LOOKUP_NOTOUCH);
        if (!kv)
            continue;
        struct stream *s = kv_object(kv);
        struct stream_id gt = ids[k];
        bool serve = false, history = false;
        struct stream_consumer *consumer = NULL;
        if (groups[k]) {
            bool is_new = gt.ms == UINT64_MAX && gt.seq == UINT64_MAX;
            if (!is_new) {
                serve = true;
                history = true;
            } else if (s->length) {
                struct stream_id maxid;
                stream_edge_id(s, false, &maxid);
                if (stream_id_cmp(&maxid, &groups[k]->last_id) > 0) {
                    serve = true;
                    gt = groups[k]->last_id;
                }
            }
            if (serving && is_new) {
                gt = groups[k]->last_id;
                serve = stream_id_cmp(&s->last_id, &gt) > 0;
            }
        } else if (serving) {
            serve = stream_id_cmp(&s->last_id, &gt) > 0;
        } else if (s->length) {
            struct stream_id maxid;
            stream_edge_id(s, false, &maxid);
            serve = stream_id_cmp(&maxid, &gt) > 0;
        }
        if (!serve)
            continue;
        /* 7.0.15 creates the consumer only when it is served. */
        if (groups[k]) {
            consumer = stream_consumer_find(groups[k], consumername->ptr, consumername->len);
            if (!consumer) {
                consumer = stream_consumer_create(groups[k], consumername->ptr,
                                                  consumername->len, stream_now(c));
                /* Without NOACK the XCLAIMs create it on replay. */
                if (noack)
                    stream_propagate_consumer_creation(c, key, groups[k], consumer);
                stream_dirty(c, key);
                stream_event(c, "xgroup-createconsumer", key);
            }
            consumer->seen_time = stream_now(c);
        }
        if (served++ == 0)
            handle = reply_defer_len(c);
        if (c->resp == 2)
            reply_array_len(c, 2);
        reply_bulk(c, key->ptr, key->len);
        struct stream_id start = gt;
        stream_id_incr(&start);
        size_t n = (size_t)count;
        if (serving && n == 0)
            n = STREAM_BLOCKED_DEFAULT_COUNT;
        if (history) {
            stream_reply_consumer_pel(c, s, &start, n, consumer);
        } else {
            struct stream_read_group rg = {groups[k], consumer, key, noack};
            stream_reply_range(c, s, &start, NULL, n, false, groups[k] ? &rg : NULL);
        }
        if (groups[k])
            stream_dirty(c, key);
    }
    if (served) {
        reply_set_defer_len(c, handle, (long long)served, c->resp == 2 ? '*' : '%');
        if (xreadgroup)
            propagate_none(c);
        goto done;
    }
    if (xreadgroup)
        propagate_none(c);
    if (block && !(c->flags & CLIENT_DENY_BLOCKING)) {
        if (any_dollar && !serving) {
            /* The blocked copy waits for IDs after the ones "$" meant now. */
            char (*texts)[STREAM_ID_TEXT_BYTES] = malloc((size_t)streams_count *
                                                         STREAM_ID_TEXT_BYTES);
            struct resp_arg *saved = malloc(sizeof(*saved) * (size_t)streams_count);
            for (int k = 0; k < streams_count; k++) {
                struct resp_arg *a = &c->argv[streams_arg + streams_count + k];
                saved[k] = *a;
                if (a->len == 1 && a->ptr[0] == '$') {
                    a->len = stream_id_format(&ids[k], texts[k]);
                    a->ptr = texts[k];
                }
            }
            blocking_block(c, BLOCKED_STREAM, streams_arg, streams_count, deadline);
            for (int k = 0; k < streams_count; k++)
                c->argv[streams_arg + streams_count + k] = saved[k];
            free(saved);
            free(texts);
        } else {
            blocking_block(c, BLOCKED_STREAM, streams_arg, streams_count, deadline);
        }
        goto done;
    }
    reply_null_array(c);
done:
    free(ids);
    free(groups);
}

static void stream_xread_command(struct client *c)
{
    stream_xread_generic(c, false);
}

static void stream_xreadgroup_command(struct client *c)
{
    stream_xread_generic(c, true);
}

/* ---- XGROUP ---- */

/* The stream at argv[2] for an XGROUP subcommand: replies the missing-key
 * error and returns NULL when it does not exist. */
static struct kv *stream_xgroup_key(struct client *c, bool mkstream)
{
    struct kv *kv;
    if (!stream_lookup(c, 2, DB_LOOKUP_WRITE, &kv))
        return NULL;
    if (!kv && !mkstream) {
        reply_error(c, "ERR The XGROUP subcommand requires the key to exist. Note that for "
                       "CREATE you may want to use the MKSTREAM option to create an empty "
                       "stream automatically.");
        return NULL;
    }
    return kv;
}

static bool stream_nogroup(struct client *c, struct stream *s, const struct resp_arg *key,
                           const struct resp_arg *name, struct stream_group **g)
{
    *g = stream_group_find(s, name->ptr, name->len);
    if (*g)
        return true;
    reply_errorf(c, "NOGROUP No such consumer group '%.*s' for key name '%.*s'", (int)name->len,
                 name->ptr, (int)key->len, key->ptr);
    return false;
}

/* XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n] */
static void stream_xgroup_create_command(struct client *c)
{
    bool mkstream = false;
    long long entries_read = STREAM_ENTRIES_READ_INVALID;
    for (int i = 5; i < c->argc; i++) {
        if (arg_equals(&c->argv[i], "mkstream")) {
            mkstream = true;
        } else if (arg_equals(&c->argv[i], "entriesread") && i + 1 < c->argc) {
            if (!arg_get_ll(c, i + 1, &entries_read, NULL))
                return;
            if (entries_read < 0 && entries_read != STREAM_ENTRIES_READ_INVALID) {
                reply_error(c, "ERR value for ENTRIESREAD must be positive or -1");
                return;
            }
            i++;
        } else {
            reply_errorf(c,
                         "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try "
                         "XGROUP HELP.",
                         (int)c->argv[1].len, c->argv[1].ptr);
            return;
        }
    }
    struct kv *kv = stream_xgroup_key(c, mkstream);
    if (!kv && !mkstream)
        return;
    if (!kv && c->argc > 0) {
        /* typed_key_lookup replied WRONGTYPE already? */
        struct kv *probe = db_lookup(c->db, c->argv[2].ptr, c->argv[2].len,
                                     DB_LOOKUP_WRITE | DB_LOOKUP_NOTOUCH);
        if (probe)
            return;
    }
    struct stream_id id;
    const struct resp_arg *ida = &c->argv[4];
    bool dollar = ida->len == 1 && ida->ptr[0] == '$';
    if (!dollar && !stream_parse_id_or_reply(c, ida, &id, 0, true, NULL))
        return;
    bool created = false;
    if (!kv) {
        kv = stream_kv_new(c->argv[2].ptr, c->argv[2].len, NULL);
        created = true;
    }
    struct stream *s = kv_object(kv);
    if (dollar)
        id = s->last_id;
    if (stream_group_find(s, c->argv[3].ptr, c->argv[3].len)) {
        if (created)
            kv_free(kv);
        reply_error(c, "BUSYGROUP Consumer Group name already exists");
        return;
    }
    if (created) {
        db_add(c->db, kv);
        stream_touched(c, &c->argv[2]);
    }
    stream_group_create(s, c->argv[3].ptr, c->argv[3].len, &id, entries_read);
    reply_ok(c);
    stream_dirty(c, &c->argv[2]);
    stream_event(c, "xgroup-create", &c->argv[2]);
}

/* XGROUP SETID key group id|$ [ENTRIESREAD n] */
static void stream_xgroup_setid_command(struct client *c)
{
    long long entries_read = STREAM_ENTRIES_READ_INVALID;
    if ((c->argc != 5 && c->argc != 7) ||
        (c->argc == 7 && !arg_equals(&c->argv[5], "entriesread"))) {
        reply_errorf(c,
                     "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try XGROUP "
                     "HELP.",
                     (int)c->argv[1].len, c->argv[1].ptr);
        return;
    }
    if (c->argc == 7) {
        if (!arg_get_ll(c, 6, &entries_read, NULL))
            return;
        if (entries_read < 0 && entries_read != STREAM_ENTRIES_READ_INVALID) {
            reply_error(c, "ERR value for ENTRIESREAD must be positive or -1");
            return;
        }
    }
    struct kv *kv = stream_xgroup_key(c, false);
    if (!kv)
        return;
    struct stream *s = kv_object(kv);
    struct stream_group *g;
    if (!stream_nogroup(c, s, &c->argv[2], &c->argv[3], &g))
        return;
    struct stream_id id;
    const struct resp_arg *ida = &c->argv[4];
    if (ida->len == 1 && ida->ptr[0] == '$')
        id = s->last_id;
    else if (!stream_parse_id_or_reply(c, ida, &id, 0, false, NULL)) /* "-" and "+" too */
        return;
    g->last_id = id;
    g->entries_read = entries_read;
    reply_ok(c);
    stream_dirty(c, &c->argv[2]);
    stream_event(c, "xgroup-setid", &c->argv[2]);
}

static void stream_xgroup_destroy_command(struct client *c)
{
    struct kv *kv = stream_xgroup_key(c, false);
    if (!kv)
        return;
    struct stream *s = kv_object(kv);
    if (stream_group_destroy(s, c->argv[3].ptr, c->argv[3].len)) {
        reply_integer(c, 1);
        stream_dirty(c, &c->argv[2]);
        stream_event(c, "xgroup-destroy", &c->argv[2]);
        /* Clients blocked in XREADGROUP on it get -NOGROUP. */
        blocking_key_touched(c->commands, c->db, c->argv[2].ptr, c->argv[2].len);
    } else {
        reply_integer(c, 0);
    }
}

static void stream_xgroup_createconsumer_command(struct client *c)
{
    struct kv *kv = stream_xgroup_key(c, false);
    if (!kv)
        return;
    struct stream *s = kv_object(kv);
    struct stream_group *g;
    if (!stream_nogroup(c, s, &c->argv[2], &c->argv[3], &g))
        return;
    struct stream_consumer *consumer =
        stream_consumer_create(g, c->argv[4].ptr, c->argv[4].len, stream_now(c));
    reply_integer(c, consumer != NULL);
    if (consumer) {
        stream_dirty(c, &c->argv[2]);
        stream_event(c, "xgroup-createconsumer", &c->argv[2]);
    }
}

static void stream_xgroup_delconsumer_command(struct client *c)
{
    struct kv *kv = stream_xgroup_key(c, false);
    if (!kv)
        return;
    struct stream *s = kv_object(kv);
    struct stream_group *g;
    if (!stream_nogroup(c, s, &c->argv[2], &c->argv[3], &g))
        return;
    long long pending = stream_consumer_delete(g, c->argv[4].ptr, c->argv[4].len);
    if (pending < 0) {
        reply_integer(c, 0);
        return;
    }
    reply_integer(c, pending);
    stream_dirty(c, &c->argv[2]);
    stream_event(c, "xgroup-delconsumer", &c->argv[2]);
}

static void stream_xgroup_help_command(struct client *c)
{
    static const char *const lines[] = {
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        NULL,
    };
    reply_help(c, "XGROUP", lines);
}

/* ---- XACK, XPENDING, XCLAIM, XAUTOCLAIM ---- */

/* XACK key group id [id ...] */
static void stream_xack_command(struct client *c)
{
    struct kv *kv;
    if (!stream_lookup(c, 1, DB_LOOKUP_READ, &kv))
        return;
    struct stream_group *g = kv ? stream_group_find(kv_object(kv), c->argv[2].ptr,
                                                    c->argv[2].len)
                                : NULL;
    for (int j = 3; j < c->argc; j++) {
        struct stream_id id;
        if (!stream_parse_id_or_reply(c, &c->argv[j], &id, 0, false, NULL)) /* "-", "+" too */
            return;
    }
    if (!g) {
        reply_integer(c, 0);
        return;
    }
    long long acked = 0;
    for (int j = 3; j < c->argc; j++) {
        struct stream_id id;
        stream_parse_id(&c->argv[j], &id, 0, false, NULL);
        if (stream_nack_ack(g, &id))
            acked++;
    }
    if (acked)
        stream_dirty(c, &c->argv[1]);
    reply_integer(c, acked);
}

/* XPENDING key group [[IDLE min-idle] start end count [consumer]] */
static void stream_xpending_command(struct client *c)
{
    bool justinfo = c->argc == 3;
    const struct resp_arg *key = &c->argv[1], *groupname = &c->argv[2];
    const struct resp_arg *consumername = NULL;
    struct stream_id start = {0, 0}, end = {UINT64_MAX, UINT64_MAX};
    long long count = 0, minidle = 0;
    bool startex = false, endex = false;
    if (c->argc != 3 && (c->argc < 6 || c->argc > 9)) {
        reply_error_syntax(c);
        return;
    }
    if (c->argc >= 6) {
        int i = 3;
        if (arg_equals(&c->argv[i], "idle")) {
            if (!arg_get_ll(c, i + 1, &minidle, NULL))
                return;
            if (c->argc < 8) {
                reply_error_syntax(c);
                return;
            }
            i += 2;
        }
        if (!arg_get_ll(c, i + 2, &count, NULL))
            return;
        if (count < 0)
            count = 0;
        if (!stream_parse_interval(c, &c->argv[i], &start, &startex, 0))
            return;
        if (startex && !stream_id_incr(&start)) {
            reply_error(c, "ERR invalid start ID for the interval");
            return;
        }
        if (!stream_parse_interval(c, &c->argv[i + 1], &end, &endex, UINT64_MAX))
            return;
        if (endex && !stream_id_decr(&end)) {
            reply_error(c, "ERR invalid end ID for the interval");
            return;
        }
        if (i + 3 < c->argc)
            consumername = &c->argv[i + 3];
    }
    struct kv *kv;
    if (!stream_lookup(c, 1, DB_LOOKUP_READ, &kv))
        return;
    struct stream_group *g = kv ? stream_group_find(kv_object(kv), groupname->ptr,
                                                    groupname->len)
                                : NULL;
    if (!g) {
        reply_errorf(c, "NOGROUP No such key '%.*s' or consumer group '%.*s'", (int)key->len,
                     key->ptr, (int)groupname->len, groupname->ptr);
        return;
    }
    if (justinfo) {
        reply_array_len(c, 4);
        reply_integer(c, (long long)g->pel.count);
        if (g->pel.count == 0) {
            reply_null(c);
            reply_null(c);
            reply_null_array(c);
            return;
        }
        reply_stream_id(c, stream_idmap_node_id(stream_idmap_seek(&g->pel, NULL)));
        reply_stream_id(c, stream_idmap_node_id(stream_idmap_last(&g->pel)));
        size_t handle = reply_defer_len(c);
        long long n = 0;
        for (size_t i = 0; i < g->consumer_count; i++) {
            const struct stream_consumer *cons = g->consumers[i];
            if (cons->pel.count == 0)
                continue;
            reply_array_len(c, 2);
            reply_bulk(c, cons->name, cons->name_len);
            reply_bulk_ll(c, (long long)cons->pel.count);
            n++;
        }
        reply_set_defer_len(c, handle, n, '*');
        return;
    }
    struct stream_consumer *consumer =
        consumername ? stream_consumer_find(g, consumername->ptr, consumername->len) : NULL;
    const struct stream_idmap *pel = consumername ? (consumer ? &consumer->pel : NULL) : &g->pel;
    if (!pel || count == 0) {
        reply_empty_array(c);
        return;
    }
    int64_t now = stream_now(c);
    size_t handle = reply_defer_len(c);
    long long n = 0;
    for (struct stream_idmap_node *p = stream_idmap_seek(pel, &start); p && n < count;
         p = stream_idmap_next(p)) {
        const struct stream_id *id = stream_idmap_node_id(p);
        if (stream_id_cmp(id, &end) > 0)
            break;
        const struct stream_nack *nack = stream_idmap_node_value(p);
        int64_t idle = now - nack->delivery_time;
        if (idle < 0)
            idle = 0;
        if (minidle && idle < minidle)
            continue;
        reply_array_len(c, 4);
        reply_stream_id(c, id);
        reply_bulk(c, nack->consumer->name, nack->consumer->name_len);
        reply_integer(c, idle);
        reply_integer(c, (long long)nack->delivery_count);
        n++;
    }
    reply_set_defer_len(c, handle, n, '*');
}

/* The consumer named argv[3], created on first use (XCLAIM, XAUTOCLAIM). */
static struct stream_consumer *stream_claim_consumer(struct client *c, struct stream_group *g,
                                                     struct stream_consumer **consumer)
{
    if (*consumer)
        return *consumer;
    *consumer = stream_consumer_find(g, c->argv[3].ptr, c->argv[3].len);
    if (*consumer) {
        (*consumer)->seen_time = stream_now(c);
    } else {
        *consumer = stream_consumer_create(g, c->argv[3].ptr, c->argv[3].len, stream_now(c));
        stream_event(c, "xgroup-createconsumer", &c->argv[1]);
    }
    return *consumer;
}

/* Replies the entry id (it exists) as XRANGE would. */
static void stream_reply_one(struct client *c, struct stream *s, const struct stream_id *id)
{
    struct stream_iter it;
    struct stream_id got;
    int64_t nfields;
    stream_iter_start(&it, s, id, id, false);
    if (stream_iter_next(&it, &got, &nfields))
        stream_reply_entry(c, &it, &got, nfields);
    else
        reply_null_array(c);
}

/* XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms]
 *        [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id] */
static void stream_xclaim_command(struct client *c)
{
    struct kv *kv;
    if (!stream_lookup(c, 1, DB_LOOKUP_READ, &kv))
        return;
    struct stream *s = kv ? kv_object(kv) : NULL;
    struct stream_group *g = s ? stream_group_find(s, c->argv[2].ptr, c->argv[2].len) : NULL;
    if (!g) {
        reply_errorf(c, "NOGROUP No such key '%.*s' or consumer group '%.*s'",
                     (int)c->argv[1].len, c->argv[1].ptr, (int)c->argv[2].len, c->argv[2].ptr);
        return;
    }
    long long minidle;
    if (!arg_get_ll(c, 4, &minidle, "ERR Invalid min-idle-time argument for XCLAIM"))
        return;
    if (minidle < 0)
        minidle = 0;
    int j = 5;
    for (; j < c->argc; j++) {
        struct stream_id id;
        if (!stream_parse_id(&c->argv[j], &id, 0, true, NULL))
            break;
    }
    int last_id_arg = j - 1;
    int64_t now = stream_now(c);
    long long deliverytime = -1, retrycount = -1;
    bool force = false, justid = false, propagate_last_id = false;
    struct stream_id last_id = {0, 0};
    for (; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        const struct resp_arg *opt = &c->argv[j];
        if (arg_equals(opt, "force")) {
            force = true;
        } else if (arg_equals(opt, "justid")) {
            justid = true;
        } else if (arg_equals(opt, "idle") && more) {
            j++;
            if (!arg_get_ll(c, j, &deliverytime, "ERR Invalid IDLE option argument for XCLAIM"))
                return;
            deliverytime = now - deliverytime;
        } else if (arg_equals(opt, "time") && more) {
            j++;
            if (!arg_get_ll(c, j, &deliverytime, "ERR Invalid TIME option argument for XCLAIM"))
                return;
        } else if (arg_equals(opt, "retrycount") && more) {
            j++;
            if (!arg_get_ll(c, j, &retrycount,
                            "ERR Invalid RETRYCOUNT option argument for XCLAIM"))
                return;
        } else if (arg_equals(opt, "lastid") && more) {
            j++;
            if (!stream_parse_id_or_reply(c, &c->argv[j], &last_id, 0, true, NULL))
                return;
        } else {
            reply_errorf(c, "ERR Unrecognized XCLAIM option '%.*s'", (int)opt->len, opt->ptr);
            return;
        }
    }
    if (stream_id_cmp(&last_id, &g->last_id) > 0) {
        g->last_id = last_id;
        propagate_last_id = true;
    }
    if (deliverytime != -1) {
        if (deliverytime < 0 || deliverytime > now)
            deliverytime = now;
    } else {
        deliverytime = now;
    }
    struct stream_consumer *consumer = NULL;
    size_t handle = reply_defer_len(c);
    long long n = 0;
    bool changed = propagate_last_id;
    for (int i = 5; i <= last_id_arg; i++) {
        struct stream_id id;
        stream_parse_id(&c->argv[i], &id, 0, true, NULL);
        struct stream_nack *nack = stream_idmap_find(&g->pel, &id);
        if (!stream_entry_exists(s, &id)) {
            if (nack) {
                stream_propagate_xclaim(c, &c->argv[1], g, nack);
                propagate_last_id = false;
                stream_nack_ack(g, &id);
                changed = true;
            }
            continue;
        }
        bool forced = false;
        if (force && !nack) {
            nack = stream_nack_add(g, stream_claim_consumer(c, g, &consumer), &id, now, 1);
            forced = true;
        }
        if (!nack)
            continue;
        if (!forced && minidle && now - nack->delivery_time < minidle)
            continue;
        stream_nack_move(nack, stream_claim_consumer(c, g, &consumer));
        nack->delivery_time = deliverytime;
        if (retrycount >= 0)
            nack->delivery_count = (uint64_t)retrycount;
        else if (!justid)
            nack->delivery_count++;
        if (justid)
            reply_stream_id(c, &id);
        else
            stream_reply_one(c, s, &id);
        n++;
        stream_propagate_xclaim(c, &c->argv[1], g, nack);
        propagate_last_id = false;
        changed = true;
    }
    if (propagate_last_id)
        stream_propagate_group_id(c, &c->argv[1], g);
    reply_set_defer_len(c, handle, n, '*');
    propagate_none(c);
    if (changed || consumer)
        stream_dirty(c, &c->argv[1]);
}

/* XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
static void stream_xautoclaim_command(struct client *c)
{
    struct kv *kv;
    if (!stream_lookup(c, 1, DB_LOOKUP_READ, &kv))
        return;
    struct stream *s = kv ? kv_object(kv) : NULL;
    struct stream_group *g = s ? stream_group_find(s, c->argv[2].ptr, c->argv[2].len) : NULL;
    long long minidle, count = STREAM_AUTOCLAIM_COUNT_DEFAULT;
    bool justid = false;
    if (!arg_get_ll(c, 4, &minidle, "ERR Invalid min-idle-time argument for XAUTOCLAIM"))
        return;
    if (minidle < 0)
        minidle = 0;
    struct stream_id start;
    bool startex;
    if (!stream_parse_interval(c, &c->argv[5], &start, &startex, 0))
        return;
    if (startex && !stream_id_incr(&start)) {
        reply_error(c, "ERR invalid start ID for the interval");
        return;
    }
    for (int j = 6; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (arg_equals(&c->argv[j], "count") && more) {
            long long max = LLONG_MAX / 16;
            long long v;
            char *end = NULL;
            char buf[32];
            size_t len = c->argv[j + 1].len;
            if (len > sizeof(buf) - 1)
                len = sizeof(buf) - 1;
            memcpy(buf, c->argv[j + 1].ptr, len);
            buf[len] = '\0';
            errno = 0;
            v = strtoll(buf, &end, 10);
            if (len == 0 || len != c->argv[j + 1].len || *end != '\0' || errno == ERANGE ||
                v < 1 || v > max) {
                reply_error(c, "ERR COUNT must be > 0");
                return;
            }
            count = v;
            j++;
        } else if (arg_equals(&c->argv[j], "justid")) {
            justid = true;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    if (!g) {
        reply_errorf(c, "NOGROUP No such key '%.*s' or consumer group '%.*s'",
                     (int)c->argv[1].len, c->argv[1].ptr, (int)c->argv[2].len, c->argv[2].ptr);
        return;
    }
    /* Redis allocates COUNT IDs up front for the deleted-entries list and
     * fails when that allocation does; probe the same size so a huge
     * COUNT gets the same reply (the pages are never touched). */
    void *probe = (uint64_t)count > STREAM_AUTOCLAIM_PROBE_MAX ? NULL : malloc((size_t)count * 16);
    if (!probe) {
        reply_error(c, "ERR Insufficient memory, failed allocating transient memory, COUNT too "
                       "high.");
        return;
    }
    free(probe);
    int64_t now = stream_now(c);
    long long attempts = count * STREAM_AUTOCLAIM_ATTEMPTS_FACTOR;
    struct stream_consumer *consumer = NULL;
    struct stream_id *claimed = NULL, *deleted = NULL;
    size_t nclaimed = 0, ndeleted = 0, capc = 0, capd = 0;
    struct stream_idmap_node *p = stream_idmap_seek(&g->pel, &start);
    bool changed = false;
    while (attempts-- && count && p) {
        struct stream_id id = *stream_idmap_node_id(p);
        struct stream_nack *nack = stream_idmap_node_value(p);
        p = stream_idmap_next(p);
        if (!stream_entry_exists(s, &id)) {
            stream_propagate_xclaim(c, &c->argv[1], g, nack);
            if (ndeleted == capd) {
                capd = capd ? capd * 2 : 8;
                deleted = realloc(deleted, capd * sizeof(*deleted));
            }
            deleted[ndeleted++] = id;
            stream_nack_ack(g, &id);
            changed = true;
            count--; /* COUNT bounds the reply, deleted IDs included */
            continue;
        }
        if (minidle && now - nack->delivery_time < minidle)
            continue;
        stream_nack_move(nack, stream_claim_consumer(c, g, &consumer));
        nack->delivery_time = now;
        if (!justid)
            nack->delivery_count++;
        if (nclaimed == capc) {
            capc = capc ? capc * 2 : 8;
            claimed = realloc(claimed, capc * sizeof(*claimed));
        }
        claimed[nclaimed++] = id;
        count--;
        changed = true;
        stream_propagate_xclaim(c, &c->argv[1], g, nack);
    }
    struct stream_id next = {0, 0};
    if (p)
        next = *stream_idmap_node_id(p);
    reply_array_len(c, 3);
    reply_stream_id(c, &next);
    reply_array_len(c, (long long)nclaimed);
    for (size_t i = 0; i < nclaimed; i++) {
        if (justid)
            reply_stream_id(c, &claimed[i]);
        else
            stream_reply_one(c, s, &claimed[i]);
    }
    reply_array_len(c, (long long)ndeleted);
    for (size_t i = 0; i < ndeleted; i++)
        reply_stream_id(c, &deleted[i]);
    free(claimed);
    free(deleted);
    propagate_none(c);
    if (changed || consumer)
        stream_dirty(c, &c->argv[1]);
}

/* ---- XSETID ---- */

/* XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id] */
static void stream_xsetid_command(struct client *c)
{
    struct stream_id id, max_xdel = {0, 0};
    long long entries_added = -1;
    if (!stream_parse_id_or_reply(c, &c->argv[2], &id, 0, true, NULL))
        return;
    int i = 3;
    while (i < c->argc) {
        int more = c->argc - 1 - i;
        if (arg_equals(&c->argv[i], "entriesadded") && more) {
            if (!arg_get_ll(c, i + 1, &entries_added, NULL))
                return;
            if (entries_added < 0) {
                reply_error(c, "ERR entries_added must be positive");
                return;
            }
            i += 2;
        } else if (arg_equals(&c->argv[i], "maxdeletedid") && more) {
            if (!stream_parse_id_or_reply(c, &c->argv[i + 1], &max_xdel, 0, true, NULL))
                return;
            if (stream_id_cmp(&id, &max_xdel) < 0) {
                reply_error(c, "ERR The ID specified in XSETID is smaller than the provided "
                               "max_deleted_entry_id");
                return;
            }
            i += 2;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    struct kv *kv;
    if (!stream_lookup(c, 1, DB_LOOKUP_WRITE, &kv))
        return;
    if (!kv) {
        reply_error(c, "ERR no such key");
        return;
    }
    struct stream *s = kv_object(kv);
    if (s->length > 0) {
        struct stream_id maxid;
        stream_edge_id(s, false, &maxid);
        if (stream_id_cmp(&id, &maxid) < 0) {
            reply_error(c, "ERR The ID specified in XSETID is smaller than the target stream "
                           "top item");
            return;
        }
        if (entries_added != -1 && s->length > (uint64_t)entries_added) {
            reply_error(c, "ERR The entries_added specified in XSETID is smaller than the "
                           "target stream length");
            return;
        }
    }
    s->last_id = id;
    if (entries_added != -1)
        s->entries_added = (uint64_t)entries_added;
    if (!stream_id_is_zero(&max_xdel))
        s->max_deleted_id = max_xdel;
    reply_ok(c);
    stream_touched(c, &c->argv[1]);
    stream_event(c, "xsetid", &c->argv[1]);
}

/* ---- XINFO ---- */

static void stream_reply_status_pair(struct client *c, const char *name)
{
    reply_bulk_cstr(c, name);
}

static void stream_xinfo_consumers_command(struct client *c)
{
    struct kv *kv;
    if (!stream_lookup(c, 2, DB_LOOKUP_READ, &kv))
        return;
    if (!kv) {
        reply_error(c, "ERR no such key");
        return;
    }
    struct stream *s = kv_object(kv);
    struct stream_group *g = stream_group_find(s, c->argv[3].ptr, c->argv[3].len);
    if (!g) {
        reply_errorf(c, "NOGROUP No such consumer group '%.*s' for key name '%.*s'",
                     (int)c->argv[3].len, c->argv[3].ptr, (int)c->argv[2].len, c->argv[2].ptr);
        return;
    }
    int64_t now = stream_now(c);
    reply_array_len(c, (long long)g->consumer_count);
    for (size_t i = 0; i < g->consumer_count; i++) {
        const struct stream_consumer *cons = g->consumers[i];
        int64_t idle = now - cons->seen_time;
        if (idle < 0)
            idle = 0;
        reply_map_len(c, 3);
        stream_reply_status_pair(c, "name");
        reply_bulk(c, cons->name, cons->name_len);
        stream_reply_status_pair(c, "pending");
        reply_integer(c, (long long)cons->pel.count);
        stream_reply_status_pair(c, "idle");
        reply_integer(c, idle);
    }
}

static void stream_reply_lag(struct client *c, const struct stream *s,
                             const struct stream_group *g)
{
    long long lag;
    if (stream_group_lag(s, g, &lag))
        reply_integer(c, lag);
    else
        reply_null(c);
}

static void stream_xinfo_groups_command(struct client *c)
{
    struct kv *kv;
    if (!stream_lookup(c, 2, DB_LOOKUP_READ, &kv))
        return;
    if (!kv) {
        reply_error(c, "ERR no such key");
        return;
    }
    struct stream *s = kv_object(kv);
    reply_array_len(c, (long long)s->group_count);
    for (size_t i = 0; i < s->group_count; i++) {
        const struct stream_group *g = s->groups[i];
        reply_map_len(c, 6);
        stream_reply_status_pair(c, "name");
        reply_bulk(c, g->name, g->name_len);
        stream_reply_status_pair(c, "consumers");
        reply_integer(c, (long long)g->consumer_count);
        stream_reply_status_pair(c, "pending");
        reply_integer(c, (long long)g->pel.count);
        stream_reply_status_pair(c, "last-delivered-id");
        reply_stream_id(c, &g->last_id);
        stream_reply_status_pair(c, "entries-read");
        if (g->entries_read != STREAM_ENTRIES_READ_INVALID)
            reply_integer(c, g->entries_read);
        else
            reply_null(c);
        stream_reply_status_pair(c, "lag");
        stream_reply_lag(c, s, g);
    }
}

/* Nodes of the rax Redis would hold for keys[lo..hi) (sorted, 16 bytes
 * each, equal in their first d bytes): a compressed node for a common run
 * of bytes, a branching node where they diverge, a leaf per key. */
static long long stream_rax_nodes(const unsigned char (*keys)[16], size_t lo, size_t hi, int d)
{
    if (d == 16)
        return 1; /* the key's leaf */
    int common = 0;
    while (d + common < 16 && keys[lo][d + common] == keys[hi - 1][d + common])
        common++;
    if (common > 0)
        return 1 + stream_rax_nodes(keys, lo, hi, d + common);
    long long n = 1; /* a branching node */
    for (size_t i = lo; i < hi;) {
        size_t j = i + 1;
        while (j < hi && keys[j][d] == keys[i][d])
            j++;
        n += stream_rax_nodes(keys, i, j, d + 1);
        i = j;
    }
    return n;
}

/* XINFO STREAM's radix-tree-nodes: what Redis's rax of the node keys
 * counts (its nodes are its own; ours is an array). */
static long long stream_radix_nodes(const struct stream *s)
{
    if (s->node_count == 0)
        return 1;
    unsigned char (*keys)[16] = malloc(s->node_count * 16);
    for (size_t i = 0; i < s->node_count; i++)
        stream_id_encode(&s->nodes[i].master, keys[i]);
    long long n = stream_rax_nodes((const unsigned char (*)[16])keys, 0, s->node_count, 0);
    free(keys);
    return n;
}

static void stream_xinfo_stream_command(struct client *c)
{
    bool full = false;
    long long count = 10;
    if (c->argc > 3) {
        if (!arg_equals(&c->argv[3], "full") || (c->argc != 4 && c->argc != 6) ||
            (c->argc == 6 && !arg_equals(&c->argv[4], "count"))) {
            reply_errorf(c,
                         "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try "
                         "XINFO HELP.",
                         (int)c->argv[1].len, c->argv[1].ptr);
            return;
        }
        full = true;
        if (c->argc == 6) {
            if (!arg_get_ll(c, 5, &count, NULL))
                return;
            if (count < 0)
                count = 10;
        }
    }
    struct kv *kv;
    if (!stream_lookup(c, 2, DB_LOOKUP_READ, &kv))
        return;
    if (!kv) {
        reply_error(c, "ERR no such key");
        return;
    }
    struct stream *s = kv_object(kv);
    reply_map_len(c, full ? 9 : 10);
    stream_reply_status_pair(c, "length");
    reply_integer(c, (long long)s->length);
    stream_reply_status_pair(c, "radix-tree-keys");
    reply_integer(c, (long long)s->node_count);
    stream_reply_status_pair(c, "radix-tree-nodes");
    reply_integer(c, stream_radix_nodes(s));
    stream_reply_status_pair(c, "last-generated-id");
    reply_stream_id(c, &s->last_id);
    stream_reply_status_pair(c, "max-deleted-entry-id");
    reply_stream_id(c, &s->max_deleted_id);
    stream_reply_status_pair(c, "entries-added");
    reply_integer(c, (long long)s->entries_added);
    stream_reply_status_pair(c, "recorded-first-entry-id");
    reply_stream_id(c, &s->first_id);
    if (!full) {
        stream_reply_status_pair(c, "groups");
        reply_integer(c, (long long)s->group_count);
        struct stream_id edge;
        for (int k = 0; k < 2; k++) {
            stream_reply_status_pair(c, k == 0 ? "first-entry" : "last-entry");
            struct stream_iter it;
            struct stream_id id;
            int64_t nfields;
            stream_iter_start(&it, s, NULL, NULL, k == 1);
            if (stream_iter_next(&it, &id, &nfields))
                stream_reply_entry(c, &it, &id, nfields);
            else
                reply_null(c);
        }
        (void)edge;
        return;
    }
    int64_t now = stream_now(c);
    stream_reply_status_pair(c, "entries");
    {
        struct stream_id start = {0, 0};
        stream_reply_range(c, s, &start, NULL, (size_t)count, false, NULL);
    }
    stream_reply_status_pair(c, "groups");
    reply_array_len(c, (long long)s->group_count);
    for (size_t i = 0; i < s->group_count; i++) {
        const struct stream_group *g = s->groups[i];
        reply_map_len(c, 7);
        stream_reply_status_pair(c, "name");
        reply_bulk(c, g->name, g->name_len);
        stream_reply_status_pair(c, "last-delivered-id");
        reply_stream_id(c, &g->last_id);
        stream_reply_status_pair(c, "entries-read");
        if (g->entries_read != STREAM_ENTRIES_READ_INVALID)
            reply_integer(c, g->entries_read);
        else
            reply_null(c);
        stream_reply_status_pair(c, "lag");
        stream_reply_lag(c, s, g);
        stream_reply_status_pair(c, "pel-count");
        reply_integer(c, (long long)g->pel.count);
        stream_reply_status_pair(c, "pending");
        long long n = 0;
        size_t handle = reply_defer_len(c);
        for (struct stream_idmap_node *p = stream_idmap_seek(&g->pel, NULL);
             p && (count == 0 || n < count); p = stream_idmap_next(p)) {
            const struct stream_nack *nack = stream_idmap_node_value(p);
            reply_array_len(c, 4);
            reply_stream_id(c, &nack->id);
            reply_bulk(c, nack->consumer->name, nack->consumer->name_len);
            reply_integer(c, nack->delivery_time);
            reply_integer(c, (long long)nack->delivery_count);
            n++;
        }
        reply_set_defer_len(c, handle, n, '*');
        stream_reply_status_pair(c, "consumers");
        reply_array_len(c, (long long)g->consumer_count);
        for (size_t j = 0; j < g->consumer_count; j++) {
            const struct stream_consumer *cons = g->consumers[j];
            reply_map_len(c, 4);
            stream_reply_status_pair(c, "name");
            reply_bulk(c, cons->name, cons->name_len);
            stream_reply_status_pair(c, "seen-time");
            reply_integer(c, cons->seen_time);
            stream_reply_status_pair(c, "pel-count");
            reply_integer(c, (long long)cons->pel.count);
            stream_reply_status_pair(c, "pending");
            long long m = 0;
            size_t h2 = reply_defer_len(c);
            for (struct stream_idmap_node *p = stream_idmap_seek(&cons->pel, NULL);
                 p && (count == 0 || m < count); p = stream_idmap_next(p)) {
                const struct stream_nack *nack = stream_idmap_node_value(p);
                reply_array_len(c, 3);
                reply_stream_id(c, &nack->id);
                reply_integer(c, nack->delivery_time);
                reply_integer(c, (long long)nack->delivery_count);
                m++;
            }
            reply_set_defer_len(c, h2, m, '*');
        }
    }
    (void)now;
}

static void stream_xinfo_help_command(struct client *c)
{
    static const char *const lines[] = {
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        NULL,
    };
    reply_help(c, "XINFO", lines);
}

/* ---- The table (COMMAND INFO / DOCS as redis-server 7.0.15 reports them) ---- */

static struct command stream_xgroup_subcommands[] = {
    {.name = "create", .proc = stream_xgroup_create_command, .arity = -5,
         .flags = CMD_WRITE | CMD_DENYOOM,
        .acl = ACL_WRITE | ACL_STREAM | ACL_SLOW, .first_key = 2, .last_key = 2, .key_step = 1,
        .key_specs = "RW insert/i2/r0,1,0",
        .summary = "Create a consumer group.",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(1)",
        .history = (const struct command_history[]){
            {"7.0.0", "Added the `entries_read` named argument."},
            {0}},
        .arguments = "key^k#0 groupname^s id^o(id^s new_id^t='$') mkstream^t='MKSTREAM'? "
                     "entries_read^i='ENTRIESREAD'?"},
    {.name = "createconsumer", .proc = stream_xgroup_createconsumer_command, .arity = 5,
         .flags = CMD_WRITE | CMD_DENYOOM,
        .acl = ACL_WRITE | ACL_STREAM | ACL_SLOW, .first_key = 2, .last_key = 2, .key_step = 1,
        .key_specs = "RW insert/i2/r0,1,0",
        .summary = "Create a consumer in a consumer group.",
        .since = "6.2.0", .group = "stream",
        .complexity = "O(1)",
        .arguments = "key^k#0 groupname^s consumername^s"},
    {.name = "delconsumer", .proc = stream_xgroup_delconsumer_command, .arity = 5,
         .flags = CMD_WRITE,
        .acl = ACL_WRITE | ACL_STREAM | ACL_SLOW, .first_key = 2, .last_key = 2, .key_step = 1,
        .key_specs = "RW delete/i2/r0,1,0",
        .summary = "Delete a consumer from a consumer group.",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(1)",
        .arguments = "key^k#0 groupname^s consumername^s"},
    {.name = "destroy", .proc = stream_xgroup_destroy_command, .arity = 4, .flags = CMD_WRITE,
        .acl = ACL_WRITE | ACL_STREAM | ACL_SLOW, .first_key = 2, .last_key = 2, .key_step = 1,
        .key_specs = "RW delete/i2/r0,1,0",
        .summary = "Destroy a consumer group.",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(N) where N is the number of entries in the group's pending entries list "
                      "(PEL).",
        .arguments = "key^k#0 groupname^s"},
    {.name = "help", .proc = stream_xgroup_help_command, .arity = 2,
         .flags = CMD_LOADING | CMD_STALE,
        .acl = ACL_STREAM | ACL_SLOW, .first_key = 0, .last_key = 0, .key_step = 0,
        .summary = "Show helpful text about the different subcommands",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(1)"},
    {.name = "setid", .proc = stream_xgroup_setid_command, .arity = -5, .flags = CMD_WRITE,
        .acl = ACL_WRITE | ACL_STREAM | ACL_SLOW, .first_key = 2, .last_key = 2, .key_step = 1,
        .key_specs = "RW update/i2/r0,1,0",
        .summary = "Set a consumer group to an arbitrary last delivered ID value.",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(1)",
        .history = (const struct command_history[]){
            {"7.0.0", "Added the optional `entries_read` argument."},
            {0}},
        .arguments = "key^k#0 groupname^s id^o(id^s new_id^t='$') entries_read^i='ENTRIESREAD'?"},
    {0},
};

static struct command stream_xinfo_subcommands[] = {
    {.name = "consumers", .proc = stream_xinfo_consumers_command, .arity = 4, .flags = CMD_READONLY,
        .acl = ACL_READ | ACL_STREAM | ACL_SLOW, .first_key = 2, .last_key = 2, .key_step = 1,
        .tips = "nondeterministic_output",
        .key_specs = "RO access/i2/r0,1,0",
        .summary = "List the consumers in a consumer group",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(1)",
        .arguments = "key^k#0 groupname^s"},
    {.name = "groups", .proc = stream_xinfo_groups_command, .arity = 3, .flags = CMD_READONLY,
        .acl = ACL_READ | ACL_STREAM | ACL_SLOW, .first_key = 2, .last_key = 2, .key_step = 1,
        .key_specs = "RO access/i2/r0,1,0",
        .summary = "List the consumer groups of a stream",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(1)",
        .history = (const struct command_history[]){
            {"7.0.0", "Added the `entries-read` and `lag` fields"},
            {0}},
        .arguments = "key^k#0"},
    {.name = "help", .proc = stream_xinfo_help_command, .arity = 2,
         .flags = CMD_LOADING | CMD_STALE,
        .acl = ACL_STREAM | ACL_SLOW, .first_key = 0, .last_key = 0, .key_step = 0,
        .summary = "Show helpful text about the different subcommands",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(1)"},
    {.name = "stream", .proc = stream_xinfo_stream_command, .arity = -3, .flags = CMD_READONLY,
        .acl = ACL_READ | ACL_STREAM | ACL_SLOW, .first_key = 2, .last_key = 2, .key_step = 1,
        .key_specs = "RO access/i2/r0,1,0",
        .summary = "Get information about a stream",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(1)",
        .history = (const struct command_history[]){
            {"6.0.0", "Added the `FULL` modifier."},
            {"7.0.0", "Added the `max-deleted-entry-id`, `entries-added`, "
                      "`recorded-first-entry-id`, `entries-read` and `lag` fields"},
            {0}},
        .arguments = "key^k#0 full^b='FULL'?(count^i='COUNT'?)"},
    {0},
};

struct command stream_commands[] = {
    {.name = "xadd", .proc = stream_xadd_command, .arity = -5,
         .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
        .acl = ACL_WRITE | ACL_STREAM | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
        .tips = "nondeterministic_output",
        .key_specs = "RW update/i1/r0,1,0",
        .key_spec_notes = {"UPDATE instead of INSERT because of the optional trimming feature"},
        .summary = "Appends a new entry to a stream",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(1) when adding a new entry, O(N) when trimming where N being the number "
                      "of entries evicted.",
        .history = (const struct command_history[]){
            {"6.2.0", "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the "
                      "`LIMIT` option."},
            {"7.0.0", "Added support for the `<ms>-*` explicit ID form."},
            {0}},
        .arguments = "key^k#0 nomkstream^t='NOMKSTREAM'@6.2.0? "
                     "trim^b?(strategy^o(maxlen^t='MAXLEN' minid^t='MINID'@6.2.0) "
                     "operator^o?(equal^t='=' approximately^t='~') threshold^s "
                     "count^i='LIMIT'@6.2.0?) id_or_auto^o(auto_id^t='*' id^s) "
                     "field_value^b*(field^s value^s)"},
    {.name = "xrange", .proc = stream_xrange_command, .arity = -4, .flags = CMD_READONLY,
        .acl = ACL_READ | ACL_STREAM | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
        .key_specs = "RO access/i1/r0,1,0",
        .summary = "Return a range of elements in a stream, with IDs matching the specified IDs "
                   "interval",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(N) with N being the number of elements being returned. If N is constant "
                      "(e.g. always asking for the first 10 elements with COUNT), you can "
                      "consider it O(1).",
        .history = (const struct command_history[]){
            {"6.2.0", "Added exclusive ranges."},
            {0}},
        .arguments = "key^k#0 start^s end^s count^i='COUNT'?"},
    {.name = "xrevrange", .proc = stream_xrevrange_command, .arity = -4, .flags = CMD_READONLY,
        .acl = ACL_READ | ACL_STREAM | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
        .key_specs = "RO access/i1/r0,1,0",
        .summary = "Return a range of elements in a stream, with IDs matching the specified IDs "
                   "interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(N) with N being the number of elements returned. If N is constant (e.g. "
                      "always asking for the first 10 elements with COUNT), you can consider it "
                      "O(1).",
        .history = (const struct command_history[]){
            {"6.2.0", "Added exclusive ranges."},
            {0}},
        .arguments = "key^k#0 end^s start^s count^i='COUNT'?"},
    {.name = "xlen", .proc = stream_xlen_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST,
        .acl = ACL_READ | ACL_STREAM | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
        .key_specs = "RO/i1/r0,1,0",
        .summary = "Return the number of entries in a stream",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(1)",
        .arguments = "key^k#0"},
    {.name = "xdel", .proc = stream_xdel_command, .arity = -3, .flags = CMD_WRITE | CMD_FAST,
        .acl = ACL_WRITE | ACL_STREAM | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
        .key_specs = "RW delete/i1/r0,1,0",
        .summary = "Removes the specified entries from the stream. Returns the number of items "
                   "actually deleted, that may be different from the number of IDs passed in "
                   "case certain IDs do not exist.",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(1) for each single item to delete in the stream, regardless of the "
                      "stream size.",
        .arguments = "key^k#0 id^s*"},
    {.name = "xtrim", .proc = stream_xtrim_command, .arity = -4, .flags = CMD_WRITE,
        .acl = ACL_WRITE | ACL_STREAM | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
        .tips = "nondeterministic_output",
        .key_specs = "RW delete/i1/r0,1,0",
        .summary = "Trims the stream to (approximately if '~' is passed) a certain size",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(N), with N being the number of evicted entries. Constant times are very "
                      "small however, since entries are organized in macro nodes containing "
                      "multiple entries that can be released with a single deallocation.",
        .history = (const struct command_history[]){
            {"6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option."},
            {0}},
        .arguments = "key^k#0 trim^b(strategy^o(maxlen^t='MAXLEN' minid^t='MINID'@6.2.0) "
                     "operator^o?(equal^t='=' approximately^t='~') threshold^s "
                     "count^i='LIMIT'@6.2.0?)"},
    {.name = "xread", .proc = stream_xread_command, .arity = -4,
         .flags = CMD_READONLY | CMD_BLOCKING,
        .acl = ACL_READ | ACL_STREAM | ACL_SLOW | ACL_BLOCKING,
        .first_key = 0, .last_key = 0, .key_step = 0,
        .key_specs = "RO access/kSTREAMS,1/r-1,1,2",
        .summary = "Return never seen elements in multiple streams, with IDs greater than the "
                   "ones reported by the caller for each stream. Can block.",
        .since = "5.0.0", .group = "stream",
        .complexity = "For each stream mentioned: O(N) with N being the number of elements being "
                      "returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that "
                      "when the BLOCK option is used, XADD will pay O(M) time in order to serve "
                      "the M clients blocked on the stream getting new data.",
        .arguments = "count^i='COUNT'? milliseconds^i='BLOCK'? streams^b='STREAMS'(key^k#0* "
                     "id^s*)"},
    {.name = "xreadgroup", .proc = stream_xreadgroup_command, .arity = -7,
         .flags = CMD_WRITE | CMD_BLOCKING,
        .acl = ACL_WRITE | ACL_STREAM | ACL_SLOW | ACL_BLOCKING,
        .first_key = 0, .last_key = 0, .key_step = 0,
        .key_specs = "RO access/kSTREAMS,4/r-1,1,2",
        .summary = "Return new entries from a stream using a consumer group, or access the "
                   "history of the pending entries for a given consumer. Can block.",
        .since = "5.0.0", .group = "stream",
        .complexity = "For each stream mentioned: O(M) with M being the number of elements "
                      "returned. If M is constant (e.g. always asking for the first 10 elements "
                      "with COUNT), you can consider it O(1). On the other side when XREADGROUP "
                      "blocks, XADD will pay the O(N) time in order to serve the N clients "
                      "blocked on the stream getting new data.",
        .arguments = "group_consumer^b='GROUP'(group^s consumer^s) count^i='COUNT'? "
                     "milliseconds^i='BLOCK'? noack^t='NOACK'? streams^b='STREAMS'(key^k#0* "
                     "id^s*)"},
    {.name = "xack", .proc = stream_xack_command, .arity = -4, .flags = CMD_WRITE | CMD_FAST,
        .acl = ACL_WRITE | ACL_STREAM | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
        .key_specs = "RW update/i1/r0,1,0",
        .summary = "Marks a pending message as correctly processed, effectively removing it from "
                   "the pending entries list of the consumer group. Return value of the command "
                   "is the number of messages successfully acknowledged, that is, the IDs we "
                   "were actually able to resolve in the PEL.",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(1) for each message ID processed.",
        .arguments = "key^k#0 group^s id^s*"},
    {.name = "xpending", .proc = stream_xpending_command, .arity = -3, .flags = CMD_READONLY,
        .acl = ACL_READ | ACL_STREAM | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
        .tips = "nondeterministic_output",
        .key_specs = "RO access/i1/r0,1,0",
        .summary = "Return information and entries from a stream consumer group pending entries "
                   "list, that are messages fetched but never acknowledged.",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(N) with N being the number of elements returned, so asking for a small "
                      "fixed number of entries per call is O(1). O(M), where M is the total "
                      "number of entries scanned when used with the IDLE filter. When the "
                      "command returns just the summary and the list of consumers is small, it "
                      "runs in O(1) time; otherwise, an additional O(N) time for iterating every "
                      "consumer.",
        .history = (const struct command_history[]){
            {"6.2.0", "Added the `IDLE` option and exclusive range intervals."},
            {0}},
        .arguments = "key^k#0 group^s filters^b?(min-idle-time^i='IDLE'@6.2.0? start^s end^s "
                     "count^i consumer^s?)"},
    {.name = "xclaim", .proc = stream_xclaim_command, .arity = -6, .flags = CMD_WRITE | CMD_FAST,
        .acl = ACL_WRITE | ACL_STREAM | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
        .tips = "nondeterministic_output",
        .key_specs = "RW update/i1/r0,1,0",
        .summary = "Changes (or acquires) ownership of a message in a consumer group, as if the "
                   "message was delivered to the specified consumer.",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(log N) with N being the number of messages in the PEL of the consumer "
                      "group.",
        .arguments = "key^k#0 group^s consumer^s min-idle-time^s id^s* ms^i='IDLE'? "
                     "unix-time-milliseconds^u='TIME'? count^i='RETRYCOUNT'? force^t='FORCE'? "
                     "justid^t='JUSTID'? id^s='LASTID'?"},
    {.name = "xautoclaim", .proc = stream_xautoclaim_command, .arity = -6,
         .flags = CMD_WRITE | CMD_FAST,
        .acl = ACL_WRITE | ACL_STREAM | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
        .tips = "nondeterministic_output",
        .key_specs = "RW delete/i1/r0,1,0",
        .summary = "Changes (or acquires) ownership of messages in a consumer group, as if the "
                   "messages were delivered to the specified consumer.",
        .since = "6.2.0", .group = "stream",
        .complexity = "O(1) if COUNT is small.",
        .history = (const struct command_history[]){
            {"7.0.0", "Added an element to the reply array, containing deleted entries the "
                      "command cleared from the PEL"},
            {0}},
        .arguments = "key^k#0 group^s consumer^s min-idle-time^s start^s count^i='COUNT'? "
                     "justid^t='JUSTID'?"},
    {.name = "xsetid", .proc = stream_xsetid_command, .arity = -3,
         .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
        .acl = ACL_WRITE | ACL_STREAM | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
        .key_specs = "RW update/i1/r0,1,0",
        .summary = "An internal command for replicating stream values",
        .since = "5.0.0", .group = "stream",
        .complexity = "O(1)",
        .history = (const struct command_history[]){
            {"7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments."},
            {0}},
        .arguments = "key^k#0 last-id^s entries_added^i='ENTRIESADDED'@7.0.0? "
                     "max_deleted_entry_id^s='MAXDELETEDID'@7.0.0?"},
    {.name = "xgroup", .proc = NULL, .arity = -2, .flags = 0,
        .acl = ACL_SLOW, .first_key = 0, .last_key = 0, .key_step = 0,
        .summary = "A container for consumer groups commands",
        .since = "5.0.0", .group = "stream",
        .complexity = "Depends on subcommand.",
        .subcommands = stream_xgroup_subcommands},
    {.name = "xinfo", .proc = NULL, .arity = -2, .flags = 0,
        .acl = ACL_SLOW, .first_key = 0, .last_key = 0, .key_step = 0,
        .summary = "A container for stream introspection commands",
        .since = "5.0.0", .group = "stream",
        .complexity = "Depends on subcommand.",
        .subcommands = stream_xinfo_subcommands},
    {0},
};
