/* cmd_list.c: list commands (placeholder: the collections issue fills it). */
#include "net/command.h"

struct command list_commands[] = {
    {0},
};
