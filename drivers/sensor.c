/* What all sensor drivers share. */
#include "sensor.h"

const char *sensor_quantity_unit(enum quantity q)
{
	switch (q) {
	case Q_MOISTURE:
	case Q_HUMIDITY:
		return "%";
	case Q_SOIL_TEMP:
	case Q_AIR_TEMP:
		return "°C";
	case Q_EC:
		return "µS/cm";
	default:
		return "";
	}
}
