/* fieldstation merge: stations' export folders merged into the office
 * database, a report for each. */
#include "cmd.h"
#include "merge.h"
#include "store.h"
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* What a merge did, folder by folder, for its exit code. */
struct tally {
	const char *office;
	int merged, held, refused;
};

/* The folder's name, the station's code and name (from the copy's meta
 * table) and the reasons are all a stick's words: printed cleaned. */
static void on_merged(void *ctx, const struct merge_report *m)
{
	const struct merge_result *r = m->result;
	const struct backup_facts *f = m->facts;
	struct tally *t = ctx;
	char where[4096], why[2048], code[64], name[512], office[4096];
	int64_t added = 0, filled = 0;

	text_clean(where, sizeof(where), m->folder);
	if (m->outcome == MERGE_HELD) {
		t->held++;
		fprintf(stderr, _("%s: held: %s.\n"), where, text_clean(why, sizeof(why), m->why));
		fprintf(stderr, _("  Compare the fingerprint with the station's screen (Settings, 1 About this station) or its \"fieldstation status\"; if they are the same: fieldstation trust --into %s %s\n"),
			text_clean(office, sizeof(office), t->office), where);
		return;
	}
	if (m->outcome == MERGE_REFUSED) {
		t->refused++;
		fprintf(stderr, _("%s: refused: %s.\n"), where, text_clean(why, sizeof(why), m->why));
		return;
	}
	t->merged++;
	text_clean(code, sizeof(code), f->code);
	text_clean(name, sizeof(name), f->name);
	printf(_("%s: station %s (%s)\n"), where, code, name);
	for (int i = 0; i < store_merge_table_count(); i++) {
		const char *label = merge_table_label(store_merge_table(i));

		if (!label || (!r->added[i] && !r->filled[i]))
			continue;
		added += r->added[i];
		filled += r->filled[i];
		if (r->filled[i])
			printf(_("  %s: %lld new, %lld completed\n"), label, (long long)r->added[i],
			       (long long)r->filled[i]);
		else
			printf(_("  %s: %lld new\n"), label, (long long)r->added[i]);
	}
	if (!added && !filled)
		printf("  %s\n", _("nothing new: it was merged before"));
	if (r->same_code)
		printf(_("  Note: another station merged here also has the code %s (another database); their rows are kept apart, but the CSVs show both as %s.\n"),
		       code, code);
}

/* Exit codes of merge: every folder merged; one refused (or the office
 * database failed); some held for trust, none refused. */
#define MERGE_EXIT_OK 0
#define MERGE_EXIT_REFUSED 1
#define MERGE_EXIT_HELD 3

/* The office: stations' export folders into one database. */
int cmd_merge(struct options *o)
{
	struct store *s;
	struct tally t = { .office = o->into };
	char err[768];
	time_t now;
	int failed = 0;

	if (!o->into || o->n_args == 0) {
		fprintf(stderr, _("Use: fieldstation merge --into OFFICE.db FOLDER... (export folders, or sticks holding them).\n"));
		return 2;
	}
	if (open_office(o, &s, &now) != 0)
		return 1;
	for (int i = 0; i < o->n_args; i++) {
		if (merge_path(s, o->into, o->args[i], (int64_t)now, on_merged, &t, err,
			       sizeof(err)) < 0) {
			put_line(stderr, err);
			failed++;
		}
	}
	store_close(s);
	if (failed || t.refused)
		return MERGE_EXIT_REFUSED;
	return t.held ? MERGE_EXIT_HELD : MERGE_EXIT_OK;
}
