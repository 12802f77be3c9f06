/* propagate.c: what each write command leaves in the AOF.
 *
 * Owns the current unit of propagation: the commands that one top-level
 * command call (an EXEC with everything it ran, a blocked client's wake-up,
 * one key expired by the tick) asks to log. They are encoded as RESP
 * records as they come and handed to the AOF in one piece when the unit
 * ends, wrapped in MULTI ... EXEC when there is more than one, as Redis 7.0
 * does (its propagatePendingCommands). The AOF (aof.c) adds the SELECTs.
 *
 * Without an AOF nothing is encoded: every entry point tests that first, so
 * a server without persistence pays a branch per command. */
#include <assert.h>
#include <string.h>

#include "engine/alloc.h"
#include "net/commands/command.h"
#include "net/server/server.h"

_Static_assert(sizeof(struct resp_arg) == sizeof(struct aof_arg) &&
                   offsetof(struct resp_arg, ptr) == offsetof(struct aof_arg, ptr) &&
                   offsetof(struct resp_arg, len) == offsetof(struct aof_arg, len),
               "a client's argv is logged as it is: the two spans must match");

static bool propagate_enabled(const struct server *s)
{
    return s->aof.status != AOF_OFF && !s->aof.loading;
}

/* Records the entry for the bytes appended to records since start. */
static void propagate_note(struct server *s, int db_id, size_t start)
{
    struct propagate_state *p = &s->prop;
    if (p->count == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->entries = alloc_resize(p->entries, (size_t)p->cap * sizeof(*p->entries));
    }
    p->entries[p->count++] = (struct propagate_entry){
        .db_id = db_id,
        .offset = start,
        .len = p->records.len - start,
    };
}

/* Appends one command to the unit, encoded in place. */
static void propagate_push_args(struct server *s, int db_id, int argc, const struct aof_arg *argv)
{
    size_t start = s->prop.records.len;
    aof_encode_command(&s->prop.records, (size_t)argc, argv);
    propagate_note(s, db_id, start);
}

/* Hands the unit to the AOF and empties it. */
static void propagate_flush(struct server *s)
{
    struct propagate_state *p = &s->prop;
    if (p->count == 0)
        return;
    static const char multi[] = "*1\r\n$5\r\nMULTI\r\n";
    static const char exec[] = "*1\r\n$4\r\nEXEC\r\n";
    bool wrap = p->count > 1;
    /* MULTI takes the first command's db, so its SELECT comes first. */
    if (wrap)
        aof_feed(s, p->entries[0].db_id, multi, sizeof(multi) - 1, false);
    for (int i = 0; i < p->count; i++)
        aof_feed(s, p->entries[i].db_id, p->records.data + p->entries[i].offset,
                 p->entries[i].len, true);
    if (wrap)
        aof_feed(s, p->entries[p->count - 1].db_id, exec, sizeof(exec) - 1, false);
    p->count = 0;
    aof_buffer_clear(&p->records);
}

void propagate_add(struct server *s, int db_id, int argc, const struct aof_arg *argv)
{
    if (!propagate_enabled(s))
        return;
    propagate_push_args(s, db_id, argc, argv);
    if (s->prop.depth == 0)
        propagate_flush(s);
}

void command_propagate_as(struct client *c, int argc, const struct aof_arg *argv)
{
    struct server *s = c->server;
    if (!propagate_enabled(s))
        return;
    aof_buffer_clear(&s->prop.override);
    aof_encode_command(&s->prop.override, (size_t)argc, argv);
    s->prop.override_set = true;
    s->prop.none = false;
}

void command_propagate_none(struct client *c)
{
    struct server *s = c->server;
    s->prop.none = true;
    s->prop.override_set = false;
}

void propagate_begin(struct server *s, struct propagate_frame *f)
{
    f->dirty = s->dirty;
    f->override_set = s->prop.override_set;
    f->none = s->prop.none;
    s->prop.override_set = false;
    s->prop.none = false;
    s->prop.depth++;
}

void propagate_end(struct client *c, const struct command *cmd, struct propagate_frame *f)
{
    struct server *s = c->server;
    struct propagate_state *p = &s->prop;
    assert(p->depth > 0);
    /* EXEC logs what it ran, never itself; commands that changed nothing
     * log nothing. */
    bool changed = s->dirty != f->dirty && !(cmd->flags & CMD_NO_PROPAGATE_SELF);
    if (changed && !p->none && propagate_enabled(s)) {
        if (p->override_set) {
            size_t start = p->records.len;
            aof_buffer_append(&p->records, p->override.data, p->override.len);
            propagate_note(s, c->db->id, start);
        } else {
            propagate_push_args(s, c->db->id, c->argc, (const struct aof_arg *)c->argv);
        }
    }
    p->override_set = f->override_set;
    p->none = f->none;
    if (--p->depth == 0)
        propagate_flush(s);
}

void propagate_free(struct server *s)
{
    aof_buffer_free(&s->prop.records);
    aof_buffer_free(&s->prop.override);
    alloc_free(s->prop.entries);
    memset(&s->prop, 0, sizeof(s->prop));
}
