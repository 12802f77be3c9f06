/* hll.c: HyperLogLog values in Redis 7.0's byte format (see hll.h).
 *
 * The sparse editing follows the steps Redis's representation implies,
 * so that the same sequence of adds yields the same bytes on both
 * servers: find the opcode covering the register, update it in place when
 * it covers that register alone, else split it into at most three
 * opcodes (up to 5 bytes), then merge equal neighbouring VAL opcodes in a
 * window of five opcodes starting at the one before the change. */
#include "engine/hll.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"

#define HLL_Q (64 - HLL_P) /* hash bits left for the run of zeros */
#define HLL_P_MASK (HLL_REGISTERS - 1)
#define HLL_REGISTER_MAX ((1 << HLL_REGISTER_BITS) - 1)
#define HLL_REGISTER_BYTES (HLL_DENSE_BYTES - HLL_HEADER_BYTES)
#define HLL_SEED 0xadc83b19ULL
/* 0.5 / ln(2): the estimator's alpha as m goes to infinity. */
#define HLL_ALPHA_INF 0.721347520444481703680

/* Sparse opcodes. */
#define HLL_OP_XZERO_BIT 0x40
#define HLL_OP_VAL_BIT 0x80
#define HLL_ZERO_LEN_MAX 64
#define HLL_XZERO_LEN_MAX 16384
#define HLL_VAL_VALUE_MAX 32
#define HLL_VAL_LEN_MAX 4

static inline bool hll_op_is_zero(const uint8_t *p) { return (*p & 0xc0) == 0; }
static inline bool hll_op_is_xzero(const uint8_t *p) { return (*p & 0xc0) == HLL_OP_XZERO_BIT; }
static inline bool hll_op_is_val(const uint8_t *p) { return (*p & HLL_OP_VAL_BIT) != 0; }
static inline unsigned hll_zero_len(const uint8_t *p) { return (*p & 0x3fu) + 1; }
/* An XZERO cut off by the end of the value reads its second byte as 0,
 * which is what Redis reads there (the string's terminator), so a damaged
 * value is judged the same on both servers. */
static inline unsigned hll_xzero_len(const uint8_t *p, const uint8_t *end)
{
    unsigned low = p + 1 < end ? p[1] : 0;
    return ((((unsigned)p[0] & 0x3fu) << 8) | low) + 1;
}
static inline unsigned hll_val_value(const uint8_t *p) { return ((*p >> 2) & 0x1fu) + 1; }
static inline unsigned hll_val_len(const uint8_t *p) { return (*p & 0x3u) + 1; }
static inline void hll_val_put(uint8_t *p, unsigned value, unsigned len)
{
    *p = (uint8_t)(((value - 1) << 2) | (len - 1) | HLL_OP_VAL_BIT);
}
static inline void hll_zero_put(uint8_t *p, unsigned len) { *p = (uint8_t)(len - 1); }
static inline void hll_xzero_put(uint8_t *p, unsigned len)
{
    unsigned l = len - 1;
    p[0] = (uint8_t)((l >> 8) | HLL_OP_XZERO_BIT);
    p[1] = (uint8_t)(l & 0xff);
}

/* ---- hashing ---- */

uint64_t hll_murmur64a(const void *key, size_t len, uint64_t seed)
{
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    const int r = 47;
    uint64_t h = seed ^ (len * m);
    const uint8_t *data = key;
    const uint8_t *end = data + (len - (len & 7));
    for (; data != end; data += 8) {
        uint64_t k = (uint64_t)data[0] | (uint64_t)data[1] << 8 | (uint64_t)data[2] << 16 |
                     (uint64_t)data[3] << 24 | (uint64_t)data[4] << 32 |
                     (uint64_t)data[5] << 40 | (uint64_t)data[6] << 48 |
                     (uint64_t)data[7] << 56;
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
    }
    switch (len & 7) {
    case 7: h ^= (uint64_t)data[6] << 48; /* fall through */
    case 6: h ^= (uint64_t)data[5] << 40; /* fall through */
    case 5: h ^= (uint64_t)data[4] << 32; /* fall through */
    case 4: h ^= (uint64_t)data[3] << 24; /* fall through */
    case 3: h ^= (uint64_t)data[2] << 16; /* fall through */
    case 2: h ^= (uint64_t)data[1] << 8;  /* fall through */
    case 1:
        h ^= (uint64_t)data[0];
        h *= m;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

unsigned hll_pattern(const void *ele, size_t len, uint32_t *index)
{
    uint64_t hash = hll_murmur64a(ele, len, HLL_SEED);
    *index = (uint32_t)(hash & HLL_P_MASK);
    /* A sentinel bit above the Q hash bits bounds the count at Q + 1. */
    hash >>= HLL_P;
    hash |= (uint64_t)1 << HLL_Q;
    return (unsigned)__builtin_ctzll(hash) + 1;
}

/* ---- header ---- */

bool hll_is_valid(const uint8_t *p, size_t len)
{
    if (len < HLL_HEADER_BYTES || memcmp(p, "HYLL", 4) != 0)
        return false;
    if (p[4] > HLL_ENC_SPARSE)
        return false;
    if (p[4] == HLL_ENC_DENSE && len != HLL_DENSE_BYTES)
        return false;
    return true;
}

void hll_init_empty(uint8_t *out)
{
    memset(out, 0, HLL_HEADER_BYTES);
    memcpy(out, "HYLL", 4);
    out[4] = HLL_ENC_SPARSE;
    hll_xzero_put(out + HLL_HEADER_BYTES, HLL_REGISTERS);
}

bool hll_cache_valid(const uint8_t *p)
{
    return (p[15] & 0x80) == 0;
}

uint64_t hll_cache_get(const uint8_t *p)
{
    uint64_t card = 0;
    for (int i = 7; i >= 0; i--)
        card = (card << 8) | p[8 + i];
    return card;
}

void hll_cache_set(uint8_t *p, uint64_t card)
{
    for (int i = 0; i < 8; i++)
        p[8 + i] = (uint8_t)(card >> (8 * i));
}

void hll_cache_invalidate(uint8_t *p)
{
    p[15] |= 0x80;
}

/* ---- dense ---- */

unsigned hll_dense_get(const uint8_t *registers, uint32_t index)
{
    assert(index < HLL_REGISTERS);
    uint32_t bit = index * HLL_REGISTER_BITS;
    uint32_t byte = bit >> 3, shift = bit & 7;
    unsigned b0 = registers[byte];
    /* The last register ends inside the last byte: never read past it. */
    unsigned b1 = byte + 1 < HLL_REGISTER_BYTES ? registers[byte + 1] : 0;
    return ((b0 >> shift) | (b1 << (8 - shift))) & HLL_REGISTER_MAX;
}

void hll_dense_put(uint8_t *registers, uint32_t index, unsigned value)
{
    assert(index < HLL_REGISTERS && value <= HLL_REGISTER_MAX);
    uint32_t bit = index * HLL_REGISTER_BITS;
    uint32_t byte = bit >> 3, shift = bit & 7;
    registers[byte] = (uint8_t)((registers[byte] & ~(HLL_REGISTER_MAX << shift)) | (value << shift));
    if (byte + 1 < HLL_REGISTER_BYTES) {
        unsigned high = HLL_REGISTER_MAX >> (8 - shift);
        registers[byte + 1] =
            (uint8_t)((registers[byte + 1] & ~high) | (value >> (8 - shift)));
    }
}

bool hll_dense_set(uint8_t *registers, uint32_t index, unsigned count)
{
    if (count <= hll_dense_get(registers, index))
        return false;
    hll_dense_put(registers, index, count);
    return true;
}

/* ---- sparse ---- */

/* The length of the opcode at p (an XZERO may end past end). */
static size_t hll_op_bytes(const uint8_t *p)
{
    return hll_op_is_xzero(p) ? 2 : 1;
}

/* The registers the opcode at p (before end) covers. */
static unsigned hll_op_span(const uint8_t *p, const uint8_t *end)
{
    if (hll_op_is_zero(p))
        return hll_zero_len(p);
    if (hll_op_is_val(p))
        return hll_val_len(p);
    return hll_xzero_len(p, end);
}

/* Writes a run of len zero registers as ZERO or XZERO; returns its bytes. */
static size_t hll_put_zeros(uint8_t *p, unsigned len)
{
    if (len > HLL_ZERO_LEN_MAX) {
        hll_xzero_put(p, len);
        return 2;
    }
    hll_zero_put(p, len);
    return 1;
}

/* Merges equal adjacent VAL opcodes, scanning five opcodes from p. */
static void hll_sparse_merge_vals(uint8_t *p, uint8_t **end)
{
    int scan = 5;
    while (p < *end && scan--) {
        if (hll_op_is_xzero(p)) {
            p += 2;
            continue;
        }
        if (hll_op_is_zero(p)) {
            p++;
            continue;
        }
        if (p + 1 < *end && hll_op_is_val(p + 1) && hll_val_value(p) == hll_val_value(p + 1)) {
            unsigned len = hll_val_len(p) + hll_val_len(p + 1);
            if (len <= HLL_VAL_LEN_MAX) {
                hll_val_put(p + 1, hll_val_value(p), len);
                memmove(p, p + 1, (size_t)(*end - (p + 1)));
                (*end)--;
                /* Stay: the merged opcode may merge again on its right. */
                continue;
            }
        }
        p++;
    }
}

enum hll_set_result hll_sparse_set(uint8_t *buf, size_t *len, uint32_t index, unsigned count,
                                   size_t max_bytes)
{
    assert(index < HLL_REGISTERS && count >= 1);
    if (count > HLL_VAL_VALUE_MAX)
        return HLL_SET_PROMOTE;
    uint8_t *sparse = buf + HLL_HEADER_BYTES, *end = buf + *len;
    uint8_t *p = sparse, *prev = NULL;
    uint32_t first = 0;
    unsigned span = 0;
    size_t op_bytes = 0;
    /* Find the opcode covering the register. */
    while (p < end) {
        op_bytes = hll_op_bytes(p);
        span = hll_op_span(p, end);
        if (index <= first + span - 1)
            break;
        prev = p;
        p += op_bytes;
        first += span;
    }
    if (p >= end)
        return HLL_SET_INVALID;
    uint8_t *next = p + op_bytes;
    bool is_val = hll_op_is_val(p), is_zero = hll_op_is_zero(p);

    if (is_val) {
        if (hll_val_value(p) >= count)
            return HLL_SET_UNCHANGED;
        if (span == 1) {
            hll_val_put(p, count, 1);
            goto updated;
        }
    }
    if (is_zero && span == 1) {
        hll_val_put(p, count, 1);
        goto updated;
    }

    /* Split the opcode around the register: up to XZERO VAL XZERO. */
    uint8_t seq[5];
    size_t n = 0;
    uint32_t last = first + span - 1;
    if (is_val) {
        unsigned cur = hll_val_value(p);
        if (index != first)
            hll_val_put(seq + n++, cur, index - first);
        hll_val_put(seq + n++, count, 1);
        if (index != last)
            hll_val_put(seq + n++, cur, last - index);
    } else {
        if (index != first)
            n += hll_put_zeros(seq + n, index - first);
        hll_val_put(seq + n++, count, 1);
        if (index != last)
            n += hll_put_zeros(seq + n, last - index);
    }
    ptrdiff_t delta = (ptrdiff_t)n - (ptrdiff_t)op_bytes;
    if (delta > 0 && *len + (size_t)delta > max_bytes)
        return HLL_SET_PROMOTE;
    if (delta != 0 && next < end)
        memmove(next + delta, next, (size_t)(end - next));
    memcpy(p, seq, n);
    end += delta;

updated:
    hll_sparse_merge_vals(prev ? prev : sparse, &end);
    *len = (size_t)(end - buf);
    return HLL_SET_UPDATED;
}

/* Calls visit(ctx, first, span, value) for each run of registers of the
 * sparse HLL p (value 0 for zeros). Returns false when the opcodes do not
 * cover exactly 16384 registers (or a run would pass the end). */
static bool hll_sparse_walk(const uint8_t *p, size_t len,
                            void (*visit)(void *ctx, uint32_t first, unsigned span,
                                          unsigned value),
                            void *ctx)
{
    const uint8_t *end = p + len;
    uint32_t idx = 0;
    for (p += HLL_HEADER_BYTES; p < end;) {
        size_t bytes = hll_op_bytes(p);
        unsigned span = hll_op_span(p, end);
        unsigned value = hll_op_is_val(p) ? hll_val_value(p) : 0;
        if (idx + span > HLL_REGISTERS)
            return false;
        visit(ctx, idx, span, value);
        idx += span;
        p += bytes;
    }
    return idx == HLL_REGISTERS;
}

static void hll_visit_dense(void *ctx, uint32_t first, unsigned span, unsigned value)
{
    if (value == 0)
        return;
    for (unsigned i = 0; i < span; i++)
        hll_dense_put(ctx, first + i, value);
}

bool hll_sparse_to_dense(const uint8_t *p, size_t len, uint8_t *out)
{
    memset(out, 0, HLL_DENSE_BYTES);
    /* Magic, unused bytes and cached cardinality are kept. */
    memcpy(out, p, HLL_HEADER_BYTES);
    out[4] = HLL_ENC_DENSE;
    return hll_sparse_walk(p, len, hll_visit_dense, out + HLL_HEADER_BYTES);
}

static void hll_visit_max(void *ctx, uint32_t first, unsigned span, unsigned value)
{
    uint8_t *max = ctx;
    for (unsigned i = 0; i < span; i++)
        if (value > max[first + i])
            max[first + i] = (uint8_t)value;
}

/* Unpacks all dense registers into one byte each: every 3 bytes hold 4
 * registers (the hot loop of PFCOUNT and PFMERGE on dense values). */
_Static_assert(HLL_REGISTER_BITS == 6 && HLL_REGISTERS % 4 == 0, "4 registers per 3 bytes");
static void hll_dense_unpack(const uint8_t *registers, uint8_t *out)
{
    for (uint32_t i = 0; i < HLL_REGISTERS; i += 4, registers += 3) {
        unsigned b0 = registers[0], b1 = registers[1], b2 = registers[2];
        out[i] = (uint8_t)(b0 & 63);
        out[i + 1] = (uint8_t)(((b0 >> 6) | (b1 << 2)) & 63);
        out[i + 2] = (uint8_t)(((b1 >> 4) | (b2 << 4)) & 63);
        out[i + 3] = (uint8_t)(b2 >> 2);
    }
}

bool hll_merge(uint8_t *max, const uint8_t *p, size_t len)
{
    if (hll_encoding_of(p) == HLL_ENC_DENSE) {
        assert(len == HLL_DENSE_BYTES);
        uint8_t regs[HLL_REGISTERS];
        hll_dense_unpack(p + HLL_HEADER_BYTES, regs);
        for (uint32_t i = 0; i < HLL_REGISTERS; i++)
            if (regs[i] > max[i])
                max[i] = regs[i];
        return true;
    }
    return hll_sparse_walk(p, len, hll_visit_max, max);
}

/* ---- estimate ---- */

/* The estimate must be Redis's to the last unit, so every product is
 * rounded on its own as in Redis's build: no fused multiply-adds, even if
 * the build ever targets a CPU that has them. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#else
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif

static double hll_sigma(double x)
{
    if (x == 1.)
        return INFINITY;
    double z_prev, y = 1, z = x;
    do {
        x *= x;
        z_prev = z;
        z += x * y;
        y += y;
    } while (z_prev != z);
    return z;
}

static double hll_tau(double x)
{
    if (x == 0. || x == 1.)
        return 0.;
    double z_prev, y = 1.0, z = 1 - x;
    do {
        x = sqrt(x);
        z_prev = z;
        y *= 0.5;
        z -= pow(1 - x, 2) * y;
    } while (z_prev != z);
    return z / 3;
}

/* Ertl, "New cardinality estimation algorithms for HyperLogLog sketches"
 * (arXiv:1702.01284), from the histogram of register values. */
static uint64_t hll_estimate(const int *histogram)
{
    double m = HLL_REGISTERS;
    double z = m * hll_tau((m - histogram[HLL_Q + 1]) / m);
    for (int j = HLL_Q; j >= 1; --j) {
        z += histogram[j];
        z *= 0.5;
    }
    z += m * hll_sigma(histogram[0] / m);
    return (uint64_t)llroundl(HLL_ALPHA_INF * m * m / z);
}

struct hll_histogram {
    int counts[64];
};

static void hll_visit_histogram(void *ctx, uint32_t first, unsigned span, unsigned value)
{
    (void)first;
    ((struct hll_histogram *)ctx)->counts[value] += (int)span;
}

uint64_t hll_count(const uint8_t *p, size_t len, bool *invalid)
{
    struct hll_histogram h = {{0}};
    if (hll_encoding_of(p) == HLL_ENC_DENSE) {
        assert(len == HLL_DENSE_BYTES);
        uint8_t regs[HLL_REGISTERS];
        hll_dense_unpack(p + HLL_HEADER_BYTES, regs);
        for (uint32_t i = 0; i < HLL_REGISTERS; i++)
            h.counts[regs[i]]++;
    } else if (!hll_sparse_walk(p, len, hll_visit_histogram, &h)) {
        *invalid = true;
        return 0;
    }
    return hll_estimate(h.counts);
}

uint64_t hll_count_registers(const uint8_t *max)
{
    struct hll_histogram h = {{0}};
    for (uint32_t i = 0; i < HLL_REGISTERS; i++)
        h.counts[max[i] & 63]++;
    return hll_estimate(h.counts);
}

#if !defined(__clang__)
#pragma GCC pop_options
#endif

/* ---- debugging ---- */

char *hll_sparse_describe(const uint8_t *p, size_t len, size_t *out_len)
{
    /* At most "v:32,4 " (7 bytes) per opcode byte. */
    size_t cap = (len - HLL_HEADER_BYTES) * 8 + 1;
    char *out = alloc_bytes(cap);
    size_t n = 0;
    const uint8_t *end = p + len;
    for (p += HLL_HEADER_BYTES; p < end;) {
        if (hll_op_is_zero(p)) {
            n += (size_t)snprintf(out + n, cap - n, "z:%u ", hll_zero_len(p));
            p++;
        } else if (hll_op_is_xzero(p)) {
            n += (size_t)snprintf(out + n, cap - n, "Z:%u ", hll_xzero_len(p, end));
            p += 2;
        } else {
            n += (size_t)snprintf(out + n, cap - n, "v:%u,%u ", hll_val_value(p), hll_val_len(p));
            p++;
        }
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    *out_len = n;
    return out;
}

/* One HLL in a growable buffer, sparse until it must be dense: the
 * self-test's stand-in for a key's value. */
struct hll_test_value {
    uint8_t *p;
    size_t len, cap;
};

static bool hll_test_add(struct hll_test_value *v, uint32_t index, unsigned count)
{
    if (hll_encoding_of(v->p) == HLL_ENC_SPARSE) {
        if (v->len + HLL_SPARSE_SET_ROOM > v->cap) {
            v->cap = v->len * 2 + HLL_SPARSE_SET_ROOM;
            v->p = alloc_resize(v->p, v->cap);
        }
        enum hll_set_result r =
            hll_sparse_set(v->p, &v->len, index, count, HLL_SPARSE_MAX_BYTES_DEFAULT);
        if (r != HLL_SET_PROMOTE)
            return r != HLL_SET_INVALID;
        uint8_t *dense = alloc_bytes(HLL_DENSE_BYTES);
        if (!hll_sparse_to_dense(v->p, v->len, dense)) {
            alloc_free(dense);
            return false;
        }
        alloc_free(v->p);
        v->p = dense;
        v->len = v->cap = HLL_DENSE_BYTES;
    }
    hll_dense_set(v->p + HLL_HEADER_BYTES, index, count);
    return true;
}

/* A small xorshift generator, so the test is the same on every run. */
static uint64_t hll_test_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

bool hll_selftest(char *err, size_t err_len)
{
    bool ok = true;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    /* 1: every register keeps its 6 bits whatever its neighbours hold. */
    uint8_t *regs = alloc_zeroed(HLL_REGISTER_BYTES);
    uint8_t *want = alloc_bytes(HLL_REGISTERS);
    for (int round = 0; round < 100 && ok; round++) {
        for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
            want[i] = (uint8_t)(hll_test_next(&seed) & HLL_REGISTER_MAX);
            hll_dense_put(regs, i, want[i]);
        }
        for (uint32_t i = 0; i < HLL_REGISTERS && ok; i++) {
            if (hll_dense_get(regs, i) != want[i]) {
                snprintf(err, err_len, "TESTFAILED Register error at %u", i);
                ok = false;
            }
        }
    }
    alloc_free(regs);
    alloc_free(want);
    /* 2: a sparse value and a dense one given the same elements agree, and
     * the estimate stays within five standard errors. */
    struct hll_test_value sparse = {alloc_bytes(64), HLL_EMPTY_BYTES, 64};
    hll_init_empty(sparse.p);
    uint8_t *dense = alloc_zeroed(HLL_DENSE_BYTES);
    memcpy(dense, "HYLL", 4);
    double rel_error = 1.04 / sqrt(HLL_REGISTERS) * 5;
    uint64_t checkpoint = 1;
    for (uint64_t j = 1; j <= 1000000 && ok; j++) {
        uint64_t ele = hll_test_next(&seed);
        uint32_t index;
        unsigned count = hll_pattern(&ele, sizeof(ele), &index);
        hll_dense_set(dense + HLL_HEADER_BYTES, index, count);
        if (!hll_test_add(&sparse, index, count)) {
            snprintf(err, err_len, "TESTFAILED sparse representation corrupted at %llu",
                     (unsigned long long)j);
            ok = false;
            break;
        }
        if (j != checkpoint)
            continue;
        checkpoint = j < 1000 ? j + 1 : j * 10;
        bool invalid = false;
        uint64_t a = hll_count(dense, HLL_DENSE_BYTES, &invalid);
        uint64_t b = hll_count(sparse.p, sparse.len, &invalid);
        if (invalid || a != b) {
            snprintf(err, err_len, "TESTFAILED dense/sparse disagree: %llu vs %llu",
                     (unsigned long long)a, (unsigned long long)b);
            ok = false;
            break;
        }
        double abs_error = (double)(a > j ? a - j : j - a);
        /* Small cardinalities are near exact; allow one element of slack. */
        if (abs_error > (double)j * rel_error + 1) {
            snprintf(err, err_len, "TESTFAILED Too big error. card:%llu error:%llu",
                     (unsigned long long)j, (unsigned long long)abs_error);
            ok = false;
        }
    }
    alloc_free(sparse.p);
    alloc_free(dense);
    return ok;
}
