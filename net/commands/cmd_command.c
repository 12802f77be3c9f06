/* cmd_command.c: COMMAND and its subcommands (COUNT, INFO, DOCS, LIST,
 * GETKEYS, GETKEYSANDFLAGS, HELP).
 *
 * Owns what clients learn about the command table: Redis 7.0's 10-field
 * COMMAND INFO entries (flags, ACL categories, tips, key specs,
 * subcommands) and COMMAND DOCS maps (summary, since, group, complexity,
 * history, arguments), which redis-cli uses for its hints and client
 * libraries for key extraction. struct command carries the core metadata;
 * the tables here add what only these replies need, taken from Redis 7.0's
 * own COMMAND output so the answers match it. */
#include <assert.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/alloc.h"
#include "engine/number.h"
#include "net/commands/command.h"
#include "engine/glob.h"
#include "net/commands/reply.h"
#include "net/server/server.h"

/* Key specs one command can have (GEORADIUS and SORT have three). */
#define COMMAND_KEY_SPECS_MAX 4
/* Longest key-spec flag list ("RW access delete incomplete") and keyword. */
#define COMMAND_KEY_FLAGS_BYTES 48
#define COMMAND_KEYWORD_BYTES 16


/* What struct command does not carry, for Redis 7.0's commands: the tips
 * COMMAND INFO lists, and key specs wherever they differ from the one spec
 * derived from first/last/step (see command_key_specs). Sorted by full name
 * for bsearch; commands ringkv does not have yet are harmless here.
 *
 * Key specs are written as "FLAGS/BEGIN/FIND", ';' between specs:
 * FLAGS are Redis's key-spec flag names, BEGIN is i<index>,
 * k<keyword>,<startfrom> or u (unknown), FIND is r<lastkey>,<keystep>,<limit>,
 * n<keynumidx>,<firstkey>,<keystep> or u (unknown). The values are those the
 * real redis-server 7.0.15 reports. */
struct command_extra {
    const char *name;
    const char *tips;  /* space-separated, or NULL */
    const char *specs; /* NULL: derive from first/last/step */
};

static const struct command_extra command_extras[] = {
    {"append", NULL, "RW insert/i1/r0,1,0"},
    {"bitfield", NULL, "RW access update variable_flags/i1/r0,1,0"},
    {"bitop", NULL, "OW update/i2/r0,1,0;RO access/i3/r-1,1,0"},
    {"blmove", NULL, "RW access delete/i1/r0,1,0;RW insert/i2/r0,1,0"},
    {"blmpop", NULL, "RW access delete/i2/n0,1,1"},
    {"blpop", NULL, "RW access delete/i1/r-2,1,0"},
    {"brpop", NULL, "RW access delete/i1/r-2,1,0"},
    {"brpoplpush", NULL, "RW access delete/i1/r0,1,0;RW insert/i2/r0,1,0"},
    {"bzmpop", NULL, "RW access delete/i2/n0,1,1"},
    {"bzpopmax", NULL, "RW access delete/i1/r-2,1,0"},
    {"bzpopmin", NULL, "RW access delete/i1/r-2,1,0"},
    {"client|info", "nondeterministic_output", NULL},
    {"client|list", "nondeterministic_output", NULL},
    {"command", "nondeterministic_output_order", NULL},
    {"command|docs", "nondeterministic_output_order", NULL},
    {"command|info", "nondeterministic_output_order", NULL},
    {"command|list", "nondeterministic_output_order", NULL},
    {"config|set", "request_policy:all_nodes response_policy:all_succeeded", NULL},
    {"copy", NULL, "RO access/i1/r0,1,0;OW update/i2/r0,1,0"},
    {"dbsize", "request_policy:all_shards response_policy:agg_sum", NULL},
    {"decr", NULL, "RW access update/i1/r0,1,0"},
    {"decrby", NULL, "RW access update/i1/r0,1,0"},
    {"del", "request_policy:multi_shard response_policy:agg_sum", "RM delete/i1/r-1,1,0"},
    {"dump", "nondeterministic_output", NULL},
    {"eval", NULL, "RW access update/i2/n0,1,1"},
    {"eval_ro", NULL, "RO access/i2/n0,1,1"},
    {"evalsha", NULL, "RW access update/i2/n0,1,1"},
    {"evalsha_ro", NULL, "RO access/i2/n0,1,1"},
    {"exists", "request_policy:multi_shard response_policy:agg_sum", "RO/i1/r-1,1,0"},
    {"fcall", NULL, "RW access update/i2/n0,1,1"},
    {"fcall_ro", NULL, "RO access/i2/n0,1,1"},
    {"flushall", "request_policy:all_shards response_policy:all_succeeded", NULL},
    {"flushdb", "request_policy:all_shards response_policy:all_succeeded", NULL},
    {"function|delete", "request_policy:all_shards response_policy:all_succeeded", NULL},
    {"function|flush", "request_policy:all_shards response_policy:all_succeeded", NULL},
    {"function|kill", "request_policy:all_shards response_policy:one_succeeded", NULL},
    {"function|list", "nondeterministic_output_order", NULL},
    {"function|load", "request_policy:all_shards response_policy:all_succeeded", NULL},
    {"function|restore", "request_policy:all_shards response_policy:all_succeeded", NULL},
    {"function|stats",
     "nondeterministic_output request_policy:all_shards response_policy:special",
     NULL},
    {"georadius",
     NULL,
     "RO access/i1/r0,1,0;OW update/kSTORE,6/r0,1,0;OW update/kSTOREDIST,6/r0,1,0"},
    {"georadiusbymember",
     NULL,
     "RO access/i1/r0,1,0;OW update/kSTORE,5/r0,1,0;OW update/kSTOREDIST,5/r0,1,0"},
    {"geosearchstore", NULL, "OW update/i1/r0,1,0;RO access/i2/r0,1,0"},
    {"getdel", NULL, "RW access delete/i1/r0,1,0"},
    {"getex", NULL, "RW access update/i1/r0,1,0"},
    {"getset", NULL, "RW access update/i1/r0,1,0"},
    {"hdel", NULL, "RW delete/i1/r0,1,0"},
    {"hexists", NULL, "RO/i1/r0,1,0"},
    {"hgetall", "nondeterministic_output_order", NULL},
    {"hincrby", NULL, "RW access update/i1/r0,1,0"},
    {"hincrbyfloat", NULL, "RW access update/i1/r0,1,0"},
    {"hkeys", "nondeterministic_output_order", NULL},
    {"hlen", NULL, "RO/i1/r0,1,0"},
    {"hrandfield", "nondeterministic_output", NULL},
    {"hscan", "nondeterministic_output", NULL},
    {"hsetnx", NULL, "RW insert/i1/r0,1,0"},
    {"hstrlen", NULL, "RO/i1/r0,1,0"},
    {"hvals", "nondeterministic_output_order", NULL},
    {"incr", NULL, "RW access update/i1/r0,1,0"},
    {"incrby", NULL, "RW access update/i1/r0,1,0"},
    {"incrbyfloat", NULL, "RW access update/i1/r0,1,0"},
    {"info", "nondeterministic_output request_policy:all_shards response_policy:special", NULL},
    {"keys", "request_policy:all_shards nondeterministic_output_order", NULL},
    {"lastsave", "nondeterministic_output", NULL},
    {"latency|doctor",
     "nondeterministic_output request_policy:all_nodes response_policy:special",
     NULL},
    {"latency|graph",
     "nondeterministic_output request_policy:all_nodes response_policy:special",
     NULL},
    {"latency|histogram",
     "nondeterministic_output request_policy:all_nodes response_policy:special",
     NULL},
    {"latency|history",
     "nondeterministic_output request_policy:all_nodes response_policy:special",
     NULL},
    {"latency|latest",
     "nondeterministic_output request_policy:all_nodes response_policy:special",
     NULL},
    {"latency|reset", "request_policy:all_nodes response_policy:all_succeeded", NULL},
    {"linsert", NULL, "RW insert/i1/r0,1,0"},
    {"llen", NULL, "RO/i1/r0,1,0"},
    {"lmove", NULL, "RW access delete/i1/r0,1,0;RW insert/i2/r0,1,0"},
    {"lmpop", NULL, "RW access delete/i1/n0,1,1"},
    {"lpop", NULL, "RW access delete/i1/r0,1,0"},
    {"lpush", NULL, "RW insert/i1/r0,1,0"},
    {"lpushx", NULL, "RW insert/i1/r0,1,0"},
    {"lrem", NULL, "RW delete/i1/r0,1,0"},
    {"ltrim", NULL, "RW delete/i1/r0,1,0"},
    {"memory|doctor",
     "nondeterministic_output request_policy:all_shards response_policy:special",
     NULL},
    {"memory|malloc-stats",
     "nondeterministic_output request_policy:all_shards response_policy:special",
     NULL},
    {"memory|purge", "request_policy:all_shards response_policy:all_succeeded", NULL},
    {"memory|stats",
     "nondeterministic_output request_policy:all_shards response_policy:special",
     NULL},
    {"memory|usage", NULL, "RO/i2/r0,1,0"},
    {"mget", "request_policy:multi_shard", NULL},
    {"migrate",
     "nondeterministic_output",
     "RW access delete/i3/r0,1,0;RW access delete incomplete/kKEYS,-2/r-1,1,0"},
    {"move", NULL, "RW access update/i1/r0,1,0"},
    {"mset", "request_policy:multi_shard response_policy:all_succeeded", "OW update/i1/r-1,2,0"},
    {"msetnx", "request_policy:multi_shard response_policy:agg_min", "OW insert/i1/r-1,2,0"},
    {"object|encoding", "nondeterministic_output", "RO/i2/r0,1,0"},
    {"object|freq", "nondeterministic_output", "RO/i2/r0,1,0"},
    {"object|idletime", "nondeterministic_output", "RO/i2/r0,1,0"},
    {"object|refcount", "nondeterministic_output", "RO/i2/r0,1,0"},
    {"pfadd", NULL, "RW insert/i1/r0,1,0"},
    {"pfcount", NULL, "RW access/i1/r-1,1,0"},
    {"pfdebug", NULL, "RW access/i2/r0,1,0"},
    {"pfmerge", NULL, "RW access insert/i1/r0,1,0;RO access/i2/r-1,1,0"},
    {"ping", "request_policy:all_shards response_policy:all_succeeded", NULL},
    {"psetex", NULL, "OW update/i1/r0,1,0"},
    {"pttl", "nondeterministic_output", NULL},
    {"randomkey", "request_policy:all_shards nondeterministic_output", NULL},
    {"rename", NULL, "RW access delete/i1/r0,1,0;OW update/i2/r0,1,0"},
    {"renamenx", NULL, "RW access delete/i1/r0,1,0;OW insert/i2/r0,1,0"},
    {"restore", NULL, "OW update/i1/r0,1,0"},
    {"restore-asking", NULL, "OW update/i1/r0,1,0"},
    {"rpop", NULL, "RW access delete/i1/r0,1,0"},
    {"rpoplpush", NULL, "RW access delete/i1/r0,1,0;RW insert/i2/r0,1,0"},
    {"rpush", NULL, "RW insert/i1/r0,1,0"},
    {"rpushx", NULL, "RW insert/i1/r0,1,0"},
    {"sadd", NULL, "RW insert/i1/r0,1,0"},
    {"scan", "nondeterministic_output request_policy:special", NULL},
    {"scard", NULL, "RO/i1/r0,1,0"},
    {"script|exists", "request_policy:all_shards response_policy:agg_logical_and", NULL},
    {"script|flush", "request_policy:all_nodes response_policy:all_succeeded", NULL},
    {"script|kill", "request_policy:all_shards response_policy:one_succeeded", NULL},
    {"script|load", "request_policy:all_nodes response_policy:all_succeeded", NULL},
    {"sdiff", "nondeterministic_output_order", NULL},
    {"sdiffstore", NULL, "OW update/i1/r0,1,0;RO access/i2/r-1,1,0"},
    {"set", NULL, "RW access update variable_flags/i1/r0,1,0"},
    {"setbit", NULL, "RW access update/i1/r0,1,0"},
    {"setex", NULL, "OW update/i1/r0,1,0"},
    {"setnx", NULL, "OW insert/i1/r0,1,0"},
    {"sinter", "nondeterministic_output_order", NULL},
    {"sintercard", NULL, "RO access/i1/n0,1,1"},
    {"sinterstore", NULL, "RW update/i1/r0,1,0;RO access/i2/r-1,1,0"},
    {"sismember", NULL, "RO/i1/r0,1,0"},
    {"slowlog|get", "request_policy:all_nodes nondeterministic_output", NULL},
    {"slowlog|len",
     "request_policy:all_nodes response_policy:agg_sum nondeterministic_output",
     NULL},
    {"slowlog|reset", "request_policy:all_nodes response_policy:all_succeeded", NULL},
    {"smembers", "nondeterministic_output_order", NULL},
    {"smove", NULL, "RW access delete/i1/r0,1,0;RW insert/i2/r0,1,0"},
    {"sort", NULL, "RO access/i1/r0,1,0;RO access/u/u;OW update/u/u"},
    {"sort_ro", NULL, "RO access/i1/r0,1,0;RO access/u/u"},
    {"spop", "nondeterministic_output", "RW access delete/i1/r0,1,0"},
    {"spublish", NULL, "not_key/i1/r0,1,0"},
    {"srandmember", "nondeterministic_output", NULL},
    {"srem", NULL, "RW delete/i1/r0,1,0"},
    {"sscan", "nondeterministic_output", NULL},
    {"ssubscribe", NULL, "not_key/i1/r-1,1,0"},
    {"strlen", NULL, "RO/i1/r0,1,0"},
    {"sunion", "nondeterministic_output_order", NULL},
    {"sunionstore", NULL, "OW update/i1/r0,1,0;RO access/i2/r-1,1,0"},
    {"sunsubscribe", NULL, "not_key/i1/r-1,1,0"},
    {"time", "nondeterministic_output", NULL},
    {"touch", "request_policy:multi_shard response_policy:agg_sum", "RO/i1/r-1,1,0"},
    {"ttl", "nondeterministic_output", NULL},
    {"type", NULL, "RO/i1/r0,1,0"},
    {"unlink", "request_policy:multi_shard response_policy:agg_sum", "RM delete/i1/r-1,1,0"},
    {"wait", "request_policy:all_shards response_policy:agg_min", NULL},
    {"xadd", "nondeterministic_output", NULL},
    {"xautoclaim", "nondeterministic_output", "RW delete/i1/r0,1,0"},
    {"xclaim", "nondeterministic_output", NULL},
    {"xdel", NULL, "RW delete/i1/r0,1,0"},
    {"xgroup|create", NULL, "RW insert/i2/r0,1,0"},
    {"xgroup|createconsumer", NULL, "RW insert/i2/r0,1,0"},
    {"xgroup|delconsumer", NULL, "RW delete/i2/r0,1,0"},
    {"xgroup|destroy", NULL, "RW delete/i2/r0,1,0"},
    {"xinfo|consumers", "nondeterministic_output", NULL},
    {"xlen", NULL, "RO/i1/r0,1,0"},
    {"xpending", "nondeterministic_output", NULL},
    {"xread", NULL, "RO access/kSTREAMS,1/r-1,1,2"},
    {"xreadgroup", NULL, "RO access/kSTREAMS,4/r-1,1,2"},
    {"xtrim", "nondeterministic_output", "RW delete/i1/r0,1,0"},
    {"zcard", NULL, "RO/i1/r0,1,0"},
    {"zdiff", NULL, "RO access/i1/n0,1,1"},
    {"zdiffstore", NULL, "OW update/i1/r0,1,0;RO access/i2/n0,1,1"},
    {"zincrby", NULL, "RW access update/i1/r0,1,0"},
    {"zinter", NULL, "RO access/i1/n0,1,1"},
    {"zintercard", NULL, "RO access/i1/n0,1,1"},
    {"zinterstore", NULL, "OW update/i1/r0,1,0;RO access/i2/n0,1,1"},
    {"zmpop", NULL, "RW access delete/i1/n0,1,1"},
    {"zpopmax", NULL, "RW access delete/i1/r0,1,0"},
    {"zpopmin", NULL, "RW access delete/i1/r0,1,0"},
    {"zrandmember", "nondeterministic_output", NULL},
    {"zrangestore", NULL, "OW update/i1/r0,1,0;RO access/i2/r0,1,0"},
    {"zrem", NULL, "RW delete/i1/r0,1,0"},
    {"zremrangebylex", NULL, "RW delete/i1/r0,1,0"},
    {"zremrangebyrank", NULL, "RW delete/i1/r0,1,0"},
    {"zremrangebyscore", NULL, "RW delete/i1/r0,1,0"},
    {"zscan", "nondeterministic_output", NULL},
    {"zunion", NULL, "RO access/i1/n0,1,1"},
    {"zunionstore", NULL, "OW update/i1/r0,1,0;RO access/i2/n0,1,1"},
};

/* The notes Redis 7.0 attaches to some key specs. */
struct command_spec_note {
    const char *name;
    int spec;
    const char *notes;
};

static const struct command_spec_note command_spec_notes_table[] = {
    {"bitfield", 0, "This command allows both access and modification of the key"},
    {"eval", 0, "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"},
    {"eval_ro", 0,
     "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"},
    {"fcall", 0, "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"},
    {"fcall_ro", 0,
     "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"},
    {"getex", 0, "RW and UPDATE because it changes the TTL"},
    {"pfcount", 0,
     "RW because it may change the internal representation of the key, and propagate to "
     "replicas"},
    {"set", 0, "RW and ACCESS due to the optional `GET` argument"},
    {"sort", 1,
     "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive "
     "from the content of the key we sort"},
    {"sort", 2,
     "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear "
     "anywhere in the argument array"},
    {"sort_ro", 1,
     "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive "
     "from the content of the key we sort"},
    {"xadd", 0, "UPDATE instead of INSERT because of the optional trimming feature"},
};

static const char *command_spec_notes(const struct command *cmd, int spec)
{
    const char *name = (cmd)->fullname;
    size_t count = sizeof(command_spec_notes_table) / sizeof(command_spec_notes_table[0]);
    for (size_t i = 0; i < count; i++)
        if (command_spec_notes_table[i].spec == spec &&
            strcmp(command_spec_notes_table[i].name, name) == 0)
            return command_spec_notes_table[i].notes;
    return NULL;
}

enum key_begin { KEY_BEGIN_UNKNOWN, KEY_BEGIN_INDEX, KEY_BEGIN_KEYWORD };
enum key_find { KEY_FIND_UNKNOWN, KEY_FIND_RANGE, KEY_FIND_KEYNUM };

struct key_spec {
    char flags[COMMAND_KEY_FLAGS_BYTES]; /* space-separated: "RW access delete" */
    enum key_begin begin;
    int index;                           /* KEY_BEGIN_INDEX */
    char keyword[COMMAND_KEYWORD_BYTES]; /* KEY_BEGIN_KEYWORD */
    int startfrom;
    enum key_find find;
    int lastkey, keystep, limit;     /* KEY_FIND_RANGE */
    int keynumidx, firstkey;         /* KEY_FIND_KEYNUM (with keystep) */
};

static int command_extra_compare(const void *key, const void *entry)
{
    return strcmp(key, ((const struct command_extra *)entry)->name);
}

static const struct command_extra *command_extra_find(const struct command *cmd)
{
    return bsearch((cmd)->fullname, command_extras,
                   sizeof(command_extras) / sizeof(command_extras[0]), sizeof(command_extras[0]),
                   command_extra_compare);
}

/* Parses one "FLAGS/BEGIN/FIND" spec of the table above. The table is
 * ours, so a malformed entry is a programmer error. */
static void command_parse_key_spec(const char *text, size_t len, struct key_spec *spec)
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

/* The command's key specs: from the table when listed there, else the one
 * spec Redis would have for a command with keys at first..last by step
 * (read-only commands read, write commands update). Returns the count. */
static int command_key_specs(const struct command *cmd,
                             struct key_spec specs[COMMAND_KEY_SPECS_MAX])
{
    const struct command_extra *extra = command_extra_find(cmd);
    if (extra && extra->specs) {
        int count = 0;
        for (const char *p = extra->specs; *p;) {
            const char *end = strchr(p, ';');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            assert(count < COMMAND_KEY_SPECS_MAX);
            command_parse_key_spec(p, len, &specs[count++]);
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

/* Redis sets "movablekeys" when a key spec is not a plain index and range. */
static bool command_keys_movable(const struct key_spec *specs, int count)
{
    for (int i = 0; i < count; i++)
        if (specs[i].begin != KEY_BEGIN_INDEX || specs[i].find != KEY_FIND_RANGE)
            return true;
    return false;
}

static bool command_spec_is_not_key(const struct key_spec *spec)
{
    return strstr(spec->flags, "not_key") != NULL;
}

/* Replies a space-separated word list as a set of status strings. */
static void command_reply_words_set(struct client *c, const char *words)
{
    long long count = 0;
    for (const char *p = words; *p; p++)
        if (*p != ' ' && (p == words || p[-1] == ' '))
            count++;
    reply_set_len(c, count);
    for (const char *p = words; *p;) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len == 0)
            break;
        char word[COMMAND_KEY_FLAGS_BYTES];
        assert(len < sizeof(word));
        memcpy(word, p, len);
        word[len] = '\0';
        reply_status(c, word);
        p += len;
    }
}

struct command_flag_name {
    uint32_t bit;
    const char *name;
};

/* Redis 7.0's COMMAND INFO order; may_replicate and sentinel are not shown. */
static const struct command_flag_name command_flag_names[] = {
    {CMD_WRITE, "write"},
    {CMD_READONLY, "readonly"},
    {CMD_DENYOOM, "denyoom"},
    {CMD_ADMIN, "admin"},
    {CMD_PUBSUB, "pubsub"},
    {CMD_NOSCRIPT, "noscript"},
    {CMD_BLOCKING, "blocking"},
    {CMD_LOADING, "loading"},
    {CMD_STALE, "stale"},
    {CMD_SKIP_MONITOR, "skip_monitor"},
    {CMD_SKIP_SLOWLOG, "skip_slowlog"},
    {CMD_FAST, "fast"},
    {CMD_NO_AUTH, "no_auth"},
    {CMD_NO_MANDATORY_KEYS, "no_mandatory_keys"},
    {CMD_NO_ASYNC_LOADING, "no_async_loading"},
    {CMD_NO_MULTI, "no_multi"},
};

/* In enum command_acl's order, which is Redis's. */
static const char *const command_acl_names[] = {
    "keyspace", "read",     "write",     "set",    "sortedset",  "list",       "hash",
    "string",   "bitmap",   "hyperloglog", "geo",  "stream",     "pubsub",     "admin",
    "fast",     "slow",     "blocking",  "dangerous", "connection", "transaction", "scripting",
};
#define COMMAND_ACL_COUNT (sizeof(command_acl_names) / sizeof(command_acl_names[0]))
static_assert(ACL_SCRIPTING == 1 << (COMMAND_ACL_COUNT - 1), "one name per ACL category");

/* The categories Redis adds from the flags (setImplicitACLCategories), so
 * COMMAND shows them even where a table entry left them out. */
static uint32_t command_acl_effective(const struct command *cmd)
{
    uint32_t acl = cmd->acl;
    if (cmd->flags & CMD_WRITE)
        acl |= ACL_WRITE;
    if ((cmd->flags & CMD_READONLY) && !(acl & ACL_SCRIPTING))
        acl |= ACL_READ;
    if (cmd->flags & CMD_ADMIN)
        acl |= ACL_ADMIN | ACL_DANGEROUS;
    if (cmd->flags & CMD_PUBSUB)
        acl |= ACL_PUBSUB;
    if (cmd->flags & CMD_FAST)
        acl |= ACL_FAST;
    if (cmd->flags & CMD_BLOCKING)
        acl |= ACL_BLOCKING;
    if (!(acl & ACL_FAST))
        acl |= ACL_SLOW;
    return acl;
}

static void command_reply_flags(struct client *c, const struct command *cmd, bool movable)
{
    long long count = movable ? 1 : 0;
    for (size_t i = 0; i < sizeof(command_flag_names) / sizeof(command_flag_names[0]); i++)
        if (cmd->flags & command_flag_names[i].bit)
            count++;
    if (cmd->flags & CMD_ALLOW_BUSY)
        count++;
    reply_set_len(c, count);
    for (size_t i = 0; i < sizeof(command_flag_names) / sizeof(command_flag_names[0]); i++)
        if (cmd->flags & command_flag_names[i].bit)
            reply_status(c, command_flag_names[i].name);
    if (movable)
        reply_status(c, "movablekeys");
    if (cmd->flags & CMD_ALLOW_BUSY)
        reply_status(c, "allow_busy");
}

static void command_reply_acl(struct client *c, const struct command *cmd)
{
    uint32_t acl = command_acl_effective(cmd);
    reply_set_len(c, __builtin_popcount(acl));
    for (size_t i = 0; i < COMMAND_ACL_COUNT; i++) {
        if (acl & (1u << i)) {
            char name[32];
            snprintf(name, sizeof(name), "@%s", command_acl_names[i]);
            reply_status(c, name);
        }
    }
}

static void command_reply_tips(struct client *c, const struct command_extra *extra)
{
    const char *tips = extra && extra->tips ? extra->tips : "";
    long long count = 0;
    for (const char *p = tips; *p; p += strcspn(p, " "), p += *p == ' ')
        count++;
    reply_set_len(c, count);
    for (const char *p = tips; *p;) {
        size_t len = strcspn(p, " ");
        reply_bulk(c, p, len);
        p += len + (p[len] == ' ');
    }
}

/* One key spec: {[notes], flags, begin_search: {type, spec}, find_keys:
 * {type, spec}}. */
static void command_reply_key_spec(struct client *c, const struct key_spec *spec,
                                   const char *notes)
{
    reply_map_len(c, notes ? 4 : 3);
    if (notes) {
        reply_bulk_cstr(c, "notes");
        reply_bulk_cstr(c, notes);
    }
    reply_bulk_cstr(c, "flags");
    command_reply_words_set(c, spec->flags);
    reply_bulk_cstr(c, "begin_search");
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "type");
    if (spec->begin == KEY_BEGIN_INDEX) {
        reply_bulk_cstr(c, "index");
        reply_bulk_cstr(c, "spec");
        reply_map_len(c, 1);
        reply_bulk_cstr(c, "index");
        reply_integer(c, spec->index);
    } else if (spec->begin == KEY_BEGIN_KEYWORD) {
        reply_bulk_cstr(c, "keyword");
        reply_bulk_cstr(c, "spec");
        reply_map_len(c, 2);
        reply_bulk_cstr(c, "keyword");
        reply_bulk_cstr(c, spec->keyword);
        reply_bulk_cstr(c, "startfrom");
        reply_integer(c, spec->startfrom);
    } else {
        reply_bulk_cstr(c, "unknown");
        reply_bulk_cstr(c, "spec");
        reply_map_len(c, 0);
    }
    reply_bulk_cstr(c, "find_keys");
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "type");
    const char *names[3];
    int values[3], count = 0;
    if (spec->find == KEY_FIND_RANGE) {
        reply_bulk_cstr(c, "range");
        names[0] = "lastkey", names[1] = "keystep", names[2] = "limit";
        values[0] = spec->lastkey, values[1] = spec->keystep, values[2] = spec->limit;
        count = 3;
    } else if (spec->find == KEY_FIND_KEYNUM) {
        reply_bulk_cstr(c, "keynum");
        names[0] = "keynumidx", names[1] = "firstkey", names[2] = "keystep";
        values[0] = spec->keynumidx, values[1] = spec->firstkey, values[2] = spec->keystep;
        count = 3;
    } else {
        reply_bulk_cstr(c, "unknown");
    }
    reply_bulk_cstr(c, "spec");
    reply_map_len(c, count);
    for (int i = 0; i < count; i++) {
        reply_bulk_cstr(c, names[i]);
        reply_integer(c, values[i]);
    }
}

static long long command_subcommand_count(const struct command *cmd)
{
    long long count = 0;
    for (const struct command *sub = cmd->subcommands; sub && sub->name; sub++)
        count++;
    return count;
}

/* COMMAND INFO's ten-element entry. Recurses once, into subcommands, which
 * have none of their own. */
static void command_reply_info(struct client *c, const struct command *cmd)
{
    struct key_spec specs[COMMAND_KEY_SPECS_MAX];
    int spec_count = command_key_specs(cmd, specs);
    reply_array_len(c, 10);
    reply_bulk_cstr(c, (cmd)->fullname);
    reply_integer(c, cmd->arity);
    command_reply_flags(c, cmd, command_keys_movable(specs, spec_count));
    reply_integer(c, cmd->first_key);
    reply_integer(c, cmd->last_key);
    reply_integer(c, cmd->key_step);
    command_reply_acl(c, cmd);
    command_reply_tips(c, command_extra_find(cmd));
    /* Key specs are a set and "no subcommands" an empty set in RESP3, as
     * Redis sends them; a list of subcommands is an array. */
    reply_set_len(c, spec_count);
    for (int i = 0; i < spec_count; i++)
        command_reply_key_spec(c, &specs[i], command_spec_notes(cmd, i));
    if (!cmd->subcommands) {
        reply_set_len(c, 0);
        return;
    }
    reply_array_len(c, command_subcommand_count(cmd));
    for (const struct command *sub = cmd->subcommands; sub->name; sub++) {
        assert(sub->subcommands == NULL);
        command_reply_info(c, sub);
    }
}

/* COMMAND DOCS data that struct command does not carry, as redis-server
 * 7.0.15 reports it: doc flags, deprecation, and the argument tree that
 * redis-cli turns into its hints. Sorted by full name for bsearch.
 *
 * Arguments are written in a small notation, items separated by spaces:
 * name^T, T the type (k key, s string, i integer, d double, p pattern,
 * u unix-time, t pure-token, o oneof, b block), then optionally #n (key
 * spec index), ='TOKEN', @since, !deprecated_since, the flags ? (optional),
 * * (multiple) and + (multiple_token), and (children) last. */
struct command_doc {
    const char *name;
    const char *doc_flags;        /* space-separated, or NULL */
    const char *deprecated_since; /* or NULL */
    const char *replaced_by;      /* or NULL */
    const char *arguments;        /* in the notation above, or NULL */
};

static const struct command_doc command_docs[] = {
    {"acl", NULL, NULL, NULL, NULL},
    {"acl|cat", NULL, NULL, NULL, "categoryname^s?"},
    {"acl|deluser", NULL, NULL, NULL, "username^s*"},
    {"acl|dryrun", NULL, NULL, NULL, "username^s command^s arg^s?*"},
    {"acl|genpass", NULL, NULL, NULL, "bits^i?"},
    {"acl|getuser", NULL, NULL, NULL, "username^s"},
    {"acl|help", NULL, NULL, NULL, NULL},
    {"acl|list", NULL, NULL, NULL, NULL},
    {"acl|load", NULL, NULL, NULL, NULL},
    {"acl|log", NULL, NULL, NULL, "operation^o?(count^i reset^t='RESET')"},
    {"acl|save", NULL, NULL, NULL, NULL},
    {"acl|setuser", NULL, NULL, NULL, "username^s rule^s?*"},
    {"acl|users", NULL, NULL, NULL, NULL},
    {"acl|whoami", NULL, NULL, NULL, NULL},
    {"append", NULL, NULL, NULL, "key^k#0 value^s"},
    {"asking", NULL, NULL, NULL, NULL},
    {"auth", NULL, NULL, NULL, "username^s@6.0.0? password^s"},
    {"bgrewriteaof", NULL, NULL, NULL, NULL},
    {"bgsave", NULL, NULL, NULL, "schedule^t='SCHEDULE'@3.2.2?"},
    {"bitcount", NULL, NULL, NULL,
     "key^k#0 index^b?(start^i end^i index_unit^o@7.0.0?(byte^t='BYTE' bit^t='BIT'))"},
    {"bitfield", NULL, NULL, NULL,
     "key^k#0 operation^o?*(encoding_offset^b='GET'(encoding^s offset^i) "
     "write^b(wrap_sat_fail^o='OVERFLOW'?(wrap^t='WRAP' sat^t='SAT' fail^t='FAIL') "
     "write_operation^o(encoding_offset_value^b='SET'(encoding^s offset^i value^i) "
     "encoding_offset_increment^b='INCRBY'(encoding^s offset^i increment^i))))"},
    {"bitfield_ro", NULL, NULL, NULL, "key^k#0 encoding_offset^b='GET'?*+(encoding^s offset^i)"},
    {"bitop", NULL, NULL, NULL, "operation^s destkey^k#0 key^k#1*"},
    {"bitpos", NULL, NULL, NULL,
     "key^k#0 bit^i index^b?(start^i end_index^b?(end^i index_unit^o@7.0.0?(byte^t='BYTE' "
     "bit^t='BIT')))"},
    {"blmove", NULL, NULL, NULL,
     "source^k#0 destination^k#1 wherefrom^o(left^t='LEFT' right^t='RIGHT') "
     "whereto^o(left^t='LEFT' right^t='RIGHT') timeout^d"},
    {"blmpop", NULL, NULL, NULL,
     "timeout^d numkeys^i key^k#0* where^o(left^t='LEFT' right^t='RIGHT') count^i='COUNT'?"},
    {"blpop", NULL, NULL, NULL, "key^k#0* timeout^d"},
    {"brpop", NULL, NULL, NULL, "key^k#0* timeout^d"},
    {"brpoplpush", "deprecated", "6.2.0", "`BLMOVE` with the `RIGHT` and `LEFT` arguments",
     "source^k#0 destination^k#1 timeout^d"},
    {"bzmpop", NULL, NULL, NULL,
     "timeout^d numkeys^i key^k#0* where^o(min^t='MIN' max^t='MAX') count^i='COUNT'?"},
    {"bzpopmax", NULL, NULL, NULL, "key^k#0* timeout^d"},
    {"bzpopmin", NULL, NULL, NULL, "key^k#0* timeout^d"},
    {"client", NULL, NULL, NULL, NULL},
    {"client|caching", NULL, NULL, NULL, "mode^o(yes^t='YES' no^t='NO')"},
    {"client|getname", NULL, NULL, NULL, NULL},
    {"client|getredir", NULL, NULL, NULL, NULL},
    {"client|help", NULL, NULL, NULL, NULL},
    {"client|id", NULL, NULL, NULL, NULL},
    {"client|info", NULL, NULL, NULL, NULL},
    {"client|kill", NULL, NULL, NULL,
     "filter^o(ip:port^s!2.8.12 new-format^o*(client-id^i='ID'@2.8.12? "
     "normal_master_slave_pubsub^o='TYPE'@2.8.12?(normal^t='NORMAL' master^t='MASTER'@3.2.0 "
     "slave^t='SLAVE' replica^t='REPLICA'@5.0.0 pubsub^t='PUBSUB') username^s='USER'? "
     "ip:port^s='ADDR'? ip:port^s='LADDR'@6.2.0? yes/no^s='SKIPME'?))"},
    {"client|list", NULL, NULL, NULL,
     "normal_master_replica_pubsub^o='TYPE'@5.0.0?(normal^t='NORMAL' master^t='MASTER' "
     "replica^t='REPLICA' pubsub^t='PUBSUB') id^b='ID'@6.2.0?(client-id^i*)"},
    {"client|no-evict", NULL, NULL, NULL, "enabled^o(on^t='ON' off^t='OFF')"},
    {"client|pause", NULL, NULL, NULL, "timeout^i mode^o@6.2.0?(write^t='WRITE' all^t='ALL')"},
    {"client|reply", NULL, NULL, NULL, "on_off_skip^o(on^t='ON' off^t='OFF' skip^t='SKIP')"},
    {"client|setname", NULL, NULL, NULL, "connection-name^s"},
    {"client|tracking", NULL, NULL, NULL,
     "status^o(on^t='ON' off^t='OFF') client-id^i='REDIRECT'? prefix^s='PREFIX'?*+ "
     "bcast^t='BCAST'? optin^t='OPTIN'? optout^t='OPTOUT'? noloop^t='NOLOOP'?"},
    {"client|trackinginfo", NULL, NULL, NULL, NULL},
    {"client|unblock", NULL, NULL, NULL,
     "client-id^i timeout_error^o?(timeout^t='TIMEOUT' error^t='ERROR')"},
    {"client|unpause", NULL, NULL, NULL, NULL},
    {"cluster", NULL, NULL, NULL, NULL},
    {"command", NULL, NULL, NULL, NULL},
    {"command|count", NULL, NULL, NULL, NULL},
    {"command|docs", NULL, NULL, NULL, "command-name^s?*"},
    {"command|getkeys", NULL, NULL, NULL, NULL},
    {"command|getkeysandflags", NULL, NULL, NULL, NULL},
    {"command|help", NULL, NULL, NULL, NULL},
    {"command|info", NULL, NULL, NULL, "command-name^s?*"},
    {"command|list", NULL, NULL, NULL,
     "filterby^o='FILTERBY'?(module-name^s='MODULE' category^s='ACLCAT' pattern^p='PATTERN')"},
    {"config", NULL, NULL, NULL, NULL},
    {"config|get", NULL, NULL, NULL, "parameter^b*(parameter^s)"},
    {"config|help", NULL, NULL, NULL, NULL},
    {"config|resetstat", NULL, NULL, NULL, NULL},
    {"config|rewrite", NULL, NULL, NULL, NULL},
    {"config|set", NULL, NULL, NULL, "parameter_value^b*(parameter^s value^s)"},
    {"copy", NULL, NULL, NULL,
     "source^k#0 destination^k#1 destination-db^i='DB'? replace^t='REPLACE'?"},
    {"dbsize", NULL, NULL, NULL, NULL},
    {"debug", "syscmd", NULL, NULL, NULL},
    {"decr", NULL, NULL, NULL, "key^k#0"},
    {"decrby", NULL, NULL, NULL, "key^k#0 decrement^i"},
    {"del", NULL, NULL, NULL, "key^k#0*"},
    {"discard", NULL, NULL, NULL, NULL},
    {"dump", NULL, NULL, NULL, "key^k#0"},
    {"echo", NULL, NULL, NULL, "message^s"},
    {"eval", NULL, NULL, NULL, "script^s numkeys^i key^k#0?* arg^s?*"},
    {"eval_ro", NULL, NULL, NULL, "script^s numkeys^i key^k#0?* arg^s?*"},
    {"evalsha", NULL, NULL, NULL, "sha1^s numkeys^i key^k#0?* arg^s?*"},
    {"evalsha_ro", NULL, NULL, NULL, "sha1^s numkeys^i key^k#0?* arg^s?*"},
    {"exec", NULL, NULL, NULL, NULL},
    {"exists", NULL, NULL, NULL, "key^k#0*"},
    {"expire", NULL, NULL, NULL,
     "key^k#0 seconds^i condition^o@7.0.0?(nx^t='NX' xx^t='XX' gt^t='GT' lt^t='LT')"},
    {"expireat", NULL, NULL, NULL,
     "key^k#0 unix-time-seconds^u condition^o@7.0.0?(nx^t='NX' xx^t='XX' gt^t='GT' lt^t='LT')"},
    {"expiretime", NULL, NULL, NULL, "key^k#0"},
    {"failover", NULL, NULL, NULL,
     "target^b='TO'?(host^s port^i force^t='FORCE'?) abort^t='ABORT'? milliseconds^i='TIMEOUT'?"},
    {"fcall", NULL, NULL, NULL, "function^s numkeys^i key^k#0?* arg^s?*"},
    {"fcall_ro", NULL, NULL, NULL, "function^s numkeys^i key^k#0?* arg^s?*"},
    {"flushall", NULL, NULL, NULL, "async^o?(async^t='ASYNC'@4.0.0 sync^t='SYNC'@6.2.0)"},
    {"flushdb", NULL, NULL, NULL, "async^o?(async^t='ASYNC'@4.0.0 sync^t='SYNC'@6.2.0)"},
    {"function", NULL, NULL, NULL, NULL},
    {"function|delete", NULL, NULL, NULL, "library-name^s"},
    {"function|dump", NULL, NULL, NULL, NULL},
    {"function|flush", NULL, NULL, NULL, "async^o?(async^t='ASYNC' sync^t='SYNC')"},
    {"function|help", NULL, NULL, NULL, NULL},
    {"function|kill", NULL, NULL, NULL, NULL},
    {"function|list", NULL, NULL, NULL,
     "library-name-pattern^s='LIBRARYNAME'? withcode^t='WITHCODE'?"},
    {"function|load", NULL, NULL, NULL, "replace^t='REPLACE'? function-code^s"},
    {"function|restore", NULL, NULL, NULL,
     "serialized-value^s policy^o?(flush^t='FLUSH' append^t='APPEND' replace^t='REPLACE')"},
    {"function|stats", NULL, NULL, NULL, NULL},
    {"geoadd", NULL, NULL, NULL,
     "key^k#0 condition^o@6.2.0?(nx^t='NX' xx^t='XX') change^t='CH'@6.2.0? "
     "longitude_latitude_member^b*(longitude^d latitude^d member^s)"},
    {"geodist", NULL, NULL, NULL,
     "key^k#0 member1^s member2^s unit^o?(m^t='M' km^t='KM' ft^t='FT' mi^t='MI')"},
    {"geohash", NULL, NULL, NULL, "key^k#0 member^s*"},
    {"geopos", NULL, NULL, NULL, "key^k#0 member^s*"},
    {"georadius", "deprecated",
     "6.2.0",
     "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument",
     "key^k#0 longitude^d latitude^d radius^d unit^o(m^t='M' km^t='KM' ft^t='FT' mi^t='MI') "
     "withcoord^t='WITHCOORD'? withdist^t='WITHDIST'? withhash^t='WITHHASH'? "
     "count^b?(count^i='COUNT' any^t='ANY'@6.2.0?) order^o?(asc^t='ASC' desc^t='DESC') "
     "key^k#1='STORE'? key^k#2='STOREDIST'?"},
    {"georadius_ro", "deprecated", "6.2.0", "`GEOSEARCH` with the `BYRADIUS` argument",
     "key^k#0 longitude^d latitude^d radius^d unit^o(m^t='M' km^t='KM' ft^t='FT' mi^t='MI') "
     "withcoord^t='WITHCOORD'? withdist^t='WITHDIST'? withhash^t='WITHHASH'? "
     "count^b?(count^i='COUNT' any^t='ANY'@6.2.0?) order^o?(asc^t='ASC' desc^t='DESC')"},
    {"georadiusbymember", "deprecated",
     "6.2.0",
     "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments",
     "key^k#0 member^s radius^d unit^o(m^t='M' km^t='KM' ft^t='FT' mi^t='MI') "
     "withcoord^t='WITHCOORD'? withdist^t='WITHDIST'? withhash^t='WITHHASH'? "
     "count^b?(count^i='COUNT' any^t='ANY'?) order^o?(asc^t='ASC' desc^t='DESC') key^k#1='STORE'? "
     "key^k#2='STOREDIST'?"},
    {"georadiusbymember_ro", "deprecated",
     "6.2.0",
     "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments",
     "key^k#0 member^s radius^d unit^o(m^t='M' km^t='KM' ft^t='FT' mi^t='MI') "
     "withcoord^t='WITHCOORD'? withdist^t='WITHDIST'? withhash^t='WITHHASH'? "
     "count^b?(count^i='COUNT' any^t='ANY'?) order^o?(asc^t='ASC' desc^t='DESC')"},
    {"geosearch", NULL, NULL, NULL,
     "key^k#0 from^o(member^s='FROMMEMBER' longitude_latitude^b='FROMLONLAT'(longitude^d "
     "latitude^d)) by^o(circle^b(radius^d='BYRADIUS' unit^o(m^t='M' km^t='KM' ft^t='FT' "
     "mi^t='MI')) box^b(width^d='BYBOX' height^d unit^o(m^t='M' km^t='KM' ft^t='FT' mi^t='MI'))) "
     "order^o?(asc^t='ASC' desc^t='DESC') count^b?(count^i='COUNT' any^t='ANY'?) "
     "withcoord^t='WITHCOORD'? withdist^t='WITHDIST'? withhash^t='WITHHASH'?"},
    {"geosearchstore", NULL, NULL, NULL,
     "destination^k#0 source^k#1 from^o(member^s='FROMMEMBER' "
     "longitude_latitude^b='FROMLONLAT'(longitude^d latitude^d)) "
     "by^o(circle^b(radius^d='BYRADIUS' unit^o(m^t='M' km^t='KM' ft^t='FT' mi^t='MI')) "
     "box^b(width^d='BYBOX' height^d unit^o(m^t='M' km^t='KM' ft^t='FT' mi^t='MI'))) "
     "order^o?(asc^t='ASC' desc^t='DESC') count^b?(count^i='COUNT' any^t='ANY'?) "
     "storedist^t='STOREDIST'?"},
    {"get", NULL, NULL, NULL, "key^k#0"},
    {"getbit", NULL, NULL, NULL, "key^k#0 offset^i"},
    {"getdel", NULL, NULL, NULL, "key^k#0"},
    {"getex", NULL, NULL, NULL,
     "key^k#0 expiration^o?(seconds^i='EX' milliseconds^i='PX' unix-time-seconds^u='EXAT' "
     "unix-time-milliseconds^u='PXAT' persist^t='PERSIST')"},
    {"getrange", NULL, NULL, NULL, "key^k#0 start^i end^i"},
    {"getset", "deprecated", "6.2.0", "`SET` with the `!GET` argument", "key^k#0 value^s"},
    {"hdel", NULL, NULL, NULL, "key^k#0 field^s*"},
    {"hello", NULL, NULL, NULL,
     "arguments^b?(protover^i username_password^b='AUTH'?(username^s password^s) "
     "clientname^s='SETNAME'?)"},
    {"hexists", NULL, NULL, NULL, "key^k#0 field^s"},
    {"hget", NULL, NULL, NULL, "key^k#0 field^s"},
    {"hgetall", NULL, NULL, NULL, "key^k#0"},
    {"hincrby", NULL, NULL, NULL, "key^k#0 field^s increment^i"},
    {"hincrbyfloat", NULL, NULL, NULL, "key^k#0 field^s increment^d"},
    {"hkeys", NULL, NULL, NULL, "key^k#0"},
    {"hlen", NULL, NULL, NULL, "key^k#0"},
    {"hmget", NULL, NULL, NULL, "key^k#0 field^s*"},
    {"hmset", "deprecated", "4.0.0", "`HSET` with multiple field-value pairs",
     "key^k#0 field_value^b*(field^s value^s)"},
    {"hrandfield", NULL, NULL, NULL, "key^k#0 options^b?(count^i withvalues^t='WITHVALUES'?)"},
    {"hscan", NULL, NULL, NULL, "key^k#0 cursor^i pattern^p='MATCH'? count^i='COUNT'?"},
    {"hset", NULL, NULL, NULL, "key^k#0 field_value^b*(field^s value^s)"},
    {"hsetnx", NULL, NULL, NULL, "key^k#0 field^s value^s"},
    {"hstrlen", NULL, NULL, NULL, "key^k#0 field^s"},
    {"hvals", NULL, NULL, NULL, "key^k#0"},
    {"incr", NULL, NULL, NULL, "key^k#0"},
    {"incrby", NULL, NULL, NULL, "key^k#0 increment^i"},
    {"incrbyfloat", NULL, NULL, NULL, "key^k#0 increment^d"},
    {"info", NULL, NULL, NULL, "section^s?*"},
    {"keys", NULL, NULL, NULL, "pattern^p"},
    {"lastsave", NULL, NULL, NULL, NULL},
    {"latency", NULL, NULL, NULL, NULL},
    {"latency|doctor", NULL, NULL, NULL, NULL},
    {"latency|graph", NULL, NULL, NULL, "event^s"},
    {"latency|help", NULL, NULL, NULL, NULL},
    {"latency|histogram", NULL, NULL, NULL, "command^s?*"},
    {"latency|history", NULL, NULL, NULL, "event^s"},
    {"latency|latest", NULL, NULL, NULL, NULL},
    {"latency|reset", NULL, NULL, NULL, "event^s?*"},
    {"lcs", NULL, NULL, NULL,
     "key1^k#0 key2^k#0 len^t='LEN'? idx^t='IDX'? len^i='MINMATCHLEN'? "
     "withmatchlen^t='WITHMATCHLEN'?"},
    {"lindex", NULL, NULL, NULL, "key^k#0 index^i"},
    {"linsert", NULL, NULL, NULL,
     "key^k#0 where^o(before^t='BEFORE' after^t='AFTER') pivot^s element^s"},
    {"llen", NULL, NULL, NULL, "key^k#0"},
    {"lmove", NULL, NULL, NULL,
     "source^k#0 destination^k#1 wherefrom^o(left^t='LEFT' right^t='RIGHT') "
     "whereto^o(left^t='LEFT' right^t='RIGHT')"},
    {"lmpop", NULL, NULL, NULL,
     "numkeys^i key^k#0* where^o(left^t='LEFT' right^t='RIGHT') count^i='COUNT'?"},
    {"lolwut", NULL, NULL, NULL, "version^i='VERSION'?"},
    {"lpop", NULL, NULL, NULL, "key^k#0 count^i@6.2.0?"},
    {"lpos", NULL, NULL, NULL,
     "key^k#0 element^s rank^i='RANK'? num-matches^i='COUNT'? len^i='MAXLEN'?"},
    {"lpush", NULL, NULL, NULL, "key^k#0 element^s*"},
    {"lpushx", NULL, NULL, NULL, "key^k#0 element^s*"},
    {"lrange", NULL, NULL, NULL, "key^k#0 start^i stop^i"},
    {"lrem", NULL, NULL, NULL, "key^k#0 count^i element^s"},
    {"lset", NULL, NULL, NULL, "key^k#0 index^i element^s"},
    {"ltrim", NULL, NULL, NULL, "key^k#0 start^i stop^i"},
    {"memory", NULL, NULL, NULL, NULL},
    {"memory|doctor", NULL, NULL, NULL, NULL},
    {"memory|help", NULL, NULL, NULL, NULL},
    {"memory|malloc-stats", NULL, NULL, NULL, NULL},
    {"memory|purge", NULL, NULL, NULL, NULL},
    {"memory|stats", NULL, NULL, NULL, NULL},
    {"memory|usage", NULL, NULL, NULL, "key^k#0 count^i='SAMPLES'?"},
    {"mget", NULL, NULL, NULL, "key^k#0*"},
    {"migrate", NULL, NULL, NULL,
     "host^s port^i key_or_empty_string^o(key^k#0 empty_string^t='') destination-db^i timeout^i "
     "copy^t='COPY'@3.0.0? replace^t='REPLACE'@3.0.0? authentication^o?(password^s='AUTH'@4.0.7? "
     "username_password^b='AUTH2'@6.0.0?(username^s password^s)) key^k#1='KEYS'@3.0.6?*"},
    {"module", NULL, NULL, NULL, NULL},
    {"monitor", NULL, NULL, NULL, NULL},
    {"move", NULL, NULL, NULL, "key^k#0 db^i"},
    {"mset", NULL, NULL, NULL, "key_value^b*(key^k#0 value^s)"},
    {"msetnx", NULL, NULL, NULL, "key_value^b*(key^k#0 value^s)"},
    {"multi", NULL, NULL, NULL, NULL},
    {"object", NULL, NULL, NULL, NULL},
    {"object|encoding", NULL, NULL, NULL, "key^k#0"},
    {"object|freq", NULL, NULL, NULL, "key^k#0"},
    {"object|help", NULL, NULL, NULL, NULL},
    {"object|idletime", NULL, NULL, NULL, "key^k#0"},
    {"object|refcount", NULL, NULL, NULL, "key^k#0"},
    {"persist", NULL, NULL, NULL, "key^k#0"},
    {"pexpire", NULL, NULL, NULL,
     "key^k#0 milliseconds^i condition^o@7.0.0?(nx^t='NX' xx^t='XX' gt^t='GT' lt^t='LT')"},
    {"pexpireat", NULL, NULL, NULL,
     "key^k#0 unix-time-milliseconds^u condition^o@7.0.0?(nx^t='NX' xx^t='XX' gt^t='GT' "
     "lt^t='LT')"},
    {"pexpiretime", NULL, NULL, NULL, "key^k#0"},
    {"pfadd", NULL, NULL, NULL, "key^k#0 element^s?*"},
    {"pfcount", NULL, NULL, NULL, "key^k#0*"},
    {"pfdebug", "syscmd", NULL, NULL, "subcommand^s key^k#0"},
    {"pfmerge", NULL, NULL, NULL, "destkey^k#0 sourcekey^k#1*"},
    {"pfselftest", "syscmd", NULL, NULL, NULL},
    {"ping", NULL, NULL, NULL, "message^s?"},
    {"psetex", NULL, NULL, NULL, "key^k#0 milliseconds^i value^s"},
    {"psubscribe", NULL, NULL, NULL, "pattern^b*(pattern^p)"},
    {"psync", NULL, NULL, NULL, "replicationid^s offset^i"},
    {"pttl", NULL, NULL, NULL, "key^k#0"},
    {"publish", NULL, NULL, NULL, "channel^s message^s"},
    {"pubsub", NULL, NULL, NULL, NULL},
    {"pubsub|channels", NULL, NULL, NULL, "pattern^p?"},
    {"pubsub|help", NULL, NULL, NULL, NULL},
    {"pubsub|numpat", NULL, NULL, NULL, NULL},
    {"pubsub|numsub", NULL, NULL, NULL, "channel^s?*"},
    {"pubsub|shardchannels", NULL, NULL, NULL, "pattern^p?"},
    {"pubsub|shardnumsub", NULL, NULL, NULL, "shardchannel^s?*"},
    {"punsubscribe", NULL, NULL, NULL, "pattern^p?*"},
    {"quit", NULL, NULL, NULL, NULL},
    {"randomkey", NULL, NULL, NULL, NULL},
    {"readonly", NULL, NULL, NULL, NULL},
    {"readwrite", NULL, NULL, NULL, NULL},
    {"rename", NULL, NULL, NULL, "key^k#0 newkey^k#1"},
    {"renamenx", NULL, NULL, NULL, "key^k#0 newkey^k#1"},
    {"replconf", "syscmd", NULL, NULL, NULL},
    {"replicaof", NULL, NULL, NULL,
     "args^o(host-port^b(host^s port^i) no-one^b(no^t='NO' one^t='ONE'))"},
    {"reset", NULL, NULL, NULL, NULL},
    {"restore", NULL, NULL, NULL,
     "key^k#0 ttl^i serialized-value^s replace^t='REPLACE'@3.0.0? absttl^t='ABSTTL'@5.0.0? "
     "seconds^i='IDLETIME'@5.0.0? frequency^i='FREQ'@5.0.0?"},
    {"restore-asking", "syscmd", NULL, NULL,
     "key^k#0 ttl^i serialized-value^s replace^t='REPLACE'@3.0.0? absttl^t='ABSTTL'@5.0.0? "
     "seconds^i='IDLETIME'@5.0.0? frequency^i='FREQ'@5.0.0?"},
    {"role", NULL, NULL, NULL, NULL},
    {"rpop", NULL, NULL, NULL, "key^k#0 count^i@6.2.0?"},
    {"rpoplpush", "deprecated", "6.2.0", "`LMOVE` with the `RIGHT` and `LEFT` arguments",
     "source^k#0 destination^k#1"},
    {"rpush", NULL, NULL, NULL, "key^k#0 element^s*"},
    {"rpushx", NULL, NULL, NULL, "key^k#0 element^s*"},
    {"sadd", NULL, NULL, NULL, "key^k#0 member^s*"},
    {"save", NULL, NULL, NULL, NULL},
    {"scan", NULL, NULL, NULL, "cursor^i pattern^p='MATCH'? count^i='COUNT'? type^s='TYPE'@6.0.0?"},
    {"scard", NULL, NULL, NULL, "key^k#0"},
    {"script", NULL, NULL, NULL, NULL},
    {"script|debug", NULL, NULL, NULL, "mode^o(yes^t='YES' sync^t='SYNC' no^t='NO')"},
    {"script|exists", NULL, NULL, NULL, "sha1^s*"},
    {"script|flush", NULL, NULL, NULL, "async^o@6.2.0?(async^t='ASYNC' sync^t='SYNC')"},
    {"script|help", NULL, NULL, NULL, NULL},
    {"script|kill", NULL, NULL, NULL, NULL},
    {"script|load", NULL, NULL, NULL, "script^s"},
    {"sdiff", NULL, NULL, NULL, "key^k#0*"},
    {"sdiffstore", NULL, NULL, NULL, "destination^k#0 key^k#1*"},
    {"select", NULL, NULL, NULL, "index^i"},
    {"set", NULL, NULL, NULL,
     "key^k#0 value^s condition^o@2.6.12?(nx^t='NX' xx^t='XX') get^t='GET'@6.2.0? "
     "expiration^o?(seconds^i='EX'@2.6.12 milliseconds^i='PX'@2.6.12 "
     "unix-time-seconds^u='EXAT'@6.2.0 unix-time-milliseconds^u='PXAT'@6.2.0 "
     "keepttl^t='KEEPTTL'@6.0.0)"},
    {"setbit", NULL, NULL, NULL, "key^k#0 offset^i value^i"},
    {"setex", NULL, NULL, NULL, "key^k#0 seconds^i value^s"},
    {"setnx", NULL, NULL, NULL, "key^k#0 value^s"},
    {"setrange", NULL, NULL, NULL, "key^k#0 offset^i value^s"},
    {"shutdown", NULL, NULL, NULL,
     "nosave_save^o?(nosave^t='NOSAVE' save^t='SAVE') now^t='NOW'@7.0.0? force^t='FORCE'@7.0.0? "
     "abort^t='ABORT'@7.0.0?"},
    {"sinter", NULL, NULL, NULL, "key^k#0*"},
    {"sintercard", NULL, NULL, NULL, "numkeys^i key^k#0* limit^i='LIMIT'?"},
    {"sinterstore", NULL, NULL, NULL, "destination^k#0 key^k#1*"},
    {"sismember", NULL, NULL, NULL, "key^k#0 member^s"},
    {"slaveof", "deprecated", "5.0.0", "`REPLICAOF`",
     "args^o(host-port^b(host^s port^i) no-one^b(no^t='NO' one^t='ONE'))"},
    {"slowlog", NULL, NULL, NULL, NULL},
    {"slowlog|get", NULL, NULL, NULL, "count^i?"},
    {"slowlog|help", NULL, NULL, NULL, NULL},
    {"slowlog|len", NULL, NULL, NULL, NULL},
    {"slowlog|reset", NULL, NULL, NULL, NULL},
    {"smembers", NULL, NULL, NULL, "key^k#0"},
    {"smismember", NULL, NULL, NULL, "key^k#0 member^s*"},
    {"smove", NULL, NULL, NULL, "source^k#0 destination^k#1 member^s"},
    {"sort", NULL, NULL, NULL,
     "key^k#0 pattern^p#1='BY'? offset_count^b='LIMIT'?(offset^i count^i) pattern^p#1='GET'?*+ "
     "order^o?(asc^t='ASC' desc^t='DESC') sorting^t='ALPHA'? destination^k#2='STORE'?"},
    {"sort_ro", NULL, NULL, NULL,
     "key^k#0 pattern^p#1='BY'? offset_count^b='LIMIT'?(offset^i count^i) pattern^p#1='GET'?*+ "
     "order^o?(asc^t='ASC' desc^t='DESC') sorting^t='ALPHA'?"},
    {"spop", NULL, NULL, NULL, "key^k#0 count^i@3.2.0?"},
    {"spublish", NULL, NULL, NULL, "shardchannel^s message^s"},
    {"srandmember", NULL, NULL, NULL, "key^k#0 count^i@2.6.0?"},
    {"srem", NULL, NULL, NULL, "key^k#0 member^s*"},
    {"sscan", NULL, NULL, NULL, "key^k#0 cursor^i pattern^p='MATCH'? count^i='COUNT'?"},
    {"ssubscribe", NULL, NULL, NULL, "shardchannel^s*"},
    {"strlen", NULL, NULL, NULL, "key^k#0"},
    {"subscribe", NULL, NULL, NULL, "channel^s*"},
    {"substr", "deprecated", "2.0.0", "`GETRANGE`", "key^k#0 start^i end^i"},
    {"sunion", NULL, NULL, NULL, "key^k#0*"},
    {"sunionstore", NULL, NULL, NULL, "destination^k#0 key^k#1*"},
    {"sunsubscribe", NULL, NULL, NULL, "shardchannel^s?*"},
    {"swapdb", NULL, NULL, NULL, "index1^i index2^i"},
    {"sync", NULL, NULL, NULL, NULL},
    {"time", NULL, NULL, NULL, NULL},
    {"touch", NULL, NULL, NULL, "key^k#0*"},
    {"ttl", NULL, NULL, NULL, "key^k#0"},
    {"type", NULL, NULL, NULL, "key^k#0"},
    {"unlink", NULL, NULL, NULL, "key^k#0*"},
    {"unsubscribe", NULL, NULL, NULL, "channel^s?*"},
    {"unwatch", NULL, NULL, NULL, NULL},
    {"wait", NULL, NULL, NULL, "numreplicas^i timeout^i"},
    {"watch", NULL, NULL, NULL, "key^k#0*"},
    {"xack", NULL, NULL, NULL, "key^k#0 group^s id^s*"},
    {"xadd", NULL, NULL, NULL,
     "key^k#0 nomkstream^t='NOMKSTREAM'@6.2.0? trim^b?(strategy^o(maxlen^t='MAXLEN' "
     "minid^t='MINID'@6.2.0) operator^o?(equal^t='=' approximately^t='~') threshold^s "
     "count^i='LIMIT'@6.2.0?) id_or_auto^o(auto_id^t='*' id^s) field_value^b*(field^s value^s)"},
    {"xautoclaim", NULL, NULL, NULL,
     "key^k#0 group^s consumer^s min-idle-time^s start^s count^i='COUNT'? justid^t='JUSTID'?"},
    {"xclaim", NULL, NULL, NULL,
     "key^k#0 group^s consumer^s min-idle-time^s id^s* ms^i='IDLE'? "
     "unix-time-milliseconds^u='TIME'? count^i='RETRYCOUNT'? force^t='FORCE'? justid^t='JUSTID'? "
     "id^s='LASTID'?"},
    {"xdel", NULL, NULL, NULL, "key^k#0 id^s*"},
    {"xgroup", NULL, NULL, NULL, NULL},
    {"xgroup|create", NULL, NULL, NULL,
     "key^k#0 groupname^s id^o(id^s new_id^t='$') mkstream^t='MKSTREAM'? "
     "entries_read^i='ENTRIESREAD'?"},
    {"xgroup|createconsumer", NULL, NULL, NULL, "key^k#0 groupname^s consumername^s"},
    {"xgroup|delconsumer", NULL, NULL, NULL, "key^k#0 groupname^s consumername^s"},
    {"xgroup|destroy", NULL, NULL, NULL, "key^k#0 groupname^s"},
    {"xgroup|help", NULL, NULL, NULL, NULL},
    {"xgroup|setid", NULL, NULL, NULL,
     "key^k#0 groupname^s id^o(id^s new_id^t='$') entries_read^i='ENTRIESREAD'?"},
    {"xinfo", NULL, NULL, NULL, NULL},
    {"xinfo|consumers", NULL, NULL, NULL, "key^k#0 groupname^s"},
    {"xinfo|groups", NULL, NULL, NULL, "key^k#0"},
    {"xinfo|help", NULL, NULL, NULL, NULL},
    {"xinfo|stream", NULL, NULL, NULL, "key^k#0 full^b='FULL'?(count^i='COUNT'?)"},
    {"xlen", NULL, NULL, NULL, "key^k#0"},
    {"xpending", NULL, NULL, NULL,
     "key^k#0 group^s filters^b?(min-idle-time^i='IDLE'@6.2.0? start^s end^s count^i consumer^s?)"},
    {"xrange", NULL, NULL, NULL, "key^k#0 start^s end^s count^i='COUNT'?"},
    {"xread", NULL, NULL, NULL,
     "count^i='COUNT'? milliseconds^i='BLOCK'? streams^b='STREAMS'(key^k#0* id^s*)"},
    {"xreadgroup", NULL, NULL, NULL,
     "group_consumer^b='GROUP'(group^s consumer^s) count^i='COUNT'? milliseconds^i='BLOCK'? "
     "noack^t='NOACK'? streams^b='STREAMS'(key^k#0* id^s*)"},
    {"xrevrange", NULL, NULL, NULL, "key^k#0 end^s start^s count^i='COUNT'?"},
    {"xsetid", NULL, NULL, NULL,
     "key^k#0 last-id^s entries_added^i='ENTRIESADDED'@7.0.0? "
     "max_deleted_entry_id^s='MAXDELETEDID'@7.0.0?"},
    {"xtrim", NULL, NULL, NULL,
     "key^k#0 trim^b(strategy^o(maxlen^t='MAXLEN' minid^t='MINID'@6.2.0) operator^o?(equal^t='=' "
     "approximately^t='~') threshold^s count^i='LIMIT'@6.2.0?)"},
    {"zadd", NULL, NULL, NULL,
     "key^k#0 condition^o@3.0.2?(nx^t='NX' xx^t='XX') comparison^o@6.2.0?(gt^t='GT' lt^t='LT') "
     "change^t='CH'@3.0.2? increment^t='INCR'@3.0.2? score_member^b*(score^d member^s)"},
    {"zcard", NULL, NULL, NULL, "key^k#0"},
    {"zcount", NULL, NULL, NULL, "key^k#0 min^d max^d"},
    {"zdiff", NULL, NULL, NULL, "numkeys^i key^k#0* withscores^t='WITHSCORES'?"},
    {"zdiffstore", NULL, NULL, NULL, "destination^k#0 numkeys^i key^k#1*"},
    {"zincrby", NULL, NULL, NULL, "key^k#0 increment^i member^s"},
    {"zinter", NULL, NULL, NULL,
     "numkeys^i key^k#0* weight^i='WEIGHTS'?* aggregate^o='AGGREGATE'?(sum^t='SUM' min^t='MIN' "
     "max^t='MAX') withscores^t='WITHSCORES'?"},
    {"zintercard", NULL, NULL, NULL, "numkeys^i key^k#0* limit^i='LIMIT'?"},
    {"zinterstore", NULL, NULL, NULL,
     "destination^k#0 numkeys^i key^k#1* weight^i='WEIGHTS'?* "
     "aggregate^o='AGGREGATE'?(sum^t='SUM' min^t='MIN' max^t='MAX')"},
    {"zlexcount", NULL, NULL, NULL, "key^k#0 min^s max^s"},
    {"zmpop", NULL, NULL, NULL,
     "numkeys^i key^k#0* where^o(min^t='MIN' max^t='MAX') count^i='COUNT'?"},
    {"zmscore", NULL, NULL, NULL, "key^k#0 member^s*"},
    {"zpopmax", NULL, NULL, NULL, "key^k#0 count^i?"},
    {"zpopmin", NULL, NULL, NULL, "key^k#0 count^i?"},
    {"zrandmember", NULL, NULL, NULL, "key^k#0 options^b?(count^i withscores^t='WITHSCORES'?)"},
    {"zrange", NULL, NULL, NULL,
     "key^k#0 start^s stop^s sortby^o@6.2.0?(byscore^t='BYSCORE' bylex^t='BYLEX') "
     "rev^t='REV'@6.2.0? offset_count^b='LIMIT'@6.2.0?(offset^i count^i) "
     "withscores^t='WITHSCORES'?"},
    {"zrangebylex", "deprecated", "6.2.0", "`ZRANGE` with the `BYLEX` argument",
     "key^k#0 min^s max^s offset_count^b='LIMIT'?(offset^i count^i)"},
    {"zrangebyscore", "deprecated", "6.2.0", "`ZRANGE` with the `BYSCORE` argument",
     "key^k#0 min^d max^d withscores^t='WITHSCORES'@2.0.0? offset_count^b='LIMIT'?(offset^i "
     "count^i)"},
    {"zrangestore", NULL, NULL, NULL,
     "dst^k#0 src^k#1 min^s max^s sortby^o?(byscore^t='BYSCORE' bylex^t='BYLEX') rev^t='REV'? "
     "offset_count^b='LIMIT'?(offset^i count^i)"},
    {"zrank", NULL, NULL, NULL, "key^k#0 member^s"},
    {"zrem", NULL, NULL, NULL, "key^k#0 member^s*"},
    {"zremrangebylex", NULL, NULL, NULL, "key^k#0 min^s max^s"},
    {"zremrangebyrank", NULL, NULL, NULL, "key^k#0 start^i stop^i"},
    {"zremrangebyscore", NULL, NULL, NULL, "key^k#0 min^d max^d"},
    {"zrevrange", "deprecated", "6.2.0", "`ZRANGE` with the `REV` argument",
     "key^k#0 start^i stop^i withscores^t='WITHSCORES'?"},
    {"zrevrangebylex", "deprecated", "6.2.0", "`ZRANGE` with the `REV` and `BYLEX` arguments",
     "key^k#0 max^s min^s offset_count^b='LIMIT'?(offset^i count^i)"},
    {"zrevrangebyscore", "deprecated", "6.2.0", "`ZRANGE` with the `REV` and `BYSCORE` arguments",
     "key^k#0 max^d min^d withscores^t='WITHSCORES'? offset_count^b='LIMIT'?(offset^i count^i)"},
    {"zrevrank", NULL, NULL, NULL, "key^k#0 member^s"},
    {"zscan", NULL, NULL, NULL, "key^k#0 cursor^i pattern^p='MATCH'? count^i='COUNT'?"},
    {"zscore", NULL, NULL, NULL, "key^k#0 member^s"},
    {"zunion", NULL, NULL, NULL,
     "numkeys^i key^k#0* weight^i='WEIGHTS'?* aggregate^o='AGGREGATE'?(sum^t='SUM' min^t='MIN' "
     "max^t='MAX') withscores^t='WITHSCORES'?"},
    {"zunionstore", NULL, NULL, NULL,
     "destination^k#0 numkeys^i key^k#1* weight^i='WEIGHTS'?* "
     "aggregate^o='AGGREGATE'?(sum^t='SUM' min^t='MIN' max^t='MAX')"},
};

/* COMMAND DOCS history: (version, change) rows, grouped by command name in
 * Redis's order. */
struct command_history {
    const char *name;
    const char *version;
    const char *change;
};

static const struct command_history command_histories[] = {
    {"acl|getuser", "6.2.0", "Added Pub/Sub channel patterns."},
    {"acl|getuser", "7.0.0",
     "Added selectors and changed the format of key and channel patterns from a list to their "
     "rule representation."},
    {"acl|setuser", "6.2.0", "Added Pub/Sub channel patterns."},
    {"acl|setuser", "7.0.0", "Added selectors and key based permissions."},
    {"auth", "6.0.0", "Added ACL style (username and password)."},
    {"bgsave", "3.2.2", "Added the `SCHEDULE` option."},
    {"bitcount", "7.0.0", "Added the `BYTE|BIT` option."},
    {"bitpos", "7.0.0", "Added the `BYTE|BIT` option."},
    {"blpop", "6.0.0", "`timeout` is interpreted as a double instead of an integer."},
    {"brpop", "6.0.0", "`timeout` is interpreted as a double instead of an integer."},
    {"brpoplpush", "6.0.0", "`timeout` is interpreted as a double instead of an integer."},
    {"bzpopmax", "6.0.0", "`timeout` is interpreted as a double instead of an integer."},
    {"bzpopmin", "6.0.0", "`timeout` is interpreted as a double instead of an integer."},
    {"client|kill", "2.8.12", "Added new filter format."},
    {"client|kill", "2.8.12", "`ID` option."},
    {"client|kill", "3.2.0", "Added `master` type in for `TYPE` option."},
    {"client|kill", "5.0.0",
     "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."},
    {"client|kill", "6.2.0", "`LADDR` option."},
    {"client|list", "2.8.12", "Added unique client `id` field."},
    {"client|list", "5.0.0", "Added optional `TYPE` filter."},
    {"client|list", "6.0.0", "Added `user` field."},
    {"client|list", "6.2.0",
     "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."},
    {"client|list", "7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."},
    {"client|list", "7.0.3", "Added `ssub` field."},
    {"client|pause", "6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option."},
    {"command|info", "7.0.0", "Allowed to be called with no argument to get info on all commands."},
    {"config|get", "7.0.0", "Added the ability to pass multiple pattern parameters in one call"},
    {"config|set", "7.0.0", "Added the ability to set multiple parameters in one call."},
    {"exists", "3.0.3", "Accepts multiple `key` arguments."},
    {"expire", "7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."},
    {"expireat", "7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."},
    {"flushall", "4.0.0", "Added the `ASYNC` flushing mode modifier."},
    {"flushall", "6.2.0", "Added the `SYNC` flushing mode modifier."},
    {"flushdb", "4.0.0", "Added the `ASYNC` flushing mode modifier."},
    {"flushdb", "6.2.0", "Added the `SYNC` flushing mode modifier."},
    {"geoadd", "6.2.0", "Added the `CH`, `NX` and `XX` options."},
    {"georadius", "6.2.0", "Added the `ANY` option for `COUNT`."},
    {"georadius", "7.0.0", "Added support for uppercase unit names."},
    {"georadius_ro", "6.2.0", "Added the `ANY` option for `COUNT`."},
    {"georadiusbymember", "7.0.0", "Added support for uppercase unit names."},
    {"geosearch", "7.0.0", "Added support for uppercase unit names."},
    {"geosearchstore", "7.0.0", "Added support for uppercase unit names."},
    {"hdel", "2.4.0", "Accepts multiple `field` arguments."},
    {"hello", "6.2.0",
     "`protover` made optional; when called without arguments the command reports the current "
     "connection's context."},
    {"hset", "4.0.0", "Accepts multiple `field` and `value` arguments."},
    {"info", "7.0.0", "Added support for taking multiple section arguments."},
    {"lpop", "6.2.0", "Added the `count` argument."},
    {"lpush", "2.4.0", "Accepts multiple `element` arguments."},
    {"lpushx", "4.0.0", "Accepts multiple `element` arguments."},
    {"migrate", "3.0.0", "Added the `COPY` and `REPLACE` options."},
    {"migrate", "3.0.6", "Added the `KEYS` option."},
    {"migrate", "4.0.7", "Added the `AUTH` option."},
    {"migrate", "6.0.0", "Added the `AUTH2` option."},
    {"pexpire", "7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."},
    {"pexpireat", "7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."},
    {"pttl", "2.8.0", "Added the -2 reply."},
    {"renamenx", "3.2.0",
     "The command no longer returns an error when source and destination names are the same."},
    {"restore", "3.0.0", "Added the `REPLACE` modifier."},
    {"restore", "5.0.0", "Added the `ABSTTL` modifier."},
    {"restore", "5.0.0", "Added the `IDLETIME` and `FREQ` options."},
    {"restore-asking", "3.0.0", "Added the `REPLACE` modifier."},
    {"restore-asking", "5.0.0", "Added the `ABSTTL` modifier."},
    {"restore-asking", "5.0.0", "Added the `IDLETIME` and `FREQ` options."},
    {"rpop", "6.2.0", "Added the `count` argument."},
    {"rpush", "2.4.0", "Accepts multiple `element` arguments."},
    {"rpushx", "4.0.0", "Accepts multiple `element` arguments."},
    {"sadd", "2.4.0", "Accepts multiple `member` arguments."},
    {"scan", "6.0.0", "Added the `TYPE` subcommand."},
    {"script|flush", "6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers."},
    {"set", "2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."},
    {"set", "6.0.0", "Added the `KEEPTTL` option."},
    {"set", "6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."},
    {"set", "7.0.0", "Allowed the `NX` and `GET` options to be used together."},
    {"shutdown", "7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers."},
    {"slowlog|get", "4.0.0", "Added client IP address, port and name to the reply."},
    {"spop", "3.2.0", "Added the `count` argument."},
    {"srandmember", "2.6.0", "Added the optional `count` argument."},
    {"srem", "2.4.0", "Accepts multiple `member` arguments."},
    {"ttl", "2.8.0", "Added the -2 reply."},
    {"xadd", "6.2.0",
     "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."},
    {"xadd", "7.0.0", "Added support for the `<ms>-*` explicit ID form."},
    {"xautoclaim", "7.0.0",
     "Added an element to the reply array, containing deleted entries the command cleared from "
     "the PEL"},
    {"xgroup|create", "7.0.0", "Added the `entries_read` named argument."},
    {"xgroup|setid", "7.0.0", "Added the optional `entries_read` argument."},
    {"xinfo|groups", "7.0.0", "Added the `entries-read` and `lag` fields"},
    {"xinfo|stream", "6.0.0", "Added the `FULL` modifier."},
    {"xinfo|stream", "7.0.0",
     "Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, "
     "`entries-read` and `lag` fields"},
    {"xpending", "6.2.0", "Added the `IDLE` option and exclusive range intervals."},
    {"xrange", "6.2.0", "Added exclusive ranges."},
    {"xrevrange", "6.2.0", "Added exclusive ranges."},
    {"xsetid", "7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments."},
    {"xtrim", "6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option."},
    {"zadd", "2.4.0", "Accepts multiple elements."},
    {"zadd", "3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."},
    {"zadd", "6.2.0", "Added the `GT` and `LT` options."},
    {"zrange", "6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."},
    {"zrangebyscore", "2.0.0", "Added the `WITHSCORES` modifier."},
    {"zrem", "2.4.0", "Accepts multiple elements."},
    {"zrevrangebyscore", "2.1.6", "`min` and `max` can be exclusive."},
};

/* Nesting of the argument notation is bounded by the table above (three
 * levels at most); this limit only guards the recursion. */
#define COMMAND_DOCS_DEPTH_MAX 8

static int command_doc_compare(const void *key, const void *entry)
{
    return strcmp(key, ((const struct command_doc *)entry)->name);
}

static const struct command_doc *command_doc_find(const struct command *cmd)
{
    return bsearch((cmd)->fullname, command_docs,
                   sizeof(command_docs) / sizeof(command_docs[0]), sizeof(command_docs[0]),
                   command_doc_compare);
}

/* Length of the argument item at p: up to a space outside parentheses and
 * quotes, or the parenthesis that closes the enclosing list. */
static size_t command_doc_item_len(const char *p, size_t len)
{
    int depth = 0;
    bool quoted = false;
    size_t i = 0;
    for (; i < len; i++) {
        char ch = p[i];
        if (quoted) {
            quoted = ch != '\'';
        } else if (ch == '\'') {
            quoted = true;
        } else if (ch == '(') {
            depth++;
        } else if (ch == ')') {
            if (depth == 0)
                break;
            depth--;
        } else if (ch == ' ' && depth == 0) {
            break;
        }
    }
    assert(!quoted);
    return i;
}

static long long command_doc_count_items(const char *p, size_t len)
{
    long long count = 0;
    for (size_t at = 0; at < len;) {
        at += command_doc_item_len(p + at, len - at);
        count++;
        at += at < len; /* the separating space */
    }
    return count;
}

/* One argument item, parsed. Pointers are into the table's text. */
struct command_doc_arg {
    const char *name;
    size_t name_len;
    const char *type;
    int key_spec_index; /* -1 when absent */
    const char *token, *since, *deprecated;
    size_t token_len, since_len, deprecated_len;
    bool optional, multiple, multiple_token;
    const char *children; /* inside the parentheses, or NULL */
    size_t children_len;
};

static const char *command_doc_type_name(char code)
{
    switch (code) {
    case 'k': return "key";
    case 's': return "string";
    case 'i': return "integer";
    case 'd': return "double";
    case 'p': return "pattern";
    case 'u': return "unix-time";
    case 't': return "pure-token";
    case 'o': return "oneof";
    case 'b': return "block";
    }
    assert(!"unknown argument type in command_docs");
    return "";
}

static size_t command_doc_version_len(const char *p, const char *end)
{
    size_t n = 0;
    while (p + n < end && (isdigit((unsigned char)p[n]) || p[n] == '.'))
        n++;
    return n;
}

static void command_doc_parse_arg(const char *p, size_t len, struct command_doc_arg *arg)
{
    memset(arg, 0, sizeof(*arg));
    arg->key_spec_index = -1;
    const char *end = p + len;
    const char *caret = memchr(p, '^', len);
    assert(caret != NULL && caret + 1 < end);
    arg->name = p;
    arg->name_len = (size_t)(caret - p);
    arg->type = command_doc_type_name(caret[1]);
    for (const char *q = caret + 2; q < end;) {
        char mark = *q++;
        if (mark == '#') {
            arg->key_spec_index = atoi(q);
            while (q < end && isdigit((unsigned char)*q))
                q++;
        } else if (mark == '=') {
            assert(*q == '\'');
            const char *close = memchr(q + 1, '\'', (size_t)(end - q - 1));
            assert(close != NULL);
            arg->token = q + 1;
            arg->token_len = (size_t)(close - q - 1);
            q = close + 1;
        } else if (mark == '@' || mark == '!') {
            size_t n = command_doc_version_len(q, end);
            *(mark == '@' ? &arg->since : &arg->deprecated) = q;
            *(mark == '@' ? &arg->since_len : &arg->deprecated_len) = n;
            q += n;
        } else if (mark == '?' || mark == '*' || mark == '+') {
            arg->optional |= mark == '?';
            arg->multiple |= mark == '*';
            arg->multiple_token |= mark == '+';
        } else {
            assert(mark == '(' && end[-1] == ')');
            arg->children = q;
            arg->children_len = (size_t)(end - 1 - q);
            break;
        }
    }
}

static void command_doc_reply_args(struct client *c, const char *p, size_t len, int depth);

/* One argument's map, fields in Redis's order. */
static void command_doc_reply_arg(struct client *c, const struct command_doc_arg *arg, int depth)
{
    long long flags = arg->optional + arg->multiple + arg->multiple_token;
    long long fields = 2 + (arg->key_spec_index >= 0) + (arg->token != NULL) +
                       (arg->since != NULL) + (arg->deprecated != NULL) + (flags > 0) +
                       (arg->children != NULL);
    reply_map_len(c, fields);
    reply_bulk_cstr(c, "name");
    reply_bulk(c, arg->name, arg->name_len);
    reply_bulk_cstr(c, "type");
    reply_bulk_cstr(c, arg->type);
    if (arg->key_spec_index >= 0) {
        reply_bulk_cstr(c, "key_spec_index");
        reply_integer(c, arg->key_spec_index);
    }
    const char *texts[][2] = {{"token", arg->token}, {"since", arg->since},
                              {"deprecated_since", arg->deprecated}};
    size_t lens[] = {arg->token_len, arg->since_len, arg->deprecated_len};
    for (int i = 0; i < 3; i++) {
        if (!texts[i][1])
            continue;
        reply_bulk_cstr(c, texts[i][0]);
        reply_bulk(c, texts[i][1], lens[i]);
    }
    if (flags > 0) {
        reply_bulk_cstr(c, "flags");
        reply_set_len(c, flags);
        if (arg->optional)
            reply_status(c, "optional");
        if (arg->multiple)
            reply_status(c, "multiple");
        if (arg->multiple_token)
            reply_status(c, "multiple_token");
    }
    if (arg->children) {
        reply_bulk_cstr(c, "arguments");
        command_doc_reply_args(c, arg->children, arg->children_len, depth + 1);
    }
}

/* An argument list as an array of maps. Recursion follows the nesting of
 * the static table, never client input. */
static void command_doc_reply_args(struct client *c, const char *p, size_t len, int depth)
{
    assert(depth < COMMAND_DOCS_DEPTH_MAX);
    reply_array_len(c, command_doc_count_items(p, len));
    for (size_t at = 0; at < len;) {
        size_t item = command_doc_item_len(p + at, len - at);
        struct command_doc_arg arg;
        command_doc_parse_arg(p + at, item, &arg);
        command_doc_reply_arg(c, &arg, depth);
        at += item;
        at += at < len;
    }
}

static void command_doc_reply_history(struct client *c, const char *name, long long count)
{
    reply_bulk_cstr(c, "history");
    reply_set_len(c, count);
    for (size_t i = 0; i < sizeof(command_histories) / sizeof(command_histories[0]); i++) {
        if (strcmp(command_histories[i].name, name) != 0)
            continue;
        reply_array_len(c, 2);
        reply_bulk_cstr(c, command_histories[i].version);
        reply_bulk_cstr(c, command_histories[i].change);
    }
}

static long long command_doc_history_count(const char *name)
{
    long long count = 0;
    for (size_t i = 0; i < sizeof(command_histories) / sizeof(command_histories[0]); i++)
        count += strcmp(command_histories[i].name, name) == 0;
    return count;
}

/* The optional COMMAND DOCS fields after complexity, in Redis's order:
 * doc_flags, deprecated_since, replaced_by, history, arguments. */
static long long command_doc_extra_fields(const struct command_doc *doc, long long history)
{
    if (!doc)
        return history > 0;
    return (doc->doc_flags != NULL) + (doc->deprecated_since != NULL) +
           (doc->replaced_by != NULL) + (history > 0) + (doc->arguments != NULL);
}

static void command_doc_reply_extra(struct client *c, const struct command *cmd,
                                    const struct command_doc *doc, long long history)
{
    if (doc && doc->doc_flags) {
        reply_bulk_cstr(c, "doc_flags");
        command_reply_words_set(c, doc->doc_flags);
    }
    if (doc && doc->deprecated_since) {
        reply_bulk_cstr(c, "deprecated_since");
        reply_bulk_cstr(c, doc->deprecated_since);
    }
    if (doc && doc->replaced_by) {
        reply_bulk_cstr(c, "replaced_by");
        reply_bulk_cstr(c, doc->replaced_by);
    }
    if (history > 0)
        command_doc_reply_history(c, (cmd)->fullname, history);
    if (doc && doc->arguments) {
        reply_bulk_cstr(c, "arguments");
        command_doc_reply_args(c, doc->arguments, strlen(doc->arguments), 0);
    }
}

/* COMMAND DOCS's map for one command: summary, since, group, complexity,
 * the documentation extras, and the subcommands' maps. */
static void command_reply_docs(struct client *c, const struct command *cmd)
{
    const char *keys[] = {"summary", "since", "group", "complexity"};
    const char *values[] = {cmd->summary, cmd->since, cmd->group, cmd->complexity};
    const struct command_doc *doc = command_doc_find(cmd);
    long long history = command_doc_history_count((cmd)->fullname);
    long long fields = (cmd->subcommands ? 1 : 0) + command_doc_extra_fields(doc, history);
    for (size_t i = 0; i < 4; i++)
        fields += values[i] != NULL;
    reply_map_len(c, fields);
    for (size_t i = 0; i < 4; i++) {
        if (!values[i])
            continue;
        reply_bulk_cstr(c, keys[i]);
        reply_bulk_cstr(c, values[i]);
    }
    command_doc_reply_extra(c, cmd, doc, history);
    if (!cmd->subcommands)
        return;
    reply_bulk_cstr(c, "subcommands");
    reply_map_len(c, command_subcommand_count(cmd));
    for (const struct command *sub = cmd->subcommands; sub->name; sub++) {
        assert(sub->subcommands == NULL);
        reply_bulk_cstr(c, (sub)->fullname);
        command_reply_docs(c, sub);
    }
}

/* COMMAND with no subcommand: every command's INFO entry, by name. */
static void command_command(struct client *c)
{
    struct command_list top = {0};
    command_list_top(c->server, &top);
    reply_array_len(c, (long long)top.count);
    for (size_t i = 0; i < top.count; i++)
        command_reply_info(c, top.items[i]);
    alloc_free(top.items);
}

static void command_count_command(struct client *c)
{
    reply_integer(c, (long long)command_count(c->server));
}

static void command_info_command(struct client *c)
{
    if (c->argc == 2) {
        command_command(c);
        return;
    }
    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        struct command *cmd = command_lookup_fullname(c->server, c->argv[i].ptr, c->argv[i].len);
        if (cmd)
            command_reply_info(c, cmd);
        else
            reply_null(c);
    }
}

/* Names that are not commands are left out of the map. */
static void command_docs_command(struct client *c)
{
    struct server *s = c->server;
    if (c->argc == 2) {
        struct command_list top = {0};
        command_list_top(s, &top);
        reply_map_len(c, (long long)top.count);
        for (size_t i = 0; i < top.count; i++) {
            reply_bulk_cstr(c, top.items[i]->name);
            command_reply_docs(c, top.items[i]);
        }
        alloc_free(top.items);
        return;
    }
    long long found = 0;
    for (int i = 2; i < c->argc; i++)
        found += command_lookup_fullname(s, c->argv[i].ptr, c->argv[i].len) != NULL;
    reply_map_len(c, found);
    for (int i = 2; i < c->argc; i++) {
        struct command *cmd = command_lookup_fullname(s, c->argv[i].ptr, c->argv[i].len);
        if (!cmd)
            continue;
        reply_bulk_cstr(c, (cmd)->fullname);
        command_reply_docs(c, cmd);
    }
}

enum command_filter {
    COMMAND_FILTER_NONE,
    COMMAND_FILTER_MODULE,
    COMMAND_FILTER_ACLCAT,
    COMMAND_FILTER_PATTERN,
};

static bool command_list_matches(const struct command *cmd, enum command_filter filter,
                                 const struct resp_arg *value)
{
    switch (filter) {
    case COMMAND_FILTER_NONE:
        return true;
    case COMMAND_FILTER_MODULE:
        return false; /* no modules */
    case COMMAND_FILTER_ACLCAT:
        for (size_t i = 0; i < COMMAND_ACL_COUNT; i++)
            if (arg_equals(value, command_acl_names[i]))
                return (command_acl_effective(cmd) & (1u << i)) != 0;
        return false;
    case COMMAND_FILTER_PATTERN: {
        const char *name = (cmd)->fullname;
        return glob_match(value->ptr, value->len, name, strlen(name), true);
    }
    }
    return false;
}

/* COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN glob]:
 * names of commands and subcommands. */
static void command_list_command(struct client *c)
{
    enum command_filter filter = COMMAND_FILTER_NONE;
    if (c->argc == 5 && arg_equals(&c->argv[2], "filterby")) {
        if (arg_equals(&c->argv[3], "module"))
            filter = COMMAND_FILTER_MODULE;
        else if (arg_equals(&c->argv[3], "aclcat"))
            filter = COMMAND_FILTER_ACLCAT;
        else if (arg_equals(&c->argv[3], "pattern"))
            filter = COMMAND_FILTER_PATTERN;
    }
    if (filter == COMMAND_FILTER_NONE && c->argc != 2) {
        reply_error_syntax(c);
        return;
    }
    struct command_list all = {0};
    command_list_all(c->server, &all);
    size_t handle = reply_defer_len(c);
    long long count = 0;
    for (size_t i = 0; i < all.count; i++) {
        if (!command_list_matches(all.items[i], filter, filter ? &c->argv[4] : NULL))
            continue;
        reply_bulk_cstr(c, (all.items[i])->fullname);
        count++;
    }
    reply_set_defer_len(c, handle, count, '*');
    alloc_free(all.items);
}

/* Resolves a command line (argv[0] and, for a container, argv[1]) to the
 * command that would run, as Redis's lookupCommand does; NULL if none. */
static struct command *command_lookup_argv(struct server *s, const struct resp_arg *argv, int argc)
{
    struct command *base = command_lookup(s, argv[0].ptr, argv[0].len);
    if (!base || !base->subcommands || argc < 2)
        return base;
    for (struct command *sub = base->subcommands; sub->name; sub++)
        if (arg_equals(&argv[1], sub->name))
            return sub;
    return NULL;
}

/* Where a key spec's search starts: the index itself, or the argument
 * after the keyword (searched forwards from startfrom, or backwards from
 * argc+startfrom when negative). Returns 0 when the keyword is absent. */
static int command_spec_start(const struct key_spec *spec, const struct resp_arg *argv, int argc)
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

/* Appends the positions of the keys one spec finds. Returns the new count,
 * or -1 when the arguments do not fit the spec (a syntax error the
 * command itself would report). */
static int command_spec_keys(const struct key_spec *spec, const struct resp_arg *argv, int argc,
                             int *positions, int count)
{
    if (spec->begin == KEY_BEGIN_UNKNOWN || spec->find == KEY_FIND_UNKNOWN)
        return count; /* positions depend on the command's own parsing */
    int first = command_spec_start(spec, argv, argc);
    if (first == 0)
        return count;
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
    if (last >= argc || last < first || first >= argc)
        return -1;
    for (int i = first; i <= last; i += step)
        positions[count++] = i;
    return count;
}

/* COMMAND GETKEYS and GETKEYSANDFLAGS <command line>: the keys the key
 * specs find, with each spec's flags for the second. */
static void command_getkeys_reply(struct client *c, bool with_flags)
{
    const struct resp_arg *argv = c->argv + 2;
    int argc = c->argc - 2;
    struct command *cmd = command_lookup_argv(c->server, argv, argc);
    if (!cmd) {
        reply_error(c, "Invalid command specified");
        return;
    }
    struct key_spec specs[COMMAND_KEY_SPECS_MAX];
    int spec_count = 0, all_specs = command_key_specs(cmd, specs);
    for (int i = 0; i < all_specs; i++)
        if (!command_spec_is_not_key(&specs[i]))
            specs[spec_count++] = specs[i];
    if (spec_count == 0) {
        reply_error(c, "The command has no key arguments");
        return;
    }
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        reply_error(c, "Invalid number of arguments specified for command");
        return;
    }
    int *positions = alloc_bytes(sizeof(int) * (size_t)argc * COMMAND_KEY_SPECS_MAX);
    int *owners = alloc_bytes(sizeof(int) * (size_t)argc * COMMAND_KEY_SPECS_MAX);
    int count = 0;
    for (int i = 0; i < spec_count && count >= 0; i++) {
        int before = count;
        count = command_spec_keys(&specs[i], argv, argc, positions, count);
        for (int k = before; k < count; k++)
            owners[k] = i;
    }
    if (count <= 0) {
        if (cmd->flags & CMD_NO_MANDATORY_KEYS)
            reply_empty_array(c);
        else
            reply_error(c, "Invalid arguments specified for command");
    } else {
        reply_array_len(c, count);
        for (int k = 0; k < count; k++) {
            if (with_flags)
                reply_array_len(c, 2);
            reply_bulk(c, argv[positions[k]].ptr, argv[positions[k]].len);
            if (with_flags)
                command_reply_words_set(c, specs[owners[k]].flags);
        }
    }
    alloc_free(positions);
    alloc_free(owners);
}

static void command_getkeys_command(struct client *c)
{
    command_getkeys_reply(c, false);
}

static void command_getkeysandflags_command(struct client *c)
{
    command_getkeys_reply(c, true);
}

static void command_help_command(struct client *c)
{
    static const char *const lines[] = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        NULL,
    };
    reply_help(c, "COMMAND", lines);
}

/* ---- The table ---- */

#define COMMAND_SUB_FLAGS (CMD_LOADING | CMD_STALE)
#define COMMAND_SUB_ACL (ACL_SLOW | ACL_CONNECTION)

static struct command command_subcommands[] = {
    {.name = "count", .proc = command_count_command, .arity = 2, .flags = COMMAND_SUB_FLAGS,
     .acl = COMMAND_SUB_ACL, .summary = "Get total number of Redis commands", .since = "2.8.13",
     .group = "server", .complexity = "O(1)"},
    {.name = "docs", .proc = command_docs_command, .arity = -2, .flags = COMMAND_SUB_FLAGS,
     .acl = COMMAND_SUB_ACL, .summary = "Get array of specific Redis command documentation",
     .since = "7.0.0", .group = "server",
     .complexity = "O(N) where N is the number of commands to look up"},
    {.name = "getkeys", .proc = command_getkeys_command, .arity = -4, .flags = COMMAND_SUB_FLAGS,
     .acl = COMMAND_SUB_ACL, .summary = "Extract keys given a full Redis command",
     .since = "2.8.13", .group = "server",
     .complexity = "O(N) where N is the number of arguments to the command"},
    {.name = "getkeysandflags", .proc = command_getkeysandflags_command, .arity = -4,
     .flags = COMMAND_SUB_FLAGS, .acl = COMMAND_SUB_ACL,
     .summary = "Extract keys and access flags given a full Redis command", .since = "7.0.0",
     .group = "server", .complexity = "O(N) where N is the number of arguments to the command"},
    {.name = "help", .proc = command_help_command, .arity = 2, .flags = COMMAND_SUB_FLAGS,
     .acl = COMMAND_SUB_ACL, .summary = "Show helpful text about the different subcommands",
     .since = "5.0.0", .group = "server", .complexity = "O(1)"},
    {.name = "info", .proc = command_info_command, .arity = -2, .flags = COMMAND_SUB_FLAGS,
     .acl = COMMAND_SUB_ACL,
     .summary = "Get array of specific Redis command details, or all when no argument is given.",
     .since = "2.8.13", .group = "server",
     .complexity = "O(N) where N is the number of commands to look up"},
    {.name = "list", .proc = command_list_command, .arity = -2, .flags = COMMAND_SUB_FLAGS,
     .acl = COMMAND_SUB_ACL, .summary = "Get an array of Redis command names", .since = "7.0.0",
     .group = "server", .complexity = "O(N) where N is the total number of Redis commands"},
    {0},
};

struct command command_commands[] = {
    {.name = "command", .proc = command_command, .arity = -1, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW | ACL_CONNECTION, .summary = "Get array of Redis command details",
     .since = "2.8.13", .group = "server",
     .complexity = "O(N) where N is the total number of Redis commands",
     .subcommands = command_subcommands},
    {0},
};
