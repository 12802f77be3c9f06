/* cmd_zset.c: zset commands (placeholder: the collections issue fills it). */
#include "net/command.h"

struct command zset_commands[] = {
    {0},
};
