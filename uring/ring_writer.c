/* ring_writer.c: the ring writer (appends, ordered fdatasync, group commit).
 *
 * Owns the circular buffer, the write and fsync slots, and the offsets that
 * say what is written and what is durable. Leaves the kernel to a ring_sys
 * (uring/ring.h) and policy decisions (when to flush, what to do about an
 * error) to its owner.
 *
 * Key invariant: durable only advances on a successful sync op (an
 * fdatasync, or an RWF_DSYNC write), only over bytes that op provably
 * covers, and only once every sync op that overlapped it in time has
 * succeeded too. Coverage: bytes below the written offset at the moment an
 * fsync was queued (their writes had completed), the range of the one write
 * an fsync was linked behind (IOSQE_IO_LINK: it ran only because that write
 * completed in full), or the bytes an RWF_DSYNC write wrote. Overlap: Linux
 * hands a writeback error to just one of the syncs that check the file
 * (errseq), and that may be the other one, so a success proves nothing until
 * its overlapping sync ops are known to have succeeded. Each sync op gets a
 * number when queued; a success becomes a pending credit tagged with the
 * highest number issued by then, credited once no sync op numbered up to
 * the tag is in flight, and dropped with every other pending credit when a
 * sync op fails. Writes complete in any order, so written is the lowest byte
 * any write slot still owes, never the furthest completion.
 *
 * Sections: offsets and notification; sync ops and credits; completions;
 * the pump (queues parked writes, new writes and fsyncs); the public calls;
 * streaming helpers. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "uring/ring_writer.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

enum writer_slot_state {
    WRITER_SLOT_FREE = 0,
    WRITER_SLOT_IN_FLIGHT = 1, /* queued: its completion will come */
    WRITER_SLOT_PARKED = 2,    /* owes bytes but is not queued (retry pending, or after an error) */
};

static void writer_pump(struct ring_writer *w);

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* ---- Offsets and notification ---------------------------------------- */

/* A linked fsync's CQE can in principle be seen before its write's, so the
 * proven durable offset may run ahead of written for a moment; report the
 * smaller, which is still true. */
static uint64_t writer_durable(const struct ring_writer *w)
{
    return min_u64(w->durable, w->written);
}

/* Lowest offset whose bytes the current policy needs held. */
static uint64_t writer_release_offset(const struct ring_writer *w)
{
    if (w->config.fsync_policy == RING_WRITER_FSYNC_NO)
        return w->written;
    return writer_durable(w);
}

/* Moves released up to what the policy lets go, never back. Not while an
 * error is set: appends are refused then, so the buffer keeps every byte from
 * released on, and a reset may still rewrite them. */
static void writer_update_released(struct ring_writer *w)
{
    if (w->error == 0)
        w->released = max_u64(w->released, writer_release_offset(w));
    assert(w->released <= w->written); /* bytes not yet written are held */
    assert(w->appended - w->released <= w->config.buffer_bytes);
}

static void writer_update_written(struct ring_writer *w)
{
    uint64_t written = w->submitted;
    for (uint32_t i = 0; i < w->config.writes_in_flight_max; i++) {
        if (w->writes[i].state != WRITER_SLOT_FREE)
            written = min_u64(written, w->writes[i].start);
    }
    assert(written >= w->written); /* written never goes back */
    w->written = written;
}

static void writer_set_error(struct ring_writer *w, int error)
{
    assert(error < 0);
    if (w->error == 0)
        w->error = error;
}

/* Records that [start, end) is durable, then folds every island touching
 * the durable prefix into it. A full island table drops the range, which is
 * safe: a later fsync covers it again (writer_fsync_needed sees the gap). */
static void writer_add_island(struct ring_writer *w, uint64_t start, uint64_t end)
{
    for (int i = 0; i < RING_WRITER_FSYNCS_IN_FLIGHT_MAX && start < end; i++) {
        if (w->island_start[i] == w->island_end[i]) {
            w->island_start[i] = start;
            w->island_end[i] = end;
            break;
        }
    }
    bool merged = true;
    while (merged) {
        merged = false;
        for (int i = 0; i < RING_WRITER_FSYNCS_IN_FLIGHT_MAX; i++) {
            if (w->island_start[i] == w->island_end[i] || w->island_start[i] > w->durable)
                continue;
            if (w->island_end[i] > w->durable)
                w->durable = w->island_end[i];
            w->island_start[i] = w->island_end[i] = 0;
            merged = true;
        }
    }
}

struct writer_progress {
    uint64_t written;
    uint64_t durable;
    int error;
};

static struct writer_progress writer_progress(const struct ring_writer *w)
{
    return (struct writer_progress){w->written, writer_durable(w), w->error};
}

static void writer_notify(struct ring_writer *w, struct writer_progress before)
{
    struct writer_progress after = writer_progress(w);
    bool moved = after.written != before.written || after.durable != before.durable ||
                 after.error != before.error;
    if (moved && w->config.done)
        w->config.done(w);
}

/* ---- Sync ops and credits --------------------------------------------- */

/* Numbers a sync op being queued. */
static uint64_t writer_sync_begin(struct ring_writer *w)
{
    w->sync_seq_issued++;
    assert(w->sync_seq_issued != 0);
    return w->sync_seq_issued;
}

/* The lowest number of a sync op in flight, or UINT64_MAX when none is. */
static uint64_t writer_sync_oldest(const struct ring_writer *w)
{
    uint64_t oldest = UINT64_MAX;
    for (int i = 0; i < RING_WRITER_FSYNCS_IN_FLIGHT_MAX; i++) {
        if (w->fsyncs[i].in_flight)
            oldest = min_u64(oldest, w->fsyncs[i].sync_seq);
    }
    for (uint32_t i = 0; i < w->config.writes_in_flight_max; i++) {
        const struct ring_writer_write *slot = &w->writes[i];
        if (slot->state == WRITER_SLOT_IN_FLIGHT && slot->sync_seq != 0)
            oldest = min_u64(oldest, slot->sync_seq);
    }
    return oldest;
}

/* Folds an island that touches the prefix into the prefix. */
static void credit_normalize(struct ring_writer_credit *c)
{
    if (c->island_start >= c->island_end || c->island_start > c->covers_below)
        return;
    c->covers_below = max_u64(c->covers_below, c->island_end);
    c->island_start = c->island_end = 0;
}

/* The table is full: folds c into `into`, which then waits for the sync ops
 * both waited for (the later tag). Prefixes merge by max; islands merge when
 * they touch, otherwise c's island is dropped, which is safe: it only lowers
 * what will be credited, and writer_fsync_needed then sees the gap. */
static void credit_merge(struct ring_writer_credit *into, struct ring_writer_credit c)
{
    assert(c.tag >= into->tag); /* tags grow: the new credit is the latest */
    into->tag = c.tag;
    into->covers_below = max_u64(into->covers_below, c.covers_below);
    c.covers_below = into->covers_below;
    credit_normalize(into);
    credit_normalize(&c);
    if (c.island_start == c.island_end)
        return;
    if (into->island_start == into->island_end) {
        into->island_start = c.island_start;
        into->island_end = c.island_end;
    } else if (c.island_start <= into->island_end && into->island_start <= c.island_end) {
        into->island_start = min_u64(into->island_start, c.island_start);
        into->island_end = max_u64(into->island_end, c.island_end);
    }
}

/* A sync op succeeded, proving [0, covers_below) and [start, end): keep it
 * until every sync op issued so far has completed (see the key invariant). */
static void writer_credit_record(struct ring_writer *w, uint64_t covers_below, uint64_t start,
                                 uint64_t end)
{
    assert(!w->fsync_failed); /* after a failed sync op nothing is credited */
    struct ring_writer_credit c = {covers_below, start, end, w->sync_seq_issued};
    credit_normalize(&c);
    if (w->credit_count < RING_WRITER_CREDITS_MAX) {
        w->credits[w->credit_count++] = c;
        return;
    }
    uint32_t newest = 0;
    for (uint32_t i = 1; i < w->credit_count; i++) {
        if (w->credits[i].tag > w->credits[newest].tag)
            newest = i;
    }
    credit_merge(&w->credits[newest], c);
}

/* Credits every pending success whose overlapping sync ops all completed:
 * none numbered up to its tag is still in flight (a failure among them
 * would have dropped it). */
static void writer_credits_apply(struct ring_writer *w)
{
    uint64_t oldest = writer_sync_oldest(w);
    uint32_t i = 0;
    while (i < w->credit_count) {
        struct ring_writer_credit c = w->credits[i];
        assert(c.tag >= 1);
        if (c.tag >= oldest) {
            i++;
            continue;
        }
        w->credits[i] = w->credits[--w->credit_count];
        w->durable = max_u64(w->durable, c.covers_below);
        writer_add_island(w, c.island_start, c.island_end);
    }
}

/* A sync op failed: its error may belong to any overlapping sync op, so
 * every pending credit is dropped and later successes prove nothing. */
static void writer_sync_failed(struct ring_writer *w, int error)
{
    writer_set_error(w, error);
    w->fsync_failed = true;
    w->credit_count = 0;
}

/* ---- Completions ------------------------------------------------------ */

/* Points iov at the buffered bytes [start, start + len): one range, or
 * two when they wrap around the buffer's end. Returns how many. */
static uint32_t writer_span_iov(const struct ring_writer *w, uint64_t start, size_t len,
                                struct iovec iov[RING_OP_IOVECS_MAX])
{
    size_t cap = w->config.buffer_bytes;
    size_t pos = (size_t)(start % cap);
    size_t first = len < cap - pos ? len : cap - pos;
    iov[0] = (struct iovec){w->buffer + pos, first};
    if (len == first)
        return 1;
    iov[1] = (struct iovec){w->buffer, len - first};
    return 2;
}

/* Points the slot's op at its remaining bytes in the circular buffer. */
static void writer_prep_write(struct ring_writer *w, struct ring_writer_write *slot)
{
    size_t len = (size_t)(slot->end - slot->start);
    assert(len > 0);
    assert(len <= w->config.write_bytes_max);
    slot->op.kind = RING_OP_WRITE;
    slot->op.fd = w->config.fd;
    slot->op.offset = slot->start;
    slot->op.link_next = false;
    slot->op.dsync = w->config.fsync_policy == RING_WRITER_FSYNC_ALWAYS && w->config.dsync_writes;
    slot->op.iov_count = writer_span_iov(w, slot->start, len, slot->op.iov);
}

/* A zero-byte write, EINTR, EAGAIN and a cancel by a broken link chain all
 * mean "nothing happened": queue the same bytes again, a bounded number of
 * times. A short write queues the rest at its offset. Anything else is the
 * sticky error; the slot stays parked so written stays below its bytes. An
 * RWF_DSYNC write is a sync op: its success is a credit, and its failure
 * counts as a failed fsync, since Linux reports the sync part's writeback
 * error (possibly another range's) through the write's result. */
static void writer_write_result(struct ring_writer *w, struct ring_writer_write *slot, int res)
{
    uint64_t owed = slot->end - slot->start;
    bool dsync = slot->sync_seq != 0;
    slot->sync_seq = 0;
    if (res > 0) {
        assert((uint64_t)res <= owed); /* the kernel never writes more than asked */
        if (dsync && !w->fsync_failed)
            writer_credit_record(w, 0, slot->start, slot->start + (uint64_t)res);
        slot->start += (uint64_t)res;
        slot->retries = 0;
        if (slot->start == slot->end) {
            slot->state = WRITER_SLOT_FREE;
            return;
        }
    } else if (res == 0 || res == -EINTR || res == -EAGAIN || res == -ECANCELED) {
        int give_up = res == 0 ? -EIO : res;
        res = ++slot->retries > RING_WRITER_RETRIES_MAX ? give_up : 0; /* 0: try again */
    }
    if (res < 0 && dsync)
        writer_sync_failed(w, res);
    else if (res < 0)
        writer_set_error(w, res);
    writer_prep_write(w, slot);
    slot->state = WRITER_SLOT_PARKED;
}

static void writer_write_done(struct ring_op *op)
{
    struct ring_writer_write *slot = container_of(op, struct ring_writer_write, op);
    struct ring_writer *w = slot->writer;
    assert(slot->state == WRITER_SLOT_IN_FLIGHT);
    struct writer_progress before = writer_progress(w);
    writer_write_result(w, slot, op->result);
    writer_update_written(w);
    writer_credits_apply(w);
    writer_update_released(w);
    writer_pump(w);
    writer_notify(w, before);
}

/* Success makes durable what the fsync covered, once the sync ops it
 * overlapped succeeded too, and unless one already failed. A cancel of a
 * linked fsync is no error (its write's completion says why and is
 * retried); the bytes wait for another fsync. Any other failure is sticky
 * and never retried: the kernel may have dropped the pages it failed to
 * write. */
static void writer_fsync_result(struct ring_writer *w, struct ring_writer_fsync_slot *slot, int res)
{
    bool linked = slot->linked_start < slot->linked_end;
    if (res == 0 && w->fsync_failed) {
        /* An fsync that ends after another one failed proves nothing: the
         * failure may have dropped pages this one then found clean. */
    } else if (res == 0) {
        w->fsync_retries = 0;
        writer_credit_record(w, slot->covers_below, slot->linked_start, slot->linked_end);
    } else if (res == -ECANCELED) {
        if (!linked && ++w->fsync_retries > RING_WRITER_RETRIES_MAX)
            writer_set_error(w, -ECANCELED);
    } else {
        writer_sync_failed(w, res);
    }
}

static void writer_fsync_done(struct ring_op *op)
{
    struct ring_writer_fsync_slot *slot = container_of(op, struct ring_writer_fsync_slot, op);
    struct ring_writer *w = slot->writer;
    assert(slot->in_flight);
    assert(w->fsyncs_in_flight > 0);
    struct writer_progress before = writer_progress(w);
    slot->in_flight = false;
    w->fsyncs_in_flight--;
    writer_fsync_result(w, slot, op->result);
    writer_credits_apply(w);
    writer_update_released(w);
    writer_pump(w);
    writer_notify(w, before);
}

/* ---- The pump --------------------------------------------------------- */

static struct ring_writer_fsync_slot *writer_free_fsync(struct ring_writer *w)
{
    for (int i = 0; i < RING_WRITER_FSYNCS_IN_FLIGHT_MAX; i++) {
        if (!w->fsyncs[i].in_flight)
            return &w->fsyncs[i];
    }
    return NULL;
}

static struct ring_writer_write *writer_free_write(struct ring_writer *w)
{
    for (uint32_t i = 0; i < w->config.writes_in_flight_max; i++) {
        if (w->writes[i].state == WRITER_SLOT_FREE)
            return &w->writes[i];
    }
    return NULL;
}

static void writer_prep_fsync(struct ring_writer *w, struct ring_writer_fsync_slot *f,
                              uint64_t linked_start, uint64_t linked_end)
{
    f->op.kind = RING_OP_FSYNC;
    f->op.fd = w->config.fd;
    f->op.link_next = false;
    f->op.iov_count = 0;
    f->covers_below = w->written;
    f->linked_start = linked_start;
    f->linked_end = linked_end;
}

/* Queues a parked slot again, alone (a retry is never linked), under the
 * current policy (it may have changed since the slot was parked). */
static bool writer_requeue(struct ring_writer *w, struct ring_writer_write *slot)
{
    writer_prep_write(w, slot);
    struct ring_op *ops[1] = {&slot->op};
    if (w->sys->calls->queue(w->sys, ops, 1) < 0)
        return false; /* -EBUSY: try again after the next completion */
    slot->state = WRITER_SLOT_IN_FLIGHT;
    slot->sync_seq = slot->op.dsync ? writer_sync_begin(w) : 0;
    return true;
}

/* Queues one new write of the next flushed bytes; under ALWAYS with an
 * fdatasync linked behind it when a slot is free. Returns false when
 * nothing could be queued. */
static bool writer_queue_new_write(struct ring_writer *w)
{
    struct ring_writer_write *slot = writer_free_write(w);
    if (slot == NULL)
        return false;
    uint64_t len = min_u64(w->flush_target - w->submitted, w->config.write_bytes_max);
    slot->start = w->submitted;
    slot->end = w->submitted + len;
    slot->retries = 0;
    writer_prep_write(w, slot);
    struct ring_op *ops[RING_QUEUE_OPS_MAX] = {&slot->op};
    int count = 1;
    struct ring_writer_fsync_slot *f = NULL;
    if (w->config.fsync_policy == RING_WRITER_FSYNC_ALWAYS && !slot->op.dsync &&
        (f = writer_free_fsync(w))) {
        writer_prep_fsync(w, f, slot->start, slot->end);
        slot->op.link_next = true;
        ops[count++] = &f->op;
    }
    if (w->sys->calls->queue(w->sys, ops, count) < 0) {
        slot->op.link_next = false;
        return false;
    }
    slot->state = WRITER_SLOT_IN_FLIGHT;
    slot->sync_seq = slot->op.dsync ? writer_sync_begin(w) : 0;
    w->submitted = slot->end;
    if (f) {
        f->in_flight = true;
        f->sync_seq = writer_sync_begin(w);
        w->fsyncs_in_flight++;
    }
    return true;
}

/* covered, extended over [start, end) when that range touches it. */
static uint64_t coverage_extend(uint64_t covered, uint64_t start, uint64_t end)
{
    return start <= covered && end > covered ? end : covered;
}

/* One pass over everything that covers bytes above durable: fsyncs in
 * flight, islands, and pending credits (a success waiting for overlapping
 * sync ops; should one fail, the error is sticky and nothing more is
 * queued anyway). */
static uint64_t writer_coverage_pass(const struct ring_writer *w, uint64_t covered)
{
    for (int i = 0; i < RING_WRITER_FSYNCS_IN_FLIGHT_MAX; i++) {
        const struct ring_writer_fsync_slot *f = &w->fsyncs[i];
        if (f->in_flight) {
            covered = coverage_extend(covered, 0, f->covers_below);
            covered = coverage_extend(covered, f->linked_start, f->linked_end);
        }
        covered = coverage_extend(covered, w->island_start[i], w->island_end[i]);
    }
    for (uint32_t i = 0; i < w->credit_count; i++) {
        covered = coverage_extend(covered, 0, w->credits[i].covers_below);
        covered = coverage_extend(covered, w->credits[i].island_start, w->credits[i].island_end);
    }
    return covered;
}

/* Whether written bytes below sync_target exist that neither a durable
 * range nor a sync op in flight or waiting to be credited covers. Coverage
 * grows from durable through every range that touches it. */
static bool writer_fsync_needed(const struct ring_writer *w)
{
    if (w->sync_target <= w->durable || w->written <= w->durable)
        return false;
    if (w->config.fsync_policy == RING_WRITER_FSYNC_EVERYSEC && w->fsyncs_in_flight > 0)
        return false;
    uint64_t covered = w->durable;
    for (uint64_t before = UINT64_MAX; before != covered;) {
        before = covered;
        covered = writer_coverage_pass(w, covered);
    }
    return covered < w->sync_target && w->written > covered;
}

/* Whether no write slot owes bytes (none in flight or parked). */
static bool writer_no_write_slots(const struct ring_writer *w)
{
    for (uint32_t i = 0; i < w->config.writes_in_flight_max; i++) {
        if (w->writes[i].state != WRITER_SLOT_FREE)
            return false;
    }
    return true;
}

/* config.inline_writes: writes the flushed bytes now with pwritev, while no
 * slot owes bytes below them (so written follows submitted at once). A
 * failure is the sticky error, as on the ring; the bytes stay held. */
static void writer_write_inline(struct ring_writer *w)
{
    if (!w->config.inline_writes || w->config.fsync_policy == RING_WRITER_FSYNC_ALWAYS ||
        !writer_no_write_slots(w))
        return;
    uint32_t retries = 0;
    while (w->submitted < w->flush_target && w->error == 0) {
        size_t len = (size_t)min_u64(w->flush_target - w->submitted, w->config.write_bytes_max);
        struct iovec iov[RING_OP_IOVECS_MAX];
        int iov_count = (int)writer_span_iov(w, w->submitted, len, iov);
        int fault = w->config.inline_fault ? w->config.inline_fault(w->config.inline_fault_ctx) : 0;
        if (fault < 0) {
            writer_set_error(w, fault);
            break;
        }
        ssize_t n = pwritev(w->config.fd, iov, iov_count, (off_t)w->submitted);
        if (n > 0) {
            w->submitted += (uint64_t)n;
            retries = 0;
        } else if ((n == 0 || errno == EINTR || errno == EAGAIN) &&
                   ++retries <= RING_WRITER_RETRIES_MAX) {
            continue;
        } else {
            writer_set_error(w, n == 0 ? -EIO : -errno);
        }
    }
    writer_update_written(w);
    writer_update_released(w);
}

static void writer_pump(struct ring_writer *w)
{
    assert(!w->in_pump); /* queue() never runs completions */
    if (w->error)
        return;
    writer_write_inline(w);
    if (w->error)
        return;
    w->in_pump = true;
    for (uint32_t i = 0; i < w->config.writes_in_flight_max; i++) {
        if (w->writes[i].state == WRITER_SLOT_PARKED && !writer_requeue(w, &w->writes[i]))
            goto out;
    }
    while (w->submitted < w->flush_target) {
        if (!writer_queue_new_write(w))
            goto out;
    }
    /* EVERYSEC holds bytes until durable; fsync early rather than refuse
     * appends once half the buffer waits only for an fsync. */
    if (w->config.fsync_policy == RING_WRITER_FSYNC_EVERYSEC &&
        w->written - w->released > w->config.buffer_bytes / 2 && w->written > w->sync_target)
        w->sync_target = w->written;
    if (writer_fsync_needed(w)) {
        struct ring_writer_fsync_slot *f = writer_free_fsync(w);
        if (f) {
            writer_prep_fsync(w, f, 0, 0);
            struct ring_op *ops[1] = {&f->op};
            if (w->sys->calls->queue(w->sys, ops, 1) == 0) {
                f->in_flight = true;
                f->sync_seq = writer_sync_begin(w);
                w->fsyncs_in_flight++;
            }
        }
    }
out:
    w->in_pump = false;
}

/* ---- Public calls ----------------------------------------------------- */

static bool writer_policy_valid(enum ring_writer_fsync policy)
{
    return policy == RING_WRITER_FSYNC_NO || policy == RING_WRITER_FSYNC_EVERYSEC ||
           policy == RING_WRITER_FSYNC_ALWAYS;
}

static void writer_check_config(const struct ring_writer_config *c)
{
    assert(c->fd >= 0);
    assert(writer_policy_valid(c->fsync_policy));
    assert(c->writes_in_flight_max >= 1);
    assert(c->writes_in_flight_max <= RING_WRITER_WRITES_IN_FLIGHT_MAX);
    assert(c->buffer_bytes >= RING_WRITER_BUFFER_BYTES_MIN);
    assert(c->buffer_bytes <= RING_WRITER_BUFFER_BYTES_MAX);
    assert(c->write_bytes_max <= c->buffer_bytes);
    /* With O_APPEND, Linux ignores the offset of every write and appends in
     * completion order, which would silently reorder the file. */
    int flags = fcntl(c->fd, F_GETFL);
    assert(flags < 0 || !(flags & O_APPEND));
}

int ring_writer_init(struct ring_writer *w, struct ring_sys *sys,
                     const struct ring_writer_config *config)
{
    assert(sys != NULL);
    assert(sys->calls != NULL && sys->calls->queue != NULL);
    writer_check_config(config);
    memset(w, 0, sizeof(*w));
    w->config = *config;
    if (w->config.write_bytes_max == 0)
        w->config.write_bytes_max = w->config.buffer_bytes;
    if (w->config.write_bytes_max > RING_WRITER_WRITE_BYTES_MAX)
        w->config.write_bytes_max = RING_WRITER_WRITE_BYTES_MAX;
    if (w->config.fsync_interval_ms == 0)
        w->config.fsync_interval_ms = RING_WRITER_FSYNC_INTERVAL_MS_DEFAULT;
    /* Mapped rather than allocated: pages cost memory only once touched, so a
     * generous buffer (the AOF's, sized for a slow fsync) stays cheap, and
     * it stays out of the allocator's statistics (used_memory). */
    void *mem = mmap(NULL, w->config.buffer_bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    w->buffer = mem == MAP_FAILED ? NULL : mem;
    if (w->buffer == NULL)
        return -ENOMEM;
    w->sys = sys;
    w->appended = w->flush_target = w->submitted = config->start_offset;
    w->written = w->durable = w->released = w->sync_target = config->start_offset;
    for (int i = 0; i < RING_WRITER_WRITES_IN_FLIGHT_MAX; i++) {
        w->writes[i].writer = w;
        w->writes[i].op.done = writer_write_done;
    }
    for (int i = 0; i < RING_WRITER_FSYNCS_IN_FLIGHT_MAX; i++) {
        w->fsyncs[i].writer = w;
        w->fsyncs[i].op.done = writer_fsync_done;
    }
    return 0;
}

void ring_writer_free(struct ring_writer *w)
{
    assert(ring_writer_idle(w));
    if (w->buffer)
        munmap(w->buffer, w->config.buffer_bytes);
    w->buffer = NULL;
}

size_t ring_writer_space(const struct ring_writer *w)
{
    if (w->error)
        return 0;
    uint64_t held = w->appended - w->released;
    assert(held <= w->config.buffer_bytes);
    return w->config.buffer_bytes - (size_t)held;
}

int ring_writer_append(struct ring_writer *w, const void *buf, size_t len)
{
    assert(w->buffer != NULL);
    if (w->error)
        return w->error;
    if (len > w->config.buffer_bytes)
        return -EMSGSIZE;
    if (len > ring_writer_space(w))
        return -ENOBUFS;
    size_t cap = w->config.buffer_bytes;
    size_t pos = (size_t)(w->appended % cap);
    size_t first = len < cap - pos ? len : cap - pos;
    memcpy(w->buffer + pos, buf, first);
    memcpy(w->buffer, (const uint8_t *)buf + first, len - first);
    w->appended += len;
    return 0;
}

/* Moves the flush target to target (never back) and pumps. */
static void writer_flush_to(struct ring_writer *w, uint64_t target)
{
    assert(target <= w->appended);
    if (target > w->flush_target)
        w->flush_target = target;
    if (w->config.fsync_policy == RING_WRITER_FSYNC_ALWAYS)
        w->sync_target = w->flush_target;
    writer_pump(w);
}

void ring_writer_flush(struct ring_writer *w)
{
    writer_flush_to(w, w->appended);
}

void ring_writer_sync(struct ring_writer *w)
{
    w->sync_target = w->appended;
    writer_flush_to(w, w->appended);
}

void ring_writer_set_policy(struct ring_writer *w, enum ring_writer_fsync policy)
{
    assert(writer_policy_valid(policy));
    assert(!w->in_pump); /* not from inside a queue() call */
    w->config.fsync_policy = policy;
    /* ALWAYS promises an fdatasync behind every flushed byte, including the
     * ones written under the old policy. */
    if (policy == RING_WRITER_FSYNC_ALWAYS && w->flush_target > w->sync_target)
        w->sync_target = w->flush_target;
    writer_update_released(w);
    writer_pump(w);
}

void ring_writer_tick(struct ring_writer *w, uint64_t now_ms)
{
    if (w->config.fsync_policy != RING_WRITER_FSYNC_EVERYSEC || w->error)
        return;
    if (now_ms - w->last_fsync_ms < w->config.fsync_interval_ms && now_ms >= w->last_fsync_ms)
        return;
    if (w->fsyncs_in_flight > 0 || w->written <= writer_durable(w))
        return;
    w->last_fsync_ms = now_ms;
    if (w->written > w->sync_target)
        w->sync_target = w->written;
    writer_pump(w);
}

uint64_t ring_writer_appended(const struct ring_writer *w)
{
    return w->appended;
}

uint64_t ring_writer_written(const struct ring_writer *w)
{
    return w->written;
}

uint64_t ring_writer_durable(const struct ring_writer *w)
{
    return writer_durable(w);
}

int ring_writer_error(const struct ring_writer *w)
{
    return w->error;
}

uint32_t ring_writer_ops_in_flight(const struct ring_writer *w)
{
    uint32_t n = w->fsyncs_in_flight;
    for (uint32_t i = 0; i < w->config.writes_in_flight_max; i++)
        n += w->writes[i].state == WRITER_SLOT_IN_FLIGHT;
    return n;
}

bool ring_writer_idle(const struct ring_writer *w)
{
    if (w->fsyncs_in_flight > 0)
        return false;
    for (uint32_t i = 0; i < w->config.writes_in_flight_max; i++) {
        if (w->writes[i].state == WRITER_SLOT_IN_FLIGHT)
            return false;
    }
    return true;
}

uint64_t ring_writer_recover_offset(const struct ring_writer *w)
{
    /* A failed sync op may have dropped any page written since the last good
     * one, so nothing above durable can be trusted, even if written. */
    if (w->fsync_failed)
        return writer_durable(w);
    /* Only plain writes failed: every byte below written was written and
     * sits in the page cache (under EVERYSEC it may have been acknowledged),
     * and a failed write leaves the slot owing its bytes, so written stays
     * below them. Cutting at durable would lose acknowledged bytes. */
    return w->written;
}

/* What reset and restart both forget of an idle writer: the slots that
 * still owe bytes, the islands, the error and its retry counts. */
static void writer_clear_idle(struct ring_writer *w)
{
    assert(ring_writer_idle(w));
    assert(w->credit_count == 0); /* idle: every credit was applied or dropped */
    for (uint32_t i = 0; i < w->config.writes_in_flight_max; i++)
        w->writes[i].state = WRITER_SLOT_FREE;
    for (int i = 0; i < RING_WRITER_FSYNCS_IN_FLIGHT_MAX; i++)
        w->island_start[i] = w->island_end[i] = 0;
    w->error = 0;
    w->fsync_failed = false;
    w->fsync_retries = 0;
}

int ring_writer_reset(struct ring_writer *w)
{
    assert(w->error != 0);
    assert(ring_writer_idle(w));
    uint64_t keep = ring_writer_recover_offset(w);
    if (keep < w->released)
        return w->error; /* the bytes in between were released: cannot rewrite them */
    writer_clear_idle(w);
    /* Everything from keep on is written again: after a failed sync op the
     * pages above durable may be gone; after a failed write, bytes from
     * written on were never all written. Islands are forgotten (the file
     * above keep was cut); the next fsync covers every byte below written. */
    w->submitted = w->written = keep;
    if (w->durable > keep)
        w->durable = keep;
    writer_update_released(w); /* it stood still while the error was set */
    writer_flush_to(w, w->flush_target);
    return 0;
}

void ring_writer_restart(struct ring_writer *w, int fd, uint64_t start_offset)
{
    w->config.fd = fd;
    writer_check_config(&w->config);
    writer_clear_idle(w);
    w->appended = w->flush_target = w->submitted = start_offset;
    w->written = w->durable = w->released = w->sync_target = start_offset;
}

/* ---- Streaming -------------------------------------------------------- */

static int writer_wait(struct ring_writer *w)
{
    assert(w->sys->calls->wait != NULL); /* only on a backend that owns its completions */
    int ret = w->sys->calls->wait(w->sys);
    if (ret < 0 && ret != -EINTR)
        writer_set_error(w, ret);
    return ret;
}

int ring_writer_write_all(struct ring_writer *w, const void *buf, size_t len)
{
    assert(w->sys->calls->wait != NULL); /* streaming needs a ring it can wait on */
    const uint8_t *p = buf;
    size_t chunk = w->config.write_bytes_max;
    while (len > 0 && w->error == 0) {
        size_t space = ring_writer_space(w);
        if (space == 0) {
            /* Full: everything held is flushed or in flight; wait for one. */
            writer_flush_to(w, w->appended);
            if (writer_wait(w) == 0 && ring_writer_idle(w) && ring_writer_space(w) == 0)
                writer_set_error(w, -EBUSY); /* nothing in flight will free space */
            continue;
        }
        size_t n = len < space ? len : space;
        int ret = ring_writer_append(w, p, n);
        assert(ret == 0);
        p += n;
        len -= n;
        /* Submit whole writes only, so a stream of small appends still
         * becomes write_bytes_max-sized writes. */
        uint64_t whole = (w->appended - w->flush_target) / chunk * chunk;
        if (whole > 0)
            writer_flush_to(w, w->flush_target + whole);
    }
    return w->error;
}

int ring_writer_finish(struct ring_writer *w)
{
    assert(w->sys->calls->wait != NULL);
    ring_writer_sync(w);
    while (w->error == 0 && (writer_durable(w) < w->appended || !ring_writer_idle(w))) {
        if (writer_wait(w) == 0 && ring_writer_idle(w)) {
            writer_pump(w); /* a queue() refused earlier: offer the work again */
            if (ring_writer_idle(w) && writer_durable(w) < w->appended)
                writer_set_error(w, -EBUSY);
        }
    }
    ring_writer_drain(w);
    return w->error;
}

void ring_writer_drain(struct ring_writer *w)
{
    while (!ring_writer_idle(w)) {
        int ret = w->sys->calls->wait(w->sys);
        assert(ret != 0); /* ops are in flight, so wait must find one */
        if (ret < 0 && ret != -EINTR)
            break;
    }
}
