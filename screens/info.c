/* About this station: what a technician reads out on the telephone. */
#include "screen.h"

#include "app.h"
#include "config.h"
#include "signing.h"
#include "store.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>

/* A line of up to two rows, if the screen has room left for it. */
static void put(struct ui *ui, int *y, enum tone tone, const char *text)
{
	int left = ui_bottom(ui) - *y + 1;

	if (left > 0)
		*y += widget_wrap(*y, 1, COLS - 2, left < 2 ? left : 2, tone, text, true);
}

static void info_draw(struct ui *ui, void *st)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	char line[320];
	int y = ui_top(ui);

	(void)st;
	snprintf(line, sizeof(line), _("Station: %s (%s)"), cfg->station.name, cfg->station.code);
	put(ui, &y, TONE_NORMAL, line);
	/* What the office compares before it trusts this station's copies;
	 * the whole story of a key gone wrong is for a technician's
	 * `fieldstation check`. */
	if (app->key && app->key->ok) {
		snprintf(line, sizeof(line), _("Key fingerprint: %s"), app->key->fingerprint);
		put(ui, &y, app->key->other_board ? TONE_ALARM : TONE_GOOD, line);
	}
	if (app->key && !app->key->ok)
		put(ui, &y, TONE_ALARM, _("Signing key: cannot be used (fieldstation check says why)."));
	else if (app->key && app->key->other_board)
		put(ui, &y, TONE_ALARM,
		    _("Signing key made on another board: this card may be a copy."));
	snprintf(line, sizeof(line), _("Program: fieldstation %s"), VERSION);
	put(ui, &y, TONE_NORMAL, line);
	snprintf(line, sizeof(line), _("Configuration: %s"), cfg->path);
	put(ui, &y, TONE_NORMAL, line);
	snprintf(line, sizeof(line), _("Database: %s (schema %d)"), app->db_path,
		 store_schema_version(app->store));
	put(ui, &y, TONE_NORMAL, line);
	snprintf(line, sizeof(line), _("%d zones, %d sensors, %d pumps"), cfg->n_zones,
		 cfg->n_sensors, cfg->n_pumps);
	put(ui, &y, TONE_NORMAL, line);
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
