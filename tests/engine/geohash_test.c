/* geohash_test.c: engine/geohash.h: the scores, strings and distances
 * redis-server 7.0.15 gives for known places (read off GEOADD, GEOHASH and
 * GEODIST), round trips, neighbours, and that the cells a search scans
 * cover every point inside its shape. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/geohash.h"
#include "tests/unit.h"

/* A uniform double in [0, 1). */
static double test_rng_double(struct test_rng *rng)
{
    return (double)(test_rng_next(rng) >> 11) / (double)(1ULL << 53);
}

START_TEST(test_known_scores_and_strings)
{
    uint64_t score;
    ck_assert(geohash_score_of(13.361389, 38.115556, &score));
    ck_assert_uint_eq(score, 3479099956230698ULL);
    ck_assert(geohash_score_of(15.087269, 37.502669, &score));
    ck_assert_uint_eq(score, 3479447370796909ULL);
    char text[GEOHASH_STRING_LEN + 1];
    ck_assert(geohash_string(3479099956230698.0, text));
    ck_assert_str_eq(text, "sqc8b49rny0");
    ck_assert(geohash_string(3479447370796909.0, text));
    ck_assert_str_eq(text, "sqdtr74hyu0");
    double xy[2];
    ck_assert(geohash_decode_score(3479099956230698.0, xy));
    char buf[64];
    snprintf(buf, sizeof(buf), "%.17Lf %.17Lf", (long double)xy[0], (long double)xy[1]);
    ck_assert_str_eq(buf, "13.36138933897018433 38.11555639549629859");
}
END_TEST

START_TEST(test_range_checks)
{
    uint64_t score;
    ck_assert(!geohash_score_of(180.0001, 0, &score));
    ck_assert(!geohash_score_of(0, 85.06, &score));
    ck_assert(!geohash_score_of(0, -85.06, &score));
    ck_assert(geohash_score_of(-180, -85.05112878, &score));
    ck_assert_uint_eq(score, 0);
    ck_assert(geohash_score_of(180, 85.05112878, &score));
    ck_assert(geohash_lonlat_valid(180, 85.05112878));
    ck_assert(!geohash_lonlat_valid(-180.5, 0));
}
END_TEST

START_TEST(test_distance)
{
    double a[2], b[2];
    ck_assert(geohash_decode_score(3479099956230698.0, a));
    ck_assert(geohash_decode_score(3479447370796909.0, b));
    char buf[64];
    snprintf(buf, sizeof(buf), "%.4f", geohash_distance(a[0], a[1], b[0], b[1]));
    ck_assert_str_eq(buf, "166274.1516");
    /* Same meridian: the latitude formula. */
    ck_assert(geohash_distance(10, 0, 10, 1) == geohash_lat_distance(0, 1));
    ck_assert(geohash_distance(1, 2, 1, 2) == 0);
}
END_TEST

START_TEST(test_round_trip_and_neighbors)
{
    struct test_rng rng;
    test_rng_init(&rng, 0x6e0);
    for (int i = 0; i < 100000; i++) {
        double lon = -180 + 360 * test_rng_double(&rng);
        double lat = -85 + 170 * test_rng_double(&rng);
        uint64_t score;
        TEST_CHECK(geohash_score_of(lon, lat, &score));
        TEST_CHECK(score < (1ULL << 52));
        double xy[2];
        TEST_CHECK(geohash_decode_score((double)score, xy));
        /* A 26-bit cell is under 6e-6 degrees of longitude wide. */
        TEST_CHECK(fabs(xy[0] - lon) < 6e-6 && fabs(xy[1] - lat) < 3e-6);
        struct geohash_bits hash = {.bits = score, .step = GEOHASH_STEP_MAX};
        struct geohash_bits cells[GEOHASH_CELLS];
        geohash_neighbors(hash, cells);
        struct geohash_area c, n, e;
        TEST_CHECK(geohash_decode(cells[GEOHASH_CENTER], &c));
        TEST_CHECK(geohash_decode(cells[GEOHASH_NORTH], &n));
        TEST_CHECK(geohash_decode(cells[GEOHASH_EAST], &e));
        if (c.lat.max < GEOHASH_LAT_MAX - 1)
            TEST_CHECK(fabs(n.lat.min - c.lat.max) < 1e-9 && n.lon.min == c.lon.min);
        if (c.lon.max < GEOHASH_LON_MAX - 1)
            TEST_CHECK(fabs(e.lon.min - c.lon.max) < 1e-9 && e.lat.min == c.lat.min);
    }
}
END_TEST

/* Whether score falls in one of the search's cells. */
static bool covered(const struct geohash_search *s, uint64_t score)
{
    for (int i = 0; i < GEOHASH_CELLS; i++) {
        struct geohash_bits cell = s->cells[i];
        if (cell.bits == 0 && cell.step == 0)
            continue;
        uint64_t min = geohash_align52(cell);
        cell.bits++;
        uint64_t max = geohash_align52(cell);
        if (score >= min && score < max)
            return true;
    }
    return false;
}

START_TEST(test_search_cells_cover_the_shape)
{
    struct test_rng rng;
    test_rng_init(&rng, 0x5ea7c4);
    int inside = 0;
    for (int round = 0; round < 2000; round++) {
        struct geohash_shape shape = {0};
        shape.lon = -170 + 340 * test_rng_double(&rng);
        shape.lat = -80 + 160 * test_rng_double(&rng);
        shape.conversion = 1000;
        shape.box = round % 2 == 1;
        double size = 500 * test_rng_double(&rng) * test_rng_double(&rng);
        shape.radius = size;
        shape.width = size * 2 * test_rng_double(&rng);
        shape.height = size * 2 * test_rng_double(&rng);
        struct geohash_search s;
        geohash_search_areas(&shape, &s);
        for (int k = 0; k < 200; k++) {
            double dlon = (test_rng_double(&rng) - 0.5) * size / 40;
            double dlat = (test_rng_double(&rng) - 0.5) * size / 60;
            double lon = shape.lon + dlon, lat = shape.lat + dlat;
            uint64_t score;
            if (!geohash_score_of(lon, lat, &score))
                continue;
            double xy[2], dist;
            geohash_decode_score((double)score, xy);
            if (!geohash_in_shape(&shape, xy[0], xy[1], &dist))
                continue;
            inside++;
            TEST_CHECK(covered(&s, score));
        }
    }
    ck_assert_int_gt(inside, 10000);
}
END_TEST

static Suite *geohash_suite(void)
{
    Suite *s = suite_create("geohash");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_known_scores_and_strings);
    tcase_add_test(tc, test_range_checks);
    tcase_add_test(tc, test_distance);
    tcase_add_test(tc, test_round_trip_and_neighbors);
    tcase_add_test(tc, test_search_cells_cover_the_shape);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(geohash_suite)
