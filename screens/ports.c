/* Serial ports, for a technician without a keyboard: the ports the board
 * has, with their USB maker, product and serial number, and which sensors
 * each carries. A port's number shows it whole; Enter then reads one of
 * the configuration's ports through this adapter from now on (kept in the
 * database; picking the configured adapter again goes back to it). */
#include "screen.h"

#include "app.h"
#include "config.h"
#include "keys.h"
#include "readings.h"
#include "serial.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PORTS 16
#define MAX_SENSORS 64

enum mode { LIST, DETAIL, ASSIGN, CONFIRM };

struct ports {
	enum mode mode;
	struct serial_port_info found[MAX_PORTS];
	int n;
	int page, chosen, bus;
};

static void scan(struct ports *s)
{
	s->n = serial_list(s->found, MAX_PORTS);
	if (s->n < 0)
		s->n = 0;
}

static void ports_enter(struct ui *ui, void *st)
{
	(void)ui;
	scan(st);
}

/* Do two names lead to the same device? */
static bool same_device(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	return realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

/* The IDs of the sensors read through bus k, as "soil1, soil2". */
static void bus_sensors(struct app *app, int k, char *buf, size_t n)
{
	int who[MAX_SENSORS], m = 0;
	size_t len = 0;

	buf[0] = '\0';
	readings_port(app->readings, k, NULL, who, &m);
	for (int i = 0; i < m && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "",
					app->cfg->sensors[who[i]].item.id);
}

/* The sensors read through a port found on the board, or "". */
static void port_sensors(struct app *app, const char *name, char *buf, size_t n)
{
	const char *path;

	buf[0] = '\0';
	for (int k = 0; k < readings_ports(app->readings); k++) {
		readings_port(app->readings, k, &path, NULL, NULL);
		if (same_device(path, name)) {
			bus_sensors(app, k, buf, n);
			return;
		}
	}
}

static void usb_words(const struct serial_port_info *p, char *buf, size_t n)
{
	if (p->usb_vid < 0)
		snprintf(buf, n, "%s", p->description);
	else
		snprintf(buf, n, "%s %04x:%04x", p->product[0] ? p->product : p->description,
			 p->usb_vid, p->usb_pid);
}

/* Each port found with its adapter and the sensors it carries. */
static void port_labels(struct ui *ui, const struct ports *s, char text[][160],
			const char **labels)
{
	char usb[96], who[128];

	for (int i = 0; i < s->n; i++) {
		usb_words(&s->found[i], usb, sizeof(usb));
		port_sensors(ui_app(ui), s->found[i].name, who, sizeof(who));
		snprintf(text[i], 160, who[0] ? "%s %s: %s" : "%s %s", s->found[i].name, usb, who);
		labels[i] = text[i];
	}
}

static void draw_list(struct ui *ui, struct ports *s)
{
	static char text[MAX_PORTS][160];
	const char *labels[MAX_PORTS];
	int y = ui_top(ui);

	scan(s);
	if (s->n == 0) {
		widget_wrap(y, 1, COLS - 2, 4, TONE_DRY,
			    _("No serial port found. Plug in the USB adapter and wait a few seconds."),
			    true);
		return;
	}
	port_labels(ui, s, text, labels);
	widget_pick(y, ui_bottom(ui), labels, s->n, s->page, -1);
}

static int wrap(int y, enum tone tone, const char *text)
{
	return widget_wrap(y, 1, COLS - 2, 3, tone, text, true);
}

static void draw_detail(struct ui *ui, struct ports *s)
{
	const struct serial_port_info *p = &s->found[s->chosen];
	char text[320], who[128];
	int y = ui_top(ui);

	attron(A_BOLD);
	y += wrap(y, TONE_NORMAL, p->name);
	attroff(A_BOLD);
	if (p->usb_vid >= 0) {
		snprintf(text, sizeof(text), _("USB %04x:%04x, serial number %s"), p->usb_vid,
			 p->usb_pid, p->serial[0] ? p->serial : "-");
		y += wrap(y, TONE_NORMAL, text);
		snprintf(text, sizeof(text), _("Made by %s: %s"), p->manufacturer[0] ? p->manufacturer : "?",
			 p->product[0] ? p->product : p->description);
		y += wrap(y, TONE_NORMAL, text);
	} else {
		y += wrap(y, TONE_NORMAL, p->description);
	}
	if (p->by_id[0]) {
		snprintf(text, sizeof(text), _("Always: %s"), p->by_id);
		y += wrap(y, TONE_NORMAL, text);
	}
	port_sensors(ui_app(ui), p->name, who, sizeof(who));
	if (who[0])
		snprintf(text, sizeof(text), _("Reads: %s"), who);
	else
		snprintf(text, sizeof(text), "%s", _("No sensor is read through it."));
	y += wrap(y, who[0] ? TONE_GOOD : TONE_NORMAL, text);
	if (readings_ports(ui_app(ui)->readings) > 0)
		wrap(y + 1, TONE_NORMAL, _("Enter: read sensors through this adapter"));
}

static void draw_assign(struct ui *ui)
{
	struct app *app = ui_app(ui);
	static char text[MAX_SENSORS][200];
	const char *labels[MAX_SENSORS];
	int n = readings_ports(app->readings), y = ui_top(ui);
	char who[128];

	widget_text(y, 1, COLS - 2, TONE_NORMAL, _("Which sensors?"));
	for (int k = 0; k < n && k < MAX_SENSORS; k++) {
		const char *path;
		const char *port = readings_port(app->readings, k, &path, NULL, NULL);

		bus_sensors(app, k, who, sizeof(who));
		snprintf(text[k], sizeof(text[k]), "%s (%s)", who,
			 strcmp(path, port) == 0 ? port : path);
		labels[k] = text[k];
	}
	widget_pick(y + 1, ui_bottom(ui), labels, n < MAX_SENSORS ? n : MAX_SENSORS, 0, -1);
}

/* What to keep: the adapter's stable link if it has one. */
static const char *chosen_path(const struct ports *s)
{
	const struct serial_port_info *p = &s->found[s->chosen];

	return p->by_id[0] ? p->by_id : p->name;
}

static void ports_draw(struct ui *ui, void *st)
{
	struct ports *s = st;
	char q[400], who[128];

	switch (s->mode) {
	case LIST:
		draw_list(ui, s);
		break;
	case DETAIL:
		draw_detail(ui, s);
		break;
	case ASSIGN:
		draw_assign(ui);
		break;
	case CONFIRM:
		bus_sensors(ui_app(ui), s->bus, who, sizeof(who));
		snprintf(q, sizeof(q), _("Read %s through %s from now on?"), who, chosen_path(s));
		widget_confirm(ui_top(ui), ui_bottom(ui), q);
		break;
	}
}

static int ports_key(struct ui *ui, void *st, int key)
{
	struct ports *s = st;
	struct app *app = ui_app(ui);
	static char text[MAX_PORTS][160];
	const char *labels[MAX_PORTS];
	int per, pages;
	bool back = key == '0' || key == K_BACK || key == K_LEFT;
	char why[256], who[128];

	port_labels(ui, s, text, labels);
	per = widget_pick_per_page(ui_top(ui), ui_bottom(ui), labels, s->n);
	pages = s->n ? (s->n + per - 1) / per : 1;
	switch (s->mode) {
	case LIST:
		if (key >= '1' && key <= '9' && key - '1' < per && s->page * per + key - '1' < s->n) {
			s->chosen = s->page * per + key - '1';
			s->mode = DETAIL;
			return ACT_REDRAW;
		}
		if (key == '+' || key == '-') {
			s->page = (s->page + (key == '+' ? 1 : pages - 1)) % pages;
			return ACT_REDRAW;
		}
		return ACT_PASS;
	case DETAIL:
		if (back)
			s->mode = LIST;
		else if (key == K_ENTER && readings_ports(app->readings) > 0)
			s->mode = ASSIGN;
		return ACT_REDRAW;
	case ASSIGN:
		if (back) {
			s->mode = DETAIL;
		} else if (key >= '1' && key <= '9' && key - '1' < readings_ports(app->readings)) {
			s->bus = key - '1';
			s->mode = CONFIRM;
		}
		return ACT_REDRAW;
	case CONFIRM:
		if (back) {
			ui_say(ui, "%s", _("Cancelled: nothing was changed."));
			s->mode = DETAIL;
			return ACT_REDRAW;
		}
		if (key != K_ENTER)
			return ACT_NONE;
		bus_sensors(app, s->bus, who, sizeof(who));
		/* The configured adapter again is the configuration again. */
		const char *port = readings_port(app->readings, s->bus, NULL, NULL, NULL);
		const char *path = same_device(port, s->found[s->chosen].name) ? NULL : chosen_path(s);
		if (readings_choose_port(app->readings, s->bus, path, why, sizeof(why)) < 0)
			ui_alert(ui, "%s", why);
		else
			ui_say(ui, _("%s are read through %s from now on."), who,
			       path ? path : port);
		s->mode = LIST;
		return ACT_REDRAW;
	}
	return ACT_PASS;
}

static const char *const ports_help[] = {
	N_("1-9: all about that port"),
	N_("Enter on a port: read sensors through it"),
	NULL,
};

const struct screen screen_ports = {
	.title = N_("Serial ports"),
	.state_size = sizeof(struct ports),
	.enter = ports_enter,
	.draw = ports_draw,
	.key = ports_key,
	.help = ports_help,
};
