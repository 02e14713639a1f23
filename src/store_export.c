/* SQL for exports: the station's identity, the diaries as tables of
 * columns, harvest lots and their history, a read snapshot and the online
 * backup. A diary field is added here, as one more column. */
#include "store_delta.h"
#include "store_internal.h"

#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A row's station: 0 (this database's own) unless it was merged in. */
#define ORIGIN(tbl, alias, row) \
	" LEFT JOIN origins o ON o.tbl = '" tbl "' AND o.id = " alias "." row \
	" LEFT JOIN stations st ON st.id = o.station"
#define STATION_CODE "coalesce(st.code, ?1)"
#define STATION_NO(alias) "coalesce(o.origin_id, " alias ".id)"
/* What a zone, pump... was called at its station, else its id. */
#define NAME_OF(kind, col) \
	"coalesce((SELECT n.name FROM names n WHERE n.station = coalesce(o.station, 0)" \
	" AND n.kind = '" kind "' AND n.id = " col "), " col ")"
/* The number, at its own station, of the record a correction corrects,
 * and of the record that corrects this one. */
#define CORRECTS(alias) \
	"coalesce((SELECT c.origin_id FROM origins c WHERE c.tbl = 'records'" \
	" AND c.id = " alias ".corrects), " alias ".corrects)"
#define CORRECTED_BY(alias) \
	"(SELECT coalesce(co.origin_id, c.id) FROM records c LEFT JOIN origins co" \
	" ON co.tbl = 'records' AND co.id = c.id WHERE c.corrects = " alias ".id)"

static const struct export_word run_reasons[] = {
	{ "manual", N_("by hand") },
	{ "schedule", N_("by schedule") },
	{ "moisture", N_("by soil moisture") },
	{ NULL, NULL },
};

static const struct export_word run_ends[] = {
	{ "done", N_("ran its time") },
	{ "by_hand", N_("stopped by hand") },
	{ "power_cut", N_("power cut") },
	{ "shutdown", N_("station stopped") },
	{ "relay_error", N_("relay fault") },
	{ "moisture_high", N_("the soil was moist enough") },
	{ "peak", N_("peak hours began") },
	{ "no_rise", N_("stopped: the soil did not get wetter") },
	{ "no_flow", N_("stopped: no water flowed") },
	{ "no_pressure", N_("stopped: no water pressure") },
	{ "record_error", N_("stopped: a dose's record could not be written") },
	{ "tank_empty", N_("the tank ran dry") },
	{ NULL, NULL },
};

static const struct export_word dose_kinds[] = {
	{ "fertilize", N_("fertilizer") },
	{ "spray", N_("plant protection") },
	{ NULL, NULL },
};

static const struct export_word tank_kinds[] = {
	{ "refill", N_("refill") },
	{ "dose", N_("dose") },
	{ "drain", N_("drained") },
	{ NULL, NULL },
};

static const struct export_word event_kinds[] = {
	{ "start", N_("station started") },
	{ "stop", N_("station stopped") },
	{ "screen_lost", N_("screen lost") },
	{ "run_cut", N_("run cut by a power cut") },
	{ "relay_error", N_("relay fault") },
	{ "sensor_ok", N_("sensor answers again") },
	{ "sensor_waiting", N_("sensor not read yet") },
	{ "sensor_lost", N_("sensor lost") },
	{ "sensor_bad_frame", N_("sensor answers garbled") },
	{ "sensor_bad_value", N_("sensor gives impossible values") },
	{ "stick_unwatched", N_("USB sticks cannot be watched") },
	{ "no_rise", N_("soil moisture did not rise while watering") },
	{ "no_flow", N_("no water flowed while the pump ran") },
	{ "no_pressure", N_("no water pressure while the pump ran") },
	{ "meter_noise", N_("water meter sent noise, not counted as water") },
	{ "meter_missing", N_("water meter cannot be used") },
	{ "injector_missing", N_("injector cannot be used") },
	{ "tank_empty", N_("a tank ran dry while dosing") },
	{ "dose_cut", N_("dosing cut by a power cut") },
	{ "dose_unrecorded", N_("a dose's record could not be written") },
	{ "schedule_added", N_("schedule added") },
	{ "schedule_changed", N_("schedule changed") },
	{ "schedule_deleted", N_("schedule deleted") },
	{ "schedule_moved", N_("scheduled run moved out of peak hours") },
	{ "schedule_skipped", N_("scheduled run given up: pumps busy") },
	{ "schedule_missed", N_("scheduled run missed (station off or clock moved)") },
	{ "schedule_blocked", N_("scheduled run held back by an alarm") },
	{ "by_moisture_on", N_("watering by soil moisture switched on") },
	{ "by_moisture_off", N_("watering by soil moisture switched off") },
	{ "calibration", N_("probe calibrated") },
	{ "signing_key_made", N_("signing key made") },
	{ "signing_key_changed", N_("signing key not the one the database remembered") },
	{ "other_board", N_("started on another board than its signing key was made on") },
	{ NULL, NULL },
};

static const struct export_word yes_no[] = {
	{ "1", N_("yes") },
	{ "0", N_("no") },
	{ NULL, NULL },
};

static const struct export_word organic_reasons[] = {
	{ "outbreak", N_("a pest or disease no organic product could stop") },
	{ "mistake", N_("used by mistake") },
	{ "unavailable", N_("no organic product could be had in time") },
	{ "other", N_("another reason, told to the certifier") },
	{ NULL, NULL },
};

static const struct export_word methods[] = {
	{ "venturi", N_("fertigation (venturi)") },
	{ "injector", N_("fertigation (dosing pump)") },
	{ "hand", N_("by hand") },
	{ NULL, NULL },
};

#define COLS(a) a, (int)(sizeof(a) / sizeof(a[0]))

/* The number, at its own station, of the run whose dose wrote a record. */
#define RUN_OF(alias) \
	"(SELECT coalesce(orun.origin_id, d.run) FROM doses d LEFT JOIN origins orun" \
	" ON orun.tbl = 'pump_runs' AND orun.id = d.run WHERE d.record = " alias ".id)"
/* The number, at its own station, of the row col names in tbl. */
#define NO_OF(tbl, col) \
	"coalesce((SELECT c.origin_id FROM origins c WHERE c.tbl = '" tbl "'" \
	" AND c.id = " col "), " col ")"

static const struct export_col irrigation_cols[] = {
	{ N_("Station"), EXP_TEXT, STATION_CODE, 0, NULL },
	{ N_("No."), EXP_INT, STATION_NO("r"), 0, NULL },
	{ N_("Pump"), EXP_TEXT, NAME_OF("pump", "r.pump"), 0, NULL },
	{ N_("Zone"), EXP_TEXT, NAME_OF("zone", "r.zone"), 0, NULL },
	{ N_("Started"), EXP_WORD, "r.reason", 0, run_reasons },
	{ N_("Person"), EXP_TEXT, NAME_OF("worker", "r.who"), 0, NULL },
	{ N_("Start"), EXP_TIME, "r.started", 0, NULL },
	{ N_("End"), EXP_TIME, "r.ended", 0, NULL },
	{ N_("Minutes"), EXP_REAL, "(r.ended - r.started) / 60.0", 1, NULL },
	{ N_("How it ended"), EXP_WORD, "r.end_reason", 0, run_ends },
	{ N_("Soil moisture before (%)"), EXP_REAL, "r.moisture_before", 1, NULL },
	{ N_("Soil moisture after (%)"), EXP_REAL, "r.moisture_after", 1, NULL },
	{ N_("Schedule's time"), EXP_TIME, "r.scheduled_for", 0, NULL },
	{ N_("Pump power (kW)"), EXP_REAL, "r.power_kw", 2, NULL },
	{ N_("kWh off-peak"), EXP_REAL, "r.kwh_offpeak", 3, NULL },
	{ N_("kWh normal"), EXP_REAL, "r.kwh_normal", 3, NULL },
	{ N_("kWh peak"), EXP_REAL, "r.kwh_peak", 3, NULL },
	{ N_("Cost off-peak"), EXP_REAL, "r.cost_offpeak", 0, NULL },
	{ N_("Cost normal"), EXP_REAL, "r.cost_normal", 0, NULL },
	{ N_("Cost peak"), EXP_REAL, "r.cost_peak", 0, NULL },
	{ N_("Cost"), EXP_REAL, "r.cost_offpeak + r.cost_normal + r.cost_peak", 0, NULL },
	{ N_("Cost at peak prices"), EXP_REAL, "r.cost_at_peak", 0, NULL },
	{ N_("Water (litres)"), EXP_REAL, "r.litres", 1, NULL },
	{ N_("Wetting (min)"), EXP_INT, "r.wetting_minutes", 0, NULL },
	{ N_("Dosing (min)"), EXP_INT, "r.dosing_minutes", 0, NULL },
	{ N_("Flushing (min)"), EXP_INT, "r.flushing_minutes", 0, NULL },
	{ N_("Fertigation: fertilizing No."), EXP_INT,
	  "coalesce((SELECT c.origin_id FROM origins c WHERE c.tbl = 'records'"
	  " AND c.id = r.record), r.record)", 0, NULL },
};

/* Farm records keep the names of the moment they were entered. */
static const struct export_col fertilize_cols[] = {
	{ N_("Station"), EXP_TEXT, STATION_CODE, 0, NULL },
	{ N_("No."), EXP_INT, STATION_NO("r"), 0, NULL },
	{ N_("Date"), EXP_DAY, "r.day", 0, NULL },
	{ N_("Zone"), EXP_TEXT, "r.zone_name", 0, NULL },
	{ N_("Product"), EXP_TEXT, "r.product_name", 0, NULL },
	{ N_("Organic"), EXP_WORD, "r.organic", 0, yes_no },
	{ N_("Amount"), EXP_REAL, "r.amount", 2, NULL },
	{ N_("Unit"), EXP_TEXT, "r.unit", 0, NULL },
	{ N_("Method"), EXP_WORD, "r.method", 0, methods },
	{ N_("Run No."), EXP_INT, RUN_OF("r"), 0, NULL },
	{ N_("Done by"), EXP_TEXT, "r.who_name", 0, NULL },
	{ N_("Entered"), EXP_TIME, "r.entered_at", 0, NULL },
	{ N_("Corrects No."), EXP_INT, CORRECTS("r"), 0, NULL },
	{ N_("Corrected by No."), EXP_INT, CORRECTED_BY("r"), 0, NULL },
	{ N_("Removed as a mistake"), EXP_WORD, "r.voided", 0, yes_no },
	{ N_("Not organic on an organic zone: why the manager allowed it"), EXP_WORD,
	  "r.organic_override", 0, organic_reasons },
};

static const struct export_col spray_cols[] = {
	{ N_("Station"), EXP_TEXT, STATION_CODE, 0, NULL },
	{ N_("No."), EXP_INT, STATION_NO("r"), 0, NULL },
	{ N_("Date"), EXP_DAY, "r.day", 0, NULL },
	{ N_("Zone"), EXP_TEXT, "r.zone_name", 0, NULL },
	{ N_("Product"), EXP_TEXT, "r.product_name", 0, NULL },
	{ N_("Organic"), EXP_WORD, "r.organic", 0, yes_no },
	{ N_("Against"), EXP_TEXT, "r.target", 0, NULL },
	{ N_("Amount"), EXP_REAL, "r.amount", 2, NULL },
	{ N_("Unit"), EXP_TEXT, "r.unit", 0, NULL },
	{ N_("Pre-harvest interval (days)"), EXP_INT, "r.phi_days", 0, NULL },
	{ N_("Harvest from"), EXP_DAY, "r.harvest_from", 0, NULL },
	{ N_("Run No."), EXP_INT, RUN_OF("r"), 0, NULL },
	{ N_("Done by"), EXP_TEXT, "r.who_name", 0, NULL },
	{ N_("Entered"), EXP_TIME, "r.entered_at", 0, NULL },
	{ N_("Corrects No."), EXP_INT, CORRECTS("r"), 0, NULL },
	{ N_("Corrected by No."), EXP_INT, CORRECTED_BY("r"), 0, NULL },
	{ N_("Removed as a mistake"), EXP_WORD, "r.voided", 0, yes_no },
	{ N_("Not organic on an organic zone: why the manager allowed it"), EXP_WORD,
	  "r.organic_override", 0, organic_reasons },
};

static const struct export_col harvest_cols[] = {
	{ N_("Station"), EXP_TEXT, STATION_CODE, 0, NULL },
	{ N_("No."), EXP_INT, STATION_NO("r"), 0, NULL },
	{ N_("Date"), EXP_DAY, "r.day", 0, NULL },
	{ N_("Zone"), EXP_TEXT, "r.zone_name", 0, NULL },
	{ N_("Crop"), EXP_TEXT, "r.crop", 0, NULL },
	{ N_("Lot code"), EXP_TEXT, "r.lot_code", 0, NULL },
	{ N_("Weight (kg)"), EXP_REAL, "r.kg", 1, NULL },
	{ N_("Grade"), EXP_TEXT, "r.grade", 0, NULL },
	{ N_("Buyer"), EXP_TEXT, "r.buyer", 0, NULL },
	{ N_("Harvested by"), EXP_TEXT, "r.who_name", 0, NULL },
	{ N_("Entered"), EXP_TIME, "r.entered_at", 0, NULL },
	{ N_("Corrects No."), EXP_INT, CORRECTS("r"), 0, NULL },
	{ N_("Corrected by No."), EXP_INT, CORRECTED_BY("r"), 0, NULL },
	{ N_("Removed as a mistake"), EXP_WORD, "r.voided", 0, yes_no },
	/* The first standing record, at the same station, of a product that
	 * is not organic used on the zone with the manager's leave. */
	{ N_("Zone not organic from"), EXP_DAY,
	  "(SELECT min(x.day) FROM records x LEFT JOIN origins xo ON xo.tbl = 'records'"
	  " AND xo.id = x.id WHERE x.zone = r.zone AND x.day <= r.day"
	  " AND coalesce(xo.station, 0) = coalesce(o.station, 0)"
	  " AND x.organic_override IS NOT NULL AND NOT x.voided"
	  " AND NOT EXISTS (SELECT 1 FROM records c WHERE c.corrects = x.id))", 0, NULL },
	{ N_("Inside a spray's interval, allowed by the manager (spray No.)"), EXP_INT,
	  "coalesce((SELECT c.origin_id FROM origins c WHERE c.tbl = 'records'"
	  " AND c.id = r.phi_override), r.phi_override)", 0, NULL },
};

static const struct export_col event_cols[] = {
	{ N_("Station"), EXP_TEXT, STATION_CODE, 0, NULL },
	{ N_("No."), EXP_INT, STATION_NO("e"), 0, NULL },
	{ N_("Time"), EXP_TIME, "e.t", 0, NULL },
	{ N_("What"), EXP_WORD, "e.kind", 0, event_kinds },
	{ N_("Where"), EXP_TEXT, "e.source", 0, NULL },
	{ N_("Detail"), EXP_TEXT, "e.detail", 0, NULL },
	{ N_("Alarm"), EXP_WORD, "e.alarm", 0, yes_no },
	{ N_("Acknowledged"), EXP_TIME, "e.acked", 0, NULL },
};

/* Each injector's dose in a run: its tank and product, the stock it gave
 * and what that held, and the record it wrote. */
static const struct export_col dose_cols[] = {
	{ N_("Station"), EXP_TEXT, STATION_CODE, 0, NULL },
	{ N_("No."), EXP_INT, STATION_NO("d"), 0, NULL },
	{ N_("Run No."), EXP_INT, NO_OF("pump_runs", "d.run"), 0, NULL },
	{ N_("Zone"), EXP_TEXT, NAME_OF("zone", "d.zone"), 0, NULL },
	{ N_("Injector"), EXP_TEXT, "d.injector_name", 0, NULL },
	{ N_("Tank"), EXP_TEXT, "d.tank_name", 0, NULL },
	{ N_("Product"), EXP_TEXT, "d.product_name", 0, NULL },
	{ N_("Kind"), EXP_WORD, "d.kind", 0, dose_kinds },
	{ N_("Against"), EXP_TEXT, "d.target", 0, NULL },
	{ N_("Start"), EXP_TIME, "d.started", 0, NULL },
	{ N_("End"), EXP_TIME, "d.ended", 0, NULL },
	{ N_("How it ended"), EXP_WORD, "d.end_reason", 0, run_ends },
	{ N_("Stock planned (litres)"), EXP_REAL, "d.planned_litres", 2, NULL },
	{ N_("Stock given (litres)"), EXP_REAL, "d.litres", 2, NULL },
	{ N_("Product a litre of stock"), EXP_REAL, "d.concentration", 4, NULL },
	{ N_("Amount given"), EXP_REAL, "d.litres * d.concentration", 3, NULL },
	{ N_("Unit"), EXP_TEXT, "d.unit", 0, NULL },
	{ N_("Record No."), EXP_INT, NO_OF("records", "d.record"), 0, NULL },
	{ N_("Done by"), EXP_TEXT, "d.who_name", 0, NULL },
};

/* Each tank's book: refills with the supplier's lot, doses, drains; its
 * stock is their sum. */
static const struct export_col tank_cols[] = {
	{ N_("Station"), EXP_TEXT, STATION_CODE, 0, NULL },
	{ N_("No."), EXP_INT, STATION_NO("t"), 0, NULL },
	{ N_("Date"), EXP_DAY, "t.day", 0, NULL },
	{ N_("Tank"), EXP_TEXT, "t.tank_name", 0, NULL },
	{ N_("What"), EXP_WORD, "t.kind", 0, tank_kinds },
	{ N_("Product"), EXP_TEXT, "t.product_name", 0, NULL },
	{ N_("Amount"), EXP_REAL, "t.amount", 3, NULL },
	{ N_("Unit"), EXP_TEXT, "t.unit", 0, NULL },
	{ N_("Stock (litres)"), EXP_REAL, "t.litres", 2, NULL },
	{ N_("Supplier's lot number"), EXP_TEXT, "t.lot", 0, NULL },
	{ N_("Dose No."), EXP_INT, NO_OF("doses", "t.dose"), 0, NULL },
	{ N_("Done by"), EXP_TEXT, "t.who_name", 0, NULL },
	{ N_("Entered"), EXP_TIME, "t.entered_at", 0, NULL },
};

/* From the daily roll-ups, which outlive the raw readings: a few
 * thousand rows a year, sorted at once. Quantity 0 is soil moisture. */
static const struct export_col moisture_cols[] = {
	{ N_("Station"), EXP_TEXT, STATION_CODE, 0, NULL },
	{ N_("Date"), EXP_DAY, "date(x.d * 86400, 'unixepoch')", 0, NULL },
	{ N_("Zone"), EXP_TEXT,
	  "(SELECT coalesce(z.name, sz.zone) FROM names sz LEFT JOIN names z"
	  " ON z.station = sz.station AND z.kind = 'zone' AND z.id = sz.zone"
	  " WHERE sz.station = coalesce(x.station, 0) AND sz.kind = 'sensor' AND sz.id = x.code)",
	  0, NULL },
	{ N_("Sensor"), EXP_TEXT, "x.code", 0, NULL },
	{ N_("Lowest (%)"), EXP_REAL, "x.lo", 1, NULL },
	{ N_("Mean (%)"), EXP_REAL, "x.mean", 1, NULL },
	{ N_("Highest (%)"), EXP_REAL, "x.hi", 1, NULL },
	{ N_("Readings"), EXP_INT, "x.n", 0, NULL },
};

/* Calibrations of raw analog probes, each with its date; a later one
 * supersedes an earlier, which stays listed. */
#define CAL_CODE \
	"CASE WHEN o.station IS NULL THEN s.code ELSE substr(s.code, instr(s.code, ':') + 1) END"
static const struct export_col calibration_cols[] = {
	{ N_("Station"), EXP_TEXT, STATION_CODE, 0, NULL },
	{ N_("No."), EXP_INT, STATION_NO("c"), 0, NULL },
	{ N_("Calibrated"), EXP_TIME, "c.made_at", 0, NULL },
	{ N_("Zone"), EXP_TEXT,
	  "(SELECT coalesce(z.name, sz.zone) FROM names sz LEFT JOIN names z"
	  " ON z.station = sz.station AND z.kind = 'zone' AND z.id = sz.zone"
	  " WHERE sz.station = coalesce(o.station, 0) AND sz.kind = 'sensor' AND sz.id = " CAL_CODE ")",
	  0, NULL },
	{ N_("Sensor"), EXP_TEXT, CAL_CODE, 0, NULL },
	{ N_("Count dry, in air (0 %)"), EXP_REAL, "c.dry", 0, NULL },
	{ N_("Count in water (100 %)"), EXP_REAL, "c.wet", 0, NULL },
};

static const struct export_diary diaries[] = {
	{ "nhat-ky-tuoi.csv", N_("Irrigation diary"),
	  "FROM pump_runs r" ORIGIN("pump_runs", "r", "id"),
	  "ORDER BY 1, r.started, r.id", COLS(irrigation_cols), NULL },
	{ "bon-phan.csv", N_("Fertilizing"),
	  "FROM records r" ORIGIN("records", "r", "id") " WHERE r.kind = 'fertilize'",
	  "ORDER BY 1, r.day, r.id", COLS(fertilize_cols), NULL },
	{ "phun-thuoc.csv", N_("Spraying"),
	  "FROM records r" ORIGIN("records", "r", "id") " WHERE r.kind = 'spray'",
	  "ORDER BY 1, r.day, r.id", COLS(spray_cols), NULL },
	{ "thu-hoach.csv", N_("Harvests"),
	  "FROM records r" ORIGIN("records", "r", "id") " WHERE r.kind = 'harvest'",
	  "ORDER BY 1, r.day, r.id", COLS(harvest_cols), NULL },
	{ "bao-dong-va-su-kien.csv", N_("Alarms and events"),
	  "FROM events e" ORIGIN("events", "e", "id"),
	  "ORDER BY 1, e.t, e.id", COLS(event_cols), NULL },
	{ "do-am-dat-hang-ngay.csv", N_("Daily soil moisture"),
	  "FROM (SELECT g.d, g.lo, g.mean, g.hi, g.n, o.station AS station,"
	  "   CASE WHEN o.station IS NULL THEN s.code"
	  "        ELSE substr(s.code, instr(s.code, ':') + 1) END AS code"
	  "  FROM (SELECT sensor, day AS d, min AS lo, mean, max AS hi, n"
	  "        FROM readings_daily WHERE quantity = 0) g"
	  "  JOIN sensors s ON s.id = g.sensor"
	  "  LEFT JOIN origins o ON o.tbl = 'sensors' AND o.id = s.id) x"
	  " LEFT JOIN stations st ON st.id = x.station",
	  "ORDER BY x.d, 1, 3, 4", COLS(moisture_cols),
	  "SELECT count(*) FROM readings_daily WHERE quantity = 0" },
	{ "cham-qua-ong.csv", N_("Doses through the line"),
	  "FROM doses d" ORIGIN("doses", "d", "id"),
	  "ORDER BY 1, d.id", COLS(dose_cols), NULL },
	{ "so-be.csv", N_("Tank book"),
	  "FROM tank_book t" ORIGIN("tank_book", "t", "id"),
	  "ORDER BY 1, t.id", COLS(tank_cols), NULL },
	{ "hieu-chuan-dau-do.csv", N_("Probe calibrations"),
	  "FROM calibrations c JOIN sensors s ON s.id = c.sensor" ORIGIN("calibrations", "c", "id"),
	  "ORDER BY 1, c.made_at, c.id", COLS(calibration_cols), NULL },
};

/* The harvest lots, for their traceability sheets. */
static const struct export_col lot_cols[] = {
	{ N_("Lot code"), EXP_TEXT, "l.code", 0, NULL },
};

static const struct export_diary lots = {
	"truy-xuat", N_("Traceability sheets"), "FROM lots l", "ORDER BY l.day, l.seq",
	COLS(lot_cols), NULL,
};

/* The stations merged into an office's database (none in a station's). */
static const struct export_col station_cols[] = {
	{ N_("Station"), EXP_TEXT, "s.code", 0, NULL },
	{ N_("Name"), EXP_TEXT, "s.name", 0, NULL },
	{ N_("Merged"), EXP_TIME, "s.merged_at", 0, NULL },
};

static const struct export_diary stations = {
	"tram", N_("Stations"), "FROM stations s", "ORDER BY s.code, s.id", COLS(station_cols), NULL,
};

const struct export_diary *store_export_stations(void)
{
	return &stations;
}

const struct export_diary *store_export_diaries(int *n)
{
	*n = (int)(sizeof(diaries) / sizeof(diaries[0]));
	return diaries;
}

const struct export_diary *store_export_lots(void)
{
	return &lots;
}

const char *store_export_word(const struct export_col *col, const char *code)
{
	for (const struct export_word *w = col->words; w && w->code; w++)
		if (strcmp(w->code, code) == 0)
			return w->label;
	return NULL;
}

/* The station's identity. */

static const char SQL_NAMES_CLEAR[] = "DELETE FROM names WHERE station = 0";
static const char SQL_NAME_ADD[] =
	"INSERT OR REPLACE INTO names(station, kind, id, name, zone) VALUES (0, ?, ?, ?, ?)";

int store_station_remember(struct store *s, const char *code, const char *name,
			   const struct store_name *names, int n)
{
	sqlite3_stmt *st;
	int rc = store_begin(s);

	if (rc == 0)
		rc = store_meta_set(s, "station_code", code);
	if (rc == 0)
		rc = store_meta_set(s, "station_name", name);
	if (rc == 0) {
		st = store_stmt(s, SQL_NAMES_CLEAR);
		rc = st ? store_exec_stmt(s, st) : STORE_ERR;
	}
	for (int i = 0; rc == 0 && i < n; i++) {
		st = store_stmt(s, SQL_NAME_ADD);
		if (!st) {
			rc = STORE_ERR;
			break;
		}
		sqlite3_bind_text(st, 1, names[i].kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, names[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, names[i].name, -1, SQLITE_STATIC);
		if (names[i].zone && names[i].zone[0])
			sqlite3_bind_text(st, 4, names[i].zone, -1, SQLITE_STATIC);
		rc = store_exec_stmt(s, st);
	}
	if (rc == 0)
		rc = store_commit(s);
	if (rc < 0)
		store_rollback(s);
	return rc;
}

static const char SQL_IS_OFFICE[] =
	"SELECT EXISTS (SELECT 1 FROM stations) OR EXISTS (SELECT 1 FROM meta"
	" WHERE key = 'role' AND value = 'office')";

bool store_is_office(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, SQL_IS_OFFICE);
	bool office = false;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		office = sqlite3_column_int(st, 0) != 0;
	if (st)
		sqlite3_reset(st);
	return office;
}

int store_station_identity(struct store *s, char *uid, size_t uid_n, char *code,
			   size_t code_n, char *name, size_t name_n)
{
	int rc = store_meta_get(s, "station_uid", uid, uid_n);

	if (rc == 0)
		rc = store_meta_get(s, "station_code", code, code_n);
	if (rc == 0)
		rc = store_meta_get(s, "station_name", name, name_n);
	return rc;
}

/* Cursors over a diary. */

struct store_cursor {
	struct store *s;
	sqlite3_stmt *st;
};

static char *diary_sql(const struct export_diary *d, const char *head)
{
	size_t n = strlen(d->from) + strlen(d->order) + 32;
	char *sql, *at;

	if (head) {
		n += strlen(head);
	} else {
		for (int i = 0; i < d->n_cols; i++)
			n += strlen(d->cols[i].sql) + 2;
	}
	sql = malloc(n);
	if (!sql)
		return NULL;
	at = sql + sprintf(sql, "SELECT ");
	if (head) {
		at += sprintf(at, "%s", head);
	} else {
		for (int i = 0; i < d->n_cols; i++)
			at += sprintf(at, "%s%s", i ? ", " : "", d->cols[i].sql);
	}
	sprintf(at, " %s %s", d->from, head ? "" : d->order);
	return sql;
}

static void bind_params(sqlite3_stmt *st, const struct export_params *p)
{
	int n = sqlite3_bind_parameter_count(st);

	if (n >= 1)
		sqlite3_bind_text(st, 1, p->code ? p->code : "", -1, SQLITE_STATIC);
	if (n >= 2)
		sqlite3_bind_int64(st, 2, p->utc_offset);
}

int store_cursor_open(struct store *s, const struct export_diary *d,
		      const struct export_params *p, struct store_cursor **out)
{
	struct store_cursor *c = calloc(1, sizeof(*c));
	char *sql = diary_sql(d, NULL);
	int rc;

	*out = NULL;
	if (!c || !sql) {
		free(c);
		free(sql);
		return STORE_ERR;
	}
	c->s = s;
	rc = sqlite3_prepare_v2(s->db, sql, -1, &c->st, NULL);
	free(sql);
	if (rc != SQLITE_OK) {
		rc = store_fail(s, rc);
		free(c);
		return rc;
	}
	bind_params(c->st, p);
	*out = c;
	return 0;
}

int store_cursor_next(struct store_cursor *c)
{
	int rc = sqlite3_step(c->st);

	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(c->s, rc);
}

bool store_cursor_null(struct store_cursor *c, int col)
{
	return sqlite3_column_type(c->st, col) == SQLITE_NULL;
}

int64_t store_cursor_int(struct store_cursor *c, int col)
{
	return sqlite3_column_int64(c->st, col);
}

double store_cursor_real(struct store_cursor *c, int col)
{
	return sqlite3_column_double(c->st, col);
}

const char *store_cursor_text(struct store_cursor *c, int col)
{
	const char *t = (const char *)sqlite3_column_text(c->st, col);

	return t ? t : "";
}

void store_cursor_close(struct store_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->st);
	free(c);
}

int store_export_count(struct store *s, const struct export_diary *d,
		       const struct export_params *p, int64_t *n)
{
	char *sql = d->count ? NULL : diary_sql(d, "count(*)");
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if (!d->count && !sql)
		return STORE_ERR;
	rc = sqlite3_prepare_v2(s->db, d->count ? d->count : sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return store_fail(s, rc);
	bind_params(st, p);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc);
}

/* The snapshot, span and size. */

int store_snapshot_begin(struct store *s)
{
	/* The export reads each page once: a small cache keeps the station
	 * within its memory while it copies. */
	int rc = sqlite3_exec(s->db, "PRAGMA cache_size = -256; BEGIN; SELECT count(*) FROM sqlite_schema;",
			      NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc);
}

void store_snapshot_end(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

static int two_ints(struct store *s, const char *sql, int64_t *a, int64_t *b)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	*a = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (b)
		*b = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc);
}

static const char SQL_SPAN[] =
	"SELECT coalesce(min(a), 0), coalesce(max(b), 0) FROM ("
	" SELECT min(t) AS a, (SELECT last FROM readings_packed ORDER BY t DESC LIMIT 1) AS b"
	" FROM readings_packed"
	" UNION ALL SELECT min(started), max(max(started, coalesce(ended, 0))) FROM pump_runs"
	" UNION ALL SELECT min(entered_at), max(entered_at) FROM records"
	" UNION ALL SELECT min(t), max(t) FROM events)";
static const char SQL_SIZE[] =
	"SELECT page_count * page_size FROM pragma_page_count, pragma_page_size";

int store_export_span(struct store *s, int64_t *from, int64_t *to)
{
	return two_ints(s, SQL_SPAN, from, to);
}

int store_size(struct store *s, int64_t *bytes)
{
	return two_ints(s, SQL_SIZE, bytes, NULL);
}

/* The online backup. */

struct store_backup {
	struct store *src;
	sqlite3 *dest;
	sqlite3_backup *b;
	bool no_secrets;
	bool on_card;		/* dest is on the station's own card */
	struct store_blank *blank;	/* the hash's bytes, blanked */
	struct store_delta *delta;	/* a copy over an earlier one: its pages */
	long long written, same;	/* its counts, once finished */
	int sys_errno;
};

/* The manager PIN's rows in meta (src/pin.c writes them): the hash, and
 * the count of wrong tries and the lock-out that go with it. */
static const char SQL_PIN_HASH[] = "SELECT value FROM meta WHERE key = 'manager_pin'";
static const char SQL_NO_SECRETS[] =
	"PRAGMA secure_delete = ON;"
	"DELETE FROM meta WHERE key IN ('manager_pin', 'manager_pin_failures',"
	" 'manager_pin_locked_until')";

static int backup_fail(struct store_backup *b, int rc)
{
	/* The card refused the copy: the station's store says so. */
	if (b->on_card && ((rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR))
		store_fail(b->src, rc);
	b->sys_errno = sqlite3_system_errno(b->dest);
	if (!b->sys_errno) {
		switch (rc & 0xff) {
		case SQLITE_FULL:
			b->sys_errno = ENOSPC;
			break;
		case SQLITE_READONLY:
		case SQLITE_PERM:
			b->sys_errno = EROFS;
			break;
		case SQLITE_IOERR:
			b->sys_errno = EIO;
			break;
		default:
			b->sys_errno = 0;
		}
	}
	snprintf(b->src->error, sizeof(b->src->error), "%s", sqlite3_errmsg(b->dest));
	return STORE_ERR;
}

/* The database's page size in bytes, or STORE_ERR. */
static int page_size(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, "PRAGMA page_size");
	int rc, size;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	size = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? size : store_fail(s, rc);
}

static int backup_begin(struct store *s, const char *dest, unsigned flags,
			struct store_delta *delta, struct store_backup **out)
{
	struct store_backup *b = calloc(1, sizeof(*b));
	char hash[512] = "";
	int rc;

	*out = NULL;
	if (!b) {
		store_delta_free(delta);
		return STORE_ERR;
	}
	b->src = s;
	b->delta = delta;
	b->on_card = flags & STORE_BACKUP_ON_CARD;
	/* The hash as the copy will hold it: read in the same snapshot. */
	if (flags & STORE_BACKUP_NO_SECRETS) {
		sqlite3_stmt *st = store_stmt(s, SQL_PIN_HASH);

		if (!st) {
			store_backup_free(b);
			return STORE_ERR;
		}
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(hash, sizeof(hash), "%s", sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			store_backup_free(b);
			return store_fail(s, rc);
		}
		b->no_secrets = true;
	}
	if (hash[0] || (flags & STORE_BACKUP_OVER_OLD) || delta) {
		b->blank = store_blank_new(hash, flags & STORE_BACKUP_OVER_OLD, delta);
		explicit_bzero(hash, sizeof(hash));
		/* Never a copy for a stick with the hash in it. */
		if (!b->blank) {
			snprintf(s->error, sizeof(s->error), "%s", strerror(ENOMEM));
			store_backup_free(b);
			return STORE_ERR;
		}
	}
	rc = sqlite3_open_v2(dest, &b->dest,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXRESCODE |
				     SQLITE_OPEN_NOFOLLOW,
			     b->blank ? store_blank_name(b->blank) : NULL);
	/* The export syncs the file itself, when it is whole. The copy is
	 * this connection's alone: no shared memory is needed for it, not
	 * even to read an older copy cut short with the header of a
	 * write-ahead log (exclusive first, then no journal). */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(b->dest, "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = OFF;"
				  " PRAGMA synchronous = OFF; PRAGMA cache_size = -256",
				  NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		b->b = sqlite3_backup_init(b->dest, "main", s->db, "main");
		if (!b->b)
			rc = sqlite3_errcode(b->dest);
	}
	if (rc != SQLITE_OK) {
		rc = b->dest ? backup_fail(b, rc) : STORE_ERR;
		store_backup_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

int store_backup_begin(struct store *s, const char *dest, unsigned flags,
		       struct store_backup **out)
{
	return backup_begin(s, dest, flags, NULL, out);
}

int store_backup_begin_delta(struct store *s, const char *dest, int delta_fd, int base_fd,
			     int64_t base_bytes, struct store_backup **out)
{
	int page = page_size(s);
	struct store_delta *d;
	uint8_t head[18];

	*out = NULL;
	if (page < 0)
		return STORE_ERR;
	/* The base's page size, from its header (1 stands for 65536). */
	if (pread(base_fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
	    (head[16] << 8 | head[17]) != (page == 65536 ? 1 : page)) {
		snprintf(s->error, sizeof(s->error), "%s", strerror(EINVAL));
		return STORE_ERR;
	}
	d = store_delta_new(delta_fd, base_fd, base_bytes, page);
	if (!d) {
		snprintf(s->error, sizeof(s->error), "%s", strerror(ENOMEM));
		return STORE_ERR;
	}
	return backup_begin(s, dest, STORE_BACKUP_NO_SECRETS, d, out);
}

int store_backup_step(struct store_backup *b, int pages)
{
	int rc = sqlite3_backup_step(b->b, pages);

	if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	/* The copy reads the station's own card: a read it refuses is the
	 * card failing, whatever the copy is written to. */
	if (rc == SQLITE_IOERR_READ && !b->on_card)
		store_fail(b->src, rc);
	return backup_fail(b, rc);
}

void store_backup_writes(const struct store_backup *b, long long *written, long long *same)
{
	if (b->blank) {
		store_blank_counts(b->blank, written, same);
	} else {
		*written = b->written;
		*same = b->same;
	}
}

void store_backup_progress(const struct store_backup *b, int *done, int *total)
{
	*total = sqlite3_backup_pagecount(b->b);
	*done = *total - sqlite3_backup_remaining(b->b);
}

int store_backup_finish(struct store_backup *b)
{
	int rc = sqlite3_backup_finish(b->b);

	b->b = NULL;
	/* The source is in WAL mode, and so is the copy's header now: it must
	 * open without a -wal, in rollback-journal mode. (To DELETE, in
	 * exclusive locking mode, would leave a -journal behind.) */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(b->dest, "PRAGMA journal_mode = OFF", NULL, NULL, NULL);
	/* The rows go, their bytes zeroed, with no journal to keep them. */
	if (rc == SQLITE_OK && b->no_secrets)
		rc = sqlite3_exec(b->dest, SQL_NO_SECRETS, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return backup_fail(b, rc);
	rc = sqlite3_close(b->dest);
	b->dest = NULL;
	if (rc == SQLITE_OK && b->delta && (b->sys_errno = -store_delta_finish(b->delta)) != 0)
		return STORE_ERR;
	store_blank_counts(b->blank, &b->written, &b->same);
	store_blank_free(b->blank);
	b->blank = NULL;
	return rc == SQLITE_OK ? 0 : STORE_ERR;
}

int store_backup_errno(const struct store_backup *b)
{
	return b->sys_errno;
}

void store_backup_free(struct store_backup *b)
{
	if (!b)
		return;
	if (b->b)
		sqlite3_backup_finish(b->b);
	sqlite3_close(b->dest);
	store_blank_free(b->blank);
	store_delta_free(b->delta);
	free(b);
}
