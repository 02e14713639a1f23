/* The office link: the station's outbox (store_outbox.c) sent to the
 * cooperative's MQTT broker, a batch at a time, in order, QoS 1, signed
 * with the station's key; marked sent when the broker takes it, and
 * gone from the outbox when the office confirms it has merged it. The
 * client's socket is one more file descriptor of the station's poll
 * loop: nothing waits on the network. Without [uplink], nothing runs.
 *
 * Topics, under the station's topic T (fieldstation/CODE):
 *   T/records    the station's batches (the office reads fieldstation/+/records)
 *   T/confirmed  the newest seq the office holds, retained (the office writes it) */
#ifndef FS_UPLINK_H
#define FS_UPLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct signkey;

/* The context of a batch's signature. */
#define SIGN_CONTEXT_LINK "fieldstation link"
/* The most a batch may weigh: the office refuses more. */
#define UPLINK_MAX_PAYLOAD (16 << 20)

struct uplink;

/* Starts the link of app's [uplink] (the outbox already on): connects in
 * the background and keeps connecting. NULL without [uplink], or with
 * why on an error. */
struct uplink *uplink_start(struct app *app, char *err, size_t errlen);
void uplink_stop(struct uplink *u);

/* One line for the screen: when the office last confirmed, or how many
 * records wait for it, or what keeps them. */
void uplink_says(struct uplink *u, char *buf, size_t n);

/* A batch as it travels: a header line, then the image.
 *   FSLINK1 UID AFTER FIRST LAST SIGNATURE\n IMAGE
 * AFTER is the newest seq of the batch sent before it (0: none), so that
 * the office sees a batch that went missing; the signature is the
 * station's, of the header without it and the image. malloc'd. */
uint8_t *uplink_pack(const struct signkey *k, const char *uid, int64_t after, int64_t first,
		     int64_t last, const uint8_t *image, size_t image_len, size_t *len);
struct uplink_batch {
	char uid[33];
	int64_t after, first, last;
	uint8_t sig[64];
	const uint8_t *image;		/* inside the payload */
	size_t image_len;
};
/* Reads a payload's header strictly (the signature is checked by
 * uplink_verify() with the key the office trusts). 0, or -1 with err. */
int uplink_unpack(const uint8_t *payload, size_t len, struct uplink_batch *b, char *err, size_t errlen);
bool uplink_verify(const struct uplink_batch *b, const uint8_t public_key[32]);

#endif
