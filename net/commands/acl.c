/* acl.c: users, their rules and the permission check (Redis 7.0's ACL).
 *
 * Sections: users and selectors (creation, copies, the table sorted by
 * name), the rule language (acl_user_apply_rule and its selector half),
 * the check dispatch runs, authentication, the ACL log, the text forms
 * (ACL LIST's rule strings, by Redis's best-fit of categories), and
 * start-up loading (`user` directives, the aclfile).
 *
 * Invariant: a SETUSER either applies all its rules or none: they run on
 * a copy, which replaces the user's contents (not the struct, which
 * clients borrow) only when every rule passed. */
#include "net/commands/acl.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "engine/alloc.h"
#include "engine/durable_fs.h"
#include "engine/glob.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keyspec.h"
#include "net/commands/pubsub.h"
#include "net/core/config.h"
#include "net/wire/buf.h"
#include "net/wire/loop.h"

/* Redis 7.0's categories, in ACL CAT's order (enum command_acl's bits). */
const char *const acl_category_names[ACL_CATEGORY_COUNT] = {
    "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
    "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
    "blocking", "dangerous", "connection", "transaction", "scripting",
};

/* A log entry repeats an older one (same reason, context, object and user)
 * within this long: the older one is counted again instead (Redis's
 * ACL_LOG_GROUPING_MAX_TIME_DELTA). */
#define ACL_LOG_GROUPING_MS 60000

/* ---- selectors ---- */

static bool acl_bit(const struct acl_selector *s, int index)
{
    return (s->allowed[index / 64] >> (index % 64)) & 1;
}

static void acl_set_bit(struct acl_selector *s, int index, bool on)
{
    if (on)
        s->allowed[index / 64] |= 1ULL << (index % 64);
    else
        s->allowed[index / 64] &= ~(1ULL << (index % 64));
}

static void acl_patterns_free(struct acl_pattern **list, int *count)
{
    for (int i = 0; i < *count; i++)
        alloc_free((*list)[i].text);
    alloc_free(*list);
    *list = NULL;
    *count = 0;
}

static void acl_firstargs_remove(struct acl_selector *s, int index)
{
    int kept = 0;
    for (int i = 0; i < s->firstarg_count; i++) {
        if (index < 0 || s->firstargs[i].command_index == index)
            alloc_free(s->firstargs[i].arg);
        else
            s->firstargs[kept++] = s->firstargs[i];
    }
    s->firstarg_count = kept;
}

void acl_selector_free(struct acl_selector *s)
{
    acl_patterns_free(&s->keys, &s->key_count);
    acl_patterns_free(&s->channels, &s->channel_count);
    acl_firstargs_remove(s, -1);
    alloc_free(s->firstargs);
    s->firstargs = NULL;
}

static struct acl_pattern *acl_patterns_copy(const struct acl_pattern *src, int count)
{
    if (count == 0)
        return NULL;
    struct acl_pattern *out = alloc_bytes(sizeof(*out) * (size_t)count);
    for (int i = 0; i < count; i++) {
        out[i] = src[i];
        out[i].text = alloc_strndup(src[i].text, src[i].len);
    }
    return out;
}

static void acl_selector_copy(struct acl_selector *dst, const struct acl_selector *src)
{
    *dst = *src;
    dst->keys = acl_patterns_copy(src->keys, src->key_count);
    dst->channels = acl_patterns_copy(src->channels, src->channel_count);
    dst->firstargs = NULL;
    if (src->firstarg_count > 0) {
        dst->firstargs = alloc_bytes(sizeof(*dst->firstargs) * (size_t)src->firstarg_count);
        for (int i = 0; i < src->firstarg_count; i++) {
            dst->firstargs[i].command_index = src->firstargs[i].command_index;
            dst->firstargs[i].arg = alloc_strdup(src->firstargs[i].arg);
        }
    }
}

/* A new selector has no command, no key, and the channels that
 * acl-pubsub-default gives. */
static void acl_selector_init(struct commands *cs, struct acl_selector *s)
{
    memset(s, 0, sizeof(*s));
    s->all_channels = cs->config->acl_pubsub_default == 1;
}

/* ---- users ---- */

static void acl_user_clear(struct acl_user *u)
{
    alloc_free(u->passwords);
    u->passwords = NULL;
    u->password_count = 0;
    acl_selector_free(&u->root);
    for (int i = 0; i < u->selector_count; i++)
        acl_selector_free(&u->selectors[i]);
    alloc_free(u->selectors);
    u->selectors = NULL;
    u->selector_count = 0;
}

void acl_user_free(struct acl_user *u)
{
    acl_user_clear(u);
    alloc_free(u->name);
    alloc_free(u);
}

/* Returns owned: a user as ACL SETUSER creates one, off with no rights. */
struct acl_user *acl_user_new(struct commands *cs, const char *name, size_t len)
{
    struct acl_user *u = alloc_zeroed(sizeof(*u));
    u->name = alloc_strndup(name, len);
    u->name_len = len;
    acl_selector_init(cs, &u->root);
    return u;
}

/* Returns owned: a deep copy of src. */
struct acl_user *acl_user_copy(const struct acl_user *src)
{
    struct acl_user *u = alloc_zeroed(sizeof(*u));
    u->name = alloc_strndup(src->name, src->name_len);
    u->name_len = src->name_len;
    u->flags = src->flags;
    if (src->password_count > 0) {
        u->passwords = alloc_bytes(sizeof(*u->passwords) * (size_t)src->password_count);
        memcpy(u->passwords, src->passwords, sizeof(*u->passwords) * (size_t)src->password_count);
    }
    u->password_count = src->password_count;
    acl_selector_copy(&u->root, &src->root);
    if (src->selector_count > 0) {
        u->selectors = alloc_bytes(sizeof(*u->selectors) * (size_t)src->selector_count);
        for (int i = 0; i < src->selector_count; i++)
            acl_selector_copy(&u->selectors[i], &src->selectors[i]);
    }
    u->selector_count = src->selector_count;
    return u;
}

static bool acl_selector_has_all_commands(const struct commands *cs, const struct acl_selector *s)
{
    for (int i = 0; i < cs->command_slots; i++)
        if (!acl_bit(s, i))
            return false;
    return true;
}

void acl_user_refresh(const struct commands *cs, struct acl_user *u)
{
    const struct acl_selector *r = &u->root;
    u->unrestricted = r->all_keys && r->all_channels && acl_selector_has_all_commands(cs, r);
}

/* Moves the contents of src (a copy that passed every rule) into dst,
 * which clients may borrow, and frees src's shell. */
void acl_user_replace(const struct commands *cs, struct acl_user *dst, struct acl_user *src)
{
    acl_user_clear(dst);
    dst->flags = src->flags;
    dst->passwords = src->passwords;
    dst->password_count = src->password_count;
    dst->root = src->root;
    dst->selectors = src->selectors;
    dst->selector_count = src->selector_count;
    alloc_free(src->name);
    alloc_free(src);
    acl_user_refresh(cs, dst);
}

static int acl_user_cmp(const struct acl_user *u, const char *name, size_t len)
{
    size_t n = u->name_len < len ? u->name_len : len;
    int c = memcmp(u->name, name, n);
    if (c != 0)
        return c;
    return u->name_len < len ? -1 : u->name_len > len ? 1 : 0;
}

/* The index where name is, or would be inserted (*found tells). */
static int acl_user_index(const struct acl *acl, const char *name, size_t len, bool *found)
{
    int lo = 0, hi = acl->user_count;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        int c = acl_user_cmp(acl->users[mid], name, len);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

struct acl_user *acl_user_lookup(struct commands *cs, const char *name, size_t len)
{
    bool found;
    int i = acl_user_index(cs->acl, name, len, &found);
    return found ? cs->acl->users[i] : NULL;
}

/* Takes ownership of u, whose name is not in the table yet. */
void acl_user_insert(struct acl *acl, struct acl_user *u)
{
    bool found;
    int at = acl_user_index(acl, u->name, u->name_len, &found);
    assert(!found);
    if (acl->user_count == acl->user_cap) {
        acl->user_cap = acl->user_cap ? acl->user_cap * 2 : 8;
        acl->users = alloc_resize(acl->users, sizeof(*acl->users) * (size_t)acl->user_cap);
    }
    memmove(&acl->users[at + 1], &acl->users[at],
            sizeof(*acl->users) * (size_t)(acl->user_count - at));
    acl->users[at] = u;
    acl->user_count++;
}

/* Every client of u ends: the others at once, c itself after its reply,
 * as Redis frees them. Until then they hold the orphan user, who may run
 * nothing, so no pointer to u remains. */
void acl_user_disconnect(struct commands *cs, struct acl_user *u, struct client *self)
{
    struct client *next;
    for (struct client *o = client_first(cs); o; o = next) {
        next = client_next(o);
        if (o->user != u)
            continue;
        o->user = cs->acl->orphan;
        if (o->conn.fd < 0)
            continue;
        if (o == self)
            client_close_after_reply(o);
        else if (!(o->conn.flags & CONN_CLOSING))
            client_close(o);
    }
}

/* Removes u from the table and frees it (not the default user). */
void acl_user_delete(struct commands *cs, struct acl_user *u, struct client *self)
{
    struct acl *acl = cs->acl;
    assert(u != acl->default_user);
    bool found;
    int at = acl_user_index(acl, u->name, u->name_len, &found);
    assert(found);
    acl_user_disconnect(cs, u, self);
    memmove(&acl->users[at], &acl->users[at + 1],
            sizeof(*acl->users) * (size_t)(acl->user_count - at - 1));
    acl->user_count--;
    acl_user_free(u);
}

static bool acl_channel_allowed(const struct acl_selector *s, const struct resp_arg *ch, bool literal);

/* ---- clients whose channels were taken away ---- */

struct acl_channel_ctx {
    const struct acl_selector *s;
    bool literal;
};

static bool acl_channel_kept(const char *name, size_t len, void *ctx)
{
    const struct acl_channel_ctx *k = ctx;
    struct resp_arg ch = {.ptr = name, .len = len};
    return acl_channel_allowed(k->s, &ch, k->literal);
}

/* Whether every pattern of old is still one of new's (then nobody can
 * have lost a channel). */
static bool acl_channels_kept(const struct acl_selector *old_root, const struct acl_selector *new_root)
{
    if (new_root->all_channels)
        return true;
    if (old_root->all_channels)
        return false;
    for (int i = 0; i < old_root->channel_count; i++) {
        struct resp_arg p = {.ptr = old_root->channels[i].text, .len = old_root->channels[i].len};
        if (!acl_channel_allowed(new_root, &p, true))
            return false;
    }
    return true;
}

void acl_kill_pubsub_clients(struct commands *cs, struct acl_user *u,
                             const struct acl_selector *old_root, struct client *self)
{
    if (acl_channels_kept(old_root, &u->root))
        return;
    struct acl_channel_ctx literal = {.s = &u->root, .literal = true};
    struct acl_channel_ctx match = {.s = &u->root, .literal = false};
    struct client *next;
    for (struct client *o = client_first(cs); o; o = next) {
        next = client_next(o);
        if (o->user != u || o->conn.fd < 0 || (o->conn.flags & CONN_CLOSING))
            continue;
        if (pubsub_client_all(o, PUBSUB_PATTERN, acl_channel_kept, &literal) &&
            pubsub_client_all(o, PUBSUB_CHANNEL, acl_channel_kept, &match) &&
            pubsub_client_all(o, PUBSUB_SHARD, acl_channel_kept, &match))
            continue;
        if (o == self)
            client_close_after_reply(o);
        else
            client_close(o);
    }
}

/* ---- passwords ---- */

void acl_hash_password(const char *pass, size_t len, char hex[ACL_HASH_HEX_BYTES + 1])
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, (const uint8_t *)pass);
    sha256_digest(&ctx, sizeof(digest), digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
    }
    hex[ACL_HASH_HEX_BYTES] = '\0';
}

static bool acl_hash_valid(const char *h, size_t len)
{
    if (len != ACL_HASH_HEX_BYTES)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            return false;
    return true;
}

static int acl_password_find(const struct acl_user *u, const char *hex)
{
    for (int i = 0; i < u->password_count; i++)
        if (memcmp(u->passwords[i], hex, ACL_HASH_HEX_BYTES) == 0)
            return i;
    return -1;
}

static void acl_password_add(struct acl_user *u, const char *hex)
{
    u->flags &= ~(unsigned)ACL_USER_NOPASS;
    if (acl_password_find(u, hex) >= 0)
        return;
    u->passwords = alloc_resize(u->passwords, sizeof(*u->passwords) * (size_t)(u->password_count + 1));
    memcpy(u->passwords[u->password_count], hex, ACL_HASH_HEX_BYTES + 1);
    u->password_count++;
}

static enum acl_rule_error acl_password_remove(struct acl_user *u, const char *hex)
{
    int at = acl_password_find(u, hex);
    if (at < 0)
        return ACL_RULE_NO_PASSWORD;
    memmove(&u->passwords[at], &u->passwords[at + 1],
            sizeof(*u->passwords) * (size_t)(u->password_count - at - 1));
    u->password_count--;
    u->flags &= ~(unsigned)ACL_USER_NOPASS;
    return ACL_RULE_OK;
}

static void acl_passwords_reset(struct acl_user *u)
{
    alloc_free(u->passwords);
    u->passwords = NULL;
    u->password_count = 0;
}

/* Whether two digests are equal, in a time that does not depend on where
 * they differ (Redis compares them with time_independent_strcmp). */
static bool acl_digest_equal(const char *a, const char *b)
{
    volatile uint8_t diff = 0;
    for (int i = 0; i < ACL_HASH_HEX_BYTES; i++)
        diff |= (uint8_t)(a[i] ^ b[i]);
    return diff == 0;
}

static bool acl_password_matches(const struct acl_user *u, const char *pass, size_t len)
{
    if (u->flags & ACL_USER_NOPASS)
        return true;
    char hex[ACL_HASH_HEX_BYTES + 1];
    acl_hash_password(pass, len, hex);
    bool match = false;
    for (int i = 0; i < u->password_count; i++)
        match |= acl_digest_equal(u->passwords[i], hex);
    return match;
}

/* ---- the rule language: a selector's half ---- */

int acl_category_lookup(const char *name, size_t len)
{
    for (int i = 0; i < ACL_CATEGORY_COUNT; i++)
        if (strlen(acl_category_names[i]) == len && strncasecmp(acl_category_names[i], name, len) == 0)
            return i;
    return -1;
}

/* +cmd / -cmd on a whole command: its subcommands follow it, and its
 * first-argument rules go. */
static void acl_change_command(struct acl_selector *s, const struct command *cmd, bool allow)
{
    acl_set_bit(s, cmd->index, allow);
    acl_firstargs_remove(s, cmd->index);
    if (cmd->subcommands)
        for (const struct command *sub = cmd->subcommands; sub->name; sub++)
            acl_set_bit(s, sub->index, allow);
}

struct acl_category_ctx {
    struct acl_selector *s;
    uint32_t flag;
    bool allow;
};

static void acl_category_apply_one(struct command *cmd, void *ctx)
{
    struct acl_category_ctx *k = ctx;
    if (cmd->acl & k->flag)
        acl_change_command(k->s, cmd, k->allow);
    if (cmd->subcommands)
        for (const struct command *sub = cmd->subcommands; sub->name; sub++)
            if (sub->acl & k->flag)
                acl_set_bit(k->s, sub->index, k->allow);
}

void acl_selector_set_category(struct commands *cs, struct acl_selector *s, int category, bool allow)
{
    struct acl_category_ctx k = {.s = s, .flag = 1u << category, .allow = allow};
    command_for_each(cs, acl_category_apply_one, &k);
}

static void acl_selector_all_commands(struct commands *cs, struct acl_selector *s, bool allow)
{
    memset(s->allowed, allow ? 0xff : 0, sizeof(s->allowed));
    s->all_commands = allow;
    acl_firstargs_remove(s, -1);
}

static enum acl_rule_error acl_firstarg_add(struct acl_selector *s, const struct command *cmd,
                                            const char *arg, size_t len)
{
    if (acl_bit(s, cmd->index))
        return ACL_RULE_OK; /* the whole command is allowed already */
    for (int i = 0; i < s->firstarg_count; i++)
        if (s->firstargs[i].command_index == cmd->index && strlen(s->firstargs[i].arg) == len &&
            strncasecmp(s->firstargs[i].arg, arg, len) == 0)
            return ACL_RULE_OK;
    s->firstargs = alloc_resize(s->firstargs, sizeof(*s->firstargs) * (size_t)(s->firstarg_count + 1));
    s->firstargs[s->firstarg_count].command_index = cmd->index;
    s->firstargs[s->firstarg_count].arg = alloc_strndup(arg, len);
    for (char *p = s->firstargs[s->firstarg_count].arg; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    s->firstarg_count++;
    return ACL_RULE_OK;
}

/* A command by its full name: "get" or "client|id" (one level, exact),
 * case-insensitive; NULL if there is none. */
static struct command *acl_command_by_path(struct commands *cs, const char *name, size_t len)
{
    const char *bar = memchr(name, '|', len);
    if (!bar)
        return command_lookup(cs, name, len);
    struct command *parent = command_lookup(cs, name, (size_t)(bar - name));
    const char *sub = bar + 1;
    size_t sub_len = len - (size_t)(sub - name);
    if (!parent || !parent->subcommands || memchr(sub, '|', sub_len))
        return NULL;
    return command_lookup_sub(parent, sub, sub_len);
}

/* "+name", "-name", "+parent|sub", "+cmd|firstarg" (op without its sign).
 * As Redis 7.0: a removal names a command or subcommand exactly; an
 * addition splits at its last '|' into a command and what follows, a
 * subcommand or, for a command without any, an allowed first argument. */
static enum acl_rule_error acl_selector_command_rule(struct commands *cs, struct acl_selector *s,
                                                    const char *name, size_t len, bool allow)
{
    const char *bar = NULL;
    for (size_t i = len; i > 0 && allow; i--) {
        if (name[i - 1] == '|') {
            bar = name + i - 1;
            break;
        }
    }
    if (!bar) {
        struct command *cmd = acl_command_by_path(cs, name, len);
        if (!cmd)
            return ACL_RULE_UNKNOWN;
        acl_change_command(s, cmd, allow);
        return ACL_RULE_OK;
    }
    struct command *cmd = acl_command_by_path(cs, name, (size_t)(bar - name));
    if (!cmd)
        return ACL_RULE_UNKNOWN;
    if (cmd->parent)
        return ACL_RULE_FIRSTARG_SUB;
    const char *rest = bar + 1;
    size_t rest_len = len - (size_t)(rest - name);
    if (rest_len == 0)
        return ACL_RULE_SYNTAX;
    if (cmd->subcommands) {
        struct command *sub = command_lookup_sub(cmd, rest, rest_len);
        if (!sub)
            return ACL_RULE_UNKNOWN;
        acl_change_command(s, sub, true);
        return ACL_RULE_OK;
    }
    return acl_firstarg_add(s, cmd, rest, rest_len);
}

static enum acl_rule_error acl_pattern_add(struct acl_pattern **list, int *count, const char *p,
                                           size_t len, int perms)
{
    for (int i = 0; i < *count; i++) {
        if ((*list)[i].len == len && memcmp((*list)[i].text, p, len) == 0) {
            (*list)[i].perms |= perms;
            return ACL_RULE_OK;
        }
    }
    *list = alloc_resize(*list, sizeof(**list) * (size_t)(*count + 1));
    (*list)[*count] = (struct acl_pattern){.text = alloc_strndup(p, len), .len = len, .perms = perms};
    (*count)++;
    return ACL_RULE_OK;
}

/* "~pat", "%R~pat", "%W~pat", "%RW~pat". */
static enum acl_rule_error acl_selector_key_rule(struct acl_selector *s, const char *op, size_t len)
{
    /* Redis refuses any pattern after allkeys before reading its flags. */
    if (s->all_keys)
        return ACL_RULE_KEYS_AFTER_ALL;
    int perms = 0;
    size_t at = 1;
    if (op[0] == '%') {
        for (; at < len && op[at] != '~'; at++) {
            if (op[at] == 'R' || op[at] == 'r')
                perms |= ACL_KEY_READ;
            else if (op[at] == 'W' || op[at] == 'w')
                perms |= ACL_KEY_WRITE;
            else
                return ACL_RULE_SYNTAX;
        }
        if (perms == 0 || at == len)
            return ACL_RULE_SYNTAX;
        at++;
    } else {
        perms = ACL_KEY_READ | ACL_KEY_WRITE;
    }
    const char *pat = op + at;
    size_t pat_len = len - at;
    if (pat_len == 1 && pat[0] == '*' && perms == (ACL_KEY_READ | ACL_KEY_WRITE)) {
        acl_patterns_free(&s->keys, &s->key_count);
        s->all_keys = true;
        return ACL_RULE_OK;
    }
    return acl_pattern_add(&s->keys, &s->key_count, pat, pat_len, perms);
}

static enum acl_rule_error acl_selector_channel_rule(struct acl_selector *s, const char *pat,
                                                     size_t len)
{
    if (s->all_channels)
        return ACL_RULE_CHANNELS_AFTER_ALL;
    if (len == 1 && pat[0] == '*') {
        acl_patterns_free(&s->channels, &s->channel_count);
        s->all_channels = true;
        return ACL_RULE_OK;
    }
    return acl_pattern_add(&s->channels, &s->channel_count, pat, len, 0);
}

static bool acl_op_is(const char *op, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(op, word, len) == 0;
}

enum acl_rule_error acl_selector_apply_rule(struct commands *cs, struct acl_selector *s,
                                            const char *op, size_t len)
{
    if (len == 0)
        return ACL_RULE_SYNTAX;
    if (acl_op_is(op, len, "allkeys"))
        return acl_selector_key_rule(s, "~*", 2);
    if (acl_op_is(op, len, "resetkeys")) {
        acl_patterns_free(&s->keys, &s->key_count);
        s->all_keys = false;
        return ACL_RULE_OK;
    }
    if (acl_op_is(op, len, "allchannels"))
        return acl_selector_channel_rule(s, "*", 1);
    if (acl_op_is(op, len, "resetchannels")) {
        acl_patterns_free(&s->channels, &s->channel_count);
        s->all_channels = false;
        return ACL_RULE_OK;
    }
    if (acl_op_is(op, len, "allcommands") || acl_op_is(op, len, "+@all")) {
        acl_selector_all_commands(cs, s, true);
        return ACL_RULE_OK;
    }
    if (acl_op_is(op, len, "nocommands") || acl_op_is(op, len, "-@all")) {
        acl_selector_all_commands(cs, s, false);
        return ACL_RULE_OK;
    }
    if (op[0] == '~' || op[0] == '%')
        return acl_selector_key_rule(s, op, len);
    if (op[0] == '&')
        return acl_selector_channel_rule(s, op + 1, len - 1);
    if ((op[0] == '+' || op[0] == '-') && len > 1 && op[1] == '@') {
        int category = acl_category_lookup(op + 2, len - 2);
        if (category < 0)
            return ACL_RULE_UNKNOWN;
        acl_selector_set_category(cs, s, category, op[0] == '+');
        return ACL_RULE_OK;
    }
    if (op[0] == '+' || op[0] == '-')
        return acl_selector_command_rule(cs, s, op + 1, len - 1, op[0] == '+');
    return ACL_RULE_SYNTAX;
}

/* ---- the rule language: a user's ---- */

/* "(rule rule ...)": a new selector from the rules between the parentheses. */
static enum acl_rule_error acl_user_add_selector(struct commands *cs, struct acl_user *u,
                                                 const char *op, size_t len)
{
    if (len < 2 || op[len - 1] != ')')
        return ACL_RULE_SYNTAX;
    struct acl_selector s;
    acl_selector_init(cs, &s);
    const char *p = op + 1, *end = op + len - 1;
    while (p < end) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        const char *word_end = sp ? sp : end;
        if (word_end > p) {
            enum acl_rule_error e = acl_selector_apply_rule(cs, &s, p, (size_t)(word_end - p));
            if (e != ACL_RULE_OK) {
                acl_selector_free(&s);
                return e;
            }
        }
        p = word_end + 1;
    }
    u->selectors = alloc_resize(u->selectors, sizeof(*u->selectors) * (size_t)(u->selector_count + 1));
    u->selectors[u->selector_count++] = s;
    return ACL_RULE_OK;
}

static void acl_user_clear_selectors(struct acl_user *u)
{
    for (int i = 0; i < u->selector_count; i++)
        acl_selector_free(&u->selectors[i]);
    alloc_free(u->selectors);
    u->selectors = NULL;
    u->selector_count = 0;
}

static enum acl_rule_error acl_user_password_rule(struct acl_user *u, const char *op, size_t len)
{
    char hex[ACL_HASH_HEX_BYTES + 1];
    if (op[0] == '>' || op[0] == '<') {
        acl_hash_password(op + 1, len - 1, hex);
    } else {
        if (!acl_hash_valid(op + 1, len - 1))
            return ACL_RULE_BAD_HASH;
        memcpy(hex, op + 1, ACL_HASH_HEX_BYTES);
        hex[ACL_HASH_HEX_BYTES] = '\0';
    }
    if (op[0] == '>' || op[0] == '#') {
        acl_password_add(u, hex);
        return ACL_RULE_OK;
    }
    return acl_password_remove(u, hex);
}

enum acl_rule_error acl_user_apply_rule(struct commands *cs, struct acl_user *u, const char *op,
                                        size_t len)
{
    if (len == 0)
        return ACL_RULE_SYNTAX;
    if (acl_op_is(op, len, "on")) {
        u->flags |= ACL_USER_ON;
    } else if (acl_op_is(op, len, "off")) {
        u->flags &= ~(unsigned)ACL_USER_ON;
    } else if (acl_op_is(op, len, "skip-sanitize-payload")) {
        u->flags = (u->flags & ~(unsigned)ACL_USER_SANITIZE) | ACL_USER_SKIP_SANITIZE;
    } else if (acl_op_is(op, len, "sanitize-payload")) {
        u->flags = (u->flags & ~(unsigned)ACL_USER_SKIP_SANITIZE) | ACL_USER_SANITIZE;
    } else if (acl_op_is(op, len, "nopass")) {
        u->flags |= ACL_USER_NOPASS;
        acl_passwords_reset(u);
    } else if (acl_op_is(op, len, "resetpass")) {
        u->flags &= ~(unsigned)ACL_USER_NOPASS;
        acl_passwords_reset(u);
    } else if (op[0] == '>' || op[0] == '<' || op[0] == '#' || op[0] == '!') {
        return acl_user_password_rule(u, op, len);
    } else if (op[0] == '(') {
        return acl_user_add_selector(cs, u, op, len);
    } else if (acl_op_is(op, len, "clearselectors")) {
        acl_user_clear_selectors(u);
    } else if (acl_op_is(op, len, "reset")) {
        static const char *const rules[] = {"resetpass", "resetkeys", "resetchannels", "off",
                                            "clearselectors", "sanitize-payload", "-@all"};
        for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
            acl_user_apply_rule(cs, u, rules[i], strlen(rules[i]));
        if (cs->config->acl_pubsub_default == 1)
            acl_user_apply_rule(cs, u, "allchannels", 11);
    } else {
        return acl_selector_apply_rule(cs, &u->root, op, len);
    }
    return ACL_RULE_OK;
}

const char *acl_rule_error_text(enum acl_rule_error e)
{
    switch (e) {
    case ACL_RULE_OK:
        return "OK";
    case ACL_RULE_SYNTAX:
        return "Syntax error";
    case ACL_RULE_UNKNOWN:
        return "Unknown command or category name in ACL";
    case ACL_RULE_KEYS_AFTER_ALL:
        return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does "
               "not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    case ACL_RULE_CHANNELS_AFTER_ALL:
        return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and "
               "does not have any effect. Try 'resetchannels' to start with an empty list of "
               "channels";
    case ACL_RULE_NO_PASSWORD:
        return "The password you are trying to remove from the user does not exist";
    case ACL_RULE_BAD_HASH:
        return "The password hash must be exactly 64 characters and contain only lowercase "
               "hexadecimal characters";
    case ACL_RULE_FIRSTARG_SUB:
        return "Allowing first-arg of a subcommand is not supported";
    }
    return "Syntax error";
}

/* Joins the words of a selector written across several arguments, as
 * Redis's ACLMergeSelectorArguments: "(~x" "+get)" is one rule "(~x +get)".
 * Returns the merged rules (owned, each owned) or NULL with *unmatched set
 * to the index of a "(" never closed. */
char **acl_merge_rules(int argc, const struct resp_arg *argv, int *out_count, int *unmatched)
{
    char **out = alloc_bytes(sizeof(char *) * (size_t)(argc > 0 ? argc : 1));
    int count = 0;
    for (int i = 0; i < argc; i++) {
        const struct resp_arg *a = &argv[i];
        if (a->len > 0 && a->ptr[0] == '(' && a->ptr[a->len - 1] != ')') {
            struct buf b = {0};
            buf_append(&b, a->ptr, a->len);
            int j = i + 1;
            for (; j < argc; j++) {
                buf_append(&b, " ", 1);
                buf_append(&b, argv[j].ptr, argv[j].len);
                if (argv[j].len > 0 && argv[j].ptr[argv[j].len - 1] == ')')
                    break;
            }
            if (j == argc) {
                buf_free(&b);
                for (int k = 0; k < count; k++)
                    alloc_free(out[k]);
                alloc_free(out);
                *unmatched = i;
                return NULL;
            }
            out[count++] = alloc_strndup(b.data, b.len);
            buf_free(&b);
            i = j;
        } else {
            out[count++] = alloc_strndup(a->ptr, a->len);
        }
    }
    *out_count = count;
    return out;
}

/* ---- the permission check ---- */

/* The key specs of one command, parsed once, with the permission each
 * needs (Redis's ACLSelectorCheckKey: "access" reads, insert, delete and
 * update write; a spec with neither matches any pattern). */
struct acl_command_keys {
    int count;
    struct key_spec specs[COMMAND_KEY_SPECS_MAX];
    int perms[COMMAND_KEY_SPECS_MAX];
    bool variable[COMMAND_KEY_SPECS_MAX]; /* "variable_flags": see acl_variable_key_perms */
};

static bool acl_flag_word(const char *flags, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = flags; (p = strstr(p, word)) != NULL; p += n) {
        bool start = p == flags || p[-1] == ' ';
        bool end = p[n] == '\0' || p[n] == ' ';
        if (start && end)
            return true;
    }
    return false;
}

static const struct acl_command_keys *acl_command_keys(struct acl *acl, const struct command *cmd)
{
    assert(cmd->index >= 0 && cmd->index < ACL_COMMANDS_MAX);
    struct acl_command_keys *k = acl->keys[cmd->index];
    if (k)
        return k;
    k = alloc_zeroed(sizeof(*k));
    struct key_spec all[COMMAND_KEY_SPECS_MAX];
    int n = keyspec_of(cmd, all);
    for (int i = 0; i < n; i++) {
        if (keyspec_is_not_key(&all[i]))
            continue;
        int perms = 0;
        if (acl_flag_word(all[i].flags, "access"))
            perms |= ACL_KEY_READ;
        if (acl_flag_word(all[i].flags, "insert") || acl_flag_word(all[i].flags, "delete") ||
            acl_flag_word(all[i].flags, "update"))
            perms |= ACL_KEY_WRITE;
        k->specs[k->count] = all[i];
        k->perms[k->count] = perms;
        k->variable[k->count] = acl_flag_word(all[i].flags, "variable_flags");
        k->count++;
    }
    acl->keys[cmd->index] = k;
    return k;
}

static bool acl_key_allowed(const struct acl_selector *s, const struct resp_arg *key, int perms)
{
    for (int i = 0; i < s->key_count; i++) {
        const struct acl_pattern *p = &s->keys[i];
        if ((p->perms & perms) != perms)
            continue;
        if (glob_match(p->text, p->len, key->ptr, key->len, false))
            return true;
    }
    return false;
}

/* A channel name (or, literally, a pattern for PSUBSCRIBE) the selector allows. */
static bool acl_channel_allowed(const struct acl_selector *s, const struct resp_arg *ch, bool literal)
{
    for (int i = 0; i < s->channel_count; i++) {
        const struct acl_pattern *p = &s->channels[i];
        if (literal ? (p->len == ch->len && memcmp(p->text, ch->ptr, ch->len) == 0)
                    : glob_match(p->text, p->len, ch->ptr, ch->len, false))
            return true;
    }
    return false;
}

/* A "variable_flags" key spec (SET's, BITFIELD's): the access this call
 * needs, from the flags keyspec_variable_flags gives it (as Redis's
 * setGetKeys and bitfieldGetKeys). */
static int acl_variable_key_perms(const struct command *cmd, int argc, const struct resp_arg *argv,
                                  int fixed)
{
    const char *flags = keyspec_variable_flags(cmd, argv, argc);
    if (!flags)
        return fixed;
    int perms = 0;
    if (acl_flag_word(flags, "access"))
        perms |= ACL_KEY_READ;
    if (acl_flag_word(flags, "insert") || acl_flag_word(flags, "delete") ||
        acl_flag_word(flags, "update"))
        perms |= ACL_KEY_WRITE;
    return perms;
}

/* The key check of a command whose keys its getkeys callback finds
 * (SORT), with each key's permissions from the flags of its key spec. */
static enum acl_denial acl_selector_check_getkeys(const struct acl_selector *s,
                                                  const struct command *cmd, int argc,
                                                  const struct resp_arg *argv, int *pos)
{
    struct key_spec all[COMMAND_KEY_SPECS_MAX];
    int spec_count = keyspec_of(cmd, all);
    int stack[2][16];
    bool heap = argc > 16;
    int *positions = heap ? alloc_bytes(sizeof(int) * (size_t)argc) : stack[0];
    int *specs = heap ? alloc_bytes(sizeof(int) * (size_t)argc) : stack[1];
    int n = cmd->getkeys(argv, argc, positions, specs);
    enum acl_denial verdict = ACL_OK;
    for (int j = 0; j < n; j++) {
        assert(specs[j] >= 0 && specs[j] < spec_count);
        const char *flags = all[specs[j]].flags;
        int perms = 0;
        if (acl_flag_word(flags, "access"))
            perms |= ACL_KEY_READ;
        if (acl_flag_word(flags, "insert") || acl_flag_word(flags, "delete") ||
            acl_flag_word(flags, "update"))
            perms |= ACL_KEY_WRITE;
        if (!acl_key_allowed(s, &argv[positions[j]], perms)) {
            *pos = positions[j];
            verdict = ACL_DENIED_KEY;
            break;
        }
    }
    if (heap) {
        alloc_free(positions);
        alloc_free(specs);
    }
    return verdict;
}

static enum acl_denial acl_selector_check_keys(struct commands *cs, const struct acl_selector *s,
                                               const struct command *cmd, int argc,
                                               const struct resp_arg *argv, int *pos)
{
    if (cmd->getkeys)
        return acl_selector_check_getkeys(s, cmd, argc, argv, pos);
    const struct acl_command_keys *k = acl_command_keys(cs->acl, cmd);
    if (k->count == 0)
        return ACL_OK;
    int stack[64];
    int *positions = argc <= 64 ? stack : alloc_bytes(sizeof(int) * (size_t)argc);
    enum acl_denial verdict = ACL_OK;
    for (int i = 0; i < k->count && verdict == ACL_OK; i++) {
        int n = keyspec_find(&k->specs[i], argv, argc, positions, 0);
        int perms = k->variable[i] ? acl_variable_key_perms(cmd, argc, argv, k->perms[i])
                                   : k->perms[i];
        for (int j = 0; j < n; j++) {
            if (!acl_key_allowed(s, &argv[positions[j]], perms)) {
                *pos = positions[j];
                verdict = ACL_DENIED_KEY;
                break;
            }
        }
    }
    if (positions != stack)
        alloc_free(positions);
    return verdict;
}

/* The channels of PUBLISH, SPUBLISH, SUBSCRIBE, SSUBSCRIBE and PSUBSCRIBE
 * (the unsubscribing commands are never refused). */
static enum acl_denial acl_selector_check_channels(const struct acl_selector *s,
                                                   const struct command *cmd, int argc,
                                                   const struct resp_arg *argv, int *pos)
{
    if (cmd->parent || !(cmd->flags & CMD_PUBSUB))
        return ACL_OK;
    const char *n = cmd->name;
    int last;
    bool literal = false;
    if (strcmp(n, "publish") == 0 || strcmp(n, "spublish") == 0)
        last = 1;
    else if (strcmp(n, "subscribe") == 0 || strcmp(n, "ssubscribe") == 0)
        last = argc - 1;
    else if (strcmp(n, "psubscribe") == 0)
        last = argc - 1, literal = true;
    else
        return ACL_OK;
    for (int i = 1; i <= last && i < argc; i++) {
        if (!acl_channel_allowed(s, &argv[i], literal)) {
            *pos = i;
            return ACL_DENIED_CHANNEL;
        }
    }
    return ACL_OK;
}

static bool acl_firstarg_allowed(const struct acl_selector *s, const struct command *cmd, int argc,
                                 const struct resp_arg *argv)
{
    if (argc < 2)
        return false;
    for (int i = 0; i < s->firstarg_count; i++) {
        const struct acl_firstarg *f = &s->firstargs[i];
        if (f->command_index == cmd->index && strlen(f->arg) == argv[1].len &&
            strncasecmp(f->arg, argv[1].ptr, argv[1].len) == 0)
            return true;
    }
    return false;
}

static enum acl_denial acl_selector_check(struct commands *cs, const struct acl_selector *s,
                                          const struct command *cmd, int argc,
                                          const struct resp_arg *argv, int *pos)
{
    *pos = 0;
    if (!(cmd->flags & CMD_NO_AUTH) && !acl_bit(s, cmd->index) &&
        !acl_firstarg_allowed(s, cmd, argc, argv))
        return ACL_DENIED_CMD;
    if (!s->all_keys) {
        enum acl_denial d = acl_selector_check_keys(cs, s, cmd, argc, argv, pos);
        if (d != ACL_OK)
            return d;
    }
    if (!s->all_channels)
        return acl_selector_check_channels(s, cmd, argc, argv, pos);
    return ACL_OK;
}

enum acl_denial acl_check(struct commands *cs, const struct acl_user *u, const struct command *cmd,
                          int argc, const struct resp_arg *argv, int *pos)
{
    *pos = 0;
    if (acl_user_unrestricted(u))
        return ACL_OK;
    /* When no selector allows the command, the error reported is the
     * "worst" one (channel over key over command), at the last argument
     * among equals, as Redis picks it. */
    int where;
    enum acl_denial worst = acl_selector_check(cs, &u->root, cmd, argc, argv, &where);
    if (worst == ACL_OK)
        return ACL_OK;
    *pos = where;
    for (int i = 0; i < u->selector_count; i++) {
        enum acl_denial d = acl_selector_check(cs, &u->selectors[i], cmd, argc, argv, &where);
        if (d == ACL_OK)
            return ACL_OK;
        if (d > worst || (d == worst && where > *pos)) {
            worst = d;
            *pos = where;
        }
    }
    return worst;
}

/* Whether s reads every key: all keys, or a "*" pattern with read
 * permission (Redis's ACLSelectorHasUnrestrictedKeyAccess). */
static bool acl_selector_reads_all_keys(const struct acl_selector *s)
{
    if (s->all_keys)
        return true;
    for (int i = 0; i < s->key_count; i++)
        if ((s->keys[i].perms & ACL_KEY_READ) && s->keys[i].len == 1 && s->keys[i].text[0] == '*')
            return true;
    return false;
}

bool acl_user_reads_all_keys(struct commands *cs, const struct acl_user *u,
                             const struct command *cmd, int argc, const struct resp_arg *argv)
{
    if (acl_user_unrestricted(u))
        return true;
    int pos;
    if (acl_selector_check(cs, &u->root, cmd, argc, argv, &pos) == ACL_OK &&
        acl_selector_reads_all_keys(&u->root))
        return true;
    for (int i = 0; i < u->selector_count; i++)
        if (acl_selector_check(cs, &u->selectors[i], cmd, argc, argv, &pos) == ACL_OK &&
            acl_selector_reads_all_keys(&u->selectors[i]))
            return true;
    return false;
}

bool acl_check_client(struct client *c, struct command *cmd, bool in_exec, char *msg, size_t len)
{
    int pos;
    enum acl_denial d = acl_check(c->commands, c->user, cmd, c->argc, c->argv, &pos);
    if (d == ACL_OK)
        return true;
    bool multi = in_exec || (c->flags & CLIENT_MULTI);
    /* Redis has made the command the client's last one before it checks,
     * so the log's client-info says cmd=<the denied command>. */
    if (!in_exec)
        c->last_cmd = cmd;
    acl_log_denial(c, cmd, d, multi ? ACL_LOG_MULTI : ACL_LOG_TOPLEVEL, pos);
    if (in_exec) {
        const char *reason = d == ACL_DENIED_CMD ? "no permission to execute the command or subcommand"
                             : d == ACL_DENIED_KEY ? "no permission to touch the specified keys"
                             : "no permission to access one of the channels used as arguments";
        snprintf(msg, len, "-NOPERM ACLs rules changed between the moment the transaction was "
                 "accumulated and the EXEC call. This command is no longer allowed for the "
                 "following reason: %s", reason);
    } else if (d == ACL_DENIED_CMD) {
        snprintf(msg, len, "-NOPERM this user has no permissions to run the '%s' command",
                 cmd->fullname);
    } else if (d == ACL_DENIED_KEY) {
        snprintf(msg, len, "-NOPERM this user has no permissions to access one of the keys used "
                 "as arguments");
    } else {
        snprintf(msg, len, "-NOPERM this user has no permissions to access one of the channels "
                 "used as arguments");
    }
    return false;
}

/* ---- authentication ---- */

bool acl_authenticate(struct client *c, const struct resp_arg *user, const struct resp_arg *pass)
{
    struct acl_user *u = acl_user_lookup(c->commands, user->ptr, user->len);
    if (u && (u->flags & ACL_USER_ON) && acl_password_matches(u, pass->ptr, pass->len)) {
        c->user = u;
        c->authenticated = true;
        return true;
    }
    acl_log_add(c, ACL_DENIED_AUTH, (c->flags & CLIENT_MULTI) ? ACL_LOG_MULTI : ACL_LOG_TOPLEVEL,
                c->argv[0].ptr, c->argv[0].len, user->ptr, user->len);
    return false;
}

bool acl_default_user_nopass(struct commands *cs)
{
    return cs->acl->default_user->flags & ACL_USER_NOPASS;
}

bool acl_new_client_authenticated(struct commands *cs)
{
    const struct acl_user *d = cs->acl->default_user;
    return (d->flags & ACL_USER_NOPASS) && (d->flags & ACL_USER_ON);
}

/* ---- the ACL log ---- */

static void acl_log_entry_free(struct acl_log_entry *e)
{
    alloc_free(e->object);
    alloc_free(e->username);
    alloc_free(e->client_info);
}

void acl_log_trim(struct acl *acl, long long max_len)
{
    while (acl->log_count > 0 && acl->log_count > max_len)
        acl_log_entry_free(&acl->log[--acl->log_count]);
}

void acl_log_reset(struct acl *acl)
{
    acl_log_trim(acl, 0);
}

static char *acl_client_info(struct client *c)
{
    struct buf b = {0};
    client_info_line(c, &b);
    char *s = alloc_strndup(b.data ? b.data : "", b.len);
    buf_free(&b);
    return s;
}

void acl_log_add(struct client *c, enum acl_denial reason, enum acl_log_context context,
                 const char *object, size_t object_len, const char *username, size_t username_len)
{
    struct commands *cs = c->commands;
    struct acl *acl = cs->acl;
    long long now = cs->loop->now_ms;
    long long max_len = cs->config->acllog_max_len;
    for (int i = 0; i < acl->log_count; i++) {
        struct acl_log_entry *e = &acl->log[i];
        if (e->reason != reason || e->context != context || strlen(e->object) != object_len ||
            memcmp(e->object, object, object_len) != 0 || strlen(e->username) != username_len ||
            memcmp(e->username, username, username_len) != 0 || now - e->ctime_ms > ACL_LOG_GROUPING_MS)
            continue;
        /* The same denial again: counted, refreshed and moved to the head. */
        struct acl_log_entry moved = *e;
        moved.count++;
        moved.ctime_ms = now;
        alloc_free(moved.client_info);
        moved.client_info = acl_client_info(c);
        memmove(&acl->log[1], &acl->log[0], sizeof(*acl->log) * (size_t)i);
        acl->log[0] = moved;
        return;
    }
    if (max_len <= 0)
        return;
    if (acl->log_count == acl->log_cap) {
        acl->log_cap = acl->log_cap ? acl->log_cap * 2 : 16;
        acl->log = alloc_resize(acl->log, sizeof(*acl->log) * (size_t)acl->log_cap);
    }
    memmove(&acl->log[1], &acl->log[0], sizeof(*acl->log) * (size_t)acl->log_count);
    acl->log[0] = (struct acl_log_entry){
        .count = 1, .reason = reason, .context = context,
        .object = alloc_strndup(object, object_len),
        .username = alloc_strndup(username, username_len),
        .ctime_ms = now, .client_info = acl_client_info(c),
    };
    acl->log_count++;
    acl_log_trim(acl, max_len);
}

void acl_log_denial(struct client *c, const struct command *cmd, enum acl_denial why,
                    enum acl_log_context context, int pos)
{
    const char *object = cmd->fullname;
    size_t object_len = strlen(object);
    if (why == ACL_DENIED_KEY || why == ACL_DENIED_CHANNEL) {
        object = c->argv[pos].ptr;
        object_len = c->argv[pos].len;
    }
    const struct acl_user *u = c->user;
    acl_log_add(c, why, context, object, object_len, u->name, u->name_len);
}

/* ---- set-up ---- */

void acl_requirepass_changed(struct commands *cs)
{
    struct acl_user *d = cs->acl->default_user;
    const char *pass = cs->config->requirepass;
    acl_user_apply_rule(cs, d, "resetpass", 9);
    if (pass && pass[0]) {
        char hex[ACL_HASH_HEX_BYTES + 1];
        acl_hash_password(pass, strlen(pass), hex);
        acl_password_add(d, hex);
    } else {
        acl_user_apply_rule(cs, d, "nopass", 6);
    }
    acl_user_refresh(cs, d);
}

static struct acl_user *acl_default_new(struct commands *cs)
{
    struct acl_user *d = acl_user_new(cs, "default", 7);
    static const char *const rules[] = {"+@all", "~*", "&*", "on", "nopass"};
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        enum acl_rule_error e = acl_user_apply_rule(cs, d, rules[i], strlen(rules[i]));
        assert(e == ACL_RULE_OK);
        (void)e;
    }
    return d;
}

void acl_init(struct commands *cs)
{
    assert(cs->acl == NULL);
    struct acl *acl = alloc_zeroed(sizeof(*acl));
    cs->acl = acl;
    acl->keys = alloc_zeroed(sizeof(*acl->keys) * ACL_COMMANDS_MAX);
    acl->default_user = acl_default_new(cs);
    acl_user_insert(acl, acl->default_user);
    acl->orphan = acl_user_new(cs, "", 0);
    acl->superuser = acl_default_new(cs);
    acl_user_refresh(cs, acl->superuser);
    acl_requirepass_changed(cs);
}

struct acl_user *acl_superuser(struct commands *cs)
{
    return cs->acl->superuser;
}

struct acl_user *acl_default_user(struct commands *cs)
{
    return cs->acl->default_user;
}

static void acl_commands_added_selector(struct commands *cs, struct acl_selector *s)
{
    if (s->all_commands)
        for (int i = 0; i < cs->command_slots; i++)
            acl_set_bit(s, i, true);
}

void acl_commands_added(struct commands *cs)
{
    struct acl *acl = cs->acl;
    assert(cs->command_slots <= ACL_COMMANDS_MAX);
    for (int i = 0; i < ACL_COMMANDS_MAX; i++) {
        alloc_free(acl->keys[i]);
        acl->keys[i] = NULL;
    }
    for (int i = 0; i < acl->user_count; i++) {
        struct acl_user *u = acl->users[i];
        acl_commands_added_selector(cs, &u->root);
        for (int j = 0; j < u->selector_count; j++)
            acl_commands_added_selector(cs, &u->selectors[j]);
        acl_user_refresh(cs, u);
    }
    acl_commands_added_selector(cs, &acl->superuser->root);
    acl_user_refresh(cs, acl->superuser);
}

void acl_free(struct commands *cs)
{
    struct acl *acl = cs->acl;
    if (!acl)
        return;
    for (int i = 0; i < acl->user_count; i++)
        acl_user_free(acl->users[i]);
    alloc_free(acl->users);
    acl_user_free(acl->orphan);
    acl_user_free(acl->superuser);
    acl_log_reset(acl);
    alloc_free(acl->log);
    for (int i = 0; i < ACL_COMMANDS_MAX; i++)
        alloc_free(acl->keys[i]);
    alloc_free(acl->keys);
    alloc_free(acl);
    cs->acl = NULL;
}

/* ---- text forms ---- */

struct acl_count_ctx {
    const struct acl_selector *s;
    uint32_t flag;
    unsigned long on, off;
};

static void acl_count_one(struct command *cmd, void *ctx)
{
    struct acl_count_ctx *k = ctx;
    if (!(cmd->acl & k->flag))
        return;
    if (acl_bit(k->s, cmd->index))
        k->on++;
    else
        k->off++;
}

/* The category that best describes what remains between the selector and
 * the rules written so far (Redis 7.0's best fit): more commands in common
 * than different, the fewest differences, then the most in common. */
static int acl_best_category(struct commands *cs, const struct acl_selector *temp, bool additive,
                             const bool applied[ACL_CATEGORY_COUNT])
{
    int best = -1;
    unsigned long mindiff = (unsigned long)-1, maxsame = 0;
    for (int j = 0; j < ACL_CATEGORY_COUNT; j++) {
        if (applied[j])
            continue;
        struct acl_count_ctx k = {.s = temp, .flag = 1u << j};
        command_for_each(cs, acl_count_one, &k);
        unsigned long diff = additive ? k.off : k.on;
        unsigned long same = additive ? k.on : k.off;
        if (same > diff && (diff < mindiff || (diff == mindiff && same > maxsame))) {
            best = j;
            mindiff = diff;
            maxsame = same;
        }
    }
    return best;
}

/* "+select|0": the first arguments allowed of a command otherwise refused. */
static void acl_describe_firstargs(const struct acl_selector *s, const struct command *cmd,
                                   struct buf *b)
{
    for (int i = 0; i < s->firstarg_count; i++) {
        if (s->firstargs[i].command_index != cmd->index)
            continue;
        buf_append(b, "+", 1);
        buf_append(b, cmd->fullname, strlen(cmd->fullname));
        buf_append(b, "|", 1);
        buf_append(b, s->firstargs[i].arg, strlen(s->firstargs[i].arg));
        buf_append(b, " ", 1);
    }
}

static void acl_describe_single_commands(struct commands *cs, const struct acl_selector *s,
                                         struct acl_selector *fake, struct buf *b)
{
    struct command_list list = {0};
    command_list_top(cs, &list);
    for (size_t i = 0; i < list.count; i++) {
        struct command *cmd = list.items[i];
        bool user_bit = acl_bit(s, cmd->index);
        if (user_bit != acl_bit(fake, cmd->index)) {
            buf_append(b, user_bit ? "+" : "-", 1);
            buf_append(b, cmd->fullname, strlen(cmd->fullname));
            buf_append(b, " ", 1);
            acl_change_command(fake, cmd, user_bit);
        }
        if (!user_bit)
            acl_describe_firstargs(s, cmd, b);
        if (!cmd->subcommands)
            continue;
        for (struct command *sub = cmd->subcommands; sub->name; sub++) {
            bool sub_bit = acl_bit(s, sub->index);
            if (sub_bit == acl_bit(fake, sub->index))
                continue;
            buf_append(b, sub_bit ? "+" : "-", 1);
            buf_append(b, sub->fullname, strlen(sub->fullname));
            buf_append(b, " ", 1);
            acl_set_bit(fake, sub->index, sub_bit);
        }
    }
    alloc_free(list.items);
}

void acl_describe_commands(struct commands *cs, const struct acl_selector *s, struct buf *b)
{
    struct acl_selector fake = {0}, temp = {0};
    bool additive = !s->all_commands;
    buf_append(b, additive ? "-@all " : "+@all ", 6);
    acl_selector_all_commands(cs, &fake, !additive);
    memcpy(temp.allowed, s->allowed, sizeof(temp.allowed));
    bool applied[ACL_CATEGORY_COUNT] = {0};
    for (;;) {
        int best = acl_best_category(cs, &temp, additive, applied);
        if (best < 0)
            break;
        acl_selector_set_category(cs, &fake, best, additive);
        acl_selector_set_category(cs, &temp, best, !additive);
        buf_append(b, additive ? "+@" : "-@", 2);
        buf_append(b, acl_category_names[best], strlen(acl_category_names[best]));
        buf_append(b, " ", 1);
        applied[best] = true;
    }
    acl_describe_single_commands(cs, s, &fake, b);
    b->len--; /* the last space */
    for (int i = 0; i < cs->command_slots; i++)
        assert(acl_bit(&fake, i) == acl_bit(s, i) && "the rules must rebuild the selector");
}

void acl_describe_keys(const struct acl_selector *s, struct buf *b)
{
    if (s->all_keys) {
        buf_append(b, "~*", 2);
        return;
    }
    for (int i = 0; i < s->key_count; i++) {
        const struct acl_pattern *p = &s->keys[i];
        if (i > 0)
            buf_append(b, " ", 1);
        if (p->perms == ACL_KEY_READ)
            buf_append(b, "%R~", 3);
        else if (p->perms == ACL_KEY_WRITE)
            buf_append(b, "%W~", 3);
        else
            buf_append(b, "~", 1);
        buf_append(b, p->text, p->len);
    }
}

void acl_describe_channels(const struct acl_selector *s, struct buf *b)
{
    if (s->all_channels) {
        buf_append(b, "&*", 2);
        return;
    }
    for (int i = 0; i < s->channel_count; i++) {
        if (i > 0)
            buf_append(b, " ", 1);
        buf_append(b, "&", 1);
        buf_append(b, s->channels[i].text, s->channels[i].len);
    }
}

/* A selector as rules: keys, channels, commands. */
static void acl_describe_selector(struct commands *cs, const struct acl_selector *s, struct buf *b)
{
    size_t before = b->len;
    acl_describe_keys(s, b);
    if (b->len > before)
        buf_append(b, " ", 1);
    if (!s->all_channels) {
        buf_append(b, "resetchannels", 13);
        if (s->channel_count > 0)
            buf_append(b, " ", 1);
    }
    acl_describe_channels(s, b);
    buf_append(b, " ", 1);
    acl_describe_commands(cs, s, b);
}

void acl_describe_user(struct commands *cs, const struct acl_user *u, struct buf *b)
{
    buf_append(b, (u->flags & ACL_USER_ON) ? "on" : "off", (u->flags & ACL_USER_ON) ? 2 : 3);
    if (u->flags & ACL_USER_NOPASS)
        buf_append(b, " nopass", 7);
    if (u->flags & ACL_USER_SKIP_SANITIZE)
        buf_append(b, " skip-sanitize-payload", 22);
    if (u->flags & ACL_USER_SANITIZE)
        buf_append(b, " sanitize-payload", 17);
    for (int i = 0; i < u->password_count; i++) {
        buf_append(b, " #", 2);
        buf_append(b, u->passwords[i], ACL_HASH_HEX_BYTES);
    }
    buf_append(b, " ", 1);
    acl_describe_selector(cs, &u->root, b);
    for (int i = 0; i < u->selector_count; i++) {
        buf_append(b, " (", 2);
        acl_describe_selector(cs, &u->selectors[i], b);
        buf_append(b, ")", 1);
    }
}

/* ---- loading: `user` directives and the aclfile ---- */

/* Splits line on single spaces, as Redis's sdssplitlen: no quoting, and
 * two spaces make an empty word. Returns owned words (pointing into an
 * owned copy kept in words[count]... freed by acl_words_free). */
struct acl_words {
    struct resp_arg *argv; /* owned array; ptr into text */
    int argc;
    char *text;            /* owned */
};

static void acl_words_split(struct acl_words *w, const char *line, size_t len)
{
    w->text = alloc_strndup(line, len);
    w->argc = 0;
    size_t words = 1;
    for (size_t i = 0; i < len; i++)
        words += line[i] == ' ';
    w->argv = alloc_bytes(sizeof(*w->argv) * words);
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || w->text[i] == ' ') {
            w->argv[w->argc++] = (struct resp_arg){.ptr = w->text + start, .len = i - start};
            start = i + 1;
        }
    }
}

static void acl_words_free(struct acl_words *w)
{
    alloc_free(w->argv);
    alloc_free(w->text);
}

static void acl_rules_free(char **rules, int count)
{
    for (int i = 0; i < count; i++)
        alloc_free(rules[i]);
    alloc_free(rules);
}

/* Applies rules to u in order; on failure returns the error and the
 * index of the rule at fault. */
static enum acl_rule_error acl_user_apply_rules(struct commands *cs, struct acl_user *u, char **rules,
                                                int count, int *failed)
{
    for (int i = 0; i < count; i++) {
        enum acl_rule_error e = acl_user_apply_rule(cs, u, rules[i], strlen(rules[i]));
        if (e != ACL_RULE_OK) {
            *failed = i;
            return e;
        }
    }
    return ACL_RULE_OK;
}

static bool acl_name_has_spaces(const struct resp_arg *name)
{
    for (size_t i = 0; i < name->len; i++)
        if (name->ptr[i] == ' ' || name->ptr[i] == '\t' || name->ptr[i] == '\r' ||
            name->ptr[i] == '\n' || name->ptr[i] == '\0')
            return true;
    return false;
}

/* One aclfile line into users (a table being built); errors appended. */
static void acl_file_line(struct commands *cs, struct acl *table, const char *path, int lineno,
                          const char *line, size_t len, struct buf *errors)
{
    char msg[8192];
    struct acl_words w;
    acl_words_split(&w, line, len);
    if (w.argc < 2 || w.argv[0].len != 4 || memcmp(w.argv[0].ptr, "user", 4) != 0) {
        int n = snprintf(msg, sizeof(msg), "%s:%d should start with user keyword followed by the "
                         "username. ", path, lineno);
        buf_append(errors, msg, (size_t)n);
    } else if (acl_name_has_spaces(&w.argv[1])) {
        int n = snprintf(msg, sizeof(msg), "'%s:%d: username '%.*s' contains invalid characters. ",
                         path, lineno, (int)w.argv[1].len, w.argv[1].ptr);
        buf_append(errors, msg, (size_t)n);
    } else {
        bool found;
        acl_user_index(table, w.argv[1].ptr, w.argv[1].len, &found);
        int count = 0, unmatched = 0, failed = 0;
        char **rules = found ? NULL : acl_merge_rules(w.argc - 2, w.argv + 2, &count, &unmatched);
        int n = 0;
        if (found) {
            n = snprintf(msg, sizeof(msg), "WARNING: Duplicate user '%.*s' found on line %d. ",
                         (int)w.argv[1].len, w.argv[1].ptr, lineno);
        } else if (!rules) {
            n = snprintf(msg, sizeof(msg), "%s:%d: Unmatched parenthesis in selector definition.",
                         path, lineno);
        } else {
            struct acl_user *u = acl_user_new(cs, w.argv[1].ptr, w.argv[1].len);
            enum acl_rule_error e = acl_user_apply_rules(cs, u, rules, count, &failed);
            if (e == ACL_RULE_OK) {
                acl_user_insert(table, u);
            } else {
                acl_user_free(u);
                n = snprintf(msg, sizeof(msg), "%s:%d: %s. ", path, lineno, acl_rule_error_text(e));
            }
            acl_rules_free(rules, count);
        }
        buf_append(errors, msg, (size_t)(n < 0 ? 0 : n >= (int)sizeof(msg) ? (int)sizeof(msg) - 1 : n));
    }
    acl_words_free(&w);
}

static char *acl_read_file(const char *path, size_t *len, int *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = errno;
        return NULL;
    }
    struct buf b = {0};
    char chunk[8192];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *err = errno;
            close(fd);
            buf_free(&b);
            return NULL;
        }
        buf_append(&b, chunk, (size_t)n);
    }
    close(fd);
    *len = b.len;
    char *out = alloc_strndup(b.data ? b.data : "", b.len);
    buf_free(&b);
    return out;
}

static bool acl_is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Parses the file into table (users only); errors appended. */
static void acl_file_parse(struct commands *cs, struct acl *table, const char *path,
                           const char *data, size_t len, struct buf *errors)
{
    int lineno = 0;
    size_t at = 0;
    while (at < len || (at == len && lineno == 0)) {
        const char *nl = memchr(data + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - data) : len;
        lineno++;
        size_t s = at, e = end;
        while (s < e && acl_is_blank(data[s]))
            s++;
        while (e > s && acl_is_blank(data[e - 1]))
            e--;
        if (e > s)
            acl_file_line(cs, table, path, lineno, data + s, e - s, errors);
        at = end + 1;
        if (!nl)
            break;
    }
}

static struct acl_user *acl_user_lookup_in(struct acl *table, const char *name, size_t len)
{
    bool found;
    int i = acl_user_index(table, name, len, &found);
    return found ? table->users[i] : NULL;
}

static void acl_user_remove_from(struct acl *table, struct acl_user *u)
{
    bool found;
    int at = acl_user_index(table, u->name, u->name_len, &found);
    assert(found);
    memmove(&table->users[at], &table->users[at + 1],
            sizeof(*table->users) * (size_t)(table->user_count - at - 1));
    table->user_count--;
}

/* Puts the loaded table in place: the default user keeps its struct (its
 * clients borrow it) and takes the file's rules, or the defaults; every
 * other old user's clients are closed, as Redis frees the old set. */
static void acl_table_swap(struct commands *cs, struct acl *table, struct client *self)
{
    struct acl *acl = cs->acl;
    struct acl_user *d = acl->default_user;
    struct acl_user *new_default = acl_user_lookup_in(table, "default", 7);
    if (new_default)
        acl_user_remove_from(table, new_default);
    else
        new_default = acl_default_new(cs);
    for (int i = 0; i < acl->user_count; i++) {
        struct acl_user *u = acl->users[i];
        if (u == d)
            continue;
        acl_user_disconnect(cs, u, self);
        acl_user_free(u);
    }
    acl->user_count = 0;
    acl_user_replace(cs, d, new_default);
    acl_user_insert(acl, d);
    for (int i = 0; i < table->user_count; i++) {
        acl_user_refresh(cs, table->users[i]);
        acl_user_insert(acl, table->users[i]);
    }
    table->user_count = 0;
}

int acl_file_load(struct commands *cs, const char *path, struct client *self, char *err,
                  size_t err_len)
{
    size_t len = 0;
    int e = 0;
    char *data = acl_read_file(path, &len, &e);
    if (!data) {
        snprintf(err, err_len, "Error loading ACLs, opening file '%s': %s", path, strerror(e));
        return -1;
    }
    struct acl table = {0};
    struct buf errors = {0};
    acl_file_parse(cs, &table, path, data, len, &errors);
    alloc_free(data);
    int rc = 0;
    if (errors.len > 0) {
        snprintf(err, err_len, "%.*sWARNING: ACL errors detected, no change to the previously "
                 "active ACL rules was performed", (int)errors.len, errors.data);
        rc = -1;
    } else {
        acl_table_swap(cs, &table, self);
    }
    for (int i = 0; i < table.user_count; i++)
        acl_user_free(table.users[i]);
    alloc_free(table.users);
    buf_free(&errors);
    return rc;
}

char **acl_user_lines(struct commands *cs, int *count)
{
    struct acl *acl = cs->acl;
    char **lines = alloc_bytes(sizeof(char *) * (size_t)(acl->user_count ? acl->user_count : 1));
    for (int i = 0; i < acl->user_count; i++) {
        const struct acl_user *u = acl->users[i];
        struct buf b = {0};
        buf_append(&b, "user ", 5);
        buf_append(&b, u->name, u->name_len);
        buf_append(&b, " ", 1);
        acl_describe_user(cs, u, &b);
        buf_append(&b, "", 1);
        lines[i] = alloc_strdup(b.data);
        buf_free(&b);
    }
    *count = acl->user_count;
    return lines;
}

int acl_file_save(struct commands *cs, const char *path, char *err, size_t err_len)
{
    struct acl *acl = cs->acl;
    struct buf b = {0};
    for (int i = 0; i < acl->user_count; i++) {
        const struct acl_user *u = acl->users[i];
        buf_append(&b, "user ", 5);
        buf_append(&b, u->name, u->name_len);
        buf_append(&b, " ", 1);
        acl_describe_user(cs, u, &b);
        buf_append(&b, "\n", 1);
    }
    int rc = durable_replace(path, b.data ? b.data : "", b.len);
    if (rc < 0) {
        snprintf(err, err_len, "Writing the ACL file %s for ACL SAVE: %s", path, strerror(-rc));
        rc = -1;
    }
    buf_free(&b);
    return rc;
}

/* The `user` directives: each creates its user or changes the one an
 * earlier line made. */
static int acl_load_config_users(struct commands *cs, char *err, size_t err_len)
{
    const struct config *cfg = cs->config;
    for (int i = 0; i < cfg->acl_user_count; i++) {
        const struct config_user *line = &cfg->acl_users[i];
        struct acl_words w = {.argv = alloc_bytes(sizeof(struct resp_arg) * (size_t)line->count),
                              .argc = line->count};
        for (int j = 0; j < line->count; j++)
            w.argv[j] = (struct resp_arg){.ptr = line->words[j], .len = strlen(line->words[j])};
        /* Only "default" exists already (config.c refuses a name twice):
         * as Redis, its line starts from a reset user. */
        struct acl_user *existing = acl_user_lookup(cs, w.argv[0].ptr, w.argv[0].len);
        struct acl_user *u = existing ? acl_user_copy(existing)
                                      : acl_user_new(cs, w.argv[0].ptr, w.argv[0].len);
        if (existing)
            acl_user_apply_rule(cs, u, "reset", 5);
        int count = 0, unmatched = 0, failed = 0;
        char **rules = acl_merge_rules(w.argc - 1, w.argv + 1, &count, &unmatched);
        enum acl_rule_error e = ACL_RULE_SYNTAX;
        if (rules)
            e = acl_user_apply_rules(cs, u, rules, count, &failed);
        if (e != ACL_RULE_OK) {
            const char *rule = rules ? rules[failed] : w.argv[1 + unmatched].ptr;
            snprintf(err, err_len, "Error loading ACL rule '%s' for the user named '%s': %s", rule,
                     u->name, rules ? acl_rule_error_text(e) : "Unmatched parenthesis in acl selector");
            acl_user_free(u);
            acl_rules_free(rules, rules ? count : 0);
            acl_words_free(&w);
            return -1;
        }
        acl_rules_free(rules, count);
        acl_words_free(&w);
        if (existing) {
            acl_user_replace(cs, existing, u);
        } else {
            acl_user_refresh(cs, u);
            acl_user_insert(cs->acl, u);
        }
    }
    return 0;
}

int acl_load_startup(struct commands *cs, char *err, size_t err_len)
{
    const struct config *cfg = cs->config;
    bool has_file = cfg->aclfile && cfg->aclfile[0];
    if (has_file && cfg->acl_user_count > 0) {
        snprintf(err, err_len, "Configuring Redis with users defined in redis.conf and at the same "
                 "setting an ACL file path is invalid. This setup is very likely to lead to "
                 "configuration errors and security holes, please define either an ACL file or "
                 "declare users directly in your redis.conf, but not both.");
        return -1;
    }
    if (acl_load_config_users(cs, err, err_len) < 0)
        return -1;
    if (!has_file)
        return 0;
    char reason[4096];
    if (acl_file_load(cs, cfg->aclfile, NULL, reason, sizeof(reason)) < 0) {
        snprintf(err, err_len, "Aborting Redis startup because of ACL errors: %s", reason);
        return -1;
    }
    return 0;
}
