/* The office's subscriber: each station's batch checked (its header, its
 * signature by the key the office trusts for that station, its topic),
 * its image taken into a file beside the office database and merged as a
 * stick's copy is, then the station told how far the office holds. */
#include "office.h"

#include "merge.h"
#include "mqtt.h"
#include "signing.h"
#include "store.h"
#include "text.h"
#include "uplink.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct office {
	const struct office_opts *o;
	struct store *s;
	struct mosquitto *mosq;
	char dir[PATH_MAX];		/* the office database's folder, for the copies */
	char subscription[200];
};

static volatile sig_atomic_t stopping;
/* libmosquitto, loaded by office_run(). */
static const struct mqtt *mq;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* A line about a station's batch; what came from outside is cleaned. */
static void say(const char *code, const struct uplink_batch *b, const char *sentence)
{
	char c[64], w[1024];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	text_clean(c, sizeof(c), code);
	text_clean(w, sizeof(w), sentence);
	printf("%02d:%02d:%02d %s", tm.tm_hour, tm.tm_min, tm.tm_sec, c);
	if (b && b->first)
		printf(" %lld-%lld", (long long)b->first, (long long)b->last);
	printf(": %s\n", w);
	fflush(stdout);
}

/* The same, of a format. */
static void say_that(const char *code, const struct uplink_batch *b, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say_that(const char *code, const struct uplink_batch *b, const char *fmt, ...)
{
	char line[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	say(code, b, line);
}

/* The station's part of the topic TOPIC/CODE/records: CODE, or NULL. */
static const char *code_of(const struct office *f, const char *topic, char *code, size_t n)
{
	size_t p = strlen(f->o->topic);
	const char *rest, *slash;

	if (strncmp(topic, f->o->topic, p) != 0 || topic[p] != '/')
		return NULL;
	rest = topic + p + 1;
	slash = strchr(rest, '/');
	if (!slash || strcmp(slash, "/records") != 0 || (size_t)(slash - rest) >= n ||
	    slash == rest)
		return NULL;
	snprintf(code, n, "%.*s", (int)(slash - rest), rest);
	return code;
}

static int64_t held_seq(struct office *f, const char *uid)
{
	char key[64], v[32];

	snprintf(key, sizeof(key), "link_seq:%s", uid);
	if (store_meta_get(f->s, key, v, sizeof(v)) != 0)
		return 0;
	return strtoll(v, NULL, 10);
}

/* "HELD SEEN": the newest seq held without a gap, and the newest seen;
 * a station that reads SEEN > HELD sends again what follows HELD. */
static void confirm(struct office *f, const char *code, const char *uid, int64_t held,
		    int64_t seen)
{
	char key[64], v[48], topic[200];

	snprintf(key, sizeof(key), "link_seq:%s", uid);
	snprintf(v, sizeof(v), "%lld", (long long)held);
	store_meta_set(f->s, key, v);
	snprintf(v, sizeof(v), "%lld %lld", (long long)held, (long long)(seen > held ? seen : held));
	snprintf(topic, sizeof(topic), "%s/%s/confirmed", f->o->topic, code);
	mq->publish(f->mosq, NULL, topic, (int)strlen(v), v, 1, true);
}

/* The image into a file of our own beside the office database. */
static int take_copy(struct office *f, const struct uplink_batch *b, char *copy, size_t n,
		     char *err, size_t errlen)
{
	size_t done = 0;
	int fd;

	if ((size_t)snprintf(copy, n, "%s/.fieldstation-link-XXXXXX", f->dir) >= n ||
	    (fd = mkstemp(copy)) < 0) {
		snprintf(err, errlen, _("no room for a copy beside %s (%s)"), f->o->into, strerror(errno));
		copy[0] = '\0';
		return -1;
	}
	while (done < b->image_len) {
		ssize_t w = write(fd, b->image + done, b->image_len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, _("no room for a copy beside %s (%s)"), f->o->into,
				 strerror(errno));
			close(fd);
			return -1;
		}
		done += (size_t)w;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, _("no room for a copy beside %s (%s)"), f->o->into, strerror(errno));
		return -1;
	}
	return 0;
}

static void on_message(struct mosquitto *m, void *ctx, const struct mosquitto_message *msg)
{
	struct office *f = ctx;
	struct uplink_batch b;
	struct trusted_station t;
	struct backup_facts facts;
	struct merge_result r;
	char code[32], why[768], copy[PATH_MAX + 64];
	int64_t held, added = 0;
	int rc;

	(void)m;
	if (!code_of(f, msg->topic, code, sizeof(code)))
		return;
	if (uplink_unpack(msg->payload, msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0, &b, why,
			  sizeof(why)) < 0) {
		say_that(code, NULL, _("refused: %s"), why);
		return;
	}
	rc = store_trusted_get(f->s, b.uid, &t);
	if (rc != 1) {
		say_that(code, &b, _("held: %s"),
		    _("the office does not trust this station yet: trust it from one of its export folders (fieldstation trust)"));
		return;
	}
	if (!uplink_verify(&b, t.key)) {
		say_that(code, &b, _("refused: %s"), _("it is not signed by the station's key that the office trusts"));
		return;
	}
	if (strcmp(t.code, code) != 0) {
		snprintf(why, sizeof(why), _("it came under station %s's topic, but it is station %s's"),
			 code, t.code);
		say_that(code, &b, _("refused: %s"), why);
		return;
	}
	if (take_copy(f, &b, copy, sizeof(copy), why, sizeof(why)) < 0) {
		say_that(code, &b, _("not merged: %s"), why);
		if (copy[0])
			unlink(copy);
		return;
	}
	rc = merge_copy(f->s, copy, b.uid, (int64_t)time(NULL), (int64_t)time(NULL), &facts, &r, why,
			sizeof(why));
	unlink(copy);
	if (rc < 0) {
		say_that(code, &b, _("refused: %s"), why);
		return;
	}
	for (int i = 0; i < store_merge_table_count(); i++)
		added += r.added[i];
	snprintf(why, sizeof(why), "%lld", (long long)added);
	say_that(code, &b, _("merged, %s new rows"), why);
	/* Confirmed only without a gap: a batch that went missing before
	 * this one is sent again by the station. */
	held = held_seq(f, b.uid);
	if (b.after <= held && b.last > held)
		held = b.last;
	confirm(f, code, b.uid, held, b.last);
}

static void on_connect(struct mosquitto *m, void *ctx, int rc)
{
	struct office *f = ctx;

	if (rc != 0) {
		say_that("-", NULL, _("the broker refused the office: %s"), mq->connack_string(rc));
		return;
	}
	mq->subscribe(m, NULL, f->subscription, 1);
	say("-", NULL, _("connected to the broker"));
}

int office_run(const struct office_opts *o, char *err, size_t errlen)
{
	struct office f = { .o = o };
	char said[768], *slash;
	int rc, wait = 1;

	if (store_open(o->into, STORE_EXCLUSIVE, &f.s, said, sizeof(said)) < 0) {
		snprintf(err, errlen, "%s", said);
		return -1;
	}
	if (store_office_prepare(f.s, said, sizeof(said)) < 0) {
		snprintf(err, errlen, _("%s: refused: %s."), o->into, said);
		store_close(f.s);
		return -1;
	}
	if (!realpath(o->into, f.dir)) {
		snprintf(err, errlen, "%s: %s", o->into, strerror(errno));
		store_close(f.s);
		return -1;
	}
	slash = strrchr(f.dir, '/');
	*slash = '\0';
	snprintf(f.subscription, sizeof(f.subscription), "%s/+/records", o->topic);
	mq = mqtt_load(said, sizeof(said));
	if (!mq) {
		snprintf(err, errlen, "%s", said);
		store_close(f.s);
		return -1;
	}
	/* A session the broker keeps: what stations send while the office
	 * is off waits at the broker. */
	f.mosq = mq->new_(o->client_id, false, &f);
	if (!f.mosq) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto fail;
	}
	mq->int_option(f.mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	mq->connect_callback_set(f.mosq, on_connect);
	mq->message_callback_set(f.mosq, on_message);
	if (o->username)
		mq->username_pw_set(f.mosq, o->username, o->password);
	if (o->ca_file) {
		rc = mq->tls_set(f.mosq, o->ca_file, NULL, o->cert_file, o->key_file, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, errlen, _("the link's certificates cannot be used (%s)"),
				 mq->strerror(rc));
			goto fail;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	rc = mq->connect(f.mosq, o->host, o->port ? o->port : o->ca_file ? 8883 : 1883, 60);
	while (!stopping) {
		if (rc == MOSQ_ERR_SUCCESS)
			rc = mq->loop(f.mosq, 1000, 1);
		if (rc != MOSQ_ERR_SUCCESS && !stopping) {
			say_that("-", NULL, _("the broker does not answer (%s): trying again"),
			    mq->strerror(rc));
			for (int i = 0; i < wait && !stopping; i++)
				sleep(1);
			wait = wait * 2 > 60 ? 60 : wait * 2;
			rc = mq->reconnect(f.mosq);
			if (rc == MOSQ_ERR_SUCCESS)
				wait = 1;
		}
	}
	mq->disconnect(f.mosq);
	mq->destroy(f.mosq);
	store_close(f.s);
	return 0;
fail:
	if (f.mosq)
		mq->destroy(f.mosq);
	store_close(f.s);
	return -1;
}
