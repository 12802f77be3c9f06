/* waitaof.h: WAITAOF numlocal numreplicas timeout (the Redis 7.2 verb).
 *
 * A client's last write (the last command that logged something) is
 * remembered as an AOF offset and epoch, and as a replication offset
 * (client.h, aof_woff / repl_woff). WAITAOF answers [local, replicas]:
 * local is 1 once that write is fsynced in the local AOF (aof_fsynced:
 * only a successful fdatasync counts), replicas is how many replicas
 * reported their AOF fsynced past repl_woff (commands.replicas_fsynced,
 * 0 without replication). While fewer are reached than asked, the client
 * blocks (blocking.c's keyless wait) and is checked again before every
 * sleep of the loop (waitaof_serve), until its timeout (ms, 0: forever)
 * answers the counts reached so far. Inside MULTI it never blocks. */
#ifndef RINGKV_NET_COMMANDS_WAITAOF_H
#define RINGKV_NET_COMMANDS_WAITAOF_H

struct client;
struct commands;

void waitaof_init(struct commands *cs);
void waitaof_free(struct commands *cs);
/* Before the loop sleeps: answers the blocked WAITAOFs whose fsyncs were
 * reached (or that can no longer be: the AOF turned off, the server
 * became a replica). One test when nobody waits. */
void waitaof_serve(struct commands *cs);
/* c's [local, replicas] reply as it stands now (its timeout). */
void waitaof_reply_counts(struct client *c);
/* c leaves the blocked WAITAOF (blocking.c, whatever the reason). */
void waitaof_forget(struct client *c);

#endif
