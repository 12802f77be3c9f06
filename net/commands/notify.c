/* notify.c: key changes, told to the save counter, WATCH and the blocked
 * clients (see notify.h). */
#include "net/commands/notify.h"

#include "net/commands/blocking.h"
#include "net/commands/commands.h"
#include "net/commands/dirty_keys.h"
#include "net/commands/tracking.h"
#include "net/commands/transaction.h"
#include "net/persist/persist.h"

void notify_key_modified(struct commands *cs, struct db *db, const char *key, size_t key_len)
{
    cs->persist->dirty++;
    dirty_keys_touched(cs, db->id, key, key_len);
    if (key)
        transaction_key_touched(cs, db, key, key_len);
    else
        transaction_db_changing(cs, db);
    /* A whole-db change is the caller's to tell tracking (tracking_flushed):
     * FLUSHALL sends one flush message, SWAPDB none, as Redis 7.0. */
    if (key && cs->tracking)
        tracking_key_modified(cs, key, key_len);
    blocking_key_touched(cs, db, key, key_len);
}
