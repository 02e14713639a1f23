/* The service manager's notification socket: the few datagrams a service
 * sends to say it is ready, what it is doing, and that it is alive
 * (READY=1, STATUS=..., WATCHDOG=1), to the socket named by NOTIFY_SOCKET,
 * and the watchdog interval systemd asked for in WATCHDOG_USEC. This is
 * the protocol of systemd's sd_notify(3), which systemd keeps stable for
 * services that speak it themselves. */
#ifndef FS_NOTIFY_H
#define FS_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/* Sends message as one datagram to NOTIFY_SOCKET: an absolute path, or a
 * name in the abstract namespace when it begins with '@'. Never blocks:
 * a message the manager's queue has no room for is dropped. False when no
 * manager listens (no NOTIFY_SOCKET), the variable is not a socket name
 * the protocol allows, or the datagram was not sent. */
bool notify_send(const char *message);

/* The watchdog interval in microseconds that the manager asked of this
 * process (WATCHDOG_USEC, and WATCHDOG_PID when set naming this process),
 * or 0 when none was asked for or the variables are not numbers. */
uint64_t notify_watchdog_usec(void);

#endif
