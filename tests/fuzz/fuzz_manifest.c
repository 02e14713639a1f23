/* libFuzzer target: an export's manifest.txt as a stick may bring it to
 * the office, damaged or made up. It must be taken whole or refused with
 * a reason, never crash or hang, and what it takes must be safe to use:
 * file names that stay in their folder, a backup among the files, a
 * checksum for every file. */
#include "manifest.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m;
	char why[256] = "";

	if (manifest_parse(&m, (const char *)data, size, why, sizeof(why)) == 0) {
		if (!manifest_find(&m, m.backup) || strcmp(m.backup, MANIFEST_NAME) == 0)
			__builtin_trap();
		for (int i = 0; i < m.n_files; i++)
			if (!manifest_name_ok(m.files[i].name) || !m.files[i].has_sha ||
			    strchr(m.files[i].name, '/') || m.files[i].bytes < 0)
				__builtin_trap();
	} else if (!why[0]) {
		__builtin_trap();
	}
	manifest_free(&m);
	return 0;
}
