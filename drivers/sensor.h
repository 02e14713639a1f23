/* Sensors are read through buses: one bus is one serial port (or the
 * simulator) with one or more sensors on it, read one request at a time.
 * A bus never blocks: it says which file descriptor and which deadline it
 * waits for, and the caller's poll loop calls service() when either comes.
 * Results arrive through the bus's report callback. */
#ifndef FS_SENSOR_H
#define FS_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Stored in the database by number: never renumber, only add. */
enum quantity {
	Q_MOISTURE = 0,		/* soil moisture, % */
	Q_SOIL_TEMP = 1,	/* °C */
	Q_EC = 2,		/* µS/cm */
	Q_PH = 3,
	Q_AIR_TEMP = 4,		/* °C */
	Q_HUMIDITY = 5,		/* air, % */
	Q_RAW = 6,		/* an uncalibrated analog value */
	Q_PRESSURE = 7,		/* water in a pump's line, bar */
	Q_FLOW = 8,		/* water through a pump's line, litres a minute */
	Q_COUNT
};

enum sensor_status {
	SENSOR_WAITING,		/* not read yet */
	SENSOR_OK,
	SENSOR_LOST,		/* no answer, or the port is gone */
	SENSOR_BAD_FRAME,	/* answers that fail their checks */
	SENSOR_BAD_VALUE,	/* a value that cannot be true */
};

#define SENSOR_MAX_SAMPLES 8

struct sensor_sample {
	enum quantity quantity;
	double value;
};

/* What went wrong with a sensor, as facts: the station puts them in the
 * farmer's words, with the numbers a technician needs (src/readings.c). */
enum sensor_fault_kind {
	FAULT_NO_ANSWER,	/* nothing came back */
	FAULT_PORT,		/* the serial port is gone, or would not open */
	FAULT_SHORT,		/* an answer cut short: a slow or failing device */
	FAULT_CRC,		/* an answer whose check bytes are wrong */
	FAULT_ADDRESS,		/* an answer from another address */
	FAULT_FUNCTION,		/* an answer to another request */
	FAULT_LENGTH,		/* an answer of the wrong length: code, its bytes */
	FAULT_REFUSED,		/* a Modbus exception: code, at register reg */
	FAULT_LINE,		/* a node's line that is not one it should send */
	FAULT_CHECKSUM,		/* a node's line whose checksum is wrong */
	FAULT_FLOOD,		/* far more than a node sends in a poll */
	FAULT_CHANNEL,		/* the node sent others, not this channel */
};

struct sensor_fault {
	enum sensor_fault_kind kind;
	int code;		/* FAULT_REFUSED: the exception; FAULT_LENGTH: bytes */
	int reg;		/* FAULT_REFUSED: the register asked for */
	char why[48];		/* FAULT_PORT: the system's reason, or "" */
};

/* `sensor` is the sensor's index on its bus, as given when it was made.
 * fault says what went wrong; NULL when all is well. */
typedef void sensor_report_fn(void *ctx, int sensor, enum sensor_status status,
			      const struct sensor_sample *samples, int n,
			      const struct sensor_fault *fault);

struct sensor_bus;

struct sensor_bus_ops {
	const char *name;
	/* Start reading every sensor on the bus (monotonic ms). */
	void (*begin_poll)(struct sensor_bus *b, int64_t now_ms);
	/* What the bus waits for: fd (-1: none) with events, and a monotonic
	 * deadline (-1: none). */
	void (*wants)(struct sensor_bus *b, int *fd, short *events, int64_t *deadline_ms);
	/* Progress once the fd is ready (revents) or the deadline passed. */
	void (*service)(struct sensor_bus *b, short revents, int64_t now_ms);
	void (*free)(struct sensor_bus *b);
};

struct sensor_bus {
	const struct sensor_bus_ops *ops;
	sensor_report_fn *report;
	void *report_ctx;
};

/* A simulated sensor on the simulated farm. A fault, when asked for,
 * starts after the sensor has answered fault_after polls, so that tests
 * and demonstrations can watch a sensor being lost. A pressure or flow
 * sensor reads its pump's water while the pump's relay is on, and zero
 * when it is off; SIM_FAULT_NO_WATER is a dry source: zero always. */
struct sim_farm;
enum sim_fault { SIM_FAULT_NONE, SIM_FAULT_SILENT, SIM_FAULT_BAD_FRAME, SIM_FAULT_BAD_VALUE,
		 SIM_FAULT_NO_WATER };
enum sim_kind { SIM_SOIL, SIM_AIR, SIM_ANALOG, SIM_PRESSURE, SIM_FLOW };
struct sim_sensor {
	int zone;		/* soil sensors: the farm's zone; pressure and
				 * flow: a zone their pump waters, -1 none */
	enum sim_kind kind;	/* SIM_ANALOG: a raw capacitive probe */
	enum sim_fault fault;
	int fault_after;
};

struct sensor_bus *sensor_sim_new(struct sim_farm *farm, const struct sim_sensor *sensors,
				  int n, sensor_report_fn *report, void *ctx);

/* Modbus RTU devices on one port. A device's values are read with as few
 * requests as its register map allows, one request at a time per bus. */
struct modbus_value {
	enum quantity quantity;
	uint8_t function;	/* 3: holding registers, 4: input registers */
	uint16_t reg;
	double scale;		/* quantity = register * scale */
	bool is_signed;		/* the register is two's complement */
};

#define MODBUS_MAX_VALUES 6

struct modbus_device {
	uint8_t address;
	struct modbus_value values[MODBUS_MAX_VALUES];
	int n_values;
	int timeout_ms;		/* for an answer to begin, after the request */
	int retries;		/* more tries after a failed request */
};

/* The register map of a known model ("soil-jxct", DOMAIN.md); returns
 * how many values it filled (at most max), or -1 for a model it does not
 * know. */
int sensor_modbus_preset(const char *model, struct modbus_value *out, int max);

struct serial_ops;
struct serial_settings;
/* A bus on port. io is how the port is reached (serial_libserialport). A
 * port that is missing or goes away is tried again at every poll. */
struct sensor_bus *sensor_modbus_new(const struct serial_ops *io, const char *port,
				     const struct serial_settings *set,
				     const struct modbus_device *devices, int n,
				     sensor_report_fn *report, void *ctx);

/* A microcontroller node on a USB serial port (an Arduino, an ESP32)
 * that reports raw analog counts, one line per channel, when asked:
 *   station: ?\n
 *   node:    $FS,A0,523*50\r\n   (XOR of the characters between $ and *)
 * channels[i] names sensor i's channel. README.md has the whole protocol. */
#define LINE_CHANNEL_LEN 16
struct sensor_bus *sensor_line_new(const struct serial_ops *io, const char *port,
				   const struct serial_settings *set,
				   const char (*channels)[LINE_CHANNEL_LEN], int n,
				   sensor_report_fn *report, void *ctx);

/* One line of the node's protocol, checked: 0 and the channel and value,
 * or -1 with a short English reason. Pure, for tests and fuzzing. */
int sensor_line_parse(const char *line, char *channel, size_t chlen, double *value,
		      const char **why);

const char *sensor_quantity_unit(enum quantity q);
/* In English, for the event log: "soil temperature". */
const char *sensor_quantity_name(enum quantity q);
/* Can a sensor really read v? Values outside mean a broken probe. */
bool sensor_plausible(enum quantity q, double v);

#endif
