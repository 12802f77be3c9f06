/* fsfault.c: an LD_PRELOAD shim that records and fails filesystem calls,
 * so black-box tests can model a power cut and inject I/O errors into a
 * real server (ringkv-server or redis-server) and its forked children.
 *
 * What it owns: the libc entry points below, found with dlsym(RTLD_NEXT).
 * It logs the calls that change directory entries or make things durable,
 * keeps a hard-linked backup of every file a rename replaces or an unlink
 * removes, and fails calls that match a rule of the control file. What it
 * leaves to others: deciding what a power cut undoes (tests/fault/powercut.c
 * replays the log, for the test harness's fsfault_power_cut and for the
 * fsfault-powercut program).
 *
 *   mkdir mkdirat                     -> "mkdir <path>"   (when it created it)
 *   open open64 openat openat64 creat creat64 fopen fopen64, with O_CREAT
 *   (or a "w"/"a" mode)               -> "create <path>"  (when it created a new file)
 *   rename renameat renameat2         -> "rename <from> <to> <backup-or-->"
 *   unlink unlinkat                   -> "unlink <path> <backup-or-->"
 *   fsync fdatasync                   -> "fsync <path-of-fd>" (files and directories)
 *   ftruncate truncate (and their *64
 *   names, which programs built with
 *   _FILE_OFFSET_BITS=64 call)        -> "truncate <path> <len>"
 *   sync_file_range                   -> not logged; can be failed
 *
 * Environment, read once per process:
 *   FSFAULT_LOG=<file>     one line per call that succeeded, each written
 *                          with one write() on an O_APPEND descriptor that
 *                          is opened and closed around it, so lines from the
 *                          server and its children never interleave, and a
 *                          server that closes descriptors it does not know
 *                          cannot make the shim write into another file.
 *                          A test may append lines of its own the same way
 *                          ("mark <label>": a point in time a power cut can
 *                          be replayed at, tests/fault/powercut.h).
 *   FSFAULT_BACKUP=<dir>   where victims are hard-linked (same file system
 *                          as the data: a link cannot cross it) under
 *                          "<pid>-<counter>-<name>".
 *   FSFAULT_CTL=<file>     rules, re-read at each call they could fail (such
 *                          calls are rare: no plain open, read or write is
 *                          one) and re-parsed when the text changed: one per
 *                          line, "<op> <ERRNO> [<path>] [skip=N] [once]",
 *                          ops sync_file_range, fsync (fsync and fdatasync),
 *                          mkdir, rename (matching either path), unlink,
 *                          create (only an open that would create the file),
 *                          ftruncate (ftruncate and truncate), direct (an
 *                          open with O_DIRECT, or fcntl F_SETFL setting
 *                          it: a filesystem without direct I/O). A matching
 *                          call fails with the errno and is not performed.
 *                          For fsync, DROP in place of the errno makes the
 *                          matching call return 0 without being performed
 *                          or logged: the program behaves as if it never
 *                          made that call, so a test can show what a power
 *                          cut takes once a given fsync is missing.
 *                          <path> is a substring of the call's path, or
 *                          with a leading '=' the whole path exactly (a
 *                          directory itself, not the files in it).
 *                          "skip=N" lets the first N matching calls through.
 *                          "once" fails the first matching call in each
 *                          process: a fork child starts with its rules
 *                          unfired and its skips uncounted. Blank lines and '#' comments are
 *                          skipped; a rule it cannot parse is ignored with
 *                          one message on stderr.
 * Paths are absolute: a relative path is joined to the cwd at call time or
 * to the *at dirfd's /proc/self/fd link, "." and ".." are folded, and the
 * parent directory is made canonical with realpath so that it matches the
 * path an fsync of that directory logs.
 *
 * Not modeled: io_uring operations do not go through libc, so writes, reads
 * and fsyncs submitted through a ring are neither logged nor faulted (data
 * written through the ring is not modeled at all: the shim models directory
 * entries, libc fsyncs and writeback). Neither are rmdir (unlinkat with
 * AT_REMOVEDIR), renameat2 with RENAME_EXCHANGE, libc calls that reach the
 * kernel without going through these symbols (remove(), glibc-internal
 * opens), nor the contents of files (a power cut leaves them as they are).
 *
 * A call the shim lets through behaves as libc's: same result, and errno
 * left as it was on success.
 *
 * Key invariant: the shim never recurses into itself. Its own I/O calls the
 * real functions, and a thread-local depth makes any call that reaches a
 * wrapper from inside the shim go straight to libc.
 *
 * State is process-global, unlike the rest of the project: an interposed
 * libc function has no other place to find it. One mutex guards the rules;
 * pthread_atfork keeps a fork from copying it locked and clears the "once"
 * marks in the child. */
#undef _FORTIFY_SOURCE /* the fortified open() is an inline wrapper we must not collide with */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* Rules one control file may hold; more are ignored with a message. */
#define FSFAULT_RULES_MAX 64
/* Longest control file read; the rest is ignored. Rules are one-liners. */
#define FSFAULT_CTL_BYTES_MAX 16384
/* Longest path substring in a rule. */
#define FSFAULT_SUBSTRING_BYTES 256
/* A rule's "errno" DROP (fsync only): the call reports success but is
 * neither performed nor logged. Negative, so no errno can collide. */
#define FSFAULT_DROP (-1)
/* One log line: three paths and a little text. */
#define FSFAULT_LINE_BYTES (3 * PATH_MAX + 64)
/* Environment values kept (paths). */
#define FSFAULT_ENV_BYTES PATH_MAX

enum fsfault_op {
    FSFAULT_OP_SYNC_FILE_RANGE,
    FSFAULT_OP_FSYNC,
    FSFAULT_OP_MKDIR,
    FSFAULT_OP_RENAME,
    FSFAULT_OP_UNLINK,
    FSFAULT_OP_CREATE,
    FSFAULT_OP_FTRUNCATE,
    FSFAULT_OP_DIRECT,
    FSFAULT_OP_COUNT,
};

static const char *const fsfault_op_names[FSFAULT_OP_COUNT] = {
    "sync_file_range", "fsync", "mkdir", "rename", "unlink", "create", "ftruncate", "direct",
};

static const struct {
    const char *name;
    int value;
} fsfault_errnos[] = {
    {"EIO", EIO},       {"ENOSPC", ENOSPC}, {"EDQUOT", EDQUOT},   {"EROFS", EROFS},
    {"ENOMEM", ENOMEM}, {"EPERM", EPERM},   {"EACCES", EACCES},   {"EEXIST", EEXIST},
    {"ENOENT", ENOENT}, {"EINTR", EINTR},   {"EAGAIN", EAGAIN},   {"EFBIG", EFBIG},
    {"EBADF", EBADF},   {"EINVAL", EINVAL}, {"EXDEV", EXDEV},     {"EMFILE", EMFILE},
    {"ENFILE", ENFILE}, {"ENOTDIR", ENOTDIR}, {"EISDIR", EISDIR}, {"EBUSY", EBUSY},
    {"ETIMEDOUT", ETIMEDOUT}, {"ENAMETOOLONG", ENAMETOOLONG},
};

struct fsfault_rule {
    enum fsfault_op op;
    int error;                                /* positive errno to fail with, or FSFAULT_DROP */
    char substring[FSFAULT_SUBSTRING_BYTES];  /* "" matches every path */
    bool exact;                               /* substring is the whole path */
    unsigned skip;                            /* matching calls let through first */
    unsigned seen;                            /* matching calls so far in this process */
    bool once;
    bool fired;                               /* once: already failed a call in this process */
};

/* The real libc (or sanitizer) functions behind the wrappers. */
struct fsfault_real {
    int (*mkdir)(const char *, mode_t);
    int (*mkdirat)(int, const char *, mode_t);
    int (*rename)(const char *, const char *);
    int (*renameat)(int, const char *, int, const char *);
    int (*renameat2)(int, const char *, int, const char *, unsigned int);
    int (*unlink)(const char *);
    int (*unlinkat)(int, const char *, int);
    int (*open)(const char *, int, ...);
    int (*open64)(const char *, int, ...);
    int (*openat)(int, const char *, int, ...);
    int (*openat64)(int, const char *, int, ...);
    int (*creat)(const char *, mode_t);
    int (*creat64)(const char *, mode_t);
    FILE *(*fopen)(const char *, const char *);
    FILE *(*fopen64)(const char *, const char *);
    int (*fsync)(int);
    int (*fdatasync)(int);
    int (*sync_file_range)(int, off64_t, off64_t, unsigned int);
    int (*ftruncate)(int, off_t);
    int (*ftruncate64)(int, off64_t);
    int (*truncate)(const char *, off_t);
    int (*truncate64)(const char *, off64_t);
    int (*fcntl)(int, int, ...);
    int (*fcntl64)(int, int, ...);
};

static struct {
    pthread_once_t once;
    pthread_mutex_t lock;     /* guards the rules and ctl_text */
    struct fsfault_real real;
    char log_path[FSFAULT_ENV_BYTES];    /* "" when FSFAULT_LOG is unset */
    char ctl_path[FSFAULT_ENV_BYTES];    /* "" when FSFAULT_CTL is unset */
    char backup_dir[FSFAULT_ENV_BYTES];  /* "" when FSFAULT_BACKUP is unset */
    char ctl_text[FSFAULT_CTL_BYTES_MAX + 1]; /* the text the rules were parsed from */
    struct fsfault_rule rules[FSFAULT_RULES_MAX];
    int rule_count;
    unsigned long backup_counter;
} fsfault = {.once = PTHREAD_ONCE_INIT, .lock = PTHREAD_MUTEX_INITIALIZER};

/* Nesting of shim work on this thread: a wrapper entered while it is
 * non-zero passes straight through. */
static __thread int fsfault_depth;

/* ---- Set-up ---- */

static void *fsfault_next(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

static void fsfault_atfork_prepare(void)
{
    pthread_mutex_lock(&fsfault.lock);
}

static void fsfault_atfork_parent(void)
{
    pthread_mutex_unlock(&fsfault.lock);
}

/* "once" and "skip" are per process: the child has failed and seen nothing yet. */
static void fsfault_atfork_child(void)
{
    for (int i = 0; i < fsfault.rule_count; i++) {
        fsfault.rules[i].fired = false;
        fsfault.rules[i].seen = 0;
    }
    pthread_mutex_unlock(&fsfault.lock);
}

static void fsfault_env_copy(char *out, const char *name)
{
    const char *value = getenv(name);
    if (value != NULL && strlen(value) < FSFAULT_ENV_BYTES)
        strcpy(out, value);
}

static void fsfault_init(void)
{
    struct fsfault_real *r = &fsfault.real;
    r->mkdir = fsfault_next("mkdir");
    r->mkdirat = fsfault_next("mkdirat");
    r->rename = fsfault_next("rename");
    r->renameat = fsfault_next("renameat");
    r->renameat2 = fsfault_next("renameat2");
    r->unlink = fsfault_next("unlink");
    r->unlinkat = fsfault_next("unlinkat");
    r->open = fsfault_next("open");
    r->open64 = fsfault_next("open64");
    r->openat = fsfault_next("openat");
    r->openat64 = fsfault_next("openat64");
    r->creat = fsfault_next("creat");
    r->creat64 = fsfault_next("creat64");
    r->fopen = fsfault_next("fopen");
    r->fopen64 = fsfault_next("fopen64");
    r->fsync = fsfault_next("fsync");
    r->fdatasync = fsfault_next("fdatasync");
    r->sync_file_range = fsfault_next("sync_file_range");
    r->ftruncate = fsfault_next("ftruncate");
    r->ftruncate64 = fsfault_next("ftruncate64");
    r->truncate = fsfault_next("truncate");
    r->truncate64 = fsfault_next("truncate64");
    r->fcntl = fsfault_next("fcntl");
    r->fcntl64 = fsfault_next("fcntl64");
    fsfault_env_copy(fsfault.log_path, "FSFAULT_LOG");
    fsfault_env_copy(fsfault.ctl_path, "FSFAULT_CTL");
    fsfault_env_copy(fsfault.backup_dir, "FSFAULT_BACKUP");
    pthread_atfork(fsfault_atfork_prepare, fsfault_atfork_parent, fsfault_atfork_child);
}

/* Enters shim work: returns false (and enters nothing) when already inside
 * it, so the caller passes through to the real function. */
static bool fsfault_enter(void)
{
    pthread_once(&fsfault.once, fsfault_init);
    if (fsfault_depth > 0)
        return false;
    fsfault_depth++;
    return true;
}

static void fsfault_leave(void)
{
    fsfault_depth--;
}

/* Says so on stderr with one write, through no stdio buffer of the host. */
static void fsfault_warn(const char *fmt, ...)
{
    char line[FSFAULT_LINE_BYTES];
    int n = snprintf(line, sizeof(line), "fsfault[%d]: ", (int)getpid());
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, len);
    (void)ignored;
}

/* ---- Paths ---- */

/* Folds "//", "." and ".." in the absolute path p, in place. */
static void fsfault_fold(char *p)
{
    char *out = p; /* p[0] == '/' */
    const char *in = p;
    while (*in != '\0') {
        while (*in == '/')
            in++;
        const char *end = strchrnul(in, '/');
        size_t len = (size_t)(end - in);
        if (len == 0 || (len == 1 && in[0] == '.')) {
            /* nothing */
        } else if (len == 2 && in[0] == '.' && in[1] == '.') {
            while (out > p && *--out != '/')
                ;
        } else {
            *out++ = '/';
            memmove(out, in, len);
            out += len;
        }
        in = end;
    }
    if (out == p)
        *out++ = '/';
    *out = '\0';
}

/* The path an open descriptor names, from /proc/self/fd. */
static bool fsfault_fd_path(int fd, char *out, size_t out_len)
{
    char link[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, out_len - 1);
    if (n < 0) {
        snprintf(out, out_len, "(fd %d)", fd);
        return false;
    }
    out[n] = '\0';
    return true;
}

/* Writes path, relative to dirfd (AT_FDCWD: the cwd), as an absolute path
 * with a canonical parent directory into out. */
static void fsfault_resolve(int dirfd, const char *path, char *out, size_t out_len)
{
    char raw[2 * PATH_MAX + 2];
    char base[PATH_MAX];
    if (path[0] == '/') {
        snprintf(raw, sizeof(raw), "%s", path);
    } else {
        bool ok = dirfd == AT_FDCWD ? getcwd(base, sizeof(base)) != NULL
                                    : fsfault_fd_path(dirfd, base, sizeof(base));
        if (!ok)
            snprintf(base, sizeof(base), "/(unknown)");
        snprintf(raw, sizeof(raw), "%s/%s", base, path);
    }
    fsfault_fold(raw);
    char *slash = strrchr(raw, '/');
    char parent[PATH_MAX];
    if (slash == raw || slash[1] == '\0') {
        snprintf(out, out_len, "%s", raw);
        return;
    }
    *slash = '\0';
    if (realpath(raw, parent) == NULL && snprintf(parent, sizeof(parent), "%s", raw) < 0)
        parent[0] = '\0';
    int n = snprintf(out, out_len, "%s/%s", strcmp(parent, "/") == 0 ? "" : parent, slash + 1);
    if (n < 0 || (size_t)n >= out_len)
        fsfault_warn("a path under %s is too long to log whole", parent);
}

static bool fsfault_exists(const char *abs_path, bool follow)
{
    struct stat st;
    return (follow ? stat(abs_path, &st) : lstat(abs_path, &st)) == 0;
}

/* ---- Rules ---- */

static int fsfault_errno_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(fsfault_errnos) / sizeof(fsfault_errnos[0]); i++)
        if (strcmp(fsfault_errnos[i].name, name) == 0)
            return fsfault_errnos[i].value;
    return 0;
}

static int fsfault_op_parse(const char *name)
{
    for (int op = 0; op < FSFAULT_OP_COUNT; op++)
        if (strcmp(fsfault_op_names[op], name) == 0)
            return op;
    return -1;
}

/* Parses one line (NUL-terminated, modified) into rule. Returns false for
 * a line that holds no rule; *bad says whether it was malformed. */
static bool fsfault_rule_parse(char *line, struct fsfault_rule *rule, bool *bad)
{
    *bad = false;
    line += strspn(line, " \t\r");
    if (line[0] == '#')
        return false;
    char *words[5];
    int count = 0;
    for (char *save = NULL, *w = strtok_r(line, " \t\r", &save); w != NULL;
         w = strtok_r(NULL, " \t\r", &save)) {
        if (count == 5)
            return *bad = true, false;
        words[count++] = w;
    }
    if (count == 0)
        return false;
    int op = fsfault_op_parse(words[0]);
    int error = count >= 2 ? fsfault_errno_parse(words[1]) : 0;
    if (op == FSFAULT_OP_FSYNC && count >= 2 && strcmp(words[1], "DROP") == 0)
        error = FSFAULT_DROP;
    if (op < 0 || error == 0)
        return *bad = true, false;
    memset(rule, 0, sizeof(*rule));
    rule->op = (enum fsfault_op)op;
    rule->error = error;
    bool have_path = false;
    for (int i = 2; i < count; i++) {
        char *end;
        if (strcmp(words[i], "once") == 0) {
            rule->once = true;
        } else if (strncmp(words[i], "skip=", 5) == 0) {
            unsigned long n = strtoul(words[i] + 5, &end, 10);
            if (*end != '\0' || end == words[i] + 5 || n > 1000000)
                return *bad = true, false;
            rule->skip = (unsigned)n;
        } else if (!have_path) {
            const char *path = words[i];
            rule->exact = path[0] == '=';
            path += rule->exact;
            if (strlen(path) >= FSFAULT_SUBSTRING_BYTES)
                return *bad = true, false;
            strcpy(rule->substring, path);
            have_path = true;
        } else {
            return *bad = true, false;
        }
    }
    return true;
}

/* Replaces the rules with those of text (modified). Caller holds the lock. */
static void fsfault_rules_parse(char *text)
{
    fsfault.rule_count = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char copy[FSFAULT_SUBSTRING_BYTES + 64]; /* for the message: parsing cuts line up */
        snprintf(copy, sizeof(copy), "%.*s", (int)sizeof(copy) - 1, line);
        struct fsfault_rule rule;
        bool bad;
        if (!fsfault_rule_parse(line, &rule, &bad)) {
            if (bad)
                fsfault_warn("ignoring control rule '%s'", copy);
            continue;
        }
        if (fsfault.rule_count == FSFAULT_RULES_MAX) {
            fsfault_warn("ignoring control rule '%s': more than %d rules", copy,
                         FSFAULT_RULES_MAX);
            continue;
        }
        fsfault.rules[fsfault.rule_count++] = rule;
    }
}

/* Reads the control file and re-parses it if its text changed (a missing
 * file holds no rules). Unchanged text keeps the "once" marks. Caller holds
 * the lock. */
static void fsfault_rules_refresh(void)
{
    char text[FSFAULT_CTL_BYTES_MAX + 1];
    size_t len = 0;
    int fd = fsfault.ctl_path[0] != '\0'
                 ? fsfault.real.open(fsfault.ctl_path, O_RDONLY | O_CLOEXEC)
                 : -1;
    while (fd >= 0 && len < FSFAULT_CTL_BYTES_MAX) {
        ssize_t n = read(fd, text + len, FSFAULT_CTL_BYTES_MAX - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    if (fd >= 0)
        close(fd);
    text[len] = '\0';
    if (strcmp(text, fsfault.ctl_text) == 0)
        return;
    memcpy(fsfault.ctl_text, text, len + 1);
    fsfault_rules_parse(text);
}

static bool fsfault_rule_path_matches(const struct fsfault_rule *rule, const char *path)
{
    if (rule->substring[0] == '\0')
        return true;
    if (rule->exact)
        return strcmp(path, rule->substring) == 0;
    return strstr(path, rule->substring) != NULL;
}

/* The errno a rule makes this call fail with, FSFAULT_DROP (fsync only),
 * or 0. path2 may be NULL. */
static int fsfault_rule_match(enum fsfault_op op, const char *path1, const char *path2)
{
    int error = 0;
    pthread_mutex_lock(&fsfault.lock);
    fsfault_rules_refresh();
    for (int i = 0; i < fsfault.rule_count && error == 0; i++) {
        struct fsfault_rule *rule = &fsfault.rules[i];
        if (rule->op != op || (rule->once && rule->fired))
            continue;
        if (!fsfault_rule_path_matches(rule, path1) &&
            (path2 == NULL || !fsfault_rule_path_matches(rule, path2)))
            continue;
        if (rule->seen++ < rule->skip)
            continue;
        rule->fired = true;
        error = rule->error;
    }
    pthread_mutex_unlock(&fsfault.lock);
    return error;
}

/* ---- The log and the backups ---- */

static void fsfault_log(const char *fmt, ...)
{
    if (fsfault.log_path[0] == '\0')
        return;
    char line[FSFAULT_LINE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof(line) - 2 ? (size_t)n : sizeof(line) - 2;
    line[len++] = '\n';
    int fd = fsfault.real.open(fsfault.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fsfault_warn("cannot open the log %s: %s", fsfault.log_path, strerror(errno));
        return;
    }
    if (write(fd, line, len) != (ssize_t)len)
        fsfault_warn("short write to the log %s", fsfault.log_path);
    close(fd);
}

/* Hard-links victim into the backup directory and writes the link's path
 * into out ("-" when there is no backup directory or the link failed). */
static void fsfault_backup(const char *victim, char *out, size_t out_len)
{
    snprintf(out, out_len, "-");
    if (fsfault.backup_dir[0] == '\0')
        return;
    unsigned long n = __atomic_fetch_add(&fsfault.backup_counter, 1, __ATOMIC_RELAXED);
    const char *name = strrchr(victim, '/');
    char path[PATH_MAX];
    int len = snprintf(path, sizeof(path), "%s/%d-%lu-%s", fsfault.backup_dir, (int)getpid(), n,
                       name != NULL ? name + 1 : victim);
    if (len < 0 || (size_t)len >= sizeof(path)) {
        fsfault_warn("cannot back %s up: the backup path is too long", victim);
        return;
    }
    if (link(victim, path) < 0) {
        fsfault_warn("cannot back %s up as %s: %s", victim, path, strerror(errno));
        return;
    }
    snprintf(out, out_len, "%s", path);
}

/* Drops a backup made for an operation that then failed. */
static void fsfault_backup_drop(const char *backup)
{
    if (strcmp(backup, "-") != 0)
        fsfault.real.unlink(backup);
}

/* ---- Directory entries ---- */

static int fsfault_do_mkdir(int dirfd, const char *path, mode_t mode, bool at)
{
    if (!fsfault_enter())
        return at ? fsfault.real.mkdirat(dirfd, path, mode) : fsfault.real.mkdir(path, mode);
    int saved_errno = errno;
    char abs_path[PATH_MAX];
    fsfault_resolve(dirfd, path, abs_path, sizeof(abs_path));
    int error = fsfault_rule_match(FSFAULT_OP_MKDIR, abs_path, NULL);
    int r = -1;
    if (error == 0) {
        r = at ? fsfault.real.mkdirat(dirfd, path, mode) : fsfault.real.mkdir(path, mode);
        error = r < 0 ? errno : 0;
    }
    if (r == 0)
        fsfault_log("mkdir %s", abs_path);
    fsfault_leave();
    errno = r < 0 ? error : saved_errno;
    return r;
}

int mkdir(const char *path, mode_t mode)
{
    return fsfault_do_mkdir(AT_FDCWD, path, mode, false);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
    return fsfault_do_mkdir(dirfd, path, mode, true);
}

/* rename, renameat and renameat2 (which is what `kind` picks). */
static int fsfault_rename_real(int kind, int from_dirfd, const char *from, int to_dirfd,
                               const char *to, unsigned int flags)
{
    if (kind == 0)
        return fsfault.real.rename(from, to);
    if (kind == 1)
        return fsfault.real.renameat(from_dirfd, from, to_dirfd, to);
    if (fsfault.real.renameat2 == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return fsfault.real.renameat2(from_dirfd, from, to_dirfd, to, flags);
}

static int fsfault_do_rename(int kind, int from_dirfd, const char *from, int to_dirfd,
                             const char *to, unsigned int flags)
{
    if (!fsfault_enter())
        return fsfault_rename_real(kind, from_dirfd, from, to_dirfd, to, flags);
    int saved_errno = errno;
    /* An exchange replaces nothing and is not modeled: pass it through. */
    if (flags & RENAME_EXCHANGE) {
        fsfault_leave();
        return fsfault_rename_real(kind, from_dirfd, from, to_dirfd, to, flags);
    }
    char abs_from[PATH_MAX], abs_to[PATH_MAX], backup[PATH_MAX];
    fsfault_resolve(from_dirfd, from, abs_from, sizeof(abs_from));
    fsfault_resolve(to_dirfd, to, abs_to, sizeof(abs_to));
    int error = fsfault_rule_match(FSFAULT_OP_RENAME, abs_from, abs_to);
    int r = -1;
    snprintf(backup, sizeof(backup), "-");
    if (error == 0) {
        /* Renaming a name onto itself replaces nothing. */
        if (strcmp(abs_from, abs_to) != 0 && fsfault_exists(abs_to, false))
            fsfault_backup(abs_to, backup, sizeof(backup));
        r = fsfault_rename_real(kind, from_dirfd, from, to_dirfd, to, flags);
        error = r < 0 ? errno : 0;
    }
    if (r == 0)
        fsfault_log("rename %s %s %s", abs_from, abs_to, backup);
    else
        fsfault_backup_drop(backup);
    fsfault_leave();
    errno = r < 0 ? error : saved_errno;
    return r;
}

int rename(const char *from, const char *to)
{
    return fsfault_do_rename(0, AT_FDCWD, from, AT_FDCWD, to, 0);
}

int renameat(int from_dirfd, const char *from, int to_dirfd, const char *to)
{
    return fsfault_do_rename(1, from_dirfd, from, to_dirfd, to, 0);
}

int renameat2(int from_dirfd, const char *from, int to_dirfd, const char *to, unsigned int flags)
{
    return fsfault_do_rename(2, from_dirfd, from, to_dirfd, to, flags);
}

static int fsfault_do_unlink(int dirfd, const char *path, int flags, bool at)
{
    if (!fsfault_enter())
        return at ? fsfault.real.unlinkat(dirfd, path, flags) : fsfault.real.unlink(path);
    int saved_errno = errno;
    /* rmdir (AT_REMOVEDIR) is not modeled: pass it through. */
    if (flags & AT_REMOVEDIR) {
        fsfault_leave();
        return fsfault.real.unlinkat(dirfd, path, flags);
    }
    char abs_path[PATH_MAX], backup[PATH_MAX];
    fsfault_resolve(dirfd, path, abs_path, sizeof(abs_path));
    int error = fsfault_rule_match(FSFAULT_OP_UNLINK, abs_path, NULL);
    int r = -1;
    snprintf(backup, sizeof(backup), "-");
    if (error == 0) {
        if (fsfault_exists(abs_path, false))
            fsfault_backup(abs_path, backup, sizeof(backup));
        r = at ? fsfault.real.unlinkat(dirfd, path, flags) : fsfault.real.unlink(path);
        error = r < 0 ? errno : 0;
    }
    if (r == 0)
        fsfault_log("unlink %s %s", abs_path, backup);
    else
        fsfault_backup_drop(backup);
    fsfault_leave();
    errno = r < 0 ? error : saved_errno;
    return r;
}

int unlink(const char *path)
{
    return fsfault_do_unlink(AT_FDCWD, path, 0, false);
}

int unlinkat(int dirfd, const char *path, int flags)
{
    return fsfault_do_unlink(dirfd, path, flags, true);
}

/* ---- Opens that may create ---- */

/* Which real open a call goes to. */
enum fsfault_open_kind {
    FSFAULT_OPEN,
    FSFAULT_OPEN64,
    FSFAULT_OPENAT,
    FSFAULT_OPENAT64,
    FSFAULT_CREAT,
    FSFAULT_CREAT64,
};

static int fsfault_open_real(enum fsfault_open_kind kind, int dirfd, const char *path, int flags,
                             mode_t mode)
{
    switch (kind) {
    case FSFAULT_OPEN: return fsfault.real.open(path, flags, mode);
    case FSFAULT_OPEN64: return fsfault.real.open64(path, flags, mode);
    case FSFAULT_OPENAT: return fsfault.real.openat(dirfd, path, flags, mode);
    case FSFAULT_OPENAT64: return fsfault.real.openat64(dirfd, path, flags, mode);
    case FSFAULT_CREAT: return fsfault.real.creat(path, mode);
    case FSFAULT_CREAT64: return fsfault.real.creat64(path, mode);
    }
    errno = EINVAL;
    return -1;
}

/* Before a call that may create abs_path: the errno a rule fails it with
 * (only when the file does not exist yet: an existing one is not created),
 * and whether it will be new. */
static int fsfault_create_check(const char *abs_path, bool *is_new)
{
    *is_new = !fsfault_exists(abs_path, true);
    return *is_new ? fsfault_rule_match(FSFAULT_OP_CREATE, abs_path, NULL) : 0;
}

static int fsfault_do_open(enum fsfault_open_kind kind, int dirfd, const char *path, int flags,
                           mode_t mode)
{
    /* Only O_CREAT and O_DIRECT concern the shim; O_TMPFILE makes no name. */
    bool creating = kind == FSFAULT_CREAT || kind == FSFAULT_CREAT64 ||
                    ((flags & O_CREAT) != 0 && (flags & O_TMPFILE) != O_TMPFILE);
    bool direct = (flags & O_DIRECT) != 0;
    if ((!creating && !direct) || !fsfault_enter())
        return fsfault_open_real(kind, dirfd, path, flags, mode);
    int saved_errno = errno;
    char abs_path[PATH_MAX];
    fsfault_resolve(kind == FSFAULT_OPENAT || kind == FSFAULT_OPENAT64 ? dirfd : AT_FDCWD, path,
                    abs_path, sizeof(abs_path));
    bool is_new = false;
    int error = direct ? fsfault_rule_match(FSFAULT_OP_DIRECT, abs_path, NULL) : 0;
    if (error == 0 && creating)
        error = fsfault_create_check(abs_path, &is_new);
    int fd = -1;
    if (error == 0) {
        fd = fsfault_open_real(kind, dirfd, path, flags, mode);
        error = fd < 0 ? errno : 0;
    }
    if (fd >= 0 && is_new)
        fsfault_log("create %s", abs_path);
    fsfault_leave();
    errno = fd < 0 ? error : saved_errno;
    return fd;
}

/* The mode argument is there only with O_CREAT or O_TMPFILE. */
#define FSFAULT_MODE_ARG(flags, mode)                                 \
    do {                                                              \
        if ((flags) & (O_CREAT | O_TMPFILE)) {                        \
            va_list ap;                                               \
            va_start(ap, flags);                                      \
            mode = (mode_t)va_arg(ap, int);                           \
            va_end(ap);                                               \
        }                                                             \
    } while (0)

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    FSFAULT_MODE_ARG(flags, mode);
    pthread_once(&fsfault.once, fsfault_init);
    return fsfault_do_open(FSFAULT_OPEN, AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    FSFAULT_MODE_ARG(flags, mode);
    pthread_once(&fsfault.once, fsfault_init);
    return fsfault_do_open(FSFAULT_OPEN64, AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;
    FSFAULT_MODE_ARG(flags, mode);
    pthread_once(&fsfault.once, fsfault_init);
    return fsfault_do_open(FSFAULT_OPENAT, dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;
    FSFAULT_MODE_ARG(flags, mode);
    pthread_once(&fsfault.once, fsfault_init);
    return fsfault_do_open(FSFAULT_OPENAT64, dirfd, path, flags, mode);
}

int creat(const char *path, mode_t mode)
{
    pthread_once(&fsfault.once, fsfault_init);
    return fsfault_do_open(FSFAULT_CREAT, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

int creat64(const char *path, mode_t mode)
{
    pthread_once(&fsfault.once, fsfault_init);
    return fsfault_do_open(FSFAULT_CREAT64, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/* glibc's fopen reaches the kernel without calling open(), so a "w" or
 * "a" mode is handled here (Redis writes its temp RDB through fopen). */
static FILE *fsfault_do_fopen(bool large, const char *path, const char *mode)
{
    pthread_once(&fsfault.once, fsfault_init);
    FILE *(*real)(const char *, const char *) = large ? fsfault.real.fopen64 : fsfault.real.fopen;
    bool creating = mode[0] == 'w' || mode[0] == 'a';
    if (!creating || !fsfault_enter())
        return real(path, mode);
    int saved_errno = errno;
    char abs_path[PATH_MAX];
    fsfault_resolve(AT_FDCWD, path, abs_path, sizeof(abs_path));
    bool is_new;
    int error = fsfault_create_check(abs_path, &is_new);
    FILE *fp = NULL;
    if (error == 0) {
        fp = real(path, mode);
        error = fp == NULL ? errno : 0;
    }
    if (fp != NULL && is_new)
        fsfault_log("create %s", abs_path);
    fsfault_leave();
    errno = fp == NULL ? error : saved_errno;
    return fp;
}

FILE *fopen(const char *path, const char *mode)
{
    return fsfault_do_fopen(false, path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    return fsfault_do_fopen(true, path, mode);
}

/* ---- Durability and sizes ---- */

static int fsfault_do_fsync(int fd, bool data_only)
{
    if (!fsfault_enter())
        return data_only ? fsfault.real.fdatasync(fd) : fsfault.real.fsync(fd);
    int saved_errno = errno;
    char path[PATH_MAX];
    fsfault_fd_path(fd, path, sizeof(path));
    /* A failing fsync is not performed: what it would have written is
     * exactly what the caller may no longer count on. A dropped one is not
     * performed either, and the caller hears it went well. */
    int error = fsfault_rule_match(FSFAULT_OP_FSYNC, path, NULL);
    int r = -1;
    if (error == FSFAULT_DROP) {
        fsfault_leave();
        errno = saved_errno;
        return 0;
    }
    if (error == 0) {
        r = data_only ? fsfault.real.fdatasync(fd) : fsfault.real.fsync(fd);
        error = r < 0 ? errno : 0;
    }
    if (r == 0)
        fsfault_log("fsync %s", path);
    fsfault_leave();
    errno = r < 0 ? error : saved_errno;
    return r;
}

int fsync(int fd)
{
    return fsfault_do_fsync(fd, false);
}

int fdatasync(int fd)
{
    return fsfault_do_fsync(fd, true);
}

int sync_file_range(int fd, off64_t offset, off64_t nbytes, unsigned int flags)
{
    if (!fsfault_enter())
        return fsfault.real.sync_file_range(fd, offset, nbytes, flags);
    int saved_errno = errno;
    char path[PATH_MAX];
    fsfault_fd_path(fd, path, sizeof(path));
    int error = fsfault_rule_match(FSFAULT_OP_SYNC_FILE_RANGE, path, NULL);
    int r = -1;
    if (error == 0) {
        r = fsfault.real.sync_file_range(fd, offset, nbytes, flags);
        error = r < 0 ? errno : 0;
    }
    fsfault_leave();
    errno = r < 0 ? error : saved_errno;
    return r;
}

/* ftruncate and ftruncate64 (large). */
static int fsfault_do_ftruncate(int fd, off64_t length, bool large)
{
    if (!fsfault_enter())
        return large ? fsfault.real.ftruncate64(fd, length)
                     : fsfault.real.ftruncate(fd, (off_t)length);
    int saved_errno = errno;
    char path[PATH_MAX];
    fsfault_fd_path(fd, path, sizeof(path));
    int error = fsfault_rule_match(FSFAULT_OP_FTRUNCATE, path, NULL);
    int r = -1;
    if (error == 0) {
        r = large ? fsfault.real.ftruncate64(fd, length) : fsfault.real.ftruncate(fd, (off_t)length);
        error = r < 0 ? errno : 0;
    }
    if (r == 0)
        fsfault_log("truncate %s %lld", path, (long long)length);
    fsfault_leave();
    errno = r < 0 ? error : saved_errno;
    return r;
}

int ftruncate(int fd, off_t length)
{
    return fsfault_do_ftruncate(fd, length, false);
}

int ftruncate64(int fd, off64_t length)
{
    return fsfault_do_ftruncate(fd, length, true);
}

/* truncate and truncate64 (large). */
static int fsfault_do_truncate(const char *path, off64_t length, bool large)
{
    if (!fsfault_enter())
        return large ? fsfault.real.truncate64(path, length)
                     : fsfault.real.truncate(path, (off_t)length);
    int saved_errno = errno;
    char abs_path[PATH_MAX];
    fsfault_resolve(AT_FDCWD, path, abs_path, sizeof(abs_path));
    int error = fsfault_rule_match(FSFAULT_OP_FTRUNCATE, abs_path, NULL);
    int r = -1;
    if (error == 0) {
        r = large ? fsfault.real.truncate64(path, length)
                  : fsfault.real.truncate(path, (off_t)length);
        error = r < 0 ? errno : 0;
    }
    if (r == 0)
        fsfault_log("truncate %s %lld", abs_path, (long long)length);
    fsfault_leave();
    errno = r < 0 ? error : saved_errno;
    return r;
}

int truncate(const char *path, off_t length)
{
    return fsfault_do_truncate(path, length, false);
}

int truncate64(const char *path, off64_t length)
{
    return fsfault_do_truncate(path, length, true);
}

/* fcntl: only F_SETFL turning O_DIRECT on concerns the shim ("direct"
 * rules). The third argument is read as a pointer-sized value, which holds
 * an int or a pointer alike on the ABIs this runs on. */
static int fsfault_do_fcntl(bool is64, int fd, int cmd, void *arg)
{
    int (*real)(int, int, ...) = is64 && fsfault.real.fcntl64 ? fsfault.real.fcntl64
                                                              : fsfault.real.fcntl;
    if (cmd != F_SETFL || ((long)arg & O_DIRECT) == 0 || !fsfault_enter())
        return real(fd, cmd, arg);
    char path[PATH_MAX];
    int error = fsfault_fd_path(fd, path, sizeof(path))
                    ? fsfault_rule_match(FSFAULT_OP_DIRECT, path, NULL)
                    : 0;
    fsfault_leave();
    if (error > 0) {
        errno = error;
        return -1;
    }
    return real(fd, cmd, arg);
}

int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    pthread_once(&fsfault.once, fsfault_init);
    return fsfault_do_fcntl(false, fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    pthread_once(&fsfault.once, fsfault_init);
    return fsfault_do_fcntl(true, fd, cmd, arg);
}
