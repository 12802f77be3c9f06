/* pause.h: CLIENT PAUSE, as Redis 7.0 does it.
 *
 * While a pause is on, dispatch_check postpones the commands it covers: the
 * client stops running its query buffer at that command (which stays
 * unparsed there, so its pipeline keeps its order) and waits in a FIFO,
 * counted as blocked (INFO blocked_clients, CLIENT LIST flag b). A pause
 * of type ALL covers every command of a normal client (CLIENT UNPAUSE
 * too: only the timeout ends it then, as in Redis 7.0); one of type WRITE
 * covers commands flagged write or may_replicate, and an EXEC whose queue
 * holds one. Arity and the other checks before it still answer at once.
 * While paused, expired keys read as missing but are not deleted
 * (keyspace.expire_deletes_paused). The pause ends at its deadline (the
 * tick, or the next command checked) or with CLIENT UNPAUSE; the postponed
 * clients then run again in the order they were postponed. */
#ifndef RINGKV_NET_COMMANDS_PAUSE_H
#define RINGKV_NET_COMMANDS_PAUSE_H

#include <stdbool.h>
#include <stdint.h>

struct client;
struct command;
struct commands;

/* Redis 7.0's pause types, ordered: a later PAUSE only upgrades. */
enum pause_type {
    PAUSE_OFF = 0,
    PAUSE_WRITE = 1,
    PAUSE_ALL = 2,
};

/* Starts or extends a pause: the type only goes up (WRITE to ALL), the
 * deadline (absolute loop time, ms) only moves later. */
void pause_start(struct commands *cs, int64_t end_ms, enum pause_type type);
/* Ends the pause (CLIENT UNPAUSE, the deadline) and resumes every
 * postponed client, first postponed first. */
void pause_end(struct commands *cs);
/* Whether cmd, about to run for c, must wait for the pause to end; ends
 * a pause whose deadline passed first. dispatch_check calls it only while
 * cs->pause_type is not PAUSE_OFF, so it costs nothing otherwise. */
bool pause_postpones(struct client *c, const struct command *cmd);
/* Parks c until the pause ends: its current command runs again then. */
void pause_postpone(struct client *c);
/* c is closing: out of the FIFO. */
void pause_client_gone(struct client *c);
/* The tick: ends a pause whose deadline passed. */
void pause_tick(struct commands *cs);
/* Whether writes are paused (either type): Redis 7.0 neither expires nor
 * evicts keys then, so the eviction code asks this before it evicts. */
bool pause_writes_active(const struct commands *cs);

#endif
