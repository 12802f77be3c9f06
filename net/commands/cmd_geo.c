/* cmd_geo.c: the geo commands (Redis 7.0's "geo" group): GEOADD,
 * GEODIST, GEOHASH, GEOPOS, GEORADIUS, GEORADIUSBYMEMBER and their _RO
 * forms, GEOSEARCH and GEOSEARCHSTORE.
 *
 * A geo set is an ordinary sorted set (engine/zset.h) whose scores are
 * 52-bit geohashes (engine/geohash.h owns the encoding, the distances and
 * the cells a search scans). GEOADD is ZADD with computed scores, so, as
 * Redis does, it reports the "zadd" keyspace event and is logged to the
 * AOF as the ZADD it amounts to. A search walks the score range of each of
 * the nine cells geohash_search_areas picks, in Redis's order, keeps the
 * points inside the shape, then sorts by distance when asked (stable, as
 * glibc's qsort is for Redis), so results and their order match Redis's.
 * The STORE forms write a zset of geohashes or distances ("georadiusstore"
 * / "geosearchstore" events) and are logged as sent.
 *
 * Names: helpers are geo_*; geohash_* are engine/geohash.h's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/geohash.h"
#include "engine/number.h"
#include "engine/partial_sort.h"
#include "engine/zset.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keyspace_events.h"
#include "net/commands/notify.h"
#include "net/commands/propagate.h"
#include "net/commands/reply.h"
#include "net/commands/typed_key.h"

/* Bytes for a coordinate as "%.17Lf" (at most 3 integer digits, a sign,
 * the point and 17 decimals) and for a distance as "%.4f" (any double). */
#define GEO_COORD_TEXT_BYTES 64
#define GEO_DIST_TEXT_BYTES 400

static const struct encoding_limits *geo_limits(struct client *c)
{
    return &c->commands->keyspace->limits;
}

/* ---- Arguments ---- */

/* Reads a longitude, latitude pair at argv[i], argv[i+1]; replies Redis's
 * error for a number outside the storable band. */
static bool geo_parse_lonlat(struct client *c, int i, double xy[2])
{
    if (!arg_get_double(c, i, &xy[0], NULL) || !arg_get_double(c, i + 1, &xy[1], NULL))
        return false;
    if (!geohash_lonlat_valid(xy[0], xy[1])) {
        reply_errorf(c, "invalid longitude,latitude pair %f,%f", xy[0], xy[1]);
        return false;
    }
    return true;
}

/* The size in meters of the unit at argv[i], or a negative value after
 * an error reply. */
static double geo_parse_unit(struct client *c, int i)
{
    const struct resp_arg *u = &c->argv[i];
    if (arg_equals(u, "m"))
        return 1;
    if (arg_equals(u, "km"))
        return 1000;
    if (arg_equals(u, "ft"))
        return 0.3048;
    if (arg_equals(u, "mi"))
        return 1609.34;
    reply_error(c, "unsupported unit provided. please use M, KM, FT, MI");
    return -1;
}

/* BYRADIUS / GEORADIUS: "<radius> <unit>" at argv[i]. */
static bool geo_parse_radius(struct client *c, int i, struct geohash_shape *shape)
{
    double radius;
    if (!arg_get_double(c, i, &radius, "need numeric radius"))
        return false;
    if (radius < 0) {
        reply_error(c, "radius cannot be negative");
        return false;
    }
    double conversion = geo_parse_unit(c, i + 1);
    if (conversion < 0)
        return false;
    shape->box = false;
    shape->radius = radius;
    shape->conversion = conversion;
    return true;
}

/* BYBOX: "<width> <height> <unit>" at argv[i]. */
static bool geo_parse_box(struct client *c, int i, struct geohash_shape *shape)
{
    double width, height;
    if (!arg_get_double(c, i, &width, "need numeric width") ||
        !arg_get_double(c, i + 1, &height, "need numeric height"))
        return false;
    if (height < 0 || width < 0) {
        reply_error(c, "height or width cannot be negative");
        return false;
    }
    double conversion = geo_parse_unit(c, i + 2);
    if (conversion < 0)
        return false;
    shape->box = true;
    shape->width = width;
    shape->height = height;
    shape->conversion = conversion;
    return true;
}

/* The position of member in the geo set kv; false when absent. */
static bool geo_member_position(struct kv *kv, const struct resp_arg *member, double xy[2])
{
    double score;
    if (!zset_score(kv, member->ptr, member->len, &score))
        return false;
    return geohash_decode_score(score, xy);
}

/* ---- Replies ---- */

/* A coordinate as Redis's addReplyHumanLongDouble sends it: the value as
 * a long double with 17 decimals, trailing zeros (and a bare point)
 * removed; a RESP3 double or a RESP2 bulk string. */
static void geo_reply_coord(struct client *c, double v)
{
    char buf[GEO_COORD_TEXT_BYTES];
    int len = snprintf(buf, sizeof(buf), "%.17Lf", (long double)v);
    if (strchr(buf, '.') != NULL) {
        while (len > 0 && buf[len - 1] == '0')
            len--;
        if (len > 0 && buf[len - 1] == '.')
            len--;
    }
    if (len == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        len = 1;
    }
    reply_double_text(c, buf, (size_t)len);
}

/* A distance with four decimals, always a bulk string (RESP3 too). */
static void geo_reply_distance(struct client *c, double d)
{
    char buf[GEO_DIST_TEXT_BYTES];
    int len = snprintf(buf, sizeof(buf), "%.4f", d);
    reply_bulk(c, buf, (size_t)len);
}

/* ---- GEOADD ---- */

/* GEOADD key [NX|XX] [CH] lon lat member [...]: ZADD with the geohashes
 * as scores, logged as that ZADD. */
static void geo_add_command(struct client *c)
{
    bool nx = false, xx = false, ch = false;
    int first = 2;
    for (; first < c->argc; first++) {
        const struct resp_arg *a = &c->argv[first];
        if (arg_equals(a, "nx"))
            nx = true;
        else if (arg_equals(a, "xx"))
            xx = true;
        else if (arg_equals(a, "ch"))
            ch = true;
        else
            break;
    }
    int elements = (c->argc - first) / 3;
    if ((c->argc - first) % 3 != 0 || (nx && xx) || elements == 0) {
        reply_error_syntax(c);
        return;
    }
    uint64_t *scores = alloc_bytes(sizeof(*scores) * (size_t)elements);
    for (int i = 0; i < elements; i++) {
        double xy[2];
        if (!geo_parse_lonlat(c, first + 3 * i, xy)) {
            alloc_free(scores);
            return;
        }
        geohash_score_of(xy[0], xy[1], &scores[i]);
    }

    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_ZSET, &kv)) {
        alloc_free(scores);
        return;
    }
    const struct encoding_limits *l = geo_limits(c);
    if (kv == NULL && !xx) {
        const struct resp_arg *m = &c->argv[first + 2];
        bool big = l->zset_max_listpack_entries == 0 ||
                   (long long)m->len > l->zset_max_listpack_value;
        kv = zset_new(c->argv[1].ptr, c->argv[1].len, big ? KV_ENC_SKIPLIST : KV_ENC_LISTPACK);
        db_add(c->db, kv);
    }
    int flags = (nx ? ZSET_ADD_NX : 0) | (xx ? ZSET_ADD_XX : 0);
    long long added = 0, updated = 0;
    for (int i = 0; kv != NULL && i < elements; i++) {
        const struct resp_arg *m = &c->argv[first + 3 * i + 2];
        enum zset_add_result r = zset_add(kv, (double)scores[i], m->ptr, m->len, flags, NULL,
                                          l->zset_max_listpack_entries,
                                          l->zset_max_listpack_value);
        added += r == ZSET_ADD_ADDED;
        updated += r == ZSET_ADD_UPDATED;
    }
    reply_integer(c, ch ? added + updated : added);
    if (added || updated) {
        notify_key_modified(c->commands, c->db, c->argv[1].ptr, c->argv[1].len);
        keyspace_event(c->commands, NOTIFY_ZSET, "zadd", c->db->id, c->argv[1].ptr,
                       c->argv[1].len);
        /* Logged as the ZADD it is: zadd key [flags] score member ... */
        int argc = first + 2 * elements;
        struct aof_arg *argv = alloc_bytes(sizeof(*argv) * (size_t)argc);
        char(*texts)[24] = alloc_bytes(sizeof(*texts) * (size_t)elements);
        argv[0] = aof_arg_str("zadd");
        for (int i = 1; i < first; i++)
            argv[i] = aof_arg_of(&c->argv[i]);
        for (int i = 0; i < elements; i++) {
            int n = snprintf(texts[i], sizeof(texts[i]), "%llu", (unsigned long long)scores[i]);
            argv[first + 2 * i] = (struct aof_arg){texts[i], (size_t)n};
            argv[first + 2 * i + 1] = aof_arg_of(&c->argv[first + 3 * i + 2]);
        }
        propagate_as(c, argc, argv);
        alloc_free(texts);
        alloc_free(argv);
    }
    alloc_free(scores);
}

/* ---- GEODIST, GEOHASH, GEOPOS ---- */

static void geo_dist_command(struct client *c)
{
    double to_meters = 1;
    if (c->argc == 5) {
        to_meters = geo_parse_unit(c, 4);
        if (to_meters < 0)
            return;
    } else if (c->argc > 5) {
        reply_error_syntax(c);
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_ZSET, &kv))
        return;
    double a[2], b[2];
    if (kv == NULL || !geo_member_position(kv, &c->argv[2], a) ||
        !geo_member_position(kv, &c->argv[3], b)) {
        reply_null(c);
        return;
    }
    geo_reply_distance(c, geohash_distance(a[0], a[1], b[0], b[1]) / to_meters);
}

static void geo_hash_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_ZSET, &kv))
        return;
    reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double score;
        char text[GEOHASH_STRING_LEN + 1];
        if (kv == NULL || !zset_score(kv, c->argv[j].ptr, c->argv[j].len, &score) ||
            !geohash_string(score, text))
            reply_null(c);
        else
            reply_bulk(c, text, GEOHASH_STRING_LEN);
    }
}

static void geo_pos_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_ZSET, &kv))
        return;
    reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double xy[2];
        if (kv == NULL || !geo_member_position(kv, &c->argv[j], xy)) {
            reply_null_array(c);
            continue;
        }
        reply_array_len(c, 2);
        geo_reply_coord(c, xy[0]);
        geo_reply_coord(c, xy[1]);
    }
}

/* ---- Searches ---- */

/* One point found: the member is borrowed from the zset, which the
 * search does not change until it has replied or stored. */
struct geo_point {
    double lon, lat, dist, score;
    const char *member; /* NULL: the text is in buf */
    size_t len;
    char buf[LISTPACK_INTEGER_TEXT_BYTES]; /* an integer member's text */
};

struct geo_points {
    struct geo_point *items; /* owned */
    size_t count, cap;
};

static struct geo_point *geo_points_append(struct geo_points *ga)
{
    if (ga->count == ga->cap) {
        ga->cap = ga->cap ? ga->cap * 2 : 8;
        ga->items = alloc_resize(ga->items, sizeof(*ga->items) * ga->cap);
    }
    return &ga->items[ga->count++];
}

/* Appends the members of one cell (scores in [min, max)) that lie inside
 * the shape, stopping at limit points in all when limit is not 0. */
static void geo_points_in_cell(struct kv *kv, struct geohash_bits cell,
                               const struct geohash_shape *shape, struct geo_points *ga,
                               size_t limit)
{
    struct zrange_spec range = {.min = (double)geohash_align52(cell), .minex = false,
                                .maxex = true};
    cell.bits++;
    range.max = (double)geohash_align52(cell);
    struct zset_iter it;
    for (zset_iter_in_score_range(&it, kv, &range, false); zset_iter_valid(&it);
         zset_iter_next(&it)) {
        if (limit && ga->count >= limit)
            break;
        struct zset_element e;
        zset_iter_get(&it, &e);
        if (!zrange_score_lte_max(e.score, &range))
            break;
        double xy[2], dist;
        if (!geohash_decode_score(e.score, xy) || !geohash_in_shape(shape, xy[0], xy[1], &dist))
            continue;
        struct geo_point *p = geo_points_append(ga);
        p->lon = xy[0];
        p->lat = xy[1];
        p->dist = dist;
        p->score = e.score;
        p->len = e.len;
        if (e.member == e.buf) {
            memcpy(p->buf, e.buf, sizeof(p->buf));
            p->member = NULL; /* the text is in buf, which moves with the point */
        } else {
            p->member = e.member;
        }
    }
}

/* Every point of kv inside shape, in Redis's cell order. */
static void geo_points_in_shape(struct kv *kv, struct geohash_shape *shape, struct geo_points *ga,
                                size_t limit)
{
    struct geohash_search search;
    geohash_search_areas(shape, &search);
    int last = 0;
    for (int i = 0; i < GEOHASH_CELLS; i++) {
        struct geohash_bits cell = search.cells[i];
        if (cell.bits == 0 && cell.step == 0)
            continue;
        /* Huge radii make neighbours coincide: scan each cell once. */
        if (last && cell.bits == search.cells[last].bits &&
            cell.step == search.cells[last].step)
            continue;
        if (limit && ga->count >= limit)
            break;
        geo_points_in_cell(kv, cell, shape, ga, limit);
        last = i;
    }
}

/* Redis's comparator: by distance, descending when *ctx. */
static int geo_compare_any(const void *a, const void *b, void *ctx)
{
    const struct geo_point *pa = a, *pb = b;
    int cmp = pa->dist > pb->dist ? 1 : pa->dist == pb->dist ? 0 : -1;
    return *(const bool *)ctx ? -cmp : cmp;
}

/* Stable merge sort by distance (ties keep scan order, as glibc's qsort
 * keeps them for Redis). */
static void geo_sort(struct geo_point *a, size_t n, bool desc, struct geo_point *tmp)
{
    if (n < 2)
        return;
    size_t mid = n / 2;
    geo_sort(a, mid, desc, tmp);
    geo_sort(a + mid, n - mid, desc, tmp);
    size_t i = 0, j = mid, k = 0;
    while (i < mid && j < n) {
        bool take_right = desc ? a[j].dist > a[i].dist : a[j].dist < a[i].dist;
        tmp[k++] = take_right ? a[j++] : a[i++];
    }
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, sizeof(*a) * n);
}

/* The member's text: borrowed from the zset, or in the point's buf. */
static const char *geo_point_member(const struct geo_point *p)
{
    return p->member ? p->member : p->buf;
}

enum geo_sort_order { GEO_SORT_NONE, GEO_SORT_ASC, GEO_SORT_DESC };

/* Which command runs the search. */
enum geo_search_kind {
    GEO_RADIUS,          /* GEORADIUS, GEORADIUS_RO */
    GEO_RADIUS_MEMBER,   /* GEORADIUSBYMEMBER(_RO) */
    GEO_SEARCH,          /* GEOSEARCH */
    GEO_SEARCH_STORE,    /* GEOSEARCHSTORE */
};

struct geo_request {
    enum geo_search_kind kind;
    bool readonly; /* the _RO forms: no STORE */
    int src;       /* argv index of the source key */
    struct kv *kv; /* the source, NULL when missing */
    struct geohash_shape shape;
    bool withdist, withhash, withcoord, any;
    enum geo_sort_order sort;
    long long count;
    const struct resp_arg *store;
    bool storedist;
    bool frommember, fromlonlat, byradius, bybox;
};

/* Parses one option at argv[i]; returns how many arguments it took, or 0
 * after an error reply. */
static int geo_parse_option(struct client *c, struct geo_request *r, int i)
{
    const struct resp_arg *a = &c->argv[i];
    int remaining = c->argc - i - 1;
    bool search = r->kind == GEO_SEARCH || r->kind == GEO_SEARCH_STORE;
    if (arg_equals(a, "withdist")) {
        r->withdist = true;
    } else if (arg_equals(a, "withhash")) {
        r->withhash = true;
    } else if (arg_equals(a, "withcoord")) {
        r->withcoord = true;
    } else if (arg_equals(a, "any")) {
        r->any = true;
    } else if (arg_equals(a, "asc")) {
        r->sort = GEO_SORT_ASC;
    } else if (arg_equals(a, "desc")) {
        r->sort = GEO_SORT_DESC;
    } else if (arg_equals(a, "count") && remaining >= 1) {
        if (!arg_get_ll(c, i + 1, &r->count, NULL))
            return 0;
        if (r->count <= 0) {
            reply_error(c, "COUNT must be > 0");
            return 0;
        }
        return 2;
    } else if ((arg_equals(a, "store") || arg_equals(a, "storedist")) && remaining >= 1 &&
               !r->readonly && !search) {
        r->store = &c->argv[i + 1];
        r->storedist = arg_equals(a, "storedist");
        return 2;
    } else if (arg_equals(a, "storedist") && r->kind == GEO_SEARCH_STORE) {
        r->storedist = true;
    } else if (arg_equals(a, "frommember") && remaining >= 1 && search && !r->fromlonlat) {
        /* A missing source is reported after all the options are read. */
        if (r->kv != NULL) {
            double xy[2];
            if (!geo_member_position(r->kv, &c->argv[i + 1], xy)) {
                reply_error(c, "could not decode requested zset member");
                return 0;
            }
            r->shape.lon = xy[0];
            r->shape.lat = xy[1];
        }
        r->frommember = true;
        return 2;
    } else if (arg_equals(a, "fromlonlat") && remaining >= 2 && search && !r->frommember) {
        double xy[2];
        if (!geo_parse_lonlat(c, i + 1, xy))
            return 0;
        r->shape.lon = xy[0];
        r->shape.lat = xy[1];
        r->fromlonlat = true;
        return 3;
    } else if (arg_equals(a, "byradius") && remaining >= 2 && search && !r->bybox) {
        if (!geo_parse_radius(c, i + 1, &r->shape))
            return 0;
        r->byradius = true;
        return 3;
    } else if (arg_equals(a, "bybox") && remaining >= 3 && search && !r->byradius) {
        if (!geo_parse_box(c, i + 1, &r->shape))
            return 0;
        r->bybox = true;
        return 4;
    } else {
        reply_error_syntax(c);
        return 0;
    }
    return 1;
}

/* Reads the center, the shape and the options, in Redis's order, so the
 * first error Redis reports is the one reported. */
static bool geo_parse_request(struct client *c, struct geo_request *r)
{
    int base;
    switch (r->kind) {
    case GEO_RADIUS: {
        base = 6;
        double xy[2];
        if (!geo_parse_lonlat(c, 2, xy))
            return false;
        r->shape.lon = xy[0];
        r->shape.lat = xy[1];
        if (!geo_parse_radius(c, 4, &r->shape))
            return false;
        break;
    }
    case GEO_RADIUS_MEMBER:
        base = 5;
        if (r->kv != NULL) {
            double xy[2];
            if (!geo_member_position(r->kv, &c->argv[2], xy)) {
                reply_error(c, "could not decode requested zset member");
                return false;
            }
            r->shape.lon = xy[0];
            r->shape.lat = xy[1];
            if (!geo_parse_radius(c, 3, &r->shape))
                return false;
        }
        break;
    case GEO_SEARCH:
        base = 2;
        break;
    default:
        base = 3;
        break;
    }
    for (int i = base; i < c->argc;) {
        int used = geo_parse_option(c, r, i);
        if (used == 0)
            return false;
        i += used;
    }
    bool search = r->kind == GEO_SEARCH || r->kind == GEO_SEARCH_STORE;
    if ((r->store || r->storedist) && (r->withdist || r->withhash || r->withcoord)) {
        reply_errorf(c, "%s is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
                     r->kind == GEO_SEARCH_STORE ? "GEOSEARCHSTORE"
                                                 : "STORE option in GEORADIUS");
        return false;
    }
    if (search && !(r->frommember || r->fromlonlat)) {
        reply_errorf(c, "exactly one of FROMMEMBER or FROMLONLAT can be specified for %.*s",
                     (int)c->argv[0].len, c->argv[0].ptr);
        return false;
    }
    if (search && !(r->byradius || r->bybox)) {
        reply_errorf(c, "exactly one of BYRADIUS and BYBOX can be specified for %.*s",
                     (int)c->argv[0].len, c->argv[0].ptr);
        return false;
    }
    if (r->any && r->count == 0) {
        reply_error(c, "the ANY argument requires COUNT argument");
        return false;
    }
    return true;
}

/* Replies the found points, with the options' extra fields. */
static void geo_reply_points(struct client *c, const struct geo_request *r,
                             const struct geo_points *ga, size_t returned)
{
    int extra = r->withdist + r->withcoord + r->withhash;
    reply_array_len(c, (long long)returned);
    for (size_t i = 0; i < returned; i++) {
        const struct geo_point *p = &ga->items[i];
        if (extra)
            reply_array_len(c, extra + 1);
        reply_bulk(c, geo_point_member(p), p->len);
        if (r->withdist)
            geo_reply_distance(c, p->dist / r->shape.conversion);
        if (r->withhash)
            reply_integer(c, (long long)p->score);
        if (r->withcoord) {
            reply_array_len(c, 2);
            geo_reply_coord(c, p->lon);
            geo_reply_coord(c, p->lat);
        }
    }
}

/* Stores the found points as a zset of geohashes (or distances, in the
 * query's unit) at the destination, or deletes it when none were found. */
static void geo_store_points(struct client *c, const struct geo_request *r,
                             const struct geo_points *ga, size_t returned)
{
    const struct encoding_limits *l = geo_limits(c);
    struct kv *result = zset_new(r->store->ptr, r->store->len, KV_ENC_SKIPLIST);
    for (size_t i = 0; i < returned; i++) {
        const struct geo_point *p = &ga->items[i];
        double score = r->storedist ? p->dist / r->shape.conversion : p->score;
        zset_add(result, score, geo_point_member(p), p->len, 0, NULL, l->zset_max_listpack_entries,
                 l->zset_max_listpack_value);
    }
    if (returned > 0)
        zset_shrink_if_fits(result, l->zset_max_listpack_entries, l->zset_max_listpack_value);
    typed_key_store_result(c, r->store, result, NOTIFY_ZSET,
                           r->kind == GEO_SEARCH_STORE ? "geosearchstore" : "georadiusstore");
}

/* The source is missing: an empty reply, or 0 with the destination
 * deleted. */
static void geo_reply_missing_source(struct client *c, const struct geo_request *r)
{
    if (r->store == NULL) {
        reply_empty_array(c);
        return;
    }
    if (db_delete(c->db, r->store->ptr, r->store->len)) {
        notify_key_modified(c->commands, c->db, r->store->ptr, r->store->len);
        keyspace_event(c->commands, NOTIFY_GENERIC, "del", c->db->id, r->store->ptr,
                       r->store->len);
    }
    reply_integer(c, 0);
}

static void geo_search_generic(struct client *c, enum geo_search_kind kind, bool readonly)
{
    struct geo_request r = {.kind = kind, .readonly = readonly};
    r.src = kind == GEO_SEARCH_STORE ? 2 : 1;
    if (kind == GEO_SEARCH_STORE)
        r.store = &c->argv[1];
    if (!typed_key_lookup(c, r.src, DB_LOOKUP_READ, KV_ZSET, &r.kv))
        return;
    if (!geo_parse_request(c, &r))
        return;
    if (r.kv == NULL) {
        geo_reply_missing_source(c, &r);
        return;
    }
    /* COUNT needs the nearest ones: sort by default, unless ANY. */
    if (r.count != 0 && r.sort == GEO_SORT_NONE && !r.any)
        r.sort = GEO_SORT_ASC;

    struct geo_points ga = {0};
    geo_points_in_shape(r.kv, &r.shape, &ga, r.any ? (size_t)r.count : 0);
    if (ga.count == 0 && r.store == NULL) {
        reply_empty_array(c);
        alloc_free(ga.items);
        return;
    }
    size_t returned = r.count == 0 || ga.count < (size_t)r.count ? ga.count : (size_t)r.count;
    if (r.sort != GEO_SORT_NONE && returned < ga.count) {
        /* Only the nearest (farthest) few: Redis's partial sort, whose
         * order of equal distances this keeps. */
        bool desc = r.sort == GEO_SORT_DESC;
        partial_sort(ga.items, ga.count, sizeof(*ga.items), geo_compare_any, &desc, 0,
                     (long)returned - 1);
    } else if (r.sort != GEO_SORT_NONE && ga.count > 1) {
        struct geo_point *tmp = alloc_bytes(sizeof(*tmp) * ga.count);
        geo_sort(ga.items, ga.count, r.sort == GEO_SORT_DESC, tmp);
        alloc_free(tmp);
    }
    if (r.store == NULL)
        geo_reply_points(c, &r, &ga, returned);
    else
        geo_store_points(c, &r, &ga, returned);
    alloc_free(ga.items);
}

static void geo_radius_command(struct client *c)
{
    geo_search_generic(c, GEO_RADIUS, false);
}

static void geo_radius_ro_command(struct client *c)
{
    geo_search_generic(c, GEO_RADIUS, true);
}

static void geo_radiusbymember_command(struct client *c)
{
    geo_search_generic(c, GEO_RADIUS_MEMBER, false);
}

static void geo_radiusbymember_ro_command(struct client *c)
{
    geo_search_generic(c, GEO_RADIUS_MEMBER, true);
}

static void geo_search_command(struct client *c)
{
    geo_search_generic(c, GEO_SEARCH, true);
}

static void geo_searchstore_command(struct client *c)
{
    geo_search_generic(c, GEO_SEARCH_STORE, false);
}

/* ---- Command table ---- */

#define GEO_RO (CMD_READONLY)
#define GEO_ACL_RO (ACL_READ | ACL_GEO | ACL_SLOW)
#define GEO_ACL_RW (ACL_WRITE | ACL_GEO | ACL_SLOW)

struct command geo_commands[] = {
    {.name = "geoadd", .proc = geo_add_command, .arity = -5, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = GEO_ACL_RW, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW update/i1/r0,1,0",
     .summary = "Add one or more geospatial items in the geospatial index represented using a "
                "sorted set",
     .since = "3.2.0", .group = "geo",
     .complexity = "O(log(N)) for each item added, where N is the number of elements in the "
                   "sorted set.",
     .history = (const struct command_history[]){
         {"6.2.0", "Added the `CH`, `NX` and `XX` options."},
         {0}},
     .arguments = "key^k#0 condition^o@6.2.0?(nx^t='NX' xx^t='XX') change^t='CH'@6.2.0? "
                  "longitude_latitude_member^b*(longitude^d latitude^d member^s)"},
    {.name = "geodist", .proc = geo_dist_command, .arity = -4, .flags = GEO_RO,
     .acl = GEO_ACL_RO, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Returns the distance between two members of a geospatial index",
     .since = "3.2.0", .group = "geo", .complexity = "O(log(N))",
     .arguments = "key^k#0 member1^s member2^s unit^o?(m^t='M' km^t='KM' ft^t='FT' mi^t='MI')"},
    {.name = "geohash", .proc = geo_hash_command, .arity = -2, .flags = GEO_RO,
     .acl = GEO_ACL_RO, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Returns members of a geospatial index as standard geohash strings",
     .since = "3.2.0", .group = "geo",
     .complexity = "O(log(N)) for each member requested, where N is the number of elements in "
                   "the sorted set.",
     .arguments = "key^k#0 member^s*"},
    {.name = "geopos", .proc = geo_pos_command, .arity = -2, .flags = GEO_RO, .acl = GEO_ACL_RO,
     .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Returns longitude and latitude of members of a geospatial index",
     .since = "3.2.0", .group = "geo",
     .complexity = "O(N) where N is the number of members requested.",
     .arguments = "key^k#0 member^s*"},
    {.name = "georadius", .proc = geo_radius_command, .arity = -6,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = GEO_ACL_RW, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .key_specs = "RO access/i1/r0,1,0;OW update/kSTORE,6/r0,1,0;OW update/kSTOREDIST,6/r0,1,0",
     .summary = "Query a sorted set representing a geospatial index to fetch members matching a "
                "given maximum distance from a point",
     .since = "3.2.0", .group = "geo",
     .complexity = "O(N+log(M)) where N is the number of elements inside the bounding box of "
                   "the circular area delimited by center and radius and M is the number of items "
                   "inside the index.",
     .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument",
     .history = (const struct command_history[]){
         {"6.2.0", "Added the `ANY` option for `COUNT`."},
         {"7.0.0", "Added support for uppercase unit names."},
         {0}},
     .arguments = "key^k#0 longitude^d latitude^d radius^d "
                  "unit^o(m^t='M' km^t='KM' ft^t='FT' mi^t='MI') "
                  "withcoord^t='WITHCOORD'? withdist^t='WITHDIST'? withhash^t='WITHHASH'? "
                  "count^b?(count^i='COUNT' any^t='ANY'@6.2.0?) "
                  "order^o?(asc^t='ASC' desc^t='DESC') "
                  "key^k#1='STORE'? key^k#2='STOREDIST'?"},
    {.name = "georadiusbymember", .proc = geo_radiusbymember_command, .arity = -5,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = GEO_ACL_RW, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .key_specs = "RO access/i1/r0,1,0;OW update/kSTORE,5/r0,1,0;OW update/kSTOREDIST,5/r0,1,0",
     .summary = "Query a sorted set representing a geospatial index to fetch members matching a "
                "given maximum distance from a member",
     .since = "3.2.0", .group = "geo",
     .complexity = "O(N+log(M)) where N is the number of elements inside the bounding box of "
                   "the circular area delimited by center and radius and M is the number of items "
                   "inside the index.",
     .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` "
                    "arguments",
     .history = (const struct command_history[]){
         {"7.0.0", "Added support for uppercase unit names."},
         {0}},
     .arguments = "key^k#0 member^s radius^d unit^o(m^t='M' km^t='KM' ft^t='FT' mi^t='MI') "
                  "withcoord^t='WITHCOORD'? withdist^t='WITHDIST'? withhash^t='WITHHASH'? "
                  "count^b?(count^i='COUNT' any^t='ANY'?) "
                  "order^o?(asc^t='ASC' desc^t='DESC') "
                  "key^k#1='STORE'? key^k#2='STOREDIST'?"},
    {.name = "georadius_ro", .proc = geo_radius_ro_command, .arity = -6, .flags = GEO_RO,
     .acl = GEO_ACL_RO, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "A read-only variant for GEORADIUS", .since = "3.2.10", .group = "geo",
     .complexity = "O(N+log(M)) where N is the number of elements inside the bounding box of "
                   "the circular area delimited by center and radius and M is the number of items "
                   "inside the index.",
     .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` with the `BYRADIUS` argument",
     .history = (const struct command_history[]){
         {"6.2.0", "Added the `ANY` option for `COUNT`."},
         {0}},
     .arguments = "key^k#0 longitude^d latitude^d radius^d "
                  "unit^o(m^t='M' km^t='KM' ft^t='FT' mi^t='MI') "
                  "withcoord^t='WITHCOORD'? withdist^t='WITHDIST'? withhash^t='WITHHASH'? "
                  "count^b?(count^i='COUNT' any^t='ANY'@6.2.0?) "
                  "order^o?(asc^t='ASC' desc^t='DESC')"},
    {.name = "georadiusbymember_ro", .proc = geo_radiusbymember_ro_command, .arity = -5,
     .flags = GEO_RO, .acl = GEO_ACL_RO, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "A read-only variant for GEORADIUSBYMEMBER", .since = "3.2.10", .group = "geo",
     .complexity = "O(N+log(M)) where N is the number of elements inside the bounding box of "
                   "the circular area delimited by center and radius and M is the number of items "
                   "inside the index.",
     .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments",
     .arguments = "key^k#0 member^s radius^d unit^o(m^t='M' km^t='KM' ft^t='FT' mi^t='MI') "
                  "withcoord^t='WITHCOORD'? withdist^t='WITHDIST'? withhash^t='WITHHASH'? "
                  "count^b?(count^i='COUNT' any^t='ANY'?) "
                  "order^o?(asc^t='ASC' desc^t='DESC')"},
    {.name = "geosearch", .proc = geo_search_command, .arity = -7, .flags = GEO_RO,
     .acl = GEO_ACL_RO, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Query a sorted set representing a geospatial index to fetch members inside an "
                "area of a box or a circle.",
     .since = "6.2.0", .group = "geo",
     .complexity = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding "
                   "box area around the shape provided as the filter and M is the number of items "
                   "inside the shape",
     .history = (const struct command_history[]){
         {"7.0.0", "Added support for uppercase unit names."},
         {0}},
     .arguments = "key^k#0 from^o(member^s='FROMMEMBER' "
                  "longitude_latitude^b='FROMLONLAT'(longitude^d latitude^d)) "
                  "by^o(circle^b(radius^d='BYRADIUS' unit^o(m^t='M' km^t='KM' ft^t='FT' "
                  "mi^t='MI')) box^b(width^d='BYBOX' height^d unit^o(m^t='M' km^t='KM' "
                  "ft^t='FT' mi^t='MI'))) order^o?(asc^t='ASC' desc^t='DESC') "
                  "count^b?(count^i='COUNT' any^t='ANY'?) withcoord^t='WITHCOORD'? "
                  "withdist^t='WITHDIST'? withhash^t='WITHHASH'?"},
    {.name = "geosearchstore", .proc = geo_searchstore_command, .arity = -8,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = GEO_ACL_RW, .first_key = 1, .last_key = 2,
     .key_step = 1, .key_specs = "OW update/i1/r0,1,0;RO access/i2/r0,1,0",
     .summary = "Query a sorted set representing a geospatial index to fetch members inside an "
                "area of a box or a circle, and store the result in another key.",
     .since = "6.2.0", .group = "geo",
     .complexity = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding "
                   "box area around the shape provided as the filter and M is the number of items "
                   "inside the shape",
     .history = (const struct command_history[]){
         {"7.0.0", "Added support for uppercase unit names."},
         {0}},
     .arguments = "destination^k#0 source^k#1 from^o(member^s='FROMMEMBER' "
                  "longitude_latitude^b='FROMLONLAT'(longitude^d latitude^d)) "
                  "by^o(circle^b(radius^d='BYRADIUS' unit^o(m^t='M' km^t='KM' ft^t='FT' "
                  "mi^t='MI')) box^b(width^d='BYBOX' height^d unit^o(m^t='M' km^t='KM' "
                  "ft^t='FT' mi^t='MI'))) order^o?(asc^t='ASC' desc^t='DESC') "
                  "count^b?(count^i='COUNT' any^t='ANY'?) storedist^t='STOREDIST'?"},
    {0},
};
