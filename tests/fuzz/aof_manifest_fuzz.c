/* aof_manifest_fuzz.c: libFuzzer target for the AOF manifest parser
 * (engine/aof_manifest.c: aof_manifest_parse).
 * fuzz-links: engine
 *
 * The input is a manifest file's text. A rejected manifest must say why
 * and where, within the text. An accepted one is written back with
 * aof_manifest_serialise, which must parse again to the same manifest and
 * serialise to the same bytes; a copy and the rewrite edits (new base,
 * incr files moved to history) must keep it serialisable and parseable. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/aof_manifest.h"
#include "tests/fuzz/fuzz.h"

static bool file_info_equal(const struct aof_file_info *a, const struct aof_file_info *b)
{
    return a->seq == b->seq && a->type == b->type && strcmp(a->name, b->name) == 0;
}

static bool list_equal(const struct aof_file_list *a, const struct aof_file_list *b)
{
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++) {
        if (!file_info_equal(&a->items[i], &b->items[i]))
            return false;
    }
    return true;
}

static bool manifest_equal(const struct aof_manifest *a, const struct aof_manifest *b)
{
    if (a->has_base != b->has_base || (a->has_base && !file_info_equal(&a->base, &b->base)))
        return false;
    return list_equal(&a->history, &b->history) && list_equal(&a->incr, &b->incr) &&
           a->base_seq == b->base_seq && a->incr_seq == b->incr_seq;
}

/* Serialises m; the text must parse back to m and serialise identically. */
static void check_round_trip(const struct aof_manifest *m)
{
    struct aof_buffer text, again_text;
    struct aof_manifest again;
    struct aof_manifest_error err;
    aof_buffer_init(&text);
    aof_buffer_init(&again_text);
    aof_manifest_init(&again);
    aof_manifest_serialise(m, &text);
    if (text.len == 0) {
        FUZZ_REQUIRE(aof_manifest_load_count(m) == 0 && m->history.count == 0);
    } else {
        enum aof_manifest_parse_result r = aof_manifest_parse(&again, text.data, text.len, &err);
        if (r != AOF_MANIFEST_PARSE_OK)
            fprintf(stderr, "reparse: line %d: %s\n", err.line, err.reason);
        FUZZ_REQUIRE(r == AOF_MANIFEST_PARSE_OK);
        FUZZ_REQUIRE(list_equal(&again.incr, &m->incr));
        FUZZ_REQUIRE(list_equal(&again.history, &m->history));
        FUZZ_REQUIRE(again.has_base == m->has_base);
        FUZZ_REQUIRE(!m->has_base || file_info_equal(&again.base, &m->base));
        aof_manifest_serialise(&again, &again_text);
        FUZZ_REQUIRE(again_text.len == text.len);
        FUZZ_REQUIRE(memcmp(again_text.data, text.data, text.len) == 0);
    }
    aof_manifest_free(&again);
    aof_buffer_free(&again_text);
    aof_buffer_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct aof_manifest m;
    struct aof_manifest_error err;
    aof_manifest_init(&m);
    enum aof_manifest_parse_result r = aof_manifest_parse(&m, (const char *)data, size, &err);
    if (r != AOF_MANIFEST_PARSE_OK) {
        FUZZ_REQUIRE(r == AOF_MANIFEST_PARSE_BAD);
        FUZZ_REQUIRE(err.reason != NULL);
        FUZZ_REQUIRE(err.line_offset <= size);
        FUZZ_REQUIRE(err.line_len <= size - err.line_offset);
        aof_manifest_free(&m);
        return 0;
    }
    for (size_t i = 0; i < aof_manifest_load_count(&m); i++) {
        const struct aof_file_info *f = aof_manifest_load_file(&m, i);
        FUZZ_REQUIRE(f->seq >= 1);
        FUZZ_REQUIRE(f->name[0] != '\0');
        FUZZ_REQUIRE(aof_manifest_name_is_basename(f->name));
    }
    check_round_trip(&m);

    /* The edits a rewrite makes, on a copy. */
    struct aof_manifest copy;
    aof_manifest_copy(&copy, &m);
    FUZZ_REQUIRE(manifest_equal(&copy, &m));
    aof_manifest_new_base(&copy, "appendonly.aof", true);
    aof_manifest_add_incr(&copy, "appendonly.aof");
    aof_manifest_mark_incr_history(&copy, true);
    check_round_trip(&copy);
    aof_manifest_clear_history(&copy);
    check_round_trip(&copy);
    aof_manifest_free(&copy);
    aof_manifest_free(&m);
    return 0;
}
