/* replication_test.c: black-box tests of replication between real
 * processes on loopback ports: the server under test as a replica of
 * redis-server 7.0 and of itself, redis-server 7.0 as a replica of the
 * server under test, every data type and expiries arriving (compared with
 * DEBUG DIGEST-VALUE and PTTL; not HyperLogLogs, which ringkv lacks), the link cut from either side and resumed
 * with +CONTINUE (INFO's sync_partial_ok), READONLY and MASTERDOWN, WAIT,
 * min-replicas-to-write, REPLICAOF NO ONE and another replica's partial
 * resync with the promoted one (psync2), and the shape of INFO
 * replication and ROLE.
 *
 * Run with RINGKV_SERVER=/usr/bin/redis-server every process is Redis, which
 * is how the expectations were checked. The "other" side of the mixed
 * tests is always /usr/bin/redis-server. */
#include "tests/blackbox/harness.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REDIS_BINARY "/usr/bin/redis-server"

static const char *const master_args[] = {"--enable-debug-command", "yes",
                                          "--repl-diskless-sync-delay", "0", NULL};

/* A server of binary in a fresh directory, with the master's options
 * plus, when master_port is not 0, --replicaof 127.0.0.1 master_port. */
static struct server_handle *start_node_in(const char *binary, const char *dir, int master_port,
                                          const char *const *extra)
{
    char port[16];
    snprintf(port, sizeof(port), "127.0.0.1 %d", master_port);
    const char *args[16];
    int n = 0;
    for (int i = 0; master_args[i]; i++)
        args[n++] = master_args[i];
    if (master_port) {
        args[n++] = "--replicaof";
        args[n++] = port;
    }
    for (int i = 0; extra && extra[i]; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    return server_start_in(binary, dir, args);
}

static struct server_handle *start_node_with(const char *binary, int master_port,
                                            const char *const *extra)
{
    char dir[512];
    harness_make_dir(dir, sizeof(dir));
    return start_node_in(binary, dir, master_port, extra);
}

/* SHUTDOWN SAVE on h, then the same binary again in its directory (the
 * RDB keeps the replication id and offset), as a replica of master_port
 * when not 0. The new handle replaces *h; its port may differ. */
static void restart_saved(struct server_handle **h, struct conn **c, int master_port)
{
    char dir[256];
    snprintf(dir, sizeof(dir), "%s", (*h)->dir);
    /* Redis 7.0.15 waits for its replicas first (shutdown-timeout), and
     * its SHUTDOWN can crash when that wait times out: no wait here. */
    ck_cmd(*c, "CONFIG SET shutdown-timeout 0", "+OK\r\n");
    conn_send(*c, "SHUTDOWN SAVE");
    ck_assert(conn_wait_closed(*c, 10000));
    conn_close(*c);
    server_wait_exit(*h, 10000);
    server_stop(*h);
    *h = start_node_in(server_binary(), dir, master_port, NULL);
    *c = conn_open((*h)->port);
}

static struct server_handle *start_node(const char *binary, int master_port)
{
    return start_node_with(binary, master_port, NULL);
}

/* The value of field in INFO <section> on c, owned; "" when absent. */
static char *info_field(struct conn *c, const char *section, const char *field)
{
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "INFO %s", section);
    char *info = conn_cmd(c, cmd);
    char key[128];
    snprintf(key, sizeof(key), "\n%s:", field);
    char *at = strstr(info, key);
    char *out;
    if (!at) {
        out = strdup("");
    } else {
        at += strlen(key);
        size_t len = strcspn(at, "\r\n");
        out = strndup(at, len);
    }
    free(info);
    return out;
}

/* Polls until INFO's field on c has the value want (10 s at most). */
static void wait_field(struct conn *c, const char *section, const char *field, const char *want)
{
    char *got = NULL;
    for (int i = 0; i < 500; i++) {
        free(got);
        got = info_field(c, section, field);
        if (strcmp(got, want) == 0)
            break;
        harness_sleep_ms(20);
    }
    ck_assert_msg(strcmp(got, want) == 0, "%s: expected %s got %s", field, want, got);
    free(got);
}

/* A replica of m (ringkv), connected to as *rc once its link is up. */
static struct server_handle *start_linked_replica(struct server_handle *m, struct conn **rc)
{
    struct server_handle *r = start_node(server_binary(), m->port);
    *rc = conn_open(r->port);
    wait_field(*rc, "replication", "master_link_status", "up");
    return r;
}

/* The master's writes reached every replica: WAIT n until it says so. */
static void wait_replicas(struct conn *master, int n)
{
    char want[16], cmd[32];
    snprintf(want, sizeof(want), ":%d\r\n", n);
    snprintf(cmd, sizeof(cmd), "WAIT %d 100", n);
    ck_cmd_eventually(master, cmd, want);
}

/* Writes one key of every type ringkv stores (small and large encodings),
 * some with a time to live, in db 0 and db 3, prefixed with p. */
static void write_dataset(struct conn *c, const char *p)
{
    char line[512];
#define W(...)                                                                                     \
    do {                                                                                           \
        snprintf(line, sizeof(line), __VA_ARGS__);                                                 \
        free(conn_cmd(c, line));                                                                   \
    } while (0)
    W("SELECT 0");
    W("SET %s:str hello", p);
    W("SET %s:int 12345", p);
    W("SET %s:ttl v PX 500000", p);
    W("RPUSH %s:list a b c 1 2 3", p);
    W("HSET %s:hash f1 v1 f2 v2", p);
    W("SADD %s:set x y z", p);
    W("SADD %s:intset 1 2 3", p);
    W("ZADD %s:zset 1 a 2.5 b 3 c", p);
    W("HSET %s:hashttl f v", p);
    W("PEXPIRE %s:hashttl 400000", p);
    for (int i = 0; i < 300; i++) {
        W("RPUSH %s:biglist item-%d", p, i);
        W("HSET %s:bighash field-%d value-%d", p, i, i);
        W("SADD %s:bigset member-%d", p, i);
        W("ZADD %s:bigzset %d m-%d", p, i, i);
    }
    W("SELECT 3");
    W("SET %s:db3 three", p);
    W("SELECT 0");
#undef W
}

static const char *const dataset_keys[] = {"str",    "int",     "ttl",    "list",   "hash",
                                           "set",    "intset",  "zset",   "hashttl",
                                           "biglist", "bighash", "bigset", "bigzset", NULL};

/* Every key of write_dataset(p) is the same on both, and the expiries came. */
static void ck_same_dataset(struct conn *master, struct conn *replica, const char *p)
{
    char line[256];
    for (int i = 0; dataset_keys[i]; i++) {
        snprintf(line, sizeof(line), "DEBUG DIGEST-VALUE %s:%s", p, dataset_keys[i]);
        char *a = conn_cmd(master, line);
        char *b = conn_cmd(replica, line);
        ck_assert_msg(strcmp(a, b) == 0, "%s: master %s replica %s", line, harness_escape(a),
                      harness_escape(b));
        ck_assert_msg(strstr(a, "0000000000000000000000000000000000000000") == NULL,
                      "%s: missing on the master", line);
        free(a);
        free(b);
    }
    snprintf(line, sizeof(line), "PTTL %s:ttl", p);
    char *ttl = conn_cmd(replica, line);
    ck_assert_msg(ttl[0] == ':' && atoll(ttl + 1) > 400000, "PTTL on the replica: %s",
                  harness_escape(ttl));
    free(ttl);
    snprintf(line, sizeof(line), "PTTL %s:hashttl", p);
    ttl = conn_cmd(replica, line);
    ck_assert_msg(ttl[0] == ':' && atoll(ttl + 1) > 300000, "PTTL on the replica: %s",
                  harness_escape(ttl));
    free(ttl);
    free(conn_cmd(replica, "SELECT 3"));
    snprintf(line, sizeof(line), "GET %s:db3", p);
    ck_cmd(replica, line, "$5\r\nthree\r\n");
    free(conn_cmd(replica, "SELECT 0"));
}

/* A master of master_binary, a replica of replica_binary: a dataset
 * before the sync (the RDB) and one after (the stream) arrive whole. */
static void run_pair_with2(const char *master_binary, const char *replica_binary,
                           const char *const *master_extra, const char *const *replica_extra)
{
    struct server_handle *m = start_node_with(master_binary, 0, master_extra);
    struct conn *mc = conn_open(m->port);
    write_dataset(mc, "rdb");
    struct server_handle *r = start_node_with(replica_binary, m->port, replica_extra);
    struct conn *rc = conn_open(r->port);
    wait_field(rc, "replication", "master_link_status", "up");
    write_dataset(mc, "stream");
    /* A transaction arrives as one. */
    free(conn_cmd(mc, "MULTI"));
    free(conn_cmd(mc, "INCR counter"));
    free(conn_cmd(mc, "INCR counter"));
    ck_cmd(mc, "EXEC", "*2\r\n:1\r\n:2\r\n");
    wait_replicas(mc, 1);
    ck_same_dataset(mc, rc, "rdb");
    ck_same_dataset(mc, rc, "stream");
    ck_cmd(rc, "GET counter", "$1\r\n2\r\n");
    /* Redis refuses SIGTERM while its AOF's first rewrite runs. */
    wait_field(rc, "persistence", "aof_rewrite_in_progress", "0");
    /* Offsets agree once the replica applied everything. */
    char *mo = info_field(mc, "replication", "master_repl_offset");
    wait_field(rc, "replication", "master_repl_offset", mo);
    char *ro = info_field(rc, "replication", "master_repl_offset");
    ck_assert_str_eq(mo, ro);
    free(mo);
    free(ro);
    conn_close(rc);
    conn_close(mc);
    server_stop(r);
    server_stop(m);
}

static void run_pair_with(const char *master_binary, const char *replica_binary,
                          const char *const *master_extra)
{
    run_pair_with2(master_binary, replica_binary, master_extra, NULL);
}

static void run_pair(const char *master_binary, const char *replica_binary)
{
    run_pair_with(master_binary, replica_binary, NULL);
}

/* The RDB written to disk and sent with its length ("$<len>"), rather
 * than streamed with the EOF mark. */
static const char *const disk_sync[] = {"--repl-diskless-sync", "no", NULL};

START_TEST(test_replica_of_redis)
{
    run_pair(REDIS_BINARY, server_binary());
}
END_TEST

START_TEST(test_redis_replica_of_us)
{
    run_pair(server_binary(), REDIS_BINARY);
}
END_TEST

START_TEST(test_replica_of_self)
{
    run_pair(server_binary(), server_binary());
}
END_TEST

START_TEST(test_replica_of_redis_disk)
{
    run_pair_with(REDIS_BINARY, server_binary(), disk_sync);
}
END_TEST

START_TEST(test_redis_replica_of_us_disk)
{
    run_pair_with(server_binary(), REDIS_BINARY, disk_sync);
}
END_TEST

/* A replica writing its own AOF under always: the stream's commands are
 * logged (their replies, held for the AOF, are dropped) and the AOF is
 * rewritten after the full sync. */
static const char *const aof_always[] = {"--appendonly", "yes", "--appendfsync", "always", NULL};

START_TEST(test_replica_with_aof)
{
    run_pair_with2(server_binary(), server_binary(), NULL, aof_always);
}
END_TEST

START_TEST(test_replica_of_self_disk)
{
    run_pair_with(server_binary(), server_binary(), disk_sync);
}
END_TEST

/* The link cut from the replica's side (CLIENT KILL TYPE master) and from
 * the master's (CLIENT KILL TYPE replica): each time the replica comes
 * back with a partial resync, and the writes made meanwhile arrive. */
START_TEST(test_link_cut_partial_resync)
{
    struct server_handle *m = start_node(server_binary(), 0);
    struct conn *mc = conn_open(m->port);
    free(conn_cmd(mc, "SET before 1"));
    struct conn *rc;
    struct server_handle *r = start_linked_replica(m, &rc);
    wait_replicas(mc, 1);
    /* The stream selected db 5 before the cut and goes on there after it
     * without a new SELECT. */
    free(conn_cmd(mc, "SELECT 5"));
    free(conn_cmd(mc, "SET in5 a"));
    wait_replicas(mc, 1);
    ck_cmd(rc, "CLIENT KILL TYPE master", ":1\r\n");
    free(conn_cmd(mc, "SET during5 b"));
    free(conn_cmd(mc, "SELECT 0"));
    free(conn_cmd(mc, "SET during 2"));
    wait_field(mc, "stats", "sync_partial_ok", "1");
    wait_replicas(mc, 1);
    ck_cmd(rc, "GET during", "$1\r\n2\r\n");
    free(conn_cmd(rc, "SELECT 5"));
    ck_cmd(rc, "GET during5", "$1\r\nb\r\n");
    free(conn_cmd(rc, "SELECT 0"));
    ck_cmd(rc, "GET during5", "$-1\r\n");
    ck_cmd(mc, "CLIENT KILL TYPE replica", ":1\r\n");
    free(conn_cmd(mc, "SET again 3"));
    wait_field(mc, "stats", "sync_partial_ok", "2");
    wait_replicas(mc, 1);
    ck_cmd(rc, "GET again", "$1\r\n3\r\n");
    char *full = info_field(mc, "stats", "sync_full");
    ck_assert_str_eq(full, "1");
    free(full);
    conn_close(rc);
    conn_close(mc);
    server_stop(r);
    server_stop(m);
}
END_TEST

/* A replica restarted from its RDB resumes with +CONTINUE; so does one
 * whose master restarted from its RDB (the master keeps the old history
 * as replid2), as Redis 7.0 does without an AOF. */
START_TEST(test_restart_partial_resync)
{
    struct server_handle *m = start_node(server_binary(), 0);
    struct conn *mc = conn_open(m->port);
    struct conn *rc;
    struct server_handle *r = start_linked_replica(m, &rc);
    free(conn_cmd(mc, "SELECT 4"));
    free(conn_cmd(mc, "SET a 1"));
    wait_replicas(mc, 1);
    restart_saved(&r, &rc, m->port);
    free(conn_cmd(mc, "SET b 2")); /* in db 4, no SELECT needed */
    wait_field(mc, "stats", "sync_partial_ok", "1");
    wait_replicas(mc, 1);
    free(conn_cmd(rc, "SELECT 4"));
    ck_cmd(rc, "GET b", "$1\r\n2\r\n");
    char *full = info_field(mc, "stats", "sync_full");
    ck_assert_str_eq(full, "1");
    free(full);
    /* Now the master. */
    char *id = info_field(mc, "replication", "master_replid");
    restart_saved(&m, &mc, 0);
    char *id2 = info_field(mc, "replication", "master_replid2");
    ck_assert_str_eq(id2, id);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "REPLICAOF 127.0.0.1 %d", m->port);
    ck_cmd(rc, cmd, "+OK\r\n");
    wait_field(mc, "stats", "sync_partial_ok", "1");
    free(conn_cmd(mc, "SELECT 4"));
    free(conn_cmd(mc, "SET c 3"));
    wait_replicas(mc, 1);
    ck_cmd(rc, "GET c", "$1\r\n3\r\n");
    ck_cmd(rc, "GET a", "$1\r\n1\r\n");
    full = info_field(mc, "stats", "sync_full");
    ck_assert_str_eq(full, "0");
    free(full);
    free(id);
    free(id2);
    /* Redis 7.0.15 waits for its replicas on SIGTERM (shutdown-timeout)
     * and can crash doing so here: the oracle run must not wait. */
    ck_cmd(mc, "CONFIG SET shutdown-timeout 0", "+OK\r\n");
    conn_close(rc);
    conn_close(mc);
    server_stop(r);
    server_stop(m);
}
END_TEST

/* A chain A -> B -> C: B relays A's stream as it is, and C, synced from B
 * while the stream is in db 6, goes on in db 6 (the RDB's repl-stream-db)
 * though no SELECT comes; for both sync forms. */
static void run_chain(const char *const *extra)
{
    struct server_handle *a = start_node_with(server_binary(), 0, extra);
    struct conn *ac = conn_open(a->port);
    struct server_handle *b = start_node_with(server_binary(), a->port, extra);
    struct conn *bc = conn_open(b->port);
    wait_field(bc, "replication", "master_link_status", "up");
    free(conn_cmd(ac, "SELECT 6"));
    free(conn_cmd(ac, "SET one 1"));
    wait_replicas(ac, 1);
    struct server_handle *c = start_node_with(server_binary(), b->port, extra);
    struct conn *cc = conn_open(c->port);
    wait_field(cc, "replication", "master_link_status", "up");
    free(conn_cmd(ac, "SET two 2"));
    wait_replicas(ac, 1);
    free(conn_cmd(cc, "SELECT 6"));
    ck_cmd_eventually(cc, "GET two", "$1\r\n2\r\n");
    ck_cmd(cc, "GET one", "$1\r\n1\r\n");
    /* The offsets agree once C acknowledged everything B relayed. */
    char *ao = info_field(ac, "replication", "master_repl_offset");
    wait_field(bc, "replication", "master_repl_offset", ao);
    wait_field(cc, "replication", "master_repl_offset", ao);
    char *co = info_field(cc, "replication", "master_repl_offset");
    char *aid = info_field(ac, "replication", "master_replid");
    char *cid = info_field(cc, "replication", "master_replid");
    ck_assert_str_eq(aid, cid);
    free(ao);
    free(co);
    free(aid);
    free(cid);
    conn_close(cc);
    conn_close(bc);
    conn_close(ac);
    server_stop(c);
    server_stop(b);
    server_stop(a);
}

START_TEST(test_chained_replicas)
{
    run_chain(NULL);
    run_chain(disk_sync);
}
END_TEST

/* Writes are refused on a read-only replica; reads are refused once the
 * link is down with replica-serve-stale-data no, INFO still answers. */
START_TEST(test_readonly_and_masterdown)
{
    struct server_handle *m = start_node(server_binary(), 0);
    struct conn *mc = conn_open(m->port);
    struct conn *rc;
    struct server_handle *r = start_linked_replica(m, &rc);
    ck_cmd(rc, "SET k v", "-READONLY You can't write against a read only replica.\r\n");
    ck_cmd(rc, "GET k", "$-1\r\n");
    ck_cmd(rc, "CONFIG SET replica-read-only no", "+OK\r\n");
    ck_cmd(rc, "SET local v", "+OK\r\n");
    ck_cmd(rc, "CONFIG SET replica-serve-stale-data no", "+OK\r\n");
    conn_close(mc);
    server_stop(m);
    wait_field(rc, "replication", "master_link_status", "down");
    ck_cmd(rc, "GET k",
           "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n");
    ck_cmd(rc, "PING",
           "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n");
    char *role = info_field(rc, "replication", "role");
    ck_assert_str_eq(role, "slave");
    free(role);
    conn_close(rc);
    server_stop(r);
}
END_TEST

START_TEST(test_wait_and_min_replicas)
{
    struct server_handle *m = start_node(server_binary(), 0);
    struct conn *mc = conn_open(m->port);
    ck_cmd(mc, "WAIT 0 0", ":0\r\n");
    ck_cmd(mc, "WAIT 1 50", ":0\r\n");
    ck_cmd(mc, "WAIT x 0", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(mc, "WAIT 1 -1", "-ERR timeout is negative\r\n");
    ck_cmd(mc, "CONFIG SET min-replicas-to-write 1", "+OK\r\n");
    ck_cmd(mc, "SET k v", "-NOREPLICAS Not enough good replicas to write.\r\n");
    ck_cmd(mc, "GET k", "$-1\r\n");
    struct conn *rc;
    struct server_handle *r = start_linked_replica(m, &rc);
    ck_cmd_eventually(mc, "SET k v", "+OK\r\n");
    ck_cmd(mc, "WAIT 1 0", ":1\r\n");
    /* Two replicas cannot answer: the timeout returns the one that did.
     * Meanwhile the waiting client counts as blocked. */
    struct conn *w = conn_open(m->port);
    conn_send(w, "WAIT 2 1500");
    wait_field(mc, "clients", "blocked_clients", "1");
    char *got = conn_read_raw(w);
    ck_assert_str_eq(got, ":1\r\n");
    free(got);
    wait_field(mc, "clients", "blocked_clients", "0");
    conn_close(w);
    ck_cmd(rc, "WAIT 1 0",
           "-ERR WAIT cannot be used with replica instances. Please also note that since Redis "
           "4.0 if a replica is configured to be writable (which is not the default) writes to "
           "replicas are just local and are not propagated.\r\n");
    ck_cmd(mc, "CONFIG SET min-replicas-to-write 0", "+OK\r\n");
    conn_close(rc);
    conn_close(mc);
    server_stop(r);
    server_stop(m);
}
END_TEST

/* WAITAOF (Redis 7.2's verb; redis-server 7.0 lacks it, and the case then
 * checks nothing) counts a replica once its ACK's FACK, the offset its AOF
 * made durable, covers the client's last write; more replicas than exist
 * time out with the count that did. */
START_TEST(test_waitaof_counts_replicas)
{
    struct server_handle *m = start_node_with(server_binary(), 0, aof_always);
    struct conn *mc = conn_open(m->port);
    char *info = conn_cmd(mc, "COMMAND INFO waitaof");
    bool has_waitaof = strcmp(info, "*1\r\n$-1\r\n") != 0; /* nil: no such command */
    free(info);
    if (has_waitaof) {
        struct server_handle *r = start_node_with(server_binary(), m->port, aof_always);
        struct conn *rc = conn_open(r->port);
        wait_field(rc, "replication", "master_link_status", "up");
        wait_replicas(mc, 1);
        ck_cmd(mc, "SET k v", "+OK\r\n");
        ck_cmd(mc, "WAITAOF 1 1 5000", "*2\r\n:1\r\n:1\r\n");
        ck_cmd(mc, "SET k v2", "+OK\r\n");
        ck_cmd(mc, "WAITAOF 0 2 300", "*2\r\n:1\r\n:1\r\n");
        ck_cmd(rc, "WAITAOF 0 0 0",
               "-ERR WAITAOF cannot be used with replica instances. Please also note that writes "
               "to replicas are just local and are not propagated.\r\n");
        /* A replica without an AOF fsyncs nothing and is never counted; one
         * under everysec is, once its next fsync has run. */
        static const char *const no_aof[] = {"--appendonly", "no", NULL};
        static const char *const aof_everysec[] = {"--appendonly", "yes", "--appendfsync",
                                                   "everysec", NULL};
        struct server_handle *r2 = start_node_with(server_binary(), m->port, no_aof);
        struct conn *r2c = conn_open(r2->port);
        wait_field(r2c, "replication", "master_link_status", "up");
        wait_replicas(mc, 2);
        ck_cmd(mc, "SET k v3", "+OK\r\n");
        ck_cmd(mc, "WAIT 2 5000", ":2\r\n");
        ck_cmd(mc, "WAITAOF 0 2 1500", "*2\r\n:1\r\n:1\r\n");
        conn_close(r2c);
        server_stop(r2);
        struct server_handle *r3 = start_node_with(server_binary(), m->port, aof_everysec);
        struct conn *r3c = conn_open(r3->port);
        wait_field(r3c, "replication", "master_link_status", "up");
        ck_cmd(mc, "SET k v4", "+OK\r\n");
        ck_cmd(mc, "WAITAOF 0 2 10000", "*2\r\n:1\r\n:2\r\n");
        conn_close(r3c);
        server_stop(r3);
        conn_close(rc);
        server_stop(r);
    }
    conn_close(mc);
    server_stop(m);
}
END_TEST

/* A replica leaves expiry to its master: a key past its TTL reads as
 * missing there but stays stored (DBSIZE counts it, expired_keys does not)
 * until the master's DEL arrives, as Redis 7.0's replicas do. Otherwise
 * the master's next command on the key could meet different data. */
START_TEST(test_replica_leaves_expiry_to_master)
{
    struct server_handle *m = start_node(server_binary(), 0);
    struct conn *mc = conn_open(m->port);
    ck_cmd(mc, "DEBUG SET-ACTIVE-EXPIRE 0", "+OK\r\n");
    struct conn *rc;
    struct server_handle *r = start_linked_replica(m, &rc);
    ck_cmd(mc, "SET k v PX 100", "+OK\r\n");
    ck_cmd(mc, "WAIT 1 5000", ":1\r\n");
    harness_sleep_ms(300);
    ck_cmd(rc, "GET k", "$-1\r\n");
    ck_cmd(rc, "EXISTS k", ":0\r\n");
    ck_cmd(rc, "DBSIZE", ":1\r\n");
    char *expired = info_field(rc, "stats", "expired_keys");
    ck_assert_str_eq(expired, "0");
    free(expired);
    /* The master expires it on access and sends the DEL. */
    ck_cmd(mc, "GET k", "$-1\r\n");
    ck_cmd(mc, "WAIT 1 5000", ":1\r\n");
    ck_cmd_eventually(rc, "DBSIZE", ":0\r\n");
    conn_close(rc);
    conn_close(mc);
    server_stop(r);
    server_stop(m);
}
END_TEST

/* The RDB a replica receives replaces its dbfilename as every replaced
 * file must: fsynced before the rename (a failing fsync cancels the sync,
 * which is tried again), the directory fsynced after it (a power cut then
 * keeps the new file). Needs ringkv's fsfault shim. */
START_TEST(test_replica_rdb_replaced_durably)
{
    if (server_is_redis() || !fsfault_available()) {
        fprintf(stderr, "replication_test: the durable replace needs ringkv and the fsfault shim\n");
        return;
    }
    struct server_handle *m = start_node(server_binary(), 0);
    struct conn *mc = conn_open(m->port);
    ck_cmd(mc, "SET k v", "+OK\r\n");
    struct fsfault f;
    fsfault_init(&f);
    fsfault_arm(&f, "fsync EIO temp-");
    char dir[512], master[32];
    harness_make_dir(dir, sizeof(dir));
    snprintf(master, sizeof(master), "127.0.0.1 %d", m->port);
    const char *args[] = {"--replicaof", master, NULL};
    struct server_handle *r = server_start_in_env(server_binary(), dir, args, f.env);
    struct conn *rc = conn_open(r->port);
    harness_sleep_ms(1500);
    char *link = info_field(rc, "replication", "master_link_status");
    ck_assert_str_eq(link, "down");
    free(link);
    ck_cmd(rc, "DBSIZE", ":0\r\n");
    char path[600];
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);
    ck_assert_int_ne(access(path, F_OK), 0);
    fsfault_arm(&f, "");
    wait_field(rc, "replication", "master_link_status", "up");
    ck_cmd(rc, "GET k", "$1\r\nv\r\n");
    conn_close(rc);
    server_kill(r, SIGKILL);
    fsfault_power_cut(&f);
    ck_assert_int_eq(access(path, F_OK), 0);
    conn_close(mc);
    server_stop(m);
}
END_TEST

/* A chain of three: B promoted with REPLICAOF NO ONE keeps A's history as
 * replid2, so C, moved to B, resyncs partially (psync2). */
START_TEST(test_promote_psync2)
{
    struct server_handle *a = start_node(server_binary(), 0);
    struct conn *ac = conn_open(a->port);
    free(conn_cmd(ac, "SET x 1"));
    struct server_handle *b = start_node(server_binary(), a->port);
    struct server_handle *c = start_node(server_binary(), a->port);
    struct conn *bc = conn_open(b->port);
    struct conn *cc = conn_open(c->port);
    wait_field(bc, "replication", "master_link_status", "up");
    wait_field(cc, "replication", "master_link_status", "up");
    free(conn_cmd(ac, "SET y 2"));
    wait_replicas(ac, 2);
    char *old_id = info_field(bc, "replication", "master_replid");
    ck_cmd(bc, "REPLICAOF NO ONE", "+OK\r\n");
    char *id2 = info_field(bc, "replication", "master_replid2");
    ck_assert_str_eq(id2, old_id);
    char *role = info_field(bc, "replication", "role");
    ck_assert_str_eq(role, "master");
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "REPLICAOF 127.0.0.1 %d", b->port);
    ck_cmd(cc, cmd, "+OK\r\n");
    ck_cmd(cc, cmd, "+OK Already connected to specified master\r\n");
    wait_field(bc, "stats", "sync_partial_ok", "1");
    char *full = info_field(bc, "stats", "sync_full");
    ck_assert_str_eq(full, "0");
    ck_cmd(bc, "SET z 3", "+OK\r\n");
    wait_replicas(bc, 1);
    ck_cmd(cc, "GET z", "$1\r\n3\r\n");
    ck_cmd(cc, "GET y", "$1\r\n2\r\n");
    free(old_id);
    free(id2);
    free(role);
    free(full);
    conn_close(cc);
    conn_close(bc);
    conn_close(ac);
    server_stop(c);
    server_stop(b);
    server_stop(a);
}
END_TEST

/* The field names of INFO replication, in order, for a text. */
static char *field_names(const char *info)
{
    char *out = calloc(1, strlen(info) + 1);
    const char *p = info;
    while ((p = strstr(p, "\r\n")) != NULL) {
        p += 2;
        size_t len = strcspn(p, ":\r");
        if (p[len] != ':')
            continue;
        strncat(out, p, len);
        strcat(out, ",");
    }
    return out;
}

/* INFO replication's fields and ROLE's shape, for both roles. */
START_TEST(test_info_and_role_shape)
{
    struct server_handle *m = start_node(server_binary(), 0);
    struct conn *mc = conn_open(m->port);
    struct conn *rc;
    struct server_handle *r = start_linked_replica(m, &rc);
    wait_replicas(mc, 1);
    char *info = conn_cmd(mc, "INFO replication");
    char *names = field_names(info);
    ck_assert_str_eq(names, "role,connected_slaves,slave0,master_failover_state,master_replid,"
                            "master_replid2,master_repl_offset,second_repl_offset,"
                            "repl_backlog_active,repl_backlog_size,"
                            "repl_backlog_first_byte_offset,repl_backlog_histlen,");
    char line[128];
    snprintf(line, sizeof(line), "slave0:ip=127.0.0.1,port=%d,state=online,offset=", r->port);
    ck_assert_msg(strstr(info, line) != NULL, "%s", info);
    free(names);
    free(info);
    info = conn_cmd(rc, "INFO replication");
    names = field_names(info);
    ck_assert_str_eq(names, "role,master_host,master_port,master_link_status,"
                            "master_last_io_seconds_ago,master_sync_in_progress,"
                            "slave_read_repl_offset,slave_repl_offset,slave_priority,"
                            "slave_read_only,replica_announced,connected_slaves,"
                            "master_failover_state,master_replid,master_replid2,"
                            "master_repl_offset,second_repl_offset,repl_backlog_active,"
                            "repl_backlog_size,repl_backlog_first_byte_offset,"
                            "repl_backlog_histlen,");
    free(names);
    free(info);
    char *off = info_field(rc, "replication", "slave_repl_offset");
    char want[256];
    snprintf(want, sizeof(want), "*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:%d\r\n$9\r\nconnected\r\n:%s\r\n",
             m->port, off);
    ck_cmd(rc, "ROLE", want);
    free(off);
    char *role = conn_cmd(mc, "ROLE");
    ck_assert_msg(strncmp(role, "*3\r\n$6\r\nmaster\r\n:", 17) == 0, "%s", harness_escape(role));
    snprintf(line, sizeof(line), "*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$%d\r\n%d\r\n",
             (int)snprintf(NULL, 0, "%d", r->port), r->port);
    ck_assert_msg(strstr(role, line) != NULL, "%s", harness_escape(role));
    free(role);
    char *list = conn_cmd(mc, "CLIENT LIST TYPE replica");
    ck_assert_msg(strstr(list, " flags=S ") != NULL, "%s", list);
    free(list);
    list = conn_cmd(rc, "CLIENT LIST TYPE master");
    ck_assert_msg(strstr(list, " flags=M ") != NULL, "%s", list);
    free(list);
    ck_cmd(mc, "REPLCONF foo bar", "-ERR Unrecognized REPLCONF option: foo\r\n");
    ck_cmd(mc, "REPLCONF foo", "-ERR syntax error\r\n");
    ck_cmd(mc, "REPLICAOF 127.0.0.1 abc", "-ERR Invalid master port\r\n");
    ck_cmd(mc, "REPLICAOF NO ONE", "+OK\r\n");
    conn_close(rc);
    conn_close(mc);
    server_stop(r);
    server_stop(m);
}
END_TEST

/* ---- a fake master: the test plays it on a raw socket ---- */

static int fake_listen(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(fd, 4), 0);
    socklen_t len = sizeof(sa);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    *port = ntohs(sa.sin_port);
    return fd;
}

static int fake_accept(int lfd)
{
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    ck_assert_msg(poll(&p, 1, 10000) == 1, "the replica never connected");
    int fd = accept(lfd, NULL, NULL);
    ck_assert_int_ge(fd, 0);
    return fd;
}

/* Reads exactly strlen(want) bytes (10 s at most) and compares them. */
static void fake_expect(int fd, const char *want)
{
    size_t len = strlen(want), got = 0;
    char buf[512];
    ck_assert(len < sizeof(buf));
    while (got < len) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ck_assert_msg(poll(&p, 1, 10000) == 1, "timeout waiting for %s", harness_escape(want));
        ssize_t n = read(fd, buf + got, len - got);
        ck_assert_msg(n > 0, "closed waiting for %s", harness_escape(want));
        got += (size_t)n;
    }
    buf[got] = '\0';
    ck_assert_msg(strcmp(buf, want) == 0, "expected %s got %s", harness_escape(want),
                  harness_escape(buf));
}

static void fake_send(int fd, const void *p, size_t len)
{
    ck_assert_int_eq(write(fd, p, len), (ssize_t)len);
}

/* Reads what the replica sends until needle has been seen (10 s). */
static void fake_wait_for(int fd, const char *needle)
{
    static char seen[65536];
    size_t len = 0;
    for (int i = 0; i < 100; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) == 1) {
            ssize_t n = read(fd, seen + len, sizeof(seen) - 1 - len);
            ck_assert_msg(n > 0, "closed waiting for %s", harness_escape(needle));
            len += (size_t)n;
            seen[len] = '\0';
            if (strstr(seen, needle))
                return;
            if (len > sizeof(seen) / 2) { /* keep the tail */
                memmove(seen, seen + len - 256, 256);
                len = 256;
            }
        }
    }
    ck_abort_msg("never saw %s in %s", harness_escape(needle), harness_escape(seen));
}

/* The replica side on the wire, byte for byte: the handshake Redis 7.0
 * sends, a full resync with an empty RDB, the stream applied, GETACK
 * answered with the offset before it; ringkv's ACK also carries FACK, the
 * offset its AOF (appendfsync always) made durable. */
START_TEST(test_replica_handshake_on_the_wire)
{
    int port;
    int lfd = fake_listen(&port);
    char dir[512];
    harness_make_dir(dir, sizeof(dir));
    char master[32];
    snprintf(master, sizeof(master), "127.0.0.1 %d", port);
    const char *args[] = {"--replicaof", master, "--appendonly", "yes", "--appendfsync", "always",
                          NULL};
    struct server_handle *r = server_start_in(server_binary(), dir, args);
    int fd = fake_accept(lfd);
    fake_expect(fd, "*1\r\n$4\r\nPING\r\n");
    fake_send(fd, "+PONG\r\n", 7);
    char lp[128];
    char rport[16];
    snprintf(rport, sizeof(rport), "%d", r->port);
    snprintf(lp, sizeof(lp), "*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$%zu\r\n%s\r\n",
             strlen(rport), rport);
    fake_expect(fd, lp);
    fake_expect(fd, "*5\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n$4\r\ncapa\r\n"
                    "$6\r\npsync2\r\n");
    fake_send(fd, "+OK\r\n+OK\r\n", 10);
    fake_expect(fd, "*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n");
    static const char full[] = "+FULLRESYNC 0123456789abcdef0123456789abcdef01234567 100\r\n";
    fake_send(fd, full, sizeof(full) - 1);
    /* An empty RDB (version 10, no checksum) in the length form. */
    static const char rdb[] = "$18\r\nREDIS0010\xff\0\0\0\0\0\0\0\0";
    fake_send(fd, rdb, sizeof(rdb) - 1);
    static const char set[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"; /* 27 bytes */
    fake_send(fd, set, sizeof(set) - 1);
    static const char getack[] = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";
    fake_send(fd, getack, sizeof(getack) - 1);
    /* 100 + 27: the GETACK itself is not counted yet. */
    fake_wait_for(fd, "$3\r\nACK\r\n$3\r\n127\r\n");
    if (!server_is_redis())
        fake_wait_for(fd, "$4\r\nFACK\r\n$3\r\n164\r\n");
    struct conn *rc = conn_open(r->port);
    ck_cmd(rc, "GET k", "$1\r\nv\r\n");
    char *off = info_field(rc, "replication", "slave_repl_offset");
    ck_assert_str_eq(off, "164"); /* 100 + 27 + 37 */
    free(off);
    char *id = info_field(rc, "replication", "master_replid");
    ck_assert_str_eq(id, "0123456789abcdef0123456789abcdef01234567");
    free(id);
    /* Redis refuses SIGTERM while its AOF's first rewrite runs. */
    wait_field(rc, "persistence", "aof_rewrite_in_progress", "0");
    conn_close(rc);
    server_stop(r);
    close(fd);
    close(lfd);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("replication");
    TCase *tc = tcase_create("replication");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_replica_of_redis);
    tcase_add_test(tc, test_redis_replica_of_us);
    tcase_add_test(tc, test_replica_of_self);
    tcase_add_test(tc, test_replica_of_redis_disk);
    tcase_add_test(tc, test_redis_replica_of_us_disk);
    tcase_add_test(tc, test_replica_of_self_disk);
    tcase_add_test(tc, test_replica_with_aof);
    tcase_add_test(tc, test_link_cut_partial_resync);
    tcase_add_test(tc, test_restart_partial_resync);
    tcase_add_test(tc, test_chained_replicas);
    tcase_add_test(tc, test_readonly_and_masterdown);
    tcase_add_test(tc, test_wait_and_min_replicas);
    tcase_add_test(tc, test_waitaof_counts_replicas);
    tcase_add_test(tc, test_replica_leaves_expiry_to_master);
    tcase_add_test(tc, test_replica_rdb_replaced_durably);
    tcase_add_test(tc, test_promote_psync2);
    tcase_add_test(tc, test_info_and_role_shape);
    tcase_add_test(tc, test_replica_handshake_on_the_wire);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
