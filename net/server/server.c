/* server.c: server set-up, the periodic tick, logging and shutdown.
 *
 * Owns the start-up order (data directory, keyspace, commands, loading
 * dbfilename, ring, listeners), the tick's housekeeping (expiry, rehashing,
 * idle clients, statistics, the save child and save points), the shutdown
 * path (with its final save), and the reporting of keyspace changes
 * (server_key_modified, expiries) to the save counter and to WATCH. Leaves
 * I/O to loop.c, clients to client.c and the watch map to
 * cmd_transaction.c. */
#include "net/server/server.h"

#include <arpa/inet.h>
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
#include "net/commands/command.h"

/* Time the tick may spend on active expiry: Redis's slow cycle takes 25% of
 * a tick at effort 1, plus 2% per effort step above it. */
#define SERVER_EXPIRE_CPU_PERCENT 25
/* Milliseconds of rehashing per tick when activerehashing is on. */
#define SERVER_REHASH_MS_PER_TICK 1

long long server_ustime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int64_t server_mstime(void)
{
    return server_ustime() / 1000;
}

void server_log(struct server *s, int level, const char *fmt, ...)
{
    if (level < (int)s->config.loglevel)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char when[64];
    size_t off = strftime(when, sizeof(when), "%d %b %Y %H:%M:%S.", &tm);
    snprintf(when + off, sizeof(when) - off, "%03d", (int)(tv.tv_usec / 1000));
    static const char marks[] = ".-*#";
    char mark = marks[level > 3 ? 3 : level];
    FILE *out = stdout;
    FILE *file = NULL;
    if (s->config.logfile && s->config.logfile[0]) {
        file = fopen(s->config.logfile, "a");
        if (file)
            out = file;
    }
    /* Redis's role mark: C for a forked child (the BGSAVE child logs too). */
    pid_t pid = getpid();
    char role = s->pid == 0 || pid == s->pid ? 'M' : 'C';
    fprintf(out, "%d:%c %s %c %s\n", (int)pid, role, when, mark, msg);
    fflush(out);
    if (file)
        fclose(file);
}

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
    /* Each level's entry is fsynced into its parent: a data directory
     * whose entry a power cut takes back takes every file in it along. */
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            durable_mkdir(path, 0755);
            *p = '/';
        }
    }
    int ret = durable_mkdir(path, 0755);
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
        server_log(s, LOGLEVEL_WARNING,
                   "You requested maxclients of %d requiring at least %llu max file descriptors. "
                   "Server can't set maximum open files to %llu, maxclients is now %d.",
                   old, (unsigned long long)want, (unsigned long long)want, s->config.maxclients);
    }
}

static int server_listen_one(struct server *s, const char *addr, char *err, size_t err_len)
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
    struct listener *l = &s->listeners[s->listener_count++];
    l->fd = fd;
    l->server = s;
    return 0;
failed:
    if (optional && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT))
        return 0;
    snprintf(err, err_len, "Could not create server TCP listening socket %s:%d: %s", addr,
             s->config.port, strerror(errno));
    return -1;
bad_address:
    snprintf(err, err_len, "Could not create server TCP listening socket %s:%d: invalid address",
             addr, s->config.port);
    return -1;
}

static uint64_t server_random_u64(void)
{
    uint64_t v;
    if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
        v = (uint64_t)server_ustime() * 0x9E3779B97F4A7C15ULL;
    return v;
}

static void server_on_expire(void *ctx, struct db *db, const struct kv *kv)
{
    /* Redis does not count expiries as changes for save points, but WATCH
     * sees the key change: a key that was live when watched and then
     * expired fails the EXEC. */
    struct server *s = ctx;
    transaction_key_touched(s, db, kv_key(kv), kv->key_len);
    /* The AOF (and a replica, one day) learns of the deletion as a DEL:
     * inside a command it joins that command's unit, before it. */
    struct aof_arg argv[2] = {aof_arg_str("DEL"), {kv_key(kv), kv->key_len}};
    propagate_add(s, db->id, 2, argv);
}

int server_init(struct server *s, char *err, size_t err_len)
{
    s->pid = getpid();
    s->start_time_ms = server_mstime();
    s->now_ms = s->start_time_ms;
    s->lastsave_s = time(NULL);
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
    keyspace_init(&s->keyspace, s->config.databases);
    s->keyspace.on_expire = server_on_expire;
    s->keyspace.on_expire_ctx = s;
    s->keyspace.now_ms = s->now_ms;
    s->keyspace.lru_clock_s = (uint32_t)(s->now_ms / 1000);
    server_apply_config(s);
    command_table_init(s);
    transaction_server_init(s);
    blocking_server_init(s);
    s->rdb_last_bgsave_ok = true;
    s->rdb_last_bgsave_time_s = -1;
    /* The dataset is loaded before the listeners open, as in Redis, so no
     * client ever sees a partial keyspace. */
    server_adjust_open_files(s);
    if (loop_init(s, err, err_len) < 0)
        return -1;
    for (int i = 0; i < s->config.bind_count; i++)
        if (server_listen_one(s, s->config.bind[i], err, err_len) < 0)
            return -1;
    if (s->listener_count == 0) {
        snprintf(err, err_len, "Failed listening on port %d (TCP), aborting.", s->config.port);
        return -1;
    }
    /* Clients may connect while the dataset loads: they see loading:1 in
     * INFO and -LOADING for data commands, as with Redis. With the AOF on,
     * it wins over dump.rdb (aof.c loads the RDB only when no AOF exists
     * yet). */
    s->loading.serve_clients = true;
    bool loaded;
    if (s->config.appendonly) {
        if (aof_startup(s, err, err_len) < 0)
            return -1;
    } else {
        aof_startup(s, err, err_len); /* only prepares the state */
        if (rdb_save_load_file(s, &loaded, err, err_len) < 0)
            return -1;
    }
    s->loading.serve_clients = false;
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
    for (struct client *c = s->clients_head; c; c = next) {
        next = c->next;
        /* Blocked clients wait as long as their own timeout says. */
        if (c->fd < 0 || (c->flags & (CLIENT_MONITOR | CLIENT_CLOSING | CLIENT_BLOCKED)))
            continue;
        if (s->now_ms - c->last_interaction_ms > limit_ms) {
            server_log(s, LOGLEVEL_VERBOSE, "Closing idle client");
            client_close(c);
        }
    }
}

static void server_sample_ops(struct server *s)
{
    long long elapsed = s->now_ms - s->stats.ops_sample_time_ms;
    if (elapsed < 100)
        return;
    long long ops = s->stats.total_commands_processed - s->stats.ops_sample_count;
    s->stats.instantaneous_ops = ops * 1000 / elapsed;
    s->stats.ops_sample_count = s->stats.total_commands_processed;
    s->stats.ops_sample_time_ms = s->now_ms;
}

void server_cron(struct server *s)
{
    s->now_ms = server_mstime();
    s->cron_loops++;
    struct keyspace *ks = &s->keyspace;
    ks->now_ms = s->now_ms;
    ks->lru_clock_s = (uint32_t)(s->now_ms / 1000);
    {
        int effort = s->config.active_expire_effort;
        long long budget_us = 1000000LL * (SERVER_EXPIRE_CPU_PERCENT + 2 * (effort - 1)) / 100 /
                              (s->config.hz > 0 ? s->config.hz : 10);
        keyspace_expire_cycle(ks, budget_us, effort, server_ustime);
    }
    if (s->config.activerehashing)
        keyspace_rehash(ks, SERVER_REHASH_MS_PER_TICK);
    server_close_idle_clients(s);
    blocking_expire_timeouts(s);
    server_sample_ops(s);
    rdb_save_cron(s);
    aof_cron(s);
    if (s->cron_loops % 10 == 0) {
        struct alloc_stats st;
        alloc_stats_read(&st);
        if ((long long)st.allocated > s->stat_peak_memory)
            s->stat_peak_memory = (long long)st.allocated;
    }
}

void server_apply_config(struct server *s)
{
    const struct config *cfg = &s->config;
    struct keyspace *ks = &s->keyspace;
    ks->lfu_policy = config_maxmemory_policy_is_lfu(cfg);
    ks->limits.hash_max_listpack_entries = cfg->hash_max_listpack_entries;
    ks->limits.hash_max_listpack_value = cfg->hash_max_listpack_value;
    ks->limits.list_max_listpack_size = cfg->list_max_listpack_size;
    ks->limits.set_max_intset_entries = cfg->set_max_intset_entries;
    ks->limits.zset_max_listpack_entries = cfg->zset_max_listpack_entries;
    ks->limits.zset_max_listpack_value = cfg->zset_max_listpack_value;
}

int server_prepare_shutdown(struct server *s, bool save, bool nosave, char *err, size_t err_len)
{
    return server_prepare_shutdown_force(s, save, nosave, false, err, err_len);
}

int server_prepare_shutdown_force(struct server *s, bool save, bool nosave, bool force, char *err,
                                  size_t err_len)
{
    server_log(s, LOGLEVEL_WARNING, "User requested shutdown...");
    /* A running BGSAVE is abandoned: the final save below, if any, is the
     * one that counts, and a child must not outlive the server. */
    rdb_save_kill_child(s);
    /* Everything logged reaches the disk before the RDB is written. */
    aof_shutdown(s);
    if ((s->config.save_count > 0 && !nosave) || save) {
        server_log(s, LOGLEVEL_NOTICE, "Saving the final RDB snapshot before exiting.");
        if (rdb_save_blocking(s) < 0) {
            if (!force) {
                server_log(s, LOGLEVEL_WARNING, "Error trying to save the DB, can't exit.");
                snprintf(err, err_len, "Errors trying to SHUTDOWN. Check logs.");
                return -1;
            }
            server_log(s, LOGLEVEL_WARNING,
                       "Error trying to save the DB. Exit anyway (FORCE was given).");
        }
    }
    if (s->config.pidfile && s->config.pidfile[0])
        unlink(s->config.pidfile);
    server_log(s, LOGLEVEL_WARNING, "ringkv is now ready to exit, bye bye...");
    return 0;
}

void server_key_modified(struct server *s, struct db *db, const char *key, size_t key_len)
{
    s->dirty++;
    if (key)
        transaction_key_touched(s, db, key, key_len);
    else
        transaction_db_changing(s, db);
    blocking_key_touched(s, db, key, key_len);
}

bool server_child_running(const struct server *s)
{
    return s->rdb_child_pid != 0 || s->aof.child_pid != 0;
}

void server_child_init(struct server *s)
{
    /* The parent blocks SIGTERM/SIGINT for its signalfd; the child must
     * die of them (a kill of the child is how a save is aborted). */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_UNBLOCK, &mask, NULL);
    for (int i = 0; i < s->listener_count; i++)
        close(s->listeners[i].fd);
}

/* Clients are served at most this often while loading. */
#define SERVER_LOADING_SERVE_INTERVAL_MS 10

void server_loading_start(struct server *s, long long total_bytes, bool serve)
{
    struct loading_state *l = &s->loading;
    if (!l->active) {
        l->active = true;
        l->start_ms = server_mstime();
        l->done_bytes = l->loaded_bytes = 0;
        l->last_serve_ms = l->start_ms;
    }
    l->total_bytes = total_bytes;
    (void)serve;
}

void server_loading_progress(struct server *s, long long file_bytes)
{
    struct loading_state *l = &s->loading;
    if (!l->active)
        return;
    l->loaded_bytes = l->done_bytes + file_bytes;
    if (!l->serve_clients)
        return;
    int64_t now = server_mstime();
    if (now - l->last_serve_ms < SERVER_LOADING_SERVE_INTERVAL_MS)
        return;
    l->last_serve_ms = now;
    loop_serve_while_loading(s);
}

void server_loading_file_done(struct server *s, long long file_bytes)
{
    s->loading.done_bytes += file_bytes;
    s->loading.loaded_bytes = s->loading.done_bytes;
}

void server_loading_end(struct server *s)
{
    s->loading.active = false;
}

void server_child_info_open(struct server *s)
{
    if (s->child_info_pipe[0] > 0)
        server_child_info_receive(s); /* a stale pipe: drop it */
    if (pipe2(s->child_info_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        s->child_info_pipe[0] = s->child_info_pipe[1] = 0;
}

/* Sums the Private_Dirty of this process: the pages it no longer shares
 * with its parent (what Redis reports as the child's COW size). */
static long long server_private_dirty_bytes(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (!f)
        return 0;
    char line[256];
    long long kb = 0, total = 0;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "Private_Dirty: %lld kB", &kb) == 1)
            total += kb;
    fclose(f);
    return total * 1024;
}

void server_child_info_send(struct server *s)
{
    if (s->child_info_pipe[1] <= 0)
        return;
    long long cow = server_private_dirty_bytes();
    ssize_t ignored = write(s->child_info_pipe[1], &cow, sizeof(cow));
    (void)ignored;
}

long long server_child_info_receive(struct server *s)
{
    long long cow = 0;
    if (s->child_info_pipe[0] <= 0)
        return 0;
    if (read(s->child_info_pipe[0], &cow, sizeof(cow)) != (ssize_t)sizeof(cow))
        cow = 0;
    close(s->child_info_pipe[0]);
    close(s->child_info_pipe[1]);
    s->child_info_pipe[0] = s->child_info_pipe[1] = 0;
    return cow;
}

void server_free(struct server *s)
{
    /* The ring's multishot accepts hold the listening sockets until the
     * kernel tears the ring down, asynchronously, after we exit: a server
     * started right after this one would find its port still in use.
     * Shutting a listening socket down takes it out of the listen table at
     * once, whoever still holds it. */
    for (int i = 0; i < s->listener_count; i++)
        shutdown(s->listeners[i].fd, SHUT_RDWR);
    /* The AOF's last ops complete on the ring before it goes away. */
    aof_free(s);
    propagate_free(s);
    /* Tearing the ring down first cancels every operation, so clients can
     * be freed with nothing in flight. */
    loop_shutdown(s);
    while (s->clients_head) {
        struct client *c = s->clients_head;
        c->recv_armed = false;
        c->send_in_flight = false;
        client_close(c);
    }
    for (int i = 0; i < s->listener_count; i++)
        close(s->listeners[i].fd);
    transaction_server_free(s);
    blocking_server_free(s);
    command_table_free(s);
    keyspace_free(&s->keyspace);
    config_free(&s->config);
    alloc_free(s->executable);
    alloc_free(s->config_file);
}
