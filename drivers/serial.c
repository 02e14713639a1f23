/* Serial ports through libserialport: open raw and non-blocking, read and
 * write what is there, and list the ports with their USB identity. */
#include "serial.h"

#include <dirent.h>
#include <errno.h>
#include <libserialport.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct serial_port {
	struct sp_port *sp;
	int fd;
};

static void say_why(char *err, size_t errlen, const char *what)
{
	char *msg = sp_last_error_message();

	snprintf(err, errlen, "%s: %s", what, msg ? msg : "?");
	sp_free_error_message(msg);
}

static struct serial_port *lsp_open(const char *path, const struct serial_settings *set,
				    char *err, size_t errlen)
{
	struct serial_port *p;
	struct sp_port_config *cfg = NULL;
	char real[PATH_MAX];
	enum sp_parity parity = set->parity == 'E' ? SP_PARITY_EVEN :
				set->parity == 'O' ? SP_PARITY_ODD : SP_PARITY_NONE;

	/* libserialport names ports by their /dev/ttyX node: follow the
	 * stable /dev/serial/by-id links that a technician should use. */
	if (!realpath(path, real)) {
		snprintf(err, errlen, "%s", errno == ENOENT ? "not connected" : strerror(errno));
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	if (sp_get_port_by_name(real, &p->sp) != SP_OK) {
		snprintf(err, errlen, "%s is not a serial port", real);
		goto fail;
	}
	if (sp_open(p->sp, SP_MODE_READ_WRITE) != SP_OK) {
		say_why(err, errlen, "cannot open");
		goto fail;
	}
	if (sp_new_config(&cfg) != SP_OK || sp_set_config_baudrate(cfg, set->baud) != SP_OK ||
	    sp_set_config_bits(cfg, 8) != SP_OK || sp_set_config_parity(cfg, parity) != SP_OK ||
	    sp_set_config_stopbits(cfg, 1) != SP_OK ||
	    sp_set_config_flowcontrol(cfg, SP_FLOWCONTROL_NONE) != SP_OK ||
	    sp_set_config(p->sp, cfg) != SP_OK || sp_get_port_handle(p->sp, &p->fd) != SP_OK) {
		say_why(err, errlen, "cannot set up");
		goto fail;
	}
	sp_free_config(cfg);
	sp_flush(p->sp, SP_BUF_BOTH);
	return p;
fail:
	sp_free_config(cfg);
	if (p->sp) {
		sp_close(p->sp);
		sp_free_port(p->sp);
	}
	free(p);
	return NULL;
}

static void lsp_close(struct serial_port *p)
{
	if (!p)
		return;
	sp_close(p->sp);
	sp_free_port(p->sp);
	free(p);
}

static int lsp_fd(const struct serial_port *p)
{
	return p->fd;
}

static long lsp_write(struct serial_port *p, const uint8_t *buf, size_t n)
{
	enum sp_return r = sp_nonblocking_write(p->sp, buf, n);

	return r < 0 ? -1 : (long)r;
}

static long lsp_read(struct serial_port *p, uint8_t *buf, size_t n)
{
	enum sp_return r = sp_nonblocking_read(p->sp, buf, n);

	return r < 0 ? -1 : (long)r;
}

static void lsp_discard_input(struct serial_port *p)
{
	sp_flush(p->sp, SP_BUF_INPUT);
}

const struct serial_ops serial_libserialport = {
	.open = lsp_open,
	.close = lsp_close,
	.fd = lsp_fd,
	.write = lsp_write,
	.read = lsp_read,
	.discard_input = lsp_discard_input,
};

/* Text cut to fit, on a character boundary. */
static void copy(char *dst, size_t n, const char *src)
{
	size_t len = src ? strlen(src) : 0;

	if (len >= n) {
		len = n - 1;
		while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
			len--;
	}
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

/* The /dev/serial/by-id link that leads to name: it stays the same when
 * the adapter is plugged into another socket or the order changes. */
static void find_by_id(const char *name, char *out, size_t n)
{
	static const char dir[] = "/dev/serial/by-id";
	DIR *d = opendir(dir);
	struct dirent *e;
	char link[PATH_MAX], real[PATH_MAX];

	out[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		/* A path cut short would lead nowhere: leave it out. */
		if (strlen(link) < n && realpath(link, real) && strcmp(real, name) == 0) {
			copy(out, n, link);
			break;
		}
	}
	closedir(d);
}

static int by_name(const void *a, const void *b)
{
	const struct serial_port_info *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int serial_list(struct serial_port_info *out, int max)
{
	struct sp_port **list;
	int n = 0;

	if (sp_list_ports(&list) != SP_OK)
		return -1;
	for (int i = 0; list[i] && n < max; i++) {
		struct sp_port *sp = list[i];
		struct serial_port_info *info = &out[n++];

		memset(info, 0, sizeof(*info));
		copy(info->name, sizeof(info->name), sp_get_port_name(sp));
		copy(info->description, sizeof(info->description), sp_get_port_description(sp));
		info->usb_vid = info->usb_pid = -1;
		info->usb_bus = info->usb_address = -1;
		if (sp_get_port_transport(sp) == SP_TRANSPORT_USB) {
			sp_get_port_usb_vid_pid(sp, &info->usb_vid, &info->usb_pid);
			sp_get_port_usb_bus_address(sp, &info->usb_bus, &info->usb_address);
			copy(info->manufacturer, sizeof(info->manufacturer),
			     sp_get_port_usb_manufacturer(sp));
			copy(info->product, sizeof(info->product), sp_get_port_usb_product(sp));
			copy(info->serial, sizeof(info->serial), sp_get_port_usb_serial(sp));
		}
		find_by_id(info->name, info->by_id, sizeof(info->by_id));
	}
	sp_free_port_list(list);
	qsort(out, (size_t)n, sizeof(*out), by_name);
	return n;
}
