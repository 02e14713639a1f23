/* The manager's PIN: only a salted hash is kept, wrong PINs are counted,
 * and a run of them locks the PIN out for a while, across restarts. */
#include "testlib.h"
#include "cardvfs.h"
#include "storefault.h"

#include "pin.h"
#include "store.h"
#include "text.h"

#include <sqlite3.h>

static char *dir;
static char path[512];

static struct store *open_db(void)
{
	struct store *s;
	char err[512];

	cardvfs_command("heal");
	if (store_open(path, 0, &s, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return s;
}

static const char *stored_hash(void)
{
	static char out[256];
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'manager_pin'",
					    -1, &st, NULL), SQLITE_OK);
	out[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, sizeof(out), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static int setup(void **state)
{
	(void)state;
	text_init("en");
	assert_int_equal(cardvfs_install(), 0);
	cardvfs_command("heal");
	dir = test_mkdir();
	snprintf(path, sizeof(path), "%s/station.db", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rmdir(dir);
	return 0;
}

static void only_a_salted_hash_is_kept(void **state)
{
	struct store *s = open_db();
	char why[160], first[256];

	(void)state;
	assert_false(pin_is_set(s));
	assert_int_equal(pin_check(s, "2468", 1000, why, sizeof(why)), PIN_FAILED);
	assert_non_null(strstr(why, "No manager PIN"));
	assert_int_equal(pin_set(s, "2468", why, sizeof(why)), PIN_OK);
	assert_true(pin_is_set(s));
	store_close(s);
	snprintf(first, sizeof(first), "%s", stored_hash());
	assert_true(strncmp(first, "$y$", 3) == 0);	/* yescrypt */
	assert_null(strstr(first, "2468"));
	/* The same PIN set again hashes differently: a new salt. */
	s = open_db();
	assert_int_equal(pin_set(s, "2468", why, sizeof(why)), PIN_OK);
	store_close(s);
	assert_string_not_equal(stored_hash(), first);
	s = open_db();
	assert_int_equal(pin_check(s, "2468", 1000, why, sizeof(why)), PIN_OK);
	/* Each wrong PIN says how many tries are left before the lock. */
	assert_int_equal(pin_check(s, "2469", 1000, why, sizeof(why)), PIN_WRONG);
	assert_string_equal(why, "Wrong PIN: 4 more tries, then PINs are refused for 5 minutes.");
	assert_int_equal(pin_check(s, "246", 1000, why, sizeof(why)), PIN_WRONG);
	assert_string_equal(why, "Wrong PIN: 3 more tries, then PINs are refused for 5 minutes.");
	assert_int_equal(pin_check(s, "", 1000, why, sizeof(why)), PIN_WRONG);
	assert_int_equal(pin_check(s, "1111", 1000, why, sizeof(why)), PIN_WRONG);
	assert_string_equal(why, "Wrong PIN: 1 more try, then PINs are refused for 5 minutes.");
	/* A good PIN starts the count again. */
	assert_int_equal(pin_check(s, "2468", 1000, why, sizeof(why)), PIN_OK);
	assert_int_equal(pin_check(s, "2469", 1000, why, sizeof(why)), PIN_WRONG);
	assert_string_equal(why, "Wrong PIN: 4 more tries, then PINs are refused for 5 minutes.");
	store_close(s);
}

static void new_pins_are_digits_of_a_sensible_length(void **state)
{
	struct store *s = open_db();
	char why[160];

	(void)state;
	assert_int_equal(pin_set(s, "123", why, sizeof(why)), PIN_WRONG);
	assert_string_equal(why, "A PIN has 4 to 8 digits.");
	assert_int_equal(pin_set(s, "123456789", why, sizeof(why)), PIN_WRONG);
	assert_int_equal(pin_set(s, "12a4", why, sizeof(why)), PIN_WRONG);
	assert_int_equal(pin_set(s, "01234567", why, sizeof(why)), PIN_OK);
	assert_int_equal(pin_check(s, "01234567", 5, why, sizeof(why)), PIN_OK);
	assert_int_equal(pin_check(s, "1234567", 5, why, sizeof(why)), PIN_WRONG);
	store_close(s);
}

static void wrong_pins_lock_it_for_a_while(void **state)
{
	struct store *s = open_db();
	char why[160];
	int64_t now = 1780000000;

	(void)state;
	assert_int_equal(pin_set(s, "8642", why, sizeof(why)), PIN_OK);
	for (int i = 1; i < PIN_MAX_TRIES; i++)
		assert_int_equal(pin_check(s, "1111", now, why, sizeof(why)), PIN_WRONG);
	assert_int_equal(pin_check(s, "1111", now, why, sizeof(why)), PIN_LOCKED);
	/* Now even the right PIN is refused, after a restart too. */
	store_close(s);
	s = open_db();
	assert_int_equal(pin_check(s, "8642", now + 60, why, sizeof(why)), PIN_LOCKED);
	assert_non_null(strstr(why, "Too many wrong PINs"));
	assert_int_equal(pin_check(s, "8642", now + PIN_LOCK_SECONDS, why, sizeof(why)), PIN_OK);
	/* A good PIN clears the count. */
	for (int i = 1; i < PIN_MAX_TRIES; i++)
		assert_int_equal(pin_check(s, "1111", now + 400, why, sizeof(why)), PIN_WRONG);
	assert_int_equal(pin_check(s, "8642", now + 400, why, sizeof(why)), PIN_OK);
	assert_int_equal(pin_check(s, "1111", now + 400, why, sizeof(why)), PIN_WRONG);
	/* Forgotten: no PIN opens anything until a new one is chosen. */
	assert_int_equal(pin_forget(s), PIN_OK);
	assert_false(pin_is_set(s));
	assert_int_equal(pin_check(s, "8642", now + 500, why, sizeof(why)), PIN_FAILED);
	assert_int_equal(pin_set(s, "97531", why, sizeof(why)), PIN_OK);
	assert_int_equal(pin_check(s, "97531", now + 500, why, sizeof(why)), PIN_OK);
	store_close(s);
}

static void meta_sql(const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* On a full card no wrong PIN can be counted: no PIN is tried at all,
 * the right one neither, and the manager is told why; once the card has
 * room the count goes on from where it was saved. */
static void a_try_that_cannot_be_counted_is_not_made(void **state)
{
	struct store *s = open_db();
	char why[200];
	int64_t now = 1780000000;

	(void)state;
	assert_int_equal(pin_set(s, "8642", why, sizeof(why)), PIN_OK);
	assert_int_equal(pin_check(s, "1111", now, why, sizeof(why)), PIN_WRONG);
	cardvfs_command("fail write ENOSPC 1");
	for (int i = 0; i < 3 * PIN_MAX_TRIES; i++) {
		assert_int_equal(pin_check(s, "1111", now, why, sizeof(why)), PIN_FAILED);
		assert_string_equal(why, "PINs are refused: the memory card cannot save the count of wrong PINs (the memory card is full).");
	}
	assert_int_equal(pin_check(s, "8642", now, why, sizeof(why)), PIN_FAILED);
	assert_true(cardvfs_failed() > 0);
	cardvfs_command("heal");
	/* One wrong was saved: four more lock it. */
	for (int i = 2; i < PIN_MAX_TRIES; i++)
		assert_int_equal(pin_check(s, "1111", now, why, sizeof(why)), PIN_WRONG);
	assert_int_equal(pin_check(s, "1111", now, why, sizeof(why)), PIN_LOCKED);
	assert_int_equal(pin_check(s, "8642", now + 60, why, sizeof(why)), PIN_LOCKED);
	store_close(s);
}

/* The fifth wrong PIN was counted but its lock-out not saved (the card
 * failed at that moment): the next try saves the lock-out instead of
 * trying the PIN, or is refused if it still cannot. */
static void a_lock_out_not_saved_is_saved_by_the_next_try(void **state)
{
	struct store *s = open_db();
	char why[200];
	int64_t now = 1780000000;

	(void)state;
	assert_int_equal(pin_set(s, "8642", why, sizeof(why)), PIN_OK);
	store_close(s);
	meta_sql("UPDATE meta SET value = '5' WHERE key = 'manager_pin_failures'");
	s = open_db();
	cardvfs_command("fail write EIO 1");
	assert_int_equal(pin_check(s, "8642", now, why, sizeof(why)), PIN_FAILED);
	assert_non_null(strstr(why, "PINs are refused: the memory card cannot save"));
	cardvfs_command("heal");
	assert_int_equal(pin_check(s, "8642", now, why, sizeof(why)), PIN_LOCKED);
	assert_non_null(strstr(why, "Too many wrong PINs: try again after "));
	assert_int_equal(pin_check(s, "8642", now + PIN_LOCK_SECONDS - 1, why, sizeof(why)), PIN_LOCKED);
	assert_int_equal(pin_check(s, "8642", now + PIN_LOCK_SECONDS, why, sizeof(why)), PIN_OK);
	store_close(s);
}

/* A PIN that cannot be read is not "no PIN yet": Settings asks for it
 * (never offers to choose a new one), and the check refuses in words. */
static void a_pin_that_cannot_be_read_refuses(void **state)
{
	struct store *s = open_db();
	struct store_fault fault;
	char why[200];

	(void)state;
	assert_int_equal(pin_set(s, "8642", why, sizeof(why)), PIN_OK);
	store_fault_set(s, &fault, "meta", FAULT_READ);
	assert_true(pin_is_set(s));
	assert_int_equal(pin_check(s, "8642", 1000, why, sizeof(why)), PIN_FAILED);
	assert_non_null(strstr(why, "The PIN cannot be checked: the memory card cannot be read ("));
	store_fault_clear(s);
	assert_int_equal(pin_check(s, "8642", 1000, why, sizeof(why)), PIN_OK);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_a_salted_hash_is_kept),
		cmocka_unit_test(new_pins_are_digits_of_a_sensible_length),
		cmocka_unit_test(wrong_pins_lock_it_for_a_while),
		cmocka_unit_test(a_try_that_cannot_be_counted_is_not_made),
		cmocka_unit_test(a_lock_out_not_saved_is_saved_by_the_next_try),
		cmocka_unit_test(a_pin_that_cannot_be_read_refuses),
	};

	return cmocka_run_group_tests_name("pin", tests, setup, teardown);
}
