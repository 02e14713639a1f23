/* The serial port under a sensor bus, behind a small table of functions:
 * serial_libserialport is the real one (USB RS485 adapters, USB-serial
 * microcontroller boards); tests put a scripted device in its place.
 * Nothing here blocks: reads and writes take what the port has room for. */
#ifndef FS_SERIAL_H
#define FS_SERIAL_H

#include <stddef.h>
#include <stdint.h>

struct serial_settings {
	int baud;
	char parity;		/* 'N', 'E' or 'O'; always 8 data bits, 1 stop bit */
};

struct serial_port;

struct serial_ops {
	/* Opens path (a symlink such as /dev/serial/by-id/... is followed).
	 * NULL with a short English reason in err when it cannot. */
	struct serial_port *(*open)(const char *path, const struct serial_settings *set,
				    char *err, size_t errlen);
	void (*close)(struct serial_port *p);
	/* The descriptor to poll() for this port. */
	int (*fd)(const struct serial_port *p);
	/* Bytes written or read; 0 when none can be now; -1 when the port is
	 * gone (adapter unplugged). */
	long (*write)(struct serial_port *p, const uint8_t *buf, size_t n);
	long (*read)(struct serial_port *p, uint8_t *buf, size_t n);
	/* Drop whatever arrived and was not read. */
	void (*discard_input)(struct serial_port *p);
};

extern const struct serial_ops serial_libserialport;

/* A port libserialport finds, for a technician to recognise the adapter. */
struct serial_port_info {
	char name[64];		/* /dev/ttyUSB0 */
	char by_id[160];	/* /dev/serial/by-id/... pointing at it, or "" */
	char description[96];
	char manufacturer[64];
	char product[64];
	char serial[64];	/* the USB serial number, or "" */
	int usb_vid, usb_pid;	/* -1 if not on USB */
	int usb_bus, usb_address;
};

/* Fills at most max ports, sorted by name; returns how many, or -1. */
int serial_list(struct serial_port_info *out, int max);

#endif
