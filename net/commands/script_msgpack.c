/* script_msgpack.c: the `cmsgpack` Lua library scripts see, written for
 * ringkv (Debian packages none for Lua 5.1).
 *
 * Owns MessagePack encoding and decoding with the behaviour scripts rely on
 * in Redis 7.0: cmsgpack.pack(v1, v2, ...) concatenates each value's
 * encoding; a Lua number whose value is an integer is packed in the
 * smallest integer form, other numbers as float 32 when that is exact,
 * else float 64; a table whose keys are exactly 1..n is an array, any other
 * a map; tables nested deeper than 16 levels pack as nil (so cycles end);
 * functions and other values pack as nil. cmsgpack.unpack(s) returns every
 * value in s; unpack_one(s [, offset]) and unpack_limit(s, limit
 * [, offset]) return the offset to continue from (-1 at the end) first. */
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "net/commands/script_lua.h"
#include "net/wire/buf.h"

#define MSGPACK_MAX_NESTING 16

/* ---- encoding ---- */

static void msgpack_put(struct buf *b, const void *p, size_t n)
{
    buf_append(b, p, n);
}

static void msgpack_put_be(struct buf *b, unsigned char tag, uint64_t v, int bytes)
{
    unsigned char out[9];
    out[0] = tag;
    for (int i = 0; i < bytes; i++)
        out[1 + i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
    msgpack_put(b, out, (size_t)bytes + 1);
}

static void msgpack_encode_int(struct buf *b, int64_t n)
{
    if (n >= 0) {
        if (n <= 127) {
            unsigned char c = (unsigned char)n;
            msgpack_put(b, &c, 1);
        } else if (n <= 0xff) {
            msgpack_put_be(b, 0xcc, (uint64_t)n, 1);
        } else if (n <= 0xffff) {
            msgpack_put_be(b, 0xcd, (uint64_t)n, 2);
        } else if (n <= 0xffffffffLL) {
            msgpack_put_be(b, 0xce, (uint64_t)n, 4);
        } else {
            msgpack_put_be(b, 0xcf, (uint64_t)n, 8);
        }
    } else {
        if (n >= -32) {
            unsigned char c = (unsigned char)(signed char)n;
            msgpack_put(b, &c, 1);
        } else if (n >= -128) {
            msgpack_put_be(b, 0xd0, (uint64_t)n, 1);
        } else if (n >= -32768) {
            msgpack_put_be(b, 0xd1, (uint64_t)n, 2);
        } else if (n >= -2147483648LL) {
            msgpack_put_be(b, 0xd2, (uint64_t)n, 4);
        } else {
            msgpack_put_be(b, 0xd3, (uint64_t)n, 8);
        }
    }
}

static void msgpack_encode_number(struct buf *b, lua_Number n)
{
    if (!isinf(n) && n == n && n >= -9223372036854775808.0 && n < 9223372036854775808.0 &&
        (lua_Number)(int64_t)n == n) {
        msgpack_encode_int(b, (int64_t)n);
        return;
    }
    float f = (float)n;
    if ((double)f == (double)n || (isnan(n) && isnan(f))) {
        uint32_t bits;
        memcpy(&bits, &f, 4);
        msgpack_put_be(b, 0xca, bits, 4);
    } else {
        double d = (double)n;
        uint64_t bits;
        memcpy(&bits, &d, 8);
        msgpack_put_be(b, 0xcb, bits, 8);
    }
}

static void msgpack_encode_len(struct buf *b, size_t len, unsigned char fix, size_t fix_max,
                               unsigned char t16, unsigned char t32)
{
    if (len <= fix_max) {
        unsigned char c = (unsigned char)(fix | len);
        msgpack_put(b, &c, 1);
    } else if (len <= 0xffff) {
        msgpack_put_be(b, t16, len, 2);
    } else {
        msgpack_put_be(b, t32, len, 4);
    }
}

static void msgpack_encode_string(struct buf *b, const char *s, size_t len)
{
    if (len < 32) {
        unsigned char c = (unsigned char)(0xa0 | len);
        msgpack_put(b, &c, 1);
    } else if (len <= 0xff) {
        msgpack_put_be(b, 0xd9, len, 1);
    } else if (len <= 0xffff) {
        msgpack_put_be(b, 0xda, len, 2);
    } else {
        msgpack_put_be(b, 0xdb, len, 4);
    }
    msgpack_put(b, s, len);
}

/* Whether the table on top has exactly the keys 1..n. */
static bool msgpack_is_array(lua_State *L)
{
    int top = lua_gettop(L);
    lua_Number max = 0, count = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        lua_Number n;
        if (lua_type(L, -1) != LUA_TNUMBER || (n = lua_tonumber(L, -1)) <= 0 || n != floor(n)) {
            lua_settop(L, top);
            return false;
        }
        if (n > max)
            max = n;
        count++;
    }
    lua_settop(L, top);
    return max == count;
}

/* The encoding goes into a C buffer: nothing in it raises a Lua error
 * (the nesting bound keeps the stack use small), so it cannot leak. */
struct msgpack_enc {
    lua_State *L;
    struct buf b;
};

static void msgpack_encode_value(struct msgpack_enc *e, int idx, int level);

static void msgpack_encode_table(struct msgpack_enc *e, int idx, int level)
{
    lua_State *L = e->L;
    lua_pushvalue(L, idx);
    bool array = msgpack_is_array(L);
    lua_pop(L, 1);
    if (array) {
        size_t len = lua_objlen(L, idx);
        msgpack_encode_len(&e->b, len, 0x90, 15, 0xdc, 0xdd);
        for (size_t j = 1; j <= len; j++) {
            lua_rawgeti(L, idx, (int)j);
            msgpack_encode_value(e, lua_gettop(L), level + 1);
            lua_pop(L, 1);
        }
        return;
    }
    size_t pairs = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        pairs++;
    }
    msgpack_encode_len(&e->b, pairs, 0x80, 15, 0xde, 0xdf);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int v = lua_gettop(L);
        msgpack_encode_value(e, v - 1, level + 1);
        msgpack_encode_value(e, v, level + 1);
        lua_pop(L, 1);
    }
}

static void msgpack_encode_value(struct msgpack_enc *e, int idx, int level)
{
    lua_State *L = e->L;
    int t = lua_type(L, idx);
    if (!lua_checkstack(L, 8))
        t = LUA_TNIL;
    if (t == LUA_TTABLE && level == MSGPACK_MAX_NESTING)
        t = LUA_TNIL;
    switch (t) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        msgpack_encode_string(&e->b, s, len);
        break;
    }
    case LUA_TBOOLEAN: {
        unsigned char c = lua_toboolean(L, idx) ? 0xc3 : 0xc2;
        msgpack_put(&e->b, &c, 1);
        break;
    }
    case LUA_TNUMBER:
        msgpack_encode_number(&e->b, lua_tonumber(L, idx));
        break;
    case LUA_TTABLE:
        msgpack_encode_table(e, idx, level);
        break;
    default: {
        unsigned char c = 0xc0;
        msgpack_put(&e->b, &c, 1);
        break;
    }
    }
}

/* Every argument's encoding, one after the other. */
static int msgpack_pack(lua_State *L)
{
    int nargs = lua_gettop(L);
    if (nargs == 0)
        return luaL_argerror(L, 0, "MessagePack pack needs input.");
    struct msgpack_enc e = {.L = L};
    for (int i = 1; i <= nargs; i++)
        msgpack_encode_value(&e, i, 0);
    lua_pushlstring(L, e.b.data ? e.b.data : "", e.b.len);
    buf_free(&e.b);
    return 1;
}

/* ---- decoding ---- */

struct msgpack_cur {
    const unsigned char *p;
    size_t left;
    int err; /* 0, 1: missing bytes, 2: bad format */
};

static bool msgpack_need(struct msgpack_cur *c, size_t n)
{
    if (c->left < n) {
        c->err = 1;
        return false;
    }
    return true;
}

static uint64_t msgpack_be(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = (v << 8) | p[i];
    return v;
}

static void msgpack_decode(lua_State *L, struct msgpack_cur *c);

static void msgpack_decode_array(lua_State *L, struct msgpack_cur *c, size_t n)
{
    lua_newtable(L);
    for (size_t j = 1; j <= n; j++) {
        msgpack_decode(L, c);
        if (c->err)
            return;
        lua_rawseti(L, -2, (int)j);
    }
}

static void msgpack_decode_map(lua_State *L, struct msgpack_cur *c, size_t n)
{
    lua_newtable(L);
    for (size_t j = 0; j < n; j++) {
        msgpack_decode(L, c);
        if (c->err)
            return;
        msgpack_decode(L, c);
        if (c->err)
            return;
        if (lua_isnil(L, -2)) {
            lua_pop(L, 2); /* a nil key cannot be stored */
            continue;
        }
        lua_settable(L, -3);
    }
}

static void msgpack_decode_bytes(lua_State *L, struct msgpack_cur *c, size_t hdr, size_t n)
{
    c->p += hdr;
    c->left -= hdr;
    if (!msgpack_need(c, n))
        return;
    lua_pushlstring(L, (const char *)c->p, n);
    c->p += n;
    c->left -= n;
}

/* Pushes one value (nothing when c->err is set). */
static void msgpack_decode(lua_State *L, struct msgpack_cur *c)
{
    luaL_checkstack(L, 8, "cmsgpack: too deep");
    if (!msgpack_need(c, 1))
        return;
    unsigned char t = c->p[0];
    const unsigned char *q = c->p + 1;
    static const int int_bytes[] = {1, 2, 4, 8};
    if (t <= 0x7f || t >= 0xe0) { /* fixints */
        lua_pushnumber(L, t <= 0x7f ? (lua_Number)t : (lua_Number)(signed char)t);
        c->p++;
        c->left--;
        return;
    }
    if ((t & 0xe0) == 0xa0) { /* fixstr */
        msgpack_decode_bytes(L, c, 1, t & 0x1f);
        return;
    }
    if ((t & 0xf0) == 0x90 || (t & 0xf0) == 0x80) { /* fixarray / fixmap */
        c->p++;
        c->left--;
        if ((t & 0xf0) == 0x90)
            msgpack_decode_array(L, c, t & 0x0f);
        else
            msgpack_decode_map(L, c, t & 0x0f);
        return;
    }
    switch (t) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
        if (t == 0xc0)
            lua_pushnil(L);
        else
            lua_pushboolean(L, t == 0xc3);
        c->p++;
        c->left--;
        return;
    case 0xca:
    case 0xcb: {
        int n = t == 0xca ? 4 : 8;
        if (!msgpack_need(c, 1 + (size_t)n))
            return;
        uint64_t bits = msgpack_be(q, n);
        if (n == 4) {
            uint32_t b32 = (uint32_t)bits;
            float f;
            memcpy(&f, &b32, 4);
            lua_pushnumber(L, (lua_Number)f);
        } else {
            double d;
            memcpy(&d, &bits, 8);
            lua_pushnumber(L, (lua_Number)d);
        }
        c->p += 1 + n;
        c->left -= 1 + (size_t)n;
        return;
    }
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
        bool is_signed = t >= 0xd0;
        int n = int_bytes[(t - (is_signed ? 0xd0 : 0xcc))];
        if (!msgpack_need(c, 1 + (size_t)n))
            return;
        uint64_t v = msgpack_be(q, n);
        lua_Number num;
        if (!is_signed) {
            num = (lua_Number)v;
        } else if (n == 1) {
            num = (lua_Number)(int8_t)v;
        } else if (n == 2) {
            num = (lua_Number)(int16_t)v;
        } else if (n == 4) {
            num = (lua_Number)(int32_t)v;
        } else {
            num = (lua_Number)(int64_t)v;
        }
        lua_pushnumber(L, num);
        c->p += 1 + n;
        c->left -= 1 + (size_t)n;
        return;
    }
    case 0xc4: /* bin 8/16/32 and str 8/16/32 are strings */
    case 0xd9:
    case 0xc5:
    case 0xda:
    case 0xc6:
    case 0xdb: {
        int n = (t == 0xc4 || t == 0xd9) ? 1 : (t == 0xc5 || t == 0xda) ? 2 : 4;
        if (!msgpack_need(c, 1 + (size_t)n))
            return;
        msgpack_decode_bytes(L, c, 1 + (size_t)n, (size_t)msgpack_be(q, n));
        return;
    }
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf: {
        int n = (t == 0xdc || t == 0xde) ? 2 : 4;
        if (!msgpack_need(c, 1 + (size_t)n))
            return;
        size_t count = (size_t)msgpack_be(q, n);
        c->p += 1 + n;
        c->left -= 1 + (size_t)n;
        if (t == 0xdc || t == 0xdd)
            msgpack_decode_array(L, c, count);
        else
            msgpack_decode_map(L, c, count);
        return;
    }
    default:
        c->err = 2;
        return;
    }
}

static int msgpack_unpack_full(lua_State *L, lua_Integer limit, lua_Integer offset)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    bool all = limit == 0 && offset == 0;
    if (offset < 0 || limit < 0)
        return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                          (int)offset, (int)len);
    if ((size_t)offset > len)
        return luaL_error(L, "Start offset %d greater than input length %d.", (int)offset,
                          (int)len);
    if (all)
        limit = INT_MAX;
    struct msgpack_cur c = {(const unsigned char *)s + offset, len - (size_t)offset, 0};
    int count = 0;
    for (; c.left > 0 && count < limit; count++) {
        msgpack_decode(L, &c);
        if (c.err == 1)
            return luaL_error(L, "Missing bytes in input.");
        if (c.err == 2)
            return luaL_error(L, "Bad data format in input.");
    }
    if (!all) {
        luaL_checkstack(L, 1, "in function mp_unpack_full");
        lua_pushinteger(L, c.left == 0 ? -1 : (lua_Integer)(len - c.left));
        lua_insert(L, 2);
        count++;
    }
    return count;
}

static int msgpack_unpack(lua_State *L)
{
    return msgpack_unpack_full(L, 0, 0);
}

static int msgpack_unpack_one(lua_State *L)
{
    lua_Integer offset = luaL_optinteger(L, 2, 0);
    lua_pop(L, lua_gettop(L) - 1);
    return msgpack_unpack_full(L, 1, offset);
}

static int msgpack_unpack_limit(lua_State *L)
{
    lua_Integer limit = luaL_checkinteger(L, 2);
    lua_Integer offset = luaL_optinteger(L, 3, 0);
    lua_pop(L, lua_gettop(L) - 1);
    return msgpack_unpack_full(L, limit, offset);
}

int script_luaopen_cmsgpack(lua_State *L)
{
    lua_newtable(L);
    lua_pushcfunction(L, msgpack_pack);
    lua_setfield(L, -2, "pack");
    lua_pushcfunction(L, msgpack_unpack);
    lua_setfield(L, -2, "unpack");
    lua_pushcfunction(L, msgpack_unpack_one);
    lua_setfield(L, -2, "unpack_one");
    lua_pushcfunction(L, msgpack_unpack_limit);
    lua_setfield(L, -2, "unpack_limit");
    lua_pushliteral(L, "cmsgpack");
    lua_setfield(L, -2, "_NAME");
    lua_pushliteral(L, "lua-cmsgpack 0.4.0");
    lua_setfield(L, -2, "_VERSION");
    return 1;
}
