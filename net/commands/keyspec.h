/* keyspec.h: where a command's keys are among its arguments.
 *
 * Each command record (command.h) writes its key specs as text, in the
 * notation keyspec.c parses, or gives Redis's legacy first/last/step
 * positions. COMMAND INFO and GETKEYS (cmd_command.c) report them; the
 * durability of replies (dirty_keys.c) reads them for every command, so
 * the specs of the registered commands are parsed once, into the table
 * keyspec_table_build makes, indexed by each command's `index`. */
#ifndef RINGKV_NET_COMMANDS_KEYSPEC_H
#define RINGKV_NET_COMMANDS_KEYSPEC_H

#include <stdbool.h>

#include "net/commands/command.h"
#include "net/wire/resp.h"

struct commands;

/* Longest key-spec flag list ("RW access delete incomplete") and keyword. */
#define KEYSPEC_FLAGS_BYTES 48
#define KEYSPEC_KEYWORD_BYTES 16

enum key_begin { KEY_BEGIN_UNKNOWN, KEY_BEGIN_INDEX, KEY_BEGIN_KEYWORD };
enum key_find { KEY_FIND_UNKNOWN, KEY_FIND_RANGE, KEY_FIND_KEYNUM };

struct key_spec {
    char flags[KEYSPEC_FLAGS_BYTES]; /* space-separated: "RW access delete" */
    enum key_begin begin;
    int index;                           /* KEY_BEGIN_INDEX */
    char keyword[KEYSPEC_KEYWORD_BYTES]; /* KEY_BEGIN_KEYWORD */
    int startfrom;
    enum key_find find;
    int lastkey, keystep, limit;     /* KEY_FIND_RANGE */
    int keynumidx, firstkey;         /* KEY_FIND_KEYNUM (with keystep) */
};

/* The command's key specs: from its record when written there, else the
 * one spec Redis would have for a command with keys at first..last by step
 * (read-only commands read, write commands update). Returns the count. */
int keyspec_of(const struct command *cmd, struct key_spec specs[COMMAND_KEY_SPECS_MAX]);
/* Redis sets "movablekeys" when a key spec is not a plain index and range. */
bool keyspec_movable(const struct key_spec *specs, int count);
bool keyspec_is_not_key(const struct key_spec *spec);
/* Appends the positions of the keys one spec finds. Returns the new count,
 * or -1 when the arguments do not fit the spec (a syntax error the
 * command itself would report). positions has room for argc. */
int keyspec_find(const struct key_spec *spec, const struct resp_arg *argv, int argc,
                 int *positions, int count);

/* Parses the specs of every registered command once (dispatch_init, after
 * the tables are registered); freed by keyspec_table_free. */
void keyspec_table_build(struct commands *cs);
void keyspec_table_free(struct commands *cs);
/* How many of cmd's key specs find keys (not_key ones left out), from the
 * built table: 0 for a command without keys. */
int keyspec_count(const struct commands *cs, const struct command *cmd);
/* Calls fn for each of cmd's keys in argv (not_key specs skipped), from
 * the built table. Returns how many (0: the command has none), or -1 when
 * they cannot be told before the command runs (a spec of unknown form, or
 * arguments the specs do not fit; fn may have been called for some). */
int keyspec_each_key(const struct commands *cs, const struct command *cmd,
                     const struct resp_arg *argv, int argc,
                     void (*fn)(const struct resp_arg *key, void *ctx), void *ctx);

/* The flags a "variable_flags" key spec takes for this call (argv[0] is
 * the command name), as Redis's setGetKeys and bitfieldGetKeys give them:
 * SET writes its key ("OW update") unless a GET also reads it ("RW access
 * update"); a BITFIELD of GETs and OVERFLOWs only reads it ("RO access").
 * NULL for a command whose specs are fixed. */
const char *keyspec_variable_flags(const struct command *cmd, const struct resp_arg *argv,
                                   int argc);

#endif
