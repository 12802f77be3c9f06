/* log_writer.c: the direct-I/O log writer (see log_writer.h for the layout).
 *
 * Owns the mirror buffer (the byte at position o lives at buffer[o %
 * buffer_bytes]), the padding chunk extensions write, the first
 * extension's tail block, the batch slots in submission order and the
 * extension under way. Leaves the kernel to a ring_sys, the padding's bytes
 * to config.fill, the framing of batches and every policy to the owner.
 *
 * Key invariants:
 *  1. No byte of the mirror changes while a write covering it is
 *     incomplete, so no two incomplete writes disagree. A batch whose first
 *     block is still owed by an incomplete write (waiting, in flight or
 *     parked) starts where that write ends (and past a merged piece at
 *     `position`, so the gap is whole pieces); only a complete write's last
 *     block is shared. After a reset every rewrite takes its bytes from the
 *     one mirror, so overlapping rewrites agree.
 *  2. Every byte a batch write covers outside the batch's own bytes equals
 *     what the file holds there or is padding where the file holds padding
 *     or nothing: below the batch it comes from the mirror, which keeps the
 *     block (the room rule below), above it is fresh padding up to a piece
 *     boundary of the old contents. A torn write, each sector old or new,
 *     therefore damages no byte that was acknowledged.
 *  3. A batch write goes out only below `prewritten`, which moves only when
 *     an extension's fdatasync succeeded, so batch writes never change the
 *     file's size or block allocation.
 *  4. Room: the mirror holds every byte from the oldest not-yet-durable
 *     batch's write start (or, with none, the block holding `position`) to
 *     the furthest write end, so reset can write them all again.
 *
 * Sections: geometry and padding; notification and errors; batch writes;
 * extensions; the pump; public calls. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "uring/log_writer.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

#define PAD_UNIT ((uint64_t)LOG_WRITER_PAD_UNIT_BYTES)

static void writer_pump(struct log_writer *w);

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

static uint64_t round_down(uint64_t x, uint64_t unit)
{
    return x - x % unit;
}

static uint64_t round_up(uint64_t x, uint64_t unit)
{
    return round_down(x + unit - 1, unit);
}

/* ---- Geometry and padding --------------------------------------------- */

/* End of the padding piece that starts at from: the next unit boundary, or
 * the one after it when only one byte is left before it (a piece is at
 * least LOG_WRITER_PAD_MIN bytes). */
static uint64_t piece_end(uint64_t from)
{
    uint64_t end = round_up(from + 1, PAD_UNIT);
    return end - from == 1 ? end + PAD_UNIT : end;
}

/* End of a write whose last batch byte is end - 1: end itself when it is a
 * block boundary, else the end of the block holding the end of the piece
 * that starts at end (one block further for a merged piece that spills). */
static uint64_t pad_end(const struct log_writer *w, uint64_t end)
{
    uint64_t block = w->config.block_bytes;
    if (end % block == 0)
        return end;
    return round_up(piece_end(end), block);
}

/* Fills padding pieces for positions [from, to) into dst, which holds the
 * position dst_pos at dst[0]. to must end a piece. */
static void pad_flat(const struct log_writer *w, uint8_t *dst, uint64_t dst_pos, uint64_t from,
                     uint64_t to)
{
    while (from < to) {
        uint64_t end = piece_end(from);
        assert(end <= to); /* pieces never cross the end of a write */
        assert(end - from >= LOG_WRITER_PAD_MIN);
        assert(end - from <= LOG_WRITER_PAD_MAX);
        w->config.fill(dst + (from - dst_pos), (size_t)(end - from));
        from = end;
    }
}

/* Copies len bytes to the mirror at position pos, wrapping at its end. */
static void mirror_put(struct log_writer *w, uint64_t pos, const uint8_t *src, size_t len)
{
    size_t cap = w->config.buffer_bytes;
    size_t at = (size_t)(pos % cap);
    size_t first = len < cap - at ? len : cap - at;
    memcpy(w->buffer + at, src, first);
    memcpy(w->buffer, src + first, len - first);
}

/* Padding pieces for positions [from, to) into the mirror. A piece may
 * straddle the mirror's end, so each is made whole first. */
static void mirror_pad(struct log_writer *w, uint64_t from, uint64_t to)
{
    uint8_t piece[LOG_WRITER_PAD_MAX];
    while (from < to) {
        uint64_t end = piece_end(from);
        assert(end <= to);
        size_t len = (size_t)(end - from);
        assert(len >= LOG_WRITER_PAD_MIN && len <= LOG_WRITER_PAD_MAX);
        w->config.fill(piece, len);
        mirror_put(w, from, piece, len);
        from = end;
    }
}

static struct log_writer_batch *batch_at(struct log_writer *w, uint32_t i)
{
    assert(i < w->count);
    return &w->batches[(w->head + i) % LOG_WRITER_IN_FLIGHT_MAX];
}

static const struct log_writer_batch *batch_at_const(const struct log_writer *w, uint32_t i)
{
    assert(i < w->count);
    return &w->batches[(w->head + i) % LOG_WRITER_IN_FLIGHT_MAX];
}

struct batch_layout {
    uint64_t batch_start;
    uint64_t write_start;
    uint64_t write_end;
};

/* Where a batch of len bytes would go now (see invariant 1 for the start). */
static struct batch_layout batch_layout(const struct log_writer *w, size_t len)
{
    uint64_t block = w->config.block_bytes;
    uint64_t start = w->position;
    uint64_t first_block = round_down(start, block);
    for (uint32_t i = 0; i < w->count; i++) {
        const struct log_writer_batch *b = batch_at_const(w, i);
        if (b->state != LOG_WRITER_BATCH_DONE && b->write_end > first_block)
            start = max_u64(start, b->write_end);
    }
    /* The gap must be whole pieces: a write still in flight can end one
     * byte behind position (a rewrite after reset, when the batch ending at
     * position completed) and so inside the merged piece that starts there. */
    if (start > w->position)
        start = max_u64(start, piece_end(w->position));
    struct batch_layout l;
    l.batch_start = start;
    l.write_start = round_down(start, block);
    l.write_end = pad_end(w, start + len);
    /* The file holds a piece from position on; when position is one byte
     * before a unit boundary that piece is a merged one, and a write ending
     * on that boundary would leave its tail behind without its head. Pad the
     * next block too, so everything behind the log stays whole pieces. */
    if (l.write_end == w->position + 1)
        l.write_end += block;
    assert(l.write_start <= l.batch_start);
    assert(l.write_end >= l.batch_start + len);
    return l;
}

/* Whether the mirror has room for a write ending at write_end (invariant 4). */
static bool batch_room(const struct log_writer *w, const struct batch_layout *l)
{
    uint64_t keep_from = w->count > 0 ? batch_at_const(w, 0)->write_start
                                      : round_down(w->position, w->config.block_bytes);
    assert(keep_from <= l->write_start);
    return l->write_end - keep_from <= w->config.buffer_bytes;
}

/* ---- Notification and errors ------------------------------------------ */

struct writer_progress {
    uint64_t durable_token;
    uint64_t durable_position;
    uint64_t prewritten;
    uint32_t count;
    int error;
};

static struct writer_progress writer_progress(const struct log_writer *w)
{
    return (struct writer_progress){w->durable_token, w->durable_position, w->prewritten,
                                    w->count, w->error};
}

static void writer_notify(struct log_writer *w, struct writer_progress before)
{
    struct writer_progress after = writer_progress(w);
    bool moved = after.durable_token != before.durable_token ||
                 after.durable_position != before.durable_position ||
                 after.prewritten != before.prewritten || after.count != before.count ||
                 after.error != before.error;
    if (moved && w->config.done)
        w->config.done(w);
}

static void writer_set_error(struct log_writer *w, int error)
{
    assert(error < 0);
    if (w->error == 0)
        w->error = error;
}

/* Results that mean "nothing happened, try again". */
static bool result_retryable(int res)
{
    return res == -EINTR || res == -EAGAIN || res == -EBUSY || res == -ECANCELED;
}

/* queue() refusals that mean "no room now": park and retry later. */
static bool queue_busy(int ret)
{
    return ret == -EBUSY || ret == -EAGAIN || ret == -EINTR;
}

/* ---- Batch writes ----------------------------------------------------- */

/* Points the batch's op at the rest of its write in the mirror. */
static void batch_prep(struct log_writer *w, struct log_writer_batch *b)
{
    size_t cap = w->config.buffer_bytes;
    uint64_t len = b->write_end - b->write_next;
    size_t at = (size_t)(b->write_next % cap);
    size_t first = len < cap - at ? (size_t)len : cap - at;
    assert(len > 0);
    assert(b->write_next % w->config.block_bytes == 0);
    assert(len % w->config.block_bytes == 0);
    b->op.kind = RING_OP_WRITE;
    b->op.fd = w->config.fd;
    b->op.offset = b->write_next;
    b->op.link_next = false;
    b->op.dsync = w->config.dsync;
    b->op.run_inline = w->config.inline_batches;
    w->stats.inline_writes += w->config.inline_batches;
    b->op.iov[0] = (struct iovec){w->buffer + at, first};
    b->op.iov_count = 1;
    if (len > first) {
        b->op.iov[1] = (struct iovec){w->buffer, (size_t)len - first};
        b->op.iov_count = 2;
    }
}

/* Queues a parked batch. Returns false when the ring refused (it stays
 * parked) or an error was set. */
static bool batch_queue(struct log_writer *w, struct log_writer_batch *b)
{
    assert(b->state == LOG_WRITER_BATCH_PARKED);
    assert(b->write_end <= w->prewritten); /* invariant 3 */
    batch_prep(w, b);
    struct ring_op *ops[1] = {&b->op};
    int ret = w->sys->calls->queue(w->sys, ops, 1);
    if (ret < 0) {
        if (!queue_busy(ret))
            writer_set_error(w, ret);
        return false;
    }
    b->state = LOG_WRITER_BATCH_IN_FLIGHT;
    w->in_flight++;
    if (w->in_flight > w->stats.in_flight_peak)
        w->stats.in_flight_peak = w->in_flight;
    if (!b->sent) {
        b->sent = true;
        w->stats.in_flight_sum += w->in_flight;
    }
    return true;
}

/* A short write of whole blocks continues where it stopped; any other short
 * count is an error (the rest would start inside a block). */
static void batch_result(struct log_writer *w, struct log_writer_batch *b, int res)
{
    uint64_t owed = b->write_end - b->write_next;
    if (res > 0) {
        assert((uint64_t)res <= owed); /* the kernel never writes more than asked */
        w->stats.bytes_written += (uint64_t)res;
        if ((uint64_t)res == owed) {
            b->state = LOG_WRITER_BATCH_DONE;
            return;
        }
        b->state = LOG_WRITER_BATCH_PARKED;
        if ((uint64_t)res % w->config.block_bytes != 0) {
            writer_set_error(w, -EIO);
            return;
        }
        b->write_next += (uint64_t)res;
        b->retries = 0;
        return;
    }
    b->state = LOG_WRITER_BATCH_PARKED;
    if (res == 0 || result_retryable(res)) {
        if (++b->retries <= LOG_WRITER_RETRIES_MAX)
            return;
        res = res == 0 ? -EIO : res;
    }
    writer_set_error(w, res);
}

/* Frees every batch at the head that is done: durable in order. */
static void batch_advance_durable(struct log_writer *w)
{
    while (w->count > 0) {
        struct log_writer_batch *b = batch_at(w, 0);
        if (b->state != LOG_WRITER_BATCH_DONE)
            break;
        assert(b->token >= w->durable_token);
        w->durable_token = b->token;
        w->durable_position = b->batch_end;
        w->stats.batches++;
        w->stats.batch_bytes += b->batch_end - b->batch_start;
        w->stats.pad_bytes += b->write_end - b->batch_end;
        b->state = LOG_WRITER_BATCH_FREE;
        w->head = (w->head + 1) % LOG_WRITER_IN_FLIGHT_MAX;
        w->count--;
    }
}

static void batch_write_done(struct ring_op *op)
{
    struct log_writer_batch *b = container_of(op, struct log_writer_batch, op);
    struct log_writer *w = b->writer;
    assert(b->state == LOG_WRITER_BATCH_IN_FLIGHT);
    assert(w->in_flight > 0);
    struct writer_progress before = writer_progress(w);
    w->in_flight--;
    batch_result(w, b, op->result);
    batch_advance_durable(w);
    writer_pump(w);
    writer_notify(w, before);
}

/* ---- Extensions ------------------------------------------------------- */

/* The lowest extension byte not known written: the lowest write in flight
 * or parked, else the next one to queue. Frozen while an error is set (a
 * failed write lowered it). */
static void extend_update_done(struct log_writer *w)
{
    if (w->error)
        return;
    uint64_t done = w->extend_next;
    for (int i = 0; i < LOG_WRITER_EXTEND_WRITES_MAX; i++) {
        const struct log_writer_extend *e = &w->extends[i];
        if (e->in_flight || e->parked)
            done = min_u64(done, e->op.offset);
    }
    w->extend_done = done;
}

/* Plans the next extension: from prewritten's block to extend_bytes further,
 * at least over every batch write submitted, and for the first one over
 * the partial start block(s) too. */
static void extend_start(struct log_writer *w)
{
    uint64_t block = w->config.block_bytes;
    uint64_t base = round_down(w->prewritten, block);
    uint64_t target = max_u64(base + w->config.extend_bytes, w->write_end_max);
    bool first = base < w->config.start;
    if (first)
        target = max_u64(target, base + w->tail_bytes);
    w->extend_base = w->extend_next = w->extend_done = base;
    w->extend_target = round_up(target, block);
    w->tail_pending = first;
    w->extend_sync_retries = 0;
    assert(w->extend_target > w->prewritten);
}

/* Prepares the next extension write into slot e and moves extend_next. */
static void extend_prep(struct log_writer *w, struct log_writer_extend *e)
{
    e->op.kind = RING_OP_WRITE;
    e->op.fd = w->config.fd;
    e->op.link_next = false;
    e->op.dsync = false;
    e->op.iov_count = 1;
    e->op.offset = w->extend_next;
    if (w->tail_pending) {
        assert(w->extend_next == w->extend_base);
        e->op.iov[0] = (struct iovec){w->tail_block, w->tail_bytes};
        w->tail_pending = false;
    } else {
        uint64_t len = min_u64(w->config.extend_write_bytes, w->extend_target - w->extend_next);
        e->op.iov[0] = (struct iovec){w->pad_chunk, (size_t)len};
    }
    w->extend_next += e->op.iov[0].iov_len;
    assert(w->extend_next <= w->extend_target);
    e->retries = 0;
    e->parked = true;
}

static bool extend_queue(struct log_writer *w, struct log_writer_extend *e)
{
    assert(e->parked);
    struct ring_op *ops[1] = {&e->op};
    int ret = w->sys->calls->queue(w->sys, ops, 1);
    if (ret < 0) {
        if (!queue_busy(ret)) {
            writer_set_error(w, ret);
            e->parked = false; /* reset restarts the extension anyway */
        }
        return false;
    }
    e->parked = false;
    e->in_flight = true;
    w->extends_in_flight++;
    return true;
}

static void extend_write_done(struct ring_op *op)
{
    struct log_writer_extend *e = container_of(op, struct log_writer_extend, op);
    struct log_writer *w = e->writer;
    assert(e->in_flight);
    assert(w->extends_in_flight > 0);
    struct writer_progress before = writer_progress(w);
    e->in_flight = false;
    w->extends_in_flight--;
    int res = op->result;
    if (res >= 0 && (size_t)res == op->iov[0].iov_len) {
        e->retries = 0;
    } else if (res > 0 && (uint64_t)res % w->config.block_bytes == 0) {
        /* Whole blocks, then the file hit a limit or the disk filled: the
         * rest is written again, and that write says why it stopped (the
         * padding is the same in every sector, so the rest of the chunk
         * is still the right bytes, and still aligned). */
        e->op.offset += (uint64_t)res;
        e->op.iov[0].iov_base = (char *)e->op.iov[0].iov_base + res;
        e->op.iov[0].iov_len -= (size_t)res;
        e->retries = 0;
        e->parked = true;
    } else if ((res == 0 || result_retryable(res)) && ++e->retries <= LOG_WRITER_RETRIES_MAX) {
        e->parked = true; /* the same write again */
    } else {
        /* Failed, short (padding must be whole) or out of retries. */
        writer_set_error(w, res < 0 ? res : -EIO);
        w->extend_done = min_u64(w->extend_done, op->offset);
    }
    extend_update_done(w);
    writer_pump(w);
    writer_notify(w, before);
}

static void extend_sync_done(struct ring_op *op)
{
    struct log_writer *w = container_of(op, struct log_writer, extend_sync);
    assert(w->extend_fsync);
    assert(w->extends_in_flight == 0);
    struct writer_progress before = writer_progress(w);
    w->extend_fsync = false;
    int res = op->result;
    if (res == 0) {
        w->stats.extensions++;
        w->stats.extend_bytes += w->extend_target - w->prewritten;
        w->prewritten = w->extend_target;
        w->extend_base = w->extend_next = w->extend_done = w->extend_target;
        w->extend_sync_retries = 0;
    } else if (!result_retryable(res) || ++w->extend_sync_retries > LOG_WRITER_RETRIES_MAX) {
        /* Never retried after a real failure: reset writes the extension
         * again before the next fdatasync. */
        writer_set_error(w, res);
    }
    writer_pump(w);
    writer_notify(w, before);
}

static struct log_writer_extend *extend_free_slot(struct log_writer *w)
{
    for (int i = 0; i < LOG_WRITER_EXTEND_WRITES_MAX; i++) {
        if (!w->extends[i].in_flight && !w->extends[i].parked)
            return &w->extends[i];
    }
    return NULL;
}

/* Starts an extension when the space ahead runs low, queues its writes,
 * and its fdatasync once they all completed. Stops at a refusal. */
static void extend_pump(struct log_writer *w)
{
    if (w->error)
        return;
    if (w->extend_target == w->prewritten) {
        if (w->write_end_max + w->config.extend_bytes / 2 <= w->prewritten)
            return; /* enough space ahead */
        extend_start(w);
    }
    for (int i = 0; i < LOG_WRITER_EXTEND_WRITES_MAX; i++) {
        if (w->extends[i].parked && !extend_queue(w, &w->extends[i]))
            return;
    }
    while (w->extend_next < w->extend_target) {
        struct log_writer_extend *e = extend_free_slot(w);
        if (e == NULL)
            return;
        extend_prep(w, e);
        if (!extend_queue(w, e))
            return;
    }
    extend_update_done(w);
    if (w->extends_in_flight > 0 || w->extend_fsync)
        return;
    w->extend_sync.kind = RING_OP_FSYNC;
    w->extend_sync.fd = w->config.fd;
    w->extend_sync.link_next = false;
    w->extend_sync.dsync = false;
    w->extend_sync.iov_count = 0;
    struct ring_op *ops[1] = {&w->extend_sync};
    int ret = w->sys->calls->queue(w->sys, ops, 1);
    if (ret < 0) {
        if (!queue_busy(ret))
            writer_set_error(w, ret);
        return;
    }
    w->extend_fsync = true;
}

/* ---- The pump --------------------------------------------------------- */

/* Queues, in submission order, every batch that owes a write and lies below
 * prewritten. Stops at the first refusal, keeping the rest for later. */
static void batches_pump(struct log_writer *w)
{
    for (uint32_t i = 0; i < w->count && !w->error; i++) {
        struct log_writer_batch *b = batch_at(w, i);
        if (b->state == LOG_WRITER_BATCH_WAITING) {
            if (b->write_end > w->prewritten)
                continue; /* the extension under way, or the next one, covers it */
            b->state = LOG_WRITER_BATCH_PARKED;
        }
        if (b->state == LOG_WRITER_BATCH_PARKED && !batch_queue(w, b))
            return;
    }
}

static void writer_pump(struct log_writer *w)
{
    assert(!w->in_pump); /* queue() never runs completions */
    if (w->error)
        return;
    w->in_pump = true;
    /* Batches first: they are what the owner waits for; an extension is
     * background work, and a full ring refuses both alike. */
    batches_pump(w);
    extend_pump(w);
    w->in_pump = false;
}

/* ---- Public calls ----------------------------------------------------- */

static bool power_of_two(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static void writer_check_config(const struct log_writer_config *c)
{
    assert(c->fd >= 0);
    assert(power_of_two(c->block_bytes));
    assert(c->block_bytes >= LOG_WRITER_PAD_UNIT_BYTES);
    assert(power_of_two(c->sector_bytes));
    assert(c->sector_bytes >= LOG_WRITER_PAD_UNIT_BYTES);
    assert(c->sector_bytes <= c->block_bytes);
    assert(c->start % c->block_bytes == 0 || c->tail != NULL);
    assert(c->buffer_bytes % c->block_bytes == 0);
    assert(c->buffer_bytes >= 4 * (size_t)c->block_bytes);
    assert(c->in_flight_max >= 1);
    assert(c->in_flight_max <= LOG_WRITER_IN_FLIGHT_MAX);
    assert(c->extend_write_bytes % c->block_bytes == 0);
    assert(c->extend_bytes % c->block_bytes == 0);
    assert(c->extend_bytes >= (c->extend_write_bytes ? c->extend_write_bytes
                                                     : LOG_WRITER_EXTEND_WRITE_BYTES));
    assert(c->fill != NULL);
    /* With O_APPEND, Linux ignores the offset of every write. */
    int flags = fcntl(c->fd, F_GETFL);
    assert(flags < 0 || !(flags & O_APPEND));
}

/* Anonymous memory aligned to align (a power of two): mapped rather than
 * allocated, as ring_writer's buffer, so it stays out of the allocator's
 * statistics. bytes is rounded up to whole pages by the kernel. */
static uint8_t *map_aligned(size_t bytes, size_t align)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (align <= page) {
        void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return mem == MAP_FAILED ? NULL : mem;
    }
    size_t total = bytes + align;
    void *mem = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return NULL;
    uintptr_t raw = (uintptr_t)mem;
    uintptr_t start = (raw + align - 1) & ~(uintptr_t)(align - 1);
    if (start > raw)
        munmap(mem, start - raw);
    uintptr_t end = start + round_up(bytes, page);
    if (raw + total > end)
        munmap((void *)end, raw + total - end);
    return (uint8_t *)start;
}

static void unmap(uint8_t *mem, size_t bytes)
{
    if (mem)
        munmap(mem, bytes);
}

static void writer_unmap(struct log_writer *w)
{
    unmap(w->buffer, w->config.buffer_bytes);
    unmap(w->pad_chunk, w->config.extend_write_bytes);
    unmap(w->tail_block, 2 * (size_t)w->config.block_bytes);
    w->buffer = w->pad_chunk = w->tail_block = NULL;
}

/* The partial block at start, for the first extension and the mirror:
 * tail bytes below start, padding above (into a second block when a merged
 * piece spills). */
static void writer_init_tail(struct log_writer *w, const uint8_t *tail)
{
    uint64_t start = w->config.start;
    uint64_t base = round_down(start, w->config.block_bytes);
    if (base == start)
        return;
    uint64_t end = pad_end(w, start);
    assert(end - base <= 2 * (uint64_t)w->config.block_bytes);
    memcpy(w->tail_block, tail, (size_t)(start - base));
    pad_flat(w, w->tail_block, base, start, end);
    w->tail_bytes = (size_t)(end - base);
    mirror_put(w, base, w->tail_block, w->tail_bytes);
}

int log_writer_init(struct log_writer *w, struct ring_sys *sys,
                    const struct log_writer_config *config)
{
    assert(sys != NULL);
    assert(sys->calls != NULL && sys->calls->queue != NULL);
    writer_check_config(config);
    memset(w, 0, sizeof(*w));
    w->config = *config;
    w->config.tail = NULL; /* borrowed during init only */
    if (w->config.extend_write_bytes == 0)
        w->config.extend_write_bytes = LOG_WRITER_EXTEND_WRITE_BYTES;
    assert(w->config.extend_write_bytes <= LOG_WRITER_BATCH_BYTES_MAX); /* an int result */
    size_t block = w->config.block_bytes;
    w->buffer = map_aligned(w->config.buffer_bytes, block);
    w->pad_chunk = map_aligned(w->config.extend_write_bytes, block);
    w->tail_block = map_aligned(2 * block, block);
    if (!w->buffer || !w->pad_chunk || !w->tail_block) {
        writer_unmap(w);
        return -ENOMEM;
    }
    w->sys = sys;
    uint64_t start = config->start;
    w->position = w->durable_position = w->prewritten = start;
    w->extend_base = w->extend_target = w->extend_next = w->extend_done = start;
    w->write_end_max = start;
    pad_flat(w, w->pad_chunk, 0, 0, w->config.extend_write_bytes);
    writer_init_tail(w, config->tail);
    for (int i = 0; i < LOG_WRITER_IN_FLIGHT_MAX; i++) {
        w->batches[i].writer = w;
        w->batches[i].op.done = batch_write_done;
    }
    for (int i = 0; i < LOG_WRITER_EXTEND_WRITES_MAX; i++) {
        w->extends[i].writer = w;
        w->extends[i].op.done = extend_write_done;
    }
    w->extend_sync.done = extend_sync_done;
    writer_pump(w); /* the first extension */
    return 0;
}

void log_writer_free(struct log_writer *w)
{
    assert(log_writer_idle(w));
    writer_unmap(w);
}

size_t log_writer_batch_max(const struct log_writer *w)
{
    size_t max = w->config.buffer_bytes - 2 * (size_t)w->config.block_bytes;
    return max < LOG_WRITER_BATCH_BYTES_MAX ? max : LOG_WRITER_BATCH_BYTES_MAX;
}

bool log_writer_can_submit(const struct log_writer *w, size_t len)
{
    if (w->error || len == 0 || len > log_writer_batch_max(w))
        return false;
    if (w->count >= w->config.in_flight_max)
        return false;
    struct batch_layout l = batch_layout(w, len);
    return batch_room(w, &l);
}

int log_writer_submit(struct log_writer *w, const struct iovec *iov, int iovcnt, uint64_t token)
{
    assert(w->buffer != NULL);
    size_t len = 0;
    for (int i = 0; i < iovcnt; i++)
        len += iov[i].iov_len;
    assert(len > 0);
    assert(token >= w->submitted_token); /* tokens never decrease */
    if (w->error)
        return w->error;
    if (len > log_writer_batch_max(w))
        return -EMSGSIZE;
    if (w->count >= w->config.in_flight_max)
        return -EAGAIN;
    struct batch_layout l = batch_layout(w, len);
    if (!batch_room(w, &l))
        return -EAGAIN;
    struct log_writer_batch *b = &w->batches[(w->head + w->count) % LOG_WRITER_IN_FLIGHT_MAX];
    assert(b->state == LOG_WRITER_BATCH_FREE);
    w->count++;
    uint64_t at = l.batch_start;
    for (int i = 0; i < iovcnt; i++) {
        mirror_put(w, at, iov[i].iov_base, iov[i].iov_len);
        at += iov[i].iov_len;
    }
    mirror_pad(w, at, l.write_end);
    b->write_start = b->write_next = l.write_start;
    b->write_end = l.write_end;
    b->batch_start = l.batch_start;
    b->batch_end = at;
    b->token = token;
    b->retries = 0;
    b->sent = false;
    b->state = LOG_WRITER_BATCH_WAITING;
    w->stats.gap_bytes += l.batch_start - w->position;
    if (l.write_end > w->prewritten)
        w->stats.space_waits++;
    w->position = at;
    w->submitted_token = token;
    w->write_end_max = max_u64(w->write_end_max, l.write_end);
    writer_pump(w);
    return 0;
}

uint64_t log_writer_durable_token(const struct log_writer *w)
{
    return w->durable_token;
}

uint64_t log_writer_position(const struct log_writer *w)
{
    return w->position;
}

uint64_t log_writer_durable_position(const struct log_writer *w)
{
    return w->durable_position;
}

bool log_writer_all_durable(const struct log_writer *w)
{
    return w->count == 0;
}

int log_writer_error(const struct log_writer *w)
{
    return w->error;
}

void log_writer_set_inline(struct log_writer *w, bool on)
{
    w->config.inline_batches = on;
}

bool log_writer_extending(const struct log_writer *w)
{
    return w->extend_target != w->prewritten;
}

bool log_writer_idle(const struct log_writer *w)
{
    return w->in_flight == 0 && w->extends_in_flight == 0 && !w->extend_fsync;
}

uint32_t log_writer_in_flight(const struct log_writer *w)
{
    return w->in_flight;
}

void log_writer_reset(struct log_writer *w)
{
    assert(w->error != 0);
    assert(log_writer_idle(w));
    w->error = 0;
    w->stats.resets++;
    /* Every batch not durable is written again, from the mirror, once its
     * space is pre-written (it was, unless it was still waiting). */
    for (uint32_t i = 0; i < w->count; i++) {
        struct log_writer_batch *b = batch_at(w, i);
        b->state = LOG_WRITER_BATCH_WAITING;
        b->write_next = b->write_start;
        b->retries = 0;
    }
    /* An unfinished extension starts over: its writes may be partly done
     * and its fdatasync may have failed; padding written twice is harmless
     * (no batch lies above prewritten). */
    for (int i = 0; i < LOG_WRITER_EXTEND_WRITES_MAX; i++) {
        w->extends[i].parked = false;
        w->extends[i].retries = 0;
    }
    if (w->extend_target != w->prewritten) {
        w->extend_next = w->extend_done = w->extend_base;
        w->tail_pending = w->extend_base < w->config.start;
    }
    w->extend_sync_retries = 0;
    writer_pump(w);
}

void log_writer_retry(struct log_writer *w)
{
    writer_pump(w);
}

const struct log_writer_stats *log_writer_stats(const struct log_writer *w)
{
    return &w->stats;
}

void log_writer_drain(struct log_writer *w)
{
    assert(w->sys->calls->wait != NULL); /* only on a backend that owns its completions */
    while (!log_writer_idle(w)) {
        int ret = w->sys->calls->wait(w->sys);
        assert(ret != 0); /* ops are in flight, so wait must find one */
        if (ret < 0 && ret != -EINTR)
            break;
    }
}
