/* Harvests: log one and get its lot code, read the book, trace a lot. */
#include "menu.h"

#include "text.h"

static const struct menu_item items[] = {
	{ N_("Log a harvest"), SCREEN_HARVEST_NEW },
	{ N_("Harvest book"), SCREEN_HARVEST_LOG },
	{ N_("Trace a lot"), SCREEN_TRACE },
};

#define N_ITEMS ((int)(sizeof(items) / sizeof(items[0])))

struct harvest {
	int selected;
};

static void harvest_draw(struct ui *ui, void *st)
{
	menu_draw(ui, items, N_ITEMS, ((struct harvest *)st)->selected);
}

static int harvest_key(struct ui *ui, void *st, int key)
{
	(void)ui;
	return menu_key(items, N_ITEMS, &((struct harvest *)st)->selected, key);
}

static const char *const harvest_help[] = {
	N_("1: log a harvest; it gets a lot code"),
	N_("3: what was done before a lot"),
	NULL,
};

const struct screen screen_harvest = {
	.title = N_("Harvest"),
	.state_size = sizeof(struct harvest),
	.draw = harvest_draw,
	.key = harvest_key,
	.help = harvest_help,
};
