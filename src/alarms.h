/* Alarms of the event log in the farmer's words. An alarm is stored as a
 * kind, a source (a pump, zone or sensor id) and a detail of plain
 * values, so that it reads in the language of the moment. */
#ifndef FS_ALARMS_H
#define FS_ALARMS_H

#include "store.h"

#include <stddef.h>

struct config;

/* One or two sentences for e. Returns buf. */
char *alarm_text(const struct config *cfg, const struct event_row *e, char *buf, size_t n);
/* What happened, in a few words, for where there is no room for all of
 * it (the home screen): the start of alarm_text(). Returns buf. */
char *alarm_headline(const struct config *cfg, const struct event_row *e, char *buf, size_t n);

#endif
