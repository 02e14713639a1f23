/* The station as the board's service (systemd): it says when it is ready,
 * pings the watchdog from the loop so that a hung station is killed and
 * started again, and a station that cannot start says why on its screen
 * and waits, rather than ending into a loop of restarts. Everything here
 * does nothing when no service manager listens (no NOTIFY_SOCKET). */
#ifndef FS_SERVICE_H
#define FS_SERVICE_H

struct loop;

/* READY=1, with status as the one line systemctl status shows. */
void service_ready(const char *status);

/* When the service manager asked for a watchdog (WatchdogSec=), a timer
 * of loop pings it (WATCHDOG=1) at a third of its interval: the pings
 * stop when the loop stops turning. The timer's id, or 0 if none. */
int service_watchdog(struct loop *loop);

/* What a station that cannot start waits for, as its screen says. */
enum service_fault {
	SERVICE_FAULT_SETTINGS,	/* the file at path, corrected */
	SERVICE_FAULT_RECORDS,	/* the database put right, then a restart */
};

/* A station that cannot start: shows why on the terminal (the screen's
 * console) and what will start it, says it to the service manager as
 * ready with that status, pings the watchdog, and waits until the file at
 * path has changed and then stayed the same for two seconds (1: try
 * again), or SIGTERM, SIGINT or SIGHUP asks it to stop (0). */
int service_wait(const char *path, const char *why, enum service_fault kind);

#endif
