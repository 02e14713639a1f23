/* Sensors are read through buses: one bus is one serial port (or the
 * simulator) with one or more sensors on it, read one request at a time.
 * A bus never blocks: it says which file descriptor and which deadline it
 * waits for, and the caller's poll loop calls service() when either comes.
 * Results arrive through the bus's report callback. */
#ifndef FS_SENSOR_H
#define FS_SENSOR_H

#include <stdbool.h>
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

/* `sensor` is the sensor's index on its bus, as given when it was made. */
typedef void sensor_report_fn(void *ctx, int sensor, enum sensor_status status,
			      const struct sensor_sample *samples, int n);

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

/* A simulated sensor on the simulated farm. */
struct sim_farm;
struct sim_sensor {
	int zone;		/* soil sensors: the farm's zone */
	bool air;		/* an air temperature and humidity sensor */
};

struct sensor_bus *sensor_sim_new(struct sim_farm *farm, const struct sim_sensor *sensors,
				  int n, sensor_report_fn *report, void *ctx);

const char *sensor_quantity_unit(enum quantity q);

#endif
