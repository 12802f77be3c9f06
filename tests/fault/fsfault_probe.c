/* fsfault_probe.c: runs scripted filesystem steps, for the shim's own tests
 * (tests/blackbox/fault_test.c runs it under LD_PRELOAD=fsfault.so).
 *
 *     fsfault_probe <step>...
 *
 * Each step is "<op>:<arg>[:<arg>]", paths relative to the cwd or absolute:
 *   mkdir:P  create:P  write:P:TEXT  creat:P  openat:DIR:NAME  rename:A:B
 *   unlink:P  fsync:P  fdatasync:P  sync_file_range:P  truncate:P:LEN
 * (create opens with O_CREAT|O_TRUNC, write also writes TEXT; creat uses
 * creat(); openat creates NAME through a descriptor of DIR; fsync and
 * fdatasync open P, file or directory, and sync it.) Every step runs, in
 * order, even after one fails; each prints one line, "<step> ok" or
 * "<step> <ERRNO-NAME>". Exits 0 when every step worked, 1 otherwise, 2 on
 * a step it does not understand. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest step accepted (its fields are split in a copy). */
#define PROBE_STEP_BYTES 4096

/* Runs f on a descriptor of path opened with flags; returns 0 or -errno. */
static int probe_with_fd(const char *path, int flags, int (*f)(int fd, const char *arg),
                         const char *arg)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int r = f(fd, arg);
    close(fd);
    return r;
}

static int probe_fsync(int fd, const char *arg)
{
    return fsync(fd) < 0 ? -errno : 0;
}

static int probe_fdatasync(int fd, const char *arg)
{
    return fdatasync(fd) < 0 ? -errno : 0;
}

static int probe_sync_file_range(int fd, const char *arg)
{
    unsigned int flags = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                         SYNC_FILE_RANGE_WAIT_AFTER;
    return sync_file_range(fd, 0, 0, flags) < 0 ? -errno : 0;
}

static int probe_truncate(int fd, const char *arg)
{
    return ftruncate(fd, (off_t)strtoll(arg, NULL, 10)) < 0 ? -errno : 0;
}

/* Creates (or truncates) path and writes text. */
static int probe_write(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    size_t len = strlen(text);
    int r = write(fd, text, len) == (ssize_t)len ? 0 : -EIO;
    close(fd);
    return r;
}

static int probe_openat(const char *dir, const char *name)
{
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return -errno;
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    int r = fd < 0 ? -errno : 0;
    if (fd >= 0)
        close(fd);
    close(dirfd);
    return r;
}

static int probe_creat(const char *path)
{
    int fd = creat(path, 0644);
    if (fd < 0)
        return -errno;
    close(fd);
    return 0;
}

/* Runs one step split into op and up to two arguments ("" when absent).
 * Returns 0, -errno, or 1 for a step it does not know. */
static int probe_step(const char *op, const char *a, const char *b)
{
    if (strcmp(op, "mkdir") == 0)
        return mkdir(a, 0755) < 0 ? -errno : 0;
    if (strcmp(op, "create") == 0)
        return probe_write(a, "");
    if (strcmp(op, "write") == 0)
        return probe_write(a, b);
    if (strcmp(op, "creat") == 0)
        return probe_creat(a);
    if (strcmp(op, "openat") == 0)
        return probe_openat(a, b);
    if (strcmp(op, "rename") == 0)
        return rename(a, b) < 0 ? -errno : 0;
    if (strcmp(op, "unlink") == 0)
        return unlink(a) < 0 ? -errno : 0;
    if (strcmp(op, "fsync") == 0)
        return probe_with_fd(a, O_RDONLY, probe_fsync, b);
    if (strcmp(op, "fdatasync") == 0)
        return probe_with_fd(a, O_RDONLY, probe_fdatasync, b);
    if (strcmp(op, "sync_file_range") == 0)
        return probe_with_fd(a, O_RDWR, probe_sync_file_range, b);
    if (strcmp(op, "truncate") == 0)
        return probe_with_fd(a, O_RDWR, probe_truncate, b);
    return 1;
}

int main(int argc, char **argv)
{
    bool all_ok = true;
    for (int i = 1; i < argc; i++) {
        char step[PROBE_STEP_BYTES];
        if (strlen(argv[i]) >= sizeof(step)) {
            printf("%.40s... too long\n", argv[i]);
            return 2;
        }
        strcpy(step, argv[i]);
        char *a = strchr(step, ':');
        char *b = a != NULL ? strchr(a + 1, ':') : NULL;
        if (a != NULL)
            *a++ = '\0';
        if (b != NULL)
            *b++ = '\0';
        int r = probe_step(step, a != NULL ? a : "", b != NULL ? b : "");
        if (r == 1) {
            printf("%s unknown step\n", argv[i]);
            return 2;
        }
        const char *name = r == 0 ? "ok" : strerrorname_np(-r);
        printf("%s %s\n", argv[i], name != NULL ? name : "E?");
        all_ok &= r == 0;
    }
    return all_ok ? 0 : 1;
}
