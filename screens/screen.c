/* The table of screens: adding a screen is adding one file and one row. */
#include "screen.h"

const struct screen *const screen_table[SCREEN_COUNT] = {
	[SCREEN_HOME] = &screen_home,
	[SCREEN_MOISTURE] = &screen_moisture,
	[SCREEN_PUMPS] = &screen_pumps,
	[SCREEN_FERTILIZE] = &screen_fertilize,
	[SCREEN_HARVEST] = &screen_harvest,
	[SCREEN_USB] = &screen_usb,
	[SCREEN_SETTINGS] = &screen_settings,
	[SCREEN_INFO] = &screen_info,
};
