/* cmd_server_internal.h: what cmd_server.c, cmd_info.c, cmd_config.c
 * and cmd_debug.c share, nobody else: the handlers cmd_server.c's table
 * registers and the helpers more than one of them uses. */
#ifndef RINGKV_NET_SERVER_CMD_SERVER_INTERNAL_H
#define RINGKV_NET_SERVER_CMD_SERVER_INTERNAL_H

#include "engine/alloc.h"
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
/* The memory figures INFO memory and MEMORY STATS share, in bytes. */
struct server_memory {
    struct alloc_stats allocator; /* jemalloc's counters */
    long long used;     /* used_memory: allocated */
    long long peak;     /* used_memory_peak */
    long long startup;  /* used_memory_startup: allocated once start-up was done */
    long long rss;      /* the process's resident set */
    long long clients;  /* normal clients' structs and buffers */
    long long overhead; /* startup + clients + hash tables + receive buffers */
    long long dataset;  /* used - overhead */
};
/* Hash table memory of one db (all with db_index -1): bucket arrays and
 * expiry entries. */
long long info_memory_tables(struct server *s, int db_index);
/* Reads them now (and raises the peak if used passed it). */
void server_memory_read(struct server *s, struct server_memory *m);

/* cmd_config.c: the subcommands of CONFIG. */
void config_get_command(struct client *c);
void config_set_command(struct client *c);
void config_resetstat_command(struct client *c);
void config_rewrite_command(struct client *c);
void config_help_command(struct client *c);

/* cmd_latency.c: the LATENCY command and INFO latencystats. */
extern struct command latency_commands[];
void latency_info(struct server *s, struct buf *b);

/* cmd_memory.c: the MEMORY command. */
extern struct command memory_commands[];

/* cmd_debug.c */
void debug_command(struct client *c);

#endif
