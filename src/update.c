/* New versions on a stick: what a station offers or refuses, and what the
 * office writes (src/update.h). */
#include "update.h"

#include "nofollow.h"
#include "outfile.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef ARCHITECTURE
#define ARCHITECTURE "amd64"
#endif

/* Descriptions looked at in one folder; the office writes one or two. */
#define MAX_LOOKED 32

const char *update_architecture(void)
{
	return ARCHITECTURE;
}

/* How far a description got before it was refused: the one that got
 * furthest says why nothing is offered. */
enum stage { ST_READ = 1, ST_SIGNED, ST_PACKAGE, ST_BOARD, ST_NEWER, ST_FILE };

struct verdict {
	int stage;
	char why[768];
};

static void refused(struct verdict *v, int stage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void refused(struct verdict *v, int stage, const char *fmt, ...)
{
	va_list ap;

	if (stage <= v->stage)
		return;
	v->stage = stage;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), e = strlen(end);

	return n > e && strcmp(s + n - e, end) == 0;
}

/* One description in the folder dir: 1 when it is offered (into o). */
static int look_at(int dir, const char *name, const struct update_station *st,
		   const uint8_t key[SIGN_PUBLIC_BYTES], struct offer *o, struct verdict *v,
		   bool *same)
{
	char text[OFFER_MAX_BYTES + 1], why[512], fp[SIGN_FINGERPRINT_LEN];
	int cmp;

	if (offer_read(dir, name, OFFER_UPDATE, o, text, why, sizeof(why)) < 0) {
		refused(v, ST_READ, _("The new version's description %s on the USB stick cannot be used (%s): nothing is installed."),
			name, why);
		return 0;
	}
	if (!offer_signed_by(o, text, key)) {
		sign_fingerprint(o->key, fp);
		refused(v, ST_SIGNED, _("Version %s on the USB stick is not signed with the cooperative's release key (it names the key %s): it is not installed."),
			o->version, fp);
		return 0;
	}
	if (strcmp(o->package, UPDATE_PACKAGE) != 0) {
		refused(v, ST_PACKAGE, _("The package on the USB stick is %s, not the station's: it is not installed."),
			o->package);
		return 0;
	}
	if (strcmp(o->architecture, st->architecture) != 0) {
		refused(v, ST_BOARD, _("Version %s on the USB stick is for %s boards; this station is %s: it is not installed."),
			o->version, o->architecture, st->architecture);
		return 0;
	}
	cmp = version_compare(o->version, st->running);
	if (cmp == 0)
		*same = true;
	if (cmp < 0)
		refused(v, ST_NEWER, _("Version %s on the USB stick is older than the one running (%s): it is not installed."),
			o->version, st->running);
	if (cmp <= 0)
		return 0;
	if (offer_check_file(dir, o, UPDATE_MAX_BYTES, -1, why, sizeof(why)) < 0) {
		refused(v, ST_FILE, _("Version %s on the USB stick cannot be installed: %s."), o->version,
			why);
		return 0;
	}
	return 1;
}

void update_find(const char *root, const struct update_station *st, struct update_found *out)
{
	uint8_t key[SIGN_PUBLIC_BYTES];
	struct verdict v = { 0 };
	struct dirent *de;
	char why[640];
	int top, dir, looked = 0, rc;
	bool same = false, debs = false;
	DIR *d;

	memset(out, 0, sizeof(*out));
	top = nofollow_dir(AT_FDCWD, root);
	if (top < 0)
		return;
	dir = nofollow_dir(top, OFFER_UPDATE_DIR);
	close(top);
	if (dir == -ENOENT)
		return;
	if (dir < 0) {
		out->what = FOUND_REFUSED;
		snprintf(out->why, sizeof(out->why),
			 _("%s on the USB stick is not a folder: nothing is installed from it."),
			 OFFER_UPDATE_DIR);
		return;
	}
	rc = releasekey_load_public(st->release_key, key, why, sizeof(why));
	d = fdopendir(dup(dir));
	if (!d) {
		close(dir);
		return;
	}
	while ((de = readdir(d)) && looked < MAX_LOOKED) {
		struct offer o;

		if (ends_with(de->d_name, ".deb"))
			debs = true;
		if (!ends_with(de->d_name, OFFER_UPDATE_END) || de->d_name[0] == '.')
			continue;
		looked++;
		if (rc != 0) {
			refused(&v, ST_SIGNED, rc == SIGNKEY_MISSING
				? _("This station has no release key (%s): it takes no new version from a USB stick.")
				: _("This station's release key cannot be used (%s): it takes no new version from a USB stick."),
				rc == SIGNKEY_MISSING ? st->release_key : why);
			continue;
		}
		if (!look_at(dir, de->d_name, st, key, &o, &v, &same))
			continue;
		if (out->what != FOUND_OFFER || version_compare(o.version, out->offer.version) > 0) {
			out->what = FOUND_OFFER;
			out->offer = o;
			snprintf(out->name, sizeof(out->name), "%s", de->d_name);
		}
	}
	closedir(d);
	close(dir);
	if (out->what == FOUND_OFFER)
		return;
	/* A package without a description is unsigned. */
	if (!looked && debs)
		refused(&v, ST_SIGNED, "%s",
			_("The package on the USB stick has no signed description: it is not installed."));
	/* The version the station runs, with the same for other boards
	 * beside it (an office serves both), is nothing to say. */
	if (v.stage && !(same && v.stage == ST_BOARD)) {
		out->what = FOUND_REFUSED;
		snprintf(out->why, sizeof(out->why), "%s", v.why);
	}
}

/* The package's name, version and architecture, from its control file
 * (dpkg-deb -f). */
static int read_control(const char *path, char *package, char *version, char *arch, char *err,
			size_t errlen)
{
	char out[512] = "", *save = NULL, *line;
	int fds[2], status = 0;
	ssize_t got = 0, r;
	pid_t pid;

	if (pipe(fds) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp("dpkg-deb", "dpkg-deb", "-f", "--", path, "Package", "Version", "Architecture",
		       (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && got < (ssize_t)sizeof(out) - 1 &&
	       (r = read(fds[0], out + got, sizeof(out) - 1 - (size_t)got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		got += r;
	}
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		snprintf(err, errlen,
			 pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127
				 ? _("%s: dpkg-deb is needed to read it (Debian's dpkg package)")
				 : _("%s is not a Debian package"),
			 path);
		return -1;
	}
	out[got] = '\0';
	package[0] = version[0] = arch[0] = '\0';
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "Package: ", 9) == 0)
			snprintf(package, 32, "%s", line + 9);
		else if (strncmp(line, "Version: ", 9) == 0)
			snprintf(version, VERSION_MAX + 1, "%s", line + 9);
		else if (strncmp(line, "Architecture: ", 14) == 0)
			snprintf(arch, 16, "%s", line + 14);
	}
	return 0;
}

/* Copies the regular file at path into the folder dir as name, whole or
 * not at all (a file already there is replaced); its size and digest. */
static int copy_in(const char *path, int dir, const char *name, int64_t *size,
		   uint8_t sha[SHA256_BYTES])
{
	struct outfile f;
	struct stat st;
	char buf[65536];
	int in, rc;

	in = nofollow_open(AT_FDCWD, path, &st);
	if (in < 0)
		return in;
	rc = nofollow_unlink(dir, name);
	rc = rc == -ENOENT ? 0 : rc;
	if (rc == 0)
		rc = outfile_open(&f, dir, name);
	if (rc < 0) {
		close(in);
		return rc;
	}
	for (;;) {
		ssize_t r = read(in, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : 0;
			break;
		}
		rc = outfile_write(&f, buf, (size_t)r);
		if (rc < 0)
			break;
	}
	close(in);
	if (rc < 0) {
		outfile_abort(&f);
		return rc;
	}
	*size = f.bytes;
	return outfile_commit(&f, sha);
}

/* Reads name in dir back from the device: its digest is sha. */
static int read_back(int dir, const char *name, const uint8_t sha[SHA256_BYTES])
{
	struct filecheck c;
	uint8_t got[SHA256_BYTES];
	int rc = filecheck_open(&c, dir, name, true);

	if (rc < 0)
		return rc;
	while ((rc = filecheck_step(&c, 1 << 20)) > 0)
		;
	filecheck_close(&c, got);
	if (rc < 0)
		return rc;
	return memcmp(got, sha, SHA256_BYTES) == 0 ? 0 : -EIO;
}

int update_publish(const char *path, const char *dest, const char *key_path, int64_t now,
		   char *done, size_t donelen, char *err, size_t errlen)
{
	char package[32], version[VERSION_MAX + 1], arch[16], deb[OFFER_NAME_LEN];
	char desc[OFFER_NAME_LEN], fp[SIGN_FINGERPRINT_LEN], detail[640];
	const char *upstream;
	struct offer o = { .kind = OFFER_UPDATE };
	struct signkey k;
	struct outfile f;
	uint8_t sha[SHA256_BYTES];
	size_t len;
	char *text = NULL;
	int top = -1, dir = -1, rc;

	if (releasekey_load(key_path, &k, detail, sizeof(detail)) != 0) {
		snprintf(err, errlen, "%s",
			 detail[0] ? detail : _("There is no release key there: make one with \"fieldstation release-key new FILE\"."));
		return -1;
	}
	if (read_control(path, package, version, arch, err, errlen) < 0)
		goto fail;
	if (strcmp(package, UPDATE_PACKAGE) != 0 || !version_valid(version) || !arch[0]) {
		snprintf(err, errlen, _("%s is the package %s %s, not the station's (%s)."), path,
			 package, version, UPDATE_PACKAGE);
		goto fail;
	}
	/* Debian's file name: no epoch. */
	upstream = strchr(version, ':') ? strchr(version, ':') + 1 : version;
	if (snprintf(deb, sizeof(deb), "%s_%s_%s.deb", package, upstream, arch) >= (int)sizeof(deb) ||
	    snprintf(desc, sizeof(desc), "%s_%s_%s%s", package, upstream, arch, OFFER_UPDATE_END) >=
		    (int)sizeof(desc) ||
	    !offer_name_ok(deb) || !offer_name_ok(desc)) {
		snprintf(err, errlen, _("%s: its version %s makes too long a file name."), path, version);
		goto fail;
	}
	top = nofollow_dir(AT_FDCWD, dest);
	if (top >= 0 && mkdirat(top, OFFER_UPDATE_DIR, 0755) < 0 && errno != EEXIST)
		top = -errno;
	if (top >= 0)
		dir = nofollow_dir(top, OFFER_UPDATE_DIR);
	if (top < 0 || dir < 0) {
		snprintf(err, errlen, _("%s/%s cannot be written: %s"), dest, OFFER_UPDATE_DIR,
			 strerror(-(top < 0 ? top : dir)));
		goto fail;
	}
	rc = copy_in(path, dir, deb, &o.size, o.sha);
	if (rc == 0)
		rc = read_back(dir, deb, o.sha);
	if (rc < 0) {
		snprintf(err, errlen, _("%s cannot be copied into %s/%s: %s"), path, dest,
			 OFFER_UPDATE_DIR, strerror(-rc));
		goto fail;
	}
	snprintf(o.file, sizeof(o.file), "%s", deb);
	snprintf(o.package, sizeof(o.package), "%s", package);
	snprintf(o.version, sizeof(o.version), "%s", version);
	snprintf(o.architecture, sizeof(o.architecture), "%s", arch);
	o.made = now;
	text = offer_format(&o, &k, &len);
	rc = text ? nofollow_unlink(dir, desc) : -ENOMEM;
	rc = rc == -ENOENT ? 0 : rc;
	if (rc == 0)
		rc = outfile_open(&f, dir, desc);
	if (rc == 0) {
		rc = outfile_write(&f, text, len);
		if (rc == 0)
			rc = outfile_commit(&f, sha);
		else
			outfile_abort(&f);
	}
	if (rc == 0)
		rc = read_back(dir, desc, sha);
	if (rc == 0)
		rc = outfile_sync_fs(dir);
	if (rc < 0) {
		snprintf(err, errlen, _("The description cannot be written into %s/%s: %s"), dest,
			 OFFER_UPDATE_DIR, strerror(-rc));
		nofollow_unlink(dir, desc);
		goto fail;
	}
	sign_fingerprint(k.public_key, fp);
	snprintf(done, donelen,
		 _("Version %s for %s boards is in %s/%s (%s and %s), signed with the release key %s."),
		 version, arch, dest, OFFER_UPDATE_DIR, deb, desc, fp);
	free(text);
	close(dir);
	close(top);
	signkey_wipe(&k);
	return 0;
fail:
	free(text);
	if (dir >= 0)
		close(dir);
	if (top >= 0)
		close(top);
	signkey_wipe(&k);
	return -1;
}
