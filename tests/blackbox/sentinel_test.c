/* sentinel_test.c: Redis Sentinel (Debian's redis-sentinel 7.0) watching
 * one master with no replicas: it connects (a command link and a Pub/Sub
 * link, named by CLIENT SETNAME), sees the master up through PING and
 * INFO, publishes its hello messages on __sentinel__:hello, answers
 * SENTINEL get-master-addr-by-name, marks the master subjectively down
 * when it dies, and survives the connection kills of its reconfiguration
 * sequence (MULTI; SLAVEOF NO ONE; CONFIG REWRITE; CLIENT KILL TYPE
 * normal; CLIENT KILL TYPE pubsub; EXEC). The SLAVEOF step needs
 * replication: while the server under test has no SLAVEOF command the
 * sequence runs without it (with a note). ROLE is checked too (clients
 * that follow Sentinel ask it).
 *
 * Skips (77) when redis-sentinel is absent ($REDIS_SENTINEL, else
 * /usr/bin/redis-sentinel). Every expectation holds for redis-server
 * 7.0.15 (RINGKV_SERVER=/usr/bin/redis-server). */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* How long Sentinel may take to see a change (its PING runs every second,
 * INFO every 10 s, hello every 2 s). */
#define SENTINEL_WAIT_MS 15000
#define SENTINEL_DOWN_AFTER_MS 1000

static const char *sentinel_path(void)
{
    const char *p = getenv("REDIS_SENTINEL");
    return p && p[0] ? p : "/usr/bin/redis-sentinel";
}

static struct server_handle *master;
static pid_t sentinel_pid;
static int sentinel_port;
static char work_dir[256];
static struct conn *mc; /* to the master */
static struct conn *sc; /* to the sentinel */

static void dump_sentinel_log(void)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/sentinel.log", work_dir);
    char *log = harness_read_file(path, NULL);
    if (log)
        fprintf(stderr, "---- sentinel.log ----\n%s\n", log);
    free(log);
}

static void setup(void)
{
    harness_make_dir(work_dir, sizeof(work_dir));
    /* The master runs from a configuration file, so CONFIG REWRITE (part
     * of Sentinel's sequence) has one to rewrite. */
    char master_conf[300];
    snprintf(master_conf, sizeof(master_conf), "%s/master.conf", work_dir);
    FILE *f = fopen(master_conf, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "# written by sentinel_test\n");
    fclose(f);
    const char *args[] = {master_conf, NULL};
    master = server_start(args);
    mc = conn_open(master->port);

    sentinel_port = harness_free_port();
    char conf[300], log[300];
    snprintf(conf, sizeof(conf), "%s/sentinel.conf", work_dir);
    snprintf(log, sizeof(log), "%s/sentinel.log", work_dir);
    f = fopen(conf, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "port %d\nbind 127.0.0.1\ndaemonize no\ndir %s\n"
            "sentinel monitor mymaster 127.0.0.1 %d 1\n"
            "sentinel down-after-milliseconds mymaster %d\n"
            "sentinel failover-timeout mymaster 10000\n",
            sentinel_port, work_dir, master->port, SENTINEL_DOWN_AFTER_MS);
    fclose(f);
    const char *argv[] = {sentinel_path(), conf, NULL};
    sentinel_pid = harness_spawn(argv, log);
    sc = conn_open_retry(sentinel_port, 5000);
    if (sc == NULL)
        dump_sentinel_log();
    ck_assert_msg(sc != NULL, "redis-sentinel does not accept on %d", sentinel_port);
}

static void teardown(void)
{
    if (sc)
        conn_close(sc);
    if (mc)
        conn_close(mc);
    harness_spawn_stop(sentinel_pid);
    if (master)
        server_stop(master);
    sc = mc = NULL;
    master = NULL;
}

/* The value of field in the flat map SENTINEL MASTER replies (RESP2: an
 * array of bulk names and values), owned; NULL if absent. */
static char *field_of(const char *reply, const char *field)
{
    char key[128];
    snprintf(key, sizeof(key), "$%zu\r\n%s\r\n$", strlen(field), field);
    const char *p = strstr(reply, key);
    if (p == NULL)
        return NULL;
    p += strlen(key);
    long len = strtol(p, (char **)&p, 10);
    if (len < 0 || strncmp(p, "\r\n", 2) != 0)
        return NULL;
    return strndup(p + 2, (size_t)len);
}

/* Waits until Sentinel reports field of mymaster as value. */
static bool wait_master_field(const char *field, const char *value, int timeout_ms)
{
    int64_t deadline = harness_clock_ms() + timeout_ms;
    char *last = NULL;
    for (;;) {
        char *reply = conn_cmd(sc, "SENTINEL MASTER mymaster");
        free(last);
        last = field_of(reply, field);
        free(reply);
        if (last && strcmp(last, value) == 0) {
            free(last);
            return true;
        }
        if (harness_clock_ms() >= deadline)
            break;
        harness_sleep_ms(100);
    }
    fprintf(stderr, "sentinel: %s is %s, waited for %s\n", field, last ? last : "(none)", value);
    free(last);
    dump_sentinel_log();
    return false;
}

/* Waits until the master's CLIENT LIST shows both of Sentinel's links. */
static bool wait_sentinel_links(int timeout_ms)
{
    int64_t deadline = harness_clock_ms() + timeout_ms;
    do {
        char *list = conn_cmd(mc, "CLIENT LIST");
        bool cmd = false, pubsub = false;
        for (char *line = strstr(list, "name=sentinel-"); line;
             line = strstr(line + 1, "name=sentinel-")) {
            char *end = strchr(line, ' ');
            if (end && end - line > 4 && strncmp(end - 4, "-cmd", 4) == 0)
                cmd = true;
            if (end && end - line > 7 && strncmp(end - 7, "-pubsub", 7) == 0)
                pubsub = strstr(line, " flags=P ") != NULL || pubsub;
        }
        free(list);
        if (cmd && pubsub)
            return true;
        harness_sleep_ms(100);
    } while (harness_clock_ms() < deadline);
    return false;
}

START_TEST(test_sentinel_sees_master_up)
{
    ck_assert(wait_sentinel_links(SENTINEL_WAIT_MS));
    /* Up: its PINGs are answered and its INFO says master. */
    ck_assert(wait_master_field("flags", "master", SENTINEL_WAIT_MS));
    ck_assert(wait_master_field("role-reported", "master", SENTINEL_WAIT_MS));
    char *reply = conn_cmd(sc, "SENTINEL MASTER mymaster");
    char *runid = field_of(reply, "runid");
    ck_assert_ptr_nonnull(runid);
    /* The run id Sentinel read from INFO is the master's. */
    char *own = conn_info_field(mc, "run_id");
    ck_assert_str_eq(runid, own);
    free(own);
    free(runid);
    char *ping = field_of(reply, "last-ok-ping-reply");
    ck_assert_ptr_nonnull(ping);
    ck_assert_int_lt(atol(ping), 5000);
    free(ping);
    free(reply);
    ck_cmd(sc, "SENTINEL CKQUORUM mymaster",
           "+OK 1 usable Sentinels. Quorum and failover authorization can be reached\r\n");
}
END_TEST

START_TEST(test_get_master_addr_by_name)
{
    char expect[64];
    char port[16];
    int n = snprintf(port, sizeof(port), "%d", master->port);
    snprintf(expect, sizeof(expect), "*2\r\n$9\r\n127.0.0.1\r\n$%d\r\n%s\r\n", n, port);
    ck_cmd(sc, "SENTINEL GET-MASTER-ADDR-BY-NAME mymaster", expect);
    ck_cmd(sc, "SENTINEL GET-MASTER-ADDR-BY-NAME nosuch", "*-1\r\n");
    ck_cmd(mc, "ROLE", "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
}
END_TEST

START_TEST(test_hello_messages)
{
    /* Sentinel announces itself and the master on the master's channel
     * every 2 s: "ip,port,runid,epoch,name,master ip,master port,epoch". */
    struct conn *sub = conn_open(master->port);
    ck_cmd(sub, "SUBSCRIBE __sentinel__:hello",
           "*3\r\n$9\r\nsubscribe\r\n$18\r\n__sentinel__:hello\r\n:1\r\n");
    char *msg = conn_try_read_raw(sub, SENTINEL_WAIT_MS);
    if (msg == NULL)
        dump_sentinel_log();
    ck_assert_ptr_nonnull(msg);
    ck_assert_msg(strncmp(msg, "*3\r\n$7\r\nmessage\r\n$18\r\n__sentinel__:hello\r\n$", 43) == 0,
                  "%s", harness_escape(msg));
    char head[64], tail[64];
    snprintf(head, sizeof(head), "127.0.0.1,%d,", sentinel_port);
    snprintf(tail, sizeof(tail), ",mymaster,127.0.0.1,%d,0\r\n", master->port);
    const char *payload = strstr(msg + 43, "\r\n") + 2;
    ck_assert_msg(strncmp(payload, head, strlen(head)) == 0, "%s", harness_escape(msg));
    ck_assert_msg(strstr(payload, tail) != NULL, "%s", harness_escape(msg));
    free(msg);
    conn_close(sub);
}
END_TEST

/* Sentinel's reconfiguration of a server it promotes, from a client of
 * its own: the kills drop Sentinel's links, which it opens again. */
START_TEST(test_reconfiguration_sequence)
{
    ck_assert(wait_sentinel_links(SENTINEL_WAIT_MS));
    char *info = conn_cmd(mc, "COMMAND INFO slaveof");
    bool has_slaveof = strcmp(info, "*1\r\n$-1\r\n") != 0;
    free(info);
    if (!has_slaveof)
        fprintf(stderr, "note: the server has no SLAVEOF yet; the sequence runs without it\n");
    ck_cmd(mc, "MULTI", "+OK\r\n");
    if (has_slaveof)
        ck_cmd(mc, "SLAVEOF NO ONE", "+QUEUED\r\n");
    ck_cmd(mc, "CONFIG REWRITE", "+QUEUED\r\n");
    ck_cmd(mc, "CLIENT KILL TYPE normal", "+QUEUED\r\n");
    ck_cmd(mc, "CLIENT KILL TYPE pubsub", "+QUEUED\r\n");
    char *reply = conn_cmd(mc, "EXEC");
    const char *expect = has_slaveof ? "*4\r\n+OK\r\n+OK\r\n:" : "*3\r\n+OK\r\n:";
    ck_assert_msg(strncmp(reply, expect, strlen(expect)) == 0, "EXEC: %s", harness_escape(reply));
    free(reply);
    /* The caller survives its own kills (SKIPME yes). */
    ck_cmd(mc, "PING", "+PONG\r\n");
    ck_assert(wait_sentinel_links(SENTINEL_WAIT_MS));
    ck_assert(wait_master_field("flags", "master", SENTINEL_WAIT_MS));
}
END_TEST

START_TEST(test_master_down)
{
    ck_assert(wait_master_field("flags", "master", SENTINEL_WAIT_MS));
    conn_close(mc);
    mc = NULL;
    server_stop(master);
    master = NULL;
    /* No replica to promote: the failover aborts, the master stays down. */
    ck_assert(wait_master_field("flags", "s_down,o_down,master,disconnected", SENTINEL_WAIT_MS));
}
END_TEST

int main(void)
{
    if (access(sentinel_path(), X_OK) != 0) {
        fprintf(stderr, "sentinel: %s not found (Debian package redis-sentinel); skipped\n",
                sentinel_path());
        return 77;
    }
    Suite *s = suite_create("sentinel");
    TCase *tc = tcase_create("sentinel");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, test_sentinel_sees_master_up);
    tcase_add_test(tc, test_get_master_addr_by_name);
    tcase_add_test(tc, test_hello_messages);
    tcase_add_test(tc, test_reconfiguration_sequence);
    tcase_add_test(tc, test_master_down);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
