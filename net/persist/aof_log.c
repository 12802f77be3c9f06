/* aof_log.c: the current INCR's writer, direct or buffered (aof_log.h).
 *
 * The buffered ring_writer stays allocated while the log is open, whatever
 * the io, so that moving to another file or io never needs an allocation
 * that could fail: when the direct writer cannot be had (O_DIRECT refused,
 * no memory) the log runs buffered and says why. */
#define _GNU_SOURCE /* O_DIRECT, statx */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/aof_batch.h"
#include "net/persist/aof_log.h"

/* The buffered writer's buffer: bytes stay in it until durable, so it must
 * hold what arrives during one slow fdatasync (everysec keeps up to ~2 s).
 * It is mapped, so untouched pages cost nothing. */
#define AOF_LOG_BUFFERED_BYTES ((size_t)64 << 20)
#define AOF_LOG_BUFFERED_WRITE_BYTES_MAX ((size_t)8 << 20)
#define AOF_LOG_BUFFERED_WRITES_IN_FLIGHT 8
/* The direct writer's buffer: it holds the batches in flight and the ones
 * not yet durable, so it bounds one batch (a bigger staging is cut into
 * several batches). */
#define AOF_LOG_DIRECT_BYTES ((size_t)16 << 20)
/* Direct writes are aligned to this (or the file's own O_DIRECT alignment
 * when larger), and padding pieces to 512-byte sectors: the smallest unit a
 * device writes atomically, so a torn write leaves whole pieces. */
#define AOF_LOG_BLOCK_BYTES 4096u
#define AOF_LOG_SECTOR_BYTES 512u

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

static int aof_log_inline_fault(void *ctx)
{
    return ring_inject_take(ctx, RING_OP_WRITE);
}

static void aof_log_rw_done(struct ring_writer *w)
{
    struct aof_log *l = container_of(w, struct aof_log, rw);
    if (l->config.done)
        l->config.done(l);
}

static void aof_log_lw_done(struct log_writer *w)
{
    struct aof_log *l = w->config.owner;
    if (l->config.done)
        l->config.done(l);
}

/* The alignment O_DIRECT needs on this file (statx STATX_DIOALIGN), at
 * least AOF_LOG_BLOCK_BYTES; 0 when the file cannot do direct I/O. */
static uint32_t aof_log_dio_align(int fd)
{
    struct statx sx;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 && (sx.stx_mask & STATX_DIOALIGN)) {
        if (sx.stx_dio_offset_align == 0)
            return 0;
        uint32_t a = sx.stx_dio_offset_align > sx.stx_dio_mem_align ? sx.stx_dio_offset_align
                                                                    : sx.stx_dio_mem_align;
        return a > AOF_LOG_BLOCK_BYTES ? a : AOF_LOG_BLOCK_BYTES;
    }
    return AOF_LOG_BLOCK_BYTES; /* an older kernel: the probe write decides */
}

static int aof_log_set_direct_flag(int fd, bool on)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -errno;
    flags = on ? flags | O_DIRECT : flags & ~O_DIRECT;
    return fcntl(fd, F_SETFL, flags) < 0 ? -errno : 0;
}

/* One direct write of one aligned block into an unnamed file in dir: a
 * filesystem that takes O_DIRECT but not the write (some FUSE and overlay
 * mounts) shows it here, without touching the AOF. */
static int aof_log_probe(const char *dir, uint32_t align)
{
    int fd = open(dir, O_TMPFILE | O_RDWR | O_DIRECT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    void *block = aligned_alloc(align, align);
    if (!block) {
        close(fd);
        return -ENOMEM;
    }
    memset(block, '#', align);
    ssize_t n = pwrite(fd, block, align, 0);
    int err = n == (ssize_t)align ? 0 : n < 0 ? -errno : -EIO;
    free(block);
    close(fd);
    return err;
}

/* Tries the direct writer on fd at start. Returns 0, or -errno with
 * l->reason saying why the log stays buffered. */
static int aof_log_try_direct(struct aof_log *l, int fd, uint64_t start)
{
    uint32_t align = aof_log_dio_align(fd);
    if (align == 0 || align > (1u << 16)) {
        snprintf(l->reason, sizeof(l->reason), "the filesystem does not offer direct I/O");
        return -EINVAL;
    }
    /* The partial block at start: the writer rewrites its bytes unchanged. */
    size_t tail_len = (size_t)(start % align);
    uint8_t *probe = aligned_alloc(align, align);
    if (!probe) {
        snprintf(l->reason, sizeof(l->reason), "no memory for direct I/O");
        return -ENOMEM;
    }
    memset(probe, 0, align);
    ssize_t got = tail_len ? pread(fd, probe, tail_len, (off_t)(start - tail_len)) : 0;
    if (got != (ssize_t)tail_len) {
        int err = got < 0 ? -errno : -EIO;
        snprintf(l->reason, sizeof(l->reason), "cannot read the end of the file: %s",
                 strerror(-err));
        free(probe);
        return err;
    }
    int err = aof_log_set_direct_flag(fd, true);
    if (err < 0) {
        snprintf(l->reason, sizeof(l->reason), "O_DIRECT refused: %s", strerror(-err));
        free(probe);
        return err;
    }
    err = aof_log_probe(l->config.dir, align);
    if (err < 0) {
        snprintf(l->reason, sizeof(l->reason), "a direct write failed: %s", strerror(-err));
        aof_log_set_direct_flag(fd, false);
        free(probe);
        return err;
    }
    struct log_writer_config lc = {
        .fd = fd,
        .block_bytes = align,
        .sector_bytes = AOF_LOG_SECTOR_BYTES,
        .start = start,
        .tail = tail_len ? probe : NULL,
        .buffer_bytes = AOF_LOG_DIRECT_BYTES,
        .in_flight_max = l->config.batches_in_flight,
        .extend_bytes = l->config.prewrite_bytes,
        .dsync = true,
        .inline_batches = l->config.write_inline,
        .fill = aof_batch_fill,
        .done = aof_log_lw_done,
        .owner = l,
    };
    if (lc.in_flight_max < 1)
        lc.in_flight_max = 1;
    if (lc.in_flight_max > LOG_WRITER_IN_FLIGHT_MAX)
        lc.in_flight_max = LOG_WRITER_IN_FLIGHT_MAX;
    lc.extend_bytes -= lc.extend_bytes % align;
    if (lc.extend_bytes < LOG_WRITER_EXTEND_WRITE_BYTES)
        lc.extend_bytes = LOG_WRITER_EXTEND_WRITE_BYTES;
    err = log_writer_init(&l->lw, l->config.sys, &lc);
    free(probe);
    if (err < 0) {
        snprintf(l->reason, sizeof(l->reason), "no memory for the direct writer");
        aof_log_set_direct_flag(fd, false);
        return err;
    }
    snprintf(l->reason, sizeof(l->reason), "O_DIRECT + RWF_DSYNC, %u batches in flight, "
             "%u-byte blocks", lc.in_flight_max, align);
    return 0;
}

/* Picks the io for the current policy on fd at start; rw is initialized. */
static void aof_log_choose_io(struct aof_log *l, int fd, uint64_t start)
{
    l->io = AOF_LOG_BUFFERED;
    l->logical = l->base_token = start;
    l->shift = 0;
    if (l->config.policy != RING_WRITER_FSYNC_ALWAYS) {
        snprintf(l->reason, sizeof(l->reason), "appendfsync is not always");
    } else if (!l->config.direct_wanted) {
        snprintf(l->reason, sizeof(l->reason), "aof-direct-io is no");
    } else if (aof_log_try_direct(l, fd, start) == 0) {
        l->io = AOF_LOG_DIRECT;
    }
    if (l->io == AOF_LOG_BUFFERED)
        aof_log_set_direct_flag(fd, false);
}

int aof_log_open(struct aof_log *l, const struct aof_log_config *config, int fd, uint64_t start,
                 uint64_t seq)
{
    assert(!l->open);
    struct aof_log_stats keep = l->stats;
    memset(l, 0, sizeof(*l));
    l->stats = keep;
    l->config = *config;
    l->fd = fd;
    struct ring_writer_config cfg = {
        .fd = fd,
        .start_offset = start,
        .fsync_policy = config->policy,
        .writes_in_flight_max = AOF_LOG_BUFFERED_WRITES_IN_FLIGHT,
        .buffer_bytes = AOF_LOG_BUFFERED_BYTES,
        .write_bytes_max = AOF_LOG_BUFFERED_WRITE_BYTES_MAX,
        .dsync_writes = true,
        .inline_writes = true,
        .inline_fault = config->inject ? aof_log_inline_fault : NULL,
        .inline_fault_ctx = config->inject,
        .done = aof_log_rw_done,
    };
    int ret = ring_writer_init(&l->rw, config->sys, &cfg);
    if (ret < 0)
        return ret;
    l->open = true;
    l->seq = seq;
    aof_log_choose_io(l, fd, start);
    return 0;
}

/* Adds a direct writer's counters to totals. */
static void aof_log_stats_add(struct aof_log_stats *to, const struct log_writer_stats *s)
{
    to->batches += s->batches;
    to->batch_bytes += s->batch_bytes;
    to->filler_bytes += s->pad_bytes;
    to->gap_bytes += s->gap_bytes;
    to->prewritten_bytes += s->extend_bytes;
    to->in_flight_sum += s->in_flight_sum;
    to->inline_writes += s->inline_writes;
    if (s->in_flight_peak > to->in_flight_peak)
        to->in_flight_peak = s->in_flight_peak;
}

static void aof_log_close_direct(struct aof_log *l)
{
    if (l->io != AOF_LOG_DIRECT)
        return;
    aof_log_stats_add(&l->stats, log_writer_stats(&l->lw));
    log_writer_free(&l->lw);
    aof_log_set_direct_flag(l->fd, false);
    l->io = AOF_LOG_BUFFERED;
}

void aof_log_close(struct aof_log *l)
{
    if (!l->open)
        return;
    assert(aof_log_idle(l));
    aof_log_close_direct(l);
    ring_writer_free(&l->rw);
    l->open = false;
}

uint64_t aof_log_appended(const struct aof_log *l)
{
    return l->io == AOF_LOG_DIRECT ? l->logical : ring_writer_appended(&l->rw) - l->shift;
}

uint64_t aof_log_durable(const struct aof_log *l)
{
    if (l->io != AOF_LOG_DIRECT)
        return ring_writer_durable(&l->rw) - l->shift;
    uint64_t t = log_writer_durable_token(&l->lw);
    /* Before the first batch the token is 0: what the file held counts. */
    return t > l->base_token ? t : l->base_token;
}

uint64_t aof_log_written(const struct aof_log *l)
{
    return l->io == AOF_LOG_DIRECT ? aof_log_durable(l) : ring_writer_written(&l->rw) - l->shift;
}

size_t aof_log_space(const struct aof_log *l, size_t want)
{
    if (l->io != AOF_LOG_DIRECT) {
        size_t n = ring_writer_space(&l->rw);
        return n < want ? n : want;
    }
    const struct log_writer *w = &l->lw;
    size_t max = log_writer_batch_max(w) - AOF_BATCH_HEADER_BYTES;
    if (want > max)
        want = max;
    if (want == 0 || log_writer_can_submit(w, AOF_BATCH_HEADER_BYTES + want))
        return want;
    if (!log_writer_can_submit(w, AOF_BATCH_HEADER_BYTES + 1))
        return 0;
    /* Room for part of it: the largest batch that fits now. */
    size_t lo = 1, hi = want - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (log_writer_can_submit(w, AOF_BATCH_HEADER_BYTES + mid))
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

int aof_log_append(struct aof_log *l, const void *data, size_t len)
{
    if (l->io != AOF_LOG_DIRECT)
        return ring_writer_append(&l->rw, data, len);
    uint8_t header[AOF_BATCH_HEADER_BYTES];
    aof_batch_header(header, l->seq + 1, data, len);
    struct iovec iov[2] = {
        {.iov_base = header, .iov_len = sizeof(header)},
        {.iov_base = (void *)data, .iov_len = len},
    };
    int ret = log_writer_submit(&l->lw, iov, 2, l->logical + len);
    if (ret < 0)
        return ret;
    l->seq++;
    l->logical += len;
    return 0;
}

void aof_log_flush(struct aof_log *l)
{
    if (l->io != AOF_LOG_DIRECT)
        ring_writer_flush(&l->rw);
}

void aof_log_sync(struct aof_log *l)
{
    if (l->io != AOF_LOG_DIRECT)
        ring_writer_sync(&l->rw);
}

void aof_log_tick(struct aof_log *l, uint64_t now_ms)
{
    if (l->io != AOF_LOG_DIRECT)
        ring_writer_tick(&l->rw, now_ms);
    else
        log_writer_retry(&l->lw); /* work the ring refused while nothing was in flight */
}

bool aof_log_io_changes(const struct aof_log *l, enum ring_writer_fsync policy)
{
    bool want_direct = policy == RING_WRITER_FSYNC_ALWAYS && l->config.direct_wanted;
    return want_direct != (l->io == AOF_LOG_DIRECT);
}

void aof_log_set_policy(struct aof_log *l, enum ring_writer_fsync policy)
{
    l->config.policy = policy;
    ring_writer_set_policy(&l->rw, policy);
}

int aof_log_error(const struct aof_log *l)
{
    return l->io == AOF_LOG_DIRECT ? log_writer_error(&l->lw) : ring_writer_error(&l->rw);
}

bool aof_log_idle(const struct aof_log *l)
{
    bool rw_idle = ring_writer_idle(&l->rw);
    return l->io == AOF_LOG_DIRECT ? rw_idle && log_writer_idle(&l->lw) : rw_idle;
}

void aof_log_set_inline(struct aof_log *l, bool on)
{
    l->config.write_inline = on;
    if (l->open && l->io == AOF_LOG_DIRECT)
        log_writer_set_inline(&l->lw, on);
}

bool aof_log_extending(const struct aof_log *l)
{
    return l->io == AOF_LOG_DIRECT && log_writer_extending(&l->lw);
}

uint32_t aof_log_ops_in_flight(const struct aof_log *l)
{
    return l->io == AOF_LOG_DIRECT ? log_writer_in_flight(&l->lw) : ring_writer_ops_in_flight(&l->rw);
}

int aof_log_reset(struct aof_log *l)
{
    if (l->io == AOF_LOG_DIRECT) {
        /* Direct writes left no dirty pages behind: every batch not yet
         * durable is still in memory and goes again at its place. */
        log_writer_reset(&l->lw);
        return 0;
    }
    uint64_t cut = ring_writer_recover_offset(&l->rw);
    if (ftruncate(l->fd, (off_t)cut) < 0)
        return -errno;
    return ring_writer_reset(&l->rw);
}

int aof_log_cut_padding(struct aof_log *l)
{
    if (!l->open || l->io != AOF_LOG_DIRECT)
        return 0;
    assert(log_writer_idle(&l->lw));
    if (!log_writer_all_durable(&l->lw) || log_writer_error(&l->lw))
        return log_writer_error(&l->lw) ? log_writer_error(&l->lw) : -EBUSY;
    if (ftruncate(l->fd, (off_t)log_writer_position(&l->lw)) < 0 || fdatasync(l->fd) < 0)
        return -errno;
    return 0;
}

int aof_log_restart(struct aof_log *l, const struct aof_log_config *config, int fd,
                    uint64_t start, uint64_t seq)
{
    assert(l->open && aof_log_idle(l));
    aof_log_close_direct(l);
    l->oversize = false;
    l->config = *config;
    l->fd = fd;
    l->seq = seq;
    ring_writer_restart(&l->rw, fd, start);
    ring_writer_set_policy(&l->rw, config->policy);
    aof_log_choose_io(l, fd, start);
    return 0;
}

void aof_log_stats(const struct aof_log *l, struct aof_log_stats *out)
{
    *out = l->stats;
    if (l->open && l->io == AOF_LOG_DIRECT)
        aof_log_stats_add(out, log_writer_stats(&l->lw));
}

uint64_t aof_log_file_end(const struct aof_log *l)
{
    return l->io == AOF_LOG_DIRECT ? log_writer_position(&l->lw) : ring_writer_appended(&l->rw);
}

size_t aof_log_batch_max(const struct aof_log *l)
{
    if (l->io != AOF_LOG_DIRECT)
        return SIZE_MAX;
    return log_writer_batch_max(&l->lw) - AOF_BATCH_HEADER_BYTES;
}

int aof_log_go_oversize(struct aof_log *l)
{
    assert(l->io == AOF_LOG_DIRECT && aof_log_idle(l));
    int err = aof_log_cut_padding(l);
    if (err < 0)
        return err;
    struct aof_log_config cfg = l->config;
    bool wanted = cfg.direct_wanted;
    cfg.direct_wanted = false;
    /* Replies may be held on tokens up to today's logical end and past it
     * (the big unit and what is staged behind it): the buffered writer's
     * file offsets, which run ahead by every header and gap, are shifted
     * so that its tokens go on from that end. */
    uint64_t token = l->logical;
    uint64_t at = log_writer_position(&l->lw);
    aof_log_restart(l, &cfg, l->fd, at, l->seq);
    l->shift = at - token;
    l->config.direct_wanted = wanted;
    l->oversize = true;
    snprintf(l->reason, sizeof(l->reason), "a record larger than a direct batch, written plain");
    return 0;
}

int aof_log_oversize_done(struct aof_log *l, const struct aof_log_config *config)
{
    assert(l->oversize && aof_log_idle(l));
    /* Tokens go on from the buffered writer's (shifted) end. */
    uint64_t shift = l->shift;
    uint64_t at = ring_writer_appended(&l->rw);
    l->oversize = false;
    int ret = aof_log_restart(l, config, l->fd, at, l->seq);
    if (l->io == AOF_LOG_DIRECT)
        l->logical = l->base_token = at - shift;
    else
        l->shift = shift;
    return ret;
}
