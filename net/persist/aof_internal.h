/* aof_internal.h: what net/aof.c and net/aof_load.c share, nobody else. */
#ifndef RINGKV_NET_AOF_INTERNAL_H
#define RINGKV_NET_AOF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "engine/aof_manifest.h"

struct server;

#define AOF_PATH_BYTES 4096

/* aof.c */
/* <appenddirname>/<name> into out. */
void aof_path(const struct server *s, const char *name, char *out, size_t out_len);
/* Size of a file of the AOF directory, 0 if it is missing. */
long long aof_file_size(const struct server *s, const char *name);
/* aof_manifest_write_file into the AOF directory, logging a failure. */
int aof_persist_manifest(struct server *s, const struct aof_manifest *m);
/* Writes the keyspace as the base named base_name, synchronously. */
int aof_write_base_sync(struct server *s, const char *base_name);
/* Deletes the manifest's history files (unless aof-disable-auto-gc). */
void aof_delete_history(struct server *s);
/* Opens the manifest's last incr for appending (create: empty it) and
 * starts the writer at its end. */
int aof_open_last_incr(struct server *s, bool create);
/* Base and incr sizes from the files the manifest names. */
void aof_measure_sizes(struct server *s);
/* The AOF state of a server whose AOF is off. */
void aof_init_state(struct server *s);

/* aof_load.c */
/* Opens path with flags and reads its size. Returns the fd or -errno. */
int aof_open_sized(const char *path, int flags, struct stat *st);
/* Reads the manifest if there is one. Returns 1 found, 0 none, -1 bad. */
int aof_read_manifest(struct server *s, struct aof_manifest *m, char *err, size_t err_len);
/* Loads every file the manifest lists, in order. */
int aof_load_manifest_files(struct server *s, char *err, size_t err_len);

#endif
