/* rdb_parallel.c: one RDB file encoded by several threads.
 *
 * Owns the split of a keyspace into chunks, the worker threads that encode
 * them, and the ordering that turns their output back into the one byte
 * stream the single-threaded encoder would have written: the same keys in
 * the same order, so the same bytes (the tests compare them).
 *
 * A chunk is a range of RDB_PARALLEL_CHUNK_BUCKETS buckets of one table of
 * one database's key dict, listed in the order the single-threaded walk
 * visits them. Workers take chunks in list order, each encoding into its
 * own sink whose bytes go to a list of blocks on the chunk; the calling
 * thread (the writer) owns the real sink and writes the blocks of the head
 * chunk (the lowest not yet written) as they arrive, then moves on. Each
 * worker's sink keeps the CRC-64 of its chunk; the writer folds it into
 * the file's CRC with crc64_combine when the chunk ends, so no byte is
 * checksummed twice and the trailer comes out as if one thread wrote it.
 *
 * Memory stays bounded: a worker may run at most RDB_PARALLEL_WINDOW chunks
 * ahead of the head, and a chunk that is not the head holds at most
 * RDB_PARALLEL_HOLD_BYTES before its worker waits to become the head (a
 * huge value in a later chunk then streams instead of being buffered
 * whole). The head's worker never waits, so the writer always progresses.
 *
 * Workers only read the keyspace (rdb_encoder_put_buckets walks bucket
 * chains; each value is read by the one worker whose chunk holds its key),
 * which is what makes this safe: it runs in a fork child whose keyspace
 * nobody changes. One mutex guards the chunk lists and counters; the work
 * under it is pointer moves, while encoding happens outside it. */
#include "engine/rdb.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "engine/alloc.h"
#include "engine/crc64.h"

/* Buckets per chunk: about 600 KB of output for string keys at the usual
 * fill, small enough to share out evenly, large enough that handing out
 * chunks costs nothing next to encoding them. */
#define RDB_PARALLEL_CHUNK_BUCKETS 16384
/* Chunks a worker may start ahead of the one being written, per worker. */
#define RDB_PARALLEL_WINDOW_PER_THREAD 4
/* Bytes a chunk other than the head may hold before its worker waits. */
#define RDB_PARALLEL_HOLD_BYTES (16u << 20)
/* More threads than this cost memory and buy nothing on one file. */
#define RDB_PARALLEL_THREADS_MAX 16
/* The writer wakes at least this often to report progress, so a slow
 * chunk (a huge value, the rdb-key-save-delay hook) still shows some. */
#define RDB_PARALLEL_REPORT_MS 100

struct rdb_block {
    struct rdb_block *next;
    size_t len;
    unsigned char data[];
};

struct rdb_chunk {
    int db_index, table;
    uint64_t lo, hi;  /* bucket range */
    bool opens_db;    /* first chunk of its database: its opening goes first */
    /* Guarded by the mutex from here on. */
    struct rdb_block *first, *last;
    size_t held;      /* bytes in the block list */
    bool done;        /* the worker finished: crc and bytes are final */
    uint64_t crc, bytes;
};

struct rdb_worker;

struct rdb_parallel {
    struct keyspace *ks; /* borrowed */
    struct rdb_worker *workers; /* borrowed: the writer's array */
    int worker_count;
    uint64_t keys_reported;     /* writer only: the last progress figure */
    struct rdb_save_options worker_options;
    struct rdb_chunk *chunks; /* owned */
    size_t chunk_count;
    size_t window;
    pthread_mutex_t lock;
    pthread_cond_t writer_wake;  /* a block or the end of the head chunk */
    pthread_cond_t workers_wake; /* the head moved, or stop */
    size_t next_chunk;           /* next one to hand out */
    size_t head;                 /* the one being written */
    bool stop;                   /* the writer failed: workers give up */
};

struct rdb_worker {
    struct rdb_parallel *par; /* borrowed */
    pthread_t thread;
    size_t chunk;             /* index of the chunk being encoded */
    uint64_t keys_done;       /* atomic: keys this worker encoded so far */
};

/* rdb_save_options.progress of a worker's encoder (every
 * RDB_PROGRESS_KEYS keys): publishes the count for the writer. */
static void rdb_worker_progress(void *ctx, uint64_t keys_done)
{
    struct rdb_worker *w = ctx;
    __atomic_store_n(&w->keys_done, keys_done, __ATOMIC_RELAXED);
}

/* On the writer's thread: passes the keys all workers encoded so far to
 * the caller's progress callback when the figure moved. */
static void rdb_parallel_report(struct rdb_parallel *par, const struct rdb_save_options *options)
{
    if (options->progress == NULL)
        return;
    uint64_t keys = 0;
    for (int i = 0; i < par->worker_count; i++)
        keys += __atomic_load_n(&par->workers[i].keys_done, __ATOMIC_RELAXED);
    if (keys > par->keys_reported) {
        par->keys_reported = keys;
        options->progress(options->progress_ctx, keys);
    }
}

/* Waits on the writer's condition for at most RDB_PARALLEL_REPORT_MS. */
static void rdb_parallel_writer_wait(struct rdb_parallel *par)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += RDB_PARALLEL_REPORT_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&par->writer_wake, &par->lock, &until);
}

/* Appends a chunk for buckets [lo, hi) of a table, growing the array. */
static void rdb_parallel_add_chunk(struct rdb_parallel *par, size_t *cap, int db_index,
                                   int table, uint64_t lo, uint64_t hi, bool opens_db)
{
    if (par->chunk_count == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        par->chunks = alloc_resize(par->chunks, *cap * sizeof(*par->chunks));
    }
    struct rdb_chunk *c = &par->chunks[par->chunk_count++];
    memset(c, 0, sizeof(*c));
    c->db_index = db_index;
    c->table = table;
    c->lo = lo;
    c->hi = hi;
    c->opens_db = opens_db;
}

/* The chunks of every non-empty database, in the single-threaded walk's
 * order: table 0, then table 1 only while rehashing (as dict_iter). */
static void rdb_parallel_plan(struct rdb_parallel *par)
{
    size_t cap = 0;
    for (int i = 0; i < par->ks->db_count; i++) {
        struct db *db = &par->ks->dbs[i];
        if (db_size(db) == 0)
            continue;
        bool opens_db = true;
        int tables = dict_is_rehashing(&db->keys) ? 2 : 1;
        for (int t = 0; t < tables; t++) {
            uint64_t size = db->keys.table[t].size;
            for (uint64_t lo = 0; lo < size; lo += RDB_PARALLEL_CHUNK_BUCKETS) {
                uint64_t hi = size - lo > RDB_PARALLEL_CHUNK_BUCKETS
                                  ? lo + RDB_PARALLEL_CHUNK_BUCKETS
                                  : size;
                rdb_parallel_add_chunk(par, &cap, i, t, lo, hi, opens_db);
                opens_db = false;
            }
        }
    }
}

/* rdb_write_fn of a worker's sink: moves the bytes to the chunk's block
 * list, then waits while the chunk holds too much and is not the head.
 * Fails only when the writer stopped. */
static int rdb_worker_write(void *ctx, const void *buf, size_t len)
{
    struct rdb_worker *w = ctx;
    struct rdb_parallel *par = w->par;
    struct rdb_block *b = alloc_bytes(sizeof(*b) + len);
    b->next = NULL;
    b->len = len;
    memcpy(b->data, buf, len);
    pthread_mutex_lock(&par->lock);
    struct rdb_chunk *c = &par->chunks[w->chunk];
    if (c->last != NULL)
        c->last->next = b;
    else
        c->first = b;
    c->last = b;
    c->held += len;
    if (w->chunk == par->head)
        pthread_cond_signal(&par->writer_wake);
    while (!par->stop && w->chunk != par->head && c->held > RDB_PARALLEL_HOLD_BYTES)
        pthread_cond_wait(&par->workers_wake, &par->lock);
    bool stop = par->stop;
    pthread_mutex_unlock(&par->lock);
    return stop ? -ECANCELED : 0;
}

/* Hands out the next chunk within the window; false when none is left or
 * the writer stopped. */
static bool rdb_worker_take(struct rdb_worker *w)
{
    struct rdb_parallel *par = w->par;
    pthread_mutex_lock(&par->lock);
    while (!par->stop && par->next_chunk < par->chunk_count &&
           par->next_chunk >= par->head + par->window)
        pthread_cond_wait(&par->workers_wake, &par->lock);
    bool ok = !par->stop && par->next_chunk < par->chunk_count;
    if (ok)
        w->chunk = par->next_chunk++;
    pthread_mutex_unlock(&par->lock);
    return ok;
}

static void *rdb_worker_main(void *arg)
{
    struct rdb_worker *w = arg;
    struct rdb_parallel *par = w->par;
    struct rdb_sink sink;
    rdb_sink_init(&sink, rdb_worker_write, w);
    struct rdb_encoder enc;
    rdb_encoder_init(&enc, par->ks, &sink, &par->worker_options);
    enc.options.progress = rdb_worker_progress;
    enc.options.progress_ctx = w;
    while (rdb_worker_take(w)) {
        struct rdb_chunk *c = &par->chunks[w->chunk];
        sink.crc = CRC64_INIT;
        sink.bytes = 0;
        rdb_encoder_put_buckets(&enc, c->db_index, c->table, c->lo, c->hi);
        if (rdb_sink_flush(&sink) != 0)
            break; /* the writer stopped */
        __atomic_store_n(&w->keys_done, enc.keys_written, __ATOMIC_RELAXED);
        pthread_mutex_lock(&par->lock);
        c->crc = rdb_sink_crc(&sink);
        c->bytes = sink.bytes;
        c->done = true;
        pthread_cond_signal(&par->writer_wake);
        pthread_mutex_unlock(&par->lock);
    }
    rdb_encoder_finish(&enc);
    rdb_sink_free(&sink);
    return NULL;
}

/* Writes chunk i's blocks to the real sink as they come, until its worker
 * is done; then folds its CRC in and moves the head on. Returns the
 * sink's error. */
static int rdb_parallel_write_chunk(struct rdb_parallel *par, struct rdb_encoder *enc, size_t i,
                                    const struct rdb_save_options *options)
{
    struct rdb_chunk *c = &par->chunks[i];
    if (c->opens_db)
        rdb_encoder_put_db_open(enc, c->db_index);
    for (;;) {
        pthread_mutex_lock(&par->lock);
        while (c->first == NULL && !c->done) {
            rdb_parallel_writer_wait(par);
            pthread_mutex_unlock(&par->lock);
            rdb_parallel_report(par, options);
            pthread_mutex_lock(&par->lock);
        }
        struct rdb_block *blocks = c->first;
        bool done = c->done && blocks == NULL;
        c->first = c->last = NULL;
        c->held = 0;
        pthread_mutex_unlock(&par->lock);
        if (done)
            break;
        while (blocks != NULL) {
            struct rdb_block *next = blocks->next;
            rdb_sink_write_uncounted(enc->sink, blocks->data, blocks->len);
            alloc_free(blocks);
            blocks = next;
        }
        if (enc->sink->error != 0)
            return enc->sink->error;
        rdb_parallel_report(par, options);
    }
    rdb_sink_add_crc(enc->sink, c->crc, c->bytes);
    pthread_mutex_lock(&par->lock);
    par->head = i + 1;
    pthread_cond_broadcast(&par->workers_wake);
    pthread_mutex_unlock(&par->lock);
    return 0;
}

/* Frees what blocks a stopped run left on its chunks. */
static void rdb_parallel_free(struct rdb_parallel *par)
{
    for (size_t i = 0; i < par->chunk_count; i++) {
        struct rdb_block *b = par->chunks[i].first;
        while (b != NULL) {
            struct rdb_block *next = b->next;
            alloc_free(b);
            b = next;
        }
    }
    alloc_free(par->chunks);
    pthread_cond_destroy(&par->workers_wake);
    pthread_cond_destroy(&par->writer_wake);
    pthread_mutex_destroy(&par->lock);
}

int rdb_save_parallel(struct keyspace *ks, struct rdb_sink *sink,
                      const struct rdb_save_options *options)
{
    int threads = options->threads;
    assert(threads >= 2);
    if (threads > RDB_PARALLEL_THREADS_MAX)
        threads = RDB_PARALLEL_THREADS_MAX;
    struct rdb_parallel par = {.ks = ks, .worker_options = *options};
    par.worker_options.progress = NULL; /* only the writer reports */
    par.window = (size_t)threads * RDB_PARALLEL_WINDOW_PER_THREAD;
    pthread_mutex_init(&par.lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&par.writer_wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_init(&par.workers_wake, NULL);
    rdb_parallel_plan(&par);

    struct rdb_worker workers[RDB_PARALLEL_THREADS_MAX];
    par.workers = workers;
    int started = 0;
    for (; started < threads; started++) {
        workers[started] = (struct rdb_worker){.par = &par};
        if (pthread_create(&workers[started].thread, NULL, rdb_worker_main,
                           &workers[started]) != 0)
            break;
        /* The writer reads the counts of the started workers only. */
        par.worker_count = started + 1;
    }
    if (started == 0) {
        /* No thread to be had (a limit on tasks): one thread still saves. */
        rdb_parallel_free(&par);
        struct rdb_save_options serial = *options;
        serial.threads = 1;
        return rdb_save(ks, sink, &serial);
    }
    struct rdb_encoder enc;
    rdb_encoder_init(&enc, ks, sink, options);
    rdb_encoder_put_header(&enc);
    int err = 0;
    for (size_t i = 0; err == 0 && i < par.chunk_count; i++)
        err = rdb_parallel_write_chunk(&par, &enc, i, options);
    pthread_mutex_lock(&par.lock);
    par.stop = true;
    pthread_cond_broadcast(&par.workers_wake);
    pthread_mutex_unlock(&par.lock);
    for (int i = 0; i < started; i++)
        pthread_join(workers[i].thread, NULL);
    rdb_parallel_free(&par);
    if (err == 0)
        rdb_encoder_put_trailer(&enc);
    else if (sink->error == 0)
        sink->error = err;
    return rdb_encoder_finish(&enc);
}
