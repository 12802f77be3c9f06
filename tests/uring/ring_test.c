/* ring_test.c: the ring writer on the real kernel (io_uring, a tmp file).
 *
 * Covers a private ring (ALWAYS: write + linked fdatasync, read back), policy
 * changes with ops in flight, a borrowed ring whose owner routes tagged CQEs
 * to ring_complete() next to its own untagged ones, and the streaming writer
 * on a 64 MB file with several writes in flight. Exits 77 (skip) when io_uring is unavailable. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uring/ring.h"
#include "uring/ring_writer.h"
#include "tests/unit.h"

static uint8_t pattern(uint64_t o)
{
    uint64_t x = (o + 12345) * 0x9E3779B97F4A7C15ull;
    return (uint8_t)(x >> 37);
}

static int tmp_file(void)
{
    char path[] = "/tmp/ringkv-ring-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    return fd;
}

static void assert_file(int fd, uint64_t len)
{
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    ck_assert_uint_eq((uint64_t)st.st_size, len);
    static uint8_t buf[1 << 16];
    for (uint64_t off = 0; off < len;) {
        ssize_t n = pread(fd, buf, sizeof(buf), (off_t)off);
        ck_assert_int_gt(n, 0);
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != pattern(off + (uint64_t)i))
                ck_abort_msg("byte %llu differs", (unsigned long long)(off + (uint64_t)i));
        }
        off += (uint64_t)n;
    }
}

static void append_pattern(struct ring_writer *w, size_t len)
{
    uint8_t buf[4096];
    ck_assert_uint_le(len, sizeof(buf));
    for (size_t i = 0; i < len; i++)
        buf[i] = pattern(ring_writer_appended(w) + i);
    ck_assert_int_eq(ring_writer_append(w, buf, len), 0);
}

START_TEST(test_private_ring_always)
{
    struct ring_uring u;
    ck_assert_int_eq(ring_uring_init_private(&u), 0);
    int fd = tmp_file();
    struct ring_writer w;
    struct ring_writer_config c = {
        .fd = fd, .fsync_policy = RING_WRITER_FSYNC_ALWAYS, .writes_in_flight_max = 4,
        .buffer_bytes = 1 << 16};
    ck_assert_int_eq(ring_writer_init(&w, &u.sys, &c), 0);
    for (int batch = 0; batch < 50; batch++) {
        for (int i = 0; i < 5; i++)
            append_pattern(&w, 1 + (size_t)(batch * 37 + i * 101) % 900);
        ring_writer_flush(&w);
        /* Several batches in flight at once before waiting. */
        if (batch % 5 == 4) {
            while (ring_writer_durable(&w) < ring_writer_appended(&w))
                ck_assert_int_ge(u.sys.calls->wait(&u.sys), 0);
        }
    }
    ck_assert_int_eq(ring_writer_finish(&w), 0);
    ck_assert_uint_eq(ring_writer_durable(&w), ring_writer_appended(&w));
    assert_file(fd, ring_writer_appended(&w));
    ring_writer_free(&w);
    ring_uring_exit(&u);
    close(fd);
}
END_TEST

/* Policy changes on the real kernel with writes in flight: ALWAYS (with
 * RWF_DSYNC writes), NO and EVERYSEC in turn. The file stays whole and ends
 * fully durable. */
START_TEST(test_private_ring_policy_changes)
{
    struct ring_uring u;
    ck_assert_int_eq(ring_uring_init_private(&u), 0);
    int fd = tmp_file();
    struct ring_writer w;
    struct ring_writer_config c = {
        .fd = fd, .fsync_policy = RING_WRITER_FSYNC_EVERYSEC, .writes_in_flight_max = 4,
        .buffer_bytes = 1 << 16, .write_bytes_max = 4096, .dsync_writes = true};
    ck_assert_int_eq(ring_writer_init(&w, &u.sys, &c), 0);
    static const enum ring_writer_fsync cycle[] = {
        RING_WRITER_FSYNC_ALWAYS, RING_WRITER_FSYNC_NO, RING_WRITER_FSYNC_EVERYSEC};
    uint64_t now_ms = 1000;
    for (int batch = 0; batch < 60; batch++) {
        while (ring_writer_space(&w) < 4000) {
            ck_assert_int_ge(u.sys.calls->wait(&u.sys), 0);
            ring_writer_tick(&w, now_ms += 400);
        }
        append_pattern(&w, 1 + (size_t)(batch * 53) % 4000);
        ring_writer_flush(&w);
        if (batch % 4 == 3)
            ring_writer_set_policy(&w, cycle[(batch / 4) % 3]); /* with ops in flight */
        ring_writer_tick(&w, now_ms += 400);
    }
    ring_writer_set_policy(&w, RING_WRITER_FSYNC_ALWAYS);
    ck_assert_int_eq(ring_writer_finish(&w), 0);
    ck_assert_int_eq(ring_writer_error(&w), 0);
    ck_assert_uint_eq(ring_writer_durable(&w), ring_writer_appended(&w));
    assert_file(fd, ring_writer_appended(&w));
    ring_writer_free(&w);
    ring_uring_exit(&u);
    close(fd);
}
END_TEST

/* The owner's own op: untagged user_data, as net/wire/loop.c's ops are. */
struct owner_op {
    int completions;
};

/* One event-loop iteration as net/wire/loop.c runs it: queue an op of the
 * owner's own, submit, wait, route each CQE by its tag. */
static void loop_iteration(struct io_uring *ring, struct owner_op *nop_op)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    ck_assert_ptr_nonnull(sqe);
    io_uring_prep_nop(sqe);
    io_uring_sqe_set_data(sqe, nop_op);
    ck_assert_int_ge(io_uring_submit_and_wait(ring, 1), 0);
    unsigned head, seen = 0;
    struct io_uring_cqe *cqe;
    io_uring_for_each_cqe(ring, head, cqe) {
        if (ring_owns_cqe(cqe))
            ring_complete(cqe);
        else
            ((struct owner_op *)io_uring_cqe_get_data(cqe))->completions++;
        seen++;
    }
    io_uring_cq_advance(ring, seen);
}

START_TEST(test_borrowed_ring_routes_tagged_completions)
{
    struct io_uring ring;
    ck_assert_int_eq(io_uring_queue_init(32, &ring, 0), 0);
    struct ring_uring u;
    ring_uring_init_borrowed(&u, &ring);
    ck_assert_ptr_null(u.sys.calls->wait);
    int fd = tmp_file();
    struct ring_writer w;
    struct ring_writer_config c = {
        .fd = fd, .start_offset = 0, .fsync_policy = RING_WRITER_FSYNC_EVERYSEC,
        .writes_in_flight_max = 2, .buffer_bytes = 8192};
    ck_assert_int_eq(ring_writer_init(&w, &u.sys, &c), 0);
    struct owner_op nop_op = {0};
    uint64_t now_ms = 10000;
    for (int round = 0; round < 40; round++) {
        /* Back-pressure: run loop iterations until the append fits. */
        while (ring_writer_space(&w) < 700) {
            loop_iteration(&ring, &nop_op);
            now_ms += 300;
            ring_writer_tick(&w, now_ms);
        }
        append_pattern(&w, 700);
        ring_writer_flush(&w);
        loop_iteration(&ring, &nop_op);
        now_ms += 300;
        ring_writer_tick(&w, now_ms);
    }
    ring_writer_sync(&w);
    while (!ring_writer_idle(&w) || ring_writer_durable(&w) < ring_writer_appended(&w))
        loop_iteration(&ring, &nop_op);
    ck_assert_int_ge(nop_op.completions, 30);
    ck_assert_int_eq(ring_writer_error(&w), 0);
    assert_file(fd, 40 * 700);
    ring_writer_free(&w);
    ring_uring_exit(&u);
    io_uring_queue_exit(&ring);
    close(fd);
}
END_TEST

static int inline_done_calls;
static int inline_done_result;
static void inline_done(struct ring_op *op)
{
    inline_done_calls++;
    inline_done_result = op->result;
}

/* Pins ring_op.run_inline on the real backend: the write is in the file
 * when queue() returns (the calling thread made it), its done() still runs
 * only from the drain step, with the write's byte count, and a failing
 * inline write delivers its -errno the same way. */
START_TEST(test_inline_write_runs_in_queue_and_completes_from_drain)
{
    struct ring_uring u;
    ck_assert_int_eq(ring_uring_init_private(&u), 0);
    int fd = tmp_file();
    uint8_t buf[1000];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = pattern(i);
    struct ring_op op = {.done = inline_done, .kind = RING_OP_WRITE, .dsync = true,
                         .run_inline = true, .fd = fd, .offset = 0, .iov_count = 1};
    op.iov[0] = (struct iovec){buf, sizeof(buf)};
    struct ring_op *ops[1] = {&op};
    inline_done_calls = 0;
    ck_assert_int_eq(u.sys.calls->queue(&u.sys, ops, 1), 0);
    assert_file(fd, sizeof(buf)); /* written before any submit or wait */
    ck_assert_int_eq(inline_done_calls, 0);
    ck_assert_int_eq(u.sys.calls->wait(&u.sys), 1);
    ck_assert_int_eq(inline_done_calls, 1);
    ck_assert_int_eq(inline_done_result, (int)sizeof(buf));
    /* A failing inline write: its error comes back through done(). */
    op.fd = -1;
    ck_assert_int_eq(u.sys.calls->queue(&u.sys, ops, 1), 0);
    ck_assert_int_eq(u.sys.calls->wait(&u.sys), 1);
    ck_assert_int_eq(inline_done_result, -EBADF);
    ring_uring_exit(&u);
    close(fd);
}
END_TEST

START_TEST(test_streaming_64mb)
{
    struct ring_uring u;
    ck_assert_int_eq(ring_uring_init_private(&u), 0);
    int fd = tmp_file();
    struct ring_writer w;
    struct ring_writer_config c = {
        .fd = fd, .fsync_policy = RING_WRITER_FSYNC_NO, .writes_in_flight_max = 4,
        .buffer_bytes = 8 << 20, .write_bytes_max = 1 << 20};
    ck_assert_int_eq(ring_writer_init(&w, &u.sys, &c), 0);
    static uint8_t chunk[100003];
    const uint64_t total = 64ull << 20;
    uint64_t done = 0;
    while (done < total) {
        size_t n = sizeof(chunk) < total - done ? sizeof(chunk) : (size_t)(total - done);
        for (size_t i = 0; i < n; i++)
            chunk[i] = pattern(done + i);
        ck_assert_int_eq(ring_writer_write_all(&w, chunk, n), 0);
        done += n;
    }
    ck_assert_int_eq(ring_writer_finish(&w), 0);
    ck_assert_uint_eq(ring_writer_durable(&w), total);
    ring_writer_free(&w);
    ring_uring_exit(&u);
    assert_file(fd, total);
    close(fd);
}
END_TEST

/* A forked child builds its own ring and streams through it while the
 * parent's ring, marked dontfork, stays untouched. */
START_TEST(test_forked_child_uses_its_own_ring)
{
    struct io_uring parent_ring;
    ck_assert_int_eq(io_uring_queue_init(8, &parent_ring, 0), 0);
    ck_assert_int_eq(io_uring_ring_dontfork(&parent_ring), 0);
    int fd = tmp_file();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct ring_uring u;
        if (ring_uring_init_private(&u) != 0)
            _exit(2);
        struct ring_writer w;
        struct ring_writer_config c = {
            .fd = fd, .fsync_policy = RING_WRITER_FSYNC_NO, .writes_in_flight_max = 2,
            .buffer_bytes = 1 << 16, .write_bytes_max = 1 << 14};
        if (ring_writer_init(&w, &u.sys, &c) != 0)
            _exit(3);
        uint8_t buf[5000];
        for (uint64_t off = 0; off < 1000000; off += sizeof(buf)) {
            for (size_t i = 0; i < sizeof(buf); i++)
                buf[i] = pattern(off + i);
            if (ring_writer_write_all(&w, buf, sizeof(buf)) != 0)
                _exit(4);
        }
        _exit(ring_writer_finish(&w) == 0 ? 0 : 5);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    assert_file(fd, 1000000);
    io_uring_queue_exit(&parent_ring);
    close(fd);
}
END_TEST

static bool io_uring_usable(void)
{
    struct io_uring ring;
    int ret = io_uring_queue_init(4, &ring, 0);
    if (ret < 0) {
        fprintf(stderr, "io_uring unavailable (%s): skipping\n", strerror(-ret));
        return false;
    }
    io_uring_queue_exit(&ring);
    return true;
}

static Suite *ring_suite(void)
{
    Suite *s = suite_create("ring");
    TCase *tc = tcase_create("kernel");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_private_ring_always);
    tcase_add_test(tc, test_private_ring_policy_changes);
    tcase_add_test(tc, test_borrowed_ring_routes_tagged_completions);
    tcase_add_test(tc, test_streaming_64mb);
    tcase_add_test(tc, test_inline_write_runs_in_queue_and_completes_from_drain);
    tcase_add_test(tc, test_forked_child_uses_its_own_ring);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (!io_uring_usable())
        return 77;
    return test_suite_run(ring_suite());
}
