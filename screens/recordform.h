/* The steps of a farm record on the keypad: the day (+/-), then each
 * field picked from a numbered list or typed as a number, then one look
 * at the whole record and Enter to save. Used by the screens that make
 * new records and by corrections. 0 or Backspace goes one step back. */
#ifndef FS_RECORDFORM_H
#define FS_RECORDFORM_H

#include "numentry.h"
#include "pinentry.h"
#include "records.h"

#include <stdbool.h>

struct ui;

enum form_state { FORM_RUNNING, FORM_SAVED, FORM_CANCELLED };

#define FORM_MAX_STEPS 12

struct recordform {
	enum form_state state;
	struct record_row r;
	struct record_row old;	/* what a correction replaces */
	bool correcting;
	bool manager;		/* the manager's PIN was given */
	int steps[FORM_MAX_STEPS];
	int n_steps, at;
	int zone;		/* index in the configuration, -1 none */
	int page;		/* of the list being picked from */
	int today;
	struct numentry num;
	struct pinentry pin;
	int overlay;		/* the interval warning or the PIN over a step */
	int after_pin;		/* the overlay that the PIN was asked for */
	int pending;		/* a product that is not organic, awaiting leave */
	bool qr;		/* the lot code as a QR code */
	int summary_page;	/* of the whole record, before saving */
	char why[256];
};

/* A new record of kind; the form may cancel at once (a clock behind the
 * records, nobody to pick), having said why. */
void recordform_new(struct recordform *f, struct ui *ui, int kind);
/* A correction of old, once the manager's PIN was given; with void_it,
 * a record saying that old was a mistake (only who and Enter). */
void recordform_correct(struct recordform *f, struct ui *ui, const struct record_row *old,
			bool void_it);
void recordform_draw(struct ui *ui, struct recordform *f);
/* The form's title: a correction's or a removal's, or NULL for the
 * screen's own. */
const char *recordform_title(const struct recordform *f);
/* ACT_ flags; f->state tells when the form is done. */
int recordform_key(struct ui *ui, struct recordform *f, int key);
/* MODE_ flags (screen.h): a number or the PIN typed, or the whole record
 * shown before it is saved. */
unsigned recordform_mode(const struct recordform *f);

#endif
