/* Files for a stick: nothing has its real name until it is whole and
 * flushed; an abandoned file leaves nothing; what is read back is
 * checked against what was written; a refused write says why. */
#include "testlib.h"

#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

static bool exists(const char *dir, const char *name)
{
	char p[512];
	struct stat st;

	assert_true(snprintf(p, sizeof(p), "%s/%s", dir, name) < (int)sizeof(p));
	return stat(p, &st) == 0;
}

static void real_name_only_when_whole(void **state)
{
	char *dir = test_mkdir(), *big = malloc(3 << 20), hex[SHA256_HEX], want_hex[SHA256_HEX];
	uint8_t d[SHA256_BYTES], want[SHA256_BYTES];
	const size_t size = 3 << 20;
	struct outfile f;
	struct filecheck c;
	struct sha256 s;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	(void)state;
	assert_non_null(big);
	assert_true(fd >= 0);
	for (size_t i = 0; i < size; i++)
		big[i] = (char)('a' + i % 26);
	assert_int_equal(outfile_open(&f, fd, "nhat-ky-tuoi.csv"), 0);
	assert_int_equal(outfile_write(&f, big, size), 0);
	assert_int_equal(outfile_write(&f, "Mít\r\n", 6), 0);
	assert_true(exists(dir, "nhat-ky-tuoi.csv.tmp"));
	assert_false(exists(dir, "nhat-ky-tuoi.csv"));
	/* Sent to the device along the way, not all at the end. */
	assert_true(f.sent >= 2 << 20);
	assert_int_equal(outfile_commit(&f, d), 0);
	assert_false(exists(dir, "nhat-ky-tuoi.csv.tmp"));
	assert_true(exists(dir, "nhat-ky-tuoi.csv"));
	assert_int_equal(outfile_sync_dir(fd), 0);
	sha256_init(&s);
	sha256_update(&s, big, size);
	sha256_update(&s, "Mít\r\n", 6);
	sha256_final(&s, want);
	assert_memory_equal(d, want, SHA256_BYTES);

	/* Read back from the device, in pieces. */
	assert_int_equal(filecheck_open(&c, fd, "nhat-ky-tuoi.csv", true), 0);
	while (filecheck_step(&c, 100000) == 1)
		;
	assert_int_equal(c.bytes, (int64_t)size + 6);
	filecheck_close(&c, d);
	assert_string_equal(sha256_hex(d, hex), sha256_hex(want, want_hex));
	close(fd);
	free(big);
	test_rmdir(dir);
}

static void abandoned_leaves_nothing(void **state)
{
	char *dir = test_mkdir();
	struct outfile f;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	(void)state;
	assert_int_equal(outfile_open(&f, fd, "bon-phan.csv"), 0);
	assert_int_equal(outfile_write(&f, "half", 4), 0);
	outfile_abort(&f);
	assert_false(exists(dir, "bon-phan.csv.tmp"));
	assert_false(exists(dir, "bon-phan.csv"));
	assert_int_equal(outfile_open(&f, -1, "x.csv"), -EBADF);
	close(fd);
	test_rmdir(dir);
}

/* What is on the stick already is a stranger's: a file is made new, never
 * written through a link or over what was there, and what is read back
 * is a regular file of the folder, never what a link points at nor a
 * FIFO that would never answer. */
static void nothing_through_a_link_nor_over_what_was_there(void **state)
{
	char *dir = test_mkdir(), *home = test_mkdir(), target[512], link[512];
	struct filecheck c;
	struct outfile f;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	(void)state;
	test_write(home, "station.db", "the station's records");
	snprintf(target, sizeof(target), "%s/station.db", home);
	snprintf(link, sizeof(link), "%s/nhat-ky-tuoi.csv.tmp", dir);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(outfile_open(&f, fd, "nhat-ky-tuoi.csv"), -EEXIST);
	outfile_abort(&f);
	/* The link is not the outfile's to remove, and its target is whole. */
	assert_true(exists(dir, "nhat-ky-tuoi.csv.tmp"));
	assert_true(exists(home, "station.db"));
	test_write(dir, "bon-phan.csv.tmp", "the stick's own file");
	assert_int_equal(outfile_open(&f, fd, "bon-phan.csv"), -EEXIST);
	outfile_abort(&f);
	assert_true(exists(dir, "bon-phan.csv.tmp"));

	snprintf(link, sizeof(link), "%s/sao-luu.db", dir);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(filecheck_open(&c, fd, "sao-luu.db", true), -ELOOP);
	snprintf(link, sizeof(link), "%s/manifest.txt", dir);
	assert_int_equal(mkfifo(link, 0600), 0);
	assert_int_equal(filecheck_open(&c, fd, "manifest.txt", true), -EINVAL);
	close(fd);
	test_rmdir(dir);
	test_rmdir(home);
}

/* A file larger than allowed: the write fails with EFBIG, the temporary
 * file is gone, and a probe of another writer's file says the same. */
static void a_refused_write_says_why(void **state)
{
	char *dir = test_mkdir(), block[8192] = { 0 }, path[512];
	struct rlimit old, small = { 4096, 4096 };
	struct outfile f;
	int rc, fd, dfd = open(dir, O_RDONLY | O_DIRECTORY);

	(void)state;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(outfile_open(&f, dfd, "sao-luu.db"), 0);
	snprintf(path, sizeof(path), "%s/other.db", dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, block, 4096), 4096);
	getrlimit(RLIMIT_FSIZE, &old);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	rc = outfile_write(&f, block, sizeof(block));
	if (rc == 0)
		rc = outfile_write(&f, block, sizeof(block));
	assert_int_equal(outfile_probe(fd), EFBIG);
	setrlimit(RLIMIT_FSIZE, &old);
	assert_int_equal(rc, -EFBIG);
	outfile_abort(&f);
	assert_false(exists(dir, "sao-luu.db.tmp"));
	/* The probe took back what it tried. */
	assert_int_equal(outfile_probe(fd), 0);
	assert_int_equal(lseek(fd, 0, SEEK_END), 4096);
	close(fd);
	close(dfd);
	test_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_name_only_when_whole),
		cmocka_unit_test(abandoned_leaves_nothing),
		cmocka_unit_test(nothing_through_a_link_nor_over_what_was_there),
		cmocka_unit_test(a_refused_write_says_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
