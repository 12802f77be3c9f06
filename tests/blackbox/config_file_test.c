/* config_file_test.c: black-box tests of starting from redis.conf files.
 *
 * Any Redis 7.0 configuration must start the server: Debian's stock
 * redis.conf, and a file holding every parameter redis-server 7.0.15 reports
 * with CONFIG GET * (asked of a real redis-server started here). Also
 * enable-protected-configs for CONFIG SET dir and dbfilename, the start-up
 * banner (always-show-logo) and its one-line form, and ringkv's log line
 * naming the parameters it accepts without acting on them.
 *
 * The harness puts its own options first, but a configuration file must be
 * the first argument, so servers started from a file are spawned here
 * (file_server_start). Every expectation that is not ringkv-only was
 * checked against redis-server 7.0.15 (RINGKV_SERVER=/usr/bin/redis-server);
 * ringkv-only checks return early there through server_is_redis(). */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The oracle for test_every_redis_parameter and the stock file of test_debian_stock_conf. */
#define REDIS_SERVER_PATH "/usr/bin/redis-server"
#define DEBIAN_CONF_PATH "/etc/redis/redis.conf"
/* CONFIG GET * of redis-server 7.0.15 lists 192 names; room to spare. */
#define PARAMS_MAX 512
#define FILE_SERVER_ARGS_MAX 32

/* Asserts that haystack contains needle. */
#define ck_contains(haystack, needle)                                                   \
    ck_assert_msg(strstr((haystack), (needle)) != NULL, "%s not found in %s",          \
                  harness_escape(needle), harness_escape(haystack))

/* A server started with a configuration file (not through the harness). */
struct file_server {
    pid_t pid;
    int port;
    char dir[256]; /* a harness_make_dir directory: its data dir and server.log */
};

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

static void file_server_dump_log(const struct file_server *s)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/server.log", s->dir);
    char *log = harness_read_file(path, NULL);
    fprintf(stderr, "---- %s ----\n%s\n", path, log ? log : "(none)");
    free(log);
}

/* Whether the server answers PING (any reply) within a second. */
static bool file_server_answers(int port)
{
    struct conn *c = conn_try_open(port);
    if (c == NULL)
        return false;
    const char *ping[] = {"PING"};
    conn_send_argv(c, 1, ping, NULL);
    char *reply = conn_try_read_raw(c, 1000);
    conn_close(c);
    bool ok = reply != NULL;
    free(reply);
    return ok;
}

/* Starts the binary under test as "<binary> <conf> --port P --dir D
 * <extra...>" (extra NULL-terminated, may be NULL), its output in
 * D/server.log, and waits until it answers PING. s->dir must be set. */
static void file_server_start(struct file_server *s, const char *conf, const char *const *extra)
{
    const char *argv[FILE_SERVER_ARGS_MAX + 1];
    char port_text[16];
    int argc = 0;
    s->port = free_port();
    snprintf(port_text, sizeof(port_text), "%d", s->port);
    const char *fixed[] = {server_binary(), conf, "--port", port_text, "--dir", s->dir};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        argv[argc++] = fixed[i];
    for (int i = 0; extra != NULL && extra[i] != NULL; i++) {
        ck_assert_int_lt(argc, FILE_SERVER_ARGS_MAX);
        argv[argc++] = extra[i];
    }
    argv[argc] = NULL;
    char log_path[300];
    snprintf(log_path, sizeof(log_path), "%s/server.log", s->dir);
    pid_t parent = getpid();
    s->pid = fork();
    ck_assert_msg(s->pid >= 0, "fork: %s", strerror(errno));
    if (s->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    for (int waited_ms = 0; waited_ms < HARNESS_START_TIMEOUT_MS; waited_ms += 20) {
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            file_server_dump_log(s);
            ck_abort_msg("%s exited during start-up (status %d)", argv[0], status);
        }
        if (file_server_answers(s->port))
            return;
        harness_sleep_ms(20);
    }
    file_server_dump_log(s);
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    ck_abort_msg("%s did not answer PING", argv[0]);
}

/* SIGTERM, then SIGKILL after 5 s; the directory stays for the suite. */
static void file_server_stop(struct file_server *s)
{
    kill(s->pid, SIGTERM);
    for (int waited_ms = 0; waited_ms < 5000; waited_ms += 20) {
        if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
            return;
        harness_sleep_ms(20);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
}

/* Copies the file at from to to; false if from cannot be read. */
static bool copy_file(const char *from, const char *to)
{
    size_t len;
    char *text = harness_read_file(from, &len);
    if (text == NULL)
        return false;
    FILE *f = fopen(to, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(text, 1, len, f), len);
    fclose(f);
    free(text);
    return true;
}

/* The reply to CONFIG GET name holding exactly that pair, as RESP2 bytes. */
static char *config_pair_reply(const char *name, const char *value)
{
    char *out;
    ck_assert_int_ge(asprintf(&out, "*2\r\n$%zu\r\n%s\r\n$%zu\r\n%s\r\n", strlen(name), name,
                              strlen(value), value),
                     0);
    return out;
}

static void ck_config_get(struct conn *c, const char *name, const char *value)
{
    const char *argv[] = {"CONFIG", "GET", name};
    char *reply = conn_cmd_argv(c, 3, argv, NULL);
    char *expected = config_pair_reply(name, value);
    ck_assert_msg(strcmp(reply, expected) == 0, "CONFIG GET %s: expected %s got %s", name,
                  harness_escape(expected), harness_escape(reply));
    free(reply);
    free(expected);
}

/* Debian's stock redis.conf, with what must differ for a test (its
 * directory, port, daemonize, log and pid files, bind) overridden on the
 * command line after it, as Redis allows. */
START_TEST(test_debian_stock_conf)
{
    struct file_server s;
    char conf[300];
    harness_make_dir(s.dir, sizeof(s.dir));
    snprintf(conf, sizeof(conf), "%s/redis.conf", s.dir);
    if (!copy_file(DEBIAN_CONF_PATH, conf)) {
        fprintf(stderr, "config_file_test: %s not readable, stock-file test not run\n",
                DEBIAN_CONF_PATH);
        return;
    }
    char pidfile[300];
    snprintf(pidfile, sizeof(pidfile), "%s/redis.pid", s.dir);
    const char *extra[] = {"--daemonize", "no",      "--logfile", "",           "--pidfile",
                           pidfile,       "--bind",  "127.0.0.1", "--save",     "",
                           NULL};
    file_server_start(&s, conf, extra);
    struct conn *c = conn_open(s.port);
    ck_cmd(c, "PING", "+PONG\r\n");
    ck_cmd(c, "SET k v", "+OK\r\n");
    ck_cmd(c, "GET k", "$1\r\nv\r\n");
    ck_config_get(c, "client-output-buffer-limit",
                  "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    ck_config_get(c, "notify-keyspace-events", "");
    ck_config_get(c, "replica-read-only", "yes");
    ck_config_get(c, "oom-score-adj-values", "0 200 800");
    ck_config_get(c, "proc-title-template", "{title} {listen-addr} {server-mode}");
    conn_close(c);
    file_server_stop(&s);
}
END_TEST

/* Reads one RESP2 bulk string at *at; returns it owned and moves *at past it. */
static char *resp_take_bulk(const char **at)
{
    ck_assert_msg(**at == '$', "expected a bulk string at %s", harness_escape(*at));
    char *end;
    long len = strtol(*at + 1, &end, 10);
    ck_assert(len >= 0 && end[0] == '\r' && end[1] == '\n');
    char *out = strndup(end + 2, (size_t)len);
    ck_assert_ptr_nonnull(out);
    *at = end + 2 + len + 2;
    return out;
}

/* Writes value as one redis.conf word: quoted, with '\\' and '"' escaped. */
static void conf_write_word(FILE *f, const char *value)
{
    fputc('"', f);
    for (const char *c = value; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\')
            fputc('\\', f);
        fputc(*c, f);
    }
    fputc('"', f);
}

/* Every name redis-server 7.0.15 lists in CONFIG GET *, with its value,
 * written as a file: the server under test must start from it and report
 * each name with the same value (dir and port excepted: they are this
 * test's own). An empty replicaof, which a file cannot say, is written as
 * "no one", its equivalent. */
START_TEST(test_every_redis_parameter)
{
    if (access(REDIS_SERVER_PATH, X_OK) != 0) {
        fprintf(stderr, "config_file_test: %s not installed, CONFIG GET * test not run\n",
                REDIS_SERVER_PATH);
        return;
    }
    char oracle_dir[256];
    harness_make_dir(oracle_dir, sizeof(oracle_dir));
    struct server_handle *oracle = server_start_in(REDIS_SERVER_PATH, oracle_dir, NULL);
    struct conn *c = conn_open(oracle->port);
    char *all = conn_cmd(c, "CONFIG GET *");
    conn_close(c);
    server_stop(oracle);

    static char *names[PARAMS_MAX], *values[PARAMS_MAX];
    ck_assert_msg(all[0] == '*', "CONFIG GET *: %s", harness_escape(all));
    long count = strtol(all + 1, NULL, 10) / 2;
    ck_assert(count > 100 && count <= PARAMS_MAX);
    const char *at = strstr(all, "\r\n") + 2;
    struct file_server s;
    char conf[300];
    harness_make_dir(s.dir, sizeof(s.dir));
    snprintf(conf, sizeof(conf), "%s/all.conf", s.dir);
    FILE *f = fopen(conf, "w");
    ck_assert_ptr_nonnull(f);
    for (long i = 0; i < count; i++) {
        names[i] = resp_take_bulk(&at);
        values[i] = resp_take_bulk(&at);
        bool no_master = (strcmp(names[i], "replicaof") == 0 || strcmp(names[i], "slaveof") == 0) &&
                         values[i][0] == '\0';
        if (no_master) {
            fprintf(f, "%s no one\n", names[i]);
            continue;
        }
        fprintf(f, "%s ", names[i]);
        conf_write_word(f, strcmp(names[i], "dir") == 0 ? s.dir : values[i]);
        fputc('\n', f);
    }
    fclose(f);
    free(all);

    file_server_start(&s, conf, NULL);
    c = conn_open(s.port);
    for (long i = 0; i < count; i++) {
        if (strcmp(names[i], "dir") == 0 || strcmp(names[i], "port") == 0) {
            const char *argv[] = {"CONFIG", "GET", names[i]};
            char *reply = conn_cmd_argv(c, 3, argv, NULL);
            ck_assert_msg(strncmp(reply, "*2\r\n", 4) == 0, "CONFIG GET %s: %s", names[i],
                          harness_escape(reply));
            free(reply);
        } else {
            ck_config_get(c, names[i], values[i]);
        }
        free(names[i]);
        free(values[i]);
    }
    conn_close(c);
    file_server_stop(&s);
}
END_TEST

/* Redis 7.0's protected configs: with enable-protected-configs no (the
 * default) CONFIG SET dir and dbfilename are refused; yes allows them, and
 * so does local from a loopback client. The option itself is immutable. */
START_TEST(test_protected_configs)
{
    static const char *const modes[] = {NULL, "yes", "local"};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        const char *extra[] = {"--enable-protected-configs", modes[i], NULL};
        struct server_handle *h = server_start(modes[i] ? extra : NULL);
        struct conn *c = conn_open(h->port);
        const char *set_dir[] = {"CONFIG", "SET", "dir", h->dir};
        const char *set_file[] = {"CONFIG", "SET", "dbfilename", "other.rdb"};
        char *dir_reply = conn_cmd_argv(c, 4, set_dir, NULL);
        char *file_reply = conn_cmd_argv(c, 4, set_file, NULL);
        if (modes[i] == NULL) {
            ck_assert_str_eq(dir_reply, "-ERR CONFIG SET failed (possibly related to argument "
                                        "'dir') - can't set protected config\r\n");
            ck_assert_str_eq(file_reply, "-ERR CONFIG SET failed (possibly related to argument "
                                         "'dbfilename') - can't set protected config\r\n");
            ck_config_get(c, "dbfilename", "dump.rdb");
            ck_config_get(c, "enable-protected-configs", "no");
        } else {
            ck_assert_str_eq(dir_reply, "+OK\r\n");
            ck_assert_str_eq(file_reply, "+OK\r\n");
            ck_config_get(c, "dbfilename", "other.rdb");
            ck_config_get(c, "enable-protected-configs", modes[i]);
        }
        free(dir_reply);
        free(file_reply);
        ck_cmd(c, "CONFIG SET enable-protected-configs yes",
               "-ERR CONFIG SET failed (possibly related to argument 'enable-protected-configs') "
               "- can't set immutable config\r\n");
        conn_close(c);
        server_stop(h);
    }
}
END_TEST

static char *server_log(const struct server_handle *h)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/server.log", h->dir);
    char *log = harness_read_file(path, NULL);
    ck_assert_ptr_nonnull(log);
    return log;
}

/* ringkv names, in one start-up line, the parameters set away from their
 * defaults that it does not act on yet. */
START_TEST(test_no_effect_line)
{
    if (server_is_redis())
        return;
    const char *extra[] = {"--maxmemory", "100mb", "--maxmemory-clients", "10%", NULL};
    struct server_handle *h = server_start(extra);
    char *log = server_log(h);
    ck_contains(log, "# Accepted, no effect yet: maxmemory-clients\n");
    free(log);
    server_stop(h);

    h = server_start(NULL);
    log = server_log(h);
    ck_assert_msg(strstr(log, "no effect yet") == NULL, "%s", log);
    free(log);
    server_stop(h);
}
END_TEST

/* always-show-logo yes prints Redis's banner with the "PID:" field Redis's
 * test tools read; no (the default, with the log not a terminal) prints its
 * one-line form. */
START_TEST(test_banner)
{
    const char *extra[] = {"--always-show-logo", "yes", NULL};
    struct server_handle *h = server_start(extra);
    char *log = server_log(h), line[64];
    snprintf(line, sizeof(line), "     PID: %d\n", (int)h->pid);
    ck_contains(log, line);
    snprintf(line, sizeof(line), "     Port: %d\n", h->port);
    ck_contains(log, line);
    ck_contains(log, "     Running in standalone mode\n");
    free(log);
    server_stop(h);

    h = server_start(NULL);
    log = server_log(h);
    snprintf(line, sizeof(line), " * Running mode=standalone, port=%d.\n", h->port);
    ck_contains(log, line);
    ck_assert_msg(strstr(log, "PID:") == NULL, "%s", log);
    free(log);
    server_stop(h);
}
END_TEST

static Suite *config_file_suite(void)
{
    Suite *s = suite_create("config_file");
    TCase *tc = tcase_create("config_file");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_debian_stock_conf);
    tcase_add_test(tc, test_every_redis_parameter);
    tcase_add_test(tc, test_protected_configs);
    tcase_add_test(tc, test_no_effect_line);
    tcase_add_test(tc, test_banner);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return harness_run_suite(config_file_suite());
}
