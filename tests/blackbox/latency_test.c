/* latency_test.c: black-box tests of LATENCY (the latency monitor: LATEST,
 * HISTORY, GRAPH, RESET, DOCTOR, HELP; the per-command histograms:
 * HISTOGRAM) and of INFO latencystats.
 *
 * Every expectation was checked against Redis 7.0.15 by running this file
 * with RINGKV_SERVER=/usr/bin/redis-server. Latencies and times depend on
 * the machine, so those are checked for shape and bounds: DEBUG SLEEP
 * makes a "command" event of a known least duration. The DOCTOR report's
 * prose is ringkv's own; only its presence is checked. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/wire/resp.h"

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *client;          /* owned by the fixture */

static void setup(void)
{
    static const char *const args[] = {"--enable-debug-command", "yes", NULL};
    server = server_start(args);
    client = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(client);
    server_stop(server);
}

/* The reply to line as a tree; owned by the caller (resp_value_free). */
static struct resp_value *cmd_tree(struct conn *c, const char *line)
{
    char *raw = conn_cmd(c, line);
    struct resp_value *v = NULL;
    size_t used = 0;
    ck_assert_int_eq(resp_read_reply(raw, strlen(raw), &v, &used), RESP_SCAN_OK);
    ck_assert_uint_eq(used, strlen(raw));
    free(raw);
    return v;
}

START_TEST(test_help_and_errors)
{
    ck_cmd(client, "LATENCY HELP",
           "*17\r\n"
           "+LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
           "+DOCTOR\r\n"
           "+    Return a human readable latency analysis report.\r\n"
           "+GRAPH <event>\r\n"
           "+    Return an ASCII latency graph for the <event> class.\r\n"
           "+HISTORY <event>\r\n"
           "+    Return time-latency samples for the <event> class.\r\n"
           "+LATEST\r\n"
           "+    Return the latest latency samples for all events.\r\n"
           "+RESET [<event> ...]\r\n"
           "+    Reset latency data of one or more <event> classes.\r\n"
           "+    (default: reset all data for all event classes)\r\n"
           "+HISTOGRAM [COMMAND ...]\r\n"
           "+    Return a cumulative distribution of latencies in the format of a histogram for "
           "the specified command names.\r\n"
           "+    If no commands are specified then all histograms are replied.\r\n"
           "+HELP\r\n"
           "+    Prints this help.\r\n");
    ck_cmd(client, "LATENCY HISTORY",
           "-ERR wrong number of arguments for 'latency|history' command\r\n");
    ck_cmd(client, "LATENCY GRAPH a b",
           "-ERR wrong number of arguments for 'latency|graph' command\r\n");
    ck_cmd(client, "LATENCY LATEST x",
           "-ERR wrong number of arguments for 'latency|latest' command\r\n");
    ck_cmd(client, "LATENCY FOO", "-ERR unknown subcommand 'FOO'. Try LATENCY HELP.\r\n");
    ck_cmd(client, "LATENCY", "-ERR wrong number of arguments for 'latency' command\r\n");
    ck_cmd(client, "LATENCY GRAPH nosuch", "-ERR No samples available for event 'nosuch'\r\n");
    ck_cmd(client, "LATENCY HISTORY nosuch", "*0\r\n");
}
END_TEST

START_TEST(test_monitor_off_by_default)
{
    ck_cmd(client, "CONFIG GET latency-monitor-threshold",
           "*2\r\n$25\r\nlatency-monitor-threshold\r\n$1\r\n0\r\n");
    ck_cmd(client, "DEBUG SLEEP 0.05", "+OK\r\n");
    ck_cmd(client, "LATENCY LATEST", "*0\r\n");
    ck_cmd(client, "LATENCY RESET", ":0\r\n");
    char *doctor = conn_cmd(client, "LATENCY DOCTOR");
    ck_assert_msg(doctor[0] == '$' && strlen(doctor) > 20, "doctor: %s", harness_escape(doctor));
    free(doctor);
}
END_TEST

START_TEST(test_monitor_records_command_spikes)
{
    ck_cmd(client, "CONFIG SET latency-monitor-threshold 20", "+OK\r\n");
    /* Below the threshold: not recorded. */
    ck_cmd(client, "PING", "+PONG\r\n");
    ck_cmd(client, "LATENCY LATEST", "*0\r\n");
    long long before = (long long)time(NULL);
    ck_cmd(client, "DEBUG SLEEP 0.06", "+OK\r\n");
    long long after = (long long)time(NULL);

    struct resp_value *v = cmd_tree(client, "LATENCY LATEST");
    ck_assert_int_eq(v->type, RESP_ARRAY);
    ck_assert_uint_eq(v->count, 1);
    struct resp_value *e = v->elements[0];
    ck_assert_uint_eq(e->count, 4);
    ck_assert_str_eq(e->elements[0]->str, "command");
    ck_assert_int_ge(e->elements[1]->integer, before);
    ck_assert_int_le(e->elements[1]->integer, after);
    long long ms = e->elements[2]->integer;
    ck_assert_int_ge(ms, 60);
    ck_assert_int_lt(ms, 5000);
    ck_assert_int_eq(e->elements[3]->integer, ms); /* the all-time high */
    resp_value_free(v);

    v = cmd_tree(client, "LATENCY HISTORY command");
    ck_assert_uint_eq(v->count, 1);
    ck_assert_uint_eq(v->elements[0]->count, 2);
    ck_assert_int_ge(v->elements[0]->elements[0]->integer, before);
    ck_assert_int_eq(v->elements[0]->elements[1]->integer, ms);
    resp_value_free(v);

    /* The graph: a title with the high, the low and the all-time high,
     * 80 dashes, four rows of bars, a blank row, the age written down. */
    char *graph = conn_cmd(client, "LATENCY GRAPH command");
    char title[128];
    snprintf(title, sizeof(title), "command - high %lld ms, low %lld ms (all time high %lld ms)\n",
             ms, ms, ms);
    char *body = strchr(graph, '\n');
    ck_assert_ptr_nonnull(body);
    ck_assert_msg(strncmp(body + 1, title, strlen(title)) == 0, "graph: %s", harness_escape(graph));
    const char *bars = body + 1 + strlen(title);
    ck_assert_int_eq(strspn(bars, "-"), 80);
    static const char rows[] = "\n \n \n \n_\n \n";
    ck_assert_msg(strncmp(bars + 80, rows, strlen(rows)) == 0, "graph: %s", harness_escape(graph));
    ck_assert_msg(strstr(bars + 80 + strlen(rows), "s\n\r\n") != NULL, "graph: %s",
                  harness_escape(graph));
    free(graph);

    char *doctor = conn_cmd(client, "LATENCY DOCTOR");
    ck_assert_msg(strstr(doctor, "command") != NULL, "doctor: %s", harness_escape(doctor));
    free(doctor);

    /* Names are exact for HISTORY and GRAPH, case-blind for RESET. */
    ck_cmd(client, "LATENCY HISTORY COMMAND", "*0\r\n");
    ck_cmd(client, "LATENCY RESET nosuch", ":0\r\n");
    ck_cmd(client, "LATENCY RESET nosuch COMMAND", ":1\r\n");
    ck_cmd(client, "LATENCY LATEST", "*0\r\n");
    ck_cmd(client, "LATENCY HISTORY command", "*0\r\n");

    ck_cmd(client, "DEBUG SLEEP 0.03", "+OK\r\n");
    ck_cmd(client, "LATENCY RESET", ":1\r\n");
    ck_cmd(client, "LATENCY LATEST", "*0\r\n");
}
END_TEST

/* One second holds one sample, the worst; the all-time high outlives it
 * only until RESET. */
START_TEST(test_one_sample_per_second)
{
    ck_cmd(client, "CONFIG SET latency-monitor-threshold 10", "+OK\r\n");
    /* Start just after a second begins so both sleeps share it. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_nsec > 500000000L) {
        struct timespec wait = {0, 1000000000L - now.tv_nsec + 1000000L};
        nanosleep(&wait, NULL);
    }
    ck_cmd(client, "DEBUG SLEEP 0.05", "+OK\r\n");
    ck_cmd(client, "DEBUG SLEEP 0.02", "+OK\r\n");
    struct resp_value *v = cmd_tree(client, "LATENCY HISTORY command");
    ck_assert_uint_eq(v->count, 1);
    ck_assert_int_ge(v->elements[0]->elements[1]->integer, 50);
    resp_value_free(v);
}
END_TEST

/* A histogram reply for one command: {calls, histogram_usec: {usec: count}}
 * with powers-of-two buckets as HdrHistogram reports them from 1024 ns,
 * cumulative counts that grow and end at calls. */
static void ck_histogram(const struct resp_value *h, long long calls)
{
    ck_assert_uint_eq(h->count, 4);
    ck_assert_str_eq(h->elements[0]->str, "calls");
    ck_assert_int_eq(h->elements[1]->integer, calls);
    ck_assert_str_eq(h->elements[2]->str, "histogram_usec");
    const struct resp_value *rows = h->elements[3];
    ck_assert_uint_ge(rows->count, 2);
    ck_assert_uint_eq(rows->count % 2, 0);
    /* 1024 * 2^k ns, plus the bucket's width, in whole microseconds. */
    static const long long tops[] = {1,    2,    4,     8,     16,    33,    66,
                                     132,  264,  528,   1056,  2113,  4227,  8454,
                                     16909, 33818, 67637, 135274, 270549, 541098};
    long long last = 0, prev_usec = 0;
    for (size_t i = 0; i < rows->count; i += 2) {
        long long usec = rows->elements[i]->integer, count = rows->elements[i + 1]->integer;
        bool known = false;
        for (size_t k = 0; k < sizeof(tops) / sizeof(tops[0]); k++)
            known = known || tops[k] == usec;
        ck_assert_msg(known, "unexpected bucket %lld", usec);
        ck_assert_int_gt(usec, prev_usec);
        ck_assert_int_gt(count, last);
        prev_usec = usec;
        last = count;
    }
    ck_assert_int_eq(last, calls);
}

START_TEST(test_histogram)
{
    ck_cmd(client, "CONFIG GET latency-tracking", "*2\r\n$16\r\nlatency-tracking\r\n$3\r\nyes\r\n");
    ck_cmd(client, "CONFIG RESETSTAT", "+OK\r\n");
    ck_cmd(client, "LATENCY HISTOGRAM set", "*0\r\n");
    for (int i = 0; i < 3; i++)
        ck_cmd(client, "SET a b", "+OK\r\n");
    ck_cmd(client, "DEBUG SLEEP 0.002", "+OK\r\n");

    struct resp_value *v = cmd_tree(client, "LATENCY HISTOGRAM set nosuch");
    ck_assert_uint_eq(v->count, 2);
    ck_assert_str_eq(v->elements[0]->str, "set");
    ck_histogram(v->elements[1], 3);
    resp_value_free(v);

    /* A name given twice is answered twice; a container gives its
     * subcommands that ran. */
    v = cmd_tree(client, "LATENCY HISTOGRAM set SET config");
    ck_assert_uint_eq(v->count, 6);
    ck_assert_str_eq(v->elements[0]->str, "set");
    ck_assert_str_eq(v->elements[2]->str, "set");
    ck_assert_str_eq(v->elements[4]->str, "config|resetstat");
    ck_histogram(v->elements[5], 1);
    resp_value_free(v);

    /* DEBUG slept at least 2 ms: its one call is in a bucket past 2 ms. */
    v = cmd_tree(client, "LATENCY HISTOGRAM debug");
    ck_assert_uint_eq(v->count, 2);
    ck_histogram(v->elements[1], 1);
    const struct resp_value *rows = v->elements[1]->elements[3];
    ck_assert_uint_eq(rows->count, 2);
    ck_assert_int_ge(rows->elements[0]->integer, 2000);
    resp_value_free(v);

    /* Everything: at least set, debug, config|resetstat and the HISTOGRAM
     * calls themselves, as pairs. */
    v = cmd_tree(client, "LATENCY HISTOGRAM");
    ck_assert_uint_ge(v->count, 8);
    ck_assert_uint_eq(v->count % 2, 0);
    resp_value_free(v);

    /* RESP3: a map of maps. */
    ck_cmd_prefix(client, "HELLO 3", "%");
    /* RESETSTAT clears the histograms, then records its own call. */
    ck_cmd(client, "CONFIG RESETSTAT", "+OK\r\n");
    ck_cmd_prefix(client, "LATENCY HISTOGRAM config",
                  "%1\r\n$16\r\nconfig|resetstat\r\n%2\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n%1\r\n:");
    ck_cmd_prefix(client, "HELLO 2", "*");

    /* Tracking off: no new calls counted. */
    ck_cmd(client, "CONFIG RESETSTAT", "+OK\r\n");
    ck_cmd(client, "CONFIG SET latency-tracking no", "+OK\r\n");
    ck_cmd(client, "SET a b", "+OK\r\n");
    ck_cmd(client, "LATENCY HISTOGRAM set", "*0\r\n");
}
END_TEST

/* A blocked command enters its histogram when it is served, not when it
 * times out. */
START_TEST(test_histogram_blocked)
{
    ck_cmd(client, "CONFIG RESETSTAT", "+OK\r\n");
    ck_cmd(client, "BLPOP nolist 0.05", "*-1\r\n");
    ck_cmd(client, "LATENCY HISTOGRAM blpop", "*0\r\n");
    conn_send(client, "BLPOP q 5");
    struct conn *other = conn_open(server->port);
    ck_cmd(other, "RPUSH q x", ":1\r\n");
    conn_close(other);
    char *reply = conn_read_raw(client);
    ck_assert_str_eq(reply, "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
    free(reply);
    struct resp_value *v = cmd_tree(client, "LATENCY HISTOGRAM blpop");
    ck_assert_uint_eq(v->count, 2);
    ck_histogram(v->elements[1], 1);
    resp_value_free(v);
}
END_TEST

/* "latency_percentiles_usec_<cmd>:p50=x,p99=y,p99.9=z" with x <= y <= z. */
static void ck_percentile_line(const char *info, const char *cmd, const char *const *names,
                               int count)
{
    char prefix[128];
    snprintf(prefix, sizeof(prefix), "\r\nlatency_percentiles_usec_%s:", cmd);
    const char *at = strstr(info, prefix);
    ck_assert_msg(at != NULL, "%s not in %s", prefix, harness_escape(info));
    at += strlen(prefix);
    double prev = 0;
    for (int i = 0; i < count; i++) {
        char name[32];
        snprintf(name, sizeof(name), "%sp%s=", i ? "," : "", names[i]);
        ck_assert_msg(strncmp(at, name, strlen(name)) == 0, "expected %s at %s", name,
                      harness_escape(at));
        at += strlen(name);
        char *end;
        double value = strtod(at, &end);
        ck_assert_msg(end - at >= 5 && end[-4] == '.', "three decimals: %s", harness_escape(at));
        ck_assert_double_ge(value, prev);
        ck_assert_double_gt(value, 0);
        prev = value;
        at = end;
    }
    ck_assert_msg(strncmp(at, "\r\n", 2) == 0, "line end: %s", harness_escape(at));
}

START_TEST(test_info_latencystats)
{
    ck_cmd(client, "CONFIG RESETSTAT", "+OK\r\n");
    for (int i = 0; i < 5; i++)
        ck_cmd(client, "SET a b", "+OK\r\n");
    ck_cmd(client, "CONFIG GET hz", "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
    char *info = conn_cmd(client, "INFO latencystats");
    ck_assert_msg(strstr(info, "# Latencystats\r\n") != NULL, "%s", harness_escape(info));
    static const char *const defaults[] = {"50", "99", "99.9"};
    ck_percentile_line(info, "set", defaults, 3);
    ck_percentile_line(info, "config|get", defaults, 3);
    ck_assert_ptr_null(strstr(info, "latency_percentiles_usec_get:"));
    free(info);

    const char *set[] = {"CONFIG", "SET", "latency-tracking-info-percentiles", "0 99.9999 100"};
    char *reply = conn_cmd_argv(client, 4, set, NULL);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    info = conn_cmd(client, "INFO latencystats");
    static const char *const custom[] = {"0", "99.9999", "100"};
    ck_percentile_line(info, "set", custom, 3);
    free(info);

    /* Tracking off: the section is empty, the histograms stay. */
    ck_cmd(client, "CONFIG SET latency-tracking no", "+OK\r\n");
    ck_cmd(client, "INFO latencystats", "$16\r\n# Latencystats\r\n\r\n");
    ck_cmd_prefix(client, "LATENCY HISTOGRAM set", "*2\r\n$3\r\nset\r\n");
    ck_cmd(client, "CONFIG SET latency-tracking yes", "+OK\r\n");

    /* Not in the default INFO; in INFO everything. */
    info = conn_cmd(client, "INFO");
    ck_assert_ptr_null(strstr(info, "# Latencystats"));
    free(info);
    info = conn_cmd(client, "INFO everything");
    ck_assert_ptr_nonnull(strstr(info, "# Latencystats\r\nlatency_percentiles_usec_"));
    free(info);
}
END_TEST

/* COMMAND INFO and COMMAND DOCS of every LATENCY subcommand, byte for byte
 * as redis-server 7.0.15 answers them. (The container's own reply lists
 * its subcommands in Redis's hash-table order, which changes from run to
 * run, so each subcommand is asked for by name.) */
static const struct {
    const char *name;
    const char *info;
    const char *docs;
} latency_command_replies[] = {
    {"latency|latest",
        "*1\r\n*10\r\n$14\r\nlatency|latest\r\n:2\r\n*4\r\n+admin\r\n+noscript\r\n"
        "+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n"
        "*3\r\n$23\r\nnondeterministic_output\r\n$24\r\nrequest_policy:all_nodes\r\n"
        "$23\r\nresponse_policy:special\r\n*0\r\n*0\r\n",
        "*2\r\n$14\r\nlatency|latest\r\n*8\r\n$7\r\nsummary\r\n$49\r\nReturn the latest latency samples for all events.\r\n"
        "$5\r\nsince\r\n$6\r\n2.8.13\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n"
        "$4\r\nO(1)\r\n"},
    {"latency|history",
        "*1\r\n*10\r\n$15\r\nlatency|history\r\n:3\r\n*4\r\n+admin\r\n+noscript\r\n"
        "+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n"
        "*3\r\n$23\r\nnondeterministic_output\r\n$24\r\nrequest_policy:all_nodes\r\n"
        "$23\r\nresponse_policy:special\r\n*0\r\n*0\r\n",
        "*2\r\n$15\r\nlatency|history\r\n*10\r\n$7\r\nsummary\r\n$47\r\nReturn timestamp-latency samples for the event.\r\n"
        "$5\r\nsince\r\n$6\r\n2.8.13\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n"
        "$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*4\r\n$4\r\nname\r\n$5\r\nevent\r\n"
        "$4\r\ntype\r\n$6\r\nstring\r\n"},
    {"latency|help",
        "*1\r\n*10\r\n$12\r\nlatency|help\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n"
        ":0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n",
        "*2\r\n$12\r\nlatency|help\r\n*8\r\n$7\r\nsummary\r\n$50\r\nShow helpful text about the different subcommands.\r\n"
        "$5\r\nsince\r\n$6\r\n2.8.13\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n"
        "$4\r\nO(1)\r\n"},
    {"latency|doctor",
        "*1\r\n*10\r\n$14\r\nlatency|doctor\r\n:2\r\n*4\r\n+admin\r\n+noscript\r\n"
        "+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n"
        "*3\r\n$23\r\nnondeterministic_output\r\n$24\r\nrequest_policy:all_nodes\r\n"
        "$23\r\nresponse_policy:special\r\n*0\r\n*0\r\n",
        "*2\r\n$14\r\nlatency|doctor\r\n*8\r\n$7\r\nsummary\r\n$48\r\nReturn a human readable latency analysis report.\r\n"
        "$5\r\nsince\r\n$6\r\n2.8.13\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n"
        "$4\r\nO(1)\r\n"},
    {"latency|graph",
        "*1\r\n*10\r\n$13\r\nlatency|graph\r\n:3\r\n*4\r\n+admin\r\n+noscript\r\n"
        "+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n"
        "*3\r\n$23\r\nnondeterministic_output\r\n$24\r\nrequest_policy:all_nodes\r\n"
        "$23\r\nresponse_policy:special\r\n*0\r\n*0\r\n",
        "*2\r\n$13\r\nlatency|graph\r\n*10\r\n$7\r\nsummary\r\n$37\r\nReturn a latency graph for the event.\r\n"
        "$5\r\nsince\r\n$6\r\n2.8.13\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n"
        "$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*4\r\n$4\r\nname\r\n$5\r\nevent\r\n"
        "$4\r\ntype\r\n$6\r\nstring\r\n"},
    {"latency|reset",
        "*1\r\n*10\r\n$13\r\nlatency|reset\r\n:-2\r\n*4\r\n+admin\r\n+noscript\r\n"
        "+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n"
        "*2\r\n$24\r\nrequest_policy:all_nodes\r\n$29\r\nresponse_policy:all_succeeded\r\n"
        "*0\r\n*0\r\n",
        "*2\r\n$13\r\nlatency|reset\r\n*10\r\n$7\r\nsummary\r\n$42\r\nReset latency data for one or more events.\r\n"
        "$5\r\nsince\r\n$6\r\n2.8.13\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n"
        "$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$5\r\nevent\r\n"
        "$4\r\ntype\r\n$6\r\nstring\r\n$5\r\nflags\r\n*2\r\n+optional\r\n+multiple\r\n"},
    {"latency|histogram",
        "*1\r\n*10\r\n$17\r\nlatency|histogram\r\n:-2\r\n*4\r\n+admin\r\n+noscript\r\n"
        "+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n"
        "*3\r\n$23\r\nnondeterministic_output\r\n$24\r\nrequest_policy:all_nodes\r\n"
        "$23\r\nresponse_policy:special\r\n*0\r\n*0\r\n",
        "*2\r\n$17\r\nlatency|histogram\r\n*10\r\n$7\r\nsummary\r\n$79\r\nReturn the cumulative distribution of latencies of a subset of commands or all.\r\n"
        "$5\r\nsince\r\n$5\r\n7.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n"
        "$80\r\nO(N) where N is the number of commands with latency information being retrieved.\r\n"
        "$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$7\r\ncommand\r\n$4\r\ntype\r\n"
        "$6\r\nstring\r\n$5\r\nflags\r\n*2\r\n+optional\r\n+multiple\r\n"},
};

START_TEST(test_command_info_and_docs)
{
    size_t count = sizeof(latency_command_replies) / sizeof(latency_command_replies[0]);
    for (size_t i = 0; i < count; i++) {
        char line[128];
        snprintf(line, sizeof(line), "COMMAND INFO %s", latency_command_replies[i].name);
        ck_cmd(client, line, latency_command_replies[i].info);
        snprintf(line, sizeof(line), "COMMAND DOCS %s", latency_command_replies[i].name);
        ck_cmd(client, line, latency_command_replies[i].docs);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("latency");
    TCase *tc = tcase_create("latency");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_help_and_errors);
    tcase_add_test(tc, test_monitor_off_by_default);
    tcase_add_test(tc, test_monitor_records_command_spikes);
    tcase_add_test(tc, test_one_sample_per_second);
    tcase_add_test(tc, test_histogram);
    tcase_add_test(tc, test_histogram_blocked);
    tcase_add_test(tc, test_info_latencystats);
    tcase_add_test(tc, test_command_info_and_docs);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
