/* What all relays share: switching through the driver, and the registry
 * that lets a dying process turn every relay off. */
#include "relay.h"

#include <signal.h>

#define RELAY_MAX 32

/* Read by signal handlers, hence volatile and never reallocated. */
static struct relay *volatile registry[RELAY_MAX];

int relay_register(struct relay *r)
{
	for (int i = 0; i < RELAY_MAX; i++) {
		if (!registry[i]) {
			registry[i] = r;
			return 0;
		}
	}
	return -1;
}

void relay_unregister(struct relay *r)
{
	for (int i = 0; i < RELAY_MAX; i++)
		if (registry[i] == r)
			registry[i] = NULL;
}

void relay_mark_first(struct relay *r)
{
	r->first = true;
}

void relay_all_off_now(void)
{
	/* Injectors first: no product goes into a line whose water stops. */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < RELAY_MAX; i++) {
			struct relay *r = registry[i];

			if (r && r->first == (pass == 0))
				r->ops->force_off(r);
		}
	}
}

int relay_set(struct relay *r, bool on)
{
	int rc = r->ops->set(r, on);

	if (rc < 0) {
		/* Whatever went wrong, a relay we cannot trust goes off. */
		r->ops->force_off(r);
		r->on = false;
		return rc;
	}
	r->on = on;
	return 0;
}

bool relay_is_on(const struct relay *r)
{
	return r->on;
}

void relay_free(struct relay *r)
{
	if (!r)
		return;
	r->ops->set(r, false);
	relay_unregister(r);
	r->ops->free(r);
}
