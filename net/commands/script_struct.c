/* script_struct.c: the `struct` Lua library scripts see (struct.pack,
 * struct.unpack, struct.size), written for ringkv: Debian packages none for
 * Lua 5.1.
 *
 * Owns the binary packing Redis's scripts know from Roberto Ierusalimschy's
 * struct library: a format string of options, each optionally followed by
 * a size:
 *   >  big endian        <  little endian      !n  alignment n (default: native)
 *   x  a padding byte    b/B  signed/unsigned char    h/H  short
 *   l/L  long (8 bytes)  T  size_t   i/In  int of n bytes (default: int)
 *   cn  n chars (c0: the length is the previous number packed/unpacked)
 *   s  a zero-terminated string   f  float   d  double   ' '  ignored
 * Integers wider than a Lua number can hold exactly lose precision, as in
 * the original. */
#include <ctype.h>
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/commands/script_lua.h"

#define STRUCT_MAXINTSIZE 32
#define STRUCT_MAXALIGN 8

struct struct_header {
    bool little;
    int align;
};

static bool struct_native_little(void)
{
    const int one = 1;
    return *(const char *)&one == 1;
}

static size_t struct_getnum(const char **fmt, size_t df)
{
    if (!isdigit((unsigned char)**fmt))
        return df;
    size_t a = 0;
    do {
        if (a > (INT_MAX / 10) || a * 10 > (size_t)(INT_MAX - (**fmt - '0')))
            return (size_t)INT_MAX + 1; /* overflow: caught by the caller's check */
        a = a * 10 + (size_t)(*((*fmt)++) - '0');
    } while (isdigit((unsigned char)**fmt));
    return a;
}

static size_t struct_optsize(lua_State *L, char opt, const char **fmt)
{
    switch (opt) {
    case 'B':
    case 'b':
        return 1;
    case 'H':
    case 'h':
        return 2;
    case 'L':
    case 'l':
        return 8;
    case 'T':
        return sizeof(size_t);
    case 'f':
        return sizeof(float);
    case 'd':
        return sizeof(double);
    case 'x':
        return 1;
    case 'c':
        return struct_getnum(fmt, 1);
    case 'i':
    case 'I': {
        size_t sz = struct_getnum(fmt, sizeof(int));
        if (sz > STRUCT_MAXINTSIZE)
            luaL_error(L, "integral size %d is larger than limit of %d", (int)sz,
                       STRUCT_MAXINTSIZE);
        return sz;
    }
    default:
        return 0;
    }
}

/* Padding needed before an item of size at offset len. */
static int struct_gettoalign(size_t len, const struct struct_header *h, int opt, size_t size)
{
    if (size == 0 || opt == 'c')
        return 0;
    if (size > (size_t)h->align)
        size = (size_t)h->align;
    return (int)((size - (len & (size - 1))) & (size - 1));
}

static void struct_controloptions(lua_State *L, int opt, const char **fmt,
                                  struct struct_header *h)
{
    switch (opt) {
    case ' ':
        return;
    case '>':
        h->little = false;
        return;
    case '<':
        h->little = true;
        return;
    case '!': {
        int a = (int)struct_getnum(fmt, STRUCT_MAXALIGN);
        if (a <= 0 || a > 255 || (a & (a - 1)) != 0)
            luaL_error(L, "alignment %d is not a power of 2", a);
        h->align = a;
        return;
    }
    default: {
        const char *msg = lua_pushfstring(L, "invalid format option '%c'", opt);
        luaL_argerror(L, 1, msg);
    }
    }
}

static void struct_putinteger(lua_State *L, luaL_Buffer *b, int arg, bool little, int size)
{
    lua_Number n = luaL_checknumber(L, arg);
    /* two's complement of the value; bytes past the 8th are zero, as in
     * the original */
    unsigned long long value =
        n < 0 ? (unsigned long long)(long long)n : (unsigned long long)n;
    char buff[STRUCT_MAXINTSIZE];
    for (int i = 0; i < size; i++) {
        char byte = i < 8 ? (char)((value >> (8 * i)) & 0xff) : 0;
        buff[little ? i : size - 1 - i] = byte;
    }
    luaL_addlstring(b, buff, (size_t)size);
}

static void struct_correctbytes(char *b, int size, bool little)
{
    if (little != struct_native_little()) {
        int i = 0;
        while (i < --size) {
            char temp = b[i];
            b[i++] = b[size];
            b[size] = temp;
        }
    }
}

static int struct_pack(lua_State *L)
{
    struct struct_header h = {struct_native_little(), 1};
    const char *fmt = luaL_checkstring(L, 1);
    int arg = 2;
    size_t totalsize = 0;
    luaL_Buffer b;
    lua_pushnil(L); /* mark to separate arguments from the buffer's slots */
    luaL_buffinit(L, &b);
    while (*fmt != '\0') {
        int opt = *fmt++;
        size_t size = struct_optsize(L, (char)opt, &fmt);
        int toalign = struct_gettoalign(totalsize, &h, opt, size);
        totalsize += (size_t)toalign;
        while (toalign-- > 0)
            luaL_addchar(&b, '\0');
        switch (opt) {
        case 'b':
        case 'B':
        case 'h':
        case 'H':
        case 'l':
        case 'L':
        case 'T':
        case 'i':
        case 'I':
            struct_putinteger(L, &b, arg++, h.little, (int)size);
            break;
        case 'x':
            luaL_addchar(&b, '\0');
            break;
        case 'f': {
            float f = (float)luaL_checknumber(L, arg++);
            struct_correctbytes((char *)&f, (int)size, h.little);
            luaL_addlstring(&b, (char *)&f, size);
            break;
        }
        case 'd': {
            double d = (double)luaL_checknumber(L, arg++);
            struct_correctbytes((char *)&d, (int)size, h.little);
            luaL_addlstring(&b, (char *)&d, size);
            break;
        }
        case 'c':
        case 's': {
            size_t l;
            const char *s = luaL_checklstring(L, arg++, &l);
            if (size == 0)
                size = l;
            luaL_argcheck(L, l >= size, arg, "string too short");
            luaL_addlstring(&b, s, size);
            if (opt == 's') {
                luaL_addchar(&b, '\0');
                size++;
            }
            break;
        }
        default:
            struct_controloptions(L, opt, &fmt, &h);
        }
        totalsize += size;
    }
    luaL_pushresult(&b);
    return 1;
}

static lua_Number struct_getinteger(const char *buff, bool little, bool is_signed, int size)
{
    unsigned long long l = 0;
    int i;
    if (little) {
        for (i = size - 1; i >= 0; i--) {
            l <<= 8;
            l |= (unsigned char)buff[i];
        }
    } else {
        for (i = 0; i < size; i++) {
            l <<= 8;
            l |= (unsigned char)buff[i];
        }
    }
    if (!is_signed)
        return (lua_Number)l;
    if (size < 8) {
        unsigned long long mask = ~0ULL << (size * 8 - 1);
        if (l & mask)
            l |= mask; /* sign extension */
    }
    return (lua_Number)(long long)l;
}

static int struct_unpack(lua_State *L)
{
    struct struct_header h = {struct_native_little(), 1};
    const char *fmt = luaL_checkstring(L, 1);
    size_t ld;
    const char *data = luaL_checklstring(L, 2, &ld);
    size_t pos = (size_t)luaL_optinteger(L, 3, 1) - 1;
    luaL_argcheck(L, pos <= ld, 3, "offset must be 1 or greater");
    int n = 0;
    while (*fmt) {
        int opt = *fmt++;
        size_t size = struct_optsize(L, (char)opt, &fmt);
        pos += (size_t)struct_gettoalign(pos, &h, opt, size);
        luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
        luaL_checkstack(L, 2, "too many results");
        switch (opt) {
        case 'b':
        case 'B':
        case 'h':
        case 'H':
        case 'l':
        case 'L':
        case 'T':
        case 'i':
        case 'I': {
            bool is_signed = islower(opt);
            lua_pushnumber(L, struct_getinteger(data + pos, h.little, is_signed, (int)size));
            n++;
            break;
        }
        case 'x':
            break;
        case 'f': {
            float f;
            memcpy(&f, data + pos, size);
            struct_correctbytes((char *)&f, (int)sizeof(f), h.little);
            lua_pushnumber(L, f);
            n++;
            break;
        }
        case 'd': {
            double d;
            memcpy(&d, data + pos, size);
            struct_correctbytes((char *)&d, (int)sizeof(d), h.little);
            lua_pushnumber(L, d);
            n++;
            break;
        }
        case 'c': {
            if (size == 0) {
                if (n == 0 || !lua_isnumber(L, -1))
                    luaL_error(L, "format 'c0' needs a previous size");
                size = (size_t)lua_tonumber(L, -1);
                lua_pop(L, 1);
                n--;
                luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
            }
            lua_pushlstring(L, data + pos, size);
            n++;
            break;
        }
        case 's': {
            const char *e = memchr(data + pos, '\0', ld - pos);
            if (e == NULL)
                luaL_error(L, "unfinished string in data");
            size = (size_t)(e - (data + pos)) + 1;
            lua_pushlstring(L, data + pos, size - 1);
            n++;
            break;
        }
        default:
            struct_controloptions(L, opt, &fmt, &h);
        }
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos + 1);
    return n + 1;
}

static int struct_size(lua_State *L)
{
    struct struct_header h = {struct_native_little(), 1};
    const char *fmt = luaL_checkstring(L, 1);
    size_t pos = 0;
    while (*fmt) {
        int opt = *fmt++;
        size_t size = struct_optsize(L, (char)opt, &fmt);
        pos += (size_t)struct_gettoalign(pos, &h, opt, size);
        if (opt == 's')
            luaL_argerror(L, 1, "option 's' has no fixed size");
        else if (opt == 'c' && size == 0)
            luaL_argerror(L, 1, "option 'c0' has no fixed size");
        if (!isalnum(opt))
            struct_controloptions(L, opt, &fmt, &h);
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos);
    return 1;
}

int script_luaopen_struct(lua_State *L)
{
    lua_newtable(L);
    lua_pushcfunction(L, struct_pack);
    lua_setfield(L, -2, "pack");
    lua_pushcfunction(L, struct_unpack);
    lua_setfield(L, -2, "unpack");
    lua_pushcfunction(L, struct_size);
    lua_setfield(L, -2, "size");
    return 1;
}
