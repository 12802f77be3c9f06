/* rdb_load.c: loading an RDB file into the keyspace, reporting the
 * loading progress as it reads (see rdb_load.h). */
#include "net/persist/rdb_load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/rdb.h"
#include "net/persist/persist.h"

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
    long long start_us = log_clock_us();
    /* A base of the AOF is one file of a load aof.c already announced. */
    bool owner = !p->loading.active;
    if (owner)
        persist_loading_start(p, (long long)st.st_size);
    struct rdb_load_reader reader = {.persist = p, .fd = fd, .offset = 0};
    struct rdb_source src;
    rdb_source_init(&src, rdb_load_fd_read, &reader, size);
    struct rdb_load_options opt = {
        .limits = &p->keyspace->limits,
        .now_ms = log_clock_ms(),
        .keep_expired = false,
    };
    struct rdb_load_info info;
    memset(&info, 0, sizeof(info));
    enum rdb_load_result r = rdb_load(&src, p->keyspace, &opt, &info);
    rdb_source_free(&src);
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
    p->rdb_last_load_keys_loaded = (long long)info.keys_loaded;
    p->rdb_last_load_keys_expired = (long long)info.keys_expired_skipped;
    log_write(p->log, LOGLEVEL_NOTICE, "Done loading RDB, keys loaded: %llu, keys expired: %llu.",
               (unsigned long long)info.keys_loaded, (unsigned long long)info.keys_expired_skipped);
    log_write(p->log, LOGLEVEL_NOTICE, "DB loaded from disk: %.3f seconds",
               (double)(log_clock_us() - start_us) / 1e6);
    return 0;
}
