/* aof_files.c: the AOF directory's files: paths, sizes, the manifest read
 * and persisted (temp, fsync, rename, directory fsync), history removed.
 * Shared by the running AOF (aof.c) and its loading (aof_load.c) through
 * aof_internal.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/durable_fs.h"
#include "net/persist/aof_internal.h"
#include "net/persist/persist.h"

/* ---- paths ---- */

void aof_path(const struct persist *p, const char *name, char *out, size_t out_len)
{
    snprintf(out, out_len, "%s/%s", p->config->appenddirname, name);
}

long long aof_file_size(const struct persist *p, const char *name)
{
    char path[AOF_PATH_BYTES];
    aof_path(p, name, path, sizeof(path));
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

int aof_persist_manifest(struct persist *p, const struct aof_manifest *m)
{
    int ret = aof_manifest_write_file(p->config->appenddirname, p->config->appendfilename, m);
    if (ret < 0)
        log_write(p->log, LOGLEVEL_WARNING, "Can't persist the AOF manifest file %s: %s",
                   p->config->appendfilename, strerror(-ret));
    return ret;
}

/* Deletes the history files the manifest lists, then forgets them. */
void aof_delete_history(struct persist *p)
{
    struct aof_state *a = &p->aof;
    if (p->config->aof_disable_auto_gc || a->manifest.history.count == 0)
        return;
    for (size_t i = 0; i < a->manifest.history.count; i++) {
        char path[AOF_PATH_BYTES];
        aof_path(p, a->manifest.history.items[i].name, path, sizeof(path));
        log_write(p->log, LOGLEVEL_NOTICE, "Removing the history file %s in the background",
                   a->manifest.history.items[i].name);
        unlink(path);
    }
    aof_manifest_clear_history(&a->manifest);
    aof_persist_manifest(p, &a->manifest);
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

enum aof_manifest_read aof_read_manifest(struct persist *p, struct aof_manifest *m, char *err,
                                         size_t err_len)
{
    char *name = aof_manifest_file_name(p->config->appendfilename);
    char path[AOF_PATH_BYTES];
    aof_path(p, name, path, sizeof(path));
    alloc_free(name);
    struct aof_buffer text;
    aof_buffer_init(&text);
    int ret = aof_manifest_read_file(path, &text);
    if (ret == -ENOENT) {
        aof_buffer_free(&text);
        return AOF_MANIFEST_NONE;
    }
    if (ret < 0) {
        snprintf(err, err_len, "Can't open the AOF manifest %s for reading: %s", path,
                 strerror(-ret));
        aof_buffer_free(&text);
        return AOF_MANIFEST_BAD;
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
        return AOF_MANIFEST_BAD;
    }
    aof_buffer_free(&text);
    return AOF_MANIFEST_FOUND;
}
