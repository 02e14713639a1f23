/* Fertilizing and spraying: log one, or read their books. */
#include "menu.h"

#include "text.h"

static const struct menu_item items[] = {
	{ N_("Log fertilizing"), SCREEN_FERTILIZE_NEW },
	{ N_("Log spraying"), SCREEN_SPRAY_NEW },
	{ N_("Fertilizing book"), SCREEN_FERTILIZE_LOG },
	{ N_("Spraying book"), SCREEN_SPRAY_LOG },
	{ N_("Tanks"), SCREEN_TANKS },
};

#define N_ITEMS ((int)(sizeof(items) / sizeof(items[0])))

struct fieldwork {
	int selected;
};

static void fieldwork_draw(struct ui *ui, void *st)
{
	menu_draw(ui, items, N_ITEMS, ((struct fieldwork *)st)->selected);
}

static int fieldwork_key(struct ui *ui, void *st, int key)
{
	(void)ui;
	return menu_key(items, N_ITEMS, &((struct fieldwork *)st)->selected, key);
}

static const char *const fieldwork_help[] = {
	N_("1, 2: log what was done today"),
	N_("3, 4: the books, newest first"),
	N_("5: the tanks injectors draw from"),
	NULL,
};

const struct screen screen_fertilize = {
	.title = N_("Fertilizing, spraying"),
	.state_size = sizeof(struct fieldwork),
	.draw = fieldwork_draw,
	.key = fieldwork_key,
	.help = fieldwork_help,
};
