/* rdb_save.c: writing the keyspace to dbfilename and reading it back.
 *
 * Owns SAVE's blocking write, BGSAVE's forked child and its reaping, the
 * save points the tick checks, the start-up load and the MISCONF rule
 * (stop-writes-on-bgsave-error). The file format itself is engine/'s
 * (rdb_encode.c, rdb_decode.c);
 * this file only moves its bytes to and from the data directory.
 *
 * Every save writes temp-<pid>.rdb in the data directory (the server's
 * working directory since start-up), makes it durable, renames it onto
 * dbfilename and then fsyncs the directory, so a crash at any point leaves
 * either the old file or the new one, never a torn one.
 *
 * The blocking save writes with plain write(2) loops. The BGSAVE child
 * streams through a private io_uring and a ring_writer (a few writes in
 * flight while the encoder produces the next bytes); when io_uring is not
 * available to the child it falls back to the write(2) path. */
#define _GNU_SOURCE /* sync_file_range, sched_getaffinity */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/durable_fs.h"
#include "engine/rdb.h"
#include "net/core/config.h"
#include "net/core/latency.h"
#include "net/persist/persist.h"
#include "net/persist/rdb_save.h"
#include "uring/ring.h"
#include "uring/ring_writer.h"

/* Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points and
 * scheduled saves wait this long before trying again. */
#define RDB_SAVE_RETRY_DELAY_S 5
/* The child's ring_writer: writes in flight, its buffer and one write's cap.
 * A few large sequential writes keep the device busy while the encoder
 * fills the next chunk; more buy nothing on one file. */
#define RDB_SAVE_CHILD_WRITES_IN_FLIGHT 4
#define RDB_SAVE_CHILD_BUFFER_BYTES (8u * 1024 * 1024)
#define RDB_SAVE_CHILD_WRITE_BYTES (1u * 1024 * 1024)
#define RDB_SAVE_TEMP_NAME_BYTES 64
/* Redis's REDIS_AUTOSYNC_BYTES: the incremental fsync's window. */
#define RDB_SAVE_AUTOSYNC_BYTES (4u * 1024 * 1024)

_Static_assert(RDB_SAVE_CHILD_WRITES_IN_FLIGHT <= RING_WRITER_WRITES_IN_FLIGHT_MAX,
               "the writer caps writes in flight");
_Static_assert(RDB_SAVE_CHILD_WRITE_BYTES <= RDB_SAVE_CHILD_BUFFER_BYTES,
               "one write must fit the buffer");

static void rdb_save_temp_name(char *out, size_t out_len, pid_t pid)
{
    snprintf(out, out_len, "temp-%d.rdb", (int)pid);
}

/* Removes a dead child's temporary file. Unlinking a large file can block,
 * so it is timed as Redis's "rdb-unlink-temp-file" latency event. */
static void rdb_save_unlink_temp(struct persist *p, pid_t pid)
{
    char tmp[RDB_SAVE_TEMP_NAME_BYTES];
    rdb_save_temp_name(tmp, sizeof(tmp), pid);
    long long start_us = log_clock_us();
    unlink(tmp);
    if (p->latency != NULL)
        latency_monitor_add_if_needed(p->latency, p->config->latency_monitor_threshold,
                                      "rdb-unlink-temp-file", (log_clock_us() - start_us) / 1000);
}

/* rdb_write_fn over a file descriptor: finishes short writes, retries
 * EINTR. */
static int rdb_save_fd_write(void *ctx, const void *buf, size_t len)
{
    int fd = *(int *)ctx;
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return -EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* A streaming save: the ring writer, and the incremental fsync's state. */
struct rdb_save_stream_state {
    struct ring_writer *writer;
    int fd;
    bool incremental_fsync;
    uint64_t started; /* writeback was started for the bytes below this */
    uint64_t waited;  /* ... and waited for below this */
    int error;        /* first -errno of the stream (write or writeback); sticky */
};

/* rdb-save-incremental-fsync / aof-rewrite-incremental-fsync: every few MB
 * of completed writes, start their writeback, then wait for the window
 * started the time before, so the final fsync does not find gigabytes of
 * dirty page cache (and the machine's other writers do not stall). The
 * device writes one window while the encoder fills the next: waiting for
 * the window just started, as Redis does, would leave the encoder idle
 * for every write-out.
 *
 * Returns 0 or -errno. A failure is the save's failure, as in Redis's
 * rioFileWrite: Linux reports a failed writeback once and then forgets
 * it, so the final fdatasync could succeed over pages that never reached
 * the disk, and the damaged file would replace a good one. Only a kernel
 * without the call (-ENOSYS) just loses the incremental writeback; the
 * final fdatasync still makes the file durable. */
static int rdb_save_incremental_fsync(struct rdb_save_stream_state *st)
{
    uint64_t written = ring_writer_written(st->writer);
    if (!st->incremental_fsync || written - st->started < RDB_SAVE_AUTOSYNC_BYTES)
        return 0;
    if (sync_file_range(st->fd, (off_t)st->started, (off_t)(written - st->started),
                        SYNC_FILE_RANGE_WRITE) < 0 ||
        (st->started > st->waited &&
         sync_file_range(st->fd, (off_t)st->waited, (off_t)(st->started - st->waited),
                         SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                             SYNC_FILE_RANGE_WAIT_AFTER) < 0)) {
        if (errno != ENOSYS)
            return -errno;
        st->incremental_fsync = false;
    }
    st->waited = st->started;
    st->started = written;
    return 0;
}

/* rdb_write_fn over a streaming ring_writer. The first error sticks: the
 * RESP base writes through this function directly, without the sink's own
 * sticky error, so every later write must keep returning it. */
static int rdb_save_ring_write(void *ctx, const void *buf, size_t len)
{
    struct rdb_save_stream_state *st = ctx;
    if (st->error != 0)
        return st->error;
    int err = ring_writer_write_all(st->writer, buf, len);
    if (err == 0)
        err = rdb_save_incremental_fsync(st);
    st->error = err;
    return err;
}

/* rdb-save-threads 0: one encoding thread per CPU the child may run on but
 * one, which is left to the event loop, and at most this many. Measured on
 * two cores (bench/rdb.sh, 5M keys): a second thread makes BGSAVE 1.4-1.9x
 * faster but the parent's GET p99 during the save 1.5x Redis's instead of
 * 0.9x; scheduling the child as SCHED_IDLE did not win it back, so the
 * threads compete for more than the CPU. Past four, threads mostly wait
 * on one another and the disk. */
#define RDB_SAVE_THREADS_AUTO_MAX 4

/* The encoding threads of a save in a fork child: rdb-save-threads, or the
 * CPUs of the child's affinity mask less one (at least one). */
static int rdb_save_threads(const struct persist *p)
{
    if (p->config->rdb_save_threads > 0)
        return p->config->rdb_save_threads;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) < 0)
        return 1;
    int cpus = CPU_COUNT(&set) - 1;
    if (cpus < 1)
        return 1;
    return cpus < RDB_SAVE_THREADS_AUTO_MAX ? cpus : RDB_SAVE_THREADS_AUTO_MAX;
}

/* rdb_save_options.progress in a fork child. */
static void rdb_save_progress(void *ctx, uint64_t keys_done)
{
    persist_child_progress(ctx, keys_done);
}

/* rdb_save_options.after_key in a fork child: the rdb-key-save-delay hook. */
static void rdb_save_after_key(void *ctx)
{
    persist_child_key_delay(ctx);
}

/* in_child: the save runs in a fork child, which may use threads and
 * reports its progress to the parent. */
/* Redis saves each key's idle time under an LRU policy and its LFU
 * counter under an LFU one, whether or not maxmemory is set. */
static enum rdb_access_data rdb_save_access_data(int policy)
{
    if (policy == MAXMEMORY_VOLATILE_LRU || policy == MAXMEMORY_ALLKEYS_LRU)
        return RDB_ACCESS_IDLE;
    if (policy == MAXMEMORY_VOLATILE_LFU || policy == MAXMEMORY_ALLKEYS_LFU)
        return RDB_ACCESS_FREQ;
    return RDB_ACCESS_NONE;
}

static void rdb_save_options(struct persist *p, struct rdb_save_options *opt, bool aof_base,
                             bool in_child)
{
    struct alloc_stats st;
    alloc_stats_read(&st);
    memset(opt, 0, sizeof(*opt));
    opt->compression = p->config->rdbcompression;
    opt->checksum = p->config->rdbchecksum;
    opt->aof_base = aof_base;
    opt->ctime_s = time(NULL);
    opt->used_mem = st.used;
    opt->access = rdb_save_access_data(p->config->maxmemory_policy);
    opt->functions = p->functions;
    if (!aof_base && p->repl_save_id[0] != '\0') {
        opt->repl_id = p->repl_save_id;
        opt->repl_offset = p->repl_save_offset;
        opt->repl_stream_db = p->repl_save_db;
    }
    opt->threads = 1;
    if (!in_child)
        return;
    opt->threads = rdb_save_threads(p);
    opt->progress = rdb_save_progress;
    opt->progress_ctx = p;
    if (p->config->rdb_key_save_delay != 0) {
        opt->after_key = rdb_save_after_key;
        opt->after_key_ctx = p;
    }
}

/* Renames the finished temp file onto dbfilename and fsyncs the directory,
 * so the rename itself survives a power cut (as Redis 7.0.3+ does); on a
 * failed rename the temp file is removed. Returns 0 or -errno. */
static int rdb_save_commit(struct persist *p, const char *tmp)
{
    bool renamed = false;
    int err = durable_rename(tmp, p->config->dbfilename, &renamed);
    if (err < 0) {
        log_write(p->log, LOGLEVEL_WARNING,
                   "Error moving temp DB file %s on the final destination %s (in server root "
                   "dir %s): %s",
                   tmp, p->config->dbfilename, p->config->dir, strerror(-err));
        if (!renamed)
            unlink(tmp);
    }
    return err;
}

/* What rdb_save_encode_rdb is asked to write. */
struct rdb_save_what {
    bool aof_base; /* an AOF base file */
    bool in_child; /* in a fork child (through the ring) */
};

/* rdb_save_encode_fn for an RDB file; ctx is a struct rdb_save_what. */
static int rdb_save_encode_rdb(struct persist *p, struct rdb_sink *sink, void *ctx)
{
    const struct rdb_save_what *what = ctx;
    struct rdb_save_options opt;
    rdb_save_options(p, &opt, what->aof_base, what->in_child);
    return rdb_save(p->keyspace, sink, &opt);
}

int rdb_save_to_sink(struct persist *p, struct rdb_sink *sink)
{
    struct rdb_save_what what = {.aof_base = false, .in_child = true};
    int err = rdb_save_encode_rdb(p, sink, &what);
    return err == 0 ? rdb_sink_flush(sink) : err;
}

/* Encodes with write(2) into fd, then fdatasync. Returns 0 or -errno. */
static int rdb_save_write_plain(struct persist *p, int fd, rdb_save_encode_fn encode, void *ctx)
{
    struct rdb_sink sink;
    rdb_sink_init(&sink, rdb_save_fd_write, &fd);
    int err = encode(p, &sink, ctx);
    if (err == 0)
        err = rdb_sink_flush(&sink);
    rdb_sink_free(&sink);
    if (err == 0 && fdatasync(fd) < 0)
        err = -errno;
    return err;
}

/* The whole blocking save into a temp file named after pid. */
static int rdb_save_to_temp(struct persist *p, pid_t pid, bool use_ring);

/* The replication info of the coming save (see persist.h). */
static void rdb_save_fill_repl_info(struct persist *p)
{
    p->repl_save_id[0] = '\0';
    if (p->repl_save_info != NULL)
        p->repl_save_info(p->repl_save_ctx);
}

int rdb_save_blocking(struct persist *p)
{
    rdb_save_fill_repl_info(p);
    int err = rdb_save_to_temp(p, getpid(), false);
    if (err < 0)
        return -1;
    log_write(p->log, LOGLEVEL_NOTICE, "DB saved on disk");
    p->dirty = 0;
    p->lastsave_s = time(NULL);
    p->rdb_last_bgsave_ok = true;
    p->rdb_saves++;
    return 0;
}

/* Streams the encoding through a private ring. Returns 0, -errno, or
 * -ENOSYS-like errors of the ring set-up (then the caller falls back). */
static int rdb_save_write_ring(struct persist *p, int fd, bool incremental_fsync,
                               rdb_save_encode_fn encode, void *ctx, bool *ring_unavailable)
{
    struct ring_uring u;
    int err = ring_uring_init_private(&u);
    if (err < 0) {
        *ring_unavailable = true;
        return err;
    }
    struct ring_writer w;
    struct ring_writer_config cfg = {
        .fd = fd,
        .start_offset = 0,
        .fsync_policy = RING_WRITER_FSYNC_NO,
        .writes_in_flight_max = RDB_SAVE_CHILD_WRITES_IN_FLIGHT,
        .buffer_bytes = RDB_SAVE_CHILD_BUFFER_BYTES,
        .write_bytes_max = RDB_SAVE_CHILD_WRITE_BYTES,
    };
    err = ring_writer_init(&w, &u.sys, &cfg);
    if (err < 0) {
        ring_uring_exit(&u);
        return err;
    }
    struct rdb_save_stream_state st = {
        .writer = &w,
        .fd = fd,
        .incremental_fsync = incremental_fsync,
    };
    struct rdb_sink sink;
    rdb_sink_init(&sink, rdb_save_ring_write, &st);
    err = encode(p, &sink, ctx);
    if (err == 0)
        err = rdb_sink_flush(&sink);
    rdb_sink_free(&sink);
    /* The stream's own error wins over whatever the encoder made of it. */
    if (st.error != 0)
        err = st.error;
    /* A failed stream is not fsynced: its file is about to be removed. */
    if (err == 0)
        err = ring_writer_finish(&w);
    ring_writer_drain(&w);
    ring_writer_free(&w);
    ring_uring_exit(&u);
    return err;
}

int rdb_save_stream(struct persist *p, int fd, bool use_ring, bool incremental_fsync,
                    rdb_save_encode_fn encode, void *ctx)
{
    if (!use_ring)
        return rdb_save_write_plain(p, fd, encode, ctx);
    bool ring_unavailable = false;
    int err = rdb_save_write_ring(p, fd, incremental_fsync, encode, ctx, &ring_unavailable);
    if (ring_unavailable) {
        log_write(p->log, LOGLEVEL_NOTICE, "io_uring unavailable in the save child (%s): "
                   "writing with write(2)", strerror(-err));
        err = rdb_save_write_plain(p, fd, encode, ctx);
    }
    return err;
}

int rdb_save_to_fd(struct persist *p, int fd, bool use_ring, bool aof_base)
{
    bool incremental = aof_base ? p->config->aof_rewrite_incremental_fsync
                                : p->config->rdb_save_incremental_fsync;
    struct rdb_save_what what = {.aof_base = aof_base, .in_child = use_ring};
    return rdb_save_stream(p, fd, use_ring, incremental, rdb_save_encode_rdb, &what);
}
static int rdb_save_to_temp(struct persist *p, pid_t pid, bool use_ring)
{
    char tmp[RDB_SAVE_TEMP_NAME_BYTES];
    rdb_save_temp_name(tmp, sizeof(tmp), pid);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int err = -errno;
        log_write(p->log, LOGLEVEL_WARNING,
                   "Failed opening the temp RDB file %s (in server root dir %s) for saving: %s",
                   tmp, p->config->dir, strerror(-err));
        return err;
    }
    int err = rdb_save_to_fd(p, fd, use_ring, false);
    if (close(fd) < 0 && err == 0)
        err = -errno;
    if (err < 0) {
        log_write(p->log, LOGLEVEL_WARNING, "Write error saving DB on disk: %s", strerror(-err));
        unlink(tmp);
        return err;
    }
    return rdb_save_commit(p, tmp);
}

/* ---- BGSAVE ---- */

/* The child: drops what belongs to the parent's event loop, saves, exits.
 * Never returns. */
static void rdb_save_child(struct persist *p)
{
    persist_child_init(p);
    int err = rdb_save_to_temp(p, getpid(), true);
    if (err == 0) {
        log_write(p->log, LOGLEVEL_NOTICE, "DB saved on disk");
        persist_child_info_send(p);
    }
    _exit(err == 0 ? 0 : 1);
}

int rdb_save_background(struct persist *p)
{
    assert(p->rdb_child_pid == 0);
    p->rdb_dirty_before_bgsave = p->dirty;
    p->rdb_last_bgsave_try_s = time(NULL);
    rdb_save_fill_repl_info(p);
    long long start_us = log_clock_us();
    persist_child_info_open(p);
    pid_t pid = fork();
    if (pid == 0)
        rdb_save_child(p);
    if (pid < 0) {
        p->rdb_last_bgsave_ok = false;
        log_write(p->log, LOGLEVEL_WARNING, "Can't save in background: fork: %s", strerror(errno));
        return -1;
    }
    p->stat_latest_fork_usec = log_clock_us() - start_us;
    p->stat_total_forks++;
    if (p->latency != NULL)
        latency_monitor_add_if_needed(p->latency, p->config->latency_monitor_threshold, "fork",
                                      p->stat_latest_fork_usec / 1000);
    p->rdb_child_pid = pid;
    p->rdb_child_start_ms = log_clock_ms();
    /* Rehashing moves entries between tables and so dirties pages the
     * child still shares: pause it while the child runs. */
    keyspace_pause_rehash(p->keyspace);
    log_write(p->log, LOGLEVEL_NOTICE, "Background saving started by pid %d", (int)pid);
    return 0;
}

/* Bookkeeping after the child ended with the waitpid status. */
static void rdb_save_child_done(struct persist *p, int status)
{
    pid_t pid = p->rdb_child_pid;
    long long cow = persist_child_info_receive(p);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        p->rdb_last_cow_size = cow;
        log_write(p->log, LOGLEVEL_NOTICE, "Background saving terminated with success");
        p->dirty -= p->rdb_dirty_before_bgsave;
        p->lastsave_s = time(NULL);
        p->rdb_last_bgsave_ok = true;
    } else if (WIFEXITED(status)) {
        log_write(p->log, LOGLEVEL_WARNING, "Background saving error");
        p->rdb_last_bgsave_ok = false;
    } else {
        log_write(p->log, LOGLEVEL_WARNING, "Background saving terminated by signal %d",
                   WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        rdb_save_unlink_temp(p, pid);
        p->rdb_last_bgsave_ok = false;
    }
    p->rdb_last_bgsave_time_s = (log_clock_ms() - p->rdb_child_start_ms) / 1000;
    p->rdb_saves++;
    p->rdb_child_pid = 0;
    keyspace_resume_rehash(p->keyspace);
}

/* Whether a save point is due: Redis's serverCron rule. */
static bool rdb_save_point_due(struct persist *p, time_t now, const struct save_point **due)
{
    for (int i = 0; i < p->config->save_count; i++) {
        const struct save_point *sp = &p->config->save[i];
        if (p->dirty >= sp->changes && now - p->lastsave_s > sp->seconds &&
            (p->rdb_last_bgsave_ok || now - p->rdb_last_bgsave_try_s > RDB_SAVE_RETRY_DELAY_S)) {
            *due = sp;
            return true;
        }
    }
    return false;
}

void rdb_save_cron(struct persist *p)
{
    if (p->rdb_child_pid != 0) {
        int status;
        pid_t r = waitpid(p->rdb_child_pid, &status, WNOHANG);
        if (r == p->rdb_child_pid || (r < 0 && errno == ECHILD))
            rdb_save_child_done(p, r < 0 ? 0x100 : status);
        return;
    }
    if (persist_child_running(p))
        return; /* one child at a time: the AOF rewrite's */
    time_t now = time(NULL);
    if (p->rdb_bgsave_scheduled &&
        (p->rdb_last_bgsave_ok || now - p->rdb_last_bgsave_try_s > RDB_SAVE_RETRY_DELAY_S)) {
        if (rdb_save_background(p) == 0)
            p->rdb_bgsave_scheduled = false;
        return;
    }
    const struct save_point *sp;
    if (rdb_save_point_due(p, now, &sp)) {
        log_write(p->log, LOGLEVEL_NOTICE, "%lld changes in %lld seconds. Saving...", sp->changes,
                   sp->seconds);
        rdb_save_background(p);
    }
}

void rdb_save_kill_child(struct persist *p)
{
    if (p->rdb_child_pid == 0)
        return;
    pid_t pid = p->rdb_child_pid;
    log_write(p->log, LOGLEVEL_WARNING, "There is a child saving an .rdb. Killing it!");
    kill(pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    rdb_save_unlink_temp(p, pid);
    p->rdb_child_pid = 0;
    keyspace_resume_rehash(p->keyspace);
}

bool rdb_save_writes_denied(const struct persist *p)
{
    return p->config->stop_writes_on_bgsave_error && p->config->save_count > 0 &&
           !p->rdb_last_bgsave_ok;
}

/* ---- Loading ---- */
