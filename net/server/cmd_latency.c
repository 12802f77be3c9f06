/* cmd_latency.c: LATENCY LATEST, HISTORY, RESET, GRAPH, DOCTOR, HISTOGRAM
 * and HELP (Redis 7.0), and INFO's latencystats lines.
 *
 * Owns the replies and their text: the sparkline GRAPH draws (Redis's
 * layout: four rows of "_o#|" fill, then each sample's age written
 * downwards), the DOCTOR report (in ringkv's own words; its advice follows
 * the events seen) and the histogram rows. The data are net/core/latency.c's:
 * the server's monitor (struct server.latency), fed by dispatch ("command",
 * "fast-command"), the fork paths ("fork") and the cron ("expire-cycle"),
 * and each command's histogram, fed by dispatch while latency-tracking is
 * on. Invariant: every handler sends exactly one reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "engine/alloc.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/reply.h"
#include "net/core/latency.h"
#include "net/server/cmd_server_internal.h"
#include "net/wire/buf.h"

/* ---- LATEST, HISTORY, RESET ---- */

static void latency_latest_command(struct client *c)
{
    const struct latency_monitor *m = &server_of(c)->latency;
    reply_array_len(c, m->count);
    for (int i = 0; i < m->count; i++) {
        const struct latency_event *e = &m->events[i];
        const struct latency_sample *last = latency_event_latest(e);
        reply_array_len(c, 4);
        reply_bulk_cstr(c, e->name);
        reply_integer(c, last->time_s);
        reply_integer(c, last->latency_ms);
        reply_integer(c, e->max_ms);
    }
}

static void latency_history_command(struct client *c)
{
    const struct latency_event *e =
        latency_monitor_find(&server_of(c)->latency, c->argv[2].ptr, c->argv[2].len);
    if (e == NULL) {
        reply_array_len(c, 0);
        return;
    }
    size_t handle = reply_defer_len(c);
    long long count = 0;
    for (int j = 0; j < LATENCY_SAMPLES_MAX; j++) {
        const struct latency_sample *s = &e->samples[(e->next + j) % LATENCY_SAMPLES_MAX];
        if (s->time_s == 0)
            continue;
        reply_array_len(c, 2);
        reply_integer(c, s->time_s);
        reply_integer(c, s->latency_ms);
        count++;
    }
    reply_set_defer_len(c, handle, count, '*');
}

static void latency_reset_command(struct client *c)
{
    struct latency_monitor *m = &server_of(c)->latency;
    if (c->argc == 2) {
        reply_integer(c, latency_monitor_reset(m, NULL, 0));
        return;
    }
    long long removed = 0;
    for (int i = 2; i < c->argc; i++)
        removed += latency_monitor_reset(m, c->argv[i].ptr, c->argv[i].len);
    reply_integer(c, removed);
}

/* ---- GRAPH: a sparkline of the samples, oldest first ---- */

#define LATENCY_GRAPH_COLUMNS 80
#define LATENCY_GRAPH_ROWS 4
/* The fill characters of one row, lowest first; a bar taller than the row
 * shows '|' there. */
static const char latency_graph_fill[] = "_o#";
#define LATENCY_GRAPH_LEVELS 3

struct latency_graph_point {
    int64_t value;
    char label[24]; /* how long ago: "5s", "3m", "2h", "1d" */
};

/* Rows of one chunk of at most LATENCY_GRAPH_COLUMNS points: the bars,
 * then an empty line, then the labels written top to bottom. */
static void latency_graph_chunk(struct buf *out, const struct latency_graph_point *points, int len,
                                int64_t min, int64_t max)
{
    double range = max - min ? (double)(max - min) : 1.0;
    int steps = LATENCY_GRAPH_LEVELS * LATENCY_GRAPH_ROWS;
    char line[LATENCY_GRAPH_COLUMNS];
    for (int row = 0;; row++) {
        bool any = false;
        memset(line, ' ', (size_t)len);
        if (row < LATENCY_GRAPH_ROWS) {
            any = true;
            for (int j = 0; j < len; j++) {
                int step = (int)(((double)(points[j].value - min) * steps) / range);
                step = step < 0 ? 0 : step >= steps ? steps - 1 : step;
                int level = step - (LATENCY_GRAPH_ROWS - row - 1) * LATENCY_GRAPH_LEVELS;
                if (level >= LATENCY_GRAPH_LEVELS)
                    line[j] = '|';
                else if (level >= 0)
                    line[j] = latency_graph_fill[level];
            }
        } else if (row == LATENCY_GRAPH_ROWS) {
            any = true; /* the blank line between the bars and the labels */
        } else {
            int at = row - LATENCY_GRAPH_ROWS - 1;
            for (int j = 0; j < len; j++) {
                if ((int)strlen(points[j].label) > at) {
                    line[j] = points[j].label[at];
                    any = true;
                }
            }
        }
        if (!any)
            break;
        buf_append(out, line, (size_t)len);
        buf_append(out, "\n", 1);
    }
}

static void latency_graph_command(struct client *c)
{
    const struct latency_event *e =
        latency_monitor_find(&server_of(c)->latency, c->argv[2].ptr, c->argv[2].len);
    if (e == NULL) {
        reply_errorf(c, "No samples available for event '%.*s'", (int)c->argv[2].len,
                     (const char *)c->argv[2].ptr);
        return;
    }
    struct latency_graph_point points[LATENCY_SAMPLES_MAX];
    int count = 0;
    int64_t min = 0, max = 0, now = (int64_t)time(NULL);
    for (int j = 0; j < LATENCY_SAMPLES_MAX; j++) {
        const struct latency_sample *s = &e->samples[(e->next + j) % LATENCY_SAMPLES_MAX];
        if (s->time_s == 0)
            continue;
        struct latency_graph_point *p = &points[count];
        p->value = s->latency_ms;
        if (count == 0 || p->value > max)
            max = p->value;
        if (count == 0 || p->value < min)
            min = p->value;
        int64_t ago = now - s->time_s;
        if (ago < 60)
            snprintf(p->label, sizeof(p->label), "%llds", (long long)ago);
        else if (ago < 3600)
            snprintf(p->label, sizeof(p->label), "%lldm", (long long)(ago / 60));
        else if (ago < 86400)
            snprintf(p->label, sizeof(p->label), "%lldh", (long long)(ago / 3600));
        else
            snprintf(p->label, sizeof(p->label), "%lldd", (long long)(ago / 86400));
        count++;
    }
    struct buf out = {0};
    server_buf_printf(&out, "%s - high %lld ms, low %lld ms (all time high %lld ms)\n", e->name,
                      (long long)max, (long long)min, (long long)e->max_ms);
    for (int j = 0; j < LATENCY_GRAPH_COLUMNS; j++)
        buf_append(&out, "-", 1);
    buf_append(&out, "\n", 1);
    for (int at = 0; at < count; at += LATENCY_GRAPH_COLUMNS) {
        if (at != 0)
            buf_append(&out, "\n", 1);
        int len = count - at < LATENCY_GRAPH_COLUMNS ? count - at : LATENCY_GRAPH_COLUMNS;
        latency_graph_chunk(&out, points + at, len, min, max);
    }
    reply_verbatim(c, out.data, out.len, "txt");
    buf_free(&out);
}

/* ---- DOCTOR ---- */

/* One event's spikes: how many, their mean and mean absolute deviation,
 * and the seconds between them on average since the oldest. */
static void latency_doctor_event(struct buf *out, int number, const struct latency_event *e)
{
    long long samples = 0, sum = 0, oldest = 0;
    for (int j = 0; j < LATENCY_SAMPLES_MAX; j++) {
        const struct latency_sample *s = &e->samples[j];
        if (s->time_s == 0)
            continue;
        samples++;
        sum += s->latency_ms;
        if (oldest == 0 || s->time_s < oldest)
            oldest = s->time_s;
    }
    long long avg = samples ? sum / samples : 0, deviation = 0;
    for (int j = 0; j < LATENCY_SAMPLES_MAX; j++)
        if (e->samples[j].time_s != 0)
            deviation += llabs(avg - e->samples[j].latency_ms);
    long long period = samples ? (long long)time(NULL) - oldest : 0;
    server_buf_printf(out,
                      "%d. %s: %lld latency spikes (average %lldms, mean deviation %lldms, period "
                      "%.2f sec). Worst all time event %lldms.\n",
                      number, e->name, samples, avg, samples ? deviation / samples : 0,
                      samples ? (double)(period ? period : 1) / (double)samples : 0.0,
                      (long long)e->max_ms);
}

static void latency_doctor_command(struct client *c)
{
    struct server *s = server_of(c);
    const struct latency_monitor *m = &s->latency;
    struct buf out = {0};
    if (m->count == 0 && s->config.latency_monitor_threshold == 0) {
        server_buf_printf(&out, "The latency monitor is disabled: no latency event was ever "
                                "recorded. Enable it with 'CONFIG SET latency-monitor-threshold "
                                "<milliseconds>'.\n");
    } else if (m->count == 0) {
        server_buf_printf(&out, "No latency spike has been recorded since the server started "
                                "(or since the last LATENCY RESET).\n");
    } else {
        bool commands = false, fast = false, fork_seen = false, expire = false;
        server_buf_printf(&out, "Latency spikes were recorded for these events:\n\n");
        for (int i = 0; i < m->count; i++) {
            const char *name = m->events[i].name;
            latency_doctor_event(&out, i + 1, &m->events[i]);
            commands = commands || strcasecmp(name, "command") == 0;
            fast = fast || strcasecmp(name, "fast-command") == 0;
            fork_seen = fork_seen || strcasecmp(name, "fork") == 0;
            expire = expire || strcasecmp(name, "expire-cycle") == 0;
        }
        server_buf_printf(&out, "\nWhat may help:\n\n");
        if (commands)
            server_buf_printf(&out, "- Slow commands: SLOWLOG GET lists them. Deleting or "
                                    "expiring very large keys blocks the server; split them.\n");
        if (fast)
            server_buf_printf(&out, "- Even O(1) commands were slow: the machine did not give "
                                    "the server CPU time. Look for other load on the host.\n");
        if (fork_seen)
            server_buf_printf(&out, "- fork() was slow: the larger the dataset, the longer it "
                                    "takes; some virtual machines fork slowly.\n");
        if (expire)
            server_buf_printf(&out, "- The active expire cycle was slow: a higher 'hz' makes it "
                                    "work in smaller steps.\n");
        if (!commands && !fast && !fork_seen && !expire)
            server_buf_printf(&out, "- No specific advice for these events.\n");
    }
    reply_verbatim(c, out.data, out.len, "txt");
    buf_free(&out);
}

/* ---- HISTOGRAM ---- */

static void latency_histogram_row(int64_t usec, uint64_t cumulative, void *ctx)
{
    struct client *c = ctx;
    reply_integer(c, usec);
    reply_integer(c, (long long)cumulative);
}

/* name => {calls, histogram_usec => {usec => cumulative count, ...}} */
static void latency_histogram_reply_one(struct client *c, const struct command *cmd)
{
    reply_bulk_cstr(c, cmd->fullname);
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "calls");
    reply_integer(c, (long long)cmd->latency_histogram->total);
    reply_bulk_cstr(c, "histogram_usec");
    size_t handle = reply_defer_len(c);
    int rows = latency_histogram_rows(cmd->latency_histogram, latency_histogram_row, c);
    reply_set_defer_len(c, handle, rows, '%');
}

/* cmd if it has data, then its subcommands that have. Returns how many. */
static long long latency_histogram_reply_tree(struct client *c, const struct command *cmd)
{
    long long count = 0;
    if (cmd->latency_histogram != NULL) {
        latency_histogram_reply_one(c, cmd);
        count++;
    }
    for (const struct command *sub = cmd->subcommands; sub && sub->name; sub++) {
        if (sub->latency_histogram != NULL) {
            latency_histogram_reply_one(c, sub);
            count++;
        }
    }
    return count;
}

/* LATENCY HISTOGRAM [command ...]: every command with data, or those named
 * ("config" also gives its subcommands; "config|get" one; unknown names
 * are skipped; a name given twice is answered twice, as in Redis). */
static void latency_histogram_command(struct client *c)
{
    struct server *s = server_of(c);
    size_t handle = reply_defer_len(c);
    long long count = 0;
    if (c->argc == 2) {
        struct command_list top = {0};
        command_list_top(&s->commands, &top);
        for (size_t i = 0; i < top.count; i++)
            count += latency_histogram_reply_tree(c, top.items[i]);
        alloc_free(top.items);
    } else {
        for (int i = 2; i < c->argc; i++) {
            const struct command *cmd =
                command_lookup_fullname(&s->commands, c->argv[i].ptr, c->argv[i].len);
            if (cmd != NULL)
                count += latency_histogram_reply_tree(c, cmd);
        }
    }
    reply_set_defer_len(c, handle, count, '%');
}

static void latency_help_command(struct client *c)
{
    static const char *const lines[] = {
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the "
        "specified command names.",
        "    If no commands are specified then all histograms are replied.",
        NULL,
    };
    reply_help(c, "LATENCY", lines);
}

/* ---- INFO latencystats ---- */

/* "latency_percentiles_usec_<name>:p50=1.003,p99=2.007,p99.9=3.007" for
 * each command with a histogram, the percentiles from
 * latency-tracking-info-percentiles as CONFIG GET shows them. */
static void latency_info_one(struct buf *b, const struct command *cmd, const char *percentiles)
{
    server_buf_printf(b, "latency_percentiles_usec_%s:", cmd->fullname);
    const char *p = percentiles;
    bool first = true;
    while (*p) {
        size_t len = strcspn(p, " ");
        char text[32];
        snprintf(text, sizeof(text), "%.*s", (int)(len < sizeof(text) ? len : sizeof(text) - 1), p);
        double value = strtod(text, NULL);
        server_buf_printf(b, "%sp%s=%.3f", first ? "" : ",", text,
                          (double)latency_histogram_percentile(cmd->latency_histogram, value) / 1000.0);
        first = false;
        p += len;
        while (*p == ' ')
            p++;
    }
    server_buf_printf(b, "\r\n");
}

void latency_info(struct server *s, struct buf *b)
{
    /* Off, the section is empty, though LATENCY HISTOGRAM still shows what
     * was recorded (as in Redis). */
    if (!s->config.latency_tracking)
        return;
    struct command_list all = {0};
    command_list_all(&s->commands, &all);
    const char *percentiles = s->config.latency_percentiles ? s->config.latency_percentiles : "";
    for (size_t i = 0; i < all.count; i++)
        if (all.items[i]->latency_histogram != NULL)
            latency_info_one(b, all.items[i], percentiles);
    alloc_free(all.items);
}

/* ---- The table ---- */

#define LATENCY_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define LATENCY_ACL (ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS)
#define LATENCY_TIPS "nondeterministic_output request_policy:all_nodes response_policy:special"

/* In the order Redis 7.0 lists them (COMMAND INFO / DOCS). */
static struct command latency_subcommands[] = {
    {.name = "latest", .proc = latency_latest_command, .arity = 2, .flags = LATENCY_FLAGS,
     .acl = LATENCY_ACL, .tips = LATENCY_TIPS,
     .summary = "Return the latest latency samples for all events.", .since = "2.8.13",
     .group = "server", .complexity = "O(1)"},
    {.name = "history", .proc = latency_history_command, .arity = 3, .flags = LATENCY_FLAGS,
     .acl = LATENCY_ACL, .tips = LATENCY_TIPS,
     .summary = "Return timestamp-latency samples for the event.", .since = "2.8.13",
     .group = "server", .complexity = "O(1)", .arguments = "event^s"},
    {.name = "help", .proc = latency_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW, .summary = "Show helpful text about the different subcommands.",
     .since = "2.8.13", .group = "server", .complexity = "O(1)"},
    {.name = "doctor", .proc = latency_doctor_command, .arity = 2, .flags = LATENCY_FLAGS,
     .acl = LATENCY_ACL, .tips = LATENCY_TIPS,
     .summary = "Return a human readable latency analysis report.", .since = "2.8.13",
     .group = "server", .complexity = "O(1)"},
    {.name = "graph", .proc = latency_graph_command, .arity = 3, .flags = LATENCY_FLAGS,
     .acl = LATENCY_ACL, .tips = LATENCY_TIPS,
     .summary = "Return a latency graph for the event.", .since = "2.8.13", .group = "server",
     .complexity = "O(1)", .arguments = "event^s"},
    {.name = "reset", .proc = latency_reset_command, .arity = -2, .flags = LATENCY_FLAGS,
     .acl = LATENCY_ACL, .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Reset latency data for one or more events.", .since = "2.8.13",
     .group = "server", .complexity = "O(1)", .arguments = "event^s?*"},
    {.name = "histogram", .proc = latency_histogram_command, .arity = -2, .flags = LATENCY_FLAGS,
     .acl = LATENCY_ACL, .tips = LATENCY_TIPS,
     .summary = "Return the cumulative distribution of latencies of a subset of commands or all.",
     .since = "7.0.0", .group = "server",
     .complexity = "O(N) where N is the number of commands with latency information being "
                   "retrieved.",
     .arguments = "command^s?*"},
    {0},
};

struct command latency_commands[] = {
    {.name = "latency", .arity = -2, .acl = ACL_SLOW,
     .summary = "A container for latency diagnostics commands", .since = "2.8.13",
     .group = "server", .complexity = "Depends on subcommand.",
     .subcommands = latency_subcommands},
    {0},
};
