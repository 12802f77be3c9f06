/* server.h: the server: every layer's state, wired together.
 *
 * main builds one `struct server` and passes it down; there are no other
 * globals. The server owns the configuration, the log and the keyspace,
 * and embeds each layer's state: the loop (net/wire/), persistence
 * (net/persist/) and the commands (net/commands/). server_init points the
 * layers at each other and installs the callbacks that let a lower layer
 * reach a higher one: the loop's handler (connections to client sessions,
 * hold tokens to the AOF, the tick and signals to this file) and the AOF
 * replayer (persistence to the command dispatch).
 *
 * This is the only header that sees every layer; only net/server/
 * includes it. */
#ifndef RINGKV_NET_SERVER_SERVER_H
#define RINGKV_NET_SERVER_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/db.h"
#include "net/commands/client.h"
#include "net/commands/commands.h"
#include "net/core/config.h"
#include "net/core/latency.h"
#include "net/core/log.h"
#include "net/persist/persist.h"
#include "net/persist/rdb_load.h"
#include "net/persist/rdb_save.h"
#include "net/repl/repl.h"
#include "net/wire/loop.h"

/* File descriptors reserved beyond maxclients (listeners, files, signalfd). */
#define SERVER_RESERVED_FDS 32

struct server {
    struct config config;
    struct log log;
    struct keyspace keyspace;
    struct loop loop;
    struct persist persist;
    struct commands commands;
    struct repl repl;               /* replication (net/repl/) */
    struct latency_monitor latency; /* LATENCY's events (cmd_latency.c) */

    pid_t pid;
    int64_t start_time_ms;
    int shutdown_exit_code;
    long long cron_loops;
    /* SIGTERM/SIGINT that came while a script ran: the tick shuts down
     * once it is over (a shutdown cannot run nested in the script). */
    int pending_signal;
    long long stat_peak_memory;
    long long stat_startup_memory;
    long long stat_expire_cycle_us;      /* time in the active expire cycle (INFO) */
    /* INFO instantaneous_input_kbps / output_kbps, sampled with the ops rate */
    long long stat_net_input_sample, stat_net_output_sample;
    double instantaneous_input_kbps, instantaneous_output_kbps;       /* allocated once start-up was done (used_memory_startup) */
    unsigned arch_bits;
    char run_id[41];
    char *executable;                    /* owned absolute path */
    char *config_file;                   /* owned absolute path, NULL if none */
    int listen_port;                     /* the port the listeners are bound to */
};

/* The server a client's commands run in (server-layer commands only). */
static inline struct server *server_of(struct client *c)
{
    return (struct server *)((char *)c->commands - offsetof(struct server, commands));
}

/* Builds every layer, loads the dataset and opens the listeners. Returns
 * 0, or -1 with the reason in err. */
int server_init(struct server *s, char *err, size_t err_len);
/* Makes config.dir the working directory and stores it as an absolute
 * path. Returns 0 or -errno. */
int server_chdir(struct server *s);
/* CONFIG SET port / bind: listens on config.port at config.bind's
 * addresses, then retires the old listeners. If any new socket fails, the
 * old ones stay and -1 comes back with the reason in err. */
int server_rebind(struct server *s, char *err, size_t err_len);
/* Copies the configuration values the keyspace reads (LFU policy,
 * encoding limits) into it; at start-up and after CONFIG SET. */
void server_apply_config(struct server *s);
/* Frees everything at exit. */
void server_free(struct server *s);
/* Prepares a shutdown (SHUTDOWN [SAVE|NOSAVE] [FORCE], SIGTERM): the final
 * save unless nosave, the AOF synced. Returns 0, or -1 with an error reply
 * text when it must be refused (force exits even when the save fails). */
int server_prepare_shutdown(struct server *s, bool save, bool nosave, bool force, char *err,
                            size_t err_len);

#endif
