/* cmd_server_internal.h: what cmd_server.c, cmd_info.c, cmd_config.c
 * and cmd_debug.c share, nobody else: the handlers cmd_server.c's table
 * registers and the helpers more than one of them uses. */
#ifndef RINGKV_NET_SERVER_CMD_SERVER_INTERNAL_H
#define RINGKV_NET_SERVER_CMD_SERVER_INTERNAL_H

#include "net/commands/command.h"
#include "net/server/server.h"

struct buf;
struct client;

/* Redis's LRU clock is 24 bits of seconds; INFO lru_clock and DEBUG OBJECT
 * lru: report it in that width. */
#define SERVER_LRU_CLOCK_MAX ((1u << 24) - 1)

/* cmd_server.c */
/* The server layer's commands, registered by server_init. */
extern struct command server_commands[];
/* Appends printf output to b (borrowed; grows it as needed). */
void server_buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cmd_info.c */
void info_command(struct client *c);

/* cmd_config.c: the subcommands of CONFIG. */
void config_get_command(struct client *c);
void config_set_command(struct client *c);
void config_resetstat_command(struct client *c);
void config_rewrite_command(struct client *c);
void config_help_command(struct client *c);

/* cmd_latency.c: the LATENCY command and INFO latencystats. */
extern struct command latency_commands[];
void latency_info(struct server *s, struct buf *b);

/* cmd_debug.c */
void debug_command(struct client *c);

#endif
