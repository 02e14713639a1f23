/* Two-point calibration of a raw analog soil probe: its count held in dry
 * air is 0 % and in water 100 %, and the soil lies between, on a straight
 * line. A capacitive probe's count falls as the soil gets wetter; the
 * points may be either way round. */
#ifndef FS_CALIBRATION_H
#define FS_CALIBRATION_H

#include <stdbool.h>
#include <stdint.h>

struct calibration {
	bool set;
	double dry, wet;	/* raw counts */
	int64_t made_at;	/* station seconds */
};

/* Soil moisture (%) from a raw count. False when the count lies so far
 * outside the two points (a tenth of their distance) that it cannot be
 * soil: a probe unplugged, shorted or broken. Within that, clamped to
 * 0-100 %. */
bool calibration_apply(const struct calibration *c, double raw, double *moisture);

/* Are these two points fit to keep? NULL if so, else why not (a msgid). */
const char *calibration_refusal(double dry, double wet);

#endif
