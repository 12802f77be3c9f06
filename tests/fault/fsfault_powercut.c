/* fsfault_powercut.c: the power cut of tests/fault/powercut.c as a program,
 * for scripts that run a server under the shim themselves
 * (bench/torture.sh --power-cut).
 *
 *     fsfault-powercut <log> <backup-dir> [<mark>]
 *
 * <log> and <backup-dir> are the FSFAULT_LOG and FSFAULT_BACKUP the server
 * ran with. Run it once every process that wrote the log is dead (after a
 * SIGKILL of the server's process group), and once per log: a second run
 * would undo again what the first already undid. With <mark> the power goes
 * out at the log's first "mark <mark>" line instead of at its end
 * (powercut_apply_at). Prints the number of directory changes undone and
 * exits 0; prints a message on stderr and exits 1 when the log cannot be
 * read, does not belong to <backup-dir>, has no such mark, or an undo
 * failed (see powercut.h), or when called wrongly. */
#include "tests/fault/powercut.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: fsfault-powercut <log> <backup-dir> [<mark>]\n");
        return 1;
    }
    int undone = powercut_apply_at(argv[1], argv[2], argc == 4 ? argv[3] : NULL);
    if (undone < 0) {
        fprintf(stderr, "fsfault-powercut: power cut from %s (backups in %s): %s%s\n", argv[1],
                argv[2], strerror(-undone),
                undone == -EINVAL   ? " (a line it cannot read, or a backup not in that directory)"
                : undone == -ESRCH ? " (no such mark in the log)"
                                   : "");
        return 1;
    }
    printf("%d\n", undone);
    return 0;
}
