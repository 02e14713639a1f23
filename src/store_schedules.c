/* SQL for watering schedules. A schedule is a setting, changed in place;
 * the event log keeps what was changed and when. */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

static const char SQL_LOAD[] =
	"SELECT id, zone, days, start_min, minutes, changed FROM schedules ORDER BY start_min, id";
static const char SQL_ADD[] =
	"INSERT INTO schedules(zone, days, start_min, minutes, changed) VALUES (?, ?, ?, ?, ?)";
static const char SQL_SET[] =
	"UPDATE schedules SET zone = ?, days = ?, start_min = ?, minutes = ?, changed = ?"
	" WHERE id = ?";
static const char SQL_DELETE[] = "DELETE FROM schedules WHERE id = ?";

int store_schedules_load(struct store *s, struct schedule_row *out, int max)
{
	sqlite3_stmt *st = store_stmt(s, SQL_LOAD);
	int rc, n = 0;

	if (!st)
		return STORE_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct schedule_row *r;

		if (n == max)
			continue;
		r = &out[n++];
		r->id = sqlite3_column_int64(st, 0);
		snprintf(r->zone, sizeof(r->zone), "%s", (const char *)sqlite3_column_text(st, 1));
		r->days = sqlite3_column_int(st, 2);
		r->start_min = sqlite3_column_int(st, 3);
		r->minutes = sqlite3_column_int(st, 4);
		r->changed = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc);
}

int store_schedule_save(struct store *s, struct schedule_row *r, int64_t now)
{
	sqlite3_stmt *st = store_stmt(s, r->id ? SQL_SET : SQL_ADD);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, r->zone, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->days);
	sqlite3_bind_int(st, 3, r->start_min);
	sqlite3_bind_int(st, 4, r->minutes);
	sqlite3_bind_int64(st, 5, now);
	if (r->id)
		sqlite3_bind_int64(st, 6, r->id);
	rc = store_exec_stmt(s, st);
	if (rc == 0 && !r->id)
		r->id = sqlite3_last_insert_rowid(s->db);
	if (rc == 0)
		r->changed = now;
	return rc;
}

int store_schedule_delete(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s, SQL_DELETE);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	return store_exec_stmt(s, st);
}

/* Watering by soil moisture switched on or off: the schedules it
 * replaced. */

static const char SQL_SWITCH_END[] =
	"UPDATE moisture_switches SET until = ? WHERE zone = ? AND until IS NULL";
static const char SQL_SWITCH_ADD[] = "INSERT INTO moisture_switches(zone, since) VALUES (?, ?)";
static const char SQL_SWITCH_SCHEDULE[] =
	"INSERT INTO replaced_schedules(switch, days, start_min, minutes) VALUES (?, ?, ?, ?)";
static const char SQL_SWITCHES[] =
	"SELECT id, since, coalesce(until, 0) FROM moisture_switches"
	" WHERE zone = ? AND since < ? AND (until IS NULL OR until > ?) ORDER BY since, id";
static const char SQL_SWITCH_SCHEDULES[] =
	"SELECT days, start_min, minutes FROM replaced_schedules WHERE switch = ? ORDER BY rowid";

int store_moisture_switch(struct store *s, const char *zone, int64_t t, bool on,
			  const struct schedule_row *sched, int n)
{
	sqlite3_stmt *st = store_stmt(s, SQL_SWITCH_END);
	int64_t id;
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, t);
	sqlite3_bind_text(st, 2, zone, -1, SQLITE_STATIC);
	if ((rc = store_exec_stmt(s, st)) < 0 || !on)
		return rc;
	if (!(st = store_stmt(s, SQL_SWITCH_ADD)))
		return STORE_ERR;
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, t);
	if ((rc = store_exec_stmt(s, st)) < 0)
		return rc;
	id = sqlite3_last_insert_rowid(s->db);
	for (int i = 0; i < n; i++) {
		if (strcmp(sched[i].zone, zone) != 0)
			continue;
		if (!(st = store_stmt(s, SQL_SWITCH_SCHEDULE)))
			return STORE_ERR;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, sched[i].days);
		sqlite3_bind_int(st, 3, sched[i].start_min);
		sqlite3_bind_int(st, 4, sched[i].minutes);
		if ((rc = store_exec_stmt(s, st)) < 0)
			return rc;
	}
	return 0;
}

static int switch_schedules(struct store *s, int64_t id, const char *zone,
			    struct moisture_switch *m)
{
	sqlite3_stmt *st = store_stmt(s, SQL_SWITCH_SCHEDULES);
	int rc;

	m->n_sched = 0;
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct schedule_row *r;

		if (m->n_sched == SWITCH_SCHED_MAX)
			continue;
		r = &m->sched[m->n_sched++];
		memset(r, 0, sizeof(*r));
		snprintf(r->zone, sizeof(r->zone), "%s", zone);
		r->days = sqlite3_column_int(st, 0);
		r->start_min = sqlite3_column_int(st, 1);
		r->minutes = sqlite3_column_int(st, 2);
		r->changed = m->since;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

int store_moisture_switches(struct store *s, const char *zone, int64_t from, int64_t to,
			    struct moisture_switch *out, int max)
{
	sqlite3_stmt *st = store_stmt(s, SQL_SWITCHES);
	int64_t ids[MOISTURE_SWITCHES_MAX];
	int rc, n = 0;

	if (!st)
		return STORE_ERR;
	if (max > MOISTURE_SWITCHES_MAX)
		max = MOISTURE_SWITCHES_MAX;
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, to);
	sqlite3_bind_int64(st, 3, from);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == max)
			continue;
		ids[n] = sqlite3_column_int64(st, 0);
		out[n].since = sqlite3_column_int64(st, 1);
		out[n].until = sqlite3_column_int64(st, 2);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc);
	for (int i = 0; i < n; i++)
		if ((rc = switch_schedules(s, ids[i], zone, &out[i])) < 0)
			return rc;
	return n;
}

/* Schedules deleted, as the event log tells them ("days;HH:MM;minutes"),
 * the newest first. */
static const char SQL_DELETED[] =
	"SELECT detail FROM events WHERE kind = 'schedule_deleted' AND source = ?"
	" AND t >= ? AND t <= ? ORDER BY t DESC, id DESC";

int store_schedules_deleted(struct store *s, const char *zone, int64_t from, int64_t to,
			    struct schedule_row *out, int max)
{
	sqlite3_stmt *st = store_stmt(s, SQL_DELETED);
	int rc, n = 0;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 0);
		int days, h, m, minutes;

		if (n == max || !d || sscanf(d, "%d;%d:%d;%d", &days, &h, &m, &minutes) != 4 ||
		    days < 1 || days > 127 || h < 0 || h > 23 || m < 0 || m > 59 || minutes < 1 ||
		    minutes > 720)
			continue;
		/* Deleted twice, counted once. */
		bool seen = false;

		for (int i = 0; i < n && !seen; i++)
			seen = out[i].days == days && out[i].start_min == h * 60 + m &&
			       out[i].minutes == minutes;
		if (seen)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].zone, sizeof(out[n].zone), "%s", zone);
		out[n].days = days;
		out[n].start_min = h * 60 + m;
		out[n].minutes = minutes;
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc);
}
