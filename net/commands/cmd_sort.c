/* cmd_sort.c: SORT and SORT_RO (placeholder table until the handlers land). */
#include "net/commands/command.h"

struct command sort_commands[] = {
    {0},
};
