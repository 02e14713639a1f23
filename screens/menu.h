/* A numbered menu of screens, as the record menus use: 1-9 open an entry,
 * arrows and Enter too. */
#ifndef FS_MENU_H
#define FS_MENU_H

#include "screen.h"

struct ui;

struct menu_item {
	const char *label;	/* msgid */
	enum screen_id screen;
};

void menu_draw(struct ui *ui, const struct menu_item *items, int n, int selected);
/* ACT_ flags for key. */
int menu_key(const struct menu_item *items, int n, int *selected, int key);

#endif
