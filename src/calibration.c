/* The straight line through the dry and wet points. */
#include "calibration.h"

#include "text.h"

#include <math.h>

/* Counts closer than this cannot tell dry from wet soil. */
#define MIN_SPAN 30

bool calibration_apply(const struct calibration *c, double raw, double *moisture)
{
	double span = c->wet - c->dry, m;

	if (!c->set || span == 0 || isnan(raw))
		return false;
	m = (raw - c->dry) / span * 100;
	if (m < -10 || m > 110)
		return false;
	*moisture = round((m < 0 ? 0 : m > 100 ? 100 : m) * 10) / 10;
	return true;
}

const char *calibration_refusal(double dry, double wet)
{
	if (isnan(dry) || isnan(wet) || dry < 0 || wet < 0)
		return N_("Both readings are needed: dry in air, then in water.");
	if (fabs(dry - wet) < MIN_SPAN)
		return N_("The two readings are almost the same: was the probe really in water?");
	return NULL;
}
