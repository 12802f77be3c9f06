/* diskfull_test.c: a failing disk refuses new writes at once (issue 14).
 *
 * Under appendfsync always, once an AOF write fails because the disk is
 * full, the server must:
 *   a) refuse a new connection's write with Redis 7.0's
 *      "-MISCONF Errors writing to the AOF file: ..." within a second;
 *   b) refuse PING the same way (Redis 7.0 does);
 *   c) still answer a read of a key written (and made durable) long
 *      before, within a second;
 *   d) answer INFO persistence, with aof_last_write_status:err;
 *   e) keep refusing writes while the disk stays full: the once-a-second
 *      retry that fails again must not let a write in, not even briefly;
 * and once space returns, answer everything the writing client sent
 * (+OK or -MISCONF), accept writes again, and after a SIGKILL and restart
 * hold every write it acknowledged (and none it refused).
 * Each test runs this with the direct writer (aof-direct-io yes, the
 * default) and with the buffered one (aof-direct-io no).
 *
 * The "full disk" is RLIMIT_FSIZE, set on the running server with
 * prlimit(2) a little above the INCR file's current size, so no root and
 * no small mount are needed. For the writer it is the same kernel path as
 * a full disk: a write that would extend the file past the limit fails
 * (short, then EFBIG instead of ENOSPC), while writes inside the file's
 * current size still succeed. The signal the kernel also sends (SIGXFSZ,
 * which would kill a process by default) is ignored here before the server
 * is started, and an ignored signal stays ignored across fork and exec
 * (ringkv ignores it itself as well).
 *
 * Requirement (e) is a race with the retry's loop iteration, so it is
 * watched for several retries by connections that keep SETs in flight all
 * the time (a write let in shows as +OK or, under always, as a reply that
 * never comes while the disk is full). A violation is reported as the
 * test's failure at the end: recovery and restart still run, so one run
 * shows every requirement.
 *
 * ringkv-only: Redis 7.0 exits on an AOF write error under always, so each
 * test returns at once when RINGKV_SERVER is redis-server. */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <check.h>
#include <errno.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Set A: written before the disk fills, all acknowledged. */
#define SET_A_KEYS 200
#define SET_A_VALUE_LEN 100
/* The fill: SET f:<i> <FILL_VALUE_LEN bytes>, FILL_CHUNK_KEYS at a time,
 * pipelined, at most FILL_MAX_BYTES of commands or FILL_TIMEOUT_MS. */
#define FILL_VALUE_LEN 4000
#define FILL_CHUNK_KEYS 16
/* A new chunk goes out while fewer SETs than this wait for replies: the
 * server's batches stay small, so the failure finds the log well inside
 * its pre-written space (where a retry's own writes succeed). */
#define FILL_UNANSWERED_MAX (2 * FILL_CHUNK_KEYS)
#define FILL_MAX_BYTES ((size_t)64 << 20)
#define FILL_MAX_KEYS (FILL_MAX_BYTES / FILL_VALUE_LEN + FILL_CHUNK_KEYS)
#define FILL_TIMEOUT_MS 20000
/* How often, and how long for a reply, the fill probes with SET probe x. */
#define FILL_PROBE_EVERY_MS 50
#define FILL_PROBE_WAIT_MS 250
/* The limit is the INCR's size plus this. */
#define LIMIT_HEADROOM_BYTES 4096
/* Bound on a refusal, a read, INFO (requirements a to e). */
#define ANSWER_WITHIN_MS 1000
/* Requirement e: how long writes are watched, how often a new connection
 * probes, how many connections hammer and how many SETs each keeps in
 * flight. */
/* Retries come once a second: 3.2 s holds at least three of them. */
#define STILL_REFUSED_MS 3200
#define STILL_REFUSED_PROBE_EVERY_MS 250
#define STILL_REFUSED_PROBES_MAX 32
#define HAMMERS 8
#define HAMMER_IN_FLIGHT 64
/* Space returns: everything answered and writes accepted within this. */
#define RECOVER_MS 10000

static const char misconf_prefix[] = "-MISCONF Errors writing to the AOF file:";

/* aof-direct-io of each loop iteration. */
static const char *const direct_io[] = {"yes", "no"};

static bool is_misconf(const char *reply)
{
    return reply != NULL && strncmp(reply, misconf_prefix, strlen(misconf_prefix)) == 0;
}

static struct server_args diskfull_args(const char *direct)
{
    struct server_args a = {.n = 0};
    server_args_add(&a, "--appendonly", "yes");
    server_args_add(&a, "--appendfsync", "always");
    server_args_add(&a, "--aof-prewrite-size", "1mb"); /* the smallest allowed */
    server_args_add(&a, "--auto-aof-rewrite-percentage", "0");
    server_args_add(&a, "--aof-direct-io", direct);
    return a;
}

/* The soft RLIMIT_FSIZE of pid (the hard limit stays as it is). */
static void fsize_limit(pid_t pid, rlim_t bytes)
{
    struct rlimit old;
    ck_assert_msg(prlimit(pid, RLIMIT_FSIZE, NULL, &old) == 0, "prlimit: %s", strerror(errno));
    struct rlimit limit = {.rlim_cur = bytes, .rlim_max = old.rlim_max};
    ck_assert_msg(prlimit(pid, RLIMIT_FSIZE, &limit, NULL) == 0, "prlimit: %s", strerror(errno));
}

/* Size of the INCR file under dir/appendonlydir (the last one, should there
 * be several); its path into path. */
static long incr_size(const char *dir, char *path, size_t path_len)
{
    char pattern[512];
    snprintf(pattern, sizeof(pattern), "%s/appendonlydir/*.incr.aof", dir);
    glob_t g;
    ck_assert_msg(glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0, "no INCR file matches %s",
                  pattern);
    snprintf(path, path_len, "%s", g.gl_pathv[g.gl_pathc - 1]);
    globfree(&g);
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
    return (long)st.st_size;
}

/* The value of key i of set A ('A') or of the fill ('F'): "<tag><i>:" then
 * letters, len bytes in all, NUL-terminated. */
static void value_of(char tag, long i, char *out, size_t len)
{
    int n = snprintf(out, len + 1, "%c%ld:", tag, i);
    for (size_t j = (size_t)n; j < len; j++)
        out[j] = (char)('a' + (j + (size_t)i) % 26);
    out[len] = '\0';
}

/* Opens a new connection, sends line and waits up to timeout_ms for the
 * reply; returns it (owned) or NULL, and in *ms (may be NULL) the time from
 * the connect to the reply (or to giving up). */
static char *fresh_cmd(int port, const char *line, int timeout_ms, int64_t *ms)
{
    int64_t t0 = harness_clock_ms();
    struct conn *c = conn_open(port);
    conn_send(c, line);
    char *reply = conn_try_read_raw(c, timeout_ms);
    if (ms != NULL)
        *ms = harness_clock_ms() - t0;
    conn_close(c);
    return reply;
}

/* ---- The writing client: a pipeline sent without blocking ---- */

struct fill {
    struct conn *c;
    char *out;             /* bytes not yet taken by the socket: [out_off, out_len) */
    size_t out_len;
    size_t out_off;
    size_t out_cap;
    size_t bytes;          /* command bytes queued so far */
    long sent;             /* SETs queued: f:0 .. f:<sent-1> */
    long replied;          /* replies read, in order */
    long ok;               /* of which +OK */
    unsigned char *status; /* per key: FILL_* */
};

enum { FILL_PENDING = 0, FILL_OK = 1, FILL_REFUSED = 2 };

static void fill_append(struct fill *f, const void *bytes, size_t len)
{
    if (f->out_len + len > f->out_cap) {
        f->out_cap = (f->out_len + len) * 2;
        f->out = realloc(f->out, f->out_cap);
        ck_assert_ptr_nonnull(f->out);
    }
    memcpy(f->out + f->out_len, bytes, len);
    f->out_len += len;
}

/* Queues the next FILL_CHUNK_KEYS SETs. */
static void fill_queue_chunk(struct fill *f)
{
    if (f->out_off == f->out_len)
        f->out_off = f->out_len = 0;
    static char value[FILL_VALUE_LEN + 1];
    for (int k = 0; k < FILL_CHUNK_KEYS; k++) {
        ck_assert_int_lt(f->sent, (long)FILL_MAX_KEYS);
        char key[32];
        int key_len = snprintf(key, sizeof(key), "f:%ld", f->sent);
        value_of('F', f->sent, value, FILL_VALUE_LEN);
        char head[96];
        int n = snprintf(head, sizeof(head), "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n", key_len, key,
                         FILL_VALUE_LEN);
        size_t before = f->out_len;
        fill_append(f, head, (size_t)n);
        fill_append(f, value, FILL_VALUE_LEN);
        fill_append(f, "\r\n", 2);
        f->bytes += f->out_len - before;
        f->sent++;
    }
}

/* Sends what the socket takes now. Returns whether anything was sent. */
static bool fill_pump(struct fill *f)
{
    bool progress = false;
    while (f->out_off < f->out_len) {
        ssize_t n = send(conn_fd(f->c), f->out + f->out_off, f->out_len - f->out_off,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            f->out_off += (size_t)n;
            progress = true;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        ck_assert_msg(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK),
                      "writing client: send failed: %s", n < 0 ? strerror(errno) : "returned 0");
        break;
    }
    return progress;
}

static bool fill_all_sent(const struct fill *f)
{
    return f->out_off == f->out_len;
}

/* Reads the replies that have arrived (waiting up to wait_ms for the
 * first); each must be +OK or -MISCONF. Returns how many were read. */
static long fill_drain(struct fill *f, int wait_ms)
{
    long got = 0;
    char *reply;
    while ((reply = conn_try_read_raw(f->c, got == 0 ? wait_ms : 0)) != NULL) {
        ck_assert_msg(f->replied < f->sent, "writing client: a reply to no command: %s",
                      harness_escape(reply));
        long i = f->replied++;
        if (strcmp(reply, "+OK\r\n") == 0) {
            f->status[i] = FILL_OK;
            f->ok++;
        } else {
            ck_assert_msg(is_misconf(reply), "writing client: SET f:%ld: %s", i,
                          harness_escape(reply));
            f->status[i] = FILL_REFUSED;
        }
        free(reply);
        got++;
    }
    return got;
}

/* ---- Requirement e: writes stay refused while the disk is full ---- */

/* Keys set to "x" whose SET was acknowledged (+OK) while writes should
 * have been refused: the restart must still hold them. */
struct acked {
    char **keys;
    size_t n;
    size_t cap;
};

static void acked_add(struct acked *a, const char *key)
{
    if (a->n == a->cap) {
        a->cap = a->cap * 2 + 16;
        a->keys = realloc(a->keys, a->cap * sizeof(*a->keys));
        ck_assert_ptr_nonnull(a->keys);
    }
    a->keys[a->n] = strdup(key);
    ck_assert_ptr_nonnull(a->keys[a->n]);
    a->n++;
}

struct probe {
    struct conn *c;
    int64_t sent_ms;
    char key[32];
};

/* Records the first violation of requirement e into violation. */
static void note_violation(char *violation, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note_violation(char *violation, size_t len, const char *fmt, ...)
{
    if (violation[0] != '\0')
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(violation, len, fmt, ap);
    va_end(ap);
}

/* A connection that pipelines SETs continuously during the watch. */
struct hammer {
    struct conn *c;
    long sent;
    long replied;
    long refused;
    int64_t last_ms; /* when it last got a reply (or started) */
};

/* For STILL_REFUSED_MS: HAMMERS new connections pipeline SETs continuously
 * (HAMMER_IN_FLIGHT each, so nearly every loop iteration of the server,
 * the one of each retry included, has some to run), and a further new
 * connection sends one SET every STILL_REFUSED_PROBE_EVERY_MS. Every reply
 * must be -MISCONF, within ANSWER_WITHIN_MS. A write let in is answered
 * +OK once durable, or held (not answered) under always while it cannot
 * be, so a missing reply counts too; the keys of +OK replies go into acked
 * (the restart must keep them). The first violation goes into violation
 * ("" when none); prints what it saw. */
static void watch_still_refused(int port, const char *name, struct acked *acked, char *violation,
                                size_t violation_len)
{
    struct hammer hammers[HAMMERS];
    int64_t t0 = harness_clock_ms();
    for (int j = 0; j < HAMMERS; j++)
        hammers[j] = (struct hammer){.c = conn_open(port), .last_ms = t0};
    struct probe probes[STILL_REFUSED_PROBES_MAX];
    int probe_count = 0, probes_sent = 0, probes_refused = 0;
    int64_t next_probe = t0;
    int64_t now = t0;
    int64_t worst_probe_ms = 0;
    for (;;) {
        now = harness_clock_ms();
        bool watching = now - t0 < STILL_REFUSED_MS;
        if (!watching && probe_count == 0)
            break;
        if (now - t0 >= STILL_REFUSED_MS + ANSWER_WITHIN_MS + 500)
            break; /* the probes still waiting are reported below */
        /* The hammers. */
        bool got = false;
        struct pollfd pfds[HAMMERS];
        for (int j = 0; j < HAMMERS; j++) {
            struct hammer *m = &hammers[j];
            while (watching && m->sent - m->replied < HAMMER_IN_FLIGHT) {
                char line[48];
                snprintf(line, sizeof(line), "SET e:h%d:%ld x", j, m->sent++);
                conn_send(m->c, line);
            }
            char *reply;
            while ((reply = conn_try_read_raw(m->c, 0)) != NULL) {
                got = true;
                m->replied++;
                m->last_ms = harness_clock_ms();
                char key[48];
                snprintf(key, sizeof(key), "e:h%d:%ld", j, m->replied - 1);
                if (strcmp(reply, "+OK\r\n") == 0)
                    acked_add(acked, key);
                if (is_misconf(reply))
                    m->refused++;
                else
                    note_violation(violation, violation_len,
                                   "(e) %s: SET e:h%d:%ld on a hammering connection at +%lld ms: "
                                   "%s",
                                   name, j, m->replied - 1, (long long)(m->last_ms - t0),
                                   harness_escape(reply));
                free(reply);
            }
            if (m->sent > m->replied && now - m->last_ms > ANSWER_WITHIN_MS)
                note_violation(violation, violation_len,
                               "(e) %s: a hammering connection got no reply to SET e:h%d:%ld for "
                               "%d ms (since +%lld ms): a write was let in and is held",
                               name, j, m->replied, ANSWER_WITHIN_MS,
                               (long long)(m->last_ms - t0));
            pfds[j] = (struct pollfd){.fd = conn_fd(m->c), .events = POLLIN};
        }
        if (!got)
            poll(pfds, HAMMERS, 1);
        char *reply;
        /* The probes on new connections. */
        if (watching && now >= next_probe && probe_count < STILL_REFUSED_PROBES_MAX) {
            struct probe *p = &probes[probe_count++];
            p->c = conn_open(port);
            p->sent_ms = harness_clock_ms();
            snprintf(p->key, sizeof(p->key), "e:p%d", probes_sent++);
            char line[48];
            snprintf(line, sizeof(line), "SET %s x", p->key);
            conn_send(p->c, line);
            next_probe += STILL_REFUSED_PROBE_EVERY_MS;
        }
        for (int i = 0; i < probe_count;) {
            struct probe *p = &probes[i];
            reply = conn_try_read_raw(p->c, 0);
            int64_t waited = harness_clock_ms() - p->sent_ms;
            if (reply == NULL && waited <= ANSWER_WITHIN_MS) {
                i++;
                continue;
            }
            if (reply == NULL)
                note_violation(violation, violation_len,
                               "(e) %s: SET %s on a new connection at +%lld ms: no reply within "
                               "%d ms (a write was let in and is held)",
                               name, p->key, (long long)(p->sent_ms - t0), ANSWER_WITHIN_MS);
            else if (!is_misconf(reply))
                note_violation(violation, violation_len,
                               "(e) %s: SET %s on a new connection at +%lld ms: %s", name, p->key,
                               (long long)(p->sent_ms - t0), harness_escape(reply));
            if (reply != NULL && strcmp(reply, "+OK\r\n") == 0)
                acked_add(acked, p->key);
            else if (is_misconf(reply) && waited > ANSWER_WITHIN_MS)
                note_violation(violation, violation_len,
                               "(e) %s: SET %s on a new connection at +%lld ms refused only after "
                               "%lld ms", name, p->key, (long long)(p->sent_ms - t0),
                               (long long)waited);
            else if (is_misconf(reply))
                probes_refused++;
            if (waited > worst_probe_ms)
                worst_probe_ms = waited;
            free(reply);
            conn_close(p->c);
            probes[i] = probes[--probe_count];
        }
    }
    for (int i = 0; i < probe_count; i++) {
        note_violation(violation, violation_len,
                       "(e) %s: SET %s on a new connection at +%lld ms: no reply (a write was let "
                       "in and is held)", name, probes[i].key,
                       (long long)(probes[i].sent_ms - t0));
        conn_close(probes[i].c);
    }
    long hammer_sent = 0, hammer_replied = 0, hammer_refused = 0;
    for (int j = 0; j < HAMMERS; j++) {
        hammer_sent += hammers[j].sent;
        hammer_replied += hammers[j].replied;
        hammer_refused += hammers[j].refused;
        conn_close(hammers[j].c);
    }
    fprintf(stderr,
            "diskfull[%s]: (e) over %d ms: %d hammering connections sent %ld SETs, %ld answered, "
            "%ld -MISCONF; probes %d sent, %d -MISCONF (slowest %lld ms); %s\n",
            name, STILL_REFUSED_MS, HAMMERS, hammer_sent, hammer_replied, hammer_refused,
            probes_sent,
            probes_refused, (long long)worst_probe_ms,
            violation[0] != '\0' ? violation : "every write refused");
}

/* ---- Checks after the restart ---- */

static void expect_value(struct conn *c, const char *key, const char *value, const char *what)
{
    char want[FILL_VALUE_LEN + 64];
    if (value != NULL)
        snprintf(want, sizeof(want), "$%zu\r\n%s\r\n", strlen(value), value);
    else
        snprintf(want, sizeof(want), "$-1\r\n");
    const char *argv[] = {"GET", key};
    char *reply = conn_cmd_argv(c, 2, argv, NULL);
    ck_assert_msg(strcmp(reply, want) == 0, "%s %s after the restart: %s", what, key,
                  harness_escape(reply));
    free(reply);
}

START_TEST(test_full_disk_refuses_writes_at_once)
{
    if (server_is_redis()) {
        fprintf(stderr, "diskfull_test: redis-server exits on an AOF write error under always; "
                        "skipped\n");
        return;
    }
    const char *direct = direct_io[_i];
    char name[32];
    snprintf(name, sizeof(name), "aof-direct-io %s", direct);
    signal(SIGXFSZ, SIG_IGN); /* inherited by the server: EFBIG, not death */
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = diskfull_args(direct);
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    int port = h->port;

    /* Phase 1: set A, acknowledged. */
    struct conn *c = conn_open(port);
    char *io = conn_info_field(c, "ringkv_aof_log_io");
    fprintf(stderr, "diskfull[%s]: writer %s\n", name, io != NULL ? io : "(not in INFO)");
    free(io);
    static char value[FILL_VALUE_LEN + 1];
    for (long i = 0; i < SET_A_KEYS; i++) {
        char key[32];
        snprintf(key, sizeof(key), "a:%ld", i);
        value_of('A', i, value, SET_A_VALUE_LEN);
        const char *argv[] = {"SET", key, value};
        char *reply = conn_cmd_argv(c, 3, argv, NULL);
        ck_assert_msg(strcmp(reply, "+OK\r\n") == 0, "SET %s: %s", key, harness_escape(reply));
        free(reply);
    }

    /* Phase 2: the disk fills. */
    char incr[512];
    long size = incr_size(dir, incr, sizeof(incr));
    rlim_t limit = (rlim_t)size + LIMIT_HEADROOM_BYTES;
    fsize_limit(h->pid, limit);
    fprintf(stderr, "diskfull[%s]: %s is %ld bytes; RLIMIT_FSIZE set to %llu\n", name, incr, size,
            (unsigned long long)limit);
    struct fill f = {.c = c};
    f.status = calloc(FILL_MAX_KEYS, 1);
    ck_assert_ptr_nonnull(f.status);
    int64_t t0 = harness_clock_ms();
    int64_t last_probe = 0;
    long probes_unanswered = 0;
    char last_probe_reply[256] = "(none)";
    char *refusal = NULL;
    struct acked acked = {0};
    bool probe_acked = false;
    while (refusal == NULL) {
        if (fill_all_sent(&f) && f.bytes < FILL_MAX_BYTES &&
            f.sent - f.replied < FILL_UNANSWERED_MAX)
            fill_queue_chunk(&f);
        bool progress = fill_pump(&f);
        progress |= fill_drain(&f, progress ? 0 : 1) > 0;
        int64_t now = harness_clock_ms();
        if (now - last_probe >= FILL_PROBE_EVERY_MS) {
            last_probe = now;
            char *reply = fresh_cmd(port, "SET probe x", FILL_PROBE_WAIT_MS, NULL);
            if (reply == NULL) {
                probes_unanswered++;
                snprintf(last_probe_reply, sizeof(last_probe_reply), "no reply within %d ms",
                         FILL_PROBE_WAIT_MS);
            } else if (is_misconf(reply)) {
                refusal = reply;
                break;
            } else {
                snprintf(last_probe_reply, sizeof(last_probe_reply), "%s", harness_escape(reply));
                ck_assert_msg(strcmp(reply, "+OK\r\n") == 0, "SET probe x during the fill: %s",
                              harness_escape(reply));
                if (!probe_acked)
                    acked_add(&acked, "probe");
                probe_acked = true;
                free(reply);
            }
        }
        if (harness_clock_ms() - t0 >= FILL_TIMEOUT_MS) {
            long now_size = incr_size(dir, incr, sizeof(incr));
            ck_abort_msg("%s: no -MISCONF on SET probe x within %d ms: %zu bytes of SETs queued "
                         "(%zu still unsent), %ld sent, %ld answered (%ld +OK); %ld probes got "
                         "no reply within %d ms, last probe: %s; INCR %ld bytes (limit %llu)",
                         name, FILL_TIMEOUT_MS, f.bytes, f.out_len - f.out_off, f.sent,
                         f.replied, f.ok, probes_unanswered, FILL_PROBE_WAIT_MS,
                         last_probe_reply, now_size, (unsigned long long)limit);
        }
    }
    fprintf(stderr,
            "diskfull[%s]: refused after %lld ms: %s; writing client: %zu bytes queued (%zu "
            "unsent), %ld SETs, %ld answered (%ld +OK); %ld probes unanswered within %d ms\n",
            name, (long long)(harness_clock_ms() - t0), harness_escape(refusal), f.bytes,
            f.out_len - f.out_off, f.sent, f.replied, f.ok, probes_unanswered,
            FILL_PROBE_WAIT_MS);
    free(refusal);

    /* a) A new connection's write is refused within a second. */
    int64_t ms = 0;
    char *reply = fresh_cmd(port, "SET new-conn-write 1", ANSWER_WITHIN_MS, &ms);
    fprintf(stderr, "diskfull[%s]: (a) SET on a new connection: %s after %lld ms\n", name,
            reply != NULL ? harness_escape(reply) : "no reply", (long long)ms);
    ck_assert_msg(reply != NULL, "(a) %s: SET on a new connection: no reply within %d ms", name,
                  ANSWER_WITHIN_MS);
    ck_assert_msg(is_misconf(reply), "(a) %s: SET on a new connection: %s", name,
                  harness_escape(reply));
    /* The error names the kernel's reason (EFBIG here, ENOSPC on a real
     * full disk), whichever writer met it: a short write is continued so
     * the next one reports why, not a made-up EIO. */
    ck_assert_msg(strcmp(reply, "-MISCONF Errors writing to the AOF file: File too large\r\n") == 0,
                  "(a) %s: the refusal does not give the kernel's reason: %s", name,
                  harness_escape(reply));
    ck_assert_msg(ms <= ANSWER_WITHIN_MS, "(a) %s: SET refused only after %lld ms", name,
                  (long long)ms);
    free(reply);

    /* b) PING too. */
    reply = fresh_cmd(port, "PING", ANSWER_WITHIN_MS, &ms);
    fprintf(stderr, "diskfull[%s]: (b) PING on a new connection: %s after %lld ms\n", name,
            reply != NULL ? harness_escape(reply) : "no reply", (long long)ms);
    ck_assert_msg(is_misconf(reply), "(b) %s: PING on a new connection: %s", name,
                  reply != NULL ? harness_escape(reply) : "no reply");
    free(reply);

    /* c) Reads of durable keys are served. */
    const long read_keys[] = {0, SET_A_KEYS / 2, SET_A_KEYS - 1};
    for (size_t k = 0; k < sizeof(read_keys) / sizeof(read_keys[0]); k++) {
        char line[64], want[SET_A_VALUE_LEN + 32];
        snprintf(line, sizeof(line), "GET a:%ld", read_keys[k]);
        int n = snprintf(want, sizeof(want), "$%d\r\n", SET_A_VALUE_LEN);
        value_of('A', read_keys[k], want + n, SET_A_VALUE_LEN);
        memcpy(want + n + SET_A_VALUE_LEN, "\r\n", 3);
        reply = fresh_cmd(port, line, ANSWER_WITHIN_MS, &ms);
        fprintf(stderr, "diskfull[%s]: (c) %s on a new connection: %s after %lld ms\n", name,
                line, reply == NULL ? "no reply" : strcmp(reply, want) == 0 ? "its value" :
                harness_escape(reply), (long long)ms);
        ck_assert_msg(reply != NULL, "(c) %s: %s: no reply within %d ms", name, line,
                      ANSWER_WITHIN_MS);
        ck_assert_msg(strcmp(reply, want) == 0, "(c) %s: %s: %s", name, line,
                      harness_escape(reply));
        ck_assert_msg(ms <= ANSWER_WITHIN_MS, "(c) %s: %s answered only after %lld ms", name,
                      line, (long long)ms);
        free(reply);
    }

    /* d) INFO persistence says so. */
    reply = fresh_cmd(port, "INFO persistence", ANSWER_WITHIN_MS, &ms);
    ck_assert_msg(reply != NULL, "(d) %s: INFO persistence: no reply within %d ms", name,
                  ANSWER_WITHIN_MS);
    fprintf(stderr, "diskfull[%s]: (d) INFO persistence after %lld ms:", name, (long long)ms);
    for (const char *line = reply; (line = strstr(line, "\n")) != NULL;) {
        line++;
        if (strncmp(line, "ringkv_aof_", 11) == 0 || strncmp(line, "aof_last_write", 14) == 0)
            fprintf(stderr, " %.*s", (int)strcspn(line, "\r\n"), line);
    }
    fprintf(stderr, "\n");
    ck_assert_msg(reply[0] == '$' && strstr(reply, "\r\naof_last_write_status:err\r\n") != NULL,
                  "(d) %s: INFO persistence: %s", name, harness_escape(reply));
    free(reply);

    /* e) Still refused while the disk stays full, across the retries. */
    char violation[512] = "";
    watch_still_refused(port, name, &acked, violation, sizeof(violation));

    /* Phase 3: space returns. */
    fsize_limit(h->pid, RLIM_INFINITY);
    int64_t t3 = harness_clock_ms();
    int64_t deadline = t3 + RECOVER_MS;
    while (!fill_all_sent(&f) || f.replied < f.sent) {
        fill_pump(&f);
        fill_drain(&f, 10);
        ck_assert_msg(harness_clock_ms() < deadline,
                      "%s: %d ms after space returned the writing client has %ld of %ld replies "
                      "(%zu bytes still unsent)",
                      name, RECOVER_MS, f.replied, f.sent, f.out_len - f.out_off);
    }
    int64_t all_answered_ms = harness_clock_ms() - t3;
    int attempts = 0;
    for (;;) {
        int64_t left = deadline - harness_clock_ms();
        ck_assert_msg(left > 0, "%s: SET after 1 still refused %d ms after space returned", name,
                      RECOVER_MS);
        reply = fresh_cmd(port, "SET after 1", (int)left, NULL);
        attempts++;
        ck_assert_msg(reply != NULL, "%s: SET after 1: no reply within %d ms of space returning",
                      name, RECOVER_MS);
        if (strcmp(reply, "+OK\r\n") == 0) {
            free(reply);
            break;
        }
        ck_assert_msg(is_misconf(reply), "%s: SET after 1: %s", name, harness_escape(reply));
        free(reply);
        harness_sleep_ms(50);
    }
    fprintf(stderr,
            "diskfull[%s]: space returned: writing client fully answered after %lld ms (%ld of "
            "%ld SETs +OK, the rest -MISCONF); SET after 1 +OK after %lld ms (%d attempts)\n",
            name, (long long)all_answered_ms, f.ok, f.sent,
            (long long)(harness_clock_ms() - t3), attempts);
    conn_close(c);
    free(f.out);

    /* Phase 4: nothing acknowledged is lost, nothing refused was applied. */
    server_kill(h, SIGKILL);
    h = server_start_in(server_binary(), dir, a.v);
    c = conn_open(h->port);
    conn_wait_loaded(c, 20000);
    for (long i = 0; i < SET_A_KEYS; i++) {
        char key[32];
        snprintf(key, sizeof(key), "a:%ld", i);
        value_of('A', i, value, SET_A_VALUE_LEN);
        expect_value(c, key, value, "acknowledged");
    }
    for (long i = 0; i < f.sent; i++) {
        char key[32];
        snprintf(key, sizeof(key), "f:%ld", i);
        value_of('F', i, value, FILL_VALUE_LEN);
        if (f.status[i] == FILL_OK)
            expect_value(c, key, value, "acknowledged");
        else
            expect_value(c, key, NULL, "refused");
    }
    expect_value(c, "after", "1", "acknowledged");
    for (size_t k = 0; k < acked.n; k++) {
        expect_value(c, acked.keys[k], "x", "acknowledged");
        free(acked.keys[k]);
    }
    free(acked.keys);
    fprintf(stderr,
            "diskfull[%s]: after SIGKILL and restart: set A, the %ld fill SETs acknowledged, "
            "after, and %zu other acknowledged SETs (probes, writes let in while full) all "
            "there; the %ld refused fill SETs absent\n",
            name, f.ok, acked.n, f.replied - f.ok);
    conn_close(c);
    server_stop(h);
    free(f.status);

    ck_assert_msg(violation[0] == '\0', "%s", violation);
}
END_TEST

static Suite *diskfull_suite(void)
{
    Suite *s = suite_create("diskfull");
    TCase *t = tcase_create("always");
    tcase_set_timeout(t, 60);
    tcase_add_loop_test(t, test_full_disk_refuses_writes_at_once, 0,
                        (int)(sizeof(direct_io) / sizeof(direct_io[0])));
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return harness_run_suite(diskfull_suite());
}
