/* evict.h: maxmemory: memory accounting, eviction, and the OOM refusal.
 *
 * Before each command (dispatch_check) and after CONFIG SET maxmemory,
 * evict_perform compares used memory with maxmemory and, over it, evicts
 * keys as maxmemory-policy says (engine/evict.h chooses them) for a time
 * bounded by maxmemory-eviction-tenacity; the server continues a run that
 * hit that bound between loop iterations (evict_continue). A command flagged denyoom (or EXEC of a queue holding
 * one, or anything queued in MULTI) is refused while nothing more can be
 * evicted. With maxmemory 0 all of this costs the caller one test. */
#ifndef RINGKV_NET_COMMANDS_EVICT_H
#define RINGKV_NET_COMMANDS_EVICT_H

#include <stdbool.h>
#include <stddef.h>

struct client;
struct command;
struct commands;

/* Redis 7.0's shared.oomerr. */
#define EVICT_OOM_ERROR "OOM command not allowed when used memory > 'maxmemory'."

/* Redis's EVICT_OK / EVICT_RUNNING / EVICT_FAIL. */
enum evict_outcome {
    EVICT_OK = 0,  /* within the limit (or eviction cannot run now) */
    EVICT_RUNNING, /* over it, evicting, the time bound was reached: evict_continue goes on */
    EVICT_FAIL,    /* over it and nothing (more) may be evicted */
};

void evict_init(struct commands *cs);
void evict_free(struct commands *cs);
/* Redis's performEvictions: evicts until used memory (less the memory not
 * counted) is within maxmemory, the time bound passes, or no key is left
 * to evict. */
enum evict_outcome evict_perform(struct commands *cs);
/* Between loop iterations: continues a run that reached its time bound.
 * Returns whether it is still unfinished (call again soon). */
bool evict_continue(struct commands *cs);
/* Whether c's command must be refused with EVICT_OOM_ERROR (maxmemory is
 * set, evicting did not bring memory under it, and the command could add
 * to it). Runs the eviction itself, as Redis's processCommand does. */
bool evict_command_refused(struct client *c, const struct command *cmd);
/* Memory maxmemory does not count (INFO mem_not_counted_for_evict): the
 * AOF's staging buffer while the AOF is on (Redis subtracts its aof_buf). */
size_t evict_not_counted_bytes(const struct commands *cs);
/* maxmemory-policy changed: the pool's scores mean nothing any more. */
void evict_policy_changed(struct commands *cs);
/* CONFIG SET maxmemory: warns when the new limit is below the memory in
 * use, then evicts at once, as Redis's updateMaxmemory. */
void evict_maxmemory_changed(struct commands *cs);
/* INFO's evicted_keys, total_/current_eviction_exceeded_time (ms). */
void evict_stats_read(const struct commands *cs, long long *evicted_keys, long long *total_ms,
                      long long *current_ms);
/* CONFIG RESETSTAT. */
void evict_stats_reset(struct commands *cs);

#endif
