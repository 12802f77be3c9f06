/* startup_test.c: black-box tests of how ringkv-server starts and stops.
 *
 * Covers the refusals at start-up (io_uring unusable, port taken,
 * daemonize), the data directory ringkv creates, SIGINT, --version and
 * --help, and the connection limits the server enforces from its first
 * client on (maxclients, client-query-buffer-limit, timeout).
 *
 * io_uring is made unusable without touching the machine's sysctls: the
 * forked child installs a seccomp filter that fails io_uring_setup with a
 * chosen errno, then execs the server, which inherits the filter.
 *
 * Every expectation that is not ringkv-only was checked against
 * redis-server 7.0.15 (RINGKV_SERVER=/usr/bin/redis-server); ringkv-only
 * checks return early there through server_is_redis(). */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a server that must refuse to start may take to exit. */
#define STARTUP_EXIT_TIMEOUT_MS 5000
/* Output kept from a refused start; the messages are a few lines. */
#define STARTUP_OUTPUT_BYTES_MAX (64 * 1024)
/* Exit code of the forked child when it could not install the filter. */
#define STARTUP_SECCOMP_FAILED_EXIT 126

#if defined(__x86_64__)
#define STARTUP_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define STARTUP_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

/* Asserts that haystack contains needle. */
#define ck_contains(haystack, needle)                                                   \
    ck_assert_msg(strstr((haystack), (needle)) != NULL, "%s not found in %s",          \
                  harness_escape(needle), harness_escape(haystack))

/* Returns a loopback port that was free a moment ago. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    close(fd);
    int port = ntohs(addr.sin_port);
    ck_assert_int_ne(port, 6379);
    return port;
}

/* Installs a filter that fails io_uring_setup with err and allows every
 * other system call. Runs in the forked child, before execv; returns 0 or
 * -errno. A system call of another architecture (x32, i386 compat) is let
 * through: its number would mean something else, and the server makes
 * none. */
static int seccomp_deny_io_uring_setup(int err)
{
#ifdef STARTUP_AUDIT_ARCH
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, STARTUP_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {
        .len = (unsigned short)(sizeof(filter) / sizeof(filter[0])),
        .filter = filter,
    };
    /* Without CAP_SYS_ADMIN a filter may only be installed once the process
     * promised never to gain privileges (no set-uid exec can undo it). */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return -errno;
    if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) < 0)
        return -errno;
    return 0;
#else
    (void)err;
    return -ENOTSUP;
#endif
}

/* Forks and execs argv with stdout and stderr on the pipe's write end.
 * With deny_errno non-zero, the child first makes io_uring_setup fail with
 * it. Never returns in the child. */
static pid_t spawn_captured(char *const *argv, int pipe_write_fd, int deny_errno)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
    if (pid != 0)
        return pid;
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    dup2(pipe_write_fd, STDOUT_FILENO);
    dup2(pipe_write_fd, STDERR_FILENO);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0)
        dup2(null_fd, STDIN_FILENO);
    if (deny_errno != 0) {
        int ret = seccomp_deny_io_uring_setup(deny_errno);
        if (ret < 0) {
            fprintf(stderr, "startup_test: cannot install the seccomp filter: %s\n",
                    strerror(-ret));
            _exit(STARTUP_SECCOMP_FAILED_EXIT);
        }
    }
    execv(argv[0], argv);
    fprintf(stderr, "startup_test: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Runs argv (argv[0] is the binary) to completion with its output
 * captured, for the cases where the server must exit by itself. Stores
 * the waitpid status in *status, or -1 if the process was still running
 * after STARTUP_EXIT_TIMEOUT_MS (it is then killed). Returns the output,
 * owned (free()). */
static char *run_captured(char *const *argv, int deny_errno, int *status)
{
    int fds[2];
    ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
    pid_t pid = spawn_captured(argv, fds[1], deny_errno);
    close(fds[1]);
    char *out = calloc(1, STARTUP_OUTPUT_BYTES_MAX + 1);
    ck_assert_ptr_nonnull(out);
    size_t len = 0;
    int64_t deadline = harness_clock_ms() + STARTUP_EXIT_TIMEOUT_MS;
    /* Read until the pipe closes: every holder of its write end (the
     * server and anything it forked) has exited or closed it. */
    for (;;) {
        int64_t left = deadline - harness_clock_ms();
        if (left <= 0)
            break;
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        int r = poll(&pfd, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        ssize_t n = read(fds[0], out + len, STARTUP_OUTPUT_BYTES_MAX - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == STARTUP_OUTPUT_BYTES_MAX)
            break;
    }
    close(fds[0]);
    *status = -1;
    while (harness_clock_ms() < deadline) {
        if (waitpid(pid, status, WNOHANG) == pid)
            break;
        harness_sleep_ms(5);
    }
    if (harness_clock_ms() >= deadline && *status == -1) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    kill(-pid, SIGKILL); /* anything it forked and left behind */
    return out;
}

/* Asserts that status is an exit by itself with a non-zero code. */
#define ck_exited_failing(status, out)                                                   \
    ck_assert_msg((status) != -1 && WIFEXITED(status) && WEXITSTATUS(status) != 0 &&    \
                      WEXITSTATUS(status) != 127,                                        \
                  "expected a failing exit, got status %#x, output %s", (status),        \
                  harness_escape(out))

/* Starts the server on a free port in a fresh directory with the extra
 * options (NULL-terminated), expects it to exit by itself and returns its
 * output, owned. deny_errno as for spawn_captured. */
static char *start_expecting_exit(const char *const *extra, int deny_errno, int port, int *status)
{
    char dir[] = "/tmp/ringkv-startup-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char port_text[16];
    snprintf(port_text, sizeof(port_text), "%d", port);
    const char *argv[32];
    int argc = 0;
    const char *fixed[] = {server_binary(), "--port", port_text, "--dir", dir,
                           "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        argv[argc++] = fixed[i];
    for (int i = 0; extra != NULL && extra[i] != NULL && argc < 31; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;
    char *out = run_captured((char *const *)argv, deny_errno, status);
    harness_system("rm -rf '%s'", dir);
    ck_assert_msg(*status == -1 || !WIFEXITED(*status) ||
                      WEXITSTATUS(*status) != STARTUP_SECCOMP_FAILED_EXIT,
                  "%s", harness_escape(out));
    return out;
}

/* ---- io_uring unusable ---- */

/* ringkv has no fallback to epoll: without io_uring it must refuse to
 * start, saying why and what to change. */
static void ck_refuses_without_io_uring(int deny_errno, const char *hint)
{
    /* redis-server uses epoll and starts regardless. */
    if (server_is_redis())
        return;
    int status = 0;
    char *out = start_expecting_exit(NULL, deny_errno, free_port(), &status);
    ck_exited_failing(status, out);
    ck_contains(out, "io_uring");
    ck_contains(out, strerror(deny_errno));
    ck_contains(out, hint);
    free(out);
}

START_TEST(io_uring_enosys_refused)
{
    ck_refuses_without_io_uring(ENOSYS, "seccomp");
}
END_TEST

START_TEST(io_uring_eperm_refused)
{
    ck_refuses_without_io_uring(EPERM, "io_uring_disabled");
}
END_TEST

/* ---- other refusals ---- */

START_TEST(port_in_use_refused)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    ck_assert_int_eq(listen(fd, 4), 0);
    socklen_t len = sizeof(addr);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    int status = 0;
    char *out = start_expecting_exit(NULL, 0, ntohs(addr.sin_port), &status);
    close(fd);
    ck_exited_failing(status, out);
    /* Redis: "Warning: Could not create server TCP listening socket
     * 127.0.0.1:P: bind: Address already in use". */
    ck_contains(out, "Could not create server TCP listening socket");
    ck_contains(out, "Address already in use");
    free(out);
}
END_TEST

START_TEST(daemonize_refused)
{
    /* redis-server would fork into the background. */
    if (server_is_redis())
        return;
    const char *extra[] = {"--daemonize", "yes", NULL};
    int status = 0;
    char *out = start_expecting_exit(extra, 0, free_port(), &status);
    ck_exited_failing(status, out);
    ck_contains(out, "daemonize");
    ck_contains(out, "not supported");
    free(out);
}
END_TEST

/* ---- the data directory ---- */

START_TEST(missing_dir_created)
{
    /* redis-server refuses a missing directory instead. */
    if (server_is_redis())
        return;
    /* The harness's own --dir comes first; a later option wins. The nested
     * path lives inside it, so server_stop removes it. */
    char parent[] = "/tmp/ringkv-startup-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(parent));
    char nested[128];
    snprintf(nested, sizeof(nested), "%s/a/b/data", parent);
    const char *extra[] = {"--dir", nested, NULL};
    struct server_handle *h = server_start(extra);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "PING", "+PONG\r\n");
    struct stat st;
    ck_assert_msg(stat(nested, &st) == 0 && S_ISDIR(st.st_mode), "%s: %s", nested,
                  strerror(errno));
    char expected[256];
    snprintf(expected, sizeof(expected), "*2\r\n$3\r\ndir\r\n$%zu\r\n%s\r\n", strlen(nested),
             nested);
    ck_cmd(c, "CONFIG GET dir", expected);
    conn_close(c);
    server_stop(h);
    harness_system("rm -rf '%s'", parent);
}
END_TEST

/* ---- signals and command-line flags ---- */

START_TEST(sigint_clean_exit)
{
    struct server_handle *h = server_start(NULL);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "SET k v", "+OK\r\n");
    ck_assert_int_eq(kill(h->pid, SIGINT), 0);
    int status = server_wait_exit(h, 5000);
    ck_assert_msg(status != -1, "server still running 5 s after SIGINT");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
    ck_assert(conn_wait_closed(c, 1000));
    conn_close(c);
    server_stop(h);
}
END_TEST

START_TEST(version_flag)
{
    const char *flags[] = {"--version", "-v"};
    for (size_t i = 0; i < 2; i++) {
        const char *argv[] = {server_binary(), flags[i], NULL};
        int status = 0;
        char *out = run_captured((char *const *)argv, 0, &status);
        ck_assert_msg(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
                      "%s: status %#x", flags[i], status);
        /* One line: "Redis server v=7.0.15 sha=..." or "ringkv server v=...". */
        ck_contains(out, " server v=");
        char *newline = strchr(out, '\n');
        ck_assert_msg(newline != NULL && newline[1] == '\0', "%s", harness_escape(out));
        if (!server_is_redis())
            ck_contains(out, "redis-compat=7.0.15");
        free(out);
    }
}
END_TEST

START_TEST(help_flag)
{
    const char *argv[] = {server_binary(), "--help", NULL};
    int status = 0;
    char *out = run_captured((char *const *)argv, 0, &status);
    ck_assert_msg(status != -1 && WIFEXITED(status), "status %#x", status);
    ck_contains(out, "Usage: ");
    ck_contains(out, "--version");
    /* redis-server's usage() ends in exit(1); ringkv treats an asked-for
     * help as success. */
    ck_assert_int_eq(WEXITSTATUS(status), server_is_redis() ? 1 : 0);
    free(out);
}
END_TEST

/* ---- connection limits ---- */

/* Waits until INFO reports exactly `want` connected clients (the asking
 * one included), so that connections the harness closed are gone. */
/* Reads INFO persistence's loading field; -1 when the reply is not INFO. */
static int info_loading(struct conn *c)
{
    char *reply = conn_cmd(c, "INFO persistence");
    const char *p = strstr(reply, "loading:");
    int v = p ? p[8] - '0' : -1;
    free(reply);
    return v;
}

/* Waits until an INFO field reads value (the AOF rewrite to finish). */
static void wait_info_field(struct conn *c, const char *field_and_value)
{
    for (int64_t deadline = harness_clock_ms() + 30000; harness_clock_ms() < deadline; harness_sleep_ms(20)) {
        char *reply = conn_cmd(c, "INFO persistence");
        bool found = strstr(reply, field_and_value) != NULL;
        free(reply);
        if (found)
            return;
    }
    ck_abort_msg("INFO never showed %s", field_and_value);
}

/* A client connecting while a large AOF loads gets -LOADING for data
 * commands and sees loading:1 with progress in INFO, as with Redis; once
 * loaded, everything is there. */
START_TEST(clients_see_loading_progress)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    const char *args[] = {"--appendonly", "yes", "--aof-use-rdb-preamble", "no",
                          "--enable-debug-command", "yes", NULL};
    struct server_handle *h = server_start_in(server_binary(), dir, args);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "DEBUG POPULATE 600000", "+OK\r\n");
    ck_cmd_prefix(c, "BGREWRITEAOF", "+Background append only file rewriting");
    wait_info_field(c, "aof_rewrite_in_progress:0");
    conn_close(c);
    server_stop(h);

    int port = free_port();
    char port_text[16];
    snprintf(port_text, sizeof(port_text), "%d", port);
    char *argv[] = {(char *)server_binary(), "--port", port_text, "--bind", "127.0.0.1",
                    "--dir", dir, "--save", "", "--appendonly", "yes", NULL};
    int null_fd = open("/dev/null", O_WRONLY);
    pid_t pid = spawn_captured(argv, null_fd, 0);
    close(null_fd);
    for (int64_t deadline = harness_clock_ms() + 10000; !(c = conn_try_open(port));) {
        ck_assert_msg(harness_clock_ms() < deadline, "the server never accepted a connection");
        harness_sleep_ms(2);
    }
    bool saw_loading = false, saw_refusal = false;
    for (int64_t deadline = harness_clock_ms() + 60000; harness_clock_ms() < deadline;) {
        char *reply = conn_cmd(c, "DBSIZE");
        bool loading = strcmp(reply, "-LOADING Redis is loading the dataset in memory\r\n") == 0;
        saw_refusal |= loading;
        if (!loading) {
            ck_assert_str_eq(reply, ":600000\r\n");
            free(reply);
            break;
        }
        free(reply);
        saw_loading |= info_loading(c) == 1;
    }
    ck_assert_msg(saw_refusal && saw_loading, "the load was never observed (refused %d, INFO %d)",
                  saw_refusal, saw_loading);
    ck_assert_int_eq(info_loading(c), 0);
    conn_close(c);
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "unclean exit %d", status);
}
END_TEST

static void wait_connected_clients(struct conn *c, int want)
{
    char line[64];
    snprintf(line, sizeof(line), "\r\nconnected_clients:%d\r\n", want);
    int64_t deadline = harness_clock_ms() + 3000;
    for (;;) {
        char *info = conn_cmd(c, "INFO clients");
        bool found = strstr(info, line) != NULL;
        if (found || harness_clock_ms() >= deadline) {
            ck_assert_msg(found, "want %d clients: %s", want, harness_escape(info));
            free(info);
            return;
        }
        free(info);
        harness_sleep_ms(20);
    }
}

START_TEST(maxclients_rejects_extra)
{
    enum { MAXCLIENTS = 5 };
    const char *extra[] = {"--maxclients", "5", NULL};
    struct server_handle *h = server_start(extra);
    struct conn *conns[MAXCLIENTS];
    conns[0] = conn_open(h->port);
    wait_connected_clients(conns[0], 1);
    for (int i = 1; i < MAXCLIENTS; i++)
        conns[i] = conn_open(h->port);
    for (int i = 0; i < MAXCLIENTS; i++)
        ck_cmd(conns[i], "PING", "+PONG\r\n");

    /* The sixth is accepted only to be told why and closed, before it
     * sends anything. */
    struct conn *extra_conn = conn_open(h->port);
    char *reply = conn_try_read_raw(extra_conn, 2000);
    ck_assert_msg(reply != NULL, "no reply to the connection past maxclients");
    ck_assert_str_eq(reply, "-ERR max number of clients reached\r\n");
    free(reply);
    ck_assert(conn_wait_closed(extra_conn, 2000));
    conn_close(extra_conn);
    char *stats = conn_cmd(conns[0], "INFO stats");
    ck_contains(stats, "\r\nrejected_connections:1\r\n");
    free(stats);

    /* A freed slot can be taken again. */
    conn_close(conns[MAXCLIENTS - 1]);
    wait_connected_clients(conns[0], MAXCLIENTS - 1);
    conns[MAXCLIENTS - 1] = conn_open(h->port);
    ck_cmd(conns[MAXCLIENTS - 1], "PING", "+PONG\r\n");
    for (int i = 0; i < MAXCLIENTS; i++)
        conn_close(conns[i]);
    server_stop(h);
}
END_TEST

/* Sends as much of buf as the peer takes, stopping quietly when it closes
 * or stops reading for a while (the server may drop us mid-send). */
static void send_until_refused(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            return;
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        if (poll(&pfd, 1, 2000) != 1 || (pfd.revents & (POLLERR | POLLHUP)))
            return;
    }
}

START_TEST(query_buffer_limit_closes)
{
    const char *extra[] = {"--client-query-buffer-limit", "1mb", NULL};
    struct server_handle *h = server_start(extra);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "PING", "+PONG\r\n");
    /* A 2 MB argument of which 1.5 MB arrives: the query buffer passes the
     * 1 MB limit before the command is complete. */
    static const char header[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2097152\r\n";
    size_t body_bytes = 3 * 512 * 1024;
    char *body = malloc(body_bytes);
    ck_assert_ptr_nonnull(body);
    memset(body, 'x', body_bytes);
    conn_send_raw(c, header, sizeof(header) - 1);
    send_until_refused(conn_fd(c), body, body_bytes);
    free(body);
    ck_assert_msg(conn_wait_closed(c, 3000), "connection still open past the query buffer limit");
    conn_close(c);

    /* Only that client went; the key was never set. */
    struct conn *other = conn_open(h->port);
    ck_cmd(other, "EXISTS k", ":0\r\n");
    conn_close(other);
    ck_assert(server_alive(h));
    server_stop(h);
}
END_TEST

START_TEST(timeout_closes_idle_client)
{
    const char *extra[] = {"--timeout", "1", NULL};
    struct server_handle *h = server_start(extra);
    struct conn *idle = conn_open(h->port);
    ck_cmd(idle, "PING", "+PONG\r\n");
    int64_t started = harness_clock_ms();
    /* Redis compares whole seconds, so an idle client goes after one to
     * two seconds (plus a tick); well before one it must still be there. */
    ck_assert(!conn_wait_closed(idle, 500));
    ck_assert_msg(conn_wait_closed(idle, 3500), "idle client not closed within 4 s");
    int64_t elapsed = harness_clock_ms() - started;
    ck_assert_msg(elapsed >= 900, "idle client closed after only %lld ms", (long long)elapsed);
    conn_close(idle);

    /* A client that keeps talking stays. */
    struct conn *busy = conn_open(h->port);
    for (int i = 0; i < 6; i++) {
        ck_cmd(busy, "PING", "+PONG\r\n");
        harness_sleep_ms(300);
    }
    ck_cmd(busy, "PING", "+PONG\r\n");
    conn_close(busy);
    server_stop(h);
}
END_TEST

static Suite *startup_suite(void)
{
    Suite *s = suite_create("startup");
    TCase *refusals = tcase_create("refusals");
    tcase_add_test(refusals, io_uring_enosys_refused);
    tcase_add_test(refusals, io_uring_eperm_refused);
    tcase_add_test(refusals, port_in_use_refused);
    tcase_add_test(refusals, daemonize_refused);
    tcase_add_test(refusals, version_flag);
    tcase_add_test(refusals, help_flag);
    suite_add_tcase(s, refusals);

    TCase *running = tcase_create("running");
    tcase_add_test(running, missing_dir_created);
    tcase_add_test(running, clients_see_loading_progress);
    tcase_add_test(running, sigint_clean_exit);
    tcase_add_test(running, maxclients_rejects_extra);
    tcase_add_test(running, query_buffer_limit_closes);
    tcase_add_test(running, timeout_closes_idle_client);
    suite_add_tcase(s, running);
    return s;
}

int main(void)
{
    return harness_run_suite(startup_suite());
}
