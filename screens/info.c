/* About this station: what a technician reads out on the telephone. */
#include "screen.h"

#include "app.h"
#include "config.h"
#include "store.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>

static void info_draw(struct ui *ui, void *st)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	char line[320];
	int y = ui_top(ui), w = COLS - 2;

	(void)st;
	snprintf(line, sizeof(line), _("Station: %s (%s)"), cfg->station.name, cfg->station.code);
	y += widget_wrap(y, 1, w, 2, TONE_NORMAL, line, true);
	snprintf(line, sizeof(line), _("Program: fieldstation %s"), VERSION);
	widget_text(y++, 1, w, TONE_NORMAL, line);
	snprintf(line, sizeof(line), _("Configuration: %s"), cfg->path);
	y += widget_wrap(y, 1, w, 2, TONE_NORMAL, line, true);
	snprintf(line, sizeof(line), _("Database: %s (schema %d)"), app->db_path,
		 store_schema_version(app->store));
	y += widget_wrap(y, 1, w, 2, TONE_NORMAL, line, true);
	snprintf(line, sizeof(line), _("%d zones, %d sensors, %d pumps"), cfg->n_zones,
		 cfg->n_sensors, cfg->n_pumps);
	widget_text(y, 1, w, TONE_NORMAL, line);
}

static int info_key(struct ui *ui, void *st, int key)
{
	(void)ui;
	(void)st;
	(void)key;
	return ACT_PASS;
}

const struct screen screen_info = {
	.title = N_("About this station"),
	.draw = info_draw,
	.key = info_key,
};
