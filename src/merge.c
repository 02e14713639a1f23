/* Merging stations' export folders at the office: find them, check each
 * against its manifest, take its database copy off the stick, check it,
 * bring it up to this program's schema, merge it. */
#include "merge.h"

#include "manifest.h"
#include "nofollow.h"
#include "sha256.h"
#include "store_delta.h"
#include "text.h"
#include "trust.h"

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

/* Why a file of a folder on the stick was not opened. */
static void say_not_opened(int errnum, const char *name, char *err, size_t errlen)
{
	switch (errnum) {
	case ENOENT:
		snprintf(err, errlen, _("%s is missing"), name);
		break;
	case ELOOP:
		snprintf(err, errlen, _("%s is a symbolic link, which a station never writes: it was not followed"),
			 name);
		break;
	case EINVAL:
	case EXDEV:
		snprintf(err, errlen, _("%s is not a regular file (a FIFO, a device or a folder?): it was not opened"),
			 name);
		break;
	default:
		snprintf(err, errlen, _("%s cannot be read (%s)"), name, strerror(errnum));
	}
}

static int read_manifest(int folder, struct manifest *m, char **kept, char *err, size_t errlen)
{
	struct stat st;
	char *text;
	ssize_t got = 0;
	int fd = nofollow_open(folder, MANIFEST_NAME, &st), rc;

	memset(m, 0, sizeof(*m));
	if (fd == -ENOENT) {
		snprintf(err, errlen, "%s", _("there is no manifest.txt: it is not an export folder"));
		return -1;
	}
	if (fd < 0) {
		say_not_opened(-fd, MANIFEST_NAME, err, errlen);
		return -1;
	}
	if (st.st_size > MANIFEST_MAX_BYTES || !(text = malloc((size_t)st.st_size + 1))) {
		close(fd);
		snprintf(err, errlen, "%s", _("manifest.txt is far too large"));
		return -1;
	}
	while (got < st.st_size) {
		ssize_t r = read(fd, text + got, (size_t)(st.st_size - got));

		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	rc = got == st.st_size ? manifest_parse(m, text, (size_t)got, err, errlen) : -1;
	if (got != st.st_size)
		snprintf(err, errlen, "%s", _("manifest.txt cannot be read whole"));
	if (rc == 0 && kept) {
		text[got] = '\0';
		*kept = text;
		return 0;
	}
	free(text);
	return rc;
}

/* The manifest, a station's, signed by the key it names. */
int merge_read_manifest_at(int folder, struct manifest *m, char *err, size_t errlen)
{
	char *text = NULL;
	int rc = read_manifest(folder, m, &text, err, errlen);

	if (rc == 0 && !m->uid[0]) {
		/* An office's own export: nothing in it is a station's. */
		snprintf(err, errlen, "%s", _("it is an office's database, not a station's"));
		rc = -1;
	}
	if (rc == 0)
		rc = manifest_verify(m, text, err, errlen);
	free(text);
	return rc;
}

int merge_read_manifest(const char *folder, struct manifest *m, char *err, size_t errlen)
{
	int fd = nofollow_dir(AT_FDCWD, folder), rc;

	memset(m, 0, sizeof(*m));
	if (fd < 0) {
		if (fd == -ELOOP)
			snprintf(err, errlen, _("%s is a symbolic link: it was not followed"), folder);
		else
			snprintf(err, errlen, _("%s cannot be read (%s)"), folder, strerror(-fd));
		return -1;
	}
	rc = merge_read_manifest_at(fd, m, err, errlen);
	close(fd);
	return rc;
}

/* Checks one file against the manifest; with out >= 0, copies it there as
 * it reads, so that what is checked is what is used. */
static int check_file(int folder, const struct manifest_file *mf, int out, char *err, size_t errlen)
{
	uint8_t sha[SHA256_BYTES], buf[65536];
	struct sha256 s;
	struct stat st;
	int64_t total = 0;
	int fd = nofollow_open(folder, mf->name, &st);

	if (fd < 0) {
		say_not_opened(-fd, mf->name, err, errlen);
		return -1;
	}
	/* The size first: a file that cannot match is not read at all. */
	if (st.st_size != mf->bytes) {
		close(fd);
		snprintf(err, errlen, _("%s is not what was exported: its size or checksum differs"),
			 mf->name);
		return -1;
	}
	sha256_init(&s);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, _("%s cannot be read (%s)"), mf->name, strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0 || total + r > mf->bytes)
			break;
		sha256_update(&s, buf, (size_t)r);
		total += r;
		if (out >= 0 && write(out, buf, (size_t)r) != r) {
			snprintf(err, errlen, _("the copy of %s cannot be written (%s)"), mf->name,
				 strerror(errno));
			close(fd);
			return -1;
		}
	}
	close(fd);
	sha256_final(&s, sha);
	if (total != mf->bytes || memcmp(sha, mf->sha, SHA256_BYTES) != 0) {
		snprintf(err, errlen, _("%s is not what was exported: its size or checksum differs"),
			 mf->name);
		return -1;
	}
	return 0;
}

/* What a folder's files come to, against what an office takes. */
static int check_sizes(const struct manifest *m, char *err, size_t errlen)
{
	int64_t total = 0;

	for (int i = 0; i < m->n_files; i++)
		total = m->files[i].bytes > INT64_MAX - total ? INT64_MAX : total + m->files[i].bytes;
	/* A delta's copy is rebuilt whole here. */
	if (m->has_base)
		total = m->whole_bytes > INT64_MAX - total ? INT64_MAX : total + m->whole_bytes;
	if (total <= MERGE_MAX_FOLDER_BYTES)
		return 0;
	snprintf(err, errlen, _("its files come to %lld MB, more than an office takes from a stick (%lld MB)"),
		 (long long)(total >> 20), (long long)(MERGE_MAX_FOLDER_BYTES >> 20));
	return -1;
}

/* The copy of a format-3 folder, rebuilt into out: the delta (the file
 * the manifest names as the backup) over the whole copy in the folder
 * beside it that the manifest names, both read from the stick, never
 * through a link; the result must be what the station's signature says
 * it is, size and checksum. */
static void base_changed(const struct manifest *m, char *err, size_t errlen)
{
	snprintf(err, errlen, _("%s in %s, which this export builds on, is not what was exported: its size or checksum differs"),
		 m->base_file, m->base_folder);
}

static int rebuild_copy(int folder, const struct manifest *m, int out, char *err, size_t errlen)
{
	const struct manifest_file *mf = manifest_find(m, m->backup);
	uint8_t base_sha[SHA256_BYTES], whole_sha[SHA256_BYTES];
	struct store_delta_walk *w = NULL;
	struct stat st, dst;
	int parent = nofollow_dir(folder, ".."), dir = -1, base = -1, delta = -1, rc = -1;

	if (parent >= 0)
		dir = nofollow_dir(parent, m->base_folder);
	if (dir < 0) {
		snprintf(err, errlen,
			 _("it holds only what changed since the export in %s, which is not beside it: merge it with that folder beside it, on the same stick"),
			 m->base_folder);
		goto out;
	}
	base = nofollow_open(dir, m->base_file, &st);
	if (base < 0) {
		say_not_opened(-base, m->base_file, err, errlen);
		goto out;
	}
	delta = nofollow_open(folder, m->backup, &dst);
	if (delta < 0) {
		say_not_opened(-delta, m->backup, err, errlen);
		goto out;
	}
	if (st.st_size != m->base_bytes) {
		base_changed(m, err, errlen);
		goto out;
	}
	if (dst.st_size != mf->bytes) {
		snprintf(err, errlen, _("%s is not what was exported: its size or checksum differs"),
			 mf->name);
		goto out;
	}
	if (store_delta_walk_open(delta, mf->bytes, base, m->base_bytes, m->whole_bytes, mf->name,
				  &w, err, errlen) < 0)
		goto out;
	while ((rc = store_delta_walk_step(w, 1024, out, base_sha, whole_sha)) == 1)
		;
	if (rc < 0) {
		snprintf(err, errlen, _("the copy of %s cannot be written (%s)"), mf->name,
			 strerror(-rc));
		rc = -1;
	} else if (memcmp(base_sha, m->base_sha, SHA256_BYTES) != 0) {
		base_changed(m, err, errlen);
		rc = -1;
	} else if (memcmp(whole_sha, m->whole_sha, SHA256_BYTES) != 0) {
		snprintf(err, errlen, _("%s is not what was exported: its size or checksum differs"),
			 mf->name);
		rc = -1;
	}
out:
	store_delta_walk_free(w);
	if (delta >= 0)
		close(delta);
	if (base >= 0)
		close(base);
	if (dir >= 0)
		close(dir);
	if (parent >= 0)
		close(parent);
	return rc;
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

int merge_copy(struct store *s, const char *copy, const char *uid, int64_t data_until,
	       int64_t now, struct backup_facts *f, struct merge_result *r, char *err, size_t errlen)
{
	struct store *up = NULL;

	if (store_backup_inspect(copy, f, err, errlen) < 0)
		return -1;
	if (strcmp(f->uid, uid) != 0) {
		snprintf(err, errlen, "%s", _("the database copy is another station's than the manifest says"));
		return -2;
	}
	f->data_until = data_until;
	/* An older station's copy is brought up to this program's schema. */
	if (f->schema < store_schema_latest()) {
		if (store_open(copy, 0, &up, err, errlen) < 0)
			return -2;
		store_close(up);
	}
	if (store_merge(s, copy, f, now, r, err, errlen) < 0)
		return -2;
	return 0;
}

/* One export folder: folder is its descriptor, label its path. 0 merged,
 * 1 held, -1 refused. */
static int merge_folder(struct store *s, const char *office_path, int folder, const char *label,
			int64_t now, merge_report_fn *report, void *ctx)
{
	struct manifest m;
	struct backup_facts f;
	struct merge_result r;
	char why[768], copy[PATH_LEN], dir[PATH_MAX], *slash;
	int fd = -1, rc = -1;
	bool have_facts = false, signed_ok = false;
	enum trust_verdict verdict;

	copy[0] = '\0';
	if (merge_read_manifest_at(folder, &m, why, sizeof(why)) < 0)
		goto out;
	signed_ok = true;
	/* Nothing of a station the office does not trust is read further. */
	verdict = trust_judge(s, &m, why, sizeof(why));
	if (verdict == TRUST_NEW_STATION || verdict == TRUST_NEW_BOARD)
		rc = 1;
	if (verdict != TRUST_OK || check_sizes(&m, why, sizeof(why)) < 0)
		goto out;
	for (int i = 0; i < m.n_files; i++)
		if (strcmp(m.files[i].name, m.backup) != 0 &&
		    check_file(folder, &m.files[i], -1, why, sizeof(why)) < 0)
			goto out;
	/* The database copy comes off the stick into a file of our own,
	 * beside the office's database (its path without links, as SQLite
	 * is given it). */
	if (!realpath(office_path, dir)) {
		snprintf(why, sizeof(why), _("no room for a copy beside %s (%s)"), office_path,
			 strerror(errno));
		goto out;
	}
	slash = strrchr(dir, '/');
	slash[1] = '\0';
	if ((size_t)snprintf(copy, sizeof(copy), "%s.fieldstation-merge-XXXXXX", dir) >=
	    sizeof(copy) || (fd = mkstemp(copy)) < 0) {
		snprintf(why, sizeof(why), _("no room for a copy beside %s (%s)"), office_path,
			 strerror(errno));
		copy[0] = '\0';
		goto out;
	}
	if (m.has_base)
		rc = rebuild_copy(folder, &m, fd, why, sizeof(why));
	else
		rc = check_file(folder, manifest_find(&m, m.backup), fd, why, sizeof(why));
	if (close(fd) < 0 && rc == 0) {
		snprintf(why, sizeof(why), _("no room for a copy beside %s (%s)"), office_path,
			 strerror(errno));
		rc = -1;
	}
	fd = -1;
	if (rc < 0)
		goto out;
	rc = merge_copy(s, copy, m.uid, m.to, now, &f, &r, why, sizeof(why));
	have_facts = rc == 0 || rc == -2;
	if (rc < 0)
		rc = -1;
out:
	if (fd >= 0)
		close(fd);
	if (copy[0])
		remove_copy(copy);
	report(ctx, &(struct merge_report){
		.folder = label,
		.outcome = rc == 0 ? MERGE_MERGED : rc == 1 ? MERGE_HELD : MERGE_REFUSED,
		.manifest = signed_ok ? &m : NULL,
		.facts = have_facts ? &f : NULL,
		.result = rc == 0 ? &r : NULL,
		.why = rc == 0 ? NULL : why,
	});
	manifest_free(&m);
	return rc;
}

static void refuse(merge_report_fn *report, void *ctx, const char *folder, const char *why)
{
	report(ctx, &(struct merge_report){ .folder = folder, .outcome = MERGE_REFUSED, .why = why });
}

/* Is there anything named manifest.txt in the folder (a file or not: one
 * that is not a file is refused, not passed over)? */
static bool has_manifest(int folder)
{
	struct stat st;

	return fstatat(folder, MANIFEST_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

/* A name a station would never give its folder. */
static bool has_control_bytes(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a folder, sorted (malloc'd, NULL-ended); NULL when out of
 * memory or unreadable. */
static char **folder_names(int folder, int *count)
{
	int fd = openat(folder, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0, cap = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	char **names = NULL;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n + 1 >= cap) {
			char **grown = realloc(names, (size_t)(cap = cap ? cap * 2 : 32) * sizeof(*names));

			if (!grown)
				break;
			names = grown;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (!names && !(names = calloc(1, sizeof(*names))))
		return NULL;
	names[n] = NULL;
	qsort(names, (size_t)n, sizeof(*names), by_name);
	*count = n;
	return names;
}

int merge_path(struct store *s, const char *office_path, const char *path, int64_t now,
	       merge_report_fn *report, void *ctx, char *err, size_t errlen)
{
	char **names;
	int root = nofollow_dir(AT_FDCWD, path), count = 0, refused = 0, found = 0;

	if (root < 0) {
		if (root == -ELOOP)
			snprintf(err, errlen, _("%s is a symbolic link: it was not followed"), path);
		else
			snprintf(err, errlen, _("%s cannot be read (%s)"), path, strerror(-root));
		return -1;
	}
	if (has_manifest(root)) {
		refused = merge_folder(s, office_path, root, path, now, report, ctx) < 0 ? 1 : 0;
		close(root);
		return refused;
	}
	/* A stick's root: the export folders in it, oldest name first. Only
	 * real folders of the stick are looked into. */
	names = folder_names(root, &count);
	if (!names) {
		snprintf(err, errlen, _("%s cannot be read (%s)"), path, strerror(errno));
		close(root);
		return -1;
	}
	for (int i = 0; i < count; i++) {
		char sub[PATH_LEN];
		int dir = nofollow_dir(root, names[i]);

		snprintf(sub, sizeof(sub), "%s/%s", path, names[i]);
		if (dir == -ELOOP) {
			found++;
			refused++;
			refuse(report, ctx, sub,
			       _("it is a symbolic link, which a station never writes: it was not followed"));
		} else if (dir >= 0 && has_manifest(dir)) {
			found++;
			/* A folder found broken when it was read back is not merged. */
			if (ends_with(names[i], "_HONG")) {
				refuse(report, ctx, sub,
				       _("it was found damaged when the station read it back"));
				refused++;
			} else if (has_control_bytes(names[i])) {
				refuse(report, ctx, sub,
				       _("its name holds control characters, which a station never writes"));
				refused++;
			} else if (merge_folder(s, office_path, dir, sub, now, report, ctx) < 0) {
				refused++;
			}
		}
		if (dir >= 0)
			close(dir);
		free(names[i]);
	}
	free(names);
	close(root);
	if (!found) {
		snprintf(err, errlen, _("%s holds no export folder (one with manifest.txt)"), path);
		return -1;
	}
	return refused;
}
