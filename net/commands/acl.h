/* acl.h: users and their permissions, as Redis 7.0's ACL.
 *
 * Owns the users table (the default user included), the rule language of
 * ACL SETUSER, `user` directives and ACL files (each user a list of rules
 * applied in order), the permission check dispatch runs before a command
 * (commands, keys and channels, by selector), authentication, the ACL log,
 * and the text forms ACL LIST / GETUSER / SAVE report. The ACL command
 * itself is cmd_acl.c's.
 *
 * Every client points at its user (c->user, borrowed, never NULL). A user
 * is freed only after every client using it was moved to the orphan user
 * and closed (acl_user_delete), so the pointer never dangles.
 *
 * The check costs the default user with every permission one branch:
 * acl_user_unrestricted reads a flag that each change recomputes. */
#ifndef RINGKV_NET_COMMANDS_ACL_H
#define RINGKV_NET_COMMANDS_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/core/args.h"

struct buf;
struct client;
struct command;
struct commands;

/* One bit per registered command and subcommand (command.h's `index`).
 * Redis 7.0 has about 400; the assert in acl.c holds command_slots under
 * this. */
#define ACL_COMMANDS_MAX 1024
#define ACL_BITMAP_WORDS (ACL_COMMANDS_MAX / 64)
/* SHA-256 of a password, as 64 lower-case hex digits. */
#define ACL_HASH_HEX_BYTES 64
/* Users named in one ACL file or config; a SETUSER may add more. Bounded so
 * a bad file cannot make start-up unbounded in memory beyond its size. */
#define ACL_LINE_BYTES_MAX (1024 * 64)

enum acl_user_flag {
    ACL_USER_ON = 1 << 0,              /* "on"; else "off" (disabled) */
    ACL_USER_NOPASS = 1 << 1,          /* any password authenticates */
    ACL_USER_SANITIZE = 1 << 2,        /* "sanitize-payload" */
    ACL_USER_SKIP_SANITIZE = 1 << 3,   /* "skip-sanitize-payload" */
};

enum acl_key_perm { ACL_KEY_READ = 1 << 0, ACL_KEY_WRITE = 1 << 1 };

struct acl_pattern {
    char *text;  /* owned */
    size_t len;
    int perms;   /* enum acl_key_perm (keys only) */
};

/* A command's first argument allowed without the whole command
 * ("+select|0"): Redis 7.0 keeps these for commands without subcommands. */
struct acl_firstarg {
    int command_index;
    char *arg;   /* owned */
};

/* One set of command, key and channel permissions. A user has its root
 * selector and any number of extra ones ("(...)"): a command runs when one
 * of them allows it whole. */
struct acl_selector {
    uint64_t allowed[ACL_BITMAP_WORDS]; /* by command index */
    bool all_commands;     /* "+@all": commands added later are allowed too */
    bool all_keys;         /* "~*" / allkeys */
    bool all_channels;     /* "&*" / allchannels */
    struct acl_pattern *keys;      /* owned array */
    int key_count;
    struct acl_pattern *channels;  /* owned array */
    int channel_count;
    struct acl_firstarg *firstargs; /* owned array */
    int firstarg_count;
};

struct acl_user {
    char *name;            /* owned */
    size_t name_len;
    unsigned flags;        /* enum acl_user_flag */
    char (*passwords)[ACL_HASH_HEX_BYTES + 1]; /* owned array of hex digests */
    int password_count;
    struct acl_selector root;
    struct acl_selector *selectors; /* owned array of the extra selectors */
    int selector_count;
    /* Every command, key and channel, no extra selector needed: dispatch
     * skips the check. Recomputed after each change. */
    bool unrestricted;
};

enum acl_denial {
    ACL_OK = 0,
    ACL_DENIED_CMD = 1,
    ACL_DENIED_KEY = 2,
    ACL_DENIED_AUTH = 3,
    ACL_DENIED_CHANNEL = 4,
};

enum acl_log_context { ACL_LOG_TOPLEVEL, ACL_LOG_MULTI };

/* Sets up the table with the default user (requirepass applied). After
 * every command table is registered (acl_commands_added covers later ones). */
void acl_init(struct commands *cs);
void acl_free(struct commands *cs);
/* Newly registered commands become allowed to the selectors with +@all. */
void acl_commands_added(struct commands *cs);
/* Start-up: the `user` directives of the config, or the aclfile (both is
 * an error, as in Redis). Returns -1 with err on failure. */
int acl_load_startup(struct commands *cs, char *err, size_t err_len);
/* CONFIG SET requirepass: the default user's password follows it. */
void acl_requirepass_changed(struct commands *cs);

struct acl_user *acl_default_user(struct commands *cs);
/* The user named so, or NULL. Borrowed. */
struct acl_user *acl_user_lookup(struct commands *cs, const char *name, size_t len);
/* Whether the user may skip the check: one load and one branch. */
static inline bool acl_user_unrestricted(const struct acl_user *u)
{
    return u->unrestricted;
}
/* The user of the AOF replayer's fake client: every permission, never in
 * the table. Borrowed. */
struct acl_user *acl_superuser(struct commands *cs);

/* AUTH / HELLO AUTH: on success c becomes the user's and authenticated;
 * on failure the ACL log records it (object = argv[0]). */
bool acl_authenticate(struct client *c, const struct resp_arg *user, const struct resp_arg *pass);

/* Whether u may run cmd with argv; on denial *pos is the argument at
 * fault (a key or channel's index, else 0). */
enum acl_denial acl_check(struct commands *cs, const struct acl_user *u, const struct command *cmd,
                          int argc, const struct resp_arg *argv, int *pos);
/* Records a denial of c's current command (argv) in the ACL log. */
void acl_log_denial(struct client *c, const struct command *cmd, enum acl_denial why,
                    enum acl_log_context context, int pos);

/* Whether one of u's selectors that allows cmd with argv also reads every
 * key (SORT's BY and GET patterns need that, as in Redis 7.0). */
bool acl_user_reads_all_keys(struct commands *cs, const struct acl_user *u,
                             const struct command *cmd, int argc, const struct resp_arg *argv);
/* The check dispatch runs (after NOAUTH) and EXEC runs again on each
 * queued command (in_exec): false when c may not run cmd with its argv,
 * with the NOPERM error text (with its '-') in msg, and the denial logged. */
bool acl_check_client(struct client *c, struct command *cmd, bool in_exec, char *msg, size_t len);
/* Whether the default user takes any password (protected mode, AUTH's
 * one-argument form). */
bool acl_default_user_nopass(struct commands *cs);
/* Whether a new connection starts authenticated: a default user that is
 * nopass and on. */
bool acl_new_client_authenticated(struct commands *cs);

/* ---- for cmd_acl.c: the table, rules, log and text forms ---- */

#define ACL_CATEGORY_COUNT 21
extern const char *const acl_category_names[ACL_CATEGORY_COUNT];

enum acl_rule_error {
    ACL_RULE_OK = 0,
    ACL_RULE_SYNTAX,
    ACL_RULE_UNKNOWN,
    ACL_RULE_KEYS_AFTER_ALL,
    ACL_RULE_CHANNELS_AFTER_ALL,
    ACL_RULE_NO_PASSWORD,
    ACL_RULE_BAD_HASH,
    ACL_RULE_FIRSTARG_SUB,
};

struct acl_log_entry {
    long long count;
    enum acl_denial reason;
    enum acl_log_context context;
    char *object;       /* owned */
    char *username;     /* owned */
    long long ctime_ms;
    char *client_info;  /* owned: the CLIENT LIST line */
};

struct acl_command_keys; /* acl.c */

struct acl {
    struct acl_user **users;     /* owned, sorted by name (bytes) */
    int user_count;
    int user_cap;
    struct acl_user *default_user; /* also in users */
    /* Owned: the user of clients whose user was deleted, until they
     * close: it may run nothing. */
    struct acl_user *orphan;
    /* Owned: the AOF replayer's, with every permission. */
    struct acl_user *superuser;
    struct acl_log_entry *log;   /* owned, newest first */
    int log_count;
    int log_cap;
    /* owned: each command's parsed key specs, by index, built on first use */
    struct acl_command_keys **keys;
};

/* The text of a rule error ("Syntax error", ...), as Redis 7.0 words it. */
const char *acl_rule_error_text(enum acl_rule_error e);
/* Applies one rule (op, len bytes) to u, or to a selector. On error u may
 * be half-changed: callers apply rules to a copy (acl_user_copy). */
enum acl_rule_error acl_user_apply_rule(struct commands *cs, struct acl_user *u, const char *op,
                                        size_t len);
enum acl_rule_error acl_selector_apply_rule(struct commands *cs, struct acl_selector *s,
                                            const char *op, size_t len);
/* Merges selectors split over several arguments; see acl.c. */
char **acl_merge_rules(int argc, const struct resp_arg *argv, int *out_count, int *unmatched);
int acl_category_lookup(const char *name, size_t len);

/* Users: all return owned or take ownership as said. */
struct acl_user *acl_user_new(struct commands *cs, const char *name, size_t len);
struct acl_user *acl_user_copy(const struct acl_user *src);
void acl_user_free(struct acl_user *u);
void acl_selector_free(struct acl_selector *s);
/* Moves src's contents into dst (borrowed by clients) and frees src. */
void acl_user_replace(const struct commands *cs, struct acl_user *dst, struct acl_user *src);
void acl_user_refresh(const struct commands *cs, struct acl_user *u);
/* Takes ownership of u, whose name must be new. */
void acl_user_insert(struct acl *acl, struct acl_user *u);
/* Closes u's clients (self after its reply) and frees u. */
void acl_user_delete(struct commands *cs, struct acl_user *u, struct client *self);
void acl_user_disconnect(struct commands *cs, struct acl_user *u, struct client *self);
/* After u's rules changed (its root selector was old_root): closes u's
 * clients subscribed to a channel or pattern u may no longer use, as Redis
 * 7.0 does; self after its reply. */
void acl_kill_pubsub_clients(struct commands *cs, struct acl_user *u,
                             const struct acl_selector *old_root, struct client *self);
void acl_hash_password(const char *pass, size_t len, char hex[ACL_HASH_HEX_BYTES + 1]);

/* The log. */
void acl_log_add(struct client *c, enum acl_denial reason, enum acl_log_context context,
                 const char *object, size_t object_len, const char *username, size_t username_len);
void acl_log_reset(struct acl *acl);
void acl_log_trim(struct acl *acl, long long max_len);

/* Text forms: appended to b. Keys ("~a %R~b", "~*"), channels ("&a",
 * "&*"), commands ("-@all +get"), and the whole rule list ACL LIST shows
 * after "user <name> ". */
void acl_describe_keys(const struct acl_selector *s, struct buf *b);
void acl_describe_channels(const struct acl_selector *s, struct buf *b);
void acl_describe_commands(struct commands *cs, const struct acl_selector *s, struct buf *b);
void acl_describe_user(struct commands *cs, const struct acl_user *u, struct buf *b);

/* Every user as its `user <name> <rules>` line, in ACL LIST's order, for
 * CONFIG REWRITE. Returns an owned array of *count owned strings; free each
 * and the array with alloc_free. */
char **acl_user_lines(struct commands *cs, int *count);

/* The aclfile: ACL LOAD replaces every user or none (-1 with err), ACL
 * SAVE writes durably (-1 with err). */
int acl_file_load(struct commands *cs, const char *path, struct client *self, char *err,
                  size_t err_len);
int acl_file_save(struct commands *cs, const char *path, char *err, size_t err_len);

#endif
