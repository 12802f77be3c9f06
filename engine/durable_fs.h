/* durable_fs.h: directory changes that survive a power cut.
 *
 * POSIX makes a new, renamed or removed directory entry durable only once
 * the directory holding it is fsynced; until then a power cut may undo it
 * (a created file vanishes, a rename goes back, a removed file returns),
 * even when the file's own data was fsynced. Every step of ringkv that a
 * later step depends on (a mkdir before files are created inside, a rename
 * before a manifest names the file, a manifest rename before old files are
 * deleted) goes through these calls, which fsync the directory before they
 * return.
 *
 * Like Redis's fsyncFileDir, a file system that cannot fsync directories
 * at all (EINVAL, EBADF) is not an error; any other failure is. */
#ifndef RINGKV_ENGINE_DURABLE_FS_H
#define RINGKV_ENGINE_DURABLE_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* fsyncs the directory dir. Returns 0 or -errno. */
int durable_fsync_dir(const char *dir);

/* fsyncs the directory that holds path ("." for a bare name). Returns 0 or
 * -errno. */
int durable_fsync_parent(const char *path);

/* mkdir(path, mode), then fsyncs its parent. An existing directory is not
 * an error, and its parent is fsynced too: a process that died between
 * the mkdir and the fsync left an entry a power cut could still take.
 * Returns 0 or -errno. */
int durable_mkdir(const char *path, mode_t mode);

/* rename(from, to), then fsyncs the directory of `to` (and of `from` when
 * it differs). *renamed (may be NULL) tells whether the rename itself
 * happened: when it did and only the fsync failed, the new name may or may
 * not survive a crash, so the caller must treat both the old and the new
 * state as possibly on disk. Returns 0 or -errno. */
int durable_rename(const char *from, const char *to, bool *renamed);

/* unlink(path) (a missing file is not an error), then fsyncs its parent.
 * Returns 0 or -errno. */
int durable_unlink(const char *path);

/* Replaces path with len bytes of data, as every replaced file must be: a
 * temporary file beside it, written, fsynced and given mode 0644 less the
 * umask, renamed over path with durable_rename. The temporary file never
 * outlives a failure. Returns 0 or -errno; when only the final directory
 * fsync failed the new file is in place, but its name may not survive a
 * crash. */
int durable_replace(const char *path, const void *data, size_t len);

#endif
