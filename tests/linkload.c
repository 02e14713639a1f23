/* Many stations at one office, for tests/e2e/uplink_many.sh: makes N
 * station databases, each with a day of runs, events and roll-ups
 * written with its outbox on, and its own signing key; trusts each in the
 * office database; then sends every station's outbox to the broker as the
 * station's link does (the same images, the same signed batches, QoS 1,
 * in order, one station after another interleaved batch by batch).
 *   linkload OFFICE.db DIR HOST PORT STATIONS BATCH
 * Prints how many batches and bytes it sent. */
#include "signing.h"
#include "store.h"
#include "text.h"
#include "uplink.h"

#include <math.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STATIONS 200
/* 01/06/2026 05:10 in Việt Nam. */
#define T0 1780265400

struct station {
	char path[512], uid[40], code[16];
	struct store *s;
	struct station_key key;
	int64_t after;
	bool done;
};

static int acked, sent, batch;

static void on_publish(struct mosquitto *m, void *ctx, int mid)
{
	(void)m;
	(void)ctx;
	(void)mid;
	acked++;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "linkload: %s: %s\n", what, why);
	exit(1);
}

static void make_station(struct station *st, const char *dir, int i, struct store *office)
{
	char err[512], name[64];
	const struct store_name names[] = {
		{ "zone", "mit", "Mít ruột đỏ", NULL },
		{ "pump", "p1", "Bơm 1", NULL },
		{ "sensor", "soil1", "soil1", "mit" },
	};
	struct reading_row rows[48];
	struct trusted_station t = { 0 };
	int soil1;

	snprintf(st->code, sizeof(st->code), "S%03d", i + 1);
	snprintf(st->path, sizeof(st->path), "%s/%s.db", dir, st->code);
	snprintf(name, sizeof(name), "Trạm %d", i + 1);
	if (store_open(st->path, STORE_EXCLUSIVE, &st->s, err, sizeof(err)) < 0)
		die(st->path, err);
	if (store_station_remember(st->s, st->code, name, names, 3) < 0 ||
	    store_outbox_enable(st->s) < 0)
		die(st->path, store_error(st->s));
	if (station_key_open(&st->key, st->path, st->s, true, true, T0) < 0)
		die(st->path, st->key.problem);
	/* A day: four runs of twenty minutes, an event an hour, two days of
	 * readings (the first day's roll-up whole). */
	for (int r = 0; r < 4; r++) {
		struct run_row run = { .reason = RUN_MANUAL, .started = T0 + r * 3 * 3600,
				       .planned_end = T0 + r * 3 * 3600 + 1200,
				       .moisture_before = 30 + r, .moisture_after = NAN };

		snprintf(run.pump, sizeof(run.pump), "p1");
		snprintf(run.zone, sizeof(run.zone), "mit");
		if (store_run_begin(st->s, &run) < 0)
			die(st->path, store_error(st->s));
		run.ended = run.planned_end;
		snprintf(run.end_reason, sizeof(run.end_reason), "done");
		run.moisture_after = 40;
		if (store_run_end(st->s, &run) < 0)
			die(st->path, store_error(st->s));
	}
	for (int h = 0; h < 24; h++)
		if (store_event(st->s, T0 + h * 3600, "sensor_lost", "soil1", NULL, h % 6 == 0) < 0)
			die(st->path, store_error(st->s));
	if (store_sensor_id(st->s, "soil1", &soil1) < 0)
		die(st->path, store_error(st->s));
	for (int k = 0; k < 48; k++)
		rows[k] = (struct reading_row){ soil1, 0, 1780246800 + k * 3600, 30.0 + k % 24 };
	if (store_readings_add(st->s, rows, 48, rows[47].t + 86400) < 0)
		die(st->path, store_error(st->s));
	if (store_station_identity(st->s, st->uid, sizeof(st->uid), err, 16, name, sizeof(name)) < 0)
		die(st->path, store_error(st->s));
	snprintf(t.uid, sizeof(t.uid), "%s", st->uid);
	snprintf(t.code, sizeof(t.code), "%s", st->code);
	snprintf(t.name, sizeof(t.name), "%s", name);
	memcpy(t.key, st->key.key.public_key, sizeof(t.key));
	sign_fingerprint(t.key, t.fingerprint);
	t.trusted_at = T0;
	snprintf(t.trusted_by, sizeof(t.trusted_by), "linkload");
	if (store_trust(office, &t, st->key.key.board) < 0)
		die("office", store_error(office));
}

/* The station's next batch onto the broker; false when none waits. */
static bool send_next(struct mosquitto *m, struct station *st, size_t *bytes)
{
	uint8_t *image, *payload;
	size_t len, plen;
	int64_t first, last;
	char topic[64];
	int rc = store_outbox_image(st->s, batch, &image, &len, &first, &last);

	if (rc < 0)
		die(st->path, store_error(st->s));
	if (rc == 0)
		return false;
	payload = uplink_pack(&st->key.key, st->uid, st->after, first, last, image, len, &plen);
	free(image);
	if (!payload)
		die(st->path, "out of memory");
	snprintf(topic, sizeof(topic), "fieldstation/%s/records", st->code);
	if (mosquitto_publish(m, NULL, topic, (int)plen, payload, 1, false) != MOSQ_ERR_SUCCESS)
		die("publish", topic);
	free(payload);
	sent++;
	*bytes += plen;
	/* Marked sent now: the broker's acknowledgements are counted below. */
	if (store_outbox_sent(st->s, first, last, T0) < 0)
		die(st->path, store_error(st->s));
	st->after = last;
	return true;
}

int main(int argc, char **argv)
{
	static struct station st[MAX_STATIONS];
	struct store *office;
	struct mosquitto *m;
	char err[512];
	size_t bytes = 0;
	int n, left;

	if (argc != 7 || (n = atoi(argv[5])) < 1 || n > MAX_STATIONS ||
	    (batch = atoi(argv[6])) < 1) {
		fprintf(stderr, "usage: linkload OFFICE.db DIR HOST PORT STATIONS BATCH\n");
		return 2;
	}
	text_init("en");
	if (store_open(argv[1], STORE_EXCLUSIVE, &office, err, sizeof(err)) < 0)
		die(argv[1], err);
	if (store_office_prepare(office, err, sizeof(err)) < 0)
		die(argv[1], err);
	for (int i = 0; i < n; i++)
		make_station(&st[i], argv[2], i, office);
	store_close(office);
	mosquitto_lib_init();
	m = mosquitto_new("linkload", true, NULL);
	if (!m)
		die("mosquitto", "out of memory");
	mosquitto_publish_callback_set(m, on_publish);
	if (mosquitto_connect(m, argv[3], atoi(argv[4]), 60) != MOSQ_ERR_SUCCESS)
		die("connect", argv[3]);
	/* Station after station, a batch each, until every outbox is empty. */
	do {
		left = 0;
		for (int i = 0; i < n; i++) {
			if (st[i].done)
				continue;
			if (send_next(m, &st[i], &bytes))
				left++;
			else
				st[i].done = true;
			if (mosquitto_loop(m, 0, 1) != MOSQ_ERR_SUCCESS)
				die("loop", "the broker went away");
		}
	} while (left);
	while (acked < sent)
		if (mosquitto_loop(m, 1000, 1) != MOSQ_ERR_SUCCESS)
			die("loop", "the broker went away");
	mosquitto_disconnect(m);
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	for (int i = 0; i < n; i++) {
		station_key_close(&st[i].key);
		store_close(st[i].s);
	}
	printf("%d stations, %d batches, %zu bytes\n", n, sent, bytes);
	return 0;
}
