/* dirty_keys.h: how long each reply waits for the AOF.
 *
 * Under appendfsync always a reply may leave only once every write it
 * could have seen is durable. Holding every reply until everything logged
 * before it is durable would make a GET of a key nobody wrote for an hour
 * wait for the batch in flight. So the command layer remembers, for each
 * key written since the AOF was last durable, the token of its newest
 * write (the AOF offset that write's record ends at, aof_token_now), and
 * gives each reply (conn_hold_output) the token it needs:
 *  - a command that logged something waits for everything logged so far,
 *    its own record included;
 *  - a command that only reads waits for the newest write among the keys
 *    its key specs name (keyspec.h), and for the floor (below);
 *  - a script (EVAL, FCALL and their forms) that wrote nothing waits for
 *    what its commands read, each by these same rules;
 *  - a command that observes more than its keys (KEYS, SCAN, DBSIZE,
 *    RANDOMKEY, INFO with the keyspace section, DEBUG, EXEC, MOVE, COPY, SORT),
 *    or whose keys cannot be told before it runs, or that has no key specs
 *    at all (PING included), waits for everything logged so far;
 *  - a reply refused before the command ran (MISCONF, arity, ...), a
 *    QUEUED, and the commands that show no data (AUTH, HELLO, SELECT,
 *    CLIENT, CONFIG, COMMAND, INFO without the keyspace section, MULTI,
 *    DISCARD, UNWATCH, QUIT, RESET, TIME, LASTSAVE) wait for nothing;
 *  - output no command of its own made (a blocked pop served by another
 *    client's push, a timeout) waits for everything logged: the round's
 *    token (conn_flush_all) or, if the client runs a command first, the
 *    token at that moment.
 * A connection's replies still leave in the order they were made.
 *
 * The floor covers changes that are not one key's: FLUSHALL, FLUSHDB,
 * SWAPDB (notify_key_modified with a NULL key) and keys beyond the
 * table's bound (DIRTY_KEYS_MAX): every reading reply waits for it.
 *
 * Memory: entries are kept in token order and dropped from the head as
 * their tokens are reached (checked at every command), so the table holds
 * only keys whose newest write is not durable yet, at most DIRTY_KEYS_MAX.
 * When the AOF's offsets start again (a rewrite's new INCR, the AOF
 * switched) the table is emptied and the floor set to everything logged. */
#ifndef RINGKV_NET_COMMANDS_DIRTY_KEYS_H
#define RINGKV_NET_COMMANDS_DIRTY_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client;
struct command;
struct commands;

/* Keys tracked at once; one more raises the floor instead. */
#define DIRTY_KEYS_MAX 65536

void dirty_keys_init(struct commands *cs);
/* Classifies every registered command again (after a table was added). */
void dirty_keys_index_commands(struct commands *cs);
void dirty_keys_free(struct commands *cs);

/* notify_key_modified: key (NULL: the whole db) of db_id changed. Its
 * token is the end of what the running command logs (dirty_keys_end). */
void dirty_keys_touched(struct commands *cs, int db_id, const char *key, size_t key_len);

/* A command a script ran (redis.call) on the script's client c: the keys
 * it read (by its own scope) join what the script's reply waits for. A
 * script that wrote waits for everything logged, as any write. */
void dirty_keys_script_read(struct client *c, const struct command *ran);

/* One command of a client, from before its checks to its reply. */
struct dirty_keys_call {
    bool active;         /* a connection whose replies are held */
    long long logged;    /* the AOF's records_logged before it ran */
    uint64_t epoch;      /* the AOF's token epoch before it ran */
};

/* Before a command's checks: what c's connection got from elsewhere since
 * its last command waits for everything logged so far. */
void dirty_keys_begin(struct client *c, struct dirty_keys_call *call);
/* After it: gives the reply its token. ran: the command that ran, NULL
 * when it was refused or queued. */
void dirty_keys_end(struct client *c, struct dirty_keys_call *call, const struct command *ran);

struct dirty_keys_stats {
    uint64_t keys;          /* tracked now */
    uint64_t peak;          /* most tracked at once */
    uint64_t bytes;         /* memory the entries and the map's buckets take now */
    uint64_t bytes_peak;    /* the most they took */
    long long reads_held;   /* replies of non-logging commands that waited */
    long long reads_free;   /* ... that needed no wait */
};
void dirty_keys_stats(const struct commands *cs, struct dirty_keys_stats *st);

#endif
