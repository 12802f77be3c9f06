/* server.c: the server: wiring the layers, start-up, the tick, shutdown.
 *
 * Owns the start-up order (the layers wired, data directory, keyspace,
 * commands, ring, listeners, loading dbfilename or the AOF), the tick's
 * housekeeping (expiry, rehashing, idle clients, statistics, the save child
 * and save points), the shutdown path (with its final save), and expiries
 * reported to WATCH and the AOF. server_wire_layers points the layers at
 * each other and installs the callbacks that carry calls up (see server.h).
 * Leaves I/O to net/wire/, sessions and commands to net/commands/, the AOF
 * and RDB files to net/persist/. */
#include "net/server/server.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/durable_fs.h"
#include "net/commands/acl.h"
#include "net/commands/blocking.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/dispatch.h"
#include "net/commands/evict.h"
#include "net/commands/keyspace_events.h"
#include "net/commands/pause.h"
#include "net/commands/propagate.h"
#include "net/commands/pubsub.h"
#include "net/commands/script_lua.h"
#include "net/commands/tracking.h"
#include "net/commands/waitaof.h"
#include "net/commands/transaction.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/aof.h"
#include "net/persist/rdb_load.h"
#include "net/persist/rdb_save.h"
#include "net/server/cmd_server_internal.h"
#include "net/wire/conn.h"
#include "net/wire/loop.h"

/* Time the tick may spend on active expiry: Redis's slow cycle takes 25% of
 * a tick at effort 1, plus 2% per effort step above it. */
#define SERVER_EXPIRE_CPU_PERCENT 25
/* Milliseconds of rehashing per tick when activerehashing is on. */
#define SERVER_REHASH_MS_PER_TICK 1

int server_chdir(struct server *s)
{
    if (chdir(s->config.dir) < 0)
        return -errno;
    /* CONFIG GET dir reports the absolute directory, as Redis does. */
    char cwd[4096];
    if (getcwd(cwd, sizeof(cwd))) {
        alloc_free(s->config.dir);
        s->config.dir = alloc_strdup(cwd);
    }
    return 0;
}

static int server_prepare_dir(struct server *s, char *err, size_t err_len)
{
    const char *dir = s->config.dir;
    /* ringkv creates its data directory (./data by default) instead of
     * failing as Redis does when it is missing. */
    char path[4096];
    snprintf(path, sizeof(path), "%s", dir);
    /* Each level's entry is fsynced into its parent before the next level
     * is made in it: a data directory whose entry a power cut takes back
     * takes every file in it along. A level that fails stops start-up
     * (durable_mkdir accepts a level that was already there). */
    int ret = 0;
    for (char *p = path + 1; *p && ret == 0; p++) {
        if (*p == '/' && p[-1] != '/') {
            *p = '\0';
            ret = durable_mkdir(path, 0755);
            *p = '/';
        }
    }
    if (ret == 0)
        ret = durable_mkdir(path, 0755);
    if (ret < 0) {
        snprintf(err, err_len, "Can't create the data directory '%s': %s", dir, strerror(-ret));
        return -1;
    }
    if (server_chdir(s) < 0) {
        snprintf(err, err_len, "Can't chdir to '%s': %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

static void server_adjust_open_files(struct server *s)
{
    rlim_t want = (rlim_t)s->config.maxclients + SERVER_RESERVED_FDS;
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) < 0 || limit.rlim_cur >= want)
        return;
    struct rlimit raised = {want, limit.rlim_max > want ? limit.rlim_max : want};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
        return;
    raised.rlim_max = limit.rlim_max;
    raised.rlim_cur = limit.rlim_max < want ? limit.rlim_max : want;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0 && raised.rlim_cur > SERVER_RESERVED_FDS) {
        int old = s->config.maxclients;
        s->config.maxclients = (int)(raised.rlim_cur - SERVER_RESERVED_FDS);
        log_write(&s->log, LOGLEVEL_WARNING,
                   "You requested maxclients of %d requiring at least %llu max file descriptors. "
                   "Server can't set maximum open files to %llu, maxclients is now %d.",
                   old, (unsigned long long)want, (unsigned long long)want, s->config.maxclients);
    }
}

/* Opens a listening socket for one bind address on config.port. Returns
 * its fd, -1 for an optional address ("-::1") the system cannot have, or
 * -2 with the reason in err. */
static int server_open_listener(struct server *s, const char *addr, char *err, size_t err_len)
{
    bool optional = addr[0] == '-';
    if (optional)
        addr++;
    struct sockaddr_storage sa;
    memset(&sa, 0, sizeof(sa));
    socklen_t sa_len;
    int family;
    if (strchr(addr, ':')) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&sa;
        family = in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)s->config.port);
        if (strcmp(addr, "::*") == 0)
            in6->sin6_addr = in6addr_any;
        else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) != 1)
            goto bad_address;
        sa_len = sizeof(*in6);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&sa;
        family = in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)s->config.port);
        if (strcmp(addr, "*") == 0)
            in->sin_addr.s_addr = htonl(INADDR_ANY);
        else if (inet_pton(AF_INET, addr, &in->sin_addr) != 1)
            goto bad_address;
        sa_len = sizeof(*in);
    }
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto failed;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sa_len) < 0 || listen(fd, s->config.tcp_backlog) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        goto failed;
    }
    return fd;
failed:
    if (optional && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT))
        return -1;
    snprintf(err, err_len, "Could not create server TCP listening socket %s:%d: %s", addr,
             s->config.port, strerror(errno));
    return -2;
bad_address:
    snprintf(err, err_len, "Could not create server TCP listening socket %s:%d: invalid address",
             addr, s->config.port);
    return -2;
}

/* Puts fd in a free listener slot: one never used, or one whose retired
 * listener's accept has completed (its op is no longer in the ring). */
static void server_add_listener(struct server *s, int fd)
{
    struct loop *l = &s->loop;
    int slot = 0;
    while (slot < l->listener_count && (l->listeners[slot].fd >= 0 || l->listeners[slot].accept_armed))
        slot++;
    assert(slot < LOOP_LISTENERS_MAX);
    if (slot == l->listener_count)
        l->listener_count++;
    struct listener *lst = &l->listeners[slot];
    lst->fd = fd;
    lst->loop = l;
    lst->accept_armed = false;
}

static int server_listen_one(struct server *s, const char *addr, char *err, size_t err_len)
{
    int fd = server_open_listener(s, addr, err, err_len);
    if (fd == -2)
        return -1;
    if (fd >= 0)
        server_add_listener(s, fd);
    return 0;
}

static int server_listener_count(const struct server *s)
{
    int count = 0;
    for (int i = 0; i < s->loop.listener_count; i++)
        count += s->loop.listeners[i].fd >= 0;
    return count;
}

/* Retires every listener: shutting a listening socket down ends its
 * multishot accept, whose completion then frees the slot (loop.c arms no
 * accept on a retired one). */
static void server_retire_listeners(struct server *s)
{
    for (int i = 0; i < s->loop.listener_count; i++) {
        struct listener *lst = &s->loop.listeners[i];
        if (lst->fd < 0)
            continue;
        shutdown(lst->fd, SHUT_RDWR);
        close(lst->fd);
        lst->fd = -1;
    }
}

int server_rebind(struct server *s, char *err, size_t err_len)
{
    /* On a new port the new sockets open first, so a failure leaves the
     * old ones serving. On the same port (a new bind list) the old ones
     * must go first to free the addresses; after a failure CONFIG SET's
     * rollback calls this again with the old list. */
    bool same_port = s->config.port == s->listen_port;
    if (same_port)
        server_retire_listeners(s);
    int fds[CONFIG_BIND_MAX], count = 0;
    /* Port 0 listens on no TCP port at all, as in Redis. */
    for (int i = 0; i < s->config.bind_count && s->config.port != 0; i++) {
        int fd = server_open_listener(s, s->config.bind[i], err, err_len);
        if (fd == -2) {
            while (count > 0)
                close(fds[--count]);
            return -1;
        }
        if (fd >= 0)
            fds[count++] = fd;
    }
    if (!same_port)
        server_retire_listeners(s);
    for (int i = 0; i < count; i++)
        server_add_listener(s, fds[i]);
    loop_arm_listeners(&s->loop);
    s->listen_port = s->config.port;
    return 0;
}

static uint64_t server_random_u64(void)
{
    uint64_t v;
    if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
        v = (uint64_t)log_clock_us() * 0x9E3779B97F4A7C15ULL;
    return v;
}

static void server_on_expire(void *ctx, struct db *db, const struct kv *kv)
{
    /* Redis does not count expiries as changes for save points, but WATCH
     * sees the key change: a key that was live when watched and then
     * expired fails the EXEC. */
    struct server *s = ctx;
    keyspace_event(&s->commands, NOTIFY_EXPIRED, "expired", db->id, kv_key(kv), kv->key_len);
    transaction_key_touched(&s->commands, db, kv_key(kv), kv->key_len);
    /* The AOF (and a replica, one day) learns of the deletion as a DEL:
     * inside a command it joins that command's unit, before it. */
    struct aof_arg argv[2] = {aof_arg_str("DEL"), {kv_key(kv), kv->key_len}};
    propagate_add(&s->commands, db->id, 2, argv);
    /* Clients caching the key hear of it, as of any change. */
    tracking_invalidate_key(&s->commands, kv_key(kv), kv->key_len);
}

/* A read lookup found no key: Redis's "keymiss" event (class 'm'). */
static void server_on_miss(void *ctx, struct db *db, const char *key, size_t key_len)
{
    struct server *s = ctx;
    keyspace_event(&s->commands, NOTIFY_KEY_MISS, "keymiss", db->id, key, key_len);
}

/* A command added a key that was not there: Redis's "new" event (class
 * 'n'), which comes before the command's own event. */
static void server_on_add(void *ctx, struct db *db, const struct kv *kv)
{
    struct server *s = ctx;
    keyspace_event(&s->commands, NOTIFY_NEW, "new", db->id, kv_key(kv), kv->key_len);
}

static void server_cron(void *ctx);

/* SIGTERM/SIGINT: a shutdown as SHUTDOWN without arguments does it. */
static void server_signal(void *ctx, int signo)
{
    struct server *s = ctx;
    log_write(&s->log, LOGLEVEL_WARNING, "Received %s scheduling shutdown...",
              signo == SIGINT ? "SIGINT" : "SIGTERM");
    /* Inside a long script (the loop runs nested in its command): the
     * tick shuts down once the script is over, as Redis does. */
    if (script_running(&s->commands)) {
        s->pending_signal = signo;
        return;
    }
    char err[256];
    if (server_prepare_shutdown(s, false, false, false, err, sizeof(err)) == 0)
        s->loop.stopping = true;
}

/* The loop's hold tokens are AOF offsets (aof_before_replies). */
static uint64_t server_replies_token(void *ctx)
{
    struct server *s = ctx;
    return aof_before_replies(&s->persist);
}

static bool server_token_ready(void *ctx, uint64_t token)
{
    struct server *s = ctx;
    return aof_reply_ready(&s->persist, token);
}

/* The loop's last step before it sleeps: an eviction run that reached its
 * time bound goes on (Redis's evictionTimeProc, a 0 ms timer: the loop does
 * not sleep while it is unfinished; not once a shutdown has begun, as the
 * AOF that would log the DELs is closed), the BCAST invalidations gathered
 * this round join the output, and the output goes out. */
static void server_before_sleep(struct loop *l)
{
    struct server *s = l->handler.ctx;
    /* While a long script serves other clients from inside its command,
     * nothing may change the dataset under it: only output goes out. */
    if (script_running(&s->commands)) {
        conn_flush_all(l);
        return;
    }
    l->work_pending = !l->stopping && evict_continue(&s->commands);
    /* Blocked WAITAOFs whose fsyncs (local, or replicas' ACKs) came in. */
    if (s->commands.waitaof_count)
        waitaof_serve(&s->commands);
    repl_before_sleep(&s->repl);
    if (s->commands.tracking_clients)
        tracking_broadcast(&s->commands);
    conn_flush_all(l);
}

/* The loop's accept callback: a new client session of the commands. */
static void server_accept(void *ctx, int fd)
{
    struct server *s = ctx;
    client_accept(&s->commands, fd);
}

/* Points the layers at each other: each borrows what it may use, and the
 * callbacks carry the calls that go up (see server.h). */
static void server_wire_layers(struct server *s)
{
    s->log = (struct log){.config = &s->config, .main_pid = s->pid};
    s->loop.config = &s->config;
    s->loop.log = &s->log;
    s->loop.handler = (struct loop_handler){
        .ctx = s,
        .accept = server_accept,
        .before_sleep = server_before_sleep,
        .describe = client_describe,
        .input = dispatch_input,
        .closed = dispatch_closed,
        .replies_token = server_replies_token,
        .token_ready = server_token_ready,
        .tick = server_cron,
        .signal = server_signal,
    };
    s->persist.config = &s->config;
    s->persist.log = &s->log;
    s->persist.keyspace = &s->keyspace;
    s->persist.loop = &s->loop;
    s->commands.config = &s->config;
    s->commands.log = &s->log;
    s->commands.keyspace = &s->keyspace;
    s->commands.persist = &s->persist;
    s->commands.loop = &s->loop;
    s->persist.replayer = dispatch_replayer(&s->commands);
}

int server_init(struct server *s, char *err, size_t err_len)
{
    s->pid = getpid();
    server_wire_layers(s);
    s->start_time_ms = log_clock_ms();
    s->loop.now_ms = s->start_time_ms;
    s->persist.lastsave_s = time(NULL);
    s->arch_bits = sizeof(long) * 8;
    uint8_t seed[16];
    uint64_t a = server_random_u64(), b = server_random_u64();
    memcpy(seed, &a, 8);
    memcpy(seed + 8, &b, 8);
    dict_hash_seed(seed);
    srandom((unsigned)server_random_u64());
    for (int i = 0; i < 40; i++)
        s->run_id[i] = "0123456789abcdef"[server_random_u64() & 15];
    s->run_id[40] = '\0';

    if (server_prepare_dir(s, err, err_len) < 0)
        return -1;
    /* Anchors alloc_used_bytes on this (the main) thread. */
    struct alloc_stats mem;
    alloc_stats_read(&mem);
    keyspace_init(&s->keyspace, s->config.databases);
    s->keyspace.on_expire = server_on_expire;
    s->keyspace.on_expire_ctx = s;
    s->keyspace.on_miss = server_on_miss;
    s->keyspace.on_add = server_on_add;
    s->keyspace.now_ms = s->loop.now_ms;
    s->keyspace.lru_clock_s = (uint32_t)(s->loop.now_ms / 1000);
    server_apply_config(s);
    dispatch_init(&s->commands);
    dispatch_add_table(&s->commands, server_commands);
    dispatch_add_table(&s->commands, latency_commands);
    dispatch_add_table(&s->commands, memory_commands);
    repl_init(&s->repl, &s->commands, &s->persist, s->config.port);
    latency_monitor_init(&s->latency);
    s->commands.latency = &s->latency;
    s->persist.latency = &s->latency;
    if (acl_load_startup(&s->commands, err, err_len) < 0)
        return -1;
    s->persist.rdb_last_bgsave_ok = true;
    s->persist.rdb_last_bgsave_time_s = -1;
    /* The dataset is loaded before the listeners open, as in Redis, so no
     * client ever sees a partial keyspace. */
    server_adjust_open_files(s);
    if (loop_init(&s->loop, err, err_len) < 0)
        return -1;
    for (int i = 0; i < s->config.bind_count; i++)
        if (server_listen_one(s, s->config.bind[i], err, err_len) < 0)
            return -1;
    if (server_listener_count(s) == 0) {
        snprintf(err, err_len, "Failed listening on port %d (TCP), aborting.", s->config.port);
        return -1;
    }
    s->listen_port = s->config.port;
    /* used_memory_startup, as Redis measures it: everything built, before
     * the dataset loads (the loop's receive buffers included). */
    struct alloc_stats startup;
    alloc_stats_read(&startup);
    s->stat_startup_memory = (long long)startup.used;
    /* Clients may connect while the dataset loads: they see loading:1 in
     * INFO and -LOADING for data commands, as with Redis. With the AOF on,
     * it wins over dump.rdb (aof.c loads the RDB only when no AOF exists
     * yet). */
    s->persist.loading.serve_clients = true;
    bool loaded;
    if (s->config.appendonly) {
        if (aof_startup(&s->persist, err, err_len) < 0)
            return -1;
    } else {
        aof_startup(&s->persist, err, err_len); /* only prepares the state */
        if (rdb_load_file(&s->persist, &loaded, err, err_len) < 0)
            return -1;
    }
    s->persist.loading.serve_clients = false;
    repl_start(&s->repl);
    if (s->config.pidfile && s->config.pidfile[0]) {
        FILE *f = fopen(s->config.pidfile, "w");
        if (f) {
            fprintf(f, "%d\n", (int)s->pid);
            fclose(f);
        }
    }
    return 0;
}

static void server_close_idle_clients(struct server *s)
{
    if (s->config.timeout <= 0)
        return;
    int64_t limit_ms = s->config.timeout * 1000;
    struct client *next;
    for (struct client *c = client_first(&s->commands); c; c = next) {
        next = client_next(c);
        /* Blocked clients wait as long as their own timeout says, and
         * clients held by CLIENT PAUSE as long as the pause (Redis counts
         * both as blocked); subscribers only listen, so are never idle;
         * replication links are replication's to time out. */
        if (c->conn.fd < 0 ||
            ((c->flags & (CLIENT_MONITOR | CLIENT_BLOCKED | CLIENT_POSTPONED | CLIENT_MASTER |
                          CLIENT_REPLICA | CLIENT_REPL_WAIT)) ||
             (c->conn.flags & CONN_CLOSING)) || pubsub_client_subscribed(c))
            continue;
        if (s->loop.now_ms - c->conn.last_interaction_ms > limit_ms) {
            log_write(&s->log, LOGLEVEL_VERBOSE, "Closing idle client");
            client_close(c);
        }
    }
}

static void server_sample_ops(struct server *s)
{
    long long elapsed = s->loop.now_ms - s->commands.stats.ops_sample_time_ms;
    if (elapsed < 100)
        return;
    long long ops = s->commands.stats.total_commands_processed - s->commands.stats.ops_sample_count;
    s->commands.stats.instantaneous_ops = ops * 1000 / elapsed;
    /* Bytes since the last sample, as KiB per second (Redis's kbps). */
    long long in = s->loop.stats.net_input_bytes, out = s->loop.stats.net_output_bytes;
    if (in < s->stat_net_input_sample || out < s->stat_net_output_sample)
        s->stat_net_input_sample = s->stat_net_output_sample = 0; /* CONFIG RESETSTAT */
    s->instantaneous_input_kbps = (double)(in - s->stat_net_input_sample) * 1000 / (double)elapsed / 1024;
    s->instantaneous_output_kbps = (double)(out - s->stat_net_output_sample) * 1000 / (double)elapsed / 1024;
    s->stat_net_input_sample = in;
    s->stat_net_output_sample = out;
    s->commands.stats.ops_sample_count = s->commands.stats.total_commands_processed;
    s->commands.stats.ops_sample_time_ms = s->loop.now_ms;
}

/* The loop's tick: expiry, rehash, idle clients, statistics, saves. */
static void server_cron(void *ctx)
{
    struct server *s = ctx;
    s->loop.now_ms = log_clock_ms();
    /* A long script is running (the loop is nested in its command): no
     * expiry, eviction or saves until it ends, as Redis runs no timers
     * while it processes events during a script. */
    if (script_running(&s->commands))
        return;
    if (s->pending_signal) {
        s->pending_signal = 0;
        char err[256];
        if (server_prepare_shutdown(s, false, false, false, err, sizeof(err)) == 0) {
            s->loop.stopping = true;
            return;
        }
    }
    s->cron_loops++;
    struct keyspace *ks = &s->keyspace;
    ks->now_ms = s->loop.now_ms;
    ks->lru_clock_s = (uint32_t)(s->loop.now_ms / 1000);
    {
        int effort = s->config.active_expire_effort;
        long long budget_us = 1000000LL * (SERVER_EXPIRE_CPU_PERCENT + 2 * (effort - 1)) / 100 /
                              (s->config.hz > 0 ? s->config.hz : 10);
        long long start_us = log_clock_us();
        /* A replica leaves expiry to its master's DELs, as in Redis. */
        if (!s->commands.repl_replica)
            keyspace_expire_cycle(ks, budget_us, effort, log_clock_us);
        long long elapsed_us = log_clock_us() - start_us;
        s->stat_expire_cycle_us += elapsed_us;
        latency_monitor_add_if_needed(&s->latency, s->config.latency_monitor_threshold,
                                      "expire-cycle", elapsed_us / 1000);
    }
    if (s->config.activerehashing)
        keyspace_rehash(ks, SERVER_REHASH_MS_PER_TICK);
    server_close_idle_clients(s);
    blocking_expire_timeouts(&s->commands);
    /* The tracking table's limit holds even when no command runs (it is
     * also checked before each command), as in Redis's cron. */
    tracking_cron(&s->commands);
    pause_tick(&s->commands);
    server_sample_ops(s);
    rdb_save_cron(&s->persist);
    aof_cron(&s->persist);
    repl_cron(&s->repl);
    /* Reading the allocator's statistics also re-anchors the cheap used
     * memory figure maxmemory reads before each command (alloc.h): every
     * tick while a limit is set, so the figure never drifts for long. */
    if (s->cron_loops % 10 == 0 || s->config.maxmemory != 0) {
        struct alloc_stats st;
        alloc_stats_read(&st);
        if ((long long)st.used > s->stat_peak_memory)
            s->stat_peak_memory = (long long)st.used;
    }
}

void server_apply_config(struct server *s)
{
    const struct config *cfg = &s->config;
    struct keyspace *ks = &s->keyspace;
    ks->lfu_policy = config_maxmemory_policy_is_lfu(cfg);
    ks->lfu_log_factor = cfg->lfu_log_factor;
    ks->lfu_decay_minutes = cfg->lfu_decay_time;
    ks->limits.hash_max_listpack_entries = cfg->hash_max_listpack_entries;
    ks->limits.hash_max_listpack_value = cfg->hash_max_listpack_value;
    ks->limits.list_max_listpack_size = cfg->list_max_listpack_size;
    ks->limits.set_max_intset_entries = cfg->set_max_intset_entries;
    ks->limits.zset_max_listpack_entries = cfg->zset_max_listpack_entries;
    ks->limits.zset_max_listpack_value = cfg->zset_max_listpack_value;
    ks->limits.stream_node_max_bytes = cfg->stream_node_max_bytes;
    ks->limits.stream_node_max_entries = cfg->stream_node_max_entries;
}

int server_prepare_shutdown(struct server *s, bool save, bool nosave, bool force, char *err,
                            size_t err_len)
{
    log_write(&s->log, LOGLEVEL_WARNING, "User requested shutdown...");
    /* A running BGSAVE is abandoned: the final save below, if any, is the
     * one that counts, and a child must not outlive the server. */
    rdb_save_kill_child(&s->persist);
    /* Everything logged reaches the disk before the RDB is written. */
    aof_shutdown(&s->persist);
    if ((s->config.save_count > 0 && !nosave) || save) {
        log_write(&s->log, LOGLEVEL_NOTICE, "Saving the final RDB snapshot before exiting.");
        if (rdb_save_blocking(&s->persist) < 0) {
            if (!force) {
                log_write(&s->log, LOGLEVEL_WARNING, "Error trying to save the DB, can't exit.");
                snprintf(err, err_len, "Errors trying to SHUTDOWN. Check logs.");
                return -1;
            }
            log_write(&s->log, LOGLEVEL_WARNING,
                       "Error trying to save the DB. Exit anyway (FORCE was given).");
        }
    }
    if (s->config.pidfile && s->config.pidfile[0])
        unlink(s->config.pidfile);
    log_write(&s->log, LOGLEVEL_WARNING, "ringkv is now ready to exit, bye bye...");
    return 0;
}

void server_free(struct server *s)
{
    /* The ring's multishot accepts hold the listening sockets until the
     * kernel tears the ring down, asynchronously, after we exit: a server
     * started right after this one would find its port still in use.
     * Shutting a listening socket down takes it out of the listen table at
     * once, whoever still holds it. */
    for (int i = 0; i < s->loop.listener_count; i++)
        if (s->loop.listeners[i].fd >= 0)
            shutdown(s->loop.listeners[i].fd, SHUT_RDWR);
    /* The AOF's last ops complete on the ring before it goes away. */
    aof_free(&s->persist);
    /* Tearing the ring down first cancels every operation, so clients can
     * be freed with nothing in flight. */
    loop_shutdown(&s->loop);
    while (s->loop.conns_head) {
        struct client *c = client_of(s->loop.conns_head);
        c->conn.recv_armed = false;
        c->conn.send_in_flight = false;
        client_close(c);
    }
    for (int i = 0; i < s->loop.listener_count; i++)
        if (s->loop.listeners[i].fd >= 0)
            close(s->loop.listeners[i].fd);
    repl_free(&s->repl);
    dispatch_free(&s->commands);
    latency_monitor_free(&s->latency);
    keyspace_free(&s->keyspace);
    config_free(&s->config);
    alloc_free(s->executable);
    alloc_free(s->config_file);
}
