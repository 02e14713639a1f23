/* Merging stations' export folders at the office: find them, check each
 * against its manifest, take its database copy off the stick, check it,
 * bring it up to this program's schema, merge it. */
#include "merge.h"

#include "manifest.h"
#include "sha256.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_LEN (PATH_MAX + 512)

const char *merge_table_label(const char *table)
{
	static const struct {
		const char *table, *label;
	} labels[] = {
		{ "pump_runs", N_("irrigation runs") },
		{ "records", N_("farm records") },
		{ "events", N_("events") },
		{ "readings_daily", N_("days of sensor readings") },
	};

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].table, table) == 0)
			return _(labels[i].label);
	return NULL;
}

/* A file of the folder, opened only if it is a plain file there. */
static int open_plain(const char *folder, const char *name, struct stat *st)
{
	char path[PATH_LEN];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", folder, name) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

static int read_manifest(const char *folder, struct manifest *m, char *why, size_t n)
{
	struct stat st;
	char *text;
	ssize_t got = 0;
	int fd = open_plain(folder, MANIFEST_NAME, &st), rc;

	memset(m, 0, sizeof(*m));
	if (fd < 0) {
		snprintf(why, n, "%s", _("there is no manifest.txt: it is not an export folder"));
		return -1;
	}
	if (st.st_size > MANIFEST_MAX_BYTES || !(text = malloc((size_t)st.st_size + 1))) {
		close(fd);
		snprintf(why, n, "%s", _("manifest.txt is far too large"));
		return -1;
	}
	while (got < st.st_size) {
		ssize_t r = read(fd, text + got, (size_t)(st.st_size - got));

		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	rc = got == st.st_size ? manifest_parse(m, text, (size_t)got, why, n) : -1;
	if (got != st.st_size)
		snprintf(why, n, "%s", _("manifest.txt cannot be read whole"));
	free(text);
	return rc;
}

/* Checks one file against the manifest; with out >= 0, copies it there as
 * it reads, so that what is checked is what is used. */
static int check_file(const char *folder, const struct manifest_file *mf, int out, char *why,
		      size_t n)
{
	uint8_t sha[SHA256_BYTES], buf[65536];
	struct sha256 s;
	struct stat st;
	int64_t total = 0;
	int fd = open_plain(folder, mf->name, &st);

	if (fd < 0) {
		snprintf(why, n, _("%s is missing"), mf->name);
		return -1;
	}
	sha256_init(&s);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, n, _("%s cannot be read (%s)"), mf->name, strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		sha256_update(&s, buf, (size_t)r);
		total += r;
		if (out >= 0 && write(out, buf, (size_t)r) != r) {
			snprintf(why, n, _("the copy of %s cannot be written (%s)"), mf->name,
				 strerror(errno));
			close(fd);
			return -1;
		}
	}
	close(fd);
	sha256_final(&s, sha);
	if (total != mf->bytes || memcmp(sha, mf->sha, SHA256_BYTES) != 0) {
		snprintf(why, n, _("%s is not what was exported: its size or checksum differs"),
			 mf->name);
		return -1;
	}
	return 0;
}

static void remove_copy(const char *copy)
{
	char p[PATH_LEN];

	unlink(copy);
	snprintf(p, sizeof(p), "%s-wal", copy);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", copy);
	unlink(p);
}

/* One export folder. */
static int merge_folder(struct store *s, const char *office_path, const char *folder, int64_t now,
			merge_report_fn *report, void *ctx)
{
	struct manifest m;
	struct backup_facts f;
	struct merge_result r;
	char why[512], copy[PATH_LEN], dir[PATH_LEN], *slash;
	struct store *up = NULL;
	int fd = -1, rc = -1;
	bool have_facts = false;

	copy[0] = '\0';
	if (read_manifest(folder, &m, why, sizeof(why)) < 0)
		goto out;
	for (int i = 0; i < m.n_files; i++)
		if (strcmp(m.files[i].name, m.backup) != 0 &&
		    check_file(folder, &m.files[i], -1, why, sizeof(why)) < 0)
			goto out;
	/* The database copy comes off the stick into a file of our own. */
	snprintf(dir, sizeof(dir), "%s", office_path);
	slash = strrchr(dir, '/');
	if (slash)
		slash[1] = '\0';
	else
		snprintf(dir, sizeof(dir), "./");
	if ((size_t)snprintf(copy, sizeof(copy), "%s.fieldstation-merge-XXXXXX", dir) >=
	    sizeof(copy) || (fd = mkstemp(copy)) < 0) {
		snprintf(why, sizeof(why), _("no room for a copy beside %s (%s)"), office_path,
			 strerror(errno));
		copy[0] = '\0';
		goto out;
	}
	rc = check_file(folder, manifest_find(&m, m.backup), fd, why, sizeof(why));
	if (close(fd) < 0 && rc == 0) {
		snprintf(why, sizeof(why), _("no room for a copy beside %s (%s)"), office_path,
			 strerror(errno));
		rc = -1;
	}
	fd = -1;
	if (rc < 0)
		goto out;
	rc = -1;
	if (store_backup_inspect(copy, &f, why, sizeof(why)) < 0)
		goto out;
	have_facts = true;
	if (strcmp(f.uid, m.uid) != 0) {
		snprintf(why, sizeof(why), "%s",
			 _("the database copy is another station's than the manifest says"));
		goto out;
	}
	f.data_until = m.to;
	/* An older station's copy is brought up to this program's schema. */
	if (store_open(copy, 0, &up, why, sizeof(why)) < 0)
		goto out;
	store_close(up);
	if (store_merge(s, copy, &f, now, &r, why, sizeof(why)) < 0)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (copy[0])
		remove_copy(copy);
	manifest_free(&m);
	report(ctx, folder, have_facts ? &f : NULL, rc == 0 ? &r : NULL, rc == 0 ? NULL : why);
	return rc;
}

static bool has_manifest(const char *folder)
{
	struct stat st;
	int fd = open_plain(folder, MANIFEST_NAME, &st);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int merge_path(struct store *s, const char *office_path, const char *path, int64_t now,
	       merge_report_fn *report, void *ctx, char *why, size_t n)
{
	struct dirent **names;
	int count, refused = 0, found = 0;

	if (has_manifest(path))
		return merge_folder(s, office_path, path, now, report, ctx) < 0 ? 1 : 0;
	/* A stick's root: the export folders in it, oldest name first. */
	count = scandir(path, &names, NULL, by_name);
	if (count < 0) {
		snprintf(why, n, _("%s cannot be read (%s)"), path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < count; i++) {
		char sub[PATH_LEN];

		if (names[i]->d_name[0] != '.' &&
		    (size_t)snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name) < sizeof(sub) &&
		    has_manifest(sub)) {
			found++;
			/* A folder found broken when it was read back is not merged. */
			if (ends_with(names[i]->d_name, "_HONG")) {
				report(ctx, sub, NULL, NULL,
				       _("it was found damaged when the station read it back"));
				refused++;
			} else if (merge_folder(s, office_path, sub, now, report, ctx) < 0) {
				refused++;
			}
		}
		free(names[i]);
	}
	free(names);
	if (!found) {
		snprintf(why, n, _("%s holds no export folder (one with manifest.txt)"), path);
		return -1;
	}
	return refused;
}
