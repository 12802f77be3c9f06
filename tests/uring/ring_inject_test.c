/* ring_inject_test.c: the fault-injecting ring_sys over the real kernel.
 *
 * Wraps a private io_uring (and, for the refusal paths, a stub that refuses
 * every queue()) in a ring_inject and checks, against a tmp file: nothing
 * armed changes nothing; skip and count pick exactly the ops they name; a
 * failed write leaves the file alone; ops linked behind a failed op are
 * canceled; completions never run inside queue(); ops come back to done()
 * as their owner made them; a refused queue() changes neither the ops nor
 * the rules; the faulted table is freed and reused. Exits 77 (skip) when
 * io_uring is unavailable. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uring/ring.h"
#include "uring/ring_inject.h"
#include "uring/ring_fake.h"
#include "tests/unit.h"

/* Set around every queue() call: a done() that sees it ran inside one. */
static bool test_in_queue;

struct test_op {
    struct ring_op op;
    int completions;
    int result;
    /* What done() saw of the op, to check the disguise was taken off. */
    uint8_t kind_seen;
    void *iov_base_seen;
};

static void test_op_done(struct ring_op *op)
{
    ck_assert(!test_in_queue);
    struct test_op *t = (struct test_op *)((char *)op - offsetof(struct test_op, op));
    t->completions++;
    t->result = op->result;
    t->kind_seen = op->kind;
    t->iov_base_seen = op->iov[0].iov_base;
}

static void test_write(struct test_op *t, int fd, uint64_t offset, const void *buf, size_t len)
{
    *t = (struct test_op){0};
    t->op = (struct ring_op){.done = test_op_done, .kind = RING_OP_WRITE, .fd = fd,
                             .offset = offset, .iov_count = 1};
    t->op.iov[0] = (struct iovec){.iov_base = (void *)buf, .iov_len = len};
}

static void test_fsync(struct test_op *t, int fd)
{
    *t = (struct test_op){0};
    t->op = (struct ring_op){.done = test_op_done, .kind = RING_OP_FSYNC, .fd = fd};
}

static int test_queue(struct ring_inject *r, struct test_op *const *ts, int count)
{
    struct ring_op *ops[RING_QUEUE_OPS_MAX];
    ck_assert_int_le(count, RING_QUEUE_OPS_MAX);
    for (int i = 0; i < count; i++)
        ops[i] = &ts[i]->op;
    test_in_queue = true;
    int ret = r->sys.calls->queue(&r->sys, ops, count);
    test_in_queue = false;
    return ret;
}

static void test_queue_one(struct ring_inject *r, struct test_op *t)
{
    ck_assert_int_eq(test_queue(r, &t, 1), 0);
}

/* Runs the drain (through the decorator's wait) until t has completed. */
static void test_wait_for(struct ring_inject *r, const struct test_op *t)
{
    while (t->completions == 0)
        ck_assert_int_ge(r->sys.calls->wait(&r->sys), 0);
    ck_assert_int_eq(t->completions, 1);
}

static uint32_t test_faulted_in_use(const struct ring_inject *r)
{
    uint32_t n = 0;
    for (size_t i = 0; i < RING_INJECT_FAULTED_MAX; i++)
        n += r->faulted[i].op != NULL;
    return n;
}

static void test_assert_file(int fd, const char *want)
{
    size_t len = strlen(want);
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    ck_assert_uint_eq((uint64_t)st.st_size, len);
    char buf[256];
    ck_assert_uint_lt(len, sizeof(buf));
    ck_assert_int_eq(pread(fd, buf, sizeof(buf), 0), (ssize_t)len);
    ck_assert_mem_eq(buf, want, len);
}

/* A decorator over a private ring, and a tmp file. */
struct fixture {
    struct ring_uring u;
    struct ring_inject r;
    int fd;
};

static void fixture_init(struct fixture *f)
{
    ck_assert_int_eq(ring_uring_init_private(&f->u), 0);
    ring_inject_init(&f->r, &f->u.sys);
    ck_assert_ptr_nonnull(f->r.sys.calls->wait);
    char path[] = "/tmp/ringkv-inject-XXXXXX";
    f->fd = mkstemp(path);
    ck_assert_int_ge(f->fd, 0);
    unlink(path);
}

static void fixture_exit(struct fixture *f)
{
    ck_assert_uint_eq(test_faulted_in_use(&f->r), 0);
    ring_uring_exit(&f->u);
    close(f->fd);
}

START_TEST(test_unarmed_passes_through)
{
    struct fixture f;
    fixture_init(&f);
    struct test_op w, s;
    test_write(&w, f.fd, 0, "hello", 5);
    test_fsync(&s, f.fd);
    test_queue_one(&f.r, &w);
    ck_assert_int_eq(w.completions, 0);
    test_wait_for(&f.r, &w);
    ck_assert_int_eq(w.result, 5);
    test_queue_one(&f.r, &s);
    test_wait_for(&f.r, &s);
    ck_assert_int_eq(s.result, 0);
    ck_assert_uint_eq(f.r.ops_failed, 0);
    test_assert_file(f.fd, "hello");
    fixture_exit(&f);
}
END_TEST

START_TEST(test_write_skip_then_count)
{
    struct fixture f;
    fixture_init(&f);
    ring_inject_arm(&f.r, RING_OP_WRITE, -EIO, 1, 1);
    static const char a[] = "AAAA", b[] = "BBBB", c[] = "CCCC";
    struct test_op w1, w2, w3;
    test_write(&w1, f.fd, 0, a, 4);
    test_queue_one(&f.r, &w1);
    test_wait_for(&f.r, &w1);
    ck_assert_int_eq(w1.result, 4);
    test_assert_file(f.fd, "AAAA");

    test_write(&w2, f.fd, 4, b, 4);
    test_queue_one(&f.r, &w2);
    ck_assert_int_eq(w2.op.kind, RING_OP_NOP); /* in flight, disguised */
    ck_assert_uint_eq(test_faulted_in_use(&f.r), 1);
    test_wait_for(&f.r, &w2);
    ck_assert_int_eq(w2.result, -EIO);
    /* done() saw the op as it was queued, and so does the owner now. */
    ck_assert_int_eq(w2.kind_seen, RING_OP_WRITE);
    ck_assert_ptr_eq(w2.iov_base_seen, b);
    ck_assert_int_eq(w2.op.kind, RING_OP_WRITE);
    ck_assert_ptr_eq(w2.op.done, test_op_done);
    ck_assert_ptr_eq(w2.op.iov[0].iov_base, b);
    ck_assert_uint_eq(w2.op.offset, 4);
    ck_assert_uint_eq(test_faulted_in_use(&f.r), 0);
    test_assert_file(f.fd, "AAAA"); /* the failed write wrote nothing */
    ck_assert_int_eq(f.r.rules[RING_OP_WRITE].error, 0); /* count ran out: disarmed */

    test_write(&w3, f.fd, 4, c, 4);
    test_queue_one(&f.r, &w3);
    test_wait_for(&f.r, &w3);
    ck_assert_int_eq(w3.result, 4);
    test_assert_file(f.fd, "AAAACCCC");
    ck_assert_uint_eq(f.r.ops_failed, 1);
    fixture_exit(&f);
}
END_TEST

START_TEST(test_fsync_fails_until_cleared)
{
    struct fixture f;
    fixture_init(&f);
    ring_inject_arm(&f.r, RING_OP_FSYNC, -EIO, 0, UINT32_MAX);
    char byte = 'x';
    for (int i = 0; i < 10; i++) {
        struct test_op w, s;
        test_write(&w, f.fd, (uint64_t)i, &byte, 1); /* writes are not armed */
        test_queue_one(&f.r, &w);
        test_wait_for(&f.r, &w);
        ck_assert_int_eq(w.result, 1);
        test_fsync(&s, f.fd);
        test_queue_one(&f.r, &s);
        test_wait_for(&f.r, &s);
        ck_assert_int_eq(s.result, -EIO);
        ck_assert_int_eq(s.kind_seen, RING_OP_FSYNC);
    }
    ck_assert_uint_eq(f.r.ops_failed, 10);
    ring_inject_clear(&f.r);
    struct test_op s;
    test_fsync(&s, f.fd);
    test_queue_one(&f.r, &s);
    test_wait_for(&f.r, &s);
    ck_assert_int_eq(s.result, 0);
    test_assert_file(f.fd, "xxxxxxxxxx");
    fixture_exit(&f);
}
END_TEST

START_TEST(test_failed_write_cancels_linked_fsync)
{
    struct fixture f;
    fixture_init(&f);
    ring_inject_arm(&f.r, RING_OP_WRITE, -ENOSPC, 0, 1);
    struct test_op w, s;
    test_write(&w, f.fd, 0, "data", 4);
    w.op.link_next = true;
    test_fsync(&s, f.fd);
    struct test_op *chain[] = {&w, &s};
    ck_assert_int_eq(test_queue(&f.r, chain, 2), 0);
    ck_assert_uint_eq(test_faulted_in_use(&f.r), 2);
    test_wait_for(&f.r, &w);
    test_wait_for(&f.r, &s);
    ck_assert_int_eq(w.result, -ENOSPC);
    ck_assert_int_eq(s.result, -ECANCELED);
    ck_assert_int_eq(s.kind_seen, RING_OP_FSYNC);
    ck_assert(w.op.link_next); /* the link flag is the owner's and survives */
    ck_assert_uint_eq(f.r.ops_failed, 1); /* the canceled fsync is not a failure */
    test_assert_file(f.fd, "");

    /* The canceled fsync used up nothing: an armed fsync rule still has its
     * skip when the next chain arrives. */
    ring_inject_arm(&f.r, RING_OP_WRITE, -EIO, 0, 1);
    ring_inject_arm(&f.r, RING_OP_FSYNC, -EIO, 1, 1);
    test_write(&w, f.fd, 0, "data", 4);
    w.op.link_next = true;
    test_fsync(&s, f.fd);
    ck_assert_int_eq(test_queue(&f.r, chain, 2), 0);
    test_wait_for(&f.r, &w);
    test_wait_for(&f.r, &s);
    ck_assert_int_eq(w.result, -EIO);
    ck_assert_int_eq(s.result, -ECANCELED);
    ck_assert_uint_eq(f.r.rules[RING_OP_FSYNC].skip, 1);
    fixture_exit(&f);
}
END_TEST

START_TEST(test_failed_fsync_behind_real_write)
{
    struct fixture f;
    fixture_init(&f);
    ring_inject_arm(&f.r, RING_OP_FSYNC, -EIO, 0, 1);
    struct test_op w, s;
    test_write(&w, f.fd, 0, "data", 4);
    w.op.link_next = true;
    test_fsync(&s, f.fd);
    struct test_op *chain[] = {&w, &s};
    ck_assert_int_eq(test_queue(&f.r, chain, 2), 0);
    ck_assert_int_eq(w.op.kind, RING_OP_WRITE); /* the real write is untouched */
    test_wait_for(&f.r, &w);
    test_wait_for(&f.r, &s);
    ck_assert_int_eq(w.result, 4);
    ck_assert_int_eq(s.result, -EIO);
    test_assert_file(f.fd, "data");

    /* A real write that fails ahead of a disguised fsync: the kernel cancels
     * the no-op, and the fsync sees -ECANCELED, as it would unwrapped. */
    ring_inject_arm(&f.r, RING_OP_FSYNC, -EIO, 0, 1);
    test_write(&w, -1, 0, "data", 4);
    w.op.link_next = true;
    test_fsync(&s, f.fd);
    ck_assert_int_eq(test_queue(&f.r, chain, 2), 0);
    test_wait_for(&f.r, &w);
    test_wait_for(&f.r, &s);
    ck_assert_int_eq(w.result, -EBADF);
    ck_assert_int_eq(s.result, -ECANCELED);
    ck_assert_int_eq(s.kind_seen, RING_OP_FSYNC);
    fixture_exit(&f);
}
END_TEST

/* Far more failures than the table has slots, in batches that each fill a
 * good part of it: every one completes and frees its slot. A full table
 * refuses with -EBUSY and leaves the op and the rule alone. */
START_TEST(test_faulted_table_is_freed)
{
    enum { BATCH = RING_INJECT_FAULTED_MAX / 2, ROUNDS = 10 };
    struct fixture f;
    fixture_init(&f);
    ring_inject_arm(&f.r, RING_OP_WRITE, -EIO, 0, UINT32_MAX);
    static struct test_op ops[RING_INJECT_FAULTED_MAX + 1];
    char byte = 'y';
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < BATCH; i++) {
            test_write(&ops[i], f.fd, (uint64_t)i, &byte, 1);
            test_queue_one(&f.r, &ops[i]);
        }
        ck_assert_uint_eq(test_faulted_in_use(&f.r), BATCH);
        for (int i = 0; i < BATCH; i++) {
            test_wait_for(&f.r, &ops[i]);
            ck_assert_int_eq(ops[i].result, -EIO);
        }
        ck_assert_uint_eq(test_faulted_in_use(&f.r), 0);
    }
    ck_assert_uint_eq(f.r.ops_failed, BATCH * ROUNDS);
    ck_assert_uint_gt(f.r.ops_failed, RING_INJECT_FAULTED_MAX);

    ring_inject_arm(&f.r, RING_OP_WRITE, -EIO, 0, RING_INJECT_FAULTED_MAX + 5);
    for (int i = 0; i < RING_INJECT_FAULTED_MAX; i++) {
        test_write(&ops[i], f.fd, (uint64_t)i, &byte, 1);
        test_queue_one(&f.r, &ops[i]);
    }
    struct test_op *extra = &ops[RING_INJECT_FAULTED_MAX];
    test_write(extra, f.fd, 0, &byte, 1);
    ck_assert_int_eq(test_queue(&f.r, &extra, 1), -EBUSY);
    ck_assert_int_eq(extra->op.kind, RING_OP_WRITE);
    ck_assert_ptr_eq(extra->op.done, test_op_done);
    ck_assert_ptr_eq(extra->op.iov[0].iov_base, &byte);
    ck_assert_uint_eq(f.r.rules[RING_OP_WRITE].count, 5);
    /* One completion frees a slot, and the retry goes through. */
    test_wait_for(&f.r, &ops[0]);
    test_queue_one(&f.r, extra);
    for (int i = 1; i <= RING_INJECT_FAULTED_MAX; i++) {
        test_wait_for(&f.r, &ops[i]);
        ck_assert_int_eq(ops[i].result, -EIO);
    }
    ck_assert_uint_eq(f.r.rules[RING_OP_WRITE].count, 4);
    test_assert_file(f.fd, "");
    fixture_exit(&f);
}
END_TEST

/* An inner ring_sys that refuses everything and has no wait(), as a full
 * borrowed ring would. */
struct refusing_sys {
    struct ring_sys sys;
    int queue_calls;
};

static int refusing_queue(struct ring_sys *sys, struct ring_op *const *ops, int count)
{
    ((struct refusing_sys *)sys)->queue_calls++;
    ck_assert_int_eq(ops[0]->kind, RING_OP_NOP); /* the inner sees the disguise */
    return -EAGAIN;
}

static const struct ring_sys_calls refusing_calls = {.queue = refusing_queue, .wait = NULL};

START_TEST(test_inner_refusal_changes_nothing)
{
    struct refusing_sys inner = {.sys.calls = &refusing_calls};
    struct ring_inject r;
    ring_inject_init(&r, &inner.sys);
    ck_assert_ptr_null(r.sys.calls->wait);
    ring_inject_arm(&r, RING_OP_WRITE, -EDQUOT, 0, 3);
    struct test_op w, s;
    test_write(&w, 5, 0, "data", 4);
    w.op.link_next = true;
    test_fsync(&s, 5);
    struct test_op *chain[] = {&w, &s};
    ck_assert_int_eq(test_queue(&r, chain, 2), -EAGAIN);
    ck_assert_int_eq(inner.queue_calls, 1);
    ck_assert_int_eq(w.op.kind, RING_OP_WRITE);
    ck_assert_int_eq(s.op.kind, RING_OP_FSYNC);
    ck_assert_ptr_eq(w.op.done, test_op_done);
    ck_assert_ptr_eq(s.op.done, test_op_done);
    ck_assert_str_eq((const char *)w.op.iov[0].iov_base, "data");
    ck_assert_ptr_null(s.op.iov[0].iov_base);
    ck_assert_int_eq(w.completions + s.completions, 0);
    ck_assert_uint_eq(r.rules[RING_OP_WRITE].count, 3);
    ck_assert_uint_eq(r.ops_failed, 0);
    ck_assert_uint_eq(test_faulted_in_use(&r), 0);
}
END_TEST

START_TEST(test_arm_rejects_a_bad_kind)
{
    struct refusing_sys inner = {.sys.calls = &refusing_calls};
    struct ring_inject r;
    ring_inject_init(&r, &inner.sys);
    ring_inject_arm(&r, (enum ring_op_kind)(RING_OP_KIND_MAX + 1), -EIO, 0, 1);
}
END_TEST

START_TEST(test_arm_rejects_a_positive_error)
{
    struct refusing_sys inner = {.sys.calls = &refusing_calls};
    struct ring_inject r;
    ring_inject_init(&r, &inner.sys);
    ring_inject_arm(&r, RING_OP_WRITE, EIO, 0, 1);
}
END_TEST

/* Stacked on the fake kernel: an injected fsync failure is a no-op there
 * too, so it makes nothing durable (the fake used to run every op that was
 * not a write as an fsync, saving the bytes the failure claims were lost). */
START_TEST(test_injected_fsync_on_fake_saves_nothing)
{
    struct ring_fake fake;
    ck_assert_int_eq(ring_fake_init(&fake, 4096, 1), 0);
    struct ring_inject r;
    ring_inject_init(&r, &fake.sys);
    static const char bytes[] = "hello";
    struct test_op w, fs;
    test_write(&w, 3, 0, bytes, 5);
    test_queue_one(&r, &w);
    ring_fake_run(&fake);
    ck_assert_int_eq(w.result, 5);
    ring_inject_arm(&r, RING_OP_FSYNC, -EIO, 0, 1);
    test_fsync(&fs, 3);
    test_queue_one(&r, &fs);
    ring_fake_run(&fake);
    ck_assert_int_eq(fs.result, -EIO);
    ck_assert_int_eq(fs.kind_seen, RING_OP_FSYNC);
    ring_fake_crash(&fake, false);
    uint64_t len = 0;
    ring_fake_file(&fake, &len);
    ck_assert_uint_eq(len, 0); /* nothing reached the disk image */
    ring_fake_free(&fake);
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

static Suite *ring_inject_suite(void)
{
    Suite *s = suite_create("ring_inject");
    TCase *tc = tcase_create("kernel");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_unarmed_passes_through);
    tcase_add_test(tc, test_write_skip_then_count);
    tcase_add_test(tc, test_fsync_fails_until_cleared);
    tcase_add_test(tc, test_failed_write_cancels_linked_fsync);
    tcase_add_test(tc, test_failed_fsync_behind_real_write);
    tcase_add_test(tc, test_faulted_table_is_freed);
    suite_add_tcase(s, tc);
    TCase *stub = tcase_create("stub");
    tcase_add_test(stub, test_inner_refusal_changes_nothing);
    tcase_add_test(stub, test_injected_fsync_on_fake_saves_nothing);
    tcase_add_test_raise_signal(stub, test_arm_rejects_a_bad_kind, SIGABRT);
    tcase_add_test_raise_signal(stub, test_arm_rejects_a_positive_error, SIGABRT);
    suite_add_tcase(s, stub);
    return s;
}

int main(void)
{
    if (!io_uring_usable())
        return 77;
    return test_suite_run(ring_inject_suite());
}
