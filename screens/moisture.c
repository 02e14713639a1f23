/* Soil moisture: each zone's reading in large digits, with its judgement
 * in words and colour (too dry, good, too wet), how old the reading is,
 * and the air. A zone's number opens the zone: its probes one by one and
 * a chart of the last 24 hours, 7 days, 30 days or year (+ and -). */
#include "screen.h"

#include "app.h"
#include "bigtext.h"
#include "chart.h"
#include "chartview.h"
#include "clock.h"
#include "config.h"
#include "keys.h"
#include "readings.h"
#include "records.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CARD_ROWS BIGTEXT_ROWS

enum mode { ZONES, ZONE };

struct moisture {
	enum mode mode;
	int page;
	int zone;
	enum chart_span span;
	struct chart chart;
	int chart_zone;		/* what the chart was made for: zone, span, minute */
	enum chart_span chart_span;
	int64_t chart_minute;
};

static const char *const span_names[CHART_SPANS] = {
	N_("24 hours"), N_("7 days"), N_("30 days"), N_("1 year"),
};

/* Data columns a span is drawn from: an hour, an hour, a day, a day. */
static const int span_points[CHART_SPANS] = { 24, 168, 30, 365 };

/* How a zone's moisture reads against its thresholds. */
static enum tone judge(const struct zone_cfg *z, double m, const char **word)
{
	if (m < z->moisture_low) {
		*word = _("too dry");
		return m < z->moisture_critical ? TONE_ALARM : TONE_DRY;
	}
	if (m > z->moisture_high) {
		*word = _("too wet");
		return TONE_WET;
	}
	*word = _("good");
	return TONE_GOOD;
}

/* What a sensor's trouble is called on screen; NULL when it is read. */
static const char *trouble(enum sensor_status s)
{
	return s == SENSOR_OK ? NULL : readings_status_text(s);
}

/* Why a zone has no value: its probes' trouble. */
static const char *no_value(const struct app *app, int zone)
{
	const struct config *cfg = app->cfg;
	const char *why = _("no reading yet");

	for (int i = 0; i < cfg->n_sensors; i++) {
		const struct sensor_state *st = readings_sensor(app->readings, i);

		if (cfg->sensors[i].zone_index != zone || !config_sensor_is_soil(&cfg->sensors[i]))
			continue;
		if (st->status == SENSOR_LOST)
			return trouble(st->status);
		if (st->status != SENSOR_WAITING && st->status != SENSOR_OK)
			why = trouble(st->status);
		else if (st->status == SENSOR_OK && !st->has[Q_MOISTURE])
			why = _("not calibrated");
	}
	return why;
}

/* The zone's probes that were read but failed at the last poll. */
static int failing(const struct app *app, int zone)
{
	const struct config *cfg = app->cfg;
	int n = 0;

	for (int i = 0; i < cfg->n_sensors; i++) {
		const struct sensor_state *st = readings_sensor(app->readings, i);

		n += cfg->sensors[i].zone_index == zone && config_sensor_is_soil(&cfg->sensors[i]) &&
		     st->status != SENSOR_OK && st->status != SENSOR_WAITING;
	}
	return n;
}

/* Columns a zone's name and words have beside the largest value's digits. */
static int name_width(void)
{
	return COLS - 3 - bigtext_width("100,0") - 2;
}

/* A zone's value (NAN if none), its judgement and its colour. */
static double zone_value(struct app *app, int z, int64_t *t, const char **word, enum tone *tone)
{
	const struct zone_cfg *zc = &app->cfg->zones[z];
	double m = readings_zone_moisture(app->readings, z, t);

	if (isnan(m)) {
		*tone = TONE_ALARM;
		*word = no_value(app, z);
	} else {
		*tone = judge(zc, m, word);
	}
	return m;
}

/* A name that fits beside the digits stands there; a longer one takes
 * the rows above them, the whole width. */
static bool name_above(const char *name, int number)
{
	return widget_item_at(0, 1, name_width(), 2, number, name, false, false) > 1;
}

/* Rows of a zone's card: its name, its judgement, how old the reading is;
 * at least the digits' rows. */
static int card_height(struct ui *ui, int z)
{
	struct app *app = ui_app(ui);
	const char *name = app->cfg->zones[z].name, *word;
	enum tone tone;
	int64_t t;
	int rows = 0, beside;

	if (name_above(name, z % 9 + 1))
		rows = widget_item_at(0, 1, COLS - 2, 3, z % 9 + 1, name, false, false);
	zone_value(app, z, &t, &word, &tone);
	beside = (rows ? 0 : 1) + widget_wrap(0, 3, name_width() - 2, 2, tone, word, false) + 1;
	return rows + (beside > CARD_ROWS ? beside : CARD_ROWS);
}

/* The same for every card, so that they stand in columns. */
static int card_rows(struct ui *ui)
{
	int rows = CARD_ROWS;

	for (int z = 0; z < ui_app(ui)->cfg->n_zones; z++) {
		int r = card_height(ui, z);

		if (r > rows)
			rows = r;
	}
	return rows;
}

static int cards_per_page(struct ui *ui)
{
	int rows = ui_bottom(ui) - ui_top(ui), each = card_rows(ui);	/* the air keeps a row */
	int n = rows / each;

	if (n < ui_app(ui)->cfg->n_zones)
		n = (rows - 1) / each;		/* and the page line another */
	return n < 1 ? 1 : n > 9 ? 9 : n;
}

static int pages(struct ui *ui)
{
	int per = cards_per_page(ui), n = ui_app(ui)->cfg->n_zones;

	return n ? (n + per - 1) / per : 1;
}

/* One zone: name, judgement and age on the left, the value in large
 * digits on the right. */
static void draw_card(struct ui *ui, int y, int number, int z)
{
	struct app *app = ui_app(ui);
	const struct zone_cfg *zc = &app->cfg->zones[z];
	int64_t t;
	const char *word;
	enum tone tone;
	double m = zone_value(app, z, &t, &word, &tone);
	char num[16], line[160], ago[48];
	int bad;
	unsigned attr;

	if (isnan(m))
		snprintf(num, sizeof(num), "--");
	else
		text_number(num, sizeof(num), m, 1);
	attron(A_BOLD);
	if (name_above(zc->name, number))
		y += widget_item_at(y, 1, COLS - 2, 3, number, zc->name, false, true);
	else
		widget_item_at(y++, 1, name_width(), 1, number, zc->name, false, true);
	attroff(A_BOLD);
	attr = widget_tone_attr(tone);
	attron(attr);
	bigtext_draw(y - (name_above(zc->name, number) ? 0 : 1), COLS - 3 - bigtext_width(num), num);
	attroff(attr);
	if (!isnan(m))
		widget_text(y - (name_above(zc->name, number) ? 0 : 1), COLS - 2, 1, tone, "%");
	y += widget_wrap(y, 3, name_width() - 2, 2, tone, word, true);
	if (isnan(m))
		return;
	bad = failing(app, z);
	if (bad) {
		snprintf(line, sizeof(line), ngettext("%d sensor not read", "%d sensors not read",
						      (unsigned long)bad), bad);
		widget_text(y, 3, name_width() - 2, TONE_ALARM, line);
	} else {
		text_ago(ago, sizeof(ago), (int64_t)clock_now(app->clock) - t);
		widget_text(y, 3, name_width() - 2, TONE_NORMAL, ago);
	}
}

static void draw_air(struct ui *ui, int y)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	double temp, rh;
	char line[128], a[16], b[16];
	bool any = false;

	if (readings_air(app->readings, &temp, &rh, NULL)) {
		snprintf(line, sizeof(line), _("Air: %s °C, humidity %s%%"),
			 text_number(a, sizeof(a), temp, 1), text_number(b, sizeof(b), rh, 0));
		widget_text(y, 1, COLS - 2, TONE_NORMAL, line);
		return;
	}
	for (int i = 0; i < cfg->n_sensors; i++)
		any |= config_sensor_is_air(&cfg->sensors[i]);
	if (!any)
		return;
	snprintf(line, sizeof(line), _("Air: %s"), _("Sensor not answering"));
	widget_text(y, 1, COLS - 2, TONE_ALARM, line);
}

static void draw_zones(struct ui *ui, struct moisture *s)
{
	const struct config *cfg = ui_app(ui)->cfg;
	int per = cards_per_page(ui), y = ui_top(ui), first = s->page * per;
	int shown = cfg->n_zones - first < per ? cfg->n_zones - first : per;
	/* A blank row between the zones where the screen has room. */
	int rows = card_rows(ui);
	int room = ui_bottom(ui) - ui_top(ui) - (pages(ui) > 1);
	int step = shown * (rows + 1) <= room ? rows + 1 : rows;
	char line[96];

	if (cfg->n_zones == 0)
		widget_text(y, 1, COLS - 2, TONE_NORMAL, _("No zones are configured."));
	for (int k = 0; k < shown; k++)
		draw_card(ui, y + k * step, k + 1, first + k);
	draw_air(ui, ui_bottom(ui));
	if (pages(ui) > 1) {
		snprintf(line, sizeof(line), _("+/-: page %d of %d"), s->page + 1, pages(ui));
		widget_text(ui_bottom(ui) - 1, COLS - 1 - text_width(line), text_width(line),
			    TONE_GOOD, line);
	}
}

/* A probe on one line: its values, or its trouble. */
static void sensor_line(const struct app *app, int i, char *line, size_t n, enum tone *tone)
{
	const struct sensor_state *st = readings_sensor(app->readings, i);
	static const enum quantity shown[] = { Q_MOISTURE, Q_SOIL_TEMP, Q_EC, Q_PH };
	size_t len;
	char v[24];

	/* The zone is the screen's: its probes by their number. */
	len = (size_t)snprintf(line, n, _("Probe %d:"), i + 1);
	*tone = TONE_NORMAL;
	if (st->status != SENSOR_OK) {
		snprintf(line + len, n - len, " %s", trouble(st->status));
		*tone = st->status == SENSOR_WAITING ? TONE_NORMAL : TONE_ALARM;
		return;
	}
	if (!st->has[Q_MOISTURE] && st->has[Q_RAW]) {
		snprintf(line + len, n - len, " %s %s, %s", _("count"),
			 text_number(v, sizeof(v), st->value[Q_RAW], 0), _("not calibrated"));
		*tone = TONE_DRY;
		return;
	}
	for (size_t k = 0; k < sizeof(shown) / sizeof(shown[0]) && len < n; k++) {
		enum quantity q = shown[k];
		size_t was = len;

		if (!st->has[q])
			continue;
		text_number(v, sizeof(v), st->value[q], q == Q_EC ? 0 : 1);
		len += (size_t)snprintf(line + len, n - len, q == Q_PH ? " pH %s" : " %s%s", v,
					q == Q_PH ? "" : sensor_quantity_unit(q));
		/* A narrow screen keeps a probe to its row: moisture and soil
		 * temperature (Settings, Sensors shows all). */
		if (k >= 2 && text_width(line) > COLS - 2) {
			line[was] = '\0';
			break;
		}
	}
}

/* Where the chart starts, in words that fit its span. */
static void start_label(enum chart_span span, time_t from, char *buf, size_t n)
{
	struct tm tm;

	localtime_r(&from, &tm);
	strftime(buf, n, span == CHART_DAY ? "%d/%m %H:%M" : span == CHART_YEAR ? "%m/%Y" : "%d/%m",
		 &tm);
}

static void draw_zone(struct ui *ui, struct moisture *s)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	const struct zone_cfg *zc = &cfg->zones[s->zone];
	int top = ui_top(ui), bottom = ui_bottom(ui), y = top, n_soil = 0, rows, x, last;
	time_t now = clock_now(app->clock);
	double m = readings_zone_moisture(app->readings, s->zone, NULL);
	char line[320], num[16], from[32];
	const char *word;
	enum tone tone;
	struct record_row lost;

	/* The zone: its value and judgement beside its name, or under it
	 * when the name is long. */
	if (isnan(m)) {
		tone = TONE_ALARM;
		snprintf(line, sizeof(line), "%s", no_value(app, s->zone));
	} else {
		tone = judge(zc, m, &word);
		snprintf(line, sizeof(line), "%s%% %s", text_number(num, sizeof(num), m, 1), word);
	}
	x = 2 + text_width(zc->name);
	attron(A_BOLD);
	if (x + text_width(line) <= COLS - 2) {
		widget_text(y, 1, COLS - 2, TONE_NORMAL, zc->name);
		attroff(A_BOLD);
		widget_text(y++, x, COLS - 1 - x, tone, line);
	} else {
		y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL, zc->name, true);
		attroff(A_BOLD);
		widget_text(y++, 1, COLS - 2, tone, line);
	}
	/* An organic zone that a product not organic ended. */
	if (records_has_lost_organic(app->store, cfg, zc->item.id, text_day_of(now), &lost) == 1) {
		snprintf(line, sizeof(line), _("Not organic from %s (record %lld)."),
			 text_day(from, sizeof(from), lost.day), (long long)lost.id);
		y += widget_wrap(y, 1, COLS - 2, 2, TONE_DRY, line, true);
	}

	/* Its probes, as many as leave the chart four rows. */
	for (int i = 0; i < cfg->n_sensors; i++)
		n_soil += cfg->sensors[i].zone_index == s->zone &&
			  config_sensor_is_soil(&cfg->sensors[i]);
	last = bottom - 1 - 4;		/* the chart and its dates below */
	for (int i = 0, shown = 0; i < cfg->n_sensors; i++) {
		int r;

		if (cfg->sensors[i].zone_index != s->zone || !config_sensor_is_soil(&cfg->sensors[i]))
			continue;
		sensor_line(app, i, line, sizeof(line), &tone);
		r = widget_wrap(y, 1, COLS - 2, 2, tone, line, false);
		/* The last row left says how many more there are. */
		if (y + r - 1 > last - (shown + 1 < n_soil)) {
			snprintf(line, sizeof(line), _("and %d more"), n_soil - shown);
			widget_text(y++, 3, COLS - 4, TONE_NORMAL, line);
			break;
		}
		y += widget_wrap(y, 1, COLS - 2, 2, tone, line, true);
		shown++;
	}

	/* The chart, made again when the minute, the zone or the span changes. */
	int64_t minute = clock_now_ms(app->clock) / 60000;
	if (s->chart_minute != minute || s->chart_zone != s->zone || s->chart_span != s->span) {
		int width = COLS - 2 - 3;
		int cols = span_points[s->span] < width ? span_points[s->span] : width;

		chart_zone(app->store, cfg, s->zone, s->span, now, cols, m, &s->chart);
		s->chart_minute = minute;
		s->chart_zone = s->zone;
		s->chart_span = s->span;
	}
	rows = bottom - y;	/* the last row is for the dates */
	if (isnan(s->chart.min))
		widget_text(y + rows / 2, 4, COLS - 5, TONE_NORMAL, _("No readings in this time."));
	else
		chartview_draw(y, 1, rows, COLS - 2, &s->chart, zc->moisture_critical,
			       zc->moisture_low, zc->moisture_high);
	/* Under it: where it starts, its span between the keys that change
	 * it, and now. */
	start_label(s->span, s->chart.from, from, sizeof(from));
	widget_text(bottom, 4, COLS - 5, TONE_NORMAL, from);
	widget_text(bottom, COLS - 1 - text_width(_("now")), text_width(_("now")), TONE_NORMAL,
		    _("now"));
	snprintf(line, sizeof(line), "%s %s %s", s->span > 0 ? "-" : " ", _(span_names[s->span]),
		 s->span + 1 < CHART_SPANS ? "+" : " ");
	x = 4 + text_width(from) + 1;
	x += (COLS - 1 - text_width(_("now")) - 1 - x - text_width(line)) / 2;
	attron(A_REVERSE | A_BOLD);
	widget_text(bottom, x, text_width(line), TONE_NORMAL, line);
	attroff(A_REVERSE | A_BOLD);
}

static void moisture_draw(struct ui *ui, void *st)
{
	struct moisture *s = st;

	if (s->page >= pages(ui))
		s->page = pages(ui) - 1;
	if (s->mode == ZONE)
		draw_zone(ui, s);
	else
		draw_zones(ui, s);
}

static int moisture_key(struct ui *ui, void *st, int key)
{
	struct moisture *s = st;
	int per = cards_per_page(ui), n = ui_app(ui)->cfg->n_zones;

	if (s->mode == ZONE) {
		switch (key) {
		case '+':
		case K_UP:
			if (s->span + 1 < CHART_SPANS)
				s->span++;
			return ACT_REDRAW;
		case '-':
		case K_DOWN:
			if (s->span > 0)
				s->span--;
			return ACT_REDRAW;
		case '0':
		case K_BACK:
		case K_LEFT:
			s->mode = ZONES;
			return ACT_REDRAW;
		default:
			return ACT_NONE;
		}
	}
	if (key >= '1' && key <= '9' && s->page * per + key - '1' < n && key - '1' < per) {
		s->zone = s->page * per + key - '1';
		s->mode = ZONE;
		s->span = CHART_DAY;
		s->chart_minute = -1;
		return ACT_REDRAW;
	}
	switch (key) {
	case '+':
	case K_DOWN:
		s->page = (s->page + 1) % pages(ui);
		return ACT_REDRAW;
	case '-':
	case K_UP:
		s->page = (s->page + pages(ui) - 1) % pages(ui);
		return ACT_REDRAW;
	default:
		return ACT_PASS;
	}
}

static const char *const moisture_help[] = {
	N_("1-9: a zone's probes and its chart"),
	N_("+/-: 24 hours, 7 days, 30 days, 1 year"),
	N_("A zone is the mean of its probes."),
	N_("too dry: below the zone's low mark"),
	N_("too wet: above the zone's high mark"),
	NULL,
};

const struct screen screen_moisture = {
	.title = N_("Soil moisture"),
	.state_size = sizeof(struct moisture),
	.draw = moisture_draw,
	.key = moisture_key,
	.help = moisture_help,
};
