/* harness.c: black-box test support for tests/blackbox/.
 *
 * Owns the server processes a test starts and the raw RESP connections it
 * opens. Of the project's own code it uses only the reply scanner
 * (net/wire/resp.h), to find where one reply ends: replies are compared as
 * bytes, so it never builds values. It also
 * owns the test side of the filesystem fault shim (tests/fault/fsfault.c):
 * the environment that preloads it, its control file, and the power cut,
 * whose replay of the shim's log under POSIX's rule for directory entries
 * is tests/fault/powercut.c's; the shim itself only records and injects.
 *
 * Key invariant: no server outlives the test process that started it. Each
 * server runs in its own process group with PR_SET_PDEATHSIG set to SIGKILL,
 * so a failed assertion (check's forked test child leaves through _exit,
 * skipping atexit hooks) or a timeout kill takes the server down with the
 * test. An atexit hook still stops servers a test forgot, when the process
 * exits normally. Server directories live under one root per suite run,
 * which harness_run_suite removes when the suite ends, so the directories
 * of failed tests go too. The suite runner is also a child subreaper and
 * kills whatever descendants remain at the end (a server's own forked
 * child, for one).
 *
 * The registry of running servers is file-level static state. That is
 * deliberate here: the atexit hook has no other way to reach it, and each
 * test runs in its own forked process, so the state never leaks between
 * tests. */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include "net/wire/resp.h"
#include "tests/fault/powercut.h"

#include <arpa/inet.h>
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Servers one test process may have running at once. Tests start one or two. */
#define HARNESS_SERVERS_MAX 16
/* Attempts at starting a server, each on a fresh port, before giving up.
 * A retry covers the window between probing a free port and the bind. */
#define HARNESS_START_ATTEMPTS_MAX 3
/* How long server_stop waits after SIGTERM before SIGKILL. */
#define HARNESS_STOP_TIMEOUT_MS 5000
/* How long harness_system lets a shell command run before killing it. */
#define HARNESS_SYSTEM_TIMEOUT_MS 30000
/* Smallest free space kept at the end of a read buffer before a read. */
#define HARNESS_READ_CHUNK_BYTES (256 * 1024)
/* Debugger used to print the threads of a server that hangs at stop. */
#define HARNESS_GDB "/usr/bin/gdb"
/* Slots and size of the rotating buffers behind harness_escape. */
#define HARNESS_ESCAPE_SLOTS 8
#define HARNESS_ESCAPE_BYTES 2048

struct conn {
    int fd;
    char *buf;       /* owned; bytes [start, end) are received but unread */
    size_t start;
    size_t end;
    size_t cap;
};

/* A server this process started and has not yet stopped. */
struct server_slot {
    pid_t pid;       /* 0 when the slot is free */
    bool reaped;     /* waitpid has returned the status below */
    int status;
    char dir[256];
    bool keep_dir;   /* started by server_start_in: the caller owns dir */
};

static struct server_slot server_slots[HARNESS_SERVERS_MAX];
static bool server_exit_hook_set;
/* Directory holding every server directory of this suite run; set by
 * harness_run_suite before it forks the tests, empty when unused. */
static char harness_root[128];

/* Check reads CK_DEFAULT_TIMEOUT when a test case is created, so setting it
 * before main runs gives every suite a timeout fit for starting servers
 * (the library default of 4 s is too short). A caller's own value wins. */
__attribute__((constructor)) static void harness_set_default_timeout(void)
{
    setenv("CK_DEFAULT_TIMEOUT", "60", 0);
}

int64_t harness_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t harness_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void harness_sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

long long conn_cmd_integer(struct conn *c, const char *line)
{
    char *reply = conn_cmd(c, line);
    ck_assert_msg(reply[0] == ':', "%s: expected an integer, got %s", line,
                  harness_escape(reply));
    long long value = strtoll(reply + 1, NULL, 10);
    free(reply);
    return value;
}

const char *server_binary(void)
{
    const char *path = getenv("RINGKV_SERVER");
    return path != NULL ? path : "";
}

bool server_is_redis(void)
{
    const char *path = server_binary();
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    return strncmp(base, "redis-server", strlen("redis-server")) == 0;
}

/* ---- Server processes ---- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    remove(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    if (dir[0] != '\0')
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static struct server_slot *slot_find(pid_t pid)
{
    for (int i = 0; i < HARNESS_SERVERS_MAX; i++)
        if (server_slots[i].pid == pid)
            return &server_slots[i];
    return NULL;
}

/* Kills the server's whole process group (the server and any child it
 * forked), reaps the server if that has not happened yet, removes its
 * directory and frees the slot. */
static void slot_release(struct server_slot *slot)
{
    assert(slot->pid > 0);
    kill(-slot->pid, SIGKILL);
    if (!slot->reaped) {
        kill(slot->pid, SIGKILL);
        int status;
        if (waitpid(slot->pid, &status, 0) == slot->pid) {
            slot->reaped = true;
            slot->status = status;
        }
    }
    if (!slot->keep_dir)
        remove_tree(slot->dir);
    slot->pid = 0;
}

/* Releases every server still registered. Runs at exit of the test process,
 * including the exit that follows a failed assertion. */
static void servers_kill_all(void)
{
    for (int i = 0; i < HARNESS_SERVERS_MAX; i++)
        if (server_slots[i].pid != 0)
            slot_release(&server_slots[i]);
}

/* Returns a loopback TCP port that was free a moment ago. */
static int port_pick(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_msg(fd >= 0, "socket: %s", strerror(errno));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_msg(bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0, "bind: %s",
                  strerror(errno));
    socklen_t len = sizeof(addr);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    close(fd);
    int port = ntohs(addr.sin_port);
    ck_assert_int_ne(port, 6379);
    return port;
}

/* The child side of server_start: never returns. env ("NAME=value"
 * strings, NULL-terminated, may be NULL) is added to the environment the
 * server inherits. */
static void server_exec(pid_t parent, int port, const char *dir, const char *const *extra_args,
                        const char *binary, const char *const *env)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    /* putenv keeps the caller's strings, which stay valid until the exec. */
    for (int i = 0; env != NULL && env[i] != NULL; i++)
        putenv((char *)env[i]);
    char log_path[300];
    snprintf(log_path, sizeof(log_path), "%s/server.log", dir);
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log_fd >= 0) {
        dup2(log_fd, STDOUT_FILENO);
        dup2(log_fd, STDERR_FILENO);
        close(log_fd);
    }
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        close(null_fd);
    }
    char port_text[16];
    snprintf(port_text, sizeof(port_text), "%d", port);
    const char *argv[128];
    int argc = 0;
    const char *fixed[] = {binary, "--port", port_text, "--dir", dir,
                           "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"};
    /* A first extra argument that is no option is a configuration file,
     * which redis-server takes only right after its name. */
    bool has_file = extra_args != NULL && extra_args[0] != NULL &&
                    strncmp(extra_args[0], "--", 2) != 0;
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        argv[argc++] = fixed[i];
        if (i == 0 && has_file)
            argv[argc++] = extra_args[0];
    }
    for (int i = has_file ? 1 : 0; extra_args != NULL && extra_args[i] != NULL && argc < 127; i++)
        argv[argc++] = extra_args[i];
    argv[argc] = NULL;
    execv(argv[0], (char *const *)argv);
    fprintf(stderr, "harness: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Reaps the server if it has exited; returns true while it runs. */
static bool slot_poll(struct server_slot *slot)
{
    if (slot->reaped)
        return false;
    int status;
    pid_t r = waitpid(slot->pid, &status, WNOHANG);
    if (r == slot->pid) {
        slot->reaped = true;
        slot->status = status;
        return false;
    }
    return true;
}

/* Prints the tail of the server's log to stderr, to explain a failed start. */
static void server_log_dump(const char *dir)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/server.log", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    char line[512];
    fprintf(stderr, "---- %s ----\n", path);
    while (fgets(line, sizeof(line), f) != NULL)
        fputs(line, stderr);
    fclose(f);
}

/* Connects and sends PING until any reply comes back (+PONG, or -NOAUTH when
 * a password is set), the server exits, or the start timeout passes. */
static bool server_wait_ready(struct server_slot *slot, int port)
{
    int64_t deadline = harness_clock_ms() + HARNESS_START_TIMEOUT_MS;
    while (harness_clock_ms() < deadline) {
        if (!slot_poll(slot))
            return false;
        struct conn *c = conn_try_open(port);
        if (c != NULL) {
            static const char ping[] = "*1\r\n$4\r\nPING\r\n";
            bool sent = send(c->fd, ping, sizeof(ping) - 1, MSG_NOSIGNAL) ==
                        (ssize_t)(sizeof(ping) - 1);
            struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
            char byte;
            bool ready = sent && poll(&pfd, 1, 1000) == 1 && recv(c->fd, &byte, 1, 0) == 1;
            conn_close(c);
            if (ready)
                return true;
        }
        harness_sleep_ms(10);
    }
    return false;
}

static struct server_slot *slot_claim(void)
{
    if (!server_exit_hook_set) {
        atexit(servers_kill_all);
        server_exit_hook_set = true;
    }
    struct server_slot *slot = slot_find(0);
    ck_assert_msg(slot != NULL, "too many servers running (max %d)", HARNESS_SERVERS_MAX);
    memset(slot, 0, sizeof(*slot));
    return slot;
}

struct server_handle *server_start(const char *const *extra_args)
{
    for (int attempt = 0; attempt < HARNESS_START_ATTEMPTS_MAX; attempt++) {
        struct server_slot *slot = slot_claim();
        snprintf(slot->dir, sizeof(slot->dir), "%s/server-XXXXXX",
                 harness_root[0] != '\0' ? harness_root : "/tmp");
        ck_assert_msg(mkdtemp(slot->dir) != NULL, "mkdtemp: %s", strerror(errno));
        int port = port_pick();
        pid_t parent = getpid();
        pid_t pid = fork();
        ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
        if (pid == 0)
            server_exec(parent, port, slot->dir, extra_args, server_binary(), NULL);
        setpgid(pid, pid); /* also done in the child; whichever runs first wins */
        slot->pid = pid;
        if (server_wait_ready(slot, port)) {
            struct server_handle *h = calloc(1, sizeof(*h));
            ck_assert_ptr_nonnull(h);
            h->pid = pid;
            h->port = port;
            snprintf(h->dir, sizeof(h->dir), "%s", slot->dir);
            return h;
        }
        /* Only an early exit (say, the port was taken meanwhile) is worth
         * another attempt; a server that runs but never answers is not. */
        bool exited = !slot_poll(slot);
        server_log_dump(slot->dir);
        slot_release(slot);
        ck_assert_msg(exited, "server %s did not answer PING within %d ms", server_binary(),
                      HARNESS_START_TIMEOUT_MS);
    }
    ck_abort_msg("server %s exited at start-up (see its log above)", server_binary());
    return NULL;
}

/* One attempt at starting binary in dir. Returns the handle once it answers
 * PING; NULL with *exit_status set when it exits first. A server that runs
 * but never answers fails the test. */
static struct server_handle *server_attempt_on(const char *binary, const char *dir, int port,
                                               const char *const *extra_args,
                                               const char *const *env, int *exit_status)
{
    struct server_slot *slot = slot_claim();
    snprintf(slot->dir, sizeof(slot->dir), "%s", dir);
    slot->keep_dir = true;
    if (port == 0)
        port = port_pick();
    pid_t parent = getpid();
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0)
        server_exec(parent, port, slot->dir, extra_args, binary, env);
    setpgid(pid, pid);
    slot->pid = pid;
    if (server_wait_ready(slot, port)) {
        struct server_handle *h = calloc(1, sizeof(*h));
        ck_assert_ptr_nonnull(h);
        h->pid = pid;
        h->port = port;
        snprintf(h->dir, sizeof(h->dir), "%s", slot->dir);
        return h;
    }
    bool exited = !slot_poll(slot);
    if (!exited)
        server_log_dump(slot->dir);
    slot_release(slot);
    ck_assert_msg(exited, "server %s did not answer PING within %d ms", binary,
                  HARNESS_START_TIMEOUT_MS);
    *exit_status = slot->status;
    return NULL;
}

static struct server_handle *server_attempt_in(const char *binary, const char *dir,
                                               const char *const *extra_args,
                                               const char *const *env, int *exit_status)
{
    return server_attempt_on(binary, dir, 0, extra_args, env, exit_status);
}

struct server_handle *server_start_on_port(const char *binary, const char *dir, int port,
                                           const char *const *extra_args)
{
    int status = 0;
    struct server_handle *h = server_attempt_on(binary, dir, port, extra_args, NULL, &status);
    if (h == NULL) {
        server_log_dump(dir);
        ck_abort_msg("server %s exited at start-up on port %d (see its log above)", binary, port);
    }
    return h;
}

struct server_handle *server_start_in_env(const char *binary, const char *dir,
                                          const char *const *extra_args, const char *const *env)
{
    for (int attempt = 0; attempt < HARNESS_START_ATTEMPTS_MAX; attempt++) {
        int status = 0;
        struct server_handle *h = server_attempt_in(binary, dir, extra_args, env, &status);
        if (h != NULL)
            return h;
        server_log_dump(dir);
    }
    ck_abort_msg("server %s exited at start-up (see its log above)", binary);
    return NULL;
}

struct server_handle *server_start_in(const char *binary, const char *dir,
                                      const char *const *extra_args)
{
    return server_start_in_env(binary, dir, extra_args, NULL);
}

struct server_handle *server_try_start_in_env(const char *binary, const char *dir,
                                              const char *const *extra_args,
                                              const char *const *env, int *exit_status)
{
    ck_assert_ptr_nonnull(exit_status);
    return server_attempt_in(binary, dir, extra_args, env, exit_status);
}

struct server_handle *server_try_start_in(const char *binary, const char *dir,
                                          const char *const *extra_args, int *exit_status)
{
    return server_try_start_in_env(binary, dir, extra_args, NULL, exit_status);
}

void harness_make_dir(char *out, size_t out_len)
{
    snprintf(out, out_len, "%s/dir-XXXXXX", harness_root[0] != '\0' ? harness_root : "/tmp");
    ck_assert_msg(mkdtemp(out) != NULL, "mkdtemp: %s", strerror(errno));
}

static struct server_slot *slot_of(struct server_handle *h)
{
    ck_assert_ptr_nonnull(h);
    struct server_slot *slot = slot_find(h->pid);
    ck_assert_msg(slot != NULL, "server %d is not registered", (int)h->pid);
    return slot;
}

int server_wait_exit(struct server_handle *h, int timeout_ms)
{
    struct server_slot *slot = slot_of(h);
    int64_t deadline = harness_clock_ms() + timeout_ms;
    while (slot_poll(slot)) {
        if (harness_clock_ms() >= deadline)
            return -1;
        harness_sleep_ms(5);
    }
    return slot->status;
}

/* If the server still runs, says so with its threads' stacks (when gdb is
 * there) and returns true. what names the signal it was waiting on. */
static bool slot_hang_report(struct server_slot *slot, const char *what)
{
    if (!slot_poll(slot))
        return false;
    fprintf(stderr, "harness: server %d still running %d ms after %s\n", (int)slot->pid,
            HARNESS_STOP_TIMEOUT_MS, what);
    if (access(HARNESS_GDB, X_OK) == 0)
        harness_system("%s -p %d -batch -ex 'thread apply all bt' 2>&1 | grep -E '^(#|Thread)'",
                       HARNESS_GDB, (int)slot->pid);
    return true;
}

int server_stop(struct server_handle *h)
{
    struct server_slot *slot = slot_of(h);
    if (slot_poll(slot)) {
        kill(slot->pid, SIGTERM);
        server_wait_exit(h, HARNESS_STOP_TIMEOUT_MS);
    }
    /* Show the log of a server that hung or failed, before its directory
     * goes: it is the only account of what happened. */
    bool hung = slot_hang_report(slot, "SIGTERM");
    if (hung || !WIFEXITED(slot->status) || WEXITSTATUS(slot->status) != 0)
        server_log_dump(slot->dir);
    slot_release(slot);
    int status = slot->status;
    free(h);
    /* A server that crashed, was killed for hanging, or exited non-zero
     * (LeakSanitizer exits 23 on a leak) fails the test that ran it, so
     * the sanitizer pass checks the server too, not only the client. */
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "server did not stop cleanly: %s %d", WIFEXITED(status) ? "exit code" : "signal",
                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return status;
}

bool server_alive(struct server_handle *h)
{
    return slot_poll(slot_of(h));
}

int server_kill(struct server_handle *h, int sig)
{
    struct server_slot *slot = slot_of(h);
    if (sig != 0 && slot_poll(slot))
        kill(slot->pid, sig);
    server_wait_exit(h, HARNESS_STOP_TIMEOUT_MS);
    if (slot_hang_report(slot, sig != 0 ? strsignal(sig) : "the wait began"))
        server_log_dump(slot->dir);
    slot_release(slot);
    free(h);
    return slot->status;
}

/* ---- Connections ---- */

struct conn *conn_try_open(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int r = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
    if (r != 0 && errno == EINPROGRESS) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int error = ETIMEDOUT;
        socklen_t error_len = sizeof(error);
        if (poll(&pfd, 1, HARNESS_READ_TIMEOUT_MS) == 1)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len);
        r = error == 0 ? 0 : -1;
    }
    if (r != 0) {
        close(fd);
        return NULL;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct conn *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        close(fd);
        return NULL;
    }
    c->fd = fd;
    return c;
}

void server_args_add(struct server_args *a, const char *name, const char *value)
{
    ck_assert_int_le(a->n + 2, SERVER_ARGS_MAX);
    a->v[a->n++] = name;
    a->v[a->n++] = value;
    a->v[a->n] = NULL;
}

struct conn *conn_open(int port)
{
    struct conn *c = conn_try_open(port);
    ck_assert_msg(c != NULL, "connect to 127.0.0.1:%d failed: %s", port, strerror(errno));
    return c;
}

void conn_close(struct conn *c)
{
    if (c == NULL)
        return;
    close(c->fd);
    free(c->buf);
    free(c);
}

int conn_fd(struct conn *c)
{
    return c->fd;
}

bool conn_try_send_raw(struct conn *c, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
            return false;
        ck_assert_msg(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK), "send failed: %s",
                      n < 0 ? strerror(errno) : "returned 0");
        struct pollfd pfd = {.fd = c->fd, .events = POLLOUT};
        int r = poll(&pfd, 1, HARNESS_READ_TIMEOUT_MS);
        ck_assert_msg(r == 1, "send timed out with %zu bytes left", len);
    }
    return true;
}

void conn_send_raw(struct conn *c, const void *buf, size_t len)
{
    ck_assert_msg(conn_try_send_raw(c, buf, len), "send failed: %s", strerror(errno));
}

/* Appends a multibulk for argv to a growing buffer. */
static void argv_append(char **out, size_t *out_len, size_t *out_cap, const void *bytes,
                        size_t len)
{
    if (*out_len + len > *out_cap) {
        size_t cap = *out_cap * 2 + len + 64;
        *out = realloc(*out, cap);
        ck_assert_ptr_nonnull(*out);
        *out_cap = cap;
    }
    memcpy(*out + *out_len, bytes, len);
    *out_len += len;
}

void conn_send_argv(struct conn *c, int argc, const char *const *argv, const size_t *lens)
{
    char *out = NULL;
    size_t out_len = 0;
    size_t out_cap = 0;
    char header[48];
    int n = snprintf(header, sizeof(header), "*%d\r\n", argc);
    argv_append(&out, &out_len, &out_cap, header, (size_t)n);
    for (int i = 0; i < argc; i++) {
        size_t len = lens != NULL ? lens[i] : strlen(argv[i]);
        n = snprintf(header, sizeof(header), "$%zu\r\n", len);
        argv_append(&out, &out_len, &out_cap, header, (size_t)n);
        argv_append(&out, &out_len, &out_cap, argv[i], len);
        argv_append(&out, &out_len, &out_cap, "\r\n", 2);
    }
    conn_send_raw(c, out, out_len);
    free(out);
}

/* Each single space separates two arguments, so "a  b" sends an empty
 * argument between a and b. */
void conn_send(struct conn *c, const char *line)
{
    size_t line_len = strlen(line);
    int argc = 1;
    for (size_t i = 0; i < line_len; i++)
        argc += line[i] == ' ';
    const char **argv = calloc((size_t)argc, sizeof(*argv));
    size_t *lens = calloc((size_t)argc, sizeof(*lens));
    ck_assert_ptr_nonnull(argv);
    ck_assert_ptr_nonnull(lens);
    const char *arg = line;
    for (int i = 0; i < argc; i++) {
        const char *space = strchr(arg, ' ');
        size_t len = space != NULL ? (size_t)(space - arg) : strlen(arg);
        argv[i] = arg;
        lens[i] = len;
        arg += len + 1;
    }
    conn_send_argv(c, argc, argv, lens);
    free(argv);
    free(lens);
}

/* ---- Reply boundaries ---- */

/* Finds where the first reply in buf ends, with the project's one reply
 * scanner. A RESP3 attribute annotates the reply after it, and a test reads
 * the two as one (DEBUG PROTOCOL attrib), so attributes are joined to what
 * follows them. Each round takes at least one byte, so the loop ends. */
static enum resp_scan_result harness_reply_scan(const char *buf, size_t len, size_t *reply_len)
{
    size_t at = 0;
    struct resp_reply_head head;
    do {
        enum resp_scan_result r = resp_reply_scan(buf + at, len - at, &head);
        if (r != RESP_SCAN_OK)
            return r;
        assert(head.reply_bytes > 0);
        at += head.reply_bytes;
    } while (head.type == RESP_ATTRIBUTE);
    *reply_len = at;
    return RESP_SCAN_OK;
}

/* Waits up to timeout_ms for bytes and appends them to the buffer. Returns
 * the count read, 0 on timeout, or -1 when the peer closed or reset. */
static ssize_t conn_fill(struct conn *c, int timeout_ms)
{
    if (c->start > 0 && c->start == c->end) {
        c->start = 0;
        c->end = 0;
    }
    if (c->cap - c->end < HARNESS_READ_CHUNK_BYTES) {
        if (c->start > 0 && c->start >= c->cap / 2) {
            memmove(c->buf, c->buf + c->start, c->end - c->start);
            c->end -= c->start;
            c->start = 0;
        }
        if (c->cap - c->end < HARNESS_READ_CHUNK_BYTES) {
            size_t cap = c->cap * 2 + HARNESS_READ_CHUNK_BYTES;
            c->buf = realloc(c->buf, cap + 1);
            ck_assert_ptr_nonnull(c->buf);
            c->cap = cap;
        }
    }
    for (;;) {
        ssize_t n = recv(c->fd, c->buf + c->end, c->cap - c->end, 0);
        if (n > 0) {
            c->end += (size_t)n;
            return n;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            return -1;
        if (errno == EINTR)
            continue;
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int r = poll(&pfd, 1, timeout_ms);
        if (r == 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

/* Returns the next reply, or NULL when none completes within timeout_ms of
 * silence or the connection closes. Aborts the test on malformed bytes. */
static char *conn_read_reply(struct conn *c, int timeout_ms, const char **why)
{
    for (;;) {
        size_t reply_len = 0;
        enum resp_scan_result r = RESP_SCAN_INCOMPLETE;
        if (c->end > c->start)
            r = harness_reply_scan(c->buf + c->start, c->end - c->start, &reply_len);
        if (r == RESP_SCAN_OK) {
            char *reply = malloc(reply_len + 1);
            ck_assert_ptr_nonnull(reply);
            memcpy(reply, c->buf + c->start, reply_len);
            reply[reply_len] = '\0';
            c->start += reply_len;
            return reply;
        }
        if (r == RESP_SCAN_MALFORMED) {
            c->buf[c->end] = '\0';
            ck_abort_msg("malformed reply: %s", harness_escape(c->buf + c->start));
        }
        ssize_t n = conn_fill(c, timeout_ms);
        if (n <= 0) {
            *why = n == 0 ? "timed out" : "connection closed";
            return NULL;
        }
    }
}

char *conn_read_raw(struct conn *c)
{
    const char *why = "";
    char *reply = conn_read_reply(c, HARNESS_READ_TIMEOUT_MS, &why);
    if (reply == NULL) {
        if (c->buf != NULL)
            c->buf[c->end] = '\0';
        ck_abort_msg("reading a reply: %s (unread: %s)", why,
                     harness_escape(c->buf != NULL ? c->buf + c->start : ""));
    }
    return reply;
}

char *conn_try_read_raw(struct conn *c, int timeout_ms)
{
    const char *why = "";
    return conn_read_reply(c, timeout_ms, &why);
}

bool conn_wait_closed(struct conn *c, int timeout_ms)
{
    int64_t deadline = harness_clock_ms() + timeout_ms;
    for (;;) {
        c->start = c->end; /* discard whatever arrived before the close */
        int64_t left = deadline - harness_clock_ms();
        if (left <= 0)
            return false;
        ssize_t n = conn_fill(c, (int)left);
        if (n < 0)
            return true;
    }
}

char *conn_cmd(struct conn *c, const char *line)
{
    conn_send(c, line);
    return conn_read_raw(c);
}

char *conn_cmd_argv(struct conn *c, int argc, const char *const *argv, const size_t *lens)
{
    conn_send_argv(c, argc, argv, lens);
    return conn_read_raw(c);
}

/* The value runs from after "\r\n<field>:" to the line's "\r"; every field
 * follows a line break, since INFO opens with a "# Section" header. */
char *conn_info_field(struct conn *c, const char *field)
{
    char *info = conn_cmd(c, "info");
    char pattern[128];
    snprintf(pattern, sizeof(pattern), "\r\n%s:", field);
    char *p = strstr(info, pattern);
    char *out = NULL;
    if (p != NULL) {
        p += strlen(pattern);
        out = strndup(p, strcspn(p, "\r"));
        ck_assert_ptr_nonnull(out);
    }
    free(info);
    return out;
}

bool conn_info_is(struct conn *c, const char *field, const char *value)
{
    char *v = conn_info_field(c, field);
    bool equal = v != NULL && strcmp(v, value) == 0;
    free(v);
    return equal;
}

void conn_wait_loaded(struct conn *c, int timeout_ms)
{
    int64_t deadline = harness_clock_ms() + timeout_ms;
    for (;;) {
        char *reply = conn_cmd(c, "ping");
        bool ready = strcmp(reply, "+PONG\r\n") == 0;
        ck_assert_msg(ready || strncmp(reply, "-LOADING", 8) == 0, "PING: %s",
                      harness_escape(reply));
        free(reply);
        if (ready)
            return;
        ck_assert_msg(harness_clock_ms() < deadline, "still loading after %d ms", timeout_ms);
        harness_sleep_ms(10);
    }
}

/* ---- Utilities ---- */

const char *harness_escape(const char *s)
{
    static char slots[HARNESS_ESCAPE_SLOTS][HARNESS_ESCAPE_BYTES];
    static unsigned next;
    char *out = slots[next++ % HARNESS_ESCAPE_SLOTS];
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (o + 8 >= HARNESS_ESCAPE_BYTES) {
            memcpy(out + o, "...", 4);
            return out;
        }
        if (*p == '\r' || *p == '\n' || *p == '\t' || *p == '\\') {
            out[o++] = '\\';
            out[o++] = *p == '\r' ? 'r' : *p == '\n' ? 'n' : *p == '\t' ? 't' : '\\';
        } else if (*p < 0x20 || *p >= 0x7f) {
            o += (size_t)snprintf(out + o, 5, "\\x%02x", *p);
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = '\0';
    return out;
}

/* Runs cmd under /bin/sh in its own process group with stdin from
 * /dev/null and stdout and stderr on output_fd (or inherited when -1).
 * Returns the exit code, 128 + signal if killed, or -1 on timeout. */
static int shell_run(const char *cmd, int output_fd)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0)
            dup2(null_fd, STDIN_FILENO);
        if (output_fd >= 0) {
            dup2(output_fd, STDOUT_FILENO);
            dup2(output_fd, STDERR_FILENO);
        }
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    int64_t deadline = harness_clock_ms() + HARNESS_SYSTEM_TIMEOUT_MS;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (harness_clock_ms() >= deadline) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        harness_sleep_ms(5);
    }
    kill(-pid, SIGKILL); /* anything the command left behind in its group */
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

int harness_system(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = NULL;
    int n = vasprintf(&cmd, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    int status = shell_run(cmd, -1);
    free(cmd);
    return status;
}

char *harness_output(int *status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = NULL;
    int n = vasprintf(&cmd, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    FILE *capture = tmpfile();
    ck_assert_ptr_nonnull(capture);
    int code = shell_run(cmd, fileno(capture));
    free(cmd);
    if (status != NULL)
        *status = code;
    long size = lseek(fileno(capture), 0, SEEK_END);
    ck_assert_int_ge(size, 0);
    char *out = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(pread(fileno(capture), out, (size_t)size, 0), size);
    out[size] = '\0';
    fclose(capture);
    return out;
}

char *harness_read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    ck_assert_ptr_nonnull(buf);
    size_t done = 0;
    while (done < size) {
        ssize_t n = pread(fd, buf + done, size - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* the file shrank meanwhile: return what was there */
        done += (size_t)n;
    }
    close(fd);
    buf[done] = '\0';
    if (len != NULL)
        *len = done;
    return buf;
}

static int name_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *harness_list_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return NULL;
    char **names = NULL;
    size_t count = 0;
    size_t bytes = 1;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        names = realloc(names, (count + 1) * sizeof(*names));
        ck_assert_ptr_nonnull(names);
        names[count] = strdup(entry->d_name);
        ck_assert_ptr_nonnull(names[count]);
        bytes += strlen(entry->d_name) + 1;
        count++;
    }
    closedir(d);
    if (count > 0) /* names is NULL for an empty directory, which qsort may not get */
        qsort(names, count, sizeof(*names), name_compare);
    char *out = malloc(bytes);
    ck_assert_ptr_nonnull(out);
    size_t o = 0;
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(names[i]);
        memcpy(out + o, names[i], n);
        out[o + n] = '\n';
        o += n + 1;
        free(names[i]);
    }
    out[o] = '\0';
    free(names);
    return out;
}

/* ---- The filesystem fault shim ---- */

bool fsfault_available(void)
{
    const char *path = getenv("RINGKV_FSFAULT");
    return path != NULL && path[0] != '\0' && access(path, R_OK) == 0;
}

/* Formats one env entry into slot i of f and points env[i] at it. */
static void fsfault_env_set(struct fsfault *f, int i, const char *name, const char *value)
{
    int n = snprintf(f->env_text[i], sizeof(f->env_text[i]), "%s=%s", name, value);
    ck_assert_msg(n > 0 && (size_t)n < sizeof(f->env_text[i]), "%s is too long", name);
    f->env[i] = f->env_text[i];
    f->env[i + 1] = NULL;
}

/* Creates (or empties) the file at path. */
static void fsfault_file_empty(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ck_assert_msg(fd >= 0, "create %s: %s", path, strerror(errno));
    close(fd);
}

void fsfault_init(struct fsfault *f)
{
    ck_assert_msg(fsfault_available(), "RINGKV_FSFAULT is not set to a readable shim");
    memset(f, 0, sizeof(*f));
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    snprintf(f->log, sizeof(f->log), "%s/log", dir);
    snprintf(f->ctl, sizeof(f->ctl), "%s/ctl", dir);
    snprintf(f->backup, sizeof(f->backup), "%s/backup", dir);
    fsfault_file_empty(f->log);
    fsfault_file_empty(f->ctl);
    ck_assert_msg(mkdir(f->backup, 0755) == 0, "mkdir %s: %s", f->backup, strerror(errno));
    char preload[600];
    const char *shim = getenv("RINGKV_FSFAULT");
    const char *inherited = getenv("LD_PRELOAD");
    snprintf(preload, sizeof(preload), "%s%s%s", shim, inherited != NULL ? ":" : "",
             inherited != NULL ? inherited : "");
    fsfault_env_set(f, 0, "LD_PRELOAD", preload);
    fsfault_env_set(f, 1, "FSFAULT_LOG", f->log);
    fsfault_env_set(f, 2, "FSFAULT_CTL", f->ctl);
    fsfault_env_set(f, 3, "FSFAULT_BACKUP", f->backup);
    /* The shim is preloaded ahead of a sanitized binary's libasan, which
     * ASan refuses unless told not to check the order. */
    char asan[600];
    const char *suite_asan = getenv("ASAN_OPTIONS");
    snprintf(asan, sizeof(asan), "%s%sverify_asan_link_order=0",
             suite_asan != NULL ? suite_asan : "",
             suite_asan != NULL && suite_asan[0] != '\0' ? ":" : "");
    fsfault_env_set(f, 4, "ASAN_OPTIONS", asan);
}

void fsfault_shell_env(const struct fsfault *f, char *out, size_t out_len)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; f->env[i] != NULL; i++) {
        int n = snprintf(out + o, out_len - o, "%s'%s'", i > 0 ? " " : "", f->env[i]);
        ck_assert_msg(n > 0 && (size_t)n < out_len - o, "the shim's environment is too long");
        o += (size_t)n;
    }
}

void fsfault_arm(const struct fsfault *f, const char *rules)
{
    /* The shim re-parses the rules (clearing "once" marks) only when the
     * text changes; the comment makes every arming's text unique. */
    static unsigned arm_count;
    char tmp[600];
    snprintf(tmp, sizeof(tmp), "%s.tmp", f->ctl);
    FILE *fp = fopen(tmp, "w");
    ck_assert_msg(fp != NULL, "create %s: %s", tmp, strerror(errno));
    fprintf(fp, "# arming %d.%u at %lld ms\n%s\n", (int)getpid(), ++arm_count,
            (long long)harness_clock_ms(), rules);
    ck_assert_int_eq(fclose(fp), 0);
    ck_assert_msg(rename(tmp, f->ctl) == 0, "rename %s: %s", tmp, strerror(errno));
}

char *fsfault_log(const struct fsfault *f)
{
    char *text = harness_read_file(f->log, NULL);
    if (text == NULL)
        text = strdup("");
    ck_assert_ptr_nonnull(text);
    return text;
}

int fsfault_power_cut(const struct fsfault *f)
{
    int undone = powercut_apply(f->log, f->backup);
    ck_assert_msg(undone >= 0, "power cut from %s: %s", f->log, strerror(-undone));
    return undone;
}

/* Kills and reaps every process left among this process's children. As a
 * child subreaper, the suite runner inherits whatever a test's servers left
 * behind (a server's own forked child, say, after the server was killed
 * with its test), so this sweeps up all of them and nothing else. */
static void descendants_kill_all(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
    for (int round = 0; round < 100; round++) {
        FILE *f = fopen(path, "r");
        if (f == NULL)
            return;
        int pid;
        int killed = 0;
        while (fscanf(f, "%d", &pid) == 1) {
            kill(pid, SIGKILL);
            killed++;
        }
        fclose(f);
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (killed == 0)
            return;
        harness_sleep_ms(10);
    }
}

int harness_run_suite(Suite *s)
{
    const char *path = getenv("RINGKV_SERVER");
    if (path == NULL || path[0] == '\0' || access(path, X_OK) != 0) {
        fprintf(stderr, "skipping: RINGKV_SERVER (%s) is not an executable\n",
                path != NULL ? path : "unset");
        exit(77);
    }
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    snprintf(harness_root, sizeof(harness_root), "/tmp/ringkv-test-XXXXXX");
    if (mkdtemp(harness_root) == NULL) {
        fprintf(stderr, "mkdtemp %s: %s\n", harness_root, strerror(errno));
        return EXIT_FAILURE;
    }
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    descendants_kill_all();
    remove_tree(harness_root);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void harness_check_mpop_numkeys(struct conn *c, const char *pop, const char *bpop,
                                const char *end)
{
    static const char *const greater = "-ERR numkeys should be greater than 0\r\n";
    static const char *const syntax = "-ERR syntax error\r\n";
    static const struct {
        const char *numkeys;
        bool syntax_error; /* else "numkeys should be greater than 0" */
    } cases[] = {
        {"0", false}, {"-1", false}, {"abc", false}, {"1.5", false},
        {"-9223372036854775808", false}, {"9223372036854775808", false},
        {"2", true}, {"3", true}, {"2147483647", true}, {"2147483648", true},
        {"4294967297", true}, {"9223372036854775807", true},
    };
    char line[160];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *expected = cases[i].syntax_error ? syntax : greater;
        snprintf(line, sizeof(line), "%s %s k1 %s", pop, cases[i].numkeys, end);
        ck_cmd(c, line, expected);
        snprintf(line, sizeof(line), "%s 0.01 %s k1 %s", bpop, cases[i].numkeys, end);
        ck_cmd(c, line, expected);
        /* numkeys is checked before the timeout. */
        snprintf(line, sizeof(line), "%s abc %s k1 %s", bpop, cases[i].numkeys, end);
        ck_cmd(c, line, expected);
    }
}

void harness_fixture_open(struct server_handle **server, struct conn **client)
{
    *server = server_start(NULL);
    *client = conn_open((*server)->port);
}

void harness_fixture_close(struct server_handle **server, struct conn **client)
{
    conn_close(*client);
    server_stop(*server);
    *client = NULL;
    *server = NULL;
}

void harness_reference_open(struct server_handle **ref, struct conn **client)
{
    *ref = NULL;
    *client = NULL;
    if (access(HARNESS_REDIS_SERVER, X_OK) != 0)
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    *ref = server_start_in(HARNESS_REDIS_SERVER, dir, NULL);
    *client = conn_open((*ref)->port);
}

void harness_reference_close(struct server_handle **ref, struct conn **client)
{
    if (*client)
        conn_close(*client);
    if (*ref)
        server_stop(*ref);
    *client = NULL;
    *ref = NULL;
}

/* Length of the RESP multibulk at p (avail bytes), or 0 when it is not one
 * or not complete. */
static size_t harness_resp_record_len(const char *p, size_t avail)
{
    size_t i = 0;
    if (avail < 1 || p[0] != '*')
        return 0;
    char *end;
    const char *nl = memchr(p, '\n', avail);
    if (nl == NULL)
        return 0;
    long count = strtol(p + 1, &end, 10);
    if (end != nl - 1 || count < 0)
        return 0;
    i = (size_t)(nl - p) + 1;
    for (long k = 0; k < count; k++) {
        if (i >= avail || p[i] != '$')
            return 0;
        nl = memchr(p + i, '\n', avail - i);
        if (nl == NULL)
            return 0;
        long blen = strtol(p + i + 1, &end, 10);
        if (end != nl - 1 || blen < 0)
            return 0;
        i = (size_t)(nl - p) + 1 + (size_t)blen + 2;
        if (i > avail)
            return 0;
    }
    return i;
}

static bool harness_is_padding(const char *p, size_t n)
{
    if (n == 0 || p[0] != '#')
        return false;
    for (size_t i = 1; i < n; i++) {
        if (p[i] != ' ' && !(p[i] == '\n' && i == n - 1))
            return false;
    }
    return true;
}

size_t harness_aof_plain(char *buf, size_t len)
{
    static const char header[] = "#ringkv-batch ";
    size_t in = 0, out = 0;
    while (in < len) {
        size_t n;
        if (buf[in] == '#') {
            const char *nl = memchr(buf + in, '\n', len - in);
            n = nl ? (size_t)(nl - (buf + in)) + 1 : len - in;
            bool drop = harness_is_padding(buf + in, n) ||
                        (n > sizeof(header) - 1 && memcmp(buf + in, header, sizeof(header) - 1) == 0);
            if (!drop)
                memmove(buf + out, buf + in, n), out += n;
            in += n;
            continue;
        }
        n = harness_resp_record_len(buf + in, len - in);
        if (n == 0)
            n = len - in; /* a partial record or foreign bytes: kept as they are */
        memmove(buf + out, buf + in, n);
        out += n;
        in += n;
    }
    if (out < len)
        buf[out] = '\0';
    return out;
}

/* ---- other programs ---- */

int harness_free_port(void)
{
    return port_pick();
}

pid_t harness_spawn(const char *const *argv, const char *log_path)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

void harness_spawn_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 500; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        harness_sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

struct conn *conn_open_retry(int port, int timeout_ms)
{
    int64_t deadline = harness_clock_ms() + timeout_ms;
    for (;;) {
        struct conn *c = conn_try_open(port);
        if (c != NULL || harness_clock_ms() >= deadline)
            return c;
        harness_sleep_ms(20);
    }
}

void ck_cmd_eventually(struct conn *c, const char *line, const char *expected)
{
    char *got = NULL;
    for (int i = 0; i < 500; i++) {
        free(got);
        got = conn_cmd(c, line);
        if (strcmp(got, expected) == 0)
            break;
        harness_sleep_ms(20);
    }
    ck_assert_msg(strcmp(got, expected) == 0, "%s: expected %s got %s", line,
                  harness_escape(expected), harness_escape(got));
    free(got);
}
