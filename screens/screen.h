/* A screen is one file here and one row in screen_table (screen.c). Its key
 * function returns what the screen manager should do; only the manager
 * redraws and switches screens. */
#ifndef FS_SCREEN_H
#define FS_SCREEN_H

#include <stddef.h>

struct ui;

enum screen_id {
	SCREEN_HOME,
	SCREEN_MOISTURE,
	SCREEN_PUMPS,
	SCREEN_FERTILIZE,
	SCREEN_HARVEST,
	SCREEN_USB,
	SCREEN_SETTINGS,
	SCREEN_INFO,
	SCREEN_FERTILIZE_NEW,
	SCREEN_SPRAY_NEW,
	SCREEN_HARVEST_NEW,
	SCREEN_FERTILIZE_LOG,
	SCREEN_SPRAY_LOG,
	SCREEN_HARVEST_LOG,
	SCREEN_TRACE,
	SCREEN_MANAGER_PIN,
	SCREEN_SCHEDULES,
	SCREEN_DIARY,
	SCREEN_SUMMARY,
	SCREEN_BY_MOISTURE,
	SCREEN_ALARMS,
	SCREEN_CLOCKSET,
	SCREEN_SENSORS,
	SCREEN_CALIBRATE,
	SCREEN_PORTS,
	SCREEN_OFFICE,
	SCREEN_TANKS,
	SCREEN_VOICE,
	SCREEN_COUNT
};

/* Key handler results. */
#define ACT_NONE 0x00		/* handled, nothing changed on screen */
#define ACT_REDRAW 0x01
#define ACT_BACK 0x02		/* leave this screen */
#define ACT_HOME 0x04
#define ACT_PASS 0x08		/* not this screen's key: do the default */
#define ACT_GOTO 0x10		/* open ACT_TARGET(): use ACT_TO(id) */
#define ACT_TO(id) (ACT_GOTO | ((id) << 8))
#define ACT_TARGET(a) ((a) >> 8)

/* What the keys of a screen are now (its mode function), for the keys
 * that are the manager's: the key line, the help, and '/'. */
#define MODE_FIELD 0x01		/* a number, time, date or PIN is typed: digits (0
				 * too) type, Backspace deletes one, and goes back
				 * only from an empty field */
#define MODE_UNSAVED 0x02	/* a finished record or schedule is shown, not yet
				 * saved: '/' asks before it is dropped */

struct screen {
	const char *title;		/* msgid */
	size_t state_size;		/* zeroed state given to the functions */
	void (*enter)(struct ui *ui, void *st);		/* may be NULL */
	void (*draw)(struct ui *ui, void *st);
	int (*key)(struct ui *ui, void *st, int key);
	void (*leave)(struct ui *ui, void *st);		/* may be NULL */
	const char *const *help;	/* msgids, one per line, NULL-ended */
	unsigned (*mode)(void *st);	/* MODE_ flags; may be NULL: neither */
	/* A title for what the screen is doing now ("Sửa lịch"), or NULL
	 * for its own; may be NULL. */
	const char *(*title_now)(struct ui *ui, void *st);
};

extern const struct screen *const screen_table[SCREEN_COUNT];

extern const struct screen screen_home;
extern const struct screen screen_moisture;
extern const struct screen screen_pumps;
extern const struct screen screen_fertilize;
extern const struct screen screen_harvest;
extern const struct screen screen_usb;
extern const struct screen screen_settings;
extern const struct screen screen_info;
extern const struct screen screen_fertilize_new;
extern const struct screen screen_spray_new;
extern const struct screen screen_harvest_new;
extern const struct screen screen_fertilize_log;
extern const struct screen screen_spray_log;
extern const struct screen screen_harvest_log;
extern const struct screen screen_trace;
extern const struct screen screen_manager_pin;
extern const struct screen screen_clockset;
extern const struct screen screen_schedules;
extern const struct screen screen_diary;
extern const struct screen screen_summary;
extern const struct screen screen_by_moisture;
extern const struct screen screen_alarms;
extern const struct screen screen_sensors;
extern const struct screen screen_calibrate;
extern const struct screen screen_ports;
extern const struct screen screen_office;
extern const struct screen screen_tanks;
extern const struct screen screen_voice;

#endif
