/* tracking.h: client-side caching (CLIENT TRACKING), as Redis 7.0 does it.
 *
 * A client that turns tracking on is told when a key it may have cached
 * changes: an "invalidate" push in RESP3, or a message on the
 * __redis__:invalidate channel of the client it redirects to. Two modes:
 *  - default: the keys each read-only command of the client names are
 *    remembered in the tracking table (key -> client ids; OPTIN/OPTOUT
 *    with CLIENT CACHING choose which commands count). Modifying a key
 *    sends one invalidation per client and forgets the key.
 *  - BCAST: the client names prefixes; every key modified under one is
 *    gathered and sent once per prefix before the loop sleeps.
 * A flush (FLUSHDB, FLUSHALL, DEBUG RELOAD) sends every tracking client a
 * null "all keys" invalidation and empties the table.
 *
 * The state is created by the first CLIENT TRACKING ON and lives until
 * the server stops (cs->tracking, NULL until then), so a server that
 * never tracked pays one pointer test per write and per command. The
 * CLIENT subcommands' handlers are here; cmd_connection.c lists them. */
#ifndef RINGKV_NET_COMMANDS_TRACKING_H
#define RINGKV_NET_COMMANDS_TRACKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client;
struct commands;
struct command;

/* CLIENT TRACKING, CLIENT CACHING, CLIENT GETREDIR, CLIENT TRACKINGINFO. */
void tracking_command(struct client *c);
void tracking_caching_command(struct client *c);
void tracking_getredir_command(struct client *c);
void tracking_trackinginfo_command(struct client *c);

/* ---- dispatch's hooks: call only when cs->tracking is not NULL ---- */

/* Before c's command is checked: c becomes the current client (NOLOOP,
 * and invalidations its own command causes wait for its reply), and the
 * table is brought back under tracking-table-max-keys. Returns the
 * previous current client, for tracking_after_command. */
struct client *tracking_before_command(struct client *c);
/* After a handler ran (each command of an EXEC too): remembers the keys a
 * read-only command named for its tracking client; at the outermost call
 * (outermost) sends the invalidations it caused to its own client, after
 * its reply. */
void tracking_after_call(struct client *c, const struct command *cmd, bool outermost);
/* After the command (run, queued or refused; c->argv is still its
 * request): CLIENT CACHING's choice lasts one command, or one
 * transaction; previous (tracking_before_command's) is current again. */
void tracking_after_command(struct client *c, struct client *previous);

/* ---- invalidation sources ---- */

/* A command modified key (notify.c). */
void tracking_key_modified(struct commands *cs, const char *key, size_t key_len);
/* key left the keyspace without a command modifying it: expired (active
 * or lazy) or evicted. Sends the same invalidations, with no client to
 * exempt in BCAST NOLOOP mode, as Redis's signalModifiedKey(NULL...). */
void tracking_invalidate_key(struct commands *cs, const char *key, size_t key_len);
/* Every key is gone (FLUSHDB, FLUSHALL, DEBUG RELOAD): once per command. */
void tracking_flushed(struct commands *cs);

/* ---- the loop and the cron ---- */

/* Before the loop sleeps: sends the BCAST invalidations gathered. */
void tracking_broadcast(struct commands *cs);
/* The tick: the table's size limit, when no command ran for a while. */
void tracking_cron(struct commands *cs);

/* ---- a client's lifetime ---- */

/* RESET: tracking off. */
void tracking_client_reset(struct client *c);
/* c is being freed (dispatch_closed): it leaves every table. */
void tracking_client_closed(struct client *c);

/* The INFO fields. */
struct tracking_stats {
    long long clients;  /* tracking_clients */
    long long keys;     /* tracking_total_keys */
    long long items;    /* tracking_total_items: client ids across the keys */
    long long prefixes; /* tracking_total_prefixes */
};
void tracking_stats(const struct commands *cs, struct tracking_stats *out);

void tracking_free(struct commands *cs);

#endif
