/* cmd_set.c: set commands (placeholder: the collections issue fills it). */
#include "net/command.h"

struct command set_commands[] = {
    {0},
};
