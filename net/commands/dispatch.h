/* dispatch.h: running commands, the top of the command layer: the loop's
 * input and closed handlers for client connections, the checks and the
 * call of every command, the layer's set-up and the AOF replayer. */
#ifndef RINGKV_NET_COMMANDS_DISPATCH_H
#define RINGKV_NET_COMMANDS_DISPATCH_H

#include <stdint.h>

#include "net/persist/persist.h"

struct client;
struct command;
struct commands;
struct conn;

/* Sets up the table (registering every group's) and the modules' state;
 * cs's borrowed pointers must be set. */
void dispatch_init(struct commands *cs);
/* Registers a table of commands defined above this layer (the server's):
 * always through here, so the tables indexed by command cover them. */
void dispatch_add_table(struct commands *cs, struct command *table);
void dispatch_free(struct commands *cs);

/* The loop's handlers (struct loop_handler): runs every whole command in a
 * client's query buffer; frees a client whose connection closed. */
void dispatch_input(struct conn *conn);
void dispatch_closed(struct conn *conn);

/* Runs c's parsed command (c->argc/argv): dispatch_check, then either
 * queues it (c is in MULTI) or runs it with dispatch_call. */
void dispatch_process(struct client *c);
/* Looks up c's command and applies Redis 7.0's checks in order: unknown
 * command or subcommand, arity, authentication, loading, commands refused
 * inside MULTI, MISCONF. Returns the command (borrowed, static), or NULL
 * after replying the error, counting a rejected call and flagging c's
 * transaction (EXEC itself failing a check aborts the transaction).
 * *flags_out gets the flags the command was judged by once the checks
 * reach them (FCALL: its function's; else the command's own). */
struct command *dispatch_check(struct client *c, uint32_t *flags_out);
/* Runs cmd's handler on c->argc/argv, which may be anything the caller
 * keeps alive for the call (EXEC passes its queued copies). Accounts the
 * call (commandstats, total commands), feeds monitors and settles WATCH.
 * A nested call (from EXEC) keeps the outer command's time, as Redis
 * freezes time for a whole transaction. */
void dispatch_call(struct client *c, struct command *cmd);

/* The replayer persistence loads an AOF through (fake clients). */
struct persist_replayer dispatch_replayer(struct commands *cs);

#endif
