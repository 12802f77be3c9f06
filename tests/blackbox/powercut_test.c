/* powercut_test.c: directory durability, strictly (issue 13, item 7).
 *
 * POSIX makes a new, renamed or removed directory entry durable only once
 * the directory holding it is fsynced; until then a power cut may keep it
 * or take it, whatever ext4 happens to do. Every path by which ringkv
 * creates, renames or deletes an entry that a manifest or a reply depends
 * on runs here as one scenario, with the server under the filesystem shim
 * (tests/fault/fsfault.c), and is judged three ways:
 *
 *   - an audit of the shim's log, which checks the order: when a manifest
 *     is renamed into place, its content was fsynced and every file it
 *     names (base, incr) is durable already, since the rename may reach the
 *     disk at once; when a file of the AOF directory is deleted, no
 *     manifest that may be on disk names it; and at each point the test
 *     marked in the log right after a reply ("ack": writes acknowledged
 *     under appendfsync always; "saved": SAVE, BGSAVE, SHUTDOWN;
 *     "switched": CONFIG SET appendonly yes), the manifest in force and its
 *     files, or dump.rdb, or the manifest's removal, are durable;
 *   - a power cut at the scenario's cut point (a mark, see powercut.h),
 *     which undoes every directory change not durable then and everything
 *     after it, then SIGKILL's aftermath: a restart without the shim and a
 *     check of every write acknowledged before that point;
 *   - once per directory the scenario depends on, the same run with the
 *     fsyncs of that directory dropped by the shim ("fsync DROP =<dir>":
 *     the call reports success and never happens, as if the code lacked
 *     it) from the moment the scenario arms its rules: then the audit must
 *     complain, and the cut must take an acknowledged write or leave files
 *     the restart refuses. This shows that the scenario pins that fsync.
 *
 * The shim cannot see io_uring operations and a power cut leaves file
 * contents alone (tests/fault/powercut.h): this is about directory entries;
 * the files' own fsyncs are the writers' business.
 *
 * ringkv behaviours (the data directory ringkv creates, switching on under
 * always, the first base from dump.rdb): the suite skips against
 * redis-server. */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"
#include "tests/fault/powercut.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PC_AOF_DIR "appendonlydir"
#define PC_MANIFEST "appendonly.aof.manifest"
#define PC_DUMP "dump.rdb"
/* Acknowledged writes per phase of a scenario. */
#define PC_KEYS 20
#define PC_RECORDS_MAX 256
/* How long a rewrite or a BGSAVE may take. */
#define PC_SETTLE_MS 15000
/* Directories a scenario pins, at most; marks a run appends, at most. */
#define PC_PINS_MAX 4
#define PC_MARKS_MAX 16
/* Longest audit report kept. */
#define PC_REPORT_BYTES 8192

/* ---- A run of one scenario ---- */

/* A write the server acknowledged, and what a restart must show. */
struct pc_record {
    char key[40];
    char value[40];
    bool absent; /* the write was a deletion: the key must stay gone */
    int mark;    /* the first mark after its reply, -1 until there is one */
};

struct pc_run {
    struct fsfault f;
    char dir[256];              /* the harness directory: server.log, and the data by default */
    char real[PATH_MAX];        /* its canonical path, which is how the shim logs paths */
    char data[PATH_MAX + 64];   /* the data directory, canonical */
    char data_arg[256 + 64];    /* --dir for a scenario whose data directory ringkv makes */
    const char *drop;           /* the pinned directory under test, relative to real; NULL: none */
    const char *rules;          /* faults the scenario itself arms, besides the drop */
    struct server_args args;    /* the first server's */
    struct server_args restart; /* the restarted server's */
    struct pc_record records[PC_RECORDS_MAX];
    int record_count;
    char marks[PC_MARKS_MAX][32]; /* their labels, in order */
    int mark_count;
    int cut_mark; /* the mark the power goes out at; -1: the last one */
};

struct pc_result {
    int violations;                /* found by the audit */
    char report[PC_REPORT_BYTES];  /* what it found */
    bool refused;                  /* the restart refused to start */
    char refusal[1024];            /* the end of its log */
    int lost;                      /* acknowledged writes the restart did not show */
    char lost_example[200];
};

static void pc_args(struct server_args *a, const char *appendonly, const char *policy)
{
    a->n = 0;
    a->v[0] = NULL;
    server_args_add(a, "--appendonly", appendonly);
    server_args_add(a, "--appendfsync", policy);
}

/* Arms the scenario's rules and, when a pin is under test, the drop of
 * every fsync of that directory from now on. */
static void pc_arm(struct pc_run *r)
{
    char rules[PATH_MAX + 512];
    int n = snprintf(rules, sizeof(rules), "%s", r->rules != NULL ? r->rules : "");
    if (r->drop != NULL)
        snprintf(rules + n, sizeof(rules) - (size_t)n, "fsync DROP =%s%s\n", r->real, r->drop);
    fsfault_arm(&r->f, rules);
}

static struct server_handle *pc_start(struct pc_run *r)
{
    return server_start_in_env(server_binary(), r->dir, r->args.v, r->f.env);
}

/* Appends "mark <kind>-<n>" to the shim's log, the way the shim writes
 * (one write, O_APPEND): the point in time right after the replies read so
 * far. The records without a mark get this one. */
static void pc_mark(struct pc_run *r, const char *kind)
{
    ck_assert_int_lt(r->mark_count, PC_MARKS_MAX);
    char *label = r->marks[r->mark_count];
    snprintf(label, sizeof(r->marks[0]), "%s-%d", kind, r->mark_count);
    char line[64];
    int len = snprintf(line, sizeof(line), "mark %s\n", label);
    int fd = open(r->f.log, O_WRONLY | O_APPEND | O_CLOEXEC);
    ck_assert_msg(fd >= 0, "open %s: %s", r->f.log, strerror(errno));
    ck_assert_int_eq(write(fd, line, (size_t)len), len);
    close(fd);
    for (int i = 0; i < r->record_count; i++) {
        if (r->records[i].mark < 0)
            r->records[i].mark = r->mark_count;
    }
    r->mark_count++;
}

static struct pc_record *pc_record_add(struct pc_run *r, const char *key)
{
    ck_assert_int_lt(r->record_count, PC_RECORDS_MAX);
    struct pc_record *rec = &r->records[r->record_count++];
    memset(rec, 0, sizeof(*rec));
    snprintf(rec->key, sizeof(rec->key), "%s", key);
    rec->mark = -1;
    return rec;
}

/* SETs <prefix>:<i> = v<i> for i < count, each acknowledged before the
 * next is sent (a reply under always may wait for a rewrite: hence the
 * long timeout), and records them. */
static void pc_write(struct pc_run *r, struct conn *c, const char *prefix, int count)
{
    for (int i = 0; i < count; i++) {
        struct pc_record *rec = pc_record_add(r, "");
        snprintf(rec->key, sizeof(rec->key), "%s:%d", prefix, i);
        snprintf(rec->value, sizeof(rec->value), "v%d", i);
        const char *argv[] = {"set", rec->key, rec->value};
        conn_send_argv(c, 3, argv, NULL);
        char *reply = conn_try_read_raw(c, PC_SETTLE_MS);
        ck_assert_msg(reply != NULL && strcmp(reply, "+OK\r\n") == 0, "SET %s: %s", rec->key,
                      harness_escape(reply));
        free(reply);
    }
}

static void pc_ok(struct conn *c, const char *line)
{
    char *reply = conn_cmd(c, line);
    ck_assert_msg(reply[0] == '+', "%s: %s", line, harness_escape(reply));
    free(reply);
}

static void pc_wait_info(struct conn *c, const char *field, const char *value)
{
    int64_t deadline = harness_clock_ms() + PC_SETTLE_MS;
    while (!conn_info_is(c, field, value)) {
        ck_assert_msg(harness_clock_ms() < deadline, "%s never became %s", field, value);
        harness_sleep_ms(10);
    }
}

static void pc_wait_rewrite_idle(struct conn *c)
{
    pc_wait_info(c, "aof_rewrite_in_progress", "0");
    pc_wait_info(c, "aof_rewrite_scheduled", "0");
}

/* ---- The audit of the log ---- */

enum pc_kind { PC_FSYNC, PC_MKDIR, PC_CREATE, PC_RENAME, PC_UNLINK, PC_MARK, PC_OTHER };

struct pc_entry {
    enum pc_kind kind;
    const char *a;      /* the path changed or fsynced, a mark's label */
    const char *b;      /* rename's target */
    const char *backup; /* rename's replaced target, unlink's victim; "-" for none */
};

struct pc_log {
    char *text; /* owned, cut into words in place */
    struct pc_entry *entries;
    size_t count;
};

static void pc_log_load(struct pc_log *log, const char *path)
{
    log->text = harness_read_file(path, NULL);
    ck_assert_msg(log->text != NULL, "cannot read the shim's log %s", path);
    size_t lines = 1;
    for (const char *p = log->text; *p; p++)
        lines += *p == '\n';
    log->entries = calloc(lines, sizeof(*log->entries));
    ck_assert_ptr_nonnull(log->entries);
    log->count = 0;
    for (char *save = NULL, *line = strtok_r(log->text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        struct pc_entry *e = &log->entries[log->count++];
        *e = (struct pc_entry){.kind = PC_OTHER, .backup = "-"};
        if (strncmp(line, "fsync ", 6) == 0) {
            e->kind = PC_FSYNC;
            e->a = line + 6;
            continue;
        }
        char *words[4] = {0};
        int n = 0;
        for (char *s2 = NULL, *w = strtok_r(line, " ", &s2); w != NULL && n < 4;
             w = strtok_r(NULL, " ", &s2))
            words[n++] = w;
        static const struct {
            const char *word;
            enum pc_kind kind;
        } kinds[] = {{"mkdir", PC_MKDIR}, {"create", PC_CREATE}, {"rename", PC_RENAME},
                     {"unlink", PC_UNLINK}, {"mark", PC_MARK}};
        for (size_t k = 0; n >= 2 && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
            if (strcmp(words[0], kinds[k].word) == 0)
                e->kind = kinds[k].kind;
        }
        e->a = words[1];
        if (e->kind == PC_RENAME) {
            ck_assert_msg(n == 4, "a rename line without its backup in the log");
            e->b = words[2];
            e->backup = words[3];
        } else if (e->kind == PC_UNLINK) {
            ck_assert_msg(n == 3, "an unlink line without its backup in the log");
            e->backup = words[2];
        }
    }
}

static void pc_log_free(struct pc_log *log)
{
    free(log->entries);
    free(log->text);
}

static void pc_parent(const char *path, char *out, size_t out_len)
{
    snprintf(out, out_len, "%s", path);
    char *slash = strrchr(out, '/');
    if (slash == out)
        out[1] = '\0';
    else if (slash != NULL)
        *slash = '\0';
}

/* Whether an fsync of dir is logged strictly between entries from and to. */
static bool pc_synced_between(const struct pc_log *log, const char *dir, size_t from, size_t to)
{
    for (size_t i = from + 1; i < to; i++) {
        if (log->entries[i].kind == PC_FSYNC && strcmp(log->entries[i].a, dir) == 0)
            return true;
    }
    return false;
}

/* Whether entry e gives path its current name, or takes it away. */
static bool pc_names(const struct pc_entry *e, const char *path)
{
    switch (e->kind) {
    case PC_MKDIR:
    case PC_CREATE:
        return strcmp(e->a, path) == 0;
    case PC_RENAME:
        return strcmp(e->b, path) == 0;
    default:
        return false;
    }
}

static bool pc_unnames(const struct pc_entry *e, const char *path)
{
    return (e->kind == PC_UNLINK || e->kind == PC_RENAME) && strcmp(e->a, path) == 0;
}

/* The last entry before `at` that changed path's name (gave or took it),
 * or -1 when none did (the entry was there before the log began). */
static long pc_last_change(const struct pc_log *log, const char *path, size_t at)
{
    for (size_t i = at; i-- > 0;) {
        if (pc_names(&log->entries[i], path) || pc_unnames(&log->entries[i], path))
            return (long)i;
    }
    return -1;
}

/* Whether the last change to path's name before `at` is durable at `at`
 * (followed by an fsync of its directory, and of the source's for a
 * rename), and so, recursively, each directory above it. A name no entry
 * touched was there before the log began, and counts as durable. Says why
 * not into why. */
static bool pc_settled_at(const struct pc_log *log, const char *path, size_t at, char *why,
                          size_t why_len)
{
    if (strcmp(path, "/") == 0)
        return true;
    char parent[PATH_MAX];
    pc_parent(path, parent, sizeof(parent));
    long j = pc_last_change(log, path, at);
    if (j >= 0) {
        const struct pc_entry *e = &log->entries[j];
        if (!pc_synced_between(log, parent, (size_t)j, at)) {
            snprintf(why, why_len, "line %ld changed %s, and %s was not fsynced after it", j + 1,
                     path, parent);
            return false;
        }
        if (e->kind == PC_RENAME) {
            char other[PATH_MAX];
            pc_parent(strcmp(e->b, path) == 0 ? e->a : e->b, other, sizeof(other));
            if (!pc_synced_between(log, other, (size_t)j, at)) {
                snprintf(why, why_len, "line %ld renamed %s to %s, and %s was not fsynced after it",
                         j + 1, e->a, e->b, other);
                return false;
            }
        }
    }
    return pc_settled_at(log, parent, at, why, why_len);
}

/* Whether path exists at `at` (as far as the log knows: a name no entry
 * touched before `at` existed already, unless a later entry creates it)
 * and its name is durable. */
static bool pc_durable_at(const struct pc_log *log, const char *path, size_t at, char *why,
                          size_t why_len)
{
    long j = pc_last_change(log, path, at);
    if (j >= 0 && pc_unnames(&log->entries[j], path)) {
        snprintf(why, why_len, "line %ld removed %s", j + 1, path);
        return false;
    }
    for (size_t k = at + 1; j < 0 && k < log->count; k++) {
        if (pc_unnames(&log->entries[k], path))
            break; /* there, and taken away later */
        if (pc_names(&log->entries[k], path)) {
            snprintf(why, why_len, "%s is made only at line %zu", path, k + 1);
            return false;
        }
    }
    return pc_settled_at(log, path, at, why, why_len);
}

/* The text of the manifest the rename at entry v put in place: the backup
 * the next change of that name made of it, or the file itself if nothing
 * changed it since. Owned; NULL (with why) when it cannot be found. */
static char *pc_manifest_text(const struct pc_log *log, size_t v, char *why, size_t why_len)
{
    const char *manifest = log->entries[v].b;
    for (size_t k = v + 1; k < log->count; k++) {
        const struct pc_entry *e = &log->entries[k];
        if (pc_names(e, manifest) || pc_unnames(e, manifest)) {
            if (e->kind == PC_RENAME && strcmp(e->a, manifest) == 0) {
                snprintf(why, why_len, "line %zu moved the manifest away", k + 1);
                return NULL;
            }
            if (strcmp(e->backup, "-") == 0) {
                snprintf(why, why_len, "line %zu replaced the manifest without a backup", k + 1);
                return NULL;
            }
            return harness_read_file(e->backup, NULL);
        }
    }
    return harness_read_file(manifest, NULL);
}

/* Calls check(name, ctx) for each base and incr file the manifest text
 * names (history files are never loaded). */
static void pc_manifest_files(const char *text, void (*check)(const char *name, void *ctx),
                              void *ctx)
{
    for (const char *line = text; line != NULL && *line; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        char name[256], type[8];
        long long seq;
        if (sscanf(line, "file %255s seq %lld type %7s", name, &seq, type) == 3 &&
            (strcmp(type, "b") == 0 || strcmp(type, "i") == 0))
            check(name, ctx);
    }
}

struct pc_audit {
    const struct pc_log *log;
    const char *aof_dir;
    struct pc_result *result;
    size_t at;           /* the entry being judged */
    const char *context; /* what happens there, for the report */
    const char *victim;  /* an unlinked file's name, for pc_audit_not_named */
};

static void pc_violation(struct pc_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void pc_violation(struct pc_result *res, const char *fmt, ...)
{
    size_t used = strlen(res->report);
    if (used + 2 < sizeof(res->report)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(res->report + used, sizeof(res->report) - used - 1, fmt, ap);
        va_end(ap);
        strcat(res->report, "\n");
    }
    res->violations++;
}

/* A file the manifest names must be durable at a.at. */
static void pc_audit_named_durable(const char *name, void *ctx)
{
    struct pc_audit *a = ctx;
    char path[PATH_MAX], why[PATH_MAX * 2 + 128];
    snprintf(path, sizeof(path), "%s/%s", a->aof_dir, name);
    if (!pc_durable_at(a->log, path, a->at, why, sizeof(why)))
        pc_violation(a->result, "line %zu (%s): the manifest names %s, not durable: %s", a->at + 1,
                     a->context, name, why);
}

/* An unlinked file must not be named by a manifest that may be on disk. */
static void pc_audit_not_named(const char *name, void *ctx)
{
    struct pc_audit *a = ctx;
    if (strcmp(name, a->victim) == 0)
        pc_violation(a->result, "line %zu: %s deleted while a manifest that may be on disk "
                     "(%s) names it", a->at + 1, name, a->context);
}

/* The file victim of the AOF directory is deleted at a->at: no version of
 * the manifest that a power cut then could leave may name it. Those are,
 * newest first, every version renamed in back to the newest change of the
 * manifest's name (rename in, or removal) that was durable at a->at; before
 * the log began, whatever was there was checked when it was made. */
static void pc_audit_unlink(struct pc_audit *a, const char *manifest, const char *victim)
{
    char why[PATH_MAX * 2 + 128];
    for (size_t i = a->at; i-- > 0;) {
        const struct pc_entry *e = &a->log->entries[i];
        if (!pc_names(e, manifest) && !pc_unnames(e, manifest))
            continue;
        bool durable = pc_synced_between(a->log, a->aof_dir, i, a->at);
        if (e->kind == PC_RENAME && strcmp(e->b, manifest) == 0) {
            char *text = pc_manifest_text(a->log, i, why, sizeof(why));
            if (text == NULL) {
                pc_violation(a->result, "line %zu: cannot read the manifest of line %zu: %s",
                             a->at + 1, i + 1, why);
                return;
            }
            char context[64];
            snprintf(context, sizeof(context), "renamed in at line %zu", i + 1);
            a->context = context;
            a->victim = victim;
            pc_manifest_files(text, pc_audit_not_named, a);
            free(text);
        }
        if (durable)
            return;
    }
}

/* Audits the log of a run whose data directory is data (canonical). */
static void pc_audit(const char *log_path, const char *data, struct pc_result *res)
{
    struct pc_log log;
    pc_log_load(&log, log_path);
    char aof_dir[PATH_MAX], manifest[PATH_MAX + 64], dump[PATH_MAX + 64];
    snprintf(aof_dir, sizeof(aof_dir), "%s/%s", data, PC_AOF_DIR);
    snprintf(manifest, sizeof(manifest), "%s/%s", aof_dir, PC_MANIFEST);
    snprintf(dump, sizeof(dump), "%s/%s", data, PC_DUMP);
    struct pc_audit a = {.log = &log, .aof_dir = aof_dir, .result = res};
    char why[PATH_MAX * 2 + 128];
    for (size_t i = 0; i < log.count; i++) {
        const struct pc_entry *e = &log.entries[i];
        a.at = i;
        if (e->kind == PC_RENAME && strcmp(e->b, manifest) == 0) {
            /* The rename may reach the disk at once: its content and every
             * file it names must be durable before it. */
            long from = -1;
            for (size_t k = i; k-- > 0 && from < 0;) {
                if (pc_unnames(&log.entries[k], e->a))
                    from = (long)k;
            }
            bool content_synced = false;
            for (size_t k = (size_t)(from + 1); k < i; k++)
                content_synced |= log.entries[k].kind == PC_FSYNC && strcmp(log.entries[k].a, e->a) == 0;
            if (!content_synced)
                pc_violation(res, "line %zu: %s renamed onto the manifest without an fsync of its "
                             "content", i + 1, e->a);
            char *text = pc_manifest_text(&log, i, why, sizeof(why));
            if (text == NULL) {
                pc_violation(res, "line %zu: cannot read the manifest it renames in: %s", i + 1, why);
                continue;
            }
            a.context = "manifest renamed in";
            pc_manifest_files(text, pc_audit_named_durable, &a);
            free(text);
        } else if (e->kind == PC_UNLINK && strcmp(e->a, manifest) != 0) {
            char parent[PATH_MAX];
            pc_parent(e->a, parent, sizeof(parent));
            if (strcmp(parent, aof_dir) == 0)
                pc_audit_unlink(&a, manifest, strrchr(e->a, '/') + 1);
        } else if (e->kind == PC_MARK && strncmp(e->a, "ack-", 4) == 0) {
            /* Acknowledged under always: the manifest in force, and what it
             * names, must survive a power cut now. */
            if (!pc_durable_at(&log, manifest, i, why, sizeof(why))) {
                pc_violation(res, "line %zu (%s): the manifest is not durable: %s", i + 1, e->a,
                             why);
                continue;
            }
            long v = pc_last_change(&log, manifest, i);
            if (v < 0)
                continue; /* there before the log began: checked when it was made */
            char *text = pc_manifest_text(&log, (size_t)v, why, sizeof(why));
            ck_assert_msg(text != NULL, "line %zu: %s", i + 1, why);
            a.context = e->a;
            pc_manifest_files(text, pc_audit_named_durable, &a);
            free(text);
        } else if (e->kind == PC_MARK && strncmp(e->a, "saved-", 6) == 0) {
            if (!pc_durable_at(&log, dump, i, why, sizeof(why)))
                pc_violation(res, "line %zu (%s): %s is not durable: %s", i + 1, e->a, PC_DUMP, why);
        } else if (e->kind == PC_MARK && strncmp(e->a, "switched-", 9) == 0) {
            if (!pc_settled_at(&log, manifest, i, why, sizeof(why)))
                pc_violation(res, "line %zu (%s): the manifest's removal is not durable: %s",
                             i + 1, e->a, why);
        }
    }
    pc_log_free(&log);
}

/* ---- Scenarios ---- */

struct pc_scenario {
    const char *name;
    /* Runs the scenario with the server under the shim; returns the server
     * to SIGKILL, or NULL when it exited by itself. Calls pc_arm where the
     * pinned fsyncs begin to matter, and sets r->restart. */
    struct server_handle *(*run)(struct pc_run *r);
    /* Directories (relative to the harness directory, "" for itself) whose
     * fsyncs the scenario depends on. */
    const char *pins[PC_PINS_MAX + 1];
};

/* Start-up with no appendonlydir: mkdir, first base (renamed in from the
 * data directory), first incr, first manifest. */
static struct server_handle *pc_fresh(struct pc_run *r)
{
    pc_args(&r->args, "yes", "always");
    r->restart = r->args;
    pc_arm(r);
    struct server_handle *h = pc_start(r);
    struct conn *c = conn_open(h->port);
    pc_write(r, c, "fresh", PC_KEYS);
    pc_mark(r, "ack");
    conn_close(c);
    return h;
}

/* The same in a data directory ringkv makes itself, two levels deep. */
static struct server_handle *pc_made_dir(struct pc_run *r)
{
    snprintf(r->data_arg, sizeof(r->data_arg), "%s/made/data", r->dir);
    snprintf(r->data, sizeof(r->data), "%s/made/data", r->real);
    pc_args(&r->args, "yes", "always");
    server_args_add(&r->args, "--dir", r->data_arg);
    r->restart = r->args;
    pc_arm(r);
    struct server_handle *h = pc_start(r);
    struct conn *c = conn_open(h->port);
    pc_write(r, c, "made", PC_KEYS);
    pc_mark(r, "ack");
    conn_close(c);
    return h;
}

/* CONFIG SET appendonly yes on a running server: a write sent right after
 * is acknowledged once the first base is installed; the power goes out
 * right after that reply, while more writes and a rewrite follow. */
static struct server_handle *pc_switch_on(struct pc_run *r)
{
    pc_args(&r->args, "no", "always");
    pc_args(&r->restart, "yes", "always");
    struct server_handle *h = pc_start(r);
    struct conn *c = conn_open(h->port);
    pc_write(r, c, "before", PC_KEYS);
    pc_arm(r);
    pc_ok(c, "config set appendonly yes");
    pc_write(r, c, "held", 1);
    r->cut_mark = r->mark_count;
    pc_mark(r, "ack");
    pc_write(r, c, "after", PC_KEYS);
    pc_mark(r, "ack");
    pc_wait_rewrite_idle(c);
    pc_ok(c, "bgrewriteaof");
    pc_wait_rewrite_idle(c);
    conn_close(c);
    return h;
}

/* BGREWRITEAOF: the new incr and its manifest (rotation), the new base
 * renamed in, its manifest, the history deleted and the last manifest. */
static struct server_handle *pc_rewrite(struct pc_run *r)
{
    pc_args(&r->args, "yes", "always");
    r->restart = r->args;
    struct server_handle *h = pc_start(r);
    struct conn *c = conn_open(h->port);
    pc_write(r, c, "before", PC_KEYS);
    pc_mark(r, "ack");
    pc_arm(r);
    pc_ok(c, "bgrewriteaof");
    pc_write(r, c, "during", PC_KEYS);
    pc_mark(r, "ack");
    pc_wait_rewrite_idle(c);
    pc_write(r, c, "after", PC_KEYS);
    pc_mark(r, "ack");
    conn_close(c);
    return h;
}

/* SAVE, BGSAVE and SHUTDOWN with the AOF off: dump.rdb renamed in. */
static struct server_handle *pc_rdb(struct pc_run *r, const char *how)
{
    pc_args(&r->args, "no", "always");
    if (strcmp(how, "shutdown") == 0)
        server_args_add(&r->args, "--save", "3600 1");
    pc_args(&r->restart, "no", "always");
    struct server_handle *h = pc_start(r);
    struct conn *c = conn_open(h->port);
    pc_write(r, c, how, PC_KEYS);
    pc_arm(r);
    if (strcmp(how, "save") == 0) {
        pc_ok(c, "save");
    } else if (strcmp(how, "bgsave") == 0) {
        pc_ok(c, "bgsave");
        pc_wait_info(c, "rdb_bgsave_in_progress", "0");
        ck_assert(conn_info_is(c, "rdb_last_bgsave_status", "ok"));
    } else {
        conn_send(c, "shutdown");
        ck_assert_msg(conn_wait_closed(c, PC_SETTLE_MS), "SHUTDOWN did not close the connection");
        int status = server_wait_exit(h, PC_SETTLE_MS);
        ck_assert_msg(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
                      "SHUTDOWN: the server did not exit cleanly (%d)", status);
        server_kill(h, 0);
        h = NULL;
    }
    pc_mark(r, "saved");
    conn_close(c);
    return h;
}

static struct server_handle *pc_save(struct pc_run *r)
{
    return pc_rdb(r, "save");
}

static struct server_handle *pc_bgsave(struct pc_run *r)
{
    return pc_rdb(r, "bgsave");
}

static struct server_handle *pc_shutdown(struct pc_run *r)
{
    return pc_rdb(r, "shutdown");
}

/* Start-up with appendonly yes on a data directory that has only dump.rdb:
 * it becomes the first base (ringkv's rule), then writes go to the AOF. */
static struct server_handle *pc_first_base_from_rdb(struct pc_run *r)
{
    pc_args(&r->args, "no", "always");
    struct server_handle *h = server_start_in(server_binary(), r->dir, r->args.v);
    struct conn *c = conn_open(h->port);
    pc_write(r, c, "rdb", PC_KEYS);
    pc_ok(c, "save");
    conn_close(c);
    server_stop(h);
    pc_mark(r, "saved");
    pc_args(&r->args, "yes", "always");
    r->restart = r->args;
    pc_arm(r);
    h = pc_start(r);
    c = conn_open(h->port);
    pc_write(r, c, "aof", PC_KEYS);
    pc_mark(r, "ack");
    conn_close(c);
    return h;
}

/* Start-up with an old single-file appendonly.aof in the data directory:
 * moved into appendonlydir as the base of a new manifest. */
static struct server_handle *pc_upgrade(struct pc_run *r)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/appendonly.aof", r->dir);
    static const char old[] = "*3\r\n$3\r\nset\r\n$3\r\nold\r\n$2\r\nv0\r\n";
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ck_assert_msg(fd >= 0, "create %s: %s", path, strerror(errno));
    ck_assert_int_eq(write(fd, old, sizeof(old) - 1), (ssize_t)(sizeof(old) - 1));
    ck_assert_int_eq(fsync(fd), 0);
    close(fd);
    struct pc_record *rec = pc_record_add(r, "old");
    snprintf(rec->value, sizeof(rec->value), "v0");
    pc_args(&r->args, "yes", "always");
    r->restart = r->args;
    pc_arm(r);
    struct server_handle *h = pc_start(r);
    struct conn *c = conn_open(h->port);
    pc_write(r, c, "new", PC_KEYS);
    pc_mark(r, "ack");
    conn_close(c);
    return h;
}

/* yes -> no -> DEL -> yes with the first rewrite failing: the manifest of
 * the AOF from before the switch-off misses the DEL, and is removed
 * (durably) before CONFIG SET answers; a restart must never load it. */
static struct server_handle *pc_stale_manifest(struct pc_run *r)
{
    pc_args(&r->args, "yes", "always");
    r->restart = r->args;
    struct server_handle *h = pc_start(r);
    struct conn *c = conn_open(h->port);
    pc_ok(c, "set gone 1");
    pc_ok(c, "config set appendonly no");
    ck_cmd(c, "del gone", ":1\r\n");
    pc_record_add(r, "gone")->absent = true;
    r->rules = "create ENOSPC temp-rewriteaof\n"; /* every rewrite fails */
    pc_arm(r);
    pc_ok(c, "config set appendonly yes");
    pc_mark(r, "switched");
    harness_sleep_ms(300);
    conn_close(c);
    return h;
}

static const struct pc_scenario pc_scenarios[] = {
    {"fresh start, no appendonlydir", pc_fresh, {"", "/" PC_AOF_DIR}},
    {"fresh start in a data directory ringkv makes", pc_made_dir,
     {"", "/made", "/made/data", "/made/data/" PC_AOF_DIR}},
    {"CONFIG SET appendonly yes", pc_switch_on, {"", "/" PC_AOF_DIR}},
    {"BGREWRITEAOF", pc_rewrite, {"/" PC_AOF_DIR, ""}},
    {"SAVE", pc_save, {""}},
    {"BGSAVE", pc_bgsave, {""}},
    {"SHUTDOWN with save points", pc_shutdown, {""}},
    {"first base from dump.rdb", pc_first_base_from_rdb, {"/" PC_AOF_DIR, ""}},
    {"old single-file AOF moved in", pc_upgrade, {"/" PC_AOF_DIR, ""}},
    {"switching on again removes the stale manifest", pc_stale_manifest, {"/" PC_AOF_DIR}},
};
#define PC_SCENARIO_COUNT ((int)(sizeof(pc_scenarios) / sizeof(pc_scenarios[0])))

/* ---- The driver ---- */

/* Runs s (with the fsyncs of drop dropped, unless NULL): the scenario, the
 * audit, SIGKILL, the power cut at the cut mark, the restart and the check
 * of every write acknowledged before it, into *res. */
static void pc_run_scenario(const struct pc_scenario *s, const char *drop, struct pc_result *res)
{
    memset(res, 0, sizeof(*res));
    struct pc_run *r = calloc(1, sizeof(*r));
    ck_assert_ptr_nonnull(r);
    fsfault_init(&r->f);
    harness_make_dir(r->dir, sizeof(r->dir));
    ck_assert_ptr_nonnull(realpath(r->dir, r->real));
    snprintf(r->data, sizeof(r->data), "%s", r->real);
    r->drop = drop;
    r->cut_mark = -1;
    struct server_handle *h = s->run(r);
    if (h != NULL)
        server_kill(h, SIGKILL);
    /* Before the cut, which moves the backups the audit reads back. */
    pc_audit(r->f.log, r->data, res);
    int cut = r->cut_mark >= 0 ? r->cut_mark : r->mark_count - 1;
    const char *label = cut >= 0 ? r->marks[cut] : NULL;
    int undone = powercut_apply_at(r->f.log, r->f.backup, label);
    ck_assert_msg(undone >= 0, "power cut at %s: %s", label != NULL ? label : "the end",
                  strerror(-undone));
    int status = 0;
    h = server_try_start_in(server_binary(), r->dir, r->restart.v, &status);
    if (h == NULL) {
        res->refused = true;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/server.log", r->dir);
        size_t len = 0;
        char *text = harness_read_file(path, &len);
        size_t keep = sizeof(res->refusal) - 1;
        snprintf(res->refusal, sizeof(res->refusal), "%s",
                 text == NULL ? "(no log)" : len > keep ? text + len - keep : text);
        free(text);
        free(r);
        return;
    }
    struct conn *c = conn_open(h->port);
    conn_wait_loaded(c, PC_SETTLE_MS);
    for (int i = 0; i < r->record_count; i++) {
        const struct pc_record *rec = &r->records[i];
        if (rec->mark < 0 || rec->mark > cut)
            continue; /* acknowledged after the power went out */
        const char *argv[] = {"get", rec->key};
        char *reply = conn_cmd_argv(c, 2, argv, NULL);
        char expected[64];
        if (rec->absent)
            snprintf(expected, sizeof(expected), "$-1\r\n");
        else
            snprintf(expected, sizeof(expected), "$%zu\r\n%s\r\n", strlen(rec->value), rec->value);
        if (strcmp(reply, expected) != 0) {
            if (res->lost++ == 0)
                snprintf(res->lost_example, sizeof(res->lost_example), "GET %s: %s, expected %s",
                         rec->key, harness_escape(reply), harness_escape(expected));
        }
        free(reply);
    }
    conn_close(c);
    server_stop(h);
    free(r);
}

/* One line per run on stderr with RINGKV_TEST_VERBOSE set. */
static void pc_note(const struct pc_scenario *s, const char *drop, const struct pc_result *res)
{
    if (getenv("RINGKV_TEST_VERBOSE") == NULL)
        return;
    fprintf(stderr, "powercut_test: %s%s%s%s: audit %d, %s, lost %d%s%s\n%s", s->name,
            drop != NULL ? " (fsyncs of <dir>" : "", drop != NULL ? drop : "",
            drop != NULL ? " dropped)" : "", res->violations,
            res->refused ? "restart refused" : "restarted", res->lost,
            res->lost > 0 ? ": " : "", res->lost_example, res->report);
}

static bool pc_skip(void)
{
    if (server_is_redis())
        return true;
    if (!fsfault_available()) {
        fprintf(stderr, "powercut_test: the fsfault shim is not built; skipped\n");
        return true;
    }
    return false;
}

/* Each scenario: nothing acknowledged is lost and the audit finds nothing;
 * then, for each directory it pins, dropping that directory's fsyncs makes
 * both the audit and the power cut catch it. */
START_TEST(test_scenario)
{
    if (pc_skip())
        return;
    const struct pc_scenario *s = &pc_scenarios[_i];
    struct pc_result res;
    pc_run_scenario(s, NULL, &res);
    pc_note(s, NULL, &res);
    ck_assert_msg(res.violations == 0, "%s: the order is wrong:\n%s", s->name, res.report);
    ck_assert_msg(!res.refused, "%s: the restart after the power cut refused to start:\n%s",
                  s->name, res.refusal);
    ck_assert_msg(res.lost == 0, "%s: %d acknowledged writes lost (%s)", s->name, res.lost,
                  res.lost_example);
    for (int p = 0; s->pins[p] != NULL; p++) {
        pc_run_scenario(s, s->pins[p], &res);
        pc_note(s, s->pins[p], &res);
        ck_assert_msg(res.violations > 0,
                      "%s: without the fsyncs of <dir>%s the audit found nothing wrong", s->name,
                      s->pins[p]);
        ck_assert_msg(res.refused || res.lost > 0,
                      "%s: without the fsyncs of <dir>%s the power cut lost nothing", s->name,
                      s->pins[p]);
    }
}
END_TEST

/* The cut at a mark: what happened after it is gone, durable or not. */
START_TEST(test_cut_at_mark_undoes_later_changes)
{
    if (pc_skip())
        return;
    struct pc_run *r = calloc(1, sizeof(*r));
    ck_assert_ptr_nonnull(r);
    fsfault_init(&r->f);
    harness_make_dir(r->dir, sizeof(r->dir));
    pc_args(&r->args, "no", "always");
    struct server_handle *h = pc_start(r);
    struct conn *c = conn_open(h->port);
    pc_write(r, c, "k", 1);
    pc_ok(c, "save");
    pc_mark(r, "saved");
    pc_ok(c, "flushall");
    pc_ok(c, "save"); /* durable, but after the mark */
    conn_close(c);
    server_kill(h, SIGKILL);
    ck_assert_int_eq(powercut_apply_at(r->f.log, r->f.backup, "nothere-9"), -ESRCH);
    ck_assert_int_ge(powercut_apply_at(r->f.log, r->f.backup, "saved-0"), 1);
    h = server_start_in(server_binary(), r->dir, r->args.v);
    c = conn_open(h->port);
    ck_cmd(c, "get k:0", "$2\r\nv0\r\n");
    conn_close(c);
    server_stop(h);
    free(r);
}
END_TEST

/* The shim's DROP: the fsync reports success, is not logged, and so a
 * power cut takes what only it would have made durable. */
START_TEST(test_shim_drop_fsync)
{
    if (pc_skip())
        return;
    const char *probe = getenv("RINGKV_FSFAULT_PROBE");
    if (probe == NULL) {
        fprintf(stderr, "powercut_test: the shim's probe is not built; skipped\n");
        return;
    }
    struct fsfault f;
    fsfault_init(&f);
    char dir[256], real[PATH_MAX];
    harness_make_dir(dir, sizeof(dir));
    ck_assert_ptr_nonnull(realpath(dir, real));
    char rules[PATH_MAX + 64];
    snprintf(rules, sizeof(rules), "fsync DROP =%s/sub\n", real);
    fsfault_arm(&f, rules);
    char env[4096];
    fsfault_shell_env(&f, env, sizeof(env));
    int status;
    char *out = harness_output(&status, "cd '%s' && env %s '%s' mkdir:sub fsync:. create:sub/a "
                               "fsync:sub", dir, env, probe);
    ck_assert_msg(status == 0, "the dropped fsync did not report success:\n%s", out);
    free(out);
    char *log = fsfault_log(&f);
    char line[PATH_MAX + 16];
    snprintf(line, sizeof(line), "fsync %s/sub\n", real);
    ck_assert_msg(strstr(log, line) == NULL, "a dropped fsync was logged:\n%s", log);
    free(log);
    ck_assert_int_eq(fsfault_power_cut(&f), 1); /* sub/a; sub itself was fsynced in */
    char *list = harness_list_dir(real);
    ck_assert_str_eq(list, "sub\n");
    free(list);
}
END_TEST

Suite *powercut_suite(void)
{
    Suite *s = suite_create("powercut");
    TCase *t = tcase_create("scenarios");
    tcase_set_timeout(t, 120);
    tcase_add_loop_test(t, test_scenario, 0, PC_SCENARIO_COUNT);
    tcase_add_test(t, test_cut_at_mark_undoes_later_changes);
    tcase_add_test(t, test_shim_drop_fsync);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return harness_run_suite(powercut_suite());
}
