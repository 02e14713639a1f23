/* Opening libmosquitto when a link is used: see mqtt.h. */
#include "mqtt.h"

#include "dynlib.h"
#include "text.h"

#include <dlfcn.h>
#include <stdio.h>

const struct mqtt *mqtt_load(char *err, size_t errlen)
{
	static struct mqtt m;
	static void *lib;
	static const struct dynlib_sym syms[] = {
		{ "mosquitto_connack_string", (void **)&m.connack_string },
		{ "mosquitto_connect", (void **)&m.connect },
		{ "mosquitto_connect_async", (void **)&m.connect_async },
		{ "mosquitto_connect_callback_set", (void **)&m.connect_callback_set },
		{ "mosquitto_destroy", (void **)&m.destroy },
		{ "mosquitto_disconnect", (void **)&m.disconnect },
		{ "mosquitto_disconnect_callback_set", (void **)&m.disconnect_callback_set },
		{ "mosquitto_int_option", (void **)&m.int_option },
		{ "mosquitto_lib_cleanup", (void **)&m.lib_cleanup },
		{ "mosquitto_lib_init", (void **)&m.lib_init },
		{ "mosquitto_loop", (void **)&m.loop },
		{ "mosquitto_loop_misc", (void **)&m.loop_misc },
		{ "mosquitto_loop_read", (void **)&m.loop_read },
		{ "mosquitto_loop_write", (void **)&m.loop_write },
		{ "mosquitto_max_inflight_messages_set", (void **)&m.max_inflight_messages_set },
		{ "mosquitto_message_callback_set", (void **)&m.message_callback_set },
		{ "mosquitto_new", (void **)&m.new_ },
		{ "mosquitto_publish", (void **)&m.publish },
		{ "mosquitto_publish_callback_set", (void **)&m.publish_callback_set },
		{ "mosquitto_reconnect", (void **)&m.reconnect },
		{ "mosquitto_socket", (void **)&m.socket },
		{ "mosquitto_strerror", (void **)&m.strerror },
		{ "mosquitto_subscribe", (void **)&m.subscribe },
		{ "mosquitto_tls_set", (void **)&m.tls_set },
		{ "mosquitto_username_pw_set", (void **)&m.username_pw_set },
		{ "mosquitto_want_write", (void **)&m.want_write },
	};
	char why[256];

	if (lib)
		return &m;
	lib = dynlib_open("libmosquitto.so.1", syms, sizeof(syms) / sizeof(syms[0]), why, sizeof(why));
	if (!lib) {
		snprintf(err, errlen, _("the MQTT library cannot be loaded (%s): install libmosquitto1"),
			 why);
		return NULL;
	}
	if (m.lib_init() != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "%s", _("the MQTT library cannot start"));
		dlclose(lib);
		lib = NULL;
		return NULL;
	}
	return &m;
}
