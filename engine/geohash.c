/* geohash.c: geohash encoding, neighbours, distances and search cells,
 * computed in the same order of floating-point operations as Redis 7.0 so
 * that every score and distance is the same double (see geohash.h). */
#include "engine/geohash.h"

#include <math.h>
#include <string.h>

#define GEOHASH_DEG_TO_RAD (M_PI / 180.0)
/* Half the Mercator world's width in meters: the step estimate doubles a
 * radius until it reaches this. */
#define GEOHASH_MERCATOR_MAX 20037726.37

static const struct geohash_range geohash_lon_range = {GEOHASH_LON_MIN, GEOHASH_LON_MAX};
static const struct geohash_range geohash_lat_range = {GEOHASH_LAT_MIN, GEOHASH_LAT_MAX};

static double geohash_rad(double deg)
{
    return deg * GEOHASH_DEG_TO_RAD;
}

static double geohash_deg(double rad)
{
    return rad / GEOHASH_DEG_TO_RAD;
}

/* Spreads the 32 bits of v to the even positions of a 64-bit word. */
static uint64_t geohash_spread(uint32_t v)
{
    uint64_t x = v;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x << 2)) & 0x3333333333333333ULL;
    x = (x | (x << 1)) & 0x5555555555555555ULL;
    return x;
}

/* The inverse: the even bits of v packed into 32 bits. */
static uint32_t geohash_squash(uint64_t v)
{
    uint64_t x = v & 0x5555555555555555ULL;
    x = (x | (x >> 1)) & 0x3333333333333333ULL;
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
    return (uint32_t)x;
}

bool geohash_lonlat_valid(double lon, double lat)
{
    return !(lon < GEOHASH_LON_MIN || lon > GEOHASH_LON_MAX || lat < GEOHASH_LAT_MIN ||
             lat > GEOHASH_LAT_MAX);
}

bool geohash_encode(const struct geohash_range *lon_range, const struct geohash_range *lat_range,
                    double lon, double lat, uint8_t step, struct geohash_bits *hash)
{
    hash->bits = 0;
    hash->step = 0;
    if (step == 0 || step > 32)
        return false;
    if (lon > GEOHASH_LON_MAX || lon < GEOHASH_LON_MIN || lat > GEOHASH_LAT_MAX ||
        lat < GEOHASH_LAT_MIN)
        return false;
    hash->step = step;
    if (lat < lat_range->min || lat > lat_range->max || lon < lon_range->min ||
        lon > lon_range->max)
        return false;
    double lat_offset = (lat - lat_range->min) / (lat_range->max - lat_range->min);
    double lon_offset = (lon - lon_range->min) / (lon_range->max - lon_range->min);
    lat_offset *= (double)(1ULL << step);
    lon_offset *= (double)(1ULL << step);
    hash->bits = geohash_spread((uint32_t)lat_offset) | (geohash_spread((uint32_t)lon_offset) << 1);
    return true;
}

uint64_t geohash_align52(struct geohash_bits hash)
{
    return hash.bits << (52 - hash.step * 2);
}

bool geohash_score_of(double lon, double lat, uint64_t *score)
{
    struct geohash_bits hash;
    if (!geohash_encode(&geohash_lon_range, &geohash_lat_range, lon, lat, GEOHASH_STEP_MAX, &hash))
        return false;
    *score = geohash_align52(hash);
    return true;
}

/* The cell of hash over the given ranges. */
static bool geohash_decode_over(const struct geohash_range *lon_range,
                                const struct geohash_range *lat_range, struct geohash_bits hash,
                                struct geohash_area *area)
{
    if (hash.bits == 0 && hash.step == 0)
        return false;
    area->hash = hash;
    uint32_t ilat = geohash_squash(hash.bits);
    uint32_t ilon = geohash_squash(hash.bits >> 1);
    double lat_scale = lat_range->max - lat_range->min;
    double lon_scale = lon_range->max - lon_range->min;
    double cells = (double)(1ULL << hash.step);
    area->lat.min = lat_range->min + (ilat * 1.0 / cells) * lat_scale;
    area->lat.max = lat_range->min + ((ilat + 1) * 1.0 / cells) * lat_scale;
    area->lon.min = lon_range->min + (ilon * 1.0 / cells) * lon_scale;
    area->lon.max = lon_range->min + ((ilon + 1) * 1.0 / cells) * lon_scale;
    return true;
}

bool geohash_decode(struct geohash_bits hash, struct geohash_area *area)
{
    return geohash_decode_over(&geohash_lon_range, &geohash_lat_range, hash, area);
}

bool geohash_decode_score(double score, double xy[2])
{
    struct geohash_bits hash = {.bits = (uint64_t)score, .step = GEOHASH_STEP_MAX};
    struct geohash_area area;
    if (!geohash_decode(hash, &area))
        return false;
    xy[0] = (area.lon.min + area.lon.max) / 2;
    if (xy[0] > GEOHASH_LON_MAX)
        xy[0] = GEOHASH_LON_MAX;
    if (xy[0] < GEOHASH_LON_MIN)
        xy[0] = GEOHASH_LON_MIN;
    xy[1] = (area.lat.min + area.lat.max) / 2;
    if (xy[1] > GEOHASH_LAT_MAX)
        xy[1] = GEOHASH_LAT_MAX;
    if (xy[1] < GEOHASH_LAT_MIN)
        xy[1] = GEOHASH_LAT_MIN;
    return true;
}

/* Moves a cell one step east (d > 0) or west (d < 0): the longitude bits
 * are the odd ones; the move wraps around within the step's width. */
static void geohash_move_x(struct geohash_bits *hash, int d)
{
    uint64_t x = hash->bits & 0xaaaaaaaaaaaaaaaaULL;
    uint64_t y = hash->bits & 0x5555555555555555ULL;
    uint64_t zz = 0x5555555555555555ULL >> (64 - hash->step * 2);
    if (d > 0) {
        x = x + (zz + 1);
    } else {
        x = x | zz;
        x = x - (zz + 1);
    }
    x &= 0xaaaaaaaaaaaaaaaaULL >> (64 - hash->step * 2);
    hash->bits = x | y;
}

/* One step north (d > 0) or south (d < 0): the even, latitude bits. */
static void geohash_move_y(struct geohash_bits *hash, int d)
{
    uint64_t x = hash->bits & 0xaaaaaaaaaaaaaaaaULL;
    uint64_t y = hash->bits & 0x5555555555555555ULL;
    uint64_t zz = 0xaaaaaaaaaaaaaaaaULL >> (64 - hash->step * 2);
    if (d > 0) {
        y = y + (zz + 1);
    } else {
        y = y | zz;
        y = y - (zz + 1);
    }
    y &= 0x5555555555555555ULL >> (64 - hash->step * 2);
    hash->bits = x | y;
}

void geohash_neighbors(struct geohash_bits hash, struct geohash_bits cells[GEOHASH_CELLS])
{
    static const int moves[GEOHASH_CELLS][2] = {
        [GEOHASH_CENTER] = {0, 0},      [GEOHASH_NORTH] = {0, 1},
        [GEOHASH_SOUTH] = {0, -1},      [GEOHASH_EAST] = {1, 0},
        [GEOHASH_WEST] = {-1, 0},       [GEOHASH_NORTH_EAST] = {1, 1},
        [GEOHASH_NORTH_WEST] = {-1, 1}, [GEOHASH_SOUTH_EAST] = {1, -1},
        [GEOHASH_SOUTH_WEST] = {-1, -1},
    };
    for (int i = 0; i < GEOHASH_CELLS; i++) {
        cells[i] = hash;
        if (moves[i][0])
            geohash_move_x(&cells[i], moves[i][0]);
        if (moves[i][1])
            geohash_move_y(&cells[i], moves[i][1]);
    }
}

double geohash_lat_distance(double lat1, double lat2)
{
    return GEOHASH_EARTH_RADIUS_M * fabs(geohash_rad(lat2) - geohash_rad(lat1));
}

double geohash_distance(double lon1, double lat1, double lon2, double lat2)
{
    double lon1r = geohash_rad(lon1);
    double lon2r = geohash_rad(lon2);
    double v = sin((lon2r - lon1r) / 2);
    /* Same meridian: the haversine reduces to the latitude difference
     * (Redis takes this shortcut, so its results are these). */
    if (v == 0.0)
        return geohash_lat_distance(lat1, lat2);
    double lat1r = geohash_rad(lat1);
    double lat2r = geohash_rad(lat2);
    double u = sin((lat2r - lat1r) / 2);
    double a = u * u + cos(lat1r) * cos(lat2r) * v * v;
    return 2.0 * GEOHASH_EARTH_RADIUS_M * asin(sqrt(a));
}

bool geohash_in_shape(const struct geohash_shape *shape, double lon, double lat, double *dist)
{
    if (!shape->box) {
        double d = geohash_distance(shape->lon, shape->lat, lon, lat);
        if (d > shape->radius * shape->conversion)
            return false;
        *dist = d;
        return true;
    }
    double width_m = shape->width * shape->conversion;
    double height_m = shape->height * shape->conversion;
    /* The latitude test is the cheaper one, so it goes first. */
    if (geohash_lat_distance(lat, shape->lat) > height_m / 2)
        return false;
    if (geohash_distance(lon, lat, shape->lon, lat) > width_m / 2)
        return false;
    *dist = geohash_distance(shape->lon, shape->lat, lon, lat);
    return true;
}

/* The step (bits per coordinate) whose cells are about the search's size. */
static int geohash_estimate_steps(double range_m, double lat)
{
    if (range_m == 0)
        return 26;
    int step = 1;
    while (range_m < GEOHASH_MERCATOR_MAX) {
        range_m *= 2;
        step++;
    }
    step -= 2; /* so the range falls inside most base cases */
    /* Meridians converge towards the poles: wider cells there. */
    if (lat > 66 || lat < -66) {
        step--;
        if (lat > 80 || lat < -80)
            step--;
    }
    if (step < 1)
        step = 1;
    if (step > 26)
        step = 26;
    return step;
}

/* The shape's bounding box in degrees: the box is wider on the side
 * nearer the equator, so the hemisphere picks which edge sets it. */
static void geohash_bounding_box(struct geohash_shape *shape)
{
    double half_h = shape->conversion * (shape->box ? shape->height / 2 : shape->radius);
    double half_w = shape->conversion * (shape->box ? shape->width / 2 : shape->radius);
    double lat_delta = geohash_deg(half_h / GEOHASH_EARTH_RADIUS_M);
    double lon_delta_top =
        geohash_deg(half_w / GEOHASH_EARTH_RADIUS_M / cos(geohash_rad(shape->lat + lat_delta)));
    double lon_delta_bottom =
        geohash_deg(half_w / GEOHASH_EARTH_RADIUS_M / cos(geohash_rad(shape->lat - lat_delta)));
    bool southern = shape->lat < 0;
    shape->bounds[0] = southern ? shape->lon - lon_delta_bottom : shape->lon - lon_delta_top;
    shape->bounds[2] = southern ? shape->lon + lon_delta_bottom : shape->lon + lon_delta_top;
    shape->bounds[1] = shape->lat - lat_delta;
    shape->bounds[3] = shape->lat + lat_delta;
}

/* The center cell at step and its neighbours. */
static void geohash_cells_at(const struct geohash_shape *shape, int step,
                             struct geohash_search *out)
{
    struct geohash_bits hash;
    geohash_encode(&geohash_lon_range, &geohash_lat_range, shape->lon, shape->lat, (uint8_t)step,
                   &hash);
    geohash_neighbors(hash, out->cells);
    geohash_decode(hash, &out->area);
}

static void geohash_zero(struct geohash_bits *cell)
{
    cell->bits = 0;
    cell->step = 0;
}

void geohash_search_areas(struct geohash_shape *shape, struct geohash_search *out)
{
    geohash_bounding_box(shape);
    double min_lon = shape->bounds[0], min_lat = shape->bounds[1];
    double max_lon = shape->bounds[2], max_lat = shape->bounds[3];
    double radius_m = shape->box ? sqrt((shape->width / 2) * (shape->width / 2) +
                                        (shape->height / 2) * (shape->height / 2))
                                 : shape->radius;
    radius_m *= shape->conversion;
    int step = geohash_estimate_steps(radius_m, shape->lat);
    geohash_cells_at(shape, step, out);

    /* Near a cell's edge the estimate can be one step too fine: a
     * neighbour would not reach the box's edge. Then go one coarser. */
    struct geohash_area n, s, e, w;
    geohash_decode(out->cells[GEOHASH_NORTH], &n);
    geohash_decode(out->cells[GEOHASH_SOUTH], &s);
    geohash_decode(out->cells[GEOHASH_EAST], &e);
    geohash_decode(out->cells[GEOHASH_WEST], &w);
    bool coarser = n.lat.max < max_lat || s.lat.min > min_lat || e.lon.max < max_lon ||
                   w.lon.min > min_lon;
    if (step > 1 && coarser) {
        step--;
        geohash_cells_at(shape, step, out);
    }

    /* Drop the neighbours the box cannot reach. */
    if (step >= 2) {
        struct geohash_area *a = &out->area;
        if (a->lat.min < min_lat) {
            geohash_zero(&out->cells[GEOHASH_SOUTH]);
            geohash_zero(&out->cells[GEOHASH_SOUTH_WEST]);
            geohash_zero(&out->cells[GEOHASH_SOUTH_EAST]);
        }
        if (a->lat.max > max_lat) {
            geohash_zero(&out->cells[GEOHASH_NORTH]);
            geohash_zero(&out->cells[GEOHASH_NORTH_EAST]);
            geohash_zero(&out->cells[GEOHASH_NORTH_WEST]);
        }
        if (a->lon.min < min_lon) {
            geohash_zero(&out->cells[GEOHASH_WEST]);
            geohash_zero(&out->cells[GEOHASH_SOUTH_WEST]);
            geohash_zero(&out->cells[GEOHASH_NORTH_WEST]);
        }
        if (a->lon.max > max_lon) {
            geohash_zero(&out->cells[GEOHASH_EAST]);
            geohash_zero(&out->cells[GEOHASH_SOUTH_EAST]);
            geohash_zero(&out->cells[GEOHASH_NORTH_EAST]);
        }
    }
}

bool geohash_string(double score, char out[GEOHASH_STRING_LEN + 1])
{
    static const char alphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
    double xy[2];
    if (!geohash_decode_score(score, xy))
        return false;
    /* Stored hashes use the Mercator latitude band; the standard string
     * is over [-90, 90], so encode the point again over that range. */
    struct geohash_range lon_range = {-180, 180}, lat_range = {-90, 90};
    struct geohash_bits hash;
    geohash_encode(&lon_range, &lat_range, xy[0], xy[1], 26, &hash);
    for (int i = 0; i < GEOHASH_STRING_LEN; i++) {
        /* 52 bits make 10 characters and 2 bits; the 11th is '0' as
         * Redis (and the usual 11-character length) has it. */
        int idx = i == 10 ? 0 : (int)((hash.bits >> (52 - (i + 1) * 5)) & 0x1f);
        out[i] = alphabet[idx];
    }
    out[GEOHASH_STRING_LEN] = '\0';
    return true;
}
