/* geohash.h: the geohash arithmetic of Redis 7.0's geo sets.
 *
 * A geo set is a sorted set whose scores are 52-bit geohashes: longitude
 * and latitude each scaled to 26 bits over [-180, 180] and
 * [-85.05112878, 85.05112878] (the Web Mercator band), their bits
 * interleaved with the latitude's in the even positions. This module owns
 * that encoding and its inverse, the neighbouring cells of a cell, the
 * haversine distances (Earth radius 6372797.560856 m), the bounding box of
 * a radius or box search and the nine cells Redis scans for it, and the
 * standard 11-character base32 string GEOHASH replies. The computations
 * follow Redis's step by step so that scores, distances and search results
 * come out bit-identical; the command layer (net/commands/cmd_geo.c) does
 * the zset walking and the replies. */
#ifndef RINGKV_ENGINE_GEOHASH_H
#define RINGKV_ENGINE_GEOHASH_H

#include <stdbool.h>
#include <stdint.h>

#define GEOHASH_STEP_MAX 26 /* bits per coordinate: 52-bit scores */
#define GEOHASH_LAT_MIN (-85.05112878)
#define GEOHASH_LAT_MAX 85.05112878
#define GEOHASH_LON_MIN (-180.0)
#define GEOHASH_LON_MAX 180.0
#define GEOHASH_EARTH_RADIUS_M 6372797.560856
/* GEOHASH's reply: 11 base32 characters. */
#define GEOHASH_STRING_LEN 11

struct geohash_bits {
    uint64_t bits;
    uint8_t step; /* bits per coordinate; 0 with bits 0 is "no cell" */
};

struct geohash_range {
    double min, max;
};

struct geohash_area {
    struct geohash_bits hash;
    struct geohash_range lon, lat;
};

/* The eight cells around one, plus the cell: Redis's scan order is
 * center, north, south, east, west, north-east, north-west, south-east,
 * south-west (geohash_search.cells[0..8]). */
enum geohash_cell {
    GEOHASH_CENTER, GEOHASH_NORTH, GEOHASH_SOUTH, GEOHASH_EAST, GEOHASH_WEST,
    GEOHASH_NORTH_EAST, GEOHASH_NORTH_WEST, GEOHASH_SOUTH_EAST, GEOHASH_SOUTH_WEST,
    GEOHASH_CELLS
};

/* A search shape: a circle of `radius`, or a width x height box, both in
 * the unit whose size in meters is `conversion`, around (lon, lat). */
struct geohash_shape {
    bool box;
    double lon, lat;
    double conversion;
    double radius;
    double width, height;
    double bounds[4]; /* min lon, min lat, max lon, max lat (filled by the search) */
};

/* The cells a search scans; a zeroed cell (bits 0, step 0) is skipped. */
struct geohash_search {
    struct geohash_bits cells[GEOHASH_CELLS];
    struct geohash_area area; /* the center cell's */
};

/* Whether (lon, lat) may be stored in a geo set (GEOADD's range check). */
bool geohash_lonlat_valid(double lon, double lat);
/* Encodes (lon, lat) over the given ranges with step bits each; false when
 * outside the ranges or the storable band (hash left zeroed). */
bool geohash_encode(const struct geohash_range *lon_range, const struct geohash_range *lat_range,
                    double lon, double lat, uint8_t step, struct geohash_bits *hash);
/* The 52-bit score GEOADD stores for (lon, lat); false when invalid. */
bool geohash_score_of(double lon, double lat, uint64_t *score);
/* A hash shifted to 52 bits (the score range of its cell starts there). */
uint64_t geohash_align52(struct geohash_bits hash);
/* The cell of hash over the storage ranges; false for a zeroed hash. */
bool geohash_decode(struct geohash_bits hash, struct geohash_area *area);
/* The point a score stands for (its cell's center, clamped to the band):
 * xy[0] longitude, xy[1] latitude. */
bool geohash_decode_score(double score, double xy[2]);
/* The eight neighbours of hash (cells[1..8] of out; cells[0] is hash). */
void geohash_neighbors(struct geohash_bits hash, struct geohash_bits cells[GEOHASH_CELLS]);

/* Haversine distance in meters between two points (degrees). */
double geohash_distance(double lon1, double lat1, double lon2, double lat2);
/* Distance along a meridian between two latitudes, in meters. */
double geohash_lat_distance(double lat1, double lat2);
/* Whether (lon, lat) lies inside shape; its distance to the center in
 * meters goes to *dist when it does. */
bool geohash_in_shape(const struct geohash_shape *shape, double lon, double lat, double *dist);
/* The cells to scan for shape (fills shape->bounds too). */
void geohash_search_areas(struct geohash_shape *shape, struct geohash_search *out);

/* GEOHASH's string for a stored score: decode, re-encode over the
 * standard [-90, 90] latitude range, base32. Writes 11 characters and a
 * NUL; false when the score cannot be decoded. */
bool geohash_string(double score, char out[GEOHASH_STRING_LEN + 1]);

#endif
