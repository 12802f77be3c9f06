/* keyspec.c: key specs parsed from the command records' notation, and
 * the keys they find in a command line (see keyspec.h). */
#include "net/commands/keyspec.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/alloc.h"
#include "engine/number.h"
#include "net/commands/commands.h"

/* Parses one key spec of a record's key_specs. Key specs are written as
 * "FLAGS/BEGIN/FIND", ';' between specs: FLAGS are Redis's key-spec flag
 * names, BEGIN is i<index>, k<keyword>,<startfrom> or u (unknown), FIND is
 * r<lastkey>,<keystep>,<limit>, n<keynumidx>,<firstkey>,<keystep> or u
 * (unknown). The records are ours, so a malformed spec is a programmer
 * error. */
static void keyspec_parse(const char *text, size_t len, struct key_spec *spec)
{
    memset(spec, 0, sizeof(*spec));
    const char *slash1 = memchr(text, '/', len);
    assert(slash1 != NULL);
    const char *begin = slash1 + 1;
    const char *slash2 = memchr(begin, '/', len - (size_t)(begin - text));
    assert(slash2 != NULL);
    const char *find = slash2 + 1;
    size_t flags_len = (size_t)(slash1 - text);
    assert(flags_len < sizeof(spec->flags));
    memcpy(spec->flags, text, flags_len);
    if (begin[0] == 'i') {
        spec->begin = KEY_BEGIN_INDEX;
        spec->index = atoi(begin + 1);
    } else if (begin[0] == 'k') {
        spec->begin = KEY_BEGIN_KEYWORD;
        int n = sscanf(begin + 1, "%15[^,],%d", spec->keyword, &spec->startfrom);
        assert(n == 2);
    }
    if (find[0] == 'r') {
        spec->find = KEY_FIND_RANGE;
        int n = sscanf(find + 1, "%d,%d,%d", &spec->lastkey, &spec->keystep, &spec->limit);
        assert(n == 3);
    } else if (find[0] == 'n') {
        spec->find = KEY_FIND_KEYNUM;
        int n = sscanf(find + 1, "%d,%d,%d", &spec->keynumidx, &spec->firstkey, &spec->keystep);
        assert(n == 3);
    }
}

int keyspec_of(const struct command *cmd, struct key_spec specs[COMMAND_KEY_SPECS_MAX])
{
    if (cmd->key_specs) {
        int count = 0;
        for (const char *p = cmd->key_specs; *p;) {
            const char *end = strchr(p, ';');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            assert(count < COMMAND_KEY_SPECS_MAX);
            keyspec_parse(p, len, &specs[count++]);
            p += len + (end ? 1 : 0);
        }
        return count;
    }
    if (cmd->first_key <= 0)
        return 0;
    struct key_spec *spec = &specs[0];
    memset(spec, 0, sizeof(*spec));
    const char *flags = (cmd->flags & CMD_READONLY) ? "RO access"
                        : (cmd->flags & CMD_WRITE)  ? "RW update"
                                                    : "RO";
    snprintf(spec->flags, sizeof(spec->flags), "%s", flags);
    spec->begin = KEY_BEGIN_INDEX;
    spec->index = cmd->first_key;
    spec->find = KEY_FIND_RANGE;
    spec->lastkey = cmd->last_key < 0 ? cmd->last_key : cmd->last_key - cmd->first_key;
    spec->keystep = cmd->key_step;
    return 1;
}

bool keyspec_movable(const struct key_spec *specs, int count)
{
    for (int i = 0; i < count; i++)
        if (specs[i].begin != KEY_BEGIN_INDEX || specs[i].find != KEY_FIND_RANGE)
            return true;
    return false;
}

bool keyspec_is_not_key(const struct key_spec *spec)
{
    return strstr(spec->flags, "not_key") != NULL;
}

/* Where a key spec's search starts: the index itself, or the argument
 * after the keyword (searched forwards from startfrom, or backwards from
 * argc+startfrom when negative). Returns 0 when the keyword is absent. */
static int keyspec_start(const struct key_spec *spec, const struct resp_arg *argv, int argc)
{
    if (spec->begin == KEY_BEGIN_INDEX)
        return spec->index;
    assert(spec->begin == KEY_BEGIN_KEYWORD);
    bool forward = spec->startfrom > 0;
    int from = forward ? spec->startfrom : argc + spec->startfrom;
    int to = forward ? argc - 1 : 0;
    for (int i = from; i != to; i += forward ? 1 : -1) {
        if (i >= argc || i < 1)
            break;
        if (argv[i].len == strlen(spec->keyword) &&
            strncasecmp(argv[i].ptr, spec->keyword, argv[i].len) == 0)
            return i + 1;
    }
    return 0;
}

/* The arguments one spec covers: 1 with first..last by step, 0 when it
 * finds none (its keyword is absent, or its form is unknown), -1 when the
 * arguments do not fit it. */
static int keyspec_range(const struct key_spec *spec, const struct resp_arg *argv, int argc,
                         int *first_out, int *last_out, int *step_out)
{
    if (spec->begin == KEY_BEGIN_UNKNOWN || spec->find == KEY_FIND_UNKNOWN)
        return 0; /* positions depend on the command's own parsing */
    int first = keyspec_start(spec, argv, argc);
    if (first == 0)
        return 0;
    int last, step;
    if (spec->find == KEY_FIND_RANGE) {
        step = spec->keystep;
        if (spec->lastkey >= 0)
            last = first + spec->lastkey;
        else if (spec->limit == 0)
            last = argc + spec->lastkey;
        else
            last = first + (argc - first) / spec->limit + spec->lastkey;
    } else {
        if (first + spec->keynumidx >= argc)
            return -1;
        const struct resp_arg *num = &argv[first + spec->keynumidx];
        long long numkeys;
        if (!number_parse_ll(num->ptr, num->len, &numkeys) || numkeys < 0 || numkeys > argc)
            return -1;
        first += spec->firstkey;
        step = spec->keystep;
        last = first + ((int)numkeys - 1) * step;
    }
    if (last >= argc || last < first || first >= argc || step <= 0)
        return -1;
    *first_out = first;
    *last_out = last;
    *step_out = step;
    return 1;
}

int keyspec_find(const struct key_spec *spec, const struct resp_arg *argv, int argc,
                 int *positions, int count)
{
    int first, last, step;
    int found = keyspec_range(spec, argv, argc, &first, &last, &step);
    if (found <= 0)
        return found < 0 ? -1 : count;
    for (int i = first; i <= last; i += step)
        positions[count++] = i;
    return count;
}

/* ---- the table of parsed specs ---- */

struct keyspec_entry {
    int count;        /* key specs that find keys (not_key ones left out) */
    bool unknown;     /* one of them has a form only the command can resolve */
    struct key_spec specs[COMMAND_KEY_SPECS_MAX];
};

static void keyspec_table_fill(struct command *cmd, void *ctx)
{
    struct keyspec_entry *e = &((struct keyspec_entry *)ctx)[cmd->index];
    struct key_spec all[COMMAND_KEY_SPECS_MAX];
    int n = keyspec_of(cmd, all);
    e->count = 0;
    e->unknown = false;
    for (int k = 0; k < n; k++) {
        if (keyspec_is_not_key(&all[k]))
            continue;
        if (all[k].begin == KEY_BEGIN_UNKNOWN || all[k].find == KEY_FIND_UNKNOWN)
            e->unknown = true;
        e->specs[e->count++] = all[k];
    }
}

void keyspec_table_build(struct commands *cs)
{
    alloc_free(cs->key_specs);
    cs->key_specs = alloc_bytes(sizeof(struct keyspec_entry) * (size_t)cs->command_slots);
    command_for_each_with_subs(cs, keyspec_table_fill, cs->key_specs);
}

int keyspec_count(const struct commands *cs, const struct command *cmd)
{
    assert(cmd->index >= 0 && cmd->index < cs->command_slots);
    return cs->key_specs[cmd->index].count;
}

void keyspec_table_free(struct commands *cs)
{
    alloc_free(cs->key_specs);
    cs->key_specs = NULL;
}

int keyspec_each_key(const struct commands *cs, const struct command *cmd,
                     const struct resp_arg *argv, int argc,
                     void (*fn)(const struct resp_arg *key, void *ctx), void *ctx)
{
    assert(cmd->index >= 0 && cmd->index < cs->command_slots);
    const struct keyspec_entry *e = &cs->key_specs[cmd->index];
    if (e->unknown)
        return -1;
    int count = 0;
    for (int i = 0; i < e->count; i++) {
        int first, last, step;
        int found = keyspec_range(&e->specs[i], argv, argc, &first, &last, &step);
        if (found < 0)
            return -1;
        for (int k = first; found && k <= last; k += step, count++)
            fn(&argv[k], ctx);
    }
    return count;
}

/* BITFIELD's arguments from argv[2] are GET <type> <offset> and OVERFLOW
 * <mode> only: the call reads its key and writes nothing. Anything else,
 * a syntax error included, counts as a write, as in Redis. */
static bool keyspec_bitfield_reads_only(const struct resp_arg *argv, int argc)
{
    for (int i = 2; i < argc; i++) {
        int rest = argc - i - 1;
        const struct resp_arg *a = &argv[i];
        if (a->len == 3 && strncasecmp(a->ptr, "get", 3) == 0 && rest >= 2)
            i += 2;
        else if (a->len == 8 && strncasecmp(a->ptr, "overflow", 8) == 0 && rest >= 1)
            i += 1;
        else
            return false;
    }
    return true;
}

const char *keyspec_variable_flags(const struct command *cmd, const struct resp_arg *argv,
                                   int argc)
{
    if (cmd->parent)
        return NULL;
    if (strcmp(cmd->name, "set") == 0) {
        for (int i = 3; i < argc; i++)
            if (argv[i].len == 3 && strncasecmp(argv[i].ptr, "get", 3) == 0)
                return "RW access update";
        return "OW update";
    }
    if (strcmp(cmd->name, "bitfield") == 0)
        return keyspec_bitfield_reads_only(argv, argc) ? "RO access" : "RW access update";
    return NULL;
}
