/* SQL for the office's trust in stations' signing keys: the stations it
 * trusts and the boards their keys have come from. */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

static const char SQL_TRUSTED_GET[] =
	"SELECT code, name, public_key, fingerprint, trusted_at, trusted_by"
	" FROM trusted_stations WHERE uid = ?";
static const char SQL_TRUSTED_BOARD[] =
	"SELECT 1 FROM trusted_boards WHERE uid = ? AND board = ?";
static const char SQL_TRUST_STATION[] =
	"INSERT INTO trusted_stations(uid, code, name, public_key, fingerprint, trusted_at,"
	" trusted_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	" ON CONFLICT(uid) DO UPDATE SET code = excluded.code, name = excluded.name,"
	" replaced = CASE WHEN public_key <> excluded.public_key THEN fingerprint ELSE replaced END,"
	" trusted_at = CASE WHEN public_key <> excluded.public_key THEN excluded.trusted_at"
	"  ELSE trusted_at END,"
	" trusted_by = CASE WHEN public_key <> excluded.public_key THEN excluded.trusted_by"
	"  ELSE trusted_by END,"
	" fingerprint = excluded.fingerprint, public_key = excluded.public_key";
/* A new key's boards are its own: the old key's are forgotten. */
static const char SQL_TRUST_FORGET_BOARDS[] =
	"DELETE FROM trusted_boards WHERE uid = ?1 AND (SELECT public_key FROM trusted_stations"
	" WHERE uid = ?1) <> ?2";
static const char SQL_TRUST_BOARD[] =
	"INSERT OR IGNORE INTO trusted_boards(uid, board, trusted_at, trusted_by)"
	" VALUES (?, ?, ?, ?)";

static void hex_of(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static int unhex(const char *s, uint8_t *out, size_t n)
{
	unsigned v;

	if (!s || strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static void text_col(sqlite3_stmt *st, int col, char *buf, size_t n)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	snprintf(buf, n, "%s", v ? (const char *)v : "");
}

int store_trusted_get(struct store *s, const char *uid, struct trusted_station *t)
{
	sqlite3_stmt *st = store_stmt(s, SQL_TRUSTED_GET);
	int rc;

	memset(t, 0, sizeof(*t));
	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(t->uid, sizeof(t->uid), "%s", uid);
		text_col(st, 0, t->code, sizeof(t->code));
		text_col(st, 1, t->name, sizeof(t->name));
		if (unhex((const char *)sqlite3_column_text(st, 2), t->key, sizeof(t->key)) < 0) {
			sqlite3_reset(st);
			snprintf(s->error, sizeof(s->error), "trusted_stations: a key is not hex");
			return STORE_CORRUPT;
		}
		text_col(st, 3, t->fingerprint, sizeof(t->fingerprint));
		t->trusted_at = sqlite3_column_int64(st, 4);
		text_col(st, 5, t->trusted_by, sizeof(t->trusted_by));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

int store_trusted_board(struct store *s, const char *uid, const char *board)
{
	sqlite3_stmt *st = store_stmt(s, SQL_TRUSTED_BOARD);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, board, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

int store_trust(struct store *s, const struct trusted_station *t, const char *board)
{
	char key[2 * sizeof(t->key) + 1];
	sqlite3_stmt *st;
	int rc = store_begin(s);

	if (rc < 0)
		return rc;
	hex_of(t->key, sizeof(t->key), key);
	st = store_stmt(s, SQL_TRUST_FORGET_BOARDS);
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_text(st, 1, t->uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	if ((rc = store_exec_stmt(s, st)) < 0)
		goto out;
	st = store_stmt(s, SQL_TRUST_STATION);
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_text(st, 1, t->uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, t->trusted_at);
	sqlite3_bind_text(st, 7, t->trusted_by, -1, SQLITE_STATIC);
	if ((rc = store_exec_stmt(s, st)) < 0)
		goto out;
	st = store_stmt(s, SQL_TRUST_BOARD);
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_text(st, 1, t->uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, board, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, t->trusted_at);
	sqlite3_bind_text(st, 4, t->trusted_by, -1, SQLITE_STATIC);
	rc = store_exec_stmt(s, st);
out:
	if (rc == 0)
		rc = store_commit(s);
	if (rc < 0)
		store_rollback(s);
	return rc;
}
