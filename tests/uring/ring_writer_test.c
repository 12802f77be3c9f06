/* ring_writer_test.c: the ring writer against the fake ring (uring/ring_fake.h).
 *
 * Covers coalescing, offsets, short writes, EINTR, sticky ENOSPC/EIO, link
 * cancels, out-of-order completions, everysec timing, back-pressure, reset
 * after an error and where it starts, overlapping sync ops, policy changes,
 * streaming, misuse asserts, and the crash test: thousands of random runs
 * (some changing policy) cut at a random point, checking that every byte
 * the writer called durable survives. The real kernel is exercised in ring_test.c. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>

#include "uring/ring_fake.h"
#include "uring/ring_writer.h"
#include "tests/unit.h"

#define TEST_FD 1000 /* never opened: the fake ignores fds */
#define TEST_FILE_BYTES (1 << 20)

/* The byte at file offset o in every test: checks both order and content. */
static uint8_t pattern(uint64_t salt, uint64_t o)
{
    uint64_t x = (o + salt) * 0x9E3779B97F4A7C15ull;
    x ^= x >> 29;
    return (uint8_t)(x ^ (x >> 17));
}

static void fill(uint8_t *buf, uint64_t salt, uint64_t offset, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = pattern(salt, offset + i);
}

/* Appends len pattern bytes at the writer's appended offset. */
static int append_pattern(struct ring_writer *w, uint64_t salt, size_t len)
{
    uint8_t buf[8192];
    ck_assert_uint_le(len, sizeof(buf));
    fill(buf, salt, ring_writer_appended(w), len);
    return ring_writer_append(w, buf, len);
}

static void assert_file_pattern(const struct ring_fake *f, uint64_t salt, uint64_t from, uint64_t to)
{
    uint64_t len;
    const uint8_t *file = ring_fake_file(f, &len);
    ck_assert_uint_ge(len, to);
    for (uint64_t o = from; o < to; o++) {
        if (file[o] != pattern(salt, o))
            ck_abort_msg("byte %llu differs", (unsigned long long)o);
    }
}

static struct ring_writer_config config_for(enum ring_writer_fsync policy, size_t buffer_bytes)
{
    return (struct ring_writer_config){
        .fd = TEST_FD,
        .fsync_policy = policy,
        .writes_in_flight_max = 4,
        .buffer_bytes = buffer_bytes,
    };
}

static int done_calls;
static void count_done(struct ring_writer *w)
{
    (void)w;
    done_calls++;
}

static void setup(struct ring_fake *f, struct ring_writer *w, struct ring_writer_config c)
{
    ck_assert_int_eq(ring_fake_init(f, TEST_FILE_BYTES, 1), 0);
    ck_assert_int_eq(ring_writer_init(w, &f->sys, &c), 0);
    done_calls = 0;
}

static void teardown(struct ring_fake *f, struct ring_writer *w)
{
    ring_writer_free(w);
    ring_fake_free(f);
}

START_TEST(test_appends_coalesce_into_one_write_and_fsync)
{
    struct ring_fake f;
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_ALWAYS, 65536);
    c.done = count_done;
    setup(&f, &w, c);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(append_pattern(&w, 7, 100), 0);
    ck_assert_int_eq(ring_fake_in_flight(&f), 0); /* nothing before flush */
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_in_flight(&f), 2); /* one write, one linked fsync */
    ck_assert_uint_eq(f.linked_ops, 1);
    ring_fake_run(&f);
    ck_assert_uint_eq(f.writes_run, 1);
    ck_assert_uint_eq(f.fsyncs_run, 1);
    ck_assert_uint_eq(ring_writer_durable(&w), 1000);
    ck_assert_int_ge(done_calls, 1);
    assert_file_pattern(&f, 7, 0, 1000);
    teardown(&f, &w);
}
END_TEST

START_TEST(test_offsets_advance_in_order)
{
    struct ring_fake f;
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_ALWAYS, 65536);
    c.start_offset = 500;
    setup(&f, &w, c);
    ck_assert_int_eq(append_pattern(&w, 3, 300), 0);
    ck_assert_uint_eq(ring_writer_appended(&w), 800);
    ck_assert_uint_eq(ring_writer_written(&w), 500);
    ck_assert_uint_eq(ring_writer_durable(&w), 500);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_step(&f), 1); /* the write */
    ck_assert_uint_eq(ring_writer_written(&w), 800);
    ck_assert_uint_eq(ring_writer_durable(&w), 500);
    ck_assert_int_eq(ring_fake_step(&f), 1); /* the fsync */
    ck_assert_uint_eq(ring_writer_durable(&w), 800);
    assert_file_pattern(&f, 3, 500, 800);
    ck_assert(ring_writer_idle(&w));
    teardown(&f, &w);
}
END_TEST

START_TEST(test_short_write_is_finished)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_NO, 65536));
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_SHORT, 3);
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_SHORT, 10);
    ck_assert_int_eq(append_pattern(&w, 5, 1000), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_uint_eq(f.writes_run, 3);
    ck_assert_uint_eq(ring_writer_written(&w), 1000);
    ck_assert_uint_eq(ring_writer_durable(&w), 0); /* NO: writes only */
    ck_assert_int_eq(ring_writer_error(&w), 0);
    assert_file_pattern(&f, 5, 0, 1000);
    teardown(&f, &w);
}
END_TEST

START_TEST(test_short_write_cancels_linked_fsync_then_fsyncs_after)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_ALWAYS, 65536));
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_SHORT, 100);
    ck_assert_int_eq(append_pattern(&w, 9, 1000), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_step(&f), 2); /* short write + cancelled fsync */
    ck_assert_uint_eq(f.fsyncs_run, 0);
    ck_assert_uint_eq(ring_writer_written(&w), 100);
    ck_assert_uint_eq(ring_writer_durable(&w), 0);
    ck_assert_int_eq(ring_writer_error(&w), 0);
    ring_fake_run(&f);
    ck_assert_uint_eq(f.writes_run, 2);
    /* Unlinked fsyncs follow completions: one for the 100 bytes, one for the rest. */
    ck_assert_uint_eq(f.fsyncs_run, 2);
    ck_assert_uint_eq(ring_writer_durable(&w), 1000);
    assert_file_pattern(&f, 9, 0, 1000);
    teardown(&f, &w);
}
END_TEST

START_TEST(test_eintr_is_retried)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_ALWAYS, 65536));
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_FAIL, -EINTR);
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_FAIL, -EAGAIN);
    ck_assert_int_eq(append_pattern(&w, 2, 777), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), 0);
    ck_assert_uint_eq(f.writes_run, 3);
    ck_assert_uint_eq(ring_writer_durable(&w), 777);
    assert_file_pattern(&f, 2, 0, 777);
    teardown(&f, &w);
}
END_TEST

START_TEST(test_endless_eintr_gives_up)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_NO, 65536));
    f.eintr_percent = 100;
    ck_assert_int_eq(append_pattern(&w, 2, 10), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), -EINTR);
    ck_assert_uint_eq(f.writes_run, RING_WRITER_RETRIES_MAX + 1);
    teardown(&f, &w);
}
END_TEST

START_TEST(test_enospc_is_sticky_and_reset_rewrites)
{
    struct ring_fake f;
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_ALWAYS, 65536);
    c.done = count_done;
    setup(&f, &w, c);
    ck_assert_int_eq(append_pattern(&w, 4, 400), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 400);
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_SHORT, 50);
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_FAIL, -ENOSPC);
    ck_assert_int_eq(append_pattern(&w, 4, 300), 0);
    ring_writer_flush(&w);
    int calls_before = done_calls;
    ring_fake_run(&f);
    ck_assert_int_gt(done_calls, calls_before);
    ck_assert_int_eq(ring_writer_error(&w), -ENOSPC);
    /* The 50 bytes that made it were fsynced before the error surfaced. */
    ck_assert_uint_eq(ring_writer_written(&w), 450);
    ck_assert_uint_eq(ring_writer_durable(&w), 450);
    /* Sticky: appends refused, flushes and syncs do nothing. */
    ck_assert_int_eq(append_pattern(&w, 4, 10), -ENOSPC);
    ck_assert_uint_eq(ring_writer_space(&w), 0);
    ring_writer_sync(&w);
    ck_assert_int_eq(ring_fake_in_flight(&f), 0);
    /* Recovery: cut the file, reset, and the held bytes go out again. */
    ck_assert(ring_writer_idle(&w));
    ck_assert_uint_eq(ring_writer_recover_offset(&w), 450);
    ring_fake_truncate(&f, ring_writer_recover_offset(&w));
    ck_assert_int_eq(ring_writer_reset(&w), 0);
    ck_assert_int_eq(ring_writer_error(&w), 0);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 700);
    ring_fake_crash(&f, false);
    assert_file_pattern(&f, 4, 0, 700);
    munmap(w.buffer, w.config.buffer_bytes); /* the writer died with the process */
    ring_fake_free(&f);
}
END_TEST

START_TEST(test_failed_fsync_is_never_retried)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_ALWAYS, 65536));
    ck_assert_int_eq(append_pattern(&w, 6, 100), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ring_fake_script(&f, RING_OP_FSYNC, RING_FAKE_FAIL, -EIO);
    ck_assert_int_eq(append_pattern(&w, 6, 200), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), -EIO);
    ck_assert_uint_eq(ring_writer_durable(&w), 100);
    ck_assert_uint_eq(f.fsyncs_run, 2);
    /* Later calls must not sneak in another fsync that would "succeed". */
    ring_writer_sync(&w);
    ring_writer_tick(&w, 100000);
    ck_assert_int_eq(ring_fake_in_flight(&f), 0);
    ck_assert_uint_eq(f.fsyncs_run, 2);
    /* Reset writes the lost bytes again; only then are they durable. */
    ring_fake_truncate(&f, ring_writer_recover_offset(&w));
    ck_assert_int_eq(ring_writer_reset(&w), 0);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 300);
    ring_fake_crash(&f, true);
    assert_file_pattern(&f, 6, 0, 300);
    munmap(w.buffer, w.config.buffer_bytes);
    ring_fake_free(&f);
}
END_TEST

/* ALWAYS with dsync_writes: each batch is one RWF_DSYNC write and no
 * fdatasync; what it wrote survives a crash, and a failed one is sticky
 * until reset writes the bytes again. */
START_TEST(test_dsync_writes_are_durable_alone)
{
    struct ring_fake f;
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_ALWAYS, 65536);
    c.dsync_writes = true;
    setup(&f, &w, c);
    ck_assert_int_eq(append_pattern(&w, 9, 300), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 300);
    ck_assert_uint_eq(f.fsyncs_run, 0);
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_FAIL, -EIO);
    ck_assert_int_eq(append_pattern(&w, 9, 200), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), -EIO);
    ck_assert_uint_eq(ring_writer_durable(&w), 300);
    ring_fake_truncate(&f, ring_writer_recover_offset(&w));
    ck_assert_int_eq(ring_writer_reset(&w), 0);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 500);
    ck_assert_uint_eq(f.fsyncs_run, 0);
    ring_fake_crash(&f, true);
    assert_file_pattern(&f, 9, 0, 500);
    munmap(w.buffer, w.config.buffer_bytes);
    ring_fake_free(&f);
}
END_TEST

START_TEST(test_failed_write_cancels_linked_fsync)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_ALWAYS, 65536));
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_FAIL, -EIO);
    ck_assert_int_eq(append_pattern(&w, 1, 100), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_step(&f), 2);
    ck_assert_int_eq(ring_writer_error(&w), -EIO); /* not -ECANCELED */
    ck_assert_uint_eq(f.fsyncs_run, 0);
    ck_assert_uint_eq(ring_writer_durable(&w), 0);
    ck_assert(ring_writer_idle(&w));
    teardown(&f, &w);
}
END_TEST

START_TEST(test_out_of_order_completion_leaves_a_gap)
{
    struct ring_fake f;
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_ALWAYS, 65536);
    setup(&f, &w, c);
    /* Batch 1's write is overtaken by batch 2's write and fsync. */
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_HOLD, 10);
    ck_assert_int_eq(append_pattern(&w, 8, 100), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(append_pattern(&w, 8, 100), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_step(&f), 1); /* write 2 */
    ck_assert_int_eq(ring_fake_step(&f), 1); /* fsync 2 */
    ck_assert_uint_eq(f.fsyncs_run, 1);
    ck_assert_uint_eq(ring_writer_written(&w), 0);
    ck_assert_uint_eq(ring_writer_durable(&w), 0); /* never past the gap */
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 200);
    assert_file_pattern(&f, 8, 0, 200);
    teardown(&f, &w);
}
END_TEST

START_TEST(test_delayed_write_completion_holds_durable)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_ALWAYS, 65536));
    /* The write runs but its CQE is late; the linked fsync's comes first. */
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_DELAY, 3);
    ck_assert_int_eq(append_pattern(&w, 8, 100), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_step(&f), 0);
    ck_assert_int_eq(ring_fake_step(&f), 1); /* the fsync */
    ck_assert_uint_eq(ring_writer_durable(&w), 0);
    ck_assert_uint_le(ring_writer_durable(&w), ring_writer_written(&w));
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 100);
    teardown(&f, &w);
}
END_TEST

START_TEST(test_unlinked_fsync_covers_only_completed_writes)
{
    struct ring_fake f;
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_NO, 65536);
    c.write_bytes_max = 4096;
    setup(&f, &w, c);
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_HOLD, 20);
    ck_assert_int_eq(append_pattern(&w, 11, 8000), 0);
    ck_assert_int_eq(append_pattern(&w, 11, 8000), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_in_flight(&f), 4); /* 16000 bytes in 4096-byte writes */
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(ring_fake_step(&f), 1);
    ck_assert_uint_eq(ring_writer_written(&w), 0); /* write 1 still owes its bytes */
    ring_writer_sync(&w);
    ck_assert_int_eq(ring_fake_in_flight(&f), 1); /* no fsync yet: nothing contiguous */
    ring_fake_run(&f);
    ck_assert_uint_eq(f.fsyncs_run, 1);
    ck_assert_uint_eq(ring_writer_durable(&w), 16000);
    assert_file_pattern(&f, 11, 0, 16000);
    teardown(&f, &w);
}
END_TEST

START_TEST(test_everysec_fsyncs_once_per_interval)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_EVERYSEC, 65536));
    ring_writer_tick(&w, 5000); /* nothing written: no fsync */
    ck_assert_int_eq(ring_fake_in_flight(&f), 0);
    ck_assert_int_eq(append_pattern(&w, 12, 100), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_uint_eq(f.fsyncs_run, 0);
    ck_assert_uint_eq(ring_writer_written(&w), 100);
    ring_writer_tick(&w, 5001);
    ck_assert_int_eq(ring_fake_in_flight(&f), 1);
    ck_assert_int_eq(append_pattern(&w, 12, 100), 0);
    ring_writer_flush(&w);
    ring_fake_step(&f); /* the fsync: covers the first 100 only */
    ck_assert_uint_eq(ring_writer_durable(&w), 100);
    ring_fake_run(&f);
    ring_writer_tick(&w, 5500);
    ck_assert_int_eq(ring_fake_in_flight(&f), 0); /* too soon */
    ring_writer_tick(&w, 6001);
    ck_assert_int_eq(ring_fake_in_flight(&f), 1);
    ring_writer_tick(&w, 9000); /* one in flight: never two */
    ck_assert_int_eq(ring_fake_in_flight(&f), 1);
    ring_fake_run(&f);
    ck_assert_uint_eq(f.fsyncs_run, 2);
    ck_assert_uint_eq(ring_writer_durable(&w), 200);
    teardown(&f, &w);
}
END_TEST

/* Pins inline_writes (everysec and no): a flush writes into the real file
 * with pwritev before it returns, so written (what a reply waits for under
 * these policies) advances at once, nothing goes through the ring, and a
 * failed inline write is the sticky error. The fdatasync still goes
 * through the ring. Under ALWAYS the option does nothing. */
START_TEST(test_inline_writes_are_written_before_flush_returns)
{
    char path[] = "/tmp/ringkv-inline-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    struct ring_fake f;
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_EVERYSEC, 4096);
    c.fd = fd;
    c.inline_writes = true;
    setup(&f, &w, c);
    for (int round = 0; round < 5; round++) { /* 5 x 1000 bytes wrap the 4096-byte buffer */
        ck_assert_int_eq(append_pattern(&w, (uint8_t)(round + 1), 1000), 0);
        ring_writer_flush(&w);
        ck_assert_uint_eq(ring_writer_written(&w), 1000u * (round + 1));
        if (round == 0) {
            ck_assert_int_eq(ring_fake_in_flight(&f), 0);
            ring_writer_tick(&w, 5000); /* the interval's fdatasync, on the ring */
        }
        /* Only fdatasyncs reach the ring (the buffer is freed by them). */
        for (int i = 0; i < f.entry_count; i++)
            ck_assert_int_eq(f.entries[i].op->kind, RING_OP_FSYNC);
        ring_fake_run(&f);
    }
    ck_assert_uint_ge(f.fsyncs_run, 1);
    ck_assert_uint_eq(f.writes_run, 0);
    uint8_t got[5000];
    ck_assert_int_eq(pread(fd, got, sizeof(got), 0), 5000);
    for (int round = 0; round < 5; round++) {
        uint8_t want[1000];
        fill(want, (uint64_t)(round + 1), 1000u * round, sizeof(want));
        ck_assert_int_eq(memcmp(got + 1000 * round, want, sizeof(want)), 0);
    }
    /* A failing write (the fd closed underneath) is the sticky error. */
    close(fd);
    ck_assert_int_eq(append_pattern(&w, 9, 10), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_writer_error(&w), -EBADF);
    ck_assert_uint_eq(ring_writer_written(&w), 5000);
    teardown(&f, &w);
}
END_TEST

START_TEST(test_everysec_fsyncs_early_under_buffer_pressure)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_EVERYSEC, 8192));
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(append_pattern(&w, 13, 1000), 0);
        ring_writer_flush(&w);
        ring_fake_run(&f);
    }
    ck_assert_uint_eq(f.fsyncs_run, 1); /* past half of 8192 without a tick */
    ck_assert_uint_ge(ring_writer_durable(&w), 4096);
    teardown(&f, &w);
}
END_TEST

START_TEST(test_full_buffer_pushes_back)
{
    struct ring_fake f;
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_ALWAYS, 4096);
    c.done = count_done;
    setup(&f, &w, c);
    ck_assert_int_eq(append_pattern(&w, 14, 4000), 0);
    ck_assert_uint_eq(ring_writer_space(&w), 96);
    ck_assert_int_eq(append_pattern(&w, 14, 200), -ENOBUFS);
    ck_assert_uint_eq(ring_writer_appended(&w), 4000);
    uint8_t big[5000] = {0};
    ck_assert_int_eq(ring_writer_append(&w, big, sizeof(big)), -EMSGSIZE);
    ring_writer_flush(&w);
    ring_fake_step(&f);
    ck_assert_uint_eq(ring_writer_space(&w), 96); /* written is not enough: held until durable */
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_space(&w), 4096);
    ck_assert_int_gt(done_calls, 0);
    /* This one wraps around the buffer's end: one write of two iovecs. */
    ck_assert_int_eq(append_pattern(&w, 14, 200), 0);
    ring_writer_flush(&w);
    ck_assert_uint_eq(f.entries[0].op->iov_count, 2);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 4200);
    assert_file_pattern(&f, 14, 0, 4200);
    teardown(&f, &w);
}
END_TEST

START_TEST(test_no_policy_releases_at_written)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_NO, 4096));
    ck_assert_int_eq(append_pattern(&w, 15, 4096), 0);
    ring_writer_flush(&w);
    ring_writer_tick(&w, 100000);
    ring_fake_run(&f);
    ck_assert_uint_eq(f.fsyncs_run, 0);
    ck_assert_uint_eq(ring_writer_space(&w), 4096);
    ck_assert_uint_eq(ring_writer_durable(&w), 0);
    ring_writer_sync(&w);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 4096);
    teardown(&f, &w);
}
END_TEST

START_TEST(test_busy_ring_is_retried_later)
{
    struct ring_fake f;
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_ALWAYS, 65536);
    c.write_bytes_max = 1000;
    setup(&f, &w, c);
    f.queue_limit = 3; /* one write+fsync pair, then -EBUSY */
    ck_assert_int_eq(append_pattern(&w, 16, 3000), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_in_flight(&f), 2);
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), 0);
    ck_assert_uint_eq(ring_writer_durable(&w), 3000);
    assert_file_pattern(&f, 16, 0, 3000);
    teardown(&f, &w);
}
END_TEST

START_TEST(test_streaming_keeps_several_writes_in_flight)
{
    struct ring_fake f;
    struct ring_writer w;
    ck_assert_int_eq(ring_fake_init(&f, 8 << 20, 3), 0);
    f.random_order = true;
    f.short_percent = 5;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_NO, 256 << 10);
    c.write_bytes_max = 32 << 10;
    ck_assert_int_eq(ring_writer_init(&w, &f.sys, &c), 0);
    uint8_t buf[7000];
    uint64_t total = 0;
    while (total < (6 << 20)) {
        size_t n = 1 + (size_t)(total * 7919 % sizeof(buf));
        fill(buf, 17, total, n);
        ck_assert_int_eq(ring_writer_write_all(&w, buf, n), 0);
        total += n;
    }
    ck_assert_int_eq(ring_writer_finish(&w), 0);
    ck_assert_uint_eq(ring_writer_durable(&w), total);
    ck_assert_int_ge(f.in_flight_peak, 4);
    ring_fake_crash(&f, true);
    assert_file_pattern(&f, 17, 0, total);
    teardown(&f, &w);
}
END_TEST

/* ---- Recovery offsets, overlapping sync ops, policy changes ------------- */

static uint64_t durable_max_seen;
static void track_durable(struct ring_writer *w)
{
    if (ring_writer_durable(w) > durable_max_seen)
        durable_max_seen = ring_writer_durable(w);
}

/* EVERYSEC acknowledges once bytes are written. A later write that fails
 * (no fsync failed) must not make the owner cut those bytes off: recovery
 * starts at written, not durable. */
START_TEST(test_everysec_write_error_recovers_at_written)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_EVERYSEC, 65536));
    ck_assert_int_eq(append_pattern(&w, 20, 500), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_written(&w), 500); /* acknowledged under everysec */
    ck_assert_uint_eq(ring_writer_durable(&w), 0);
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_FAIL, -ENOSPC);
    ck_assert_int_eq(append_pattern(&w, 20, 300), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), -ENOSPC);
    ck_assert_uint_eq(ring_writer_recover_offset(&w), 500);
    ring_fake_truncate(&f, ring_writer_recover_offset(&w));
    assert_file_pattern(&f, 20, 0, 500); /* the acknowledged bytes stay */
    ck_assert_int_eq(ring_writer_reset(&w), 0);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_written(&w), 800);
    ck_assert_uint_eq(f.writes_run, 3); /* only the failed bytes went out again */
    ring_writer_tick(&w, 5000);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 800);
    ring_fake_crash(&f, true);
    assert_file_pattern(&f, 20, 0, 800);
    teardown(&f, &w);
}
END_TEST

/* Two RWF_DSYNC writes in flight: D2 runs first and fails (its sync may
 * have consumed a writeback error of D1's pages), but the failure is
 * reported after D1's success. D1 must not count as durable, and recovery
 * goes back to durable as after a failed fsync, not to written. */
START_TEST(test_failed_dsync_write_voids_overlapping_success)
{
    struct ring_fake f;
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_ALWAYS, 65536);
    c.dsync_writes = true;
    c.write_bytes_max = 100;
    c.done = track_durable;
    setup(&f, &w, c);
    durable_max_seen = 0;
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_HOLD, 5);               /* D1 */
    ring_fake_script_late(&f, RING_OP_WRITE, RING_FAKE_FAIL, -EIO, 3);  /* D2 */
    ck_assert_int_eq(append_pattern(&w, 21, 200), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_in_flight(&f), 2);
    ck_assert_int_eq(ring_fake_step(&f), 0); /* D2 fails now, reported later */
    ck_assert_int_eq(ring_fake_step(&f), 1); /* D1 succeeds first */
    ck_assert_uint_eq(ring_writer_written(&w), 100);
    ck_assert_uint_eq(ring_writer_durable(&w), 0); /* D2 overlapped it: wait */
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), -EIO);
    ck_assert_uint_eq(durable_max_seen, 0);
    ck_assert_uint_eq(ring_writer_recover_offset(&w), 0); /* like a failed fsync */
    ring_fake_truncate(&f, ring_writer_recover_offset(&w));
    ck_assert_int_eq(ring_writer_reset(&w), 0);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 200);
    ring_fake_crash(&f, true);
    assert_file_pattern(&f, 21, 0, 200);
    teardown(&f, &w);
}
END_TEST

/* Queues F1 (linked behind W1, covering A = [0,100)) and F2 (linked behind
 * W2, queued after W1 completed: covers A and B = [100,200)), with F1 held
 * so that F2 runs first; F2 gets `fault2` on the fsync kind. */
static void overlap_two_fsyncs(struct ring_fake *f, struct ring_writer *w, uint64_t salt,
                               enum ring_fake_action action2, int value2, int late2)
{
    ring_fake_script(f, RING_OP_FSYNC, RING_FAKE_HOLD, 10); /* F1 */
    ck_assert_int_eq(append_pattern(w, salt, 100), 0);
    ring_writer_flush(w);
    ck_assert_int_eq(ring_fake_step(f), 1); /* W1 */
    ck_assert_uint_eq(ring_writer_written(w), 100);
    if (action2 == RING_FAKE_DELAY)
        ring_fake_script(f, RING_OP_FSYNC, RING_FAKE_DELAY, value2);
    else
        ring_fake_script_late(f, RING_OP_FSYNC, action2, value2, late2);
    ck_assert_int_eq(append_pattern(w, salt, 100), 0);
    ring_writer_flush(w);
    ck_assert_int_eq(ring_fake_step(f), 1); /* W2 */
    ck_assert_int_eq(ring_fake_step(f), 0); /* F2 runs; its completion comes later */
    ck_assert_int_eq(ring_fake_step(f), 1); /* F1 runs (finds nothing dirty) and completes */
    ck_assert_int_eq(ring_fake_in_flight(f), 1);
}

/* errseq: F2 got the EIO for a page of A, F1 returned 0 although that page
 * never reached the disk. F1's success must not be credited; after a reset
 * A is written again. */
START_TEST(test_overlapping_fsync_failure_voids_earlier_success)
{
    struct ring_fake f;
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_ALWAYS, 65536);
    c.done = track_durable;
    setup(&f, &w, c);
    durable_max_seen = 0;
    overlap_two_fsyncs(&f, &w, 22, RING_FAKE_FAIL, -EIO, 3);
    ck_assert_uint_eq(ring_writer_durable(&w), 0); /* F2 still in flight */
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), -EIO);
    ck_assert_uint_eq(durable_max_seen, 0);
    ck_assert_uint_eq(ring_writer_durable(&w), 0);
    ck_assert_uint_eq(ring_writer_recover_offset(&w), 0);
    uint64_t writes_before = f.writes_run;
    ring_fake_truncate(&f, ring_writer_recover_offset(&w));
    ck_assert_int_eq(ring_writer_reset(&w), 0);
    ring_fake_run(&f);
    ck_assert_uint_gt(f.writes_run, writes_before); /* A and B written again */
    ck_assert_uint_eq(ring_writer_durable(&w), 200);
    ring_fake_crash(&f, true);
    assert_file_pattern(&f, 22, 0, 200);
    teardown(&f, &w);
}
END_TEST

/* The same overlap without an error: F1's success waits for F2, and once
 * both completed everything is durable, with no extra fsync. */
START_TEST(test_overlapping_fsyncs_both_succeeding_make_everything_durable)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_ALWAYS, 65536));
    overlap_two_fsyncs(&f, &w, 23, RING_FAKE_DELAY, 3, 0);
    ck_assert_uint_eq(ring_writer_durable(&w), 0); /* F1 waits for F2 */
    ck_assert_int_eq(ring_fake_in_flight(&f), 1); /* no fsync for what F1 proved */
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), 0);
    ck_assert_uint_eq(ring_writer_durable(&w), ring_writer_appended(&w));
    ck_assert_uint_eq(f.fsyncs_run, 2);
    ck_assert(ring_writer_idle(&w));
    ring_fake_crash(&f, true);
    assert_file_pattern(&f, 23, 0, 200);
    teardown(&f, &w);
}
END_TEST

/* One held fsync keeps every later success waiting; the waiting credits stay
 * within their bound, and all are credited once it completes. */
START_TEST(test_held_fsync_keeps_later_credits_bounded)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_ALWAYS, 65536));
    ring_fake_script(&f, RING_OP_FSYNC, RING_FAKE_HOLD, 1000);
    for (int i = 0; i < 3 * RING_WRITER_CREDITS_MAX; i++) {
        ck_assert_int_eq(append_pattern(&w, 24, 10), 0);
        ring_writer_flush(&w);
        ck_assert_int_eq(ring_fake_step(&f), 1); /* the write */
        if (i > 0)
            ck_assert_int_eq(ring_fake_step(&f), 1); /* its linked fsync */
        ck_assert_uint_le(w.credit_count, RING_WRITER_CREDITS_MAX);
        ck_assert_uint_eq(ring_writer_durable(&w), 0);
    }
    ck_assert_int_eq(ring_fake_in_flight(&f), 1); /* the held fsync */
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), 0);
    ck_assert_uint_eq(ring_writer_durable(&w), ring_writer_appended(&w));
    ck_assert_uint_eq(f.fsyncs_run, 3 * RING_WRITER_CREDITS_MAX);
    ck_assert_uint_eq(w.credit_count, 0);
    teardown(&f, &w);
}
END_TEST

/* The owner switches appendfsync while the disk is failing: the writer
 * keeps its error, and after the reset it runs under the new policy. */
START_TEST(test_set_policy_everysec_to_always_while_failed)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_EVERYSEC, 65536));
    ck_assert_int_eq(append_pattern(&w, 25, 500), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_FAIL, -ENOSPC);
    ck_assert_int_eq(append_pattern(&w, 25, 300), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), -ENOSPC);
    ck_assert(ring_writer_idle(&w));
    ring_writer_set_policy(&w, RING_WRITER_FSYNC_ALWAYS);
    ck_assert_int_eq(ring_writer_error(&w), -ENOSPC); /* still sticky */
    ck_assert_int_eq(ring_fake_in_flight(&f), 0);
    ck_assert_uint_eq(f.fsyncs_run, 0);
    ring_fake_truncate(&f, ring_writer_recover_offset(&w));
    ck_assert_int_eq(ring_writer_reset(&w), 0);
    ring_fake_run(&f);
    ck_assert_uint_ge(f.fsyncs_run, 1);
    ck_assert_uint_eq(ring_writer_durable(&w), 800);
    /* Later flushes are group commits: a write and its linked fdatasync. */
    uint64_t linked_before = f.linked_ops;
    ck_assert_int_eq(append_pattern(&w, 25, 100), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_in_flight(&f), 2);
    ck_assert_uint_eq(f.linked_ops, linked_before + 1);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 900);
    ring_fake_crash(&f, true);
    assert_file_pattern(&f, 25, 0, 900);
    teardown(&f, &w);
}
END_TEST

/* NO released the written bytes and later appends reused their buffer
 * space. After a switch to ALWAYS whose fsync fails, those bytes cannot be
 * written again: reset refuses instead of writing stale buffer bytes. */
START_TEST(test_set_policy_no_to_always_refuses_released_bytes)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_NO, 4096));
    ck_assert_int_eq(append_pattern(&w, 26, 4096), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_written(&w), 4096);
    ck_assert_uint_eq(ring_writer_space(&w), 4096); /* released once written */
    ck_assert_int_eq(append_pattern(&w, 26, 1000), 0); /* overwrites released bytes */
    ring_fake_script(&f, RING_OP_FSYNC, RING_FAKE_FAIL, -EIO);
    ring_writer_set_policy(&w, RING_WRITER_FSYNC_ALWAYS);
    ck_assert_int_eq(ring_fake_in_flight(&f), 1); /* an fsync for the written bytes */
    ck_assert_uint_eq(ring_writer_space(&w), 4096 - 1000); /* released never goes back */
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), -EIO);
    ck_assert_uint_eq(ring_writer_durable(&w), 0);
    ck_assert_uint_eq(ring_writer_recover_offset(&w), 0);
    uint64_t writes_before = f.writes_run;
    ck_assert_int_eq(ring_writer_reset(&w), -EIO);
    ck_assert_int_eq(ring_writer_error(&w), -EIO);
    ck_assert_int_eq(ring_fake_in_flight(&f), 0);
    ck_assert_uint_eq(f.writes_run, writes_before);
    assert_file_pattern(&f, 26, 0, 5096); /* nothing stale was written */
    teardown(&f, &w);
}
END_TEST

/* A switch with a group commit in flight; from then on tick() fsyncs. */
START_TEST(test_set_policy_always_to_everysec_ticks)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_ALWAYS, 65536));
    ck_assert_int_eq(append_pattern(&w, 27, 100), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_in_flight(&f), 2);
    ring_writer_set_policy(&w, RING_WRITER_FSYNC_EVERYSEC);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 100); /* the linked fsync still counts */
    ck_assert_int_eq(append_pattern(&w, 27, 100), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_in_flight(&f), 1); /* a write alone */
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_written(&w), 200);
    ck_assert_uint_eq(ring_writer_durable(&w), 100);
    ck_assert_uint_eq(f.fsyncs_run, 1);
    ring_writer_tick(&w, 5000);
    ck_assert_int_eq(ring_fake_in_flight(&f), 1);
    ring_fake_run(&f);
    ck_assert_uint_eq(f.fsyncs_run, 2);
    ck_assert_uint_eq(ring_writer_durable(&w), 200);
    teardown(&f, &w);
}
END_TEST

/* To NO: bytes held until durable are released once written. */
START_TEST(test_set_policy_always_to_no_releases_written_bytes)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_ALWAYS, 4096));
    ck_assert_int_eq(append_pattern(&w, 28, 4000), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_step(&f), 1); /* the write; its fsync waits */
    ck_assert_uint_eq(ring_writer_space(&w), 96);
    ring_writer_set_policy(&w, RING_WRITER_FSYNC_NO);
    ck_assert_uint_eq(ring_writer_space(&w), 4096);
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 4000);
    ck_assert_int_eq(append_pattern(&w, 28, 1000), 0);
    ring_writer_flush(&w);
    ck_assert_int_eq(ring_fake_in_flight(&f), 1); /* no fsync under NO */
    ring_fake_run(&f);
    ck_assert_uint_eq(ring_writer_durable(&w), 4000);
    assert_file_pattern(&f, 28, 0, 5000);
    teardown(&f, &w);
}
END_TEST

/* NO after a failed write: the page cache has every byte below written, so
 * the reset rewrites from there. */
START_TEST(test_no_policy_write_error_rewrites_from_written)
{
    struct ring_fake f;
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_NO, 4096);
    c.write_bytes_max = 1000;
    setup(&f, &w, c);
    ck_assert_int_eq(append_pattern(&w, 29, 1000), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ring_fake_script(&f, RING_OP_WRITE, RING_FAKE_FAIL, -ENOSPC);
    ck_assert_int_eq(append_pattern(&w, 29, 1000), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), -ENOSPC);
    ck_assert_uint_eq(ring_writer_recover_offset(&w), 1000);
    ring_fake_truncate(&f, ring_writer_recover_offset(&w));
    ck_assert_int_eq(ring_writer_reset(&w), 0);
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), 0);
    ck_assert_uint_eq(ring_writer_written(&w), 2000);
    ck_assert_uint_eq(f.writes_run, 3);
    assert_file_pattern(&f, 29, 0, 2000);
    teardown(&f, &w);
}
END_TEST

/* NO after a failed fsync: the bytes above durable may be gone from the
 * page cache and the buffer released them, so the reset refuses. */
START_TEST(test_no_policy_fsync_error_refuses_reset)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_NO, 4096));
    ck_assert_int_eq(append_pattern(&w, 30, 1000), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ring_fake_script(&f, RING_OP_FSYNC, RING_FAKE_FAIL, -EIO);
    ring_writer_sync(&w);
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), -EIO);
    ck_assert_uint_eq(ring_writer_recover_offset(&w), 0);
    ck_assert_int_eq(ring_writer_reset(&w), -EIO);
    ck_assert_int_eq(ring_writer_error(&w), -EIO);
    ck_assert_int_eq(ring_fake_in_flight(&f), 0);
    teardown(&f, &w);
}
END_TEST

/* After an error reset cannot fix (NO, failed fsync), the owner moves the
 * same writer to a fresh file: the error and the dropped bytes are gone,
 * nothing is allocated, and the new file fills from offset 0 under the
 * writer's policy. */
START_TEST(test_restart_on_new_file_after_unrecoverable_error)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_NO, 4096));
    ck_assert_int_eq(append_pattern(&w, 30, 1000), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ring_fake_script(&f, RING_OP_FSYNC, RING_FAKE_FAIL, -EIO);
    ring_writer_sync(&w);
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_reset(&w), -EIO);
    uint8_t *buffer = w.buffer;
    ring_fake_truncate(&f, 0); /* the owner's new (empty) file */
    ring_writer_restart(&w, TEST_FD, 0);
    ck_assert_ptr_eq(w.buffer, buffer);
    ck_assert_int_eq(ring_writer_error(&w), 0);
    ck_assert_uint_eq(ring_writer_appended(&w), 0);
    ck_assert_uint_eq(ring_writer_space(&w), 4096);
    ring_writer_set_policy(&w, RING_WRITER_FSYNC_ALWAYS);
    ck_assert_int_eq(append_pattern(&w, 31, 700), 0);
    ring_writer_flush(&w);
    ring_fake_run(&f);
    ck_assert_int_eq(ring_writer_error(&w), 0);
    ck_assert_uint_eq(ring_writer_durable(&w), 700);
    assert_file_pattern(&f, 31, 0, 700);
    teardown(&f, &w);
}
END_TEST

/* ---- The crash test ---------------------------------------------------- */

struct crash_run {
    struct ring_fake fake;
    struct ring_writer writer;
    uint64_t salt;
    uint64_t now_ms;
    uint64_t durable_seen; /* largest durable offset done() observed */
    unsigned seed;
    bool policy_changes; /* ring_writer_set_policy among the actions */
    bool was_no;         /* ran under NO at some point: bytes may be released */
    bool dead; /* the writer could not recover: only a rebuild would help */
};

static struct crash_run *crash_current;

static void crash_done(struct ring_writer *w)
{
    uint64_t durable = ring_writer_durable(w);
    ck_assert_uint_le(durable, ring_writer_written(w));
    ck_assert_uint_le(ring_writer_written(w), ring_writer_appended(w));
    ck_assert_uint_ge(durable, crash_current->durable_seen);
    crash_current->durable_seen = durable;
}

static uint64_t crash_random(struct crash_run *r)
{
    return (uint64_t)random() ^ ((uint64_t)random() << 31) ^ (r->salt << 7);
}

static void crash_configure(struct crash_run *r, unsigned seed, bool policy_changes)
{
    memset(r, 0, sizeof(*r));
    srandom(seed);
    r->seed = seed;
    r->policy_changes = policy_changes;
    r->salt = (uint64_t)random();
    ck_assert_int_eq(ring_fake_init(&r->fake, 1 << 20, r->salt | 1), 0);
    r->fake.random_order = random() % 4 != 0;
    r->fake.short_percent = (uint32_t)(random() % 20);
    r->fake.eintr_percent = (uint32_t)(random() % 6);
    r->fake.delay_percent = (uint32_t)(random() % 25);
    static const enum ring_writer_fsync policies[] = {
        RING_WRITER_FSYNC_ALWAYS, RING_WRITER_FSYNC_ALWAYS, RING_WRITER_FSYNC_EVERYSEC,
        RING_WRITER_FSYNC_NO};
    struct ring_writer_config c = {
        .fd = TEST_FD,
        .start_offset = random() % 2 ? 0 : (uint64_t)(random() % 5000),
        .fsync_policy = policies[random() % 4],
        .writes_in_flight_max = 1 + (uint32_t)(random() % 8),
        .buffer_bytes = 4096 + (size_t)(random() % 60000),
        .fsync_interval_ms = 1000,
        .done = crash_done,
    };
    c.write_bytes_max = random() % 2 ? 0 : 512 + (size_t)(random() % (c.buffer_bytes - 512));
    c.dsync_writes = random() % 2; /* ALWAYS: RWF_DSYNC writes instead of linked fsyncs */
    /* The file before the writer's start offset is durable content. */
    for (uint64_t o = 0; o < c.start_offset; o++)
        r->fake.cache[o] = r->fake.disk[o] = pattern(r->salt, o);
    r->fake.cache_len = r->fake.disk_len = c.start_offset;
    ck_assert_int_eq(ring_writer_init(&r->writer, &r->fake.sys, &c), 0);
    r->was_no = c.fsync_policy == RING_WRITER_FSYNC_NO;
    r->durable_seen = c.start_offset;
    r->now_ms = 1;
    crash_current = r;
}

/* After an error: wait for what is in flight, cut the file, go on. Returns
 * false when the writer cannot go on (a failed fsync after running under
 * NO, which released the bytes). */
static bool crash_recover(struct crash_run *r)
{
    ring_fake_run(&r->fake);
    ck_assert(ring_writer_idle(&r->writer));
    ring_fake_truncate(&r->fake, ring_writer_recover_offset(&r->writer));
    if (ring_writer_reset(&r->writer) == 0)
        return true;
    ck_assert(r->was_no);
    r->dead = true;
    return false;
}

/* The owner changes appendfsync at any moment, errors and ops in flight
 * included. Draws no random number unless the run has policy changes, so
 * the other runs keep their sequences. */
static void crash_maybe_set_policy(struct crash_run *r)
{
    if (!r->policy_changes || crash_random(r) % 40 != 0)
        return;
    static const enum ring_writer_fsync policies[] = {
        RING_WRITER_FSYNC_ALWAYS, RING_WRITER_FSYNC_EVERYSEC, RING_WRITER_FSYNC_NO};
    enum ring_writer_fsync policy = policies[crash_random(r) % 3];
    r->was_no = r->was_no || policy == RING_WRITER_FSYNC_NO;
    ring_writer_set_policy(&r->writer, policy);
}

static void crash_action(struct crash_run *r)
{
    struct ring_writer *w = &r->writer;
    crash_maybe_set_policy(r);
    uint64_t roll = crash_random(r) % 100;
    if (ring_writer_error(w) && roll < 30) {
        if (!crash_recover(r))
            return;
    } else if (roll < 40) {
        size_t len = 1 + (size_t)(crash_random(r) % 3000);
        int ret = append_pattern(w, r->salt, len);
        ck_assert(ret == 0 || ret == -ENOBUFS || ret == -EMSGSIZE || ret == ring_writer_error(w));
    } else if (roll < 55) {
        ring_writer_flush(w);
    } else if (roll < 58) {
        ring_writer_sync(w);
    } else if (roll < 65) {
        r->now_ms += crash_random(r) % 700;
        ring_writer_tick(w, r->now_ms);
    } else if (roll < 67) {
        /* A disk that fails now and then. */
        static const int errors[] = {-EIO, -ENOSPC};
        enum ring_op_kind kind = crash_random(r) % 2 ? RING_OP_WRITE : RING_OP_FSYNC;
        if (kind == RING_OP_WRITE || r->fake.script_count == 0)
            ring_fake_script(&r->fake, kind, RING_FAKE_FAIL, errors[crash_random(r) % 2]);
    } else {
        int steps = (int)(crash_random(r) % 4);
        for (int i = 0; i < steps; i++)
            ring_fake_step(&r->fake);
    }
    ck_assert_uint_le(ring_writer_durable(w), ring_writer_written(w));
    ck_assert_uint_le(ring_writer_written(w), ring_writer_appended(w));
}

static void crash_check(struct crash_run *r, uint64_t durable)
{
    uint64_t len;
    const uint8_t *file = ring_fake_file(&r->fake, &len);
    if (len < durable)
        ck_abort_msg("seed %u: recovered %llu bytes, %llu were durable", r->seed,
                     (unsigned long long)len, (unsigned long long)durable);
    for (uint64_t o = 0; o < durable; o++) {
        if (file[o] != pattern(r->salt, o))
            ck_abort_msg("seed %u: durable byte %llu of %llu lost", r->seed,
                         (unsigned long long)o, (unsigned long long)durable);
    }
}

/* Runs random work, crashes at a random point, checks recovery. When
 * `finish` is set the run first drains to the end to check progress too. */
static void crash_once(unsigned seed, bool finish, bool policy_changes)
{
    struct crash_run r;
    crash_configure(&r, seed, policy_changes);
    int actions = 1 + (int)(crash_random(&r) % 400);
    for (int i = 0; i < actions && !r.dead && ring_writer_appended(&r.writer) < (1 << 20) - 100000;
         i++)
        crash_action(&r);
    if (finish && !r.dead) {
        r.fake.script_count = 0;
        for (int round = 0; round < 4 && ring_writer_durable(&r.writer) < ring_writer_appended(&r.writer);
             round++) {
            if (ring_writer_error(&r.writer) && !crash_recover(&r))
                break;
            ring_writer_sync(&r.writer);
            ring_fake_run(&r.fake);
        }
        if (!r.dead) {
            ck_assert_int_eq(ring_writer_error(&r.writer), 0);
            ck_assert_uint_eq(ring_writer_durable(&r.writer), ring_writer_appended(&r.writer));
        }
    }
    uint64_t durable = ring_writer_durable(&r.writer);
    ck_assert_uint_eq(durable, r.durable_seen > durable ? r.durable_seen : durable);
    ring_fake_crash(&r.fake, crash_random(&r) % 2);
    crash_check(&r, durable);
    munmap(r.writer.buffer, r.writer.config.buffer_bytes); /* the writer died with the process: no orderly free */
    ring_fake_free(&r.fake);
}

START_TEST(test_crash_keeps_every_durable_byte)
{
    for (unsigned seed = 1; seed <= 3000; seed++)
        crash_once(seed, false, false);
}
END_TEST

START_TEST(test_crash_after_finishing_keeps_everything)
{
    for (unsigned seed = 5001; seed <= 6000; seed++)
        crash_once(seed, true, false);
}
END_TEST

START_TEST(test_crash_with_policy_changes_keeps_every_durable_byte)
{
    for (unsigned seed = 7001; seed <= 9000; seed++)
        crash_once(seed, seed % 2 == 0, true);
}
END_TEST

/* ---- Misuse ------------------------------------------------------------ */

START_TEST(test_reset_without_error_aborts)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_ALWAYS, 65536));
    ring_writer_reset(&w);
}
END_TEST

START_TEST(test_free_with_ops_in_flight_aborts)
{
    struct ring_fake f;
    struct ring_writer w;
    setup(&f, &w, config_for(RING_WRITER_FSYNC_ALWAYS, 65536));
    ck_assert_int_eq(append_pattern(&w, 1, 10), 0);
    ring_writer_flush(&w);
    ring_writer_free(&w);
}
END_TEST

START_TEST(test_too_many_writes_in_flight_aborts)
{
    struct ring_fake f;
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_ALWAYS, 65536);
    c.writes_in_flight_max = RING_WRITER_WRITES_IN_FLIGHT_MAX + 1;
    setup(&f, &w, c);
}
END_TEST

START_TEST(test_append_mode_fd_aborts)
{
    struct ring_fake f;
    struct ring_writer w;
    char path[] = "/tmp/ringkv-writer-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    ck_assert_int_eq(fcntl(fd, F_SETFL, O_APPEND), 0);
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_ALWAYS, 65536);
    c.fd = fd;
    setup(&f, &w, c);
}
END_TEST

START_TEST(test_streaming_on_a_borrowed_ring_aborts)
{
    struct ring_uring u;
    struct io_uring ring; /* never initialized: the assert fires first */
    ring_uring_init_borrowed(&u, &ring);
    struct ring_writer w;
    struct ring_writer_config c = config_for(RING_WRITER_FSYNC_NO, 4096);
    ck_assert_int_eq(ring_writer_init(&w, &u.sys, &c), 0);
    ring_writer_finish(&w);
}
END_TEST

static Suite *writer_suite(void)
{
    Suite *s = suite_create("writer");
    TCase *tc = tcase_create("fake");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_appends_coalesce_into_one_write_and_fsync);
    tcase_add_test(tc, test_offsets_advance_in_order);
    tcase_add_test(tc, test_short_write_is_finished);
    tcase_add_test(tc, test_short_write_cancels_linked_fsync_then_fsyncs_after);
    tcase_add_test(tc, test_eintr_is_retried);
    tcase_add_test(tc, test_endless_eintr_gives_up);
    tcase_add_test(tc, test_enospc_is_sticky_and_reset_rewrites);
    tcase_add_test(tc, test_failed_fsync_is_never_retried);
    tcase_add_test(tc, test_failed_write_cancels_linked_fsync);
    tcase_add_test(tc, test_dsync_writes_are_durable_alone);
    tcase_add_test(tc, test_out_of_order_completion_leaves_a_gap);
    tcase_add_test(tc, test_delayed_write_completion_holds_durable);
    tcase_add_test(tc, test_unlinked_fsync_covers_only_completed_writes);
    tcase_add_test(tc, test_everysec_fsyncs_once_per_interval);
    tcase_add_test(tc, test_inline_writes_are_written_before_flush_returns);
    tcase_add_test(tc, test_everysec_fsyncs_early_under_buffer_pressure);
    tcase_add_test(tc, test_full_buffer_pushes_back);
    tcase_add_test(tc, test_no_policy_releases_at_written);
    tcase_add_test(tc, test_busy_ring_is_retried_later);
    tcase_add_test(tc, test_streaming_keeps_several_writes_in_flight);
    tcase_add_test(tc, test_everysec_write_error_recovers_at_written);
    tcase_add_test(tc, test_failed_dsync_write_voids_overlapping_success);
    tcase_add_test(tc, test_overlapping_fsync_failure_voids_earlier_success);
    tcase_add_test(tc, test_overlapping_fsyncs_both_succeeding_make_everything_durable);
    tcase_add_test(tc, test_held_fsync_keeps_later_credits_bounded);
    tcase_add_test(tc, test_set_policy_everysec_to_always_while_failed);
    tcase_add_test(tc, test_set_policy_no_to_always_refuses_released_bytes);
    tcase_add_test(tc, test_set_policy_always_to_everysec_ticks);
    tcase_add_test(tc, test_set_policy_always_to_no_releases_written_bytes);
    tcase_add_test(tc, test_no_policy_write_error_rewrites_from_written);
    tcase_add_test(tc, test_no_policy_fsync_error_refuses_reset);
    tcase_add_test(tc, test_restart_on_new_file_after_unrecoverable_error);
    suite_add_tcase(s, tc);

    TCase *crash = tcase_create("crash");
    tcase_set_timeout(crash, 280);
    tcase_add_test(crash, test_crash_keeps_every_durable_byte);
    tcase_add_test(crash, test_crash_after_finishing_keeps_everything);
    tcase_add_test(crash, test_crash_with_policy_changes_keeps_every_durable_byte);
    suite_add_tcase(s, crash);

    TCase *misuse = tcase_create("misuse");
    tcase_add_test_raise_signal(misuse, test_reset_without_error_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_free_with_ops_in_flight_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_too_many_writes_in_flight_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_append_mode_fd_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_streaming_on_a_borrowed_ring_aborts, SIGABRT);
    suite_add_tcase(s, misuse);
    return s;
}

TEST_SUITE_MAIN(writer_suite)
