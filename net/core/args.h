/* args.h: arguments as byte spans, and splitting a text line into them. */
#ifndef RINGKV_NET_CORE_ARGS_H
#define RINGKV_NET_CORE_ARGS_H

#include <stddef.h>

/* One argument: a span of bytes, borrowed from whatever buffer it was
 * parsed from (a RESP request's query buffer, a config line). The name is
 * the RESP request's, where most of them come from. */
struct resp_arg {
    const char *ptr; /* borrowed */
    size_t len;
};

/* Splits an inline line as Redis's sdssplitargs does (quotes, \xHH and the
 * C escapes in double quotes, no escapes in single quotes). Writes owned
 * results into out (grown with engine/alloc.h); returns the count, or -1 on
 * unbalanced quotes. Used by the RESP parser for inline commands and by the config file
 * reader. */
int args_split(const char *line, size_t len, char **scratch, size_t *scratch_cap,
                    struct resp_arg **out, size_t *out_cap);
/* Returns an owned deep copy of argv[0..argc) (borrowed for the call), for
 * arguments kept past their request (MULTI's queue, a blocked client): a
 * parsed argv points into the query buffer, which is reused once the
 * command is consumed. One block holds the array and then the bytes, so
 * args_free frees it all. */
struct resp_arg *args_copy(int argc, const struct resp_arg *argv);
/* Takes ownership of a copy from args_copy (may be NULL) and frees it. */
void args_free(struct resp_arg *copy);

#endif
