/* The station's configuration: an INI file read with inih and checked
 * strictly. A wrong or unknown key is an error naming file, line and key;
 * a configuration that fails any check is not used at all. */
#ifndef FS_CONFIG_H
#define FS_CONFIG_H

#include "sensor.h"
#include "tariff.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_ID_LEN 32
#define CFG_NAME_LEN 96
#define CFG_PATH_LEN 160

/* Every [kind.ID] section starts with this. */
struct cfg_item {
	char id[CFG_ID_LEN];
	int line;		/* where the section starts */
	uint64_t seen;		/* keys given, one bit per field */
};

enum sensor_driver { SENSOR_DRIVER_SIM, SENSOR_DRIVER_MODBUS, SENSOR_DRIVER_LINE };
enum relay_driver { RELAY_DRIVER_SIM, RELAY_DRIVER_GPIOD };
enum sensor_model { MODEL_SOIL_0000, MODEL_SOIL_JXCT, MODEL_AIR_XYMD02, MODEL_SOIL_ANALOG,
		    MODEL_PRESSURE, MODEL_FLOW };
enum sensor_parity { PARITY_NONE, PARITY_EVEN, PARITY_ODD };
enum product_kind { PRODUCT_FERTILIZER, PRODUCT_PESTICIDE };
enum csv_separator { CSV_SEP_SEMICOLON, CSV_SEP_COMMA, CSV_SEP_TAB };
enum csv_decimal { CSV_DEC_COMMA, CSV_DEC_POINT };

struct station_cfg {
	char name[CFG_NAME_LEN];
	char code[16];
	int language;		/* 0 vi, 1 en */
	int poll_seconds;
	int flush_minutes;	/* readings reach the card in batches */
	int keep_raw_days;	/* then only their hourly and daily roll-ups */
	int max_pumps_running;
	unsigned seed;		/* the simulator's */
	char database[CFG_PATH_LEN];
	int csv_separator;	/* enum csv_separator */
	int csv_decimal;	/* enum csv_decimal */
	char usb_mount[CFG_PATH_LEN];	/* "": any USB storage is the stick */
	int backup_hours;	/* a local backup this often; 0: never */
	int backup_keep;	/* the newest this many are kept */
	char timezone[64];	/* station time: a zone of the system's database */
	/* The rainy season's first and last month (1-12); the dry season is
	 * the months between. The south's by default: May to October. */
	int rainy_from, rainy_to;
	uint64_t seen;
};

struct zone_cfg {
	struct cfg_item item;
	char name[CFG_NAME_LEN];
	char crop[CFG_NAME_LEN];
	char pump[CFG_ID_LEN];
	int pump_index;		/* -1: no pump */
	double moisture_low, moisture_high, moisture_critical;
	bool organic;
	int season_days;	/* a lot's season: the days up to its harvest */
	double harvest_max_kg;	/* the most one harvest record may weigh */
	bool water_by_moisture;	/* the first setting; the keypad may change it */
	/* A run must raise the zone's moisture by rise_percent within
	 * rise_minutes, or an alarm says why water may not arrive (0: no
	 * check). */
	double rise_percent;
	int rise_minutes;
	int rest_minutes;	/* between automatic runs of the zone */
	/* A dosing run's phases: plain water to wet the soil, the dose, plain
	 * water to flush the pipes; a product may ask for its own. */
	int wetting_minutes, dosing_minutes, flushing_minutes;
};

struct sensor_cfg {
	struct cfg_item item;
	int driver;		/* enum sensor_driver */
	char zone[CFG_ID_LEN];
	int zone_index;		/* -1: not in a zone (air) */
	char port[CFG_PATH_LEN];
	int baud;
	int address;
	int model;		/* enum sensor_model */
	int parity;		/* enum sensor_parity */
	int timeout_ms;		/* modbus: for an answer to begin */
	int retries;		/* modbus: more tries after a failed request */
	int function;		/* modbus: 3 or 4 for every register; 0: the model's */
	/* Overrides of the model's register map: a register ("0x0012", "18"
	 * or "none"), what one step of it is worth, and whether it is signed. */
	char moisture_register[12];
	double moisture_scale;
	bool moisture_signed;
	char temperature_register[12];
	double temperature_scale;
	bool temperature_signed;
	char ec_register[12];
	double ec_scale;
	bool ec_signed;
	char ph_register[12];
	double ph_scale;
	bool ph_signed;
	char humidity_register[12];
	double humidity_scale;
	bool humidity_signed;
	/* pressure and flow sensors have no preset map: these say it. */
	char pressure_register[12];
	double pressure_scale;
	bool pressure_signed;
	char flow_register[12];
	double flow_scale;
	bool flow_signed;
	char channel[16];	/* line: the node's name for this probe ("A0") */
	int sim_fault;		/* sim: enum sim_fault */
	int sim_fault_after;	/* sim: polls answered before the fault */
	/* modbus: the register map once presets and overrides are applied. */
	struct modbus_value values[MODBUS_MAX_VALUES];
	int n_values;
};

struct pump_cfg {
	struct cfg_item item;
	char name[CFG_NAME_LEN];
	int driver;		/* enum relay_driver */
	char chip[CFG_PATH_LEN];
	char line[CFG_ID_LEN];	/* offset or line name */
	bool active_low;
	double power_kw;
	int max_minutes;
	int default_minutes;
	/* Sensors in the pump's line (model = pressure, model = flow; ""
	 * none): once a run is flow_grace_seconds old, a reading below the
	 * minimum at two polls in a row stops the pump with an alarm. */
	char pressure_sensor[CFG_ID_LEN];
	double min_pressure;	/* bar */
	char flow_sensor[CFG_ID_LEN];
	double min_flow;	/* litres a minute */
	int flow_grace_seconds;
	int pressure_index, flow_index;	/* into sensors; -1 none */
	/* A pulse meter in the pump's line ("" none): the litres each run
	 * gives, and like a flow sensor, below min_flow the water stops. */
	char meter[CFG_ID_LEN];
	int meter_index;	/* into meters; -1 none */
};

enum meter_sim_fault_cfg { METER_FAULT_NONE, METER_FAULT_NO_WATER, METER_FAULT_NOISE };

/* [meter.ID]: a pulse water meter (hall-effect, so many pulses a litre). */
struct meter_cfg {
	struct cfg_item item;
	char name[CFG_NAME_LEN];
	int driver;		/* enum relay_driver: gpiod or sim */
	char chip[CFG_PATH_LEN];
	char line[CFG_ID_LEN];
	double pulses_per_litre;
	/* The most it can measure: a second with more pulses than this flow
	 * gives is noise from the wiring, not water. */
	double max_flow;	/* litres a minute */
	int debounce_us;	/* the kernel's debounce of the line */
	int sim_fault;		/* sim: enum meter_sim_fault_cfg */
	double sim_flow;	/* sim: litres a minute while its line runs */
	int pump_index;		/* the pump in whose line it is; -1 none */
	int injector_index;	/* or the injector's; -1 none */
};

struct product_cfg {
	struct cfg_item item;
	char name[CFG_NAME_LEN];
	int kind;		/* enum product_kind */
	char unit[16];
	bool organic;
	int phi_days;		/* pre-harvest interval of a spray */
	double max_amount;	/* the most one record may use, in unit */
	/* Through the line: the phases this product asks for; -1 the zone's. */
	int wetting_minutes, dosing_minutes, flushing_minutes;
};

/* [injector.ID]: a dosing pump or solenoid on a relay that feeds a tank's
 * stock solution into a pump's line, while that pump runs. */
struct injector_cfg {
	struct cfg_item item;
	char name[CFG_NAME_LEN];
	int driver;		/* enum relay_driver */
	char chip[CFG_PATH_LEN];
	char line[CFG_ID_LEN];
	bool active_low;
	char pump[CFG_ID_LEN];
	int pump_index;
	char tank[CFG_ID_LEN];
	int tank_index;
	double rate;		/* litres of stock solution a minute */
	char meter[CFG_ID_LEN];	/* its own pulse meter, "" none */
	int meter_index;
};

/* [tank.ID]: a tank of stock solution an injector draws from. */
struct tank_cfg {
	struct cfg_item item;
	char name[CFG_NAME_LEN];
	double capacity;	/* litres */
};

/* [worker.ID], [pest.ID], [grade.ID], [buyer.ID]: names picked from a
 * numbered list, never typed. */
struct worker_cfg {
	struct cfg_item item;
	char name[CFG_NAME_LEN];
};

#define CFG_MAX_CROPS 8
#define CFG_MAX_ZONES 32	/* [zone.ID] sections a configuration may have */

struct tariff_period_cfg {
	struct cfg_item item;
	char from[16];
	char peak[CFG_NAME_LEN * 2];
	char offpeak[CFG_NAME_LEN * 2];
};

/* [uplink]: the link to the cooperative's office over MQTT (src/uplink.h).
 * Absent (seen bit 63 clear), the station sends nothing and queues nothing. */
#define CFG_UPLINK_KEYS 16
struct uplink_cfg {
	uint64_t seen;
	int line, key_line[CFG_UPLINK_KEYS];	/* the section's and each key's */
	char host[128];
	int port;			/* 8883 with TLS, 1883 without */
	char topic[96];			/* fieldstation/CODE */
	char ca_file[CFG_PATH_LEN], cert_file[CFG_PATH_LEN], key_file[CFG_PATH_LEN];
	char username[64], password[128];
	int keepalive;			/* seconds */
	int batch;			/* rows in one message */
	int outbox_max;			/* rows the outbox keeps */
	int resend_seconds;		/* sent, not confirmed: sent again after */
};

static inline bool config_has_uplink(const struct uplink_cfg *u)
{
	return u->seen & (1ull << 63);
}

struct config {
	char path[CFG_PATH_LEN];
	struct uplink_cfg uplink;
	struct station_cfg station;
	struct tariff tariff;
	uint64_t tariff_seen;
	struct zone_cfg *zones;
	int n_zones;
	struct sensor_cfg *sensors;
	int n_sensors;
	struct pump_cfg *pumps;
	int n_pumps;
	struct meter_cfg *meters;
	int n_meters;
	struct injector_cfg *injectors;
	int n_injectors;
	struct tank_cfg *tanks;
	int n_tanks;
	struct product_cfg *products;
	int n_products;
	struct worker_cfg *workers;
	int n_workers;
	struct worker_cfg *pests;
	int n_pests;
	struct worker_cfg *grades;
	int n_grades;
	struct worker_cfg *buyers;
	int n_buyers;
	struct tariff_period_cfg *periods;
	int n_periods;
};

/* Reads and checks path. On success *out is a configuration the caller
 * frees with config_free(); on failure -1 and one sentence in err. */
int config_load(const char *path, struct config **out, char *err, size_t errlen);
/* The same of a file's len bytes already read (new settings from a
 * stick), named name in what it says. */
int config_load_text(const char *name, const char *text, size_t len, struct config **out,
		     char *err, size_t errlen);
void config_free(struct config *c);

int config_zone_index(const struct config *c, const char *id);
int config_pump_index(const struct config *c, const char *id);
int config_meter_index(const struct config *c, const char *id);
int config_injector_index(const struct config *c, const char *id);
int config_tank_index(const struct config *c, const char *id);
/* The most pulses a second meter m can give for water. */
double config_meter_cap(const struct meter_cfg *m);
int config_sensor_index(const struct config *c, const char *id);
/* A sensor as the farmer knows it: its number in the configuration and
 * where it is, "đầu đo 3 – Vú sữa Hoàng Kim". Formats into buf. */
char *config_sensor_name(const struct config *c, int sensor, char *buf, size_t n);
/* The IDs of a zone's soil sensors (pointers into c); returns how many. */
int config_zone_soil_sensors(const struct config *c, int zone, const char **codes, int max);
bool config_sensor_is_soil(const struct sensor_cfg *s);
bool config_sensor_is_air(const struct sensor_cfg *s);
/* The pump whose pressure_sensor or flow_sensor s is; -1 none. */
int config_sensor_pump(const struct config *c, int sensor);
/* The first zone pump waters (in the file's order); -1 none. */
int config_pump_zone(const struct config *c, int pump);
/* A raw analog probe that needs its two-point calibration. */
bool config_sensor_is_analog(const struct sensor_cfg *s);
const char *config_sensor_model(const struct sensor_cfg *s);
/* 'N', 'E' or 'O'. */
char config_sensor_parity(const struct sensor_cfg *s);
/* Does any pump or sensor use real hardware? */
bool config_uses_hardware(const struct config *c);
const char *config_language(const struct config *c);
int config_product_index(const struct config *c, const char *id);
int config_worker_index(const struct config *c, const char *id);
/* A zone's crops: its crop key, a comma-separated list ("Tiêu, Sầu
 * riêng"), or the zone's name when it has none. Returns how many. */
int config_zone_crops(const struct zone_cfg *z, char crops[][CFG_NAME_LEN], int max);
/* The characters exported CSV files use between fields and in numbers. */
char config_csv_separator(const struct config *c);
char config_csv_decimal(const struct config *c);

#endif
