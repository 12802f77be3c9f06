/* script_struct.c: the `struct` table Redis 7.0 gives scripts, with
 * struct.pack(fmt, ...), struct.unpack(fmt, data [, offset]) and
 * struct.size(fmt), reimplemented for ringkv from the documented format
 * language and from what redis-server 7.0.15 answers.
 *
 * Owns the format language and the byte layout it describes. A format is
 * read left to right as single-letter options, a few taking a count:
 *   <  little endian from here on     >  big endian from here on
 *   !n largest alignment n (a power of 2; bare '!' means 8)   ' ' nothing
 *   x  one zero byte      b/B  1-byte int    h/H  2-byte int
 *   l/L 8-byte int        T  8-byte size     i/In, I/In  n-byte int (4)
 *   f  float   d  double  s  NUL-terminated string
 *   cn n raw bytes (c = c1); c0 packs a whole string, and unpacks as many
 *      bytes as the number unpacked just before it (which it replaces)
 * Lower-case integer letters are signed when unpacked. Numbers are aligned
 * (with '!') to min(their size, the largest alignment); the padding uses a
 * mask of that alignment minus one, so odd sizes such as i3 pad the way
 * Redis does rather than to a multiple. Every quirk below (how doubles
 * become integer bits, which argument an error names, struct.size skipping
 * unknown letters) copies what redis-server answers; see the tests in
 * tests/blackbox/scripting_test.c. */
#include "net/commands/script_lua.h"

#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <stdint.h>
#include <string.h>

#define SX_MAX_INT_BYTES 32 /* i32 is the widest integer */
#define SX_NATIVE_ALIGN 8   /* what a bare '!' means on 64-bit hosts */

/* What one option asks for. */
enum sx_kind {
    SX_END,    /* the format is over */
    SX_PAD,    /* 'x' */
    SX_INT,    /* b h l i: signed */
    SX_UINT,   /* B H L T I: unsigned */
    SX_FLOAT,  /* f */
    SX_DOUBLE, /* d */
    SX_CHARS,  /* c: size bytes, or a variable count when size is 0 */
    SX_ZSTR,   /* s */
    SX_MODE,   /* ' ', '<', '>', '!': takes no bytes, changes what follows */
    SX_BAD,    /* not an option */
};

/* One option as the format reader yields it. */
struct sx_item {
    enum sx_kind kind;
    size_t size;  /* bytes it takes (0 for s and c0: only known with data) */
    size_t align; /* the boundary it goes on; 1 for no padding */
    bool big;     /* byte order of numbers */
    char opt;     /* the letter, for SX_MODE and SX_BAD */
};

/* The reader's position in the format and the modes earlier options set. */
struct sx_format {
    lua_State *L;
    const char *p;   /* next character; the format stops at its first NUL */
    bool big;        /* current byte order */
    size_t maxalign; /* current largest alignment; 1 until a '!' */
    bool lenient;    /* struct.size: unknown letters and digits count 0 */
};

static bool sx_host_big(void)
{
    const uint16_t probe = 1;
    unsigned char first;
    memcpy(&first, &probe, 1);
    return first == 0;
}

static void sx_format_init(struct sx_format *f, lua_State *L, const char *fmt, bool lenient)
{
    f->L = L;
    f->p = fmt;
    f->big = sx_host_big();
    f->maxalign = 1;
    f->lenient = lenient;
}

/* Reads the decimal count after an option, or returns dflt when none
 * follows. Counts above INT_MAX are an error, as in Redis. */
static size_t sx_read_count(struct sx_format *f, size_t dflt)
{
    if (*f->p < '0' || *f->p > '9')
        return dflt;
    long long n = 0;
    while (*f->p >= '0' && *f->p <= '9') {
        n = n * 10 + (*f->p++ - '0');
        if (n > INT_MAX)
            luaL_error(f->L, "integral size overflow");
    }
    return (size_t)n;
}

static size_t sx_int_width(struct sx_format *f)
{
    size_t n = sx_read_count(f, sizeof(int));
    if (n > SX_MAX_INT_BYTES)
        luaL_error(f->L, "integral size %d is larger than limit of %d", (int)n, SX_MAX_INT_BYTES);
    return n;
}

static void sx_set_maxalign(struct sx_format *f)
{
    size_t n = sx_read_count(f, SX_NATIVE_ALIGN);
    if (n == 0 || (n & (n - 1)) != 0)
        luaL_error(f->L, "alignment %d is not a power of 2", (int)n);
    f->maxalign = n;
}

/* Fills *it with a number of kind and size, aligned to the smaller of its
 * size and the current largest alignment. */
static void sx_number(struct sx_format *f, struct sx_item *it, enum sx_kind kind, size_t size)
{
    it->kind = kind;
    it->size = size;
    it->align = size < f->maxalign ? size : f->maxalign;
    if (it->align == 0)
        it->align = 1;
}

/* Reads the next option into *it (kind SX_END at the end of the format).
 * Counts of i, I and c are read and checked here; what mode letters do and
 * the error for a character that is no option wait for sx_settle, since
 * struct.unpack checks the data's length between the two, as Redis does. */
static void sx_next(struct sx_format *f, struct sx_item *it)
{
    char c = *f->p;
    it->big = f->big;
    it->align = 1;
    it->size = 0;
    it->opt = c;
    if (c == '\0') {
        it->kind = SX_END;
        return;
    }
    f->p++;
    switch (c) {
    case 'x':
        it->kind = SX_PAD;
        it->size = 1;
        return;
    case 'b': sx_number(f, it, SX_INT, 1); return;
    case 'B': sx_number(f, it, SX_UINT, 1); return;
    case 'h': sx_number(f, it, SX_INT, 2); return;
    case 'H': sx_number(f, it, SX_UINT, 2); return;
    case 'l': sx_number(f, it, SX_INT, 8); return;
    case 'L': sx_number(f, it, SX_UINT, 8); return;
    case 'T': sx_number(f, it, SX_UINT, sizeof(size_t)); return;
    case 'i': sx_number(f, it, SX_INT, sx_int_width(f)); return;
    case 'I': sx_number(f, it, SX_UINT, sx_int_width(f)); return;
    case 'f': sx_number(f, it, SX_FLOAT, sizeof(float)); return;
    case 'd': sx_number(f, it, SX_DOUBLE, sizeof(double)); return;
    case 'c':
        it->kind = SX_CHARS;
        it->size = sx_read_count(f, 1);
        return;
    case 's':
        it->kind = SX_ZSTR;
        return;
    case ' ':
    case '<':
    case '>':
    case '!':
        it->kind = SX_MODE;
        return;
    default:
        it->kind = SX_BAD;
        return;
    }
}

static bool sx_is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Applies a mode letter ('!' reads its alignment now) or rejects a
 * character that is no option; struct.size passes over letters and
 * digits it does not know. Other items need nothing. */
static void sx_settle(struct sx_format *f, const struct sx_item *it)
{
    if (it->kind == SX_MODE) {
        if (it->opt == '<')
            f->big = false;
        else if (it->opt == '>')
            f->big = true;
        else if (it->opt == '!')
            sx_set_maxalign(f);
    } else if (it->kind == SX_BAD && !(f->lenient && sx_is_alnum(it->opt))) {
        luaL_argerror(f->L, 1, lua_pushfstring(f->L, "invalid format option '%c'", it->opt));
    }
}

/* Zero bytes needed before an item of alignment align at offset. The mask
 * is exact for powers of 2; other sizes (i3, i6...) get Redis's padding. */
static size_t sx_padding(size_t offset, size_t align)
{
    if (align <= 1)
        return 0;
    size_t mask = align - 1;
    return (align - (offset & mask)) & mask;
}

/* A Lua number as the 64 bits that go on the wire. Redis converts with
 * x86-64's double to unsigned: below 2^63 (and NaN) a truncating signed
 * convert whose out-of-range answer is 2^63; from 2^63 the same on x - 2^63
 * with the top bit flipped, so 2^64 and above come out 0. Spelled out here
 * so every host (and UBSan) agrees. */
static uint64_t sx_number_bits(double x)
{
    const uint64_t top = UINT64_C(1) << 63;
    if (!(x >= 0x1p63)) {
        if (x >= -0x1p63 && x < 0x1p63)
            return (uint64_t)(int64_t)x;
        return top; /* NaN and below -2^63 */
    }
    double rest = x - 0x1p63;
    if (rest < 0x1p63)
        return (uint64_t)(int64_t)rest ^ top;
    return 0;
}

/* Writes the low bits of v as size bytes (zeros beyond 8) into out. */
static void sx_put_uint(unsigned char *out, uint64_t v, size_t size, bool big)
{
    for (size_t k = 0; k < size; k++) {
        unsigned char byte = k < 8 ? (unsigned char)(v >> (8 * k)) : 0;
        out[big ? size - 1 - k : k] = byte;
    }
}

/* Reads size bytes as an unsigned number; only the low 8 bytes survive. */
static uint64_t sx_get_uint(const unsigned char *in, size_t size, bool big)
{
    uint64_t v = 0;
    for (size_t k = 0; k < size; k++) { /* most significant byte first */
        unsigned char byte = in[big ? k : size - 1 - k];
        v = (v << 8) | byte;
    }
    return v;
}

/* ---- struct.pack ---- */

/* The value argument i as a number; one past the given ones reads as nil
 * (Redis names "nil", not "no value", in that error). */
static double sx_arg_number(lua_State *L, int i, int nargs)
{
    if (i > nargs)
        luaL_argerror(L, i, "number expected, got nil");
    return luaL_checknumber(L, i);
}

static const char *sx_arg_string(lua_State *L, int i, int nargs, size_t *len)
{
    if (i > nargs)
        luaL_argerror(L, i, "string expected, got nil");
    return luaL_checklstring(L, i, len);
}

static void sx_add_zeros(luaL_Buffer *b, size_t n)
{
    while (n-- > 0)
        luaL_addchar(b, '\0');
}

/* Appends one number item built from argument arg. */
static void sx_pack_number(lua_State *L, luaL_Buffer *b, const struct sx_item *it, int arg,
                           int nargs)
{
    unsigned char bytes[SX_MAX_INT_BYTES];
    double x = sx_arg_number(L, arg, nargs);
    uint64_t bits;
    if (it->kind == SX_FLOAT) {
        float fx = (float)x;
        uint32_t u;
        memcpy(&u, &fx, sizeof(u));
        bits = u;
    } else if (it->kind == SX_DOUBLE) {
        memcpy(&bits, &x, sizeof(bits));
    } else {
        bits = sx_number_bits(x);
    }
    sx_put_uint(bytes, bits, it->size, it->big);
    luaL_addlstring(b, (const char *)bytes, it->size);
}

/* Appends a c or s item built from argument arg; returns its length. */
static size_t sx_pack_string(lua_State *L, luaL_Buffer *b, const struct sx_item *it, int arg,
                             int nargs)
{
    size_t len;
    const char *s = sx_arg_string(L, arg, nargs, &len);
    if (it->kind == SX_ZSTR) {
        luaL_addlstring(b, s, len);
        luaL_addchar(b, '\0');
        return len + 1;
    }
    size_t n = it->size == 0 ? len : it->size;
    if (len < n) /* Redis names the argument after the short one */
        luaL_argerror(L, arg + 1, "string too short");
    luaL_addlstring(b, s, n);
    return n;
}

static int sx_pack(lua_State *L)
{
    struct sx_format f;
    sx_format_init(&f, L, luaL_checkstring(L, 1), false);
    int nargs = lua_gettop(L);
    int arg = 2;
    size_t offset = 0; /* bytes so far, for alignment */
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (;;) {
        struct sx_item it;
        sx_next(&f, &it);
        if (it.kind == SX_END)
            break;
        sx_settle(&f, &it);
        if (it.kind == SX_MODE || it.kind == SX_BAD)
            continue;
        size_t pad = sx_padding(offset, it.align);
        sx_add_zeros(&b, pad);
        offset += pad;
        if (it.kind == SX_PAD) {
            luaL_addchar(&b, '\0');
            offset++;
        } else if (it.kind == SX_CHARS || it.kind == SX_ZSTR) {
            offset += sx_pack_string(L, &b, &it, arg++, nargs);
        } else {
            sx_pack_number(L, &b, &it, arg++, nargs);
            offset += it.size;
        }
    }
    luaL_pushresult(&b);
    return 1;
}

/* ---- struct.unpack ---- */

/* Fails unless size bytes are there at pos. */
static void sx_need(lua_State *L, size_t pos, size_t size, size_t len)
{
    if (pos > len || size > len - pos)
        luaL_argerror(L, 2, "data string too short");
}

/* Pushes the number item at data + pos. */
static void sx_unpack_number(lua_State *L, const struct sx_item *it, const unsigned char *at)
{
    uint64_t v = sx_get_uint(at, it->size, it->big);
    if (it->kind == SX_FLOAT) {
        uint32_t u = (uint32_t)v;
        float fx;
        memcpy(&fx, &u, sizeof(fx));
        lua_pushnumber(L, (lua_Number)fx);
    } else if (it->kind == SX_DOUBLE) {
        double dx;
        memcpy(&dx, &v, sizeof(dx));
        lua_pushnumber(L, (lua_Number)dx);
    } else if (it->kind == SX_UINT) {
        lua_pushnumber(L, (lua_Number)v);
    } else {
        /* Sign extension as Redis does it: every bit from the sign bit up
         * is set when any of them is; the sign bit's position wraps modulo
         * 64 (x86 shifts), so i9..i15 extend from a bit inside the low
         * 8 bytes and i16 not at all. */
        unsigned shift = (unsigned)(it->size * 8 - 1) & 63;
        uint64_t high = ~UINT64_C(0) << shift;
        if (v & high)
            v |= high;
        lua_pushnumber(L, (lua_Number)(int64_t)v);
    }
}

/* The byte count of a c0: the number unpacked just before it, which it
 * takes off the results. */
static size_t sx_take_count(lua_State *L, int *results)
{
    if (*results == 0 || !lua_isnumber(L, -1))
        luaL_error(L, "format 'c0' needs a previous size");
    size_t n = (size_t)sx_number_bits(lua_tonumber(L, -1));
    lua_pop(L, 1);
    (*results)--;
    return n;
}

static int sx_unpack(lua_State *L)
{
    struct sx_format f;
    sx_format_init(&f, L, luaL_checkstring(L, 1), false);
    size_t len;
    const unsigned char *data = (const unsigned char *)luaL_checklstring(L, 2, &len);
    size_t pos = (size_t)luaL_optinteger(L, 3, 1);
    luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
    pos--;
    int results = 0;
    for (;;) {
        struct sx_item it;
        sx_next(&f, &it);
        if (it.kind == SX_END)
            break;
        sx_need(L, pos, 0, len);
        pos += sx_padding(pos, it.align);
        sx_need(L, pos, it.size, len);
        sx_settle(&f, &it);
        if (it.kind == SX_MODE || it.kind == SX_BAD)
            continue;
        size_t size = it.size;
        if (it.kind == SX_CHARS && size == 0) {
            size = sx_take_count(L, &results);
            sx_need(L, pos, size, len);
        }
        if (it.kind == SX_PAD) {
            pos += size;
            continue;
        }
        luaL_checkstack(L, 2, "too many results");
        if (it.kind == SX_ZSTR) {
            const unsigned char *nul = memchr(data + pos, '\0', len - pos);
            if (nul == NULL)
                luaL_error(L, "unfinished string in data");
            size = (size_t)(nul - (data + pos));
            lua_pushlstring(L, (const char *)data + pos, size);
            size++;
        } else if (it.kind == SX_CHARS) {
            lua_pushlstring(L, (const char *)data + pos, size);
        } else {
            sx_unpack_number(L, &it, data + pos);
        }
        pos += size;
        results++;
    }
    lua_pushinteger(L, (lua_Integer)(pos + 1));
    return results + 1;
}

/* ---- struct.size ---- */

static int sx_size(lua_State *L)
{
    struct sx_format f;
    sx_format_init(&f, L, luaL_checkstring(L, 1), true);
    size_t total = 0;
    for (;;) {
        struct sx_item it;
        sx_next(&f, &it);
        if (it.kind == SX_END)
            break;
        sx_settle(&f, &it);
        if (it.kind == SX_ZSTR)
            luaL_argerror(L, 1, "option 's' has no fixed size");
        if (it.kind == SX_CHARS && it.size == 0)
            luaL_argerror(L, 1, "option 'c0' has no fixed size");
        total += sx_padding(total, it.align) + it.size;
    }
    lua_pushnumber(L, (lua_Number)total);
    return 1;
}

int script_luaopen_struct(lua_State *L)
{
    static const luaL_Reg functions[] = {
        {"pack", sx_pack},
        {"unpack", sx_unpack},
        {"size", sx_size},
        {NULL, NULL},
    };
    lua_newtable(L); /* script_lua.c names it "struct" */
    luaL_register(L, NULL, functions);
    return 1;
}
