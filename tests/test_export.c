/* The export, as the office receives it: every diary as a CSV that Excel
 * on a Vietnamese PC reads, a sheet per harvest lot, a copy of the whole
 * database, a manifest whose checksums match; one moment's snapshot while
 * the station goes on writing; and when something goes wrong, nothing
 * that looks complete and the station's database untouched. */
#include "testsql.h"

#include "backup.h"
#include "config.h"
#include "export.h"
#include "manifest.h"
#include "pin.h"
#include "signing.h"
#include "store.h"
#include "store_delta.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* write() as the test says (the link wraps it: Makefile): while
 * stick_room is not negative, the stick takes that many bytes more, then
 * says it is full. */
ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
static long stick_room = -1;

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	if (stick_room >= 0) {
		if (stick_room == 0) {
			errno = ENOSPC;
			return -1;
		}
		if ((long)n > stick_room)
			n = (size_t)stick_room;
		stick_room -= (long)n;
	}
	return __real_write(fd, buf, n);
}

static char *dir;
static char db[256], stick[256], tmp[256];

/* 10/06/2026 08:00 in Việt Nam. */
#define NOW 1781053200
/* 01/06/2026 05:10 */
#define JUNE1_0510 1780265400


/* A station like the demo farm with a few weeks of records. */
static void make_station(const char *path)
{
	struct store *s;
	struct config *cfg;
	char err[512];
	struct run_row r = { .reason = RUN_MANUAL, .started = JUNE1_0510,
			     .planned_end = JUNE1_0510 + 1800, .moisture_before = 37.6 };
	struct reading_row rows[3 * 48];
	int soil1, soil3, air, n = 0;

	assert_int_equal(config_load("config/demo.ini", &cfg, err, sizeof(err)), 0);
	assert_int_equal(store_open(path, STORE_EXCLUSIVE, &s, err, sizeof(err)), 0);
	assert_int_equal(export_remember_station(s, cfg), 0);
	config_free(cfg);
	snprintf(r.pump, sizeof(r.pump), "p1");
	snprintf(r.zone, sizeof(r.zone), "mit");
	r.power_kw = 1.5;
	assert_int_equal(store_run_begin(s, &r), 0);
	r.ended = JUNE1_0510 + 1800;
	snprintf(r.end_reason, sizeof(r.end_reason), "done");
	r.moisture_after = 44.75;
	/* 30 minutes at 1.5 kW, off-peak before 06:00. */
	r.kwh[0] = 0.75;
	r.cost[0] = 975;
	r.cost_at_peak = 2730;
	r.litres = 1234.5;	/* its meter's */
	assert_int_equal(store_run_end(s, &r), 0);
	r = (struct run_row){ .reason = RUN_SCHEDULE, .started = JUNE1_0510 - 86400 * 22,
			      .planned_end = JUNE1_0510 - 86400 * 22 + 1200,
			      .moisture_before = NAN, .litres = NAN };
	snprintf(r.pump, sizeof(r.pump), "p1");
	snprintf(r.zone, sizeof(r.zone), "mit");
	assert_int_equal(store_run_begin(s, &r), 0);
	r.ended = r.planned_end;
	snprintf(r.end_reason, sizeof(r.end_reason), "by_hand");
	r.moisture_after = NAN;
	assert_int_equal(store_run_end(s, &r), 0);
	assert_int_equal(store_event(s, JUNE1_0510 - 600, "start", NULL, "0.1.0", false), 0);
	assert_int_equal(store_event(s, JUNE1_0510 + 60, "sensor_lost", "soil3", NULL, true), 0);
	/* Two days of moisture every half hour, and air readings that are
	 * not soil moisture. */
	assert_int_equal(store_sensor_id(s, "soil1", &soil1), 0);
	assert_int_equal(store_sensor_id(s, "soil3", &soil3), 0);
	assert_int_equal(store_sensor_id(s, "air", &air), 0);
	for (int i = 0; i < 48; i++) {
		int64_t t = 1780246800 + i * 3600;	/* from 01/06/2026 00:00 */

		rows[n++] = (struct reading_row){ soil1, 0, t, 30.0 + (i % 24) };
		rows[n++] = (struct reading_row){ soil3, 0, t, 40.0 };
		rows[n++] = (struct reading_row){ air, 4, t, 29.5 };
	}
	assert_int_equal(store_readings_add(s, rows, n, 1780246800 + 3 * 86400), 0);
	/* A raw probe's calibration, kept for the record. */
	assert_int_equal(store_calibration_add(s, soil3, 560, 290, JUNE1_0510 - 300), 0);
	store_close(s);
	exec_sql(path,
		 "INSERT INTO lots(code, day, seq) VALUES ('PT01-260401-01', '2026-04-01', 1),"
		 " ('PT01-260601-01', '2026-06-01', 1);"
		 "INSERT INTO records(id, kind, day, zone, zone_name, product, product_name, organic,"
		 " amount, unit, method, who, who_name, entered_at)"
		 " VALUES (1, 'fertilize', '2025-12-15', 'mit', 'Mít ruột đỏ', 'huuco',"
		 "  'Phân hữu cơ vi sinh Sông Gianh', 1, 50, 'kg', 'hand', 'tu', 'Anh Tư', 1765760400),"
		 " (2, 'fertilize', '2026-05-20', 'mit', 'Mít ruột đỏ', 'npk', 'NPK 20-20-15 Đầu Trâu', 0,"
		 "  2.5, 'kg', 'venturi', 'tu', 'Anh Tư', 1779254400),"
		 " (3, 'fertilize', '2026-05-21', 'vusua', 'Vú sữa Hoàng Kim', 'npk',"
		 "  'NPK 20-20-15 Đầu Trâu', 0, 2, 'kg', 'venturi', 'tu', 'Anh Tư', 1779340800),"
		 " (4, 'fertilize', '2026-06-05', 'mit', 'Mít ruột đỏ', 'kali', 'Kali clorua (KCl)', 0,"
		 "  1, 'kg', 'hand', 'tu', 'Anh Tư', 1780614000);"
		 "INSERT INTO records(id, kind, day, zone, zone_name, product, product_name, organic,"
		 " amount, unit, target, phi_days, harvest_from, who, who_name, entered_at)"
		 " VALUES (5, 'spray', '2026-05-15', 'mit', 'Mít ruột đỏ', 'radiant', 'Radiant 60SC', 0,"
		 "  100, 'ml', 'sâu đục trái; rầy', 7, '2026-05-22', 'nam', 'Chị Năm', 1778814000);"
		 "INSERT INTO records(id, kind, day, zone, zone_name, crop, kg, grade, buyer, lot_code,"
		 " who, who_name, entered_at)"
		 " VALUES (6, 'harvest', '2026-04-01', 'mit', 'Mít ruột đỏ', 'Mít', 80, 'B',"
		 "  'Chợ Đồng Xoài', 'PT01-260401-01', 'tu', 'Anh Tư', 1775005200),"
		 " (7, 'harvest', '2026-06-01', 'mit', 'Mít ruột đỏ', 'Mít', 120.5, 'A', 'Cty \"Xanh\"',"
		 "  'PT01-260601-01', 'tu', 'Anh Tư', 1780280000);"
		 "INSERT INTO records(id, kind, day, zone, zone_name, product, product_name, organic,"
		 " amount, unit, method, who, who_name, entered_at, corrects)"
		 " VALUES (8, 'fertilize', '2026-05-20', 'mit', 'Mít ruột đỏ', 'npk',"
		 "  'NPK 20-20-15 Đầu Trâu', 0, 3, 'kg', 'venturi', 'tu', 'Anh Tư', 1779258000, 2);");
}

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	text_init("vi");
	signal(SIGXFSZ, SIG_IGN);
	return 0;
}

static int each_setup(void **state)
{
	(void)state;
	dir = test_mkdir();
	assert_true(snprintf(db, sizeof(db), "%s/station.db", dir) < (int)sizeof(db));
	assert_true(snprintf(stick, sizeof(stick), "%s/stick", dir) < (int)sizeof(stick));
	assert_int_equal(mkdir(stick, 0755), 0);
	/* Where the workbook is made: the station's own disk. */
	assert_true(snprintf(tmp, sizeof(tmp), "%s/tmp", dir) < (int)sizeof(tmp));
	assert_int_equal(mkdir(tmp, 0700), 0);
	setenv("TMPDIR", tmp, 1);
	make_station(db);
	return 0;
}

static int each_teardown(void **state)
{
	(void)state;
	test_rmdir(dir);
	return 0;
}

static struct export_opts opts(void)
{
	return (struct export_opts){ .db_path = db, .dest = stick, .code = "PT01",
				     .name = "HTX Phước Thiện - trạm 1", .sep = ';', .dec = ',',
				     .now = NOW };
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot read %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static const char *sha_of_file(const char *path)
{
	static char hex[SHA256_HEX];
	uint8_t d[SHA256_BYTES];
	struct sha256 s;
	size_t n;
	char *buf = slurp(path, &n);

	sha256_init(&s);
	sha256_update(&s, buf, n);
	sha256_final(&s, d);
	free(buf);
	return sha256_hex(d, hex);
}

static void run_ok(const struct export_opts *o, char *path, size_t n)
{
	char err[768];

	if (export_run(o, NULL, NULL, path, n, err, sizeof(err)) != 0)
		fail_msg("export: %s", err);
}

/* Entries of a folder, sorted, joined by spaces. */
static const char *listing(const char *folder)
{
	static char out[4096];
	struct dirent **names = NULL;
	int n = scandir(folder, &names, NULL, alphasort);

	/* A folder that cannot be read fails the test, with the reason. */
	if (n < 0)
		fail_msg("scandir %s: %s", folder, strerror(errno));
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.')
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", out[0] ? " " : "",
				 names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return out;
}

static void every_diary_as_excel_reads_it(void **state)
{
	char path[512], *csv;

	(void)state;
	run_ok(&(struct export_opts){ .db_path = db, .dest = stick, .sep = ';', .dec = ',',
				      .now = NOW }, path, sizeof(path));
	/* The code and name the console remembered from the configuration. */
	assert_string_equal(path, path_in(stick, "PT01_2026-06-10"));
	assert_string_equal(listing(stick), "PT01_2026-06-10");
	assert_string_equal(listing(path),
			    "bao-dong-va-su-kien.csv bon-phan.csv cham-qua-ong.csv do-am-dat-hang-ngay.csv "
			    "hieu-chuan-dau-do.csv manifest.txt nhat-ky-tuoi.csv phun-thuoc.csv sao-luu.db "
			    "so-be.csv so-ghi-chep.xlsx thu-hoach.csv");

	csv = slurp(path_in(path, "nhat-ky-tuoi.csv"), NULL);
	assert_memory_equal(csv, "\xEF\xBB\xBF", 3);
	/* Every line ends in CRLF: no bare newline anywhere. */
	for (char *p = strchr(csv, '\n'); p; p = strchr(p + 1, '\n'))
		assert_int_equal(p[-1], '\r');
	assert_non_null(strstr(csv, "\xEF\xBB\xBFTrạm;Số;Máy bơm;Khu;Mở;Người làm;Bắt đầu;Kết thúc;"
				    "Số phút;Cách kết thúc;Độ ẩm đất trước (%);Độ ẩm đất sau (%);"
				    "Giờ theo lịch;Công suất bơm (kW);kWh thấp điểm;kWh bình thường;"
				    "kWh cao điểm;Tiền thấp điểm;Tiền bình thường;Tiền cao điểm;Tiền điện;"
				    "Tiền nếu giờ cao điểm;Nước (lít);Tưới trước (phút);Châm (phút);Rửa ống (phút);"
				    "Châm phân: số ghi bón phân\r\n"));
	/* Oldest first; names, not ids; the decimal comma. */
	assert_non_null(strstr(csv, "\r\nPT01;2;Bơm 1;Mít ruột đỏ;theo lịch;;10/05/2026 05:10;"
				    "10/05/2026 05:30;20,0;tắt bằng tay;;;;0,00;0,000;0,000;0,000;0;0;0;0;0;;;;;\r\n"
				    "PT01;1;Bơm 1;Mít ruột đỏ;bằng tay;;01/06/2026 05:10;"
				    "01/06/2026 05:40;30,0;chạy đủ giờ;37,6;44,8;;1,50;0,750;0,000;0,000;"
				    "975;0;0;975;2730;1234,5;;;;\r\n"));
	free(csv);

	csv = slurp(path_in(path, "phun-thuoc.csv"), NULL);
	/* The separator inside the text is quoted, the text whole. */
	assert_non_null(strstr(csv, "PT01;5;15/05/2026;Mít ruột đỏ;Radiant 60SC;không;"
				    "\"sâu đục trái; rầy\";100,00;ml;7;22/05/2026;;Chị Năm;"
				    "15/05/2026 10:00;;;không;\r\n"));
	free(csv);

	csv = slurp(path_in(path, "bon-phan.csv"), NULL);
	/* A correction and the record it corrects are both there, each
	 * pointing at the other. */
	assert_non_null(strstr(csv, "\xEF\xBB\xBFTrạm;Số;Ngày;Khu;Sản phẩm;Hữu cơ;Lượng;Đơn vị;"
				    "Cách bón;Lần tưới số;Người làm;Ghi lúc;Sửa cho số;Được sửa bởi số;"
				    "Bỏ vì ghi nhầm;Không hữu cơ trên khu hữu cơ: lý do quản lý cho phép\r\n"));
	assert_non_null(strstr(csv, "PT01;2;20/05/2026;Mít ruột đỏ;NPK 20-20-15 Đầu Trâu;không;"
				    "2,50;kg;châm phân (venturi);;Anh Tư;20/05/2026 12:20;;8;không;\r\n"));
	assert_non_null(strstr(csv, "PT01;8;20/05/2026;Mít ruột đỏ;NPK 20-20-15 Đầu Trâu;không;"
				    "3,00;kg;châm phân (venturi);;Anh Tư;20/05/2026 13:20;2;;không;\r\n"));
	assert_non_null(strstr(csv, "PT01;1;15/12/2025;Mít ruột đỏ;Phân hữu cơ vi sinh Sông Gianh;"
				    "có;50,00;kg;bằng tay;;"));
	free(csv);

	csv = slurp(path_in(path, "thu-hoach.csv"), NULL);
	assert_non_null(strstr(csv, "PT01;7;01/06/2026;Mít ruột đỏ;Mít;PT01-260601-01;120,5;A;"
				    "\"Cty \"\"Xanh\"\"\";Anh Tư;01/06/2026 09:13;;;không;;\r\n"));
	free(csv);

	csv = slurp(path_in(path, "bao-dong-va-su-kien.csv"), NULL);
	/* A version number is text, marked so that no spreadsheet reads it
	 * as a number or a date (csv_misread()). */
	assert_non_null(strstr(csv, "PT01;1;01/06/2026 05:00;trạm khởi động;;\xE2\x80\x8B" "0.1.0;không;\r\n"));
	assert_non_null(strstr(csv, "PT01;2;01/06/2026 05:11;mất kết nối cảm biến;soil3;;có;\r\n"));
	free(csv);

	/* Soil moisture only, per local day: 24 readings a day. */
	/* Calibrations, with their date and the two counts. */
	csv = slurp(path_in(path, "hieu-chuan-dau-do.csv"), NULL);
	assert_non_null(strstr(csv, "Trạm;Số;Ngày hiệu chuẩn;Khu;Cảm biến;"
				    "Số đo khô, ngoài không khí (0 %);Số đo trong nước (100 %)\r\n"
				    "PT01;1;01/06/2026 05:05;Vú sữa Hoàng Kim;soil3;560;290\r\n"));
	free(csv);

	csv = slurp(path_in(path, "do-am-dat-hang-ngay.csv"), NULL);
	assert_non_null(strstr(csv, "Trạm;Ngày;Khu;Cảm biến;Thấp nhất (%);Trung bình (%);"
				    "Cao nhất (%);Số lần đo\r\n"
				    "PT01;01/06/2026;Mít ruột đỏ;soil1;30,0;41,5;53,0;24\r\n"
				    "PT01;01/06/2026;Vú sữa Hoàng Kim;soil3;40,0;40,0;40,0;24\r\n"
				    "PT01;02/06/2026;Mít ruột đỏ;soil1;30,0;41,5;53,0;24\r\n"));
	assert_null(strstr(csv, "29,5"));
	free(csv);
}

static void manifest_matches_and_the_station_is_untouched(void **state)
{
	char path[512], why[256], before[SHA256_HEX], *text;
	struct manifest m;
	struct store *copy;
	size_t len;
	char uid[40], code[16], name[96], copy_uid[40];

	(void)state;
	strcpy(before, sha_of_file(db));
	run_ok(&(struct export_opts){ .db_path = db, .dest = stick, .sep = ';', .dec = ',',
				      .now = NOW }, path, sizeof(path));
	assert_string_equal(sha_of_file(db), before);

	text = slurp(path_in(path, "manifest.txt"), &len);
	assert_int_equal(manifest_parse(&m, text, len, why, sizeof(why)), 0);
	free(text);
	assert_string_equal(m.code, "PT01");
	assert_string_equal(m.name, "HTX Phước Thiện - trạm 1");
	assert_int_equal(m.schema, store_schema_latest());
	assert_int_equal(m.made, NOW);
	assert_int_equal(m.from, 1765760400);	/* the oldest record */
	assert_int_equal(m.n_files, 11);
	for (int i = 0; i < m.n_files; i++) {
		char hex[SHA256_HEX];
		struct stat st;

		assert_int_equal(stat(path_in(path, m.files[i].name), &st), 0);
		assert_int_equal(st.st_size, m.files[i].bytes);
		assert_string_equal(sha_of_file(path_in(path, m.files[i].name)),
				    sha256_hex(m.files[i].sha, hex));
	}
	assert_int_equal(manifest_find(&m, "nhat-ky-tuoi.csv")->rows, 2);
	assert_int_equal(manifest_find(&m, "bon-phan.csv")->rows, 5);
	assert_int_equal(manifest_find(&m, "do-am-dat-hang-ngay.csv")->rows, 4);
	assert_int_equal(manifest_find(&m, "sao-luu.db")->rows, -1);

	/* The copy is a whole station database of the same station. */
	assert_int_equal(store_open(path_in(path, "sao-luu.db"), STORE_RDONLY, &copy, why,
				    sizeof(why)), 0);
	assert_int_equal(store_check(copy, STORE_CHECK_ALL, why, sizeof(why)), 0);
	assert_int_equal(store_station_identity(copy, copy_uid, sizeof(copy_uid), code,
						sizeof(code), name, sizeof(name)), 0);
	store_close(copy);
	assert_string_equal(copy_uid, m.uid);
	assert_int_equal(store_open(db, STORE_RDONLY, &copy, why, sizeof(why)), 0);
	store_station_identity(copy, uid, sizeof(uid), code, sizeof(code), name, sizeof(name));
	store_close(copy);
	assert_string_equal(uid, m.uid);
	manifest_free(&m);
}

/* Writes through SQLite's own file layer, watched for a secret: how
 * many buffers that held it reached a file while the spy was on. */
static const char *spy_secret;
static int spy_hits;
static sqlite3_syscall_ptr real_pwrite64, real_pwrite, real_write;

static void spy_look(const void *buf, size_t n)
{
	if (spy_secret && memmem(buf, n, spy_secret, strlen(spy_secret)))
		spy_hits++;
}

static ssize_t spy_pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	spy_look(buf, n);
	return ((ssize_t(*)(int, const void *, size_t, off_t))real_pwrite64)(fd, buf, n, off);
}

static ssize_t spy_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	spy_look(buf, n);
	return ((ssize_t(*)(int, const void *, size_t, off_t))real_pwrite)(fd, buf, n, off);
}

static ssize_t spy_write(int fd, const void *buf, size_t n)
{
	spy_look(buf, n);
	return ((ssize_t(*)(int, const void *, size_t))real_write)(fd, buf, n);
}

static void spy_on(const char *secret)
{
	sqlite3_vfs *unix_vfs = sqlite3_vfs_find("unix");

	spy_secret = secret;
	spy_hits = 0;
	real_pwrite64 = unix_vfs->xGetSystemCall(unix_vfs, "pwrite64");
	real_pwrite = unix_vfs->xGetSystemCall(unix_vfs, "pwrite");
	real_write = unix_vfs->xGetSystemCall(unix_vfs, "write");
	if (real_pwrite64)
		unix_vfs->xSetSystemCall(unix_vfs, "pwrite64", (sqlite3_syscall_ptr)spy_pwrite64);
	if (real_pwrite)
		unix_vfs->xSetSystemCall(unix_vfs, "pwrite", (sqlite3_syscall_ptr)spy_pwrite);
	if (real_write)
		unix_vfs->xSetSystemCall(unix_vfs, "write", (sqlite3_syscall_ptr)spy_write);
}

static void spy_off(void)
{
	sqlite3_vfs *unix_vfs = sqlite3_vfs_find("unix");

	/* NULL puts back the system's own. */
	unix_vfs->xSetSystemCall(unix_vfs, NULL, NULL);
	spy_secret = NULL;
}

/* Does the file hold these bytes anywhere (a deleted row's too)? */
static bool file_holds(const char *path, const char *bytes)
{
	size_t n;
	char *buf = slurp(path, &n);
	bool found = memmem(buf, n, bytes, strlen(bytes)) != NULL;

	free(buf);
	return found;
}

/* The manager PIN's hash stays home: the stick's copy has neither its rows
 * nor its bytes, and no write of the export ever carried them, not even
 * for a moment. The station keeps its PIN; what it makes is its own. */
static void no_secret_goes_on_the_stick(void **state)
{
	struct export_opts o = opts();
	char path[512], why[256], hash[256];
	struct store *s;
	struct stat st;

	(void)state;
	assert_int_equal(store_open(db, 0, &s, why, sizeof(why)), 0);
	assert_int_equal(pin_set(s, "2468", why, sizeof(why)), PIN_OK);
	assert_int_equal(store_meta_get(s, "manager_pin", hash, sizeof(hash)), 0);
	store_close(s);
	assert_true(strncmp(hash, "$y$", 3) == 0);

	spy_on(hash);
	run_ok(&o, path, sizeof(path));
	spy_off();
	assert_int_equal(spy_hits, 0);
	assert_int_equal(sql_int(path_in(path, "sao-luu.db"),
				 "SELECT count(*) FROM meta WHERE key LIKE 'manager_pin%'"), 0);
	assert_false(file_holds(path_in(path, "sao-luu.db"), hash));
	assert_false(file_holds(path_in(path, "sao-luu.db"), "$y$"));
	/* The rest of the station's facts are there, and the copy is whole. */
	assert_int_equal(sql_int(path_in(path, "sao-luu.db"),
				 "SELECT count(*) FROM meta WHERE key = 'station_uid'"), 1);
	assert_int_equal(sql_int(path_in(path, "sao-luu.db"),
				 "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
	assert_int_equal(sql_int(path_in(path, "sao-luu.db"), "SELECT count(*) FROM pump_runs"), 2);
	/* Only the export's files went: nothing beside the database. */
	assert_string_equal(listing(path), "bao-dong-va-su-kien.csv bon-phan.csv cham-qua-ong.csv "
					   "do-am-dat-hang-ngay.csv hieu-chuan-dau-do.csv manifest.txt "
					   "nhat-ky-tuoi.csv phun-thuoc.csv sao-luu.db so-be.csv so-ghi-chep.xlsx "
					   "thu-hoach.csv");
	/* The station still has it. */
	assert_int_equal(store_open(db, STORE_RDONLY, &s, why, sizeof(why)), 0);
	assert_true(pin_is_set(s));
	store_close(s);
	/* Where modes exist, the export's folder and files are the station's. */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(stat(path_in(path, "sao-luu.db"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(stat(path_in(path, "manifest.txt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);

	/* The spy sees a write that holds it: a local backup keeps the PIN. */
	spy_on(hash);
	assert_int_equal(store_open(db, 0, &s, why, sizeof(why)), 0);
	assert_int_equal(backup_now(s, db, NOW, 2, NULL, 0, why, sizeof(why)), 0);
	store_close(s);
	spy_off();
	assert_true(spy_hits > 0);
}

/* The records module's sheet, one per lot, with its season. */
static void a_sheet_per_lot(void **state)
{
	struct export_opts o = opts();
	struct config *cfg;
	char path[512], err[512], *csv;

	(void)state;
	assert_int_equal(config_load("config/demo.ini", &cfg, err, sizeof(err)), 0);
	o.cfg = cfg;
	run_ok(&o, path, sizeof(path));
	config_free(cfg);
	csv = slurp(path_in(path, "truy-xuat-PT01-260601-01.csv"), NULL);
	assert_memory_equal(csv, "\xEF\xBB\xBF", 3);
	assert_non_null(strstr(csv, "PT01-260601-01"));
	assert_non_null(strstr(csv, "Cty \"\"Xanh\"\""));
	/* The zone's season of 120 days: May, not December, not the other
	 * zone, not after the harvest. */
	assert_non_null(strstr(csv, "Radiant 60SC"));
	assert_null(strstr(csv, "Sông Gianh"));
	assert_null(strstr(csv, "Kali"));
	free(csv);
	csv = slurp(path_in(path, "truy-xuat-PT01-260401-01.csv"), NULL);
	assert_non_null(strstr(csv, "Sông Gianh"));
	free(csv);
	/* Without the configuration, as at the office: no sheets. */
	run_ok(&(struct export_opts){ .db_path = db, .dest = stick, .sep = ';', .dec = ',',
				      .now = NOW }, path, sizeof(path));
	assert_null(strstr(listing(path), "truy-xuat"));
}

/* What watering saved, beside the diaries: the figures of the diary's
 * screen 9 for this month and the one before, this season and the one
 * before. June: one run of 30 minutes, 0,75 kWh off-peak, 975 đ paid,
 * 2 730 đ at peak, 1 234,5 l by its meter. May: a schedule's run of 20
 * minutes that no meter measured. An office, which has no configuration,
 * writes none: the figures are made from the diary it has whole. */
static void what_watering_saved_beside_the_diaries(void **state)
{
	struct export_opts o = opts();
	struct config *cfg;
	char path[512], err[512], *csv;

	(void)state;
	assert_int_equal(config_load("config/demo.ini", &cfg, err, sizeof(err)), 0);
	o.cfg = cfg;
	run_ok(&o, path, sizeof(path));
	config_free(cfg);
	csv = slurp(path_in(path, "tiet-kiem.csv"), NULL);
	assert_non_null(strstr(csv, "\xEF\xBB\xBFKỳ;Khu;Mục;Số;Đơn vị;So với;Căn cứ;Thay đổi %;Ghi chú\r\n"
				    "Tháng 06/2026;;Số lần;1;;;;;\r\n"
				    "Tháng 06/2026;;Tự chạy (không ai phải mở);0;;;;;\r\n"
				    "Tháng 06/2026;;Giờ bơm;0,50;giờ;;;;\r\n"
				    "Tháng 06/2026;;Nước;1,2;m³;;;;\r\n"
				    "Tháng 06/2026;;Điện;0,75;kWh;;;;\r\n"
				    "Tháng 06/2026;;Tiền điện;975;VND;;;;\r\n"));
	assert_non_null(strstr(csv, "Tháng 06/2026;;Nếu giờ cao điểm;2730;VND;;;;\r\n"
				    "Tháng 06/2026;;Tiết kiệm nhờ chọn giờ;1755;VND;;;;\r\n"
				    "Tháng 06/2026;Mít ruột đỏ;nước;1,2;m³;;;;\r\n"
				    "Tháng 06/2026;Vú sữa Hoàng Kim;nước;0,0;m³;;;;\r\n"));
	/* May's run had no meter: said, not guessed. */
	assert_non_null(strstr(csv, "Tháng 05/2026;;Tự chạy (không ai phải mở);1;;;;;\r\n"));
	assert_non_null(strstr(csv, "Tháng 05/2026;;Nước;;;;;;không đo\r\n"));
	assert_non_null(strstr(csv, "Tháng 05/2026;Mít ruột đỏ;nước;;;;;;không đo\r\n"));
	/* The rainy season has both runs, one of them measured. */
	assert_non_null(strstr(csv, "Mùa mưa 05/2026–10/2026;;Số lần;2;;;;;\r\n"));
	assert_non_null(strstr(csv, "Mùa mưa 05/2026–10/2026;;Nước;1,2;m³;;;;không đo: 1 lần\r\n"));
	assert_non_null(strstr(csv, "Mùa khô 11/2025–04/2026;;Số lần;0;;;;;\r\n"));
	free(csv);
	run_ok(&(struct export_opts){ .db_path = db, .dest = stick, .sep = ';', .dec = ',',
				      .now = NOW }, path, sizeof(path));
	assert_null(strstr(listing(path), "tiet-kiem"));
}

static void separator_and_decimal_mark_from_the_config(void **state)
{
	struct export_opts o = opts();
	char path[512], *csv;

	(void)state;
	o.sep = ',';
	o.dec = '.';
	run_ok(&o, path, sizeof(path));
	csv = slurp(path_in(path, "nhat-ky-tuoi.csv"), NULL);
	assert_non_null(strstr(csv, "PT01,1,Bơm 1,Mít ruột đỏ,bằng tay,,01/06/2026 05:10,"
				    "01/06/2026 05:40,30.0,chạy đủ giờ,37.6,44.8,,1.50,0.750,0.000,0.000,"
				    "975,0,0,975,2730,1234.5,,,,\r\n"));
	free(csv);
	csv = slurp(path_in(path, "phun-thuoc.csv"), NULL);
	assert_non_null(strstr(csv, ",sâu đục trái; rầy,100.00,"));
	free(csv);
}

static void a_second_export_the_same_day_keeps_the_first(void **state)
{
	struct export_opts o = opts();
	char first[512], second[512], had[4096], want[4200], *at;

	(void)state;
	run_ok(&o, first, sizeof(first));
	run_ok(&o, second, sizeof(second));
	assert_string_equal(second, path_in(stick, "PT01_2026-06-10_2"));
	assert_string_equal(listing(stick), "PT01_2026-06-10 PT01_2026-06-10_2");
	/* The same files, but for the copy: what changed since the first's
	 * (listing() keeps one answer at a time). */
	snprintf(had, sizeof(had), "%s", listing(first));
	at = strstr(had, " sao-luu.db ");
	assert_non_null(at);
	*at = '\0';
	snprintf(want, sizeof(want), "%s sao-luu.delta %s", had, at + strlen(" sao-luu.db "));
	assert_string_equal(listing(second), want);
}

/* Two copies of one database: the same pages, but for the header's
 * counters, which a copy made over an earlier one carries on from it (the
 * change counter at 24, the schema cookie at 40, the version at 92). */
static void same_database(const char *a, const char *b)
{
	size_t na, nb;
	char *x = slurp(a, &na), *y = slurp(b, &nb);

	assert_int_equal(na, nb);
	assert_true(na >= 4096);
	for (char *p = x; p; p = p == x ? y : NULL) {
		memset(p + 24, 0, 4);
		memset(p + 40, 0, 4);
		memset(p + 92, 0, 8);
	}
	assert_memory_equal(x, y, na);
	free(x);
	free(y);
}

/* The whole copy from the delta folder and the one it builds on, as the
 * office rebuilds it; its checksum must be the manifest's. */
static void rebuild(const char *base_folder, const char *folder, const struct manifest *m,
		    const char *out)
{
	uint8_t base_sha[SHA256_BYTES], whole_sha[SHA256_BYTES];
	struct store_delta_walk *w;
	struct stat st;
	char why[256];
	int base = open(path_in(base_folder, m->base_file), O_RDONLY);
	int delta = open(path_in(folder, m->backup), O_RDONLY);
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0600), rc;

	assert_true(base >= 0 && delta >= 0 && fd >= 0);
	assert_int_equal(fstat(delta, &st), 0);
	if (store_delta_walk_open(delta, st.st_size, base, m->base_bytes, m->whole_bytes, m->backup,
				  &w, why, sizeof(why)) < 0)
		fail_msg("%s", why);
	while ((rc = store_delta_walk_step(w, 7, fd, base_sha, whole_sha)) == 1)
		;
	assert_int_equal(rc, 0);
	assert_memory_equal(base_sha, m->base_sha, SHA256_BYTES);
	assert_memory_equal(whole_sha, m->whole_sha, SHA256_BYTES);
	store_delta_walk_free(w);
	close(fd);
	close(delta);
	close(base);
}

static void read_manifest_of(const char *folder, struct manifest *m)
{
	char why[256], *text;
	size_t len;

	text = slurp(path_in(folder, "manifest.txt"), &len);
	if (manifest_parse(m, text, len, why, sizeof(why)) < 0)
		fail_msg("%s", why);
	free(text);
}

/* A stick that holds this station's earlier export gets what changed
 * since: the pages of the database that differ from that export's whole
 * copy, which, with it, make the database a whole copy made now holds.
 * The PIN's hash stays home in this copy too. */
static void a_second_export_writes_what_changed(void **state)
{
	struct export_opts o = opts(), apart;
	char first[512], second[512], fresh[512], other[300], rebuilt[300], why[256], hash[256];
	struct manifest m;
	struct store *s;
	struct stat st, dst;

	(void)state;
	run_ok(&o, first, sizeof(first));
	/* A day at the station: an alarm, and the manager's PIN set. */
	exec_sql(db, "INSERT INTO events(t, kind, source, detail, alarm) VALUES (1781100000,"
		     " 'dry', 'soil1', 'Khu Mít ruột đỏ khô: độ ẩm 18 %', 1)");
	assert_int_equal(store_open(db, 0, &s, why, sizeof(why)), 0);
	assert_int_equal(pin_set(s, "2468", why, sizeof(why)), PIN_OK);
	assert_int_equal(store_meta_get(s, "manager_pin", hash, sizeof(hash)), 0);
	store_close(s);
	o.now += 86400;
	run_ok(&o, second, sizeof(second));
	assert_string_equal(second, path_in(stick, "PT01_2026-06-11"));
	read_manifest_of(second, &m);
	assert_int_equal(m.format, 3);
	assert_true(m.has_base);
	assert_string_equal(m.backup, "sao-luu.delta");
	assert_null(manifest_find(&m, "sao-luu.db"));
	assert_string_equal(m.base_folder, "PT01_2026-06-10");
	assert_string_equal(m.base_file, "sao-luu.db");
	assert_int_equal(stat(path_in(first, "sao-luu.db"), &st), 0);
	assert_int_equal(m.base_bytes, st.st_size);
	assert_int_equal(stat(path_in(second, "sao-luu.delta"), &dst), 0);
	assert_int_equal(manifest_find(&m, "sao-luu.delta")->bytes, dst.st_size);
	/* A few pages, not the database again. */
	assert_true(dst.st_size < m.whole_bytes / 4);
	assert_false(file_holds(path_in(second, "sao-luu.delta"), hash));

	snprintf(rebuilt, sizeof(rebuilt), "%s/rebuilt.db", dir);
	rebuild(first, second, &m, rebuilt);
	assert_int_equal(sql_int(rebuilt, "SELECT count(*) FROM pragma_integrity_check"
					  " WHERE integrity_check = 'ok'"), 1);
	assert_int_equal(sql_int(rebuilt, "SELECT count(*) FROM events WHERE kind = 'dry'"), 1);
	assert_int_equal(sql_int(rebuilt, "SELECT count(*) FROM meta WHERE key LIKE 'manager_pin%'"),
			 0);
	assert_false(file_holds(rebuilt, hash));
	/* The same database as a whole copy made now, on a stick of its own. */
	snprintf(other, sizeof(other), "%s/other", dir);
	assert_int_equal(mkdir(other, 0755), 0);
	apart = o;
	apart.dest = other;
	run_ok(&apart, fresh, sizeof(fresh));
	assert_non_null(strstr(listing(fresh), " sao-luu.db "));
	same_database(rebuilt, path_in(fresh, "sao-luu.db"));
	manifest_free(&m);
}

/* The whole copy an export builds on, changed on the stick since (a byte
 * in it, the size the same): it is found out, and the copy is whole again. */
static void a_changed_base_gives_a_whole_copy(void **state)
{
	struct export_opts o = opts();
	char first[512], second[512];
	struct manifest m;
	FILE *f;

	(void)state;
	run_ok(&o, first, sizeof(first));
	/* Unchanged, it is built on. */
	o.now += 3600;
	run_ok(&o, second, sizeof(second));
	read_manifest_of(second, &m);
	assert_true(m.has_base);
	assert_string_equal(m.base_folder, "PT01_2026-06-10");
	manifest_free(&m);
	f = fopen(path_in(first, "sao-luu.db"), "r+b");
	assert_non_null(f);
	fseek(f, 3 * 4096 + 100, SEEK_SET);
	fputc(0x5a ^ fgetc(f), f);
	fclose(f);
	o.now += 86400;
	run_ok(&o, second, sizeof(second));
	read_manifest_of(second, &m);
	assert_false(m.has_base);
	assert_int_equal(m.format, 2);
	assert_non_null(strstr(listing(second), " sao-luu.db "));
	assert_null(strstr(listing(second), "delta"));
	manifest_free(&m);
}

/* A delta that has grown past a quarter of the database makes the next
 * copy whole, and the one after builds on that: never a chain, never a
 * delta as large as a copy. */
static void a_grown_delta_makes_the_next_copy_whole(void **state)
{
	struct export_opts o = opts();
	char path[512];
	struct manifest m;

	(void)state;
	run_ok(&o, path, sizeof(path));
	/* Months of alarms: more pages than the database had. */
	exec_sql(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
		     " INSERT INTO events(t, kind, source, detail) SELECT 1781100000 + i, 'note', 'p1',"
		     " printf('%0200d', i) FROM n");
	o.now += 86400;
	run_ok(&o, path, sizeof(path));
	read_manifest_of(path, &m);
	assert_true(m.has_base);
	assert_true(manifest_find(&m, "sao-luu.delta")->bytes > m.whole_bytes / 4);
	manifest_free(&m);
	o.now += 86400;
	run_ok(&o, path, sizeof(path));
	read_manifest_of(path, &m);
	assert_false(m.has_base);
	manifest_free(&m);
	o.now += 86400;
	run_ok(&o, path, sizeof(path));
	read_manifest_of(path, &m);
	assert_true(m.has_base);
	assert_string_equal(m.base_folder, "PT01_2026-06-12");
	manifest_free(&m);
}

/* An export cut short as kill -9 or a power cut would cut it: the
 * process ends in the middle, and nothing of it is cleaned up. */
static void export_cut_short(const struct export_opts *o, int steps)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct export *e;
		char err[512];

		if (export_begin(o, &e, err, sizeof(err)) < 0)
			_exit(1);
		for (int i = 0; i < steps && export_step(e, 0) == EXPORT_MORE; i++)
			;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static const char *station_uid(void)
{
	static char uid[40];
	char code[16], name[128], why[256];
	struct store *s;

	assert_int_equal(store_open(db, STORE_RDONLY, &s, why, sizeof(why)), 0);
	assert_int_equal(store_station_identity(s, uid, sizeof(uid), code, sizeof(code), name,
						sizeof(name)), 0);
	store_close(s);
	return uid;
}

/* The mark an export of this station writes first into its folder. */
static void forge_mark(const char *folder, const char *uid)
{
	char text[256];
	const char *base = strrchr(folder, '/') + 1;

	snprintf(text, sizeof(text), "fieldstation export, unfinished\nuid: %s\nfolder: %s\n",
		 uid, base);
	test_write(folder, ".fieldstation-export", text);
}

static void an_unfinished_folder_is_cleared_and_nothing_else(void **state)
{
	struct export_opts o = opts();
	char path[512], err[768];
	const char *old = path_in(stick, "PT01_2026-06-09_CHUA-XONG");

	(void)state;
	/* Cut short yesterday in the middle of the diaries. */
	o.now = NOW - 86400;
	export_cut_short(&o, 3);
	assert_string_equal(listing(stick), "PT01_2026-06-09_CHUA-XONG");
	assert_true(strlen(listing(old)) > 0);
	assert_int_equal(mkdir(path_in(stick, "Ảnh gia đình"), 0755), 0);
	test_write(stick, "PT02_2026-06-09_CHUA-XONG", "another station's: left alone");
	o.now = NOW;
	assert_int_equal(export_run(&o, NULL, NULL, path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(listing(stick),
			    "PT01_2026-06-10 PT02_2026-06-09_CHUA-XONG Ảnh gia đình");
	/* A finished folder keeps no mark. */
	assert_int_equal(access(path_in(path, ".fieldstation-export"), F_OK), -1);

	/* Cut short just after its folder was made: empty, it goes too. */
	assert_int_equal(mkdir(path_in(stick, "PT01_2026-06-08_CHUA-XONG"), 0755), 0);
	run_ok(&o, path, sizeof(path));
	assert_string_equal(listing(stick), "PT01_2026-06-10 PT01_2026-06-10_2 "
					    "PT02_2026-06-09_CHUA-XONG Ảnh gia đình");
}

/* A stick made to look as if this station had left unfinished folders on
 * it, pointing at the station's own database and backups: the export
 * writes its folder, and reaches nothing outside the stick. */
static void a_stick_cannot_reach_the_station_through_links(void **state)
{
	struct export_opts o = opts();
	char path[512], err[768], before[SHA256_HEX], backup_before[SHA256_HEX], backups[512];
	char folder[300];

	(void)state;
	snprintf(backups, sizeof(backups), "%s", path_in(dir, "backups"));
	assert_int_equal(mkdir(backups, 0750), 0);
	{
		char cmd[1024];

		snprintf(cmd, sizeof(cmd), "cp '%s' '%s/station-2026-06-09-0530.db'", db, backups);
		assert_int_equal(system(cmd), 0);
	}
	test_write(dir, "notes.csv", "the technician's");
	strcpy(before, sha_of_file(db));
	strcpy(backup_before, sha_of_file(path_in(backups, "station-2026-06-09-0530.db")));
	assert_int_equal(symlink(dir, path_in(stick, "PT01_a_CHUA-XONG")), 0);
	assert_int_equal(symlink(backups, path_in(stick, "PT01_b_CHUA-XONG")), 0);
	/* A real folder carrying this station's mark (its uid is in every
	 * manifest), holding links named as an export's files. */
	snprintf(folder, sizeof(folder), "%s/PT01_c_CHUA-XONG", stick);
	assert_int_equal(mkdir(folder, 0755), 0);
	forge_mark(folder, station_uid());
	assert_int_equal(symlink(db, path_in(folder, "nhat-ky-tuoi.csv")), 0);
	assert_int_equal(symlink(path_in(backups, "station-2026-06-09-0530.db"),
				 path_in(folder, "sao-luu.db.tmp")), 0);
	test_write(folder, "bon-phan.csv", "half");
	/* Marked, but a FIFO and a folder inside are not an export's. */
	snprintf(folder, sizeof(folder), "%s/PT01_d_CHUA-XONG", stick);
	assert_int_equal(mkdir(folder, 0755), 0);
	forge_mark(folder, station_uid());
	test_write(folder, "bon-phan.csv", "half");
	assert_int_equal(mkfifo(path_in(folder, "manifest.txt"), 0644), 0);
	/* Another station's mark. */
	snprintf(folder, sizeof(folder), "%s/PT01_e_CHUA-XONG", stick);
	assert_int_equal(mkdir(folder, 0755), 0);
	forge_mark(folder, "0123456789abcdef0123456789abcdef");
	test_write(folder, "bon-phan.csv", "theirs");

	assert_int_equal(export_run(&o, NULL, NULL, path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(path, path_in(stick, "PT01_2026-06-10"));
	assert_string_equal(err, "USB có 5 thư mục chép dở mà trạm không nhận ra là của mình: "
				 "để nguyên.");
	/* The station's database and backups are whole, and the same. */
	assert_string_equal(sha_of_file(db), before);
	assert_string_equal(sha_of_file(path_in(backups, "station-2026-06-09-0530.db")),
			    backup_before);
	assert_int_equal(access(path_in(dir, "notes.csv"), F_OK), 0);
	assert_string_equal(listing(backups), "station-2026-06-09-0530.db");
	assert_int_equal(sql_int(db, "SELECT count(*) FROM pump_runs"), 2);
	/* And the stick's folders are as they were. */
	assert_string_equal(listing(stick), "PT01_2026-06-10 PT01_a_CHUA-XONG PT01_b_CHUA-XONG "
					    "PT01_c_CHUA-XONG PT01_d_CHUA-XONG PT01_e_CHUA-XONG");
	assert_string_equal(listing(path_in(stick, "PT01_c_CHUA-XONG")),
			    "bon-phan.csv nhat-ky-tuoi.csv sao-luu.db.tmp");
	assert_string_equal(listing(path_in(stick, "PT01_d_CHUA-XONG")), "bon-phan.csv manifest.txt");
	assert_string_equal(listing(path_in(stick, "PT01_e_CHUA-XONG")), "bon-phan.csv");

	/* One left is named, when its name is plain. */
	for (const char *n = "abcde"; *n; n++) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s/PT01_%c_CHUA-XONG'", stick, *n);
		if (*n != 'e')
			assert_int_equal(system(cmd), 0);
	}
	run_ok(&o, path, sizeof(path));
	assert_int_equal(export_run(&o, NULL, NULL, path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(err, "USB có thư mục PT01_e_CHUA-XONG mà trạm không nhận ra là của "
				 "mình: để nguyên.");
}

static void progress_goes_forward_then_cancel_leaves_nothing(void **state)
{
	struct export_opts o = opts();
	struct export *e;
	char err[512];
	int last = 0, steps = 0;

	(void)state;
	assert_int_equal(export_begin(&o, &e, err, sizeof(err)), 0);
	/* Written under a name that says it is unfinished. */
	assert_string_equal(listing(stick), "PT01_2026-06-10_CHUA-XONG");
	while (steps < 3 && export_step(e, 0) == EXPORT_MORE) {
		assert_true(export_percent(e) >= last);
		last = export_percent(e);
		steps++;
	}
	assert_true(strlen(export_doing(e)) > 0);
	export_cancel(e);
	assert_int_equal(export_failure(e), EXPORT_FAILED_CANCELLED);
	assert_non_null(strstr(export_error(e), "Đã dừng chép"));
	export_free(e);
	assert_string_equal(listing(stick), "");

	/* Stopped while reading back: the folder had its real name, and
	 * goes, since nothing says it is whole. */
	assert_int_equal(export_begin(&o, &e, err, sizeof(err)), 0);
	while (export_step(e, 0) == EXPORT_MORE &&
	       strcmp(listing(stick), "PT01_2026-06-10") != 0)
		;
	assert_string_equal(export_doing(e), "Đọc lại để kiểm tra");
	export_cancel(e);
	export_free(e);
	assert_string_equal(listing(stick), "");

	last = 0;
	assert_int_equal(export_begin(&o, &e, err, sizeof(err)), 0);
	while (export_step(e, 0) == EXPORT_MORE) {
		assert_true(export_percent(e) >= last || last == 0);
		assert_true(export_percent(e) < 100);
		last = export_percent(e);
	}
	assert_int_equal(export_percent(e), 100);
	assert_int_equal(export_file_count(e), 12);
	assert_string_equal(export_folder(e), "PT01_2026-06-10");
	export_free(e);
	assert_string_equal(listing(stick), "PT01_2026-06-10");
}

/* A failing stick: what is read back is not what was written. The folder
 * is named _HONG, never left with a name that looks whole; and where that
 * name is already taken (a bad copy earlier the same day), it goes as an
 * unfinished one does. */
static void a_copy_read_back_wrong_never_looks_whole(void **state)
{
	struct export_opts o = opts();
	struct export *e;
	char err[512], whole[600], csv[700];
	FILE *f;

	(void)state;
	snprintf(whole, sizeof(whole), "%s/PT01_2026-06-10", stick);
	snprintf(csv, sizeof(csv), "%s/nhat-ky-tuoi.csv", whole);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(export_begin(&o, &e, err, sizeof(err)), 0);
		while (access(whole, F_OK) != 0)
			assert_int_equal(export_step(e, 0), EXPORT_MORE);
		f = fopen(csv, "a");
		assert_non_null(f);
		fputs("x", f);
		fclose(f);
		while (export_step(e, 0) == EXPORT_MORE)
			;
		assert_int_equal(export_failure(e), EXPORT_FAILED_CHECK);
		assert_non_null(strstr(export_error(e), "nhat-ky-tuoi.csv"));
		export_free(e);
		assert_string_equal(listing(stick), "PT01_2026-06-10_HONG");
	}
}

/* A file larger than the stick takes: the sentence says what to do and
 * nothing of the export is left. */
static void a_file_too_large_leaves_nothing(void **state)
{
	struct export_opts o = opts();
	struct rlimit old, small = { 65536, 65536 };
	char path[512], err[768];
	int rc;

	(void)state;
	getrlimit(RLIMIT_FSIZE, &old);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	rc = export_run(&o, NULL, NULL, path, sizeof(path), err, sizeof(err));
	setrlimit(RLIMIT_FSIZE, &old);
	assert_int_equal(rc, -1);
	if (!strstr(err, "exFAT"))
		fail_msg("%s", err);
	assert_string_equal(listing(stick), "");
}

static void refusals_say_why_and_write_nothing(void **state)
{
	struct export_opts o = opts();
	struct export *e;
	char err[768];

	(void)state;
	o.dest = "/nonexistent/stick";
	assert_int_equal(export_begin(&o, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "Không có thư mục /nonexistent/stick.");
	o = opts();
	o.db_path = path_in(dir, "nothing-here.db");
	assert_int_equal(export_begin(&o, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nothing-here.db"));
	/* A database from before the station's identity was kept. */
	exec_sql(db, "PRAGMA user_version = 1");
	o = opts();
	assert_int_equal(export_begin(&o, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "kiểu cũ"));
	assert_string_equal(listing(stick), "");
}

/* The station writes while a long export runs: the export shows one
 * moment, the station loses nothing. */
static void one_moment_while_the_station_writes(void **state)
{
	struct export_opts o = opts();
	struct export *e;
	struct store *s;
	struct run_row r = { .reason = RUN_MANUAL, .started = NOW, .planned_end = NOW + 600 };
	char err[512], *csv;

	(void)state;
	assert_int_equal(export_begin(&o, &e, err, sizeof(err)), 0);
	assert_int_equal(export_step(e, 0), EXPORT_MORE);
	assert_int_equal(store_open(db, STORE_EXCLUSIVE, &s, err, sizeof(err)), 0);
	snprintf(r.pump, sizeof(r.pump), "p2");
	assert_int_equal(store_run_begin(s, &r), 0);
	assert_int_equal(store_event(s, NOW, "start", NULL, NULL, false), 0);
	while (export_step(e, 5) == EXPORT_MORE)
		;
	assert_int_equal(export_percent(e), 100);
	export_free(e);
	store_close(s);
	csv = slurp(path_in(stick, "PT01_2026-06-10/nhat-ky-tuoi.csv"), NULL);
	assert_null(strstr(csv, "Bơm 2"));
	free(csv);
	exec_sql(db, "SELECT 1");
	assert_int_equal(store_open(db, STORE_RDONLY, &s, err, sizeof(err)), 0);
	struct run_row open[2];
	assert_int_equal(store_runs_open(s, open, 2), 1);
	store_close(s);
}

/* A database of many backup steps: the copy holds every row. */
static void the_copy_holds_every_reading(void **state)
{
	char path[512], err[512];
	struct store *copy;
	int64_t bytes;

	(void)state;
	exec_sql(db, "WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 199999)"
		     " INSERT INTO readings_hourly(sensor, quantity, t, n, min, mean, max)"
		     " SELECT 1, 0, 1600000000 + n * 3600, 60, n % 50, n % 50, n % 50 FROM i");
	assert_int_equal(store_open(db, STORE_RDONLY, &copy, err, sizeof(err)), 0);
	assert_int_equal(store_size(copy, &bytes), 0);
	store_close(copy);
	if (bytes <= 2 * 256 * 4096)
		fail_msg("only %lld bytes", (long long)bytes);
	run_ok(&(struct export_opts){ .db_path = db, .dest = stick, .sep = ';', .dec = ',',
				      .now = NOW }, path, sizeof(path));
	assert_int_equal(store_open(path_in(path, "sao-luu.db"), STORE_RDONLY, &copy, err,
				    sizeof(err)), 0);
	assert_int_equal(store_check(copy, STORE_CHECK_ALL, err, sizeof(err)), 0);
	store_close(copy);
	assert_int_equal(sql_int(path_in(path, "sao-luu.db"), "SELECT count(*) FROM readings_hourly"),
			 sql_int(db, "SELECT count(*) FROM readings_hourly"));
	assert_int_equal(sql_int(db, "SELECT count(*) FROM readings_hourly"), 200000 + 3 * 48);
	assert_int_equal(sql_int(path_in(path, "sao-luu.db"), "SELECT count(*) FROM readings_packed"),
			 sql_int(db, "SELECT count(*) FROM readings_packed"));
}

/* The manifest is signed with the station's key, made beside the
 * database on first use and the same ever after; a damaged key copies
 * nothing and is not replaced. An office's export is not signed. */
static void signed_with_the_stations_key(void **state)
{
	char path[512], why[512], err[768], *text, key_path[300];
	struct manifest m;
	struct signkey k;
	struct stat st;
	struct export *e;
	size_t len;

	(void)state;
	snprintf(key_path, sizeof(key_path), "%s", path_in(dir, "station.key"));
	assert_string_equal(db, path_in(dir, "station.db"));
	run_ok(&(struct export_opts){ .db_path = db, .dest = stick, .sep = ';', .dec = ',',
				      .now = NOW }, path, sizeof(path));
	assert_int_equal(stat(key_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(signkey_load(key_path, &k, why, sizeof(why)), 0);
	text = slurp(path_in(path, "manifest.txt"), &len);
	assert_int_equal(manifest_parse(&m, text, len, why, sizeof(why)), 0);
	/* A whole copy: the format an older office reads too. */
	assert_int_equal(m.format, 2);
	assert_false(m.has_base);
	assert_true(m.has_key);
	assert_memory_equal(m.key, k.public_key, SIGN_PUBLIC_BYTES);
	assert_int_equal(manifest_verify(&m, text, why, sizeof(why)), 0);
	assert_string_equal(m.key_board, k.board);
	manifest_free(&m);
	free(text);
	/* The copy on the stick carries no secret. */
	text = slurp(path_in(path, "sao-luu.db"), &len);
	for (size_t i = 0; i + 32 <= len; i++)
		assert_memory_not_equal(text + i, k.secret, 32);
	free(text);
	signkey_wipe(&k);

	/* A damaged key: one sentence, nothing on the stick, the file kept. */
	text_set_language("en");
	test_rmdir(strdup(stick));
	mkdir(stick, 0755);
	test_write(dir, "station.key", "garbage");
	chmod(key_path, 0600);
	assert_int_equal(export_begin(&(struct export_opts){ .db_path = db, .dest = stick, .sep = ';',
							      .dec = ',', .now = NOW }, &e, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "Nothing was copied: The signing key"));
	assert_non_null(strstr(err, "is damaged"));
	text_set_language("vi");
	assert_string_equal(listing(stick), "");
	text = slurp(key_path, &len);
	assert_string_equal(text, "garbage");
	free(text);
}

/* A station code from the database (no config given) that is not a plain
 * name cannot lead the folder out of the stick. */
static void a_code_from_the_database_stays_on_the_stick(void **state)
{
	char path[512];

	(void)state;
	exec_sql(db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('station_code', '../escaped')");
	run_ok(&(struct export_opts){ .db_path = db, .dest = stick, .sep = ';', .dec = ',',
				      .now = NOW }, path, sizeof(path));
	assert_string_equal(path, path_in(stick, "TRAM_2026-06-10"));
	assert_int_equal(access(path_in(dir, "escaped_2026-06-10"), F_OK), -1);
	assert_string_equal(listing(stick), "TRAM_2026-06-10");
}

/* An office database exports the stations merged into it. */
static void an_office_export_is_named_for_the_office(void **state)
{
	char path[512], *text;
	size_t len;

	(void)state;
	exec_sql(db, "INSERT INTO meta(key, value) VALUES ('role', 'office')");
	run_ok(&(struct export_opts){ .db_path = db, .dest = stick, .sep = ';', .dec = ',',
				      .now = NOW, .code = "PT01" }, path, sizeof(path));
	assert_string_equal(path, path_in(stick, "TONG-HOP_2026-06-10"));
	text = slurp(path_in(path, "manifest.txt"), &len);
	assert_null(strstr(text, "# signature: "));
	free(text);
	assert_int_equal(access(path_in(dir, "station.key"), F_OK), -1);
}

/* The descriptors this process has open. */
static int open_files(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the listing's own */
}

/* Whether pid has a mapping whose line in its maps holds what. */
static bool maps_hold(pid_t pid, const char *what)
{
	char path[64], line[1024];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, what) != NULL;
	fclose(f);
	return found;
}

/* Whether this process has the workbook's library mapped. */
static bool xlsx_mapped(void)
{
	return maps_hold(getpid(), "/libxlsxwriter.so");
}

/* The workbook: made in a private folder of the station's own disk,
 * never on the stick, copied there like the other files, signed in the
 * manifest; the private folder goes, whatever happens. One that cannot be
 * made leaves the rest of the export whole, and the notice says so. */
static void the_workbook_is_made_aside_and_copied(void **state)
{
	struct export_opts o = opts();
	const struct manifest_file *mf;
	struct manifest m = { 0 };
	struct export *e;
	char path[512], err[768], why[256], *text, *book;
	size_t len;
	bool aside = false;
	int open_before;

	(void)state;
	/* While it is made, it is in a folder of its own under TMPDIR, mode
	 * 0700, and nothing of it is on the stick; once it is copied,
	 * nothing of it stays open. Its library (and OpenSSL's, behind it)
	 * is loaded only while a book is made: a station holds none of it
	 * in memory otherwise. */
	open_before = open_files();
	assert_false(xlsx_mapped());
	assert_int_equal(export_begin(&o, &e, err, sizeof(err)), 0);
	while (export_step(e, 0) == EXPORT_MORE) {
		if (strcmp(export_doing(e), "Sổ tính để mở bằng Excel") == 0 &&
		    strstr(listing(tmp), "fieldstation-xlsx-")) {
			struct stat st;
			char inside[600];

			assert_true(xlsx_mapped());
			snprintf(inside, sizeof(inside), "%s/%s", tmp, listing(tmp));
			assert_int_equal(stat(inside, &st), 0);
			assert_int_equal(st.st_mode & 0777, 0700);
			aside = true;
		}
	}
	assert_true(aside);
	snprintf(path, sizeof(path), "%s", export_path(e));
	export_free(e);
	assert_string_equal(listing(tmp), "");
	assert_int_equal(open_files(), open_before);
	assert_false(xlsx_mapped());
	text = slurp(path_in(path, "manifest.txt"), &len);
	assert_int_equal(manifest_parse(&m, text, len, why, sizeof(why)), 0);
	free(text);
	mf = manifest_find(&m, "so-ghi-chep.xlsx");
	assert_non_null(mf);
	assert_int_equal(mf->rows, -1);
	book = slurp(path_in(path, "so-ghi-chep.xlsx"), &len);
	assert_int_equal((int64_t)len, mf->bytes);
	assert_memory_equal(book, "PK\x03\x04", 4);	/* a zip, as an .xlsx is */
	free(book);
	assert_string_equal(sha_of_file(path_in(path, "so-ghi-chep.xlsx")),
			    sha256_hex(mf->sha, (char[SHA256_HEX]){ 0 }));
	manifest_free(&m);

	/* Stopped while it is made: nothing on the stick, nothing aside, and
	 * nothing of it left open. */
	open_before = open_files();
	assert_int_equal(export_begin(&o, &e, err, sizeof(err)), 0);
	while (export_step(e, 0) == EXPORT_MORE &&
	       strcmp(export_doing(e), "Sổ tính để mở bằng Excel") != 0)
		;
	assert_string_equal(export_doing(e), "Sổ tính để mở bằng Excel");
	assert_true(xlsx_mapped());
	export_cancel(e);
	export_free(e);
	assert_string_equal(listing(tmp), "");
	assert_int_equal(open_files(), open_before);
	assert_false(xlsx_mapped());
	assert_string_equal(listing(stick), "PT01_2026-06-10");

	/* No room for it on the station's disk (TMPDIR is not a folder): the
	 * rest is exported and read back, and the notice says what is missing. */
	assert_true(snprintf(path, sizeof(path), "%s/not-a-folder", dir) < (int)sizeof(path));
	fclose(fopen(path, "w"));
	setenv("TMPDIR", path, 1);
	if (export_run(&o, NULL, NULL, path, sizeof(path), err, sizeof(err)) != 0)
		fail_msg("export: %s", err);
	setenv("TMPDIR", tmp, 1);
	assert_non_null(strstr(err, "Không tạo được sổ tính so-ghi-chep.xlsx ("));
	assert_non_null(strstr(err, "các tệp khác đã chép đủ."));
	assert_null(strstr(listing(path), "xlsx"));
	/* The copy, as what changed since the first export's. */
	assert_non_null(strstr(listing(path), "sao-luu.delta"));
	text = slurp(path_in(path, "manifest.txt"), &len);
	assert_null(strstr(text, "xlsx"));
	free(text);
}

/* The stick fills up while the workbook is copied onto it: the sentence
 * says so, and nothing is left on the stick, nor aside on the station. */
static void a_stick_full_in_the_workbook_leaves_nothing(void **state)
{
	struct export_opts o = opts();
	struct export *e;
	char err[768], part[600];
	int rc, open_before;

	(void)state;
	/* The folder says it is unfinished until everything is read back. */
	snprintf(part, sizeof(part), "%s/PT01_2026-06-10_CHUA-XONG/so-ghi-chep.xlsx.tmp", stick);
	open_before = open_files();
	assert_int_equal(export_begin(&o, &e, err, sizeof(err)), 0);
	while ((rc = export_step(e, 0)) == EXPORT_MORE && access(part, F_OK) != 0)
		;
	assert_int_equal(rc, EXPORT_MORE);
	/* A few pieces of the workbook more, and the stick is full. */
	stick_room = 1000;
	while ((rc = export_step(e, 0)) == EXPORT_MORE)
		;
	stick_room = -1;
	assert_int_equal(rc, -1);
	assert_int_equal(export_failure(e), EXPORT_FAILED_FULL);
	assert_string_equal(export_error(e),
			    "USB đã đầy. Hãy xóa bớt tệp cũ trên máy tính, hoặc dùng USB lớn hơn.");
	export_free(e);
	assert_string_equal(listing(stick), "");
	assert_string_equal(listing(tmp), "");
	assert_int_equal(open_files(), open_before);
}

/* A child of this process, or 0. */
static pid_t a_child(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = 0;

	assert_non_null(d);
	while (!found && (de = readdir(d))) {
		char path[300], line[512], *close_paren;
		FILE *f;
		int ppid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f) && (close_paren = strrchr(line, ')')) &&
		    sscanf(close_paren + 1, " %*c %d", &ppid) == 1 && ppid == getpid())
			found = atoi(de->d_name);
		fclose(f);
	}
	closedir(d);
	return found;
}

/* Where each of pid's descriptors leads, one per line. Those above this
 * process's limit are a runner's own (valgrind keeps its log there). */
static const char *fds_of(pid_t pid)
{
	static char out[8192];
	char path[64];
	struct dirent *de;
	struct rlimit lim;
	DIR *d;

	out[0] = '\0';
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &lim), 0);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return out;
	while ((de = readdir(d))) {
		char link[600], to[PATH_MAX];
		ssize_t n;
		size_t used = strlen(out);

		if (de->d_name[0] == '.' || strtoull(de->d_name, NULL, 10) >= lim.rlim_cur)
			continue;
		snprintf(link, sizeof(link), "%s/%s", path, de->d_name);
		n = readlink(link, to, sizeof(to) - 1);
		if (n < 0)
			continue;
		to[n] = '\0';
		snprintf(out + used, sizeof(out) - used, "%s\n", to);
	}
	closedir(d);
	return out;
}

/* The first of ours (where this process's descriptors lead) that theirs
 * holds too, other than /dev/null and what is inside folder; NULL when
 * there is none. */
static const char *shared_fd(const char *ours, const char *theirs, const char *folder)
{
	static char found[PATH_MAX + 3];
	const char *line = ours;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t n = (size_t)(end - line) + 1;

		/* A whole line of theirs: at its start, or after a line end. */
		snprintf(found, sizeof(found), "\n%.*s", (int)n, line);
		if (strcmp(found + 1, "/dev/null\n") != 0 &&
		    strncmp(found + 1, folder, strlen(folder)) != 0 &&
		    (strncmp(theirs, found + 1, n) == 0 || strstr(theirs, found)))
			return found + 1;
		line = end + 1;
	}
	return NULL;
}

/* Whether pid has the station's database's wal-index mapped. */
static bool maps_shm(pid_t pid)
{
	return maps_hold(pid, "station.db-shm");
}

/* Closing the book, where the library zips it whole in one long call, is
 * done by a child, so that the loop which ends the pumps' runs is never
 * held by it; the child holds nothing of the station's (no relay line, no
 * database, no stick, no terminal), and stopping the copy stops it. Here
 * the child is held in the middle of its work by a FIFO where the book's
 * file would be: the library opens it to write only, which waits for a
 * reader. */
static void the_workbook_is_closed_beside_the_loop(void **state)
{
	struct export_opts o = opts();
	struct export *e;
	char err[768], fifo[700] = "", aside[600] = "", path[512], ours[8192];
	int open_before, rc;
	pid_t closer = 0;

	(void)state;
	/* Should the child not be stopped, the test ends here, not hangs. */
	alarm(120);
	open_before = open_files();
	assert_int_equal(export_begin(&o, &e, err, sizeof(err)), 0);
	while ((rc = export_step(e, 0)) == EXPORT_MORE && !(closer = a_child())) {
		if (!fifo[0] && strstr(listing(tmp), "fieldstation-xlsx-")) {
			snprintf(aside, sizeof(aside), "%s/%s", tmp, listing(tmp));
			snprintf(fifo, sizeof(fifo), "%s/so-ghi-chep.xlsx", aside);
			assert_int_equal(mkfifo(fifo, 0600), 0);
		}
		assert_int_equal(export_idle_ms(e), 0);
	}
	assert_int_equal(rc, EXPORT_MORE);
	assert_true(fifo[0]);
	assert_true(closer > 0);
	/* Nothing to do while the child works: the caller may leave it. */
	assert_true(export_idle_ms(e) > 0);
	assert_int_equal(export_step(e, 50), EXPORT_MORE);
	assert_string_equal(export_doing(e), "Sổ tính để mở bằng Excel");
	/* Its descriptors: /dev/null for the standard three, and the sheets'
	 * files in the private folder; none of this process's others (the
	 * database, the stick's folder), though it had them at fork(). */
	snprintf(ours, sizeof(ours), "%s", fds_of(getpid()));
	assert_non_null(strstr(ours, "station.db"));
	assert_true(maps_shm(getpid()));
	for (int i = 0; i < 500 && (shared_fd(ours, fds_of(closer), aside) || maps_shm(closer)); i++)
		usleep(10000);
	if (shared_fd(ours, fds_of(closer), aside))
		fail_msg("the closer holds %s", shared_fd(ours, fds_of(closer), aside));
	assert_non_null(strstr(fds_of(closer), "/dev/null\n/dev/null\n/dev/null\n"));
	assert_null(strstr(fds_of(closer), "station.db"));
	assert_null(strstr(fds_of(closer), stick));
	/* Nor the database's wal-index mapped, nor this terminal's keys. */
	assert_false(maps_shm(closer));
	assert_int_equal(getpgid(closer), closer);

	/* Stopped while the child works: the child is gone (killed and
	 * waited for, so no zombie), nothing aside, nothing on the stick,
	 * nothing left open. */
	export_cancel(e);
	export_free(e);
	assert_int_equal(kill(closer, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(a_child(), 0);
	assert_string_equal(listing(tmp), "");
	assert_string_equal(listing(stick), "");
	assert_int_equal(open_files(), open_before);

	/* Unhindered, the same export ends whole, with no child left. */
	run_ok(&o, path, sizeof(path));
	assert_non_null(strstr(listing(path), "so-ghi-chep.xlsx"));
	assert_int_equal(a_child(), 0);
	assert_int_equal(open_files(), open_before);
	alarm(0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, each_setup, each_teardown)
	const struct CMUnitTest tests[] = {
		T(every_diary_as_excel_reads_it),
		T(manifest_matches_and_the_station_is_untouched),
		T(a_sheet_per_lot),
		T(what_watering_saved_beside_the_diaries),
		T(separator_and_decimal_mark_from_the_config),
		T(a_second_export_the_same_day_keeps_the_first),
		T(a_second_export_writes_what_changed),
		T(a_changed_base_gives_a_whole_copy),
		T(a_grown_delta_makes_the_next_copy_whole),
		T(an_unfinished_folder_is_cleared_and_nothing_else),
		T(a_stick_cannot_reach_the_station_through_links),
		T(no_secret_goes_on_the_stick),
		T(progress_goes_forward_then_cancel_leaves_nothing),
		T(a_copy_read_back_wrong_never_looks_whole),
		T(a_file_too_large_leaves_nothing),
		T(refusals_say_why_and_write_nothing),
		T(one_moment_while_the_station_writes),
		T(the_copy_holds_every_reading),
		T(an_office_export_is_named_for_the_office),
		T(a_code_from_the_database_stays_on_the_stick),
		T(signed_with_the_stations_key),
		T(the_workbook_is_made_aside_and_copied),
		T(a_stick_full_in_the_workbook_leaves_nothing),
		T(the_workbook_is_closed_beside_the_loop),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
