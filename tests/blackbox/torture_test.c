/* torture_test.c: kill -9 under write load, restart, and check that every
 * acknowledged write survived: a short run of what bench/torture.sh does
 * for many cycles.
 *
 * The writes come from the ringkv-load program (bench/ringkv-load.c) in its
 * durability mode: a few connections SET <prefix>:<conn>:<seq> <seq> with a
 * small pipeline and log every acknowledged seq to an ack log. The test
 * SIGKILLs the server's whole process group at a random moment, restarts it
 * on the same directory, and runs ringkv-load --verify, which reads every
 * acknowledged key back. Under appendfsync always, Redis sends no reply
 * before the fsync of the write it acknowledges, so nothing may be lost.
 * One cycle also starts a BGREWRITEAOF just before the kill, so the kill
 * lands mid-rewrite. At the end all cycles are checked again against the
 * last restart.
 *
 * ringkv-load is found through $RINGKV_LOAD, else next to this test's own
 * binary (CMake puts every program of the build in the same directory).
 * Checked against redis-server 7.0.15 with RINGKV_SERVER=/usr/bin/redis-server. */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <check.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Kill-and-restart cycles, and the window in which each kill lands after
 * the load starts: long enough for tens of thousands of acked writes, short
 * enough that the whole test stays well under 20 s. */
#define TORTURE_CYCLES 3
#define TORTURE_KILL_MIN_MS 300
#define TORTURE_KILL_SPAN_MS 500
/* The cycle whose kill lands just after a BGREWRITEAOF starts. */
#define TORTURE_REWRITE_CYCLE 2
#define TORTURE_REWRITE_LEAD_MS 20
/* How long the load generator gets to notice the closed connections and
 * write its last acks before it is told to stop. */
#define TORTURE_LOAD_EXIT_MS 5000

/* Writes the path of ringkv-load into out. */
static void load_path(char *out, size_t out_len)
{
    const char *env = getenv("RINGKV_LOAD");
    if (env != NULL && env[0] != '\0') {
        snprintf(out, out_len, "%s", env);
    } else {
        char self[PATH_MAX / 2]; /* half, so the file name always fits in out */
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        ck_assert_msg(n > 0, "readlink /proc/self/exe failed");
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        ck_assert_ptr_nonnull(slash);
        *slash = '\0';
        snprintf(out, out_len, "%s/ringkv-load", self);
    }
    ck_assert_msg(access(out, X_OK) == 0,
                  "%s is not executable (build the ringkv-load target or set RINGKV_LOAD)", out);
}

/* Starts ringkv-load --ack-log in the background. It dies with the test. */
static pid_t load_spawn(const char *load, int port, const char *ack, const char *prefix)
{
    char port_text[16];
    snprintf(port_text, sizeof(port_text), "%d", port);
    pid_t parent = getpid();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        /* Its summary line would only clutter the test's output. */
        if (freopen("/dev/null", "w", stdout) == NULL)
            _exit(127);
        execl(load, "ringkv-load", "--port", port_text, "--ack-log", ack, "--prefix", prefix,
              "--clients", "4", "--pipeline", "8", "--duration", "30", (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Waits for the load generator, which exits by itself once the server's
 * connections close; SIGTERM (it still writes its final acks) if it lingers. */
static void load_wait(pid_t pid)
{
    int status = 0;
    for (int waited_ms = 0; waitpid(pid, &status, WNOHANG) == 0; waited_ms += 10) {
        if (waited_ms == TORTURE_LOAD_EXIT_MS)
            kill(pid, SIGTERM);
        ck_assert_msg(waited_ms < 2 * TORTURE_LOAD_EXIT_MS, "ringkv-load did not exit");
        harness_sleep_ms(10);
    }
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "ringkv-load --ack-log failed (status %d)", status);
}

/* Runs --verify on one ack log; asserts nothing acknowledged was lost and
 * returns how many writes it checked. */
static long long verify(const char *load, int port, const char *ack)
{
    int status;
    char *out = harness_output(&status, "'%s' --port %d --verify '%s'", load, port, ack);
    long long checked = -1, lost = -1;
    const char *line = strstr(out, "checked=");
    ck_assert_msg(line != NULL, "verify printed no result: %s", out);
    ck_assert_int_eq(sscanf(line, "checked=%lld lost=%lld", &checked, &lost), 2);
    ck_assert_msg(status == 0 && lost == 0, "acknowledged writes lost (status %d): %s", status, out);
    free(out);
    return checked;
}

/* Sends BGREWRITEAOF and checks that it started (or was scheduled). */
static void rewrite_start(int port)
{
    struct conn *c = conn_open(port);
    char *reply = conn_cmd(c, "BGREWRITEAOF");
    ck_assert_msg(strncmp(reply, "+Background append only file rewriting", 38) == 0,
                  "BGREWRITEAOF: %s", harness_escape(reply));
    free(reply);
    conn_close(c);
}

START_TEST(torture_always_loses_nothing)
{
    char load[PATH_MAX];
    load_path(load, sizeof(load));
    char dir[256], logs[256];
    harness_make_dir(dir, sizeof(dir));
    harness_make_dir(logs, sizeof(logs));
    const char *args[] = {"--appendonly", "yes", "--appendfsync", "always", NULL};
    struct server_handle *h = server_start_in(server_binary(), dir, args);
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    char ack[TORTURE_CYCLES + 1][320];
    for (int cycle = 1; cycle <= TORTURE_CYCLES; cycle++) {
        char prefix[16];
        snprintf(prefix, sizeof(prefix), "c%d", cycle);
        snprintf(ack[cycle], sizeof(ack[cycle]), "%s/ack.%d", logs, cycle);
        pid_t pid = load_spawn(load, h->port, ack[cycle], prefix);
        int kill_after_ms = TORTURE_KILL_MIN_MS + rand() % TORTURE_KILL_SPAN_MS;
        if (cycle == TORTURE_REWRITE_CYCLE) {
            harness_sleep_ms(kill_after_ms - TORTURE_REWRITE_LEAD_MS);
            rewrite_start(h->port);
            harness_sleep_ms(TORTURE_REWRITE_LEAD_MS);
        } else {
            harness_sleep_ms(kill_after_ms);
        }
        /* The whole group, so a rewrite child dies at the same moment. */
        kill(-h->pid, SIGKILL);
        server_kill(h, SIGKILL);
        load_wait(pid);
        h = server_start_in(server_binary(), dir, args);
        ck_assert_int_gt(verify(load, h->port, ack[cycle]), 0);
    }
    for (int cycle = 1; cycle <= TORTURE_CYCLES; cycle++)
        verify(load, h->port, ack[cycle]);
    server_stop(h);
}
END_TEST

static Suite *torture_suite(void)
{
    Suite *s = suite_create("torture");
    TCase *tc = tcase_create("always");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, torture_always_loses_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return harness_run_suite(torture_suite());
}
