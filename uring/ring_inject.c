/* ring_inject.c: the fault-injecting ring_sys decorator.
 *
 * Owns the rules, the choice of the ops that fail, and the disguise of a
 * failed op as a no-op: its kind and done() are swapped for RING_OP_NOP and
 * ring_inject_faulted_done while it is in flight, and restored before its
 * own done() runs. Leaves the I/O, the queueing and the delivery of
 * completions to the inner ring_sys.
 *
 * Finding the slot: a completion gets only the op, and a no-op ignores its
 * iov, so while disguised op->iov[0].iov_base holds the slot's address (the
 * caller's value waits in the slot). That keeps struct ring_op free of a
 * field only this file needs, and the decorator free of globals.
 *
 * Invariant: an op is in faulted[] exactly while it is in flight disguised;
 * outside that window it is what its owner made it, plus the result.
 * queue() commits all of its effects (rules used up, slots, disguises, the
 * inner queue) or none. */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "uring/ring_inject.h"
#include "uring/ring_writer.h"

_Static_assert(RING_INJECT_FAULTED_MAX >=
                   RING_WRITER_WRITES_IN_FLIGHT_MAX + RING_WRITER_FSYNCS_IN_FLIGHT_MAX,
               "a writer whose every op fails must never run out of faulted slots");

/* Uses up one op of the rule's kind: returns the error it fails with, or 0
 * when it passes. */
static int ring_inject_rule_take(struct ring_inject_rule *rule)
{
    if (rule->error == 0)
        return 0;
    if (rule->skip > 0) {
        rule->skip--;
        return 0;
    }
    assert(rule->count > 0); /* a spent rule disarms itself below */
    int error = rule->error;
    if (rule->count != UINT32_MAX && --rule->count == 0)
        *rule = (struct ring_inject_rule){0};
    return error;
}

static struct ring_inject_faulted *ring_inject_slot_free(struct ring_inject *r)
{
    for (size_t i = 0; i < RING_INJECT_FAULTED_MAX; i++) {
        if (r->faulted[i].op == NULL)
            return &r->faulted[i];
    }
    return NULL;
}

static void ring_inject_faulted_done(struct ring_op *op);

static void ring_inject_disguise(struct ring_inject_faulted *slot, struct ring_op *op, int result)
{
    assert(slot->op == NULL);
    assert(result < 0);
    *slot = (struct ring_inject_faulted){.op = op, .done = op->done,
                                         .iov_base = op->iov[0].iov_base, .kind = op->kind,
                                         .result = result};
    op->kind = RING_OP_NOP;
    op->done = ring_inject_faulted_done;
    op->iov[0].iov_base = slot;
}

/* Gives the op back its own kind, done() and iov, and frees the slot. */
static void ring_inject_undisguise(struct ring_inject_faulted *slot)
{
    struct ring_op *op = slot->op;
    assert(op->kind == RING_OP_NOP);
    assert(op->iov[0].iov_base == slot);
    op->kind = slot->kind;
    op->done = slot->done;
    op->iov[0].iov_base = slot->iov_base;
    slot->op = NULL;
}

/* The completion of a disguised op, from the owner's drain step. */
static void ring_inject_faulted_done(struct ring_op *op)
{
    struct ring_inject_faulted *slot = op->iov[0].iov_base;
    assert(slot->op == op);
    /* A no-op fails only when the kernel cancels it behind a real op that
     * failed: the op itself would then have been canceled too. */
    int result = op->result < 0 ? op->result : slot->result;
    ring_inject_undisguise(slot);
    op->result = result;
    op->done(op); /* may queue again, into the slot just freed */
}

static int ring_inject_queue(struct ring_sys *sys, struct ring_op *const *ops, int count)
{
    struct ring_inject *r = (struct ring_inject *)sys;
    assert(count >= 1);
    assert(count <= RING_QUEUE_OPS_MAX);
    /* Decide on a copy of the rules, so that a refused call uses up nothing. */
    struct ring_inject_rule rules[RING_OP_KIND_MAX + 1];
    memcpy(rules, r->rules, sizeof(rules));
    struct ring_inject_faulted *slots[RING_QUEUE_OPS_MAX] = {NULL};
    uint64_t failed_count = 0;
    bool canceled = false; /* the op ahead of this one failed and links to it */
    int ret = 0;
    for (int i = 0; i < count; i++) {
        struct ring_op *op = ops[i];
        assert(op->kind >= RING_OP_WRITE);
        assert(op->kind <= RING_OP_KIND_MAX);
        int result = canceled ? -ECANCELED : ring_inject_rule_take(&rules[op->kind]);
        if (result < 0 && !canceled)
            failed_count++;
        canceled = result < 0 && op->link_next;
        if (result == 0)
            continue;
        slots[i] = ring_inject_slot_free(r);
        if (slots[i] == NULL) {
            ret = -EBUSY;
            break;
        }
        ring_inject_disguise(slots[i], op, result);
    }
    if (ret == 0)
        ret = r->inner->calls->queue(r->inner, ops, count);
    if (ret < 0) {
        for (int i = 0; i < count; i++) {
            if (slots[i] != NULL)
                ring_inject_undisguise(slots[i]);
        }
        return ret;
    }
    memcpy(r->rules, rules, sizeof(rules));
    r->ops_failed += failed_count;
    return 0;
}

static int ring_inject_wait(struct ring_sys *sys)
{
    struct ring_inject *r = (struct ring_inject *)sys;
    return r->inner->calls->wait(r->inner);
}

static const struct ring_sys_calls ring_inject_calls = {
    .queue = ring_inject_queue,
    .wait = NULL,
};

static const struct ring_sys_calls ring_inject_waiting_calls = {
    .queue = ring_inject_queue,
    .wait = ring_inject_wait,
};

void ring_inject_init(struct ring_inject *r, struct ring_sys *inner)
{
    assert(inner != NULL);
    assert(inner->calls->queue != NULL);
    memset(r, 0, sizeof(*r));
    r->sys.calls = inner->calls->wait != NULL ? &ring_inject_waiting_calls : &ring_inject_calls;
    r->inner = inner;
}

void ring_inject_arm(struct ring_inject *r, enum ring_op_kind kind, int error, uint32_t skip,
                     uint32_t count)
{
    assert(kind >= RING_OP_WRITE);
    assert(kind <= RING_OP_KIND_MAX);
    assert(error <= 0);
    if (error == 0 || count == 0)
        r->rules[kind] = (struct ring_inject_rule){0};
    else
        r->rules[kind] = (struct ring_inject_rule){.error = error, .skip = skip, .count = count};
}

void ring_inject_clear(struct ring_inject *r)
{
    memset(r->rules, 0, sizeof(r->rules));
}

int ring_inject_take(struct ring_inject *r, enum ring_op_kind kind)
{
    assert(kind >= RING_OP_WRITE && kind <= RING_OP_KIND_MAX);
    int error = ring_inject_rule_take(&r->rules[kind]);
    if (error < 0)
        r->ops_failed++;
    return error;
}
