/* Reads the MC146818 CMOS clock: waits out an update in progress, reads twice until two reads
 * agree, decodes BCD and 12-hour forms, and converts the date to Unix time. */
#include "drivers/rtc.h"
#include "arch/x86_64/cpu.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71

static u8 cmos(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

struct rtc_time {
	u8 sec, min, hour, day, mon, year, century;
};

static void read_raw(struct rtc_time *t)
{
	while (cmos(0x0a) & 0x80)
		cpu_relax();
	t->sec = cmos(0x00);
	t->min = cmos(0x02);
	t->hour = cmos(0x04);
	t->day = cmos(0x07);
	t->mon = cmos(0x08);
	t->year = cmos(0x09);
	t->century = cmos(0x32);
}

static u8 bcd(u8 v) { return (v & 0x0f) + (v >> 4) * 10; }

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static u64 days_from_civil(u64 y, u64 m, u64 d)
{
	y -= m <= 2;
	u64 era = y / 400;
	u64 yoe = y - era * 400;
	u64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	u64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

u64 rtc_read_epoch(void)
{
	struct rtc_time a, b;
	read_raw(&b);
	do {
		a = b;
		read_raw(&b);
	} while (a.sec != b.sec || a.min != b.min || a.hour != b.hour || a.day != b.day);
	u8 status_b = cmos(0x0b);
	bool pm = b.hour & 0x80;
	b.hour &= 0x7f;
	if (!(status_b & 0x04)) {
		b.sec = bcd(b.sec);
		b.min = bcd(b.min);
		b.hour = bcd(b.hour);
		b.day = bcd(b.day);
		b.mon = bcd(b.mon);
		b.year = bcd(b.year);
		b.century = bcd(b.century);
	}
	if (!(status_b & 0x02) && pm)
		b.hour = (b.hour % 12) + 12;
	u64 year = (b.century >= 19 && b.century <= 99 ? b.century : 20) * 100 + b.year;
	return days_from_civil(year, b.mon, b.day) * 86400 + b.hour * 3600 + b.min * 60 + b.sec;
}
