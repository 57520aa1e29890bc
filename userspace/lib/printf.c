/*
 * printf.c - formatted output for user programs.
 *
 * One engine, fmt_run(), turns a format and its arguments into characters
 * and hands each to a sink. snprintf's sink fills the caller's buffer and
 * counts what did not fit; printf's sink fills a small buffer and sends
 * it on whenever it is full and at the end, so a long line costs a few
 * system calls, not one per character: to the console server if the
 * program attached to it (console_attach(), keel_console.h), else to the
 * debug console with DEBUG_WRITE.
 *
 * The conversions are the ones Keel's programs use: %d %i %u %x %X %c %s
 * %p %%, with the sizes l and ll, a field width and the flags 0, - and #.
 * 64-bit numbers are divided by libgcc's helpers (the link adds -lgcc).
 */
#include <keel_console.h>

/* Where characters go. Invariant: used <= cap; a console sink flushes at cap. */
struct sink {
	char *buf;
	size_t cap;   /* bytes of buf usable (snprintf keeps one for the NUL) */
	size_t used;  /* bytes in buf now */
	size_t total; /* every character produced, stored or not */
	bool console; /* flush to DEBUG_WRITE when full, instead of dropping */
};

/* One conversion's flags and width. */
struct spec {
	bool zero, left, alt; /* flags 0, - and # */
	unsigned width;
	unsigned size; /* 0: int, 1: long, 2: long long */
};

static void sink_flush(struct sink *s)
{
	if (s->console && s->used && !console_out(s->buf, (uint32_t)s->used))
		keel_debug_write(s->buf, s->used);
	s->used = 0;
}

static void sink_put(struct sink *s, char c)
{
	s->total++;
	if (s->used < s->cap)
		s->buf[s->used++] = c;
	if (s->console && s->used == s->cap)
		sink_flush(s);
}

static void sink_pad(struct sink *s, char c, unsigned n)
{
	while (n--)
		sink_put(s, c);
}

/* Put @text (@len bytes) in a field of sp->width, padded with spaces. */
static void put_field(struct sink *s, const struct spec *sp, const char *text, size_t len)
{
	unsigned pad = sp->width > len ? sp->width - (unsigned)len : 0;

	if (!sp->left)
		sink_pad(s, ' ', pad);
	while (len--)
		sink_put(s, *text++);
	if (sp->left)
		sink_pad(s, ' ', pad);
}

/* Put @v in base @base, with @neg a minus sign, padded as @sp says. */
static void put_number(struct sink *s, const struct spec *sp, uint64_t v, unsigned base, bool neg,
                       bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	unsigned n = 0, len, pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (neg ? 1 : 0);
	pad = sp->width > len ? sp->width - len : 0;
	if (!sp->left && !sp->zero)
		sink_pad(s, ' ', pad);
	if (neg)
		sink_put(s, '-');
	if (!sp->left && sp->zero)
		sink_pad(s, '0', pad);
	while (n)
		sink_put(s, tmp[--n]);
	if (sp->left)
		sink_pad(s, ' ', pad);
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
	if (sp->size == 2)
		return va_arg(*ap, unsigned long long);
	if (sp->size == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
	if (sp->size == 2)
		return va_arg(*ap, long long);
	if (sp->size == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

/* Read flags, width and size after a '%'; returns the conversion character's place. */
static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){0};
	for (;; f++) {
		if (*f == '0')
			sp->zero = true;
		else if (*f == '-')
			sp->left = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (unsigned)(*f++ - '0');
	while (*f == 'l' && sp->size < 2) {
		sp->size++;
		f++;
	}
	return f;
}

static void convert_signed(struct sink *s, const struct spec *sp, va_list *ap)
{
	int64_t v = arg_signed(sp, ap);
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	put_number(s, sp, mag, 10, v < 0, false);
}

static void convert_string(struct sink *s, const struct spec *sp, const char *str)
{
	if (!str)
		str = "(null)";
	put_field(s, sp, str, strlen(str));
}

/* Carry out conversion @c; an unknown one is printed as it stands. */
static void convert(struct sink *s, const struct spec *sp, char c, va_list *ap)
{
	struct spec p = *sp, p0 = {0};
	char ch;

	switch (c) {
	case 'd':
	case 'i':
		convert_signed(s, sp, ap);
		break;
	case 'u':
		put_number(s, sp, arg_unsigned(sp, ap), 10, false, false);
		break;
	case 'x':
	case 'X':
		if (sp->alt)
			put_field(s, &p0, "0x", 2);
		put_number(s, sp, arg_unsigned(sp, ap), 16, false, c == 'X');
		break;
	case 'p':
		sink_put(s, '0');
		sink_put(s, 'x');
		p.zero = true;
		p.width = 8;
		put_number(s, &p, (uintptr_t)va_arg(*ap, void *), 16, false, false);
		break;
	case 'c':
		ch = (char)va_arg(*ap, int);
		put_field(s, sp, &ch, 1);
		break;
	case 's':
		convert_string(s, sp, va_arg(*ap, const char *));
		break;
	default:
		sink_put(s, '%');
		sink_put(s, c);
	}
}

static void fmt_run(struct sink *s, const char *f, va_list ap)
{
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	while (*f) {
		if (*f != '%') {
			sink_put(s, *f++);
			continue;
		}
		f = parse_spec(f + 1, &sp);
		if (!*f)
			break;
		if (*f == '%')
			sink_put(s, '%');
		else
			convert(s, &sp, *f, &args);
		f++;
	}
	va_end(args);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = {.buf = buf, .cap = size ? size - 1 : 0};

	fmt_run(&s, fmt, ap);
	if (size)
		buf[s.used] = '\0';
	return (int)s.total;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[128];
	struct sink s = {.buf = buf, .cap = sizeof(buf), .console = true};

	fmt_run(&s, fmt, ap);
	sink_flush(&s);
	return (int)s.total;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	return printf("%s\n", s);
}
