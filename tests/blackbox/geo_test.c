/* geo_test.c: black-box tests of the geo commands: GEOADD, GEODIST,
 * GEOHASH, GEOPOS, GEORADIUS, GEORADIUSBYMEMBER (and _RO), GEOSEARCH and
 * GEOSEARCHSTORE: scores, distances, coordinates in RESP2 and RESP3, the
 * errors, STORE/STOREDIST, keyspace events, and a randomized comparison.
 *
 * The pinned expectations were read off redis-server 7.0.15 by running
 * this file with RINGKV_SERVER=/usr/bin/redis-server. Beyond them, each
 * test that can starts a reference redis-server (/usr/bin/redis-server)
 * beside the server under test and sends both the same commands, asserting
 * byte-identical replies: the randomized test does that over thousands of
 * points, centers, radii and boxes (near the poles and the antimeridian
 * too), as Redis's own geo.tcl fuzzes against Tcl's arithmetic. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_TIMEOUT_S 120

static struct server_handle *server; /* owned by the fixture */
static struct conn *client;          /* owned by the fixture */
static struct server_handle *ref;    /* reference redis-server, or NULL */
static struct conn *ref_client;      /* NULL without one */

static void setup(void)
{
    harness_fixture_open(&server, &client);
    harness_reference_open(&ref, &ref_client);
}

static void teardown(void)
{
    harness_reference_close(&ref, &ref_client);
    harness_fixture_close(&server, &client);
}

/* Sends line to the server under test and to the reference, asserting the
 * same reply; returns the reply (owned). Without a reference, just the
 * reply. */
static char *same(const char *line)
{
    char *got = conn_cmd(client, line);
    if (ref_client) {
        char *want = conn_cmd(ref_client, line);
        ck_assert_msg(strcmp(got, want) == 0, "%s: redis %s, got %s", line, harness_escape(want),
                      harness_escape(got));
        free(want);
    }
    return got;
}

static void same_free(const char *line)
{
    free(same(line));
}

static void add_sicily(struct conn *c)
{
    ck_cmd(c, "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
           ":2\r\n");
}

/* ---- GEOADD ---- */

START_TEST(test_geoadd_scores_and_options)
{
    add_sicily(client);
    ck_cmd(client, "ZRANGE Sicily 0 -1 WITHSCORES",
           "*4\r\n$7\r\nPalermo\r\n$16\r\n3479099956230698\r\n"
           "$7\r\nCatania\r\n$16\r\n3479447370796909\r\n");
    ck_cmd(client, "OBJECT ENCODING Sicily", "$8\r\nlistpack\r\n");
    /* Same place: nothing changes, even with CH. */
    ck_cmd(client, "GEOADD Sicily CH 13.361389 38.115556 Palermo", ":0\r\n");
    ck_cmd(client, "GEOADD Sicily CH 13.361389 38.2 Palermo", ":1\r\n");
    ck_cmd(client, "GEOADD Sicily 13.361389 38.3 Palermo", ":0\r\n");
    ck_cmd(client, "GEOADD Sicily NX 1 1 Palermo 2 2 Agrigento", ":1\r\n");
    ck_cmd(client, "GEOADD Sicily XX CH 1 1 Palermo 3 3 Nowhere", ":1\r\n");
    ck_cmd(client, "ZSCORE Sicily Nowhere", "$-1\r\n");
    ck_cmd(client, "GEOADD Missing XX 1 1 a", ":0\r\n");
    ck_cmd(client, "EXISTS Missing", ":0\r\n");
    /* Integer members (listpack integers) work as any other. */
    ck_cmd(client, "GEOADD nums 10 20 123 10.1 20.1 -7", ":2\r\n");
    ck_cmd(client, "GEORADIUS nums 10 20 50 km ASC", "*2\r\n$3\r\n123\r\n$2\r\n-7\r\n");
}
END_TEST

START_TEST(test_geoadd_errors)
{
    ck_cmd(client, "GEOADD g 200 100 x",
           "-ERR invalid longitude,latitude pair 200.000000,100.000000\r\n");
    ck_cmd(client, "GEOADD g 10 85.06 x",
           "-ERR invalid longitude,latitude pair 10.000000,85.060000\r\n");
    ck_cmd(client, "GEOADD g 1 2 a 200 0 b",
           "-ERR invalid longitude,latitude pair 200.000000,0.000000\r\n");
    ck_cmd(client, "EXISTS g", ":0\r\n");
    ck_cmd(client, "GEOADD g abc 2 a", "-ERR value is not a valid float\r\n");
    ck_cmd(client, "GEOADD g NX XX 1 2 a", "-ERR syntax error\r\n");
    ck_cmd(client, "GEOADD g 1 2 a 3", "-ERR syntax error\r\n");
    ck_cmd(client, "GEOADD g nx ch xx", "-ERR syntax error\r\n");
    ck_cmd(client, "GEOADD g 1 2", "-ERR wrong number of arguments for 'geoadd' command\r\n");
    ck_cmd(client, "SET s x", "+OK\r\n");
    ck_cmd(client, "GEOADD s 1 2 a",
           "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "GEOPOS s a",
           "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "GEORADIUS s 1 2 3 km",
           "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    /* The band's edges themselves are accepted. */
    char *edges = same("GEOADD g -180 -85.05112878 sw 180 85.05112878 ne");
    ck_assert_str_eq(edges, ":2\r\n");
    free(edges);
    same_free("ZRANGE g 0 -1 WITHSCORES");
    same_free("GEOPOS g sw ne");
    same_free("GEOHASH g sw ne");
}
END_TEST

/* ---- GEODIST, GEOHASH, GEOPOS ---- */

START_TEST(test_geodist_geohash_geopos)
{
    add_sicily(client);
    ck_cmd(client, "GEODIST Sicily Palermo Catania", "$11\r\n166274.1516\r\n");
    ck_cmd(client, "GEODIST Sicily Palermo Catania km", "$8\r\n166.2742\r\n");
    ck_cmd(client, "GEODIST Sicily Palermo Catania KM", "$8\r\n166.2742\r\n");
    ck_cmd(client, "GEODIST Sicily Palermo Catania mi", "$8\r\n103.3182\r\n");
    ck_cmd(client, "GEODIST Sicily Palermo Catania ft", "$11\r\n545518.8700\r\n");
    ck_cmd(client, "GEODIST Sicily Palermo Palermo", "$6\r\n0.0000\r\n");
    ck_cmd(client, "GEODIST Sicily Palermo Nope", "$-1\r\n");
    ck_cmd(client, "GEODIST Nokey a b", "$-1\r\n");
    ck_cmd(client, "GEODIST Sicily Palermo Catania foo",
           "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n");
    ck_cmd(client, "GEODIST Sicily Palermo Catania km x", "-ERR syntax error\r\n");
    ck_cmd(client, "GEOHASH Sicily Palermo Catania Nope",
           "*3\r\n$11\r\nsqc8b49rny0\r\n$11\r\nsqdtr74hyu0\r\n$-1\r\n");
    ck_cmd(client, "GEOHASH Nokey a", "*1\r\n$-1\r\n");
    ck_cmd(client, "GEOHASH Sicily", "*0\r\n");
    ck_cmd(client, "GEOPOS Sicily Palermo Nope",
           "*2\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n"
           "*-1\r\n");
    ck_cmd(client, "GEOPOS Nokey a b", "*2\r\n*-1\r\n*-1\r\n");
}
END_TEST

START_TEST(test_resp3_shapes)
{
    add_sicily(client);
    char *hello = conn_cmd(client, "HELLO 3");
    free(hello);
    ck_cmd(client, "GEOPOS Sicily Palermo Nope",
           "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n");
    ck_cmd(client, "GEODIST Sicily Palermo Catania km", "$8\r\n166.2742\r\n");
    ck_cmd(client, "GEODIST Sicily Palermo Nope", "_\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH COUNT 1",
           "*1\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n"
           "*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n");
    if (ref_client) {
        char *h = conn_cmd(ref_client, "HELLO 3");
        free(h);
        add_sicily(ref_client);
        same_free("GEOPOS Sicily Palermo Catania Nope");
        same_free("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km DESC WITHCOORD WITHDIST");
        same_free("GEOHASH Sicily Palermo x");
        same_free("GEORADIUS nokey 1 1 1 km");
    }
}
END_TEST

/* ---- Searches ---- */

START_TEST(test_georadius_replies)
{
    add_sicily(client);
    ck_cmd(client, "GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH ASC",
           "*2\r\n"
           "*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n"
           "*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n"
           "*4\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n:3479099956230698\r\n"
           "*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 37 200 km DESC",
           "*2\r\n$7\r\nPalermo\r\n$7\r\nCatania\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 37 100 km", "*1\r\n$7\r\nCatania\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 37 1 km", "*0\r\n");
    ck_cmd(client, "GEORADIUS_RO Sicily 15 37 200 km COUNT 1 DESC", "*1\r\n$7\r\nPalermo\r\n");
    ck_cmd(client, "GEORADIUSBYMEMBER Sicily Palermo 200 km WITHDIST",
           "*2\r\n*2\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n*2\r\n$7\r\nCatania\r\n"
           "$8\r\n166.2742\r\n");
    ck_cmd(client, "GEORADIUSBYMEMBER_RO Sicily Catania 100 km", "*1\r\n$7\r\nCatania\r\n");
    ck_cmd(client, "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 400 km ASC WITHDIST",
           "*2\r\n*2\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n*2\r\n$7\r\nCatania\r\n"
           "$8\r\n166.2742\r\n");
    ck_cmd(client, "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC COUNT 1 ANY",
           "*1\r\n$7\r\nPalermo\r\n");
    ck_cmd(client, "GEORADIUS nokey 15 37 200 km", "*0\r\n");
    ck_cmd(client, "GEOSEARCH nokey FROMMEMBER x BYRADIUS 1 km", "*0\r\n");
    ck_cmd(client, "GEORADIUSBYMEMBER nokey x 1 km", "*0\r\n");
}
END_TEST

START_TEST(test_search_errors)
{
    add_sicily(client);
    ck_cmd(client, "GEORADIUS Sicily 15 37 abc km", "-ERR need numeric radius\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 37 -1 km", "-ERR radius cannot be negative\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 37 1 parsec",
           "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 95 1 km",
           "-ERR invalid longitude,latitude pair 15.000000,95.000000\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 37 1 km COUNT 0", "-ERR COUNT must be > 0\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 37 1 km COUNT x",
           "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 37 1 km ANY",
           "-ERR the ANY argument requires COUNT argument\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 37 1 km STORE x WITHDIST",
           "-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and "
           "WITHCOORD options\r\n");
    ck_cmd(client, "GEORADIUS_RO Sicily 15 37 1 km STORE x", "-ERR syntax error\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 37 1 km FOO", "-ERR syntax error\r\n");
    ck_cmd(client, "GEORADIUSBYMEMBER Sicily Nope 1 km",
           "-ERR could not decode requested zset member\r\n");
    ck_cmd(client, "GEOSEARCH Sicily FROMMEMBER Nope BYRADIUS 1 km",
           "-ERR could not decode requested zset member\r\n");
    ck_cmd(client, "GEOSEARCH Sicily BYRADIUS 1 km ASC WITHDIST",
           "-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH\r\n");
    ck_cmd(client, "GEOSEARCH Sicily FROMMEMBER Palermo ASC WITHDIST WITHHASH",
           "-ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH\r\n");
    ck_cmd(client, "GEOSEARCH Sicily FROMMEMBER Palermo FROMLONLAT 1 2 BYRADIUS 1 km",
           "-ERR syntax error\r\n");
    ck_cmd(client, "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1 km BYBOX 1 1 km",
           "-ERR syntax error\r\n");
    ck_cmd(client, "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX -1 2 km",
           "-ERR height or width cannot be negative\r\n");
    ck_cmd(client, "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX a 2 km",
           "-ERR need numeric width\r\n");
    ck_cmd(client, "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 1 b km",
           "-ERR need numeric height\r\n");
    ck_cmd(client, "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1 km STORE x",
           "-ERR syntax error\r\n");
    ck_cmd(client, "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1 km STOREDIST",
           "-ERR syntax error\r\n");
    ck_cmd(client, "GEOSEARCHSTORE d Sicily FROMMEMBER Palermo BYRADIUS 1 km WITHDIST",
           "-ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD "
           "options\r\n");
    ck_cmd(client, "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1",
           "-ERR wrong number of arguments for 'geosearch' command\r\n");
    if (ref_client) {
        add_sicily(ref_client);
        same_free("GEORADIUSBYMEMBER nokey x 1 km STORE d WITHDIST");
        same_free("GEOSEARCH nokey FROMMEMBER x BYRADIUS 1 km WITHHASH");
        same_free("GEOSEARCHSTORE d Sicily FROMMEMBER Palermo BYRADIUS 1 km STOREDIST "
                  "STOREDIST");
        same_free("GEORADIUS Sicily 15 37 1 km STORE a STOREDIST b");
        same_free("GEORADIUS Sicily 15 37 1 km COUNT");
    }
}
END_TEST

START_TEST(test_store_forms)
{
    add_sicily(client);
    ck_cmd(client, "GEORADIUS Sicily 15 37 200 km STORE d1", ":2\r\n");
    ck_cmd(client, "ZRANGE d1 0 -1 WITHSCORES",
           "*4\r\n$7\r\nPalermo\r\n$16\r\n3479099956230698\r\n"
           "$7\r\nCatania\r\n$16\r\n3479447370796909\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 37 200 km STOREDIST d2 COUNT 1", ":1\r\n");
    ck_cmd(client, "ZRANGE d2 0 -1 WITHSCORES",
           "*2\r\n$7\r\nCatania\r\n$18\r\n56.441257870158204\r\n");
    ck_cmd(client, "GEOSEARCHSTORE d3 Sicily FROMMEMBER Palermo BYRADIUS 300 km STOREDIST",
           ":2\r\n");
    ck_cmd(client, "ZRANGE d3 0 -1 WITHSCORES",
           "*4\r\n$7\r\nPalermo\r\n$1\r\n0\r\n$7\r\nCatania\r\n$18\r\n166.27415156960032\r\n");
    /* The destination's TTL goes; an empty result deletes it. */
    ck_cmd(client, "EXPIRE d3 100", ":1\r\n");
    ck_cmd(client, "GEOSEARCHSTORE d3 Sicily FROMLONLAT 15 37 BYBOX 200 200 km", ":1\r\n");
    ck_cmd(client, "TTL d3", ":-1\r\n");
    ck_cmd(client, "GEOSEARCHSTORE d3 Sicily FROMLONLAT 15 37 BYBOX 1 1 km", ":0\r\n");
    ck_cmd(client, "EXISTS d3", ":0\r\n");
    ck_cmd(client, "GEORADIUS nokey 15 37 200 km STORE d1", ":0\r\n");
    ck_cmd(client, "EXISTS d1", ":0\r\n");
    ck_cmd(client, "SET str x", "+OK\r\n");
    ck_cmd(client, "GEOSEARCHSTORE str Sicily FROMLONLAT 15 37 BYBOX 200 200 km", ":1\r\n");
    ck_cmd(client, "TYPE str", "+zset\r\n");
}
END_TEST

START_TEST(test_keyspace_events)
{
    struct conn *sub = conn_open(server->port);
    ck_cmd(client, "CONFIG SET notify-keyspace-events Ez", "+OK\r\n");
    ck_cmd(sub, "PSUBSCRIBE __keyevent@0__:*",
           "*3\r\n$10\r\npsubscribe\r\n$16\r\n__keyevent@0__:*\r\n:1\r\n");
    add_sicily(client);
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n$19\r\n__keyevent@0__:zadd"
                 "\r\n$6\r\nSicily\r\n");
    ck_cmd(client, "GEORADIUS Sicily 15 37 200 km STORE d", ":2\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n"
                 "$29\r\n__keyevent@0__:georadiusstore\r\n$1\r\nd\r\n");
    ck_cmd(client, "GEOSEARCHSTORE e Sicily FROMLONLAT 15 37 BYRADIUS 200 km", ":2\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n"
                 "$29\r\n__keyevent@0__:geosearchstore\r\n$1\r\ne\r\n");
    ck_cmd(client, "GEOADD Sicily 13.361389 38.115556 Palermo", ":0\r\n");
    ck_silent(sub);
    conn_close(sub);
}
END_TEST

START_TEST(test_command_info)
{
    char *got = conn_cmd(client, "COMMAND INFO georadius geosearch geoadd");
    ck_assert_msg(strstr(got, "movablekeys") != NULL, "%s", harness_escape(got));
    free(got);
    ck_cmd(client, "COMMAND GETKEYS georadius g 1 2 3 km store x storedist y",
           "*3\r\n$1\r\ng\r\n$1\r\nx\r\n$1\r\ny\r\n");
    if (ref_client) {
        same_free("COMMAND INFO geoadd geodist geohash geopos georadius georadiusbymember "
                  "georadius_ro georadiusbymember_ro geosearch geosearchstore");
        same_free("COMMAND GETKEYS geosearchstore d s FROMLONLAT 1 2 BYRADIUS 1 km");
        same_free("COMMAND DOCS geoadd geodist geohash geopos georadius georadiusbymember "
                  "georadius_ro georadiusbymember_ro geosearch geosearchstore");
    }
}
END_TEST

/* ---- Randomized comparison with redis-server ---- */

static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;

static double rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / (double)(1ULL << 53);
}

static double rnd_between(double lo, double hi)
{
    return lo + (hi - lo) * rnd();
}

/* Adds n random points around (lon, lat) within about spread degrees to
 * key on both servers; members are "p<i>", some integers. */
/* Many members at a few places: equal distances, whose order with COUNT
 * is that of Redis's partial quicksort, and without it its stable sort. */
START_TEST(test_equal_distances)
{
    if (ref_client == NULL)
        return;
    char line[128];
    for (int i = 0; i < 120; i++) {
        snprintf(line, sizeof(line), "GEOADD dup %d.5 %d.25 m%d", 10 + i % 3, 20 + i % 2, i);
        same_free(line);
    }
    for (int count = 1; count < 130; count += 7) {
        snprintf(line, sizeof(line), "GEORADIUS dup 11 20 500 km COUNT %d", count);
        same_free(line);
        snprintf(line, sizeof(line), "GEOSEARCH dup FROMLONLAT 11 20 BYRADIUS 500 km DESC "
                 "COUNT %d WITHDIST", count);
        same_free(line);
    }
    same_free("GEORADIUS dup 11 20 500 km ASC");
    same_free("GEORADIUS dup 11 20 500 km DESC");
}
END_TEST

static void fuzz_fill(const char *key, double lon, double lat, double spread, int n)
{
    char line[256];
    for (int i = 0; i < n; i++) {
        double x = lon + rnd_between(-spread, spread);
        double y = lat + rnd_between(-spread, spread);
        if (x > 180)
            x -= 360;
        if (x < -180)
            x += 360;
        if (y > 85.05)
            y = 85.05;
        if (y < -85.05)
            y = -85.05;
        if (i % 5 == 0)
            snprintf(line, sizeof(line), "GEOADD %s %.6f %.6f %d", key, x, y, i * 37);
        else
            snprintf(line, sizeof(line), "GEOADD %s %.6f %.6f p%d", key, x, y, i);
        same_free(line);
    }
}

START_TEST(test_fuzz_against_redis)
{
    if (ref_client == NULL)
        return; /* nothing to compare with */
    static const double centers[][2] = {
        {0, 0}, {13.36, 38.11}, {-179.9, 10}, {179.95, -45}, {-73.98, 40.75},
        {10, 84.9}, {-20, -84.5}, {120, 66.5}, {0.0001, -0.0001}, {-122.4, 37.7},
    };
    static const char *const units[] = {"m", "km", "mi", "ft"};
    char line[512];
    int rounds = 0;
    for (size_t ci = 0; ci < sizeof(centers) / sizeof(centers[0]); ci++) {
        same_free("DEL pts");
        double spread = ci % 3 == 0 ? 3 : ci % 3 == 1 ? 0.3 : 40;
        fuzz_fill("pts", centers[ci][0], centers[ci][1], spread, 150);
        same_free("ZRANGE pts 0 -1 WITHSCORES");
        same_free("GEOHASH pts p1 p2 p3 0 37 nope");
        same_free("GEOPOS pts p1 p2 p3 0 37 nope");
        for (int q = 0; q < 40; q++, rounds++) {
            double lon = centers[ci][0] + rnd_between(-spread, spread) / 2;
            double lat = centers[ci][1] + rnd_between(-spread, spread) / 2;
            if (lon > 180)
                lon -= 360;
            if (lon < -180)
                lon += 360;
            if (lat > 85)
                lat = 85;
            if (lat < -85)
                lat = -85;
            const char *unit = units[q % 4];
            double scale = unit[0] == 'm' && unit[1] == '\0' ? 1000 : unit[0] == 'f' ? 3280 : 1;
            double radius = rnd_between(0, spread * 111 * (q % 7 == 0 ? 20 : 1.5)) * scale;
            snprintf(line, sizeof(line), "GEORADIUS pts %.7f %.7f %.4f %s WITHDIST WITHCOORD "
                     "WITHHASH ASC", lon, lat, radius, unit);
            same_free(line);
            snprintf(line, sizeof(line), "GEORADIUS pts %.7f %.7f %.4f %s DESC COUNT %d", lon,
                     lat, radius, unit, 1 + q % 9);
            same_free(line);
            snprintf(line, sizeof(line), "GEORADIUS pts %.7f %.7f %.4f %s", lon, lat, radius,
                     unit);
            same_free(line);
            snprintf(line, sizeof(line), "GEOSEARCH pts FROMLONLAT %.7f %.7f BYBOX %.4f %.4f %s "
                     "WITHDIST ASC", lon, lat, radius * 2, radius * rnd_between(0.2, 3), unit);
            same_free(line);
            snprintf(line, sizeof(line), "GEOSEARCH pts FROMMEMBER p%d BYRADIUS %.4f %s "
                     "COUNT %d ANY WITHHASH", 1 + q % 149 / 5 * 5 + 1, radius, unit, 1 + q % 5);
            same_free(line);
            snprintf(line, sizeof(line), "GEOSEARCHSTORE out pts FROMLONLAT %.7f %.7f BYRADIUS "
                     "%.4f %s STOREDIST", lon, lat, radius, unit);
            same_free(line);
            same_free("ZRANGE out 0 -1 WITHSCORES");
            snprintf(line, sizeof(line), "GEODIST pts p%d p%d %s", 1 + q % 4, 6 + q % 3, unit);
            same_free(line);
        }
    }
    ck_assert_int_gt(rounds, 300);
}
END_TEST

static TCase *tcase_new(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    return tc;
}

int main(void)
{
    Suite *s = suite_create("geo");
    TCase *basic = tcase_new("basic");
    tcase_add_test(basic, test_geoadd_scores_and_options);
    tcase_add_test(basic, test_geoadd_errors);
    tcase_add_test(basic, test_geodist_geohash_geopos);
    tcase_add_test(basic, test_resp3_shapes);
    suite_add_tcase(s, basic);
    TCase *search = tcase_new("search");
    tcase_add_test(search, test_georadius_replies);
    tcase_add_test(search, test_search_errors);
    tcase_add_test(search, test_store_forms);
    tcase_add_test(search, test_keyspace_events);
    tcase_add_test(search, test_command_info);
    suite_add_tcase(s, search);
    TCase *fuzz = tcase_new("fuzz");
    tcase_add_test(fuzz, test_fuzz_against_redis);
    tcase_add_test(fuzz, test_equal_distances);
    suite_add_tcase(s, fuzz);
    return harness_run_suite(s);
}
