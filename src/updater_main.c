/* fieldstation-update: the privileged installer's program and what it
 * does to the board: systemctl, dpkg, the database copied as the
 * station's own user (src/updater.h says what and when). It runs as root
 * from fieldstation-update.service; it takes no path or key from its
 * environment or from the station, only from how it was built. */
#include "updater.h"

#include "handover.h"
#include "newsettings.h"
#include "text.h"
#include "update.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define UNIT "fieldstation.service"
#define PACKAGE UPDATE_PACKAGE
#define CONFIG "/etc/fieldstation/fieldstation.ini"
#define DEFAULT_DB "/var/lib/fieldstation/station.db"

/* Runs argv (no shell), its output (both streams) into out, the last
 * bytes kept, and with loud into the journal too; the exit status, or
 * -1. */
static int run_cmd(char *const argv[], char *out, size_t n, bool loud)
{
	char buf[4096];
	size_t used = 0;
	int fds[2], status;
	pid_t pid;

	if (n)
		out[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		setenv("DEBIAN_FRONTEND", "noninteractive", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		ssize_t r = read(fds[0], buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		/* The journal has it all; the caller keeps the end. */
		if (loud)
			fwrite(buf, 1, (size_t)r, stderr);
		if (!n)
			continue;
		if (used + (size_t)r >= n) {
			size_t keep = n / 2 < used ? n / 2 : used;

			memmove(out, out + used - keep, keep);
			used = keep;
		}
		if ((size_t)r >= n - used)
			r = (ssize_t)(n - used - 1);
		memcpy(out + used, buf, (size_t)r);
		used += (size_t)r;
		out[used] = '\0';
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run(char *const argv[], char *out, size_t n)
{
	return run_cmd(argv, out, n, false);
}

/* The last line of a command's output, for the result. */
static void last_line(const char *out, char *err, size_t errlen)
{
	const char *end = out + strlen(out), *start;

	while (end > out && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	start = end;
	while (start > out && start[-1] != '\n')
		start--;
	snprintf(err, errlen, "%.*s", (int)(end - start), start);
}

static int op_service(void *ctx, const char *verb)
{
	char out[512];

	(void)ctx;
	if (strcmp(verb, "stop") == 0)
		return run((char *[]){ "systemctl", "stop", UNIT, NULL }, out, sizeof(out)) == 0 ? 0 : -1;
	return run((char *[]){ "systemctl", "--no-block", (char *)verb, UNIT, NULL }, out,
		   sizeof(out)) == 0 ? 0 : -1;
}

static int op_service_state(void *ctx, struct unit_state *s)
{
	char out[1024], *line, *save = NULL;
	bool active = false, running = false;

	(void)ctx;
	memset(s, 0, sizeof(*s));
	if (run((char *[]){ "systemctl", "show", "-p", "ActiveState", "-p", "SubState", "-p",
			    "MainPID", "-p", "NRestarts", UNIT, NULL }, out, sizeof(out)) != 0)
		return -1;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strcmp(line, "ActiveState=active") == 0)
			active = true;
		else if (strcmp(line, "SubState=running") == 0)
			running = true;
		else if (strncmp(line, "MainPID=", 8) == 0)
			s->main_pid = strtol(line + 8, NULL, 10);
		else if (strncmp(line, "NRestarts=", 10) == 0)
			s->restarts = (unsigned)strtoul(line + 10, NULL, 10);
	}
	s->active = active && running;
	return 0;
}

static void op_boot_id(void *ctx, char *buf, size_t n)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	(void)ctx;
	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)n, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

/* When a process started, in clock ticks after boot (/proc/PID/stat's
 * 22nd field); 0 if it is not there. */
static unsigned long long started(long pid)
{
	char path[64], text[1024], *p;
	unsigned long long t = 0;
	FILE *f;
	size_t got;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	got = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[got] = '\0';
	/* The command's name may hold spaces: count after its ')'. */
	p = strrchr(text, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &t) != 1)
		return 0;
	return t;
}

static bool op_reached_home(void *ctx, const char *handover, long pid)
{
	char path[PATH_MAX], text[256], boot[64], their_boot[64];
	unsigned long long when;
	long their;
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", handover, HANDOVER_HOME);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	got = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (got <= 0)
		return false;
	text[got] = '\0';
	op_boot_id(ctx, boot, sizeof(boot));
	if (sscanf(text, "%ld %llu %63s", &their, &when, their_boot) != 3)
		return false;
	return their == pid && strcmp(their_boot, boot) == 0 && when == started(pid) && when;
}

static int op_dpkg_install(void *ctx, const char *deb, char *err, size_t errlen)
{
	char out[4096];
	int rc;

	(void)ctx;
	/* No one answers questions: the farm's configuration is kept, a new
	 * template goes beside it (.dpkg-dist). */
	rc = run_cmd((char *[]){ "dpkg", "--force-confold", "--force-confdef", "-i", (char *)deb, NULL },
		     out, sizeof(out), true);
	if (rc != 0) {
		last_line(out, err, errlen);
		return -1;
	}
	return 0;
}

static int op_deb_control(void *ctx, const char *deb, char *package, char *version, char *arch)
{
	char out[1024], *line, *save = NULL;

	(void)ctx;
	package[0] = version[0] = arch[0] = '\0';
	if (access(deb, F_OK) < 0 ||
	    run((char *[]){ "dpkg-deb", "-f", (char *)deb, "Package", "Version", "Architecture", NULL },
		out, sizeof(out)) != 0)
		return -1;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "Package: ", 9) == 0)
			snprintf(package, 64, "%s", line + 9);
		else if (strncmp(line, "Version: ", 9) == 0)
			snprintf(version, VERSION_MAX + 1, "%s", line + 9);
		else if (strncmp(line, "Architecture: ", 14) == 0)
			snprintf(arch, 32, "%s", line + 14);
	}
	return package[0] && version[0] && arch[0] ? 0 : -1;
}

static int op_installed(void *ctx, char *version, size_t n)
{
	char out[256];

	(void)ctx;
	if (run((char *[]){ "dpkg-query", "-W", "-f=${db:Status-Abbrev}|${Version}", PACKAGE, NULL },
		out, sizeof(out)) != 0 || strncmp(out, "ii |", 4) != 0)
		return -1;
	snprintf(version, n, "%s", out + 4);
	version[strcspn(version, "\n")] = '\0';
	return version_valid(version) ? 0 : -1;
}

static int op_architecture(void *ctx, char *arch, size_t n)
{
	char out[64];

	(void)ctx;
	if (run((char *[]){ "dpkg", "--print-architecture", NULL }, out, sizeof(out)) != 0)
		return -1;
	snprintf(arch, n, "%s", out);
	arch[strcspn(arch, "\n")] = '\0';
	return arch[0] ? 0 : -1;
}

/* Making the installed version a package again (as dpkg-repack does):
 * its files as dpkg lists them, its control file and maintainer scripts
 * as dpkg-query shows them. Its conffile (the farm's configuration) is left
 * out: dpkg then keeps the file on the board as it is. */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out, rc = 0;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 07777);
	if (out < 0) {
		close(in);
		return -1;
	}
	for (;;) {
		ssize_t r = read(in, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -1 : 0;
			break;
		}
		if (write(out, buf, (size_t)r) != r) {
			rc = -1;
			break;
		}
	}
	close(in);
	if (fchmod(out, mode & 07777) < 0)
		rc = -1;
	if (close(out) < 0)
		rc = -1;
	return rc;
}

static bool listed(const char *list, const char *path)
{
	size_t n = strlen(path);

	for (const char *p = list; (p = strstr(p, path)); p += n)
		if ((p == list || p[-1] == '\n' || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

/* Writes a command's whole output to path (mode); -1 when it fails or
 * says more than fits. */
static int output_to(char *const argv[], const char *path, mode_t mode, char *buf, size_t n)
{
	size_t len;
	int fd, rc;

	if (run(argv, buf, n) != 0 || (len = strlen(buf)) >= n - 1)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	rc = write(fd, buf, len) == (ssize_t)len && fchmod(fd, mode) == 0 ? 0 : -1;
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

static int op_repack(void *ctx, const char *out, char *err, size_t errlen)
{
	static char big[1 << 20];
	char tree[PATH_MAX], path[PATH_MAX * 2], tmp[PATH_MAX + 8], link[1024];
	char conffiles[8192], names[1024];
	const char *slash = strrchr(out, '/');
	char *save = NULL;
	FILE *f;
	int rc = -1;

	(void)ctx;
	snprintf(tree, sizeof(tree), "%.*s/repack", (int)(slash - out), out);
	remove_tree(tree);
	snprintf(path, sizeof(path), "%s/DEBIAN", tree);
	if (mkdir(tree, 0755) < 0 || mkdir(path, 0755) < 0) {
		snprintf(err, errlen, "mkdir %s: %s", tree, strerror(errno));
		goto out;
	}
	if (run((char *[]){ "dpkg-query", "-W", "-f=${Conffiles}\n", PACKAGE, NULL }, conffiles,
		sizeof(conffiles)) != 0 ||
	    run((char *[]){ "dpkg-query", "-s", PACKAGE, NULL }, big, sizeof(big)) != 0) {
		snprintf(err, errlen, "dpkg-query %s", PACKAGE);
		goto out;
	}
	/* The control file: dpkg's record less what only the board knows. */
	snprintf(path, sizeof(path), "%s/DEBIAN/control", tree);
	f = fopen(path, "we");
	if (!f)
		goto out;
	{
		bool skip = false;

		for (char *l = strtok_r(big, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			if (l[0] != ' ')
				skip = strncmp(l, "Status:", 7) == 0 || strncmp(l, "Conffiles:", 10) == 0 ||
				       strncmp(l, "Config-Version:", 15) == 0;
			if (!skip)
				fprintf(f, "%s\n", l);
		}
	}
	if (fclose(f) != 0)
		goto out;
	/* Its maintainer scripts and checksums, as dpkg keeps them; its
	 * conffiles list is left out with the conffile. */
	if (run((char *[]){ "dpkg-query", "--control-list", PACKAGE, NULL }, names,
		sizeof(names)) != 0) {
		snprintf(err, errlen, "dpkg-query --control-list %s", PACKAGE);
		goto out;
	}
	save = NULL;
	for (char *name = strtok_r(names, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
		bool script = strstr(name, "inst") || strstr(name, "rm");

		if (strcmp(name, "conffiles") == 0 || strchr(name, '/'))
			continue;
		snprintf(path, sizeof(path), "%s/DEBIAN/%s", tree, name);
		if (output_to((char *[]){ "dpkg-query", "--control-show", PACKAGE, name, NULL }, path,
			      script ? 0755 : 0644, big, sizeof(big)) < 0) {
			snprintf(err, errlen, "dpkg-query --control-show %s %s", PACKAGE, name);
			goto out;
		}
	}
	if (run((char *[]){ "dpkg-query", "-L", PACKAGE, NULL }, big, sizeof(big)) != 0 ||
	    strlen(big) >= sizeof(big) - 1) {
		snprintf(err, errlen, "dpkg-query -L %s", PACKAGE);
		goto out;
	}
	save = NULL;
	for (char *line = strtok_r(big, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct stat st;

		if (line[0] != '/' || strcmp(line, "/.") == 0 || listed(conffiles, line))
			continue;
		snprintf(path, sizeof(path), "%s%s", tree, line);
		if (lstat(line, &st) < 0) {
			snprintf(err, errlen, "%s: %s", line, strerror(errno));
			goto out;
		}
		/* A folder of the package that the system made a link (/lib
		 * to usr/lib, merged /usr) stays a folder in the package, as
		 * dpkg installed it. */
		if (S_ISLNK(st.st_mode)) {
			struct stat to;

			if (stat(line, &to) == 0 && S_ISDIR(to.st_mode))
				st = to;
		}
		if (S_ISDIR(st.st_mode)) {
			if (mkdir(path, st.st_mode & 07777) < 0 && errno != EEXIST)
				goto fail_path;
		} else if (S_ISREG(st.st_mode)) {
			if (copy_file(line, path, st.st_mode) < 0)
				goto fail_path;
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t len = readlink(line, link, sizeof(link) - 1);

			if (len < 0)
				goto fail_path;
			link[len] = '\0';
			if (symlink(link, path) < 0)
				goto fail_path;
		}
		continue;
fail_path:
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	unlink(tmp);
	if (run((char *[]){ "dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "-b", tree, tmp,
			    NULL }, link, sizeof(link)) != 0) {
		last_line(link, err, errlen);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, out) < 0) {
		snprintf(err, errlen, "%s: %s", out, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	remove_tree(tree);
	return rc;
}

/* The copy itself, in a child that has become the station's user. */
static int copy_db(const char *station_db, const char *from, const char *to, char *err, size_t errlen)
{
	char lock[PATH_MAX + 8];
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b;
	int fd, rc;

	/* The station's own lock: no station runs on it meanwhile. */
	snprintf(lock, sizeof(lock), "%s.lock", station_db);
	fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	for (int i = 0; fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0; i++) {
		if (i == 60) {
			snprintf(err, errlen, "%s is held by a running station", station_db);
			return -1;
		}
		sleep(1);
	}
	rc = sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(dst, 10000);
		b = sqlite3_backup_init(dst, "main", src, "main");
		if (!b) {
			rc = sqlite3_errcode(dst);
		} else {
			rc = sqlite3_backup_step(b, -1);
			sqlite3_backup_finish(b);
			rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		}
	}
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s -> %s: %s", from, to,
			 dst ? sqlite3_errmsg(dst) : src ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
	sqlite3_close(src);
	sqlite3_close(dst);
	if (fd >= 0)
		close(fd);
	return rc == SQLITE_OK ? 0 : -1;
}

static int op_db_copy(void *ctx, const char *station_db, const char *from, const char *to,
		      char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(station_db, '/');
	struct stat st;
	int fds[2], status;
	pid_t pid;

	(void)ctx;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - station_db) : 1,
		 slash ? station_db : ".");
	if (stat(dir, &st) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char said[512] = "";
		int rc;

		close(fds[0]);
		/* The station's files stay the station's: its own user makes
		 * them, under its umask. */
		umask(027);
		if (setgroups(0, NULL) < 0 || setgid(st.st_gid) < 0 || setuid(st.st_uid) < 0) {
			snprintf(said, sizeof(said), "cannot become the station's user: %s", strerror(errno));
			rc = -1;
		} else {
			rc = copy_db(station_db, from, to, said, sizeof(said));
		}
		if (write(fds[1], said, strlen(said)) < 0)
			_exit(2);
		_exit(rc == 0 ? 0 : 1);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	{
		ssize_t got = read(fds[0], err, errlen - 1);

		err[got > 0 ? got : 0] = '\0';
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int64_t op_now(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

static int64_t op_steady(void *ctx)
{
	struct timespec t;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec;
}

static void op_wait(void *ctx, int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000 };

	(void)ctx;
	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	static const struct updater_sys sys = {
		.service = op_service,
		.service_state = op_service_state,
		.reached_home = op_reached_home,
		.dpkg_install = op_dpkg_install,
		.deb_control = op_deb_control,
		.installed = op_installed,
		.architecture = op_architecture,
		.repack = op_repack,
		.db_copy = op_db_copy,
		.now = op_now,
		.steady = op_steady,
		.wait = op_wait,
		.boot_id = op_boot_id,
	};
	static const struct option longopts[] = {
		{ "trial-seconds", required_argument, NULL, 't' },
		{ "max-restarts", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct updater u = {
		.sys = &sys,
		.dir = UPDATER_DIR,
		.config = CONFIG,
		.default_db = DEFAULT_DB,
		.release_key = RELEASE_KEY_PATH,
		.office_key = OFFICE_KEY_PATH,
		.trial_seconds = 180,
		.max_restarts = 3,
	};
	int c;

	umask(022);
	text_init("en");
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			u.trial_seconds = atoi(optarg);
			break;
		case 'r':
			u.max_restarts = (unsigned)atoi(optarg);
			break;
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"Usage: fieldstation-update [--trial-seconds N] [--max-restarts N]\n"
				"Installs what the station handed over in %s/update, and takes it back\n"
				"when the station does not start with it (run by fieldstation-update.service).\n",
				"/var/lib/fieldstation");
			return c == 'h' ? 0 : 2;
		}
	}
	if (u.trial_seconds < 10 || u.max_restarts < 1) {
		fprintf(stderr, "fieldstation-update: --trial-seconds is at least 10, --max-restarts at least 1\n");
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "fieldstation-update: runs as root (fieldstation-update.service)\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	return updater_run(&u) < 0 ? 1 : 0;
}
