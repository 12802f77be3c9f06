/* args.c: splitting a line into arguments as Redis's sdssplitargs does
 * (see args.h). */
#include "net/core/args.h"

#include <assert.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "engine/alloc.h"

/* The argument array starts this large and doubles. */
#define ARGS_INITIAL 16

/* The C locale's isspace, without isspace's trouble with negative chars. */
static bool args_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int args_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The byte at i, or NUL past the end: sdssplitargs reads a C string, so
 * "past the end" and "the terminator" are the same thing to it. */
static unsigned char args_byte_at(const char *line, size_t len, size_t i)
{
    return i < len ? (unsigned char)line[i] : '\0';
}

/* Decodes one escape inside double quotes, line[*i] being the backslash:
 * \xHH (two hex digits), \n \r \t \b \a, and any other character stands for
 * itself. Returns false on a backslash that ends the line. */
static bool args_split_escape(const char *line, size_t len, size_t *i, char *out)
{
    unsigned char next = args_byte_at(line, len, *i + 1);
    int high = args_hex_value(args_byte_at(line, len, *i + 2));
    int low = args_hex_value(args_byte_at(line, len, *i + 3));
    if (next == 'x' && high >= 0 && low >= 0) {
        *out = (char)(high * 16 + low);
        *i += 4;
        return true;
    }
    switch (next) {
    case '\0': return false;
    case 'n': *out = '\n'; break;
    case 'r': *out = '\r'; break;
    case 't': *out = '\t'; break;
    case 'b': *out = '\b'; break;
    case 'a': *out = '\a'; break;
    default: *out = (char)next; break;
    }
    *i += 2;
    return true;
}

/* Copies one argument starting at line[*i] into out, unescaped, and stores
 * its length. A quote may open anywhere in the argument; the closing one
 * must be followed by a space or the end. Returns false on an open quote or
 * a closing quote followed by anything else. Output never outgrows input. */
static bool args_split_token(const char *line, size_t len, size_t *i, char *out, size_t *out_len)
{
    size_t n = 0;
    unsigned char quote = 0;
    for (;;) {
        unsigned char c = args_byte_at(line, len, *i);
        if (quote == 0) {
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0')
                break;
            if (c == '"' || c == '\'')
                quote = c;
            else
                out[n++] = (char)c;
            (*i)++;
        } else if (c == '\0') {
            return false;
        } else if (c == quote) {
            unsigned char after = args_byte_at(line, len, *i + 1);
            if (after != '\0' && !args_is_space(after))
                return false;
            (*i)++;
            break;
        } else if (c == '\\' && quote == '"') {
            if (!args_split_escape(line, len, i, &out[n++]))
                return false;
        } else if (c == '\\' && args_byte_at(line, len, *i + 1) == '\'') {
            out[n++] = '\'';
            *i += 2;
        } else {
            out[n++] = (char)c;
            (*i)++;
        }
    }
    *out_len = n;
    return true;
}

/* Each argument is copied into *scratch with a NUL after it, so the config
 * reader can treat them as C strings. Every argument takes at least one more
 * input byte than its output (a separator, a quote, or an escape) except
 * possibly the last, so len + 1 bytes of scratch always suffice and it is
 * sized once, keeping the pointers stable. */
int args_split(const char *line, size_t len, char **scratch, size_t *scratch_cap,
                    struct resp_arg **out, size_t *out_cap)
{
    const char *nul = len ? memchr(line, '\0', len) : NULL;
    if (nul != NULL)
        len = (size_t)(nul - line); /* sdssplitargs stops at the first NUL */
    if (*scratch_cap < len + 1) {
        *scratch = alloc_resize(*scratch, len + 1);
        *scratch_cap = len + 1;
    }
    size_t i = 0, used = 0;
    int count = 0;
    for (;;) {
        while (i < len && args_is_space((unsigned char)line[i]))
            i++;
        if (i == len)
            return count;
        if (count == INT_MAX)
            return -1; /* a line of gigabytes; cannot happen within the query buffer limit */
        size_t arg_len;
        if (!args_split_token(line, len, &i, *scratch + used, &arg_len))
            return -1;
        assert(used + arg_len + 1 <= *scratch_cap);
        (*scratch)[used + arg_len] = '\0';
        if ((size_t)count == *out_cap) {
            *out_cap = *out_cap < ARGS_INITIAL ? ARGS_INITIAL : *out_cap * 2;
            *out = alloc_resize(*out, *out_cap * sizeof(**out));
        }
        (*out)[count].ptr = *scratch + used;
        (*out)[count].len = arg_len;
        count++;
        used += arg_len + 1;
    }
}

struct resp_arg *args_copy(int argc, const struct resp_arg *argv)
{
    assert(argc > 0);
    size_t bytes = 0;
    for (int i = 0; i < argc; i++)
        bytes += argv[i].len;
    struct resp_arg *copy = alloc_bytes(sizeof(*copy) * (size_t)argc + bytes);
    char *data = (char *)(copy + argc);
    for (int i = 0; i < argc; i++) {
        memcpy(data, argv[i].ptr, argv[i].len);
        copy[i] = (struct resp_arg){.ptr = data, .len = argv[i].len};
        data += argv[i].len;
    }
    return copy;
}

void args_free(struct resp_arg *copy)
{
    alloc_free(copy);
}
