/* repl_link.c: the replica side: the link to our master (see repl.h).
 *
 * Owns the connection's life: the non-blocking connect the tick polls,
 * the handshake (sent at once, its replies read in order), the RDB
 * transfer into a temp file that becomes dbfilename and is loaded, then
 * the stream, applied through the link's client and relayed byte for byte
 * to our backlog and sub-replicas. The offset counts whole commands
 * applied, as Redis's reploff does. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/durable_fs.h"
#include "net/commands/acl.h"
#include "net/commands/client.h"
#include "net/commands/commands.h"
#include "net/commands/dispatch.h"
#include "net/commands/function.h"
#include "net/commands/notify.h"
#include "net/commands/reply.h"
#include "net/commands/tracking.h"
#include "net/commands/transaction.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/aof.h"
#include "net/persist/persist.h"
#include "net/persist/rdb_load.h"
#include "net/repl/repl_internal.h"
#include "net/wire/conn.h"
#include "net/wire/loop.h"
#include "net/wire/resp.h"

/* A handshake reply line longer than this is a protocol error. */
#define REPL_LINE_MAX 4096

static int64_t link_now(const struct repl *r)
{
    return r->cs->loop->now_ms;
}

/* Appends one command (C strings) in RESP to c's output. */
static void link_send(struct client *c, int argc, const char *const *argv)
{
    char head[32];
    int n = snprintf(head, sizeof(head), "*%d\r\n", argc);
    conn_write(&c->conn, head, (size_t)n);
    for (int i = 0; i < argc; i++) {
        size_t len = strlen(argv[i]);
        n = snprintf(head, sizeof(head), "$%zu\r\n", len);
        conn_write(&c->conn, head, (size_t)n);
        conn_write(&c->conn, argv[i], len);
        conn_write(&c->conn, "\r\n", 2);
    }
}

/* ---- FACK: what our AOF has fsynced ---- */

/* The applied offset waits for the AOF records logged so far to be
 * fsynced. A full table merges into its newest entry, which then waits for
 * the later records too: later, never early. */
static void link_fack_wait(struct repl *r)
{
    uint64_t aof_offset = aof_write_offset(r->persist);
    if (aof_offset == 0)
        return; /* no AOF: nothing becomes fsynced */
    if (!r->fack_pending)
        r->fack_pending = alloc_bytes(REPL_FACK_PENDING_MAX * sizeof(*r->fack_pending));
    uint64_t epoch = aof_token_epoch(r->persist);
    struct repl_fack_pending *last = r->fack_count ? &r->fack_pending[r->fack_count - 1] : NULL;
    if (last && last->offset == r->offset)
        return;
    if (last && ((last->aof_epoch == epoch && last->aof_offset == aof_offset) ||
                 r->fack_count == REPL_FACK_PENDING_MAX)) {
        last->offset = r->offset;
        last->aof_epoch = epoch;
        last->aof_offset = aof_offset;
        return;
    }
    r->fack_pending[r->fack_count++] =
        (struct repl_fack_pending){r->offset, epoch, aof_offset};
}

/* After applying stream bytes. */
static void link_fack_note(struct repl *r)
{
    link_fack_wait(r);
}

/* The fsynced offset now: pending offsets whose records an fdatasync that
 * succeeded covered count (aof_fsynced is false while the AOF is off or
 * owes its base, as after a full sync until the rewrite is done). */
static long long link_fack(struct repl *r)
{
    int done = 0;
    while (done < r->fack_count &&
           aof_fsynced(r->persist, r->fack_pending[done].aof_epoch,
                       r->fack_pending[done].aof_offset))
        r->fack = r->fack_pending[done++].offset;
    if (done) {
        memmove(r->fack_pending, r->fack_pending + done,
                (size_t)(r->fack_count - done) * sizeof(*r->fack_pending));
        r->fack_count -= done;
    }
    return r->fack;
}

/* A full sync: the loaded dataset counts once the AOF holds it fsynced
 * (the rewrite that follows the load). */
static void link_fack_reset(struct repl *r)
{
    r->fack_count = 0;
    link_fack_wait(r);
}

/* REPLCONF ACK <offset> FACK <durable offset>: a Redis 7.0 master reads the
 * first and ignores the rest; WAITAOF (7.2) reads both. */
static void link_send_ack(struct repl *r)
{
    if (!r->master)
        return;
    char off[32], fack[32];
    snprintf(off, sizeof(off), "%lld", r->offset);
    r->fack_sent = link_fack(r);
    snprintf(fack, sizeof(fack), "%lld", r->fack_sent);
    const char *argv[] = {"REPLCONF", "ACK", off, "FACK", fack};
    link_send(r->master, 5, argv);
    r->last_ack_ms = link_now(r);
}

void repl_link_before_sleep(struct repl *r)
{
    /* An fsync that covered more is told at once, not at the next
     * once-a-second ACK. */
    if (r->fack_count && link_fack(r) > r->fack_sent)
        link_send_ack(r);
}

void repl_link_reset(struct repl *r)
{
    if (r->master) {
        struct client *c = r->master;
        r->master = NULL;
        c->flags &= ~CLIENT_REPL_KNOWN; /* its close no longer concerns us */
        client_close(c);
    }
    if (r->connect_fd >= 0) {
        close(r->connect_fd);
        r->connect_fd = -1;
    }
    if (r->rdb_fd >= 0) {
        close(r->rdb_fd);
        r->rdb_fd = -1;
        unlink(r->rdb_tmp);
    }
}

/* The link failed or ended: try again in a second, PSYNCing where we are. */
static void link_lost(struct repl *r, const char *why)
{
    if (why)
        log_write(r->cs->log, LOGLEVEL_WARNING, "%s", why);
    if (r->link == REPL_LINK_CONNECTED) {
        r->psync_known = true;
        r->link_down_since_ms = link_now(r);
        if (r->master && r->master->db)
            r->master_db = r->master->db->id;
    }
    repl_link_reset(r);
    r->link = REPL_LINK_CONNECT;
    r->last_try_ms = link_now(r);
    repl_update_flags(r);
}

void repl_link_closed(struct repl *r, struct client *c)
{
    if (c != r->master)
        return;
    r->master_db = c->db ? c->db->id : 0; /* a partial resync goes on there */
    r->master = NULL; /* it is being freed */
    link_lost(r, r->link == REPL_LINK_CONNECTED ? "Connection with master lost." : NULL);
}

/* ---- connecting ---- */

static void link_connect(struct repl *r)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", r->master_port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    log_write(r->cs->log, LOGLEVEL_NOTICE, "Connecting to MASTER %s:%d", r->master_host,
              r->master_port);
    if (getaddrinfo(r->master_host, port, &hints, &res) != 0 || !res) {
        log_write(r->cs->log, LOGLEVEL_WARNING, "Unable to connect to MASTER: cannot resolve %s",
                  r->master_host);
        return;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) < 0 && errno != EINPROGRESS) {
        log_write(r->cs->log, LOGLEVEL_WARNING, "Unable to connect to MASTER: %s",
                  strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return;
    log_write(r->cs->log, LOGLEVEL_NOTICE, "MASTER <-> REPLICA sync started");
    r->connect_fd = fd;
    r->connect_start_ms = link_now(r);
    r->link = REPL_LINK_CONNECTING;
}

/* Connected: the link's client, and the whole handshake at once (the
 * master answers in order; Redis's own replica pipelines most of it). */
static void link_established(struct repl *r, int fd)
{
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    struct commands *cs = r->cs;
    struct client *c = client_create(cs, fd);
    c->flags |= CLIENT_MASTER | CLIENT_REPL_KNOWN;
    c->authenticated = true;
    c->user = acl_superuser(cs);
    c->conn.out_limit = NULL;
    r->master = c;
    r->link = REPL_LINK_HANDSHAKE;
    r->last_io_ms = link_now(r);
    r->expect_count = r->expect_pos = 0;
    log_write(cs->log, LOGLEVEL_NOTICE, "Non blocking connect for SYNC fired the event.");

    const char *ping[] = {"PING"};
    link_send(c, 1, ping);
    r->expect[r->expect_count++] = REPL_REPLY_PING;
    const char *pass = r->config->masterauth;
    if (pass && pass[0]) {
        const char *user = r->config->masteruser;
        if (user && user[0]) {
            const char *auth[] = {"AUTH", user, pass};
            link_send(c, 3, auth);
        } else {
            const char *auth[] = {"AUTH", pass};
            link_send(c, 2, auth);
        }
        r->expect[r->expect_count++] = REPL_REPLY_AUTH;
    }
    char port[16];
    snprintf(port, sizeof(port), "%d", r->listen_port);
    const char *lp[] = {"REPLCONF", "listening-port", port};
    link_send(c, 3, lp);
    r->expect[r->expect_count++] = REPL_REPLY_REPLCONF;
    const char *capa[] = {"REPLCONF", "capa", "eof", "capa", "psync2"};
    link_send(c, 5, capa);
    r->expect[r->expect_count++] = REPL_REPLY_REPLCONF;
    /* PSYNC goes once the rest is answered: a master refuses it while
     * replies are pending for this connection. */
    r->expect[r->expect_count++] = REPL_REPLY_PSYNC;
}

static void link_send_psync(struct repl *r)
{
    char off[32];
    snprintf(off, sizeof(off), "%lld", r->offset + 1);
    const char *psync_known[] = {"PSYNC", r->replid, off};
    const char *psync_new[] = {"PSYNC", "?", "-1"};
    link_send(r->master, 3, r->psync_known ? psync_known : psync_new);
    if (r->psync_known)
        log_write(r->cs->log, LOGLEVEL_NOTICE,
                  "Trying a partial resynchronization (request %s:%s).", r->replid, off);
}

static void link_poll_connect(struct repl *r)
{
    struct pollfd pfd = {.fd = r->connect_fd, .events = POLLOUT};
    if (poll(&pfd, 1, 0) <= 0) {
        if (link_now(r) - r->connect_start_ms > r->config->repl_timeout * 1000)
            link_lost(r, "Timeout connecting to the MASTER...");
        return;
    }
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(r->connect_fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
        char why[128];
        snprintf(why, sizeof(why), "Error condition on socket for SYNC: %s", strerror(err));
        link_lost(r, why);
        return;
    }
    int fd = r->connect_fd;
    r->connect_fd = -1;
    link_established(r, fd);
}

/* ---- the handshake's replies ---- */

/* The next line of c's input without its CRLF, or NULL (*bad on a line too
 * long). Lone newlines before it (the master's keepalives) are skipped. */
static const char *link_line(struct conn *conn, size_t *len, bool *bad)
{
    while (conn->query_pos < conn->query_len && conn->query[conn->query_pos] == '\n')
        conn->query_pos++;
    const char *start = conn->query + conn->query_pos;
    size_t avail = conn->query_len - conn->query_pos;
    const char *eol = memchr(start, '\n', avail);
    if (!eol) {
        *bad = avail > REPL_LINE_MAX;
        return NULL;
    }
    *len = (size_t)(eol - start);
    if (*len > 0 && start[*len - 1] == '\r')
        (*len)--;
    conn->query_pos += (size_t)(eol - start) + 1;
    return start;
}

static void link_partial_ok(struct repl *r, const char *line, size_t len)
{
    /* "+CONTINUE" or "+CONTINUE <new replid>": a new id is our master's
     * history from now on; ours becomes replid2. */
    if (len >= 10 + REPL_ID_BYTES) {
        char id[REPL_ID_BYTES + 1];
        memcpy(id, line + 10, REPL_ID_BYTES);
        id[REPL_ID_BYTES] = '\0';
        if (strcmp(id, r->replid) != 0) {
            memcpy(r->replid2, r->replid, sizeof(r->replid2));
            r->second_offset = r->offset + 1;
            memcpy(r->replid, id, sizeof(r->replid));
            repl_disconnect_replicas(r);
        }
    }
    repl_backlog_create(r);
    /* The stream goes on in the db the last link had selected. */
    struct keyspace *ks = r->cs->keyspace;
    if (r->master_db >= 0 && r->master_db < ks->db_count)
        r->master->db = &ks->dbs[r->master_db];
    r->link = REPL_LINK_CONNECTED;
    r->psync_known = true;
    repl_update_flags(r);
    log_write(r->cs->log, LOGLEVEL_NOTICE,
              "Successful partial resynchronization with master.");
    log_write(r->cs->log, LOGLEVEL_NOTICE,
              "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
    link_send_ack(r);
}

/* Returns false when the link was dropped. */
static bool link_handshake_input(struct repl *r, struct conn *conn)
{
    while (r->link == REPL_LINK_HANDSHAKE && r->expect_pos < r->expect_count) {
        size_t len;
        bool bad = false;
        const char *line = link_line(conn, &len, &bad);
        if (!line) {
            if (bad) {
                link_lost(r, "Master sent an invalid reply to the handshake");
                return false;
            }
            return true;
        }
        char text[256];
        snprintf(text, sizeof(text), "%.*s", (int)(len < 200 ? len : 200), line);
        enum repl_reply_kind kind = r->expect[r->expect_pos++];
        bool error = len > 0 && line[0] == '-';
        char why[320];
        if (kind == REPL_REPLY_PING && error && strncmp(text, "-NOAUTH", 7) != 0 &&
            strncmp(text, "-NOPERM", 7) != 0 &&
            strncmp(text, "-ERR operation not permitted", 28) != 0) {
            snprintf(why, sizeof(why), "Error reply to PING from master: '%s'", text + 1);
            link_lost(r, why);
            return false;
        }
        if (kind == REPL_REPLY_AUTH && error) {
            snprintf(why, sizeof(why), "Unable to AUTH to MASTER: %s", text + 1);
            link_lost(r, why);
            return false;
        }
        if (kind == REPL_REPLY_REPLCONF && error)
            log_write(r->cs->log, LOGLEVEL_NOTICE, "(Non critical) Master does not understand "
                      "REPLCONF: %s", text + 1);
        if (kind != REPL_REPLY_PSYNC) {
            if (r->expect[r->expect_pos] == REPL_REPLY_PSYNC)
                link_send_psync(r);
            continue;
        }
        if (strncmp(text, "+FULLRESYNC ", 12) == 0 && len >= 12 + REPL_ID_BYTES + 2) {
            memcpy(r->sync_replid, line + 12, REPL_ID_BYTES);
            r->sync_replid[REPL_ID_BYTES] = '\0';
            r->sync_offset = strtoll(text + 12 + REPL_ID_BYTES + 1, NULL, 10);
            log_write(r->cs->log, LOGLEVEL_NOTICE, "Full resync from master: %s:%lld",
                      r->sync_replid, r->sync_offset);
            r->link = REPL_LINK_TRANSFER;
            r->transfer_size = -2; /* the "$" line is next */
            r->transfer_read = 0;
        } else if (strncmp(text, "+CONTINUE", 9) == 0) {
            link_partial_ok(r, line, len);
        } else {
            snprintf(why, sizeof(why), "Unexpected reply to PSYNC from master: %s", text);
            link_lost(r, why);
            return false;
        }
    }
    return true;
}

/* ---- the RDB ---- */

static bool link_write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* The RDB arrived whole: it becomes dbfilename, replaces the dataset, and
 * the master's history becomes ours. */
static bool link_load(struct repl *r)
{
    struct commands *cs = r->cs;
    /* The file replaces dbfilename, which a restart loads: its bytes are
     * on disk before the rename, and the rename before anything counts on
     * it (temp, fsync, rename, directory fsync), as Redis fsyncs it too. */
    if (fsync(r->rdb_fd) < 0) {
        log_write(cs->log, LOGLEVEL_WARNING,
                  "Failed trying to sync the temp DB to disk in MASTER <-> REPLICA "
                  "synchronization: %s", strerror(errno));
        close(r->rdb_fd);
        r->rdb_fd = -1;
        unlink(r->rdb_tmp);
        return false;
    }
    close(r->rdb_fd);
    r->rdb_fd = -1;
    const char *dbfile = r->config->dbfilename;
    bool renamed = false;
    int ret = durable_rename(r->rdb_tmp, dbfile, &renamed);
    if (!renamed) {
        log_write(cs->log, LOGLEVEL_WARNING,
                  "Failed trying to rename the temp DB into %s in MASTER <-> REPLICA "
                  "synchronization: %s", dbfile, strerror(-ret));
        unlink(r->rdb_tmp);
        return false;
    }
    if (ret < 0) {
        /* As Redis: the sync is cancelled and tried again. */
        log_write(cs->log, LOGLEVEL_WARNING,
                  "Failed trying to sync DB directory %s in MASTER <-> REPLICA synchronization: %s",
                  dbfile, strerror(-ret));
        return false;
    }
    log_write(cs->log, LOGLEVEL_NOTICE, "MASTER <-> REPLICA sync: Flushing old data");
    struct keyspace *ks = cs->keyspace;
    for (int i = 0; i < ks->db_count; i++) {
        notify_key_modified(cs, &ks->dbs[i], NULL, 0);
        db_flush(&ks->dbs[i]);
    }
    tracking_flushed(cs);
    /* The master's libraries replace ours, as Redis 7.0 empties them. */
    function_flush_all(cs->functions);
    log_write(cs->log, LOGLEVEL_NOTICE, "MASTER <-> REPLICA sync: Loading DB in memory");
    bool found;
    char err[512];
    if (rdb_load_path(r->persist, dbfile, &found, NULL, err, sizeof(err)) < 0 || !found) {
        log_write(cs->log, LOGLEVEL_WARNING,
                  "Failed trying to load the MASTER synchronization DB from disk: %s", err);
        for (int i = 0; i < ks->db_count; i++)
            db_flush(&ks->dbs[i]);
        function_flush_all(cs->functions);
        return false;
    }
    /* A new history: sub-replicas must sync again, the backlog restarts. */
    memcpy(r->replid, r->sync_replid, sizeof(r->replid));
    memset(r->replid2, '0', REPL_ID_BYTES);
    r->second_offset = -1;
    r->offset = r->sync_offset;
    /* The RDB says which db the stream is in (repl-stream-db). */
    r->master_db = r->persist->repl_loaded_db >= 0 ? r->persist->repl_loaded_db : 0;
    if (r->master_db < cs->keyspace->db_count)
        r->master->db = &cs->keyspace->dbs[r->master_db];
    link_fack_reset(r);
    repl_disconnect_replicas(r);
    repl_backlog_free(r);
    repl_backlog_create(r);
    r->link = REPL_LINK_CONNECTED;
    r->psync_known = true;
    repl_update_flags(r);
    /* Our AOF holds the old dataset: a rewrite makes the new one its base
     * (Redis restarts the AOF for the same reason). */
    if (r->persist->aof.status != AOF_OFF) {
        if (aof_rewrite_request(r->persist, false, err, sizeof(err)) == AOF_REWRITE_FAILED)
            log_write(cs->log, LOGLEVEL_WARNING,
                      "Failed to rewrite the AOF after a full sync with the master: %s", err);
    }
    log_write(cs->log, LOGLEVEL_NOTICE, "MASTER <-> REPLICA sync: Finished with success");
    link_send_ack(r);
    return true;
}

/* Returns false when the link was dropped. */
static bool link_transfer_input(struct repl *r, struct conn *conn)
{
    if (r->transfer_size == -2) {
        size_t len;
        bool bad = false;
        const char *line = link_line(conn, &len, &bad);
        if (!line) {
            if (bad)
                link_lost(r, "Bad protocol from MASTER: the RDB header is too long");
            return !bad;
        }
        if (len == 0 || line[0] != '$') {
            char why[256];
            snprintf(why, sizeof(why),
                     "Bad protocol from MASTER, the first byte is not '$' (we received '%.*s'), "
                     "are you sure the host and port are right?",
                     (int)(len < 100 ? len : 100), line);
            link_lost(r, why);
            return false;
        }
        if (len == 5 + REPL_ID_BYTES && strncmp(line, "$EOF:", 5) == 0) {
            r->eof_mode = true;
            memcpy(r->eof_mark, line + 5, REPL_ID_BYTES);
            r->transfer_size = -1;
            log_write(r->cs->log, LOGLEVEL_NOTICE,
                      "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to "
                      "disk");
        } else {
            r->eof_mode = false;
            r->transfer_size = strtoll(line + 1, NULL, 10);
            log_write(r->cs->log, LOGLEVEL_NOTICE,
                      "MASTER <-> REPLICA sync: receiving %lld bytes from master to disk",
                      r->transfer_size);
            if (r->transfer_size < 0) {
                link_lost(r, "Bad RDB length from MASTER");
                return false;
            }
        }
        snprintf(r->rdb_tmp, sizeof(r->rdb_tmp), "temp-%d.%lld.rdb", (int)getpid(),
                 (long long)link_now(r));
        r->rdb_fd = open(r->rdb_tmp, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
        if (r->rdb_fd < 0) {
            char why[256];
            snprintf(why, sizeof(why),
                     "Opening the temp file needed for MASTER <-> REPLICA synchronization: %s",
                     strerror(errno));
            link_lost(r, why);
            return false;
        }
    }
    const char *p = conn->query + conn->query_pos;
    size_t avail = conn->query_len - conn->query_pos;
    size_t take;
    bool done = false;
    if (!r->eof_mode) {
        long long left = r->transfer_size - r->transfer_read;
        take = (long long)avail < left ? avail : (size_t)left;
        done = (long long)take == left;
        if (!link_write_all(r->rdb_fd, p, take))
            goto write_error;
        conn->query_pos += take;
    } else {
        const char *mark = memmem(p, avail, r->eof_mark, REPL_ID_BYTES);
        if (mark) {
            take = (size_t)(mark - p);
            done = true;
            if (!link_write_all(r->rdb_fd, p, take))
                goto write_error;
            conn->query_pos += take + REPL_ID_BYTES;
        } else {
            /* The mark may straddle two reads: its first bytes stay. */
            take = avail > REPL_ID_BYTES - 1 ? avail - (REPL_ID_BYTES - 1) : 0;
            if (!link_write_all(r->rdb_fd, p, take))
                goto write_error;
            conn->query_pos += take;
        }
    }
    r->transfer_read += (long long)take;
    if (done && !link_load(r)) {
        link_lost(r, NULL);
        return false;
    }
    return true;
write_error:
    link_lost(r, "Write error saving DB on disk");
    return false;
}

/* ---- the stream ---- */

/* Drops the replies one command of the master's made (out[before, len)):
 * the master reads none. What a hold or the released mark covered of them
 * goes too, so the wire's invariants (out_released and every hold within
 * out) stay. */
static void link_drop_replies(struct conn *conn, size_t before)
{
    conn->out.len = before;
    if (conn->out_released > before)
        conn->out_released = before;
    while (conn->hold_count > 0 && conn->holds[conn->hold_count - 1].len > before) {
        size_t below = conn->hold_count > 1 ? conn->holds[conn->hold_count - 2].len
                                            : conn->out_released;
        if (below < before) {
            conn->holds[conn->hold_count - 1].len = before;
            break;
        }
        conn->hold_count--; /* covers nothing any more */
    }
}

static void link_stream_input(struct repl *r, struct client *c)
{
    struct conn *conn = &c->conn;
    struct resp_request *rq = &conn->request;
    while (!(conn->flags & (CONN_CLOSE_AFTER_REPLY | CONN_CLOSING)) &&
           conn->query_pos < conn->query_len && r->master == c) {
        if (r->cs->loop->stopping)
            break;
        if (aof_congested(r->persist)) {
            conn_pause(conn); /* resumes when our AOF drains, as clients do */
            break;
        }
        rq->authenticated = true;
        enum resp_parse_result res =
            resp_parse(rq, conn->query + conn->query_pos, conn->query_len - conn->query_pos);
        if (res == RESP_PARSE_MORE)
            break;
        if (res == RESP_PARSE_BAD) {
            resp_request_reset(rq);
            log_write(r->cs->log, LOGLEVEL_WARNING, "Protocol error from master: %s",
                      rq->error);
            link_lost(r, "Connection with master lost.");
            return;
        }
        size_t consumed = rq->consumed;
        const char *bytes = conn->query + conn->query_pos;
        r->ack_requested = false;
        if (rq->argc > 0) {
            c->argc = rq->argc;
            c->argv = rq->argv;
            size_t before = conn->out.len;
            /* The master's commands see keys it has not expired yet as
             * live, whatever our clock says. */
            r->cs->keyspace->expire_master_context = true;
            dispatch_process(c);
            r->cs->keyspace->expire_master_context = false;
            link_drop_replies(conn, before); /* the master reads no reply */
            c->argc = 0;
            c->argv = NULL;
        }
        resp_request_reset(rq);
        /* GETACK is answered with the offset before it, as Redis does. */
        if (r->ack_requested)
            link_send_ack(r);
        conn->query_pos += consumed;
        repl_feed_raw(r, bytes, consumed);
    }
    link_fack_note(r);
}

void repl_link_input(struct client *c)
{
    struct repl *r = c->commands->repl_ctx;
    struct conn *conn = &c->conn;
    if (c != r->master) { /* a link being dropped */
        conn->query_pos = conn->query_len;
        conn_query_consumed(conn);
        return;
    }
    r->last_io_ms = link_now(r);
    bool alive = true;
    if (r->link == REPL_LINK_HANDSHAKE)
        alive = link_handshake_input(r, conn);
    if (alive && r->link == REPL_LINK_TRANSFER)
        alive = link_transfer_input(r, conn);
    if (alive && r->link == REPL_LINK_CONNECTED)
        link_stream_input(r, c);
    if (r->master == c)
        conn_query_consumed(conn);
}

/* ---- the tick ---- */

void repl_link_cron(struct repl *r)
{
    int64_t now = link_now(r);
    int64_t timeout_ms = r->config->repl_timeout * 1000;
    switch (r->link) {
    case REPL_LINK_NONE:
        break;
    case REPL_LINK_CONNECT:
        if (now - r->last_try_ms >= 1000 || r->last_try_ms == 0) {
            r->last_try_ms = now;
            link_connect(r);
        }
        break;
    case REPL_LINK_CONNECTING:
        link_poll_connect(r);
        break;
    case REPL_LINK_HANDSHAKE:
    case REPL_LINK_TRANSFER:
        if (now - r->last_io_ms > timeout_ms)
            link_lost(r, "Timeout receiving bulk data from MASTER... If the problem persists try "
                         "to set the 'repl-timeout' parameter in redis.conf to a larger value.");
        break;
    case REPL_LINK_CONNECTED:
        if (now - r->last_io_ms > timeout_ms) {
            link_lost(r, "MASTER timeout: no data nor PING received...");
            break;
        }
        if (now - r->last_ack_ms >= 1000)
            link_send_ack(r);
        break;
    }
}

/* ---- REPLICAOF ---- */

/* REPLICAOF is a configuration change too: CONFIG GET and CONFIG REWRITE
 * (Sentinel's failover) show it. The config is the server's, which lends
 * it read-only to the layers; this is its one runtime writer here. */
static void link_config_store(struct repl *r, const char *host, int port)
{
    struct config *cfg = (struct config *)r->config;
    if (cfg->replicaof_host == host)
        return; /* start-up: it came from there */
    alloc_free(cfg->replicaof_host);
    cfg->replicaof_host = host ? alloc_strdup(host) : NULL;
    cfg->replicaof_port = host ? port : 0;
}

void repl_set_master(struct repl *r, const char *host, int port)
{
    bool was_master = r->link == REPL_LINK_NONE;
    link_config_store(r, host, port);
    repl_link_reset(r);
    alloc_free(r->master_host);
    r->master_host = alloc_strdup(host);
    r->master_port = port;
    /* A master that becomes a replica offers its own history (psync2). */
    if (was_master)
        r->psync_known = true;
    r->link = REPL_LINK_CONNECT;
    r->last_try_ms = 0;
    r->link_down_since_ms = 0;
    /* WAIT clients cannot be served by a replica. */
    for (int i = 0; i < r->waiter_count; i++) {
        struct client *c = r->waiters[i].c;
        c->flags &= ~CLIENT_REPL_WAIT;
        reply_error(c, "-UNBLOCKED force unblock from blocking operation, instance state changed "
                       "(master -> replica?)");
        client_unblocked(c);
        r->cs->blocked_clients--;
    }
    r->waiter_count = 0;
    repl_update_flags(r);
    log_write(r->cs->log, LOGLEVEL_NOTICE, "Connecting to MASTER %s:%d", host, port);
}

void repl_unset_master(struct repl *r)
{
    if (r->link == REPL_LINK_NONE)
        return;
    link_config_store(r, NULL, 0);
    repl_link_reset(r);
    alloc_free(r->master_host);
    r->master_host = NULL;
    r->link = REPL_LINK_NONE;
    /* Our history so far stays reachable as replid2 (psync2). */
    memcpy(r->replid2, r->replid, sizeof(r->replid2));
    r->second_offset = r->offset + 1;
    repl_random_id(r->replid);
    log_write(r->cs->log, LOGLEVEL_NOTICE,
              "Setting secondary replication ID to %s, valid up to offset: %lld. New replication "
              "ID is %s",
              r->replid2, r->second_offset, r->replid);
    repl_disconnect_replicas(r);
    r->seldb = -1;
    r->no_replicas_since_ms = link_now(r);
    repl_update_flags(r);
    log_write(r->cs->log, LOGLEVEL_NOTICE, "MASTER MODE enabled");
}

const char *repl_link_state_name(const struct repl *r)
{
    switch (r->link) {
    case REPL_LINK_CONNECT:
        return "connect";
    case REPL_LINK_CONNECTING:
        return "connecting";
    case REPL_LINK_HANDSHAKE:
        return "handshake";
    case REPL_LINK_TRANSFER:
        return "sync";
    case REPL_LINK_CONNECTED:
        return "connected";
    default:
        return "unknown";
    }
}
