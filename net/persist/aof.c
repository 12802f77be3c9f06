/* aof.c: the append-only file, Redis 7.0's multi-part layout on the ring.
 *
 * Owns the AOF directory (appenddirname in the data directory): the
 * manifest, the BASE and INCR files, appending to the current INCR through
 * its writer (aof_log.h: direct I/O into pre-written space under `always`,
 * the buffered ring_writer otherwise), the fsync policies, rewrites in a
 * forked child, write errors and INFO's aof_* fields. Start-up and loading
 * are aof_load.c's, the directory's files aof_files.c's (aof_internal.h is
 * what the three share). What a command logs is decided by the command
 * layer (net/commands/propagate.c); the file formats are engine/'s
 * (aof_encode, aof_batch, aof_reader, aof_manifest, rdb).
 *
 * The flow of one loop iteration: commands feed records into `staging`;
 * before replies go out (aof_before_replies) staging is handed to the
 * writer. Under `always` the replies of the iteration are held (the loop's
 * holds, net/wire/conn.c, with the log offset as their token) until the
 * writer reports them durable: group commit, with the loop serving the
 * next iteration meanwhile. The direct writer sends each iteration's
 * records as a batch of its own as long as a slot is free (several in
 * flight) and releases them in order; the buffered one keeps one
 * write+fsync in flight and gathers the next batch behind it. Under
 * `everysec` the tick asks for an fdatasync once a second; under `no` the
 * kernel decides.
 *
 * Offsets handed out as hold tokens are the current log's offsets (see
 * aof_log.h). Before the INCR or its writer changes (a rewrite starts, the
 * policy changes, the AOF is switched off) the old writer is synced to the
 * end and every hold released, so an offset is never compared across
 * files. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/aof_rewrite.h"
#include "engine/durable_fs.h"
#include "engine/rdb.h"
#include "net/core/latency.h"
#include "net/persist/aof_internal.h"
#include "net/persist/persist.h"
#include "net/persist/rdb_save.h"

/* appendfsync always on the buffered writer (no direct I/O):
 * group-commit batches (one RWF_DSYNC write each) in flight at once; the
 * next batch gathers until one completes. Two in flight measured no better
 * on ext4 (each sync of a growing file commits its journal, one at a time).
 * The direct writer (aof_log.c) makes each batch write on the loop's own
 * thread by default (aof-write-inline yes: O_DIRECT + RWF_DSYNC with
 * pwritev2, about 100 us of blocking per batch, while new requests wait in
 * their sockets and form the next batch). On the 2-core VM with a virtio
 * disk we measure on, an asynchronous durable write costs two wake-ups
 * (the device's completion, then the cache flush in a kernel worker) that
 * compete for the same two cores: at 50 clients, pipeline 1, the ring path
 * kept 0.58-0.63 of the no-persistence rate and the inline one 0.92.
 * With aof-write-inline no, batches go through the ring, up to
 * aof-batches-in-flight at once (1 by default: BATCHES_IN_FLIGHT="1 2 4 8"
 * gave 0.63, 0.58, 0.54, 0.53 at 50 clients; each batch costs a kick, an
 * interrupt and a flush, so on a CPU-bound machine fewer, larger batches
 * win). A disk with deep queues and spare cores (NVMe) is where the ring
 * and more in flight pay; the writer is crash-tested for up to 16.
 *
 * But while the loop blocks in an inline write it answers nobody, not even
 * a GET that needs no wait: with 50 writers capped at 20k SET/s and 10
 * readers, GET p99 was 1.6x its no-persistence figure inline and 0.7x
 * through the ring. So aof-write-inline auto (the default) writes inline
 * only while no reply has gone out without waiting for the AOF in the last
 * AOF_INLINE_QUIET_MS: a pure write load (every client waits for the
 * batch anyway) gets the inline path's throughput, and a load with
 * readers keeps the loop free to answer them. */
#define AOF_ALWAYS_BATCHES_IN_FLIGHT 1
#define AOF_INLINE_QUIET_MS 10
/* Staging beyond the writer's buffer: past this the loop stops reading
 * commands until the disk catches up (back-pressure). */
#define AOF_STAGING_CONGESTED_BYTES ((size_t)64 << 20)
/* Redis's AOF_FSYNC... everysec: an fsync pending this long is "delayed". */
#define AOF_FSYNC_DELAY_MS 2000
/* After a write error, retry this often (Redis: once a second). */
#define AOF_RETRY_INTERVAL_MS 1000
#define AOF_ERROR_LOG_INTERVAL_MS 30000
/* Automatic rewrites after failures back off up to this. */
#define AOF_REWRITE_BACKOFF_MAX_MS (60LL * 60 * 1000)

/* ---- the writer ---- */

static struct persist *aof_persist_of(struct aof_log *l)
{
    return (struct persist *)((char *)l - offsetof(struct persist, aof.log));
}

static void aof_stage_to_writer(struct persist *p);
static uint64_t aof_logical_end(const struct persist *p);
static bool aof_write_inline_now(const struct persist *p);

/* Back-pressure: clients wait (conn_pause) while more than the bound is
 * staged, and resume once the writer took it. */
static void aof_update_congestion(struct persist *p)
{
    struct aof_state *a = &p->aof;
    a->congested = a->staging.len > AOF_STAGING_CONGESTED_BYTES;
    if (!a->congested && p->loop->paused)
        conn_unpause_all(p->loop);
}

/* Writes refused since a failure are accepted again once a retry proved
 * itself: the AOF has what the writer held when the retry began, durable
 * under always, written otherwise (as Redis accepts writes again only
 * after a write succeeded). A retry that fails again never lets one in. */
static void aof_check_recovered(struct persist *p)
{
    struct aof_state *a = &p->aof;
    struct aof_log *w = &a->log;
    if (!a->refused_error || !a->retried || a->error || a->rebuild || !w->open ||
        aof_log_error(w))
        return;
    uint64_t reached = p->config->appendfsync == APPENDFSYNC_ALWAYS ? aof_log_durable(w)
                                                                   : aof_log_written(w);
    if (reached < a->retry_target)
        return;
    /* The direct writer's batches go into space written ahead: they may
     * succeed while making more space fails (a full disk). The retry has
     * proved itself only once that space is made too. */
    if (aof_log_extending(w))
        return;
    a->refused_error = 0;
    a->retried = false;
    a->last_logged_error = 0;
    log_write(p->log, LOGLEVEL_WARNING, "AOF write error looks solved, ringkv can write again.");
}

/* The writer made progress or failed: release what is now durable. */
static void aof_writer_done(struct aof_log *w)
{
    struct persist *p = aof_persist_of(w);
    struct aof_state *a = &p->aof;
    aof_log_set_inline(w, aof_write_inline_now(p));
    int err = aof_log_error(w);
    if (err && !a->error) {
        a->error = err;
        a->refused_error = err;
        /* The replies already held must not leave before the retry has
         * written their bytes: a kill meanwhile would lose them. */
        a->written_required_until = aof_logical_end(p);
        a->error_since_ms = p->loop->now_ms;
        a->last_retry_ms = p->loop->now_ms;
        /* A retry that fails again (a full disk) says so once per interval,
         * not once a second. */
        if (err != a->last_logged_error ||
            p->loop->now_ms - a->last_error_log_ms >= AOF_ERROR_LOG_INTERVAL_MS) {
            log_write(p->log, LOGLEVEL_WARNING,
                      "Error writing to the AOF file: %s. Writes are refused until it succeeds; "
                      "retrying once a second.", strerror(-err));
            a->last_error_log_ms = p->loop->now_ms;
            a->last_logged_error = err;
        }
    }
    /* Group commit: the batch that gathered while the fsync ran goes out
     * now, as one write and one fsync (direct: as soon as a slot is free). */
    if (!err && (w->io == AOF_LOG_DIRECT ||
                 (p->config->appendfsync == APPENDFSYNC_ALWAYS &&
                  aof_log_ops_in_flight(w) < AOF_ALWAYS_BATCHES_IN_FLIGHT))) {
        aof_stage_to_writer(p);
        aof_log_flush(w);
    }
    aof_update_congestion(p);
    aof_check_recovered(p);
    uint64_t durable = aof_log_durable(w);
    if (durable > a->last_durable) {
        a->last_durable = durable;
        a->fsyncs++;
        a->fsync_pending_since_ms = 0;
    }
    if (p->loop->held)
        conn_release_holds(p->loop, false);
}

static enum ring_writer_fsync aof_writer_policy(const struct persist *p)
{
    switch (p->config->appendfsync) {
    case APPENDFSYNC_ALWAYS:
        return RING_WRITER_FSYNC_ALWAYS;
    case APPENDFSYNC_EVERYSEC:
        return RING_WRITER_FSYNC_EVERYSEC;
    default:
        return RING_WRITER_FSYNC_NO;
    }
}

/* Whether the direct writer's next batches are written inline (see
 * AOF_INLINE_QUIET_MS). */
static bool aof_write_inline_now(const struct persist *p)
{
    switch (p->config->aof_write_inline) {
    case AOF_WRITE_INLINE_YES:
        return true;
    case AOF_WRITE_INLINE_NO:
        return false;
    default:
        return p->loop->now_ms - p->aof.last_unheld_reply_ms >= AOF_INLINE_QUIET_MS;
    }
}

void aof_note_reply_not_held(struct persist *p)
{
    p->aof.last_unheld_reply_ms = p->loop->now_ms;
}

static void aof_log_config_of(struct persist *p, struct aof_log_config *cfg)
{
    *cfg = (struct aof_log_config){
        .sys = &p->aof.inject.sys,
        .inject = &p->aof.inject,
        .dir = p->config->appenddirname,
        .policy = aof_writer_policy(p),
        .direct_wanted = p->config->aof_direct_io,
        .prewrite_bytes = (uint64_t)p->config->aof_prewrite_size,
        .batches_in_flight = (uint32_t)p->config->aof_batches_in_flight,
        .write_inline = aof_write_inline_now(p),
        .done = aof_writer_done,
    };
}

/* Says which writer the INCR got, and why (the log and INFO tell it). */
static void aof_log_announce(struct persist *p)
{
    const struct aof_log *l = &p->aof.log;
    log_write(p->log, l->io == AOF_LOG_DIRECT || p->config->appendfsync != APPENDFSYNC_ALWAYS
                          ? LOGLEVEL_VERBOSE : LOGLEVEL_NOTICE,
              "AOF writer: %s (%s)", l->io == AOF_LOG_DIRECT ? "direct" : "buffered", l->reason);
}

/* Starts a writer on fd, whose current size is start. */
static int aof_writer_open(struct persist *p, int fd, uint64_t start)
{
    struct aof_state *a = &p->aof;
    assert(!a->log.open);
    struct aof_log_config cfg;
    aof_log_config_of(p, &cfg);
    int ret = aof_log_open(&a->log, &cfg, fd, start, a->batch_seq);
    if (ret < 0)
        return ret;
    a->epoch++;
    a->last_durable = start;
    aof_log_announce(p);
    return 0;
}

static bool aof_writer_settled(void *ctx)
{
    struct aof_log *w = ctx;
    return aof_log_idle(w) &&
           (aof_log_error(w) || aof_log_durable(w) == aof_log_appended(w));
}

static bool aof_writer_idle(void *ctx)
{
    return aof_log_idle(ctx);
}

/* Waits until nothing of the writer is in flight, then frees it (the INCR
 * file stays open). */
static void aof_writer_stop(struct persist *p)
{
    struct aof_state *a = &p->aof;
    persist_wait_writer(p, aof_writer_idle, &a->log);
    aof_log_close(&a->log);
}

/* Cuts the pre-written padding off the INCR once all is durable, logging
 * a failure (the padding is harmless: every reader skips it). */
static void aof_writer_cut_padding(struct persist *p)
{
    int err = aof_log_cut_padding(&p->aof.log);
    if (err < 0)
        log_write(p->log, LOGLEVEL_WARNING, "Can't cut the pre-written space off the AOF: %s",
                  strerror(-err));
}

/* Points the writer at fd from offset start (a new INCR, or the pending
 * one emptied): offsets start again, so every reply held on the old ones
 * is settled first. Without discard, everything logged is durable already
 * (aof_sync_all) and the holds are released. With discard, the bytes not
 * yet on disk are dropped because the next rewrite's snapshot holds them:
 * the replies waiting for them wait for that base to be installed. */
static void aof_writer_retarget(struct persist *p, int fd, uint64_t start, bool discard)
{
    struct aof_state *a = &p->aof;
    persist_wait_writer(p, aof_writer_idle, &a->log);
    if (discard) {
        aof_buffer_clear(&a->staging);
        if (p->loop->held) {
            conn_retoken_holds(p->loop, AOF_BARRIER_NEXT_BASE);
            a->base_owed = true;
        }
    } else {
        conn_release_holds(p->loop, false);
        assert(p->loop->held == NULL || a->status == AOF_WAIT_REWRITE || a->base_owed);
    }
    if (fd != a->fd) {
        a->closed_incr_size += (long long)aof_log_appended(&a->log);
        if (!discard)
            aof_writer_cut_padding(p);
        close(a->fd);
        a->fd = fd;
    }
    /* A new or emptied file starts its batch numbers again. */
    a->batch_seq = 0;
    a->oversize_left = 0;
    struct aof_log_config cfg;
    aof_log_config_of(p, &cfg);
    aof_log_restart(&a->log, &cfg, fd, start, 0);
    a->epoch++;
    a->last_durable = start;
    a->durable_required_until = 0;
    a->written_required_until = 0;
    aof_select_reset(&a->select);
    a->last_ts_s = 0;
}

/* How many of the staged bytes at d (avail of them) go to the log now.
 * The direct writer takes whole units (records, transactions) per batch,
 * one batch per free slot; a unit no batch can hold turns the log
 * buffered for it (aof_log_go_oversize) once everything before it is
 * durable, and the units behind it wait until it is durable too. */
static size_t aof_stage_amount(struct persist *p, const char *d, size_t avail)
{
    struct aof_state *a = &p->aof;
    struct aof_log *l = &a->log;
    if (l->oversize)
        return aof_log_space(l, avail < a->oversize_left ? avail : a->oversize_left);
    size_t max = aof_log_batch_max(l);
    if (max == SIZE_MAX)
        return aof_log_space(l, avail);
    size_t units = aof_units_prefix(d, avail, max);
    if (units == 0) {
        if (!aof_log_idle(l) || aof_log_durable(l) != aof_log_appended(l) ||
            aof_log_go_oversize(l) < 0)
            return 0; /* a later completion comes back here */
        a->oversize_left = aof_units_first(d, avail);
        log_write(p->log, LOGLEVEL_VERBOSE, "AOF: a %zu-byte record is written plain, outside "
                  "the direct log's batches", a->oversize_left);
        return aof_log_space(l, a->oversize_left);
    }
    size_t room = aof_log_space(l, units);
    return room < units ? aof_units_prefix(d, avail, room) : units;
}

/* The oversized unit is durable: the log turns direct again. */
static void aof_oversize_check_done(struct persist *p)
{
    struct aof_state *a = &p->aof;
    struct aof_log *l = &a->log;
    if (!l->oversize || a->oversize_left > 0 || a->error || !aof_log_idle(l) ||
        aof_log_durable(l) != aof_log_appended(l))
        return;
    struct aof_log_config cfg;
    aof_log_config_of(p, &cfg);
    aof_log_oversize_done(l, &cfg);
}

/* Moves staged records into the writer, as much as fits. */
static void aof_stage_to_writer(struct persist *p)
{
    struct aof_state *a = &p->aof;
    size_t taken = 0;
    aof_oversize_check_done(p);
    while (a->log.open && taken < a->staging.len && !a->error) {
        bool oversize = a->log.oversize;
        size_t n = aof_stage_amount(p, a->staging.data + taken, a->staging.len - taken);
        if (n == 0 || aof_log_append(&a->log, a->staging.data + taken, n) < 0)
            break;
        if (oversize || a->log.oversize)
            a->oversize_left -= n;
        taken += n;
    }
    if (taken == 0)
        return;
    memmove(a->staging.data, a->staging.data + taken, a->staging.len - taken);
    a->staging.len -= taken;
}

/* Writes and fsyncs everything logged so far, waiting for the ring.
 * Returns 0 or the writer's -errno. Releases every held reply when done. */
int aof_sync_all(struct persist *p)
{
    struct aof_state *a = &p->aof;
    if (!a->log.open)
        return 0;
    while (a->staging.len && !a->error) {
        aof_stage_to_writer(p);
        aof_log_sync(&a->log);
        persist_wait_writer(p, aof_writer_settled, &a->log);
    }
    aof_log_sync(&a->log);
    persist_wait_writer(p, aof_writer_settled, &a->log);
    int err = aof_log_error(&a->log);
    if (!err)
        conn_release_holds(p->loop, false);
    return err;
}

/* Syncs, then closes the writer and the INCR file. */
static int aof_writer_close(struct persist *p)
{
    struct aof_state *a = &p->aof;
    int err = 0;
    if (a->log.open) {
        err = aof_sync_all(p);
        a->closed_incr_size += (long long)aof_log_appended(&a->log);
        if (!err)
            aof_writer_cut_padding(p);
        aof_writer_stop(p);
    }
    if (a->fd >= 0) {
        if (!err && fdatasync(a->fd) < 0)
            err = -errno;
        close(a->fd);
        a->fd = -1;
    }
    /* Nothing can be waiting for a file that is gone. */
    conn_release_holds(p->loop, true);
    a->epoch++;
    aof_buffer_clear(&a->staging);
    return err;
}

/* ---- feeding ---- */

void aof_feed(struct persist *p, int db_id, const char *rec, size_t len, bool command)
{
    struct aof_state *a = &p->aof;
    if (a->status == AOF_OFF)
        return;
    if (p->config->aof_timestamp_enabled) {
        long long now_s = p->loop->now_ms / 1000;
        if (now_s > a->last_ts_s) {
            aof_encode_timestamp(&a->staging, now_s);
            a->last_ts_s = now_s;
        }
    }
    aof_select_emit_if_needed(&a->select, &a->staging, db_id);
    aof_buffer_append(&a->staging, rec, len);
    if (command)
        a->records_logged++;
}

/* How far the AOF must be for a reply to leave: durable under always;
 * under everysec and no, written (in the page cache), as Redis writes
 * before it replies, so a crash of the process alone (not of the machine)
 * never loses an acknowledged write. */
static uint64_t aof_reply_offset(const struct persist *p)
{
    const struct aof_log *w = &p->aof.log;
    return p->config->appendfsync == APPENDFSYNC_ALWAYS ? aof_log_durable(w)
                                                       : aof_log_written(w);
}

/* Switching on under always: until the first base is installed no
 * manifest names the pending INCR, so nothing in it counts as durable. */
static bool aof_awaiting_first_base(const struct persist *p)
{
    return p->aof.status == AOF_WAIT_REWRITE && p->config->appendfsync == APPENDFSYNC_ALWAYS;
}

static uint64_t aof_logical_end(const struct persist *p)
{
    return aof_log_appended(&p->aof.log) + p->aof.staging.len;
}

uint64_t aof_before_replies(struct persist *p)
{
    struct aof_state *a = &p->aof;
    if (!a->log.open)
        return 0;
    aof_log_set_inline(&a->log, aof_write_inline_now(p));
    aof_stage_to_writer(p);
    /* Under always one write+fsync is in flight at a time: what arrives
     * meanwhile joins the next batch (flushed from aof_writer_done), so a
     * slow fsync makes batches bigger instead of queueing more fsyncs. */
    if (p->config->appendfsync != APPENDFSYNC_ALWAYS ||
        aof_log_ops_in_flight(&a->log) < AOF_ALWAYS_BATCHES_IN_FLIGHT)
        aof_log_flush(&a->log);
    /* Inline writes (everysec, no) fail here, with no completion to say
     * so; this iteration's replies then wait for the retry like those
     * held when a ring write fails (written_required_until). */
    bool failed_now = !a->error && aof_log_error(&a->log);
    if (failed_now)
        aof_writer_done(&a->log);
    else
        aof_check_recovered(p); /* an inline retry may have written it all */
    aof_update_congestion(p);
    /* everysec and no after a write error: writes are refused, and the
     * replies produced since (reads) go out; those held when the error
     * came wait for the retry (written_required_until). */
    if (a->error && !failed_now && p->config->appendfsync != APPENDFSYNC_ALWAYS)
        return 0;
    /* Every write since the switch waits for the first base, and so does
     * a reply that may show one of them. */
    if (aof_awaiting_first_base(p) && aof_logical_end(p) > 0)
        a->base_owed = true;
    return aof_token_now(p);
}

uint64_t aof_token_now(const struct persist *p)
{
    const struct aof_state *a = &p->aof;
    if (!a->log.open)
        return 0;
    if (a->error && p->config->appendfsync != APPENDFSYNC_ALWAYS)
        return 0; /* see aof_before_replies */
    uint64_t end = aof_logical_end(p);
    if (a->base_owed || (aof_awaiting_first_base(p) && end > 0))
        return AOF_BARRIER_NEXT_BASE;
    return aof_reply_ready(p, end) ? 0 : end;
}

uint64_t aof_write_offset(const struct persist *p)
{
    return p->aof.log.open ? aof_logical_end(p) : 0;
}

bool aof_fsynced(const struct persist *p, uint64_t epoch, uint64_t offset)
{
    const struct aof_state *a = &p->aof;
    if (a->status != AOF_ON || a->base_owed || !a->log.open)
        return false;
    if (epoch != a->epoch)
        return true;
    return aof_log_durable(&a->log) >= offset;
}

uint64_t aof_token_epoch(const struct persist *p)
{
    return p->aof.epoch;
}

bool aof_reply_ready(const struct persist *p, uint64_t offset)
{
    const struct aof_state *a = &p->aof;
    if (offset == AOF_BARRIER_NEXT_BASE)
        return !a->base_owed && a->status != AOF_WAIT_REWRITE;
    if (!a->log.open)
        return true;
    /* Produced under always: durable, whatever the policy is now. */
    if (offset <= a->durable_required_until)
        return aof_log_durable(&a->log) >= offset;
    /* Held when a write failed: written by the retry first. */
    if (offset <= a->written_required_until)
        return aof_reply_offset(p) >= offset;
    return aof_reply_offset(p) >= offset ||
           (a->error && p->config->appendfsync != APPENDFSYNC_ALWAYS);
}

bool aof_congested(const struct persist *p)
{
    return p->aof.congested;
}

bool aof_writes_denied(const struct persist *p, char *msg, size_t msg_len)
{
    const struct aof_state *a = &p->aof;
    if (a->status == AOF_OFF)
        return false;
    /* An AOF that is on but has no writer would log nothing. */
    int err = a->refused_error ? a->refused_error : !a->log.open ? -EIO : 0;
    if (!err)
        return false;
    snprintf(msg, msg_len, "MISCONF Errors writing to the AOF file: %s", strerror(-err));
    return true;
}

/* ---- BASE files: the snapshot a rewrite (or start-up) writes ---- */

/* The RESP base's per-key hook in a rewrite child: rdb-key-save-delay
 * after each key, and a progress report on the first key and every
 * PERSIST_CHILD_PROGRESS_KEYS after it (Redis's key_count & 1023 rule). */
static void aof_rewrite_child_progress(void *ctx, uint64_t keys_visited)
{
    struct persist *p = ctx;
    persist_child_key_delay(p);
    if (keys_visited % PERSIST_CHILD_PROGRESS_KEYS == 1)
        persist_child_progress(p, keys_visited);
}

/* rdb_save_encode_fn for a RESP base: the commands go straight to the
 * sink's writer (no RDB checksum to keep). ctx points at a bool: whether
 * this runs in a rewrite child, which reports its progress. */
static int aof_encode_resp_base(struct persist *p, struct rdb_sink *sink, void *ctx)
{
    bool in_child = *(const bool *)ctx;
    struct aof_rewrite_options opt = {
        .timestamp = p->config->aof_timestamp_enabled,
        .now_s = (long long)time(NULL),
        .skip_expired = true,
        .now_ms = log_clock_ms(),
        .progress = in_child ? aof_rewrite_child_progress : NULL,
        .progress_ctx = p,
        .functions = p->functions,
    };
    return aof_rewrite_keyspace(p->keyspace, sink->write, sink->ctx, &opt, NULL);
}

/* Writes the whole keyspace into fd as a BASE: an RDB (aof-use-rdb-preamble
 * yes) or RESP commands, then fdatasync. use_ring: in a fork child. */
static int aof_write_base_fd(struct persist *p, int fd, bool use_ring)
{
    if (p->config->aof_use_rdb_preamble)
        return rdb_save_to_fd(p, fd, use_ring, true);
    bool in_child = use_ring;
    return rdb_save_stream(p, fd, use_ring, p->config->aof_rewrite_incremental_fsync,
                           aof_encode_resp_base, &in_child);
}

static void aof_rewrite_temp_name(char *out, size_t out_len, pid_t pid)
{
    snprintf(out, out_len, "temp-rewriteaof-bg-%d.aof", (int)pid);
}

/* Writes a BASE synchronously into the AOF directory under the name the
 * manifest m just gave it (start-up). */
int aof_write_base_sync(struct persist *p, const char *base_name)
{
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "temp-rewriteaof-%d.aof", (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    int err = aof_write_base_fd(p, fd, false);
    if (close(fd) < 0 && err == 0)
        err = -errno;
    char path[AOF_PATH_BYTES];
    aof_path(p, base_name, path, sizeof(path));
    bool renamed = false;
    if (err == 0)
        err = durable_rename(tmp, path, &renamed);
    if (!renamed)
        unlink(tmp);
    return err;
}

/* ---- history ---- */

/* ---- opening INCR files ---- */

/* Opens the last INCR of the manifest for appending and starts the writer
 * at its end. */
int aof_open_last_incr(struct persist *p, bool create)
{
    struct aof_state *a = &p->aof;
    assert(a->manifest.incr.count > 0);
    const struct aof_file_info *f = &a->manifest.incr.items[a->manifest.incr.count - 1];
    char path[AOF_PATH_BYTES];
    aof_path(p, f->name, path, sizeof(path));
    struct stat st;
    int fd = aof_open_sized(path, O_RDWR | (create ? O_CREAT | O_TRUNC : 0), &st);
    if (fd < 0)
        return fd;
    /* A new file's entry must be durable before anything written into it
     * is counted durable, and before a manifest names it. (An existing one
     * was fsynced with its directory at start-up.) */
    int ret = create ? durable_fsync_dir(p->config->appenddirname) : 0;
    if (ret < 0) {
        close(fd);
        return ret;
    }
    a->fd = fd;
    aof_select_reset(&a->select);
    a->last_ts_s = 0;
    if (create)
        a->batch_seq = 0; /* else the loader left the file's last one */
    return aof_writer_open(p, fd, (uint64_t)st.st_size);
}

/* Starts a new INCR (a rewrite begins with the AOF on): syncs the current
 * one (unless rebuilding), adds the new one to the manifest, persists it
 * and moves the writer over. On failure the current INCR stays in use.
 * (Switching on does not rotate: aof_restart_pending_incr empties the
 * pending INCR instead.) */
static int aof_rotate_incr(struct persist *p, bool rebuild)
{
    struct aof_state *a = &p->aof;
    assert(a->status == AOF_ON);
    /* An INCR that nothing was appended to serves the next rewrite as
     * well: failed rewrites do not pile up empty files. */
    if (!rebuild && aof_log_appended(&a->log) == 0 && a->staging.len == 0)
        return 0;
    /* A rebuild abandons the damaged INCR unsynced: the snapshot the child
     * forks next holds everything it had. */
    int err = rebuild ? 0 : aof_sync_all(p);
    if (err < 0)
        return err;
    struct aof_manifest m;
    aof_manifest_copy(&m, &a->manifest);
    const struct aof_file_info *f = aof_manifest_add_incr(&m, p->config->appendfilename);
    char path[AOF_PATH_BYTES];
    aof_path(p, f->name, path, sizeof(path));
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        err = -errno;
        log_write(p->log, LOGLEVEL_WARNING, "Can't open the append-only file %s: %s", path,
                   strerror(errno));
        aof_manifest_free(&m);
        return err;
    }
    /* The entry first, then the manifest that names it. On any failure
     * the new (empty) file stays: a manifest whose rename happened may
     * name it even though persisting reported an error, and the next
     * attempt reuses the name. */
    err = durable_fsync_dir(p->config->appenddirname);
    if (err < 0)
        log_write(p->log, LOGLEVEL_WARNING, "Can't fsync the AOF directory after creating %s: %s",
                   path, strerror(-err));
    if (err == 0)
        err = aof_persist_manifest(p, &m);
    if (err < 0) {
        close(fd);
        aof_manifest_free(&m);
        return err;
    }
    /* The same writer (no allocation that could fail here) moves over. */
    aof_writer_retarget(p, fd, 0, rebuild);
    aof_manifest_free(&a->manifest);
    a->manifest = m;
    return 0;
}

/* Switching on: the INCR opened for the first base starts empty again
 * whenever a rewrite (re)starts, since the new snapshot will hold all it
 * had. The manifest does not list it yet, so nothing else changes. */
static int aof_restart_pending_incr(struct persist *p)
{
    struct aof_state *a = &p->aof;
    if (!a->log.open || (aof_log_appended(&a->log) == 0 && a->staging.len == 0))
        return 0;
    persist_wait_writer(p, aof_writer_idle, &a->log);
    if (ftruncate(a->fd, 0) < 0)
        return -errno;
    aof_writer_retarget(p, a->fd, 0, true);
    return 0;
}

/* ---- state and sizes ---- */

void aof_measure_sizes(struct persist *p)
{
    struct aof_state *a = &p->aof;
    a->base_size = a->manifest.has_base ? aof_file_size(p, a->manifest.base.name) : 0;
    a->closed_incr_size = 0;
    for (size_t i = 0; i + 1 < a->manifest.incr.count; i++)
        a->closed_incr_size += aof_file_size(p, a->manifest.incr.items[i].name);
    a->rewrite_base_size = a->base_size;
}

void aof_init_state(struct persist *p)
{
    struct aof_state *a = &p->aof;
    a->fd = -1;
    ring_uring_init_borrowed(&a->uring, &p->loop->ring);
    ring_inject_init(&a->inject, p->aof_ring ? p->aof_ring : &a->uring.sys);
    aof_select_reset(&a->select);
    aof_manifest_init(&a->manifest);
    a->last_rewrite_ok = true;
    a->last_rewrite_time_s = -1;
}

/* ---- rewrite ---- */

/* The child: writes the snapshot into temp-rewriteaof-bg-<pid>.aof through
 * its own ring and exits. Never returns. */
static void aof_rewrite_child(struct persist *p)
{
    persist_child_init(p);
    char tmp[64];
    aof_rewrite_temp_name(tmp, sizeof(tmp), getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = fd < 0 ? -errno : aof_write_base_fd(p, fd, true);
    if (fd >= 0 && close(fd) < 0 && err == 0)
        err = -errno;
    if (err < 0) {
        log_write(p->log, LOGLEVEL_WARNING, "Error writing the AOF rewrite %s: %s", tmp,
                   strerror(-err));
        unlink(tmp);
        _exit(1);
    }
    log_write(p->log, LOGLEVEL_NOTICE, "Successfully created the temporary AOF base file %s", tmp);
    persist_child_info_send(p);
    _exit(0);
}

static int aof_rewrite_start(struct persist *p)
{
    struct aof_state *a = &p->aof;
    assert(!persist_child_running(p));
    if (a->status == AOF_ON && aof_rotate_incr(p, a->rebuild) < 0) {
        a->last_rewrite_ok = false;
        return -1;
    }
    if (a->status == AOF_WAIT_REWRITE && aof_restart_pending_incr(p) < 0) {
        a->last_rewrite_ok = false;
        return -1;
    }
    long long start_us = log_clock_us();
    persist_child_forking(p, PERSIST_CHILD_AOF_REWRITE);
    pid_t pid = fork();
    if (pid == 0)
        aof_rewrite_child(p);
    if (pid < 0) {
        log_write(p->log, LOGLEVEL_WARNING, "Can't rewrite append only file in background: fork: %s",
                   strerror(errno));
        a->last_rewrite_ok = false;
        return -1;
    }
    p->stat_latest_fork_usec = log_clock_us() - start_us;
    p->stat_total_forks++;
    if (p->latency != NULL)
        latency_monitor_add_if_needed(p->latency, p->config->latency_monitor_threshold, "fork",
                                      p->stat_latest_fork_usec / 1000);
    a->child_pid = pid;
    a->child_start_ms = log_clock_ms();
    a->rewrite_scheduled = false;
    keyspace_pause_rehash(p->keyspace);
    log_write(p->log, LOGLEVEL_NOTICE, "Background append only file rewriting started by pid %d",
               (int)pid);
    return 0;
}

/* The child finished well: its file becomes the new BASE, the INCRs it
 * covers become history. Returns 0 or -1 (logged). */
static int aof_rewrite_install(struct persist *p, pid_t pid)
{
    struct aof_state *a = &p->aof;
    char tmp[64];
    aof_rewrite_temp_name(tmp, sizeof(tmp), pid);
    struct aof_manifest m;
    if (a->status == AOF_OFF) {
        /* BGREWRITEAOF with the AOF off: a BASE and a manifest only. */
        char err[256];
        int made = durable_mkdir(p->config->appenddirname, 0755);
        if (made < 0) {
            log_write(p->log, LOGLEVEL_WARNING, "Can't create the AOF directory %s: %s",
                      p->config->appenddirname, strerror(-made));
            unlink(tmp);
            return -1;
        }
        if (aof_read_manifest(p, &m, err, sizeof(err)) != AOF_MANIFEST_FOUND)
            aof_manifest_init(&m);
    } else {
        aof_manifest_copy(&m, &a->manifest);
    }
    const struct aof_file_info *b =
        aof_manifest_new_base(&m, p->config->appendfilename, p->config->aof_use_rdb_preamble);
    char path[AOF_PATH_BYTES];
    aof_path(p, b->name, path, sizeof(path));
    /* The base's entry is made durable before the manifest names it. */
    bool renamed = false;
    int ret = durable_rename(tmp, path, &renamed);
    if (ret < 0) {
        log_write(p->log, LOGLEVEL_WARNING, "Error trying to rename the temporary AOF base file %s "
                   "into %s: %s", tmp, path, strerror(-ret));
        aof_manifest_free(&m);
        if (!renamed)
            unlink(tmp);
        return -1;
    }
    aof_manifest_mark_incr_history(&m, a->status != AOF_OFF);
    /* A failed persist keeps every file: if the rename reached the disk
     * before its directory fsync failed, the manifest there names the new
     * base, and the old one's files are all still listed by the other.
     * The next rewrite writes this base's name again. */
    if (aof_persist_manifest(p, &m) < 0) {
        aof_manifest_free(&m);
        return -1;
    }
    aof_manifest_free(&a->manifest);
    a->manifest = m;
    if (a->status == AOF_WAIT_REWRITE) {
        a->status = AOF_ON;
        log_write(p->log, LOGLEVEL_NOTICE, "AOF rewrite done: the append only file is now on");
    }
    if (a->rebuild) {
        a->rebuild = false;
        a->error = 0;
        a->refused_error = 0;
        a->retried = false;
        log_write(p->log, LOGLEVEL_WARNING, "The AOF was rebuilt from a new base: writes are "
                   "accepted again.");
    }
    if (a->base_owed) {
        /* The manifest now names the base and the INCR: once what the INCR
         * got meanwhile is durable too, the replies waiting for this base
         * may go. */
        if (aof_sync_all(p) == 0)
            a->base_owed = false;
        conn_release_holds(p->loop, false);
    }
    aof_measure_sizes(p);
    if (a->log.open)
        a->rewrite_base_size = a->base_size + (long long)aof_log_appended(&a->log);
    aof_delete_history(p);
    if (a->status == AOF_OFF) {
        aof_manifest_free(&a->manifest);
        aof_manifest_init(&a->manifest);
    }
    return 0;
}

static void aof_rewrite_done(struct persist *p, int status)
{
    struct aof_state *a = &p->aof;
    pid_t pid = a->child_pid;
    long long cow = persist_child_info_receive(p);
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok)
        a->last_cow_size = cow;
    if (ok) {
        ok = aof_rewrite_install(p, pid) == 0;
        if (ok)
            log_write(p->log, LOGLEVEL_NOTICE, "Background AOF rewrite finished successfully");
    } else {
        char tmp[64];
        aof_rewrite_temp_name(tmp, sizeof(tmp), pid);
        unlink(tmp);
        if (WIFSIGNALED(status))
            log_write(p->log, LOGLEVEL_WARNING, "Background AOF rewrite terminated by signal %d",
                       WTERMSIG(status));
        else
            log_write(p->log, LOGLEVEL_WARNING, "Background AOF rewrite terminated with error");
    }
    a->last_rewrite_ok = ok;
    a->last_rewrite_time_s = (log_clock_ms() - a->child_start_ms) / 1000;
    a->child_pid = 0;
    keyspace_resume_rehash(p->keyspace);
    if (ok) {
        a->rewrites++;
        a->consecutive_failures = 0;
        a->next_auto_rewrite_ms = 0;
        return;
    }
    a->consecutive_failures++;
    /* Redis backs automatic rewrites off after 3 failures: 1, 2, 4 ... 60 min. */
    if (a->consecutive_failures >= 3) {
        long long shift = a->consecutive_failures - 3;
        long long delay = shift > 12 ? AOF_REWRITE_BACKOFF_MAX_MS : (60LL * 1000) << shift;
        if (delay > AOF_REWRITE_BACKOFF_MAX_MS)
            delay = AOF_REWRITE_BACKOFF_MAX_MS;
        a->next_auto_rewrite_ms = log_clock_ms() + delay;
    }
    if (a->status == AOF_WAIT_REWRITE || a->rebuild) {
        /* Switching on, or a rebuild, needs a base: try again, a second
         * later at least. */
        a->rewrite_scheduled = true;
        if (a->next_auto_rewrite_ms < log_clock_ms() + 1000)
            a->next_auto_rewrite_ms = log_clock_ms() + 1000;
    }
}

enum aof_rewrite_outcome aof_rewrite_request(struct persist *p, bool schedule_only, char *err,
                                             size_t err_len)
{
    struct aof_state *a = &p->aof;
    if (a->child_pid) {
        snprintf(err, err_len, "Background append only file rewriting already in progress");
        return AOF_REWRITE_FAILED;
    }
    a->next_auto_rewrite_ms = 0; /* a manual request is not backed off */
    if (schedule_only || persist_child_running(p)) {
        a->rewrite_scheduled = true;
        a->consecutive_failures = 0;
        return AOF_REWRITE_SCHEDULED;
    }
    if (aof_rewrite_start(p) < 0) {
        snprintf(err, err_len, "Can't execute an AOF background rewriting. Please check the "
                 "server logs for more information.");
        return AOF_REWRITE_FAILED;
    }
    return AOF_REWRITE_STARTED;
}

void aof_kill_child(struct persist *p)
{
    struct aof_state *a = &p->aof;
    if (!a->child_pid)
        return;
    log_write(p->log, LOGLEVEL_NOTICE, "Killing running AOF rewrite child: %d", (int)a->child_pid);
    kill(a->child_pid, SIGKILL);
    int status;
    while (waitpid(a->child_pid, &status, 0) < 0 && errno == EINTR)
        ;
    char tmp[64];
    aof_rewrite_temp_name(tmp, sizeof(tmp), a->child_pid);
    unlink(tmp);
    a->child_pid = 0;
    persist_child_info_receive(p); /* closes the pipe, zeroes current_* */
    keyspace_resume_rehash(p->keyspace);
}

/* ---- the tick ---- */

static long long aof_current_size(const struct persist *p)
{
    const struct aof_state *a = &p->aof;
    long long incr = a->log.open ? (long long)aof_log_appended(&a->log) : 0;
    return a->base_size + a->closed_incr_size + incr;
}

static bool aof_auto_rewrite_due(struct persist *p)
{
    struct aof_state *a = &p->aof;
    if (a->status != AOF_ON || p->config->auto_aof_rewrite_percentage <= 0)
        return false;
    if (a->next_auto_rewrite_ms && log_clock_ms() < a->next_auto_rewrite_ms)
        return false;
    long long size = aof_current_size(p);
    if (size <= p->config->auto_aof_rewrite_min_size)
        return false;
    long long base = a->rewrite_base_size ? a->rewrite_base_size : 1;
    long long growth = (size * 100 / base) - 100;
    if (growth < p->config->auto_aof_rewrite_percentage)
        return false;
    log_write(p->log, LOGLEVEL_NOTICE, "Starting automatic rewriting of AOF on %lld%% growth", growth);
    return true;
}

/* After a write error: cut the file back to what is known good and let the
 * writer try again from there. */
static void aof_retry_after_error(struct persist *p)
{
    struct aof_state *a = &p->aof;
    int64_t now = log_clock_ms();
    if (now - a->last_retry_ms < AOF_RETRY_INTERVAL_MS || !a->log.open)
        return;
    a->last_retry_ms = now;
    struct aof_log *w = &a->log;
    if (!aof_log_idle(w))
        return;
    if (a->rebuild)
        return; /* waits for the rewrite (aof_cron starts it) */
    if (aof_log_error(w)) {
        int ret = aof_log_reset(w);
        if (ret < 0 && ret != aof_log_error(w)) {
            /* The buffered writer's file could not be cut back. */
            if (now - a->last_error_log_ms > AOF_ERROR_LOG_INTERVAL_MS) {
                log_write(p->log, LOGLEVEL_WARNING, "Can't truncate the AOF after a write error: %s",
                           strerror(-ret));
                a->last_error_log_ms = now;
            }
            return;
        }
        if (ret < 0) {
            /* Bytes it no longer holds are lost from the file (a failed
             * fsync under no): only a new base can stand for them. */
            log_write(p->log, LOGLEVEL_WARNING, "The AOF writer cannot write its lost bytes again: "
                       "rebuilding the AOF with a rewrite; writes are refused until it is done");
            a->rebuild = true;
            a->rewrite_scheduled = true;
            return;
        }
        aof_log_flush(w);
        if (p->config->appendfsync == APPENDFSYNC_ALWAYS ||
            a->durable_required_until > aof_log_durable(w))
            aof_log_sync(w);
    }
    /* The writer took the bytes back and writes them again; a new failure
     * sets the error again. Writes stay refused until these bytes are in
     * (aof_check_recovered), so a retry that fails lets none in. */
    a->error = 0;
    a->retried = true;
    a->retry_target = aof_log_appended(w);
    log_write(p->log, LOGLEVEL_VERBOSE, "Retrying the AOF write after an error.");
    aof_check_recovered(p);
}

static void aof_cron_fsync(struct persist *p)
{
    struct aof_state *a = &p->aof;
    if (!a->log.open || a->error)
        return;
    struct aof_log *w = &a->log;
    /* The direct writer's tick only retries what the ring refused. */
    if (w->io == AOF_LOG_DIRECT ||
        (p->config->appendfsync == APPENDFSYNC_EVERYSEC &&
         !(p->config->no_appendfsync_on_rewrite && persist_child_running(p)))) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        aof_log_tick(w, (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
    }
    if (aof_log_written(w) > aof_log_durable(w)) {
        if (a->fsync_pending_since_ms == 0) {
            a->fsync_pending_since_ms = p->loop->now_ms;
        } else if (p->loop->now_ms - a->fsync_pending_since_ms > AOF_FSYNC_DELAY_MS &&
                   p->config->appendfsync == APPENDFSYNC_EVERYSEC) {
            a->delayed_fsync++;
            a->fsync_pending_since_ms = p->loop->now_ms;
            log_write(p->log, LOGLEVEL_NOTICE,
                       "Asynchronous AOF fsync is taking too long (disk is busy?). Writes are "
                       "buffered meanwhile; clients are paused if the buffer fills.");
        }
    }
}

void aof_cron(struct persist *p)
{
    struct aof_state *a = &p->aof;
    /* Any child's reports (BGSAVE's too): the tick is the one place the
     * parent reads them while the child runs. */
    persist_child_info_poll(p);
    if (a->child_pid) {
        int status;
        pid_t r = waitpid(a->child_pid, &status, WNOHANG);
        if (r == a->child_pid || (r < 0 && errno == ECHILD))
            aof_rewrite_done(p, r < 0 ? 0x100 : status);
    }
    bool backing_off = a->next_auto_rewrite_ms && log_clock_ms() < a->next_auto_rewrite_ms;
    if (!persist_child_running(p) && !backing_off &&
        (a->rewrite_scheduled || aof_auto_rewrite_due(p)))
        aof_rewrite_start(p);
    if (a->error)
        aof_retry_after_error(p);
    aof_check_recovered(p); /* an extension that finished since */
    aof_cron_fsync(p);
}

/* ---- runtime configuration ---- */

/* Switching on: an AOF left from before the switch off misses every write
 * made since (deletions included). Until the first rewrite installs a new
 * base, a restart must not load it: it would bring deleted keys back. The
 * manifest goes (durably); its files stay listed in memory and become
 * history when the new base is installed. A crash in between restarts as
 * an AOF-off server does, from dump.rdb. */
static int aof_forget_stale_manifest(struct persist *p, char *err, size_t err_len)
{
    char *name = aof_manifest_file_name(p->config->appendfilename);
    char path[AOF_PATH_BYTES];
    aof_path(p, name, path, sizeof(path));
    alloc_free(name);
    int ret = durable_unlink(path);
    if (ret < 0) {
        snprintf(err, err_len, "Can't remove the outdated AOF manifest %s: %s", path,
                 strerror(-ret));
        return -1;
    }
    log_write(p->log, LOGLEVEL_NOTICE, "Removed the outdated AOF manifest %s: until the first "
               "rewrite finishes, a restart loads %s", path, p->config->dbfilename);
    return 0;
}

static int aof_switch_on(struct persist *p, char *err, size_t err_len)
{
    struct aof_state *a = &p->aof;
    int ret = durable_mkdir(p->config->appenddirname, 0755);
    if (ret < 0) {
        snprintf(err, err_len, "Can't create the AOF directory: %s", strerror(-ret));
        return -1;
    }
    aof_manifest_free(&a->manifest);
    enum aof_manifest_read found = aof_read_manifest(p, &a->manifest, err, err_len);
    if (found != AOF_MANIFEST_FOUND)
        aof_manifest_init(&a->manifest);
    if (found != AOF_MANIFEST_NONE && aof_forget_stale_manifest(p, err, err_len) < 0)
        return -1;
    a->base_owed = false;
    /* The new INCR is named now but enters a manifest on disk only with
     * the base the rewrite writes; under always the replies wait for that
     * (aof_awaiting_first_base). */
    aof_manifest_add_incr(&a->manifest, p->config->appendfilename);
    ret = aof_open_last_incr(p, true);
    if (ret < 0) {
        snprintf(err, err_len, "Can't open the append-only file: %s", strerror(-ret));
        return -1;
    }
    a->status = AOF_WAIT_REWRITE;
    a->base_size = a->closed_incr_size = 0;
    if (persist_child_running(p)) {
        a->rewrite_scheduled = true;
        return 0;
    }
    if (aof_rewrite_start(p) < 0) {
        aof_writer_close(p);
        a->status = AOF_OFF;
        snprintf(err, err_len, "Can't start the AOF rewrite that switches the AOF on");
        return -1;
    }
    return 0;
}

static void aof_switch_off(struct persist *p)
{
    struct aof_state *a = &p->aof;
    aof_kill_child(p);
    a->rewrite_scheduled = false;
    int err = aof_writer_close(p);
    if (err < 0)
        log_write(p->log, LOGLEVEL_WARNING, "Error syncing the AOF while switching it off: %s",
                   strerror(-err));
    a->status = AOF_OFF;
    a->error = 0;
    a->refused_error = 0;
    a->retried = false;
    a->rebuild = false;
    a->base_owed = false;
    a->durable_required_until = 0;
    a->written_required_until = 0;
    aof_manifest_free(&a->manifest);
    aof_manifest_init(&a->manifest);
}

int aof_set_enabled(struct persist *p, bool on, char *err, size_t err_len)
{
    struct aof_state *a = &p->aof;
    if (on == (a->status != AOF_OFF))
        return 0;
    if (!on) {
        aof_switch_off(p);
        return 0;
    }
    return aof_switch_on(p, err, err_len);
}

void aof_set_fsync_policy(struct persist *p)
{
    struct aof_state *a = &p->aof;
    if (!a->log.open)
        return;
    enum ring_writer_fsync policy = aof_writer_policy(p);
    if (aof_log_io_changes(&a->log, policy) && !a->error && aof_sync_all(p) == 0 &&
        aof_log_cut_padding(&a->log) == 0) {
        /* Direct to buffered or back: everything logged is durable and
         * every hold released, so the log reopens at the end of the file
         * (padding cut: records written behind a piece of padding would
         * break the file) and offsets start again from there. A failing
         * disk keeps the old writer, under the new policy, until its
         * retry succeeds (the next change of policy moves it). */
        uint64_t end = aof_log_file_end(&a->log);
        struct aof_log_config cfg;
        aof_log_config_of(p, &cfg);
        aof_log_restart(&a->log, &cfg, a->fd, end, a->log.seq);
        a->last_durable = end;
        a->durable_required_until = 0;
        a->written_required_until = 0;
        aof_log_announce(p);
        return;
    }
    if (a->log.config.policy == RING_WRITER_FSYNC_ALWAYS && policy != RING_WRITER_FSYNC_ALWAYS) {
        /* Replies produced under always keep their promise: everything
         * logged so far must be durable before they leave. */
        aof_stage_to_writer(p);
        a->durable_required_until = aof_logical_end(p);
    }
    /* In place, also while the disk fails: the writer keeps its bytes and
     * its error, and the retry goes on under the new policy. */
    aof_log_set_policy(&a->log, policy);
    if (a->durable_required_until > aof_log_durable(&a->log))
        aof_log_sync(&a->log);
    else
        aof_log_flush(&a->log);
}

/* ---- INFO ---- */

void aof_info(struct persist *p, struct buf *b)
{
    struct aof_state *a = &p->aof;
    long long now_ms = log_clock_ms();
    char line[1024];
    int n = snprintf(line, sizeof(line),
                     "aof_enabled:%d\r\naof_rewrite_in_progress:%d\r\naof_rewrite_scheduled:%d\r\n"
                     "aof_last_rewrite_time_sec:%lld\r\naof_current_rewrite_time_sec:%lld\r\n"
                     "aof_last_bgrewrite_status:%s\r\naof_rewrites:%lld\r\n"
                     "aof_rewrites_consecutive_failures:%lld\r\naof_last_write_status:%s\r\n"
                     "aof_last_cow_size:%lld\r\nmodule_fork_in_progress:0\r\n"
                     "module_fork_last_cow_size:0\r\n",
                     a->status != AOF_OFF, a->child_pid != 0, a->rewrite_scheduled,
                     a->last_rewrite_time_s,
                     a->child_pid ? (now_ms - a->child_start_ms) / 1000 : -1LL,
                     a->last_rewrite_ok ? "ok" : "err", a->rewrites, a->consecutive_failures,
                     a->refused_error ? "err" : "ok", a->last_cow_size);
    buf_append(b, line, (size_t)n);
    if (a->status == AOF_OFF)
        return;
    bool fsync_pending = a->log.open && !aof_log_idle(&a->log);
    long long pending = a->log.open ? (long long)(aof_log_appended(&a->log) -
                                                  aof_log_written(&a->log))
                                    : 0;
    n = snprintf(line, sizeof(line),
                 "aof_current_size:%lld\r\naof_base_size:%lld\r\naof_pending_rewrite:%d\r\n"
                 "aof_buffer_length:%lld\r\naof_pending_bio_fsync:%d\r\n"
                 "aof_delayed_fsync:%lld\r\n"
                 "ringkv_aof_fsyncs:%lld\r\nringkv_aof_commands_logged:%lld\r\n",
                 aof_current_size(p), a->base_size, a->rewrite_scheduled,
                 (long long)a->staging.len + pending, fsync_pending, a->delayed_fsync, a->fsyncs,
                 a->records_logged);
    buf_append(b, line, (size_t)n);
    /* What a client whose reply is held can learn from another connection:
     * the error writes are refused for, since when, and how many
     * connections have replies waiting for the AOF. */
    int refused = a->refused_error;
    int waiting = 0;
    for (const struct conn *c = p->loop->held; c; c = c->held_next)
        waiting++;
    n = snprintf(line, sizeof(line),
                 "ringkv_aof_write_error:%s\r\nringkv_aof_write_error_sec:%lld\r\n"
                 "ringkv_aof_clients_waiting:%d\r\n",
                 refused ? strerror(-refused) : "none",
                 refused ? (p->loop->now_ms - a->error_since_ms) / 1000 : -1LL, waiting);
    buf_append(b, line, (size_t)n);
    struct aof_log_stats st;
    aof_log_stats(&a->log, &st);
    n = snprintf(line, sizeof(line),
                 "ringkv_aof_log_io:%s\r\nringkv_aof_log_io_reason:%s\r\n"
                 "ringkv_aof_batches:%llu\r\nringkv_aof_batches_in_flight_max:%lld\r\n"
                 "ringkv_aof_batches_in_flight_peak:%u\r\n"
                 "ringkv_aof_batches_in_flight_avg:%.2f\r\nringkv_aof_filler_bytes:%llu\r\n"
                 "ringkv_aof_gap_bytes:%llu\r\n"
                 "ringkv_aof_log_bytes:%llu\r\nringkv_aof_prewritten_bytes:%llu\r\n"
                 "ringkv_aof_write_inline:%s\r\nringkv_aof_inline_writes:%llu\r\n",
                 a->log.open && a->log.io == AOF_LOG_DIRECT ? "direct" : "buffered",
                 a->log.open ? a->log.reason : "closed", (unsigned long long)st.batches,
                 p->config->aof_batches_in_flight, st.in_flight_peak,
                 st.batches ? (double)st.in_flight_sum / (double)st.batches : 0.0,
                 (unsigned long long)st.filler_bytes, (unsigned long long)st.gap_bytes,
                 (unsigned long long)st.batch_bytes,
                 (unsigned long long)st.prewritten_bytes,
                 p->config->aof_write_inline == AOF_WRITE_INLINE_YES  ? "yes"
                 : p->config->aof_write_inline == AOF_WRITE_INLINE_NO ? "no"
                                                                      : "auto",
                 (unsigned long long)st.inline_writes);
    buf_append(b, line, (size_t)n);
}

/* ---- shutdown, DEBUG LOADAOF ---- */

void aof_shutdown(struct persist *p)
{
    struct aof_state *a = &p->aof;
    aof_kill_child(p);
    if (!a->log.open)
        return;
    log_write(p->log, LOGLEVEL_NOTICE, "Calling fsync() on the AOF file.");
    int err = aof_sync_all(p);
    if (err == 0)
        err = aof_log_cut_padding(&a->log);
    if (err == 0 && fdatasync(a->fd) < 0)
        err = -errno;
    if (err < 0)
        log_write(p->log, LOGLEVEL_WARNING, "Error writing the AOF at shutdown: %s", strerror(-err));
}

void aof_free(struct persist *p)
{
    struct aof_state *a = &p->aof;
    if (a->log.open)
        aof_writer_stop(p);
    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
    aof_buffer_free(&a->staging);
    aof_manifest_free(&a->manifest);
}

