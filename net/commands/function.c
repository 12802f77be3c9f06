/* function.c: the registry of function libraries (see function.h).
 *
 * Owns libraries and functions, the shebang's parsing with Redis 7.0's
 * error texts, the joins FUNCTION RESTORE needs, and persist's view of the
 * sources: what saves write and what loads give back. Running Lua is
 * function_lua.c's; the commands are cmd_function.c's. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/alloc.h"
#include "net/commands/commands.h"
#include "net/commands/function.h"
#include "net/commands/function_lua.h"
#include "net/persist/persist.h"

/* Redis reuses the library name rule's text for function names. */
static const char function_name_error[] =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least "
    "one character long";

/* ---- the functions dict: names compared without case ---- */

static uint64_t function_hash_node(const struct dict_node *node)
{
    const struct function_def *f = (const struct function_def *)node;
    return dict_hash_bytes_nocase(f->name, f->name_len);
}

static bool function_key_equal(const struct dict_node *node, const void *key, size_t len)
{
    const struct function_def *f = (const struct function_def *)node;
    return f->name_len == len && strncasecmp(f->name, key, len) == 0;
}

static const struct dict_type function_dict_type = {
    .hash_node = function_hash_node,
    .key_equal = function_key_equal,
};

static char *function_strndup(const char *s, size_t len)
{
    char *out = alloc_bytes(len + 1);
    memcpy(out, s, len);
    out[len] = '\0';
    return out;
}

/* [a-zA-Z0-9_]+ */
static bool function_name_valid(const char *name, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (!isalnum(ch) && ch != '_')
            return false;
        if (ch >= 0x80)
            return false;
    }
    return true;
}

/* ---- libraries ---- */

static struct function_lib *function_lib_new(const char *name, size_t name_len, const char *code,
                                             size_t code_len)
{
    struct function_lib *lib = alloc_zeroed(sizeof(*lib));
    lib->name = function_strndup(name, name_len);
    lib->code = function_strndup(code, code_len);
    lib->code_len = code_len;
    return lib;
}

static void function_lib_free(struct function_registry *reg, struct function_lib *lib)
{
    for (size_t i = 0; i < lib->count; i++) {
        struct function_def *f = lib->functions[i];
        function_lua_release(reg->lua, f->ref);
        alloc_free(f->name);
        alloc_free(f->desc);
        alloc_free(f);
    }
    alloc_free(lib->functions);
    alloc_free(lib->name);
    alloc_free(lib->code);
    alloc_free(lib);
}

/* The engine's add (function_lua_add): a function register_function
 * made, into the library being loaded. */
static bool function_lib_add(void *lib_arg, const char *name, size_t name_len, const char *desc,
                             size_t desc_len, bool has_desc, uint32_t flags, int ref, char *err,
                             size_t err_len)
{
    struct function_lib *lib = lib_arg;
    if (!function_name_valid(name, name_len)) {
        snprintf(err, err_len, "%s", function_name_error);
        return false;
    }
    for (size_t i = 0; i < lib->count; i++) {
        /* Within a library names are compared as they are (Redis's
         * per-library dict is case-sensitive). */
        if (lib->functions[i]->name_len == name_len &&
            memcmp(lib->functions[i]->name, name, name_len) == 0) {
            snprintf(err, err_len, "Function already exists in the library");
            return false;
        }
    }
    struct function_def *f = alloc_zeroed(sizeof(*f));
    f->name = function_strndup(name, name_len);
    f->name_len = name_len;
    f->desc = has_desc ? function_strndup(desc, desc_len) : NULL;
    f->desc_len = has_desc ? desc_len : 0;
    f->flags = flags;
    f->ref = ref;
    f->lib = lib;
    if (lib->count == lib->cap) {
        lib->cap = lib->cap ? lib->cap * 2 : 4;
        lib->functions = alloc_resize(lib->functions, lib->cap * sizeof(*lib->functions));
    }
    lib->functions[lib->count++] = f;
    return true;
}

/* ---- sets ---- */

void function_set_init(struct function_set *set)
{
    memset(set, 0, sizeof(*set));
    dict_init(&set->functions, &function_dict_type);
}

static void function_set_link(struct function_set *set, struct function_lib *lib)
{
    for (size_t i = 0; i < lib->count; i++) {
        struct function_def *f = lib->functions[i];
        dict_add(&set->functions, &f->link, dict_hash_bytes_nocase(f->name, f->name_len));
    }
    if (set->count == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 4;
        set->libs = alloc_resize(set->libs, set->cap * sizeof(*set->libs));
    }
    set->libs[set->count++] = lib;
}

static void function_set_unlink(struct function_set *set, struct function_lib *lib)
{
    for (size_t i = 0; i < lib->count; i++) {
        struct function_def *f = lib->functions[i];
        dict_remove(&set->functions, f->name, f->name_len,
                    dict_hash_bytes_nocase(f->name, f->name_len));
    }
    for (size_t i = 0; i < set->count; i++) {
        if (set->libs[i] == lib) {
            memmove(&set->libs[i], &set->libs[i + 1], (set->count - i - 1) * sizeof(*set->libs));
            set->count--;
            break;
        }
    }
}

void function_set_clear(struct function_registry *reg, struct function_set *set)
{
    dict_clear(&set->functions, NULL, NULL);
    for (size_t i = 0; i < set->count; i++)
        function_lib_free(reg, set->libs[i]);
    alloc_free(set->libs);
    set->libs = NULL;
    set->count = set->cap = 0;
}

struct function_lib *function_lib_find(struct function_set *set, const char *name, size_t len)
{
    for (size_t i = 0; i < set->count; i++) {
        struct function_lib *lib = set->libs[i];
        if (strlen(lib->name) == len && memcmp(lib->name, name, len) == 0)
            return lib;
    }
    return NULL;
}

struct function_def *function_find(struct function_set *set, const char *name, size_t len)
{
    struct dict_node *node =
        dict_find(&set->functions, name, len, dict_hash_bytes_nocase(name, len));
    return (struct function_def *)node;
}

/* ---- the shebang ---- */

/* Splits line[0..len) into words as Redis's sdssplitargs does (quotes,
 * escapes; a closing quote must be followed by a space). Returns the word
 * count, or -1 for unbalanced quotes. Words go to out[0..max) as owned
 * strings; the caller frees them. */
static int function_split_words(const char *line, size_t len, char **out, int max)
{
    const char *p = line, *end = line + len;
    /* One scratch buffer for every word, copied out only for the first
     * max words: linear in the line whatever its word count. */
    char *word = alloc_bytes(len + 1);
    int count = 0;
    for (;;) {
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p == end)
            break;
        size_t wlen = 0;
        bool in_double = false, in_single = false, done = false;
        while (!done) {
            if (in_double) {
                if (p == end)
                    goto unbalanced;
                if (*p == '\\' && p + 3 < end && p[1] == 'x' && isxdigit((unsigned char)p[2]) &&
                    isxdigit((unsigned char)p[3])) {
                    char hex[3] = {p[2], p[3], 0};
                    word[wlen++] = (char)strtol(hex, NULL, 16);
                    p += 3;
                } else if (*p == '\\' && p + 1 < end) {
                    p++;
                    char ch = *p;
                    word[wlen++] = ch == 'n' ? '\n' : ch == 'r' ? '\r' : ch == 't' ? '\t'
                                 : ch == 'b' ? '\b' : ch == 'a' ? '\a' : ch;
                } else if (*p == '"') {
                    if (p + 1 < end && !isspace((unsigned char)p[1]))
                        goto unbalanced;
                    done = true;
                } else {
                    word[wlen++] = *p;
                }
            } else if (in_single) {
                if (p == end)
                    goto unbalanced;
                if (*p == '\\' && p + 1 < end && p[1] == '\'') {
                    p++;
                    word[wlen++] = '\'';
                } else if (*p == '\'') {
                    if (p + 1 < end && !isspace((unsigned char)p[1]))
                        goto unbalanced;
                    done = true;
                } else {
                    word[wlen++] = *p;
                }
            } else if (p == end || isspace((unsigned char)*p)) {
                done = true;
                continue;
            } else if (*p == '"') {
                in_double = true;
            } else if (*p == '\'') {
                in_single = true;
            } else {
                word[wlen++] = *p;
            }
            if (p < end)
                p++;
        }
        if (count < max)
            out[count] = function_strndup(word, wlen);
        count++;
    }
    alloc_free(word);
    return count;
unbalanced:
    alloc_free(word);
    for (int i = 0; i < count && i < max; i++)
        alloc_free(out[i]);
    return -1;
}

/* What a shebang says. */
struct function_meta {
    char engine[32];
    char *name;      /* owned */
    size_t body_at;  /* offset of the body: the shebang line's newline */
};

#define FUNCTION_SHEBANG_WORDS_MAX 16

static bool function_meta_parse(const char *code, size_t len, struct function_meta *md, char *err,
                                size_t err_len)
{
    memset(md, 0, sizeof(*md));
    if (len < 2 || code[0] != '#' || code[1] != '!') {
        snprintf(err, err_len, "Missing library metadata");
        return false;
    }
    /* Redis reads the code as a C string: a NUL ends it. */
    size_t text_len = strnlen(code, len);
    const char *nl = memchr(code, '\n', text_len);
    if (nl == NULL) {
        snprintf(err, err_len, "Invalid library metadata");
        return false;
    }
    char *words[FUNCTION_SHEBANG_WORDS_MAX];
    int n = function_split_words(code, (size_t)(nl - code), words, FUNCTION_SHEBANG_WORDS_MAX);
    if (n <= 0) {
        snprintf(err, err_len, "Invalid library metadata");
        return false;
    }
    int kept = n < FUNCTION_SHEBANG_WORDS_MAX ? n : FUNCTION_SHEBANG_WORDS_MAX;
    bool ok = true;
    snprintf(md->engine, sizeof(md->engine), "%s", words[0] + 2);
    for (int i = 1; i < n && ok; i++) {
        const char *part = i < kept ? words[i] : NULL;
        if (part != NULL && strncasecmp(part, "name=", 5) == 0) {
            if (md->name != NULL) {
                snprintf(err, err_len,
                         "Invalid metadata value, name argument was given multiple times");
                ok = false;
            } else {
                md->name = function_strndup(part + 5, strlen(part + 5));
            }
            continue;
        }
        snprintf(err, err_len, "Invalid metadata value given: %s", part ? part : "");
        ok = false;
    }
    if (ok && md->name == NULL) {
        snprintf(err, err_len, "Library name was not given");
        ok = false;
    }
    for (int i = 0; i < kept; i++)
        alloc_free(words[i]);
    if (!ok) {
        alloc_free(md->name);
        md->name = NULL;
        return false;
    }
    md->body_at = (size_t)(nl - code);
    return true;
}

/* ---- loading ---- */

struct function_lib *function_load(struct function_registry *reg, struct function_set *set,
                                   const char *code, size_t len, bool replace, int timeout_ms,
                                   char *err, size_t err_len)
{
    struct function_meta md;
    if (!function_meta_parse(code, len, &md, err, err_len))
        return NULL;
    size_t name_len = strlen(md.name);
    struct function_lib *old = NULL, *lib = NULL;
    if (!function_name_valid(md.name, name_len)) {
        snprintf(err, err_len, "%s", function_name_error);
        goto fail;
    }
    if (strcasecmp(md.engine, FUNCTION_ENGINE_NAME) != 0) {
        snprintf(err, err_len, "Engine '%s' not found", md.engine);
        goto fail;
    }
    old = function_lib_find(set, md.name, name_len);
    if (old != NULL && !replace) {
        snprintf(err, err_len, "Library '%s' already exists", md.name);
        old = NULL;
        goto fail;
    }
    if (old != NULL)
        function_set_unlink(set, old);
    lib = function_lib_new(md.name, name_len, code, len);
    /* The body is binary-safe (only the shebang is read as a C string). */
    if (!function_lua_create(reg->lua, function_lib_add, lib, code + md.body_at,
                             len - md.body_at, timeout_ms, err, err_len))
        goto fail;
    if (lib->count == 0) {
        snprintf(err, err_len, "No functions registered");
        goto fail;
    }
    for (size_t i = 0; i < lib->count; i++) {
        const struct function_def *f = lib->functions[i];
        if (function_find(set, f->name, f->name_len) != NULL) {
            snprintf(err, err_len, "Function %s already exists", f->name);
            goto fail;
        }
    }
    function_set_link(set, lib);
    if (old != NULL)
        function_lib_free(reg, old);
    alloc_free(md.name);
    return lib;
fail:
    if (lib != NULL)
        function_lib_free(reg, lib);
    if (old != NULL)
        function_set_link(set, old);
    alloc_free(md.name);
    return NULL;
}

void function_lib_delete(struct function_registry *reg, struct function_lib *lib)
{
    function_set_unlink(&reg->live, lib);
    function_lib_free(reg, lib);
    function_codes_refresh(reg);
}

bool function_set_join(struct function_registry *reg, struct function_set *src, bool replace,
                       char *err, size_t err_len)
{
    struct function_set *dst = &reg->live;
    /* Libraries of dst that src replaces, unlinked until the join is sure. */
    struct function_lib **old = alloc_zeroed((src->count + 1) * sizeof(*old));
    size_t old_count = 0;
    bool ok = true;
    for (size_t i = 0; i < src->count && ok; i++) {
        struct function_lib *lib = src->libs[i];
        struct function_lib *existing = function_lib_find(dst, lib->name, strlen(lib->name));
        if (existing == NULL)
            continue;
        if (!replace) {
            snprintf(err, err_len, "Library %s already exists", lib->name);
            ok = false;
            break;
        }
        function_set_unlink(dst, existing);
        old[old_count++] = existing;
    }
    for (size_t i = 0; i < src->count && ok; i++) {
        const struct function_lib *lib = src->libs[i];
        for (size_t j = 0; j < lib->count && ok; j++) {
            const struct function_def *f = lib->functions[j];
            if (function_find(dst, f->name, f->name_len) != NULL) {
                snprintf(err, err_len, "Function %s already exists", f->name);
                ok = false;
            }
        }
    }
    if (ok) {
        dict_clear(&src->functions, NULL, NULL);
        for (size_t i = 0; i < src->count; i++)
            function_set_link(dst, src->libs[i]);
        src->count = 0;
        for (size_t i = 0; i < old_count; i++)
            function_lib_free(reg, old[i]);
        function_codes_refresh(reg);
    } else {
        for (size_t i = 0; i < old_count; i++)
            function_set_link(dst, old[i]);
    }
    alloc_free(old);
    return ok;
}

void function_set_swap_live(struct function_registry *reg, struct function_set *src)
{
    function_set_clear(reg, &reg->live);
    reg->live = *src;
    /* The dict's nodes link to each other, not to the dict: moving the
     * struct keeps them valid. */
    function_set_init(src);
    function_codes_refresh(reg);
}

void function_flush_all(struct function_registry *reg)
{
    function_set_clear(reg, &reg->live);
    /* A new engine, as Redis 7.0 starts one: the old state's memory goes. */
    function_lua_free(reg->lua);
    reg->lua = function_lua_new(reg->cs);
    function_codes_refresh(reg);
}

void function_codes_refresh(struct function_registry *reg)
{
    alloc_free(reg->codes);
    reg->codes = NULL;
    size_t n = reg->live.count;
    if (n > 0) {
        reg->codes = alloc_bytes(n * sizeof(*reg->codes));
        for (size_t i = 0; i < n; i++)
            reg->codes[i] = (struct library_code){reg->live.libs[i]->code,
                                                  reg->live.libs[i]->code_len};
    }
    reg->code_list = (struct library_codes){reg->codes, n};
}

/* ---- statistics ---- */

size_t function_count(const struct function_registry *reg)
{
    return (size_t)dict_size(&reg->live.functions);
}

size_t function_lib_count(const struct function_registry *reg)
{
    return reg->live.count;
}

size_t function_vm_memory(const struct function_registry *reg)
{
    return function_lua_memory(reg->lua);
}

size_t function_overhead_memory(const struct function_registry *reg)
{
    size_t bytes = sizeof(*reg) + dict_buckets(&reg->live.functions) * sizeof(void *) +
                   reg->live.cap * sizeof(void *);
    for (size_t i = 0; i < reg->live.count; i++) {
        const struct function_lib *lib = reg->live.libs[i];
        bytes += sizeof(*lib) + strlen(lib->name) + 1 + lib->code_len + 1 +
                 lib->cap * sizeof(void *);
        for (size_t j = 0; j < lib->count; j++) {
            const struct function_def *f = lib->functions[j];
            bytes += sizeof(*f) + f->name_len + 1 + (f->desc ? f->desc_len + 1 : 0);
        }
    }
    return bytes;
}

/* ---- persist's hooks ---- */

/* A library record of a file being loaded: compiled into the live set as
 * Redis's rdbFunctionLoad does (a duplicate fails the load; no timeout). */
static bool function_persist_load(void *ctx, const char *code, size_t len, bool replace,
                                  char *err, size_t err_len)
{
    struct function_registry *reg = ctx;
    if (function_load(reg, &reg->live, code, len, replace, 0, err, err_len) == NULL)
        return false;
    function_codes_refresh(reg);
    return true;
}

static void function_persist_reset(void *ctx)
{
    function_flush_all(ctx);
}

void function_init(struct commands *cs)
{
    struct function_registry *reg = alloc_zeroed(sizeof(*reg));
    reg->cs = cs;
    function_set_init(&reg->live);
    reg->lua = function_lua_new(reg->cs);
    function_codes_refresh(reg);
    cs->functions = reg;
    if (cs->persist != NULL) {
        cs->persist->functions = &reg->code_list;
        cs->persist->function_load = function_persist_load;
        cs->persist->function_reset = function_persist_reset;
        cs->persist->function_ctx = reg;
    }
}

void function_free(struct commands *cs)
{
    struct function_registry *reg = cs->functions;
    if (reg == NULL)
        return;
    if (cs->persist != NULL) {
        cs->persist->functions = NULL;
        cs->persist->function_load = NULL;
        cs->persist->function_reset = NULL;
        cs->persist->function_ctx = NULL;
    }
    function_set_clear(reg, &reg->live);
    function_lua_free(reg->lua);
    alloc_free(reg->codes);
    alloc_free(reg);
    cs->functions = NULL;
}
