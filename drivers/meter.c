/* What every pulse meter shares: pulses are counted per second of the
 * driver's clock; a second with more than the meter's cap is noise, and
 * so are the seconds on either side of it, where the noise began and
 * ended. */
#include "meter.h"

#define NS 1000000000LL

void meter_init(struct meter *m, const struct meter_ops *ops, double cap)
{
	*m = (struct meter){ .ops = ops, .cap = cap, .second = INT64_MIN,
			     .held_second = INT64_MIN, .noisy_second = INT64_MIN };
}

static void noisy(struct meter *m, uint64_t n)
{
	m->noise += n;
	m->noisy_seconds++;
	if (n > m->noisiest)
		m->noisiest = n;
}

/* The held quiet second is water after all. */
static void release(struct meter *m)
{
	m->good += m->held;
	m->held = 0;
}

/* The second being counted is over: noise, the tail of noise, or a quiet
 * second held until the next one is judged. */
static void judge(struct meter *m)
{
	int64_t s = m->second;
	uint64_t n = m->in_second;

	m->in_second = 0;
	if (!n)
		return;
	if ((double)n > m->cap) {
		noisy(m, n);
		if (m->held && m->held_second == s - 1)
			m->noise += m->held;
		else
			release(m);
		m->held = 0;
		m->noisy_second = s;
	} else if (m->noisy_second == s - 1) {
		release(m);
		m->noise += n;
	} else {
		release(m);
		m->held = n;
		m->held_second = s;
	}
}

void meter_count_pulse(struct meter *m, int64_t t_ns)
{
	int64_t second = t_ns >= 0 ? t_ns / NS : (t_ns - NS + 1) / NS;

	if (second != m->second) {
		judge(m);
		m->second = second;
	}
	m->in_second++;
}

/* Dropped events counted one by one up to this many; beyond, as a span
 * (a storm of noise while the loop was held up). */
#define GAP_ONE_BY_ONE 4096

void meter_count_event(struct meter *m, uint64_t seqno, int64_t t_ns)
{
	if (m->last_seqno && seqno > m->last_seqno + 1 && t_ns >= m->last_ns) {
		uint64_t lost = seqno - m->last_seqno - 1;

		if (lost > GAP_ONE_BY_ONE)
			meter_count_span(m, m->last_ns, t_ns, lost);
		else
			for (uint64_t k = 1; k <= lost; k++)
				meter_count_pulse(m, m->last_ns + (int64_t)((double)(t_ns - m->last_ns) *
									    (double)k / (double)(lost + 1)));
	}
	m->last_seqno = seqno;
	m->last_ns = t_ns;
	meter_count_pulse(m, t_ns);
}

void meter_count_span(struct meter *m, int64_t from_ns, int64_t to_ns, uint64_t n)
{
	double seconds = (double)(to_ns - from_ns) / (double)NS;
	double rate;

	judge(m);
	release(m);
	if (!n)
		return;
	/* Less than a second is judged as a second: n pulses in it. */
	rate = seconds > 1 ? (double)n / seconds : (double)n;
	if (rate > m->cap) {
		noisy(m, (uint64_t)rate);
		m->noise += n - (uint64_t)rate;
		m->noisy_seconds += (seconds > 1 ? (int)(seconds + 0.5) : 1) - 1;
	} else {
		m->good += n;
	}
}

void meter_take(struct meter *m, struct meter_count *out, bool final)
{
	if (m->ops->update)
		m->ops->update(m);
	if (final) {
		judge(m);
		release(m);
	}
	out->pulses = m->good;
	out->noise = m->noise;
	out->noisy_seconds = m->noisy_seconds;
	out->noisiest = m->noisiest;
	m->good = m->noise = m->noisiest = 0;
	m->noisy_seconds = 0;
}

int meter_fd(const struct meter *m)
{
	return m->ops->fd ? m->ops->fd(m) : -1;
}

void meter_service(struct meter *m)
{
	if (m->ops->service)
		m->ops->service(m);
}

void meter_free(struct meter *m)
{
	if (m)
		m->ops->free(m);
}
