/* function_run.c: running a library's function (FCALL, FCALL_RO) on the
 * shared script runtime (script_lua.h), and what FUNCTION STATS and
 * FUNCTION KILL see of it.
 *
 * Owns the bookkeeping of the function that runs now (its name, caller
 * and start, for FUNCTION STATS's running_script) and the lookup of a
 * called function's flags the runtime offers dispatch. Sandbox, flags
 * checks, conversions, error texts, busy and kill machinery are the
 * runtime's. */
#include <lauxlib.h>
#include <lua.h>

#include "net/commands/client.h"
#include "net/commands/commands.h"
#include "net/commands/function.h"
#include "net/commands/function_lua.h"
#include "net/commands/reply.h"
#include "net/commands/script_lua.h"
#include "net/core/log.h"

void function_run(struct client *c, const struct function_def *f, bool ro, int numkeys)
{
    struct function_registry *reg = c->commands->functions;
    /* FCALL is skip_monitor: monitors see it before the commands it runs. */
    if (c->commands->monitors)
        client_feed_monitors(c);
    struct script_run run = {
        .caller = c, .name = f->name, .is_eval = false, .ro = ro, .flags = f->flags,
    };
    lua_State *L = function_lua_state(reg->lua);
    lua_rawgeti(L, LUA_REGISTRYINDEX, f->ref);
    reg->running = f;
    reg->running_caller = c;
    reg->running_start_ms = log_clock_ms();
    script_lua_run(L, &run, c->argv + 3, numkeys, c->argv + 3 + numkeys,
                   c->argc - 3 - numkeys);
    reg->running = NULL;
    reg->running_caller = NULL;
}

void function_kill(struct client *c)
{
    script_kill(c, false);
}

bool function_eval_running(struct commands *cs)
{
    return script_running(cs) && cs->functions->running == NULL;
}

void function_reply_running(struct client *c)
{
    const struct function_registry *reg = c->commands->functions;
    if (reg->running == NULL) {
        reply_null(c);
        return;
    }
    const struct client *caller = reg->running_caller;
    reply_map_len(c, 3);
    reply_bulk_cstr(c, "name");
    reply_bulk(c, reg->running->name, reg->running->name_len);
    reply_bulk_cstr(c, "command");
    reply_array_len(c, caller->argc);
    for (int i = 0; i < caller->argc; i++)
        reply_bulk(c, caller->argv[i].ptr, caller->argv[i].len);
    reply_bulk_cstr(c, "duration_ms");
    reply_integer(c, log_clock_ms() - reg->running_start_ms);
}

/* The called function's flags for dispatch's checks, -1 when unknown. */
static int function_flags_of_call(struct client *c)
{
    if (c->argc < 2)
        return -1;
    const struct function_def *f =
        function_find(&c->commands->functions->live, c->argv[1].ptr, c->argv[1].len);
    return f != NULL ? (int)f->flags : -1;
}

void function_run_init(struct commands *cs)
{
    script_set_fcall_flags(cs, function_flags_of_call);
}

_Static_assert((int)FUNCTION_FLAG_NO_WRITES == (int)SCRIPT_FLAG_NO_WRITES &&
                   (int)FUNCTION_FLAG_ALLOW_OOM == (int)SCRIPT_FLAG_ALLOW_OOM &&
                   (int)FUNCTION_FLAG_ALLOW_STALE == (int)SCRIPT_FLAG_ALLOW_STALE &&
                   (int)FUNCTION_FLAG_NO_CLUSTER == (int)SCRIPT_FLAG_NO_CLUSTER &&
                   (int)FUNCTION_FLAG_ALLOW_CROSS_SLOT == (int)SCRIPT_FLAG_ALLOW_CROSS_SLOT,
               "function flags are the runtime's script flags");
