/* harness.h: black-box test support. Starts the server binary named by the
 * RINGKV_SERVER environment variable (ringkv-server, or redis-server to check
 * that a test's expectations are Redis 7.0's) on a free loopback port in a
 * fresh temporary directory, and talks raw RESP to it.
 *
 * Assertions compare raw reply bytes, so a test pins Redis's exact reply
 * type and text. Every helper fails the current check test (ck_abort) on a
 * timeout or I/O error rather than hanging: reads time out after
 * HARNESS_READ_TIMEOUT_MS. */
#ifndef RINGKV_TESTS_SERVER_HARNESS_H
#define RINGKV_TESTS_SERVER_HARNESS_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HARNESS_READ_TIMEOUT_MS 20000
#define HARNESS_START_TIMEOUT_MS 10000

struct server_handle {
    pid_t pid;
    int port;
    char dir[256]; /* temporary data directory, removed by server_stop */
};

struct conn;

/* Path of the binary under test ($RINGKV_SERVER). */
const char *server_binary(void);
/* True when the binary under test is redis-server (for the few ringkv-only
 * behaviours a test must skip against the oracle). */
bool server_is_redis(void);

/* Starts the server with "--port P --dir D --bind 127.0.0.1 --save '' --appendonly no"
 * followed by extra_args (NULL-terminated, may be NULL), and waits until it
 * answers PING. A first extra argument that does not start with "--" is a
 * configuration file and goes before the options, where redis-server takes
 * it. Returns owned handle. */
struct server_handle *server_start(const char *const *extra_args);
/* Like server_start, but runs binary (ringkv-server or redis-server) in the
 * existing directory dir, which server_stop leaves in place (restarts on
 * the same data; the caller removes it, or the suite's root does). */
struct server_handle *server_start_in(const char *binary, const char *dir,
                                      const char *const *extra_args);
/* Creates a fresh directory under the suite's temporary root (removed with
 * it) and writes its path into out. */
void harness_make_dir(char *out, size_t out_len);
/* SIGTERM, wait up to 5 s, then SIGKILL; removes the directory; frees h.
 * Returns the exit status as from waitpid (for shutdown tests). A server
 * that fails or hangs has its log printed to stderr, and a hung one its
 * threads' stacks too (with gdb), before the test fails. */
int server_stop(struct server_handle *h);
/* Whether the process is still running. */
bool server_alive(struct server_handle *h);
/* Sends sig to the server (none when sig is 0), waits up to 5 s for it to
 * exit, then SIGKILLs it. Unlike server_stop it does not judge how the
 * server ended: it returns the waitpid status, for crash tests. Removes the
 * directory only if server_start made it; frees h. */
int server_kill(struct server_handle *h, int sig);
/* Like server_start_in, but a server that exits during start-up is an
 * expected outcome, not a failure: then it returns NULL and stores the
 * waitpid status in *exit_status. One attempt only, so a refusal is not
 * retried. A server that runs but never answers still fails the test. */
struct server_handle *server_try_start_in(const char *binary, const char *dir,
                                          const char *const *extra_args, int *exit_status);
/* Like server_start_in, but on the given port (one attempt: a server that
 * exits at start-up, say because the port is taken, fails the test). For
 * a server restarted where others (Sentinel, its replicas) know it. */
struct server_handle *server_start_on_port(const char *binary, const char *dir, int port,
                                           const char *const *extra_args);
/* Like server_start_in and server_try_start_in, with env ("NAME=value"
 * strings, NULL-terminated, may be NULL; borrowed for the call) added to the
 * server's environment. */
struct server_handle *server_start_in_env(const char *binary, const char *dir,
                                          const char *const *extra_args, const char *const *env);
struct server_handle *server_try_start_in_env(const char *binary, const char *dir,
                                              const char *const *extra_args,
                                              const char *const *env, int *exit_status);
/* Waits up to timeout_ms for the server to exit by itself (SHUTDOWN, a
 * signal). Returns the waitpid status, or -1 if it is still running. The
 * handle stays valid: call server_stop afterwards to free it. */
int server_wait_exit(struct server_handle *h, int timeout_ms);

/* Extra server arguments built up name by name, for server_start_in and
 * friends: v is NULL-terminated and borrows its strings. */
#define SERVER_ARGS_MAX 24
struct server_args {
    const char *v[SERVER_ARGS_MAX + 1];
    int n;
};
/* Appends "name value" (both borrowed until the server is started). */
void server_args_add(struct server_args *a, const char *name, const char *value);

/* Connects to 127.0.0.1:port. Returns owned connection. */
struct conn *conn_open(int port);
/* Same but returns NULL instead of failing the test when connect fails. */
struct conn *conn_try_open(int port);
void conn_close(struct conn *c);
int conn_fd(struct conn *c);

void conn_send_raw(struct conn *c, const void *buf, size_t len);
/* Like conn_send_raw, but returns false instead of failing when the server
 * has closed the connection (a test that expects it to, mid-stream). */
bool conn_try_send_raw(struct conn *c, const void *buf, size_t len);
/* Sends argv as a RESP multibulk. lens may be NULL (strlen is used). */
void conn_send_argv(struct conn *c, int argc, const char *const *argv, const size_t *lens);
/* Splits line on single spaces (no quoting; use conn_send_argv for values
 * with spaces or binary data) and sends it as a multibulk. Every space is a
 * separator, so "a  b" and "a " carry an empty argument. */
void conn_send(struct conn *c, const char *line);

/* Reads exactly one complete reply (nested aggregates included) and returns
 * its raw bytes, NUL-terminated, owned by the caller (free()). */
char *conn_read_raw(struct conn *c);
/* Like conn_read_raw, but returns NULL instead of failing the test when no
 * whole reply arrives within timeout_ms of silence or the peer closes. */
char *conn_try_read_raw(struct conn *c, int timeout_ms);
/* Returns true if the peer closed the connection within timeout_ms (reading
 * and discarding any bytes that arrive first). */
bool conn_wait_closed(struct conn *c, int timeout_ms);

/* conn_send(line) then conn_read_raw. */
char *conn_cmd(struct conn *c, const char *line);

/* conn_send_argv then conn_read_raw. */
char *conn_cmd_argv(struct conn *c, int argc, const char *const *argv, const size_t *lens);

/* Asserts that the reply to line is exactly expected (raw RESP). */
#define ck_cmd(c, line, expected)                                                   \
    do {                                                                            \
        char *ck_cmd_reply_ = conn_cmd((c), (line));                                \
        ck_assert_msg(strcmp(ck_cmd_reply_, (expected)) == 0,                      \
                      "%s: expected %s got %s", (line), harness_escape(expected),   \
                      harness_escape(ck_cmd_reply_));                              \
        free(ck_cmd_reply_);                                                        \
    } while (0)

/* Asserts that the reply to line starts with prefix. */
#define ck_cmd_prefix(c, line, prefix)                                              \
    do {                                                                            \
        char *ck_cmd_reply_ = conn_cmd((c), (line));                                \
        ck_assert_msg(strncmp(ck_cmd_reply_, (prefix), strlen(prefix)) == 0,        \
                      "%s: expected prefix %s got %s", (line), harness_escape(prefix), \
                      harness_escape(ck_cmd_reply_));                              \
        free(ck_cmd_reply_);                                                        \
    } while (0)

/* Polls until the reply to line on c is expected, for changes the server
 * makes a little later (a disconnect seen, a replica's link up); fails
 * after 10 s. */
void ck_cmd_eventually(struct conn *c, const char *line, const char *expected);

/* Asserts that the next reply read from c is exactly expected (a push, a
 * subscriber's message, a paused command's late reply). */
#define ck_read(c, expected)                                                        \
    do {                                                                            \
        char *ck_read_got_ = conn_read_raw(c);                                      \
        ck_assert_msg(strcmp(ck_read_got_, (expected)) == 0, "expected %s got %s",  \
                      harness_escape(expected), harness_escape(ck_read_got_));      \
        free(ck_read_got_);                                                         \
    } while (0)

/* Asserts that nothing arrives on c within 200 ms. */
#define ck_silent(c)                                                                \
    do {                                                                            \
        char *ck_silent_got_ = conn_try_read_raw((c), 200);                          \
        ck_assert_msg(ck_silent_got_ == NULL, "unexpected %s",                      \
                      ck_silent_got_ ? harness_escape(ck_silent_got_) : "");        \
        free(ck_silent_got_);                                                       \
    } while (0)

/* Returns a printable copy (\r\n shown as \r\n) in a rotating static buffer,
 * for assertion messages. */
const char *harness_escape(const char *s);

/* Runs a shell command, returns its exit status (for redis-cli / redis-benchmark). */
int harness_system(const char *fmt, ...);

/* Runs a shell command with stdout and stderr captured; stores its exit
 * status in *status (may be NULL) and returns the output, owned (free()). */
char *harness_output(int *status, const char *fmt, ...);

/* Returns the whole file at path, NUL-terminated (the NUL not counted in
 * *len; len may be NULL), owned by the caller; NULL if it cannot be read. */
char *harness_read_file(const char *path, size_t *len);
/* An INCR file of ringkv's as Redis would have written it: removes, in
 * place, ringkv's batch header lines ("#ringkv-batch ...") and padding
 * lines ('#', spaces, '\n', or a last '#' and spaces without '\n') where a
 * record or annotation may start; records and other annotations (#TS) stay
 * byte for byte. A file of Redis's comes back unchanged. Returns the new
 * length. */
size_t harness_aof_plain(char *buf, size_t len);
/* Returns the names in directory dir ("." and ".." left out), sorted, each
 * followed by '\n', owned by the caller; NULL if dir cannot be opened. */
char *harness_list_dir(const char *dir);

/* The usual fixture: a server with default settings (server_start(NULL))
 * and one connection to it, into *server and *client; closed and stopped
 * by harness_fixture_close. A suite's setup and teardown call these. */
void harness_fixture_open(struct server_handle **server, struct conn **client);
void harness_fixture_close(struct server_handle **server, struct conn **client);

/* The reference redis-server beside the server under test, for tests that
 * compare replies: started in a fresh directory with default arguments when
 * HARNESS_REDIS_SERVER is installed; *ref and *client stay NULL otherwise.
 * harness_reference_close takes either state. */
#define HARNESS_REDIS_SERVER "/usr/bin/redis-server"
void harness_reference_open(struct server_handle **ref, struct conn **client);
void harness_reference_close(struct server_handle **ref, struct conn **client);

/* LMPOP/BLMPOP and ZMPOP/BZMPOP share one numkeys rule (Redis 7.0.15's,
 * checked against redis-server): 0, negative, non-integer or out-of-range
 * values reply "numkeys should be greater than 0", a count that leaves no
 * room for the end word a syntax error, and numkeys is checked before the
 * timeout. Sends pop ("LMPOP"), bpop ("BLMPOP") with each numkeys on key
 * k1 and end word end ("LEFT"), asserting each reply. */
void harness_check_mpop_numkeys(struct conn *c, const char *pop, const char *bpop,
                                const char *end);

/* Time for tests: a monotonic clock for deadlines, the wall clock to
 * compare with absolute expiry times the server reports; and a sleep. */
int64_t harness_clock_ms(void);
int64_t harness_wall_ms(void);
void harness_sleep_ms(int ms);
/* conn_cmd(line), asserting an integer reply; returns its value. */
long long conn_cmd_integer(struct conn *c, const char *line);

/* The value of field in the reply to INFO (default sections, which hold
 * every persistence field and total_forks), owned (free()); NULL when the
 * reply has no such field. */
char *conn_info_field(struct conn *c, const char *field);
/* Whether INFO has field and its value is exactly value. */
bool conn_info_is(struct conn *c, const char *field, const char *value);
/* PINGs until +PONG, for a server that may still be loading its data (the
 * harness takes any reply to PING as ready, and -LOADING is one). Fails the
 * test on any other reply, or if it still loads after timeout_ms. */
void conn_wait_loaded(struct conn *c, int timeout_ms);

/* ---- The filesystem fault shim (tests/fault/fsfault.c) ----
 *
 * An LD_PRELOAD library ($RINGKV_FSFAULT) that logs the server's directory
 * changes and libc fsyncs, backs up what a rename replaces or an unlink
 * removes, and fails calls the control file's rules match. Its header
 * comment describes the log, the rules and what it cannot see (io_uring). */
struct fsfault {
    char log[512];         /* FSFAULT_LOG */
    char ctl[512];         /* FSFAULT_CTL */
    char backup[512];      /* FSFAULT_BACKUP */
    char env_text[6][600]; /* storage behind env */
    const char *env[7];    /* NULL-terminated, for server_start_in_env */
};
/* Whether the shim was built ($RINGKV_FSFAULT set and readable); tests
 * skip (pass with a note on stderr) otherwise. */
bool fsfault_available(void);
/* A fresh, empty log, an empty control file and a backup directory in a
 * new harness directory; fills env with LD_PRELOAD, the FSFAULT_* variables
 * and ASAN_OPTIONS that keep a sanitized binary working with a library
 * preloaded ahead of its runtime (verify_asan_link_order=0, after the
 * suite's own ASAN_OPTIONS). Fails the test if the shim is not available. */
void fsfault_init(struct fsfault *f);
/* Writes f's env as shell words ('NAME=value' ...) into out, for
 * "env <words> command" through harness_system or harness_output. */
void fsfault_shell_env(const struct fsfault *f, char *out, size_t out_len);
/* Replaces the control file's rules with rules (lines separated by '\n';
 * "" disarms). Atomic for the server: a temp file renamed over the old one.
 * Each call's text is unique (a comment line says which arming it is), so
 * arming the same rules again makes "once" rules fire again. */
void fsfault_arm(const struct fsfault *f, const char *rules);
/* The log's text ("" before any logged call), owned (free()). */
char *fsfault_log(const struct fsfault *f);
/* A power cut, after the server was SIGKILLed (server_kill(h, SIGKILL):
 * start it with server_start_in_env in a harness_make_dir directory, which
 * server_kill leaves in place). Undoes, newest first, every logged
 * directory change that no later fsync of its directory made durable,
 * under POSIX's strict rule: an entry created, renamed or removed in
 * directory D is durable only after an fsync of D that comes after it in
 * the log; a rename needs both its source and target directories fsynced
 * after it. Undo: mkdir -> remove the directory tree; create -> remove the
 * file if it still has that name; rename -> move it back and restore the
 * replaced target from its backup; unlink -> restore from backup. Returns
 * the number of changes undone. File contents are left as they are. The
 * algorithm is tests/fault/powercut.c's (powercut_apply); this fails the
 * test when it returns an error (an unreadable log, a failed undo). */
int fsfault_power_cut(const struct fsfault *f);

/* ---- Other programs beside the server (nutcracker, redis-sentinel) ---- */

/* A free loopback port (bound once and released, as servers get theirs). */
int harness_free_port(void);
/* Starts argv[0] (a path) with argv, stdout and stderr appended to
 * log_path, in its own process group, killed if the test dies. Returns its
 * pid; fails the test if it cannot be started. */
pid_t harness_spawn(const char *const *argv, const char *log_path);
/* SIGTERM, up to 5 s, then SIGKILL, and reaps pid. */
void harness_spawn_stop(pid_t pid);
/* Opens a connection to port, retrying until timeout_ms passes (a program
 * that is still starting); NULL if it never accepts. */
struct conn *conn_open_retry(int port, int timeout_ms);

/* Standard main for a suite: runs it with CK_FORK, returns EXIT_SUCCESS or
 * EXIT_FAILURE; exits 77 (skip) if RINGKV_SERVER is unset or not executable. */
int harness_run_suite(Suite *s);

#endif
