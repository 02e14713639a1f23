/* The configuration: the demo farm loads; every kind of mistake is refused
 * with the file, the line and the key named. */
#include "testlib.h"

#include "config.h"
#include "text.h"

static const char base[] =
	"[station]\n"
	"name = HTX Phước Thiện - trạm 1\n"
	"code = PT01   ; in lot codes\n"
	"\n"
	"[zone.mit]\n"
	"name = Mít ruột đỏ\n"
	"pump = p1\n"
	"\n"
	"[sensor.soil1]\n"
	"driver = sim\n"
	"zone = mit\n"
	"model = soil-0000\n"
	"\n"
	"[pump.p1]\n"
	"driver = sim\n"
	"power_kw = 1,5\n";

static char *dir;

static int setup(void **state)
{
	(void)state;
	text_init("en");
	dir = test_mkdir();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rmdir(dir);
	return 0;
}

/* Loads text (base + extra) and returns the error, or "" on success. */
static const char *load(const char *extra, struct config **out)
{
	static char err[512];
	char text[4096];
	struct config *c = NULL;

	snprintf(text, sizeof(text), "%s%s", base, extra);
	err[0] = '\0';
	if (config_load(test_write(dir, "farm.ini", text), &c, err, sizeof(err)) == 0) {
		assert_string_equal(err, "");
		if (out)
			*out = c;
		else
			config_free(c);
		return "";
	}
	assert_null(c);
	assert_true(strlen(err) > 0);
	return err;
}

static void assert_mentions(const char *err, const char *a, const char *b, const char *c)
{
	if (!strstr(err, a) || !strstr(err, b) || (c && !strstr(err, c)))
		fail_msg("error \"%s\" should mention \"%s\", \"%s\" and \"%s\"", err, a, b,
			 c ? c : "");
}

static void demo_farm_loads(void **state)
{
	struct config *c;
	char err[512];

	(void)state;
	assert_int_equal(config_load("config/demo.ini", &c, err, sizeof(err)), 0);
	assert_string_equal(c->station.code, "PT01");
	assert_string_equal(c->station.name, "HTX Phước Thiện - trạm 1");
	assert_int_equal(c->n_zones, 2);
	assert_int_equal(c->n_pumps, 2);
	assert_int_equal(c->n_sensors, 4);
	int soil = 0, air = 0;
	for (int i = 0; i < c->n_sensors; i++)
		config_sensor_is_soil(&c->sensors[i]) ? soil++ : air++;
	assert_int_equal(soil, 3);
	assert_int_equal(air, 1);
	/* Zones point at their pumps; sensors at their zones. */
	assert_int_equal(c->zones[0].pump_index, 0);
	assert_int_equal(c->zones[1].pump_index, 1);
	assert_int_equal(c->sensors[2].zone_index, 1);
	assert_int_equal(c->sensors[3].zone_index, -1);
	/* Both tariff periods, oldest first. */
	assert_int_equal(c->tariff.n_periods, 2);
	assert_int_equal(c->tariff.periods[0].from_day, 20140101);
	assert_int_equal(c->tariff.periods[0].n_peak, 2);
	assert_int_equal(c->tariff.periods[1].from_day, 20260501);
	assert_int_equal(c->tariff.periods[1].peak[0].start_min, 17 * 60 + 30);
	assert_int_equal(c->tariff.periods[1].peak[0].end_min, 22 * 60 + 30);
	assert_false(config_uses_hardware(c));
	/* Records are picked from lists: products, organic and not, and
	 * the people who do the work. */
	assert_true(c->n_products >= 6 && c->n_workers >= 2 && c->n_pests >= 2);
	int organic = 0, pesticides = 0;
	for (int i = 0; i < c->n_products; i++) {
		organic += c->products[i].organic;
		pesticides += c->products[i].kind == PRODUCT_PESTICIDE;
	}
	assert_true(organic >= 2 && organic < c->n_products);
	assert_true(pesticides >= 2);
	assert_true(c->zones[1].organic);
	config_free(c);
}

/* A pump's zone, as the pumps screen, the dosing and the readings of its
 * flow sensor name it: the first in the file that it waters. */
static void a_pump_waters_its_first_zone(void **state)
{
	struct config *c = NULL;

	(void)state;
	assert_string_equal(load("[pump.p2]\ndriver = sim\npower_kw = 1\n"
				 "[pump.p3]\ndriver = sim\npower_kw = 1\n"
				 "[zone.a]\nname = A\npump = p2\n"
				 "[zone.b]\nname = B\npump = p3\n"
				 "[zone.c]\nname = C\npump = p2\n", &c), "");
	assert_int_equal(config_pump_zone(c, config_pump_index(c, "p1")), config_zone_index(c, "mit"));
	assert_int_equal(config_pump_zone(c, config_pump_index(c, "p2")), config_zone_index(c, "a"));
	assert_int_equal(config_pump_zone(c, config_pump_index(c, "p3")), config_zone_index(c, "b"));
	assert_int_not_equal(config_zone_index(c, "a"), -1);
	assert_int_equal(config_pump_zone(c, -1), -1);
	config_free(c);
	/* A pump that waters no zone. */
	assert_string_equal(load("[pump.p2]\ndriver = sim\npower_kw = 1\n", &c), "");
	assert_int_equal(config_pump_zone(c, config_pump_index(c, "p2")), -1);
	config_free(c);
}

static void defaults_and_inline_comments(void **state)
{
	struct config *c;

	(void)state;
	assert_string_equal(load("", &c), "");
	/* "PT01   ; in lot codes" is PT01: the comment is not part of it. */
	assert_string_equal(c->station.code, "PT01");
	assert_int_equal(c->station.poll_seconds, 60);
	assert_int_equal(c->station.language, 0);
	assert_true(c->zones[0].moisture_critical < c->zones[0].moisture_low);
	assert_true(c->zones[0].moisture_low < c->zones[0].moisture_high);
	/* A decimal comma is read as a Vietnamese technician means it. */
	assert_true(c->pumps[0].power_kw == 1.5);
	assert_int_equal(c->pumps[0].max_minutes, 60);
	assert_string_equal(c->pumps[0].name, "p1");
	assert_int_equal(c->sensors[0].baud, 4800);	/* the 0x0000 layout's */
	assert_int_equal(c->sensors[0].address, 1);
	/* No tariff windows given: those of Circular 16/2014. */
	assert_int_equal(c->tariff.n_periods, 1);
	assert_int_equal(c->tariff.periods[0].n_peak, 2);
	config_free(c);
}

/* Every default the README's table of keys gives, for a file that gives
 * none of them. */
static void defaults_as_the_readme_gives_them(void **state)
{
	struct config *c;
	const struct zone_cfg *z;

	(void)state;
	assert_string_equal(load("[meter.m1]\ndriver = sim\npulses_per_litre = 450\n"
				 "[pump.p2]\ndriver = sim\npower_kw = 1\nmax_minutes = 20\n"
				 "meter = m1\nmin_flow = 5\n"
				 "[sensor.air1]\ndriver = modbus\nport = /dev/ttyUSB0\nmodel = air-xymd02\n"
				 "[product.npk]\nname = NPK\nkind = fertilizer\nunit = kg\n"
				 "[tank.t1]\ncapacity = 200\n"
				 "[uplink]\nhost = 10.0.0.2\n", &c), "");
	assert_string_equal(c->station.name, "HTX Phước Thiện - trạm 1");
	assert_int_equal(c->station.flush_minutes, 10);
	assert_int_equal(c->station.keep_raw_days, 90);
	assert_int_equal(c->station.max_pumps_running, 1);
	assert_int_equal(c->station.seed, 1);
	assert_int_equal(c->station.backup_hours, 168);
	assert_int_equal(c->station.backup_keep, 2);
	assert_int_equal(c->station.rainy_from, 5);
	assert_int_equal(c->station.rainy_to, 10);
	assert_string_equal(c->station.timezone, "Asia/Ho_Chi_Minh");
	assert_true(c->tariff.price[BAND_OFFPEAK] == 1300);
	assert_true(c->tariff.price[BAND_NORMAL] == 1987);
	assert_true(c->tariff.price[BAND_PEAK] == 3640);
	assert_string_equal(c->tariff.currency, "VND");
	z = &c->zones[0];
	assert_true(z->moisture_low == 30 && z->moisture_high == 45 && z->moisture_critical == 20);
	assert_int_equal(z->season_days, 120);
	assert_true(z->harvest_max_kg == 20000);
	assert_false(z->water_by_moisture);
	assert_true(z->rise_percent == 2);
	assert_int_equal(z->rise_minutes, 20);
	assert_int_equal(z->rest_minutes, 60);
	assert_int_equal(z->wetting_minutes, 10);
	assert_int_equal(z->dosing_minutes, 20);
	assert_int_equal(z->flushing_minutes, 10);
	/* The air probe: 9600 baud, address 1, 500 ms, two retries. */
	assert_int_equal(c->sensors[1].baud, 9600);
	assert_int_equal(c->sensors[1].address, 1);
	assert_int_equal(c->sensors[1].timeout_ms, 500);
	assert_int_equal(c->sensors[1].retries, 2);
	assert_int_equal(c->pumps[0].default_minutes, 30);
	assert_int_equal(c->pumps[0].flow_grace_seconds, 60);
	assert_false(c->pumps[0].active_low);
	/* A pump whose longest run is 20 minutes starts for 20. */
	assert_int_equal(c->pumps[1].default_minutes, 20);
	assert_string_equal(c->meters[0].name, "m1");
	assert_true(c->meters[0].max_flow == 100);
	assert_int_equal(c->meters[0].debounce_us, 500);
	assert_true(c->meters[0].sim_flow == 40);
	assert_true(c->products[0].max_amount == 1000);
	/* -1: the zone's phases. */
	assert_int_equal(c->products[0].wetting_minutes, -1);
	assert_int_equal(c->products[0].dosing_minutes, -1);
	assert_int_equal(c->products[0].flushing_minutes, -1);
	assert_string_equal(c->tanks[0].name, "t1");
	assert_int_equal(c->uplink.port, 1883);
	assert_int_equal(c->uplink.keepalive, 60);
	assert_int_equal(c->uplink.batch, 200);
	assert_int_equal(c->uplink.outbox_max, 200000);
	assert_int_equal(c->uplink.resend_seconds, 60);
	config_free(c);
}

static void unknown_key_names_file_line_key(void **state)
{
	(void)state;
	/* base has 16 lines; the section is line 17, the key line 18. */
	const char *err = load("[zone.vusua]\nname = Vú sữa\nmoisture_lo = 30\n", NULL);

	assert_mentions(err, "farm.ini", "line 19", "moisture_lo");
	assert_mentions(err, "zone.vusua", "unknown key", NULL);
}

static void unknown_section(void **state)
{
	(void)state;
	assert_mentions(load("[valve.v1]\nname = x\n", NULL), "line 17", "valve.v1", NULL);
	assert_mentions(load("[zone]\nname = x\n", NULL), "line 17", "[zone]", NULL);
}

static void duplicates(void **state)
{
	(void)state;
	assert_mentions(load("[zone.mit]\nname = again\n", NULL), "line 17", "zone.mit", "twice");
	assert_mentions(load("[pump.p2]\ndriver = sim\npower_kw = 1\ndriver = sim\n", NULL),
			"line 20", "driver", "twice");
	assert_mentions(load("[station]\ncode = PT02\n", NULL), "line 17", "station", "twice");
}

static void bad_values(void **state)
{
	(void)state;
	assert_mentions(load("[pump.p2]\ndriver = sim\npower_kw = lots\n", NULL), "line 19",
			"power_kw", "lots");
	assert_mentions(load("[pump.p2]\ndriver = sim\npower_kw = 1\nmax_minutes = 9000\n", NULL),
			"line 20", "max_minutes", "9000");
	assert_mentions(load("[pump.p2]\ndriver = relay\npower_kw = 1\n", NULL), "line 18",
			"driver", "gpiod");
	assert_mentions(load("[zone.x]\nname = x\norganic = maybe\n", NULL), "line 19", "organic",
			"maybe");
	assert_mentions(load("[pump.p2]\ndriver = sim\npower_kw = 1\nmax_minutes = 1.5\n", NULL),
			"line 20", "max_minutes", "whole");
}

static void missing_keys(void **state)
{
	(void)state;
	/* The pump section starts on line 17 and has no power_kw. */
	assert_mentions(load("[pump.p2]\ndriver = sim\n", NULL), "line 17", "power_kw", "pump.p2");
	assert_mentions(load("[sensor.s9]\ndriver = modbus\nzone = mit\nmodel = soil-jxct\n", NULL),
			"line 17", "port", NULL);
	assert_mentions(load("[sensor.s9]\ndriver = sim\nmodel = soil-jxct\n", NULL), "line 17",
			"sensor.s9", "zone");
	assert_mentions(load("[pump.p2]\ndriver = gpiod\npower_kw = 1\n", NULL), "line 17", "chip",
			NULL);
}

static void missing_station_code(void **state)
{
	struct config *c = NULL;
	char err[512];

	(void)state;
	assert_int_equal(config_load(test_write(dir, "nocode.ini", "[station]\nname = x\n"), &c,
				     err, sizeof(err)), -1);
	assert_mentions(err, "nocode.ini", "code", "station");
	assert_int_equal(config_load(test_write(dir, "badcode.ini", "[station]\ncode = pt 1\n"),
				     &c, err, sizeof(err)), -1);
	assert_mentions(err, "badcode.ini", "code", "PT01");
	assert_int_equal(config_load(test_write(dir, "empty.ini", ""), &c, err, sizeof(err)), -1);
	assert_mentions(err, "empty.ini", "[station]", NULL);
}

static const char *load_station(const char *lines)
{
	static char err[512];
	char text[512];
	struct config *c = NULL;

	snprintf(text, sizeof(text), "[station]\ncode = PT01\n%s", lines);
	err[0] = '\0';
	if (config_load(test_write(dir, "csv.ini", text), &c, err, sizeof(err)) == 0) {
		snprintf(err, sizeof(err), "sep=%c dec=%c usb=%s", config_csv_separator(c),
			 config_csv_decimal(c), c->station.usb_mount);
		config_free(c);
	}
	return err;
}

/* Excel on a Vietnamese PC: ';' between fields and a decimal comma, unless
 * the cooperative's office says otherwise. */
static void csv_marks_and_usb_folder(void **state)
{
	(void)state;
	assert_string_equal(load_station(""), "sep=; dec=, usb=");
	assert_string_equal(load_station("csv_separator = comma\ncsv_decimal = point\n"),
			    "sep=, dec=. usb=");
	assert_string_equal(load_station("csv_separator = tab\n"), "sep=\t dec=, usb=");
	assert_string_equal(load_station("usb_mount = /media/usb\n"), "sep=; dec=, usb=/media/usb");
	assert_mentions(load_station("usb_mount = media/usb\n"), "csv.ini", "usb_mount", "/media/usb");
	assert_mentions(load_station("csv_separator = comma\n"), "csv.ini", "csv_separator",
			"csv_decimal");
	assert_mentions(load_station("csv_separator = ;\n"), "line 3", "csv_separator",
			"semicolon");
	assert_mentions(load_station("csv_decimal = dot\n"), "line 3", "csv_decimal", "point");
}

/* The seasons the savings are added up by: the south's rains by
 * default, another region's by two months; a dry season is left. */
static void rainy_season_months(void **state)
{
	struct config *c = NULL;
	char err[512];

	(void)state;
	assert_int_equal(config_load(test_write(dir, "s.ini", "[station]\ncode = PT01\n"), &c, err,
				     sizeof(err)), 0);
	assert_int_equal(c->station.rainy_from, 5);
	assert_int_equal(c->station.rainy_to, 10);
	config_free(c);
	assert_int_equal(config_load(test_write(dir, "s.ini", "[station]\ncode = PT01\n"
						"rainy_from = 9\nrainy_to = 12\n"), &c, err, sizeof(err)), 0);
	assert_int_equal(c->station.rainy_from, 9);
	assert_int_equal(c->station.rainy_to, 12);
	config_free(c);
	assert_mentions(load_station("rainy_from = 11\nrainy_to = 10\n"), "csv.ini", "rainy_from",
			"dry season");
	assert_mentions(load_station("rainy_from = 1\nrainy_to = 12\n"), "csv.ini", "rainy_to",
			"dry season");
	assert_mentions(load_station("rainy_to = 13\n"), "line 3", "rainy_to", "12");
}

/* [uplink]: the office link. Absent, there is none; given, its host is
 * needed, its defaults follow TLS, and what does not go together or
 * cannot be read is refused at its line. */
static void uplink_settings(void **state)
{
	struct config *c = NULL;
	char extra[1024];

	(void)state;
	assert_string_equal(load("", &c), "");
	assert_false(config_has_uplink(&c->uplink));
	config_free(c);
	assert_string_equal(load("[uplink]\nhost = 10.0.0.2\n", &c), "");
	assert_true(config_has_uplink(&c->uplink));
	assert_int_equal(c->uplink.port, 1883);
	assert_string_equal(c->uplink.topic, "fieldstation/PT01");
	assert_int_equal(c->uplink.batch, 200);
	config_free(c);
	snprintf(extra, sizeof(extra), "[uplink]\nhost = fd00::2\nca_file = %s\n",
		 test_write(dir, "ca.crt", "-----BEGIN CERTIFICATE-----\n"));
	assert_string_equal(load(extra, &c), "");
	assert_int_equal(c->uplink.port, 8883);
	config_free(c);
	/* A name is taken only from /etc/hosts: looked up on the network, it
	 * would hold the station's loop while the link is down. */
	assert_mentions(load("[uplink]\nhost = office.htx.invalid\n", NULL), "line 18", "host",
			"/etc/hosts");
	{
		FILE *h = fopen("/etc/hosts", "r");
		char line[512];
		bool listed = false;

		while (h && fgets(line, sizeof(line), h))
			listed |= strstr(line, "localhost") != NULL && line[0] != '#';
		if (h)
			fclose(h);
		if (listed) {
			assert_string_equal(load("[uplink]\nhost = localhost\n", &c), "");
			config_free(c);
		}
	}
	/* The base ends at line 16; [uplink] is line 17. */
	assert_mentions(load("[uplink]\nport = 1883\n", NULL), "line 17", "host", NULL);
	assert_mentions(load("[uplink]\nhost = a b\n", NULL), "line 18", "host", "a b");
	assert_mentions(load("[uplink]\nhost = h\ntopic = farms/+/PT01\n", NULL), "line 19",
			"topic", "farms/+/PT01");
	assert_mentions(load("[uplink]\nhost = h\ntopic = $SYS/x\n", NULL), "line 19", "topic",
			NULL);
	assert_mentions(load("[uplink]\nhost = h\nusername = pt01\n", NULL), "line 19",
			"username", "password");
	assert_mentions(load("[uplink]\nhost = h\nkey_file = /etc/fs/st.key\n", NULL), "line 19",
			"cert_file", "key_file");
	assert_mentions(load("[uplink]\nhost = h\nca_file = /nonexistent/ca.crt\n", NULL),
			"line 19", "ca_file", "/nonexistent/ca.crt");
	assert_mentions(load("[uplink]\nhost = h\nca_file = ca.crt\n", NULL), "line 19",
			"ca_file", "full path");
	assert_mentions(load("[uplink]\nhost = h\nport = 0\n", NULL), "line 19", "port", NULL);
	assert_mentions(load("[uplink]\nhost = h\nqos = 2\n", NULL), "line 19", "qos", NULL);
}

/* Station time: Vietnam's unless [station] timezone names another zone
 * of the system's database; anything else is refused at its line. */
static void station_time_zone(void **state)
{
	struct config *c;
	char err[512];

	(void)state;
	assert_string_equal(load("", &c), "");
	assert_string_equal(c->station.timezone, "Asia/Ho_Chi_Minh");
	config_free(c);
	assert_int_equal(config_load(test_write(dir, "tz.ini",
						"[station]\ncode = PT01\ntimezone = America/New_York\n"),
				     &c, err, sizeof(err)), 0);
	assert_string_equal(c->station.timezone, "America/New_York");
	config_free(c);
	assert_mentions(load_station("timezone = Asia/Sai_Gon\n"), "csv.ini, line 3", "timezone",
			"Asia/Sai_Gon");
	assert_mentions(load_station("timezone = ../../../etc/passwd\n"), "line 3", "timezone",
			"/usr/share/zoneinfo");
	assert_mentions(load_station("timezone = Asia\n"), "line 3", "timezone", NULL);
	assert_mentions(load_station("timezone =\n"), "line 3", "timezone", NULL);
	/* A board without tzdata has not even the default zone: say so. */
	setenv("TZDIR", dir, 1);
	assert_mentions(load_station(""), "csv.ini", "Asia/Ho_Chi_Minh", "tzdata");
	unsetenv("TZDIR");
}

static void references_and_thresholds(void **state)
{
	(void)state;
	assert_mentions(load("[zone.x]\nname = x\npump = p9\n", NULL), "line 17", "p9", "pump.p9");
	assert_mentions(load("[sensor.s2]\ndriver = sim\nzone = nowhere\nmodel = soil-0000\n", NULL),
			"line 17", "nowhere", NULL);
	assert_mentions(load("[zone.x]\nname = x\nmoisture_low = 50\nmoisture_high = 40\n", NULL),
			"line 17", "zone.x", "critical < low < high");
}

static void tariff_windows(void **state)
{
	struct config *c;

	(void)state;
	assert_mentions(load("[tariff.new]\nfrom = 2026-05-01\npeak = mon-sat 17:30-2230\n", NULL),
			"line 17", "tariff.new", "09:30-11:30");
	assert_mentions(load("[tariff.new]\nfrom = 1 May\npeak = mon-sat 17:30-22:30\n", NULL),
			"line 17", "from", NULL);
	assert_string_equal(load("[tariff.new]\nfrom = 2026-05-01\npeak = mon-sat 17:30-22:30\n"
				 "offpeak = all 00:00-06:00\n", &c), "");
	assert_int_equal(c->tariff.n_periods, 1);
	assert_int_equal(c->tariff.periods[0].offpeak[0].days, 0x7f);
	assert_int_equal(c->tariff.periods[0].peak[0].days, 0x7e);
	config_free(c);
}

static void syntax_and_long_lines(void **state)
{
	char line[400];

	(void)state;
	assert_mentions(load("[zone.x]\nname = x\nthis is not a key\n", NULL), "line 19", "farm.ini",
			NULL);
	memset(line, 'a', sizeof(line));
	memcpy(line, "[zone.x]\nname = ", 16);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	assert_mentions(load(line, NULL), "line 18", "too long", NULL);
	assert_mentions(load("[zone.bad id]\nname = x\n", NULL), "line 17", "zone.bad id", NULL);
	assert_mentions(load("[zone.mít]\nname = x\n", NULL), "line 17", "zone.mít", NULL);
}

static void missing_file(void **state)
{
	struct config *c = NULL;
	char err[512];

	(void)state;
	assert_int_equal(config_load("/nonexistent/farm.ini", &c, err, sizeof(err)), -1);
	assert_null(c);
	assert_mentions(err, "/nonexistent/farm.ini", "No such file", NULL);
}

static void products_workers_and_lists(void **state)
{
	struct config *c;
	char crops[CFG_MAX_CROPS][CFG_NAME_LEN];

	(void)state;
	/* A pesticide without its pre-harvest interval could let a harvest
	 * through too early: refused. */
	assert_mentions(load("[product.r]\nname = Radiant\nkind = pesticide\nunit = ml\n", NULL),
			"line 17", "product.r", "phi_days");
	assert_mentions(load("[product.n]\nname = NPK\nkind = fertilizer\nunit = kg\nphi_days = 3\n",
			     NULL), "line 17", "phi_days", "pesticides only");
	assert_mentions(load("[product.n]\nname = NPK\nkind = fertilizer\nunit = kg\nmax_amount = -1\n",
			     NULL), "line 21", "max_amount", NULL);
	assert_mentions(load("[pest.x]\n", NULL), "line 17", "name", "pest.x");
	assert_string_equal(load("[zone.tieu]\nname = Tiêu\ncrop = Tiêu , Sầu riêng\n"
				 "[product.n]\nname = NPK\nkind = fertilizer\nunit = kg\n"
				 "[pest.rep]\nname = Rệp sáp\n[grade.1]\nname = Loại 1\n"
				 "[buyer.vua]\nname = Vựa Minh Phát\n[worker.ba]\nname = Ba\n", &c), "");
	assert_int_equal(c->products[0].max_amount, 1000);	/* the default */
	assert_int_equal(c->zones[1].season_days, 120);
	assert_int_equal(c->n_pests, 1);
	assert_int_equal(c->n_grades, 1);
	assert_int_equal(c->n_buyers, 1);
	assert_string_equal(c->buyers[0].name, "Vựa Minh Phát");
	assert_int_equal(config_worker_index(c, "ba"), 0);
	/* Two crops in one zone; a zone without a crop harvests its name. */
	assert_int_equal(config_zone_crops(&c->zones[1], crops, CFG_MAX_CROPS), 2);
	assert_string_equal(crops[0], "Tiêu");
	assert_string_equal(crops[1], "Sầu riêng");
	assert_int_equal(config_zone_crops(&c->zones[0], crops, CFG_MAX_CROPS), 1);
	assert_string_equal(crops[0], "Mít ruột đỏ");
	config_free(c);
}

static const struct modbus_value *reads(const struct sensor_cfg *s, enum quantity q)
{
	for (int k = 0; k < s->n_values; k++)
		if (s->values[k].quantity == q)
			return &s->values[k];
	return NULL;
}

/* A model's register map, with what the configuration changes in it. */
static void sensor_registers_and_overrides(void **state)
{
	struct config *c;
	const struct sensor_cfg *s;

	(void)state;
	assert_string_equal(load("[sensor.j]\ndriver = modbus\nzone = mit\nport = /dev/ttyUSB0\n"
				 "model = soil-jxct\n"
				 "[sensor.k]\ndriver = modbus\nzone = mit\nport = /dev/ttyUSB0\n"
				 "model = soil-jxct\naddress = 2\nmoisture_register = 0x0002\n"
				 "moisture_scale = 0,01\nph_register = none\ntemperature_signed = no\n"
				 "function = 4\ntimeout_ms = 800\nretries = 0\n"
				 "[sensor.a]\ndriver = modbus\nport = /dev/ttyUSB0\nmodel = air-xymd02\n"
				 "address = 3\nhumidity_register = 18\n", &c), "");
	s = &c->sensors[1];	/* the preset as DOMAIN.md has it */
	assert_int_equal(s->n_values, 4);
	assert_int_equal(reads(s, Q_MOISTURE)->reg, 0x12);
	assert_true(reads(s, Q_MOISTURE)->scale == 0.1);
	assert_int_equal(reads(s, Q_PH)->reg, 0x06);
	assert_true(reads(s, Q_PH)->scale == 0.01);
	assert_true(reads(s, Q_SOIL_TEMP)->is_signed);
	assert_int_equal(s->baud, 9600);
	assert_int_equal(s->timeout_ms, 500);
	assert_int_equal(s->retries, 2);
	s = &c->sensors[2];	/* overridden */
	assert_int_equal(s->n_values, 3);
	assert_null(reads(s, Q_PH));
	assert_int_equal(reads(s, Q_MOISTURE)->reg, 2);
	assert_true(reads(s, Q_MOISTURE)->scale == 0.01);
	assert_int_equal(reads(s, Q_MOISTURE)->function, 4);
	assert_false(reads(s, Q_SOIL_TEMP)->is_signed);
	assert_int_equal(s->timeout_ms, 800);
	assert_int_equal(s->retries, 0);
	s = &c->sensors[3];	/* "temperature" of an air sensor is the air's */
	assert_int_equal(reads(s, Q_AIR_TEMP)->reg, 1);
	assert_int_equal(reads(s, Q_HUMIDITY)->reg, 18);
	assert_true(config_uses_hardware(c));
	config_free(c);

	assert_mentions(load("[sensor.j]\ndriver = modbus\nzone = mit\nport = /dev/ttyUSB0\n"
			     "model = soil-jxct\nph_register = 0x1G\n", NULL),
			"line 17", "ph_register", "0x1G");
	assert_mentions(load("[sensor.j]\ndriver = modbus\nzone = mit\nport = /dev/ttyUSB0\n"
			     "model = soil-jxct\nhumidity_scale = 0.1\n", NULL),
			"line 17", "humidity_register", NULL);
	assert_mentions(load("[sensor.j]\ndriver = modbus\nport = /dev/ttyUSB0\nmodel = air-xymd02\n"
			     "temperature_register = none\nhumidity_register = none\n", NULL),
			"line 17", "sensor.j", "nothing to read");
	assert_mentions(load("[sensor.j]\ndriver = sim\nzone = mit\nmodel = soil-jxct\n"
			     "moisture_register = 3\n", NULL), "line 17", "moisture_register", "modbus");
	assert_mentions(load("[sensor.j]\ndriver = modbus\nzone = mit\nport = /dev/ttyUSB0\n"
			     "model = soil-analog\n", NULL), "line 17", "driver = line", NULL);
	assert_mentions(load("[sensor.j]\ndriver = line\nzone = mit\nport = /dev/ttyACM0\n"
			     "model = soil-analog\n", NULL), "line 17", "channel", NULL);
}

/* A pump names the pressure and flow sensors in its line and the least
 * each must read once water runs; such sensors have only the registers
 * the configuration gives. */
static void pump_pressure_and_flow_sensors(void **state)
{
	struct config *c;
	const struct sensor_cfg *s;
	const char *flow1 = "[sensor.flow1]\ndriver = sim\nmodel = flow\n";

	(void)state;
	assert_string_equal(load("flow_sensor = flow1\nmin_flow = 20\npressure_sensor = pr1\n"
				 "min_pressure = 1,2\n"
				 "[sensor.flow1]\ndriver = modbus\nport = /dev/ttyUSB0\naddress = 5\n"
				 "model = flow\nflow_register = 0x0004\nflow_scale = 0.1\n"
				 "[sensor.pr1]\ndriver = sim\nmodel = pressure\nsim_fault = no_water\n",
				 &c), "");
	assert_int_equal(c->pumps[0].flow_index, 1);
	assert_int_equal(c->pumps[0].pressure_index, 2);
	assert_true(c->pumps[0].min_flow == 20);
	assert_true(c->pumps[0].min_pressure == 1.2);
	assert_int_equal(c->pumps[0].flow_grace_seconds, 60);
	assert_int_equal(config_sensor_pump(c, 1), 0);
	assert_int_equal(config_sensor_pump(c, 2), 0);
	assert_int_equal(config_sensor_pump(c, 0), -1);
	s = &c->sensors[1];
	assert_false(config_sensor_is_soil(s));
	assert_false(config_sensor_is_air(s));
	assert_int_equal(s->zone_index, -1);
	assert_int_equal(s->n_values, 1);
	assert_int_equal(reads(s, Q_FLOW)->reg, 4);
	assert_true(reads(s, Q_FLOW)->scale == 0.1);
	assert_int_equal(reads(s, Q_FLOW)->function, 3);
	assert_int_equal(s->baud, 9600);
	config_free(c);
	assert_string_equal(load("pressure_sensor = pr1\nmin_pressure = 0.8\nflow_grace_seconds = 120\n"
				 "[sensor.pr1]\ndriver = modbus\nport = /dev/ttyUSB0\nmodel = pressure\n"
				 "pressure_register = 2\npressure_scale = 0.01\nfunction = 4\n", &c), "");
	assert_int_equal(c->pumps[0].flow_index, -1);
	assert_int_equal(c->pumps[0].flow_grace_seconds, 120);
	assert_int_equal(reads(&c->sensors[1], Q_PRESSURE)->function, 4);
	config_free(c);

	/* Keys and values: file, line and key. */
	assert_mentions(load("min_flw = 20\n", NULL), "line 17", "min_flw", "[pump.p1]");
	assert_mentions(load("flow_sensor = flow1\nmin_flow = lots\n", NULL), "line 18", "min_flow",
			"lots");
	assert_mentions(load("flow_sensor = flow1\nmin_flow = 0\n", NULL), "line 18", "min_flow", NULL);
	assert_mentions(load("flow_sensor = flow1\nmin_flow = 20\nflow_grace_seconds = 5\n", NULL),
			"line 19", "flow_grace_seconds", NULL);
	/* References and pairs: the pump's line and the key. */
	char text[512];
	snprintf(text, sizeof(text), "flow_sensor = flow2\nmin_flow = 20\n%s", flow1);
	assert_mentions(load(text, NULL), "line 14", "flow_sensor = flow2", "[sensor.flow2]");
	assert_mentions(load("flow_sensor = soil1\nmin_flow = 20\n", NULL), "line 14",
			"model = soil-0000", "flow");
	assert_mentions(load("pressure_sensor = flow1\nmin_pressure = 1\n[sensor.flow1]\n"
			     "driver = sim\nmodel = flow\n", NULL), "line 14", "pressure_sensor",
			"model = flow");
	snprintf(text, sizeof(text), "flow_sensor = flow1\n%s", flow1);
	assert_mentions(load(text, NULL), "line 14", "flow_sensor", "min_flow");
	snprintf(text, sizeof(text), "min_flow = 20\n%s", flow1);
	assert_mentions(load(text, NULL), "line 14", "min_flow", "flow_sensor");
	assert_mentions(load("min_pressure = 1\n", NULL), "line 14", "min_pressure", "pressure_sensor");
	assert_mentions(load("flow_grace_seconds = 90\n", NULL), "line 14", "flow_grace_seconds",
			"flow_sensor");
	snprintf(text, sizeof(text), "flow_sensor = flow1\nmin_flow = 20\n%s"
		 "[pump.p2]\ndriver = sim\npower_kw = 1\nflow_sensor = flow1\nmin_flow = 20\n", flow1);
	assert_mentions(load(text, NULL), "[pump.p2]", "[sensor.flow1]", "[pump.p1]");
	/* The sensors themselves. */
	assert_mentions(load("[sensor.f]\ndriver = modbus\nport = /dev/ttyUSB0\nmodel = flow\n", NULL),
			"line 17", "flow_register", NULL);
	assert_mentions(load("[sensor.f]\ndriver = modbus\nport = /dev/ttyUSB0\nmodel = flow\n"
			     "flow_register = 1\nmoisture_register = 2\n", NULL),
			"line 17", "moisture_register", "flow");
	assert_mentions(load("[sensor.f]\ndriver = modbus\nport = /dev/ttyUSB0\nmodel = pressure\n"
			     "pressure_register = 1\nflow_scale = 0.1\n", NULL),
			"line 17", "flow_scale", "pressure");
	assert_mentions(load("[sensor.j]\ndriver = modbus\nzone = mit\nport = /dev/ttyUSB0\n"
			     "model = soil-jxct\nflow_register = 7\n", NULL),
			"line 17", "flow_register", "soil-jxct");
	assert_mentions(load("[sensor.f]\ndriver = sim\nzone = mit\nmodel = flow\n", NULL),
			"line 17", "zone", "flow_sensor = f");
	assert_mentions(load("[sensor.j]\ndriver = sim\nzone = mit\nmodel = soil-jxct\n"
			     "sim_fault = no_water\n", NULL), "line 17", "no_water", NULL);
	assert_mentions(load("[sensor.f]\ndriver = sim\nmodel = flow\nflow_register = 3\n", NULL),
			"line 17", "flow_register", "modbus");
}

/* One port is one bus: one driver, one speed, an address for each. */
static void sensors_sharing_a_port(void **state)
{
	static const char two[] =
		"[sensor.j]\ndriver = modbus\nzone = mit\nport = /dev/ttyUSB0\nmodel = soil-jxct\n"
		"[sensor.k]\ndriver = modbus\nzone = mit\nport = /dev/ttyUSB0\nmodel = %s\n%s";
	char text[512];

	(void)state;
	snprintf(text, sizeof(text), two, "soil-jxct", "");
	assert_mentions(load(text, NULL), "line 22", "address 1", "sensor.j");
	snprintf(text, sizeof(text), two, "soil-0000", "address = 2\n");
	assert_mentions(load(text, NULL), "line 22", "baud = 9600", "sensor.j");
	snprintf(text, sizeof(text), two, "soil-0000", "address = 2\nbaud = 9600\n");
	assert_string_equal(load(text, NULL), "");
	snprintf(text, sizeof(text), two, "soil-0000", "address = 2\nbaud = 9600\nparity = even\n");
	assert_mentions(load(text, NULL), "line 22", "parity = none", NULL);
}

static void vietnamese_errors(void **state)
{
	(void)state;
	text_set_language("vi");
	const char *err = load("[zone.x]\nname = x\nmoisture_lo = 30\n", NULL);
	assert_mentions(err, "dòng 19", "moisture_lo", "không có trong");
	text_set_language("en");
}

/* The shipped template refuses to run until the technician has replaced
 * each "?", and names every one of them at once, with its line; filled
 * in, it is a configuration like any other. */
static void the_template_names_every_key_to_fill(void **state)
{
	struct config *c = NULL;
	char err[1024], text[8192], *p;
	FILE *f = fopen("config/template.ini", "r");
	size_t n;

	(void)state;
	assert_int_equal(config_load("config/template.ini", &c, err, sizeof(err)), -1);
	assert_null(c);
	assert_non_null(strstr(err, "config/template.ini is not filled in yet"));
	for (int i = 0; i < 2; i++) {
		static const char *const keys[] = { "[station] code (line 14)", "[pump.p1] chip (line 38)" };

		if (!strstr(err, keys[i]))
			fail_msg("\"%s\" should name %s", err, keys[i]);
	}
	/* Ten keys, and the last one too. */
	assert_non_null(strstr(err, "[worker.w1] name (line 53)"));
	/* One "?" left is named alone; a real value is never taken for one. */
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	while ((p = strstr(text, "= ?")))
		p[2] = 'X';	/* filled in, with nonsense: refused for that */
	assert_int_equal(config_load(test_write(dir, "t.ini", text), &c, err, sizeof(err)), -1);
	assert_null(strstr(err, "not filled in"));
	assert_mentions(load("[zone.x]\nname = ?\n", NULL), "not filled in yet", "[zone.x] name (line 18)",
			NULL);
	assert_string_equal(load("[zone.x]\nname = Tiêu ?\n", NULL), "");
}

/* Loads base + n bytes of extra, NUL bytes included; returns the error,
 * or "" on success. */
static const char *load_bytes(const char *extra, size_t n)
{
	static char err[512];
	char path[512];
	struct config *c = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/farm.ini", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(base, 1, strlen(base), f), strlen(base));
	assert_int_equal(fwrite(extra, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	err[0] = '\0';
	if (config_load(path, &c, err, sizeof(err)) == 0) {
		config_free(c);
		return "";
	}
	assert_null(c);
	return err;
}

/* An error names what is wrong without printing it: no control byte
 * reaches the technician's terminal. */
static void assert_clean(const char *err)
{
	for (const char *c = err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			fail_msg("error \"%s\" holds the byte 0x%02x", err, (unsigned char)*c);
	assert_null(strstr(err, "\xC2\x9B"));
	assert_null(strstr(err, "\xE2\x80\xAE"));
}

#define LOAD_BYTES(lit) load_bytes(lit, sizeof(lit) - 1)

/* A configuration file is plain UTF-8 text: what is not is refused on
 * its line, with its key, and never read in part. */
static void only_plain_text(void **state)
{
	const char *err;

	(void)state;
	/* inih would stop at the NUL and read 9. */
	err = LOAD_BYTES("[pump.p2]\ndriver = sim\npower_kw = 1\nmax_minutes = 9\0 0\n");
	assert_mentions(err, "farm.ini", "line 20", "max_minutes");
	assert_mentions(err, "NUL", "plain UTF-8", NULL);
	/* A title and a colour for the terminal in a worker's name. */
	err = LOAD_BYTES("[worker.an]\nname = An\x1b]2;x\x07\x1b[41m\n");
	assert_mentions(err, "line 18", "name", "U+001B");
	assert_clean(err);
	/* The C1 control CSI, DEL, and a carriage return inside a line. */
	assert_mentions(LOAD_BYTES("[worker.an]\nname = An\xC2\x9B" "41m\n"), "line 18", "name",
			"U+009B");
	assert_mentions(LOAD_BYTES("[worker.an]\nname = An\x7f\n"), "line 18", "name", "U+007F");
	assert_mentions(LOAD_BYTES("[worker.an]\nname = An\rBa\n"), "line 18", "name", "U+000D");
	/* Latin-1 from an old editor, and a truncated UTF-8 letter. */
	err = LOAD_BYTES("[zone.x]\nname = M\xEDt\n");
	assert_mentions(err, "line 18", "name", "not UTF-8");
	assert_clean(err);
	assert_mentions(LOAD_BYTES("[zone.x]\nname = M\xC3\n"), "line 18", "name", "not UTF-8");
	/* A right-to-left override would show the name reversed. */
	err = LOAD_BYTES("[zone.x]\nname = \xE2\x80\xAEtiM\n");
	assert_mentions(err, "line 18", "name", "U+202E");
	assert_clean(err);
	/* In a key, a section's name or a comment: the line, and no byte of it. */
	err = LOAD_BYTES("[zone.x]\nna\x1bme = x\n");
	assert_mentions(err, "line 18", "U+001B", NULL);
	assert_clean(err);
	err = LOAD_BYTES("[zone.x\x1b[2J]\nname = x\n");
	assert_mentions(err, "line 17", "U+001B", NULL);
	assert_clean(err);
	err = LOAD_BYTES("; \x1b[2J\n");
	assert_mentions(err, "line 17", "U+001B", NULL);
	assert_mentions(LOAD_BYTES("[zone.x]\nname = x\n; the end\0"), "line 19", "NUL", NULL);
	/* A tab is fine between key and value, but never printed. */
	assert_clean(LOAD_BYTES("[zone.x]\nna\tme = x\n"));
	assert_clean(LOAD_BYTES("[zone.x]\nname = x\n[pump.p2]\ndriver = s\tim\n"));
	/* What stays fine: Windows line ends, tabs between key and value
	 * (a tab inside a name is a space), a byte-order mark. */
	assert_string_equal(LOAD_BYTES("[worker.an]\r\nname\t=\tLê\tVăn An\r\n"), "");
	struct config *c;
	assert_string_equal(load("[worker.an]\nname = Lê\tVăn An\n", &c), "");
	assert_string_equal(c->workers[0].name, "Lê Văn An");
	config_free(c);
}

/* A number is the whole value: no garbage after it, no tail cut off. */
static void whole_numbers_only(void **state)
{
	char text[256];

	(void)state;
	assert_mentions(load("[pump.p2]\ndriver = sim\npower_kw = 1\nmax_minutes = 90x\n", NULL),
			"line 20", "max_minutes", "90x");
	assert_mentions(load("[pump.p2]\ndriver = sim\npower_kw = 1.5 kW\n", NULL), "line 19",
			"power_kw", "1.5 kW");
	/* strtod() would read these. */
	assert_mentions(load("[pump.p2]\ndriver = sim\npower_kw = 0x1p1\n", NULL), "line 19",
			"power_kw", "not a number");
	assert_mentions(load("[pump.p2]\ndriver = sim\npower_kw = inf\n", NULL), "line 19",
			"power_kw", "not a number");
	/* 1.0000…05 over 63 characters was read as 1. */
	snprintf(text, sizeof(text), "[pump.p2]\ndriver = sim\npower_kw = 1.%065d5\n", 0);
	assert_mentions(load(text, NULL), "line 19", "power_kw", "too long");
	snprintf(text, sizeof(text), "[pump.p2]\ndriver = sim\npower_kw = 1.%060d5\n", 0);
	assert_string_equal(load(text, NULL), "");
	/* "0012" would be octal 10; the manual's 0x0012 is 18. */
	assert_mentions(load("[sensor.j]\ndriver = modbus\nzone = mit\nport = /dev/ttyUSB0\n"
			     "model = soil-jxct\nmoisture_register = 0012\n", NULL),
			"line 17", "moisture_register", "0x12 or 18");
}

/* A section header is whole, or refused on its own line: the keys after
 * a header without "]" were read into the section before it. */
static void section_headers_whole(void **state)
{
	char text[256];
	const char *err;

	(void)state;
	err = load("[zone.x\nname = X\n", NULL);
	assert_mentions(err, "farm.ini", "line 17", "]");
	assert_null(strstr(err, "pump.p1"));
	assert_mentions(load("[zone.x] [zone.y]\nname = X\n", NULL), "line 17", "]", NULL);
	assert_string_equal(load("[zone.x]   ; the river field\nname = X\n", NULL), "");
	/* inih keeps 49 bytes of a name; a longer one was skipped, and its
	 * keys read into the section before. */
	snprintf(text, sizeof(text), "[worker.%070d]\nname = X\n", 0);
	err = load(text, NULL);
	assert_mentions(err, "line 17", "too long", NULL);
	assert_null(strstr(err, "pump.p1"));
}

/* A pulse meter in a pump's line: pulses per litre from its label, the
 * least flow that means water arrives, a line of its own. */
static void pulse_meters(void **state)
{
	struct config *c;
	const char *m1 = "[meter.m1]\nname = Đồng hồ giếng\ndriver = gpiod\nchip = gpiochip0\n"
			 "line = 22\npulses_per_litre = 450\n";
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text), "meter = m1\nmin_flow = 15\n%s", m1);
	assert_string_equal(load(text, &c), "");
	assert_int_equal(c->n_meters, 1);
	assert_int_equal(c->pumps[0].meter_index, 0);
	assert_int_equal(c->pumps[0].flow_index, -1);
	assert_int_equal(c->meters[0].pump_index, 0);
	assert_true(c->meters[0].pulses_per_litre == 450);
	/* Defaults: 100 l/min at most, so 750 pulses a second; 500 µs. */
	assert_true(c->meters[0].max_flow == 100);
	assert_true(config_meter_cap(&c->meters[0]) == 750);
	assert_int_equal(c->meters[0].debounce_us, 500);
	assert_int_equal(c->pumps[0].flow_grace_seconds, 60);
	assert_true(config_uses_hardware(c));
	config_free(c);
	/* A meter and a flow sensor both: min_flow is for both. */
	snprintf(text, sizeof(text), "meter = m1\nmin_flow = 15\nflow_sensor = flow1\n%s"
		 "[sensor.flow1]\ndriver = sim\nmodel = flow\n", m1);
	assert_string_equal(load(text, &c), "");
	assert_int_equal(c->pumps[0].flow_index, 1);
	config_free(c);

	/* A meter without pulses per litre. */
	assert_mentions(load("meter = m1\nmin_flow = 15\n[meter.m1]\ndriver = sim\n", NULL),
			"line 19", "[meter.m1]", "pulses_per_litre");
	/* Without the least flow. */
	snprintf(text, sizeof(text), "meter = m1\n%s", m1);
	assert_mentions(load(text, NULL), "line 14", "meter", "min_flow");
	/* One that is not there, or that no pump names. */
	assert_mentions(load("meter = m9\nmin_flow = 15\n", NULL), "line 14", "meter = m9",
			"[meter.m9]");
	assert_mentions(load(m1, NULL), "line 17", "[meter.m1]", "meter = m1");
	/* A gpiod meter needs its line; a simulated one measures a simulated
	 * pump; sim keys are the simulator's. */
	assert_mentions(load("meter = m1\nmin_flow = 15\n[meter.m1]\ndriver = gpiod\n"
			     "pulses_per_litre = 450\n", NULL), "line 19", "chip", "line");
	assert_mentions(load("meter = m1\nmin_flow = 15\n[meter.m1]\ndriver = gpiod\nchip = 0\n"
			     "line = 3\npulses_per_litre = 450\nsim_fault = noise\n", NULL),
			"line 19", "sim_fault", "driver = sim");
	assert_mentions(load("[pump.p2]\ndriver = gpiod\nchip = 0\nline = 2\npower_kw = 1\n"
			     "meter = m1\nmin_flow = 15\n[meter.m1]\ndriver = sim\n"
			     "pulses_per_litre = 450\n", NULL), "line 17", "simulated meter", NULL);
	/* Its line is not a relay's nor another meter's. */
	snprintf(text, sizeof(text), "meter = m1\nmin_flow = 15\n[pump.p2]\ndriver = gpiod\n"
		 "chip = gpiochip0\nline = 22\npower_kw = 1\n%s", m1);
	assert_mentions(load(text, NULL), "line 24", "[meter.m1]", "[pump.p2]");
	/* Two pumps cannot share one meter. */
	snprintf(text, sizeof(text), "meter = m1\nmin_flow = 15\n%s[pump.p2]\ndriver = sim\n"
		 "power_kw = 1\nmeter = m1\nmin_flow = 15\n", m1);
	assert_mentions(load(text, NULL), "[pump.p2]", "[meter.m1]", "[pump.p1]");
	/* Numbers out of range. */
	assert_mentions(load("meter = m1\nmin_flow = 15\n[meter.m1]\ndriver = sim\n"
			     "pulses_per_litre = 0\n", NULL), "line 21", "pulses_per_litre", NULL);
}

/* Injectors feed a pump's line from a tank: a pump that waters a zone,
 * a tank of their own, their rate; a dosing run fits the pump's longest. */
static void injectors_and_tanks(void **state)
{
	struct config *c;
	const char *tank = "[tank.ta]\nname = Bể phân A\ncapacity = 200\n";
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text), "max_minutes = 60\n%s[injector.ia]\nname = Châm phân\n"
		 "driver = gpiod\nchip = gpiochip0\nline = 23\nactive_low = yes\npump = p1\n"
		 "tank = ta\nrate = 1,5\n[product.nx]\nname = Nấm xanh\nkind = pesticide\nunit = g\n"
		 "phi_days = 0\ndosing_minutes = 15\n", tank);
	assert_string_equal(load(text, &c), "");
	assert_int_equal(c->n_injectors, 1);
	assert_int_equal(c->n_tanks, 1);
	assert_int_equal(c->injectors[0].pump_index, 0);
	assert_int_equal(c->injectors[0].tank_index, 0);
	assert_int_equal(c->injectors[0].meter_index, -1);
	assert_true(c->injectors[0].rate == 1.5);
	assert_true(c->injectors[0].active_low);
	assert_true(c->tanks[0].capacity == 200);
	/* The zone's phases: 10, 20, 10 unless it says; a product's own. */
	assert_int_equal(c->zones[0].wetting_minutes, 10);
	assert_int_equal(c->zones[0].dosing_minutes, 20);
	assert_int_equal(c->zones[0].flushing_minutes, 10);
	assert_int_equal(c->products[0].dosing_minutes, 15);
	assert_int_equal(c->products[0].wetting_minutes, -1);
	assert_true(config_uses_hardware(c));
	config_free(c);

	/* An injector on a line without a pump, or without a pump at all. */
	snprintf(text, sizeof(text), "%s[injector.ia]\ndriver = sim\ntank = ta\nrate = 1\n", tank);
	assert_mentions(load(text, NULL), "line 20", "[injector.ia]", "pump");
	snprintf(text, sizeof(text), "%s[injector.ia]\ndriver = sim\npump = p9\ntank = ta\nrate = 1\n",
		 tank);
	assert_mentions(load(text, NULL), "line 20", "pump = p9", "[pump.p9]");
	snprintf(text, sizeof(text), "%s[pump.p2]\ndriver = sim\npower_kw = 1\n[injector.ia]\n"
		 "driver = sim\npump = p2\ntank = ta\nrate = 1\n", tank);
	assert_mentions(load(text, NULL), "line 23", "[pump.p2]", "zone");
	/* Its tank and rate. */
	assert_mentions(load("[injector.ia]\ndriver = sim\npump = p1\nrate = 1\n", NULL), "line 17",
			"[injector.ia]", "tank");
	assert_mentions(load("[injector.ia]\ndriver = sim\npump = p1\ntank = tx\nrate = 1\n", NULL),
			"line 17", "tank = tx", "[tank.tx]");
	snprintf(text, sizeof(text), "%s[injector.ia]\ndriver = sim\npump = p1\ntank = ta\n", tank);
	assert_mentions(load(text, NULL), "line 20", "[injector.ia]", "rate");
	snprintf(text, sizeof(text), "%s[injector.ia]\ndriver = sim\npump = p1\ntank = ta\nrate = 1\n"
		 "[injector.ib]\ndriver = sim\npump = p1\ntank = ta\nrate = 1\n", tank);
	assert_mentions(load(text, NULL), "[injector.ib]", "[tank.ta]", "[injector.ia]");
	/* Its relay's line is its own. */
	snprintf(text, sizeof(text), "%s[pump.p2]\ndriver = gpiod\nchip = 0\nline = 5\npower_kw = 1\n"
		 "[injector.ia]\ndriver = gpiod\nchip = 0\nline = 5\npump = p1\ntank = ta\n"
		 "rate = 1\n", tank);
	assert_mentions(load(text, NULL), "[injector.ia]", "line 5", "[pump.p2]");
	snprintf(text, sizeof(text), "%s[injector.ia]\ndriver = gpiod\npump = p1\ntank = ta\nrate = 1\n",
		 tank);
	assert_mentions(load(text, NULL), "[injector.ia]", "chip", "line");
	/* A dosing run longer than the pump may run. */
	snprintf(text, sizeof(text), "max_minutes = 30\n%s[injector.ia]\ndriver = sim\npump = p1\n"
		 "tank = ta\nrate = 1\n", tank);
	assert_mentions(load(text, NULL), "[zone.mit]", "max_minutes", "30");
	/* A tank needs its capacity; a product its interval. */
	assert_mentions(load("[tank.tb]\nname = B\n", NULL), "[tank.tb]", "capacity", NULL);
	assert_mentions(load("[product.nx]\nname = Nấm xanh\nkind = pesticide\nunit = g\n", NULL),
			"[product.nx]", "phi_days", NULL);
	/* Its own meter, measuring the injector's rate on the simulator. */
	snprintf(text, sizeof(text), "%s[injector.ia]\ndriver = sim\npump = p1\ntank = ta\nrate = 2\n"
		 "meter = mi\n[meter.mi]\ndriver = sim\npulses_per_litre = 100\n", tank);
	assert_string_equal(load(text, &c), "");
	assert_int_equal(c->injectors[0].meter_index, 0);
	assert_int_equal(c->meters[0].injector_index, 0);
	assert_true(c->meters[0].sim_flow == 2);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(demo_farm_loads),
		cmocka_unit_test(a_pump_waters_its_first_zone),
		cmocka_unit_test(defaults_and_inline_comments),
		cmocka_unit_test(defaults_as_the_readme_gives_them),
		cmocka_unit_test(unknown_key_names_file_line_key),
		cmocka_unit_test(unknown_section),
		cmocka_unit_test(duplicates),
		cmocka_unit_test(bad_values),
		cmocka_unit_test(missing_keys),
		cmocka_unit_test(missing_station_code),
		cmocka_unit_test(csv_marks_and_usb_folder),
		cmocka_unit_test(rainy_season_months),
		cmocka_unit_test(station_time_zone),
		cmocka_unit_test(uplink_settings),
		cmocka_unit_test(references_and_thresholds),
		cmocka_unit_test(tariff_windows),
		cmocka_unit_test(syntax_and_long_lines),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(products_workers_and_lists),
		cmocka_unit_test(sensor_registers_and_overrides),
		cmocka_unit_test(pump_pressure_and_flow_sensors),
		cmocka_unit_test(sensors_sharing_a_port),
		cmocka_unit_test(vietnamese_errors),
		cmocka_unit_test(the_template_names_every_key_to_fill),
		cmocka_unit_test(only_plain_text),
		cmocka_unit_test(whole_numbers_only),
		cmocka_unit_test(section_headers_whole),
		cmocka_unit_test(pulse_meters),
		cmocka_unit_test(injectors_and_tanks),
	};

	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
