/* ringkv-load.c: a load generator and durability checker for what
 * redis-benchmark lacks. Talks RESP over plain sockets and of the project
 * uses only the reply scanner (net/wire/resp.h), so it runs the same
 * against ringkv-server and redis-server.
 *
 * Sections, in order: limits; options; clocks; the log-linear latency
 * histogram; the reply scanner; connections (buffers, connect, send, read,
 * the per-connection setup); the latency mode; the pub/sub mode; the ack log
 * and durability mode; the verify mode; the small helper modes
 * (--wait-ready, --cmd); main.
 *
 * Latency mode is open-loop when --rate is given: request i of a connection
 * is due at a fixed intended time, and its latency is measured from that time,
 * not from when it was actually written. A stalled server therefore shows up
 * in the percentiles as the queue of requests it delayed (the "coordinated
 * omission" correction), instead of as one slow request. Without --rate it is
 * closed-loop, like redis-benchmark: each connection keeps --pipeline
 * requests in flight and latency runs from the actual send. Its connections
 * can first authenticate as one of several ACL users, switch to RESP3 and
 * turn on client tracking; the invalidation pushes tracking sends between
 * replies are counted and never taken for a reply.
 *
 * Pub/sub mode counts deliveries, which redis-benchmark cannot: subscriber
 * connections SUBSCRIBE to one channel, publisher connections PUBLISH to it
 * closed-loop with a pipeline, and the figure is the messages the
 * subscribers actually read within the run.
 *
 * Durability mode writes SET <prefix>:<conn>:<seq> <seq> (or INCR
 * <prefix>:<conn>) on every connection as fast as a small pipeline allows,
 * and appends one line "<conn> <seq> <epoch_ms>" to the ack log each time a
 * connection's highest acknowledged seq advances. Key invariant: a line is
 * written only after the reply that acknowledges its seq was read, and the
 * replies of one connection acknowledge its seqs in order, so every line is a
 * promise the server made. The log is fdatasync'd every
 * ACKLOG_SYNC_INTERVAL_MS and at exit; a torn last line (the generator
 * itself killed) is ignored by --verify, which can only under-count acks.
 *
 * The one piece of file-level state is the signal flag, which a signal
 * handler has no other way to reach. */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/wire/resp.h"

/* ---- limits ---------------------------------------------------------- */

/* Connections one run may open; each is one pollfd, scanned every loop. */
#define LOAD_CLIENTS_MAX 4096
/* Requests one connection may have in flight; the in-flight ring is sized
 * by it. Beyond this a pipeline measures the socket buffers, not the server. */
#define LOAD_PIPELINE_MAX 4096
/* Largest --value-size; a request buffer holds at least one such value. */
#define LOAD_VALUE_BYTES_MAX (64 * 1024 * 1024)
/* Largest reply the scanner accepts before calling the stream bad. */
#define LOAD_REPLY_BYTES_MAX (LOAD_VALUE_BYTES_MAX + 1024)
/* Bytes asked for per read(2). */
#define LOAD_READ_CHUNK_BYTES (64 * 1024)
/* After the run ends, how long replies still in flight are waited for. */
#define LOAD_DRAIN_TIMEOUT_MS 2000
/* How often the ack log is flushed and fdatasync'd. */
#define ACKLOG_SYNC_INTERVAL_MS 50
/* After the first connection is lost, how long the others are still read:
 * acks already in their socket buffers were sent by the server and count. */
#define ACKLOG_DRAIN_TIMEOUT_MS 1000
/* GETs the verifier pipelines per round trip. */
#define VERIFY_BATCH_MAX 512
/* Lost keys the verifier prints by name. */
#define VERIFY_SAMPLES_MAX 5
/* Longest key this program builds ("<prefix>:<conn>:<seq>"). */
#define LOAD_KEY_BYTES_MAX 128
/* Longest --prefix, leaving room in LOAD_KEY_BYTES_MAX for ":<conn>:<seq>". */
#define LOAD_PREFIX_BYTES_MAX 64
/* Arguments --cmd splits its text into. */
#define LOAD_CMD_ARGS_MAX 64
/* Bytes of messages the publishers may run ahead of the slowest subscriber.
 * It keeps what a server buffers for one subscriber far below Redis's pubsub
 * output-buffer limits (8 MB soft, 32 MB hard): a subscriber this program
 * reads late must slow the publishers, not get disconnected. */
#define PUBSUB_BACKLOG_BYTES_MAX (1024 * 1024)
/* A message's bytes beside its payload and channel name: the array and
 * bulk headers and "message" (RESP2: *3, $7, $<n> twice; under 32). */
#define PUBSUB_MESSAGE_OVERHEAD_BYTES 32
/* Exit status when the server refuses a setup command (AUTH, HELLO 3,
 * CLIENT TRACKING ON, SUBSCRIBE): the feature is missing, not the run broken. */
#define LOAD_EXIT_REFUSED 3
/* First line of an ack log; verify refuses files without it. */
#define ACKLOG_MAGIC "ringkv-load-acks v1"

static_assert(LOAD_PREFIX_BYTES_MAX + 2 * 21 + 3 <= LOAD_KEY_BYTES_MAX,
              "a key holds the prefix, two 64-bit numbers and the separators");

/* Set by SIGINT/SIGTERM; every loop checks it. */
static volatile sig_atomic_t load_stop_signal;

/* ---- options --------------------------------------------------------- */

enum load_mode { MODE_LATENCY, MODE_PUBSUB, MODE_ACKLOG, MODE_VERIFY, MODE_WAIT_READY, MODE_CMD };
enum load_op { OP_SET, OP_INCR };

struct load_options {
    enum load_mode mode;
    const char *host;
    int port;
    int clients;
    double rate;             /* requests/s over all connections; 0 = closed loop */
    double duration_s;
    int get_percent;         /* 100 = get, 0 = set, else mixed */
    /* Stream workloads: reads are XREADGROUP GROUP g c<conn> COUNT 1
     * STREAMS key >, writes XADD key * f <value>; --preload creates the
     * group (XGROUP CREATE key g 0 MKSTREAM) instead of SETting keys. */
    bool stream;
    const char *workload;    /* as given, for the report */
    uint64_t keys;
    size_t value_bytes;
    int pipeline;
    bool json;
    bool preload;
    const char *path;        /* ack log (write or verify) */
    const char *prefix;
    enum load_op op;
    int64_t allow_loss_ms;
    int64_t kill_time_ms;    /* epoch ms, 0 when unknown */
    int ready_timeout_ms;
    const char *cmd;
    const char *key_prefix;  /* latency mode: keys are <key_prefix>:%012d */
    bool per_op;             /* latency mode: also report GET and SET apart */
    /* Per-connection setup (latency and pub/sub modes). */
    bool resp3;              /* HELLO 3 */
    bool tracking;           /* CLIENT TRACKING ON (RESP3 only) */
    int users;               /* > 0: connection i does AUTH <user_prefix><i % users> */
    const char *user_prefix;
    const char *password;
    /* Pub/sub mode: --clients publishers, subscribers subscribers. */
    const char *channel;
    int subscribers;
};

static void usage(FILE *out)
{
    fprintf(out,
        "usage: ringkv-load --port P [--host H] MODE [options]\n"
        "latency (default): --clients N --duration S [--rate R] [--workload get|set|mixed:80\n"
        "    |xadd|xreadgroup:P] (streams: XADD key * f <value>; P%% XREADGROUP GROUP g c<conn>\n"
        "    COUNT 1 STREAMS key >, the rest XADD; --preload creates group g on each key)\n"
        "    [--keys K] [--value-size B] [--pipeline P] [--preload] [--json]\n"
        "    [--key-prefix key] [--per-op]\n"
        "    --key-prefix names the keys <prefix>:<12-digit number> (default \"key\");\n"
        "    --per-op also prints one line (and JSON object) per operation, GET and SET.\n"
        "    --rate R makes it open-loop: R requests/s in total, latency from each\n"
        "    request's intended send time; without it, closed-loop like redis-benchmark.\n"
        "    RESP3 invalidation pushes (with --tracking) are counted (pushes=N).\n"
        "pub/sub: --publish CHANNEL [--subscribers N] --clients N --duration S [--pipeline P]\n"
        "    [--value-size B]: N subscribers, --clients publishers closed-loop; prints the\n"
        "    messages the subscribers read within the run (delivered, delivered_rate)\n"
        "setup (latency and pub/sub): [--users N --password PW [--user-prefix u]] (AUTH as\n"
        "    <prefix><conn %% N>) [--resp3] (HELLO 3) [--tracking] (CLIENT TRACKING ON, with\n"
        "    --resp3); exit status 3 when the server refuses one of them\n"
        "durability: --ack-log FILE [--clients N] [--pipeline P] [--duration S]\n"
        "    [--prefix d] [--op set|incr]\n"
        "verify: --verify FILE [--allow-loss-ms MS --kill-time-ms EPOCH_MS]\n"
        "    prints checked=N lost=N lost_in_window=N violations=N; exit 1 on violations\n"
        "helpers: --wait-ready MS (PING until PONG), --cmd \"WORDS ...\" (one command)\n");
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
        return false;
    *out = v;
    return true;
}

static bool parse_int_option(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_workload(struct load_options *o, const char *s)
{
    o->workload = s;
    if (strcmp(s, "get") == 0) {
        o->get_percent = 100;
        return true;
    }
    if (strcmp(s, "set") == 0) {
        o->get_percent = 0;
        return true;
    }
    int64_t p;
    if (strcmp(s, "xadd") == 0) {
        o->stream = true;
        o->get_percent = 0;
        return true;
    }
    if (strncmp(s, "xreadgroup:", 11) == 0 && parse_int_option(s + 11, 0, 100, &p)) {
        o->stream = true;
        o->get_percent = (int)p;
        return true;
    }
    if (strncmp(s, "mixed:", 6) == 0 && parse_int_option(s + 6, 0, 100, &p)) {
        o->get_percent = (int)p;
        return true;
    }
    return false;
}

static void options_defaults(struct load_options *o)
{
    memset(o, 0, sizeof(*o));
    o->mode = MODE_LATENCY;
    o->host = "127.0.0.1";
    o->clients = -1;
    o->duration_s = -1;
    o->get_percent = 100;
    o->workload = "get";
    o->keys = 100000;
    o->value_bytes = 3;
    o->pipeline = -1;
    o->prefix = "d";
    o->op = OP_SET;
    o->ready_timeout_ms = 30000;
    o->key_prefix = "key";
    o->user_prefix = "u";
    o->subscribers = 1;
}

/* Fills mode-dependent defaults and checks the combination. Returns false
 * with a message on stderr when the options make no sense. */
static bool options_finish(struct load_options *o)
{
    bool acklog = o->mode == MODE_ACKLOG;
    if (o->port <= 0) {
        fprintf(stderr, "ringkv-load: --port is required\n");
        return false;
    }
    if (o->clients < 0)
        o->clients = acklog ? 4 : 50;
    if (o->pipeline < 0)
        o->pipeline = acklog ? 8 : 1;
    if (o->duration_s < 0)
        o->duration_s = acklog ? 3600 : 10;
    if (o->clients < 1 || o->clients > LOAD_CLIENTS_MAX || o->pipeline < 1 ||
        o->pipeline > LOAD_PIPELINE_MAX || o->keys < 1 || o->duration_s <= 0 ||
        o->value_bytes > LOAD_VALUE_BYTES_MAX || strlen(o->prefix) > LOAD_PREFIX_BYTES_MAX ||
        strlen(o->key_prefix) > LOAD_PREFIX_BYTES_MAX ||
        strlen(o->user_prefix) > LOAD_PREFIX_BYTES_MAX ||
        (o->mode == MODE_PUBSUB && o->clients + o->subscribers > LOAD_CLIENTS_MAX)) {
        fprintf(stderr, "ringkv-load: option out of range (see --help)\n");
        return false;
    }
    if (o->tracking && !o->resp3) {
        /* RESP2 tracking needs a second connection (REDIRECT) for the pushes. */
        fprintf(stderr, "ringkv-load: --tracking needs --resp3\n");
        return false;
    }
    if (o->users > 0 && o->password == NULL) {
        fprintf(stderr, "ringkv-load: --users needs --password\n");
        return false;
    }
    return true;
}

/* Parses argv into o. Returns 0 to run, 1 for a bad command line, -1 after
 * printing --help. */
static int options_parse(struct load_options *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"host", 1, 0, 'h'}, {"port", 1, 0, 'p'}, {"clients", 1, 0, 'c'},
        {"rate", 1, 0, 'r'}, {"duration", 1, 0, 'd'}, {"workload", 1, 0, 'w'},
        {"keys", 1, 0, 'k'}, {"value-size", 1, 0, 'v'}, {"pipeline", 1, 0, 'P'},
        {"json", 0, 0, 'j'}, {"preload", 0, 0, 'L'}, {"ack-log", 1, 0, 'A'},
        {"verify", 1, 0, 'V'}, {"prefix", 1, 0, 'x'}, {"op", 1, 0, 'o'},
        {"allow-loss-ms", 1, 0, 'l'}, {"kill-time-ms", 1, 0, 'K'},
        {"wait-ready", 1, 0, 'W'}, {"cmd", 1, 0, 'C'}, {"help", 0, 0, 'H'},
        {"key-prefix", 1, 0, 'y'}, {"per-op", 0, 0, 'Y'},
        {"resp3", 0, 0, '3'}, {"tracking", 0, 0, 'T'}, {"users", 1, 0, 'u'},
        {"user-prefix", 1, 0, 'U'}, {"password", 1, 0, 'a'}, {"publish", 1, 0, 'B'},
        {"subscribers", 1, 0, 'S'},
        {0, 0, 0, 0},
    };
    options_defaults(o);
    int ch;
    int64_t n;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        bool ok = true;
        switch (ch) {
        case 'h': o->host = optarg; break;
        case 'p': ok = parse_int_option(optarg, 1, 65535, &n); o->port = (int)n; break;
        case 'c': ok = parse_int_option(optarg, 1, LOAD_CLIENTS_MAX, &n); o->clients = (int)n; break;
        case 'r': o->rate = atof(optarg); ok = o->rate >= 0; break;
        case 'd': o->duration_s = atof(optarg); ok = o->duration_s > 0; break;
        case 'w': ok = parse_workload(o, optarg); break;
        case 'k': ok = parse_u64(optarg, &o->keys); break;
        case 'v': ok = parse_int_option(optarg, 0, LOAD_VALUE_BYTES_MAX, &n); o->value_bytes = (size_t)n; break;
        case 'P': ok = parse_int_option(optarg, 1, LOAD_PIPELINE_MAX, &n); o->pipeline = (int)n; break;
        case 'j': o->json = true; break;
        case 'L': o->preload = true; break;
        case 'A': o->mode = MODE_ACKLOG; o->path = optarg; break;
        case 'V': o->mode = MODE_VERIFY; o->path = optarg; break;
        case 'x': o->prefix = optarg; break;
        case 'y': o->key_prefix = optarg; break;
        case 'Y': o->per_op = true; break;
        case '3': o->resp3 = true; break;
        case 'T': o->tracking = true; break;
        case 'u': ok = parse_int_option(optarg, 1, LOAD_CLIENTS_MAX, &n); o->users = (int)n; break;
        case 'U': o->user_prefix = optarg; break;
        case 'a': o->password = optarg; break;
        case 'B': o->mode = MODE_PUBSUB; o->channel = optarg; break;
        case 'S': ok = parse_int_option(optarg, 1, LOAD_CLIENTS_MAX, &n); o->subscribers = (int)n; break;
        case 'o': ok = strcmp(optarg, "set") == 0 || strcmp(optarg, "incr") == 0;
                  o->op = strcmp(optarg, "incr") == 0 ? OP_INCR : OP_SET; break;
        case 'l': ok = parse_int_option(optarg, 0, INT64_MAX, &o->allow_loss_ms); break;
        case 'K': ok = parse_int_option(optarg, 0, INT64_MAX, &o->kill_time_ms); break;
        case 'W': o->mode = MODE_WAIT_READY; ok = parse_int_option(optarg, 0, INT32_MAX, &n);
                  o->ready_timeout_ms = (int)n; break;
        case 'C': o->mode = MODE_CMD; o->cmd = optarg; break;
        case 'H': usage(stdout); return -1;
        default: usage(stderr); return 1;
        }
        if (!ok) {
            fprintf(stderr, "ringkv-load: bad value for option: %s\n", optarg);
            return 1;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 1;
    }
    return options_finish(o) ? 0 : 1;
}

/* ---- clocks ---------------------------------------------------------- */

static uint64_t clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wall-clock milliseconds, comparable with a kill time taken by a script
 * (date +%s%3N). */
static int64_t clock_epoch_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* ---- histogram ------------------------------------------------------- */

/* A log-linear histogram in the manner of HdrHistogram: values below
 * 2 * HIST_SUB_COUNT have a bucket each, and every power of two above that
 * is split into HIST_SUB_COUNT equal sub-buckets, so any recorded value is
 * known to within 1 / HIST_SUB_COUNT (under 0.8 %) of itself. */
#define HIST_SUB_BITS 7
#define HIST_SUB_COUNT (1u << HIST_SUB_BITS)
/* Values are nanoseconds; 2^40 ns is about 18 minutes, far past any run. */
#define HIST_VALUE_BITS 40
#define HIST_BUCKETS ((HIST_VALUE_BITS - HIST_SUB_BITS + 1) * HIST_SUB_COUNT)

struct histogram {
    uint64_t counts[HIST_BUCKETS];
    uint64_t total;
    uint64_t max;
    uint64_t min;
};

static size_t histogram_index(uint64_t v)
{
    if (v < 2 * HIST_SUB_COUNT)
        return (size_t)v;
    int shift = 63 - __builtin_clzll(v) - HIST_SUB_BITS;
    size_t index = (size_t)shift * HIST_SUB_COUNT + (size_t)(v >> shift);
    assert(index >= 2 * HIST_SUB_COUNT);
    return index;
}

/* The largest value that lands in bucket index. */
static uint64_t histogram_bucket_top(size_t index)
{
    if (index < 2 * HIST_SUB_COUNT)
        return index;
    int shift = (int)(index / HIST_SUB_COUNT) - 1;
    uint64_t sub = index - (uint64_t)shift * HIST_SUB_COUNT;
    assert(sub >= HIST_SUB_COUNT && sub < 2 * HIST_SUB_COUNT);
    return ((sub + 1) << shift) - 1;
}

static void histogram_record(struct histogram *h, uint64_t v)
{
    uint64_t top = (1ull << HIST_VALUE_BITS) - 1;
    if (v > top)
        v = top;
    h->counts[histogram_index(v)]++;
    if (h->total == 0 || v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->total++;
}

/* The value at or below which percent of the recorded values lie, reported
 * as its bucket's top (never above the exact maximum). */
static uint64_t histogram_percentile(const struct histogram *h, double percent)
{
    if (h->total == 0)
        return 0;
    uint64_t rank = (uint64_t)((percent / 100.0) * (double)h->total + 0.999999);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            uint64_t top = histogram_bucket_top(i);
            return top < h->max ? top : h->max;
        }
    }
    return h->max;
}

/* ---- reply scanner --------------------------------------------------- */

/* The scanning itself is net/wire/resp.c's resp_reply_scan, the one every
 * client of the project uses; this section only keeps what a reply leaves
 * behind once it is taken out of a connection's input. */

/* A whole reply. raw and head.str borrow the connection's input buffer and
 * stay valid until the next conn_read. */
struct reply {
    struct resp_reply_head head;
    const char *raw; /* the reply's bytes, head.reply_bytes of them */
};

/* Parses an INCR counter's text (the verifier's GETs). */
static bool parse_ll(const char *p, size_t len, long long *out)
{
    bool negative = len > 0 && p[0] == '-';
    size_t i = negative ? 1 : 0;
    if (i == len || len > 20)
        return false;
    unsigned long long v = 0;
    for (; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned long long)(p[i] - '0');
    }
    if (v > (unsigned long long)LLONG_MAX)
        return false;
    *out = negative ? -(long long)v : (long long)v;
    return true;
}

/* Writes the reply as one line for people: its type byte and text (at
 * most text_max bytes of it) when it has text, else its first line
 * (":5", "*2", "$-1"). */
static void reply_print(FILE *out, const struct reply *r, size_t text_max)
{
    const struct resp_reply_head *h = &r->head;
    if (h->str != NULL) {
        fprintf(out, "%c%.*s\n", r->raw[0], (int)(h->len > text_max ? text_max : h->len), h->str);
        return;
    }
    const char *crlf = memmem(r->raw, h->reply_bytes, "\r\n", 2);
    assert(crlf != NULL);
    fprintf(out, "%.*s\n", (int)(crlf - r->raw), r->raw);
}

/* ---- connections ----------------------------------------------------- */

struct load_conn {
    int fd;                   /* -1 once closed */
    int index;
    char *out;                /* owned; bytes [out_sent, out_len) not yet written */
    size_t out_len, out_sent, out_cap;
    char *in;                 /* owned; bytes [in_start, in_end) read but unparsed */
    size_t in_start, in_end, in_cap;
    uint64_t *inflight_ns;    /* owned ring of intended send times, pipeline slots */
    size_t inflight_head, inflight_count;
    uint64_t next_due_ns;     /* open loop: intended time of the next request */
    uint64_t next_seq;        /* durability: next seq to send */
    uint64_t acked_seq;       /* durability: highest seq acknowledged */
    uint64_t logged_seq;      /* durability: highest seq written to the ack log */
    uint64_t messages;        /* pub/sub: messages a subscriber has read */
    bool failed;              /* an error reply or a protocol error stopped it */
};

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL) {
        fprintf(stderr, "ringkv-load: out of memory\n");
        abort();
    }
    return q;
}

/* Connects with a blocking connect, then makes the socket non-blocking.
 * Returns the fd or -errno. */
static int net_connect(const char *host, int port)
{
    char port_text[16];
    snprintf(port_text, sizeof(port_text), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res;
    if (getaddrinfo(host, port_text, &hints, &res) != 0)
        return -EINVAL;
    int result = -ECONNREFUSED;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            result = -errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            freeaddrinfo(res);
            return fd;
        }
        result = -errno;
        close(fd);
    }
    freeaddrinfo(res);
    return result;
}

static void conn_init(struct load_conn *c, int index, int fd, int pipeline)
{
    memset(c, 0, sizeof(*c));
    c->fd = fd;
    c->index = index;
    c->inflight_ns = xrealloc(NULL, sizeof(uint64_t) * (size_t)pipeline);
    c->next_seq = 1;
}

static void conn_close(struct load_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static void conn_free(struct load_conn *c)
{
    conn_close(c);
    free(c->out);
    free(c->in);
    free(c->inflight_ns);
}

static void conn_reserve_out(struct load_conn *c, size_t extra)
{
    if (c->out_len + extra <= c->out_cap)
        return;
    if (c->out_sent > 0) {
        memmove(c->out, c->out + c->out_sent, c->out_len - c->out_sent);
        c->out_len -= c->out_sent;
        c->out_sent = 0;
    }
    if (c->out_len + extra > c->out_cap) {
        c->out_cap = (c->out_len + extra) * 2;
        c->out = xrealloc(c->out, c->out_cap);
    }
}

/* Appends argv as a RESP multibulk to the output buffer. */
static void conn_append_argv(struct load_conn *c, int argc, const char *const *argv,
                             const size_t *lens)
{
    size_t need = 16;
    for (int i = 0; i < argc; i++)
        need += lens[i] + 24;
    conn_reserve_out(c, need);
    char *p = c->out + c->out_len;
    p += sprintf(p, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        p += sprintf(p, "$%zu\r\n", lens[i]);
        memcpy(p, argv[i], lens[i]);
        p += lens[i];
        *p++ = '\r';
        *p++ = '\n';
    }
    c->out_len = (size_t)(p - c->out);
    assert(c->out_len <= c->out_cap);
}

/* Writes what the socket takes. Returns 0, or -errno when the peer is gone. */
static int conn_flush(struct load_conn *c)
{
    while (c->fd >= 0 && c->out_sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n < 0)
            return -errno;
        c->out_sent += (size_t)n;
    }
    if (c->out_sent == c->out_len)
        c->out_sent = c->out_len = 0;
    return 0;
}

/* Reads what is available into the input buffer. Returns bytes read, 0 on
 * EOF, -EAGAIN when nothing is there, or another -errno. */
static ssize_t conn_read(struct load_conn *c)
{
    if (c->in_start > 0 && c->in_start == c->in_end)
        c->in_start = c->in_end = 0;
    if (c->in_cap - c->in_end < LOAD_READ_CHUNK_BYTES) {
        if (c->in_start > 0) {
            memmove(c->in, c->in + c->in_start, c->in_end - c->in_start);
            c->in_end -= c->in_start;
            c->in_start = 0;
        }
        if (c->in_cap - c->in_end < LOAD_READ_CHUNK_BYTES) {
            c->in_cap = c->in_end + 2 * LOAD_READ_CHUNK_BYTES + c->in_cap / 2;
            c->in = xrealloc(c->in, c->in_cap);
        }
    }
    for (;;) {
        ssize_t n = read(c->fd, c->in + c->in_end, c->in_cap - c->in_end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        c->in_end += (size_t)n;
        return n;
    }
}

/* Takes the next whole reply out of the input buffer. A reply that is
 * still incomplete past LOAD_REPLY_BYTES_MAX is taken as malformed, so a
 * stream of garbage cannot grow the buffer without end. */
static enum resp_scan_result conn_next_reply(struct load_conn *c, struct reply *r)
{
    const char *raw = c->in + c->in_start;
    size_t buffered = c->in_end - c->in_start;
    enum resp_scan_result res = resp_reply_scan(raw, buffered, &r->head);
    if (res == RESP_SCAN_INCOMPLETE && buffered > LOAD_REPLY_BYTES_MAX)
        return RESP_SCAN_MALFORMED;
    if (res == RESP_SCAN_OK) {
        r->raw = raw;
        c->in_start += r->head.reply_bytes;
    }
    return res;
}

/* Blocks (poll) until one whole reply is in, up to timeout_ms. Returns
 * RESP_SCAN_OK, RESP_SCAN_MALFORMED, or RESP_SCAN_INCOMPLETE on timeout or
 * a closed connection. */
static enum resp_scan_result conn_wait_reply(struct load_conn *c, struct reply *r,
                                              int timeout_ms)
{
    uint64_t deadline = clock_mono_ns() + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        enum resp_scan_result res = conn_next_reply(c, r);
        if (res != RESP_SCAN_INCOMPLETE)
            return res;
        if (conn_flush(c) < 0)
            return RESP_SCAN_INCOMPLETE;
        uint64_t now = clock_mono_ns();
        if (now >= deadline)
            return RESP_SCAN_INCOMPLETE;
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        if (c->out_sent < c->out_len)
            pfd.events |= POLLOUT;
        poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1);
        ssize_t n = conn_read(c);
        if (n == 0 || (n < 0 && n != -EAGAIN))
            return RESP_SCAN_INCOMPLETE;
    }
}

/* Opens count connections into conns. Returns false (with a message) if
 * any connect fails. */
static bool conns_open(struct load_conn *conns, int count, const struct load_options *o)
{
    for (int i = 0; i < count; i++) {
        int fd = net_connect(o->host, o->port);
        if (fd < 0) {
            fprintf(stderr, "ringkv-load: connect %s:%d: %s\n", o->host, o->port, strerror(-fd));
            for (int j = 0; j < i; j++)
                conn_free(&conns[j]);
            return false;
        }
        conn_init(&conns[i], i, fd, o->pipeline);
    }
    return true;
}

/* Sends c one setup command and reads its reply. Returns 0, 2 when the
 * connection failed, or LOAD_EXIT_REFUSED (with the server's error on
 * stderr) when the server answered with an error. */
static int conn_setup_command(struct load_conn *c, int argc, const char *const *argv)
{
    size_t lens[4];
    assert(argc <= 4);
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(argv[i]);
    conn_append_argv(c, argc, argv, lens);
    struct reply r;
    if (conn_wait_reply(c, &r, 10000) != RESP_SCAN_OK) {
        fprintf(stderr, "ringkv-load: connection %d: no reply to %s\n", c->index, argv[0]);
        return 2;
    }
    if (r.head.type != RESP_ERROR)
        return 0;
    fprintf(stderr, "ringkv-load: setup refused: %s%s%s: ", argv[0], argc > 1 ? " " : "",
            argc > 1 ? argv[1] : "");
    reply_print(stderr, &r, 200);
    return LOAD_EXIT_REFUSED;
}

/* Runs the setup the options ask for on each connection, in this order:
 * AUTH (so the later commands are checked as that user), HELLO 3, CLIENT
 * TRACKING ON. Returns 0 or the exit status of the first failure. */
static int conns_setup(struct load_conn *conns, int count, const struct load_options *o)
{
    for (int i = 0; i < count; i++) {
        struct load_conn *c = &conns[i];
        int status = 0;
        if (o->users > 0) {
            char user[LOAD_KEY_BYTES_MAX];
            snprintf(user, sizeof(user), "%s%d", o->user_prefix, i % o->users);
            const char *argv[3] = {"AUTH", user, o->password};
            status = conn_setup_command(c, 3, argv);
        }
        if (status == 0 && o->resp3) {
            const char *argv[2] = {"HELLO", "3"};
            status = conn_setup_command(c, 2, argv);
        }
        if (status == 0 && o->tracking) {
            const char *argv[3] = {"CLIENT", "TRACKING", "ON"};
            status = conn_setup_command(c, 3, argv);
        }
        if (status != 0)
            return status;
    }
    return 0;
}

static void inflight_push(struct load_conn *c, uint64_t t, int pipeline)
{
    assert(c->inflight_count < (size_t)pipeline);
    c->inflight_ns[(c->inflight_head + c->inflight_count) % (size_t)pipeline] = t;
    c->inflight_count++;
}

static uint64_t inflight_pop(struct load_conn *c, int pipeline)
{
    assert(c->inflight_count > 0);
    uint64_t t = c->inflight_ns[c->inflight_head];
    c->inflight_head = (c->inflight_head + 1) % (size_t)pipeline;
    c->inflight_count--;
    return t;
}

/* The signal handler only sets the flag. SIGINT and SIGTERM stay blocked
 * except inside ppoll, so a signal can't slip in between the flag check and
 * the wait and leave the loop asleep. */
static void on_stop_signal(int sig)
{
    (void)sig;
    load_stop_signal = 1;
}

static void signals_install(sigset_t *wait_mask)
{
    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, wait_mask);
    sigdelset(wait_mask, SIGINT);
    sigdelset(wait_mask, SIGTERM);
}

/* Waits for any connection to become readable (or writable with output
 * pending) for at most timeout_ns. Fills pfds[i] for conns[i]. */
static void conns_poll(struct load_conn *conns, int count, struct pollfd *pfds,
                       uint64_t timeout_ns, const sigset_t *wait_mask)
{
    for (int i = 0; i < count; i++) {
        pfds[i].fd = conns[i].fd;
        pfds[i].events = POLLIN;
        if (conns[i].out_sent < conns[i].out_len)
            pfds[i].events |= POLLOUT;
        pfds[i].revents = 0;
    }
    struct timespec ts = {.tv_sec = (time_t)(timeout_ns / 1000000000u),
                          .tv_nsec = (long)(timeout_ns % 1000000000u)};
    if (ppoll(pfds, (nfds_t)count, &ts, wait_mask) < 0 && errno != EINTR) {
        perror("ringkv-load: ppoll");
        exit(2);
    }
}

/* ---- latency mode ---------------------------------------------------- */

struct latency_run {
    const struct load_options *opt;
    struct load_conn *conns;
    struct pollfd *pfds;
    struct histogram hist;
    struct histogram send_lag; /* open loop: actual minus intended send time */
    struct histogram op_hist[2]; /* --per-op: [0] GET, [1] SET */
    uint64_t rng;
    char *value;              /* owned, value_bytes of 'x' */
    uint64_t interval_ns;     /* per connection, open loop only */
    uint64_t start_ns, end_ns;
    uint64_t sent, completed, errors, unsent;
    uint64_t pushes;          /* RESP3 pushes read between replies (invalidations) */
};

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: plenty for picking keys and operations. */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

/* The latency mode keeps a request's operation in the top bit of its
 * intended send time in the in-flight ring: monotonic nanoseconds never
 * reach it. Set for SET, clear for GET. */
#define INFLIGHT_SET_BIT (1ull << 63)

/* Appends one request; returns true for a SET, false for a GET. */
static bool latency_append_request(struct latency_run *run, struct load_conn *c)
{
    char key[LOAD_KEY_BYTES_MAX];
    size_t key_len = (size_t)snprintf(key, sizeof(key), "%s:%012" PRIu64, run->opt->key_prefix,
                                      rng_next(&run->rng) % run->opt->keys);
    bool get = (int)(rng_next(&run->rng) % 100) < run->opt->get_percent;
    if (run->opt->stream) {
        if (get) {
            char consumer[32];
            size_t consumer_len = (size_t)snprintf(consumer, sizeof(consumer), "c%d",
                                                   (int)(c - run->conns));
            const char *argv[9] = {"XREADGROUP", "GROUP", "g", consumer, "COUNT", "1",
                                   "STREAMS", key, ">"};
            size_t lens[9] = {10, 5, 1, consumer_len, 5, 1, 7, key_len, 1};
            conn_append_argv(c, 9, argv, lens);
        } else {
            const char *argv[5] = {"XADD", key, "*", "f", run->value};
            size_t lens[5] = {4, key_len, 1, 1, run->opt->value_bytes};
            conn_append_argv(c, 5, argv, lens);
        }
        return !get;
    }
    const char *argv[3] = {get ? "GET" : "SET", key, run->value};
    size_t lens[3] = {3, key_len, run->opt->value_bytes};
    conn_append_argv(c, get ? 2 : 3, argv, lens);
    return !get;
}

/* Queues every request of c that is due by now and fits in the pipeline. */
static void latency_schedule(struct latency_run *run, struct load_conn *c, uint64_t now)
{
    int pipeline = run->opt->pipeline;
    bool open_loop = run->interval_ns > 0;
    while (c->fd >= 0 && c->inflight_count < (size_t)pipeline) {
        if (open_loop && c->next_due_ns > now)
            break;
        if (open_loop && c->next_due_ns >= run->end_ns)
            break;
        uint64_t intended = open_loop ? c->next_due_ns : now;
        if (open_loop)
            histogram_record(&run->send_lag, now - intended);
        bool set = latency_append_request(run, c);
        inflight_push(c, intended | (set ? INFLIGHT_SET_BIT : 0), pipeline);
        c->next_due_ns += run->interval_ns;
        run->sent++;
    }
}

/* Reads and records every whole reply on c. Returns false when c closed. */
static bool latency_read(struct latency_run *run, struct load_conn *c)
{
    ssize_t n = conn_read(c);
    if (n == -EAGAIN)
        return true;
    if (n <= 0)
        return false;
    uint64_t now = clock_mono_ns();
    struct reply r;
    enum resp_scan_result res;
    while ((res = conn_next_reply(c, &r)) == RESP_SCAN_OK) {
        if (r.head.type == RESP_PUSH) {
            run->pushes++;
            continue;
        }
        if (c->inflight_count == 0)
            return false;
        uint64_t tagged = inflight_pop(c, run->opt->pipeline);
        uint64_t intended = tagged & ~INFLIGHT_SET_BIT;
        uint64_t latency = now > intended ? now - intended : 0;
        histogram_record(&run->hist, latency);
        histogram_record(&run->op_hist[(tagged & INFLIGHT_SET_BIT) ? 1 : 0], latency);
        run->completed++;
        if (r.head.type == RESP_ERROR)
            run->errors++;
    }
    return res != RESP_SCAN_MALFORMED;
}

/* The time until the next request anywhere is due, capped at the end. */
static uint64_t latency_timeout(const struct latency_run *run, uint64_t now, bool stopping)
{
    uint64_t deadline = stopping ? now + 10 * 1000000u : run->end_ns;
    if (!stopping && run->interval_ns > 0) {
        for (int i = 0; i < run->opt->clients; i++) {
            const struct load_conn *c = &run->conns[i];
            if (c->fd >= 0 && c->inflight_count < (size_t)run->opt->pipeline &&
                c->next_due_ns < deadline)
                deadline = c->next_due_ns;
        }
    }
    return deadline > now ? deadline - now : 0;
}

static bool latency_all_idle(const struct latency_run *run)
{
    for (int i = 0; i < run->opt->clients; i++)
        if (run->conns[i].fd >= 0 && run->conns[i].inflight_count > 0)
            return false;
    return true;
}

static void latency_loop(struct latency_run *run, const sigset_t *wait_mask)
{
    const struct load_options *o = run->opt;
    uint64_t drain_end = run->end_ns + (uint64_t)LOAD_DRAIN_TIMEOUT_MS * 1000000u;
    for (;;) {
        uint64_t now = clock_mono_ns();
        bool stopping = now >= run->end_ns || load_stop_signal;
        if (stopping && (latency_all_idle(run) || now >= drain_end))
            break;
        for (int i = 0; i < o->clients; i++) {
            struct load_conn *c = &run->conns[i];
            if (!stopping)
                latency_schedule(run, c, now);
            if (conn_flush(c) < 0)
                conn_close(c);
        }
        conns_poll(run->conns, o->clients, run->pfds, latency_timeout(run, now, stopping),
                   wait_mask);
        for (int i = 0; i < o->clients; i++) {
            struct load_conn *c = &run->conns[i];
            if (c->fd >= 0 && (run->pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
                !latency_read(run, c)) {
                fprintf(stderr, "ringkv-load: connection %d lost\n", i);
                conn_close(c);
            }
        }
    }
    /* Requests that were due before the end but never went out: the
     * server fell so far behind that the pipeline never had room. */
    for (int i = 0; run->interval_ns > 0 && i < o->clients; i++)
        if (run->conns[i].next_due_ns < run->end_ns)
            run->unsent += (run->end_ns - run->conns[i].next_due_ns - 1) / run->interval_ns + 1;
}

/* Sets every key of the keyspace once, so GETs find values. */
static bool latency_preload(struct latency_run *run)
{
    struct load_conn *c = &run->conns[0];
    char key[LOAD_KEY_BYTES_MAX];
    for (uint64_t k = 0; k < run->opt->keys;) {
        uint64_t batch_end = k + VERIFY_BATCH_MAX < run->opt->keys ? k + VERIFY_BATCH_MAX
                                                                   : run->opt->keys;
        uint64_t batch_count = batch_end - k;
        for (; k < batch_end; k++) {
            size_t key_len = (size_t)snprintf(key, sizeof(key), "%s:%012" PRIu64,
                                              run->opt->key_prefix, k);
            if (run->opt->stream) {
                const char *argv[6] = {"XGROUP", "CREATE", key, "g", "0", "MKSTREAM"};
                size_t lens[6] = {6, 6, key_len, 1, 1, 8};
                conn_append_argv(c, 6, argv, lens);
                continue;
            }
            const char *argv[3] = {"SET", key, run->value};
            size_t lens[3] = {3, key_len, run->opt->value_bytes};
            conn_append_argv(c, 3, argv, lens);
        }
        for (uint64_t i = 0; i < batch_count; i++) {
            struct reply r;
            enum resp_scan_result res;
            /* Skips pushes: with --tracking a SET can invalidate a key. */
            while ((res = conn_wait_reply(c, &r, 10000)) == RESP_SCAN_OK &&
                   r.head.type == RESP_PUSH)
                ;
            if (res != RESP_SCAN_OK || r.head.type == RESP_ERROR) {
                fprintf(stderr, "ringkv-load: preload failed\n");
                return false;
            }
        }
    }
    return true;
}

static void latency_report(const struct latency_run *run)
{
    const struct load_options *o = run->opt;
    double seconds = (double)(run->end_ns - run->start_ns) / 1e9;
    double achieved = (double)run->completed / seconds;
    double lag_p99_us = (double)histogram_percentile(&run->send_lag, 99.0) / 1000.0;
    double us[4] = {
        (double)histogram_percentile(&run->hist, 50.0) / 1000.0,
        (double)histogram_percentile(&run->hist, 99.0) / 1000.0,
        (double)histogram_percentile(&run->hist, 99.9) / 1000.0,
        (double)run->hist.max / 1000.0,
    };
    const char *loop = run->interval_ns > 0 ? "open" : "closed";
    printf("workload=%s loop=%s clients=%d pipeline=%d target_rate=%.0f achieved_rate=%.0f "
           "requests=%" PRIu64 " errors=%" PRIu64 " unsent=%" PRIu64
           " p50=%.1fus p99=%.1fus p99.9=%.1fus max=%.1fus send_lag_p99=%.1fus pushes=%" PRIu64
           "\n",
           o->workload, loop, o->clients, o->pipeline, o->rate, achieved, run->completed,
           run->errors, run->unsent, us[0], us[1], us[2], us[3], lag_p99_us, run->pushes);
    if (o->json)
        printf("{\"mode\":\"latency\",\"workload\":\"%s\",\"loop\":\"%s\",\"clients\":%d,"
               "\"pipeline\":%d,\"keys\":%" PRIu64 ",\"value_size\":%zu,\"duration_s\":%.3f,"
               "\"target_rate\":%.0f,\"achieved_rate\":%.1f,\"requests\":%" PRIu64
               ",\"errors\":%" PRIu64 ",\"unsent\":%" PRIu64 ",\"p50_us\":%.1f,\"p99_us\":%.1f,"
               "\"p999_us\":%.1f,\"max_us\":%.1f,\"send_lag_p99_us\":%.1f,\"pushes\":%" PRIu64 "}\n",
               o->workload, loop, o->clients, o->pipeline, o->keys, o->value_bytes, seconds,
               o->rate, achieved, run->completed, run->errors, run->unsent, us[0], us[1], us[2],
               us[3], lag_p99_us, run->pushes);
    for (int op = 0; o->per_op && op < 2; op++) {
        const struct histogram *h = &run->op_hist[op];
        const char *name = op == 0 ? "get" : "set";
        double q[4] = {
            (double)histogram_percentile(h, 50.0) / 1000.0,
            (double)histogram_percentile(h, 99.0) / 1000.0,
            (double)histogram_percentile(h, 99.9) / 1000.0,
            (double)h->max / 1000.0,
        };
        printf("op=%s requests=%" PRIu64 " p50=%.1fus p99=%.1fus p99.9=%.1fus max=%.1fus\n",
               name, h->total, q[0], q[1], q[2], q[3]);
        if (o->json)
            printf("{\"mode\":\"latency-op\",\"op\":\"%s\",\"requests\":%" PRIu64
                   ",\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f}\n",
                   name, h->total, q[0], q[1], q[2], q[3]);
    }
}

/* Runs the measured part, once the connections are ready, and reports it. */
static void latency_measure(struct latency_run *run, const sigset_t *wait_mask)
{
    const struct load_options *o = run->opt;
    if (o->rate > 0)
        run->interval_ns = (uint64_t)((double)o->clients * 1e9 / o->rate);
    if (o->rate > 0 && run->interval_ns == 0)
        run->interval_ns = 1;
    run->start_ns = clock_mono_ns();
    run->end_ns = run->start_ns + (uint64_t)(o->duration_s * 1e9);
    /* Stagger the connections so the requests are spread evenly in time. */
    for (int i = 0; i < o->clients; i++)
        run->conns[i].next_due_ns = run->start_ns + run->interval_ns * (uint64_t)i / (uint64_t)o->clients;
    latency_loop(run, wait_mask);
    if (load_stop_signal)
        run->end_ns = clock_mono_ns() < run->end_ns ? clock_mono_ns() : run->end_ns;
    latency_report(run);
}

static int latency_main(const struct load_options *o)
{
    sigset_t wait_mask;
    signals_install(&wait_mask);
    /* Wake up when a request is due, not up to the default 50 us later. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    struct latency_run *run = xrealloc(NULL, sizeof(*run));
    memset(run, 0, sizeof(*run));
    run->opt = o;
    run->rng = 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid();
    run->value = xrealloc(NULL, o->value_bytes + 1);
    memset(run->value, 'x', o->value_bytes);
    run->conns = xrealloc(NULL, sizeof(struct load_conn) * (size_t)o->clients);
    run->pfds = xrealloc(NULL, sizeof(struct pollfd) * (size_t)o->clients);
    int status = 2;
    if (conns_open(run->conns, o->clients, o)) {
        status = conns_setup(run->conns, o->clients, o);
        if (status == 0 && o->preload && !latency_preload(run))
            status = 2;
        if (status == 0)
            latency_measure(run, &wait_mask);
        for (int i = 0; i < o->clients; i++)
            conn_free(&run->conns[i]);
    }
    free(run->conns);
    free(run->pfds);
    free(run->value);
    free(run);
    return status;
}

/* ---- pub/sub mode ---------------------------------------------------- */

struct pubsub_run {
    const struct load_options *opt;
    struct load_conn *conns;  /* opt->clients publishers, then opt->subscribers subscribers */
    struct pollfd *pfds;
    char *value;              /* owned, value_bytes of 'x' */
    uint64_t start_ns, end_ns;
    uint64_t backlog_max;     /* messages the slowest subscriber may lag */
    uint64_t sent;            /* PUBLISHes written */
    uint64_t published;       /* PUBLISH replies read before end_ns */
    uint64_t receivers;       /* sum of all PUBLISH replies: deliveries the server made */
    uint64_t delivered;       /* messages the subscribers read before end_ns */
    uint64_t delivered_total; /* the same, the drain after end_ns included */
    uint64_t errors;
    int lost;                 /* connections lost */
};

/* Messages read by the slowest subscriber still connected; a lost one
 * must not hold the publishers back. */
static uint64_t pubsub_slowest(const struct pubsub_run *run)
{
    uint64_t slowest = run->sent;
    for (int i = 0; i < run->opt->subscribers; i++) {
        const struct load_conn *c = &run->conns[run->opt->clients + i];
        if (c->fd >= 0 && c->messages < slowest)
            slowest = c->messages;
    }
    return slowest;
}

/* Fills c's pipeline with PUBLISHes, as far as the backlog allows. */
static void pubsub_publish(struct pubsub_run *run, struct load_conn *c, uint64_t slowest)
{
    const struct load_options *o = run->opt;
    const char *argv[3] = {"PUBLISH", o->channel, run->value};
    size_t lens[3] = {7, strlen(o->channel), o->value_bytes};
    while (c->fd >= 0 && c->inflight_count < (size_t)o->pipeline &&
           run->sent - slowest < run->backlog_max) {
        conn_append_argv(c, 3, argv, lens);
        c->inflight_count++;
        run->sent++;
    }
}

/* Reads a publisher's replies: each is the number of subscribers that got
 * the message. Returns false when c closed or sent something else. */
static bool pubsub_read_publisher(struct pubsub_run *run, struct load_conn *c, bool in_window)
{
    ssize_t n = conn_read(c);
    if (n == -EAGAIN)
        return true;
    if (n <= 0)
        return false;
    struct reply r;
    enum resp_scan_result res;
    while ((res = conn_next_reply(c, &r)) == RESP_SCAN_OK) {
        if (c->inflight_count == 0)
            return false;
        c->inflight_count--;
        run->published += in_window;
        if (r.head.type == RESP_INTEGER && r.head.integer >= 0)
            run->receivers += (uint64_t)r.head.integer;
        else
            run->errors++;
    }
    return res != RESP_SCAN_MALFORMED;
}

/* Counts the messages a subscriber read: arrays in RESP2, pushes in RESP3.
 * Returns false when c closed or the stream went bad. */
static bool pubsub_read_subscriber(struct pubsub_run *run, struct load_conn *c, bool in_window)
{
    ssize_t n = conn_read(c);
    if (n == -EAGAIN)
        return true;
    if (n <= 0)
        return false;
    struct reply r;
    enum resp_scan_result res;
    while ((res = conn_next_reply(c, &r)) == RESP_SCAN_OK) {
        if (r.head.type != RESP_ARRAY && r.head.type != RESP_PUSH) {
            run->errors++;
            continue;
        }
        c->messages++;
        run->delivered += in_window;
        run->delivered_total++;
    }
    return res != RESP_SCAN_MALFORMED;
}

/* Everything published has been answered and read by its subscribers. */
static bool pubsub_drained(const struct pubsub_run *run)
{
    for (int i = 0; i < run->opt->clients; i++)
        if (run->conns[i].fd >= 0 && run->conns[i].inflight_count > 0)
            return false;
    return run->delivered_total >= run->receivers;
}

static void pubsub_loop(struct pubsub_run *run, const sigset_t *wait_mask)
{
    const struct load_options *o = run->opt;
    int total = o->clients + o->subscribers;
    uint64_t drain_end = run->end_ns + (uint64_t)LOAD_DRAIN_TIMEOUT_MS * 1000000u;
    for (;;) {
        uint64_t now = clock_mono_ns();
        bool stopping = now >= run->end_ns || load_stop_signal;
        if (stopping && (pubsub_drained(run) || now >= drain_end))
            break;
        uint64_t slowest = pubsub_slowest(run);
        for (int i = 0; i < o->clients; i++) {
            struct load_conn *c = &run->conns[i];
            if (!stopping)
                pubsub_publish(run, c, slowest);
            if (conn_flush(c) < 0)
                conn_close(c);
        }
        uint64_t timeout = stopping ? 10 * 1000000u : run->end_ns - now;
        conns_poll(run->conns, total, run->pfds, timeout, wait_mask);
        bool in_window = clock_mono_ns() < run->end_ns;
        for (int i = 0; i < total; i++) {
            struct load_conn *c = &run->conns[i];
            if (c->fd < 0 || !(run->pfds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            bool ok = i < o->clients ? pubsub_read_publisher(run, c, in_window)
                                     : pubsub_read_subscriber(run, c, in_window);
            if (!ok) {
                fprintf(stderr, "ringkv-load: %s %d lost\n",
                        i < o->clients ? "publisher" : "subscriber",
                        i < o->clients ? i : i - o->clients);
                conn_close(c);
                run->lost++;
            }
        }
    }
}

/* Subscribes every subscriber and waits for each confirmation, so no
 * message of the run is published before all of them listen. */
static int pubsub_subscribe(struct pubsub_run *run)
{
    const struct load_options *o = run->opt;
    for (int i = 0; i < o->subscribers; i++) {
        struct load_conn *c = &run->conns[o->clients + i];
        const char *argv[2] = {"SUBSCRIBE", o->channel};
        int status = conn_setup_command(c, 2, argv);
        if (status != 0)
            return status;
    }
    return 0;
}

static void pubsub_report(const struct pubsub_run *run)
{
    const struct load_options *o = run->opt;
    double seconds = (double)(run->end_ns - run->start_ns) / 1e9;
    uint64_t missing = run->receivers > run->delivered_total ? run->receivers - run->delivered_total
                                                             : 0;
    printf("mode=pubsub publishers=%d pipeline=%d subscribers=%d value_size=%zu duration_s=%.3f "
           "published=%" PRIu64 " publish_rate=%.0f delivered=%" PRIu64 " delivered_rate=%.0f "
           "receivers=%" PRIu64 " missing=%" PRIu64 " errors=%" PRIu64 " lost=%d\n",
           o->clients, o->pipeline, o->subscribers, o->value_bytes, seconds, run->published,
           (double)run->published / seconds, run->delivered, (double)run->delivered / seconds,
           run->receivers, missing, run->errors, run->lost);
    if (o->json)
        printf("{\"mode\":\"pubsub\",\"publishers\":%d,\"pipeline\":%d,\"subscribers\":%d,"
               "\"value_size\":%zu,\"duration_s\":%.3f,\"published\":%" PRIu64
               ",\"publish_rate\":%.1f,\"delivered\":%" PRIu64 ",\"delivered_rate\":%.1f,"
               "\"receivers\":%" PRIu64 ",\"missing\":%" PRIu64 ",\"errors\":%" PRIu64
               ",\"lost\":%d}\n",
               o->clients, o->pipeline, o->subscribers, o->value_bytes, seconds, run->published,
               (double)run->published / seconds, run->delivered, (double)run->delivered / seconds,
               run->receivers, missing, run->errors, run->lost);
}

/* Exit status 2 when a connection was lost: the figure would then count a
 * disconnect, not a delivery rate. */
static int pubsub_main(const struct load_options *o)
{
    sigset_t wait_mask;
    signals_install(&wait_mask);
    int total = o->clients + o->subscribers;
    size_t message_bytes = o->value_bytes + strlen(o->channel) + PUBSUB_MESSAGE_OVERHEAD_BYTES;
    struct pubsub_run run = {.opt = o, .backlog_max = PUBSUB_BACKLOG_BYTES_MAX / message_bytes};
    if (run.backlog_max == 0)
        run.backlog_max = 1;
    run.value = xrealloc(NULL, o->value_bytes + 1);
    memset(run.value, 'x', o->value_bytes);
    run.conns = xrealloc(NULL, sizeof(struct load_conn) * (size_t)total);
    run.pfds = xrealloc(NULL, sizeof(struct pollfd) * (size_t)total);
    if (!conns_open(run.conns, total, o)) {
        free(run.conns);
        free(run.pfds);
        free(run.value);
        return 2;
    }
    int status = conns_setup(run.conns, total, o);
    if (status == 0)
        status = pubsub_subscribe(&run);
    if (status == 0) {
        run.start_ns = clock_mono_ns();
        run.end_ns = run.start_ns + (uint64_t)(o->duration_s * 1e9);
        pubsub_loop(&run, &wait_mask);
        if (load_stop_signal)
            run.end_ns = clock_mono_ns() < run.end_ns ? clock_mono_ns() : run.end_ns;
        pubsub_report(&run);
        status = run.lost > 0 ? 2 : 0;
    }
    for (int i = 0; i < total; i++)
        conn_free(&run.conns[i]);
    free(run.conns);
    free(run.pfds);
    free(run.value);
    return status;
}

/* ---- durability mode: the ack log ------------------------------------ */

struct acklog {
    FILE *file;               /* owned */
    int64_t last_sync_ms;
    int64_t last_ack_ms;      /* when any connection's ack last advanced */
    int64_t max_stall_ms;     /* longest time with no ack at all: a stalled server */
    bool failed;              /* a write or fdatasync failed: sticky */
};

/* Flushes stdio and fdatasyncs. After a failure the log is not trusted and
 * the run ends with an error: a verify against it would be meaningless. */
static void acklog_sync(struct acklog *log)
{
    if (log->failed)
        return;
    if (fflush(log->file) != 0 || fdatasync(fileno(log->file)) != 0) {
        perror("ringkv-load: ack log");
        log->failed = true;
    }
    log->last_sync_ms = clock_epoch_ms();
}

/* Appends a line for each connection whose ack advanced since the last call. */
static void acklog_record(struct acklog *log, struct load_conn *conns, int count)
{
    int64_t now_ms = clock_epoch_ms();
    bool advanced = false;
    for (int i = 0; i < count; i++) {
        struct load_conn *c = &conns[i];
        if (c->acked_seq == c->logged_seq)
            continue;
        assert(c->acked_seq > c->logged_seq);
        fprintf(log->file, "%d %" PRIu64 " %" PRId64 "\n", i, c->acked_seq, now_ms);
        c->logged_seq = c->acked_seq;
        advanced = true;
    }
    if (advanced) {
        if (now_ms - log->last_ack_ms > log->max_stall_ms)
            log->max_stall_ms = now_ms - log->last_ack_ms;
        log->last_ack_ms = now_ms;
    }
    if (now_ms - log->last_sync_ms >= ACKLOG_SYNC_INTERVAL_MS)
        acklog_sync(log);
}

static void acklog_append_write(struct load_conn *c, const struct load_options *o)
{
    char key[LOAD_KEY_BYTES_MAX];
    char value[24];
    size_t value_len = (size_t)snprintf(value, sizeof(value), "%" PRIu64, c->next_seq);
    if (o->op == OP_INCR) {
        size_t key_len = (size_t)snprintf(key, sizeof(key), "%s:%d", o->prefix, c->index);
        const char *argv[2] = {"INCR", key};
        size_t lens[2] = {4, key_len};
        conn_append_argv(c, 2, argv, lens);
    } else {
        size_t key_len = (size_t)snprintf(key, sizeof(key), "%s:%d:%" PRIu64, o->prefix,
                                          c->index, c->next_seq);
        const char *argv[3] = {"SET", key, value};
        size_t lens[3] = {3, key_len, value_len};
        conn_append_argv(c, 3, argv, lens);
    }
    c->next_seq++;
    c->inflight_count++;
}

/* Counts the replies on c as acks. Any reply other than the expected one
 * stops the connection: a later success after a failed seq would leave a
 * gap that verify would report as a lost write. Returns false when c is
 * closed or stopped. */
static bool acklog_read(struct load_conn *c, const struct load_options *o)
{
    ssize_t n = conn_read(c);
    if (n == -EAGAIN)
        return true;
    if (n <= 0) {
        c->failed = true;
        return false;
    }
    struct reply r;
    enum resp_scan_result res;
    while ((res = conn_next_reply(c, &r)) == RESP_SCAN_OK && !c->failed) {
        uint64_t seq = c->acked_seq + 1;
        const struct resp_reply_head *h = &r.head;
        bool ok = o->op == OP_INCR
                      ? h->type == RESP_INTEGER && h->integer == (long long)seq
                      : h->type == RESP_STRING && h->len == 2 && memcmp(h->str, "OK", 2) == 0;
        if (!ok || c->inflight_count == 0) {
            fprintf(stderr, "ringkv-load: connection %d: unexpected reply to seq %" PRIu64 ": ",
                    c->index, seq);
            reply_print(stderr, &r, 80);
            c->failed = true;
            break;
        }
        c->acked_seq = seq;
        c->inflight_count--;
    }
    if (res == RESP_SCAN_MALFORMED)
        c->failed = true;
    return !c->failed;
}

static int conns_live(const struct load_conn *conns, int count)
{
    int live = 0;
    for (int i = 0; i < count; i++)
        live += conns[i].fd >= 0 && !conns[i].failed;
    return live;
}

/* Runs the writers until the duration ends, a signal arrives or the server
 * goes away. Returns the reason, for the summary line. */
static const char *acklog_loop(struct load_conn *conns, struct pollfd *pfds,
                               const struct load_options *o, struct acklog *log,
                               const sigset_t *wait_mask)
{
    uint64_t end_ns = clock_mono_ns() + (uint64_t)(o->duration_s * 1e9);
    uint64_t drain_end_ns = 0;  /* set when the first connection is lost */
    const char *reason = NULL;
    while (!log->failed) {
        uint64_t now = clock_mono_ns();
        if (reason == NULL && load_stop_signal)
            return "signal";
        if (reason == NULL && now >= end_ns)
            return "duration";
        if (drain_end_ns != 0 && (now >= drain_end_ns || conns_live(conns, o->clients) == 0))
            return reason;
        for (int i = 0; i < o->clients && drain_end_ns == 0; i++) {
            struct load_conn *c = &conns[i];
            while (c->fd >= 0 && !c->failed && c->inflight_count < (size_t)o->pipeline)
                acklog_append_write(c, o);
            if (conn_flush(c) < 0)
                c->failed = true;
        }
        conns_poll(conns, o->clients, pfds, (uint64_t)ACKLOG_SYNC_INTERVAL_MS * 1000000u,
                   wait_mask);
        for (int i = 0; i < o->clients; i++) {
            struct load_conn *c = &conns[i];
            if (c->fd >= 0 && !c->failed && (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                acklog_read(c, o);
            if (c->fd >= 0 && c->failed) {
                conn_close(c);
                if (drain_end_ns == 0) {
                    reason = "connection-lost";
                    drain_end_ns = clock_mono_ns() + (uint64_t)ACKLOG_DRAIN_TIMEOUT_MS * 1000000u;
                }
            }
        }
        acklog_record(log, conns, o->clients);
    }
    return "ack-log-error";
}

static int acklog_main(const struct load_options *o)
{
    sigset_t wait_mask;
    signals_install(&wait_mask);
    struct acklog log = {.file = fopen(o->path, "w")};
    if (log.file == NULL) {
        fprintf(stderr, "ringkv-load: %s: %s\n", o->path, strerror(errno));
        return 2;
    }
    fprintf(log.file, "%s op=%s prefix=%s clients=%d\n", ACKLOG_MAGIC,
            o->op == OP_INCR ? "incr" : "set", o->prefix, o->clients);
    acklog_sync(&log);
    struct load_conn *conns = xrealloc(NULL, sizeof(struct load_conn) * (size_t)o->clients);
    struct pollfd *pfds = xrealloc(NULL, sizeof(struct pollfd) * (size_t)o->clients);
    if (!conns_open(conns, o->clients, o))
        return 2;
    log.last_ack_ms = clock_epoch_ms();
    const char *reason = acklog_loop(conns, pfds, o, &log, &wait_mask);
    acklog_record(&log, conns, o->clients);
    acklog_sync(&log);
    uint64_t acked = 0;
    for (int i = 0; i < o->clients; i++) {
        acked += conns[i].acked_seq;
        conn_free(&conns[i]);
    }
    bool failed = log.failed;
    fclose(log.file);
    free(conns);
    free(pfds);
    printf("acked=%" PRIu64 " clients=%d reason=%s max_stall_ms=%" PRId64 "\n", acked,
           o->clients, reason, log.max_stall_ms);
    return failed ? 2 : 0;
}

/* ---- verify mode ----------------------------------------------------- */

/* One line of the ack log: seqs up to seq were acknowledged by time_ms. */
struct ack_mark {
    uint64_t seq;
    int64_t time_ms;
};

struct ack_history {
    struct ack_mark *marks;   /* owned, seq strictly increasing */
    size_t count, cap;
};

struct ack_file {
    char prefix[LOAD_PREFIX_BYTES_MAX + 1];
    enum load_op op;
    int clients;
    struct ack_history *conns; /* owned, clients entries */
};

static bool ack_file_header(struct ack_file *f, const char *line)
{
    char op[8];
    char prefix[LOAD_PREFIX_BYTES_MAX + 1];
    int clients;
    if (sscanf(line, ACKLOG_MAGIC " op=%7s prefix=%64s clients=%d", op, prefix, &clients) != 3 ||
        clients < 1 || clients > LOAD_CLIENTS_MAX)
        return false;
    memcpy(f->prefix, prefix, sizeof(prefix));
    f->op = strcmp(op, "incr") == 0 ? OP_INCR : OP_SET;
    f->clients = clients;
    f->conns = xrealloc(NULL, sizeof(struct ack_history) * (size_t)clients);
    memset(f->conns, 0, sizeof(struct ack_history) * (size_t)clients);
    return true;
}

/* Adds one "<conn> <seq> <ms>" line. A malformed or out-of-order line is
 * only possible if the file was damaged; it is reported and refused. */
static bool ack_file_line(struct ack_file *f, const char *line)
{
    int index;
    uint64_t seq;
    int64_t ms;
    if (sscanf(line, "%d %" SCNu64 " %" SCNd64, &index, &seq, &ms) != 3 || index < 0 ||
        index >= f->clients)
        return false;
    struct ack_history *h = &f->conns[index];
    if (h->count > 0 && h->marks[h->count - 1].seq >= seq)
        return false;
    if (h->count == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->marks = xrealloc(h->marks, sizeof(struct ack_mark) * h->cap);
    }
    h->marks[h->count++] = (struct ack_mark){.seq = seq, .time_ms = ms};
    return true;
}

/* Reads an ack log. A last line without its newline was cut short by a
 * kill of the writer and is skipped. */
static bool ack_file_read(struct ack_file *f, const char *path)
{
    FILE *in = fopen(path, "r");
    if (in == NULL) {
        fprintf(stderr, "ringkv-load: %s: %s\n", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool ok = true;
    for (size_t number = 1; ok && (len = getline(&line, &cap, in)) > 0; number++) {
        if (line[len - 1] != '\n')
            break;
        ok = number == 1 ? ack_file_header(f, line) : ack_file_line(f, line);
        if (!ok)
            fprintf(stderr, "ringkv-load: %s:%zu: bad ack log line\n", path, number);
    }
    if (ok && f->conns == NULL) {
        fprintf(stderr, "ringkv-load: %s: not an ack log\n", path);
        ok = false;
    }
    free(line);
    fclose(in);
    return ok;
}

static uint64_t ack_history_acked(const struct ack_history *h)
{
    return h->count > 0 ? h->marks[h->count - 1].seq : 0;
}

/* The time by which seq was acknowledged: that of the first line that
 * covers it. It is an upper bound, off by at most one read batch. */
static int64_t ack_history_time(const struct ack_history *h, uint64_t seq)
{
    size_t lo = 0, hi = h->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->marks[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    assert(lo < h->count);
    return h->marks[lo].time_ms;
}

struct verify_totals {
    uint64_t checked, lost, lost_in_window, violations, holes;
    int samples;
};

/* Classifies one lost write: inside the allowed window before the kill, or
 * a violation. A hole (a later write of the same connection survived) is
 * always a violation: an append-only log loses a suffix, never a middle. */
static void verify_lost(struct verify_totals *t, const struct load_options *o,
                        const struct ack_file *f, int index, uint64_t seq, bool hole)
{
    int64_t acked_ms = ack_history_time(&f->conns[index], seq);
    int64_t before_kill_ms = o->kill_time_ms > 0 ? o->kill_time_ms - acked_ms : -1;
    bool in_window = !hole && o->allow_loss_ms > 0 && o->kill_time_ms > 0 &&
                     before_kill_ms <= o->allow_loss_ms;
    t->lost++;
    t->holes += hole;
    if (in_window)
        t->lost_in_window++;
    else
        t->violations++;
    if (t->samples++ < VERIFY_SAMPLES_MAX) {
        char key[LOAD_KEY_BYTES_MAX];
        if (f->op == OP_INCR)
            snprintf(key, sizeof(key), "%s:%d (increment %" PRIu64 ")", f->prefix, index, seq);
        else
            snprintf(key, sizeof(key), "%s:%d:%" PRIu64, f->prefix, index, seq);
        char when[64] = "";
        /* An ack logged after the kill was stamped is a reply the server
         * sent just before it died, read from the socket afterwards. */
        if (o->kill_time_ms > 0 && before_kill_ms >= 0)
            snprintf(when, sizeof(when), " acked %" PRId64 " ms before the kill", before_kill_ms);
        else if (o->kill_time_ms > 0)
            snprintf(when, sizeof(when), " acked at the kill (read %" PRId64 " ms after it)",
                     -before_kill_ms);
        printf("lost %s%s%s%s\n", key, when, hole ? " (hole: a later write survived)" : "",
               in_window ? " (within the allowed window)" : "");
    }
}

/* GETs seqs [first, last] of connection index in one pipelined batch and
 * records each as present or lost; *highest_present tracks holes. Lost seqs
 * are appended to lost[] (cap VERIFY_BATCH_MAX). Returns false on I/O error. */
static bool verify_batch(struct load_conn *c, const struct ack_file *f, int index,
                         uint64_t first, uint64_t last, uint64_t *lost, size_t *lost_count,
                         uint64_t *highest_present)
{
    char key[LOAD_KEY_BYTES_MAX];
    for (uint64_t seq = first; seq <= last; seq++) {
        size_t key_len = (size_t)snprintf(key, sizeof(key), "%s:%d:%" PRIu64, f->prefix, index, seq);
        const char *argv[2] = {"GET", key};
        size_t lens[2] = {3, key_len};
        conn_append_argv(c, 2, argv, lens);
    }
    for (uint64_t seq = first; seq <= last; seq++) {
        struct reply r;
        if (conn_wait_reply(c, &r, 30000) != RESP_SCAN_OK || r.head.type == RESP_ERROR) {
            fprintf(stderr, "ringkv-load: verify: GET failed for seq %" PRIu64 "\n", seq);
            return false;
        }
        char want[24];
        size_t want_len = (size_t)snprintf(want, sizeof(want), "%" PRIu64, seq);
        bool present = r.head.type == RESP_BULK && r.head.len == want_len &&
                       memcmp(r.head.str, want, want_len) == 0;
        if (present)
            *highest_present = seq;
        else
            lost[(*lost_count)++] = seq;
    }
    return true;
}

/* Checks every acknowledged SET of one connection. */
static bool verify_conn_set(struct load_conn *c, const struct load_options *o,
                            const struct ack_file *f, int index, struct verify_totals *t)
{
    uint64_t acked = ack_history_acked(&f->conns[index]);
    uint64_t *lost = NULL;
    size_t lost_count = 0, lost_cap = 0;
    uint64_t highest_present = 0;
    for (uint64_t first = 1; first <= acked; first += VERIFY_BATCH_MAX) {
        uint64_t last = first + VERIFY_BATCH_MAX - 1 < acked ? first + VERIFY_BATCH_MAX - 1 : acked;
        if (lost_cap - lost_count < VERIFY_BATCH_MAX) {
            lost_cap = lost_cap * 2 + VERIFY_BATCH_MAX;
            lost = xrealloc(lost, sizeof(uint64_t) * lost_cap);
        }
        if (!verify_batch(c, f, index, first, last, lost, &lost_count, &highest_present)) {
            free(lost);
            return false;
        }
    }
    t->checked += acked;
    for (size_t i = 0; i < lost_count; i++)
        verify_lost(t, o, f, index, lost[i], lost[i] < highest_present);
    free(lost);
    return true;
}

/* Checks one connection's counter: it must have reached its acked count. */
static bool verify_conn_incr(struct load_conn *c, const struct load_options *o,
                             const struct ack_file *f, int index, struct verify_totals *t)
{
    char key[LOAD_KEY_BYTES_MAX];
    size_t key_len = (size_t)snprintf(key, sizeof(key), "%s:%d", f->prefix, index);
    const char *argv[2] = {"GET", key};
    size_t lens[2] = {3, key_len};
    conn_append_argv(c, 2, argv, lens);
    struct reply r;
    long long value = 0;
    if (conn_wait_reply(c, &r, 30000) != RESP_SCAN_OK || r.head.type == RESP_ERROR ||
        (r.head.type != RESP_NIL && !parse_ll(r.head.str, r.head.len, &value))) {
        fprintf(stderr, "ringkv-load: verify: GET %s failed\n", key);
        return false;
    }
    uint64_t acked = ack_history_acked(&f->conns[index]);
    t->checked += acked;
    for (uint64_t seq = value < 0 ? 1 : (uint64_t)value + 1; seq <= acked; seq++)
        verify_lost(t, o, f, index, seq, false);
    return true;
}

/* PINGs until the server answers PONG (it answers -LOADING while it
 * replays its files). Returns false if it never does within timeout_ms. */
static bool wait_ready(struct load_conn *c, const struct load_options *o, int timeout_ms)
{
    uint64_t deadline = clock_mono_ns() + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        if (c->fd < 0) {
            int fd = net_connect(o->host, o->port);
            if (fd >= 0) {
                conn_free(c);
                conn_init(c, 0, fd, 1);
            }
        }
        if (c->fd >= 0) {
            const char *argv[1] = {"PING"};
            size_t lens[1] = {4};
            conn_append_argv(c, 1, argv, lens);
            struct reply r;
            enum resp_scan_result res = conn_wait_reply(c, &r, 5000);
            if (res == RESP_SCAN_OK && r.head.type == RESP_STRING && r.head.len == 4 &&
                memcmp(r.head.str, "PONG", 4) == 0)
                return true;
            if (res != RESP_SCAN_OK)
                conn_close(c);
        }
        if (clock_mono_ns() >= deadline)
            return false;
        sleep_ms(50);
    }
}

static int verify_main(const struct load_options *o)
{
    struct ack_file f = {0};
    if (!ack_file_read(&f, o->path))
        return 2;
    struct load_conn c;
    conn_init(&c, 0, -1, 1);
    if (!wait_ready(&c, o, o->ready_timeout_ms)) {
        fprintf(stderr, "ringkv-load: server at %s:%d not ready\n", o->host, o->port);
        return 2;
    }
    struct verify_totals t = {0};
    bool ok = true;
    for (int i = 0; ok && i < f.clients; i++)
        ok = f.op == OP_INCR ? verify_conn_incr(&c, o, &f, i, &t) : verify_conn_set(&c, o, &f, i, &t);
    conn_free(&c);
    for (int i = 0; i < f.clients; i++)
        free(f.conns[i].marks);
    free(f.conns);
    if (!ok)
        return 2;
    printf("checked=%" PRIu64 " lost=%" PRIu64 " lost_in_window=%" PRIu64 " violations=%" PRIu64
           " holes=%" PRIu64 "\n", t.checked, t.lost, t.lost_in_window, t.violations, t.holes);
    return t.violations > 0 ? 1 : 0;
}

/* ---- helper modes ---------------------------------------------------- */

static int wait_ready_main(const struct load_options *o)
{
    struct load_conn c;
    conn_init(&c, 0, -1, 1);
    bool ready = wait_ready(&c, o, o->ready_timeout_ms);
    conn_free(&c);
    return ready ? 0 : 1;
}

/* Sends one command (split on spaces) and prints its reply's first line.
 * Exit status 1 for an error reply. */
static int cmd_main(const struct load_options *o)
{
    char text[1024];
    snprintf(text, sizeof(text), "%s", o->cmd);
    const char *argv[LOAD_CMD_ARGS_MAX];
    size_t lens[LOAD_CMD_ARGS_MAX];
    int argc = 0;
    char *save;
    for (char *w = strtok_r(text, " ", &save); w != NULL && argc < LOAD_CMD_ARGS_MAX;
         w = strtok_r(NULL, " ", &save)) {
        argv[argc] = w;
        lens[argc++] = strlen(w);
    }
    int fd = net_connect(o->host, o->port);
    if (argc == 0 || fd < 0) {
        fprintf(stderr, "ringkv-load: --cmd: %s\n", argc == 0 ? "empty command" : strerror(-fd));
        return 2;
    }
    struct load_conn c;
    conn_init(&c, 0, fd, 1);
    conn_append_argv(&c, argc, argv, lens);
    struct reply r;
    int status = 2;
    if (conn_wait_reply(&c, &r, 30000) == RESP_SCAN_OK) {
        reply_print(stdout, &r, SIZE_MAX);
        status = r.head.type == RESP_ERROR ? 1 : 0;
    }
    conn_free(&c);
    return status;
}

int main(int argc, char **argv)
{
    struct load_options o;
    int parsed = options_parse(&o, argc, argv);
    if (parsed != 0)
        return parsed < 0 ? 0 : 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    switch (o.mode) {
    case MODE_LATENCY: return latency_main(&o);
    case MODE_PUBSUB: return pubsub_main(&o);
    case MODE_ACKLOG: return acklog_main(&o);
    case MODE_VERIFY: return verify_main(&o);
    case MODE_WAIT_READY: return wait_ready_main(&o);
    case MODE_CMD: return cmd_main(&o);
    }
    return 1;
}
