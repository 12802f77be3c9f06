/* rdb_load.c: loading an RDB file into the keyspace, reporting the
 * loading progress as it reads (see rdb_load.h).
 *
 * Owns the choice of validation for a file (Redis 7.0's rule for
 * sanitize-dump-payload, plus ringkv's checksum requirement) and the file
 * I/O around engine/rdb_decode.c; the format is the engine's. */
#include "net/persist/rdb_load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/rdb.h"
#include "net/persist/persist.h"

/* The RDB trailer: a little-endian CRC-64, 0 when written without one. */
#define RDB_LOAD_TRAILER_BYTES 8
/* Room for a sanitize-dump-payload value ("clients"). */
#define RDB_LOAD_MODE_TEXT_BYTES 16

/* The file being loaded, and where the read is, for loading progress. */
struct rdb_load_reader {
    struct persist *persist;
    int fd;
    long long offset;
};

static long rdb_load_fd_read(void *ctx, void *buf, size_t len)
{
    struct rdb_load_reader *r = ctx;
    for (;;) {
        ssize_t n = read(r->fd, buf, len);
        if (n >= 0) {
            r->offset += n;
            persist_loading_progress(r->persist, r->offset);
            return (long)n;
        }
        if (errno != EINTR)
            return -errno;
    }
}

static void rdb_load_config_text(const char *name, const char *value, void *ctx)
{
    (void)name;
    snprintf(ctx, RDB_LOAD_MODE_TEXT_BYTES, "%s", value);
}

/* Whether this load may skip deep validation of listpacks and intsets.
 * Redis 7.0 validates deeply only with sanitize-dump-payload yes: `no` and
 * `clients` trust a file being loaded (start-up, DEBUG RELOAD, an AOF
 * base). ringkv trusts it only when it carries a checksum too: its last 8
 * bytes, the RDB trailer of a plain dump, are not 0. A wrong guess (an RDB
 * followed by other bytes, as in an AOF with a preamble) is caught by the
 * engine, which then refuses the load (checksum_missing) and we load again
 * deeply, so no blob that was not validated survives without a matching
 * CRC-64. */
static bool rdb_load_may_skip_deep(struct persist *p, int fd, uint64_t size)
{
    char mode[RDB_LOAD_MODE_TEXT_BYTES] = "";
    config_get(p->config, "sanitize-dump-payload", strlen("sanitize-dump-payload"),
               rdb_load_config_text, mode);
    if (strcmp(mode, "yes") == 0)
        return false;
    if (size == RDB_SOURCE_SIZE_UNKNOWN || size < RDB_MAGIC_BYTES + 1 + RDB_LOAD_TRAILER_BYTES)
        return false;
    unsigned char trailer[RDB_LOAD_TRAILER_BYTES];
    ssize_t n = pread(fd, trailer, sizeof(trailer), (off_t)(size - sizeof(trailer)));
    if (n != (ssize_t)sizeof(trailer))
        return false;
    for (size_t i = 0; i < sizeof(trailer); i++) {
        if (trailer[i] != 0)
            return true;
    }
    return false;
}

/* One pass over the file from its start. */
static enum rdb_load_result rdb_load_pass(struct persist *p, int fd, uint64_t size,
                                          bool skip_deep, struct rdb_load_info *info)
{
    struct rdb_load_reader reader = {.persist = p, .fd = fd, .offset = 0};
    if (lseek(fd, 0, SEEK_SET) != 0) {
        memset(info, 0, sizeof(*info));
        info->io_error = -errno;
        return RDB_LOAD_IO;
    }
    struct rdb_source src;
    rdb_source_init(&src, rdb_load_fd_read, &reader, size);
    struct rdb_load_options opt = {
        .limits = &p->keyspace->limits,
        .now_ms = log_clock_ms(),
        .keep_expired = false,
        .skip_deep_validation = skip_deep,
        .on_function = p->function_load,
        .merge = p->load_merge,
        .function_ctx = p->function_ctx,
    };
    enum rdb_load_result r = rdb_load(&src, p->keyspace, &opt, info);
    rdb_source_free(&src);
    return r;
}

int rdb_load_file(struct persist *p, bool *found, char *err, size_t err_len)
{
    return rdb_load_path(p, p->config->dbfilename, found, NULL, err, err_len);
}

int rdb_load_path(struct persist *p, const char *name, bool *found, uint64_t *consumed,
                       char *err, size_t err_len)
{
    *found = false;
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, err_len, "Fatal error loading the DB: %s. Exiting.", strerror(errno));
        return -1;
    }
    *found = true;
    struct stat st;
    uint64_t size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : RDB_SOURCE_SIZE_UNKNOWN;
    /* The whole file is read once, front to back. */
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    long long start_us = log_clock_us();
    /* A base of the AOF is one file of a load aof.c already announced. */
    bool owner = !p->loading.active;
    if (owner)
        persist_loading_start(p, (long long)st.st_size);
    struct rdb_load_info info;
    bool skip_deep = rdb_load_may_skip_deep(p, fd, size);
    enum rdb_load_result r = rdb_load_pass(p, fd, size, skip_deep, &info);
    if (r == RDB_LOAD_BAD && info.checksum_missing) {
        log_write(p->log, LOGLEVEL_NOTICE,
                  "%s has no checksum: loading it again with deep validation.", name);
        for (int i = 0; i < p->keyspace->db_count; i++)
            db_flush(&p->keyspace->dbs[i]);
        if (p->function_reset != NULL)
            p->function_reset(p->function_ctx);
        r = rdb_load_pass(p, fd, size, false, &info);
    }
    close(fd);
    if (owner)
        persist_loading_end(p);
    if (r != RDB_LOAD_OK) {
        const char *why = r == RDB_LOAD_IO ? strerror(-info.io_error) : info.error_text;
        snprintf(err, err_len, "Fatal error loading the DB (%s/%s, offset %llu): %s. Exiting.",
                 p->config->dir, name, (unsigned long long)info.error_offset, why);
        return -1;
    }
    if (consumed)
        *consumed = info.bytes;
    memcpy(p->repl_loaded_id, info.repl_id, sizeof(p->repl_loaded_id));
    p->repl_loaded_offset = info.repl_offset;
    p->repl_loaded_db = (int)info.repl_stream_db;
    p->rdb_last_load_keys_loaded = (long long)info.keys_loaded;
    p->rdb_last_load_keys_expired = (long long)info.keys_expired_skipped;
    log_write(p->log, LOGLEVEL_NOTICE, "Done loading RDB, keys loaded: %llu, keys expired: %llu.",
               (unsigned long long)info.keys_loaded, (unsigned long long)info.keys_expired_skipped);
    log_write(p->log, LOGLEVEL_NOTICE, "DB loaded from disk: %.3f seconds",
               (double)(log_clock_us() - start_us) / 1e6);
    return 0;
}
