/* ringkv-backup: consistent backups of a running ringkv-server or
 * redis-server 7.0, kept as generations a user can list and restore.
 *
 *     ringkv-backup save [-h host] [-p port] [-a password] [--user name]
 *                        [--keep N] [--mode rdb|aof] [--timeout seconds]
 *                        [--no-verify] [-q] <backup-root>
 *     ringkv-backup restore [--to-timestamp <unix-seconds>] [-q]
 *                           <generation-dir> <data-dir>
 *     ringkv-backup list <backup-root>
 *
 * Owns: talking RESP to the server (CONFIG GET, INFO persistence, BGSAVE),
 * choosing what to copy so that the copy holds every write acknowledged
 * before `save` began, the durable copy (temp name, fsync, rename, fsync of
 * the directory; a generation is built under a temp name and renamed into
 * place only once complete and verified), verification with the check
 * tools, pruning (--keep) and restore. It runs beside the server, not in
 * it, so copying and fsyncing big files never touches the event loop, and
 * it serves Redis users too.
 *
 * What makes a copy consistent:
 *   - RDB: a snapshot forked after `save` began. A BGSAVE already running
 *     then may have forked before a write that was acknowledged before we
 *     began, so it does not count: we wait for it, start our own BGSAVE
 *     (or, if another one started after we saw none running, take that
 *     one: it also forked after we began), wait for rdb_bgsave_in_progress:0
 *     and require rdb_last_bgsave_status:ok and rdb_last_save_time not
 *     before the start. Then dump.rdb is opened (an open fd keeps the file
 *     even if a later save renames another over it) and copied.
 *   - AOF: ringkv writes each command to the incr file before its reply
 *     leaves (durably under always, into the page cache under everysec and
 *     no: net/persist/aof.c aof_reply_offset), so every acknowledged write
 *     is in the files the manifest names when we read them. We read the
 *     manifest, open every file it names, note their sizes, read the
 *     manifest again and retry if it changed (a rewrite ran meanwhile).
 *     The files are copied up to those sizes and the last incr copy is cut
 *     where its log ends (engine/aof_reader: after the last complete
 *     command outside a MULTI, or the last whole batch, dropping the
 *     pre-written padding and a batch or command still being written).
 *     The manifest is written anew without history entries.
 *
 * Layout of a generation, <root>/<UTC time, e.g. 20261206T173000Z>/:
 * backup.info (kind, times, source, file names), then dump.rdb (named as
 * the server's dbfilename) or <appenddirname>/ with the manifest, base and
 * incr files. Directories named .tmp-* are unfinished generations (a crash
 * mid-backup); `save` removes those of processes no longer alive, and
 * `list` ignores them. Progress goes to stderr, results to stdout. */
#define _GNU_SOURCE /* renameat2, RENAME_NOREPLACE */
#include "engine/alloc.h"
#include "engine/aof_manifest.h"
#include "engine/aof_reader.h"
#include "engine/aof_truncate.h"
#include "engine/durable_fs.h"
#include "engine/number.h"
#include "net/wire/resp.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- limits ---- */

/* One read or write of a copy: large enough for disk throughput, small
 * enough to be no memory concern. */
#define BACKUP_COPY_CHUNK_BYTES (1024 * 1024)
/* Progress lines at most this often (a few a second at most). */
#define BACKUP_PROGRESS_INTERVAL_MS 500
/* A reply larger than this (INFO is a few KB) is not from a server we
 * understand. */
#define BACKUP_REPLY_BYTES_MAX (16 * 1024 * 1024)
/* How long one reply may take to arrive. */
#define BACKUP_REPLY_TIMEOUT_MS 30000
/* Default wait for a BGSAVE or rewrite to finish (--timeout). */
#define BACKUP_WAIT_DEFAULT_S 3600
/* Polling interval of INFO persistence while waiting. */
#define BACKUP_POLL_MS 50
/* Attempts at reading a manifest that does not change while its files are
 * opened; each failure means a rewrite installed a new one meanwhile. */
#define BACKUP_MANIFEST_ATTEMPTS_MAX 200
/* Generations made in the same second get a "-N" suffix, up to this. */
#define BACKUP_SAME_SECOND_MAX 1000
/* Output of a check tool kept to show when it fails. */
#define BACKUP_CHECK_OUTPUT_BYTES_MAX (64 * 1024)
/* "20261206T173000Z": the UTC time a generation began. */
#define BACKUP_STAMP_BYTES 16
#define BACKUP_INFO_NAME "backup.info"
#define BACKUP_INFO_BYTES_MAX 4096
#define BACKUP_TEMP_PREFIX ".tmp-"
#define BACKUP_RESTORE_SUFFIX ".restore-tmp"
#define BACKUP_FILE_TEMP_SUFFIX ".tmp"

static_assert(BACKUP_STAMP_BYTES == sizeof("20261206T173000Z") - 1, "stamp size");

/* ---- messages ---- */

static void backup_vwarn(const char *fmt, va_list ap)
{
    fputs("ringkv-backup: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

__attribute__((format(printf, 1, 2)))
static void backup_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    backup_vwarn(fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 1, 2), noreturn))
static void backup_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    backup_vwarn(fmt, ap);
    va_end(ap);
    exit(1);
}

/* Joins dir and name into out, or dies when it does not fit. */
static void backup_path(char *out, size_t out_len, const char *dir, const char *name)
{
    int n = snprintf(out, out_len, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= out_len)
        backup_die("path too long: %s/%s", dir, name);
}

static int64_t backup_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long backup_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void backup_sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/* A name a manifest or backup.info may give: a plain file name. */
static bool backup_name_ok(const char *name)
{
    return name[0] != '\0' && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
           aof_manifest_name_is_basename(name);
}

/* ---- progress ---- */

struct backup_progress {
    bool quiet;
    const char *label; /* borrowed */
    uint64_t total, done;
    int64_t start_ms, last_ms;
    bool printed;
};

static void backup_progress_start(struct backup_progress *p, bool quiet, const char *label,
                                  uint64_t total)
{
    *p = (struct backup_progress){.quiet = quiet, .label = label, .total = total};
    p->start_ms = p->last_ms = backup_now_ms();
}

static void backup_progress_print(struct backup_progress *p, int64_t now)
{
    double secs = (double)(now - p->start_ms) / 1000.0;
    double mb = (double)p->done / 1e6;
    fprintf(stderr, "ringkv-backup: %s: %.1f / %.1f MB (%.1f MB/s)\n", p->label, mb,
            (double)p->total / 1e6, secs > 0 ? mb / secs : 0.0);
    p->last_ms = now;
    p->printed = true;
}

static void backup_progress_add(struct backup_progress *p, size_t bytes)
{
    p->done += bytes;
    int64_t now = backup_now_ms();
    if (!p->quiet && now - p->last_ms >= BACKUP_PROGRESS_INTERVAL_MS)
        backup_progress_print(p, now);
}

static void backup_progress_end(struct backup_progress *p)
{
    if (!p->quiet && p->printed)
        backup_progress_print(p, backup_now_ms());
}

/* ---- durable files ---- */

/* A file being written under <dir>/<name>.tmp, renamed to <dir>/<name> by
 * backup_file_commit. */
struct backup_file {
    int fd;
    char dir[PATH_MAX];
    char name[NAME_MAX + 1];
    char temp_path[PATH_MAX];
};

static int backup_file_create(struct backup_file *f, const char *dir, const char *name)
{
    assert(backup_name_ok(name));
    int n = snprintf(f->dir, sizeof(f->dir), "%s", dir);
    int m = snprintf(f->name, sizeof(f->name), "%s", name);
    int k = snprintf(f->temp_path, sizeof(f->temp_path), "%s/%s%s", dir, name,
                     BACKUP_FILE_TEMP_SUFFIX);
    if (n < 0 || (size_t)n >= sizeof(f->dir) || m < 0 || (size_t)m >= sizeof(f->name) || k < 0 ||
        (size_t)k >= sizeof(f->temp_path))
        return -ENAMETOOLONG;
    f->fd = open(f->temp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return f->fd < 0 ? -errno : 0;
}

static void backup_file_abort(struct backup_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    unlink(f->temp_path);
}

/* fsync, close, rename over the final name, fsync the directory. */
static int backup_file_commit(struct backup_file *f)
{
    if (fsync(f->fd) < 0) {
        int err = -errno;
        backup_file_abort(f);
        return err;
    }
    int err = close(f->fd) < 0 ? -errno : 0;
    f->fd = -1;
    char final_path[PATH_MAX];
    backup_path(final_path, sizeof(final_path), f->dir, f->name);
    if (err == 0)
        err = durable_rename(f->temp_path, final_path, NULL);
    if (err < 0)
        unlink(f->temp_path);
    return err;
}

static int backup_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Copies bytes [0, bytes) of src_fd to dst_fd; *copied gets the count.
 * A source that ends early is an error (-EIO), never a short copy, unless
 * allow_short (the last incr file, whose pre-written padding the server
 * may cut off while we copy). */
static int backup_copy_range(int src_fd, int dst_fd, uint64_t bytes, bool allow_short,
                             struct backup_progress *p, uint64_t *copied)
{
    char *buf = alloc_bytes(BACKUP_COPY_CHUNK_BYTES);
    uint64_t off = 0;
    int err = 0;
    while (err == 0 && off < bytes) {
        size_t want = bytes - off < BACKUP_COPY_CHUNK_BYTES ? (size_t)(bytes - off)
                                                            : BACKUP_COPY_CHUNK_BYTES;
        ssize_t n = pread(src_fd, buf, want, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 && allow_short)
            break;
        if (n <= 0) {
            err = n < 0 ? -errno : -EIO;
            break;
        }
        err = backup_write_all(dst_fd, buf, (size_t)n);
        off += (uint64_t)n;
        backup_progress_add(p, (size_t)n);
    }
    alloc_free(buf);
    *copied = off;
    return err;
}

/* Durably writes text[0..len) as <dir>/<name>. */
static int backup_write_file(const char *dir, const char *name, const void *text, size_t len)
{
    struct backup_file f;
    int err = backup_file_create(&f, dir, name);
    if (err < 0)
        return err;
    err = backup_write_all(f.fd, text, len);
    if (err < 0) {
        backup_file_abort(&f);
        return err;
    }
    return backup_file_commit(&f);
}

/* Where the log of the copied file ends (engine/aof_reader's valid_end):
 * after the last complete command outside a MULTI or the last whole
 * batch. A command or batch cut off by our measuring mid-write, and the
 * pre-written padding, lie after it. */
static size_t backup_log_end(const char *path, uint64_t size, const char *name, bool quiet)
{
    if (size == 0)
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        backup_die("cannot reopen %s: %s", path, strerror(errno));
    void *bytes = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (bytes == MAP_FAILED)
        backup_die("cannot map %s: %s", path, strerror(errno));
    struct aof_reader r;
    aof_reader_init(&r, bytes, (size_t)size, AOF_READER_BULK_BYTES_DEFAULT);
    enum aof_read_result result;
    while ((result = aof_reader_next(&r)) == AOF_READ_COMMAND) {
    }
    if (result == AOF_READ_CORRUPT || result == AOF_READ_RDB)
        backup_die("the server's AOF file %s is not valid at offset %zu: %s", name,
                   r.error_offset, r.reason);
    size_t end = r.valid_end;
    if (!quiet && result != AOF_READ_EOF)
        backup_warn("%s: the copy ends at offset %zu, before what was being written (%s)", name,
                    end, r.reason);
    aof_reader_free(&r);
    munmap(bytes, (size_t)size);
    return end;
}

/* Durably copies the first bytes of src_fd to <dir>/<name>. With cut_log
 * (the last incr file of an AOF, which the server is still writing) the
 * source may end sooner and the copy is cut where its log ends; *kept (may
 * be NULL) gets the bytes kept. */
static int backup_copy_fd(int src_fd, uint64_t bytes, const char *dir, const char *name,
                          bool quiet, bool cut_log, uint64_t *kept)
{
    struct backup_file f;
    int err = backup_file_create(&f, dir, name);
    if (err < 0)
        return err;
    struct backup_progress p;
    char label[NAME_MAX + 16];
    snprintf(label, sizeof(label), "copying %s", name);
    backup_progress_start(&p, quiet, label, bytes);
    uint64_t copied;
    err = backup_copy_range(src_fd, f.fd, bytes, cut_log, &p, &copied);
    backup_progress_end(&p);
    uint64_t end = copied;
    if (err == 0 && cut_log) {
        end = backup_log_end(f.temp_path, copied, name, quiet);
        if (ftruncate(f.fd, (off_t)end) < 0)
            err = -errno;
    }
    if (err < 0) {
        backup_file_abort(&f);
        return err;
    }
    if (kept != NULL)
        *kept = end;
    return backup_file_commit(&f);
}

/* Durably copies the whole file src_path to <dir>/<name>; *bytes gets its
 * size. */
static int backup_copy_path(const char *src_path, const char *dir, const char *name,
                            bool quiet, uint64_t *bytes)
{
    int fd = open(src_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    int err = fstat(fd, &st) < 0 ? -errno : 0;
    if (err == 0) {
        *bytes = (uint64_t)st.st_size;
        err = backup_copy_fd(fd, (uint64_t)st.st_size, dir, name, quiet, false, NULL);
    }
    close(fd);
    return err;
}

static int backup_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    int rc = flag == FTW_DP ? rmdir(path) : unlink(path);
    return rc < 0 && errno != ENOENT ? -1 : 0;
}

/* Removes the tree at path (files and directories, no symlinks followed). */
static int backup_remove_tree(const char *path)
{
    if (nftw(path, backup_remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}

/* rename that never replaces (a generation never overwrites another),
 * then an fsync of the parent. */
static int backup_rename_noreplace(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) < 0)
        return -errno;
    return durable_fsync_parent(to);
}

/* ---- the server connection ---- */

struct backup_conn {
    int fd;
    char *buf; /* owned: bytes received and not yet consumed */
    size_t len, cap;
};

struct backup_target {
    const char *host;     /* borrowed from argv */
    const char *port;
    const char *user;     /* NULL: AUTH <password> */
    const char *password; /* NULL: no AUTH */
};

static void backup_conn_open(struct backup_conn *c, const struct backup_target *t)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res;
    int rc = getaddrinfo(t->host, t->port, &hints, &res);
    if (rc != 0)
        backup_die("cannot resolve %s:%s: %s", t->host, t->port, gai_strerror(rc));
    c->fd = -1;
    int err = 0;
    for (struct addrinfo *ai = res; ai != NULL && c->fd < 0; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            c->fd = fd;
            break;
        }
        err = errno;
        if (fd >= 0)
            close(fd);
    }
    freeaddrinfo(res);
    if (c->fd < 0)
        backup_die("Could not connect to Redis at %s:%s: %s", t->host, t->port, strerror(err));
    c->cap = 4096;
    c->buf = alloc_bytes(c->cap);
    c->len = 0;
}

static void backup_conn_close(struct backup_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    alloc_free(c->buf);
    c->buf = NULL;
}

/* Sends argv as a RESP multibulk. */
static void backup_send(struct backup_conn *c, int argc, const char *const *argv)
{
    struct aof_buffer out;
    aof_buffer_init(&out);
    struct aof_arg args[8];
    assert(argc >= 1 && argc <= 8);
    for (int i = 0; i < argc; i++)
        args[i] = (struct aof_arg){argv[i], strlen(argv[i])};
    aof_encode_command(&out, (size_t)argc, args);
    int err = backup_write_all(c->fd, out.data, out.len);
    aof_buffer_free(&out);
    if (err < 0)
        backup_die("lost the connection to the server: %s", strerror(-err));
}

/* Reads more bytes, waiting at most BACKUP_REPLY_TIMEOUT_MS. */
static void backup_receive(struct backup_conn *c)
{
    if (c->len == c->cap) {
        if (c->cap >= BACKUP_REPLY_BYTES_MAX)
            backup_die("reply larger than %d bytes", BACKUP_REPLY_BYTES_MAX);
        c->cap *= 2;
        c->buf = alloc_resize(c->buf, c->cap);
    }
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    int rc;
    while ((rc = poll(&pfd, 1, BACKUP_REPLY_TIMEOUT_MS)) < 0 && errno == EINTR) {
    }
    if (rc == 0)
        backup_die("no reply from the server within %d s", BACKUP_REPLY_TIMEOUT_MS / 1000);
    ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
    if (n < 0 && errno == EINTR)
        return;
    if (n <= 0)
        backup_die("lost the connection to the server: %s", n < 0 ? strerror(errno) : "closed");
    c->len += (size_t)n;
}

/* Sends a command and returns its reply, owned (resp_value_free). */
static struct resp_value *backup_call(struct backup_conn *c, int argc, const char *const *argv)
{
    backup_send(c, argc, argv);
    for (;;) {
        struct resp_value *v;
        size_t used;
        enum resp_scan_result r = resp_read_reply(c->buf, c->len, &v, &used);
        if (r == RESP_SCAN_MALFORMED)
            backup_die("the server's reply to %s is not RESP", argv[0]);
        if (r == RESP_SCAN_OK) {
            memmove(c->buf, c->buf + used, c->len - used);
            c->len -= used;
            return v;
        }
        backup_receive(c);
    }
}

static void backup_auth(struct backup_conn *c, const struct backup_target *t)
{
    if (t->password == NULL)
        return;
    const char *with_user[] = {"AUTH", t->user, t->password};
    const char *plain[] = {"AUTH", t->password};
    struct resp_value *v = t->user ? backup_call(c, 3, with_user) : backup_call(c, 2, plain);
    if (v->type == RESP_ERROR)
        backup_die("AUTH failed: %s", v->str);
    resp_value_free(v);
}

/* CONFIG GET name: the value, owned (alloc_free). */
static char *backup_config_get(struct backup_conn *c, const char *name)
{
    const char *argv[] = {"CONFIG", "GET", name};
    struct resp_value *v = backup_call(c, 3, argv);
    if (v->type == RESP_ERROR)
        backup_die("CONFIG GET %s failed: %s", name, v->str);
    bool pair = (v->type == RESP_ARRAY || v->type == RESP_MAP) && v->count == 2 &&
                v->elements[1]->str != NULL;
    if (!pair)
        backup_die("CONFIG GET %s: unexpected reply", name);
    char *value = alloc_strndup(v->elements[1]->str, v->elements[1]->len);
    resp_value_free(v);
    return value;
}

/* INFO section: the text, owned (alloc_free). */
static char *backup_info(struct backup_conn *c, const char *section)
{
    const char *argv[] = {"INFO", section};
    struct resp_value *v = backup_call(c, 2, argv);
    if (v->str == NULL || v->type == RESP_ERROR)
        backup_die("INFO %s failed%s%s", section, v->str ? ": " : "", v->str ? v->str : "");
    char *text = alloc_strndup(v->str, v->len);
    resp_value_free(v);
    return text;
}

/* The value of "<field>:" in INFO text as a number; dies when absent. */
static long long backup_info_number(const char *info, const char *field)
{
    size_t n = strlen(field);
    for (const char *p = info; p != NULL && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, field, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            size_t len = strcspn(v, "\r\n");
            long long value;
            if (number_parse_ll(v, len, &value))
                return value;
            break;
        }
    }
    backup_die("INFO has no numeric field %s", field);
}

/* Whether "<field>:<value>" is a line of the INFO text. */
static bool backup_info_is(const char *info, const char *field, const char *value)
{
    char line[128];
    snprintf(line, sizeof(line), "\n%s:%s\r\n", field, value);
    return strncmp(info, line + 1, strlen(line + 1)) == 0 || strstr(info, line) != NULL;
}

/* ---- what the server tells ---- */

enum backup_kind { BACKUP_RDB, BACKUP_AOF };

struct backup_facts {
    char *dir;            /* owned: the server's data directory, absolute */
    char *dbfilename;     /* owned */
    char *appenddirname;  /* owned */
    char *appendfilename; /* owned */
    bool appendonly;
    int databases;
    char server[64];      /* "redis_version <v>" for backup.info */
};

static void backup_facts_free(struct backup_facts *f)
{
    alloc_free(f->dir);
    alloc_free(f->dbfilename);
    alloc_free(f->appenddirname);
    alloc_free(f->appendfilename);
}

/* A relative dir is relative to the server's working directory, which
 * /proc tells for a server on this machine. */
static char *backup_resolve_dir(struct backup_conn *c, char *dir)
{
    if (dir[0] == '/')
        return dir;
    char *info = backup_info(c, "server");
    char proc[64], cwd[PATH_MAX], joined[PATH_MAX];
    snprintf(proc, sizeof(proc), "/proc/%lld/cwd", backup_info_number(info, "process_id"));
    alloc_free(info);
    ssize_t n = readlink(proc, cwd, sizeof(cwd) - 1);
    if (n < 0)
        backup_die("CONFIG GET dir is relative (%s) and %s cannot be read: %s", dir, proc,
                   strerror(errno));
    cwd[n] = '\0';
    backup_path(joined, sizeof(joined), cwd, dir);
    alloc_free(dir);
    return alloc_strdup(joined);
}

static void backup_read_facts(struct backup_conn *c, struct backup_facts *f)
{
    f->dir = backup_resolve_dir(c, backup_config_get(c, "dir"));
    f->dbfilename = backup_config_get(c, "dbfilename");
    f->appenddirname = backup_config_get(c, "appenddirname");
    f->appendfilename = backup_config_get(c, "appendfilename");
    char *appendonly = backup_config_get(c, "appendonly");
    f->appendonly = strcmp(appendonly, "yes") == 0;
    alloc_free(appendonly);
    char *databases = backup_config_get(c, "databases");
    long long n;
    f->databases = number_parse_ll(databases, strlen(databases), &n) && n >= 1 && n <= INT_MAX
                       ? (int)n : 16;
    alloc_free(databases);
    if (!backup_name_ok(f->dbfilename) || !backup_name_ok(f->appenddirname) ||
        !backup_name_ok(f->appendfilename))
        backup_die("the server's dbfilename, appenddirname or appendfilename is not a plain name");
    char *info = backup_info(c, "server");
    const char *v = strstr(info, "redis_version:");
    snprintf(f->server, sizeof(f->server), "%.*s", v ? (int)strcspn(v, "\r\n") : 7,
             v ? v : "unknown");
    alloc_free(info);
}

/* ---- RDB: a BGSAVE forked after we began ---- */

/* Waits until no BGSAVE (when bgsave) and no AOF rewrite (when rewrite)
 * runs. Returns the last INFO persistence text, owned. */
static char *backup_wait_idle(struct backup_conn *c, int64_t deadline_ms, bool bgsave,
                              bool rewrite)
{
    for (;;) {
        char *info = backup_info(c, "persistence");
        bool busy = (bgsave && backup_info_is(info, "rdb_bgsave_in_progress", "1")) ||
                    (rewrite && backup_info_is(info, "aof_rewrite_in_progress", "1"));
        if (!busy)
            return info;
        alloc_free(info);
        if (backup_now_ms() > deadline_ms)
            backup_die("timed out waiting for a BGSAVE or AOF rewrite to finish");
        backup_sleep_ms(BACKUP_POLL_MS);
    }
}

/* Starts a BGSAVE that forks after this call began, or finds one another
 * client started after none was running. */
static void backup_start_bgsave(struct backup_conn *c, int64_t deadline_ms)
{
    for (;;) {
        alloc_free(backup_wait_idle(c, deadline_ms, true, true));
        const char *argv[] = {"BGSAVE"};
        struct resp_value *v = backup_call(c, 1, argv);
        bool started = v->type == RESP_STRING;
        /* Someone else's, begun after we saw none running: it forked after
         * we began too, so it holds every write acknowledged before. */
        bool theirs = v->type == RESP_ERROR && strstr(v->str, "already in progress") != NULL;
        bool child = v->type == RESP_ERROR && strstr(v->str, "Another child process") != NULL;
        if (!started && !theirs && !child)
            backup_die("BGSAVE failed: %s", v->str ? v->str : "unexpected reply");
        resp_value_free(v);
        if (started || theirs)
            return;
        if (backup_now_ms() > deadline_ms)
            backup_die("timed out waiting to start a BGSAVE");
        backup_sleep_ms(BACKUP_POLL_MS);
    }
}

static void backup_bgsave(struct backup_conn *c, time_t started_s, int64_t deadline_ms)
{
    backup_start_bgsave(c, deadline_ms);
    char *info = backup_wait_idle(c, deadline_ms, true, false);
    if (!backup_info_is(info, "rdb_last_bgsave_status", "ok"))
        backup_die("BGSAVE failed (rdb_last_bgsave_status is not ok): see the server's log");
    if (backup_info_number(info, "rdb_last_save_time") < (long long)started_s)
        backup_die("BGSAVE ended but rdb_last_save_time did not advance past the start");
    alloc_free(info);
}

/* Copies dump.rdb into gen; returns the bytes copied. */
static uint64_t backup_save_rdb(struct backup_conn *c, const struct backup_facts *f,
                                const char *gen, time_t started_s, int64_t deadline_ms, bool quiet)
{
    backup_bgsave(c, started_s, deadline_ms);
    char src[PATH_MAX];
    backup_path(src, sizeof(src), f->dir, f->dbfilename);
    uint64_t bytes = 0;
    int err = backup_copy_path(src, gen, f->dbfilename, quiet, &bytes);
    if (err < 0)
        backup_die("copying %s failed: %s", src, strerror(-err));
    return bytes;
}

/* ---- AOF: the manifest's files, consistent with each other ---- */

struct backup_aof_set {
    struct aof_manifest m;
    size_t count; /* files to load, base first */
    int *fds;     /* owned, count entries */
    uint64_t *sizes;
};

static void backup_aof_set_close(struct backup_aof_set *s)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->fds[i] >= 0)
            close(s->fds[i]);
    alloc_free(s->fds);
    alloc_free(s->sizes);
    aof_manifest_free(&s->m);
    memset(s, 0, sizeof(*s));
}

static void backup_read_manifest(const char *path, struct aof_buffer *text)
{
    aof_buffer_clear(text);
    int err = aof_manifest_read_file(path, text);
    if (err < 0)
        backup_die("cannot read the AOF manifest %s: %s", path, strerror(-err));
}

/* Parses text and opens every file it names. Returns false when one is
 * gone (a rewrite finished meanwhile): then try again. */
static bool backup_aof_open_all(const char *aof_dir, const struct aof_buffer *text,
                                struct backup_aof_set *s)
{
    struct aof_manifest_error merr;
    aof_manifest_init(&s->m);
    if (aof_manifest_parse(&s->m, text->data, text->len, &merr) != AOF_MANIFEST_PARSE_OK)
        backup_die("the AOF manifest is not valid (line %d): %s", merr.line, merr.reason);
    s->count = aof_manifest_load_count(&s->m);
    if (s->count == 0)
        backup_die("the AOF manifest names no file to load");
    s->fds = alloc_bytes(s->count * sizeof(int));
    s->sizes = alloc_zeroed(s->count * sizeof(uint64_t));
    for (size_t i = 0; i < s->count; i++)
        s->fds[i] = -1;
    for (size_t i = 0; i < s->count; i++) {
        const struct aof_file_info *info = aof_manifest_load_file(&s->m, i);
        if (!backup_name_ok(info->name))
            backup_die("the AOF manifest names '%s', not a plain file name", info->name);
        char path[PATH_MAX];
        backup_path(path, sizeof(path), aof_dir, info->name);
        s->fds[i] = open(path, O_RDONLY | O_CLOEXEC);
        if (s->fds[i] < 0 && errno == ENOENT)
            return false;
        struct stat st;
        if (s->fds[i] < 0 || fstat(s->fds[i], &st) < 0)
            backup_die("cannot open %s: %s", path, strerror(errno));
        s->sizes[i] = (uint64_t)st.st_size;
    }
    return true;
}

/* Opens the files of one manifest that did not change while they were
 * opened and measured: a consistent set. */
static void backup_aof_snapshot(const char *aof_dir, const char *manifest_path,
                                struct backup_aof_set *s)
{
    struct aof_buffer before, after;
    aof_buffer_init(&before);
    aof_buffer_init(&after);
    for (int attempt = 0;; attempt++) {
        if (attempt == BACKUP_MANIFEST_ATTEMPTS_MAX)
            backup_die("the AOF manifest kept changing: gave up after %d attempts", attempt);
        memset(s, 0, sizeof(*s));
        backup_read_manifest(manifest_path, &before);
        bool opened = backup_aof_open_all(aof_dir, &before, s);
        if (opened) {
            backup_read_manifest(manifest_path, &after);
            if (after.len == before.len && memcmp(after.data, before.data, before.len) == 0)
                break;
        }
        backup_aof_set_close(s);
        backup_sleep_ms(BACKUP_POLL_MS / 5);
    }
    aof_buffer_free(&before);
    aof_buffer_free(&after);
}

/* Copies the last incr file up to size and cuts the copy where its log
 * ends. Returns the bytes kept. */
static uint64_t backup_copy_last_incr(int src_fd, uint64_t size, const char *dir,
                                      const char *name, bool quiet)
{
    uint64_t kept;
    int err = backup_copy_fd(src_fd, size, dir, name, quiet, true, &kept);
    if (err < 0)
        backup_die("copying %s failed: %s", name, strerror(-err));
    return kept;
}

static uint64_t backup_save_aof(struct backup_conn *c, const struct backup_facts *f,
                                const char *gen, int64_t deadline_ms, bool quiet)
{
    /* A rewrite that installs the first base after CONFIG SET appendonly
     * yes leaves no manifest worth copying until it ends. */
    alloc_free(backup_wait_idle(c, deadline_ms, false, true));
    char aof_dir[PATH_MAX], manifest_path[PATH_MAX], gen_dir[PATH_MAX];
    backup_path(aof_dir, sizeof(aof_dir), f->dir, f->appenddirname);
    char *manifest_name = aof_manifest_file_name(f->appendfilename);
    backup_path(manifest_path, sizeof(manifest_path), aof_dir, manifest_name);
    backup_path(gen_dir, sizeof(gen_dir), gen, f->appenddirname);
    int err = durable_mkdir(gen_dir, 0755);
    if (err < 0)
        backup_die("cannot create %s: %s", gen_dir, strerror(-err));
    struct backup_aof_set s;
    backup_aof_snapshot(aof_dir, manifest_path, &s);
    uint64_t bytes = 0;
    for (size_t i = 0; i < s.count; i++) {
        const struct aof_file_info *info = aof_manifest_load_file(&s.m, i);
        if (i + 1 == s.count && info->type == AOF_FILE_TYPE_INCR) {
            bytes += backup_copy_last_incr(s.fds[i], s.sizes[i], gen_dir, info->name, quiet);
            continue;
        }
        err = backup_copy_fd(s.fds[i], s.sizes[i], gen_dir, info->name, quiet, false, NULL);
        if (err < 0)
            backup_die("copying %s failed: %s", info->name, strerror(-err));
        bytes += s.sizes[i];
    }
    aof_manifest_clear_history(&s.m);
    err = aof_manifest_write_file(gen_dir, f->appendfilename, &s.m);
    if (err < 0)
        backup_die("cannot write the manifest in %s: %s", gen_dir, strerror(-err));
    backup_aof_set_close(&s);
    alloc_free(manifest_name);
    return bytes;
}

/* ---- verification with the check tools ---- */

/* Finds tool next to our own binary, else on PATH. */
static bool backup_find_tool(const char *tool, char *out, size_t out_len)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash != NULL) {
            *slash = '\0';
            int k = snprintf(out, out_len, "%s/%s", self, tool);
            if (k > 0 && (size_t)k < out_len && access(out, X_OK) == 0)
                return true;
        }
    }
    const char *path = getenv("PATH");
    while (path != NULL && *path) {
        size_t len = strcspn(path, ":");
        int k = snprintf(out, out_len, "%.*s/%s", (int)len, path, tool);
        if (len > 0 && k > 0 && (size_t)k < out_len && access(out, X_OK) == 0)
            return true;
        path += len + (path[len] == ':');
    }
    return false;
}

/* Runs argv (argv[0] a path) with stdout and stderr captured into out
 * (NUL-terminated, the first out_len - 1 bytes). Returns the exit status
 * (0 success), or -1 when it did not run or ended by a signal. */
static int backup_run(char *const argv[], char *out, size_t out_len)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        dup2(pipefd[1], STDOUT_FILENO);
        dup2(pipefd[1], STDERR_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pipefd[1]);
    size_t used = 0;
    char sink[4096];
    for (;;) {
        bool room = used + 1 < out_len;
        ssize_t n = read(pipefd[0], room ? out + used : sink, room ? out_len - 1 - used : sizeof(sink));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (room)
            used += (size_t)n;
    }
    out[used] = '\0';
    close(pipefd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Checks file (a dump or a manifest) with ringkv-check-rdb or
 * ringkv-check-aof. Returns true when it is sound; prints why not. */
static bool backup_verify(enum backup_kind kind, const char *file, int databases)
{
    const char *tool = kind == BACKUP_RDB ? "ringkv-check-rdb" : "ringkv-check-aof";
    char tool_path[PATH_MAX];
    if (!backup_find_tool(tool, tool_path, sizeof(tool_path))) {
        backup_warn("cannot verify: %s is neither next to ringkv-backup nor on PATH "
                    "(--no-verify skips verification)", tool);
        return false;
    }
    char db_text[24];
    snprintf(db_text, sizeof(db_text), "%d", databases);
    char *argv[] = {tool_path, "--databases", db_text, (char *)file, NULL};
    char *out = alloc_bytes(BACKUP_CHECK_OUTPUT_BYTES_MAX);
    int status = backup_run(argv, out, BACKUP_CHECK_OUTPUT_BYTES_MAX);
    if (status != 0)
        backup_warn("verification of %s failed (%s exited with %d):\n%s", file, tool, status, out);
    alloc_free(out);
    return status == 0;
}

/* ---- generations ---- */

/* What backup.info says. */
struct backup_meta {
    enum backup_kind kind;
    long long started_ms;
    int databases;
    char dbfilename[NAME_MAX + 1];
    char appenddirname[NAME_MAX + 1];
    char appendfilename[NAME_MAX + 1];
};

static void backup_write_meta(const char *gen, const struct backup_meta *m, const char *source,
                              const char *server, uint64_t bytes)
{
    char text[BACKUP_INFO_BYTES_MAX];
    int n = snprintf(text, sizeof(text),
                     "# ringkv-backup generation\nkind %s\nstarted_unix_ms %lld\n"
                     "finished_unix_ms %lld\nsource %s\nserver %s\ndatabases %d\n"
                     "dbfilename %s\nappenddirname %s\nappendfilename %s\nbytes %llu\n",
                     m->kind == BACKUP_RDB ? "rdb" : "aof", m->started_ms,
                     backup_wall_ms(), source, server, m->databases, m->dbfilename,
                     m->appenddirname, m->appendfilename, (unsigned long long)bytes);
    if (n < 0 || (size_t)n >= sizeof(text))
        backup_die("backup.info does not fit in %d bytes", BACKUP_INFO_BYTES_MAX);
    int err = backup_write_file(gen, BACKUP_INFO_NAME, text, (size_t)n);
    if (err < 0)
        backup_die("cannot write %s/%s: %s", gen, BACKUP_INFO_NAME, strerror(-err));
}

/* Copies the value of "key value" into out; false if absent or too long. */
static bool backup_meta_field(const char *text, const char *key, char *out, size_t out_len)
{
    size_t klen = strlen(key);
    for (const char *p = text; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n')) {
        if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
            size_t len = strcspn(p + klen + 1, "\n");
            if (len >= out_len)
                return false;
            memcpy(out, p + klen + 1, len);
            out[len] = '\0';
            return true;
        }
    }
    return false;
}

/* Reads <gen>/backup.info. Returns false when it is missing or malformed. */
static bool backup_read_meta(const char *gen, struct backup_meta *m)
{
    char path[PATH_MAX], text[BACKUP_INFO_BYTES_MAX], field[64];
    backup_path(path, sizeof(path), gen, BACKUP_INFO_NAME);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0)
        return false;
    text[n] = '\0';
    long long started, databases;
    bool ok = backup_meta_field(text, "kind", field, sizeof(field)) &&
              (strcmp(field, "rdb") == 0 || strcmp(field, "aof") == 0);
    m->kind = ok && strcmp(field, "aof") == 0 ? BACKUP_AOF : BACKUP_RDB;
    ok = ok && backup_meta_field(text, "started_unix_ms", field, sizeof(field)) &&
         number_parse_ll(field, strlen(field), &started);
    ok = ok && backup_meta_field(text, "databases", field, sizeof(field)) &&
         number_parse_ll(field, strlen(field), &databases) && databases >= 1 &&
         databases <= INT_MAX;
    ok = ok && backup_meta_field(text, "dbfilename", m->dbfilename, sizeof(m->dbfilename)) &&
         backup_meta_field(text, "appenddirname", m->appenddirname, sizeof(m->appenddirname)) &&
         backup_meta_field(text, "appendfilename", m->appendfilename, sizeof(m->appendfilename));
    ok = ok && backup_name_ok(m->dbfilename) && backup_name_ok(m->appenddirname) &&
         backup_name_ok(m->appendfilename);
    m->started_ms = ok ? started : 0;
    m->databases = ok ? (int)databases : 0;
    return ok;
}

/* Whether name is a generation's: "YYYYMMDDTHHMMSSZ", maybe "-N". */
static bool backup_is_generation_name(const char *name)
{
    static const char shape[] = "99999999T999999Z";
    for (size_t i = 0; i < BACKUP_STAMP_BYTES; i++) {
        bool digit = name[i] >= '0' && name[i] <= '9';
        if (shape[i] == '9' ? !digit : name[i] != shape[i])
            return false;
    }
    const char *rest = name + BACKUP_STAMP_BYTES;
    if (*rest == '\0')
        return true;
    if (*rest != '-' || rest[1] == '\0')
        return false;
    return strspn(rest + 1, "0123456789") == strlen(rest + 1);
}

/* Orders generations by time, then by their "-N" suffix. */
static int backup_generation_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int c = strncmp(x, y, BACKUP_STAMP_BYTES);
    if (c != 0)
        return c;
    long sx = x[BACKUP_STAMP_BYTES] ? atol(x + BACKUP_STAMP_BYTES + 1) : 0;
    long sy = y[BACKUP_STAMP_BYTES] ? atol(y + BACKUP_STAMP_BYTES + 1) : 0;
    return (sx > sy) - (sx < sy);
}

struct backup_names {
    char **items; /* owned strings */
    size_t count, cap;
};

static void backup_names_free(struct backup_names *n)
{
    for (size_t i = 0; i < n->count; i++)
        alloc_free(n->items[i]);
    alloc_free(n->items);
    memset(n, 0, sizeof(*n));
}

/* The complete generations in root (a generation name and a backup.info),
 * oldest first. */
static void backup_list_generations(const char *root, struct backup_names *out)
{
    memset(out, 0, sizeof(*out));
    DIR *d = opendir(root);
    if (d == NULL)
        backup_die("cannot open the backup root %s: %s", root, strerror(errno));
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char gen[PATH_MAX];
        struct backup_meta meta;
        if (!backup_is_generation_name(e->d_name))
            continue;
        backup_path(gen, sizeof(gen), root, e->d_name);
        if (!backup_read_meta(gen, &meta))
            continue;
        if (out->count == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 16;
            out->items = alloc_resize(out->items, out->cap * sizeof(char *));
        }
        out->items[out->count++] = alloc_strdup(e->d_name);
    }
    closedir(d);
    if (out->count > 1)
        qsort(out->items, out->count, sizeof(char *), backup_generation_cmp);
}

/* Removes a directory of root so that it never looks complete while half
 * removed: renamed to a temp name first (fsync of root), then deleted. */
static int backup_remove_generation(const char *root, const char *name)
{
    char from[PATH_MAX], to[PATH_MAX], temp[NAME_MAX + 1];
    snprintf(temp, sizeof(temp), "%sdel-%.200s-%ld", BACKUP_TEMP_PREFIX, name, (long)getpid());
    backup_path(from, sizeof(from), root, name);
    backup_path(to, sizeof(to), root, temp);
    int err = backup_rename_noreplace(from, to);
    if (err == 0)
        err = backup_remove_tree(to);
    return err;
}

/* Keeps the newest keep generations. */
static void backup_prune(const char *root, long long keep)
{
    struct backup_names gens;
    backup_list_generations(root, &gens);
    size_t removed = 0;
    for (size_t i = 0; i + (size_t)keep < gens.count; i++) {
        int err = backup_remove_generation(root, gens.items[i]);
        if (err < 0)
            backup_die("cannot remove old generation %s/%s: %s", root, gens.items[i],
                       strerror(-err));
        printf("removed %s/%s\n", root, gens.items[i]);
        removed++;
    }
    backup_names_free(&gens);
    int err = removed > 0 ? durable_fsync_dir(root) : 0;
    if (err < 0)
        backup_die("cannot fsync %s: %s", root, strerror(-err));
}

/* Removes temp directories left by save or prune processes that died. */
static void backup_remove_stale(const char *root)
{
    DIR *d = opendir(root);
    if (d == NULL)
        backup_die("cannot open the backup root %s: %s", root, strerror(errno));
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strncmp(e->d_name, BACKUP_TEMP_PREFIX, strlen(BACKUP_TEMP_PREFIX)) != 0)
            continue;
        const char *dash = strrchr(e->d_name, '-');
        long long pid;
        if (dash == NULL || !number_parse_ll(dash + 1, strlen(dash + 1), &pid) || pid <= 0 ||
            pid > INT_MAX)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char path[PATH_MAX];
        backup_path(path, sizeof(path), root, e->d_name);
        if (backup_remove_tree(path) < 0)
            backup_warn("cannot remove the unfinished %s: %s", path, strerror(errno));
    }
    closedir(d);
}

/* ---- save ---- */

struct backup_save_options {
    struct backup_target target;
    const char *root;
    long long keep;    /* 0: keep all */
    int mode;          /* -1: from appendonly, else an enum backup_kind */
    long long timeout_s;
    bool verify;
    bool quiet;
};

/* The temp directory of the generation being made, removed if we die
 * before it is complete. The one file-scope variable: an exit handler
 * cannot be handed a context. */
static char backup_unfinished[PATH_MAX];

static void backup_remove_unfinished(void)
{
    if (backup_unfinished[0] != '\0')
        backup_remove_tree(backup_unfinished);
}

static void backup_stamp(char out[BACKUP_STAMP_BYTES + 1], time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, BACKUP_STAMP_BYTES + 1, "%Y%m%dT%H%M%SZ", &tm);
    assert(n == BACKUP_STAMP_BYTES);
}

/* Renames the finished temp directory to the generation's name, with a
 * "-N" suffix when another generation began in the same second. */
static void backup_install(const char *root, const char *temp, const char *stamp, char *final,
                           size_t final_len)
{
    int err = durable_fsync_dir(temp);
    for (int i = 1; err == 0 && i <= BACKUP_SAME_SECOND_MAX; i++) {
        char name[BACKUP_STAMP_BYTES + 16];
        snprintf(name, sizeof(name), i == 1 ? "%s" : "%s-%d", stamp, i);
        backup_path(final, final_len, root, name);
        err = backup_rename_noreplace(temp, final);
        if (err == -EEXIST || err == -ENOTEMPTY)
            err = 0;
        else
            break;
    }
    if (err < 0)
        backup_die("cannot install the generation %s: %s", temp, strerror(-err));
}

static int backup_save(const struct backup_save_options *o)
{
    struct timespec began;
    clock_gettime(CLOCK_REALTIME, &began);
    int64_t deadline_ms = backup_now_ms() + o->timeout_s * 1000;
    int err = durable_mkdir(o->root, 0755);
    if (err < 0)
        backup_die("cannot create the backup root %s: %s", o->root, strerror(-err));
    backup_remove_stale(o->root);
    char stamp[BACKUP_STAMP_BYTES + 1], temp_name[64], temp[PATH_MAX];
    backup_stamp(stamp, began.tv_sec);
    snprintf(temp_name, sizeof(temp_name), "%s%s-%ld", BACKUP_TEMP_PREFIX, stamp, (long)getpid());
    backup_path(temp, sizeof(temp), o->root, temp_name);
    if ((err = durable_mkdir(temp, 0755)) < 0)
        backup_die("cannot create %s: %s", temp, strerror(-err));
    snprintf(backup_unfinished, sizeof(backup_unfinished), "%s", temp);
    atexit(backup_remove_unfinished);

    struct backup_conn c;
    backup_conn_open(&c, &o->target);
    backup_auth(&c, &o->target);
    struct backup_facts f;
    backup_read_facts(&c, &f);
    enum backup_kind kind = o->mode >= 0 ? (enum backup_kind)o->mode
                                         : f.appendonly ? BACKUP_AOF : BACKUP_RDB;
    if (kind == BACKUP_AOF && !f.appendonly)
        backup_die("--mode aof needs appendonly yes on the server");
    uint64_t bytes = kind == BACKUP_RDB
                         ? backup_save_rdb(&c, &f, temp, began.tv_sec, deadline_ms, o->quiet)
                         : backup_save_aof(&c, &f, temp, deadline_ms, o->quiet);
    backup_conn_close(&c);

    struct backup_meta meta = {.kind = kind, .databases = f.databases,
                               .started_ms = (long long)began.tv_sec * 1000 + began.tv_nsec / 1000000};
    snprintf(meta.dbfilename, sizeof(meta.dbfilename), "%s", f.dbfilename);
    snprintf(meta.appenddirname, sizeof(meta.appenddirname), "%s", f.appenddirname);
    snprintf(meta.appendfilename, sizeof(meta.appendfilename), "%s", f.appendfilename);
    char source[300];
    snprintf(source, sizeof(source), "%s:%s", o->target.host, o->target.port);
    backup_write_meta(temp, &meta, source, f.server, bytes);

    char check[PATH_MAX], final[PATH_MAX];
    if (kind == BACKUP_RDB) {
        backup_path(check, sizeof(check), temp, f.dbfilename);
    } else {
        char *manifest = aof_manifest_file_name(f.appendfilename);
        char aof_dir[PATH_MAX];
        backup_path(aof_dir, sizeof(aof_dir), temp, f.appenddirname);
        backup_path(check, sizeof(check), aof_dir, manifest);
        alloc_free(manifest);
    }
    if (o->verify && !backup_verify(kind, check, f.databases))
        backup_die("the copy failed verification: generation removed");
    backup_install(o->root, temp, stamp, final, sizeof(final));
    backup_unfinished[0] = '\0';
    printf("%s backup of %s: %s (%llu bytes)\n", kind == BACKUP_RDB ? "RDB" : "AOF", source, final,
           (unsigned long long)bytes);
    if (o->keep > 0)
        backup_prune(o->root, o->keep);
    backup_facts_free(&f);
    return 0;
}

/* ---- list ---- */

/* Bytes of the files under dir; a generation has at most one level of
 * subdirectories, so depth stops the walk there. */
static uint64_t backup_dir_bytes(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    uint64_t total = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char path[PATH_MAX];
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        backup_path(path, sizeof(path), dir, e->d_name);
        if (lstat(path, &st) < 0)
            continue;
        if (S_ISREG(st.st_mode))
            total += (uint64_t)st.st_size;
        else if (S_ISDIR(st.st_mode) && depth > 0)
            total += backup_dir_bytes(path, depth - 1);
    }
    closedir(d);
    return total;
}

static int backup_list(const char *root)
{
    struct backup_names gens;
    backup_list_generations(root, &gens);
    printf("%-24s %-4s %14s  %s\n", "GENERATION", "KIND", "BYTES", "STARTED (UTC)");
    for (size_t i = 0; i < gens.count; i++) {
        char gen[PATH_MAX], when[32];
        struct backup_meta meta;
        backup_path(gen, sizeof(gen), root, gens.items[i]);
        if (!backup_read_meta(gen, &meta))
            continue;
        time_t t = (time_t)(meta.started_ms / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
        printf("%-24s %-4s %14llu  %s\n", gens.items[i], meta.kind == BACKUP_RDB ? "rdb" : "aof",
               (unsigned long long)backup_dir_bytes(gen, 1), when);
    }
    backup_names_free(&gens);
    return 0;
}

/* ---- restore ---- */

struct backup_restore_options {
    const char *gen;
    const char *data_dir;
    bool to_timestamp_set;
    long long to_timestamp;
    bool quiet;
};

/* The data directory must be new or empty: a restore never mixes with
 * files already there. */
static void backup_prepare_data_dir(const char *data_dir)
{
    DIR *d = opendir(data_dir);
    if (d == NULL && errno != ENOENT)
        backup_die("cannot open %s: %s", data_dir, strerror(errno));
    if (d == NULL) {
        int err = durable_mkdir(data_dir, 0755);
        if (err < 0)
            backup_die("cannot create %s: %s", data_dir, strerror(-err));
        return;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            backup_die("%s is not empty (found %s): restore into an empty or new directory",
                       data_dir, e->d_name);
    }
    closedir(d);
}

/* Cuts one restored file for --to-timestamp. Returns true when it cut. */
static bool backup_cut_file(const char *path, const char *name, bool last_file, long long ts)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        backup_die("cannot open %s: %s", path, strerror(errno));
    size_t size = (size_t)st.st_size;
    char *bytes = size > 0 ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    if (bytes == MAP_FAILED)
        backup_die("cannot map %s: %s", path, strerror(errno));
    struct aof_ts_cut cut = {.result = AOF_TS_CUT_NONE, .stop = AOF_READ_EOF};
    /* An RDB base (Redis 7 bases hold no RESP tail) has no #TS lines. */
    if (size > 0 && !(size >= 5 && memcmp(bytes, "REDIS", 5) == 0))
        aof_ts_find_cut(bytes, size, 0, ts, &cut);
    if (cut.result == AOF_TS_CUT_BAD_ANNOTATION)
        backup_die("Invalid timestamp annotation in %s at offset %zu", name, cut.ts_offset);
    if (cut.result == AOF_TS_CUT_NOTHING_BEFORE)
        backup_die("AOF %s has nothing before timestamp %lld, aborting...", name, ts);
    if (cut.result == AOF_TS_CUT_NONE && cut.stop != AOF_READ_EOF)
        backup_die("AOF %s is not valid (%s): restore it without --to-timestamp and run "
                   "ringkv-check-aof on it", name, aof_read_result_name(cut.stop));
    if (cut.result == AOF_TS_CUT_FOUND && !last_file)
        backup_die("Failed to truncate AOF %s to timestamp %lld to offset %zu because it is not "
                   "the last file.", name, ts, cut.ts_offset);
    int err = cut.result == AOF_TS_CUT_FOUND ? aof_ts_apply_cut(fd, &cut) : 0;
    if (err < 0)
        backup_die("Failed to truncate AOF %s to timestamp %lld: %s", name, ts, strerror(-err));
    if (bytes != NULL)
        munmap(bytes, size);
    close(fd);
    if (cut.result == AOF_TS_CUT_FOUND)
        printf("Successfully truncated AOF %s to timestamp %lld\n", name, ts);
    return cut.result == AOF_TS_CUT_FOUND;
}

/* Copies the AOF files named by the generation's manifest (and the
 * manifest) into dst, then applies --to-timestamp there. */
static void backup_restore_aof_files(const struct backup_restore_options *o,
                                     const struct backup_meta *meta, const char *dst)
{
    char src[PATH_MAX], path[PATH_MAX];
    backup_path(src, sizeof(src), o->gen, meta->appenddirname);
    char *manifest_name = aof_manifest_file_name(meta->appendfilename);
    backup_path(path, sizeof(path), src, manifest_name);
    struct aof_buffer text;
    aof_buffer_init(&text);
    backup_read_manifest(path, &text);
    struct aof_manifest m;
    struct aof_manifest_error merr;
    aof_manifest_init(&m);
    if (aof_manifest_parse(&m, text.data, text.len, &merr) != AOF_MANIFEST_PARSE_OK)
        backup_die("the backup's manifest is not valid (line %d): %s", merr.line, merr.reason);
    size_t count = aof_manifest_load_count(&m);
    for (size_t i = 0; i < count; i++) {
        const struct aof_file_info *info = aof_manifest_load_file(&m, i);
        if (!backup_name_ok(info->name))
            backup_die("the backup's manifest names '%s', not a plain file name", info->name);
        uint64_t bytes;
        backup_path(path, sizeof(path), src, info->name);
        int err = backup_copy_path(path, dst, info->name, o->quiet, &bytes);
        if (err < 0)
            backup_die("copying %s failed: %s", path, strerror(-err));
    }
    int err = backup_write_file(dst, manifest_name, text.data, text.len);
    if (err < 0)
        backup_die("cannot write the manifest in %s: %s", dst, strerror(-err));
    bool cut = false;
    for (size_t i = 0; o->to_timestamp_set && i < count; i++) {
        const struct aof_file_info *info = aof_manifest_load_file(&m, i);
        backup_path(path, sizeof(path), dst, info->name);
        cut |= backup_cut_file(path, info->name, i + 1 == count, o->to_timestamp);
    }
    if (o->to_timestamp_set && !cut)
        printf("Truncate nothing: every write in the backup is at or before timestamp %lld\n",
               o->to_timestamp);
    aof_manifest_free(&m);
    aof_buffer_free(&text);
    alloc_free(manifest_name);
}

static void backup_restore_aof(const struct backup_restore_options *o,
                               const struct backup_meta *meta)
{
    char temp[PATH_MAX], final[PATH_MAX], check[PATH_MAX];
    char temp_name[NAME_MAX + 1];
    snprintf(temp_name, sizeof(temp_name), "%.200s%s", meta->appenddirname, BACKUP_RESTORE_SUFFIX);
    backup_path(temp, sizeof(temp), o->data_dir, temp_name);
    backup_path(final, sizeof(final), o->data_dir, meta->appenddirname);
    int err = durable_mkdir(temp, 0755);
    if (err < 0)
        backup_die("cannot create %s: %s", temp, strerror(-err));
    snprintf(backup_unfinished, sizeof(backup_unfinished), "%s", temp);
    atexit(backup_remove_unfinished);
    backup_restore_aof_files(o, meta, temp);
    char *manifest = aof_manifest_file_name(meta->appendfilename);
    backup_path(check, sizeof(check), temp, manifest);
    alloc_free(manifest);
    if (!backup_verify(BACKUP_AOF, check, meta->databases))
        backup_die("the restored AOF failed verification: %s removed", temp);
    if ((err = durable_fsync_dir(temp)) < 0 || (err = backup_rename_noreplace(temp, final)) < 0)
        backup_die("cannot install %s: %s", final, strerror(-err));
    backup_unfinished[0] = '\0';
}

static void backup_restore_rdb(const struct backup_restore_options *o,
                               const struct backup_meta *meta)
{
    char src[PATH_MAX], check[PATH_MAX];
    backup_path(src, sizeof(src), o->gen, meta->dbfilename);
    uint64_t bytes;
    int err = backup_copy_path(src, o->data_dir, meta->dbfilename, o->quiet, &bytes);
    if (err < 0)
        backup_die("copying %s failed: %s", src, strerror(-err));
    backup_path(check, sizeof(check), o->data_dir, meta->dbfilename);
    if (!backup_verify(BACKUP_RDB, check, meta->databases)) {
        durable_unlink(check);
        backup_die("the restored %s failed verification and was removed", check);
    }
}

static int backup_restore(const struct backup_restore_options *o)
{
    struct backup_meta meta;
    if (!backup_read_meta(o->gen, &meta))
        backup_die("%s is not a complete generation (no valid %s)", o->gen, BACKUP_INFO_NAME);
    if (o->to_timestamp_set && meta.kind != BACKUP_AOF)
        backup_die("--to-timestamp needs an AOF backup; %s is an RDB snapshot", o->gen);
    backup_prepare_data_dir(o->data_dir);
    if (meta.kind == BACKUP_AOF)
        backup_restore_aof(o, &meta);
    else
        backup_restore_rdb(o, &meta);
    printf("Restored %s into %s. Start the server with:\n  ringkv-server --dir %s", o->gen,
           o->data_dir, o->data_dir);
    if (meta.kind == BACKUP_AOF) {
        printf(" --appendonly yes");
        if (strcmp(meta.appenddirname, "appendonlydir") != 0)
            printf(" --appenddirname %s", meta.appenddirname);
        if (strcmp(meta.appendfilename, "appendonly.aof") != 0)
            printf(" --appendfilename %s", meta.appendfilename);
    } else if (strcmp(meta.dbfilename, "dump.rdb") != 0) {
        printf(" --dbfilename %s", meta.dbfilename);
    }
    printf("\n");
    return 0;
}

/* ---- command line ---- */

static void backup_usage(void)
{
    fprintf(stderr,
            "Usage: ringkv-backup save [-h host] [-p port] [-a password] [--user name]\n"
            "                          [--keep N] [--mode rdb|aof] [--timeout seconds]\n"
            "                          [--no-verify] [-q] <backup-root>\n"
            "       ringkv-backup restore [--to-timestamp unix-seconds] [-q]\n"
            "                             <generation-dir> <data-dir>\n"
            "       ringkv-backup list <backup-root>\n"
            "\n"
            "save     copies a consistent snapshot of the server on host:port (default\n"
            "         127.0.0.1:6379, same machine) into <backup-root>/<UTC time>/: a fresh\n"
            "         BGSAVE's dump.rdb (appendonly no) or the AOF's files (appendonly yes),\n"
            "         verified with ringkv-check-rdb / ringkv-check-aof. --keep N keeps the\n"
            "         newest N generations.\n"
            "restore  copies a generation into an empty or new data directory; with\n"
            "         --to-timestamp, cuts the AOF at the first #TS annotation later than\n"
            "         that time, as redis-check-aof --truncate-to-timestamp does.\n"
            "list     prints the complete generations: name, kind, bytes, start time.\n");
    exit(1);
}

static long long backup_number_or_usage(const char *text, long long min)
{
    long long n;
    if (!number_parse_ll(text, strlen(text), &n) || n < min)
        backup_usage();
    return n;
}

static int backup_save_main(int argc, char **argv)
{
    struct backup_save_options o = {.target = {.host = "127.0.0.1", .port = "6379"},
                                    .mode = -1, .timeout_s = BACKUP_WAIT_DEFAULT_S,
                                    .verify = true};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (strcmp(a, "-h") == 0 && more) o.target.host = argv[++i];
        else if (strcmp(a, "-p") == 0 && more) o.target.port = argv[++i];
        else if (strcmp(a, "-a") == 0 && more) o.target.password = argv[++i];
        else if (strcmp(a, "--user") == 0 && more) o.target.user = argv[++i];
        else if (strcmp(a, "--keep") == 0 && more) o.keep = backup_number_or_usage(argv[++i], 1);
        else if (strcmp(a, "--timeout") == 0 && more)
            o.timeout_s = backup_number_or_usage(argv[++i], 1);
        else if (strcmp(a, "--mode") == 0 && more && strcmp(argv[i + 1], "rdb") == 0)
            o.mode = BACKUP_RDB, i++;
        else if (strcmp(a, "--mode") == 0 && more && strcmp(argv[i + 1], "aof") == 0)
            o.mode = BACKUP_AOF, i++;
        else if (strcmp(a, "--no-verify") == 0) o.verify = false;
        else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) o.quiet = true;
        else if (a[0] != '-' && o.root == NULL) o.root = a;
        else backup_usage();
    }
    if (o.root == NULL || (o.target.user != NULL && o.target.password == NULL))
        backup_usage();
    return backup_save(&o);
}

static int backup_restore_main(int argc, char **argv)
{
    struct backup_restore_options o = {0};
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--to-timestamp") == 0 && i + 1 < argc) {
            o.to_timestamp_set = true;
            o.to_timestamp = backup_number_or_usage(argv[++i], LLONG_MIN);
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            o.quiet = true;
        } else if (argv[i][0] != '-' && o.gen == NULL) {
            o.gen = argv[i];
        } else if (argv[i][0] != '-' && o.data_dir == NULL) {
            o.data_dir = argv[i];
        } else {
            backup_usage();
        }
    }
    if (o.gen == NULL || o.data_dir == NULL)
        backup_usage();
    return backup_restore(&o);
}

int main(int argc, char **argv)
{
    /* A server that closes the connection must not kill us mid-copy. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2)
        backup_usage();
    if (strcmp(argv[1], "save") == 0)
        return backup_save_main(argc - 2, argv + 2);
    if (strcmp(argv[1], "restore") == 0)
        return backup_restore_main(argc - 2, argv + 2);
    if (strcmp(argv[1], "list") == 0 && argc == 3)
        return backup_list(argv[2]);
    backup_usage();
}
