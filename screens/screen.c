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
	[SCREEN_FERTILIZE_NEW] = &screen_fertilize_new,
	[SCREEN_SPRAY_NEW] = &screen_spray_new,
	[SCREEN_HARVEST_NEW] = &screen_harvest_new,
	[SCREEN_FERTILIZE_LOG] = &screen_fertilize_log,
	[SCREEN_SPRAY_LOG] = &screen_spray_log,
	[SCREEN_HARVEST_LOG] = &screen_harvest_log,
	[SCREEN_TRACE] = &screen_trace,
	[SCREEN_MANAGER_PIN] = &screen_manager_pin,
	[SCREEN_SCHEDULES] = &screen_schedules,
	[SCREEN_DIARY] = &screen_diary,
	[SCREEN_SUMMARY] = &screen_summary,
	[SCREEN_BY_MOISTURE] = &screen_by_moisture,
	[SCREEN_ALARMS] = &screen_alarms,
	[SCREEN_CLOCKSET] = &screen_clockset,
};
