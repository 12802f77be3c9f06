/* repl.h: replication, both sides, as Redis 7.0 speaks it on the wire.
 *
 * Master side: a client that sends SYNC or PSYNC becomes a replica. A
 * full resync answers +FULLRESYNC <replid> <offset>, runs the BGSAVE child
 * (net/persist/rdb_save.c) and, once it ended, sends dbfilename as
 * "$<len>\r\n<bytes>", then the writes that came meanwhile, then the live
 * stream. The stream is what propagate.c gives the AOF (cs->repl_feed),
 * with SELECTs added here; every byte also goes to the backlog, a ring of
 * repl-backlog-size bytes that serves PSYNC <replid> <offset> with
 * +CONTINUE while the offset is still in it (replid2 too: psync2).
 *
 * Replica side: `replicaof` / REPLICAOF host port connects (non-blocking,
 * polled by the tick), sends the handshake (PING, AUTH, REPLCONF
 * listening-port and capa, PSYNC) and reads the replies, the RDB (length
 * or EOF-mark form) into a temp file that becomes dbfilename and is loaded,
 * then applies the stream through the master's client (CLIENT_MASTER),
 * whose replies are dropped. Its bytes are relayed as they are to our own
 * backlog and sub-replicas, never re-encoded.
 *
 * The hot path: propagate.c tests cs->repl_feeding (a backlog exists and
 * we are a master), dispatch tests cs->repl_replica and
 * min-replicas-to-write; nothing else runs while replication is idle. */
#ifndef RINGKV_NET_REPL_REPL_H
#define RINGKV_NET_REPL_REPL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/wire/buf.h"

struct client;
struct commands;
struct persist;
struct command;

#define REPL_ID_BYTES 40
/* Replicas one diskless transfer serves at most (its exit status says
 * which failed, a bit each); more wait for the next one. */
#define REPL_DISKLESS_FDS_MAX 7

enum repl_replica_state {
    REPL_REPLICA_HANDSHAKE = 0,       /* sent REPLCONF, no SYNC yet */
    REPL_REPLICA_WAIT_BGSAVE_START,   /* a full sync waits for the child slot */
    REPL_REPLICA_WAIT_BGSAVE_END,     /* the child writes the RDB; the stream is kept */
    REPL_REPLICA_ONLINE,              /* gets the stream */
};

/* One replica of ours (or a client that sent REPLCONF first). */
struct repl_replica {
    struct client *c;              /* borrowed; unlinked when it closes */
    enum repl_replica_state state;
    int listening_port;
    bool capa_eof, capa_psync2;
    bool old_sync;                 /* SYNC: no +FULLRESYNC line */
    long long ack_offset;          /* REPLCONF ACK */
    long long fack_offset;         /* REPLCONF ACK ... FACK (fsynced AOF offset) */
    int64_t ack_ms;                /* last ACK (lag) */
    struct buf pending;            /* the stream while the RDB is made */
    bool limit_deferred;           /* out_limit set once the RDB left */
    bool diskless;                 /* its RDB comes from the diskless child ... */
    int diskless_slot;             /* ... as its replica number diskless_slot */
    int64_t wait_start_ms;         /* since when it waits for a full sync */
};

/* A client in WAIT. */
struct repl_waiter {
    struct client *c;    /* borrowed */
    long long offset;    /* acknowledged at least this */
    long long replicas;  /* by this many */
    int64_t deadline_ms; /* 0: forever */
};

enum repl_link_state {
    REPL_LINK_NONE = 0,    /* not a replica */
    REPL_LINK_CONNECT,     /* must connect */
    REPL_LINK_CONNECTING,  /* connect() in progress */
    REPL_LINK_HANDSHAKE,   /* reading the handshake's replies */
    REPL_LINK_TRANSFER,    /* reading the RDB */
    REPL_LINK_CONNECTED,   /* applying the stream */
};

/* The handshake's replies, in the order they come. */
enum repl_reply_kind { REPL_REPLY_PING, REPL_REPLY_AUTH, REPL_REPLY_REPLCONF, REPL_REPLY_PSYNC };
#define REPL_HANDSHAKE_REPLIES 5
/* Applied offsets waiting for the AOF at most; more share the last slot
 * (which then waits for the later token: never too early). */
#define REPL_FACK_PENDING_MAX 256

struct repl {
    struct commands *cs;            /* borrowed */
    struct persist *persist;        /* borrowed */
    const struct config *config;    /* borrowed */
    int listen_port;                /* REPLCONF listening-port */

    char replid[REPL_ID_BYTES + 1];
    char replid2[REPL_ID_BYTES + 1];
    long long offset;               /* master_repl_offset */
    long long second_offset;        /* -1 */

    /* the backlog, a ring; NULL until the first replica (or link) */
    char *backlog;
    long long backlog_size;
    long long backlog_histlen;
    long long backlog_idx;          /* where the next byte goes */
    int64_t no_replicas_since_ms;   /* for repl-backlog-ttl */
    int seldb;                      /* db of the stream's last SELECT; -1: none yet */

    struct repl_replica *replicas;  /* owned array */
    int replica_count, replica_cap;
    int good_replicas;              /* online, lag <= min-replicas-max-lag */
    pid_t bgsave_pid;               /* the child our full syncs wait for; 0: none */
    pid_t diskless_pid;             /* the diskless sync child; 0: none */
    int64_t last_ping_ms;
    int64_t last_newline_ms;

    struct repl_waiter *waiters;    /* owned array */
    int waiter_count, waiter_cap;
    bool getack_pending;            /* a REPLCONF GETACK goes out before we sleep */

    /* replica side */
    enum repl_link_state link;
    char *master_host;              /* owned */
    int master_port;
    int connect_fd;                 /* while CONNECTING */
    int64_t connect_start_ms;
    int64_t link_down_since_ms;     /* 0: never up */
    int64_t last_io_ms;
    int64_t last_ack_ms;
    int64_t last_try_ms;
    struct client *master;          /* borrowed: the link's client */
    enum repl_reply_kind expect[REPL_HANDSHAKE_REPLIES];
    int expect_count, expect_pos;
    bool psync_known;               /* PSYNC replid offset+1 rather than ? -1 */
    bool ack_requested;             /* GETACK seen in the command being applied */
    int master_db;                  /* the db the last link had selected */
    /* FACK: the stream offset our AOF has fsynced. Applied offsets wait
     * here with where their records end in the AOF, oldest first, until an
     * fdatasync that succeeded covers them (aof_fsynced). Without an AOF
     * nothing is fsynced, so the FACK does not move. */
    struct repl_fack_pending {
        long long offset;
        uint64_t aof_epoch;
        uint64_t aof_offset;
    } *fack_pending;                /* owned array of REPL_FACK_PENDING_MAX */
    int fack_count;
    long long fack;                 /* fsynced so far */
    long long fack_sent;            /* in the last ACK */
    /* the transfer */
    int rdb_fd;
    char rdb_tmp[64];
    bool eof_mode;
    char eof_mark[REPL_ID_BYTES];
    long long transfer_size;        /* -1 with the EOF mark */
    long long transfer_read;
    char sync_replid[REPL_ID_BYTES + 1];
    long long sync_offset;

    long long stat_sync_full, stat_sync_partial_ok, stat_sync_partial_err;
};

/* Sets up r and installs its hooks and commands in cs. listen_port is what
 * a replica announces. */
void repl_init(struct repl *r, struct commands *cs, struct persist *p, int listen_port);
void repl_free(struct repl *r);
/* Once the dataset is loaded: connects to `replicaof` from the config. */
void repl_start(struct repl *r);
/* From the tick: connects, acknowledges, pings replicas, sends RDBs,
 * times out WAIT, drops the backlog after its ttl. */
void repl_cron(struct repl *r);
/* Before the loop sleeps: the GETACK WAIT asked for. */
void repl_before_sleep(struct repl *r);
/* INFO's replication section. */
void repl_info(struct repl *r, struct buf *b);
/* DEBUG change-repl-id. */
void repl_change_replid(struct repl *r);
/* Connections that are replicas of ours (INFO's connected_clients leaves
 * them out, as Redis does). */
int repl_replicas_connected(const struct repl *r);
/* For WAITAOF (also reachable from net/commands as cs->repl_acked_count):
 * how many online replicas acknowledged offset (fsynced: their FACK, else
 * their ACK) or more. A Redis 7.0 replica sends no FACK: 0 for it. */
int repl_replicas_acked(const struct repl *r, long long offset, bool fsynced);

#endif
