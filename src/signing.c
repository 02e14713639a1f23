/* Ed25519 through libsodium, key files, the board's id, and the station's
 * own key beside its database. */
#include "signing.h"

#include "backup.h"
#include "sha256.h"
#include "store.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KEY_HEADER "# fieldstation signing key: the station's secret; never copy it to a stick"
#define RELEASE_HEADER "# fieldstation release key: the cooperative's secret; keep it at the office, never on a stick or a station"
#define PUBLIC_HEADER "# fieldstation release key (public): what stations check new versions and settings against"
#define KEY_FORMAT 1
#define KEY_MAX_BYTES 4096
#define SEED_BYTES 32
#define META_KEY "signing_key"

static void sodium_ready(void)
{
	/* Idempotent; fails only without a source of randomness, and then
	 * nothing here can be trusted. */
	if (sodium_init() < 0)
		abort();
}

/* The message a signature covers: the context, a NUL, the data. */
static unsigned char *framed(const char *context, const void *data, size_t len, size_t *out)
{
	size_t c = strlen(context) + 1;
	unsigned char *m = malloc(c + len + 1);

	if (!m)
		return NULL;
	memcpy(m, context, c);
	if (len)
		memcpy(m + c, data, len);
	*out = c + len;
	return m;
}

void sign_data(const struct signkey *k, const char *context, const void *data, size_t len,
	       uint8_t sig[SIGN_BYTES])
{
	size_t n;
	unsigned char *m;

	sodium_ready();
	m = framed(context, data, len, &n);
	if (!m)
		abort();
	crypto_sign_detached(sig, NULL, m, n, k->secret);
	free(m);
}

bool sign_verify(const uint8_t public_key[SIGN_PUBLIC_BYTES], const char *context,
		 const void *data, size_t len, const uint8_t sig[SIGN_BYTES])
{
	size_t n;
	unsigned char *m;
	bool good;

	sodium_ready();
	m = framed(context, data, len, &n);
	if (!m)
		return false;
	good = crypto_sign_verify_detached(sig, m, n, public_key) == 0;
	free(m);
	return good;
}

void sign_fingerprint(const uint8_t public_key[SIGN_PUBLIC_BYTES],
		      char out[SIGN_FINGERPRINT_LEN])
{
	uint8_t d[SHA256_BYTES];
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, public_key, SIGN_PUBLIC_BYTES);
	sha256_final(&s, d);
	snprintf(out, SIGN_FINGERPRINT_LEN, "%02X%02X-%02X%02X-%02X%02X-%02X%02X", d[0], d[1], d[2],
		 d[3], d[4], d[5], d[6], d[7]);
}

void sign_to_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int sign_from_hex(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < 2 * n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (v < 0)
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(v << 4);
		else
			out[i / 2] |= (uint8_t)v;
	}
	return 0;
}

static bool board_ok(const char *s)
{
	uint8_t b[8];

	return !*s || sign_from_hex(s, b, sizeof(b)) == 0;
}

/* Key files. */

/* A station's key file, or the cooperative's release key (its secret
 * half, or the public half a station is given). */
enum key_kind { KEY_STATION, KEY_RELEASE, KEY_PUBLIC };

static int damaged(enum key_kind kind, const char *path, const char *detail, char *err, size_t errlen)
{
	if (kind == KEY_STATION)
		snprintf(err, errlen,
			 _("The signing key %s is damaged (%s): it is not used. Put back a good copy, or make a new key with \"fieldstation new-key\"."),
			 path, detail);
	else
		snprintf(err, errlen, _("The release key %s is damaged (%s): it is not used."), path,
			 detail);
	return SIGNKEY_DAMAGED;
}

static int parse_key(enum key_kind kind, const char *path, char *text, struct signkey *k,
		     char *err, size_t errlen)
{
	uint8_t seed[SEED_BYTES], pk[SIGN_PUBLIC_BYTES];
	unsigned seen = 0;
	char *line, *save = NULL;
	int i = 0, rc = -1;

	memset(k, 0, sizeof(*k));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		char *v = strstr(line, ": ");
		long long made;
		char *end;

		if (i == 0) {
			if (strcmp(line, kind == KEY_STATION ? KEY_HEADER : RELEASE_HEADER) != 0) {
				rc = damaged(kind, path, _("it does not start as a key file"), err, errlen);
				goto out;
			}
			continue;
		}
		if (!v) {
			rc = damaged(kind, path, _("a line is not \"name: value\""), err, errlen);
			goto out;
		}
		*v = '\0';
		v += 2;
		if (strcmp(line, "format") == 0 && strcmp(v, "1") == 0) {
			seen |= 1;
		} else if (strcmp(line, "format") == 0) {
			snprintf(err, errlen, _("The signing key %s was made by a newer fieldstation."), path);
			goto out;
		} else if (strcmp(line, "made") == 0) {
			errno = 0;
			made = strtoll(v, &end, 10);
			if (errno || *end || end == v || made < 0) {
				rc = damaged(kind, path, _("its date is not a number"), err, errlen);
				goto out;
			}
			k->made = made;
			seen |= 2;
		} else if (strcmp(line, "board") == 0 && board_ok(v)) {
			snprintf(k->board, sizeof(k->board), "%s", v);
			seen |= 4;
		} else if (strcmp(line, "public") == 0 && sign_from_hex(v, pk, sizeof(pk)) == 0) {
			seen |= 8;
		} else if (strcmp(line, "seed") == 0 && sign_from_hex(v, seed, sizeof(seed)) == 0) {
			seen |= 16;
		} else {
			rc = damaged(kind, path, _("a line is not what a key file holds"), err, errlen);
			goto out;
		}
	}
	if (seen != 31) {
		rc = damaged(kind, path, _("a part of it is missing"), err, errlen);
		goto out;
	}
	sodium_ready();
	crypto_sign_seed_keypair(k->public_key, k->secret, seed);
	/* The public half written beside the secret one says whether either
	 * changed since. */
	if (memcmp(k->public_key, pk, sizeof(pk)) != 0) {
		rc = damaged(kind, path, _("its two halves do not belong together"), err, errlen);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(seed, sizeof(seed));
	if (rc < 0)
		signkey_wipe(k);
	return rc;
}

/* The public half of a release key, as a station is given it: comment
 * lines and one "public: HEX". */
static int parse_public(const char *path, char *text, uint8_t pk[SIGN_PUBLIC_BYTES], char *err,
			size_t errlen)
{
	char *line, *save = NULL;
	bool seen = false;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strncmp(line, "public: ", 8) != 0 || seen ||
		    sign_from_hex(line + 8, pk, SIGN_PUBLIC_BYTES) < 0)
			return damaged(KEY_PUBLIC, path, _("a line is not what a key file holds"), err, errlen);
		seen = true;
	}
	if (!seen)
		return damaged(KEY_PUBLIC, path, _("a part of it is missing"), err, errlen);
	return 0;
}

/* Reads a key file of kind: a secret one into k, a public one into pk. */
static int load_key(enum key_kind kind, const char *path, struct signkey *k,
		    uint8_t pk[SIGN_PUBLIC_BYTES], char *err, size_t errlen)
{
	const char *what = kind == KEY_STATION ? _("The signing key") : _("The release key");
	char text[KEY_MAX_BYTES + 1];
	struct stat st;
	ssize_t got = 0;
	int fd, rc;

	if (k)
		memset(k, 0, sizeof(*k));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT)
		return SIGNKEY_MISSING;
	if (fd < 0 && errno == ELOOP) {
		snprintf(err, errlen, _("%s %s is a symbolic link: it is not used."), what, path);
		return -1;
	}
	if (fd < 0) {
		snprintf(err, errlen, _("%s %s cannot be read (%s)."), what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, _("%s %s is not a plain file: it is not used."), what, path);
		return -1;
	}
	if (kind == KEY_STATION && (st.st_mode & 077)) {
		close(fd);
		snprintf(err, errlen,
			 _("The signing key %s can be read by others (mode %04o): it may have been copied. Make a new key with \"fieldstation new-key\", or if no one else can log in to the board, chmod 600 %s."),
			 path, (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	if (kind == KEY_RELEASE && (st.st_mode & 077)) {
		close(fd);
		snprintf(err, errlen,
			 _("The release key %s can be read by others (mode %04o): whoever copied it can sign versions and settings that every station takes. Make a new one with \"fieldstation release-key new\", or if no one else can use this computer, chmod 600 %s."),
			 path, (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	if (st.st_size > KEY_MAX_BYTES) {
		close(fd);
		return damaged(kind, path, _("it is far too large"), err, errlen);
	}
	while (got < st.st_size) {
		ssize_t r = read(fd, text + got, (size_t)(st.st_size - got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	if (got != st.st_size) {
		sodium_memzero(text, sizeof(text));
		snprintf(err, errlen, _("%s %s cannot be read (%s)."), what, path,
			 strerror(got < 0 ? errno : EIO));
		return -1;
	}
	text[got] = '\0';
	if ((size_t)got != strlen(text))
		rc = damaged(kind, path, _("it holds a NUL byte"), err, errlen);
	else if (kind == KEY_PUBLIC)
		rc = parse_public(path, text, pk, err, errlen);
	else
		rc = parse_key(kind, path, text, k, err, errlen);
	sodium_memzero(text, sizeof(text));
	return rc;
}

int signkey_load(const char *path, struct signkey *k, char *err, size_t errlen)
{
	return load_key(KEY_STATION, path, k, NULL, err, errlen);
}

int releasekey_load(const char *path, struct signkey *k, char *err, size_t errlen)
{
	return load_key(KEY_RELEASE, path, k, NULL, err, errlen);
}

int releasekey_load_public(const char *path, uint8_t public_key[SIGN_PUBLIC_BYTES], char *err,
			   size_t errlen)
{
	return load_key(KEY_PUBLIC, path, NULL, public_key, err, errlen);
}

/* A key as its file says it. */
static int key_text(const char *header, const struct signkey *k, char *text, size_t n)
{
	char pk_hex[2 * SIGN_PUBLIC_BYTES + 1], seed_hex[2 * SEED_BYTES + 1];
	int len;

	sign_to_hex(k->public_key, SIGN_PUBLIC_BYTES, pk_hex);
	sign_to_hex(k->secret, SEED_BYTES, seed_hex);
	len = snprintf(text, n, "%s\nformat: %d\nmade: %lld\nboard: %s\npublic: %s\nseed: %s\n",
		       header, KEY_FORMAT, (long long)k->made, k->board, pk_hex, seed_hex);
	sodium_memzero(seed_hex, sizeof(seed_hex));
	return len;
}

/* Writes text as the file name in the folder dir, whole or not at all:
 * never over another file unless replace, and then only by renaming over
 * the name (a link there is replaced, never followed). 0, or an errno. */
static int write_text_at(int dir, const char *name, const char *text, int len, mode_t mode,
			 bool replace)
{
	char tmp[NAME_MAX + 1];
	int fd, err = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= sizeof(tmp))
		return ENAMETOOLONG;
	/* A file left by a cut short attempt is ours: it goes. */
	if (unlinkat(dir, tmp, 0) < 0 && errno != ENOENT)
		err = errno;
	fd = err ? -1 : openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 && !err)
		err = errno;
	if (fd >= 0) {
		/* The mode asked for, whatever the umask (a public key is for
		 * all to read). */
		if (write(fd, text, (size_t)len) != len)
			err = errno ? errno : EIO;
		else if (fchmod(fd, mode) < 0 || fsync(fd) < 0)
			err = errno;
		if (close(fd) < 0 && !err)
			err = errno;
		/* The key takes its name only whole. */
		if (!err && (replace ? renameat(dir, tmp, dir, name) : linkat(dir, tmp, dir, name, 0)) < 0)
			err = errno;
		unlinkat(dir, tmp, 0);
		if (!err)
			fsync(dir);
	}
	return err;
}

/* A key file of k (mode 0600). */
static int write_key_at(int dir, const char *name, const char *header, const struct signkey *k,
			bool replace)
{
	char text[512];
	int len = key_text(header, k, text, sizeof(text)), err;

	err = write_text_at(dir, name, text, len, 0600, replace);
	sodium_memzero(text, sizeof(text));
	return err;
}

/* The folder of path, opened; -1 with errno. */
static int folder_of(const char *path, const char **name)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	*name = slash ? slash + 1 : path;
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int signkey_make(const char *path, const char *board, int64_t now, struct signkey *k,
		 char *err, size_t errlen)
{
	const char *name;
	int dir, code;

	memset(k, 0, sizeof(*k));
	sodium_ready();
	crypto_sign_keypair(k->public_key, k->secret);
	snprintf(k->board, sizeof(k->board), "%s", board_ok(board) ? board : "");
	k->made = now;
	dir = folder_of(path, &name);
	code = dir < 0 ? errno : write_key_at(dir, name, KEY_HEADER, k, false);
	if (dir >= 0)
		close(dir);
	if (code) {
		signkey_wipe(k);
		if (code == EEXIST)
			snprintf(err, errlen, _("The signing key %s already exists: it is not replaced."), path);
		else
			snprintf(err, errlen, _("The signing key cannot be made in %s (%s)."), path,
				 strerror(code));
		return -1;
	}
	return 0;
}

int releasekey_make(const char *path, int64_t now, struct signkey *k, char *err, size_t errlen)
{
	char pub[PATH_MAX], text[256], hex[2 * SIGN_PUBLIC_BYTES + 1];
	const char *name, *pub_name;
	int dir, code, len;

	memset(k, 0, sizeof(*k));
	if ((size_t)snprintf(pub, sizeof(pub), "%s.pub", path) >= sizeof(pub)) {
		snprintf(err, errlen, _("The release key cannot be made in %s (%s)."), path,
			 strerror(ENAMETOOLONG));
		return -1;
	}
	sodium_ready();
	crypto_sign_keypair(k->public_key, k->secret);
	k->made = now;
	sign_to_hex(k->public_key, SIGN_PUBLIC_BYTES, hex);
	len = snprintf(text, sizeof(text), "%s\npublic: %s\n", PUBLIC_HEADER, hex);
	dir = folder_of(path, &name);
	pub_name = strrchr(pub, '/') ? strrchr(pub, '/') + 1 : pub;
	/* The public half first: a secret without it would be of no use, and
	 * neither is made over a file that is there. */
	code = dir < 0 ? errno : write_text_at(dir, pub_name, text, len, 0644, false);
	if (!code) {
		code = write_key_at(dir, name, RELEASE_HEADER, k, false);
		if (code)
			unlinkat(dir, pub_name, 0);
	}
	if (dir >= 0)
		close(dir);
	if (code) {
		signkey_wipe(k);
		if (code == EEXIST)
			snprintf(err, errlen, _("%s or %s already exists: it is not replaced."), path, pub);
		else
			snprintf(err, errlen, _("The release key cannot be made in %s (%s)."), path,
				 strerror(code));
		return -1;
	}
	return 0;
}

void signkey_wipe(struct signkey *k)
{
	sodium_memzero(k, sizeof(*k));
}

/* The board. */

/* The first line of a small system file, without its end. */
static bool read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	size_t len;

	if (!f)
		return false;
	len = fread(buf, 1, n - 1, f);
	fclose(f);
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] != '\0';
}

static bool cpuinfo_serial(char *buf, size_t n)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[256];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "Serial", 6) == 0 && colon) {
			snprintf(buf, n, "%s", colon + 1 + strspn(colon + 1, " \t"));
			buf[strcspn(buf, "\n")] = '\0';
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* A serial number of zeros is none. */
static bool meaningful(const char *s)
{
	return s[strspn(s, "0 \t")] != '\0';
}

void sign_board_id(char out[SIGN_BOARD_LEN])
{
	const char *env = getenv("FIELDSTATION_BOARD");
	char raw[256] = "", kind = 0;
	uint8_t d[SHA256_BYTES];
	struct sha256 s;

	if (env && *env) {
		snprintf(raw, sizeof(raw), "%s", env);
		kind = 's';
	} else if ((read_line("/sys/firmware/devicetree/base/serial-number", raw, sizeof(raw)) &&
		    meaningful(raw)) || (cpuinfo_serial(raw, sizeof(raw)) && meaningful(raw))) {
		kind = 's';
	} else if (read_line("/etc/machine-id", raw, sizeof(raw)) && meaningful(raw)) {
		kind = 'm';
	}
	if (!kind) {
		out[0] = '\0';
		return;
	}
	sha256_init(&s);
	sha256_update(&s, "fieldstation board ", 19);
	sha256_update(&s, &kind, 1);
	sha256_update(&s, raw, strlen(raw));
	sha256_final(&s, d);
	sign_to_hex(d, 8, out);
}

/* The station's key. */

void station_key_path(const char *db_path, char *buf, size_t n)
{
	size_t len = strlen(db_path);

	if (len > 3 && strcmp(db_path + len - 3, ".db") == 0)
		len -= 3;
	snprintf(buf, n, "%.*s.key", (int)len, db_path);
}

static void fingerprint_of_hex(const char *hex, char out[SIGN_FINGERPRINT_LEN])
{
	uint8_t pk[SIGN_PUBLIC_BYTES];

	if (sign_from_hex(hex, pk, sizeof(pk)) == 0)
		sign_fingerprint(pk, out);
	else
		snprintf(out, SIGN_FINGERPRINT_LEN, "?");
}

/* The local backups' folder, never through a link; made when asked. */
static int open_backups(const char *db_path, bool make)
{
	char dir[PATH_MAX];

	backup_dir(db_path, dir, sizeof(dir));
	if (make && mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -1;
	return open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Where the backups keep the copy of the key file at path. */
static int copy_path(const char *db_path, const char *path, char *buf, size_t n)
{
	char dir[PATH_MAX];
	int len;

	backup_dir(db_path, dir, sizeof(dir));
	len = snprintf(buf, n, "%s/%s", dir, base_name(path));
	return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* The backups hold a copy of k, the station's key: written when it is
 * not there or is another key. It guards against the key file alone
 * being lost or damaged; on the same card, not against losing the card. */
static void keep_copy(const struct station_key *sk, const char *db_path)
{
	char copy[PATH_MAX], why[640];
	struct signkey old;
	int dir = open_backups(db_path, true);

	if (dir < 0)
		return;
	if (copy_path(db_path, sk->path, copy, sizeof(copy)) < 0) {
		close(dir);
		return;
	}
	if (signkey_load(copy, &old, why, sizeof(why)) != 0 ||
	    memcmp(old.public_key, sk->key.public_key, SIGN_PUBLIC_BYTES) != 0)
		write_key_at(dir, base_name(sk->path), KEY_HEADER, &sk->key, true);
	signkey_wipe(&old);
	close(dir);
}

/* The key file was lost or is damaged: the copy in the backups takes its
 * place when it is the key the database remembers (hex). The damaged file
 * is kept aside (path.damaged-TIME). 0 with k loaded, or -1. */
static int restore_copy(const char *db_path, const char *path, const char *hex, int64_t now,
			struct signkey *k)
{
	char copy[PATH_MAX], why[640], have[2 * SIGN_PUBLIC_BYTES + 1], aside[PATH_MAX + 64];
	char stamp[32];
	const char *name;
	time_t t = (time_t)now;
	struct tm tm;
	int dir, err;

	if (copy_path(db_path, path, copy, sizeof(copy)) < 0 ||
	    signkey_load(copy, k, why, sizeof(why)) != 0)
		return -1;
	sign_to_hex(k->public_key, SIGN_PUBLIC_BYTES, have);
	if (strcmp(have, hex) != 0) {
		signkey_wipe(k);
		return -1;
	}
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(aside, sizeof(aside), "%s.damaged-%s", path, stamp);
	if (rename(path, aside) < 0 && errno != ENOENT) {
		signkey_wipe(k);
		return -1;
	}
	dir = folder_of(path, &name);
	err = dir < 0 ? errno : write_key_at(dir, name, KEY_HEADER, k, false);
	if (dir >= 0)
		close(dir);
	if (err) {
		signkey_wipe(k);
		return -1;
	}
	return 0;
}

int station_key_open(struct station_key *sk, const char *db_path, struct store *s,
		     bool may_make, bool remember, int64_t now)
{
	char recorded[128] = "", hex[2 * SIGN_PUBLIC_BYTES + 1], why[640], was[SIGN_FINGERPRINT_LEN];
	int rc;

	memset(sk, 0, sizeof(*sk));
	station_key_path(db_path, sk->path, sizeof(sk->path));
	sign_board_id(sk->board);
	if (s)
		store_meta_get(s, META_KEY, recorded, sizeof(recorded));
	rc = signkey_load(sk->path, &sk->key, why, sizeof(why));
	if ((rc == SIGNKEY_MISSING || rc == SIGNKEY_DAMAGED) && recorded[0] && remember &&
	    restore_copy(db_path, sk->path, recorded, now, &sk->key) == 0) {
		sk->restored = true;
		rc = 0;
	}
	if (rc == SIGNKEY_MISSING && recorded[0]) {
		fingerprint_of_hex(recorded, was);
		snprintf(sk->problem, sizeof(sk->problem),
			 _("The signing key %s is missing, though this station had one (fingerprint %s): its copies cannot be signed. Put the key file back, or make a new key with \"fieldstation new-key\"."),
			 sk->path, was);
		return -1;
	}
	if (rc == SIGNKEY_MISSING && !may_make) {
		sk->none_yet = true;
		snprintf(sk->problem, sizeof(sk->problem), "%s",
			 _("The station has no signing key yet: it makes one when it starts."));
		return -1;
	}
	if (rc == SIGNKEY_MISSING) {
		rc = signkey_make(sk->path, sk->board, now, &sk->key, why, sizeof(why));
		sk->made_now = rc == 0;
	}
	if (rc < 0) {
		snprintf(sk->problem, sizeof(sk->problem), "%s", why);
		return -1;
	}
	sign_to_hex(sk->key.public_key, SIGN_PUBLIC_BYTES, hex);
	sign_fingerprint(sk->key.public_key, sk->fingerprint);
	/* Another key than the database remembers: the database came back
	 * from a backup older than a new key, or from another card. The file
	 * is the station's key; the office judges what it signs. */
	if (recorded[0] && strcmp(recorded, hex) != 0) {
		sk->changed = true;
		fingerprint_of_hex(recorded, sk->was);
	}
	if (strcmp(recorded, hex) != 0 && remember && s)
		store_meta_set(s, META_KEY, hex);
	/* A file left by a key made when the power went, once linked. */
	if (remember) {
		char tmp[sizeof(sk->path) + 8];

		snprintf(tmp, sizeof(tmp), "%s.tmp", sk->path);
		unlink(tmp);
	}
	sk->ok = true;
	if (remember)
		keep_copy(sk, db_path);
	if (sk->key.board[0] && sk->board[0] && strcmp(sk->key.board, sk->board) != 0) {
		sk->other_board = true;
		snprintf(sk->problem, sizeof(sk->problem),
			 _("This card's signing key was made on another board (%s; this board is %s): the card may be a copy of another station's. If the card was moved to a new board, make a new key with \"fieldstation new-key\"; the office then trusts it again."),
			 sk->key.board, sk->board);
	}
	return 0;
}

int station_key_renew(struct station_key *sk, const char *db_path, struct store *s,
		      int64_t now)
{
	char aside[4200 + 32], why[640], hex[2 * SIGN_PUBLIC_BYTES + 1], stamp[32];
	time_t t = (time_t)now;
	struct tm tm;

	memset(sk, 0, sizeof(*sk));
	station_key_path(db_path, sk->path, sizeof(sk->path));
	sign_board_id(sk->board);
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(aside, sizeof(aside), "%s.old-%s", sk->path, stamp);
	/* The old file, whatever it is, is kept aside (a link is moved, not
	 * followed). */
	if (rename(sk->path, aside) < 0 && errno != ENOENT) {
		snprintf(sk->problem, sizeof(sk->problem), _("The signing key %s cannot be moved aside (%s)."),
			 sk->path, strerror(errno));
		return -1;
	}
	if (signkey_make(sk->path, sk->board, now, &sk->key, why, sizeof(why)) < 0) {
		snprintf(sk->problem, sizeof(sk->problem), "%s", why);
		return -1;
	}
	sign_to_hex(sk->key.public_key, SIGN_PUBLIC_BYTES, hex);
	sign_fingerprint(sk->key.public_key, sk->fingerprint);
	if (store_meta_set(s, META_KEY, hex) < 0) {
		snprintf(sk->problem, sizeof(sk->problem), "%s", store_error(s));
		signkey_wipe(&sk->key);
		return -1;
	}
	sk->made_now = true;
	sk->ok = true;
	keep_copy(sk, db_path);
	return 0;
}

void station_key_close(struct station_key *sk)
{
	signkey_wipe(&sk->key);
	sk->ok = false;
}
