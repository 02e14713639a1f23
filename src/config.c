/* INI file -> checked configuration. Each section kind is a table of
 * fields, so the keys a section takes can be read in one place. */
#include "config.h"

#include "text.h"
#include "timezone.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum ftype { F_STR, F_INT, F_REAL, F_BOOL, F_CHOICE, F_ZONE };

struct field {
	const char *key;
	enum ftype type;
	size_t off;
	size_t size;		/* F_STR: buffer size */
	double min, max;	/* F_INT, F_REAL */
	const char *const *choices;	/* F_CHOICE: NULL-terminated */
	bool required;
	const char *def;
};

/* def: the value of a key not given, as it would be written in the file
 * (NULL: none, or worked out from other keys in derive_defaults()). A
 * choice not given is its first. */
#define STR(T, m, req, d) { .key = #m, .type = F_STR, .off = offsetof(T, m), \
			    .size = sizeof(((T *)0)->m), .required = req, .def = d }
#define INT(T, m, lo, hi, d) { .key = #m, .type = F_INT, .off = offsetof(T, m), .min = lo, \
			       .max = hi, .def = d }
#define REAL(T, m, lo, hi, req, d) { .key = #m, .type = F_REAL, .off = offsetof(T, m), \
				     .min = lo, .max = hi, .required = req, .def = d }
#define BOOL(T, m, d) { .key = #m, .type = F_BOOL, .off = offsetof(T, m), .def = d }
#define CHOICE(T, m, ch, req, d) { .key = #m, .type = F_CHOICE, .off = offsetof(T, m), \
				   .choices = ch, .required = req, .def = d }

static const char *const languages[] = { "vi", "en", NULL };
static const char *const sensor_drivers[] = { "sim", "modbus", "line", NULL };
static const char *const relay_drivers[] = { "sim", "gpiod", NULL };
static const char *const sensor_models[] = { "soil-0000", "soil-jxct", "air-xymd02",
					      "soil-analog", "pressure", "flow", NULL };
static const char *const parities[] = { "none", "even", "odd", NULL };
static const char *const sim_faults[] = { "none", "silent", "bad_frame", "bad_value",
					   "no_water", NULL };
static const char *const meter_faults[] = { "none", "no_water", "noise", NULL };
static const char *const product_kinds[] = { "fertilizer", "pesticide", NULL };
/* Words, because inih would read a lone ';' as the start of a comment. */
static const char *const csv_separators[] = { "semicolon", "comma", "tab", NULL };
static const char *const csv_decimals[] = { "comma", "point", NULL };

static const struct field station_fields[] = {
	STR(struct station_cfg, name, false, NULL),
	STR(struct station_cfg, code, true, NULL),
	CHOICE(struct station_cfg, language, languages, false, NULL),
	INT(struct station_cfg, poll_seconds, 5, 3600, "60"),
	INT(struct station_cfg, flush_minutes, 1, 60, "10"),
	INT(struct station_cfg, keep_raw_days, 1, 36500, "90"),
	INT(struct station_cfg, max_pumps_running, 1, 16, "1"),
	INT(struct station_cfg, seed, 0, 2147483647, "1"),
	STR(struct station_cfg, database, false, NULL),
	CHOICE(struct station_cfg, csv_separator, csv_separators, false, NULL),
	CHOICE(struct station_cfg, csv_decimal, csv_decimals, false, NULL),
	STR(struct station_cfg, usb_mount, false, NULL),
	INT(struct station_cfg, backup_hours, 0, 8760, "168"),
	INT(struct station_cfg, backup_keep, 1, 100, "2"),
	INT(struct station_cfg, rainy_from, 1, 12, "5"),
	INT(struct station_cfg, rainy_to, 1, 12, "10"),
	{ .key = "timezone", .type = F_ZONE, .off = offsetof(struct station_cfg, timezone),
	  .size = sizeof(((struct station_cfg *)0)->timezone), .def = TIMEZONE_DEFAULT },
};

static const struct field tariff_fields[] = {
	{ .key = "price_offpeak", .type = F_REAL, .off = offsetof(struct tariff, price[BAND_OFFPEAK]),
	  .max = 1e6, .def = "1300" },
	{ .key = "price_normal", .type = F_REAL, .off = offsetof(struct tariff, price[BAND_NORMAL]),
	  .max = 1e6, .def = "1987" },
	{ .key = "price_peak", .type = F_REAL, .off = offsetof(struct tariff, price[BAND_PEAK]),
	  .max = 1e6, .def = "3640" },
	STR(struct tariff, currency, false, "VND"),
};

static const struct field period_fields[] = {
	STR(struct tariff_period_cfg, from, true, NULL),
	STR(struct tariff_period_cfg, peak, false, NULL),
	STR(struct tariff_period_cfg, offpeak, false, NULL),
};

static const struct field zone_fields[] = {
	STR(struct zone_cfg, name, true, NULL),
	STR(struct zone_cfg, crop, false, NULL),
	STR(struct zone_cfg, pump, false, NULL),
	REAL(struct zone_cfg, moisture_low, 0, 100, false, "30"),
	REAL(struct zone_cfg, moisture_high, 0, 100, false, "45"),
	REAL(struct zone_cfg, moisture_critical, 0, 100, false, "20"),
	BOOL(struct zone_cfg, organic, NULL),
	INT(struct zone_cfg, season_days, 1, 730, "120"),
	REAL(struct zone_cfg, harvest_max_kg, 1, 1e6, false, "20000"),
	BOOL(struct zone_cfg, water_by_moisture, NULL),
	REAL(struct zone_cfg, rise_percent, 0, 50, false, "2"),
	INT(struct zone_cfg, rise_minutes, 1, 240, "20"),
	INT(struct zone_cfg, rest_minutes, 0, 1440, "60"),
	INT(struct zone_cfg, wetting_minutes, 0, 240, "10"),
	INT(struct zone_cfg, dosing_minutes, 1, 240, "20"),
	INT(struct zone_cfg, flushing_minutes, 0, 240, "10"),
};

static const struct field sensor_fields[] = {
	CHOICE(struct sensor_cfg, driver, sensor_drivers, true, NULL),
	STR(struct sensor_cfg, zone, false, NULL),
	STR(struct sensor_cfg, port, false, NULL),
	INT(struct sensor_cfg, baud, 1200, 115200, NULL),
	INT(struct sensor_cfg, address, 1, 247, "1"),
	CHOICE(struct sensor_cfg, model, sensor_models, true, NULL),
	CHOICE(struct sensor_cfg, parity, parities, false, NULL),
	INT(struct sensor_cfg, timeout_ms, 20, 5000, "500"),
	INT(struct sensor_cfg, retries, 0, 5, "2"),
	INT(struct sensor_cfg, function, 3, 4, NULL),
	STR(struct sensor_cfg, moisture_register, false, NULL),
	REAL(struct sensor_cfg, moisture_scale, 1e-6, 1e6, false, NULL),
	BOOL(struct sensor_cfg, moisture_signed, NULL),
	STR(struct sensor_cfg, temperature_register, false, NULL),
	REAL(struct sensor_cfg, temperature_scale, 1e-6, 1e6, false, NULL),
	BOOL(struct sensor_cfg, temperature_signed, NULL),
	STR(struct sensor_cfg, ec_register, false, NULL),
	REAL(struct sensor_cfg, ec_scale, 1e-6, 1e6, false, NULL),
	BOOL(struct sensor_cfg, ec_signed, NULL),
	STR(struct sensor_cfg, ph_register, false, NULL),
	REAL(struct sensor_cfg, ph_scale, 1e-6, 1e6, false, NULL),
	BOOL(struct sensor_cfg, ph_signed, NULL),
	STR(struct sensor_cfg, humidity_register, false, NULL),
	REAL(struct sensor_cfg, humidity_scale, 1e-6, 1e6, false, NULL),
	BOOL(struct sensor_cfg, humidity_signed, NULL),
	STR(struct sensor_cfg, pressure_register, false, NULL),
	REAL(struct sensor_cfg, pressure_scale, 1e-6, 1e6, false, NULL),
	BOOL(struct sensor_cfg, pressure_signed, NULL),
	STR(struct sensor_cfg, flow_register, false, NULL),
	REAL(struct sensor_cfg, flow_scale, 1e-6, 1e6, false, NULL),
	BOOL(struct sensor_cfg, flow_signed, NULL),
	STR(struct sensor_cfg, channel, false, NULL),
	CHOICE(struct sensor_cfg, sim_fault, sim_faults, false, NULL),
	INT(struct sensor_cfg, sim_fault_after, 0, 1000000, NULL),
};

/* The register keys of [sensor.ID], each with the quantity it reads and
 * the models it is for (-1: soil and air probes). */
static const struct {
	const char *name;
	size_t reg, scale, is_signed;	/* offsets in struct sensor_cfg */
	enum quantity soil, air;
	int model;
} register_keys[] = {
#define RK(n, soil, air, model) { #n, offsetof(struct sensor_cfg, n##_register), \
				  offsetof(struct sensor_cfg, n##_scale), \
				  offsetof(struct sensor_cfg, n##_signed), soil, air, model }
	RK(moisture, Q_MOISTURE, Q_MOISTURE, -1),
	RK(temperature, Q_SOIL_TEMP, Q_AIR_TEMP, -1),
	RK(ec, Q_EC, Q_EC, -1),
	RK(ph, Q_PH, Q_PH, -1),
	RK(humidity, Q_HUMIDITY, Q_HUMIDITY, -1),
	RK(pressure, Q_PRESSURE, Q_PRESSURE, MODEL_PRESSURE),
	RK(flow, Q_FLOW, Q_FLOW, MODEL_FLOW),
#undef RK
};

static const struct field pump_fields[] = {
	STR(struct pump_cfg, name, false, NULL),
	CHOICE(struct pump_cfg, driver, relay_drivers, true, NULL),
	STR(struct pump_cfg, chip, false, NULL),
	STR(struct pump_cfg, line, false, NULL),
	BOOL(struct pump_cfg, active_low, NULL),
	REAL(struct pump_cfg, power_kw, 0.01, 100, true, NULL),
	INT(struct pump_cfg, max_minutes, 1, 720, "60"),
	INT(struct pump_cfg, default_minutes, 1, 720, NULL),
	STR(struct pump_cfg, pressure_sensor, false, NULL),
	REAL(struct pump_cfg, min_pressure, 0.01, 60, false, NULL),
	STR(struct pump_cfg, flow_sensor, false, NULL),
	REAL(struct pump_cfg, min_flow, 0.01, 5000, false, NULL),
	INT(struct pump_cfg, flow_grace_seconds, 10, 3600, "60"),
	STR(struct pump_cfg, meter, false, NULL),
};

static const struct field meter_fields[] = {
	STR(struct meter_cfg, name, false, NULL),
	CHOICE(struct meter_cfg, driver, relay_drivers, true, NULL),
	STR(struct meter_cfg, chip, false, NULL),
	STR(struct meter_cfg, line, false, NULL),
	REAL(struct meter_cfg, pulses_per_litre, 0.01, 100000, false, NULL),
	REAL(struct meter_cfg, max_flow, 0.01, 100000, false, "100"),
	INT(struct meter_cfg, debounce_us, 0, 100000, "500"),
	CHOICE(struct meter_cfg, sim_fault, meter_faults, false, NULL),
	REAL(struct meter_cfg, sim_flow, 0, 100000, false, "40"),
};

static const struct field product_fields[] = {
	STR(struct product_cfg, name, true, NULL),
	CHOICE(struct product_cfg, kind, product_kinds, true, NULL),
	STR(struct product_cfg, unit, true, NULL),
	BOOL(struct product_cfg, organic, NULL),
	INT(struct product_cfg, phi_days, 0, 365, NULL),
	REAL(struct product_cfg, max_amount, 0.001, 1e6, false, "1000"),
	/* -1: the zone's. */
	INT(struct product_cfg, wetting_minutes, 0, 240, "-1"),
	INT(struct product_cfg, dosing_minutes, 1, 240, "-1"),
	INT(struct product_cfg, flushing_minutes, 0, 240, "-1"),
};

static const struct field injector_fields[] = {
	STR(struct injector_cfg, name, false, NULL),
	CHOICE(struct injector_cfg, driver, relay_drivers, true, NULL),
	STR(struct injector_cfg, chip, false, NULL),
	STR(struct injector_cfg, line, false, NULL),
	BOOL(struct injector_cfg, active_low, NULL),
	STR(struct injector_cfg, pump, false, NULL),
	STR(struct injector_cfg, tank, false, NULL),
	REAL(struct injector_cfg, rate, 0.001, 1000, false, NULL),
	STR(struct injector_cfg, meter, false, NULL),
};

static const struct field tank_fields[] = {
	STR(struct tank_cfg, name, false, NULL),
	REAL(struct tank_cfg, capacity, 1, 100000, true, NULL),
};

static const struct field uplink_fields[] = {
	STR(struct uplink_cfg, host, true, NULL),
	INT(struct uplink_cfg, port, 1, 65535, NULL),
	STR(struct uplink_cfg, topic, false, NULL),
	STR(struct uplink_cfg, ca_file, false, NULL),
	STR(struct uplink_cfg, cert_file, false, NULL),
	STR(struct uplink_cfg, key_file, false, NULL),
	STR(struct uplink_cfg, username, false, NULL),
	STR(struct uplink_cfg, password, false, NULL),
	INT(struct uplink_cfg, keepalive, 10, 3600, "60"),
	INT(struct uplink_cfg, batch, 1, 1000, "200"),
	INT(struct uplink_cfg, outbox_max, 1000, 10000000, "200000"),
	INT(struct uplink_cfg, resend_seconds, 5, 3600, "60"),
};

/* Workers, pests, grades and buyers: a name each. */
static const struct field name_fields[] = {
	STR(struct worker_cfg, name, true, NULL),
};

/* A section kind: [station] and [tariff] once; the others as [kind.ID]. */
struct section_kind {
	const char *name;
	const struct field *fields;
	size_t n_fields;
	size_t elem_size;	/* 0: a single section */
	size_t arr_off, count_off;	/* where the items live in struct config */
	int max_items;
};

#define SINGLE(n, f) { n, f, sizeof(f) / sizeof(f[0]), 0, 0, 0, 1 }
#define MANY(n, f, T, arr, max) \
	{ n, f, sizeof(f) / sizeof(f[0]), sizeof(T), offsetof(struct config, arr), \
	  offsetof(struct config, n_##arr), max }

static const struct section_kind kinds[] = {
	SINGLE("station", station_fields),
	SINGLE("tariff", tariff_fields),
	SINGLE("uplink", uplink_fields),
	MANY("tariff", period_fields, struct tariff_period_cfg, periods, 8),
	MANY("zone", zone_fields, struct zone_cfg, zones, CFG_MAX_ZONES),
	MANY("sensor", sensor_fields, struct sensor_cfg, sensors, 64),
	MANY("pump", pump_fields, struct pump_cfg, pumps, 16),
	MANY("meter", meter_fields, struct meter_cfg, meters, 32),
	MANY("injector", injector_fields, struct injector_cfg, injectors, 16),
	MANY("tank", tank_fields, struct tank_cfg, tanks, 16),
	MANY("product", product_fields, struct product_cfg, products, 200),
	MANY("worker", name_fields, struct worker_cfg, workers, 100),
	MANY("pest", name_fields, struct worker_cfg, pests, 100),
	MANY("grade", name_fields, struct worker_cfg, grades, 20),
	MANY("buyer", name_fields, struct worker_cfg, buyers, 100),
};

struct parse {
	struct config *cfg;
	FILE *f;
	int line;
	char *err;
	size_t errlen;
	bool failed;
	/* The section being read. */
	char section[64];
	const struct section_kind *kind;
	void *base;		/* struct the fields are written into */
	uint64_t *seen;
	/* What makes the line just read other than plain UTF-8 text, said by
	 * on_value() with its key, or by the next read_line() without. */
	char defect[128];
	/* A template's keys still to be filled in (value "?"), listed for
	 * the technician: "[station] code (line 12), ...". */
	char unfilled[768];
	int n_unfilled;
};

static void fail(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CFG_ID_LEN)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static void *item_at(struct config *c, const struct section_kind *k, int i)
{
	char *arr = *(char **)((char *)c + k->arr_off);

	return arr + (size_t)i * k->elem_size;
}

static int *item_count(struct config *c, const struct section_kind *k)
{
	return (int *)((char *)c + k->count_off);
}

/* Where a single section's fields and its given keys live. */
static void *single_base(struct config *c, const struct section_kind *k, uint64_t **seen)
{
	if (strcmp(k->name, "station") == 0) {
		*seen = &c->station.seen;
		return &c->station;
	}
	if (strcmp(k->name, "uplink") == 0) {
		*seen = &c->uplink.seen;
		return &c->uplink;
	}
	*seen = &c->tariff_seen;
	return &c->tariff;
}

/* A new [section] begins: find its kind and make room for it. */
static void begin_section(struct parse *p, const char *name)
{
	const char *dot = strchr(name, '.');
	size_t kn = dot ? (size_t)(dot - name) : strlen(name);
	struct config *c = p->cfg;

	snprintf(p->section, sizeof(p->section), "%s", name);
	p->kind = NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].name) == kn && strncmp(kinds[i].name, name, kn) == 0 &&
		    (kinds[i].elem_size != 0) == (dot != NULL))
			p->kind = &kinds[i];
	if (!p->kind) {
		fail(p, _("%s, line %d: unknown section [%s]"), c->path, p->line, name);
		return;
	}
	if (!p->kind->elem_size) {
		p->base = single_base(c, p->kind, &p->seen);
		if (p->base == &c->uplink)
			c->uplink.line = p->line;
		if (*p->seen & (1ull << 63))
			fail(p, _("%s, line %d: section [%s] is given twice"), c->path, p->line, name);
		*p->seen |= 1ull << 63;
		return;
	}
	if (!valid_id(dot + 1)) {
		fail(p, _("%s, line %d: [%s]: a name after the dot may have only letters without accents, digits, - and _"),
		     c->path, p->line, name);
		return;
	}
	int *n = item_count(c, p->kind);
	for (int i = 0; i < *n; i++) {
		struct cfg_item *it = item_at(c, p->kind, i);

		if (strcmp(it->id, dot + 1) == 0) {
			fail(p, _("%s, line %d: section [%s] is given twice"), c->path, p->line, name);
			return;
		}
	}
	if (*n >= p->kind->max_items) {
		fail(p, _("%s, line %d: too many [%s.…] sections (at most %d)"), c->path, p->line,
		     p->kind->name, p->kind->max_items);
		return;
	}
	char **arr = (char **)((char *)c + p->kind->arr_off);
	char *grown = realloc(*arr, (size_t)(*n + 1) * p->kind->elem_size);
	if (!grown) {
		fail(p, "%s", strerror(ENOMEM));
		return;
	}
	*arr = grown;
	struct cfg_item *it = item_at(c, p->kind, (*n)++);
	memset(it, 0, p->kind->elem_size);
	snprintf(it->id, sizeof(it->id), "%s", dot + 1);
	it->line = p->line;
	p->base = it;
	p->seen = &it->seen;
}

/* A configuration file is plain UTF-8 text: inih would stop a value at a
 * NUL byte (max_minutes = 9\0 0 read as 9), and a control character or
 * an invisible reordering one in a name reaches every screen and file the
 * name is printed in. Notes in p->defect what is wrong with the line s of
 * len bytes (its line end aside), or leaves it empty. */
static void find_defect(struct parse *p, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	p->defect[0] = '\0';
	if (memchr(s, '\0', len)) {
		snprintf(p->defect, sizeof(p->defect), "%s", _("a NUL byte"));
		return;
	}
	while (i < len) {
		bool shown;
		size_t n = text_char(s + i, &shown);
		unsigned cp;

		if (shown || s[i] == '\t') {
			i += n;
			continue;
		}
		if (n == 1 && u[i] >= 0x80) {
			snprintf(p->defect, sizeof(p->defect), "%s", _("bytes that are not UTF-8 text"));
			return;
		}
		cp = n == 1 ? u[i] : n == 2 ? (u[i] & 0x1Fu) << 6 | (u[i + 1] & 0x3Fu)
			: (u[i] & 0x0Fu) << 12 | (u[i + 1] & 0x3Fu) << 6 | (u[i + 2] & 0x3Fu);
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
			snprintf(p->defect, sizeof(p->defect), _("a control character (U+%04X)"), cp);
		else
			snprintf(p->defect, sizeof(p->defect),
				 _("an invisible character that reorders or breaks text (U+%04X)"), cp);
		return;
	}
}

/* A line's defect that no key was read from (a comment, a section, a line
 * inih refused) is said without one. */
static void say_defect(struct parse *p)
{
	if (!p->defect[0])
		return;
	fail(p, _("%s, line %d: the line holds %s; a configuration file is plain UTF-8 text"),
	     p->cfg->path, p->line, p->defect);
	p->defect[0] = '\0';
}

/* "[zone.mit]": the name inside, checked whole, because inih would cut a
 * long one and ignore what follows "]", and would leave the keys after a
 * header without "]" in the section before it. */
static void read_section(struct parse *p, const char *s)
{
	const char *path = p->cfg->path, *end = strchr(s, ']'), *after;
	char name[64];
	size_t n;

	if (!end) {
		fail(p, _("%s, line %d: the section name has no closing ]"), path, p->line);
		return;
	}
	n = (size_t)(end - s - 1);
	/* inih keeps 49 bytes of a section's name. */
	if (n > 49) {
		fail(p, _("%s, line %d: the section name is too long (at most 49 characters)"), path,
		     p->line);
		return;
	}
	for (after = end + 1; *after == ' ' || *after == '\t'; after++)
		;
	if (*after && !strchr(";#\r\n", *after)) {
		fail(p, _("%s, line %d: only a comment may follow the section's ]"), path, p->line);
		return;
	}
	memcpy(name, s + 1, n);
	name[n] = '\0';
	begin_section(p, name);
}

/* fgets() for inih that counts lines, notices section headers, and
 * refuses lines too long for inih to read whole and lines that are not
 * plain text. */
static char *read_line(char *str, int num, void *stream)
{
	struct parse *p = stream;
	size_t len = 0, text;
	int ch = EOF;
	char *s;

	say_defect(p);
	while (len + 1 < (size_t)num && (ch = getc(p->f)) != EOF) {
		str[len++] = (char)ch;
		if (ch == '\n')
			break;
	}
	if (len == 0)
		return NULL;
	str[len] = '\0';
	p->line++;
	if (str[len - 1] != '\n' && len + 1 == (size_t)num && (ch = getc(p->f)) != EOF &&
	    ch != '\n') {
		while ((ch = getc(p->f)) != EOF && ch != '\n')
			;
		fail(p, _("%s, line %d: the line is too long"), p->cfg->path, p->line);
		str[0] = '\0';
		return str;
	}
	text = len;
	if (text && str[text - 1] == '\n')
		text--;
	if (text && str[text - 1] == '\r')
		text--;
	find_defect(p, str, text);
	s = str;
	while (*s == ' ' || *s == '\t')
		s++;
	if (p->line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	if (*s == '[') {
		/* A section's name never reaches a message unclean. */
		say_defect(p);
		read_section(p, s);
	}
	return str;
}

static int set_field(struct parse *p, const struct field *f, const char *value)
{
	void *dst = (char *)p->base + f->off;
	const char *path = p->cfg->path;
	char *end;

	switch (f->type) {
	case F_STR:
		if (strlen(value) >= f->size) {
			fail(p, _("%s, line %d: %s is too long (at most %zu bytes)"), path, p->line,
			     f->key, f->size - 1);
			return -1;
		}
		snprintf(dst, f->size, "%s", value);
		/* A tab inside a name is a space on every screen. */
		for (char *c = dst; *c; c++)
			if (*c == '\t')
				*c = ' ';
		return 0;
	case F_INT: {
		errno = 0;
		long v = strtol(value, &end, 10);

		if (*value == '\0' || *end != '\0' || errno) {
			fail(p, _("%s, line %d: %s = \"%s\" is not a whole number"), path, p->line,
			     f->key, value);
			return -1;
		}
		if (v < f->min || v > f->max) {
			fail(p, _("%s, line %d: %s = %ld is outside %.0f to %.0f"), path, p->line,
			     f->key, v, f->min, f->max);
			return -1;
		}
		*(int *)dst = (int)v;
		return 0;
	}
	case F_REAL: {
		char buf[64];

		/* Cut, the tail of a long number would be dropped unseen. */
		if (strlen(value) >= sizeof(buf)) {
			fail(p, _("%s, line %d: %s is too long for a number (at most %zu characters)"),
			     path, p->line, f->key, sizeof(buf) - 1);
			return -1;
		}
		/* strtod() would also take inf, nan and hex (0x1p3). */
		if (value[strspn(value, "0123456789+-.,eE")] != '\0') {
			fail(p, _("%s, line %d: %s = \"%s\" is not a number"), path, p->line, f->key,
			     value);
			return -1;
		}
		/* A decimal comma is what a Vietnamese technician may type. */
		snprintf(buf, sizeof(buf), "%s", value);
		for (char *c = buf; *c; c++)
			if (*c == ',')
				*c = '.';
		errno = 0;
		double v = strtod(buf, &end);

		if (*buf == '\0' || *end != '\0' || errno || v != v) {
			fail(p, _("%s, line %d: %s = \"%s\" is not a number"), path, p->line, f->key,
			     value);
			return -1;
		}
		if (v < f->min || v > f->max) {
			fail(p, _("%s, line %d: %s = %s is outside %g to %g"), path, p->line, f->key,
			     value, f->min, f->max);
			return -1;
		}
		*(double *)dst = v;
		return 0;
	}
	case F_ZONE:
		if (strlen(value) >= f->size || !timezone_known(value)) {
			fail(p, _("%s, line %d: %s = \"%s\" is not a time zone of %s (a name like Asia/Ho_Chi_Minh)"),
			     path, p->line, f->key, value, timezone_dir());
			return -1;
		}
		snprintf(dst, f->size, "%s", value);
		return 0;
	case F_BOOL:
		if (!strcasecmp(value, "yes") || !strcasecmp(value, "true") || !strcmp(value, "1") ||
		    !strcasecmp(value, "có")) {
			*(bool *)dst = true;
		} else if (!strcasecmp(value, "no") || !strcasecmp(value, "false") ||
			   !strcmp(value, "0") || !strcasecmp(value, "không")) {
			*(bool *)dst = false;
		} else {
			fail(p, _("%s, line %d: %s must be yes or no, not \"%s\""), path, p->line,
			     f->key, value);
			return -1;
		}
		return 0;
	case F_CHOICE: {
		char list[160] = "";

		for (int i = 0; f->choices[i]; i++) {
			if (strcmp(value, f->choices[i]) == 0) {
				*(int *)dst = i;
				return 0;
			}
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", f->choices[i]);
		}
		fail(p, _("%s, line %d: %s must be one of %s, not \"%s\""), path, p->line, f->key,
		     list, value);
		return -1;
	}
	}
	return -1;
}

/* The shipped template (config/template.ini) writes "?" for each value
 * only the farm can give; each is listed, so that the technician learns
 * every key to fill at once rather than one refusal at a time. */
static void note_unfilled(struct parse *p, const char *section, const char *key)
{
	size_t len = strlen(p->unfilled);
	char one[160];

	snprintf(one, sizeof(one), _("[%s] %s (line %d)"), section, key, p->line);
	if (len + strlen(one) + 8 < sizeof(p->unfilled))
		snprintf(p->unfilled + len, sizeof(p->unfilled) - len, "%s%s",
			 p->n_unfilled ? ", " : "", one);
	else if (!strstr(p->unfilled, "…"))
		snprintf(p->unfilled + len, sizeof(p->unfilled) - len, ", …");
	p->n_unfilled++;
}

static int on_value(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;

	if (p->failed)
		return 1;
	if (p->defect[0]) {
		char clean[3 * 64];

		/* The key named, when the key itself is clean. */
		if (strcmp(text_clean(clean, sizeof(clean), key), key) != 0) {
			say_defect(p);
			return 0;
		}
		fail(p, _("%s, line %d: %s holds %s; a configuration file is plain UTF-8 text"),
		     p->cfg->path, p->line, key, p->defect);
		p->defect[0] = '\0';
		return 0;
	}
	if (!*section) {
		fail(p, _("%s, line %d: key \"%s\" comes before any [section]"), p->cfg->path,
		     p->line, key);
		return 0;
	}
	if (!p->kind || strcmp(section, p->section) != 0)
		return 0;	/* begin_section() has said why */
	for (size_t i = 0; i < p->kind->n_fields; i++) {
		const struct field *f = &p->kind->fields[i];

		if (strcmp(f->key, key) != 0)
			continue;
		if (*p->seen & (1ull << i)) {
			fail(p, _("%s, line %d: key \"%s\" is given twice in [%s]"), p->cfg->path,
			     p->line, key, section);
			return 0;
		}
		*p->seen |= 1ull << i;
		if (p->base == &p->cfg->uplink && i < CFG_UPLINK_KEYS)
			p->cfg->uplink.key_line[i] = p->line;
		if (strcmp(value, "?") == 0) {
			note_unfilled(p, section, key);
			return 1;
		}
		return set_field(p, f, value) == 0;
	}
	fail(p, _("%s, line %d: unknown key \"%s\" in [%s]"), p->cfg->path, p->line, key, section);
	return 0;
}

/* The keys a section does not give take the defaults of its table. */
static void fill_section(void *base, const struct field *f, size_t n, uint64_t seen)
{
	for (size_t i = 0; i < n; i++) {
		void *dst = (char *)base + f[i].off;

		if (!f[i].def || (seen & (1ull << i)))
			continue;
		switch (f[i].type) {
		case F_STR:
		case F_ZONE:
			snprintf(dst, f[i].size, "%s", f[i].def);
			break;
		case F_INT:
			*(int *)dst = (int)strtol(f[i].def, NULL, 10);
			break;
		case F_REAL:
			*(double *)dst = strtod(f[i].def, NULL);
			break;
		case F_BOOL:
		case F_CHOICE:
			break;	/* no, and the first choice: as calloc() left them */
		}
	}
}

static void fill_defaults(struct config *c)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		const struct section_kind *kind = &kinds[k];
		uint64_t *seen;

		if (!kind->elem_size) {
			void *base = single_base(c, kind, &seen);

			fill_section(base, kind->fields, kind->n_fields, *seen);
			continue;
		}
		for (int i = 0; i < *item_count(c, kind); i++) {
			struct cfg_item *it = item_at(c, kind, i);

			fill_section(it, kind->fields, kind->n_fields, it->seen);
		}
	}
}

/* The first required key missing from a section, or NULL. */
static const char *missing_key(const struct field *f, size_t n, uint64_t seen)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].required && !(seen & (1ull << i)))
			return f[i].key;
	return NULL;
}

static bool given(const struct field *f, size_t n, uint64_t seen, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].key, key) == 0)
			return seen & (1ull << i);
	return false;
}

#define GIVEN(fields, obj, key) \
	given(fields, sizeof(fields) / sizeof(fields[0]), (obj)->item.seen, key)

static int parse_day(const char *s, int *day)
{
	int y, m, d, n = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || s[n] || m < 1 || m > 12 ||
	    d < 1 || d > 31 || y < 2000)
		return -1;
	*day = y * 10000 + m * 100 + d;
	return 0;
}

static int by_from_day(const void *a, const void *b)
{
	const struct tariff_period *x = a, *y = b;

	return (x->from_day > y->from_day) - (x->from_day < y->from_day);
}

static int check_tariff(struct config *c, char *err, size_t errlen)
{
	const char *why = NULL;

	if (c->n_periods == 0) {
		c->tariff.periods = calloc(1, sizeof(*c->tariff.periods));
		if (!c->tariff.periods)
			return -1;
		tariff_default_period(c->tariff.periods);
		c->tariff.n_periods = 1;
		return 0;
	}
	c->tariff.periods = calloc((size_t)c->n_periods, sizeof(*c->tariff.periods));
	if (!c->tariff.periods)
		return -1;
	for (int i = 0; i < c->n_periods; i++) {
		struct tariff_period_cfg *pc = &c->periods[i];
		struct tariff_period *tp = &c->tariff.periods[i];
		int n;

		snprintf(tp->id, sizeof(tp->id), "%s", pc->item.id);
		if (parse_day(pc->from, &tp->from_day) < 0) {
			snprintf(err, errlen, _("%s, section [tariff.%s] (line %d): from must be a date like 2026-05-01"),
				 c->path, pc->item.id, pc->item.line);
			return -1;
		}
		if (pc->peak[0]) {
			n = tariff_parse_windows(pc->peak, tp->peak, TARIFF_MAX_WINDOWS, &why);
			if (n < 0)
				goto bad;
			tp->n_peak = n;
		}
		if (pc->offpeak[0]) {
			n = tariff_parse_windows(pc->offpeak, tp->offpeak, TARIFF_MAX_WINDOWS, &why);
			if (n < 0)
				goto bad;
			tp->n_offpeak = n;
		}
		continue;
bad:
		snprintf(err, errlen, _("%s, section [tariff.%s] (line %d): %s"), c->path,
			 pc->item.id, pc->item.line, _(why));
		return -1;
	}
	c->tariff.n_periods = c->n_periods;
	qsort(c->tariff.periods, (size_t)c->tariff.n_periods, sizeof(*c->tariff.periods),
	      by_from_day);
	return 0;
}

static int fail_at(const struct config *c, int line, char *err, size_t errlen,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_at(const struct config *c, int line, char *err, size_t errlen,
		   const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, _("%s, line %d: "), c->path, line);

	if (n > 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "0x0012", "18" or "none" (-1). */
static int parse_register(const char *s, long *reg)
{
	char *end;

	if (strcmp(s, "none") == 0) {
		*reg = -1;
		return 0;
	}
	/* "0012" would be read as octal 10: say 0x0012 or 18. */
	if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return -1;
	errno = 0;
	*reg = strtol(s, &end, 0);
	return *s && !*end && !errno && *reg >= 0 && *reg <= 0xFFFF ? 0 : -1;
}

/* Pressure and flow registers are for those sensors only, and theirs
 * are the only registers those sensors have. */
static bool register_fits(const struct sensor_cfg *s, int model)
{
	bool line = s->model == MODEL_PRESSURE || s->model == MODEL_FLOW;

	return model < 0 ? !line : s->model == model;
}

static const char *key_scale(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s_scale", name);
	return buf;
}

/* The model's register map, then what the configuration changes in it. */
static int resolve_registers(const struct config *c, struct sensor_cfg *s, char *err,
			     size_t errlen)
{
	const char *id = s->item.id;
	bool air = !config_sensor_is_soil(s);
	int n = sensor_modbus_preset(sensor_models[s->model], s->values, MODBUS_MAX_VALUES);

	if (n < 0)
		n = 0;
	for (int k = 0; k < n && s->function; k++)
		s->values[k].function = (uint8_t)s->function;
	for (size_t r = 0; r < sizeof(register_keys) / sizeof(register_keys[0]); r++) {
		const char *name = register_keys[r].name;
		enum quantity q = air ? register_keys[r].air : register_keys[r].soil;
		char key[40];
		int k;
		long reg;

		for (k = 0; k < n && s->values[k].quantity != q; k++)
			;
		snprintf(key, sizeof(key), "%s_register", name);
		if (GIVEN(sensor_fields, s, key) && !register_fits(s, register_keys[r].model))
			return fail_at(c, s->item.line, err, errlen,
				       _("[sensor.%s]: %s is not for a %s sensor"), id, key,
				       sensor_models[s->model]);
		if (GIVEN(sensor_fields, s, key)) {
			const char *text = (const char *)s + register_keys[r].reg;

			if (parse_register(text, &reg) < 0)
				return fail_at(c, s->item.line, err, errlen,
					       _("[sensor.%s]: %s = \"%s\" must be a register from 0 to 65535 (0x12 or 18), or none"),
					       id, key, text);
			if (reg < 0) {
				if (k < n)
					memmove(&s->values[k], &s->values[k + 1],
						(size_t)(n - k - 1) * sizeof(s->values[0]));
				n -= k < n;
				continue;
			}
			if (k == n) {
				if (n == MODBUS_MAX_VALUES)
					return fail_at(c, s->item.line, err, errlen,
						       _("[sensor.%s]: too many registers"), id);
				s->values[n++] = (struct modbus_value){
					q, (uint8_t)(s->function ? s->function : 3), 0, 1, false };
			}
			s->values[k].reg = (uint16_t)reg;
		}
		snprintf(key, sizeof(key), "%s_scale", name);
		bool scale = GIVEN(sensor_fields, s, key);
		snprintf(key, sizeof(key), "%s_signed", name);
		bool sign = GIVEN(sensor_fields, s, key);
		if ((scale || sign) && !register_fits(s, register_keys[r].model))
			return fail_at(c, s->item.line, err, errlen,
				       _("[sensor.%s]: %s is not for a %s sensor"), id,
				       scale ? key_scale(key, sizeof(key), name) : key,
				       sensor_models[s->model]);
		if ((scale || sign) && k == n)
			return fail_at(c, s->item.line, err, errlen,
				       _("[sensor.%s]: %s has no %s register; give %s_register first"),
				       id, sensor_models[s->model], name, name);
		if (scale)
			s->values[k].scale = *(const double *)((const char *)s + register_keys[r].scale);
		if (sign)
			s->values[k].is_signed = *(const bool *)((const char *)s + register_keys[r].is_signed);
	}
	s->n_values = n;
	if (n == 0 && (s->model == MODEL_PRESSURE || s->model == MODEL_FLOW))
		return fail_at(c, s->item.line, err, errlen,
			       _("[sensor.%s]: a %s sensor needs %s_register, from its manual"), id,
			       sensor_models[s->model], sensor_models[s->model]);
	if (n == 0)
		return fail_at(c, s->item.line, err, errlen,
			       _("[sensor.%s]: every register is \"none\": there is nothing to read"), id);
	return 0;
}

/* Keys that only one driver understands. */
static const struct {
	const char *key;
	int driver;
} driver_keys[] = {
	{ "timeout_ms", SENSOR_DRIVER_MODBUS }, { "retries", SENSOR_DRIVER_MODBUS },
	{ "function", SENSOR_DRIVER_MODBUS },
	{ "moisture_register", SENSOR_DRIVER_MODBUS }, { "moisture_scale", SENSOR_DRIVER_MODBUS },
	{ "moisture_signed", SENSOR_DRIVER_MODBUS },
	{ "temperature_register", SENSOR_DRIVER_MODBUS },
	{ "temperature_scale", SENSOR_DRIVER_MODBUS },
	{ "temperature_signed", SENSOR_DRIVER_MODBUS },
	{ "ec_register", SENSOR_DRIVER_MODBUS }, { "ec_scale", SENSOR_DRIVER_MODBUS },
	{ "ec_signed", SENSOR_DRIVER_MODBUS },
	{ "ph_register", SENSOR_DRIVER_MODBUS }, { "ph_scale", SENSOR_DRIVER_MODBUS },
	{ "ph_signed", SENSOR_DRIVER_MODBUS },
	{ "humidity_register", SENSOR_DRIVER_MODBUS }, { "humidity_scale", SENSOR_DRIVER_MODBUS },
	{ "humidity_signed", SENSOR_DRIVER_MODBUS },
	{ "pressure_register", SENSOR_DRIVER_MODBUS }, { "pressure_scale", SENSOR_DRIVER_MODBUS },
	{ "pressure_signed", SENSOR_DRIVER_MODBUS },
	{ "flow_register", SENSOR_DRIVER_MODBUS }, { "flow_scale", SENSOR_DRIVER_MODBUS },
	{ "flow_signed", SENSOR_DRIVER_MODBUS },
	{ "channel", SENSOR_DRIVER_LINE },
	{ "sim_fault", SENSOR_DRIVER_SIM }, { "sim_fault_after", SENSOR_DRIVER_SIM },
};

static int check_sensor(const struct config *c, struct sensor_cfg *s, char *err, size_t errlen)
{
	const char *id = s->item.id;
	bool analog = s->model == MODEL_SOIL_ANALOG;
	bool line = s->model == MODEL_PRESSURE || s->model == MODEL_FLOW;

	if (line && s->zone[0])
		return fail_at(c, s->item.line, err, errlen,
			       _("[sensor.%s]: a %s sensor has no zone; the pump in whose line it sits names it (%s_sensor = %s)"),
			       id, sensor_models[s->model], sensor_models[s->model], id);
	if (!line && s->sim_fault == SIM_FAULT_NO_WATER)
		return fail_at(c, s->item.line, err, errlen,
			       _("[sensor.%s]: sim_fault = no_water is for pressure and flow sensors"),
			       id);
	s->zone_index = s->zone[0] ? config_zone_index(c, s->zone) : -1;
	if (s->zone[0] && s->zone_index < 0)
		return fail_at(c, s->item.line, err, errlen,
			       _("[sensor.%s] names zone \"%s\", which has no [zone.%s] section"),
			       id, s->zone, s->zone);
	if (config_sensor_is_soil(s) && s->zone_index < 0)
		return fail_at(c, s->item.line, err, errlen, _("[sensor.%s]: a soil sensor needs zone"),
			       id);
	if (s->driver != SENSOR_DRIVER_SIM && !s->port[0])
		return fail_at(c, s->item.line, err, errlen, _("[sensor.%s]: a %s sensor needs port"),
			       id, sensor_drivers[s->driver]);
	for (size_t k = 0; k < sizeof(driver_keys) / sizeof(driver_keys[0]); k++)
		if (GIVEN(sensor_fields, s, driver_keys[k].key) && s->driver != driver_keys[k].driver)
			return fail_at(c, s->item.line, err, errlen,
				       _("[sensor.%s]: %s is for %s sensors, not %s"), id,
				       driver_keys[k].key, sensor_drivers[driver_keys[k].driver],
				       sensor_drivers[s->driver]);
	if (s->driver == SENSOR_DRIVER_MODBUS && analog)
		return fail_at(c, s->item.line, err, errlen,
			       _("[sensor.%s]: a soil-analog probe is read through a microcontroller node: driver = line"),
			       id);
	if (s->driver == SENSOR_DRIVER_LINE && !analog)
		return fail_at(c, s->item.line, err, errlen,
			       _("[sensor.%s]: a line node reports raw analog probes: model = soil-analog"),
			       id);
	if (s->driver == SENSOR_DRIVER_LINE && !s->channel[0])
		return fail_at(c, s->item.line, err, errlen,
			       _("[sensor.%s]: a line sensor needs channel, the node's name for it (A0)"),
			       id);
	for (const char *ch = s->channel; *ch; ch++)
		if (!isalnum((unsigned char)*ch) && *ch != '_')
			return fail_at(c, s->item.line, err, errlen,
				       _("[sensor.%s]: channel may have only letters without accents, digits and _"),
				       id);
	if (s->driver == SENSOR_DRIVER_MODBUS)
		return resolve_registers(c, s, err, errlen);
	return 0;
}

/* Sensors on one port are one bus: one driver, one speed, and each its own
 * address or channel. */
static int check_ports(const struct config *c, char *err, size_t errlen)
{
	for (int i = 0; i < c->n_sensors; i++) {
		const struct sensor_cfg *s = &c->sensors[i];

		for (int j = 0; j < i && s->driver != SENSOR_DRIVER_SIM; j++) {
			const struct sensor_cfg *o = &c->sensors[j];

			if (o->driver == SENSOR_DRIVER_SIM || strcmp(s->port, o->port) != 0)
				continue;
			if (o->driver != s->driver)
				return fail_at(c, s->item.line, err, errlen,
					       _("[sensor.%s]: %s is the port of [sensor.%s], a %s sensor; one port has one driver"),
					       s->item.id, s->port, o->item.id, sensor_drivers[o->driver]);
			if (o->baud != s->baud || o->parity != s->parity)
				return fail_at(c, s->item.line, err, errlen,
					       _("[sensor.%s]: sensors on %s share one speed: [sensor.%s] has baud = %d, parity = %s"),
					       s->item.id, s->port, o->item.id, o->baud, parities[o->parity]);
			if (s->driver == SENSOR_DRIVER_MODBUS && o->address == s->address)
				return fail_at(c, s->item.line, err, errlen,
					       _("[sensor.%s]: address %d on %s is already [sensor.%s]"),
					       s->item.id, s->address, s->port, o->item.id);
			if (s->driver == SENSOR_DRIVER_LINE && strcmp(o->channel, s->channel) == 0)
				return fail_at(c, s->item.line, err, errlen,
					       _("[sensor.%s]: channel %s on %s is already [sensor.%s]"),
					       s->item.id, s->channel, s->port, o->item.id);
		}
	}
	return 0;
}

/* A pump's sensor key (pressure_sensor, flow_sensor) and its minimum:
 * both or neither, naming a sensor of that model that no other pump has. */
static int pump_sensor(const struct config *c, int p, int model, const char *id,
		       const char *min_key, int *index, char *err, size_t errlen)
{
	const struct pump_cfg *pc = &c->pumps[p];
	const char *kind = sensor_models[model];
	char key[32];

	snprintf(key, sizeof(key), "%s_sensor", kind);
	*index = -1;
	if (!id[0] && GIVEN(pump_fields, pc, min_key))
		return fail_at(c, pc->item.line, err, errlen,
			       _("[pump.%s]: %s needs %s, the sensor it is read from"), pc->item.id,
			       min_key, key);
	if (!id[0])
		return 0;
	for (int i = 0; i < c->n_sensors; i++)
		if (strcmp(c->sensors[i].item.id, id) == 0)
			*index = i;
	if (*index < 0)
		return fail_at(c, pc->item.line, err, errlen,
			       _("[pump.%s] names %s = %s, which has no [sensor.%s] section"),
			       pc->item.id, key, id, id);
	if (c->sensors[*index].model != model)
		return fail_at(c, pc->item.line, err, errlen,
			       _("[pump.%s]: %s = %s, but [sensor.%s] has model = %s, not %s"),
			       pc->item.id, key, id, id, sensor_models[c->sensors[*index].model],
			       kind);
	if (!GIVEN(pump_fields, pc, min_key))
		return fail_at(c, pc->item.line, err, errlen,
			       _("[pump.%s]: %s needs %s, the least that means water arrives"),
			       pc->item.id, key, min_key);
	for (int q = 0; q < p; q++)
		if (c->pumps[q].pressure_index == *index || c->pumps[q].flow_index == *index)
			return fail_at(c, pc->item.line, err, errlen,
				       _("[pump.%s]: [sensor.%s] is already in the line of [pump.%s]"),
				       pc->item.id, id, c->pumps[q].item.id);
	return 0;
}

/* A pump's pulse meter: one that exists, in no other pump's line. */
static int pump_meter(struct config *c, int p, char *err, size_t errlen)
{
	struct pump_cfg *pc = &c->pumps[p];
	int m;

	pc->meter_index = -1;
	if (!pc->meter[0])
		return 0;
	m = config_meter_index(c, pc->meter);
	if (m < 0)
		return fail_at(c, pc->item.line, err, errlen,
			       _("[pump.%s] names meter = %s, which has no [meter.%s] section"),
			       pc->item.id, pc->meter, pc->meter);
	if (c->meters[m].pump_index >= 0)
		return fail_at(c, pc->item.line, err, errlen,
			       _("[pump.%s]: [meter.%s] is already in the line of [pump.%s]"),
			       pc->item.id, pc->meter, c->pumps[c->meters[m].pump_index].item.id);
	if (!GIVEN(pump_fields, pc, "min_flow"))
		return fail_at(c, pc->item.line, err, errlen,
			       _("[pump.%s]: meter needs min_flow, the least that means water arrives"),
			       pc->item.id);
	if (c->meters[m].driver == RELAY_DRIVER_SIM && pc->driver != RELAY_DRIVER_SIM)
		return fail_at(c, pc->item.line, err, errlen,
			       _("[pump.%s]: a simulated meter measures a simulated pump only"),
			       pc->item.id);
	c->meters[m].pump_index = p;
	pc->meter_index = m;
	return 0;
}

static int check_pump_sensors(struct config *c, int p, char *err, size_t errlen)
{
	struct pump_cfg *pc = &c->pumps[p];

	if (pump_meter(c, p, err, errlen) < 0)
		return -1;
	/* min_flow is the meter's as well as the flow sensor's. */
	pc->flow_index = -1;
	if (pump_sensor(c, p, MODEL_PRESSURE, pc->pressure_sensor, "min_pressure",
			&pc->pressure_index, err, errlen) < 0 ||
	    ((pc->meter_index < 0 || pc->flow_sensor[0]) &&
	     pump_sensor(c, p, MODEL_FLOW, pc->flow_sensor, "min_flow", &pc->flow_index, err,
			 errlen) < 0))
		return -1;
	if (pc->pressure_index < 0 && pc->flow_index < 0 && pc->meter_index < 0 &&
	    GIVEN(pump_fields, pc, "flow_grace_seconds"))
		return fail_at(c, pc->item.line, err, errlen,
			       _("[pump.%s]: flow_grace_seconds needs pressure_sensor, flow_sensor or meter"),
			       pc->item.id);
	return 0;
}

/* A GPIO line given to two things: a relay and a meter, or two meters. */
static const char *line_taken(const struct config *c, const char *chip, const char *line,
			      int meter, char *what, size_t n)
{
	for (int p = 0; p < c->n_pumps; p++) {
		const struct pump_cfg *q = &c->pumps[p];

		if (q->driver == RELAY_DRIVER_GPIOD && !strcmp(q->chip, chip) && !strcmp(q->line, line)) {
			snprintf(what, n, "[pump.%s]", q->item.id);
			return what;
		}
	}
	for (int i = 0; i < c->n_injectors; i++) {
		const struct injector_cfg *q = &c->injectors[i];

		if (q->driver == RELAY_DRIVER_GPIOD && !strcmp(q->chip, chip) && !strcmp(q->line, line)) {
			snprintf(what, n, "[injector.%s]", q->item.id);
			return what;
		}
	}
	for (int m = 0; m < meter; m++) {
		const struct meter_cfg *q = &c->meters[m];

		if (q->driver == RELAY_DRIVER_GPIOD && !strcmp(q->chip, chip) && !strcmp(q->line, line)) {
			snprintf(what, n, "[meter.%s]", q->item.id);
			return what;
		}
	}
	return NULL;
}

static int check_meter(struct config *c, int i, char *err, size_t errlen)
{
	struct meter_cfg *m = &c->meters[i];
	char what[64];

	m->pump_index = -1;
	m->injector_index = -1;
	if (!GIVEN(meter_fields, m, "pulses_per_litre"))
		return fail_at(c, m->item.line, err, errlen,
			       _("[meter.%s]: a pulse meter needs pulses_per_litre, from its label or a bucket test (about 450 for a YF-S201)"),
			       m->item.id);
	if (m->driver == RELAY_DRIVER_GPIOD && (!m->chip[0] || !m->line[0]))
		return fail_at(c, m->item.line, err, errlen,
			       _("[meter.%s]: a gpiod meter needs chip and line"), m->item.id);
	if (m->driver != RELAY_DRIVER_SIM &&
	    (GIVEN(meter_fields, m, "sim_fault") || GIVEN(meter_fields, m, "sim_flow")))
		return fail_at(c, m->item.line, err, errlen,
			       _("[meter.%s]: sim_fault and sim_flow are for driver = sim"),
			       m->item.id);
	if (m->driver == RELAY_DRIVER_GPIOD && line_taken(c, m->chip, m->line, i, what, sizeof(what)))
		return fail_at(c, m->item.line, err, errlen,
			       _("[meter.%s]: line %s of %s is already %s"), m->item.id, m->line,
			       m->chip, what);
	return 0;
}

static int check_injector(struct config *c, int i, char *err, size_t errlen)
{
	struct injector_cfg *ic = &c->injectors[i];
	const char *id = ic->item.id;
	int line = ic->item.line, m, z;
	char what[64];

	ic->meter_index = -1;
	if (!ic->pump[0])
		return fail_at(c, line, err, errlen,
			       _("[injector.%s]: an injector needs pump, the pump whose line it feeds"), id);
	ic->pump_index = config_pump_index(c, ic->pump);
	if (ic->pump_index < 0)
		return fail_at(c, line, err, errlen,
			       _("[injector.%s] names pump = %s, which has no [pump.%s] section"), id,
			       ic->pump, ic->pump);
	for (z = 0; z < c->n_zones && c->zones[z].pump_index != ic->pump_index; z++)
		;
	if (z == c->n_zones)
		return fail_at(c, line, err, errlen,
			       _("[injector.%s]: [pump.%s] waters no zone, and a dose is recorded for a zone"),
			       id, ic->pump);
	if (!ic->tank[0])
		return fail_at(c, line, err, errlen,
			       _("[injector.%s]: an injector needs tank, the [tank.ID] it draws from"), id);
	ic->tank_index = config_tank_index(c, ic->tank);
	if (ic->tank_index < 0)
		return fail_at(c, line, err, errlen,
			       _("[injector.%s] names tank = %s, which has no [tank.%s] section"), id,
			       ic->tank, ic->tank);
	for (int j = 0; j < i; j++)
		if (c->injectors[j].tank_index == ic->tank_index)
			return fail_at(c, line, err, errlen,
				       _("[injector.%s]: [tank.%s] is already drawn from by [injector.%s]"),
				       id, ic->tank, c->injectors[j].item.id);
	if (!GIVEN(injector_fields, ic, "rate"))
		return fail_at(c, line, err, errlen,
			       _("[injector.%s]: an injector needs rate, the litres of stock solution it gives a minute (measure it with a jug)"),
			       id);
	if (ic->driver == RELAY_DRIVER_GPIOD && (!ic->chip[0] || !ic->line[0]))
		return fail_at(c, line, err, errlen, _("[injector.%s]: a gpiod injector needs chip and line"),
			       id);
	if (ic->driver == RELAY_DRIVER_GPIOD) {
		for (int j = 0; j < i; j++) {
			const struct injector_cfg *q = &c->injectors[j];

			if (q->driver == RELAY_DRIVER_GPIOD && !strcmp(q->chip, ic->chip) &&
			    !strcmp(q->line, ic->line))
				return fail_at(c, line, err, errlen,
					       _("[injector.%s]: line %s of %s is already [injector.%s]"),
					       id, ic->line, ic->chip, q->item.id);
		}
		for (int p = 0; p < c->n_pumps; p++) {
			const struct pump_cfg *q = &c->pumps[p];

			if (q->driver == RELAY_DRIVER_GPIOD && !strcmp(q->chip, ic->chip) &&
			    !strcmp(q->line, ic->line)) {
				snprintf(what, sizeof(what), "[pump.%s]", q->item.id);
				return fail_at(c, line, err, errlen,
					       _("[injector.%s]: line %s of %s is already %s"), id,
					       ic->line, ic->chip, what);
			}
		}
	}
	if (ic->meter[0]) {
		m = config_meter_index(c, ic->meter);
		if (m < 0)
			return fail_at(c, line, err, errlen,
				       _("[injector.%s] names meter = %s, which has no [meter.%s] section"),
				       id, ic->meter, ic->meter);
		if (c->meters[m].pump_index >= 0 || c->meters[m].injector_index >= 0)
			return fail_at(c, line, err, errlen,
				       _("[injector.%s]: [meter.%s] is already in another line"), id,
				       ic->meter);
		if (c->meters[m].driver == RELAY_DRIVER_SIM && ic->driver != RELAY_DRIVER_SIM)
			return fail_at(c, line, err, errlen,
				       _("[injector.%s]: a simulated meter measures a simulated injector only"),
				       id);
		c->meters[m].injector_index = i;
		ic->meter_index = m;
	}
	/* The zones it doses: a whole dosing run within the pump's longest. */
	for (z = 0; z < c->n_zones; z++) {
		const struct zone_cfg *zc = &c->zones[z];
		int total = zc->wetting_minutes + zc->dosing_minutes + zc->flushing_minutes;

		if (zc->pump_index == ic->pump_index && total > c->pumps[ic->pump_index].max_minutes)
			return fail_at(c, zc->item.line, err, errlen,
				       _("[zone.%s]: a dosing run of %d + %d + %d minutes (wetting, dosing, flushing) is longer than max_minutes of [pump.%s] (%d)"),
				       zc->item.id, zc->wetting_minutes, zc->dosing_minutes,
				       zc->flushing_minutes, ic->pump, c->pumps[ic->pump_index].max_minutes);
	}
	return 0;
}

static bool valid_code(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 8)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s >= 'A' && *s <= 'Z'))
			return false;
	return true;
}

/* The line of [uplink]'s key, or of the section when it is not given. */
static int uplink_line(const struct config *c, const char *key)
{
	for (size_t i = 0; i < sizeof(uplink_fields) / sizeof(uplink_fields[0]); i++)
		if (strcmp(uplink_fields[i].key, key) == 0 && c->uplink.key_line[i])
			return c->uplink.key_line[i];
	return c->uplink.line;
}

/* A name a broker takes for a host: letters, digits, dots, dashes, and
 * the colons of an IPv6 address. */
static bool valid_host(const char *s)
{
	if (!*s || *s == '-' || *s == '.')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(".-:", *s))
			return false;
	return true;
}

/* A host the station finds without asking the network: an address, or a
 * name in /etc/hosts. libmosquitto looks a name up while it connects,
 * in the station's one loop: with the link up and its DNS server not
 * answering, that would hold the pumps' timers for seconds each time. */
static bool host_found_locally(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];
	char line[1024], *save, *word;
	bool found = false;
	FILE *f;

	if (inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1)
		return true;
	f = fopen("/etc/hosts", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "#\n")] = '\0';
		/* The address, then its names. */
		if (!strtok_r(line, " \t", &save))
			continue;
		while (!found && (word = strtok_r(NULL, " \t", &save)))
			found = strcasecmp(word, host) == 0;
	}
	fclose(f);
	return found;
}

/* A topic the station publishes under: printable ASCII, no wildcard, not
 * one of the broker's own ($SYS), no empty level. */
static bool valid_topic(const char *s)
{
	if (!*s || *s == '$' || *s == '/' || s[strlen(s) - 1] == '/' || strstr(s, "//"))
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '+' || *s == '#')
			return false;
	return true;
}

static int check_uplink(struct config *c, char *err, size_t errlen)
{
	struct uplink_cfg *u = &c->uplink;
	const char *files[] = { "ca_file", "cert_file", "key_file" };
	const char *paths[] = { u->ca_file, u->cert_file, u->key_file };
	const char *key;

#define UFAIL(k, ...) return fail_at(c, uplink_line(c, k), err, errlen, __VA_ARGS__)
	if (!config_has_uplink(u))
		return 0;
	key = missing_key(uplink_fields, sizeof(uplink_fields) / sizeof(uplink_fields[0]), u->seen);
	if (key)
		UFAIL(key, _("[uplink]: key \"%s\" is missing"), key);
	if (!valid_host(u->host))
		UFAIL("host", _("[uplink]: host %s is not a host name or an address"), u->host);
	if (!valid_topic(u->topic))
		UFAIL("topic", _("[uplink]: topic %s may hold only letters, digits and / between its parts, without + or #"),
		      u->topic);
	if (!u->cert_file[0] != !u->key_file[0])
		UFAIL(u->cert_file[0] ? "cert_file" : "key_file",
		      _("[uplink]: cert_file and key_file go together: the station's certificate and its key"));
	if (u->cert_file[0] && !u->ca_file[0])
		UFAIL("cert_file", _("[uplink]: a certificate needs ca_file, the cooperative's CA that signed the broker's"));
	if (!u->username[0] != !u->password[0])
		UFAIL(u->username[0] ? "username" : "password",
		      _("[uplink]: username and password go together"));
	for (int i = 0; i < 3; i++) {
		FILE *f;

		if (!paths[i][0])
			continue;
		if (paths[i][0] != '/')
			UFAIL(files[i], _("[uplink]: %s must be a full path, like /etc/fieldstation/%s"),
			      files[i], i == 0 ? "ca.crt" : i == 1 ? "station.crt" : "station.key");
		f = fopen(paths[i], "r");
		if (!f)
			UFAIL(files[i], _("[uplink]: %s %s cannot be read (%s)"), files[i], paths[i],
			      strerror(errno));
		fclose(f);
	}
	if (!host_found_locally(u->host))
		UFAIL("host", _("[uplink]: host %s is a name the station would have to look up on the network, which holds the pumps' timers while the link is down: give the broker's address, like 192.168.1.10, or put the name in /etc/hosts"),
		      u->host);
#undef UFAIL
	return 0;
}

/* The defaults that follow from other keys: a name from the section's ID,
 * a serial speed from the probe's model, the link's port from TLS. */
static void derive_defaults(struct config *c)
{
	struct uplink_cfg *u = &c->uplink;

	if (!c->station.name[0])
		snprintf(c->station.name, sizeof(c->station.name), "%s", c->station.code);
	for (int i = 0; i < c->n_pumps; i++) {
		struct pump_cfg *p = &c->pumps[i];

		if (!p->name[0])
			snprintf(p->name, sizeof(p->name), "%s", p->item.id);
		if (!GIVEN(pump_fields, p, "default_minutes"))
			p->default_minutes = p->max_minutes < 30 ? p->max_minutes : 30;
	}
	for (int i = 0; i < c->n_sensors; i++) {
		struct sensor_cfg *s = &c->sensors[i];

		if (!GIVEN(sensor_fields, s, "baud"))
			s->baud = s->driver == SENSOR_DRIVER_LINE ? 115200 :
				  s->model == MODEL_SOIL_0000 ? 4800 : 9600;
	}
	for (int i = 0; i < c->n_meters; i++)
		if (!c->meters[i].name[0])
			snprintf(c->meters[i].name, sizeof(c->meters[i].name), "%s",
				 c->meters[i].item.id);
	for (int i = 0; i < c->n_tanks; i++)
		if (!c->tanks[i].name[0])
			snprintf(c->tanks[i].name, sizeof(c->tanks[i].name), "%s", c->tanks[i].item.id);
	for (int i = 0; i < c->n_injectors; i++) {
		struct injector_cfg *ic = &c->injectors[i];
		int m = ic->meter[0] ? config_meter_index(c, ic->meter) : -1;

		if (!ic->name[0])
			snprintf(ic->name, sizeof(ic->name), "%s", ic->item.id);
		/* On the simulator, an injector's meter measures its rate. */
		if (m >= 0 && !GIVEN(meter_fields, &c->meters[m], "sim_flow"))
			c->meters[m].sim_flow = ic->rate;
	}
	if (!u->topic[0])
		snprintf(u->topic, sizeof(u->topic), "fieldstation/%s", c->station.code);
	if (!u->port)
		u->port = u->ca_file[0] ? 8883 : 1883;
}

/* Checks that need the whole file: required keys, references between
 * sections, and values that only make sense together. Every value is
 * there by now: given, or its default. */
static int check(struct config *c, char *err, size_t errlen)
{
	const char *key;

#define FAIL_AT(line, ...) do { \
		int n_ = snprintf(err, errlen, _("%s, line %d: "), c->path, line); \
		if (n_ > 0 && (size_t)n_ < errlen) \
			snprintf(err + n_, errlen - (size_t)n_, __VA_ARGS__); \
		return -1; \
	} while (0)

	if (!(c->station.seen & (1ull << 63))) {
		snprintf(err, errlen, _("%s: the [station] section is missing"), c->path);
		return -1;
	}
	key = missing_key(station_fields, sizeof(station_fields) / sizeof(station_fields[0]),
			  c->station.seen);
	if (key) {
		snprintf(err, errlen, _("%s: key \"%s\" is missing in [station]"), c->path, key);
		return -1;
	}
	if (!valid_code(c->station.code)) {
		snprintf(err, errlen, _("%s: code must be 2 to 8 capital letters or digits, like PT01"),
			 c->path);
		return -1;
	}
	if (!timezone_known(c->station.timezone)) {
		snprintf(err, errlen, _("%s: the time zone %s (timezone in [station]) is not in %s: install the tzdata package"),
			 c->path, c->station.timezone, timezone_dir());
		return -1;
	}
	if (config_csv_separator(c) == config_csv_decimal(c)) {
		snprintf(err, errlen, _("%s: csv_separator and csv_decimal cannot both be a comma"),
			 c->path);
		return -1;
	}
	if (c->station.rainy_from == c->station.rainy_to % 12 + 1) {
		snprintf(err, errlen, _("%s: rainy_from and rainy_to leave no month for the dry season"),
			 c->path);
		return -1;
	}
	if (c->station.usb_mount[0] && c->station.usb_mount[0] != '/') {
		snprintf(err, errlen, _("%s: usb_mount must be a full path, like /media/usb"), c->path);
		return -1;
	}

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		const struct section_kind *kind = &kinds[k];

		if (!kind->elem_size)
			continue;
		for (int i = 0; i < *item_count(c, kind); i++) {
			struct cfg_item *it = item_at(c, kind, i);

			key = missing_key(kind->fields, kind->n_fields, it->seen);
			if (key)
				FAIL_AT(it->line, _("key \"%s\" is missing in [%s.%s]"), key,
					kind->name, it->id);
		}
	}

	for (int i = 0; i < c->n_pumps; i++) {
		struct pump_cfg *p = &c->pumps[i];

		if (p->default_minutes > p->max_minutes)
			FAIL_AT(p->item.line, _("[pump.%s]: default_minutes is longer than max_minutes"),
				p->item.id);
		if (p->driver == RELAY_DRIVER_GPIOD && (!p->chip[0] || !p->line[0]))
			FAIL_AT(p->item.line, _("[pump.%s]: a gpiod pump needs chip and line"),
				p->item.id);
		for (int j = 0; j < i && p->driver == RELAY_DRIVER_GPIOD; j++) {
			const struct pump_cfg *q = &c->pumps[j];

			if (q->driver == RELAY_DRIVER_GPIOD && strcmp(q->chip, p->chip) == 0 &&
			    strcmp(q->line, p->line) == 0)
				FAIL_AT(p->item.line, _("[pump.%s]: line %s of %s is already the relay of [pump.%s]"),
					p->item.id, p->line, p->chip, q->item.id);
		}
	}

	for (int i = 0; i < c->n_zones; i++) {
		struct zone_cfg *z = &c->zones[i];

		if (!(z->moisture_critical < z->moisture_low && z->moisture_low < z->moisture_high))
			FAIL_AT(z->item.line,
				_("[zone.%s]: moisture must be critical < low < high (%g < %g < %g)"),
				z->item.id, z->moisture_critical, z->moisture_low, z->moisture_high);
		z->pump_index = z->pump[0] ? config_pump_index(c, z->pump) : -1;
		if (z->pump[0] && z->pump_index < 0)
			FAIL_AT(z->item.line, _("[zone.%s] names pump \"%s\", which has no [pump.%s] section"),
				z->item.id, z->pump, z->pump);
	}

	for (int i = 0; i < c->n_sensors; i++)
		if (check_sensor(c, &c->sensors[i], err, errlen) < 0)
			return -1;
	if (check_ports(c, err, errlen) < 0)
		return -1;
	for (int i = 0; i < c->n_meters; i++)
		if (check_meter(c, i, err, errlen) < 0)
			return -1;
	for (int i = 0; i < c->n_pumps; i++)
		if (check_pump_sensors(c, i, err, errlen) < 0)
			return -1;
	for (int i = 0; i < c->n_injectors; i++)
		if (check_injector(c, i, err, errlen) < 0)
			return -1;
	for (int i = 0; i < c->n_meters; i++)
		if (c->meters[i].pump_index < 0 && c->meters[i].injector_index < 0)
			return fail_at(c, c->meters[i].item.line, err, errlen,
				       _("[meter.%s] is in no pump's line: name it in the pump's section (meter = %s)"),
				       c->meters[i].item.id, c->meters[i].item.id);

	for (int i = 0; i < c->n_products; i++) {
		struct product_cfg *p = &c->products[i];

		if (p->kind == PRODUCT_FERTILIZER && GIVEN(product_fields, p, "phi_days"))
			FAIL_AT(p->item.line, _("[product.%s]: phi_days is for pesticides only"),
				p->item.id);
		if (p->kind == PRODUCT_PESTICIDE && !GIVEN(product_fields, p, "phi_days"))
			FAIL_AT(p->item.line,
				_("[product.%s]: a pesticide needs phi_days, its pre-harvest interval (0 if none)"),
				p->item.id);
	}
#undef FAIL_AT
	if (check_uplink(c, err, errlen) < 0)
		return -1;
	return check_tariff(c, err, errlen);
}

/* The configuration read from f, named path in what it says. */
static int load_stream(const char *path, FILE *f, struct config **out, char *err, size_t errlen)
{
	struct parse p = { .err = err, .errlen = errlen };
	struct config *c;
	int rc;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	p.cfg = c;
	p.f = f;
	rc = ini_parse_stream(read_line, &p, on_value, &p);
	if (!p.failed && rc > 0)
		snprintf(err, errlen, _("%s, line %d: this line is not \"key = value\" or [section]"),
			 path, rc);
	if (!p.failed && rc == 0 && p.n_unfilled) {
		snprintf(err, errlen,
			 _("%s is not filled in yet: write the farm's values in place of the \"?\" of %s; then check it with \"fieldstation check\"."),
			 path, p.unfilled);
		p.failed = true;
	}
	if (!p.failed && rc == 0) {
		fill_defaults(c);
		derive_defaults(c);
	}
	if (p.failed || rc != 0 || check(c, err, errlen) < 0) {
		char clean[1024];

		/* A key or a choice may hold a tab, which inih keeps inside. */
		text_clean(clean, errlen < sizeof(clean) ? errlen : sizeof(clean), err);
		strcpy(err, clean);
		config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	int rc;

	*out = NULL;
	if (!f) {
		snprintf(err, errlen, _("Cannot open the configuration file %s: %s"), path,
			 strerror(errno));
		return -1;
	}
	rc = load_stream(path, f, out, err, errlen);
	fclose(f);
	return rc;
}

int config_load_text(const char *name, const char *text, size_t len, struct config **out,
		     char *err, size_t errlen)
{
	/* fmemopen() will not open an empty buffer: an empty file is one
	 * blank line, which says as much. */
	FILE *f = len ? fmemopen((void *)text, len, "r") : fmemopen((void *)"\n", 1, "r");
	int rc;

	*out = NULL;
	if (!f) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	rc = load_stream(name, f, out, err, errlen);
	fclose(f);
	return rc;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	free(c->zones);
	free(c->sensors);
	free(c->pumps);
	free(c->meters);
	free(c->injectors);
	free(c->tanks);
	free(c->products);
	free(c->workers);
	free(c->pests);
	free(c->grades);
	free(c->buyers);
	free(c->periods);
	free(c->tariff.periods);
	free(c);
}

int config_zone_index(const struct config *c, const char *id)
{
	for (int i = 0; i < c->n_zones; i++)
		if (strcmp(c->zones[i].item.id, id) == 0)
			return i;
	return -1;
}

int config_zone_soil_sensors(const struct config *c, int zone, const char **codes, int max)
{
	int n = 0;

	for (int i = 0; i < c->n_sensors && n < max; i++)
		if (c->sensors[i].zone_index == zone && config_sensor_is_soil(&c->sensors[i]))
			codes[n++] = c->sensors[i].item.id;
	return n;
}

int config_pump_index(const struct config *c, const char *id)
{
	for (int i = 0; i < c->n_pumps; i++)
		if (strcmp(c->pumps[i].item.id, id) == 0)
			return i;
	return -1;
}

int config_meter_index(const struct config *c, const char *id)
{
	for (int i = 0; i < c->n_meters; i++)
		if (strcmp(c->meters[i].item.id, id) == 0)
			return i;
	return -1;
}

int config_sensor_index(const struct config *c, const char *id)
{
	for (int i = 0; i < c->n_sensors; i++)
		if (strcmp(c->sensors[i].item.id, id) == 0)
			return i;
	return -1;
}

int config_injector_index(const struct config *c, const char *id)
{
	for (int i = 0; i < c->n_injectors; i++)
		if (strcmp(c->injectors[i].item.id, id) == 0)
			return i;
	return -1;
}

int config_tank_index(const struct config *c, const char *id)
{
	for (int i = 0; i < c->n_tanks; i++)
		if (strcmp(c->tanks[i].item.id, id) == 0)
			return i;
	return -1;
}

double config_meter_cap(const struct meter_cfg *m)
{
	return m->max_flow * m->pulses_per_litre / 60.0;
}

char *config_sensor_name(const struct config *cfg, int i, char *buf, size_t n)
{
	const struct sensor_cfg *sc = &cfg->sensors[i];
	int pump = config_sensor_pump(cfg, i);

	if (sc->zone_index >= 0)
		snprintf(buf, n, _("probe %d – %s"), i + 1, cfg->zones[sc->zone_index].name);
	else if (pump >= 0)
		snprintf(buf, n, sc->model == MODEL_FLOW ? _("probe %d – water flow of %s")
			 : _("probe %d – water pressure of %s"), i + 1, cfg->pumps[pump].name);
	else if (config_sensor_is_air(sc))
		snprintf(buf, n, _("probe %d – the air"), i + 1);
	else
		snprintf(buf, n, _("probe %d"), i + 1);
	return buf;
}

bool config_sensor_is_soil(const struct sensor_cfg *s)
{
	return s->model == MODEL_SOIL_0000 || s->model == MODEL_SOIL_JXCT ||
	       s->model == MODEL_SOIL_ANALOG;
}

bool config_sensor_is_air(const struct sensor_cfg *s)
{
	return s->model == MODEL_AIR_XYMD02;
}

int config_sensor_pump(const struct config *c, int sensor)
{
	for (int p = 0; p < c->n_pumps; p++)
		if (c->pumps[p].pressure_index == sensor || c->pumps[p].flow_index == sensor)
			return p;
	return -1;
}

int config_pump_zone(const struct config *c, int pump)
{
	for (int z = 0; pump >= 0 && z < c->n_zones; z++)
		if (c->zones[z].pump_index == pump)
			return z;
	return -1;
}

bool config_sensor_is_analog(const struct sensor_cfg *s)
{
	return s->model == MODEL_SOIL_ANALOG;
}

const char *config_sensor_model(const struct sensor_cfg *s)
{
	return sensor_models[s->model];
}

char config_sensor_parity(const struct sensor_cfg *s)
{
	return "NEO"[s->parity];
}

bool config_uses_hardware(const struct config *c)
{
	for (int i = 0; i < c->n_pumps; i++)
		if (c->pumps[i].driver != RELAY_DRIVER_SIM)
			return true;
	for (int i = 0; i < c->n_meters; i++)
		if (c->meters[i].driver != RELAY_DRIVER_SIM)
			return true;
	for (int i = 0; i < c->n_injectors; i++)
		if (c->injectors[i].driver != RELAY_DRIVER_SIM)
			return true;
	for (int i = 0; i < c->n_sensors; i++)
		if (c->sensors[i].driver != SENSOR_DRIVER_SIM)
			return true;
	return false;
}

const char *config_language(const struct config *c)
{
	return languages[c->station.language];
}

int config_product_index(const struct config *c, const char *id)
{
	for (int i = 0; i < c->n_products; i++)
		if (strcmp(c->products[i].item.id, id) == 0)
			return i;
	return -1;
}

int config_worker_index(const struct config *c, const char *id)
{
	for (int i = 0; i < c->n_workers; i++)
		if (strcmp(c->workers[i].item.id, id) == 0)
			return i;
	return -1;
}

int config_zone_crops(const struct zone_cfg *z, char crops[][CFG_NAME_LEN], int max)
{
	const char *s = z->crop[0] ? z->crop : z->name;
	int n = 0;

	while (*s && n < max) {
		const char *comma = strchr(s, ',');
		const char *end = comma ? comma : s + strlen(s);
		const char *a = s;

		while (a < end && *a == ' ')
			a++;
		while (end > a && end[-1] == ' ')
			end--;
		if (end > a && (size_t)(end - a) < CFG_NAME_LEN) {
			memcpy(crops[n], a, (size_t)(end - a));
			crops[n++][end - a] = '\0';
		}
		s = comma ? comma + 1 : s + strlen(s);
	}
	return n;
}

char config_csv_separator(const struct config *c)
{
	static const char sep[] = { ';', ',', '\t' };

	return sep[c->station.csv_separator];
}

char config_csv_decimal(const struct config *c)
{
	return c->station.csv_decimal == CSV_DEC_POINT ? '.' : ',';
}
