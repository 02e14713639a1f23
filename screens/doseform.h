/* The steps of a dosing run on the keypad, before who and the last
 * question: which tanks go into the water (each injector of the pump,
 * with what its tank holds), what a plant-protection product is against,
 * and the phases' minutes with what the dose will give. 0 or Backspace
 * goes one step back. */
#ifndef FS_DOSEFORM_H
#define FS_DOSEFORM_H

#include "dosing.h"

#include <stdbool.h>

struct ui;

enum doseform_state { DOSEFORM_RUNNING, DOSEFORM_DONE, DOSEFORM_CANCELLED };

struct doseform {
	enum doseform_state state;
	int step;
	struct dose_plan plan;
	int injectors[DOSE_MAX];	/* of the pump */
	int n_injectors;
	bool chosen[DOSE_MAX];
	int asking;			/* the pick whose pest is asked */
	int page;
	int pick_top;			/* the list's first row, under the question */
	char warn[256];
};

/* Begins for pump; cancels at once, having said why, when none of its
 * injectors can be used. */
void doseform_begin(struct doseform *f, struct ui *ui, int pump);
void doseform_draw(struct ui *ui, struct doseform *f);
int doseform_key(struct ui *ui, struct doseform *f, int key);
/* The plan once done, in the farmer's words, for the last question:
 * "Tưới 10 phút, châm 20 phút, rửa ống 10 phút: NPK 20-20-15 khoảng 6 kg". */
char *doseform_summary(struct ui *ui, const struct doseform *f, char *buf, size_t n);

#endif
