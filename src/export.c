/* The export as a sequence of steps: diaries, traceability sheets, the
 * database copy, the manifest, the folder's real name, the read-back.
 * Any failure removes what was written and leaves one sentence. */
#include "export.h"

#include "clock.h"
#include "config.h"
#include "csv.h"
#include "manifest.h"
#include "merge.h"
#include "nofollow.h"
#include "outfile.h"
#include "records.h"
#include "savings.h"
#include "signing.h"
#include "store.h"
#include "store_delta.h"
#include "text.h"
#include "workbook.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define BACKUP_NAME "sao-luu.db"
/* The copy as what changed since an earlier export's whole copy. */
#define DELTA_NAME "sao-luu.delta"
/* A delta larger than this share of the database makes the next export
 * whole again, so that a delta never grows to be most of a copy. */
#define DELTA_MAX_SHARE 4
#define LOT_PREFIX "truy-xuat-"
#define SAVINGS_NAME "tiet-kiem.csv"
/* Folder names a person reads on the stick: unfinished, and broken. */
#define UNFINISHED "_CHUA-XONG"
#define BROKEN "_HONG"
/* The first file of an unfinished folder, the station's own mark on it:
 * a later export clears an unfinished folder only if it has this
 * station's mark, and holds nothing but regular files an export writes.
 * Removed once the folder has been read back. */
#define MARK ".fieldstation-export"
#define CSV_FLUSH (64 * 1024)
#define ROWS_PER_TURN 256
#define BACKUP_PAGES 256
#define READ_CHUNK (1 << 20)
/* How long a caller may leave the export while the workbook is closed. */
#define IDLE_MS 20
#define FAT_MAX_FILE 0xFFFFFFFFLL
#define MSDOS_MAGIC 0x4d44
/* Every path here: the stick's folder, a folder of ours, a file name. */
#define PATH_LEN (PATH_MAX + 512)

enum phase {
	PH_DIARIES,
	PH_LOTS,
	PH_WORKBOOK,
	PH_WORKBOOK_COPY,
	PH_BACKUP,
	PH_BACKUP_HASH,
	PH_BACKUP_WHOLE,
	PH_MANIFEST,
	PH_VERIFY,
	PH_DONE,
	PH_FAILED,
};

struct export {
	char dest[PATH_MAX];		/* the stick's folder, links resolved */
	int dest_fd;
	char folder[128];		/* its real name, once whole */
	char unfinished[160];		/* its name until then */
	int dir_fd;			/* the folder, under either name */
	char final[PATH_LEN];		/* their paths */
	char dir[PATH_LEN];
	char code[16], name[128], uid[40];
	char sep, dec;
	time_t now;
	const struct config *cfg;
	struct store *store;
	struct export_params params;
	enum phase phase;
	bool committed;			/* the folder has its real name */

	const struct export_diary *diaries;
	int n_diaries, diary;
	struct store_cursor *cur, *lot_cur;
	struct outfile out;
	bool out_open;
	struct csv csv;
	int64_t rows;

	/* The workbook, made in a private folder, then copied. */
	struct workbook *book;
	bool waiting;			/* for the book's closer: nothing to do */
	int64_t book_bytes, book_sent, book_est;

	struct store_backup *backup;
	int backup_fd;
	int64_t backup_sent;
	struct filecheck check;
	bool check_open;
	int verify;			/* the file being read back */

	/* An earlier export's whole copy on the stick, which the copy is
	 * written over as the pages that differ (base_fd >= 0). */
	int base_fd, delta_fd;
	struct store_delta_walk *walk;
	char base_folder[MANIFEST_NAME_LEN];
	int64_t base_bytes;
	uint8_t base_sha[SHA256_BYTES];
	const char *copy_name;		/* BACKUP_NAME or DELTA_NAME */

	struct manifest man;
	struct station_key key;		/* a station's: it signs the manifest */
	bool signs;
	uint8_t manifest_sha[SHA256_BYTES];
	int64_t manifest_bytes;

	/* Progress, in about-bytes: the parts finished, and the current one. */
	int64_t total, done, part, part_est, db_bytes;
	int percent;

	enum export_failure failure;
	char error[512];
	char notice[512];		/* unfinished folders left as they were */
};

/* dir/name followed by tail; -ENAMETOOLONG if it does not fit. */
static int join(char *buf, size_t n, const char *dir, const char *name, const char *tail)
{
	int len = snprintf(buf, n, "%s/%s%s", dir, name, tail);

	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

/* Sentences. */

static void say_io(struct export *e, int err, const char *what)
{
	switch (err) {
	case ENOSPC:
	case EDQUOT:
		e->failure = EXPORT_FAILED_FULL;
		snprintf(e->error, sizeof(e->error), "%s",
			 _("The USB stick is full. Delete old files from it on a computer, or use a larger stick."));
		break;
	case EROFS:
	case EACCES:
	case EPERM:
		e->failure = EXPORT_FAILED_READONLY;
		snprintf(e->error, sizeof(e->error), "%s",
			 _("The USB stick cannot be written: it is read-only. Check the lock switch on its side; a stick without one may need checking on a computer (Windows: Scan and fix), or use another stick."));
		break;
	case EIO:
	case ENODEV:
	case ENXIO:
	case ENOENT:
	case ESTALE:
	case ENOTCONN:
	case ESHUTDOWN:
		e->failure = EXPORT_FAILED_REMOVED;
		snprintf(e->error, sizeof(e->error), "%s",
			 _("The USB stick was pulled out, or stopped answering, before the copy was finished. Plug it in and copy again."));
		break;
	case EFBIG:
		e->failure = EXPORT_FAILED_TOO_BIG;
		snprintf(e->error, sizeof(e->error), "%s",
			 _("The copy of the database is larger than this stick's format can hold in one file (FAT32: 4 GB). Use a stick formatted as exFAT."));
		break;
	default:
		e->failure = EXPORT_FAILED_ODD;
		snprintf(e->error, sizeof(e->error),
			 _("The USB stick could not be written (%s: %s). Its format may be unusual: format it as FAT32 or exFAT on a computer and copy again."),
			 what, strerror(err));
	}
}

static int io_fail(struct export *e, int neg_errno, const char *what)
{
	say_io(e, neg_errno < 0 ? -neg_errno : EIO, what);
	return -1;
}

static int db_fail(struct export *e)
{
	e->failure = EXPORT_FAILED_DATABASE;
	snprintf(e->error, sizeof(e->error),
		 _("The station's records could not be read (%s). Nothing was changed."),
		 store_error(e->store));
	return -1;
}

/* Writing one CSV. */

static void write_value(struct export *e, const struct export_col *col, int i)
{
	struct store_cursor *c = e->cur;
	const char *label;

	if (store_cursor_null(c, i)) {
		csv_empty(&e->csv);
		return;
	}
	switch (col->kind) {
	case EXP_INT:
		csv_int(&e->csv, store_cursor_int(c, i));
		break;
	case EXP_REAL:
		csv_number(&e->csv, store_cursor_real(c, i), col->decimals);
		break;
	case EXP_DAY:
		csv_day(&e->csv, store_cursor_text(c, i));
		break;
	case EXP_TIME:
		csv_date_time(&e->csv, (time_t)store_cursor_int(c, i));
		break;
	case EXP_WORD:
		label = store_export_word(col, store_cursor_text(c, i));
		csv_text(&e->csv, label ? _(label) : store_cursor_text(c, i));
		break;
	case EXP_TEXT:
	default:
		csv_text(&e->csv, store_cursor_text(c, i));
	}
}

static void write_header(struct export *e, const struct export_diary *d)
{
	for (int i = 0; i < d->n_cols; i++)
		csv_text(&e->csv, _(d->cols[i].header));
	csv_end_row(&e->csv);
}

static void write_row(struct export *e, const struct export_diary *d)
{
	for (int i = 0; i < d->n_cols; i++)
		write_value(e, &d->cols[i], i);
	csv_end_row(&e->csv);
}

static int flush_csv(struct export *e)
{
	int rc;

	if (e->csv.failed)
		return -ENOMEM;
	rc = outfile_write(&e->out, e->csv.buf, e->csv.len);
	e->part += (int64_t)e->csv.len;
	csv_clear(&e->csv);
	return rc;
}

static int file_open(struct export *e, const char *name)
{
	int rc = outfile_open(&e->out, e->dir_fd, name);

	if (rc < 0)
		return io_fail(e, rc, name);
	e->out_open = true;
	e->rows = 0;
	csv_init(&e->csv, e->sep, e->dec);
	csv_bom(&e->csv);
	return 0;
}

/* Flushes, renames and lists the file in the manifest. */
static int file_close(struct export *e, const char *name, int64_t rows)
{
	uint8_t sha[SHA256_BYTES];
	int rc = flush_csv(e);

	csv_free(&e->csv);
	if (rc == 0)
		rc = outfile_commit(&e->out, sha);
	else
		outfile_abort(&e->out);
	e->out_open = false;
	if (rc < 0)
		return io_fail(e, rc, name);
	if (manifest_add(&e->man, name, e->out.bytes, rows, sha) < 0)
		return io_fail(e, -ENOMEM, name);
	return 0;
}

static void next_part(struct export *e, int64_t estimate)
{
	e->done += e->part_est;
	e->part = 0;
	e->part_est = estimate;
}

static int64_t diary_estimate(struct export *e, const struct export_diary *d)
{
	int64_t n = 0;

	store_export_count(e->store, d, &e->params, &n);
	return 200 + n * 100;
}

static int start_lots(struct export *e);

static int step_diary(struct export *e)
{
	const struct export_diary *d;
	int rc;

	if (e->diary == e->n_diaries)
		return start_lots(e);
	d = &e->diaries[e->diary];
	if (!e->cur) {
		if (file_open(e, d->file) < 0)
			return -1;
		if (store_cursor_open(e->store, d, &e->params, &e->cur) < 0)
			return db_fail(e);
		write_header(e, d);
	}
	for (int i = 0; i < ROWS_PER_TURN; i++) {
		rc = store_cursor_next(e->cur);
		if (rc < 0)
			return db_fail(e);
		if (rc == 0) {
			store_cursor_close(e->cur);
			e->cur = NULL;
			if (file_close(e, d->file, e->rows) < 0)
				return -1;
			e->diary++;
			next_part(e, e->diary < e->n_diaries
					     ? diary_estimate(e, &e->diaries[e->diary]) : 0);
			return 0;
		}
		write_row(e, d);
		e->rows++;
		if (e->csv.len >= CSV_FLUSH && (rc = flush_csv(e)) < 0)
			return io_fail(e, rc, d->file);
	}
	return 0;
}

/* Traceability sheets: one per harvest lot, as the records module writes
 * them. They need the station's configuration (the season, the pumps), so
 * an office's export, which has none, leaves them to the stations' own. */

/* The sheet's file name: the lot code with what a file system may refuse
 * replaced, made unique. */
static void lot_file_name(struct export *e, const char *lot, char *buf, size_t n)
{
	char safe[64];
	size_t i;

	for (i = 0; lot[i] && i < sizeof(safe) - 1; i++)
		safe[i] = (lot[i] >= 'A' && lot[i] <= 'Z') || (lot[i] >= 'a' && lot[i] <= 'z') ||
				  (lot[i] >= '0' && lot[i] <= '9') || lot[i] == '-'
			  ? lot[i] : '_';
	safe[i] = '\0';
	snprintf(buf, n, LOT_PREFIX "%s.csv", safe);
	for (int k = 2; manifest_find(&e->man, buf) && k < 1000; k++)
		snprintf(buf, n, LOT_PREFIX "%s-%d.csv", safe, k);
}

static int write_sheet(struct export *e, const char *lot)
{
	char file[MANIFEST_NAME_LEN], *text = NULL;
	size_t len = 0;
	struct trace t;
	FILE *mem;
	int rc = records_trace(e->store, e->cfg, lot, &t), items;

	if (rc == 0)
		return 0;	/* a lot without its harvest: nothing to trace */
	if (rc < 0)
		return db_fail(e);
	mem = open_memstream(&text, &len);
	rc = mem ? records_trace_write(&t, e->cfg, mem) : -1;
	items = t.n_items;
	records_trace_free(&t);
	if (mem && fclose(mem) != 0)
		rc = -1;
	if (rc < 0) {
		free(text);
		return io_fail(e, -ENOMEM, lot);
	}
	lot_file_name(e, lot, file, sizeof(file));
	rc = outfile_open(&e->out, e->dir_fd, file);
	if (rc == 0) {
		e->out_open = true;
		rc = outfile_write(&e->out, text, len);
	}
	free(text);
	if (rc < 0)
		return io_fail(e, rc, file);
	csv_init(&e->csv, e->sep, e->dec);
	return file_close(e, file, items);
}

static int start_backup(struct export *e);
static int start_workbook(struct export *e);

static int start_lots(struct export *e)
{
	int64_t n = 0;

	e->phase = PH_LOTS;
	if (!e->cfg) {
		next_part(e, 0);
		return start_workbook(e);
	}
	store_export_count(e->store, store_export_lots(), &e->params, &n);
	next_part(e, n * 2000);
	if (store_cursor_open(e->store, store_export_lots(), &e->params, &e->lot_cur) < 0)
		return db_fail(e);
	return 0;
}

/* What watering saved (src/savings.c), as the summary screen shows it:
 * this month and the one before, this season and the one before. Figures
 * made from the diary, which an office recomputes from the diaries it
 * merges: a station's own, never an office's. */
static int write_savings(struct export *e)
{
	struct savings sv;
	int64_t rows = 0;

	if (file_open(e, SAVINGS_NAME) < 0)
		return -1;
	savings_csv_header(&e->csv);
	for (int i = 0; i < SAVINGS_EXPORT_PERIODS; i++) {
		enum savings_span span;
		int back;

		savings_export_period(i, &span, &back);
		if (savings_compute(e->store, e->cfg, e->now, span, back, &sv) < 0)
			return db_fail(e);
		rows += savings_csv_rows(&e->csv, &sv, e->cfg);
	}
	return file_close(e, SAVINGS_NAME, rows);
}

static int step_lots(struct export *e)
{
	int rc = store_cursor_next(e->lot_cur);
	char lot[64];

	if (rc < 0)
		return db_fail(e);
	if (rc == 0) {
		store_cursor_close(e->lot_cur);
		e->lot_cur = NULL;
		if (write_savings(e) < 0)
			return -1;
		return start_workbook(e);
	}
	e->part += 2000;
	snprintf(lot, sizeof(lot), "%s", store_cursor_text(e->lot_cur, 0));
	return write_sheet(e, lot);
}

/* The workbook: made on the station's own disk (src/workbook.c), then
 * copied onto the stick like any file. One that cannot be made leaves
 * the rest of the export whole, and the notice says so. */

static void book_notice(struct export *e, const char *why)
{
	size_t used = strlen(e->notice);

	snprintf(e->notice + used, sizeof(e->notice) - used, "%s" , used ? " " : "");
	used = strlen(e->notice);
	snprintf(e->notice + used, sizeof(e->notice) - used,
		 _("The workbook %s could not be made (%s); the other files are all there."),
		 WORKBOOK_NAME, why);
	workbook_free(e->book);
	e->book = NULL;
}

static int start_workbook(struct export *e)
{
	struct workbook_facts f = {
		.code = e->code, .name = e->name, .office = !e->signs, .made = e->now,
	};
	char why[256];

	next_part(e, e->book_est);
	e->phase = PH_WORKBOOK;
	if (store_export_span(e->store, &f.from, &f.to) < 0)
		return db_fail(e);
	switch (workbook_begin(e->store, e->cfg, &e->params, &f, &e->book, why, sizeof(why))) {
	case 0:
		return 0;
	case WORKBOOK_DB_FAILED:
		return db_fail(e);
	default:
		book_notice(e, why);
		return start_backup(e);
	}
}

static int step_workbook(struct export *e)
{
	int rc = workbook_step(e->book, ROWS_PER_TURN), fd;

	e->waiting = rc == WORKBOOK_WAIT;
	if (e->waiting)
		return 0;
	if (rc == WORKBOOK_DB_FAILED)
		return db_fail(e);
	if (rc < 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", workbook_error(e->book));
		book_notice(e, why);
		return start_backup(e);
	}
	e->part += ROWS_PER_TURN * 50;
	if (rc == WORKBOOK_MORE)
		return 0;
	fd = workbook_file(e->book, &e->book_bytes);
	if (fd < 0) {
		book_notice(e, strerror(errno));
		return start_backup(e);
	}
	rc = outfile_open(&e->out, e->dir_fd, WORKBOOK_NAME);
	if (rc < 0)
		return io_fail(e, rc, WORKBOOK_NAME);
	e->out_open = true;
	e->book_sent = 0;
	next_part(e, e->book_bytes);
	e->phase = PH_WORKBOOK_COPY;
	return 0;
}

/* A piece at a time from the private file onto the stick. */
static int step_workbook_copy(struct export *e)
{
	uint8_t sha[SHA256_BYTES];
	char *buf = malloc(READ_CHUNK);
	ssize_t n;
	int rc;

	if (!buf)
		return io_fail(e, -ENOMEM, WORKBOOK_NAME);
	n = pread(workbook_file(e->book, &e->book_bytes), buf, READ_CHUNK, e->book_sent);
	if (n < 0) {
		int err = errno;

		free(buf);
		book_notice(e, strerror(err));
		outfile_abort(&e->out);
		e->out_open = false;
		return start_backup(e);
	}
	rc = n > 0 ? outfile_write(&e->out, buf, (size_t)n) : 0;
	free(buf);
	if (rc < 0)
		return io_fail(e, rc, WORKBOOK_NAME);
	e->book_sent += n;
	e->part = e->book_sent;
	if (n > 0)
		return 0;
	/* The whole file, as the library wrote it: no more, no less. */
	if (e->book_sent != e->book_bytes) {
		outfile_abort(&e->out);
		e->out_open = false;
		book_notice(e, strerror(EIO));
		return start_backup(e);
	}
	rc = outfile_commit(&e->out, sha);
	e->out_open = false;
	if (rc < 0)
		return io_fail(e, rc, WORKBOOK_NAME);
	if (manifest_add(&e->man, WORKBOOK_NAME, e->out.bytes, -1, sha) < 0)
		return io_fail(e, -ENOMEM, WORKBOOK_NAME);
	workbook_free(e->book);
	e->book = NULL;
	return start_backup(e);
}

/* The copy of the database: whole, or over an earlier export's. */

#define BACKUP_TMP BACKUP_NAME ".tmp"
#define DELTA_TMP DELTA_NAME ".tmp"

/* The copy's name on the stick until it is whole. */
static const char *copy_tmp(const struct export *e)
{
	return e->base_fd >= 0 ? DELTA_TMP : BACKUP_TMP;
}

static void forget_base(struct export *e)
{
	if (e->base_fd >= 0)
		close(e->base_fd);
	e->base_fd = -1;
	if (e->delta_fd >= 0)
		close(e->delta_fd);
	e->delta_fd = -1;
	store_delta_walk_free(e->walk);
	e->walk = NULL;
}

static int start_backup(struct export *e)
{
	const char *tmp_name = copy_tmp(e);
	char tmp[PATH_LEN];
	int rc;

	e->copy_name = e->base_fd >= 0 ? DELTA_NAME : BACKUP_NAME;
	next_part(e, e->db_bytes);
	if (join(tmp, sizeof(tmp), e->dir, tmp_name, "") < 0)
		return io_fail(e, -ENAMETOOLONG, e->copy_name);
	/* Made here, new, so that a stick that refuses it says why; SQLite
	 * then opens this file by its path, following no link. */
	e->backup_fd = openat(e->dir_fd, tmp_name,
			      O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (e->backup_fd < 0)
		return io_fail(e, -errno, e->copy_name);
	e->backup_sent = 0;
	e->phase = PH_BACKUP;
	if (e->base_fd >= 0)
		rc = store_backup_begin_delta(e->store, tmp, e->backup_fd, e->base_fd,
					      e->base_bytes, &e->backup);
	else
		rc = store_backup_begin(e->store, tmp, STORE_BACKUP_NO_SECRETS, &e->backup);
	if (rc < 0 && e->base_fd >= 0 && outfile_probe(e->backup_fd) == 0) {
		/* A base this database cannot be written over: the whole copy. */
		close(e->backup_fd);
		e->backup_fd = -1;
		nofollow_unlink(e->dir_fd, DELTA_TMP);
		forget_base(e);
		return start_backup(e);
	}
	if (rc < 0) {
		int err = outfile_probe(e->backup_fd);

		return err ? io_fail(e, -err, e->copy_name) : db_fail(e);
	}
	return 0;
}

/* SQLite's backup says that a write failed, not why: the stick does. */
static int backup_fail(struct export *e)
{
	int err = store_backup_errno(e->backup);

	if (err == 0 || err == EIO)
		err = e->backup_fd >= 0 ? outfile_probe(e->backup_fd) : 0;
	if (err == 0)
		err = store_backup_errno(e->backup);
	return err ? io_fail(e, -err, e->copy_name) : db_fail(e);
}

static int step_backup(struct export *e)
{
	int more = store_backup_step(e->backup, BACKUP_PAGES), done, total, rc;
	struct stat st;

	if (more < 0)
		return backup_fail(e);
	store_backup_progress(e->backup, &done, &total);
	e->part = total ? e->db_bytes * done / total : e->db_bytes;
	if (fstat(e->backup_fd, &st) == 0 &&
	    (rc = outfile_send(e->backup_fd, &e->backup_sent, st.st_size)) < 0)
		return io_fail(e, rc, e->copy_name);
	if (more == 1)
		return 0;
	if (store_backup_finish(e->backup) < 0)
		return backup_fail(e);
	store_backup_free(e->backup);
	e->backup = NULL;
	rc = fsync(e->backup_fd) < 0 ? -errno : 0;
	close(e->backup_fd);
	e->backup_fd = -1;
	if (rc < 0)
		return io_fail(e, rc, e->copy_name);
	/* Its checksum, from what was just written. */
	rc = filecheck_open(&e->check, e->dir_fd, copy_tmp(e), false);
	if (rc < 0)
		return io_fail(e, rc, e->copy_name);
	e->check_open = true;
	next_part(e, e->db_bytes / 4);
	e->phase = PH_BACKUP_HASH;
	return 0;
}

/* The delta and its base given up for a whole copy: the base changed on
 * the stick, or the delta is not one the office could read. */
static int whole_after_all(struct export *e)
{
	e->man.n_files--;
	nofollow_unlink(e->dir_fd, DELTA_TMP);
	forget_base(e);
	return start_backup(e);
}

static int step_backup_hash(struct export *e)
{
	uint8_t sha[SHA256_BYTES];
	int rc = filecheck_step(&e->check, READ_CHUNK);

	if (rc < 0)
		return io_fail(e, rc, e->copy_name);
	e->part = e->check.bytes / 4;
	if (rc == 1)
		return 0;
	filecheck_close(&e->check, sha);
	e->check_open = false;
	/* The copy is the snapshot's pages, all of them. */
	if (e->base_fd < 0 && e->check.bytes != e->db_bytes) {
		e->failure = EXPORT_FAILED_CHECK;
		snprintf(e->error, sizeof(e->error),
			 _("Reading the copy back, %s was not what had been written: the stick may be failing. Use another stick."),
			 BACKUP_NAME);
		return -1;
	}
	if (manifest_add(&e->man, e->copy_name, e->check.bytes, -1, sha) < 0)
		return io_fail(e, -ENOMEM, e->copy_name);
	if (e->base_fd < 0) {
		if (renameat(e->dir_fd, BACKUP_TMP, e->dir_fd, BACKUP_NAME) < 0)
			return io_fail(e, -errno, BACKUP_NAME);
		e->phase = PH_MANIFEST;
		return 0;
	}
	/* A delta: the whole copy it makes with its base, walked once. */
	e->delta_fd = openat(e->dir_fd, DELTA_TMP, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (e->delta_fd < 0)
		return io_fail(e, -errno, DELTA_NAME);
	if (store_delta_walk_open(e->delta_fd, e->check.bytes, e->base_fd, e->base_bytes,
				  e->db_bytes, DELTA_NAME, &e->walk, e->error, sizeof(e->error)) < 0) {
		/* Not one to sign: the copy is made whole instead. */
		e->error[0] = '\0';
		return whole_after_all(e);
	}
	next_part(e, e->db_bytes / 4);
	e->phase = PH_BACKUP_WHOLE;
	return 0;
}

/* The whole copy's checksum, for the office that rebuilds it, and the
 * base's, which must still be what its export wrote: a base changed on
 * the stick since it was chosen gives way to a whole copy. */
static int step_backup_whole(struct export *e)
{
	uint8_t base_sha[SHA256_BYTES];
	int rc = store_delta_walk_step(e->walk, BACKUP_PAGES, -1, base_sha, e->man.whole_sha);

	if (rc < 0)
		return io_fail(e, rc, e->copy_name);
	e->part = e->db_bytes / 4 * store_delta_walk_permille(e->walk) / 1000;
	if (rc == 1)
		return 0;
	if (memcmp(base_sha, e->base_sha, SHA256_BYTES) != 0)
		return whole_after_all(e);
	forget_base(e);
	if (renameat(e->dir_fd, DELTA_TMP, e->dir_fd, DELTA_NAME) < 0)
		return io_fail(e, -errno, DELTA_NAME);
	e->man.has_base = true;
	snprintf(e->man.base_folder, sizeof(e->man.base_folder), "%s", e->base_folder);
	snprintf(e->man.base_file, sizeof(e->man.base_file), "%s", BACKUP_NAME);
	e->man.base_bytes = e->base_bytes;
	memcpy(e->man.base_sha, e->base_sha, SHA256_BYTES);
	e->man.whole_bytes = e->db_bytes;
	e->phase = PH_MANIFEST;
	return 0;
}

/* The manifest, then the folder's real name. */

static int step_manifest(struct export *e)
{
	struct outfile out;
	size_t len;
	char *text;
	int rc;
	int64_t written = 0;

	for (int i = 0; i < e->man.n_files; i++)
		written += e->man.files[i].bytes;
	next_part(e, written);
	snprintf(e->man.code, sizeof(e->man.code), "%s", e->code);
	snprintf(e->man.name, sizeof(e->man.name), "%s", e->name);
	/* An office's export is no station's: it names no uid, no key. */
	snprintf(e->man.uid, sizeof(e->man.uid), "%s", e->signs ? e->uid : "");
	snprintf(e->man.program, sizeof(e->man.program), "fieldstation %s", VERSION);
	snprintf(e->man.backup, sizeof(e->man.backup), "%s", e->copy_name);
	e->man.schema = store_schema_version(e->store);
	e->man.made = e->now;
	if (e->signs) {
		memcpy(e->man.key, e->key.key.public_key, SIGN_PUBLIC_BYTES);
		e->man.has_key = true;
		snprintf(e->man.board, sizeof(e->man.board), "%s", e->key.board);
		snprintf(e->man.key_board, sizeof(e->man.key_board), "%s", e->key.key.board);
	}
	if (store_export_span(e->store, &e->man.from, &e->man.to) < 0)
		return db_fail(e);
	text = manifest_format(&e->man, e->params.utc_offset, &len);
	if (text && e->signs && manifest_sign(&text, &len, &e->key.key) < 0) {
		free(text);
		text = NULL;
	}
	if (!text)
		return io_fail(e, -ENOMEM, MANIFEST_NAME);
	rc = outfile_open(&out, e->dir_fd, MANIFEST_NAME);
	if (rc == 0)
		rc = outfile_write(&out, text, len);
	free(text);
	if (rc == 0) {
		rc = outfile_commit(&out, e->manifest_sha);
	} else {
		outfile_abort(&out);
	}
	if (rc < 0)
		return io_fail(e, rc, MANIFEST_NAME);
	e->manifest_bytes = (int64_t)len;
	if ((rc = outfile_sync_dir(e->dir_fd)) < 0)
		return io_fail(e, rc, e->folder);
	if (renameat(e->dest_fd, e->unfinished, e->dest_fd, e->folder) < 0)
		return io_fail(e, -errno, e->folder);
	e->committed = true;
	if ((rc = outfile_sync_dir(e->dest_fd)) < 0 || (rc = outfile_sync_fs(e->dest_fd)) < 0)
		return io_fail(e, rc, e->folder);
	store_snapshot_end(e->store);
	e->verify = 0;
	e->phase = PH_VERIFY;
	return 0;
}

/* Reading back: every file, then the manifest, from the device. */
static int step_verify(struct export *e)
{
	const char *name = e->verify < e->man.n_files ? e->man.files[e->verify].name : MANIFEST_NAME;
	const uint8_t *want = e->verify < e->man.n_files ? e->man.files[e->verify].sha
							 : e->manifest_sha;
	int64_t bytes = e->verify < e->man.n_files ? e->man.files[e->verify].bytes
						   : e->manifest_bytes;
	uint8_t sha[SHA256_BYTES];
	int rc;

	if (!e->check_open) {
		rc = filecheck_open(&e->check, e->dir_fd, name, true);
		if (rc < 0)
			return io_fail(e, rc, name);
		e->check_open = true;
	}
	rc = filecheck_step(&e->check, READ_CHUNK);
	if (rc < 0)
		return io_fail(e, rc, name);
	e->part += READ_CHUNK < bytes ? READ_CHUNK : bytes;
	if (rc == 1)
		return 0;
	filecheck_close(&e->check, sha);
	e->check_open = false;
	if (e->check.bytes != bytes || memcmp(sha, want, SHA256_BYTES) != 0) {
		char broken[160];

		snprintf(broken, sizeof(broken), "%s" BROKEN, e->folder);
		/* Renamed, the folder no longer looks whole; if it cannot be,
		 * it goes as an unfinished one does (remove_written()). */
		if (renameat(e->dest_fd, e->folder, e->dest_fd, broken) == 0) {
			e->committed = false;
			outfile_sync_dir(e->dest_fd);
		}
		e->failure = EXPORT_FAILED_CHECK;
		snprintf(e->error, sizeof(e->error),
			 _("Reading the copy back, %s was not what had been written: the stick may be failing. Use another stick."),
			 name);
		return -1;
	}
	if (++e->verify <= e->man.n_files)
		return 0;
	/* Whole: the mark goes. Reading back dates each file's last access
	 * (unless the stick is mounted noatime): that too goes to the stick
	 * before it is said to be ready to pull out. */
	nofollow_unlink(e->dir_fd, MARK);
	if ((rc = outfile_sync_fs(e->dir_fd)) < 0)
		return io_fail(e, rc, e->folder);
	e->phase = PH_DONE;
	return 0;
}

/* Starting, and cleaning up. */

/* Closes what the export holds open. */
static void release(struct export *e)
{
	e->waiting = false;
	if (e->out_open) {
		outfile_abort(&e->out);
		e->out_open = false;
	}
	csv_free(&e->csv);
	store_cursor_close(e->cur);
	store_cursor_close(e->lot_cur);
	e->cur = e->lot_cur = NULL;
	workbook_free(e->book);
	e->book = NULL;
	store_backup_free(e->backup);
	e->backup = NULL;
	if (e->backup_fd >= 0)
		close(e->backup_fd);
	e->backup_fd = -1;
	if (e->check_open)
		filecheck_close(&e->check, NULL);
	e->check_open = false;
	forget_base(e);
}

/* After a failure or a stop: nothing that looks complete stays. A folder
 * that has its real name but was not read back yet takes its unfinished
 * name again; one found different when read back keeps its _HONG name, or
 * goes like the others when it could not take that name. */
static void remove_written(struct export *e)
{
	static const char *const ours[] = { BACKUP_TMP, DELTA_TMP, MANIFEST_NAME,
					    MANIFEST_NAME ".tmp", MARK, MARK ".tmp" };

	release(e);
	if (e->dir_fd < 0 || (e->failure == EXPORT_FAILED_CHECK && !e->committed))
		return;
	if (e->committed) {
		if (renameat(e->dest_fd, e->folder, e->dest_fd, e->unfinished) < 0)
			return;
		e->committed = false;
	}
	/* Only what this export wrote: nothing else of the stick's. */
	for (int i = 0; i < e->man.n_files; i++)
		nofollow_unlink(e->dir_fd, e->man.files[i].name);
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		nofollow_unlink(e->dir_fd, ours[i]);
	unlinkat(e->dest_fd, e->unfinished, AT_REMOVEDIR);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

/* What the mark of the unfinished folder `name` says. */
static void mark_text(const struct export *e, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "fieldstation export, unfinished\nuid: %s\nfolder: %s\n", e->uid, name);
}

static int write_mark(struct export *e)
{
	struct outfile out;
	uint8_t sha[SHA256_BYTES];
	char text[512];
	int rc;

	mark_text(e, e->unfinished, text, sizeof(text));
	rc = outfile_open(&out, e->dir_fd, MARK);
	if (rc == 0)
		rc = outfile_write(&out, text, strlen(text));
	if (rc == 0)
		rc = outfile_commit(&out, sha);
	else
		outfile_abort(&out);
	return rc;
}

/* A file in a marked unfinished folder that a clean-up may remove: a
 * regular file there (not a link, nor on another file system) with a name
 * an export writes. */
static bool removable(int dir, const struct stat *folder, const char *name)
{
	struct stat st;

	if (strcmp(name, MARK) != 0 &&
	    (!manifest_name_ok(name) ||
	     !(ends_with(name, ".csv") || ends_with(name, ".tmp") || ends_with(name, ".db") ||
	       ends_with(name, ".xlsx") || ends_with(name, ".delta") ||
	       strcmp(name, MANIFEST_NAME) == 0)))
		return false;
	return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	       st.st_dev == folder->st_dev;
}

/* Does the folder dir (named name) carry this station's mark? */
static bool has_our_mark(const struct export *e, int dir, const char *name)
{
	char want[512], have[512];
	struct stat st;
	ssize_t n = -1;
	int fd = nofollow_open(dir, MARK, &st);

	if (fd < 0)
		return false;
	if (st.st_size < (off_t)sizeof(have))
		n = read(fd, have, sizeof(have));
	close(fd);
	mark_text(e, name, want, sizeof(want));
	return n == (ssize_t)strlen(want) && memcmp(have, want, (size_t)n) == 0;
}

/* An unfinished folder of an export that was cut short: what it holds is
 * incomplete, so it goes, if it is this station's and holds only what an
 * export writes. 0 when it is gone; -1 when it is left as it is. Nothing
 * here is followed through a link, and nothing in a folder in it is
 * looked at. */
static int clear_unfinished(const struct export *e, const char *name)
{
	struct stat folder;
	struct dirent *de;
	DIR *d = NULL;
	int dir = nofollow_dir(e->dest_fd, name), rc = -1, pass;

	if (dir < 0)
		return -1;
	/* An empty one holds nothing to lose: made, then cut short at once. */
	if (unlinkat(e->dest_fd, name, AT_REMOVEDIR) == 0) {
		close(dir);
		return 0;
	}
	if (fstat(dir, &folder) < 0 || !has_our_mark(e, dir, name))
		goto out;
	d = fdopendir(dir);
	if (!d)
		goto out;
	/* Everything in it is the export's, or nothing of it goes. */
	for (pass = 0; pass < 2; pass++) {
		rewinddir(d);
		while ((de = readdir(d))) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (pass == 0 && !removable(dir, &folder, de->d_name))
				goto out;
			if (pass == 1 && strcmp(de->d_name, MARK) != 0)
				nofollow_unlink(dir, de->d_name);
		}
	}
	/* The mark last: cut short here, the folder is still known as ours. */
	nofollow_unlink(dir, MARK);
	rc = unlinkat(e->dest_fd, name, AT_REMOVEDIR) == 0 ? 0 : -1;
out:
	if (d)
		closedir(d);
	else
		close(dir);
	return rc;
}

/* Clears this station's unfinished folders; tells of those left. */
static void remove_unfinished(struct export *e)
{
	int fd = openat(e->dest_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), left = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	char prefix[32], named[160] = "";

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	snprintf(prefix, sizeof(prefix), "%s_", e->code);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
		    !ends_with(de->d_name, UNFINISHED) || clear_unfinished(e, de->d_name) == 0)
			continue;
		/* Named only if its name is plain: a stranger chose it. */
		if (left++ == 0 && manifest_name_ok(de->d_name))
			snprintf(named, sizeof(named), "%s", de->d_name);
	}
	closedir(d);
	/* Short: it shares the small screen with the result. */
	if (left == 1 && named[0])
		snprintf(e->notice, sizeof(e->notice),
			 _("The stick holds %s, which this station does not recognise as its own: left alone."),
			 named);
	else if (left)
		snprintf(e->notice, sizeof(e->notice),
			 ngettext("The stick holds %d unfinished folder this station does not recognise as its own: left alone.",
				  "The stick holds %d unfinished folders this station does not recognise as its own: left alone.",
				  (unsigned long)left),
			 left);
}

/* CODE_2026-06-01, or _2, _3... when the day already has one. */
static int choose_folder(struct export *e)
{
	struct tm tm;
	char day[16];
	struct stat st;

	localtime_r(&e->now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	for (int n = 1; n < 1000; n++) {
		if (n == 1)
			snprintf(e->folder, sizeof(e->folder), "%s_%s", e->code, day);
		else
			snprintf(e->folder, sizeof(e->folder), "%s_%s_%d", e->code, day, n);
		/* Its unfinished name says so to whoever looks at the stick. */
		snprintf(e->unfinished, sizeof(e->unfinished), "%s" UNFINISHED, e->folder);
		if (join(e->final, sizeof(e->final), e->dest, e->folder, "") < 0 ||
		    join(e->dir, sizeof(e->dir), e->dest, e->unfinished, "") < 0)
			return -ENAMETOOLONG;
		/* Anything by either name, a link too, takes the name. */
		if (fstatat(e->dest_fd, e->folder, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
		    fstatat(e->dest_fd, e->unfinished, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno == ENOENT)
			return 0;
	}
	return -EEXIST;
}

/* The folder, made new, opened, and marked as this station's. */
static int make_folder(struct export *e)
{
	int rc = choose_folder(e);

	if (rc < 0)
		return rc;
	if (mkdirat(e->dest_fd, e->unfinished, 0750) < 0)
		return -errno;
	e->dir_fd = nofollow_dir(e->dest_fd, e->unfinished);
	if (e->dir_fd < 0)
		return e->dir_fd;
	rc = write_mark(e);
	if (rc < 0) {
		close(e->dir_fd);
		e->dir_fd = -1;
		unlinkat(e->dest_fd, e->unfinished, AT_REMOVEDIR);
	}
	return rc;
}

/* One of this station's earlier exports on the stick, as its signed
 * manifest says: when it was made, and its copy. */
struct earlier {
	int64_t made;
	bool delta;
	int64_t copy_bytes, whole_bytes;
	char folder[MANIFEST_NAME_LEN];
	uint8_t sha[SHA256_BYTES];
};

/* Is the folder name on the stick a whole export of this station's (one
 * signed with its key), and what does it hold? */
static bool our_earlier(const struct export *e, const char *name, struct earlier *out)
{
	struct manifest m;
	const struct manifest_file *copy;
	char why[256];
	int dir = nofollow_dir(e->dest_fd, name);
	bool ours;

	if (dir < 0)
		return false;
	ours = merge_read_manifest_at(dir, &m, why, sizeof(why)) == 0 &&
	       strcmp(m.uid, e->uid) == 0 && m.has_key &&
	       memcmp(m.key, e->key.key.public_key, SIGN_PUBLIC_BYTES) == 0 &&
	       (copy = manifest_find(&m, m.backup)) != NULL;
	close(dir);
	if (ours) {
		out->made = m.made;
		out->delta = m.has_base;
		out->copy_bytes = copy->bytes;
		out->whole_bytes = m.has_base ? m.whole_bytes : copy->bytes;
		memcpy(out->sha, copy->sha, SHA256_BYTES);
		ours = (m.has_base || strcmp(m.backup, BACKUP_NAME) == 0) &&
		       strlen(name) < sizeof(out->folder);
		if (ours)
			memcpy(out->folder, name, strlen(name) + 1);
	}
	manifest_free(&m);
	return ours;
}

/* The names of folders on the stick that may be this station's exports
 * (CODE_2026-06-01, CODE_2026-06-01_2), the greatest FIND_NAMES of them:
 * the newest exports, by their dates, without reading the manifest of
 * every folder a stranger's stick may hold. */
#define FIND_NAMES 16

static int find_names(const struct export *e, char names[FIND_NAMES][MANIFEST_NAME_LEN])
{
	int fd = openat(e->dest_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	char prefix[32];

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(prefix, sizeof(prefix), "%s_", e->code);
	while ((de = readdir(d))) {
		int at;

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
		    !manifest_name_ok(de->d_name) || ends_with(de->d_name, UNFINISHED) ||
		    ends_with(de->d_name, BROKEN))
			continue;
		/* Kept in order, greatest first. */
		for (at = n; at > 0 && strcmp(names[at - 1], de->d_name) < 0; at--)
			;
		if (at == FIND_NAMES)
			continue;
		if (n < FIND_NAMES)
			n++;
		memmove(names[at + 1], names[at], (size_t)(n - 1 - at) * MANIFEST_NAME_LEN);
		/* Shorter than MANIFEST_NAME_LEN: manifest_name_ok() says so. */
		memcpy(names[at], de->d_name, strlen(de->d_name) + 1);
	}
	closedir(d);
	return n;
}

/* The base for this export's copy: the whole copy in the newest of this
 * station's exports on the stick that has one, unless the newest export
 * is a delta already grown past its share (then this one is whole). Its
 * file is opened here, never through a link; the walk after the copy
 * checks it against its manifest. */
static void find_base(struct export *e)
{
	struct earlier newest = { .made = INT64_MIN }, whole = { .made = INT64_MIN }, one;
	char names[FIND_NAMES][MANIFEST_NAME_LEN];
	int n = find_names(e, names), dir, fd;
	struct stat st;

	for (int i = 0; i < n; i++) {
		if (!our_earlier(e, names[i], &one))
			continue;
		if (one.made > newest.made)
			newest = one;
		if (!one.delta && one.made > whole.made)
			whole = one;
	}
	if (whole.made == INT64_MIN ||
	    (newest.delta && newest.copy_bytes > newest.whole_bytes / DELTA_MAX_SHARE))
		return;
	dir = nofollow_dir(e->dest_fd, whole.folder);
	if (dir < 0)
		return;
	fd = nofollow_open(dir, BACKUP_NAME, &st);
	close(dir);
	if (fd < 0)
		return;
	if (st.st_size != whole.copy_bytes) {
		close(fd);
		return;
	}
	e->base_fd = fd;
	e->base_bytes = whole.copy_bytes;
	memcpy(e->base_sha, whole.sha, SHA256_BYTES);
	snprintf(e->base_folder, sizeof(e->base_folder), "%s", whole.folder);
}

static void mb(char *buf, size_t n, int64_t bytes)
{
	text_number(buf, n, (double)bytes / (1024 * 1024), bytes < 10 * 1024 * 1024 ? 1 : 0);
}

/* Enough room, a stick that can be written, files it can hold. */
static int check_dest(struct export *e, int64_t need, char *err, size_t errlen)
{
	struct statvfs vfs;
	struct statfs fs;
	char have[32], want[32];

	if (fstatvfs(e->dest_fd, &vfs) < 0) {
		say_io(e, errno, e->dest);
		snprintf(err, errlen, "%s", e->error);
		return -1;
	}
	if (vfs.f_flag & ST_RDONLY) {
		say_io(e, EROFS, e->dest);
		snprintf(err, errlen, "%s", e->error);
		return -1;
	}
	if ((int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize < need) {
		mb(have, sizeof(have), (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize);
		mb(want, sizeof(want), need);
		e->failure = EXPORT_FAILED_FULL;
		snprintf(err, errlen,
			 _("The USB stick has %s MB free; the copy needs about %s MB. Delete old files from it on a computer, or use a larger stick."),
			 have, want);
		return -1;
	}
	if (fstatfs(e->dest_fd, &fs) == 0 && fs.f_type == MSDOS_MAGIC && e->db_bytes > FAT_MAX_FILE) {
		say_io(e, EFBIG, BACKUP_NAME);
		snprintf(err, errlen, "%s", e->error);
		return -1;
	}
	return 0;
}

static long utc_offset_at(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

int export_begin(const struct export_opts *o, struct export **out, char *err, size_t errlen)
{
	struct export *e = calloc(1, sizeof(*e));
	char code[16] = "", name[128] = "";
	int64_t need = 0;
	int rc;

	*out = NULL;
	if (!e) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	e->backup_fd = -1;
	e->dest_fd = -1;
	e->dir_fd = -1;
	e->base_fd = -1;
	e->delta_fd = -1;
	e->sep = o->sep;
	e->dec = o->dec;
	e->now = o->now;
	e->cfg = o->cfg;
	/* The folder given is the station's choice (the stick's mount): its
	 * links are resolved once, and nothing below it is followed. */
	if (!realpath(o->dest, e->dest) ||
	    (e->dest_fd = open(e->dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, _("The folder %s does not exist."), o->dest);
		goto fail;
	}
	if (store_open(o->db_path, STORE_RDONLY, &e->store, err, errlen) < 0)
		goto fail;
	if (store_schema_version(e->store) < store_schema_latest()) {
		snprintf(err, errlen,
			 _("%s keeps its records in an older layout; start the station once to update it, then copy again."),
			 o->db_path);
		goto fail;
	}
	if (store_station_identity(e->store, e->uid, sizeof(e->uid), code, sizeof(code), name,
				   sizeof(name)) < 0 ||
	    store_snapshot_begin(e->store) < 0) {
		db_fail(e);
		snprintf(err, errlen, "%s", e->error);
		goto fail;
	}
	/* An office database has no station of its own: its export is the
	 * combined one ("tổng hợp"). */
	if (store_is_office(e->store)) {
		snprintf(e->code, sizeof(e->code), "TONG-HOP");
	} else {
		snprintf(e->code, sizeof(e->code), "%s", o->code ? o->code : code[0] ? code : "TRAM");
		/* The code names the folder on the stick: one read from a
		 * database that was not made from a checked config ("../x") must
		 * not lead out of it. */
		if (!manifest_name_ok(e->code))
			snprintf(e->code, sizeof(e->code), "TRAM");
		snprintf(e->name, sizeof(e->name), "%s", o->name ? o->name : name);
		/* A station signs what it exports; an office can trust nothing
		 * else. A station without its key copies nothing. */
		if (station_key_open(&e->key, o->db_path, e->store, true, false, o->now) < 0) {
			snprintf(err, errlen, _("Nothing was copied: %s"), e->key.problem);
			goto fail;
		}
		e->signs = true;
	}
	e->params.code = e->code;
	e->params.utc_offset = utc_offset_at(o->now);
	e->diaries = store_export_diaries(&e->n_diaries);

	/* The room it needs: the database once, and the CSVs. */
	if (store_size(e->store, &e->db_bytes) < 0) {
		db_fail(e);
		snprintf(err, errlen, "%s", e->error);
		goto fail;
	}
	for (int i = 0; i < e->n_diaries; i++)
		need += diary_estimate(e, &e->diaries[i]);
	if (e->cfg) {
		store_export_count(e->store, store_export_lots(), &e->params, &e->total);
		need += e->total * 2000;
	}
	/* The workbook: the same rows again, compressed. */
	e->book_est = need / 3 + 16 * 1024;
	need += e->book_est;
	/* A station's copy over its earlier one on the stick, if it has one. */
	if (e->signs)
		find_base(e);
	e->total = need + e->db_bytes + e->db_bytes / 4 + need + e->db_bytes;
	/* Room for the whole copy even over a base: a delta may be as large,
	 * and one found unusable gives way to the whole copy. */
	need += e->db_bytes + 256 * 1024;
	if (check_dest(e, need, err, errlen) < 0)
		goto fail;

	remove_unfinished(e);
	rc = make_folder(e);
	if (rc < 0) {
		say_io(e, -rc, e->folder);
		snprintf(err, errlen, "%s", e->error);
		goto fail;
	}
	e->part_est = diary_estimate(e, &e->diaries[0]);
	e->phase = PH_DIARIES;
	*out = e;
	return 0;
fail:
	if (e->store)
		store_snapshot_end(e->store);
	store_close(e->store);
	if (e->dest_fd >= 0)
		close(e->dest_fd);
	station_key_close(&e->key);
	forget_base(e);
	free(e);
	return -1;
}

int export_step(struct export *e, int budget_ms)
{
	int64_t until = clock_mono_ms() + budget_ms;
	int rc = 0;

	if (e->phase == PH_FAILED)
		return -1;
	while (rc == 0 && e->phase != PH_DONE) {
		switch (e->phase) {
		case PH_DIARIES:
			rc = step_diary(e);
			break;
		case PH_LOTS:
			rc = step_lots(e);
			break;
		case PH_WORKBOOK:
			rc = step_workbook(e);
			break;
		case PH_WORKBOOK_COPY:
			rc = step_workbook_copy(e);
			break;
		case PH_BACKUP:
			rc = step_backup(e);
			break;
		case PH_BACKUP_HASH:
			rc = step_backup_hash(e);
			break;
		case PH_BACKUP_WHOLE:
			rc = step_backup_whole(e);
			break;
		case PH_MANIFEST:
			rc = step_manifest(e);
			break;
		case PH_VERIFY:
			rc = step_verify(e);
			break;
		case PH_DONE:
		case PH_FAILED:
			break;
		}
		if (e->waiting || clock_mono_ms() >= until)
			break;
	}
	if (rc < 0) {
		remove_written(e);
		if (e->store)
			store_snapshot_end(e->store);
		e->phase = PH_FAILED;
		return -1;
	}
	if (e->phase == PH_DONE) {
		release(e);
		e->percent = 100;
		return EXPORT_DONE;
	}
	if (e->total > 0) {
		int64_t part = e->part < e->part_est ? e->part : e->part_est;
		int p = (int)((e->done + part) * 100 / e->total);

		if (p > 99)
			p = 99;
		if (p > e->percent)
			e->percent = p;
	}
	return EXPORT_MORE;
}

int export_idle_ms(const struct export *e)
{
	return e->waiting ? IDLE_MS : 0;
}

void export_cancel(struct export *e)
{
	if (e->phase == PH_DONE || e->phase == PH_FAILED)
		return;
	remove_written(e);
	store_snapshot_end(e->store);
	e->phase = PH_FAILED;
	e->failure = EXPORT_FAILED_CANCELLED;
	snprintf(e->error, sizeof(e->error), "%s",
		 _("The copy was stopped. Nothing complete is on the stick."));
}

void export_free(struct export *e)
{
	if (!e)
		return;
	export_cancel(e);
	manifest_free(&e->man);
	store_close(e->store);
	if (e->dir_fd >= 0)
		close(e->dir_fd);
	if (e->dest_fd >= 0)
		close(e->dest_fd);
	station_key_close(&e->key);
	free(e);
}

int export_percent(const struct export *e)
{
	return e->percent;
}

const char *export_doing(const struct export *e)
{
	switch (e->phase) {
	case PH_DIARIES:
		return _(e->diaries[e->diary < e->n_diaries ? e->diary : 0].title);
	case PH_LOTS:
		return _("Traceability sheets");
	case PH_WORKBOOK:
	case PH_WORKBOOK_COPY:
		return _("A workbook for spreadsheets");
	case PH_BACKUP:
	case PH_BACKUP_HASH:
	case PH_BACKUP_WHOLE:
		return _("A copy of all the records");
	case PH_MANIFEST:
	case PH_VERIFY:
		return _("Reading the copy back");
	case PH_DONE:
	case PH_FAILED:
	default:
		return "";
	}
}

const char *export_error(const struct export *e)
{
	return e->error;
}

const char *export_notice(const struct export *e)
{
	return e->notice;
}

enum export_failure export_failure(const struct export *e)
{
	return e->failure;
}

const char *export_folder(const struct export *e)
{
	return e->folder;
}

const char *export_path(const struct export *e)
{
	return e->final;
}

int export_file_count(const struct export *e)
{
	return e->man.n_files + 1;
}

int export_run(const struct export_opts *o, void (*fn)(void *ctx, int percent), void *ctx,
	       char *path, size_t pathlen, char *err, size_t errlen)
{
	struct export *e;
	int rc, last = -1;

	if (export_begin(o, &e, err, errlen) < 0)
		return -1;
	while ((rc = export_step(e, 200)) == EXPORT_MORE) {
		if (export_idle_ms(e))
			poll(NULL, 0, export_idle_ms(e));
		if (fn && export_percent(e) != last)
			fn(ctx, last = export_percent(e));
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s", export_error(e));
	} else {
		snprintf(path, pathlen, "%s", export_path(e));
		snprintf(err, errlen, "%s", export_notice(e));
	}
	export_free(e);
	return rc < 0 ? -1 : 0;
}

int export_remember_station(struct store *s, const struct config *cfg)
{
	int n = cfg->n_zones + cfg->n_pumps + cfg->n_sensors + cfg->n_products + cfg->n_workers;
	struct store_name *names = calloc((size_t)n + 1, sizeof(*names));
	int i = 0, rc;

	if (!names)
		return STORE_ERR;
	for (int k = 0; k < cfg->n_zones; k++)
		names[i++] = (struct store_name){ "zone", cfg->zones[k].item.id, cfg->zones[k].name, NULL };
	for (int k = 0; k < cfg->n_pumps; k++)
		names[i++] = (struct store_name){ "pump", cfg->pumps[k].item.id, cfg->pumps[k].name, NULL };
	for (int k = 0; k < cfg->n_sensors; k++)
		names[i++] = (struct store_name){ "sensor", cfg->sensors[k].item.id,
						  cfg->sensors[k].item.id, cfg->sensors[k].zone };
	for (int k = 0; k < cfg->n_products; k++)
		names[i++] = (struct store_name){ "product", cfg->products[k].item.id,
						  cfg->products[k].name, NULL };
	for (int k = 0; k < cfg->n_workers; k++)
		names[i++] = (struct store_name){ "worker", cfg->workers[k].item.id,
						  cfg->workers[k].name, NULL };
	rc = store_station_remember(s, cfg->station.code, cfg->station.name, names, i);
	free(names);
	return rc;
}
