/* rdb_load.h: loading an RDB file into the keyspace (dbfilename at
 * start-up and DEBUG RELOAD, or an AOF's RDB-format base). */
#ifndef RINGKV_NET_PERSIST_RDB_LOAD_H
#define RINGKV_NET_PERSIST_RDB_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct persist;

/* Loads dbfilename (if it exists, *found says) into the empty keyspace.
 * Returns 0, or -1 with a message naming the file, offset and reason. */
int rdb_load_file(struct persist *p, bool *found, char *err, size_t err_len);
/* Loads the RDB file at path (relative to the data directory): the AOF
 * base uses it too. consumed (optional) gets the bytes the RDB took. */
int rdb_load_path(struct persist *p, const char *path, bool *found, uint64_t *consumed,
                       char *err, size_t err_len);

#endif
