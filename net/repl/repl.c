/* repl.c: the master side of replication: the backlog, the stream,
 * replicas' full and partial syncs, their ACKs, WAIT and the write checks
 * (see repl.h). The replica side is repl_link.c, the commands cmd_repl.c. */
#include "net/repl/repl.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/rdb.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/random64.h"
#include "net/commands/reply.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/persist.h"
#include "net/persist/rdb_save.h"
#include "net/repl/repl_internal.h"
#include "net/wire/conn.h"
#include "net/wire/loop.h"

static int64_t repl_now(const struct repl *r)
{
    return r->cs->loop->now_ms;
}

void repl_random_id(char out[REPL_ID_BYTES + 1])
{
    for (int i = 0; i < REPL_ID_BYTES; i++)
        out[i] = "0123456789abcdef"[random64_next() & 15];
    out[REPL_ID_BYTES] = '\0';
}

void repl_update_flags(struct repl *r)
{
    r->cs->repl_feeding = r->backlog != NULL && r->link == REPL_LINK_NONE;
    r->cs->repl_replica = r->link != REPL_LINK_NONE;
    /* A replica leaves expiry to its master's DELs (engine/db.h). */
    r->cs->keyspace->expire_replica = r->cs->repl_replica;
}

/* ---- the backlog ---- */

void repl_backlog_create(struct repl *r)
{
    if (r->backlog)
        return;
    r->backlog_size = r->config->repl_backlog_size;
    r->backlog = alloc_bytes((size_t)r->backlog_size);
    r->backlog_histlen = 0;
    r->backlog_idx = 0;
    repl_update_flags(r);
}

void repl_backlog_free(struct repl *r)
{
    alloc_free(r->backlog);
    r->backlog = NULL;
    r->backlog_histlen = 0;
    r->backlog_idx = 0;
    repl_update_flags(r);
}

long long repl_backlog_first(const struct repl *r)
{
    return r->backlog ? r->offset - r->backlog_histlen + 1 : 0;
}

static void repl_backlog_append(struct repl *r, const char *p, size_t len)
{
    r->offset += (long long)len;
    if (!r->backlog)
        return;
    while (len > 0) {
        size_t room = (size_t)(r->backlog_size - r->backlog_idx);
        size_t n = len < room ? len : room;
        memcpy(r->backlog + r->backlog_idx, p, n);
        r->backlog_idx = (r->backlog_idx + (long long)n) % r->backlog_size;
        r->backlog_histlen += (long long)n;
        p += n;
        len -= n;
    }
    if (r->backlog_histlen > r->backlog_size)
        r->backlog_histlen = r->backlog_size;
}

/* Writes the backlog from offset (inside it) to the end to c. */
static void repl_backlog_send(struct repl *r, struct client *c, long long offset)
{
    long long skip = offset - repl_backlog_first(r);
    long long len = r->backlog_histlen - skip;
    long long start = (r->backlog_idx - r->backlog_histlen + skip) % r->backlog_size;
    if (start < 0)
        start += r->backlog_size;
    while (len > 0) {
        long long n = r->backlog_size - start < len ? r->backlog_size - start : len;
        conn_write(&c->conn, r->backlog + start, (size_t)n);
        len -= n;
        start = 0;
    }
}

/* ---- the stream ---- */

/* Bytes of the stream: to the backlog (counting the offset) and to every
 * replica, online ones at once, syncing ones after their RDB. */
void repl_feed_raw(struct repl *r, const char *p, size_t len)
{
    repl_backlog_append(r, p, len);
    const struct config_output_limit *limit =
        &r->config->client_output_buffer_limit[CONFIG_CLIENT_REPLICA];
    for (int i = r->replica_count - 1; i >= 0; i--) {
        struct repl_replica *rep = &r->replicas[i];
        if (rep->state == REPL_REPLICA_ONLINE) {
            conn_write(&rep->c->conn, p, len);
        } else if (rep->state == REPL_REPLICA_WAIT_BGSAVE_END &&
                   !(rep->c->conn.flags & CONN_CLOSING)) {
            buf_append(&rep->pending, p, len);
            /* What waits for the RDB counts against the replica's output
             * limit, as in Redis. */
            if (limit->hard_bytes && (long long)rep->pending.len > limit->hard_bytes) {
                log_write(r->cs->log, LOGLEVEL_WARNING,
                          "Client %s scheduled to be closed ASAP for overcoming of output buffer "
                          "limits.", rep->c->conn.addr);
                client_close(rep->c);
            }
        }
    }
}

static void repl_feed_select(struct repl *r, int db_id)
{
    char num[16], cmd[64];
    int n = snprintf(num, sizeof(num), "%d", db_id);
    int len = snprintf(cmd, sizeof(cmd), "*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n", n, num);
    repl_feed_raw(r, cmd, (size_t)len);
    r->seldb = db_id;
}

/* cs->repl_feed: a piece of propagate.c's unit. A replica relays its
 * master's bytes only (repl_link.c), so this runs on masters. */
static void repl_feed(void *ctx, int db_id, const char *data, size_t len)
{
    struct repl *r = ctx;
    if (r->link != REPL_LINK_NONE)
        return;
    if (db_id >= 0 && db_id != r->seldb)
        repl_feed_select(r, db_id);
    repl_feed_raw(r, data, len);
}

/* ---- replicas ---- */

struct repl_replica *repl_replica_of(struct repl *r, struct client *c)
{
    for (int i = 0; i < r->replica_count; i++)
        if (r->replicas[i].c == c)
            return &r->replicas[i];
    return NULL;
}

struct repl_replica *repl_replica_add(struct repl *r, struct client *c)
{
    struct repl_replica *rep = repl_replica_of(r, c);
    if (rep)
        return rep;
    if (r->replica_count == r->replica_cap) {
        r->replica_cap = r->replica_cap ? r->replica_cap * 2 : 4;
        r->replicas = alloc_resize(r->replicas, (size_t)r->replica_cap * sizeof(*r->replicas));
    }
    rep = &r->replicas[r->replica_count++];
    memset(rep, 0, sizeof(*rep));
    rep->c = c;
    rep->ack_ms = repl_now(r);
    c->flags |= CLIENT_REPL_KNOWN;
    return rep;
}

static void repl_replica_remove(struct repl *r, struct repl_replica *rep)
{
    buf_free(&rep->pending);
    int i = (int)(rep - r->replicas);
    r->replicas[i] = r->replicas[--r->replica_count];
}

/* Replicas that count (past the handshake): connected_slaves. */
int repl_replicas_attached(const struct repl *r)
{
    int n = 0;
    for (int i = 0; i < r->replica_count; i++)
        if (r->replicas[i].state != REPL_REPLICA_HANDSHAKE)
            n++;
    return n;
}

/* Loops that may close a client run backwards: a close that completes at
 * once removes the replica by moving the last one into its slot. */
int repl_replicas_connected(const struct repl *r)
{
    int n = 0;
    for (int i = 0; i < r->replica_count; i++)
        n += (r->replicas[i].c->flags & CLIENT_REPLICA) != 0;
    return n;
}

void repl_disconnect_replicas(struct repl *r)
{
    for (int i = r->replica_count - 1; i >= 0; i--)
        if (r->replicas[i].state != REPL_REPLICA_HANDSHAKE)
            client_close(r->replicas[i].c);
}

static void repl_count_good(struct repl *r)
{
    int good = 0;
    long long lag_max = r->config->min_replicas_max_lag;
    for (int i = 0; i < r->replica_count; i++) {
        const struct repl_replica *rep = &r->replicas[i];
        if (rep->state == REPL_REPLICA_ONLINE && (repl_now(r) - rep->ack_ms) / 1000 <= lag_max)
            good++;
    }
    r->good_replicas = good;
}

/* cs->repl_closed */
static void repl_closed(void *ctx, struct client *c)
{
    struct repl *r = ctx;
    if (c->flags & CLIENT_MASTER) {
        repl_link_closed(r, c);
        return;
    }
    for (int i = 0; i < r->waiter_count; i++)
        if (r->waiters[i].c == c) {
            r->waiters[i--] = r->waiters[--r->waiter_count];
            r->cs->blocked_clients--;
        }
    struct repl_replica *rep = repl_replica_of(r, c);
    if (rep) {
        bool counted = rep->state != REPL_REPLICA_HANDSHAKE;
        if (rep->state == REPL_REPLICA_ONLINE)
            log_write(r->cs->log, LOGLEVEL_NOTICE, "Connection with replica %s lost.",
                      c->conn.addr);
        repl_replica_remove(r, rep);
        if (counted && repl_replicas_attached(r) == 0)
            r->no_replicas_since_ms = repl_now(r);
        repl_count_good(r);
    }
}

/* ---- full sync ---- */

static void repl_send_fullresync(struct repl *r, struct repl_replica *rep)
{
    if (rep->old_sync)
        return;
    char line[128];
    int n = snprintf(line, sizeof(line), "+FULLRESYNC %s %lld\r\n", r->replid, r->offset);
    conn_write(&rep->c->conn, line, (size_t)n);
}

/* ---- diskless sync: a child writes the RDB to the replicas' sockets ---- */

struct repl_diskless_sink {
    int fds[REPL_DISKLESS_FDS_MAX];
    bool failed[REPL_DISKLESS_FDS_MAX];
    int count;
};

/* rdb_write_fn: to every replica still there; fails once none is. */
static int repl_diskless_write(void *ctx, const void *buf, size_t len)
{
    struct repl_diskless_sink *s = ctx;
    int alive = 0;
    for (int i = 0; i < s->count; i++) {
        if (s->failed[i])
            continue;
        const char *p = buf;
        size_t left = len;
        while (left > 0) {
            ssize_t n = write(s->fds[i], p, left);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                s->failed[i] = true;
                break;
            }
            p += n;
            left -= (size_t)n;
        }
        alive += !s->failed[i];
    }
    return alive ? 0 : -EPIPE;
}

static void repl_diskless_child(struct repl *r, struct repl_diskless_sink *s, const char *mark)
{
    persist_child_init(r->persist);
    /* The sockets are written with plain blocking writes here. */
    for (int i = 0; i < s->count; i++) {
        int flags = fcntl(s->fds[i], F_GETFL);
        if (flags >= 0)
            fcntl(s->fds[i], F_SETFL, flags & ~O_NONBLOCK);
    }
    char head[160];
    int n = snprintf(head, sizeof(head), "+FULLRESYNC %s %lld\r\n$EOF:%s\r\n", r->replid,
                     r->offset, mark);
    int err = repl_diskless_write(s, head, (size_t)n);
    struct rdb_sink sink;
    rdb_sink_init(&sink, repl_diskless_write, s);
    if (err == 0)
        err = rdb_save_to_sink(r->persist, &sink);
    rdb_sink_free(&sink);
    if (err == 0)
        err = repl_diskless_write(s, mark, REPL_ID_BYTES);
    if (err == 0)
        persist_child_info_send(r->persist);
    /* Bit i: replica i failed. */
    int status = 0;
    for (int i = 0; i < s->count; i++)
        if (s->failed[i] || err != 0)
            status |= 1 << i;
    _exit(status);
}

/* Whether the waiting replicas go diskless: all of them can read the EOF
 * form, and the delay for more to join has passed. Returns false when the
 * start must wait (*wait). */
static bool repl_diskless_ready(struct repl *r, bool *wait)
{
    *wait = false;
    if (!r->config->repl_diskless_sync)
        return false;
    int64_t oldest = repl_now(r);
    int count = 0;
    for (int i = 0; i < r->replica_count; i++) {
        const struct repl_replica *rep = &r->replicas[i];
        if (rep->state != REPL_REPLICA_WAIT_BGSAVE_START)
            continue;
        if (!rep->capa_eof || rep->old_sync)
            return false;
        /* Nothing of ours may still be on its way to it: the child
         * writes the socket directly. */
        if (rep->c->conn.out.len > 0 || rep->c->conn.send_in_flight) {
            *wait = true;
            return false;
        }
        if (rep->wait_start_ms < oldest)
            oldest = rep->wait_start_ms;
        count++;
    }
    if (count > REPL_DISKLESS_FDS_MAX)
        return false;
    if (repl_now(r) - oldest < r->config->repl_diskless_sync_delay * 1000) {
        *wait = true;
        return false;
    }
    return true;
}

/* persist->repl_save_info: what an RDB saved now says about replication
 * (Redis's rdbPopulateSaveInfo): our history and offset, and the db the
 * stream is in, so a replica loading it (or we, restarted) go on from there. */
static void repl_fill_save_info(void *ctx)
{
    struct repl *r = ctx;
    struct persist *p = r->persist;
    p->repl_save_id[0] = '\0';
    int db;
    if (r->link == REPL_LINK_NONE && r->backlog)
        db = r->seldb < 0 ? 0 : r->seldb;
    else if (r->link != REPL_LINK_NONE && r->master && r->link == REPL_LINK_CONNECTED)
        db = r->master->db ? r->master->db->id : 0;
    else if (r->link != REPL_LINK_NONE && r->psync_known)
        db = r->master_db;
    else
        return;
    memcpy(p->repl_save_id, r->replid, sizeof(p->repl_save_id));
    p->repl_save_offset = r->offset;
    p->repl_save_db = db;
}

static void repl_start_diskless(struct repl *r)
{
    struct repl_diskless_sink s = {0};
    for (int i = 0; i < r->replica_count; i++)
        if (r->replicas[i].state == REPL_REPLICA_WAIT_BGSAVE_START) {
            r->replicas[i].diskless_slot = s.count;
            s.fds[s.count++] = r->replicas[i].c->conn.fd;
        }
    char mark[REPL_ID_BYTES + 1];
    repl_random_id(mark);
    log_write(r->cs->log, LOGLEVEL_NOTICE,
              "Starting BGSAVE for SYNC with target: replicas sockets");
    persist_child_forking(r->persist, PERSIST_CHILD_RDB);
    repl_fill_save_info(r);
    pid_t pid = fork();
    if (pid == 0)
        repl_diskless_child(r, &s, mark);
    if (pid < 0) {
        log_write(r->cs->log, LOGLEVEL_WARNING, "Can't save in background: fork: %s",
                  strerror(errno));
        persist_child_info_receive(r->persist);
        for (int i = r->replica_count - 1; i >= 0; i--)
            if (r->replicas[i].state == REPL_REPLICA_WAIT_BGSAVE_START)
                client_close(r->replicas[i].c);
        return;
    }
    r->persist->stat_total_forks++;
    r->persist->repl_child_pid = pid;
    r->diskless_pid = pid;
    keyspace_pause_rehash(r->cs->keyspace);
    log_write(r->cs->log, LOGLEVEL_NOTICE, "Background RDB transfer started by pid %d", (int)pid);
    r->seldb = -1;
    for (int i = 0; i < r->replica_count; i++) {
        struct repl_replica *rep = &r->replicas[i];
        if (rep->state != REPL_REPLICA_WAIT_BGSAVE_START)
            continue;
        rep->state = REPL_REPLICA_WAIT_BGSAVE_END;
        rep->diskless = true;
        rep->pending.len = 0;
    }
}

/* rep's snapshot has gone out: the stream kept for it meanwhile follows,
 * and it is online from now. */
static void repl_replica_synced(struct repl *r, struct repl_replica *rep)
{
    conn_write(&rep->c->conn, rep->pending.data, rep->pending.len);
    buf_free(&rep->pending);
    rep->state = REPL_REPLICA_ONLINE;
    rep->ack_ms = repl_now(r);
    log_write(r->cs->log, LOGLEVEL_NOTICE, "Synchronization with replica %s succeeded",
              rep->c->conn.addr);
}

/* The diskless child ended: the replicas it served get the stream kept
 * meanwhile, those it failed are closed. */
static void repl_diskless_done(struct repl *r, int status)
{
    bool exited = WIFEXITED(status);
    int failed = exited ? WEXITSTATUS(status) : -1;
    r->diskless_pid = 0;
    r->persist->repl_child_pid = 0;
    persist_child_info_receive(r->persist);
    keyspace_resume_rehash(r->cs->keyspace);
    log_write(r->cs->log, exited && failed == 0 ? LOGLEVEL_NOTICE : LOGLEVEL_WARNING,
              exited && failed == 0 ? "Background RDB transfer terminated with success"
                                    : "Background transfer error");
    for (int i = r->replica_count - 1; i >= 0; i--) {
        struct repl_replica *rep = &r->replicas[i];
        if (rep->state != REPL_REPLICA_WAIT_BGSAVE_END || !rep->diskless)
            continue;
        rep->diskless = false;
        if (failed < 0 || (failed & (1 << rep->diskless_slot))) {
            log_write(r->cs->log, LOGLEVEL_WARNING, "Diskless sync with replica %s failed",
                      rep->c->conn.addr);
            client_close(rep->c);
            continue;
        }
        repl_replica_synced(r, rep);
    }
    repl_count_good(r);
}

static void repl_diskless_poll(struct repl *r)
{
    int status;
    pid_t got = waitpid(r->diskless_pid, &status, WNOHANG);
    if (got == r->diskless_pid)
        repl_diskless_done(r, status);
    else if (got < 0 && errno == ECHILD)
        repl_diskless_done(r, 1 << 8);
    else
        persist_child_info_poll(r->persist);
}

/* Starts the BGSAVE every replica waiting for one shares. */
static void repl_start_bgsave(struct repl *r)
{
    bool any = false;
    for (int i = 0; i < r->replica_count; i++)
        any |= r->replicas[i].state == REPL_REPLICA_WAIT_BGSAVE_START;
    if (!any || persist_child_running(r->persist))
        return;
    bool wait;
    if (repl_diskless_ready(r, &wait)) {
        repl_start_diskless(r);
        return;
    }
    if (wait)
        return;
    log_write(r->cs->log, LOGLEVEL_NOTICE,
              "Starting BGSAVE for SYNC with target: disk");
    if (rdb_save_background(r->persist) < 0) {
        for (int i = r->replica_count - 1; i >= 0; i--)
            if (r->replicas[i].state == REPL_REPLICA_WAIT_BGSAVE_START)
                client_close(r->replicas[i].c);
        return;
    }
    r->bgsave_pid = r->persist->rdb_child_pid;
    /* The replicas load a snapshot: the stream restates the db. */
    r->seldb = -1;
    for (int i = 0; i < r->replica_count; i++) {
        struct repl_replica *rep = &r->replicas[i];
        if (rep->state != REPL_REPLICA_WAIT_BGSAVE_START)
            continue;
        repl_send_fullresync(r, rep);
        rep->state = REPL_REPLICA_WAIT_BGSAVE_END;
        rep->pending.len = 0;
    }
}

/* Reads dbfilename whole into b. */
static int repl_read_rdb(struct repl *r, struct buf *b)
{
    int fd = open(r->config->dbfilename, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        buf_append(b, chunk, (size_t)n);
    }
    close(fd);
    return 0;
}

/* The BGSAVE ended: the RDB, then what came meanwhile, to each replica. */
static void repl_bgsave_done(struct repl *r)
{
    r->bgsave_pid = 0;
    struct buf rdb = {0};
    bool ok = r->persist->rdb_last_bgsave_ok && repl_read_rdb(r, &rdb) == 0;
    for (int i = r->replica_count - 1; i >= 0; i--) {
        struct repl_replica *rep = &r->replicas[i];
        if (rep->state != REPL_REPLICA_WAIT_BGSAVE_END)
            continue;
        if (!ok) {
            log_write(r->cs->log, LOGLEVEL_WARNING,
                      "SYNC failed. BGSAVE child returned an error");
            client_close(rep->c);
            continue;
        }
        char head[32];
        int n = snprintf(head, sizeof(head), "$%zu\r\n", rdb.len);
        /* The output limit waits until the snapshot left (as Redis's
         * replicas in SEND_BULK are not limited). */
        rep->c->conn.out_limit = NULL;
        rep->limit_deferred = true;
        conn_write(&rep->c->conn, head, (size_t)n);
        conn_write(&rep->c->conn, rdb.data, rdb.len);
        repl_replica_synced(r, rep);
    }
    buf_free(&rdb);
    repl_count_good(r);
}

/* ---- PSYNC / SYNC ---- */

static bool repl_try_partial(struct repl *r, struct repl_replica *rep, const char *id,
                             long long offset)
{
    if (!r->backlog)
        return false;
    bool same = strcasecmp(id, r->replid) == 0;
    bool second = strcasecmp(id, r->replid2) == 0 && offset <= r->second_offset;
    if (!same && !second)
        return false;
    if (offset < repl_backlog_first(r) || offset > r->offset + 1)
        return false;
    char line[128];
    int n = rep->capa_psync2 ? snprintf(line, sizeof(line), "+CONTINUE %s\r\n", r->replid)
                             : snprintf(line, sizeof(line), "+CONTINUE\r\n");
    conn_write(&rep->c->conn, line, (size_t)n);
    repl_backlog_send(r, rep->c, offset);
    rep->state = REPL_REPLICA_ONLINE;
    rep->ack_ms = repl_now(r);
    r->stat_sync_partial_ok++;
    log_write(r->cs->log, LOGLEVEL_NOTICE,
              "Partial resynchronization request from %s accepted. Sending %lld bytes of backlog "
              "starting from offset %lld.",
              rep->c->conn.addr, r->offset + 1 - offset, offset);
    return true;
}

void repl_sync_command(struct client *c, bool psync)
{
    struct repl *r = c->commands->repl_ctx;
    if (c->flags & CLIENT_REPLICA)
        return; /* already one: ignored, as in Redis */
    if (r->link != REPL_LINK_NONE && r->link != REPL_LINK_CONNECTED) {
        reply_error(c, "-NOMASTERLINK Can't SYNC while not connected with my master");
        return;
    }
    if (c->conn.out.len > 0) {
        reply_error(c, "SYNC and PSYNC are invalid with pending output");
        return;
    }
    struct repl_replica *rep = repl_replica_add(r, c);
    c->flags |= CLIENT_REPLICA;
    c->conn.out_limit = &r->config->client_output_buffer_limit[CONFIG_CLIENT_REPLICA];
    if (psync) {
        char id[REPL_ID_BYTES + 8], off[32];
        repl_arg_text(c->argv[1].ptr, c->argv[1].len, id, sizeof(id));
        repl_arg_text(c->argv[2].ptr, c->argv[2].len, off, sizeof(off));
        long long offset = strtoll(off, NULL, 10);
        if (repl_try_partial(r, rep, id, offset))
            return;
        if (strcmp(id, "?") != 0)
            r->stat_sync_partial_err++;
    } else {
        rep->old_sync = true;
    }
    r->stat_sync_full++;
    log_write(r->cs->log, LOGLEVEL_NOTICE, "Replica %s asks for synchronization", c->conn.addr);
    /* The first replica after a while without a backlog starts a new
     * history, as Redis does. */
    if (!r->backlog) {
        if (r->link == REPL_LINK_NONE) {
            repl_random_id(r->replid);
            memset(r->replid2, '0', REPL_ID_BYTES);
            r->second_offset = -1;
        }
        repl_backlog_create(r);
    }
    rep->state = REPL_REPLICA_WAIT_BGSAVE_START;
    rep->wait_start_ms = repl_now(r);
    repl_start_bgsave(r);
}

/* ---- REPLCONF ---- */

void repl_replconf_command(struct client *c)
{
    struct repl *r = c->commands->repl_ctx;
    if (c->argc % 2 == 0) {
        reply_error_syntax(c);
        return;
    }
    for (int j = 1; j < c->argc; j += 2) {
        char opt[64], val[64];
        repl_arg_text(c->argv[j].ptr, c->argv[j].len, opt, sizeof(opt));
        repl_arg_text(c->argv[j + 1].ptr, c->argv[j + 1].len, val, sizeof(val));
        if (strcasecmp(opt, "listening-port") == 0) {
            char *end;
            long port = strtol(val, &end, 10);
            if (*end || end == val) {
                reply_error_not_integer(c);
                return;
            }
            repl_replica_add(r, c)->listening_port = (int)port;
        } else if (strcasecmp(opt, "ip-address") == 0) {
            repl_replica_add(r, c);
        } else if (strcasecmp(opt, "capa") == 0) {
            struct repl_replica *rep = repl_replica_add(r, c);
            if (strcasecmp(val, "eof") == 0)
                rep->capa_eof = true;
            else if (strcasecmp(val, "psync2") == 0)
                rep->capa_psync2 = true;
        } else if (strcasecmp(opt, "ack") == 0 || strcasecmp(opt, "fack") == 0) {
            /* From a replica only; never answered. */
            struct repl_replica *rep = repl_replica_of(r, c);
            if (!rep || !(c->flags & CLIENT_REPLICA))
                return;
            long long v = strtoll(val, NULL, 10);
            if (strcasecmp(opt, "ack") == 0) {
                if (v > rep->ack_offset)
                    rep->ack_offset = v;
                rep->ack_ms = repl_now(r);
            } else if (v > rep->fack_offset) {
                rep->fack_offset = v;
            }
            if (j + 2 < c->argc)
                continue;
            if (rep->limit_deferred && c->conn.out.len == 0 && c->conn.sending.len == 0) {
                c->conn.out_limit =
                    &r->config->client_output_buffer_limit[CONFIG_CLIENT_REPLICA];
                rep->limit_deferred = false;
            }
            repl_count_good(r);
            repl_waiters_check(r);
            if (r->cs->repl_acked)
                r->cs->repl_acked(r->cs);
            return;
        } else if (strcasecmp(opt, "getack") == 0) {
            if (c->flags & CLIENT_MASTER)
                r->ack_requested = true;
            return;
        } else if (strcasecmp(opt, "rdb-only") == 0 || strcasecmp(opt, "rdb-filter-only") == 0) {
            /* accepted */
        } else {
            reply_errorf(c, "Unrecognized REPLCONF option: %s", opt);
            return;
        }
    }
    reply_ok(c);
}

/* ---- WAIT ---- */

int repl_replicas_acked(const struct repl *r, long long offset, bool fsynced)
{
    int n = 0;
    for (int i = 0; i < r->replica_count; i++) {
        const struct repl_replica *rep = &r->replicas[i];
        long long acked = fsynced ? rep->fack_offset : rep->ack_offset;
        if (rep->state == REPL_REPLICA_ONLINE && acked >= offset)
            n++;
    }
    return n;
}

static long long repl_offset_now(void *ctx)
{
    return ((struct repl *)ctx)->offset;
}

static int repl_acked_count(void *ctx, long long offset, bool fsynced)
{
    return repl_replicas_acked(ctx, offset, fsynced);
}

static void repl_waiter_done(struct repl *r, int i)
{
    struct client *c = r->waiters[i].c;
    reply_integer(c, repl_replicas_acked(r, r->waiters[i].offset, false));
    r->waiters[i] = r->waiters[--r->waiter_count];
    r->cs->blocked_clients--;
    c->flags &= ~CLIENT_REPL_WAIT;
    client_unblocked(c);
}

void repl_waiters_check(struct repl *r)
{
    for (int i = 0; i < r->waiter_count; i++) {
        struct repl_waiter *w = &r->waiters[i];
        if (repl_replicas_acked(r, w->offset, false) >= w->replicas ||
            (w->deadline_ms && w->deadline_ms <= repl_now(r)))
            repl_waiter_done(r, i--);
    }
}

void repl_wait_command(struct client *c)
{
    struct repl *r = c->commands->repl_ctx;
    if (r->link != REPL_LINK_NONE) {
        reply_error(c, "ERR WAIT cannot be used with replica instances. Please also note that "
                       "since Redis 4.0 if a replica is configured to be writable (which is not "
                       "the default) writes to replicas are just local and are not propagated.");
        return;
    }
    long long num, timeout;
    if (!arg_get_ll(c, 1, &num, NULL) ||
        !arg_get_ll(c, 2, &timeout, "timeout is not an integer or out of range"))
        return;
    if (timeout < 0) {
        reply_error(c, "ERR timeout is negative");
        return;
    }
    long long offset = r->offset;
    int acked = repl_replicas_acked(r, offset, false);
    if (acked >= num || (c->flags & CLIENT_DENY_BLOCKING)) {
        reply_integer(c, acked);
        return;
    }
    if (r->waiter_count == r->waiter_cap) {
        r->waiter_cap = r->waiter_cap ? r->waiter_cap * 2 : 4;
        r->waiters = alloc_resize(r->waiters, (size_t)r->waiter_cap * sizeof(*r->waiters));
    }
    r->waiters[r->waiter_count++] = (struct repl_waiter){
        .c = c,
        .offset = offset,
        .replicas = num,
        .deadline_ms = timeout ? repl_now(r) + timeout : 0,
    };
    c->flags |= CLIENT_REPL_WAIT | CLIENT_REPL_KNOWN;
    r->cs->blocked_clients++; /* INFO's blocked_clients counts WAIT, as Redis's */
    r->getack_pending = true;
}

void repl_before_sleep(struct repl *r)
{
    if (r->link == REPL_LINK_CONNECTED)
        repl_link_before_sleep(r);
    if (!r->getack_pending)
        return;
    r->getack_pending = false;
    if (r->link != REPL_LINK_NONE || !r->backlog)
        return;
    static const char getack[] = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";
    repl_feed_raw(r, getack, sizeof(getack) - 1);
}

/* ---- write checks ---- */

static const char *repl_deny(void *ctx, struct client *c, const struct command *cmd)
{
    struct repl *r = ctx;
    /* What must be obeyed: our master, and the AOF being replayed (DEBUG
     * LOADAOF on a replica, a replica's start). */
    if (client_must_obey(c))
        return NULL;
    bool write = (cmd->flags & CMD_WRITE) != 0;
    if (r->link == REPL_LINK_NONE) {
        if (write && r->config->min_replicas_to_write && r->config->min_replicas_max_lag &&
            r->good_replicas < r->config->min_replicas_to_write)
            return "NOREPLICAS Not enough good replicas to write.";
        return NULL;
    }
    if (write && r->config->replica_read_only)
        return "READONLY You can't write against a read only replica.";
    if (r->link != REPL_LINK_CONNECTED && !r->config->replica_serve_stale_data &&
        !(cmd->flags & CMD_STALE))
        return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    return NULL;
}

/* ---- the tick ---- */

static void repl_master_cron(struct repl *r)
{
    int64_t now = repl_now(r);
    if (r->bgsave_pid && r->persist->rdb_child_pid != r->bgsave_pid)
        repl_bgsave_done(r);
    if (r->diskless_pid)
        repl_diskless_poll(r);
    repl_start_bgsave(r);
    /* A PING every repl-ping-replica-period keeps replicas' timeouts off. */
    if (r->link == REPL_LINK_NONE && repl_replicas_attached(r) > 0 &&
        now - r->last_ping_ms >= r->config->repl_ping_replica_period * 1000) {
        r->last_ping_ms = now;
        static const char ping[] = "*1\r\n$4\r\nPING\r\n";
        repl_feed_raw(r, ping, sizeof(ping) - 1);
    }
    bool newline_due = now - r->last_newline_ms >= 1000;
    if (newline_due)
        r->last_newline_ms = now;
    for (int i = r->replica_count - 1; i >= 0; i--) {
        struct repl_replica *rep = &r->replicas[i];
        struct client *c = rep->c;
        if (rep->limit_deferred && c->conn.out.len == 0 && c->conn.sending.len == 0) {
            c->conn.out_limit = &r->config->client_output_buffer_limit[CONFIG_CLIENT_REPLICA];
            rep->limit_deferred = false;
        }
        /* Redis's replicas in WAIT_BGSAVE_START get a newline each second
         * so they do not time out. */
        if (rep->state == REPL_REPLICA_WAIT_BGSAVE_START && newline_due &&
            !(r->config->repl_diskless_sync && rep->capa_eof))
            conn_write(&c->conn, "\n", 1);
        if (rep->state == REPL_REPLICA_ONLINE &&
            now - rep->ack_ms > r->config->repl_timeout * 1000 && rep->capa_psync2) {
            log_write(r->cs->log, LOGLEVEL_WARNING, "Disconnecting timedout replica: %s",
                      c->conn.addr);
            client_close(c);
        }
    }
    /* The backlog of a master without replicas goes after its ttl. */
    if (r->link == REPL_LINK_NONE && r->backlog && repl_replicas_attached(r) == 0 &&
        r->config->repl_backlog_ttl > 0 &&
        now - r->no_replicas_since_ms >= r->config->repl_backlog_ttl * 1000) {
        repl_random_id(r->replid);
        memset(r->replid2, '0', REPL_ID_BYTES);
        r->second_offset = -1;
        repl_backlog_free(r);
        log_write(r->cs->log, LOGLEVEL_NOTICE,
                  "Replication backlog freed after %lld seconds without connected replicas.",
                  r->config->repl_backlog_ttl);
    }
    /* CONFIG SET repl-backlog-size: a new, empty backlog of that size. */
    if (r->backlog && r->backlog_size != r->config->repl_backlog_size) {
        alloc_free(r->backlog);
        r->backlog = NULL;
        repl_backlog_create(r);
    }
    repl_count_good(r);
    repl_waiters_check(r);
}

void repl_cron(struct repl *r)
{
    if (r->link != REPL_LINK_NONE)
        repl_link_cron(r);
    if (r->replica_count || r->backlog || r->bgsave_pid || r->diskless_pid || r->waiter_count)
        repl_master_cron(r);
}

void repl_change_replid(struct repl *r)
{
    repl_random_id(r->replid);
    memset(r->replid2, '0', REPL_ID_BYTES);
    r->second_offset = -1;
}

void repl_init(struct repl *r, struct commands *cs, struct persist *p, int listen_port)
{
    memset(r, 0, sizeof(*r));
    r->cs = cs;
    r->persist = p;
    r->config = cs->config;
    r->listen_port = listen_port;
    r->second_offset = -1;
    r->seldb = -1;
    r->connect_fd = -1;
    r->rdb_fd = -1;
    repl_random_id(r->replid);
    memset(r->replid2, '0', REPL_ID_BYTES);
    r->replid2[REPL_ID_BYTES] = '\0';
    cs->repl_ctx = r;
    cs->repl_feed = repl_feed;
    cs->repl_deny = repl_deny;
    cs->repl_input = repl_link_input;
    cs->repl_closed = repl_closed;
    cs->repl_offset = repl_offset_now;
    p->repl_save_info = repl_fill_save_info;
    p->repl_save_ctx = r;
    cs->repl_acked_count = repl_acked_count;
    repl_update_flags(r);
    repl_commands_register(cs);
}

/* At start-up, the replication info of the RDB file we loaded (not with
 * an AOF, as Redis 7.0): a replica offers it to its master; a master keeps
 * it as its second history, so its replicas resync partially. */
static bool repl_restore_from_rdb(struct repl *r)
{
    const struct persist *p = r->persist;
    if (r->config->appendonly || p->repl_loaded_id[0] == '\0' || p->repl_loaded_offset < 0)
        return false;
    if (r->config->replicaof_host) {
        memcpy(r->replid, p->repl_loaded_id, sizeof(r->replid));
        r->offset = p->repl_loaded_offset;
        r->master_db = p->repl_loaded_db >= 0 ? p->repl_loaded_db : 0;
        return true;
    }
    memcpy(r->replid2, p->repl_loaded_id, sizeof(r->replid2));
    r->offset = p->repl_loaded_offset;
    r->second_offset = r->offset + 1;
    repl_random_id(r->replid);
    repl_backlog_create(r);
    r->no_replicas_since_ms = repl_now(r);
    log_write(r->cs->log, LOGLEVEL_NOTICE,
              "Restored the replication ID %s and offset %lld from the RDB file as the secondary "
              "ID", r->replid2, r->offset);
    return true;
}

void repl_start(struct repl *r)
{
    bool restored = repl_restore_from_rdb(r);
    if (!r->config->replicaof_host)
        return;
    repl_set_master(r, r->config->replicaof_host, (int)r->config->replicaof_port);
    /* Started as a replica: our history is the RDB's, if it had one. */
    r->psync_known = restored;
}

/* At exit: memory only (the loop owns the connections). */
void repl_free(struct repl *r)
{
    if (r->diskless_pid > 0) {
        kill(r->diskless_pid, SIGKILL);
        int status;
        while (waitpid(r->diskless_pid, &status, 0) < 0 && errno == EINTR)
            ;
        r->diskless_pid = 0;
    }
    if (r->connect_fd >= 0)
        close(r->connect_fd);
    if (r->rdb_fd >= 0) {
        close(r->rdb_fd);
        unlink(r->rdb_tmp);
    }
    alloc_free(r->master_host);
    r->master_host = NULL;
    for (int i = 0; i < r->replica_count; i++)
        buf_free(&r->replicas[i].pending);
    alloc_free(r->replicas);
    alloc_free(r->waiters);
    alloc_free(r->fack_pending);
    r->fack_pending = NULL;
    alloc_free(r->backlog);
    r->replicas = NULL;
    r->waiters = NULL;
    r->backlog = NULL;
}
