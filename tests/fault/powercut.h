/* powercut.h: a power cut replayed from the log of the filesystem fault
 * shim (tests/fault/fsfault.c), for the black-box harness
 * (fsfault_power_cut in tests/blackbox/harness.c) and for scripts, through
 * the fsfault-powercut program (tests/fault/fsfault_powercut.c).
 *
 * Plain C and libc only: no test framework, no project library. */
#ifndef RINGKV_TESTS_FAULT_POWERCUT_H
#define RINGKV_TESTS_FAULT_POWERCUT_H

/* Longest log read, in bytes: the whole log is held in memory while it is
 * walked. A torture cycle logs a few hundred lines of about 100 bytes;
 * a bigger log is not what the caller meant to cut (-EFBIG). */
#define POWERCUT_LOG_BYTES_MAX (64u << 20)

/* Cuts the power on what the shim logged at log_path, once every process
 * that wrote the log is dead (SIGKILL of the server's process group).
 *
 * Undoes, newest first, every logged directory change that no later fsync
 * of its directory made durable, under POSIX's strict rule: an entry
 * created, renamed or removed in directory D is durable only after an
 * fsync of D that comes after it in the log; a rename needs both its source
 * and target directories fsynced after it. Undo: mkdir -> remove the
 * directory tree; create -> remove the file if it still has that name;
 * rename -> move it back and restore the replaced target from its backup;
 * unlink -> restore from backup. File contents are left as they are.
 *
 * backup_dir is the shim's FSFAULT_BACKUP of that run: every backup the log
 * names must be a file directly in it, or the log is refused before
 * anything is undone (-EINVAL), so a wrong pairing of log and directory
 * never moves a file from elsewhere. Lines that are neither one of these
 * four changes nor an fsync (truncate, or text it cannot read) are skipped.
 *
 * Returns the number of changes undone, or -errno: the log cannot be read
 * (a missing log is -ENOENT, not an empty cut), is too big, names a backup
 * outside backup_dir, or an undo failed (the cut stops at the first failed
 * undo, leaving the newer changes undone). Borrows both paths for the call;
 * prints nothing. */
int powercut_apply(const char *log_path, const char *backup_dir);

#endif
