/* aof_load.c: the AOF at start-up: reading the manifest, loading the base
 * and incr files through a fake client, the truncated-tail rule, the
 * upgrade of an old single-file AOF, and the first base when none exists
 * (from dump.rdb if there is one). Appending, rewrites and the rest of the
 * AOF's life are aof.c's; aof_internal.h is what the two share. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/aof_reader.h"
#include "engine/durable_fs.h"
#include "net/persist/aof_internal.h"
#include "net/commands/command.h"
#include "net/server/server.h"

/* While loading, progress is reported (and clients served) every this many
 * commands; a power of two. */
#define AOF_LOAD_PROGRESS_COMMANDS 1024

/* ---- loading ---- */

/* Runs one command read from the AOF through a fake client. */
static int aof_load_command(struct server *s, struct client *fake, struct aof_reader *r,
                            const char *name, char *err, size_t err_len)
{
    fake->argc = (int)r->argc;
    fake->argv = (struct resp_arg *)r->argv;
    if (!command_lookup(s, fake->argv[0].ptr, fake->argv[0].len)) {
        snprintf(err, err_len, "Unknown command '%.*s' reading the append only file %s",
                 (int)(fake->argv[0].len > 128 ? 128 : fake->argv[0].len), fake->argv[0].ptr,
                 name);
        return -1;
    }
    command_process(fake);
    fake->out.len = 0;
    fake->out_released = 0;
    fake->argc = 0;
    fake->argv = NULL;
    return 0;
}

/* Opens path with flags and reads its size. Returns the fd or -errno. */
int aof_open_sized(const char *path, int flags, struct stat *st)
{
    int fd = open(path, flags | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    if (fstat(fd, st) < 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    return fd;
}

/* Maps a whole file read-only. *len 0 leaves *map NULL. */
static int aof_map_file(const char *path, const char **map, size_t *len)
{
    *map = NULL;
    *len = 0;
    struct stat st;
    int fd = aof_open_sized(path, O_RDONLY, &st);
    if (fd < 0)
        return fd;
    if (st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int e = -errno;
            close(fd);
            return e;
        }
        *map = m;
        *len = (size_t)st.st_size;
    }
    close(fd);
    return 0;
}

/* The end of a file that stops inside a command: cut it (last file, with
 * aof-load-truncated) or refuse. */
static int aof_load_truncated(struct server *s, const char *path, const struct aof_reader *r,
                              bool last, char *err, size_t err_len)
{
    if (!last) {
        snprintf(err, err_len, "Fatal error: the truncated file %s is not the last file", path);
        return -1;
    }
    if (!s->config.aof_load_truncated) {
        snprintf(err, err_len,
                 "Unexpected end of file reading the append only file %s (offset %zu). You can: "
                 "1) Make a backup of your AOF file, then use ./ringkv-check-aof --fix "
                 "<filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' "
                 "configuration option to yes and restart the server.",
                 path, r->error_offset);
        return -1;
    }
    server_log(s, LOGLEVEL_WARNING,
               "!!! Warning: short read while loading the AOF file %s!!! (%s)", path, r->reason);
    if (truncate(path, (off_t)r->valid_end) < 0) {
        snprintf(err, err_len, "Error truncating the AOF file %s: %s", path, strerror(errno));
        return -1;
    }
    server_log(s, LOGLEVEL_WARNING,
               "AOF %s loaded anyway because aof-load-truncated is enabled: truncated to offset "
               "%zu (%zu bytes of a partial command removed)",
               path, r->valid_end, r->len - r->valid_end);
    return 0;
}

/* Loads one file of the AOF: an RDB (a base, or an old preamble) and/or
 * RESP commands. */
static int aof_load_file(struct server *s, struct client *fake, const char *name, bool last,
                         char *err, size_t err_len)
{
    char path[AOF_PATH_BYTES];
    aof_path(s, name, path, sizeof(path));
    const char *map;
    size_t len;
    int ret = aof_map_file(path, &map, &len);
    if (ret < 0) {
        snprintf(err, err_len, "Fatal error: can't open the append log file %s for reading: %s",
                 path, strerror(-ret));
        return -1;
    }
    struct aof_reader r;
    aof_reader_init(&r, map, len, (size_t)s->config.proto_max_bulk_len);
    int result = 0;
    unsigned long commands = 0;
    for (;;) {
        enum aof_read_result res = aof_reader_next(&r);
        if (res == AOF_READ_COMMAND) {
            if (aof_load_command(s, fake, &r, path, err, err_len) < 0) {
                result = -1;
                break;
            }
            if ((++commands & (AOF_LOAD_PROGRESS_COMMANDS - 1)) == 0)
                server_loading_progress(s, (long long)r.pos);
            continue;
        }
        if (res == AOF_READ_RDB) {
            bool found;
            uint64_t used = 0;
            if (rdb_save_load_path(s, path, &found, &used, err, err_len) < 0) {
                result = -1;
                break;
            }
            aof_reader_skip_to(&r, (size_t)used);
            continue;
        }
        if (res == AOF_READ_CORRUPT) {
            snprintf(err, err_len,
                     "Bad file format reading the append only file %s (offset %zu: %s): make a "
                     "backup of your AOF file, then use ./ringkv-check-aof --fix "
                     "<filename.manifest>",
                     path, r.error_offset, r.reason);
            result = -1;
        }
        if (res == AOF_READ_TRUNCATED) {
            /* Commands of an unfinished MULTI were queued, never run. */
            transaction_client_reset(fake);
            if (map)
                munmap((void *)map, len);
            map = NULL;
            result = aof_load_truncated(s, path, &r, last, err, err_len);
        }
        break;
    }
    transaction_client_reset(fake);
    aof_reader_free(&r);
    if (map)
        munmap((void *)map, len);
    server_loading_file_done(s, (long long)len);
    return result;
}

int aof_load_manifest_files(struct server *s, char *err, size_t err_len)
{
    struct aof_state *a = &s->aof;
    struct client *fake = client_create(s, -1);
    fake->flags |= CLIENT_FAKE;
    fake->authenticated = true;
    a->loading = true;
    /* Replaying the log changes nothing that needs saving again, and must
     * not make the command that asked for it (DEBUG LOADAOF) look like a
     * write to be logged. */
    long long dirty = s->dirty;
    long long start_us = server_ustime();
    size_t count = aof_manifest_load_count(&a->manifest);
    long long total = 0;
    for (size_t i = 0; i < count; i++)
        total += aof_file_size(s, aof_manifest_load_file(&a->manifest, i)->name);
    server_loading_start(s, total, s->loading.serve_clients);
    int ret = 0;
    for (size_t i = 0; i < count && ret == 0; i++) {
        const struct aof_file_info *f = aof_manifest_load_file(&a->manifest, i);
        ret = aof_load_file(s, fake, f->name, i + 1 == count, err, err_len);
        if (ret == 0)
            server_log(s, LOGLEVEL_NOTICE, "DB loaded from %s file %s",
                       f->type == AOF_FILE_TYPE_BASE ? "base" : "incr", f->name);
    }
    a->loading = false;
    server_loading_end(s);
    s->dirty = dirty;
    client_close(fake);
    if (ret == 0)
        server_log(s, LOGLEVEL_NOTICE, "DB loaded from append only file: %.3f seconds",
                   (double)(server_ustime() - start_us) / 1e6);
    return ret;
}

/* Reads the manifest if there is one. Returns 1 found, 0 none, -1 bad. */
int aof_read_manifest(struct server *s, struct aof_manifest *m, char *err, size_t err_len)
{
    char *name = aof_manifest_file_name(s->config.appendfilename);
    char path[AOF_PATH_BYTES];
    aof_path(s, name, path, sizeof(path));
    alloc_free(name);
    struct aof_buffer text;
    aof_buffer_init(&text);
    int ret = aof_manifest_read_file(path, &text);
    if (ret == -ENOENT) {
        aof_buffer_free(&text);
        return 0;
    }
    if (ret < 0) {
        snprintf(err, err_len, "Can't open the AOF manifest %s for reading: %s", path,
                 strerror(-ret));
        aof_buffer_free(&text);
        return -1;
    }
    struct aof_manifest_error merr;
    memset(&merr, 0, sizeof(merr));
    aof_manifest_init(m);
    if (aof_manifest_parse(m, text.data, text.len, &merr) != AOF_MANIFEST_PARSE_OK) {
        snprintf(err, err_len, "Invalid AOF manifest file %s (line %d): %s", path, merr.line,
                 merr.reason);
        aof_manifest_free(m);
        aof_manifest_init(m);
        aof_buffer_free(&text);
        return -1;
    }
    aof_buffer_free(&text);
    return 1;
}

/* ---- start-up ---- */

/* fsyncs the AOF directory's file name, then drops its clean pages from
 * the page cache. A missing file is left to the load, which names it and
 * says why. Returns 0, or -1 with err filled. */
static int aof_settle_file(struct server *s, const char *name, char *err, size_t err_len)
{
    char path[AOF_PATH_BYTES];
    aof_path(s, name, path, sizeof(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 0;
    int ret = fd < 0 || fsync(fd) < 0 ? -errno : 0;
    if (ret == 0)
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (fd >= 0)
        close(fd);
    if (ret < 0) {
        snprintf(err, err_len, "Can't fsync the AOF file %s before loading it: %s. Its data "
                 "may not be on disk; refusing to start", path, strerror(-ret));
        return -1;
    }
    return 0;
}

/* Before anything is loaded or served: the files an earlier process left
 * may hold bytes that only the page cache has (it was killed under
 * everysec or no, or its fsync failed). Serving them, or appending after
 * them, would acknowledge what a power cut can still take back. So every
 * file the manifest names, the manifest, the AOF directory and the data
 * directory are fsynced first; a failure refuses to start. Then the files'
 * pages are dropped, so the load reads what the disk holds: pages that an
 * earlier failed fsync left marked clean but never written are not served
 * from memory. */
static int aof_settle_at_start(struct server *s, char *err, size_t err_len)
{
    struct aof_state *a = &s->aof;
    size_t count = aof_manifest_load_count(&a->manifest);
    for (size_t i = 0; i < count; i++) {
        if (aof_settle_file(s, aof_manifest_load_file(&a->manifest, i)->name, err, err_len) < 0)
            return -1;
    }
    char *manifest_name = aof_manifest_file_name(s->config.appendfilename);
    int ret = aof_settle_file(s, manifest_name, err, err_len);
    alloc_free(manifest_name);
    if (ret < 0)
        return -1;
    ret = durable_fsync_dir(s->config.appenddirname);
    if (ret == 0)
        ret = durable_fsync_dir(".");
    if (ret < 0) {
        snprintf(err, err_len, "Can't fsync the AOF directory %s before loading: %s",
                 s->config.appenddirname, strerror(-ret));
        return -1;
    }
    return 0;
}

/* Redis's upgrade path: an old single AOF file in the data directory
 * becomes the BASE of a new manifest, moved into the AOF directory. */
static int aof_upgrade_single_file(struct server *s, char *err, size_t err_len)
{
    struct aof_state *a = &s->aof;
    aof_manifest_init(&a->manifest);
    a->manifest.has_base = true;
    a->manifest.base.name = alloc_strdup(s->config.appendfilename);
    a->manifest.base.seq = 1;
    a->manifest.base.type = AOF_FILE_TYPE_BASE;
    a->manifest.base_seq = 1;
    char path[AOF_PATH_BYTES];
    aof_path(s, s->config.appendfilename, path, sizeof(path));
    /* The move is durable before the manifest names the moved file. */
    int ret = durable_rename(s->config.appendfilename, path, NULL);
    if (ret == 0)
        ret = aof_persist_manifest(s, &a->manifest);
    if (ret < 0) {
        snprintf(err, err_len, "Can't move the old AOF %s into %s: %s",
                 s->config.appendfilename, s->config.appenddirname, strerror(-ret));
        return -1;
    }
    server_log(s, LOGLEVEL_NOTICE, "Successfully migrated an old-style AOF into the AOF directory");
    return 0;
}

/* No AOF exists: the dataset is empty, or comes from dump.rdb (unlike
 * Redis, which would start empty and lose it). Either way it is written
 * as the first BASE. */
static int aof_create_first_base(struct server *s, bool load_rdb, char *err, size_t err_len)
{
    struct aof_state *a = &s->aof;
    bool found = false;
    if (load_rdb && rdb_save_load_file(s, &found, err, err_len) < 0)
        return -1;
    if (found)
        server_log(s, LOGLEVEL_NOTICE,
                   "No AOF yet: loaded %s and making it the AOF's base", s->config.dbfilename);
    const struct aof_file_info *b =
        aof_manifest_new_base(&a->manifest, s->config.appendfilename, s->config.aof_use_rdb_preamble);
    int ret = aof_write_base_sync(s, b->name);
    if (ret < 0) {
        snprintf(err, err_len, "Can't create the AOF base %s: %s", b->name, strerror(-ret));
        return -1;
    }
    return 0;
}

int aof_startup(struct server *s, char *err, size_t err_len)
{
    struct aof_state *a = &s->aof;
    aof_init_state(s);
    if (!s->config.appendonly)
        return 0;
    int ret = durable_mkdir(s->config.appenddirname, 0755);
    if (ret < 0) {
        snprintf(err, err_len, "Can't create the AOF directory %s: %s", s->config.appenddirname,
                 strerror(-ret));
        return -1;
    }
    int found = aof_read_manifest(s, &a->manifest, err, err_len);
    if (found < 0)
        return -1;
    struct stat st;
    if (!found && stat(s->config.appendfilename, &st) == 0 &&
        aof_upgrade_single_file(s, err, err_len) < 0)
        return -1;
    if (aof_manifest_load_count(&a->manifest) > 0) {
        if (aof_settle_at_start(s, err, err_len) < 0 ||
            aof_load_manifest_files(s, err, err_len) < 0)
            return -1;
    } else if (aof_create_first_base(s, !found, err, err_len) < 0) {
        return -1;
    }
    bool create = a->manifest.incr.count == 0;
    if (create)
        aof_manifest_add_incr(&a->manifest, s->config.appendfilename);
    ret = aof_open_last_incr(s, create);
    if (ret == 0 && create)
        ret = aof_persist_manifest(s, &a->manifest);
    if (ret < 0) {
        snprintf(err, err_len, "Can't open the append-only file: %s", strerror(-ret));
        return -1;
    }
    a->status = AOF_ON;
    aof_measure_sizes(s);
    aof_delete_history(s);
    return 0;
}
