/* libmosquitto, opened only where a link is used (a station with an
 * [uplink], the office's subscriber): linked into the program, it would
 * bring OpenSSL into every station, about 2 MB more of resident memory
 * for stations that have no link. */
#ifndef FS_MQTT_H
#define FS_MQTT_H

#include <mosquitto.h>
#include <stddef.h>

struct mqtt {
	__typeof__(&mosquitto_connack_string) connack_string;
	__typeof__(&mosquitto_connect) connect;
	__typeof__(&mosquitto_connect_async) connect_async;
	__typeof__(&mosquitto_connect_callback_set) connect_callback_set;
	__typeof__(&mosquitto_destroy) destroy;
	__typeof__(&mosquitto_disconnect) disconnect;
	__typeof__(&mosquitto_disconnect_callback_set) disconnect_callback_set;
	__typeof__(&mosquitto_int_option) int_option;
	__typeof__(&mosquitto_lib_cleanup) lib_cleanup;
	__typeof__(&mosquitto_lib_init) lib_init;
	__typeof__(&mosquitto_loop) loop;
	__typeof__(&mosquitto_loop_misc) loop_misc;
	__typeof__(&mosquitto_loop_read) loop_read;
	__typeof__(&mosquitto_loop_write) loop_write;
	__typeof__(&mosquitto_max_inflight_messages_set) max_inflight_messages_set;
	__typeof__(&mosquitto_message_callback_set) message_callback_set;
	__typeof__(&mosquitto_new) new_;
	__typeof__(&mosquitto_publish) publish;
	__typeof__(&mosquitto_publish_callback_set) publish_callback_set;
	__typeof__(&mosquitto_reconnect) reconnect;
	__typeof__(&mosquitto_socket) socket;
	__typeof__(&mosquitto_strerror) strerror;
	__typeof__(&mosquitto_subscribe) subscribe;
	__typeof__(&mosquitto_tls_set) tls_set;
	__typeof__(&mosquitto_username_pw_set) username_pw_set;
	__typeof__(&mosquitto_want_write) want_write;
};

/* The library, loaded and started at the first call (the same after);
 * NULL with err when it cannot be (libmosquitto1 not installed). */
const struct mqtt *mqtt_load(char *err, size_t errlen);

#endif
