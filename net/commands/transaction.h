/* transaction.h: MULTI/EXEC and WATCH (transaction.c). */
#ifndef RINGKV_NET_COMMANDS_TRANSACTION_H
#define RINGKV_NET_COMMANDS_TRANSACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client;
struct command;
struct commands;
struct db;

/* MULTI/EXEC/WATCH state. Every function borrows its arguments. */
void transaction_init(struct commands *cs);
void transaction_free(struct commands *cs);
/* Queues c's current command (c->argc/argv, copied) with the flags dispatch
 * judged it by (FCALL: its function's), and replies +QUEUED. */
void transaction_queue(struct client *c, struct command *cmd, uint32_t flags);
/* The union of the flags of c's queued commands (Redis's mstate.cmd_flags:
 * EXEC of a queue holding a denyoom command is refused under OOM). */
unsigned transaction_queued_flags(const struct client *c);
/* A command failed its checks while c is in MULTI: EXEC must abort. */
void transaction_flag_error(struct client *c);
/* EXEC itself was rejected by a check (arity): discards the transaction
 * and replies "-EXECABORT Transaction discarded because of: <error>". */
void transaction_abort(struct client *c, const char *error);
/* Leaves MULTI (if in it), frees the queue and unwatches every key: for
 * RESET and for a closing client. */
void transaction_client_reset(struct client *c);
/* A key changed (or expired and was deleted): flags its watchers. */
void transaction_key_touched(struct commands *cs, struct db *db, const char *key, size_t key_len);
/* The whole of db is about to change: records which watched keys exist now,
 * for transaction_settle to compare with what exists after the command. */
void transaction_db_changing(struct commands *cs, struct db *db);
/* Runs after every command: judges the whole-db changes it recorded. */
void transaction_settle(struct commands *cs);

#endif
