/* libFuzzer target: a station's database copy from a USB stick, as the
 * office merge checks it before anything is merged (store_backup_inspect).
 * The stick is untrusted: a damaged card, a half-written copy, a file
 * made to look like one. It must be refused with a reason or described,
 * never crash, hang or run anything from it. */
#include "store.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64], side[80];
	struct backup_facts f;
	char why[256];
	FILE *fp;

	if (!path[0])
		snprintf(path, sizeof(path), "/dev/shm/fuzz-backup-%d.db", (int)getpid());
	fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		__builtin_trap();
	why[0] = '\0';
	if (store_backup_inspect(path, &f, why, sizeof(why)) < 0) {
		if (!why[0])
			__builtin_trap();	/* a refusal says why */
	} else if (strlen(f.uid) != 32) {
		__builtin_trap();	/* taken only with the station's uid */
	}
	/* Whatever SQLite may have left beside it. */
	snprintf(side, sizeof(side), "%s-journal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	return 0;
}
