/* repl_internal.h: what repl.c (master side), repl_link.c (replica side)
 * and cmd_repl.c (the commands) share. */
#ifndef RINGKV_NET_REPL_REPL_INTERNAL_H
#define RINGKV_NET_REPL_REPL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "net/repl/repl.h"

struct client;
struct commands;

/* An argument as a C string, cut to fit out (arguments are not
 * NUL-terminated). */
static inline void repl_arg_text(const char *ptr, size_t len, char *out, size_t out_len)
{
    size_t n = len < out_len - 1 ? len : out_len - 1;
    memcpy(out, ptr, n);
    out[n] = '\0';
}

/* repl.c */
void repl_random_id(char out[REPL_ID_BYTES + 1]);
/* cs->repl_feeding and cs->repl_replica from the state. */
void repl_update_flags(struct repl *r);
void repl_backlog_create(struct repl *r);
void repl_backlog_free(struct repl *r);
/* repl_backlog_first_byte_offset (0 without a backlog). */
long long repl_backlog_first(const struct repl *r);
/* Stream bytes: the backlog, the offset, every replica. */
void repl_feed_raw(struct repl *r, const char *p, size_t len);
struct repl_replica *repl_replica_of(struct repl *r, struct client *c);
struct repl_replica *repl_replica_add(struct repl *r, struct client *c);
int repl_replicas_attached(const struct repl *r);
/* Closes every replica past the handshake (they resync with us). */
void repl_disconnect_replicas(struct repl *r);
void repl_waiters_check(struct repl *r);
/* The commands' bodies. */
void repl_sync_command(struct client *c, bool psync);
void repl_replconf_command(struct client *c);
void repl_wait_command(struct client *c);

/* repl_link.c */
void repl_link_input(struct client *c);
void repl_link_closed(struct repl *r, struct client *c);
void repl_link_cron(struct repl *r);
/* Before the loop sleeps, while connected: an ACK as soon as our AOF made
 * more of the stream durable (for the master's WAITAOF). */
void repl_link_before_sleep(struct repl *r);
/* Drops the link and a transfer in progress (the state is the caller's). */
void repl_link_reset(struct repl *r);
/* REPLICAOF host port (the config's at start-up: psync_known false). */
void repl_set_master(struct repl *r, const char *host, int port);
/* REPLICAOF NO ONE. */
void repl_unset_master(struct repl *r);
/* ROLE's state word for the link ("connect", "connecting", ...). */
const char *repl_link_state_name(const struct repl *r);

/* cmd_repl.c */
void repl_commands_register(struct commands *cs);

#endif
