/* powercut.c: a power cut replayed from the filesystem fault shim's log.
 *
 * Owns the reading of the log, the decision of which directory changes a
 * power cut keeps, and their undoing. Leaves the logging, and the
 * hard-linked backups an undo restores, to the shim (tests/fault/fsfault.c),
 * and what a cut means for a test to its callers (tests/blackbox/harness.c,
 * tests/fault/fsfault_powercut.c).
 *
 * Two passes. The first reads every line into an entry and refuses a log it
 * cannot trust before anything moves. The second walks the entries newest
 * first, which makes POSIX's rule cheap: the directories fsynced "after" a
 * change are exactly those of the fsync entries seen so far. A cut at a
 * mark (powercut_apply_at) is the same walk with every entry after the
 * mark treated as never having happened.
 *
 * Key invariant: a change is undone only after every newer change that was
 * not durable has been undone, so the names it moves back are where it left
 * them. */
#define _GNU_SOURCE
#include "tests/fault/powercut.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Descriptors nftw may hold open while it removes a directory tree (one
 * per level it descends; deeper trees are still walked, just slower). */
#define POWERCUT_TREE_FDS_MAX 16
/* Words in the longest change line: "rename <from> <to> <backup>". One
 * more is read, so a line with too many (a path with a space) is caught. */
#define POWERCUT_LINE_WORDS_MAX 4

enum powercut_kind {
    POWERCUT_FSYNC,
    POWERCUT_MARK, /* a point in time, appended by a test: not a change */
    POWERCUT_MKDIR,
    POWERCUT_CREATE,
    POWERCUT_RENAME,
    POWERCUT_UNLINK,
    POWERCUT_KIND_COUNT,
};

/* The log's word for each kind, and how many words its line has. */
static const struct {
    const char *word;
    int word_count;
} powercut_kinds[POWERCUT_KIND_COUNT] = {
    [POWERCUT_FSYNC] = {"fsync", 2},   [POWERCUT_MARK] = {"mark", 2},
    [POWERCUT_MKDIR] = {"mkdir", 2},
    [POWERCUT_CREATE] = {"create", 2}, [POWERCUT_RENAME] = {"rename", 4},
    [POWERCUT_UNLINK] = {"unlink", 3},
};

/* One line of the log that matters to the cut. */
struct powercut_entry {
    enum powercut_kind kind;
    const char *path;   /* into the log's text: the entry changed, the one fsynced, a mark's label */
    const char *to;     /* rename's target, else NULL */
    const char *backup; /* rename's replaced target, unlink's victim; "-" for none */
};

struct powercut_log {
    char *text;                     /* owned: the log, its words NUL-terminated in place */
    struct powercut_entry *entries; /* owned: oldest first */
    size_t count;
};

/* Paths fsynced after the change being judged: "\n<path>\n<path>\n". */
struct powercut_synced {
    char *text; /* owned */
    size_t len; /* bytes before the NUL */
};

/* ---- Reading the log ---- */

/* Reads the whole file at path into *out (owned, NUL-terminated; *len does
 * not count the NUL). Returns 0 or -errno. */
static int powercut_file_read(const char *path, char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    char *text = NULL;
    size_t done = 0;
    int r = fstat(fd, &st) < 0 ? -errno : 0;
    if (r == 0 && (uint64_t)st.st_size > POWERCUT_LOG_BYTES_MAX)
        r = -EFBIG;
    if (r == 0 && (text = malloc((size_t)st.st_size + 1)) == NULL)
        r = -ENOMEM;
    while (r == 0 && done < (size_t)st.st_size) {
        ssize_t n = read(fd, text + done, (size_t)st.st_size - done);
        if (n < 0 && errno != EINTR)
            r = -errno;
        if (n == 0)
            break; /* it shrank: the writers are dead, so take what is there */
        if (n > 0)
            done += (size_t)n;
    }
    close(fd);
    if (r < 0) {
        free(text);
        return r;
    }
    text[done] = '\0';
    *out = text;
    *len = done;
    return 0;
}

/* Whether backup is "-" or names a file directly in backup_dir, which is
 * how the shim names every backup it makes. */
static bool powercut_backup_valid(const char *backup, const char *backup_dir)
{
    if (strcmp(backup, "-") == 0)
        return true;
    size_t dir_len = strlen(backup_dir);
    while (dir_len > 0 && backup_dir[dir_len - 1] == '/')
        dir_len--;
    return strncmp(backup, backup_dir, dir_len) == 0 && backup[dir_len] == '/' &&
           backup[dir_len + 1] != '\0' && strchr(backup + dir_len + 1, '/') == NULL;
}

/* Parses one line (modified: its words are NUL-terminated in place) into e.
 * Returns 1 for an entry, 0 for a line the cut ignores (truncate, blank, a
 * word it does not know), -EINVAL for a change or fsync it cannot read or
 * whose backup is not in backup_dir. */
static int powercut_line_parse(char *line, const char *backup_dir, struct powercut_entry *e)
{
    /* An fsync's path is the rest of the line: /proc's name for a deleted
     * file ends in " (deleted)". */
    if (strncmp(line, "fsync ", 6) == 0) {
        *e = (struct powercut_entry){.kind = POWERCUT_FSYNC, .path = line + 6, .backup = "-"};
        return line[6] != '\0' ? 1 : -EINVAL;
    }
    char *words[POWERCUT_LINE_WORDS_MAX + 1];
    int count = 0;
    for (char *save = NULL, *w = strtok_r(line, " ", &save);
         w != NULL && count < POWERCUT_LINE_WORDS_MAX + 1; w = strtok_r(NULL, " ", &save))
        words[count++] = w;
    if (count == 0)
        return 0;
    int kind = POWERCUT_MARK; /* the rest: fsync was read above */
    while (kind < POWERCUT_KIND_COUNT && strcmp(words[0], powercut_kinds[kind].word) != 0)
        kind++;
    if (kind == POWERCUT_KIND_COUNT)
        return 0;
    if (count != powercut_kinds[kind].word_count)
        return -EINVAL;
    *e = (struct powercut_entry){.kind = kind, .path = words[1], .backup = "-"};
    if (kind == POWERCUT_MARK)
        return 1; /* a label, not a path */
    if (kind == POWERCUT_RENAME) {
        e->to = words[2];
        e->backup = words[3];
    } else if (kind == POWERCUT_UNLINK) {
        e->backup = words[2];
    }
    if (e->path[0] != '/' || (e->to != NULL && e->to[0] != '/'))
        return -EINVAL; /* the shim logs absolute paths only */
    return powercut_backup_valid(e->backup, backup_dir) ? 1 : -EINVAL;
}

/* Reads and parses the whole log into log (which powercut_log_free frees,
 * whatever this returns). Returns 0 or -errno. */
static int powercut_log_load(const char *log_path, const char *backup_dir, struct powercut_log *log)
{
    size_t len = 0;
    int r = powercut_file_read(log_path, &log->text, &len);
    if (r < 0)
        return r;
    size_t line_count = 1;
    for (size_t i = 0; i < len; i++)
        line_count += log->text[i] == '\n';
    log->entries = calloc(line_count, sizeof(*log->entries));
    if (log->entries == NULL)
        return -ENOMEM;
    char *line = log->text;
    char *end = log->text + len;
    for (;;) {
        char *newline = memchr(line, '\n', (size_t)(end - line));
        if (newline != NULL)
            *newline = '\0';
        assert(log->count < line_count);
        r = powercut_line_parse(line, backup_dir, &log->entries[log->count]);
        if (r < 0)
            return r;
        log->count += (size_t)r;
        if (newline == NULL)
            return 0;
        line = newline + 1;
    }
}

static void powercut_log_free(struct powercut_log *log)
{
    free(log->entries);
    free(log->text);
}

/* ---- Judging ---- */

/* Whether the path_len bytes at path (not NUL-terminated) are one of the
 * paths in synced. */
static bool powercut_synced_has(const struct powercut_synced *synced, const char *path,
                                size_t path_len)
{
    assert(path_len > 0);
    const char *end = synced->text + synced->len;
    for (const char *p = synced->text + 1; p < end; p++) {
        p = memmem(p, (size_t)(end - p), path, path_len);
        if (p == NULL)
            return false;
        /* p[-1] is in text (p > text), p[path_len] at most its NUL. */
        if (p[-1] == '\n' && p[path_len] == '\n')
            return true;
    }
    return false;
}

/* Adds path to synced, once. Returns 0 or -ENOMEM. */
static int powercut_synced_add(struct powercut_synced *synced, const char *path)
{
    size_t n = strlen(path);
    if (powercut_synced_has(synced, path, n))
        return 0;
    char *text = realloc(synced->text, synced->len + n + 2);
    if (text == NULL)
        return -ENOMEM;
    memcpy(text + synced->len, path, n);
    text[synced->len + n] = '\n';
    text[synced->len + n + 1] = '\0';
    synced->text = text;
    synced->len += n + 1;
    return 0;
}

/* Whether an fsync of the directory holding path is in synced. */
static bool powercut_parent_synced(const struct powercut_synced *synced, const char *path)
{
    assert(path[0] == '/');
    size_t parent_len = (size_t)(strrchr(path, '/') - path);
    return parent_len == 0 ? powercut_synced_has(synced, "/", 1)
                           : powercut_synced_has(synced, path, parent_len);
}

/* ---- Undoing ---- */

static int powercut_tree_entry_remove(const char *path, const struct stat *st, int flag,
                                      struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 ? 0 : -1; /* errno says why; nftw keeps it */
}

/* Removes the directory tree at dir. Returns 0 or -errno. */
static int powercut_tree_remove(const char *dir)
{
    errno = 0;
    if (nftw(dir, powercut_tree_entry_remove, POWERCUT_TREE_FDS_MAX, FTW_DEPTH | FTW_PHYS) == 0)
        return 0;
    return errno != 0 ? -errno : -EIO;
}

/* Moves a backup back to path ("-": there is none). Returns 0 or -errno. */
static int powercut_restore(const char *backup, const char *path)
{
    if (strcmp(backup, "-") == 0)
        return 0;
    return rename(backup, path) == 0 ? 0 : -errno;
}

/* Undoes one change that did not become durable. A name that is no longer
 * there was moved by a change the cut kept; it is left alone, as then there
 * is nothing of this change to undo. Returns 0 or -errno. */
static int powercut_undo(const struct powercut_entry *e)
{
    struct stat st;
    switch (e->kind) {
    case POWERCUT_MKDIR:
        if (lstat(e->path, &st) == 0 && S_ISDIR(st.st_mode))
            return powercut_tree_remove(e->path);
        return 0;
    case POWERCUT_CREATE:
        if (lstat(e->path, &st) == 0 && !S_ISDIR(st.st_mode))
            return unlink(e->path) == 0 ? 0 : -errno;
        return 0;
    case POWERCUT_RENAME:
        if (lstat(e->to, &st) == 0 && rename(e->to, e->path) < 0)
            return -errno;
        return powercut_restore(e->backup, e->to);
    case POWERCUT_UNLINK:
        return powercut_restore(e->backup, e->path);
    case POWERCUT_FSYNC:
    case POWERCUT_MARK:
    case POWERCUT_KIND_COUNT:
        break;
    }
    assert(!"an fsync or a mark is not a change to undo");
    return -EINVAL;
}

/* Walks log newest first, undoing what was not durable when the power went
 * out, after the entry at index cut (log->count: after the last entry).
 * Entries after it did not happen: their changes are undone whatever
 * followed, their fsyncs count for nothing. Returns the number undone or
 * -errno. */
static int powercut_walk(const struct powercut_log *log, size_t cut)
{
    struct powercut_synced synced = {.text = strdup("\n"), .len = 1};
    if (synced.text == NULL)
        return -ENOMEM;
    int undone = 0;
    int r = 0;
    for (size_t i = log->count; i-- > 0 && r == 0;) {
        const struct powercut_entry *e = &log->entries[i];
        if (e->kind == POWERCUT_MARK)
            continue;
        if (e->kind == POWERCUT_FSYNC) {
            if (i <= cut)
                r = powercut_synced_add(&synced, e->path);
            continue;
        }
        bool durable = i <= cut && powercut_parent_synced(&synced, e->path) &&
                       (e->to == NULL || powercut_parent_synced(&synced, e->to));
        if (durable)
            continue;
        r = powercut_undo(e);
        undone += r == 0;
    }
    free(synced.text);
    assert(undone >= 0);
    return r < 0 ? r : undone;
}

int powercut_apply_at(const char *log_path, const char *backup_dir, const char *mark)
{
    assert(log_path != NULL);
    assert(backup_dir != NULL);
    struct powercut_log log = {0};
    int r = powercut_log_load(log_path, backup_dir, &log);
    size_t cut = log.count;
    for (size_t i = 0; r == 0 && mark != NULL && cut == log.count; i++) {
        if (i == log.count)
            r = -ESRCH;
        else if (log.entries[i].kind == POWERCUT_MARK && strcmp(log.entries[i].path, mark) == 0)
            cut = i;
    }
    if (r == 0)
        r = powercut_walk(&log, cut);
    powercut_log_free(&log);
    return r;
}

int powercut_apply(const char *log_path, const char *backup_dir)
{
    return powercut_apply_at(log_path, backup_dir, NULL);
}
