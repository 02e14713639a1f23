/* Changing the manager's PIN, inside Settings (which the PIN opened). */
#include "screen.h"

#include "app.h"
#include "pin.h"
#include "pinentry.h"
#include "text.h"
#include "ui.h"

static void managerpin_draw(struct ui *ui, void *st)
{
	pinchoose_draw(ui_top(ui), st, _("New PIN (4 to 8 digits):"));
}

static int managerpin_key(struct ui *ui, void *st, int key)
{
	struct pinchoose *c = st;
	char why[160];

	switch (pinchoose_key(c, key)) {
	case NUM_DONE:
		if (pin_set(ui_app(ui)->store, c->first, why, sizeof(why)) != PIN_OK) {
			ui_alert(ui, "%s", why);
			pinchoose_init(c);
			return ACT_REDRAW;
		}
		ui_say(ui, "%s", _("The manager's PIN is changed."));
		return ACT_BACK;
	case NUM_CANCEL:
		return ACT_BACK;
	case NUM_REFUSED:
		ui_alert(ui, "%s", c->e.why);
		return ACT_REDRAW;
	case NUM_EDITED:
		return ACT_REDRAW;
	default:
		return ACT_NONE;
	}
}

static unsigned managerpin_mode(void *st)
{
	(void)st;
	return MODE_FIELD;
}

const struct screen screen_manager_pin = {
	.title = N_("Manager's PIN"),
	.state_size = sizeof(struct pinchoose),
	.draw = managerpin_draw,
	.key = managerpin_key,
	.mode = managerpin_mode,
};
