/* aof_load.c: the AOF at start-up: reading the manifest, loading the base
 * and incr files through the replayer (a fake client of the command
 * layer), the truncated-tail rule, the end of a batch log (where the log
 * of the last incr ends before its bytes do, engine/aof_reader.h, the file
 * is cut there so the writer continues right after the last good batch),
 * the upgrade of an old single-file AOF, and the first base when none
 * exists (from dump.rdb if there is one). Appending, rewrites and the rest
 * of the AOF's life are aof.c's; aof_internal.h is what the two share.
 *
 * A torn log or trailing padding is cut only at start-up: DEBUG LOADAOF
 * reads the live files, whose pre-written padding the writer owns. */
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
#include "net/persist/persist.h"
#include "net/persist/rdb_load.h"
#include "net/persist/rdb_save.h"

/* While loading, progress is reported (and clients served) every this many
 * commands; a power of two. */
#define AOF_LOAD_PROGRESS_COMMANDS 1024

/* ---- loading ---- */

/* Runs one command read from the AOF through the replayer's session. */
static int aof_load_command(struct persist *p, void *session, struct aof_reader *r,
                            const char *name, char *err, size_t err_len)
{
    struct resp_arg *argv = (struct resp_arg *)r->argv;
    if (!p->replayer.run(session, (int)r->argc, argv)) {
        snprintf(err, err_len, "Unknown command '%.*s' reading the append only file %s",
                 (int)(argv[0].len > 128 ? 128 : argv[0].len), argv[0].ptr, name);
        return -1;
    }
    return 0;
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

/* Cuts the file at path to offset bytes and makes the cut durable, so a
 * crash cannot bring back bytes the log no longer counts. Returns 0 or
 * -errno. */
static int aof_cut_file(const char *path, size_t offset)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int ret = ftruncate(fd, (off_t)offset) < 0 || fsync(fd) < 0 ? -errno : 0;
    close(fd);
    return ret;
}

/* The end of a file that stops inside a command: cut it (last file, with
 * aof-load-truncated) or refuse. */
static int aof_load_truncated(struct persist *p, const char *path, const struct aof_reader *r,
                              bool last, char *err, size_t err_len)
{
    if (!last) {
        snprintf(err, err_len, "Fatal error: the truncated file %s is not the last file", path);
        return -1;
    }
    if (!p->config->aof_load_truncated) {
        snprintf(err, err_len,
                 "Unexpected end of file reading the append only file %s (offset %zu). You can: "
                 "1) Make a backup of your AOF file, then use ./ringkv-check-aof --fix "
                 "<filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' "
                 "configuration option to yes and restart the server.",
                 path, r->error_offset);
        return -1;
    }
    log_write(p->log, LOGLEVEL_WARNING,
               "!!! Warning: short read while loading the AOF file %s!!! (%s)", path, r->reason);
    int ret = aof_cut_file(path, r->valid_end);
    if (ret < 0) {
        snprintf(err, err_len, "Error truncating the AOF file %s: %s", path, strerror(-ret));
        return -1;
    }
    log_write(p->log, LOGLEVEL_WARNING,
               "AOF %s loaded anyway because aof-load-truncated is enabled: truncated to offset "
               "%zu (%zu bytes of a partial command removed)",
               path, r->valid_end, r->len - r->valid_end);
    return 0;
}

/* The log ends before the file does: a batch out of sequence, torn or
 * malformed, or bytes that belong to no batch (what a power cut leaves
 * when batches were in flight). At start-up the last file is cut after
 * its last good batch, as aof-load-truncated allows for a truncated tail;
 * otherwise loading stops. */
static int aof_load_torn(struct persist *p, const char *path, const struct aof_reader *r,
                         bool last, bool repair, char *err, size_t err_len)
{
    size_t cut_bytes = r->len - r->valid_end;
    if (!last || !repair) {
        snprintf(err, err_len,
                 "Fatal error: the log of the AOF file %s ends at offset %zu, %zu bytes before "
                 "the file does (%s)%s",
                 path, r->valid_end, cut_bytes, r->reason,
                 last ? "; DEBUG LOADAOF cuts no file" : ", and it is not the last file");
        return -1;
    }
    if (!p->config->aof_load_truncated) {
        snprintf(err, err_len,
                 "Torn end of the append only file %s (offset %zu: %s). You can: 1) Make a "
                 "backup of your AOF file, then use ./ringkv-check-aof --fix "
                 "<filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' "
                 "configuration option to yes and restart the server.",
                 path, r->error_offset, r->reason);
        return -1;
    }
    log_write(p->log, LOGLEVEL_WARNING,
              "!!! Warning: the log of the AOF file %s ends before the file does: %s !!!", path,
              r->reason);
    log_write(p->log, LOGLEVEL_WARNING,
              "!!! Truncating the AOF %s at offset %zu (%zu bytes cut, last batch seq %llu) !!!",
              path, r->valid_end, cut_bytes, (unsigned long long)r->valid_batch_seq);
    int ret = aof_cut_file(path, r->valid_end);
    if (ret < 0) {
        snprintf(err, err_len, "Error truncating the AOF file %s: %s", path, strerror(-ret));
        return -1;
    }
    log_write(p->log, LOGLEVEL_WARNING,
              "AOF %s loaded anyway because aof-load-truncated is enabled", path);
    return 0;
}

/* A clean end followed by padding only: the pre-written space of a writer
 * that stopped without closing the file. Normal; at start-up the last
 * file is cut before it (the writer pre-writes its own space again). */
static int aof_load_padding_tail(struct persist *p, const char *path, const struct aof_reader *r,
                                 bool last, bool repair, char *err, size_t err_len)
{
    if (r->valid_end == r->len || !last || !repair)
        return 0;
    log_write(p->log, LOGLEVEL_NOTICE,
              "AOF %s: removing %zu bytes of pre-written padding after offset %zu (last batch "
              "seq %llu)",
              path, r->len - r->valid_end, r->valid_end, (unsigned long long)r->valid_batch_seq);
    int ret = aof_cut_file(path, r->valid_end);
    if (ret < 0) {
        snprintf(err, err_len, "Error truncating the AOF file %s: %s", path, strerror(-ret));
        return -1;
    }
    return 0;
}

/* Loads one file of the AOF: an RDB (a base, or an old preamble) and/or
 * RESP commands. repair: at start-up, when the last file's log may be cut.
 * *batch_seq gets the seq of the last batch the file keeps. */
static int aof_load_file(struct persist *p, void *session, const char *name, bool last,
                         bool repair, uint64_t *batch_seq, char *err, size_t err_len)
{
    char path[AOF_PATH_BYTES];
    aof_path(p, name, path, sizeof(path));
    const char *map;
    size_t len;
    int ret = aof_map_file(path, &map, &len);
    if (ret < 0) {
        snprintf(err, err_len, "Fatal error: can't open the append log file %s for reading: %s",
                 path, strerror(-ret));
        return -1;
    }
    struct aof_reader r;
    aof_reader_init(&r, map, len, (size_t)p->config->proto_max_bulk_len);
    int result = 0;
    unsigned long commands = 0;
    for (;;) {
        enum aof_read_result res = aof_reader_next(&r);
        if (res == AOF_READ_COMMAND) {
            if (aof_load_command(p, session, &r, path, err, err_len) < 0) {
                result = -1;
                break;
            }
            if ((++commands & (AOF_LOAD_PROGRESS_COMMANDS - 1)) == 0)
                persist_loading_progress(p, (long long)r.pos);
            continue;
        }
        if (res == AOF_READ_RDB) {
            bool found;
            uint64_t used = 0;
            if (rdb_load_path(p, path, &found, &used, err, err_len) < 0) {
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
        /* Commands of an unfinished MULTI were queued, never run. The
         * file may be cut below: nothing reads the mapping any more. */
        p->replayer.reset(session);
        if (map)
            munmap((void *)map, len);
        map = NULL;
        if (res == AOF_READ_TRUNCATED)
            result = aof_load_truncated(p, path, &r, last, err, err_len);
        if (res == AOF_READ_TORN)
            result = aof_load_torn(p, path, &r, last, repair, err, err_len);
        if (res == AOF_READ_EOF)
            result = aof_load_padding_tail(p, path, &r, last, repair, err, err_len);
        break;
    }
    *batch_seq = r.valid_batch_seq;
    p->replayer.reset(session);
    aof_reader_free(&r);
    if (map)
        munmap((void *)map, len);
    persist_loading_file_done(p, (long long)len);
    return result;
}

/* Loads every file the manifest lists; repair: at start-up (see
 * aof_load_file), when the last incr's batch seq is recorded for the
 * writer too. */
static int aof_load_files(struct persist *p, bool repair, char *err, size_t err_len)
{
    struct aof_state *a = &p->aof;
    void *session = p->replayer.open(p->replayer.ctx);
    a->loading = true;
    /* Replaying the log changes nothing that needs saving again, and must
     * not make the command that asked for it (DEBUG LOADAOF) look like a
     * write to be logged. */
    long long dirty = p->dirty;
    long long start_us = log_clock_us();
    size_t count = aof_manifest_load_count(&a->manifest);
    long long total = 0;
    for (size_t i = 0; i < count; i++)
        total += aof_file_size(p, aof_manifest_load_file(&a->manifest, i)->name);
    persist_loading_start(p, total);
    int ret = 0;
    for (size_t i = 0; i < count && ret == 0; i++) {
        const struct aof_file_info *f = aof_manifest_load_file(&a->manifest, i);
        bool last = i + 1 == count;
        uint64_t batch_seq = 0;
        ret = aof_load_file(p, session, f->name, last, repair, &batch_seq, err, err_len);
        if (ret == 0 && last && repair && f->type == AOF_FILE_TYPE_INCR)
            a->batch_seq = batch_seq;
        if (ret == 0)
            log_write(p->log, LOGLEVEL_NOTICE, "DB loaded from %s file %s",
                       f->type == AOF_FILE_TYPE_BASE ? "base" : "incr", f->name);
    }
    a->loading = false;
    persist_loading_end(p);
    p->dirty = dirty;
    p->replayer.close(session);
    if (ret == 0)
        log_write(p->log, LOGLEVEL_NOTICE, "DB loaded from append only file: %.3f seconds",
                   (double)(log_clock_us() - start_us) / 1e6);
    return ret;
}

int aof_load_manifest_files(struct persist *p, char *err, size_t err_len)
{
    return aof_load_files(p, false, err, err_len);
}

/* ---- start-up ---- */

/* fsyncs the AOF directory's file name, then drops its clean pages from
 * the page cache. A missing file is left to the load, which names it and
 * says why. Returns 0, or -1 with err filled. */
static int aof_settle_file(struct persist *p, const char *name, char *err, size_t err_len)
{
    char path[AOF_PATH_BYTES];
    aof_path(p, name, path, sizeof(path));
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
static int aof_settle_at_start(struct persist *p, char *err, size_t err_len)
{
    struct aof_state *a = &p->aof;
    size_t count = aof_manifest_load_count(&a->manifest);
    for (size_t i = 0; i < count; i++) {
        if (aof_settle_file(p, aof_manifest_load_file(&a->manifest, i)->name, err, err_len) < 0)
            return -1;
    }
    char *manifest_name = aof_manifest_file_name(p->config->appendfilename);
    int ret = aof_settle_file(p, manifest_name, err, err_len);
    alloc_free(manifest_name);
    if (ret < 0)
        return -1;
    ret = durable_fsync_dir(p->config->appenddirname);
    if (ret == 0)
        ret = durable_fsync_dir(".");
    if (ret < 0) {
        snprintf(err, err_len, "Can't fsync the AOF directory %s before loading: %s",
                 p->config->appenddirname, strerror(-ret));
        return -1;
    }
    return 0;
}

/* Redis's upgrade path: an old single AOF file in the data directory
 * becomes the BASE of a new manifest, moved into the AOF directory. */
static int aof_upgrade_single_file(struct persist *p, char *err, size_t err_len)
{
    struct aof_state *a = &p->aof;
    aof_manifest_init(&a->manifest);
    a->manifest.has_base = true;
    a->manifest.base.name = alloc_strdup(p->config->appendfilename);
    a->manifest.base.seq = 1;
    a->manifest.base.type = AOF_FILE_TYPE_BASE;
    a->manifest.base_seq = 1;
    char path[AOF_PATH_BYTES];
    aof_path(p, p->config->appendfilename, path, sizeof(path));
    /* The move is durable before the manifest names the moved file. */
    int ret = durable_rename(p->config->appendfilename, path, NULL);
    if (ret == 0)
        ret = aof_persist_manifest(p, &a->manifest);
    if (ret < 0) {
        snprintf(err, err_len, "Can't move the old AOF %s into %s: %s",
                 p->config->appendfilename, p->config->appenddirname, strerror(-ret));
        return -1;
    }
    log_write(p->log, LOGLEVEL_NOTICE, "Successfully migrated an old-style AOF into the AOF directory");
    return 0;
}

/* No AOF exists: the dataset is empty, or comes from dump.rdb (unlike
 * Redis, which would start empty and lose it). Either way it is written
 * as the first BASE. */
static int aof_create_first_base(struct persist *p, bool load_rdb, char *err, size_t err_len)
{
    struct aof_state *a = &p->aof;
    bool found = false;
    if (load_rdb && rdb_load_file(p, &found, err, err_len) < 0)
        return -1;
    if (found)
        log_write(p->log, LOGLEVEL_NOTICE,
                   "No AOF yet: loaded %s and making it the AOF's base", p->config->dbfilename);
    const struct aof_file_info *b =
        aof_manifest_new_base(&a->manifest, p->config->appendfilename, p->config->aof_use_rdb_preamble);
    int ret = aof_write_base_sync(p, b->name);
    if (ret < 0) {
        snprintf(err, err_len, "Can't create the AOF base %s: %s", b->name, strerror(-ret));
        return -1;
    }
    return 0;
}

int aof_startup(struct persist *p, char *err, size_t err_len)
{
    struct aof_state *a = &p->aof;
    aof_init_state(p);
    if (!p->config->appendonly)
        return 0;
    int ret = durable_mkdir(p->config->appenddirname, 0755);
    if (ret < 0) {
        snprintf(err, err_len, "Can't create the AOF directory %s: %s", p->config->appenddirname,
                 strerror(-ret));
        return -1;
    }
    enum aof_manifest_read found = aof_read_manifest(p, &a->manifest, err, err_len);
    if (found == AOF_MANIFEST_BAD)
        return -1;
    struct stat st;
    if (found == AOF_MANIFEST_NONE && stat(p->config->appendfilename, &st) == 0 &&
        aof_upgrade_single_file(p, err, err_len) < 0)
        return -1;
    if (aof_manifest_load_count(&a->manifest) > 0) {
        if (aof_settle_at_start(p, err, err_len) < 0 || aof_load_files(p, true, err, err_len) < 0)
            return -1;
    } else if (aof_create_first_base(p, found == AOF_MANIFEST_NONE, err, err_len) < 0) {
        return -1;
    }
    bool create = a->manifest.incr.count == 0;
    if (create)
        aof_manifest_add_incr(&a->manifest, p->config->appendfilename);
    ret = aof_open_last_incr(p, create);
    if (ret == 0 && create)
        ret = aof_persist_manifest(p, &a->manifest);
    if (ret < 0) {
        snprintf(err, err_len, "Can't open the append-only file: %s", strerror(-ret));
        return -1;
    }
    a->status = AOF_ON;
    aof_measure_sizes(p);
    aof_delete_history(p);
    return 0;
}

int aof_debug_reload(struct persist *p, char *err, size_t err_len)
{
    struct aof_state *a = &p->aof;
    if (a->status != AOF_ON) {
        snprintf(err, err_len, "ERR The AOF is not on");
        return -1;
    }
    int ret = aof_sync_all(p);
    if (ret < 0) {
        snprintf(err, err_len, "ERR Error syncing the AOF: %s", strerror(-ret));
        return -1;
    }
    for (int i = 0; i < p->keyspace->db_count; i++)
        db_flush(&p->keyspace->dbs[i]);
    /* Redis's emptyData drops the function libraries too: the files'
     * FUNCTION LOAD records (or base) bring them back. */
    if (p->function_reset != NULL)
        p->function_reset(p->function_ctx);
    if (aof_load_manifest_files(p, err, err_len) < 0)
        return -1;
    return 0;
}
