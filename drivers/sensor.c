/* What all sensor drivers share. */
#include "sensor.h"

#include <stdbool.h>

const char *sensor_quantity_unit(enum quantity q)
{
	switch (q) {
	case Q_MOISTURE:
	case Q_HUMIDITY:
		return "%";
	/* Units stand a space apart from the number; the percent sign
	 * does not. */
	case Q_SOIL_TEMP:
	case Q_AIR_TEMP:
		return " °C";
	case Q_EC:
		return " µS/cm";
	case Q_PRESSURE:
		return " bar";
	case Q_FLOW:
		return " l/min";
	default:
		return "";
	}
}

bool sensor_plausible(enum quantity q, double v)
{
	static const struct {
		double lo, hi;
	} range[Q_COUNT] = {
		[Q_MOISTURE] = { 0, 100 },
		[Q_SOIL_TEMP] = { -20, 70 },
		[Q_EC] = { 0, 20000 },
		[Q_PH] = { 0, 14 },
		[Q_AIR_TEMP] = { -40, 80 },
		[Q_HUMIDITY] = { 0, 100 },
		[Q_RAW] = { 0, 65535 },
		/* A gauge may read a little below zero; no farm pump gives
		 * 60 bar or 5000 litres a minute (300 m³ an hour). */
		[Q_PRESSURE] = { -1, 60 },
		[Q_FLOW] = { 0, 5000 },
	};

	if ((int)q < 0 || q >= Q_COUNT || v != v)
		return false;
	return v >= range[q].lo && v <= range[q].hi;
}

const char *sensor_quantity_name(enum quantity q)
{
	static const char *const names[Q_COUNT] = {
		[Q_MOISTURE] = "moisture", [Q_SOIL_TEMP] = "soil temperature", [Q_EC] = "EC",
		[Q_PH] = "pH", [Q_AIR_TEMP] = "air temperature", [Q_HUMIDITY] = "humidity",
		[Q_RAW] = "raw", [Q_PRESSURE] = "pressure", [Q_FLOW] = "flow",
	};

	return (int)q >= 0 && q < Q_COUNT ? names[q] : "?";
}
