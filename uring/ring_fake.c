/* ring_fake.c: the test ring_sys (see ring_fake.h for the model).
 *
 * Owns the queue of pending ops, the fault script and the file images.
 * Invariant: an op's done() runs only from ring_fake_step, after its entry
 * left the queue, so done() may queue new ops freely. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uring/ring_fake.h"

static uint64_t fake_random(struct ring_fake *f)
{
    /* xorshift64*: deterministic per seed, good enough to pick faults. */
    f->rng ^= f->rng >> 12;
    f->rng ^= f->rng << 25;
    f->rng ^= f->rng >> 27;
    return f->rng * 0x2545F4914F6CDD1Dull;
}

static bool fake_chance(struct ring_fake *f, uint32_t percent)
{
    return percent > 0 && fake_random(f) % 100 < percent;
}

/* Pops the first scripted fault for kind if it is a hold; returns its steps. */
static int fake_take_hold(struct ring_fake *f, uint8_t kind)
{
    for (int i = 0; i < f->script_count; i++) {
        if (f->script[i].kind != kind)
            continue;
        if (f->script[i].action != RING_FAKE_HOLD)
            return 0;
        int steps = f->script[i].value;
        memmove(&f->script[i], &f->script[i + 1], (f->script_count - i - 1) * sizeof(f->script[0]));
        f->script_count--;
        return steps;
    }
    return 0;
}

/* A hash of a write's bytes (0 for other ops), for check_stable_buffers. */
static uint64_t fake_iov_hash(const struct ring_op *op)
{
    uint64_t h = 0xcbf29ce484222325ull;
    if (op->kind != RING_OP_WRITE)
        return 0;
    for (uint32_t i = 0; i < op->iov_count; i++) {
        const uint8_t *p = op->iov[i].iov_base;
        size_t len = op->iov[i].iov_len;
        size_t at = 0;
        for (; at + 8 <= len; at += 8) {
            uint64_t word;
            memcpy(&word, p + at, 8);
            h = (h ^ word) * 0x100000001b3ull;
            h ^= h >> 31;
        }
        for (; at < len; at++)
            h = (h ^ p[at]) * 0x100000001b3ull;
    }
    return h;
}

static int fake_queue(struct ring_sys *sys, struct ring_op *const *ops, int count)
{
    struct ring_fake *f = (struct ring_fake *)sys;
    assert(count >= 1);
    assert(!ops[count - 1]->link_next);
    if (f->entry_count + count > f->queue_limit)
        return -EBUSY;
    uint64_t prev = 0;
    for (int i = 0; i < count; i++) {
        struct ring_fake_entry *e = &f->entries[f->entry_count++];
        *e = (struct ring_fake_entry){.op = ops[i], .seq = ++f->next_seq, .prev_seq = prev};
        e->hold_steps = fake_take_hold(f, ops[i]->kind);
        if (f->check_stable_buffers)
            e->iov_hash = fake_iov_hash(ops[i]);
        prev = ops[i]->link_next ? e->seq : 0;
        if (ops[i]->link_next)
            f->linked_ops++;
    }
    if (f->entry_count > f->in_flight_peak)
        f->in_flight_peak = f->entry_count;
    return 0;
}

static int fake_wait(struct ring_sys *sys)
{
    struct ring_fake *f = (struct ring_fake *)sys;
    int delivered = 0;
    while (delivered == 0 && f->entry_count > 0)
        delivered = ring_fake_step(f);
    return delivered;
}

static const struct ring_sys_calls fake_calls = {.queue = fake_queue, .wait = fake_wait};

int ring_fake_init(struct ring_fake *f, size_t file_bytes_max, uint64_t seed)
{
    memset(f, 0, sizeof(*f));
    f->sys.calls = &fake_calls;
    f->queue_limit = RING_FAKE_OPS_MAX;
    f->rng = seed ? seed : 0x9E3779B97F4A7C15ull;
    f->file_bytes_max = file_bytes_max;
    f->cache = calloc(1, file_bytes_max);
    f->disk = calloc(1, file_bytes_max);
    f->dirty = calloc(1, file_bytes_max);
    if (!f->cache || !f->disk || !f->dirty) {
        ring_fake_free(f);
        return -ENOMEM;
    }
    return 0;
}

void ring_fake_restart(struct ring_fake *f, uint64_t seed)
{
    struct ring_fake keep = *f;
    uint64_t touched = f->touched_end;
    assert(touched <= f->file_bytes_max);
    memset(keep.cache, 0, touched);
    memset(keep.disk, 0, touched);
    memset(keep.dirty, 0, touched);
    memset(f, 0, sizeof(*f));
    f->sys.calls = &fake_calls;
    f->queue_limit = RING_FAKE_OPS_MAX;
    f->rng = seed ? seed : 0x9E3779B97F4A7C15ull;
    f->file_bytes_max = keep.file_bytes_max;
    f->cache = keep.cache;
    f->disk = keep.disk;
    f->dirty = keep.dirty;
}

void ring_fake_set_file(struct ring_fake *f, const uint8_t *bytes, uint64_t len)
{
    assert(f->entry_count == 0);
    assert(len <= f->file_bytes_max);
    uint64_t extent = f->cache_len > f->disk_len ? f->cache_len : f->disk_len;
    if (extent > len) {
        memset(f->cache + len, 0, extent - len);
        memset(f->disk + len, 0, extent - len);
    }
    memcpy(f->cache, bytes, len);
    memcpy(f->disk, bytes, len);
    memset(f->dirty, 0, extent > len ? extent : len);
    f->dirty_start = f->dirty_end = 0;
    f->cache_len = f->disk_len = len;
    if (len > f->touched_end)
        f->touched_end = len;
}

void ring_fake_free(struct ring_fake *f)
{
    free(f->cache);
    free(f->disk);
    free(f->dirty);
    f->cache = f->disk = f->dirty = NULL;
}

void ring_fake_script(struct ring_fake *f, enum ring_op_kind kind, enum ring_fake_action action,
                      int value)
{
    assert(f->script_count < RING_FAKE_SCRIPT_MAX);
    f->script[f->script_count++] = (struct ring_fake_fault){kind, action, value, 0};
}

void ring_fake_script_late(struct ring_fake *f, enum ring_op_kind kind,
                           enum ring_fake_action action, int value, int late_steps)
{
    assert(action == RING_FAKE_SHORT || action == RING_FAKE_FAIL);
    assert(late_steps >= 0);
    ring_fake_script(f, kind, action, value);
    f->script[f->script_count - 1].late_steps = late_steps;
}

int ring_fake_in_flight(const struct ring_fake *f)
{
    return f->entry_count;
}

/* Takes the first scripted fault for kind, or draws a random one. */
static struct ring_fake_fault fake_next_fault(struct ring_fake *f, uint8_t kind)
{
    for (int i = 0; i < f->script_count; i++) {
        if (f->script[i].kind != kind || f->script[i].action == RING_FAKE_HOLD)
            continue;
        struct ring_fake_fault fault = f->script[i];
        memmove(&f->script[i], &f->script[i + 1], (f->script_count - i - 1) * sizeof(f->script[0]));
        f->script_count--;
        return fault;
    }
    struct ring_fake_fault fault = {kind, 0, 0, 0};
    if (kind == RING_OP_WRITE && fake_chance(f, f->short_percent)) {
        fault.action = RING_FAKE_SHORT;
        fault.value = -1; /* a random length, chosen at the write */
    } else if (kind == RING_OP_WRITE && fake_chance(f, f->eintr_percent)) {
        fault.action = RING_FAKE_FAIL;
        fault.value = -EINTR;
    } else if (fake_chance(f, f->delay_percent)) {
        fault.action = RING_FAKE_DELAY;
        fault.value = 1 + (int)(fake_random(f) % RING_FAKE_DELAY_STEPS_MAX);
    }
    return fault;
}

static void fake_mark_dirty(struct ring_fake *f, uint64_t start, uint64_t end)
{
    if (start >= end)
        return;
    memset(f->dirty + start, 1, end - start);
    if (f->dirty_start >= f->dirty_end) {
        f->dirty_start = start;
        f->dirty_end = end;
        return;
    }
    if (start < f->dirty_start)
        f->dirty_start = start;
    if (end > f->dirty_end)
        f->dirty_end = end;
}

static void fake_write_bytes(struct ring_fake *f, const struct ring_op *op, uint64_t count)
{
    uint64_t offset = op->offset;
    for (uint32_t i = 0; i < op->iov_count && count > 0; i++) {
        uint64_t n = op->iov[i].iov_len < count ? op->iov[i].iov_len : count;
        assert(offset + n <= f->file_bytes_max); /* size the model for the test */
        memcpy(f->cache + offset, op->iov[i].iov_base, n);
        fake_mark_dirty(f, offset, offset + n);
        offset += n;
        count -= n;
    }
    if (offset > f->cache_len)
        f->cache_len = offset;
    if (offset > f->touched_end)
        f->touched_end = offset;
}

/* RWF_DSYNC: the bytes just written reach the disk, and the file length
 * with them (what O_DSYNC guarantees); other dirty bytes stay dirty. */
static void fake_persist_range(struct ring_fake *f, uint64_t start, uint64_t end)
{
    if (start >= end)
        return;
    memcpy(f->disk + start, f->cache + start, end - start);
    memset(f->dirty + start, 0, end - start);
    if (end > f->disk_len)
        f->disk_len = end;
}

static int fake_run_write(struct ring_fake *f, struct ring_op *op, struct ring_fake_fault fault)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < op->iov_count; i++)
        total += op->iov[i].iov_len;
    assert(total > 0);
    f->writes_run++;
    if (fault.action == RING_FAKE_FAIL)
        return fault.value;
    uint64_t count = total;
    if (fault.action == RING_FAKE_SHORT) {
        count = fault.value >= 0 ? (uint64_t)fault.value : fake_random(f) % total;
        if (count > total)
            count = total;
    }
    fake_write_bytes(f, op, count);
    if (op->dsync && f->sector_bytes == 0) /* else at delivery: see fake_deliver */
        fake_persist_range(f, op->offset, op->offset + count);
    return (int)count;
}

static int fake_run_fsync(struct ring_fake *f, struct ring_fake_fault fault)
{
    f->fsyncs_run++;
    bool ok = fault.action != RING_FAKE_FAIL;
    /* Run by run of dirty bytes: crash tests fsync thousands of times. */
    uint64_t p = f->dirty_start;
    while (p < f->dirty_end) {
        const uint8_t *next = memchr(f->dirty + p, 1, f->dirty_end - p);
        if (next == NULL)
            break;
        p = (uint64_t)(next - f->dirty);
        const uint8_t *clean = memchr(f->dirty + p, 0, f->dirty_end - p);
        uint64_t end = clean ? (uint64_t)(clean - f->dirty) : f->dirty_end;
        if (ok)
            memcpy(f->disk + p, f->cache + p, end - p);
        memset(f->dirty + p, 0, end - p); /* on failure marked clean, never on disk */
        p = end;
    }
    f->dirty_start = f->dirty_end = 0;
    if (!ok)
        return fault.value;
    f->disk_len = f->cache_len;
    return 0;
}

/* Index of the entry to run: the oldest eligible one, or a random one. A
 * delayed completion counts as eligible once its steps ran out. */
static int fake_pick(struct ring_fake *f)
{
    int eligible[RING_FAKE_OPS_MAX];
    int count = 0;
    for (int i = 0; i < f->entry_count; i++) {
        const struct ring_fake_entry *e = &f->entries[i];
        if ((!e->executed && e->prev_seq == 0 && e->hold_steps <= 0) ||
            (e->executed && e->delay_steps <= 0))
            eligible[count++] = i;
    }
    if (count == 0) {
        /* Only delays and holds remain: let the oldest go. */
        for (int i = 0; i < f->entry_count; i++) {
            const struct ring_fake_entry *e = &f->entries[i];
            if (e->executed || e->prev_seq == 0)
                return i;
        }
        assert(!"a linked op waits on a predecessor that is gone");
    }
    return f->random_order ? eligible[fake_random(f) % count] : eligible[0];
}

static void fake_remove(struct ring_fake *f, int index)
{
    memmove(&f->entries[index], &f->entries[index + 1],
            (f->entry_count - index - 1) * sizeof(f->entries[0]));
    f->entry_count--;
}

/* Frees or cancels the successors of a finished link. Cancelled ops are
 * appended to out (op, result) for delivery; returns the new count. */
static int fake_release_chain(struct ring_fake *f, uint64_t seq, bool ok, struct ring_op **out_ops,
                              int *out_results, int out_count)
{
    for (int i = 0; i < f->entry_count; i++) {
        struct ring_fake_entry *e = &f->entries[i];
        if (e->prev_seq != seq)
            continue;
        if (ok) {
            e->prev_seq = 0;
            return out_count;
        }
        uint64_t next = e->op->link_next ? e->seq : 0;
        out_ops[out_count] = e->op;
        out_results[out_count++] = -ECANCELED;
        fake_remove(f, i);
        if (next)
            out_count = fake_release_chain(f, next, false, out_ops, out_results, out_count);
        return out_count;
    }
    return out_count;
}

int ring_fake_step(struct ring_fake *f)
{
    if (f->entry_count == 0)
        return 0;
    for (int i = 0; i < f->entry_count; i++) {
        f->entries[i].delay_steps--;
        f->entries[i].hold_steps--;
    }
    int index = fake_pick(f);
    struct ring_fake_entry *e = &f->entries[index];
    struct ring_op *ops[RING_FAKE_OPS_MAX];
    int results[RING_FAKE_OPS_MAX];
    int count = 0;
    /* The op's bytes are read now, or were, until its completion. */
    if (f->check_stable_buffers && fake_iov_hash(e->op) != e->iov_hash)
        f->unstable_writes++;
    if (!e->executed) {
        struct ring_fake_fault fault = fake_next_fault(f, e->op->kind);
        uint64_t want = 0;
        for (uint32_t i = 0; i < e->op->iov_count; i++)
            want += e->op->iov[i].iov_len;
        /* A no-op (ring_inject's stand-in for a failed op) touches no file. */
        e->result = e->op->kind == RING_OP_WRITE  ? fake_run_write(f, e->op, fault)
                    : e->op->kind == RING_OP_NOP ? 0
                                                 : fake_run_fsync(f, fault);
        bool ok = e->op->kind == RING_OP_WRITE ? e->result >= 0 && (uint64_t)e->result == want
                                               : e->result == 0;
        uint64_t seq = e->seq;
        bool delayed = fault.action == RING_FAKE_DELAY || fault.late_steps > 0;
        if (delayed) {
            e->executed = true;
            e->delay_steps = fault.action == RING_FAKE_DELAY ? fault.value : fault.late_steps;
        } else {
            ops[count] = e->op;
            results[count++] = e->result;
            fake_remove(f, index);
        }
        count = fake_release_chain(f, seq, ok, ops, results, count);
    } else {
        ops[count] = e->op;
        results[count++] = e->result;
        fake_remove(f, index);
    }
    for (int i = 0; i < count; i++) {
        ops[i]->result = results[i];
        /* Direct-I/O model: an RWF_DSYNC write is durable once it reports so. */
        if (f->sector_bytes && ops[i]->kind == RING_OP_WRITE && ops[i]->dsync && results[i] > 0)
            fake_persist_range(f, ops[i]->offset, ops[i]->offset + (uint64_t)results[i]);
        ops[i]->done(ops[i]);
    }
    return count;
}

int ring_fake_run(struct ring_fake *f)
{
    int delivered = 0;
    while (f->entry_count > 0)
        delivered += ring_fake_step(f);
    return delivered;
}

/* The direct-I/O crash (see ring_fake.h): whole sectors, old or new. */
static void fake_crash_sectors(struct ring_fake *f, bool torn)
{
    uint64_t sector = f->sector_bytes;
    assert((sector & (sector - 1)) == 0);
    /* Bytes beyond the durable size read as zeros whatever was there. */
    if (f->touched_end > f->disk_len)
        memset(f->disk + f->disk_len, 0, f->touched_end - f->disk_len);
    uint64_t landed_end = f->disk_len;
    if (torn && f->dirty_start < f->dirty_end) {
        for (uint64_t s = f->dirty_start - f->dirty_start % sector; s < f->dirty_end; s += sector) {
            if (fake_random(f) % 2 == 0)
                continue;
            for (uint64_t p = s; p < s + sector && p < f->dirty_end; p++) {
                if (!f->dirty[p])
                    continue;
                f->disk[p] = f->cache[p];
                if (p + 1 > landed_end)
                    landed_end = p + 1;
            }
        }
    }
    for (int i = 0; torn && i < f->entry_count; i++) {
        const struct ring_op *op = f->entries[i].op;
        if (f->entries[i].executed || op->kind != RING_OP_WRITE)
            continue;
        /* Not run yet, but the device may have started on it: one draw per
         * sector, even for a sector split between two iovecs. */
        uint64_t offset = op->offset;
        uint64_t drawn_sector = UINT64_MAX;
        bool land = false;
        for (uint32_t v = 0; v < op->iov_count; v++) {
            const uint8_t *src = op->iov[v].iov_base;
            uint64_t len = op->iov[v].iov_len;
            while (len > 0) {
                uint64_t n = sector - offset % sector;
                n = n < len ? n : len;
                if (offset / sector != drawn_sector) {
                    drawn_sector = offset / sector;
                    land = fake_random(f) % 2 != 0;
                }
                if (land) {
                    assert(offset + n <= f->file_bytes_max);
                    memcpy(f->disk + offset, src, n);
                    if (offset + n > landed_end)
                        landed_end = offset + n;
                }
                offset += n;
                src += n;
                len -= n;
            }
        }
    }
    if (landed_end > f->touched_end)
        f->touched_end = landed_end;
    f->disk_len = landed_end;
}

void ring_fake_crash(struct ring_fake *f, bool torn_tail)
{
    if (f->sector_bytes) {
        fake_crash_sectors(f, torn_tail);
        torn_tail = false;
    }
    f->entry_count = 0;
    f->script_count = 0;
    uint64_t extent = f->cache_len > f->disk_len ? f->cache_len : f->disk_len;
    if (torn_tail && extent > 0) {
        /* Writeback may have reached the disk for any dirty byte before the
         * power went, and a torn sector can hold anything. */
        uint64_t cut = fake_random(f) % (extent + 1);
        for (uint64_t p = f->dirty_start; p < cut && p < f->dirty_end; p++) {
            if (!f->dirty[p])
                continue;
            uint64_t roll = fake_random(f) % 100;
            if (roll < 70)
                f->disk[p] = f->cache[p];
            else if (roll < 85)
                f->disk[p] = (uint8_t)fake_random(f);
        }
        if (cut > f->disk_len)
            f->disk_len = cut;
    }
    memcpy(f->cache, f->disk, f->disk_len);
    memset(f->dirty, 0, extent);
    f->dirty_start = f->dirty_end = 0;
    if (extent > f->disk_len)
        memset(f->cache + f->disk_len, 0, extent - f->disk_len);
    f->cache_len = f->disk_len;
}

void ring_fake_truncate(struct ring_fake *f, uint64_t len)
{
    assert(len <= f->file_bytes_max);
    uint64_t extent = f->cache_len > f->disk_len ? f->cache_len : f->disk_len;
    /* The cut bytes read as zeros; on disk, until an fsync records the new
     * size, the old bytes below disk_len are still there. */
    if (extent > len)
        memset(f->cache + len, 0, extent - len);
    fake_mark_dirty(f, len, f->disk_len);
    f->cache_len = len;
}

const uint8_t *ring_fake_file(const struct ring_fake *f, uint64_t *len)
{
    *len = f->cache_len;
    return f->cache;
}
