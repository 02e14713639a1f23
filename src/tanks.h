/* The tanks of stock solution that injectors draw from: what each holds
 * (its book added up), a refill (product, amount, litres of stock, the
 * supplier's lot number, the day) and a tank emptied by hand. Doses are
 * written by src/dosing.c. The SQL is in src/store_dosing.c. */
#ifndef FS_TANKS_H
#define FS_TANKS_H

#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

#define TANK_LOT_LEN 24

/* A refill as the farmer gives it; the names of the moment are taken
 * from the configuration. */
struct tank_refill {
	int tank, product, worker;	/* configuration indexes */
	double amount;			/* of product, in its unit */
	double litres;			/* of stock solution it makes */
	char lot[TANK_LOT_LEN];		/* the supplier's lot number */
	int day;
};

/* Is the refill plausible? A tank holds one product at a time and no more
 * than its capacity; a lot number is needed. 0, or -1 with err. */
int tanks_refill_check(struct store *s, const struct config *cfg, const struct tank_refill *r,
		       int today, char *err, size_t errlen);
/* Checks and writes it; 0 when it is on the card. */
int tanks_refill(struct store *s, const struct config *cfg, int64_t now,
		 const struct tank_refill *r, char *err, size_t errlen);
/* What is left is thrown away (a mix gone bad, a tank cleaned): the
 * book says so and the stock is 0. */
int tanks_drain(struct store *s, const struct config *cfg, int64_t now, int tank, int worker,
		char *err, size_t errlen);

#endif
