/* A memory card for the tests that loses power and fails, as SQLite sees
 * it (tests/cardvfs.c says how). A test program that links it calls
 * cardvfs_install() and gives commands; the station gets it only as a
 * preload (build/tests/libcardvfs.so), never linked in. */
#ifndef FS_CARDVFS_H
#define FS_CARDVFS_H

/* Makes the card SQLite's default VFS, once. 0, or -1 when SQLite
 * refuses it. */
int cardvfs_install(void);
/* One command, as in the control file: "cut 3 station.db-wal",
 * "fail write ENOSPC 1", "heal", "tear 512", "seed 7"... 0, or -1 when
 * it is not one. */
int cardvfs_command(const char *line);
/* The writes, syncs and truncations made so far on named files. */
long long cardvfs_ops(void);
/* The calls refused since the card last began to fail. */
long long cardvfs_failed(void);

#endif
