/* durable_fs.c: directory changes followed by a directory fsync. */
#define _GNU_SOURCE /* mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/durable_fs.h"

int durable_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int result = 0;
    if (fsync(fd) < 0 && errno != EBADF && errno != EINVAL)
        result = -errno;
    close(fd);
    return result;
}

/* The directory part of path into out: "." for a bare name, "/" for a
 * name at the root. Returns -ENAMETOOLONG when it does not fit. */
static int durable_parent_of(const char *path, char *out, size_t out_len)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--; /* "a/b/" names b */
    while (len > 0 && path[len - 1] != '/')
        len--;
    while (len > 1 && path[len - 1] == '/')
        len--;
    if (len == 0) {
        out[0] = '.';
        out[1] = '\0';
        return 0;
    }
    if (len >= out_len)
        return -ENAMETOOLONG;
    memcpy(out, path, len);
    out[len] = '\0';
    return 0;
}

int durable_fsync_parent(const char *path)
{
    char dir[PATH_MAX];
    int ret = durable_parent_of(path, dir, sizeof(dir));
    return ret < 0 ? ret : durable_fsync_dir(dir);
}

int durable_mkdir(const char *path, mode_t mode)
{
    bool existed = false;
    if (mkdir(path, mode) < 0) {
        struct stat st;
        if (errno != EEXIST)
            return -errno;
        if (stat(path, &st) < 0)
            return -errno;
        if (!S_ISDIR(st.st_mode))
            return -ENOTDIR;
        existed = true;
    }
    int ret = durable_fsync_parent(path);
    /* A directory that was already there and whose parent we may not
     * open (a data directory under a parent without read permission) was
     * made by someone else long ago: not a reason to refuse it. */
    if (existed && (ret == -EACCES || ret == -EPERM))
        ret = 0;
    return ret;
}

int durable_rename(const char *from, const char *to, bool *renamed)
{
    if (renamed)
        *renamed = false;
    char from_dir[PATH_MAX], to_dir[PATH_MAX];
    int ret = durable_parent_of(from, from_dir, sizeof(from_dir));
    if (ret == 0)
        ret = durable_parent_of(to, to_dir, sizeof(to_dir));
    if (ret < 0)
        return ret;
    if (rename(from, to) < 0)
        return -errno;
    if (renamed)
        *renamed = true;
    ret = durable_fsync_dir(to_dir);
    if (ret == 0 && strcmp(from_dir, to_dir) != 0)
        ret = durable_fsync_dir(from_dir);
    return ret;
}

int durable_unlink(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT)
        return -errno;
    return durable_fsync_parent(path);
}

int durable_replace(const char *path, const void *data, size_t len)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
        return -ENAMETOOLONG;
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = 0;
    const char *p = data;
    for (size_t done = 0; done < len && rc == 0;) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno != EINTR)
            rc = -errno;
        else if (n > 0)
            done += (size_t)n;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (rc == 0 && fchmod(fd, 0644 & ~mask) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    bool renamed = false;
    if (rc == 0)
        rc = durable_rename(tmp, path, &renamed);
    if (!renamed)
        unlink(tmp);
    return rc;
}
