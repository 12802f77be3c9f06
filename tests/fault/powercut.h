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
 * four changes nor an fsync nor a mark (see powercut_apply_at) are skipped
 * (truncate, or a word it does not know).
 *
 * Returns the number of changes undone, or -errno: the log cannot be read
 * (a missing log is -ENOENT, not an empty cut), is too big, names a backup
 * outside backup_dir, or an undo failed (the cut stops at the first failed
 * undo, leaving the newer changes undone). Borrows both paths for the call;
 * prints nothing. */
int powercut_apply(const char *log_path, const char *backup_dir);

/* Like powercut_apply, with the power going out at a point in time before
 * the end of the log: the first line "mark <mark>" in it. Whoever watches
 * the server (a test) appends such lines to the log itself, each with one
 * write on an O_APPEND descriptor, the way the shim writes (fsfault.c), for
 * instance right after a reply arrived. Every change logged after the mark
 * is undone whatever followed it, as if it never happened, and the fsyncs
 * logged after it count for nothing; before the mark the strict rule above
 * applies, with only the fsyncs before the mark. So the cut shows what a
 * power cut at that moment would have left, as far as directory entries go
 * (contents are left as the end of the log has them: files only grow in
 * what ringkv keeps, so a later byte adds, never removes). A mark is a
 * label without spaces; -ESRCH when the log has no such mark. mark NULL is
 * powercut_apply. */
int powercut_apply_at(const char *log_path, const char *backup_dir, const char *mark);

#endif
