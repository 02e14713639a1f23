/* The GPIO relay driver. This machine has no GPIO chip, so the library's
 * chip and request calls are replaced here by a fake chip under /fake/
 * (any other path falls through to the real libgpiod): what the driver
 * asks the kernel for is checked, and every refusal is one sentence.
 * Real kernel lines are proven in the emulated-hardware rig. */
#include "testlib.h"

#include "relay.h"
#include "text.h"

#include <dlfcn.h>
#include <errno.h>
#include <gpiod.h>

#define FAKE_LINES 8

/* What the fake kernel saw. */
static struct {
	bool requested[FAKE_LINES];
	int value[FAKE_LINES];		/* logical: 1 active */
	bool active_low[FAKE_LINES];
	bool output[FAKE_LINES];
	enum gpiod_line_bias bias[FAKE_LINES];
	int first_value[FAKE_LINES];	/* the value the line got with its request */
	char consumer[64];
	int requests_open;
	int chips_open;
	bool fail_set;
} k;

static const char *const line_names[FAKE_LINES] = {
	"RELAY1", "RELAY2", "RELAY3", "RELAY4", "BUSY", NULL, NULL, NULL,
};
#define BUSY_LINE 4

struct gpiod_chip { int fake; };
struct gpiod_chip_info { int fake; };
struct gpiod_line_info { unsigned offset; };
struct gpiod_line_request { unsigned offset; };

static struct gpiod_chip fake_chip;
static struct gpiod_chip_info fake_info;

struct gpiod_chip *gpiod_chip_open(const char *path)
{
	static struct gpiod_chip *(*real)(const char *);

	if (strcmp(path, "/fake/gpiochip0") == 0) {
		k.chips_open++;
		return &fake_chip;
	}
	if (!real)
		real = (struct gpiod_chip *(*)(const char *))dlsym(RTLD_NEXT, "gpiod_chip_open");
	return real(path);
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
	assert_ptr_equal(chip, &fake_chip);
	k.chips_open--;
}

struct gpiod_chip_info *gpiod_chip_get_info(struct gpiod_chip *chip)
{
	assert_ptr_equal(chip, &fake_chip);
	return &fake_info;
}

size_t gpiod_chip_info_get_num_lines(struct gpiod_chip_info *info)
{
	(void)info;
	return FAKE_LINES;
}

const char *gpiod_chip_info_get_label(struct gpiod_chip_info *info)
{
	(void)info;
	return "fake-relays";
}

void gpiod_chip_info_free(struct gpiod_chip_info *info)
{
	(void)info;
}

int gpiod_chip_get_line_offset_from_name(struct gpiod_chip *chip, const char *name)
{
	(void)chip;
	for (int i = 0; i < FAKE_LINES; i++)
		if (line_names[i] && strcmp(line_names[i], name) == 0)
			return i;
	errno = ENOENT;
	return -1;
}

struct gpiod_line_info *gpiod_chip_get_line_info(struct gpiod_chip *chip, unsigned offset)
{
	struct gpiod_line_info *li = malloc(sizeof(*li));

	(void)chip;
	li->offset = offset;
	return li;
}

bool gpiod_line_info_is_used(struct gpiod_line_info *info)
{
	return info->offset == BUSY_LINE || k.requested[info->offset];
}

const char *gpiod_line_info_get_consumer(struct gpiod_line_info *info)
{
	return info->offset == BUSY_LINE ? "irrigation-timer" : k.consumer;
}

void gpiod_line_info_free(struct gpiod_line_info *info)
{
	free(info);
}

/* The real config objects are used, and read back here. */
struct gpiod_line_request *gpiod_chip_request_lines(struct gpiod_chip *chip,
						    struct gpiod_request_config *rc,
						    struct gpiod_line_config *lc)
{
	unsigned offsets[4];
	struct gpiod_line_settings *ls;
	struct gpiod_line_request *req;

	assert_ptr_equal(chip, &fake_chip);
	assert_int_equal(gpiod_line_config_get_num_configured_offsets(lc), 1);
	gpiod_line_config_get_configured_offsets(lc, offsets, 4);
	if (offsets[0] == BUSY_LINE || k.requested[offsets[0]]) {
		errno = EBUSY;
		return NULL;
	}
	ls = gpiod_line_config_get_line_settings(lc, offsets[0]);
	k.requested[offsets[0]] = true;
	k.output[offsets[0]] = gpiod_line_settings_get_direction(ls) == GPIOD_LINE_DIRECTION_OUTPUT;
	k.active_low[offsets[0]] = gpiod_line_settings_get_active_low(ls);
	k.bias[offsets[0]] = gpiod_line_settings_get_bias(ls);
	k.first_value[offsets[0]] = k.value[offsets[0]] =
		gpiod_line_settings_get_output_value(ls) == GPIOD_LINE_VALUE_ACTIVE;
	snprintf(k.consumer, sizeof(k.consumer), "%s", gpiod_request_config_get_consumer(rc));
	gpiod_line_settings_free(ls);
	req = malloc(sizeof(*req));
	req->offset = offsets[0];
	k.requests_open++;
	return req;
}

int gpiod_line_request_set_value(struct gpiod_line_request *req, unsigned offset,
				 enum gpiod_line_value v)
{
	assert_int_equal(offset, req->offset);
	if (k.fail_set) {
		errno = EIO;
		return -1;
	}
	k.value[offset] = v == GPIOD_LINE_VALUE_ACTIVE;
	return 0;
}

int gpiod_line_request_get_fd(struct gpiod_line_request *req)
{
	(void)req;
	return -1;	/* force_off's ioctl fails harmlessly on the fake */
}

void gpiod_line_request_release(struct gpiod_line_request *req)
{
	k.requested[req->offset] = false;
	k.requests_open--;
	free(req);
}

static int setup(void **state)
{
	(void)state;
	memset(&k, 0, sizeof(k));
	text_init("en");
	return 0;
}

static void a_line_is_requested_off_then_switched(void **state)
{
	char err[256] = "";
	struct relay *r;

	(void)state;
	r = relay_gpiod_new("/fake/gpiochip0", "3", true, err, sizeof(err));
	assert_non_null(r);
	/* An output, active-low as configured, off from its first moment. */
	assert_true(k.requested[3]);
	assert_true(k.output[3]);
	assert_true(k.active_low[3]);
	assert_int_equal(k.first_value[3], 0);
	/* Pulled up, so the relay stays off when the line is let go. */
	assert_int_equal(k.bias[3], GPIOD_LINE_BIAS_PULL_UP);
	assert_string_equal(k.consumer, "fieldstation");
	assert_false(relay_is_on(r));
	assert_int_equal(k.chips_open, 0);	/* the request outlives its chip */
	assert_int_equal(relay_set(r, true), 0);
	assert_int_equal(k.value[3], 1);
	assert_true(relay_is_on(r));
	assert_int_equal(relay_set(r, false), 0);
	assert_int_equal(k.value[3], 0);
	/* Freeing drives it off and releases the line. */
	relay_set(r, true);
	relay_free(r);
	assert_int_equal(k.value[3], 0);
	assert_false(k.requested[3]);
	assert_int_equal(k.requests_open, 0);
}

static void active_high_board(void **state)
{
	char err[256];
	struct relay *r;

	(void)state;
	r = relay_gpiod_new("/fake/gpiochip0", "0", false, err, sizeof(err));
	assert_non_null(r);
	assert_false(k.active_low[0]);
	assert_int_equal(k.first_value[0], 0);
	assert_int_equal(k.bias[0], GPIOD_LINE_BIAS_PULL_DOWN);
	relay_free(r);
}

static void a_line_by_its_name(void **state)
{
	char err[256];
	struct relay *r;

	(void)state;
	r = relay_gpiod_new("/fake/gpiochip0", "RELAY2", true, err, sizeof(err));
	assert_non_null(r);
	assert_true(k.requested[1]);
	relay_free(r);
	assert_null(relay_gpiod_new("/fake/gpiochip0", "RELAY9", true, err, sizeof(err)));
	assert_string_equal(err, "GPIO chip /fake/gpiochip0 has no line named \"RELAY9\".");
	assert_int_equal(k.chips_open, 0);
}

static void a_line_beyond_the_chip(void **state)
{
	char err[256];

	(void)state;
	assert_null(relay_gpiod_new("/fake/gpiochip0", "17", true, err, sizeof(err)));
	assert_string_equal(err, "GPIO chip /fake/gpiochip0 has lines 0 to 7; there is no line 17.");
	assert_int_equal(k.requests_open, 0);
	assert_int_equal(k.chips_open, 0);
}

static void a_busy_line_names_its_holder(void **state)
{
	char err[256];
	struct relay *r;

	(void)state;
	assert_null(relay_gpiod_new("/fake/gpiochip0", "BUSY", true, err, sizeof(err)));
	assert_string_equal(err, "Line BUSY of GPIO chip /fake/gpiochip0 is in use by \"irrigation-timer\".");
	/* Two pumps on one line: the second is refused while the first holds it. */
	r = relay_gpiod_new("/fake/gpiochip0", "2", true, err, sizeof(err));
	assert_non_null(r);
	assert_null(relay_gpiod_new("/fake/gpiochip0", "2", true, err, sizeof(err)));
	assert_string_equal(err, "Line 2 of GPIO chip /fake/gpiochip0 is in use by \"fieldstation\".");
	relay_free(r);
	assert_int_equal(k.chips_open, 0);
}

static void a_failed_switch_is_reported_and_counts_as_off(void **state)
{
	char err[256];
	struct relay *r = relay_gpiod_new("/fake/gpiochip0", "1", true, err, sizeof(err));

	(void)state;
	assert_non_null(r);
	k.fail_set = true;
	assert_int_equal(relay_set(r, true), -EIO);
	assert_false(relay_is_on(r));
	k.fail_set = false;
	relay_free(r);
}

/* These reach the real library: this machine has no GPIO chips. */
static void a_missing_chip(void **state)
{
	char err[256];

	(void)state;
	assert_null(relay_gpiod_new("gpiochip9", "17", true, err, sizeof(err)));
	assert_string_equal(err, "There is no GPIO chip \"gpiochip9\" on this board (gpiodetect lists them).");
	assert_null(relay_gpiod_new("/dev/gpiochip9", "17", true, err, sizeof(err)));
	assert_string_equal(err, "There is no GPIO chip \"/dev/gpiochip9\" on this board (gpiodetect lists them).");
	/* A number is the chip of that number; a word may be a chip's label. */
	assert_null(relay_gpiod_new("9", "17", true, err, sizeof(err)));
	assert_string_equal(err, "There is no GPIO chip \"9\" on this board (gpiodetect lists them).");
	assert_null(relay_gpiod_new("pinctrl-bcm2711", "17", true, err, sizeof(err)));
	assert_string_equal(err, "There is no GPIO chip \"pinctrl-bcm2711\" on this board (gpiodetect lists them).");
}

static void a_file_that_is_not_a_chip(void **state)
{
	char err[256];

	(void)state;
	assert_null(relay_gpiod_new("/dev/null", "17", true, err, sizeof(err)));
	assert_string_equal(err, "/dev/null is not a GPIO chip.");
}

static void in_vietnamese(void **state)
{
	char err[256];

	(void)state;
	text_set_language("vi");
	assert_null(relay_gpiod_new("gpiochip9", "17", true, err, sizeof(err)));
	assert_string_equal(err, "Không có chip GPIO \"gpiochip9\" trên bo mạch này (lệnh gpiodetect liệt kê các chip).");
	text_set_language("en");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(a_line_is_requested_off_then_switched, setup),
		cmocka_unit_test_setup(active_high_board, setup),
		cmocka_unit_test_setup(a_line_by_its_name, setup),
		cmocka_unit_test_setup(a_line_beyond_the_chip, setup),
		cmocka_unit_test_setup(a_busy_line_names_its_holder, setup),
		cmocka_unit_test_setup(a_failed_switch_is_reported_and_counts_as_off, setup),
		cmocka_unit_test_setup(a_missing_chip, setup),
		cmocka_unit_test_setup(a_file_that_is_not_a_chip, setup),
		cmocka_unit_test_setup(in_vietnamese, setup),
	};

	return cmocka_run_group_tests_name("relay_gpiod", tests, NULL, NULL);
}
