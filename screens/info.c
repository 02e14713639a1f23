/* About this station: what a technician reads out on the telephone. */
#include "screen.h"

#include "app.h"
#include "config.h"
#include "keys.h"
#include "signing.h"
#include "store.h"
#include "text.h"
#include "ui.h"
#include "uplink.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>

#define INFO_LINES 9

struct info {
	int page;
};

static void info_draw(struct ui *ui, void *st)
{
	struct info *s = st;
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	char lines[INFO_LINES][400];
	const char *text[INFO_LINES];
	enum tone tones[INFO_LINES];
	int n = 0;

#define LINE(tone, ...) do { tones[n] = (tone); snprintf(lines[n], sizeof(lines[n]), __VA_ARGS__); n++; } while (0)
	LINE(TONE_NORMAL, _("Station: %s (%s)"), cfg->station.name, cfg->station.code);
	/* What the office compares before it trusts this station's copies;
	 * the whole story of a key gone wrong is for a technician's
	 * `fieldstation check`. */
	if (app->key && app->key->ok)
		LINE(app->key->other_board ? TONE_ALARM : TONE_GOOD, _("Key fingerprint: %s"),
		     app->key->fingerprint);
	if (app->key && !app->key->ok)
		LINE(TONE_ALARM, "%s", _("Signing key: cannot be used (fieldstation check says why)."));
	else if (app->key && app->key->other_board)
		LINE(TONE_ALARM, "%s", _("Signing key made on another board: this card may be a copy."));
	/* The office link, when there is one: when the office last had
	 * everything, or how much waits. Nothing for the farmer to do. */
	if (app->uplink) {
		char link[300];

		uplink_says(app->uplink, link, sizeof(link));
		if (link[0])
			LINE(TONE_NORMAL, "%s", link);
	}
	LINE(TONE_NORMAL, _("Program: fieldstation %s"), VERSION);
	LINE(TONE_NORMAL, _("Configuration: %s"), cfg->path);
	LINE(TONE_NORMAL, _("Database: %s (schema %d)"), app->db_path,
	     store_schema_version(app->store));
	LINE(TONE_NORMAL, _("%d zones, %d sensors, %d pumps"), cfg->n_zones, cfg->n_sensors,
	     cfg->n_pumps);
#undef LINE
	for (int i = 0; i < n; i++)
		text[i] = lines[i];
	/* Paths and fingerprints are long: they wrap, a page at a time if
	 * need be. */
	widget_pages(ui_top(ui), ui_bottom(ui), text, tones, n, &s->page);
}

static int info_key(struct ui *ui, void *st, int key)
{
	struct info *s = st;

	(void)ui;
	if (key == '+' || key == K_DOWN || key == '-' || key == K_UP) {
		s->page += key == '+' || key == K_DOWN ? 1 : -1;
		return ACT_REDRAW;
	}
	return ACT_PASS;
}

const struct screen screen_info = {
	.title = N_("About this station"),
	.state_size = sizeof(struct info),
	.draw = info_draw,
	.key = info_key,
};
