/* resp_reply_fuzz.c: libFuzzer target for the RESP reply scanner clients
 * use (net/wire/resp.c: resp_reply_scan, resp_read_reply).
 * fuzz-links: wire
 *
 * The input is a stream of replies. Each is scanned and read as a tree;
 * resp.h promises that both accept and refuse exactly the same bytes and
 * agree on the reply's length, so a disagreement is a failure. For a whole
 * reply, its strict prefixes must read as incomplete and the reply must
 * scan the same with more bytes after it. The stream is walked reply by
 * reply, as a client reads a pipeline. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/wire/resp.h"
#include "tests/fuzz/fuzz.h"

/* Replies read from one input at most: keeps a pipeline of tiny replies
 * from turning one input into a long run. */
#define FUZZ_REPLIES_MAX 256

/* Walks a tree and checks what the reader promises about its shape. */
static void check_tree(const struct resp_value *v, int depth)
{
    FUZZ_REQUIRE(depth <= RESP_REPLY_DEPTH_MAX);
    FUZZ_REQUIRE(v->type >= RESP_STRING && v->type <= RESP_ATTRIBUTE);
    if (v->str != NULL)
        FUZZ_REQUIRE(v->str[v->len] == '\0');
    if (v->type == RESP_MAP || v->type == RESP_ATTRIBUTE)
        FUZZ_REQUIRE(v->count % 2 == 0);
    for (size_t i = 0; i < v->count; i++) {
        FUZZ_REQUIRE(v->elements[i] != NULL);
        check_tree(v->elements[i], depth + 1);
    }
}

/* Scans and reads the reply at buf[0..len); returns its length, or 0. */
static size_t reply_one(const char *buf, size_t len, bool check_prefixes)
{
    struct resp_reply_head head;
    memset(&head, 0, sizeof(head));
    enum resp_scan_result scanned = resp_reply_scan(buf, len, &head);
    struct resp_value *tree = (struct resp_value *)1;
    size_t used = 1;
    enum resp_scan_result read = resp_read_reply(buf, len, &tree, &used);
    FUZZ_REQUIRE(scanned == read);
    if (read != RESP_SCAN_OK) {
        FUZZ_REQUIRE(tree == NULL);
        FUZZ_REQUIRE(used == 0);
        return 0;
    }
    FUZZ_REQUIRE(tree != NULL);
    FUZZ_REQUIRE(used == head.reply_bytes);
    FUZZ_REQUIRE(used > 0 && used <= len);
    FUZZ_REQUIRE(tree->type == head.type || (head.type == RESP_NIL && tree->type == RESP_NIL));
    if (head.str != NULL) {
        FUZZ_REQUIRE(head.str >= buf && head.str + head.len <= buf + used);
        FUZZ_REQUIRE(tree->len == head.len && memcmp(tree->str, head.str, head.len) == 0);
    }
    check_tree(tree, 0);
    resp_value_free(tree);
    if (check_prefixes) {
        struct resp_reply_head h2;
        /* A whole reply's prefixes are not replies yet. */
        FUZZ_REQUIRE(resp_reply_scan(buf, used - 1, &h2) == RESP_SCAN_INCOMPLETE);
        FUZZ_REQUIRE(resp_reply_scan(buf, used / 2, &h2) == RESP_SCAN_INCOMPLETE);
    }
    return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    size_t at = 0;
    for (int n = 0; n < FUZZ_REPLIES_MAX && at < size; n++) {
        size_t used = reply_one(buf + at, size - at, n == 0);
        if (used == 0)
            break;
        at += used;
    }
    return 0;
}
