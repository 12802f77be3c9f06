/* resp_request_fuzz.c: libFuzzer target for the RESP request parser
 * (net/wire/resp.c: resp_request_init, resp_parse, resp_request_reset).
 * fuzz-links: wire
 *
 * Input layout: byte 0 picks the limits (bit 0: authenticated; bits 1-2:
 * proto-max-bulk-len), byte 1 the number of cuts (0-15), then one byte per
 * cut giving the gap to the next cut; the rest is the byte stream a client
 * sends. The stream is fed as a connection's query buffer grows: each cut
 * appends bytes, and every call sees all the unconsumed bytes so far, in a
 * fresh allocation each time (so ASan catches a pointer kept into the old
 * one). After DONE the command's bytes are dropped and the parser reset;
 * after BAD the connection is over.
 *
 * Oracle, besides ASan/UBSan and the parser's own asserts: the outcome
 * (commands, then an error or the bytes left waiting) is hashed as a
 * transcript, and it must not depend on the cuts. Redis's own "too big"
 * checks depend on how much has arrived, so the comparison is made only
 * for streams shorter than RESP_INLINE_BYTES_MAX. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/wire/resp.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_CUTS_MAX 15
#define FUZZ_HASH_INIT 0xcbf29ce484222325ULL

static const long long fuzz_bulk_max[4] = {512LL * 1024 * 1024, 1024 * 1024, 100, 0};

static uint64_t hash_bytes(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t hash_u64(uint64_t h, uint64_t v)
{
    return hash_bytes(h, &v, sizeof(v));
}

/* Returns a fresh malloc'd copy of old[0..old_len) + add[0..add_len) and
 * frees old. */
static char *buffer_moved(char *old, size_t old_len, const char *add, size_t add_len)
{
    char *fresh = malloc(old_len + add_len + 1);
    FUZZ_REQUIRE(fresh != NULL);
    if (old_len > 0)
        memcpy(fresh, old, old_len);
    if (add_len > 0)
        memcpy(fresh + old_len, add, add_len);
    free(old);
    return fresh;
}

/* The parser's promises about one DONE. */
static void check_done(const struct resp_request *r, const char *buf, size_t len)
{
    FUZZ_REQUIRE(r->consumed > 0);
    FUZZ_REQUIRE(r->consumed <= len);
    FUZZ_REQUIRE(r->argc >= 0);
    FUZZ_REQUIRE(r->argc <= RESP_ARGS_MAX);
    if (!r->authenticated)
        FUZZ_REQUIRE(r->argc <= RESP_UNAUTH_ARGS_MAX || buf[0] != '*');
    bool multibulk = buf[0] == '*';
    for (int i = 0; i < r->argc; i++) {
        const struct resp_arg *a = &r->argv[i];
        FUZZ_REQUIRE(a->ptr != NULL || a->len == 0);
        if (multibulk) {
            /* Bulk arguments point into the buffer, inside the command. */
            FUZZ_REQUIRE(a->ptr >= buf);
            FUZZ_REQUIRE(a->len <= r->consumed);
            FUZZ_REQUIRE((size_t)(a->ptr - buf) <= r->consumed - a->len);
            FUZZ_REQUIRE(a->len <= (unsigned long long)r->bulk_bytes_max);
        }
        if (a->len > 0) /* touch every byte: ASan checks the span */
            (void)hash_bytes(0, a->ptr, a->len);
    }
}

/* Parses what the buffer holds. Returns false once the parser failed. */
static bool parse_all(struct resp_request *r, char **buf, size_t *len, uint64_t *h)
{
    while (*len > 0) {
        enum resp_parse_result result = resp_parse(r, *buf, *len);
        if (r->bulk_expected_bytes > 0) {
            FUZZ_REQUIRE(result == RESP_PARSE_MORE);
            FUZZ_REQUIRE(r->bulk_start <= *len);
            FUZZ_REQUIRE(*len - r->bulk_start < r->bulk_expected_bytes + 2);
        }
        if (result == RESP_PARSE_MORE)
            return true;
        if (result == RESP_PARSE_BAD) {
            FUZZ_REQUIRE(r->error != NULL);
            *h = hash_bytes(hash_u64(*h, 'E'), r->error, strlen(r->error));
            return false;
        }
        FUZZ_REQUIRE(result == RESP_PARSE_DONE);
        check_done(r, *buf, *len);
        *h = hash_u64(hash_u64(*h, 'C'), (uint64_t)r->argc);
        for (int i = 0; i < r->argc; i++)
            *h = hash_bytes(hash_u64(*h, r->argv[i].len), r->argv[i].ptr, r->argv[i].len);
        size_t rest = *len - r->consumed;
        char *next = buffer_moved(NULL, 0, *buf + r->consumed, rest);
        free(*buf);
        *buf = next;
        *len = rest;
        resp_request_reset(r);
    }
    return true;
}

/* Feeds stream[0..len) cut at the increasing offsets in cuts; returns the
 * transcript's hash. */
static uint64_t drive(const char *stream, size_t len, const size_t *cuts, size_t cut_count,
                      bool authenticated, long long bulk_max)
{
    struct resp_request r;
    resp_request_init(&r, bulk_max);
    r.authenticated = authenticated;
    char *buf = NULL;
    size_t buf_len = 0, fed = 0;
    uint64_t h = FUZZ_HASH_INIT;
    bool alive = true;
    for (size_t k = 0; k <= cut_count && alive; k++) {
        size_t upto = k < cut_count ? cuts[k] : len;
        buf = buffer_moved(buf, buf_len, stream + fed, upto - fed);
        buf_len += upto - fed;
        fed = upto;
        alive = parse_all(&r, &buf, &buf_len, &h);
    }
    if (alive)
        h = hash_u64(hash_u64(h, 'M'), buf_len);
    free(buf);
    resp_request_free(&r);
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    bool authenticated = data[0] & 1;
    long long bulk_max = fuzz_bulk_max[(data[0] >> 1) & 3];
    size_t cut_count = data[1] % (FUZZ_CUTS_MAX + 1);
    if (size < 2 + cut_count)
        return 0;
    const char *stream = (const char *)data + 2 + cut_count;
    size_t len = size - 2 - cut_count;
    size_t cuts[FUZZ_CUTS_MAX], at = 0;
    for (size_t i = 0; i < cut_count; i++) {
        at += data[2 + i];
        cuts[i] = at < len ? at : len;
    }
    uint64_t split = drive(stream, len, cuts, cut_count, authenticated, bulk_max);
    if (cut_count == 0 || len >= RESP_INLINE_BYTES_MAX)
        return 0;
    uint64_t whole = drive(stream, len, NULL, 0, authenticated, bulk_max);
    FUZZ_REQUIRE(split == whole);
    return 0;
}
