/* keyspace_events.c: keyspace notifications (see keyspace_events.h).
 *
 * Owns the channel names and the choice of what to publish from the
 * configured flags (config.h's notify_keyspace_events, parsed by config.c).
 * Delivery is pubsub.c's, so a notification reaches channel and pattern
 * subscribers, RESP2 or RESP3, exactly as a PUBLISH does; unlike Redis's
 * PUBLISH it is not itself logged or counted as a command.
 *
 * Channel names are built in a stack buffer when they fit (almost always:
 * keys are short), else in one allocation freed before returning. */
#include "net/commands/keyspace_events.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "net/commands/commands.h"
#include "net/commands/pubsub.h"
#include "net/core/config.h"

/* Room for "__keyspace@" + a database number + "__:" and a short key. */
#define KEYSPACE_EVENTS_CHANNEL_STACK_BYTES 256

static_assert(NOTIFY_NEW == 1 << 14, "the bits are Redis's; config.c parses into them");

/* Publishes message on "<prefix><db>__:<suffix>". */
static void keyspace_events_publish(struct commands *cs, const char *prefix, int db_id,
                                    const char *suffix, size_t suffix_len, const char *message,
                                    size_t message_len)
{
    char head[48];
    int head_len = snprintf(head, sizeof(head), "%s%d__:", prefix, db_id);
    assert(head_len > 0 && (size_t)head_len < sizeof(head));
    size_t channel_len = (size_t)head_len + suffix_len;
    char small[KEYSPACE_EVENTS_CHANNEL_STACK_BYTES];
    char *channel = channel_len <= sizeof(small) ? small : alloc_bytes(channel_len);
    memcpy(channel, head, (size_t)head_len);
    memcpy(channel + head_len, suffix, suffix_len);
    pubsub_publish(cs, PUBSUB_CHANNEL, channel, channel_len, message, message_len);
    if (channel != small)
        alloc_free(channel);
}

void keyspace_event(struct commands *cs, int type, const char *event, int db_id, const char *key,
                    size_t key_len)
{
    int flags = cs->config->notify_keyspace_events;
    if (!(flags & type))
        return;
    if (!cs->pubsub)
        return; /* before dispatch_init: nobody can listen yet */
    assert(event != NULL);
    size_t event_len = strlen(event);
    if (flags & NOTIFY_KEYSPACE)
        keyspace_events_publish(cs, "__keyspace@", db_id, key, key_len, event, event_len);
    if (flags & NOTIFY_KEYEVENT)
        keyspace_events_publish(cs, "__keyevent@", db_id, event, event_len, key, key_len);
}
