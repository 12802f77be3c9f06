/* log_writer_test.c: the direct-I/O log writer against the fake ring.
 *
 * Every op the writer queues passes a spy first (alignment, no batch write
 * above pre-written or durable space, no two incomplete batch writes
 * overlapping with different bytes, an extension's fdatasync only after its
 * writes). Unit tests cover the layout (tail block, padding pieces, the
 * 1-byte remainder, gaps), in-order durability, sticky errors and reset,
 * -EAGAIN/-EMSGSIZE, buffer wrap, a busy ring, short writes and retries.
 * The crash test runs 100,000 small random scenarios (RINGKV_LOG_CRASH_RUNS
 * overrides the count) on the fake's direct-I/O crash model, crashes each at
 * a random step with torn sectors, scans the disk image like a loader and
 * checks that what it recovers is a prefix of the batches submitted that
 * holds every batch reported durable. A smoke test of the real thing (a
 * private io_uring, O_DIRECT) runs only with RINGKV_TEST_DIRECT_IO set to a
 * directory ("1": the current one). */
#define _GNU_SOURCE /* O_DIRECT */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "uring/log_writer.h"
#include "uring/ring_fake.h"
#include "tests/unit.h"

#define TEST_FD 1000 /* never opened: the fake ignores fds */
#define TEST_FILE_BYTES (1 << 20)
#define UNIT LOG_WRITER_PAD_UNIT_BYTES

/* The crash scenario running (0 outside the crash test): failures name it,
 * and RINGKV_LOG_CRASH_SEED runs that one alone. */
static uint64_t crash_seed;
/* RINGKV_LOG_CRASH_TRACE: print what the scenario does (with a single seed). */
static bool crash_trace;

/* TEST_CHECK that also names the scenario. */
#define CHECK(expr)                                                                          \
    do {                                                                                     \
        if (!(expr))                                                                         \
            ck_abort_msg("%s:%d: scenario 0x%llx: check failed: %s", __FILE__, __LINE__,     \
                         (unsigned long long)crash_seed, #expr);                              \
    } while (0)

/* ---- Padding ---------------------------------------------------------- */

static uint64_t fill_bad_lengths;

/* "#", spaces, "\n": what a reader skips as one line. */
static void test_fill(uint8_t *dst, size_t len)
{
    if (len < LOG_WRITER_PAD_MIN || len > LOG_WRITER_PAD_MAX) {
        fill_bad_lengths++;
        return;
    }
    dst[0] = '#';
    memset(dst + 1, ' ', len - 2);
    dst[len - 1] = '\n';
}

/* Asserts that file[from, to) is padding pieces as the header promises:
 * each "#   \n", 2..1023 bytes, ending on a unit boundary, spanning one
 * boundary at most when it is a merged 1 + 512-byte piece. */
static void check_padding(const uint8_t *file, uint64_t from, uint64_t to)
{
    uint64_t p = from;
    while (p < to) {
        if (file[p] != '#')
            ck_abort_msg("padding at %llu does not start with '#'", (unsigned long long)p);
        const uint8_t *nl = memchr(file + p, '\n', to - p);
        if (nl == NULL)
            ck_abort_msg("padding piece at %llu has no end before %llu", (unsigned long long)p,
                         (unsigned long long)to);
        uint64_t end = (uint64_t)(nl - file) + 1;
        uint64_t len = end - p;
        for (uint64_t i = p + 1; i + 1 < end; i++) {
            if (file[i] != ' ')
                ck_abort_msg("padding piece at %llu holds 0x%02x at %llu", (unsigned long long)p,
                             file[i], (unsigned long long)i);
        }
        if (len < LOG_WRITER_PAD_MIN || len > LOG_WRITER_PAD_MAX)
            ck_abort_msg("padding piece at %llu is %llu bytes", (unsigned long long)p,
                         (unsigned long long)len);
        if (end % UNIT != 0)
            ck_abort_msg("padding piece at %llu ends at %llu, not a sector boundary",
                         (unsigned long long)p, (unsigned long long)end);
        if (len > UNIT && !(len == UNIT + 1 && p % UNIT == UNIT - 1))
            ck_abort_msg("padding piece at %llu spans %llu bytes", (unsigned long long)p,
                         (unsigned long long)len);
        p = end;
    }
}

/* ---- The spy ---------------------------------------------------------- */

/* A ring_sys in front of the fake that checks every op the writer queues. */
struct spy {
    struct ring_sys sys; /* first */
    struct ring_fake *fake;
    struct log_writer *w;
    uint64_t batch_writes;
    uint64_t extend_writes;
    uint64_t fsyncs;
    uint64_t two_iovec_writes;
};

static uint64_t op_len(const struct ring_op *op)
{
    uint64_t len = 0;
    for (uint32_t i = 0; i < op->iov_count; i++)
        len += op->iov[i].iov_len;
    return len;
}

static uint8_t op_byte(const struct ring_op *op, uint64_t pos)
{
    uint64_t at = pos - op->offset;
    for (uint32_t i = 0; i < op->iov_count; i++) {
        if (at < op->iov[i].iov_len)
            return ((const uint8_t *)op->iov[i].iov_base)[at];
        at -= op->iov[i].iov_len;
    }
    ck_abort_msg("byte %llu outside the op", (unsigned long long)pos);
    return 0;
}

static void spy_check_write(struct spy *s, const struct ring_op *op)
{
    const struct log_writer *w = s->w;
    uint64_t block = w->config.block_bytes;
    uint64_t len = op_len(op);
    CHECK(op->iov_count >= 1 && op->iov_count <= RING_OP_IOVECS_MAX);
    CHECK(op->offset % block == 0);
    CHECK(len > 0 && len % block == 0);
    for (uint32_t i = 0; i < op->iov_count; i++) {
        CHECK((uintptr_t)op->iov[i].iov_base % block == 0);
        CHECK(op->iov[i].iov_len % block == 0);
    }
    s->two_iovec_writes += op->iov_count == 2;
    if (!op->dsync) {
        /* Extension: above everything batches may use. */
        s->extend_writes++;
        CHECK(op->offset >= w->prewritten - w->prewritten % block);
        return;
    }
    s->batch_writes++;
    CHECK(op->offset + len <= w->prewritten);
    CHECK(op->offset + len <= s->fake->disk_len); /* pre-written space is durable */
    for (uint32_t i = 0; i < w->count; i++) {
        const struct log_writer_batch *b = &w->batches[(w->head + i) % LOG_WRITER_IN_FLIGHT_MAX];
        if (&b->op == op || b->state != LOG_WRITER_BATCH_IN_FLIGHT)
            continue;
        uint64_t lo = op->offset > b->op.offset ? op->offset : b->op.offset;
        uint64_t b_end = b->op.offset + op_len(&b->op);
        uint64_t hi = op->offset + len < b_end ? op->offset + len : b_end;
        for (uint64_t p = lo; p < hi; p++)
            CHECK(op_byte(op, p) == op_byte(&b->op, p));
        CHECK(lo >= hi || w->stats.resets > 0); /* overlap only among rewrites */
    }
}

static int spy_queue(struct ring_sys *sys, struct ring_op *const *ops, int count)
{
    struct spy *s = (struct spy *)sys;
    for (int i = 0; i < count; i++) {
        if (crash_trace)
            fprintf(stderr, "  queue %s %p [%llu, +%llu)\n",
                    ops[i]->kind == RING_OP_FSYNC ? "fsync" : ops[i]->dsync ? "batch" : "extend",
                    (void *)ops[i], (unsigned long long)ops[i]->offset,
                    (unsigned long long)op_len(ops[i]));
        if (ops[i]->kind == RING_OP_WRITE) {
            spy_check_write(s, ops[i]);
        } else {
            CHECK(ops[i]->kind == RING_OP_FSYNC);
            CHECK(s->w->extends_in_flight == 0);
            s->fsyncs++;
        }
    }
    return s->fake->sys.calls->queue(&s->fake->sys, ops, count);
}

static int spy_wait(struct ring_sys *sys)
{
    struct spy *s = (struct spy *)sys;
    return s->fake->sys.calls->wait(&s->fake->sys);
}

static const struct ring_sys_calls spy_calls = {.queue = spy_queue, .wait = spy_wait};

/* ---- Fixture ---------------------------------------------------------- */

struct fixture {
    struct ring_fake fake;
    struct spy spy;
    struct log_writer w;
    int done_calls;
    /* Batches submitted, for layout checks. */
    uint64_t batch_start[256];
    uint64_t batch_end[256];
    int batch_count;
};

static void count_done(struct log_writer *w)
{
    struct fixture *fx = w->config.owner;
    fx->done_calls++;
}

static struct log_writer_config config_for(uint32_t block, size_t buffer_blocks, uint32_t in_flight)
{
    return (struct log_writer_config){
        .fd = TEST_FD,
        .block_bytes = block,
        .sector_bytes = UNIT,
        .buffer_bytes = buffer_blocks * block,
        .in_flight_max = in_flight,
        .extend_write_bytes = 2 * (size_t)block,
        .extend_bytes = 8 * (uint64_t)block,
        .dsync = true,
        .fill = test_fill,
        .done = count_done,
    };
}

static void fixture_init(struct fixture *fx, struct log_writer_config c)
{
    memset(fx, 0, sizeof(*fx));
    ck_assert_int_eq(ring_fake_init(&fx->fake, TEST_FILE_BYTES, 7), 0);
    fx->fake.sector_bytes = c.sector_bytes;
    fx->fake.check_stable_buffers = true;
    fx->spy = (struct spy){.sys = {&spy_calls}, .fake = &fx->fake, .w = &fx->w};
    fill_bad_lengths = 0;
    if (c.start > 0 && c.tail == NULL) {
        /* A file that already holds start bytes of padding-free content. */
        static uint8_t old[1 << 16];
        ck_assert_uint_le(c.start, sizeof(old));
        for (uint64_t i = 0; i < c.start; i++)
            old[i] = (uint8_t)('a' + i % 26);
        ring_fake_set_file(&fx->fake, old, c.start);
        c.tail = old + c.start - c.start % c.block_bytes;
    }
    c.owner = fx;
    ck_assert_int_eq(log_writer_init(&fx->w, &fx->spy.sys, &c), 0);
}

static void fixture_free(struct fixture *fx)
{
    ck_assert_uint_eq(fill_bad_lengths, 0);
    ck_assert_uint_eq(fx->fake.unstable_writes, 0);
    log_writer_free(&fx->w);
    ring_fake_free(&fx->fake);
}

/* The byte a test batch holds at position o: letters, never '#' or '\n'. */
static uint8_t batch_byte(uint64_t o)
{
    return (uint8_t)('a' + (o * 7 + o / 13) % 26);
}

/* Submits len pattern bytes; records where they went. */
static int submit_len(struct fixture *fx, size_t len, uint64_t token)
{
    static uint8_t buf[1 << 17];
    ck_assert_uint_le(len, sizeof(buf));
    struct log_writer *w = &fx->w;
    /* The bytes depend on where they land, which submit decides: write
     * them for the layout it will choose (position, or a gap), then check. */
    uint64_t start = log_writer_position(w);
    uint64_t first_block = start - start % w->config.block_bytes;
    for (uint32_t i = 0; i < w->count; i++) {
        const struct log_writer_batch *b = &w->batches[(w->head + i) % LOG_WRITER_IN_FLIGHT_MAX];
        if (b->state != LOG_WRITER_BATCH_DONE && b->write_end > first_block && b->write_end > start)
            start = b->write_end;
    }
    /* A gap ends on a piece boundary: past a merged piece at position. */
    uint64_t pos = log_writer_position(w);
    if (start > pos && pos % UNIT == UNIT - 1 && start < pos + 1 + UNIT)
        start = pos + 1 + UNIT;
    for (size_t i = 0; i < len; i++)
        buf[i] = batch_byte(start + i);
    /* Two iovecs when there are bytes for both: submit copies them in order. */
    struct iovec iov[2] = {{buf, len / 3}, {buf + len / 3, len - len / 3}};
    int ret = len / 3 ? log_writer_submit(w, iov, 2, token)
                      : log_writer_submit(w, iov + 1, 1, token);
    if (ret == 0) {
        const struct log_writer_batch *b =
            &w->batches[(w->head + w->count - 1) % LOG_WRITER_IN_FLIGHT_MAX];
        ck_assert_uint_eq(b->batch_start, start);
        ck_assert_uint_eq(b->batch_end, start + len);
        ck_assert_int_lt(fx->batch_count, 256);
        fx->batch_start[fx->batch_count] = b->batch_start;
        fx->batch_end[fx->batch_count++] = b->batch_end;
    }
    return ret;
}

static const uint8_t *fake_file(struct fixture *fx, uint64_t *len)
{
    return ring_fake_file(&fx->fake, len);
}

/* Batches hold their bytes, and everything else from `from` to prewritten
 * is padding pieces. */
static void check_layout(struct fixture *fx, uint64_t from)
{
    uint64_t len;
    const uint8_t *file = fake_file(fx, &len);
    ck_assert_uint_ge(len, fx->w.prewritten);
    uint64_t p = from;
    for (int i = 0; i < fx->batch_count; i++) {
        ck_assert_uint_ge(fx->batch_start[i], p);
        check_padding(file, p, fx->batch_start[i]);
        for (uint64_t o = fx->batch_start[i]; o < fx->batch_end[i]; o++) {
            if (file[o] != batch_byte(o))
                ck_abort_msg("batch %d: byte %llu differs", i, (unsigned long long)o);
        }
        p = fx->batch_end[i];
    }
    check_padding(file, p, fx->w.prewritten);
}

static struct log_writer_batch *last_batch(struct fixture *fx)
{
    struct log_writer *w = &fx->w;
    ck_assert_uint_gt(w->count, 0);
    return &w->batches[(w->head + w->count - 1) % LOG_WRITER_IN_FLIGHT_MAX];
}

/* ---- Layout ----------------------------------------------------------- */

START_TEST(test_first_extension_rewrites_tail_block)
{
    struct fixture fx;
    struct log_writer_config c = config_for(4096, 8, 4);
    c.start = 1000;
    fixture_init(&fx, c);
    /* The tail block goes first, as a plain write of the whole block. */
    ck_assert_int_ge(ring_fake_in_flight(&fx.fake), 2);
    ck_assert_uint_eq(fx.fake.entries[0].op->offset, 0);
    ck_assert_uint_eq(op_len(fx.fake.entries[0].op), 4096);
    ck_assert(!fx.fake.entries[0].op->dsync);
    ck_assert_uint_eq(fx.w.prewritten, 1000);
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(log_writer_error(&fx.w), 0);
    ck_assert_uint_eq(fx.w.prewritten, 8 * 4096);
    ck_assert_uint_eq(fx.spy.fsyncs, 1);
    ck_assert_uint_eq(log_writer_stats(&fx.w)->extensions, 1);
    ck_assert_uint_eq(log_writer_stats(&fx.w)->extend_bytes, 8 * 4096 - 1000);
    ck_assert_int_eq(fx.done_calls, 1); /* made room */
    /* A crash now keeps it all: the extension was fdatasync'd. */
    ring_fake_crash(&fx.fake, false);
    uint64_t len;
    const uint8_t *file = fake_file(&fx, &len);
    ck_assert_uint_eq(len, 8 * 4096);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(file[i], 'a' + i % 26);
    check_padding(file, 1000, len);
    fixture_free(&fx);
}
END_TEST

/* start one byte before a block boundary: the merged piece spills, so the
 * tail write is two blocks; a 1-byte first batch then ends on the boundary
 * and rewrites the next block so no piece is cut in two. */
START_TEST(test_tail_block_with_one_byte_remainder)
{
    struct fixture fx;
    struct log_writer_config c = config_for(512, 8, 1);
    c.start = 3 * 512 - 1;
    fixture_init(&fx, c);
    ck_assert_uint_eq(fx.w.tail_bytes, 1024);
    ring_fake_run(&fx.fake);
    uint64_t len;
    const uint8_t *file = fake_file(&fx, &len);
    check_padding(file, c.start, len);
    ck_assert_int_eq(file[c.start + UNIT], '\n'); /* one piece of 513 */
    ck_assert_int_eq(submit_len(&fx, 1, 1), 0);
    ck_assert_uint_eq(last_batch(&fx)->write_start, 1024);
    ck_assert_uint_eq(last_batch(&fx)->write_end, 2048);
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 1);
    check_layout(&fx, c.start);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_batches_wait_for_prewritten_space)
{
    struct fixture fx;
    fixture_init(&fx, config_for(512, 16, 4));
    ck_assert_int_eq(submit_len(&fx, 100, 1), 0);
    ck_assert_uint_eq(log_writer_in_flight(&fx.w), 0); /* waits for the extension */
    ck_assert_uint_eq(log_writer_stats(&fx.w)->space_waits, 1);
    while (fx.w.prewritten == 0) {
        ck_assert_uint_eq(fx.spy.batch_writes, 0);
        ck_assert_int_gt(ring_fake_step(&fx.fake), -1);
    }
    ck_assert_uint_eq(fx.spy.batch_writes, 1); /* queued by the fsync's completion */
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 1);
    /* Keep going past several extensions; the spy checks every write. */
    for (uint64_t t = 2; t < 60; t++) {
        ck_assert_int_eq(submit_len(&fx, 50 + (size_t)(t * 97) % 1500, t), 0);
        if (t % 3 == 0)
            ring_fake_run(&fx.fake);
        while (!log_writer_can_submit(&fx.w, 1600))
            ring_fake_step(&fx.fake);
    }
    ring_fake_run(&fx.fake);
    ck_assert(log_writer_all_durable(&fx.w));
    ck_assert_uint_gt(log_writer_stats(&fx.w)->extensions, 3);
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

/* One batch at a time (no gaps): sizes that hit every remainder case. */
START_TEST(test_padding_pieces_end_on_sector_boundaries)
{
    struct fixture fx;
    struct log_writer_config c = config_for(4096, 8, 1);
    c.extend_bytes = 64 * 4096;
    fixture_init(&fx, c);
    struct test_rng rng;
    test_rng_init(&rng, 41);
    for (uint64_t t = 1; t <= 200; t++) {
        uint64_t pos = log_writer_position(&fx.w);
        size_t len;
        switch (test_rng_below(&rng, 6)) {
        case 0: /* end one byte before a sector boundary */
            len = (size_t)(UNIT - 1 - pos % UNIT + UNIT * test_rng_below(&rng, 3));
            break;
        case 1: /* end one byte before a block boundary */
            len = (size_t)(4096 - 1 - pos % 4096);
            break;
        case 2: /* end on a block boundary */
            len = (size_t)(4096 - pos % 4096);
            break;
        case 3:
            len = 1;
            break;
        default:
            len = 1 + (size_t)test_rng_below(&rng, 9000);
        }
        if (len == 0)
            len = 4096;
        ck_assert_int_eq(submit_len(&fx, len, t), 0);
        ring_fake_run(&fx.fake);
        ck_assert_uint_eq(log_writer_durable_token(&fx.w), t);
    }
    ck_assert_uint_eq(log_writer_stats(&fx.w)->gap_bytes, 0);
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_one_byte_remainder_merges_into_next_sector)
{
    struct fixture fx;
    fixture_init(&fx, config_for(4096, 8, 1));
    ring_fake_run(&fx.fake);
    /* Ends one byte before a block boundary: the write spills a block. */
    ck_assert_int_eq(submit_len(&fx, 4095, 1), 0);
    ck_assert_uint_eq(last_batch(&fx)->write_end, 8192);
    ring_fake_run(&fx.fake);
    uint64_t len;
    const uint8_t *file = fake_file(&fx, &len);
    ck_assert_int_eq(file[4095], '#');
    ck_assert_int_eq(file[4095 + UNIT], '\n');
    /* One byte up to the boundary: rewrites the spilled block too. */
    ck_assert_int_eq(submit_len(&fx, 1, 2), 0);
    ck_assert_uint_eq(last_batch(&fx)->write_start, 0);
    ck_assert_uint_eq(last_batch(&fx)->write_end, 8192);
    ring_fake_run(&fx.fake);
    check_layout(&fx, 0);
    /* Inside a block: two bytes left is a piece; one byte merges. */
    ck_assert_int_eq(submit_len(&fx, 510, 3), 0);
    ring_fake_run(&fx.fake);
    file = fake_file(&fx, &len);
    ck_assert_int_eq(file[4606], '#');
    ck_assert_int_eq(file[4607], '\n');
    ck_assert_int_eq(submit_len(&fx, 1, 4), 0);
    ck_assert_uint_eq(last_batch(&fx)->write_end, 8192);
    ring_fake_run(&fx.fake);
    file = fake_file(&fx, &len);
    ck_assert_int_eq(file[4607], '#');
    ck_assert_int_eq(file[5118], ' ');
    ck_assert_int_eq(file[5119], '\n'); /* one piece of 513 */
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_gap_only_when_block_shared_with_write_in_flight)
{
    struct fixture fx;
    fixture_init(&fx, config_for(4096, 16, 4));
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(submit_len(&fx, 100, 1), 0);
    ck_assert_uint_eq(log_writer_in_flight(&fx.w), 1);
    /* The first block is the in-flight write's: start at the next one. */
    ck_assert_int_eq(submit_len(&fx, 100, 2), 0);
    ck_assert_uint_eq(last_batch(&fx)->batch_start, 4096);
    ck_assert_uint_eq(last_batch(&fx)->write_start, 4096);
    ck_assert_uint_eq(log_writer_stats(&fx.w)->gap_bytes, 3996);
    ck_assert_uint_eq(log_writer_position(&fx.w), 4196);
    ring_fake_run(&fx.fake);
    /* Everything complete: the next batch shares the block, no gap. */
    ck_assert_int_eq(submit_len(&fx, 100, 3), 0);
    ck_assert_uint_eq(last_batch(&fx)->batch_start, 4196);
    ck_assert_uint_eq(last_batch(&fx)->write_start, 4096);
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(log_writer_stats(&fx.w)->gap_bytes, 3996);
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_waiting_batch_also_forces_a_gap)
{
    struct fixture fx;
    fixture_init(&fx, config_for(512, 16, 4));
    /* The extension is not done: both batches wait, the second behind. */
    ck_assert_int_eq(submit_len(&fx, 100, 1), 0);
    ck_assert_int_eq(submit_len(&fx, 100, 2), 0);
    ck_assert_uint_eq(last_batch(&fx)->batch_start, 512);
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 2);
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

/* After a reset, a rewrite in flight can end one byte behind position
 * while the batch ending there (one byte before a block boundary, so its
 * padding is a merged piece spilling into the next block) already
 * completed: the next batch must start past the whole merged piece. */
START_TEST(test_gap_after_reset_skips_a_whole_merged_piece)
{
    struct fixture fx;
    fixture_init(&fx, config_for(512, 32, 4));
    ring_fake_run(&fx.fake);
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_HOLD, 1000);
    ck_assert_int_eq(submit_len(&fx, 100, 1), 0); /* Z: held */
    ck_assert_int_eq(submit_len(&fx, 100, 2), 0); /* A: behind Z's block */
    ck_assert_uint_eq(last_batch(&fx)->batch_start, 512);
    ck_assert_int_eq(ring_fake_step(&fx.fake), 1); /* A done */
    ck_assert_int_eq(submit_len(&fx, 411, 3), 0); /* L: in A's block, ends at 1023 */
    ck_assert_uint_eq(last_batch(&fx)->batch_start, 612);
    ck_assert_uint_eq(last_batch(&fx)->write_end, 1536);
    ck_assert_int_eq(ring_fake_step(&fx.fake), 1); /* L done */
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_FAIL, -EIO);
    ck_assert_int_eq(ring_fake_step(&fx.fake), 1); /* Z fails */
    ck_assert_int_eq(log_writer_error(&fx.w), -EIO);
    /* Rewrites Z, A, L; hold Z's and A's. */
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_HOLD, 1000);
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_HOLD, 1000);
    log_writer_reset(&fx.w);
    ck_assert_int_eq(ring_fake_in_flight(&fx.fake), 3);
    ck_assert_int_eq(ring_fake_step(&fx.fake), 1); /* L's rewrite */
    ck_assert_uint_eq(log_writer_position(&fx.w), 1023);
    ck_assert_int_eq(submit_len(&fx, 100, 4), 0);
    ck_assert_uint_eq(last_batch(&fx)->batch_start, 1536);
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 4);
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

/* ---- Order and errors ------------------------------------------------- */

START_TEST(test_durable_in_submission_order)
{
    struct fixture fx;
    fixture_init(&fx, config_for(512, 32, 4));
    ring_fake_run(&fx.fake);
    fx.done_calls = 0;
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_HOLD, 10);
    for (uint64_t t = 1; t <= 4; t++)
        ck_assert_int_eq(submit_len(&fx, 300, t * 10), 0);
    ck_assert_uint_eq(log_writer_in_flight(&fx.w), 4);
    ck_assert_uint_eq(log_writer_stats(&fx.w)->in_flight_peak, 4);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(ring_fake_step(&fx.fake), 1); /* batches 2, 3, 4 */
    ck_assert_uint_eq(log_writer_in_flight(&fx.w), 1);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 0);
    ck_assert(!log_writer_all_durable(&fx.w));
    ck_assert_int_eq(fx.done_calls, 0);
    ck_assert_int_eq(ring_fake_step(&fx.fake), 1); /* batch 1, at last */
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 40);
    ck_assert_uint_eq(log_writer_durable_position(&fx.w), log_writer_position(&fx.w));
    ck_assert(log_writer_all_durable(&fx.w));
    ck_assert_int_eq(fx.done_calls, 1);
    const struct log_writer_stats *st = log_writer_stats(&fx.w);
    ck_assert_uint_eq(st->batches, 4);
    ck_assert_uint_eq(st->batch_bytes, 1200);
    ck_assert_uint_eq(st->in_flight_sum, 1 + 2 + 3 + 4);
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_failed_batch_is_sticky_and_reset_rewrites)
{
    struct fixture fx;
    fixture_init(&fx, config_for(512, 32, 4));
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(submit_len(&fx, 700, 1), 0);
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 1);
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_FAIL, -EIO);
    ck_assert_int_eq(submit_len(&fx, 300, 2), 0);
    ck_assert_int_eq(submit_len(&fx, 300, 3), 0);
    fx.done_calls = 0;
    ck_assert_int_eq(ring_fake_step(&fx.fake), 1); /* batch 2 fails */
    ck_assert_int_eq(log_writer_error(&fx.w), -EIO);
    ck_assert_int_eq(fx.done_calls, 1);
    ck_assert_int_eq(ring_fake_step(&fx.fake), 1); /* batch 3 completes */
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 1); /* nothing past the failure */
    ck_assert(log_writer_idle(&fx.w));
    /* Sticky. */
    ck_assert_int_eq(submit_len(&fx, 10, 4), -EIO);
    ck_assert(!log_writer_can_submit(&fx.w, 10));
    log_writer_retry(&fx.w);
    ck_assert_int_eq(ring_fake_in_flight(&fx.fake), 0);
    /* Reset writes batches 2 and 3 again from memory, where they were. */
    uint64_t written = log_writer_stats(&fx.w)->bytes_written;
    log_writer_reset(&fx.w);
    ck_assert_int_eq(log_writer_error(&fx.w), 0);
    ck_assert_int_eq(ring_fake_in_flight(&fx.fake), 2);
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 3);
    ck_assert_uint_gt(log_writer_stats(&fx.w)->bytes_written, written);
    ck_assert_uint_eq(log_writer_stats(&fx.w)->resets, 1);
    ck_assert_int_eq(submit_len(&fx, 10, 4), 0);
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 4);
    ring_fake_crash(&fx.fake, false);
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_failed_extension_write_is_sticky)
{
    struct fixture fx;
    struct log_writer_config c = config_for(512, 32, 4);
    c.start = 700;
    fixture_init(&fx, c); /* queues the extension; nothing has run yet */
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_FAIL, -ENOSPC);
    ck_assert_int_eq(submit_len(&fx, 100, 1), 0);
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(log_writer_error(&fx.w), -ENOSPC);
    ck_assert_uint_eq(fx.spy.fsyncs, 0); /* never fsync a broken extension */
    ck_assert_uint_eq(fx.w.prewritten, 700);
    ck_assert_uint_eq(fx.w.extend_done, 512); /* the tail block failed */
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 0);
    ck_assert_int_eq(submit_len(&fx, 100, 2), -ENOSPC);
    ck_assert(log_writer_idle(&fx.w));
    log_writer_reset(&fx.w);
    ck_assert(fx.w.tail_pending == false); /* the tail block went out again */
    ck_assert_uint_eq(fx.fake.entries[0].op->offset, 512);
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(log_writer_error(&fx.w), 0);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 1);
    ring_fake_crash(&fx.fake, false);
    check_layout(&fx, 700);
    fixture_free(&fx);
}
END_TEST

/* A disk that fills (or a file size limit) cuts an extension write short
 * at a block: the rest is written again, so the error that stops the
 * extension is the kernel's (ENOSPC, EFBIG), not a made-up EIO; and a
 * short write followed by room completes the extension as if whole. */
START_TEST(test_short_extension_write_continues)
{
    struct fixture fx;
    fixture_init(&fx, config_for(512, 32, 4)); /* extension writes of 1024 bytes */
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_SHORT, 512);
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_FAIL, -ENOSPC);
    ck_assert_int_eq(submit_len(&fx, 100, 1), 0);
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(log_writer_error(&fx.w), -ENOSPC);
    ck_assert_uint_eq(fx.w.prewritten, 0);
    ck_assert_uint_eq(fx.w.extend_done, 512); /* the first block went in */
    ck_assert_uint_eq(fx.spy.fsyncs, 0);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 0);
    log_writer_reset(&fx.w);
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(log_writer_error(&fx.w), 0);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 1);
    ring_fake_crash(&fx.fake, false);
    check_layout(&fx, 0);
    fixture_free(&fx);

    fixture_init(&fx, config_for(512, 32, 4));
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_SHORT, 512);
    ck_assert_int_eq(submit_len(&fx, 100, 1), 0);
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(log_writer_error(&fx.w), 0);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 1);
    ck_assert_uint_eq(fx.w.prewritten, 8 * 512);
    ring_fake_crash(&fx.fake, false);
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_failed_extension_fsync_is_sticky)
{
    struct fixture fx;
    fixture_init(&fx, config_for(512, 32, 4));
    ring_fake_script(&fx.fake, RING_OP_FSYNC, RING_FAKE_FAIL, -EIO);
    ck_assert_int_eq(submit_len(&fx, 100, 1), 0);
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(log_writer_error(&fx.w), -EIO);
    ck_assert_uint_eq(fx.w.prewritten, 0);
    ck_assert_uint_eq(fx.spy.batch_writes, 0);
    ck_assert_uint_eq(fx.spy.fsyncs, 1);
    /* The fake dropped the dirty padding: reset writes it all again, then
     * fsyncs again. */
    uint64_t writes = fx.spy.extend_writes;
    log_writer_reset(&fx.w);
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(log_writer_error(&fx.w), 0);
    ck_assert_uint_eq(fx.spy.extend_writes, 2 * writes);
    ck_assert_uint_eq(fx.spy.fsyncs, 2);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 1);
    ring_fake_crash(&fx.fake, false);
    uint64_t len;
    fake_file(&fx, &len);
    ck_assert_uint_eq(len, fx.w.prewritten);
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_eagain_and_emsgsize)
{
    struct fixture fx;
    fixture_init(&fx, config_for(512, 8, 2));
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(log_writer_batch_max(&fx.w), 8 * 512 - 2 * 512);
    ck_assert_int_eq(submit_len(&fx, 3073, 1), -EMSGSIZE);
    ck_assert(!log_writer_can_submit(&fx.w, 3073));
    ck_assert(log_writer_can_submit(&fx.w, 3072));
    ck_assert_int_eq(submit_len(&fx, 3072, 1), 0);
    ck_assert_int_eq(submit_len(&fx, 100, 2), 0);
    ck_assert(!log_writer_can_submit(&fx.w, 1)); /* both slots taken */
    ck_assert_int_eq(submit_len(&fx, 1, 3), -EAGAIN);
    fx.done_calls = 0;
    ring_fake_run(&fx.fake);
    ck_assert_int_gt(fx.done_calls, 0);
    ck_assert(log_writer_can_submit(&fx.w, 1));
    /* No room: the buffer must keep the oldest batch's block while later
     * ones go in behind it. */
    fixture_free(&fx);
    fixture_init(&fx, config_for(512, 8, 4));
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(submit_len(&fx, 3000, 1), 0);
    ck_assert_int_eq(submit_len(&fx, 1000, 2), 0);
    ck_assert_uint_eq(last_batch(&fx)->batch_start, 3072);
    ck_assert(!log_writer_can_submit(&fx.w, 100));
    ck_assert_int_eq(submit_len(&fx, 100, 3), -EAGAIN);
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(submit_len(&fx, 100, 3), 0);
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 3);
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_buffer_wrap_uses_two_iovecs)
{
    struct fixture fx;
    struct log_writer_config c = config_for(512, 6, 2);
    fixture_init(&fx, c);
    for (uint64_t t = 1; t <= 80; t++) {
        while (submit_len(&fx, 300 + (size_t)(t * 131) % 1700, t) == -EAGAIN)
            ck_assert_int_gt(ring_fake_step(&fx.fake), -1);
    }
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 80);
    ck_assert_uint_gt(fx.spy.two_iovec_writes, 0);
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_busy_ring_parks_and_retries)
{
    struct fixture fx;
    fixture_init(&fx, config_for(512, 32, 4));
    ring_fake_run(&fx.fake);
    fx.fake.queue_limit = 1;
    for (uint64_t t = 1; t <= 3; t++)
        ck_assert_int_eq(submit_len(&fx, 200, t), 0);
    ck_assert_uint_eq(log_writer_in_flight(&fx.w), 1); /* two parked */
    ring_fake_run(&fx.fake); /* each completion queues the next */
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 3);
    /* Refused with nothing in flight: only log_writer_retry brings it back. */
    fx.fake.queue_limit = 0;
    ck_assert_int_eq(submit_len(&fx, 200, 4), 0);
    ck_assert(log_writer_idle(&fx.w));
    ck_assert(!log_writer_all_durable(&fx.w));
    log_writer_retry(&fx.w);
    ck_assert(log_writer_idle(&fx.w));
    fx.fake.queue_limit = RING_FAKE_OPS_MAX;
    log_writer_retry(&fx.w);
    ck_assert_uint_eq(log_writer_in_flight(&fx.w), 1);
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 4);
    ck_assert_int_eq(log_writer_error(&fx.w), 0);
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_short_writes)
{
    struct fixture fx;
    fixture_init(&fx, config_for(512, 32, 4));
    ring_fake_run(&fx.fake);
    /* Whole blocks: the rest goes out again. */
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_SHORT, 512);
    ck_assert_int_eq(submit_len(&fx, 1500, 1), 0);
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(log_writer_error(&fx.w), 0);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 1);
    ck_assert_uint_eq(fx.spy.batch_writes, 2);
    /* Inside a block: an error. */
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_SHORT, 100);
    ck_assert_int_eq(submit_len(&fx, 1500, 2), 0);
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(log_writer_error(&fx.w), -EIO);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 1);
    log_writer_reset(&fx.w);
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 2);
    check_layout(&fx, 0);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_eintr_is_retried_then_gives_up)
{
    struct fixture fx;
    fixture_init(&fx, config_for(512, 32, 4));
    ring_fake_run(&fx.fake);
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_FAIL, -EINTR);
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_FAIL, -EAGAIN);
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_SHORT, 0);
    ck_assert_int_eq(submit_len(&fx, 100, 1), 0);
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(log_writer_error(&fx.w), 0);
    ck_assert_uint_eq(log_writer_durable_token(&fx.w), 1);
    ck_assert_uint_eq(fx.spy.batch_writes, 4);
    fx.fake.eintr_percent = 100;
    ck_assert_int_eq(submit_len(&fx, 100, 2), 0);
    ring_fake_run(&fx.fake);
    ck_assert_int_eq(log_writer_error(&fx.w), -EINTR);
    ck_assert_uint_eq(fx.spy.batch_writes, 4 + LOG_WRITER_RETRIES_MAX + 1);
    fixture_free(&fx);
}
END_TEST

/* ---- Misuse ----------------------------------------------------------- */

START_TEST(test_block_not_power_of_two_aborts)
{
    struct fixture fx;
    fixture_init(&fx, config_for(1000, 8, 1));
}
END_TEST

START_TEST(test_unaligned_start_without_tail_aborts)
{
    struct ring_fake f;
    ck_assert_int_eq(ring_fake_init(&f, TEST_FILE_BYTES, 1), 0);
    struct log_writer w;
    struct log_writer_config c = config_for(512, 8, 1);
    c.start = 100;
    log_writer_init(&w, &f.sys, &c);
}
END_TEST

START_TEST(test_free_with_writes_in_flight_aborts)
{
    struct fixture fx;
    fixture_init(&fx, config_for(512, 8, 1));
    log_writer_free(&fx.w); /* the first extension is in flight */
}
END_TEST

START_TEST(test_decreasing_token_aborts)
{
    struct fixture fx;
    fixture_init(&fx, config_for(512, 8, 2));
    ck_assert_int_eq(submit_len(&fx, 10, 5), 0);
    submit_len(&fx, 10, 4);
}
END_TEST

/* ---- The crash test --------------------------------------------------- */

#define CRASH_RUNS_DEFAULT 100000
#define CRASH_RUNS_ENV "RINGKV_LOG_CRASH_RUNS"
#define CRASH_FILE_BYTES (256 << 10)
#define CRASH_BATCHES_MAX 512
#define CRASH_ARENA_BYTES (2 << 20)
#define CRASH_HEADER_BYTES_MAX 48
#define CRASH_BATCH_BYTES_MIN 34 /* more than any header */
#define CRASH_LETTERS_BYTES (1 << 16)

/* What one scenario submitted (the old file's batches first): batch i has
 * seq i + 1 and is arena[offset[i], offset[i] + len[i]). */
struct crash_log {
    uint8_t arena[CRASH_ARENA_BYTES];
    uint32_t offset[CRASH_BATCHES_MAX];
    uint32_t len[CRASH_BATCHES_MAX];
    uint32_t count;
    uint32_t used;
};

/* FNV-1a over 8-byte words (then the odd bytes): the checksum runs over
 * every batch twice per scenario, in a -O0 build. */
static uint64_t fnv1a(const uint8_t *p, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t word;
        memcpy(&word, p + i, 8);
        h = (h ^ word) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* Random letters: payloads are slices of it. */
static uint8_t crash_letters[CRASH_LETTERS_BYTES + 4096];

static void crash_letters_init(void)
{
    struct test_rng rng = {.seed = 5, .state = 5};
    for (size_t i = 0; i < sizeof(crash_letters); i++)
        crash_letters[i] = (uint8_t)('a' + test_rng_below(&rng, 26));
}

/* Frames batch seq: "#B <seq> <len> <checksum>\n" and payload letters
 * (never '#' or '\n'), about total bytes in all (the header's length
 * depends on the payload's). Returns the length framed. */
static uint32_t crash_frame(struct crash_log *log, struct test_rng *rng, size_t total)
{
    CHECK(log->count < CRASH_BATCHES_MAX);
    CHECK(total >= CRASH_BATCH_BYTES_MIN);
    CHECK(total <= 4096);
    uint32_t seq = log->count + 1;
    uint8_t *dst = log->arena + log->used;
    const uint8_t *body = crash_letters + test_rng_below(rng, CRASH_LETTERS_BYTES);
    char header[CRASH_HEADER_BYTES_MAX + 1];
    size_t payload = total - CRASH_HEADER_BYTES_MAX / 2;
    int n = 0;
    /* The checksum is 16 digits whatever it is: settle the length first. */
    for (int round = 0; round < 2; round++) {
        n = snprintf(header, sizeof(header), "#B %u %zu %016x\n", seq, payload, 0);
        payload = total - (size_t)n;
    }
    n = snprintf(header, sizeof(header), "#B %u %zu %016llx\n", seq, payload,
                 (unsigned long long)fnv1a(body, payload));
    CHECK(n < CRASH_BATCH_BYTES_MIN);
    CHECK(log->used + (size_t)n + payload <= CRASH_ARENA_BYTES);
    memcpy(dst, header, (size_t)n);
    memcpy(dst + n, body, payload);
    log->offset[log->count] = log->used;
    log->len[log->count] = (uint32_t)n + (uint32_t)payload;
    log->used += log->len[log->count];
    log->count++;
    return log->len[log->count - 1];
}

/* Takes back the last batch framed (it was not submitted). */
static void crash_unframe(struct crash_log *log)
{
    CHECK(log->count > 0);
    log->count--;
    log->used -= log->len[log->count];
}

static bool parse_number(const uint8_t *file, uint64_t end, uint64_t *p, int base, uint64_t *out)
{
    uint64_t value = 0;
    uint64_t start = *p;
    while (*p < end && *p - start < 20) {
        int c = file[*p];
        int digit = -1;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        if (digit < 0)
            break;
        value = value * (uint64_t)base + (uint64_t)digit;
        (*p)++;
    }
    *out = value;
    return *p > start;
}

/* Reads a batch header at p; returns its total length or 0. */
static uint64_t crash_batch_at(const uint8_t *file, uint64_t len, uint64_t p, uint64_t *seq)
{
    uint64_t q = p + 3;
    uint64_t payload, sum;
    if (q > len || memcmp(file + p, "#B ", 3) != 0)
        return 0;
    if (!parse_number(file, len, &q, 10, seq) || q >= len || file[q++] != ' ')
        return 0;
    if (!parse_number(file, len, &q, 10, &payload) || q >= len || file[q++] != ' ')
        return 0;
    if (!parse_number(file, len, &q, 16, &sum) || q >= len || file[q++] != '\n')
        return 0;
    if (payload > len - q || fnv1a(file + q, (size_t)payload) != sum)
        return 0;
    return q + payload - p;
}

/* The loader: batches while seq follows on and the checksum holds,
 * padding lines skipped, stop at the first break. Asserts each batch found
 * is the one submitted. Returns how many. */
static uint32_t crash_recover(const uint8_t *file, uint64_t len, const struct crash_log *log)
{
    uint32_t found = 0;
    uint64_t p = 0;
    while (p < len && file[p] == '#') {
        if (p + 1 < len && file[p + 1] == 'B') {
            uint64_t seq;
            uint64_t n = crash_batch_at(file, len, p, &seq);
            if (n == 0 || seq != found + 1)
                break;
            CHECK(found < log->count);
            CHECK(n == log->len[found]);
            CHECK(memcmp(file + p, log->arena + log->offset[found], n) == 0);
            found++;
            p += n;
            continue;
        }
        uint64_t span = len - p < LOG_WRITER_PAD_MAX ? len - p : LOG_WRITER_PAD_MAX;
        const uint8_t *nl = memchr(file + p, '\n', span);
        if (nl == NULL)
            break;
        p = (uint64_t)(nl - file) + 1;
    }
    return found;
}

/* What the scenarios exercised, summed for the closing line. */
static struct crash_coverage {
    uint64_t batches;
    uint64_t acked;        /* batches reported durable before the crash */
    uint64_t lost_unacked; /* submitted, not acknowledged, not recovered */
    uint64_t extensions;
    uint64_t crashes_mid_extension;
    uint64_t resets;
    uint64_t gaps;
    uint64_t two_iovec_writes;
    uint64_t space_waits;
} crash_coverage;

struct crash_scenario {
    struct test_rng rng;
    uint32_t block;
    uint32_t sector;
    uint32_t in_flight_max;
    size_t buffer_bytes;
    size_t extend_write_bytes;
    uint64_t extend_bytes;
    uint32_t old_batches;
    uint32_t steps;
    bool quiesce;
    bool faults;
};

static void crash_scenario_draw(struct crash_scenario *s)
{
    struct test_rng *rng = &s->rng;
    static const uint32_t blocks[] = {512, 512, 512, 1024, 4096};
    s->block = blocks[test_rng_below(rng, 5)];
    s->sector = s->block > 512 && test_rng_below(rng, 3) == 0 ? s->block : 512;
    s->in_flight_max = 1 + (uint32_t)test_rng_below(rng, 8);
    s->buffer_bytes = (size_t)s->block * (4 + test_rng_below(rng, 12));
    s->extend_write_bytes = (size_t)s->block * (1 + test_rng_below(rng, 2));
    s->extend_bytes = s->extend_write_bytes * (1 + test_rng_below(rng, 4));
    s->old_batches = (uint32_t)test_rng_below(rng, 4);
    s->steps = (uint32_t)test_rng_below(rng, 70);
    s->quiesce = test_rng_below(rng, 10) == 0;
    s->faults = test_rng_below(rng, 5) == 0;
}

/* A batch size: mostly small, sometimes ending one byte before a sector or
 * block boundary, or on one (assuming no gap), capped by what fits. */
static size_t crash_batch_len(struct crash_scenario *s, const struct log_writer *w)
{
    struct test_rng *rng = &s->rng;
    size_t max = log_writer_batch_max(w);
    max = max < 3000 ? max : 3000;
    size_t len = CRASH_BATCH_BYTES_MIN +
                 (size_t)test_rng_below(rng, test_rng_below(rng, 4) == 0 ? max : 400);
    uint64_t end = log_writer_position(w) + len;
    switch (test_rng_below(rng, 8)) {
    case 0:
        len += (size_t)((UNIT - 1 - end % UNIT + UNIT) % UNIT);
        break;
    case 1:
        len += (size_t)((s->block - 1 - end % s->block + s->block) % s->block);
        break;
    case 2:
        len += (size_t)((s->block - end % s->block) % s->block);
        break;
    default:
        break;
    }
    return len < max ? len : max;
}

/* Frames a batch and submits it when the writer takes it now. */
static bool crash_try_submit(struct crash_scenario *s, struct log_writer *w, struct crash_log *log)
{
    size_t len = crash_batch_len(s, w);
    if (log->count >= CRASH_BATCHES_MAX || log->used + len + 8 > CRASH_ARENA_BYTES)
        return false;
    uint32_t framed = crash_frame(log, &s->rng, len);
    if (!log_writer_can_submit(w, framed)) {
        crash_unframe(log);
        return false;
    }
    uint32_t i = log->count - 1;
    struct iovec iov = {log->arena + log->offset[i], log->len[i]};
    CHECK(log_writer_submit(w, &iov, 1, i + 1) == 0);
    return true;
}

/* Runs until everything is durable, resetting after faults. */
static void crash_quiesce(struct ring_fake *f, struct log_writer *w)
{
    f->script_count = 0;
    for (int round = 0; round < 100; round++) {
        ring_fake_run(f);
        if (log_writer_error(w))
            log_writer_reset(w);
        else if (log_writer_all_durable(w))
            break;
    }
    CHECK(log_writer_all_durable(w));
    CHECK(log_writer_idle(w));
    CHECK(log_writer_error(w) == 0);
}

/* One scenario: returns the batches the loader recovered. */
/* The run before the crash: submits, steps, injects faults and resets, in
 * random order, for the scenario's number of steps. */
static void crash_drive(struct crash_scenario *s, struct ring_fake *f, struct log_writer *w,
                        struct crash_log *log)
{
    for (uint32_t step = 0; step < s->steps; step++) {
        if (s->faults && test_rng_below(&s->rng, 40) == 0)
            ring_fake_script(f, test_rng_below(&s->rng, 3) ? RING_OP_WRITE : RING_OP_FSYNC,
                             RING_FAKE_FAIL, -EIO);
        if (log_writer_error(w) && log_writer_idle(w)) {
            log_writer_reset(w);
            continue;
        }
        bool want = test_rng_below(&s->rng, 3) == 0 || ring_fake_in_flight(f) == 0;
        if (want && crash_try_submit(s, w, log)) {
            const struct log_writer_batch *b =
                &w->batches[(w->head + w->count - 1) % LOG_WRITER_IN_FLIGHT_MAX];
            if (crash_trace)
                fprintf(stderr, "submit seq %u [%llu, %llu) write [%llu, %llu)\n", log->count,
                        (unsigned long long)b->batch_start, (unsigned long long)b->batch_end,
                        (unsigned long long)b->write_start, (unsigned long long)b->write_end);
            continue;
        }
        if (ring_fake_in_flight(f) == 0)
            break; /* waiting on nothing: only an error without reset */
        int delivered = ring_fake_step(f);
        if (crash_trace)
            fprintf(stderr, "step: %d delivered; durable %llu prewritten %llu error %d\n",
                    delivered, (unsigned long long)w->durable_token,
                    (unsigned long long)w->prewritten, w->error);
    }
}

static void crash_count(const struct crash_scenario *s, const struct log_writer *w,
                        const struct spy *spy, uint32_t submitted, uint64_t acked)
{
    const struct log_writer_stats *st = log_writer_stats(w);
    crash_coverage.batches += submitted - s->old_batches;
    crash_coverage.acked += acked > s->old_batches ? acked - s->old_batches : 0;
    crash_coverage.extensions += st->extensions;
    crash_coverage.crashes_mid_extension += w->extend_target != w->prewritten;
    crash_coverage.resets += st->resets;
    crash_coverage.gaps += st->gap_bytes > 0;
    crash_coverage.two_iovec_writes += spy->two_iovec_writes;
    crash_coverage.space_waits += st->space_waits;
}

static void crash_dump(const uint8_t *file, uint64_t len)
{
    for (uint64_t p = 0; p < len; p += 64) {
        fprintf(stderr, "%6llu ", (unsigned long long)p);
        for (uint64_t q = p; q < p + 64 && q < len; q++)
            fputc(file[q] == '\n' ? '|' : file[q] == 0 ? '.' : file[q], stderr);
        fputc('\n', stderr);
    }
}

/* One scenario: an old log, a writer continuing it, a crash, a recovery. */
static void crash_one(struct ring_fake *f, struct crash_log *log, uint64_t seed)
{
    struct crash_scenario s;
    memset(&s, 0, sizeof(s));
    crash_seed = seed;
    s.rng.seed = seed;
    s.rng.state = seed ? seed : 1;
    crash_scenario_draw(&s);
    ring_fake_restart(f, seed * 0x9E3779B97F4A7C15ull + 1);
    f->sector_bytes = s.sector;
    f->check_stable_buffers = true;
    f->random_order = test_rng_below(&s.rng, 4) != 0;
    f->delay_percent = test_rng_below(&s.rng, 3) == 0 ? 20 : 0;
    /* The old log: a few batches, the file ending right behind them. */
    log->count = log->used = 0;
    for (uint32_t i = 0; i < s.old_batches; i++)
        crash_frame(log, &s.rng, CRASH_BATCH_BYTES_MIN + (size_t)test_rng_below(&s.rng, 700));
    ring_fake_set_file(f, log->arena, log->used);
    uint64_t start = log->used;

    struct log_writer w;
    struct spy spy = {.sys = {&spy_calls}, .fake = f, .w = &w};
    struct log_writer_config c = {
        .fd = TEST_FD,
        .block_bytes = s.block,
        .sector_bytes = s.sector,
        .start = start,
        .tail = log->arena + start - start % s.block,
        .buffer_bytes = s.buffer_bytes,
        .in_flight_max = s.in_flight_max,
        .extend_bytes = s.extend_bytes,
        .extend_write_bytes = s.extend_write_bytes,
        .dsync = true,
        .fill = test_fill,
    };
    if (crash_trace)
        fprintf(stderr, "block %u sector %u in_flight %u buffer %zu extend %llu/%zu start %llu\n",
                s.block, s.sector, s.in_flight_max, s.buffer_bytes,
                (unsigned long long)s.extend_bytes, s.extend_write_bytes,
                (unsigned long long)start);
    CHECK(log_writer_init(&w, &spy.sys, &c) == 0);
    crash_drive(&s, f, &w, log);
    if (s.quiesce)
        crash_quiesce(f, &w);
    uint64_t acked = log_writer_durable_token(&w);
    CHECK(f->unstable_writes == 0); /* no byte changed under a write in flight */
    crash_count(&s, &w, &spy, log->count, acked);
    ring_fake_crash(f, true);

    uint64_t len;
    const uint8_t *file = ring_fake_file(f, &len);
    uint32_t found = crash_recover(file, len, log);
    uint64_t needed = acked > s.old_batches ? acked : s.old_batches;
    if (crash_trace) {
        fprintf(stderr, "crash: acked %llu, recovered %u, file %llu bytes\n",
                (unsigned long long)acked, found, (unsigned long long)len);
        crash_dump(file, len);
    }
    if (found < needed || (s.quiesce && found != log->count))
        ck_abort_msg("seed 0x%llx: recovered %u batches of %u submitted, %llu acknowledged",
                     (unsigned long long)seed, found, log->count, (unsigned long long)needed);
    crash_coverage.lost_unacked += log->count - found;
    /* The process died: its ops vanished with the fake's queue. */
    w.in_flight = w.extends_in_flight = 0;
    w.extend_fsync = false;
    log_writer_free(&w);
    CHECK(fill_bad_lengths == 0);
}

START_TEST(test_crash_never_loses_an_acknowledged_batch)
{
    uint64_t runs = CRASH_RUNS_DEFAULT;
    const char *env = getenv(CRASH_RUNS_ENV);
    if (env && *env)
        runs = strtoull(env, NULL, 0);
    const char *one = getenv("RINGKV_LOG_CRASH_SEED");
    crash_trace = one && *one && getenv("RINGKV_LOG_CRASH_TRACE");
    struct test_rng rng;
    test_rng_init(&rng, 0x1065);
    static struct ring_fake f;
    ck_assert_int_eq(ring_fake_init(&f, CRASH_FILE_BYTES, 1), 0);
    static struct crash_log log;
    crash_letters_init();
    fill_bad_lengths = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t i = 0; i < runs; i++)
        crash_one(&f, &log, one && *one ? strtoull(one, NULL, 0) : test_rng_next(&rng));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    const struct crash_coverage *cv = &crash_coverage;
    fprintf(stderr,
            "log_writer crash test: %llu simulated crashes, 0 acknowledged batches lost, %.1f s\n"
            "  %llu batches submitted, %llu acknowledged, %llu unacknowledged lost; %llu "
            "extensions, %llu crashes mid-extension, %llu resets, %llu runs with gaps, %llu "
            "wrapped writes, %llu waits for space\n",
            (unsigned long long)runs, seconds, (unsigned long long)cv->batches,
            (unsigned long long)cv->acked, (unsigned long long)cv->lost_unacked,
            (unsigned long long)cv->extensions, (unsigned long long)cv->crashes_mid_extension,
            (unsigned long long)cv->resets, (unsigned long long)cv->gaps,
            (unsigned long long)cv->two_iovec_writes, (unsigned long long)cv->space_waits);
    ring_fake_free(&f);
}
END_TEST

/* ---- The real thing --------------------------------------------------- */

#include "uring/ring.h"

/* Waits until every batch is durable or an error. */
static void real_sync(struct ring_uring *u, struct log_writer *w)
{
    while (!log_writer_all_durable(w) && log_writer_error(w) == 0) {
        if (log_writer_idle(w))
            log_writer_retry(w);
        ck_assert(!log_writer_idle(w));
        int ret = u->sys.calls->wait(&u->sys);
        ck_assert(ret > 0 || ret == -EINTR);
    }
    ck_assert_int_eq(log_writer_error(w), 0);
}

/* Writes batches on fd from start (tail: the partial block below it) and
 * closes cleanly; returns the position the log ends at. */
static uint64_t real_run(struct ring_uring *u, int fd, uint64_t start, const uint8_t *tail,
                         struct crash_log *log, struct test_rng *rng, uint32_t batches)
{
    struct log_writer w;
    struct log_writer_config c = {
        .fd = fd,
        .block_bytes = 4096,
        .sector_bytes = 4096,
        .start = start,
        .tail = tail,
        .buffer_bytes = 1 << 20,
        .in_flight_max = 8,
        .extend_bytes = 4 << 20,
        .dsync = true,
        .fill = test_fill,
    };
    ck_assert_int_eq(log_writer_init(&w, &u->sys, &c), 0);
    for (uint32_t i = 0; i < batches; i++) {
        crash_frame(log, rng, CRASH_BATCH_BYTES_MIN + (size_t)test_rng_below(rng, 4000));
        struct iovec iov = {log->arena + log->offset[log->count - 1], log->len[log->count - 1]};
        int ret;
        while ((ret = log_writer_submit(&w, &iov, 1, log->count)) == -EAGAIN) {
            if (log_writer_idle(&w))
                log_writer_retry(&w);
            int got = u->sys.calls->wait(&u->sys);
            ck_assert(got > 0 || got == -EINTR);
        }
        ck_assert_int_eq(ret, 0);
    }
    real_sync(u, &w);
    log_writer_drain(&w);
    ck_assert_uint_eq(log_writer_durable_token(&w), log->count);
    const struct log_writer_stats *st = log_writer_stats(&w);
    fprintf(stderr, "direct I/O: %llu batches, %llu bytes written, depth %.2f, %llu extensions\n",
            (unsigned long long)st->batches, (unsigned long long)st->bytes_written,
            st->batches ? (double)st->in_flight_sum / (double)st->batches : 0.0,
            (unsigned long long)st->extensions);
    /* A clean close: cut the padding behind the log. */
    uint64_t end = log_writer_position(&w);
    ck_assert_int_eq(ftruncate(fd, (off_t)end), 0);
    ck_assert_int_eq(fdatasync(fd), 0);
    log_writer_free(&w);
    return end;
}

START_TEST(test_real_direct_io)
{
    const char *dir = getenv("RINGKV_TEST_DIRECT_IO");
    if (dir == NULL || *dir == '\0') {
        fprintf(stderr, "test_real_direct_io: skipped (set RINGKV_TEST_DIRECT_IO=<dir> or 1)\n");
        return;
    }
    if (strcmp(dir, "1") == 0)
        dir = ".";
    struct ring_uring u;
    if (ring_uring_init_private(&u) < 0) {
        fprintf(stderr, "test_real_direct_io: skipped (no io_uring)\n");
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/ringkv-log-writer-XXXXXX", dir);
    int tmp = mkstemp(path);
    ck_assert_int_ge(tmp, 0);
    close(tmp);
    int fd = open(path, O_RDWR | O_DIRECT);
    if (fd < 0) {
        int err = errno;
        unlink(path);
        ring_uring_exit(&u);
        ck_assert_int_eq(err, EINVAL);
        fprintf(stderr, "test_real_direct_io: skipped (no O_DIRECT in %s)\n", dir);
        return;
    }
    int rd = open(path, O_RDONLY);
    ck_assert_int_ge(rd, 0);
    static struct crash_log log;
    crash_letters_init();
    struct test_rng rng;
    test_rng_init(&rng, 77);
    uint64_t end = real_run(&u, fd, 0, NULL, &log, &rng, 150);
    /* Continue after a clean close: the partial last block is the tail. */
    static uint8_t tail[4096];
    ck_assert_int_eq(pread(rd, tail, end % 4096, (off_t)(end - end % 4096)), (ssize_t)(end % 4096));
    end = real_run(&u, fd, end, tail, &log, &rng, 150);
    /* Read it back through the page cache like a loader. */
    struct stat st;
    ck_assert_int_eq(fstat(rd, &st), 0);
    ck_assert_uint_eq((uint64_t)st.st_size, end);
    uint8_t *file = malloc((size_t)st.st_size + 1);
    ck_assert_int_eq(pread(rd, file, (size_t)st.st_size, 0), st.st_size);
    ck_assert_uint_eq(crash_recover(file, (uint64_t)st.st_size, &log), log.count);
    free(file);
    close(rd);
    close(fd);
    unlink(path);
    ring_uring_exit(&u);
}
END_TEST

static Suite *log_writer_suite(void)
{
    Suite *s = suite_create("log_writer");
    TCase *tc = tcase_create("fake");
    tcase_add_test(tc, test_first_extension_rewrites_tail_block);
    tcase_add_test(tc, test_tail_block_with_one_byte_remainder);
    tcase_add_test(tc, test_batches_wait_for_prewritten_space);
    tcase_add_test(tc, test_padding_pieces_end_on_sector_boundaries);
    tcase_add_test(tc, test_one_byte_remainder_merges_into_next_sector);
    tcase_add_test(tc, test_gap_only_when_block_shared_with_write_in_flight);
    tcase_add_test(tc, test_waiting_batch_also_forces_a_gap);
    tcase_add_test(tc, test_gap_after_reset_skips_a_whole_merged_piece);
    tcase_add_test(tc, test_durable_in_submission_order);
    tcase_add_test(tc, test_failed_batch_is_sticky_and_reset_rewrites);
    tcase_add_test(tc, test_failed_extension_write_is_sticky);
    tcase_add_test(tc, test_failed_extension_fsync_is_sticky);
    tcase_add_test(tc, test_short_extension_write_continues);
    tcase_add_test(tc, test_eagain_and_emsgsize);
    tcase_add_test(tc, test_buffer_wrap_uses_two_iovecs);
    tcase_add_test(tc, test_busy_ring_parks_and_retries);
    tcase_add_test(tc, test_short_writes);
    tcase_add_test(tc, test_eintr_is_retried_then_gives_up);
    suite_add_tcase(s, tc);

    TCase *crash = tcase_create("crash");
    tcase_set_timeout(crash, 280);
    tcase_add_test(crash, test_crash_never_loses_an_acknowledged_batch);
    suite_add_tcase(s, crash);

    TCase *real = tcase_create("real");
    tcase_set_timeout(real, 60);
    tcase_add_test(real, test_real_direct_io);
    suite_add_tcase(s, real);

    TCase *misuse = tcase_create("misuse");
    tcase_add_test_raise_signal(misuse, test_block_not_power_of_two_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_unaligned_start_without_tail_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_free_with_writes_in_flight_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_decreasing_token_aborts, SIGABRT);
    suite_add_tcase(s, misuse);
    return s;
}

TEST_SUITE_MAIN(log_writer_suite)
