/* Words for each kind of alarm. Kinds not known here still show, as
 * their kind and source. */
#include "alarms.h"

#include "config.h"
#include "handover.h"
#include "text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *pump_name(const struct config *cfg, const char *id)
{
	int p = config_pump_index(cfg, id);

	return p >= 0 ? cfg->pumps[p].name : id;
}

static const char *zone_name(const struct config *cfg, const char *id)
{
	int z = config_zone_index(cfg, id);

	return z >= 0 ? cfg->zones[z].name : id;
}

/* "p1;32.1;32.4;20": the pump, moisture before and after, minutes. */
static void no_rise(const struct config *cfg, const struct event_row *e, char *buf, size_t n)
{
	char pump[32] = "", a[16], b[16];
	double before = 0, after = 0;
	int minutes = 0;

	if (sscanf(e->detail, "%31[^;];%lf;%lf;%d", pump, &before, &after, &minutes) != 4) {
		snprintf(buf, n, _("%s: soil moisture did not rise while watering."),
			 zone_name(cfg, e->source));
		return;
	}
	snprintf(buf, n,
		 _("%s: soil moisture did not rise in %d minutes of watering (%s%% to %s%%): a clogged nozzle, a burst pipe or no water at the source? %s was stopped; automatic watering of this zone waits until this is acknowledged."),
		 zone_name(cfg, e->source), minutes, text_number(a, sizeof(a), before, 1),
		 text_number(b, sizeof(b), after, 1), pump_name(cfg, pump));
}

/* "flow1;0.00;20": the sensor, its reading and the pump's minimum. */
static void no_water(const struct config *cfg, const struct event_row *e, char *buf, size_t n)
{
	bool flow = strcmp(e->kind, "no_flow") == 0;
	char sensor[32] = "", a[16], b[16];
	double value = 0, min = 0;

	if (sscanf(e->detail, "%31[^;];%lf;%lf", sensor, &value, &min) != 3) {
		snprintf(buf, n, flow ? _("%s: no water is flowing.") : _("%s: no water pressure."),
			 pump_name(cfg, e->source));
		return;
	}
	text_number(a, sizeof(a), value, 1);
	text_number(b, sizeof(b), min, 1);
	if (flow)
		snprintf(buf, n,
			 _("%s: no water is flowing (%s l/min, at least %s expected): a dry source, a burst pipe or a clogged nozzle? The pump was stopped; automatic watering waits until this is acknowledged."),
			 pump_name(cfg, e->source), a, b);
	else
		snprintf(buf, n,
			 _("%s: no water pressure (%s bar, at least %s expected): a dry source or a burst pipe? The pump was stopped; automatic watering waits until this is acknowledged."),
			 pump_name(cfg, e->source), a, b);
}

/* "5;1780290000;1780300000;9000;11.250": how many runs, the first one's
 * start, the last one's end, their seconds and kWh. */
static void runs_lost(const struct event_row *e, char *buf, size_t n)
{
	char from[32], to[32], hours[16], kwh[16];
	long long first = 0, last = 0, seconds = 0;
	double energy = 0;
	int runs = 0;

	if (sscanf(e->detail, "%d;%lld;%lld;%lld;%lf", &runs, &first, &last, &seconds, &energy) != 5) {
		snprintf(buf, n, "%s", _("Pump runs could not be written to the irrigation diary: the memory card was full or failing."));
		return;
	}
	snprintf(buf, n,
		 ngettext("%d pump run from %s to %s is not in the irrigation diary: the memory card was full or failing. It ran %s hours, %s kWh.",
			  "%d pump runs from %s to %s are not in the irrigation diary: the memory card was full or failing. They ran %s hours, %s kWh in all.",
			  (unsigned long)runs),
		 runs, text_date_time(from, sizeof(from), (time_t)first),
		 text_date_time(to, sizeof(to), (time_t)last),
		 text_duration(hours, sizeof(hours), seconds),
		 text_number(kwh, sizeof(kwh), energy, 2));
}

static const char *injector_name(const struct config *cfg, const char *id)
{
	int i = config_injector_index(cfg, id);

	return i >= 0 ? cfg->injectors[i].name : id;
}

/* A pump's or an injector's name: a meter may be in either's line. */
static const char *line_name(const struct config *cfg, const char *id)
{
	return config_pump_index(cfg, id) >= 0 ? pump_name(cfg, id) : injector_name(cfg, id);
}

static const char *tank_name(const struct config *cfg, const char *id)
{
	int t = config_tank_index(cfg, id);

	return t >= 0 ? cfg->tanks[t].name : id;
}

/* "ta;12.500;30.000": the tank, the stock given and the stock planned. */
static void tank_empty(const struct config *cfg, const struct event_row *e, char *buf, size_t n)
{
	char tank[32] = "", a[24], b[24];
	double given = 0, planned = 0;

	if (sscanf(e->detail, "%31[^;];%lf;%lf", tank, &given, &planned) != 3) {
		snprintf(buf, n, _("%s: its tank ran dry while dosing."), injector_name(cfg, e->source));
		return;
	}
	snprintf(buf, n,
		 _("%s ran dry while dosing: %s litres of stock given of %s. The record says what was given; the pipes were still flushed. Refill the tank."),
		 tank_name(cfg, tank), text_number(a, sizeof(a), given, 1),
		 text_number(b, sizeof(b), planned, 1));
}

/* "npk;4.200;8.000;1780290000": the product, the stock given and planned,
 * and when the dose was last known to go on. */
static void dose_cut(const struct config *cfg, const struct event_row *e, char *buf, size_t n)
{
	char product[32] = "", a[24], b[24], when[32];
	double given = 0, planned = 0;
	long long t = 0;
	int k;

	if (sscanf(e->detail, "%31[^;];%lf;%lf;%lld", product, &given, &planned, &t) != 4) {
		snprintf(buf, n, _("%s was dosing when the power failed."),
			 injector_name(cfg, e->source));
		return;
	}
	k = config_product_index(cfg, product);
	snprintf(buf, n,
		 _("The power failed while %s was dosing %s (last seen %s): %s litres of stock given of %s. The record says what was given."),
		 injector_name(cfg, e->source), k >= 0 ? cfg->products[k].name : product,
		 text_date_time(when, sizeof(when), (time_t)t), text_number(a, sizeof(a), given, 1),
		 text_number(b, sizeof(b), planned, 1));
}

static const char *meter_name(const struct config *cfg, const char *id)
{
	int m = config_meter_index(cfg, id);

	return m >= 0 ? cfg->meters[m].name : id;
}

/* "p1;4800;750": whose line the meter is in, the most pulses it sent in
 * one second, and the most that water can give. */
static void meter_noise(const struct config *cfg, const struct event_row *e, char *buf, size_t n)
{
	char owner[32] = "", a[24], b[24];
	double most = 0, cap = 0;

	if (sscanf(e->detail, "%31[^;];%lf;%lf", owner, &most, &cap) != 3) {
		snprintf(buf, n, _("Water meter %s sends noise: it is not counted as water."),
			 meter_name(cfg, e->source));
		return;
	}
	snprintf(buf, n,
		 _("Water meter %s (in the line of %s) sent %s pulses in one second, more than the %s that water can give: noise from its wiring, not counted as water. Check its cable and ground."),
		 meter_name(cfg, e->source), line_name(cfg, owner), text_number(a, sizeof(a), most, 0),
		 text_number(b, sizeof(b), cap, 0));
}

/* A sensor by its number and place; an id the configuration no longer
 * has, as it is. */
static const char *sensor_name(const struct config *cfg, const char *id, char *buf, size_t n)
{
	int i = config_sensor_index(cfg, id);

	if (i < 0)
		snprintf(buf, n, "%s", id);
	else
		config_sensor_name(cfg, i, buf, n);
	return buf;
}

/* "Mất kết nối đầu đo 3 – Vú sữa Hoàng Kim: không trả lời." The detail
 * is the fault in the words of the language it was logged in. */
static void sensor_alarm(const struct config *cfg, const struct event_row *e, bool words,
			 char *buf, size_t n)
{
	char name[CFG_NAME_LEN + 64];
	size_t len;

	sensor_name(cfg, e->source, name, sizeof(name));
	if (strcmp(e->kind, "sensor_lost") == 0)
		snprintf(buf, n, _("Lost contact with %s"), name);
	else if (strcmp(e->kind, "sensor_bad_frame") == 0)
		snprintf(buf, n, _("Garbled answers from %s"), name);
	else
		snprintf(buf, n, _("Values that cannot be right from %s"), name);
	len = strlen(buf);
	if (words && e->detail[0])
		snprintf(buf + len, n - len, ": %s.", e->detail);
	else
		snprintf(buf + len, n - len, ".");
}

char *alarm_headline(const struct config *cfg, const struct event_row *e, char *buf, size_t n)
{
	int minutes = 0;
	char pump[32] = "";
	double a, b;

	if (strcmp(e->kind, "no_rise") == 0 &&
	    sscanf(e->detail, "%31[^;];%lf;%lf;%d", pump, &a, &b, &minutes) == 4)
		snprintf(buf, n, _("%s: soil moisture did not rise in %d minutes of watering"),
			 zone_name(cfg, e->source), minutes);
	else if (strcmp(e->kind, "no_flow") == 0)
		snprintf(buf, n, _("%s: no water is flowing"), pump_name(cfg, e->source));
	else if (strcmp(e->kind, "no_pressure") == 0)
		snprintf(buf, n, _("%s: no water pressure"), pump_name(cfg, e->source));
	else if (strcmp(e->kind, "run_cut") == 0)
		snprintf(buf, n, _("%s was running when the power failed"), pump_name(cfg, e->source));
	else if (strcmp(e->kind, "relay_error") == 0)
		snprintf(buf, n, _("The relay of %s did not answer"), pump_name(cfg, e->source));
	else if (strcmp(e->kind, "relay_missing") == 0)
		snprintf(buf, n, _("%s cannot be used"), pump_name(cfg, e->source));
	else if (strcmp(e->kind, "meter_missing") == 0)
		snprintf(buf, n, _("Water meter %s cannot be used"), meter_name(cfg, e->source));
	else if (strcmp(e->kind, "schedule_skipped") == 0)
		snprintf(buf, n, _("%s: a scheduled watering did not run"), zone_name(cfg, e->source));
	else if (strcmp(e->kind, "meter_noise") == 0)
		snprintf(buf, n, _("Water meter %s sends noise"), meter_name(cfg, e->source));
	else if (strncmp(e->kind, "sensor_", 7) == 0)
		sensor_alarm(cfg, e, false, buf, n);
	else if (strcmp(e->kind, "installer") == 0)
		handover_event_headline(e->detail, buf, n);
	else if (strcmp(e->kind, "injector_missing") == 0)
		snprintf(buf, n, _("%s cannot be used"), injector_name(cfg, e->source));
	else if (strcmp(e->kind, "tank_empty") == 0)
		snprintf(buf, n, _("%s: its tank ran dry while dosing"), injector_name(cfg, e->source));
	else if (strcmp(e->kind, "dose_cut") == 0)
		snprintf(buf, n, _("The power failed while %s was dosing"),
			 injector_name(cfg, e->source));
	else if (strcmp(e->kind, "dose_unrecorded") == 0)
		snprintf(buf, n, _("What %s dosed could not be written"), injector_name(cfg, e->source));
	else
		return alarm_text(cfg, e, buf, n);
	return buf;
}

char *alarm_text(const struct config *cfg, const struct event_row *e, char *buf, size_t n)
{
	char when[32];
	time_t t = (time_t)strtoll(e->detail, NULL, 10);

	if (strcmp(e->kind, "run_cut") == 0) {
		if (t > 0)
			snprintf(buf, n, _("%s was running when the power failed (%s); its run is closed in the diary."),
				 pump_name(cfg, e->source), text_date_time(when, sizeof(when), t));
		else
			snprintf(buf, n, _("%s was running when the power failed; its run is closed in the diary."),
				 pump_name(cfg, e->source));
	} else if (strcmp(e->kind, "relay_missing") == 0) {
		char why[256];

		/* The kernel's words for who holds a line are outside text. */
		snprintf(buf, n, _("%s cannot be used: %s The other pumps work; check the relay board's wiring and the configuration, then restart the station."),
			 pump_name(cfg, e->source), text_clean(why, sizeof(why), e->detail));
	} else if (strcmp(e->kind, "relay_error") == 0) {
		snprintf(buf, n, _("The relay of %s did not answer: every pump was switched off. Check the wiring and the relay board."),
			 pump_name(cfg, e->source));
	} else if (strcmp(e->kind, "no_rise") == 0) {
		no_rise(cfg, e, buf, n);
	} else if (strcmp(e->kind, "no_flow") == 0 || strcmp(e->kind, "no_pressure") == 0) {
		no_water(cfg, e, buf, n);
	} else if (strcmp(e->kind, "meter_noise") == 0) {
		meter_noise(cfg, e, buf, n);
	} else if (strcmp(e->kind, "meter_missing") == 0) {
		char why[256];

		/* The kernel's words for who holds a line are outside text. */
		snprintf(buf, n, _("Water meter %s cannot be used: %s The pump runs without it; its water is not measured."),
			 meter_name(cfg, e->source), text_clean(why, sizeof(why), e->detail));
	} else if (strcmp(e->kind, "injector_missing") == 0) {
		char why[256];

		snprintf(buf, n, _("%s cannot be used: %s Its pump waters plain water; nothing is dosed through it."),
			 injector_name(cfg, e->source), text_clean(why, sizeof(why), e->detail));
	} else if (strcmp(e->kind, "tank_empty") == 0) {
		tank_empty(cfg, e, buf, n);
	} else if (strcmp(e->kind, "dose_cut") == 0) {
		dose_cut(cfg, e, buf, n);
	} else if (strcmp(e->kind, "dose_unrecorded") == 0) {
		char why[256];
		const char *semi = strchr(e->detail, ';');

		semi = semi ? strchr(semi + 1, ';') : NULL;
		snprintf(buf, n, _("The record of what %s dosed could not be written (%s), so its pump was stopped. It is written as soon as the card allows."),
			 injector_name(cfg, e->source), text_clean(why, sizeof(why), semi ? semi + 1 : ""));
	} else if (strcmp(e->kind, "schedule_skipped") == 0) {
		snprintf(buf, n, _("%s: the watering scheduled for %s did not run: the pumps were busy for two hours."),
			 zone_name(cfg, e->source), text_date_time(when, sizeof(when), t));
	} else if (strcmp(e->kind, "runs_lost") == 0) {
		runs_lost(e, buf, n);
	} else if (strncmp(e->kind, "sensor_", 7) == 0) {
		sensor_alarm(cfg, e, true, buf, n);
	} else if (strcmp(e->kind, "installer") == 0) {
		handover_event_text(e->detail, buf, n);
	} else {
		snprintf(buf, n, "%s %s %s", e->kind, e->source, e->detail);
	}
	return buf;
}
