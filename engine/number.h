/* number.h: Redis's exact rules for turning numbers into text and back.
 *
 * Replies and stored values must match Redis byte for byte, so these follow
 * Redis 7.0's util.c: string2ll (strict: no '+', no spaces, no leading
 * zeros, no overflow), ld2string (INCRBYFLOAT: %.17Lf with trailing zeros
 * removed) and the %.17g double format. */
#ifndef RINGKV_ENGINE_NUMBER_H
#define RINGKV_ENGINE_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

/* Longest text number_format_* can produce, NUL included. */
#define NUMBER_TEXT_BYTES_MAX 5200

/* Parses a canonical decimal long long. */
bool number_parse_ll(const char *s, size_t len, long long *out);
/* Parses a double as Redis's getDoubleFromObject does (strtod on the whole
 * string, no spaces, not NaN; "inf"/"-inf" allowed). */
bool number_parse_double(const char *s, size_t len, double *out);
/* Parses a long double as Redis's string2ld (INCRBYFLOAT): rejects NaN,
 * spaces and trailing garbage. */
bool number_parse_long_double(const char *s, size_t len, long double *out);

/* Writes value in decimal into buf (at least 21 bytes); returns the length. */
size_t number_format_ll(char *buf, long long value);
/* Redis's ld2string in LD_STR_HUMAN mode (INCRBYFLOAT results). Returns
 * length, or 0 if the value is not finite. buf holds NUMBER_TEXT_BYTES_MAX. */
size_t number_format_long_double(char *buf, long double value);
/* %.17g as Redis's addReplyDouble uses in RESP2 (and "inf"/"-inf"). */
size_t number_format_double(char *buf, size_t buf_len, double value);

#endif
