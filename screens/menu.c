/* Numbered menus of screens. */
#include "menu.h"

#include "keys.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

void menu_draw(struct ui *ui, const struct menu_item *items, int n, int selected)
{
	int y = ui_top(ui);

	for (int i = 0; i < n && y <= ui_bottom(ui); i++)
		widget_menu_item(y++, i + 1, _(items[i].label), i == selected);
}

int menu_key(const struct menu_item *items, int n, int *selected, int key)
{
	if (key >= '1' && key < '1' + n)
		return ACT_TO(items[key - '1'].screen);
	switch (key) {
	case K_UP:
		*selected = (*selected + n - 1) % n;
		return ACT_REDRAW;
	case K_DOWN:
		*selected = (*selected + 1) % n;
		return ACT_REDRAW;
	case K_ENTER:
	case K_RIGHT:
		return ACT_TO(items[*selected].screen);
	default:
		return ACT_PASS;
	}
}
