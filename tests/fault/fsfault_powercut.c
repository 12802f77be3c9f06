/* fsfault_powercut.c: the power cut of tests/fault/powercut.c as a program,
 * for scripts that run a server under the shim themselves
 * (bench/torture.sh --power-cut).
 *
 *     fsfault-powercut <log> <backup-dir>
 *
 * <log> and <backup-dir> are the FSFAULT_LOG and FSFAULT_BACKUP the server
 * ran with. Run it once every process that wrote the log is dead (after a
 * SIGKILL of the server's process group), and once per log: a second run
 * would undo again what the first already undid. Prints the number of
 * directory changes undone and exits 0; prints a message on stderr and
 * exits 1 when the log cannot be read, does not belong to <backup-dir>, or
 * an undo failed (see powercut.h), or when called wrongly. */
#include "tests/fault/powercut.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fsfault-powercut <log> <backup-dir>\n");
        return 1;
    }
    int undone = powercut_apply(argv[1], argv[2]);
    if (undone < 0) {
        fprintf(stderr, "fsfault-powercut: power cut from %s (backups in %s): %s%s\n", argv[1],
                argv[2], strerror(-undone),
                undone == -EINVAL ? " (a line it cannot read, or a backup not in that directory)"
                                  : "");
        return 1;
    }
    printf("%d\n", undone);
    return 0;
}
