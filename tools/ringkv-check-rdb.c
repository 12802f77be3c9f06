/* ringkv-check-rdb: verifies an RDB file the way the server would load it.
 *
 * Usage: ringkv-check-rdb [--databases N] <file>
 *
 * Loads the whole file with engine/rdb_decode.c into a scratch keyspace (keeping
 * keys that have already expired, since checking must not depend on the
 * clock), then prints the RDB version, the AUX fields, the keys per
 * database and type, and either "RDB looks OK" or the first problem with
 * its byte offset. Exit status follows redis-check-rdb: 0 when the file is
 * good, 1 for a bad file, an unreadable one or bad usage. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/dict.h"
#include "engine/kv.h"
#include "engine/number.h"
#include "engine/rdb.h"

/* Redis's default `databases`; files selecting a higher index need
 * --databases, as the server would need the same configuration. */
#define CHECK_DATABASES_DEFAULT 16
#define CHECK_DATABASES_MAX 1048576
#define CHECK_KV_TYPES 5

static long check_read(void *ctx, void *buf, size_t len)
{
    int fd = *(int *)ctx;
    ssize_t n = read(fd, buf, len);
    return n < 0 ? -errno : (long)n;
}

static void check_print_aux(void *ctx, const char *key, size_t key_len, const char *val,
                            size_t val_len)
{
    (void)ctx;
    printf("AUX %.*s = '%.*s'\n", (int)key_len, key, (int)val_len, val);
}

static void check_print_db(struct db *db)
{
    uint64_t by_type[CHECK_KV_TYPES] = {0};
    struct dict_iter it;
    dict_iter_init(&it, &db->keys);
    for (struct dict_node *node; (node = dict_iter_next(&it)) != NULL;) {
        const struct kv *kv = (const struct kv *)node; /* link is the first member */
        if (kv->type < CHECK_KV_TYPES)
            by_type[kv->type]++;
    }
    dict_iter_done(&it);
    printf("db %d: %llu keys, %llu with an expiry (", db->id, (unsigned long long)db_size(db),
           (unsigned long long)db_expires_size(db));
    const char *sep = "";
    for (int t = 0; t < CHECK_KV_TYPES; t++) {
        if (by_type[t] == 0)
            continue;
        printf("%s%s: %llu", sep, kv_type_name(t), (unsigned long long)by_type[t]);
        sep = ", ";
    }
    printf(")\n");
}

static void check_print_summary(struct keyspace *ks, const struct rdb_load_info *info)
{
    for (int i = 0; i < ks->db_count; i++)
        if (db_size(&ks->dbs[i]) > 0)
            check_print_db(&ks->dbs[i]);
    for (int t = 0; t < RDB_TYPE_COUNT; t++)
        if (info->keys_by_type[t] > 0)
            printf("RDB type %d (%s): %llu keys\n", t, rdb_type_name(t),
                   (unsigned long long)info->keys_by_type[t]);
    printf("keys: %llu loaded, %llu empty collections skipped\n",
           (unsigned long long)info->keys_loaded, (unsigned long long)info->keys_empty_skipped);
}

static int check_usage(void)
{
    fprintf(stderr, "Usage: ringkv-check-rdb [--databases N] <rdb-file>\n");
    return 1;
}

int main(int argc, char **argv)
{
    int databases = CHECK_DATABASES_DEFAULT, argi = 1;
    if (argc == 4 && strcmp(argv[1], "--databases") == 0) {
        long long n;
        if (!number_parse_ll(argv[2], strlen(argv[2]), &n) || n < 1 || n > CHECK_DATABASES_MAX)
            return check_usage();
        databases = (int)n;
        argi = 3;
    } else if (argc != 2) {
        return check_usage();
    }
    const char *path = argv[argi];
    printf("[offset 0] Checking RDB file %s\n", path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        printf("--- RDB ERROR DETECTED ---\ncannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct keyspace ks;
    keyspace_init(&ks, databases);
    struct rdb_source src;
    rdb_source_init(&src, check_read, &fd, (uint64_t)st.st_size);
    /* A check validates every blob deeply, whatever the server would trust. */
    struct rdb_load_options options = {.limits = &ks.limits, .keep_expired = true,
                                       .skip_deep_validation = false,
                                       .on_aux = check_print_aux};
    struct rdb_load_info info;
    enum rdb_load_result result = rdb_load(&src, &ks, &options, &info);
    if (info.version > 0)
        printf("RDB version: %d\n", info.version);
    check_print_summary(&ks, &info);
    if (result != RDB_LOAD_OK) {
        printf("--- RDB ERROR DETECTED ---\n[offset %llu] %s\n",
               (unsigned long long)info.error_offset, info.error_text);
    } else {
        printf("[offset %llu] %s\n", (unsigned long long)info.bytes,
               info.checksum != 0 ? "Checksum OK" : "No checksum (saved with rdbchecksum no)");
        if ((uint64_t)st.st_size > info.bytes)
            printf("note: %llu bytes after the checksum were ignored\n",
                   (unsigned long long)((uint64_t)st.st_size - info.bytes));
        printf("RDB looks OK\n");
    }
    rdb_source_free(&src);
    keyspace_free(&ks);
    close(fd);
    return result == RDB_LOAD_OK ? 0 : 1;
}
