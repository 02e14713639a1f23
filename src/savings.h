/* What watering saved, in the farmer's numbers, for a month or a season:
 * runs and the runs nobody had to start, metered water per zone against
 * the same period a year before, kWh and money paid against the same
 * runs at normal and at peak prices, and where a zone is watered by soil
 * moisture, the water and kWh of the schedule it replaced. One
 * computation and one list of figures, which the summary screen shows
 * and the export writes (tiet-kiem.csv and a sheet of the workbook).
 *
 * A season is the south's: the dry season, November to April, when the
 * pumps work, and the rainy season, May to October. */
#ifndef FS_SAVINGS_H
#define FS_SAVINGS_H

#include "config.h"
#include "store.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

struct csv;

enum savings_span { SAVINGS_MONTH, SAVINGS_SEASON };

/* A month or a season, `back` of them before the one of now; the same
 * months a year before, up to the same day and time when the period is
 * not over yet (a month half gone is not set against a whole one). The
 * seasons are the rainy one of the configuration (rainy_from, rainy_to
 * in [station]) and the dry one between, which may differ in length. */
struct savings_period {
	enum savings_span span;
	int back;
	time_t from, to;		/* [from, to) */
	time_t from_before, to_before;
	int first_month, first_year;	/* 1-12 */
	int last_month, last_year;
	bool dry;			/* a season: the dry one */
	bool partial;			/* now is inside it */
};
void savings_period(const struct config *cfg, time_t now, enum savings_span span, int back,
		    struct savings_period *p);
/* "Tháng 06/2026", "Mùa khô 11/2025–04/2026". */
char *savings_period_name(char *buf, size_t n, const struct savings_period *p);

/* Against the schedule moisture replaced: not watered by moisture in
 * the period, no schedule known to set against, or the figures. */
enum savings_compare { CMP_NONE, CMP_NO_OLD, CMP_OLD };

struct savings_zone {
	int zone;			/* in cfg->zones */
	struct zone_total now, before;
	enum savings_compare compare;
	time_t cmp_from;		/* the first moment watered by moisture */
	double old_minutes, old_kwh;
	double old_litres;		/* NAN: no metered run gives the flow */
	struct zone_total moisture;	/* the zone's runs while by moisture */
};

struct savings {
	struct savings_period p;
	struct runs_total t, before;
	double kwh, cost, at_normal, at_peak, saved;
	int n_zones;
	struct savings_zone zones[CFG_MAX_ZONES];
};

/* Adds up the diary for the period. 0, or < 0 when the database cannot
 * be read (store_error() says why): never a period of zeros that is not
 * one. */
int savings_compute(struct store *s, const struct config *cfg, time_t now,
		    enum savings_span span, int back, struct savings *out);

/* One figure, as the screen shows it and the sheet writes it. */
enum savings_unit { UNIT_COUNT, UNIT_HOURS, UNIT_M3, UNIT_KWH, UNIT_MONEY };
enum savings_basis { BASIS_NONE, BASIS_YEAR_BEFORE, BASIS_OLD_SCHEDULE };
struct savings_item {
	int zone;			/* in cfg->zones; -1: the station */
	const char *what;		/* translated */
	enum savings_unit unit;
	double value;			/* NAN: not known, note says why */
	enum savings_basis basis;
	double against;			/* NAN: nothing to set it against */
	int unmetered;			/* runs that measured no water */
	const char *note;		/* translated, or NULL */
};
#define SAVINGS_ITEMS_MAX (8 + CFG_MAX_ZONES * 4)
int savings_items(const struct savings *sv, const struct config *cfg, struct savings_item *out,
		  int max);
/* The value as the sheet holds it: rounded as the screen shows it. */
int savings_decimals(enum savings_unit u);
/* The change against the basis in whole percent; false if none. */
bool savings_change(const struct savings_item *it, int *percent);
/* The screen's line: "Nước: 0,4 m³ (năm trước 2,0 m³, -80 %)". */
char *savings_item_text(char *buf, size_t n, const struct savings_item *it,
			const struct config *cfg);

/* The savings sheet: a header row, then a row per figure of each
 * period (Kỳ; Khu tưới; Mục; Số; Đơn vị; So với; Căn cứ; Thay đổi %;
 * Ghi chú). */
#define SAVINGS_COLUMNS 9
const char *savings_column(int col);
const char *savings_unit_name(enum savings_unit u, const struct config *cfg);
const char *savings_basis_name(enum savings_basis b);
/* The periods the export carries: this month and the one before, this
 * season and the one before. */
#define SAVINGS_EXPORT_PERIODS 4
void savings_export_period(int i, enum savings_span *span, int *back);
/* One figure's cells, as both the CSV file and the workbook write them. */
struct savings_cells {
	const char *zone, *what, *unit, *basis;
	double value, against;		/* NAN: an empty cell */
	int decimals;
	bool has_change;
	int change;
	char note[96];
};
void savings_cells(const struct savings_item *it, const struct config *cfg,
		   struct savings_cells *out);
/* Writes sv's figures; returns how many rows. */
int savings_csv_rows(struct csv *c, const struct savings *sv, const struct config *cfg);
void savings_csv_header(struct csv *c);

#endif
