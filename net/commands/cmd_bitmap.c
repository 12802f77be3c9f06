/* cmd_bitmap.c: the bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS,
 * BITOP, BITFIELD, BITFIELD_RO).
 *
 * Owns what Redis 7.0's bitops.c gives these commands over string values:
 * argument parsing and its exact error texts, the order of checks (a
 * missing key answers before BITCOUNT and BITPOS read their range), how a
 * string grows for a write past its end (zero-filled, raw, at most
 * proto-max-bulk-len bytes), and the events and AOF entries of each
 * write. The bit arithmetic lives in engine/bitops.c.
 *
 * AOF: every write is logged as sent (Redis's default); SETBIT and
 * BITFIELD log nothing when they changed nothing (a SETBIT that leaves the
 * bit as it was, a BITFIELD of GETs only).
 *
 * Invariant: every handler sends exactly one reply, and every change is
 * reported once through notify_key_modified and Redis's keyspace event. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/bitops.h"
#include "engine/db.h"
#include "engine/kv.h"
#include "engine/number.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keyspace_events.h"
#include "net/commands/notify.h"
#include "net/commands/reply.h"
#include "net/commands/typed_key.h"
#include "net/core/config.h"
#include "net/persist/persist.h"

static const char *const bitmap_err_offset = "bit offset is not an integer or out of range";
static const char *const bitmap_err_bit = "bit is not an integer or out of range";
static const char *const bitmap_err_type =
    "Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

/* ---- arguments ---- */

/* Redis's getBitOffsetFromArgument: a bit offset, or with `hash` set and
 * a "#N" argument, N fields of `bits` bits. The byte it reaches must lie
 * below proto-max-bulk-len (and what a kv can hold). Replies and returns
 * false when it does not. */
static bool bitmap_get_offset(struct client *c, int i, bool hash, unsigned bits, uint64_t *out)
{
    const struct resp_arg *a = &c->argv[i];
    bool use_hash = hash && bits > 0 && a->len > 1 && a->ptr[0] == '#';
    long long v;
    if (!number_parse_ll(a->ptr + use_hash, a->len - use_hash, &v) || v < 0) {
        reply_error(c, bitmap_err_offset);
        return false;
    }
    uint64_t offset = (uint64_t)v;
    if (use_hash) {
        if (offset > UINT64_MAX / bits) {
            reply_error(c, bitmap_err_offset);
            return false;
        }
        offset *= bits;
    }
    uint64_t byte = offset >> 3;
    if (byte >= (uint64_t)c->commands->config->proto_max_bulk_len || byte >= KV_BYTES_MAX) {
        reply_error(c, bitmap_err_offset);
        return false;
    }
    *out = offset;
    return true;
}

/* A BITFIELD type: i1..i64 or u1..u63. */
static bool bitmap_get_type(struct client *c, int i, bool *is_signed, unsigned *bits)
{
    const struct resp_arg *a = &c->argv[i];
    long long n;
    if (a->len < 2 || (a->ptr[0] != 'i' && a->ptr[0] != 'u') ||
        !number_parse_ll(a->ptr + 1, a->len - 1, &n) || n < 1 ||
        n > (a->ptr[0] == 'i' ? 64 : 63)) {
        reply_error(c, bitmap_err_type);
        return false;
    }
    *is_signed = a->ptr[0] == 'i';
    *bits = (unsigned)n;
    return true;
}

/* ---- the string a write works on ---- */

/* Redis's lookupStringForBitCommand: the string at argv[1] with at least
 * byte + 1 bytes, created (zero-filled, exactly that long) when missing
 * or grown with zeros (greedily, as sds grows) when shorter. Every string
 * it returns is raw, as Redis unshares it. Returns NULL after a WRONGTYPE
 * reply; *grew tells whether the key was created or lengthened. */
static struct kv *bitmap_string_for_write(struct client *c, uint64_t byte, bool *grew)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_STRING, &kv))
        return NULL;
    size_t need = (size_t)byte + 1;
    *grew = false;
    if (!kv) {
        kv = kv_new_string(key->ptr, key->len, "", 0, KV_ENC_RAW);
        kv = kv_resize_string(kv, need, false);
        memset(kv_string(kv), 0, need);
        db_add(c->db, kv);
        *grew = true;
        return kv;
    }
    size_t old_len = kv->val_len;
    if (need > old_len) {
        kv = need <= kv_string_capacity(kv) ? kv_resize_string(kv, need, true)
                                            : db_resize_string(c->db, kv, need, true);
        memset(kv_string(kv) + old_len, 0, need - old_len);
        *grew = true;
    }
    kv->encoding = KV_ENC_RAW;
    return kv;
}

static void bitmap_modified(struct client *c, const char *event)
{
    const struct resp_arg *key = &c->argv[1];
    notify_key_modified(c->commands, c->db, key->ptr, key->len);
    keyspace_event(c->commands, NOTIFY_STRING, event, c->db->id, key->ptr, key->len);
}

/* ---- SETBIT, GETBIT ---- */

static void bitmap_setbit_command(struct client *c)
{
    uint64_t offset;
    long long on;
    if (!bitmap_get_offset(c, 2, false, 0, &offset) || !arg_get_ll(c, 3, &on, bitmap_err_bit))
        return;
    if (on & ~1LL) {
        reply_error(c, bitmap_err_bit);
        return;
    }
    bool grew;
    struct kv *kv = bitmap_string_for_write(c, offset >> 3, &grew);
    if (!kv)
        return;
    uint8_t *byte = (uint8_t *)kv_string(kv) + (offset >> 3);
    uint8_t mask = (uint8_t)(1u << (7 - (offset & 7)));
    bool old = (*byte & mask) != 0;
    /* As Redis 7.0: a bit set to what it was changes nothing, unless the
     * string was created or lengthened. */
    if (grew || old != (on == 1)) {
        *byte = on ? (uint8_t)(*byte | mask) : (uint8_t)(*byte & ~mask);
        bitmap_modified(c, "setbit");
    }
    reply_integer(c, old);
}

static void bitmap_getbit_command(struct client *c)
{
    uint64_t offset;
    if (!bitmap_get_offset(c, 2, false, 0, &offset))
        return;
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_STRING, &kv))
        return;
    int bit = 0;
    if (kv && (offset >> 3) < kv->val_len)
        bit = (kv_string(kv)[offset >> 3] >> (7 - (offset & 7))) & 1;
    reply_integer(c, bit);
}

/* ---- BITCOUNT, BITPOS ---- */

/* BITCOUNT and BITPOS ranges: start and end (inclusive, negative from the
 * end) over a string of len bytes, in bytes or with BIT in bits, clamped
 * as Redis does. Returns false when the range is empty; otherwise
 * [*first, *last] are bit offsets within the string. */
static bool bitmap_clamp_range(long long start, long long end, size_t len, bool in_bits,
                               uint64_t *first, uint64_t *last)
{
    long long total = (long long)len;
    if (in_bits)
        total *= 8;
    if (start < 0)
        start += total;
    if (end < 0)
        end += total;
    if (start < 0)
        start = 0;
    if (end < 0)
        end = 0;
    if (end >= total)
        end = total - 1;
    if (start > end)
        return false;
    *first = in_bits ? (uint64_t)start : (uint64_t)start * 8;
    *last = in_bits ? (uint64_t)end : (uint64_t)end * 8 + 7;
    return true;
}

/* The optional BYTE|BIT argument at argv[i]. */
static bool bitmap_get_unit(struct client *c, int i, bool *in_bits)
{
    *in_bits = false;
    if (i >= c->argc)
        return true;
    if (arg_equals(&c->argv[i], "bit"))
        *in_bits = true;
    else if (!arg_equals(&c->argv[i], "byte")) {
        reply_error_syntax(c);
        return false;
    }
    return true;
}

static void bitmap_bitcount_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_STRING, &kv))
        return;
    /* Redis 7.0 answers a missing key before it reads the range. */
    if (!kv) {
        reply_integer(c, 0);
        return;
    }
    const uint8_t *p = (const uint8_t *)kv_string(kv);
    size_t len = kv->val_len;
    if (c->argc == 2) {
        reply_integer(c, (long long)bitops_popcount(p, len));
        return;
    }
    if (c->argc != 4 && c->argc != 5) {
        reply_error_syntax(c);
        return;
    }
    long long start, end;
    if (!arg_get_ll(c, 2, &start, NULL) || !arg_get_ll(c, 3, &end, NULL))
        return;
    if (start < 0 && end < 0 && start > end) {
        reply_integer(c, 0);
        return;
    }
    bool in_bits;
    if (!bitmap_get_unit(c, 4, &in_bits))
        return;
    uint64_t first, last;
    if (!bitmap_clamp_range(start, end, len, in_bits, &first, &last)) {
        reply_integer(c, 0);
        return;
    }
    reply_integer(c, (long long)bitops_count_bits(p, len, first, last));
}

static void bitmap_bitpos_command(struct client *c)
{
    long long bit;
    if (!arg_get_ll(c, 2, &bit, NULL))
        return;
    if (bit != 0 && bit != 1) {
        reply_error(c, "The bit argument must be 1 or 0.");
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_STRING, &kv))
        return;
    /* A missing key is an endless run of zeros. */
    if (!kv) {
        reply_integer(c, bit ? -1 : 0);
        return;
    }
    const uint8_t *p = (const uint8_t *)kv_string(kv);
    size_t len = kv->val_len;
    long long start = 0, end = -1;
    bool end_given = false, in_bits = false;
    if (c->argc > 6) {
        reply_error_syntax(c);
        return;
    }
    if (c->argc >= 4) {
        if (!arg_get_ll(c, 3, &start, NULL))
            return;
        if (!bitmap_get_unit(c, 5, &in_bits))
            return;
        if (c->argc >= 5) {
            if (!arg_get_ll(c, 4, &end, NULL))
                return;
            end_given = true;
        }
    }
    uint64_t first, last;
    if (!bitmap_clamp_range(start, end, len, in_bits, &first, &last)) {
        reply_integer(c, -1);
        return;
    }
    int64_t pos = bitops_find(p, len, (int)bit, first, last);
    /* Looking for a clear bit without an explicit end, the string goes
     * on with zeros past its end. */
    if (pos < 0 && bit == 0 && !end_given)
        pos = (int64_t)last + 1;
    reply_integer(c, pos);
}

/* ---- BITOP ---- */

static void bitmap_bitop_command(struct client *c)
{
    const struct resp_arg *name = &c->argv[1];
    const struct resp_arg *dst = &c->argv[2];
    enum bitops_op op;
    if (arg_equals(name, "and"))
        op = BITOPS_AND;
    else if (arg_equals(name, "or"))
        op = BITOPS_OR;
    else if (arg_equals(name, "xor"))
        op = BITOPS_XOR;
    else if (arg_equals(name, "not"))
        op = BITOPS_NOT;
    else {
        reply_error_syntax(c);
        return;
    }
    if (op == BITOPS_NOT && c->argc != 4) {
        reply_error(c, "BITOP NOT must be called with a single source key.");
        return;
    }
    size_t n = (size_t)c->argc - 3;
    const uint8_t **src = alloc_bytes(n * sizeof(*src));
    size_t *len = alloc_bytes(n * sizeof(*len));
    size_t max_len = 0;
    for (size_t k = 0; k < n; k++) {
        struct kv *kv;
        if (!typed_key_lookup(c, (int)k + 3, DB_LOOKUP_READ, KV_STRING, &kv)) {
            alloc_free(src);
            alloc_free(len);
            return;
        }
        src[k] = kv ? (const uint8_t *)kv_string(kv) : NULL;
        len[k] = kv ? kv->val_len : 0;
        if (len[k] > max_len)
            max_len = len[k];
    }
    if (max_len > 0) {
        /* The sources stay valid: nothing is written before the result is
         * complete. */
        struct kv *kv = kv_new_string(dst->ptr, dst->len, "", 0, KV_ENC_RAW);
        kv = kv_resize_string(kv, max_len, false);
        bitops_combine(op, (uint8_t *)kv_string(kv), max_len, src, len, n);
        kv->encoding = KV_ENC_RAW;
        db_set(c->db, kv, false);
        notify_key_modified(c->commands, c->db, dst->ptr, dst->len);
        keyspace_event(c->commands, NOTIFY_STRING, "set", c->db->id, dst->ptr, dst->len);
    } else if (db_delete(c->db, dst->ptr, dst->len)) {
        notify_key_modified(c->commands, c->db, dst->ptr, dst->len);
        keyspace_event(c->commands, NOTIFY_GENERIC, "del", c->db->id, dst->ptr, dst->len);
    }
    alloc_free(src);
    alloc_free(len);
    reply_integer(c, (long long)max_len);
}

/* ---- BITFIELD, BITFIELD_RO ---- */

enum bitmap_field_op { BITMAP_FIELD_GET, BITMAP_FIELD_SET, BITMAP_FIELD_INCRBY };

struct bitmap_field {
    uint64_t offset;
    int64_t value; /* SET's value, INCRBY's increment */
    enum bitmap_field_op op;
    enum bitops_overflow overflow;
    unsigned bits;
    bool is_signed;
};

/* Parses BITFIELD's operations from argv[2]; replies and returns -1 on
 * error, else the count. *fields is owned by the caller (NULL when none);
 * *highest is the last bit a write reaches, *writes whether any does. */
static int bitmap_field_parse(struct client *c, struct bitmap_field **fields, uint64_t *highest,
                              bool *writes)
{
    enum bitops_overflow overflow = BITOPS_OVERFLOW_WRAP;
    int count = 0;
    *fields = NULL;
    *highest = 0;
    *writes = false;
    for (int j = 2; j < c->argc; j++) {
        int rest = c->argc - j - 1;
        const struct resp_arg *a = &c->argv[j];
        enum bitmap_field_op op;
        if (arg_equals(a, "get") && rest >= 2) {
            op = BITMAP_FIELD_GET;
        } else if (arg_equals(a, "set") && rest >= 3) {
            op = BITMAP_FIELD_SET;
        } else if (arg_equals(a, "incrby") && rest >= 3) {
            op = BITMAP_FIELD_INCRBY;
        } else if (arg_equals(a, "overflow") && rest >= 1) {
            const struct resp_arg *mode = &c->argv[++j];
            if (arg_equals(mode, "wrap"))
                overflow = BITOPS_OVERFLOW_WRAP;
            else if (arg_equals(mode, "sat"))
                overflow = BITOPS_OVERFLOW_SAT;
            else if (arg_equals(mode, "fail"))
                overflow = BITOPS_OVERFLOW_FAIL;
            else {
                reply_error(c, "Invalid OVERFLOW type specified");
                return -1;
            }
            continue;
        } else {
            reply_error_syntax(c);
            return -1;
        }
        struct bitmap_field f = {.op = op, .overflow = overflow};
        if (!bitmap_get_type(c, j + 1, &f.is_signed, &f.bits) ||
            !bitmap_get_offset(c, j + 2, true, f.bits, &f.offset))
            return -1;
        if (op != BITMAP_FIELD_GET) {
            long long v;
            if (!arg_get_ll(c, j + 3, &v, NULL))
                return -1;
            f.value = v;
            *writes = true;
            if (f.offset + f.bits - 1 > *highest)
                *highest = f.offset + f.bits - 1;
        }
        /* At most one field per three arguments, so argc bounds the array. */
        if (!*fields)
            *fields = alloc_bytes(sizeof(**fields) * (size_t)c->argc);
        (*fields)[count++] = f;
        j += op == BITMAP_FIELD_GET ? 2 : 3;
    }
    return count;
}

/* Runs one SET or INCRBY on the string p and replies its result (nil when
 * OVERFLOW FAIL stopped it). Returns 1 if it changed the field's value, 0
 * if not, -1 when OVERFLOW FAIL stopped it. */
static int bitmap_field_write(struct client *c, uint8_t *p, const struct bitmap_field *f)
{
    bool incr = f->op == BITMAP_FIELD_INCRBY;
    if (f->is_signed) {
        int64_t old = bitops_get_signed(p, f->offset, f->bits), stored = 0;
        int over = incr ? bitops_add_signed(old, f->value, f->bits, f->overflow, &stored)
                        : bitops_add_signed(f->value, 0, f->bits, f->overflow, &stored);
        if (over && f->overflow == BITOPS_OVERFLOW_FAIL) {
            reply_null(c);
            return -1;
        }
        bitops_set_field(p, f->offset, f->bits, (uint64_t)stored);
        reply_integer(c, incr ? stored : old);
        return stored != old ? 1 : 0;
    }
    uint64_t old = bitops_get_unsigned(p, f->offset, f->bits), stored = 0;
    int over = incr ? bitops_add_unsigned(old, f->value, f->bits, f->overflow, &stored)
                    : bitops_add_unsigned((uint64_t)f->value, 0, f->bits, f->overflow, &stored);
    if (over && f->overflow == BITOPS_OVERFLOW_FAIL) {
        reply_null(c);
        return -1;
    }
    bitops_set_field(p, f->offset, f->bits, stored);
    reply_integer(c, (long long)(incr ? stored : old));
    return stored != old ? 1 : 0;
}

/* Replies one GET, reading past the string's end as zeros. */
static void bitmap_field_get(struct client *c, const struct kv *kv, const struct bitmap_field *f)
{
    /* A 64-bit field spans at most 9 bytes: copy them, zero-padded. */
    uint8_t buf[9] = {0};
    uint64_t byte = f->offset >> 3;
    if (kv) {
        for (uint64_t i = 0; i < sizeof(buf) && byte + i < kv->val_len; i++)
            buf[i] = (uint8_t)kv_string_const(kv)[byte + i];
    }
    uint64_t at = f->offset - byte * 8;
    if (f->is_signed)
        reply_integer(c, bitops_get_signed(buf, at, f->bits));
    else
        reply_integer(c, (long long)bitops_get_unsigned(buf, at, f->bits));
}

static void bitmap_bitfield_generic(struct client *c, bool read_only)
{
    struct bitmap_field *fields;
    uint64_t highest;
    bool writes;
    int count = bitmap_field_parse(c, &fields, &highest, &writes);
    if (count < 0) {
        alloc_free(fields);
        return;
    }
    struct kv *kv;
    bool grew = false;
    if (!writes) {
        if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_STRING, &kv)) {
            alloc_free(fields);
            return;
        }
    } else {
        if (read_only) {
            alloc_free(fields);
            reply_error(c, "BITFIELD_RO only supports the GET subcommand");
            return;
        }
        kv = bitmap_string_for_write(c, highest >> 3, &grew);
        if (!kv) {
            alloc_free(fields);
            return;
        }
    }
    /* As Redis 7.0 counts them: each SET or INCRBY that changed its field,
     * or any that ran on a string created or lengthened for this command,
     * is one change; one stopped by OVERFLOW FAIL is none. */
    long long changes = 0;
    reply_array_len(c, count);
    for (int i = 0; i < count; i++) {
        if (fields[i].op == BITMAP_FIELD_GET) {
            bitmap_field_get(c, kv, &fields[i]);
            continue;
        }
        int r = bitmap_field_write(c, (uint8_t *)kv_string(kv), &fields[i]);
        if (r > 0 || (r == 0 && grew))
            changes++;
    }
    /* The stopped ones aside: a FAIL leaves no change even on a new key. */
    if (changes > 0) {
        bitmap_modified(c, "setbit");
        c->commands->persist->dirty += changes - 1;
    }
    alloc_free(fields);
}

static void bitmap_bitfield_command(struct client *c)
{
    bitmap_bitfield_generic(c, false);
}

static void bitmap_bitfield_ro_command(struct client *c)
{
    bitmap_bitfield_generic(c, true);
}

/* ---- the table ---- */

#define BITMAP_R_FAST (ACL_READ | ACL_BITMAP | ACL_FAST)
#define BITMAP_R_SLOW (ACL_READ | ACL_BITMAP | ACL_SLOW)
#define BITMAP_W_SLOW (ACL_WRITE | ACL_BITMAP | ACL_SLOW)

struct command bitmap_commands[] = {
    {.name = "setbit", .proc = bitmap_setbit_command, .arity = 4, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = BITMAP_W_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW access update/i1/r0,1,0",
     .summary = "Sets or clears the bit at offset in the string value stored at key",
     .since = "2.2.0", .group = "bitmap", .complexity = "O(1)",
     .arguments = "key^k#0 offset^i value^i"},
    {.name = "getbit", .proc = bitmap_getbit_command, .arity = 3, .flags = CMD_READONLY | CMD_FAST,
     .acl = BITMAP_R_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RO access/i1/r0,1,0",
     .summary = "Returns the bit value at offset in the string value stored at key",
     .since = "2.2.0", .group = "bitmap", .complexity = "O(1)",
     .arguments = "key^k#0 offset^i"},
    {.name = "bitcount", .proc = bitmap_bitcount_command, .arity = -2, .flags = CMD_READONLY,
     .acl = BITMAP_R_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RO access/i1/r0,1,0",
     .summary = "Count set bits in a string", .since = "2.6.0", .group = "bitmap",
     .complexity = "O(N)",
     .history = (const struct command_history[]){
         {"7.0.0", "Added the `BYTE|BIT` option."}, {0}},
     .arguments = "key^k#0 index^b?(start^i end^i index_unit^o@7.0.0?(byte^t='BYTE' bit^t='BIT'))"},
    {.name = "bitpos", .proc = bitmap_bitpos_command, .arity = -3, .flags = CMD_READONLY,
     .acl = BITMAP_R_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RO access/i1/r0,1,0",
     .summary = "Find first bit set or clear in a string", .since = "2.8.7", .group = "bitmap",
     .complexity = "O(N)",
     .history = (const struct command_history[]){
         {"7.0.0", "Added the `BYTE|BIT` option."}, {0}},
     .arguments = "key^k#0 bit^i index^b?(start^i end_index^b?(end^i "
                  "index_unit^o@7.0.0?(byte^t='BYTE' bit^t='BIT')))"},
    {.name = "bitop", .proc = bitmap_bitop_command, .arity = -4, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = BITMAP_W_SLOW, .first_key = 2, .last_key = -1, .key_step = 1,
     .key_specs = "OW update/i2/r0,1,0;RO access/i3/r-1,1,0",
     .summary = "Perform bitwise operations between strings", .since = "2.6.0",
     .group = "bitmap", .complexity = "O(N)",
     .arguments = "operation^s destkey^k#0 key^k#1*"},
    {.name = "bitfield", .proc = bitmap_bitfield_command, .arity = -2,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = BITMAP_W_SLOW, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .key_specs = "RW access update variable_flags/i1/r0,1,0",
     .key_spec_notes = {"This command allows both access and modification of the key"},
     .summary = "Perform arbitrary bitfield integer operations on strings", .since = "3.2.0",
     .group = "bitmap",
     .complexity = "O(1) for each subcommand specified",
     .arguments = "key^k#0 operation^o?*(encoding_offset^b='GET'(encoding^s offset^i) "
                  "write^b(wrap_sat_fail^o='OVERFLOW'?(wrap^t='WRAP' sat^t='SAT' fail^t='FAIL') "
                  "write_operation^o(encoding_offset_value^b='SET'(encoding^s offset^i value^i) "
                  "encoding_offset_increment^b='INCRBY'(encoding^s offset^i increment^i))))"},
    {.name = "bitfield_ro", .proc = bitmap_bitfield_ro_command, .arity = -2,
     .flags = CMD_READONLY | CMD_FAST, .acl = BITMAP_R_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .key_specs = "RO access/i1/r0,1,0",
     .summary = "Perform arbitrary bitfield integer operations on strings. Read-only variant of "
                "BITFIELD",
     .since = "6.0.0", .group = "bitmap",
     .complexity = "O(1) for each subcommand specified",
     .arguments = "key^k#0 encoding_offset^b='GET'?*+(encoding^s offset^i)"},
    {0},
};
