/* The office link's client: libmosquitto without its threads, its socket
 * watched by the station's loop, a timer for its keep-alive, connecting
 * again after a fault with a growing wait, and the outbox sent one batch
 * at a time so that the broker has them in order. */
#include "uplink.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "loop.h"
#include "mqtt.h"
#include "signing.h"
#include "store.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Waits before connecting again: from 1 s, doubled to 5 minutes. */
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS (5 * 60 * 1000)
/* How often the outbox is looked at while a batch is on its way or rows
 * wait, and while the link is quiet (the keep-alive is kept besides). */
#define TICK_MS 2000
#define QUIET_MS 15000
/* Sent, yet not confirmed for resend_seconds: the office may not have it
 * (it was stopped while merging, or the broker lost it); sent again, with
 * a wait doubled each time nothing comes, up to an hour. */
#define RESEND_MAX_MS (60 * 60 * 1000)
/* The bound of the outbox is kept once a minute. */
#define BOUND_MS (60 * 1000)

struct uplink {
	struct app *app;
	const struct uplink_cfg *cfg;
	struct mosquitto *mosq;
	int fd;
	short events;
	int timer;
	char topic_records[160], topic_confirmed[160];
	bool connected;
	/* A fault met inside libmosquitto's callbacks: the client is let go
	 * once they have returned. */
	bool broken;
	int64_t backoff_ms;
	int64_t next_connect_ms;	/* mono */
	/* The batch the broker has not acknowledged yet (mid 0: none). */
	int mid;
	int64_t first, last;
	int64_t after;			/* the newest seq sent before the next batch */
	int64_t confirmed;		/* the newest seq the office holds */
	int64_t progress_ms, resend_ms;	/* mono: last confirmation; the wait */
	int64_t resent_after;		/* the gap last filled: after this seq */
	bool rewind;			/* the batch in flight is followed by a resend */
	int64_t bound_ms;
	char trouble[256];		/* why the link is down, for the screen */
};

/* libmosquitto, loaded by uplink_start(). */
static const struct mqtt *mq;

static int64_t mono_ms(void)
{
	return clock_mono_ms();
}

static int64_t resend_min(const struct uplink *u)
{
	return (int64_t)u->cfg->resend_seconds * 1000;
}

static void drop(struct uplink *u);
static int number(const char *s, size_t n, int64_t *v);
static void on_fd(void *data, int fd, short revents);

static void watch(struct uplink *u)
{
	short want;

	if (!u->mosq || u->fd < 0)
		return;
	want = POLLIN | (mq->want_write(u->mosq) ? POLLOUT : 0);
	if (want != u->events) {
		loop_watch(u->app->loop, u->fd, want, on_fd, u);
		u->events = want;
	}
}

static void publish_next(struct uplink *u)
{
	uint8_t *image = NULL, *payload;
	size_t len = 0, plen = 0;
	int64_t first, last;
	char uid[40], code[16], name[128];
	int rc;

	if (!u->connected || u->mid || !u->app->key || !u->app->key->ok)
		return;
	rc = store_outbox_image(u->app->store, u->cfg->batch, &image, &len, &first, &last);
	if (rc <= 0)
		return;
	if (store_station_identity(u->app->store, uid, sizeof(uid), code, sizeof(code), name,
				   sizeof(name)) != 0) {
		free(image);
		return;
	}
	payload = uplink_pack(&u->app->key->key, uid, u->after, first, last, image, len, &plen);
	free(image);
	if (!payload)
		return;
	rc = mq->publish(u->mosq, &u->mid, u->topic_records, (int)plen, payload, 1, false);
	free(payload);
	if (rc != MOSQ_ERR_SUCCESS) {
		u->mid = 0;
		u->broken = true;
		return;
	}
	u->first = first;
	u->last = last;
	watch(u);
}

static void on_connect(struct mosquitto *m, void *ctx, int rc)
{
	struct uplink *u = ctx;
	struct outbox_state o;

	(void)m;
	if (rc != 0) {
		snprintf(u->trouble, sizeof(u->trouble), _("the office's server refused the station (%s)"),
			 mq->connack_string(rc));
		return;
	}
	u->connected = true;
	u->trouble[0] = '\0';
	u->backoff_ms = BACKOFF_MIN_MS;
	u->mid = 0;
	/* What was sent and not confirmed before may not have arrived: the
	 * next batch says it follows the newest seq the broker took. */
	if (store_outbox_state(u->app->store, &o) == 0)
		u->after = o.last_sent;
	u->progress_ms = mono_ms();
	mq->subscribe(u->mosq, NULL, u->topic_confirmed, 1);
	publish_next(u);
	app_changed(u->app);
}

static void on_publish(struct mosquitto *m, void *ctx, int mid)
{
	struct uplink *u = ctx;

	(void)m;
	if (mid != u->mid)
		return;
	if (store_outbox_sent(u->app->store, u->first, u->last, clock_now(u->app->clock)) == 0)
		u->after = u->last;
	u->mid = 0;
	/* A gap told while this batch was on its way: it was sent again. */
	if (u->rewind) {
		store_outbox_resend(u->app->store, u->resent_after);
		u->after = u->resent_after;
		u->rewind = false;
	}
	publish_next(u);
	app_changed(u->app);
}

/* The office's confirmation, "HELD SEEN": the newest seq it holds
 * without a gap, and the newest it has seen. */
static void on_message(struct mosquitto *m, void *ctx, const struct mosquitto_message *msg)
{
	struct uplink *u = ctx;
	char text[48], *space;
	int64_t held, seen;

	(void)m;
	if (strcmp(msg->topic, u->topic_confirmed) != 0 || msg->payloadlen <= 0 ||
	    msg->payloadlen >= (int)sizeof(text))
		return;
	memcpy(text, msg->payload, (size_t)msg->payloadlen);
	text[msg->payloadlen] = '\0';
	space = strchr(text, ' ');
	if (!space)
		return;
	*space = '\0';
	if (number(text, strlen(text), &held) < 0 || number(space + 1, strlen(space + 1), &seen) < 0)
		return;
	if (held > u->confirmed) {
		u->confirmed = held;
		u->progress_ms = mono_ms();
		u->resend_ms = resend_min(u);
		store_outbox_confirmed(u->app->store, held, clock_now(u->app->clock));
		app_changed(u->app);
	}
	/* The office has a later batch but not one before it: what follows
	 * what it holds goes again, once for each gap it tells of. */
	if (seen > held && held != u->resent_after && held >= u->confirmed) {
		u->resent_after = held;
		store_outbox_resend(u->app->store, held);
		if (!u->mid)
			u->after = held;
		else
			u->rewind = true;
	}
}

static void on_disconnect(struct mosquitto *m, void *ctx, int rc)
{
	struct uplink *u = ctx;

	(void)m;
	(void)rc;
	u->connected = false;
}

/* The connection is over: a new client at the next try. */
static void drop(struct uplink *u)
{
	if (u->fd >= 0)
		loop_unwatch(u->app->loop, u->fd);
	u->fd = -1;
	u->events = 0;
	if (u->mosq)
		mq->destroy(u->mosq);
	u->mosq = NULL;
	if (u->connected)
		app_changed(u->app);
	u->connected = false;
	u->broken = false;
	u->mid = 0;
	u->next_connect_ms = mono_ms() + u->backoff_ms;
	u->backoff_ms = u->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : u->backoff_ms * 2;
	if (!u->trouble[0])
		snprintf(u->trouble, sizeof(u->trouble), "%s", _("the office's server does not answer"));
}

static void on_fd(void *data, int fd, short revents)
{
	struct uplink *u = data;
	int rc = MOSQ_ERR_SUCCESS;

	(void)fd;
	if (!u->mosq)
		return;
	if (revents & (POLLIN | POLLHUP | POLLERR))
		rc = mq->loop_read(u->mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS && u->mosq && (revents & POLLOUT))
		rc = mq->loop_write(u->mosq, 1);
	if (rc != MOSQ_ERR_SUCCESS || u->broken) {
		drop(u);
		return;
	}
	watch(u);
}

static int try_connect(struct uplink *u)
{
	char id[64];
	int rc;

	snprintf(id, sizeof(id), "fieldstation-%s", u->app->cfg->station.code);
	u->mosq = mq->new_(id, true, u);
	if (!u->mosq)
		return -1;
	mq->int_option(u->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	/* One batch in flight: the broker gets them in order. */
	mq->max_inflight_messages_set(u->mosq, 1);
	mq->connect_callback_set(u->mosq, on_connect);
	mq->disconnect_callback_set(u->mosq, on_disconnect);
	mq->publish_callback_set(u->mosq, on_publish);
	mq->message_callback_set(u->mosq, on_message);
	if (u->cfg->username[0])
		mq->username_pw_set(u->mosq, u->cfg->username, u->cfg->password);
	if (u->cfg->ca_file[0]) {
		rc = mq->tls_set(u->mosq, u->cfg->ca_file, NULL,
				       u->cfg->cert_file[0] ? u->cfg->cert_file : NULL,
				       u->cfg->key_file[0] ? u->cfg->key_file : NULL, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(u->trouble, sizeof(u->trouble), _("the link's certificates cannot be used (%s)"),
				 mq->strerror(rc));
			return -1;
		}
	}
	rc = mq->connect_async(u->mosq, u->cfg->host, u->cfg->port, u->cfg->keepalive);
	if (rc != MOSQ_ERR_SUCCESS)
		return -1;
	u->fd = mq->socket(u->mosq);
	if (u->fd < 0)
		return -1;
	u->events = POLLIN | POLLOUT;
	loop_watch(u->app->loop, u->fd, u->events, on_fd, u);
	return 0;
}

static void keep_bound(struct uplink *u)
{
	int64_t dropped;
	bool full = store_card_full(u->app->store);

	if (!full && mono_ms() - u->bound_ms < BOUND_MS)
		return;
	u->bound_ms = mono_ms();
	if (store_outbox_bound(u->app->store, u->cfg->outbox_max, full, &dropped) == 0 && dropped)
		app_changed(u->app);
}

/* A station whose link is quiet, or down and waiting to connect again,
 * wakes seldom: the farm's few wake-ups a minute are kept. */
static int64_t next_tick(struct uplink *u)
{
	struct outbox_state o;
	int64_t wait, keep = (int64_t)u->cfg->keepalive * 1000 / 2;

	if (!u->mosq) {
		wait = u->next_connect_ms - mono_ms();
		return wait > TICK_MS ? wait : TICK_MS;
	}
	if (u->connected && !u->mid && store_outbox_state(u->app->store, &o) == 0 &&
	    o.unsent == 0) {
		wait = QUIET_MS < keep ? QUIET_MS : keep;
		return wait < resend_min(u) ? wait : resend_min(u);
	}
	return TICK_MS;
}

static int64_t on_tick(void *data)
{
	struct uplink *u = data;
	int64_t now = mono_ms();

	keep_bound(u);
	if (!u->mosq && now >= u->next_connect_ms) {
		if (try_connect(u) < 0)
			drop(u);
	}
	if (u->mosq) {
		if (mq->loop_misc(u->mosq) != MOSQ_ERR_SUCCESS) {
			drop(u);
			return TICK_MS;
		}
		/* Sent long ago and never confirmed: sent again. */
		if (u->connected && !u->mid && now - u->progress_ms > u->resend_ms) {
			struct outbox_state o;

			if (store_outbox_state(u->app->store, &o) == 0 && o.waiting > o.unsent) {
				store_outbox_resend(u->app->store, u->confirmed);
				u->after = u->confirmed;
				u->resend_ms = u->resend_ms * 2 > RESEND_MAX_MS ? RESEND_MAX_MS
										  : u->resend_ms * 2;
			}
			u->progress_ms = now;
		}
		publish_next(u);
		if (u->broken)
			drop(u);
		else
			watch(u);
	}
	return next_tick(u);
}

struct uplink *uplink_start(struct app *app, char *err, size_t errlen)
{
	const struct uplink_cfg *c = &app->cfg->uplink;
	struct uplink *u;
	struct outbox_state o;

	err[0] = '\0';
	if (!config_has_uplink(c))
		return NULL;
	mq = mqtt_load(err, errlen);
	if (!mq)
		return NULL;
	u = calloc(1, sizeof(*u));
	if (!u) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	u->app = app;
	u->cfg = c;
	u->fd = -1;
	u->resent_after = -1;
	u->backoff_ms = BACKOFF_MIN_MS;
	u->resend_ms = resend_min(u);
	snprintf(u->topic_records, sizeof(u->topic_records), "%s/records", c->topic);
	snprintf(u->topic_confirmed, sizeof(u->topic_confirmed), "%s/confirmed", c->topic);
	if (store_outbox_state(app->store, &o) == 0) {
		u->after = o.last_sent;
		u->confirmed = o.confirmed;
	}
	u->timer = loop_timer_add(app->loop, 0, on_tick, u);
	if (u->timer < 0) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		free(u);
		return NULL;
	}
	return u;
}

void uplink_stop(struct uplink *u)
{
	if (!u)
		return;
	loop_timer_del(u->app->loop, u->timer);
	if (u->mosq && u->connected) {
		mq->disconnect(u->mosq);
		mq->loop_write(u->mosq, 1);
	}
	u->trouble[0] = 'x';
	drop(u);
	free(u);
}

void uplink_says(struct uplink *u, char *buf, size_t n)
{
	struct outbox_state o;
	struct tm tm;
	time_t t;

	buf[0] = '\0';
	if (!u || store_outbox_state(u->app->store, &o) != 0)
		return;
	if (o.waiting == 0 && o.confirmed_at) {
		t = (time_t)o.confirmed_at;
		localtime_r(&t, &tm);
		snprintf(buf, n, _("Sent to the office %02d:%02d"), tm.tm_hour, tm.tm_min);
	} else if (o.waiting == 0) {
		snprintf(buf, n, "%s", _("Nothing waits for the office"));
	} else {
		snprintf(buf, n, ngettext("%lld record waits for the office",
					  "%lld records wait for the office", (unsigned long)o.waiting),
			 (long long)o.waiting);
		if (!u->connected && u->trouble[0])
			snprintf(buf + strlen(buf), n - strlen(buf), ": %s", u->trouble);
	}
	if (o.dropped_days)
		snprintf(buf + strlen(buf), n - strlen(buf),
			 ngettext("; %lld day of readings goes by USB only",
				  "; %lld days of readings go by USB only", (unsigned long)o.dropped_days),
			 (long long)o.dropped_days);
	if (o.dropped_events)
		snprintf(buf + strlen(buf), n - strlen(buf),
			 ngettext("; %lld event goes by USB only", "; %lld events go by USB only",
				  (unsigned long)o.dropped_events),
			 (long long)o.dropped_events);
}

/* Batches. */

#define MAGIC "FSLINK1"

static int header_of(char *buf, size_t n, const char *uid, int64_t after, int64_t first,
		     int64_t last)
{
	return snprintf(buf, n, MAGIC " %s %" PRId64 " %" PRId64 " %" PRId64, uid, after, first, last);
}

/* The signed bytes: the header without the signature, a newline, the image. */
static uint8_t *signed_part(const char *header, const uint8_t *image, size_t image_len,
			    size_t *len)
{
	size_t h = strlen(header);
	uint8_t *d = malloc(h + 1 + image_len);

	if (!d)
		return NULL;
	memcpy(d, header, h);
	d[h] = '\n';
	memcpy(d + h + 1, image, image_len);
	*len = h + 1 + image_len;
	return d;
}

uint8_t *uplink_pack(const struct signkey *k, const char *uid, int64_t after, int64_t first,
		     int64_t last, const uint8_t *image, size_t image_len, size_t *len)
{
	char header[256], hex[2 * SIGN_BYTES + 1];
	uint8_t sig[SIGN_BYTES], *part, *out;
	size_t part_len, h;

	header_of(header, sizeof(header), uid, after, first, last);
	part = signed_part(header, image, image_len, &part_len);
	if (!part)
		return NULL;
	sign_data(k, SIGN_CONTEXT_LINK, part, part_len, sig);
	free(part);
	sign_to_hex(sig, SIGN_BYTES, hex);
	h = strlen(header);
	out = malloc(h + 1 + strlen(hex) + 1 + image_len);
	if (!out)
		return NULL;
	memcpy(out, header, h);
	out[h] = ' ';
	memcpy(out + h + 1, hex, strlen(hex));
	out[h + 1 + strlen(hex)] = '\n';
	memcpy(out + h + 2 + strlen(hex), image, image_len);
	*len = h + 2 + strlen(hex) + image_len;
	return out;
}

/* A number of the header: digits only, at most 18. */
static int number(const char *s, size_t n, int64_t *v)
{
	if (n == 0 || n > 18)
		return -1;
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int uplink_unpack(const uint8_t *payload, size_t len, struct uplink_batch *b, char *err, size_t errlen)
{
	const char *p = (const char *)payload, *end, *field[6];
	size_t flen[6];
	int k = 0;

	memset(b, 0, sizeof(*b));
	if (len > UPLINK_MAX_PAYLOAD) {
		snprintf(err, errlen, "%s", _("the message is far too large"));
		return -1;
	}
	end = memchr(p, '\n', len < 256 ? len : 256);
	if (!end || len < 8 || memcmp(p, MAGIC " ", 8) != 0) {
		snprintf(err, errlen, "%s", _("it is not a station's batch"));
		return -1;
	}
	for (const char *q = p + 8; q < end && k < 6;) {
		const char *sp = memchr(q, ' ', (size_t)(end - q));
		const char *stop = sp ? sp : end;

		field[k] = q;
		flen[k++] = (size_t)(stop - q);
		q = sp ? sp + 1 : end;
		if (sp && q == end)
			k = 7;
	}
	if (k != 5 || flen[0] != 32 || number(field[1], flen[1], &b->after) < 0 ||
	    number(field[2], flen[2], &b->first) < 0 || number(field[3], flen[3], &b->last) < 0 ||
	    b->first < 1 || b->last < b->first || b->after >= b->first || flen[4] != 2 * SIGN_BYTES) {
		snprintf(err, errlen, "%s", _("its header is damaged"));
		return -1;
	}
	for (size_t i = 0; i < 32; i++)
		if (!isxdigit((unsigned char)field[0][i]) || isupper((unsigned char)field[0][i])) {
			snprintf(err, errlen, "%s", _("its header is damaged"));
			return -1;
		}
	memcpy(b->uid, field[0], 32);
	b->uid[32] = '\0';
	{
		char hex[2 * SIGN_BYTES + 1];

		memcpy(hex, field[4], 2 * SIGN_BYTES);
		hex[2 * SIGN_BYTES] = '\0';
		if (sign_from_hex(hex, b->sig, SIGN_BYTES) < 0) {
			snprintf(err, errlen, "%s", _("its header is damaged"));
			return -1;
		}
	}
	b->image = (const uint8_t *)end + 1;
	b->image_len = len - (size_t)(end + 1 - p);
	return 0;
}

bool uplink_verify(const struct uplink_batch *b, const uint8_t public_key[32])
{
	char header[256];
	size_t len;
	uint8_t *part;
	bool ok;

	header_of(header, sizeof(header), b->uid, b->after, b->first, b->last);
	part = signed_part(header, b->image, b->image_len, &len);
	if (!part)
		return false;
	ok = sign_verify(public_key, SIGN_CONTEXT_LINK, part, len, b->sig);
	free(part);
	return ok;
}
