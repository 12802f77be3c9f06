/* aof_internal.h: what aof.c, aof_load.c and aof_files.c share, nobody
 * else (net/persist/ only). */
#ifndef RINGKV_NET_PERSIST_AOF_INTERNAL_H
#define RINGKV_NET_PERSIST_AOF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "engine/aof_manifest.h"

struct persist;

#define AOF_PATH_BYTES 4096

/* aof_files.c */
/* <appenddirname>/<name> into out. */
void aof_path(const struct persist *p, const char *name, char *out, size_t out_len);
/* Size of a file of the AOF directory, 0 if it is missing. */
long long aof_file_size(const struct persist *p, const char *name);
/* aof_manifest_write_file into the AOF directory, logging a failure. */
int aof_persist_manifest(struct persist *p, const struct aof_manifest *m);
/* Opens path with flags and reads its size. Returns the fd or -errno. */
int aof_open_sized(const char *path, int flags, struct stat *st);
enum aof_manifest_read {
    AOF_MANIFEST_NONE,  /* there is no manifest: m is untouched */
    AOF_MANIFEST_FOUND, /* m holds it */
    AOF_MANIFEST_BAD,   /* unreadable or invalid: err says why */
};
enum aof_manifest_read aof_read_manifest(struct persist *p, struct aof_manifest *m, char *err,
                                         size_t err_len);

/* aof.c */
/* Writes the keyspace as the base named base_name, synchronously. */
int aof_write_base_sync(struct persist *p, const char *base_name);
/* Deletes the manifest's history files (unless aof-disable-auto-gc). */
void aof_delete_history(struct persist *p);
/* Opens the manifest's last incr for appending (create: empty it) and
 * starts the writer at its end. */
int aof_open_last_incr(struct persist *p, bool create);
/* Base and incr sizes from the files the manifest names. */
void aof_measure_sizes(struct persist *p);
/* The AOF state of a server whose AOF is off. */
void aof_init_state(struct persist *p);
/* Writes and fsyncs everything logged so far, waiting for the ring.
 * Returns 0 or the writer's -errno. Releases every held reply when done. */
int aof_sync_all(struct persist *p);

/* aof_load.c */
/* Loads every file the manifest lists, in order. */
int aof_load_manifest_files(struct persist *p, char *err, size_t err_len);

#endif
