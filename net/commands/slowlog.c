/* slowlog.c: the slow log's entries, as Redis 7.0 keeps them.
 *
 * Owns the list of entries and what goes into one: the arguments cut to
 * SLOWLOG_ENTRY_ARGS_MAX and SLOWLOG_ENTRY_ARG_BYTES_MAX with Redis's
 * notes, passwords redacted, the peer and client name. When to time a
 * command is dispatch.c's; the replies are cmd_slowlog.c's.
 *
 * Redis redacts AUTH's and HELLO AUTH's passwords inside the commands
 * (redactClientCommandArgument); ringkv keeps argv untouched while they
 * run, so the same arguments are redacted here, when the entry is made.
 * ACL SETUSER's name and rules too. MIGRATE, which Redis also redacts,
 * does not exist in ringkv.
 *
 * Invariant: len counts the entries between newest and oldest, and after
 * a push it is at most slowlog-max-len. */
#include "net/commands/slowlog.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/alloc.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/core/config.h"

static const char slowlog_redacted[] = "(redacted)";

void slowlog_init(struct commands *cs)
{
    struct slowlog *log = alloc_bytes(sizeof(*log));
    memset(log, 0, sizeof(*log));
    cs->slowlog = log;
}

static void slowlog_entry_free(struct slowlog_entry *e)
{
    for (int i = 0; i < e->argc; i++)
        alloc_free(e->argv[i].ptr);
    alloc_free(e->argv);
    alloc_free(e->peer);
    alloc_free(e->name);
    alloc_free(e);
}

static void slowlog_drop_oldest(struct slowlog *log)
{
    struct slowlog_entry *e = log->oldest;
    assert(e != NULL);
    assert(log->len > 0);
    log->oldest = e->newer;
    if (log->oldest)
        log->oldest->older = NULL;
    else
        log->newest = NULL;
    log->len--;
    slowlog_entry_free(e);
}

void slowlog_reset(struct slowlog *log)
{
    while (log->oldest)
        slowlog_drop_oldest(log);
    assert(log->len == 0);
}

void slowlog_free(struct commands *cs)
{
    slowlog_reset(cs->slowlog);
    alloc_free(cs->slowlog);
    cs->slowlog = NULL;
}

static char *slowlog_strdup(const char *p, size_t len)
{
    char *s = alloc_bytes(len + 1);
    memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

/* Whether argument i of c's command is a password Redis would redact. */
static bool slowlog_arg_redacted(const struct client *c, const struct command *cmd, int i)
{
    if (i == 0)
        return false;
    /* ACL SETUSER: the user name and every rule (Redis redacts them all
     * before parsing, so no password leaks). */
    if (cmd->parent)
        return i >= 2 && strcmp(cmd->parent->name, "acl") == 0 && strcmp(cmd->name, "setuser") == 0;
    if (strcmp(cmd->name, "auth") == 0)
        return i <= 2;
    if (strcmp(cmd->name, "hello") != 0)
        return false;
    /* HELLO's options as helloCommand walks them: AUTH takes two
     * arguments, SETNAME one; the walk stops at anything else. */
    for (int j = 2; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (arg_equals(&c->argv[j], "auth") && more >= 2) {
            if (i == j + 1 || i == j + 2)
                return true;
            j += 2;
        } else if (arg_equals(&c->argv[j], "setname") && more >= 1) {
            j++;
        } else {
            break;
        }
    }
    return false;
}

/* Argument i of the entry: the last of a cut list says how many were left
 * out; a long one keeps its first bytes and says how many more it had. */
static void slowlog_arg_fill(struct slowlog_arg *out, const struct client *c,
                             const struct command *cmd, int i, int kept)
{
    char note[64];
    if (kept != c->argc && i == kept - 1) {
        int n = snprintf(note, sizeof(note), "... (%d more arguments)", c->argc - kept + 1);
        *out = (struct slowlog_arg){slowlog_strdup(note, (size_t)n), (size_t)n};
        return;
    }
    if (slowlog_arg_redacted(c, cmd, i)) {
        size_t n = sizeof(slowlog_redacted) - 1;
        *out = (struct slowlog_arg){slowlog_strdup(slowlog_redacted, n), n};
        return;
    }
    const struct resp_arg *a = &c->argv[i];
    if (a->len <= SLOWLOG_ENTRY_ARG_BYTES_MAX) {
        *out = (struct slowlog_arg){slowlog_strdup(a->ptr, a->len), a->len};
        return;
    }
    int n = snprintf(note, sizeof(note), "... (%zu more bytes)",
                     a->len - SLOWLOG_ENTRY_ARG_BYTES_MAX);
    size_t len = SLOWLOG_ENTRY_ARG_BYTES_MAX + (size_t)n;
    char *s = alloc_bytes(len + 1);
    memcpy(s, a->ptr, SLOWLOG_ENTRY_ARG_BYTES_MAX);
    memcpy(s + SLOWLOG_ENTRY_ARG_BYTES_MAX, note, (size_t)n + 1);
    *out = (struct slowlog_arg){s, len};
}

static struct slowlog_entry *slowlog_entry_create(struct client *c, const struct command *cmd,
                                                  long long duration_us, long long now_s)
{
    struct slowlog *log = c->commands->slowlog;
    struct slowlog_entry *e = alloc_bytes(sizeof(*e));
    memset(e, 0, sizeof(*e));
    e->argc = c->argc < SLOWLOG_ENTRY_ARGS_MAX ? c->argc : SLOWLOG_ENTRY_ARGS_MAX;
    e->argv = e->argc ? alloc_bytes(sizeof(*e->argv) * (size_t)e->argc) : NULL;
    for (int i = 0; i < e->argc; i++)
        slowlog_arg_fill(&e->argv[i], c, cmd, i, e->argc);
    e->id = log->next_id++;
    e->time_s = now_s;
    e->duration_us = duration_us;
    e->peer = slowlog_strdup(c->conn.addr, strlen(c->conn.addr));
    e->name = c->name ? slowlog_strdup(c->name, strlen(c->name)) : slowlog_strdup("", 0);
    return e;
}

void slowlog_push_if_needed(struct client *c, const struct command *cmd, long long duration_us)
{
    struct commands *cs = c->commands;
    struct slowlog *log = cs->slowlog;
    assert(c->argc >= 0);
    assert(duration_us >= 0);
    /* AOF loading is not logged (Redis's update_command_stats), nor are
     * the commands flagged skip_slowlog (EXEC logs what it ran instead);
     * a script's commands are (its fake client is CLIENT_SCRIPT). */
    if ((c->flags & (CLIENT_FAKE | CLIENT_SCRIPT)) == CLIENT_FAKE || (cmd->flags & CMD_SKIP_SLOWLOG) ||
        (cmd->parent && (cmd->parent->flags & CMD_SKIP_SLOWLOG)))
        return;
    long long threshold = cs->config->slowlog_log_slower_than;
    if (threshold < 0)
        return;
    if (duration_us >= threshold) {
        struct slowlog_entry *e = slowlog_entry_create(c, cmd, duration_us, time(NULL));
        e->older = log->newest;
        if (log->newest)
            log->newest->newer = e;
        else
            log->oldest = e;
        log->newest = e;
        log->len++;
    }
    while (log->len > cs->config->slowlog_max_len)
        slowlog_drop_oldest(log);
}
