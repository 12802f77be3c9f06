/* cmd_hash.c: hash commands (placeholder: the collections issue fills it). */
#include "net/command.h"

struct command hash_commands[] = {
    {0},
};
