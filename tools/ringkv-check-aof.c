/* ringkv-check-aof: checks, and optionally repairs or cuts back to a point
 * in time, an AOF the way Redis 7.0's redis-check-aof does.
 *
 *     ringkv-check-aof [--fix [-y] | --truncate-to-timestamp <ts>]
 *                      [--databases N] <file.manifest|file.aof>
 *
 * Owns the command-line behaviour: sniffing the input type (a manifest if a
 * non-comment line starts with "file", an RDB-preamble AOF if it starts
 * with "REDIS", else a RESP AOF), redis-check-aof's messages and exit codes
 * (0 valid, repaired or cut, 1 otherwise), the --fix repair (cut the last
 * file back to its last complete command outside a MULTI, after a y/N
 * prompt on stdin that -y answers, then an fsync of the file, which Redis
 * leaves out; a failure of either exits 1) and --truncate-to-timestamp
 * (cut the last file at the first "#TS:" annotation later than the given
 * unix time; the rules, and how a cut inside one of ringkv's batches keeps
 * the file loadable, are engine/aof_truncate.h's, shared with
 * ringkv-backup restore). Parsing is engine/'s aof_reader and aof_manifest;
 * RDB bases and preambles are loaded with engine/rdb.h's loader into a
 * scratch keyspace of --databases databases (16 by default; a ringkv
 * extension, as redis-check-aof has no such limit), keeping expired keys.
 * It never cuts a file other than the last one listed and never edits the
 * manifest.
 *
 * ringkv's batches (engine/aof_batch.h) are checked as the server loads
 * them: padding is an annotation like any other, and a log that ends
 * before the file does (a batch out of sequence, torn or failing its CRC,
 * bytes that belong to no batch) is reported like a truncated tail, with
 * its offset and reason, and cut at the end of the last good batch by
 * --fix. For a file with batches the tool also prints how many it
 * verified; for one without, its output is redis-check-aof's (the lines
 * about an RDB part are a shorter form of redis-check-rdb's). */
#include "engine/alloc.h"
#include "engine/aof_manifest.h"
#include "engine/aof_reader.h"
#include "engine/aof_truncate.h"
#include "engine/db.h"
#include "engine/number.h"
#include "engine/rdb.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* redis-check-aof's fgets buffer when sniffing for a manifest. */
#define CHECK_SNIFF_LINE_BYTES_MAX 1024
/* An RDB file is at least "REDIS" + 4 version digits; Redis sniffs 8. */
#define CHECK_RDB_SNIFF_BYTES_MIN 8
/* Databases of the scratch keyspace an RDB part is loaded into: Redis's
 * default, and ringkv-check-rdb's ceiling for --databases. */
#define CHECK_DATABASES_DEFAULT 16
#define CHECK_DATABASES_MAX 1048576

enum check_outcome {
    CHECK_OK,
    CHECK_EMPTY,
    CHECK_TRUNCATED,
    CHECK_TIMESTAMP_TRUNCATED,
};

struct check_options {
    bool fix;
    bool yes;      /* answer the prompt with y */
    long long to_timestamp; /* --truncate-to-timestamp; 0: off, as in Redis */
    int databases; /* of the keyspace RDB parts are loaded into */
    long long line; /* lines consumed over all files, like Redis's global */
};

static void check_usage(const char *argv0)
{
    printf("Usage: %s [--fix [-y]|--truncate-to-timestamp $timestamp] [--databases N] "
           "<file.manifest|file.aof>\n", argv0);
    exit(1);
}

static FILE *check_open_or_exit(const char *path, const char *mode)
{
    FILE *fp = fopen(path, mode);
    if (fp == NULL) {
        printf("Cannot open file %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return fp;
}

static bool check_is_manifest(const char *path)
{
    FILE *fp = check_open_or_exit(path, "r");
    char line[CHECK_SNIFF_LINE_BYTES_MAX + 1];
    bool manifest = false;
    while (fgets(line, sizeof(line), fp) != NULL) {
        if (line[0] != '#' && strncmp(line, "file", 4) == 0)
            manifest = true;
    }
    fclose(fp);
    return manifest;
}

static bool check_is_rdb(const char *path)
{
    FILE *fp = check_open_or_exit(path, "r");
    char sig[5];
    struct stat st;
    bool rdb = fstat(fileno(fp), &st) == 0 && st.st_size >= CHECK_RDB_SNIFF_BYTES_MIN &&
               fread(sig, sizeof(sig), 1, fp) == 1 && memcmp(sig, "REDIS", 5) == 0;
    fclose(fp);
    return rdb;
}

/* Asks before cutting; only an answer starting with y or Y proceeds. */
static void check_confirm_or_exit(const struct check_options *opt)
{
    printf("Continue? [y/N]: ");
    fflush(stdout);
    if (opt->yes)
        return;
    char answer[2];
    if (fgets(answer, sizeof(answer), stdin) == NULL || strncasecmp(answer, "y", 1) != 0) {
        printf("Aborting...\n");
        exit(1);
    }
}

/* Everything after ok_up_to is bad: report it, then cut or give up. */
static enum check_outcome check_repair_or_exit(int fd, const char *name, off_t size, size_t ok_up_to,
                                               bool last_file, const struct check_options *opt)
{
    off_t diff = size - (off_t)ok_up_to;
    if (!opt->fix) {
        printf("AOF %s is not valid. Use the --fix option to try fixing it.\n", name);
        exit(1);
    }
    if (!last_file) {
        printf("Failed to truncate AOF %s because it is not the last file\n", name);
        exit(1);
    }
    printf("This will shrink the AOF %s from %lld bytes, with %lld bytes, to %lld bytes\n", name,
           (long long)size, (long long)diff, (long long)ok_up_to);
    check_confirm_or_exit(opt);
    if (ftruncate(fd, (off_t)ok_up_to) < 0) {
        printf("Failed to truncate AOF %s\n", name);
        exit(1);
    }
    /* Without an fsync a crash could bring the bad tail back after we said
     * the file was repaired, and the server would refuse it again. */
    if (fsync(fd) < 0) {
        printf("Failed to fsync AOF %s after truncating it: %s\n", name, strerror(errno));
        exit(1);
    }
    return CHECK_TRUNCATED;
}

/* Redis counts MULTI nesting itself: a second MULTI or a stray EXEC is an
 * error at that command's name. Returns false (message in error) then. */
static bool check_track_multi(const struct aof_reader *r, const char *path, int *multi,
                              char *error, size_t error_size)
{
    const struct aof_arg *name = &r->argv[0];
    long long at = (long long)(name->ptr - r->buf);
    if (name->len == 5 && strncasecmp(name->ptr, "multi", 5) == 0) {
        if ((*multi)++) {
            snprintf(error, error_size, "0x%16llx: Unexpected MULTI in AOF %s", at, path);
            return false;
        }
    } else if (name->len == 4 && strncasecmp(name->ptr, "exec", 4) == 0) {
        if (--(*multi)) {
            snprintf(error, error_size, "0x%16llx: Unexpected EXEC in AOF %s", at, path);
            return false;
        }
    }
    return true;
}

/* Walks the bytes and returns the offset everything before which is good,
 * printing the first problem the way redis-check-aof does. */
static size_t check_walk(const char *bytes, size_t size, size_t start, const char *name,
                         const char *path, struct check_options *opt)
{
    struct aof_reader r;
    aof_reader_init(&r, bytes, size, AOF_READER_BULK_BYTES_DEFAULT);
    if (start > 0)
        aof_reader_skip_to(&r, start);
    char error[AOF_READER_REASON_BYTES_MAX + PATH_MAX + 64] = "";
    int multi = 0;
    size_t ok_up_to = start;
    long long last_payload = 0;
    enum aof_read_result result;
    while ((result = aof_reader_next(&r)) == AOF_READ_COMMAND) {
        last_payload = (long long)(r.argv[r.argc - 1].ptr - r.buf);
        if (!check_track_multi(&r, path, &multi, error, sizeof(error)))
            break;
        if (multi == 0)
            ok_up_to = r.pos;
    }
    if (result == AOF_READ_COMMAND) {
        /* Stopped on a MULTI/EXEC error: ok_up_to is already right. */
    } else if (result == AOF_READ_EOF) {
        ok_up_to = size;
    } else if (result == AOF_READ_CORRUPT && r.bad_record_start) {
        printf("AOF %s format error\n", name);
        ok_up_to = r.valid_end;
    } else if (result == AOF_READ_TORN) {
        snprintf(error, sizeof(error), "0x%16llx: %s", (long long)r.error_offset, r.reason);
        ok_up_to = r.valid_end;
    } else if (r.in_multi && r.error_offset == r.multi_offset && r.pos == size) {
        snprintf(error, sizeof(error), "0x%16llx: Reached EOF before reading EXEC for MULTI",
                 last_payload);
        ok_up_to = r.valid_end;
    } else {
        snprintf(error, sizeof(error), "0x%16llx: %s", (long long)r.error_offset, r.reason);
        ok_up_to = r.valid_end;
    }
    if (error[0] != '\0')
        printf("%s\n", error);
    if (r.batches > 0 || result == AOF_READ_TORN) {
        printf("Verified %llu batches in AOF %s (last seq %llu)\n", (unsigned long long)r.batches,
               name, (unsigned long long)r.batch_seq);
    }
    if (result == AOF_READ_EOF && r.valid_end < size)
        printf("AOF %s ends with %zu bytes of padding\n", name, size - r.valid_end);
    opt->line += r.lines - 1;
    aof_reader_free(&r);
    return ok_up_to;
}

/* ---- RDB parts ---- */

static void check_print_rdb_aux(void *ctx, const char *key, size_t key_len, const char *val,
                                size_t val_len)
{
    const struct rdb_source *src = ctx;
    printf("[offset %llu] AUX FIELD %.*s = '%.*s'\n", (unsigned long long)src->offset,
           (int)key_len, key, (int)val_len, val);
}

static uint64_t check_expires(struct keyspace *ks)
{
    uint64_t n = 0;
    for (int i = 0; i < ks->db_count; i++)
        n += db_expires_size(&ks->dbs[i]);
    return n;
}

/* Loads the RDB at the start of bytes into a scratch keyspace, printing a
 * short form of redis-check-rdb's report; exits 1 as redis-check-aof does
 * when it is not sane. Returns where the RDB ends: the AOF tail starts
 * there. */
static size_t check_rdb_part_or_exit(const char *bytes, size_t size, const char *name,
                                     const struct check_options *opt)
{
    printf("[offset 0] Checking RDB file %s\n", name);
    struct keyspace ks;
    keyspace_init(&ks, opt->databases);
    struct rdb_source src;
    rdb_source_init_memory(&src, bytes, size);
    struct rdb_load_options options = {.limits = &ks.limits, .keep_expired = true,
                                       .on_aux = check_print_rdb_aux, .aux_ctx = &src};
    struct rdb_load_info info;
    enum rdb_load_result result = rdb_load(&src, &ks, &options, &info);
    if (result != RDB_LOAD_OK) {
        printf("--- RDB ERROR DETECTED ---\n[offset %llu] %s\n",
               (unsigned long long)info.error_offset, info.error_text);
        printf("RDB preamble of AOF file is not sane, aborting.\n");
        exit(1);
    }
    assert(info.bytes <= size);
    printf("[offset %llu] %s\n", (unsigned long long)info.bytes,
           info.checksum != 0 ? "Checksum OK" : "No checksum (saved with rdbchecksum no)");
    printf("[offset %llu] \\o/ RDB looks OK! \\o/\n", (unsigned long long)info.bytes);
    printf("[info] %llu keys read\n[info] %llu expires\n[info] %llu already expired\n",
           (unsigned long long)info.keys_loaded, (unsigned long long)check_expires(&ks),
           (unsigned long long)info.keys_expired_skipped);
    printf("RDB preamble is OK, proceeding with AOF tail...\n");
    rdb_source_free(&src);
    keyspace_free(&ks);
    return (size_t)info.bytes;
}

/* ---- --truncate-to-timestamp ---- */

/* Cuts the file at fd where engine/aof_truncate.c says, with
 * redis-check-aof's messages. Returns true when it cut; false when the
 * file holds nothing to cut and must be checked as usual. */
static bool check_truncate_to_timestamp(int fd, const char *bytes, size_t size, size_t start,
                                        const char *path, bool last_file,
                                        const struct check_options *opt)
{
    struct aof_ts_cut cut;
    aof_ts_find_cut(bytes, size, start, opt->to_timestamp, &cut);
    switch (cut.result) {
    case AOF_TS_CUT_NONE:
        return false;
    case AOF_TS_CUT_BAD_ANNOTATION:
        printf("Invalid timestamp annotation\n");
        exit(1);
    case AOF_TS_CUT_NOTHING_BEFORE:
        printf("AOF %s has nothing before timestamp %lld, aborting...\n", path,
               opt->to_timestamp);
        exit(1);
    case AOF_TS_CUT_FOUND:
        break;
    }
    if (!last_file) {
        printf("Failed to truncate AOF %s to timestamp %lld to offset %lld because it is not "
               "the last file.\n", path, opt->to_timestamp, (long long)cut.ts_offset);
        printf("If you insist, please delete all files after this file according to the "
               "manifest file and delete the corresponding records in manifest file manually. "
               "Then re-run redis-check-aof.\n");
        exit(1);
    }
    if (cut.rewrite_header) {
        printf("The cut at offset %lld is inside batch seq %llu: its header at offset %lld now "
               "covers the %lld bytes before it\n", (long long)cut.ts_offset,
               (unsigned long long)cut.header_seq, (long long)cut.header_offset,
               (long long)(cut.keep_bytes - cut.header_offset - AOF_BATCH_HEADER_BYTES));
    }
    if (aof_ts_apply_cut(fd, &cut) < 0) {
        printf("Failed to truncate AOF %s to timestamp %lld\n", path, opt->to_timestamp);
        exit(1);
    }
    return true;
}

/* ---- one file ---- */

/* Checks (and repairs or cuts) the mapped bytes of one file. */
static enum check_outcome check_bytes(int fd, const char *bytes, size_t size, const char *name,
                                      const char *path, bool last_file, struct check_options *opt)
{
    size_t start = 0;
    if (size >= 5 && memcmp(bytes, "REDIS", 5) == 0)
        start = check_rdb_part_or_exit(bytes, size, name, opt);
    if (opt->to_timestamp != 0 &&
        check_truncate_to_timestamp(fd, bytes, size, start, path, last_file, opt))
        return CHECK_TIMESTAMP_TRUNCATED;
    size_t ok_up_to = check_walk(bytes, size, start, name, path, opt);
    if (opt->to_timestamp != 0 && ok_up_to == size) {
        printf("Truncate nothing in AOF %s to timestamp %lld\n", name, opt->to_timestamp);
        return CHECK_OK;
    }
    printf("AOF analyzed: filename=%s, size=%lld, ok_up_to=%lld, ok_up_to_line=%lld, diff=%lld\n",
           name, (long long)size, (long long)ok_up_to, opt->line, (long long)(size - ok_up_to));
    if (ok_up_to < size)
        return check_repair_or_exit(fd, name, (off_t)size, ok_up_to, last_file, opt);
    return CHECK_OK;
}

static enum check_outcome check_single(const char *name, const char *path, bool last_file,
                                       struct check_options *opt)
{
    bool writes = opt->fix || opt->to_timestamp != 0;
    int fd = open(path, (writes ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        printf("Cannot open file %s: %s, aborting...\n", path, strerror(errno));
        exit(1);
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        printf("Cannot stat file: %s, aborting...\n", name);
        exit(1);
    }
    if (st.st_size == 0) {
        close(fd);
        return CHECK_EMPTY;
    }
    size_t size = (size_t)st.st_size;
    char *bytes = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (bytes == MAP_FAILED) {
        printf("Failed to read from AOF %s, aborting...\n", name);
        exit(1);
    }
    enum check_outcome outcome = check_bytes(fd, bytes, size, name, path, last_file, opt);
    munmap(bytes, size);
    close(fd);
    return outcome;
}

static void check_print_outcome(enum check_outcome outcome, const char *name, const char *kind,
                                const struct check_options *opt)
{
    switch (outcome) {
    case CHECK_OK: printf("%s %s is valid\n", kind, name); break;
    case CHECK_EMPTY: printf("%s %s is empty\n", kind, name); break;
    case CHECK_TRUNCATED: printf("Successfully truncated AOF %s\n", name); break;
    case CHECK_TIMESTAMP_TRUNCATED:
        printf("Successfully truncated AOF %s to timestamp %lld\n", name, opt->to_timestamp);
        break;
    }
}

/* Loads the manifest or prints why not and exits, as Redis does. */
static void check_load_manifest_or_exit(const char *path, struct aof_manifest *m)
{
    struct aof_buffer text;
    aof_buffer_init(&text);
    int rc = aof_manifest_read_file(path, &text);
    if (rc < 0) {
        printf("Fatal error: can't open the AOF manifest %s for reading: %s\n", path, strerror(-rc));
        exit(1);
    }
    struct aof_manifest_error err;
    aof_manifest_init(m);
    if (aof_manifest_parse(m, text.data, text.len, &err) != AOF_MANIFEST_PARSE_OK) {
        printf("\n*** FATAL AOF MANIFEST FILE ERROR ***\n\n");
        if (err.has_line_text) {
            const char *line = text.data + err.line_offset;
            size_t len = err.line_len;
            while (len > 0 && strchr(" \t\r\n", line[0])) {
                line++;
                len--;
            }
            while (len > 0 && strchr(" \t\r\n", line[len - 1]))
                len--;
            printf("Reading the manifest file, at line %d\n\n", err.line);
            printf(">>> '%.*s'\n\n", (int)len, line);
        }
        printf("%s\n", err.reason);
        exit(1);
    }
    aof_buffer_free(&text);
}

static char *check_join(const char *dir, const char *name)
{
    size_t d = strlen(dir), n = strlen(name);
    char *path = alloc_bytes(d + n + 2);
    memcpy(path, dir, d);
    path[d] = '/';
    memcpy(path + d + 1, name, n + 1);
    return path;
}

static void check_multi_part(const char *dir, const char *manifest_path, struct check_options *opt)
{
    printf("Start checking Multi Part AOF\n");
    struct aof_manifest m;
    check_load_manifest_or_exit(manifest_path, &m);
    size_t total = aof_manifest_load_count(&m);
    for (size_t i = 0; i < total; i++) {
        const struct aof_file_info *info = aof_manifest_load_file(&m, i);
        char *path = check_join(dir, info->name);
        bool base = info->type == AOF_FILE_TYPE_BASE;
        if (base)
            printf("Start to check BASE AOF (%s format).\n", check_is_rdb(path) ? "RDB" : "RESP");
        else if (i == (m.has_base ? 1u : 0u))
            printf("Start to check INCR files.\n");
        enum check_outcome outcome = check_single(info->name, path, i + 1 == total, opt);
        check_print_outcome(outcome, info->name, base ? "BASE AOF" : "INCR AOF", opt);
        alloc_free(path);
    }
    aof_manifest_free(&m);
    printf("All AOF files and manifest are valid\n");
}

/* Reads a number argument or exits with the usage text. */
static long long check_number_arg_or_exit(const char *text, const char *argv0)
{
    long long n;
    if (!number_parse_ll(text, strlen(text), &n))
        check_usage(argv0);
    return n;
}

/* redis-check-aof reads the timestamp with strtol: it must be a whole
 * number with nothing after it. */
static long long check_timestamp_arg_or_exit(const char *text)
{
    char *end;
    errno = 0;
    long long ts = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0') {
        printf("Invalid timestamp, aborting...\n");
        exit(1);
    }
    return ts;
}

static const char *check_parse_args(int argc, char **argv, struct check_options *opt)
{
    const char *path = NULL;
    bool truncate = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fix") == 0) {
            opt->fix = true;
        } else if (strcmp(argv[i], "-y") == 0) {
            opt->yes = true;
        } else if (strcmp(argv[i], "--truncate-to-timestamp") == 0 && i + 1 < argc) {
            truncate = true;
            opt->to_timestamp = check_timestamp_arg_or_exit(argv[++i]);
        } else if (strcmp(argv[i], "--databases") == 0 && i + 1 < argc) {
            long long n = check_number_arg_or_exit(argv[++i], argv[0]);
            if (n < 1 || n > CHECK_DATABASES_MAX)
                check_usage(argv[0]);
            opt->databases = (int)n;
        } else if (path == NULL && argv[i][0] != '-') {
            path = argv[i];
        } else {
            check_usage(argv[0]);
        }
    }
    if (path == NULL || (opt->yes && !opt->fix) || (truncate && opt->fix))
        check_usage(argv[0]);
    return path;
}

int main(int argc, char **argv)
{
    struct check_options opt = {.line = 1, .databases = CHECK_DATABASES_DEFAULT};
    const char *path = check_parse_args(argc, argv, &opt);

    /* dirname may modify its argument. */
    char *dir_copy = alloc_strdup(path);
    const char *dir = dirname(dir_copy);
    if (check_is_manifest(path)) {
        check_multi_part(dir, path, &opt);
    } else {
        printf("Start checking Old-Style AOF\n");
        enum check_outcome outcome = check_single(path, path, true, &opt);
        check_print_outcome(outcome, path, "AOF", &opt);
    }
    alloc_free(dir_copy);
    return 0;
}
