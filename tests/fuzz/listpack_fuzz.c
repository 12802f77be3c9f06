/* listpack_fuzz.c: libFuzzer target for the listpack validator
 * (engine/listpack.c: listpack_validate, deep and shallow).
 * fuzz-links: engine
 *
 * The input is a listpack blob, as it arrives in an RDB file or a DUMP
 * payload. The blob is copied into an allocation of exactly its size, so
 * ASan sees any read past it. A blob that passes deep validation is
 * walked with every reader the value types use (forwards, backwards,
 * seek, get, get_text, find, count), and must pass shallow validation too;
 * listpack.h promises those readers never leave a validated blob, so any
 * assert or ASan report there is a validation hole. Deep validation is
 * also run with a per-entry check that refuses at a chosen entry. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/listpack.h"
#include "tests/fuzz/fuzz.h"

struct stop_at {
    size_t calls;
    size_t stop;
};

static bool check_stop_at(const unsigned char *p, size_t header_count, void *ctx)
{
    struct stop_at *s = ctx;
    (void)p;
    (void)header_count;
    return s->calls++ != s->stop;
}

static void walk(unsigned char *lp, size_t len)
{
    char buf[LISTPACK_INTEGER_TEXT_BYTES];
    struct listpack_entry e;
    size_t text_len, forward = 0, backward = 0;
    FUZZ_REQUIRE(listpack_bytes(lp) == len);
    for (unsigned char *p = listpack_first(lp); p != NULL; p = listpack_next(lp, p)) {
        FUZZ_REQUIRE(p > lp && p < lp + len - 1);
        listpack_get(p, &e);
        const unsigned char *s = listpack_get_text(p, &text_len, buf);
        FUZZ_REQUIRE(listpack_entry_equals(p, s, text_len));
        if (e.str != NULL)
            FUZZ_REQUIRE(e.str > lp && e.str + e.len < lp + len);
        FUZZ_REQUIRE(listpack_find(lp, listpack_first(lp), s, text_len, 0) != NULL);
        forward++;
    }
    for (unsigned char *p = listpack_last(lp); p != NULL; p = listpack_prev(lp, p))
        backward++;
    FUZZ_REQUIRE(forward == backward);
    FUZZ_REQUIRE(listpack_count(lp) == forward);
    if (forward > 0) {
        FUZZ_REQUIRE(listpack_seek(lp, 0) == listpack_first(lp));
        FUZZ_REQUIRE(listpack_seek(lp, -1) == listpack_last(lp));
        FUZZ_REQUIRE(listpack_seek(lp, (long)forward / 2) != NULL);
        FUZZ_REQUIRE(listpack_seek(lp, -(long)forward / 2 - 1) != NULL);
    }
    FUZZ_REQUIRE(listpack_seek(lp, (long)forward) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *blob = malloc(size ? size : 1);
    FUZZ_REQUIRE(blob != NULL);
    if (size > 0)
        memcpy(blob, data, size);
    bool shallow = listpack_validate(blob, size, false, NULL, NULL);
    bool deep = listpack_validate(blob, size, true, NULL, NULL);
    if (deep) {
        FUZZ_REQUIRE(shallow);
        /* A check refusing entry number stop turns a pass into a refusal
         * exactly when the blob has more than stop entries. */
        struct stop_at s = {0, size > 0 ? data[0] % 8 : 0};
        bool stopped = !listpack_validate(blob, size, true, check_stop_at, &s);
        unsigned char *lp = listpack_from_bytes(blob, size);
        walk(lp, size);
        FUZZ_REQUIRE(stopped == (listpack_count(lp) > s.stop));
        listpack_free(lp);
    }
    free(blob);
    return 0;
}
