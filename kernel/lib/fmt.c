/*
 * fmt.c - the formatting engine behind kprintf() and ksnprintf().
 *
 * A format string is read left to right. Plain characters go straight to
 * the sink; a '%' starts a conversion spec, which is parsed into a
 * struct fmt_spec (flags, width, precision, length) and then rendered.
 * Numbers are rendered by fmt_number() into a small buffer, least
 * significant digit first, then padded and emitted. Nothing here touches
 * a device or allocates, so the host unit tests compile this file alone.
 */
#include <keel/fmt.h>
#include <stdbool.h>
#include <stdint.h>

/** A parsed conversion spec: what lies between '%' and the conversion. */
struct fmt_spec {
	bool left;     /* '-': pad on the right */
	bool zero;     /* '0': pad numbers with zeros */
	int width;     /* minimum field width, 0 if none */
	int precision; /* maximum string length, -1 if none */
	int length;    /* 0 int, 1 long, 2 long long, 3 size_t */
};

/** The sink and the running count of characters produced. */
struct fmt_out {
	kfmt_sink_t sink;
	void *ctx;
	int count;
};

static void emit(struct fmt_out *out, char c)
{
	out->sink(out->ctx, c);
	out->count++;
}

static void emit_pad(struct fmt_out *out, char c, int n)
{
	while (n-- > 0)
		emit(out, c);
}

/* [fmt_number] */
int fmt_number(char *buf, uint64_t value, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char rev[FMT_NUM_MAX];
	int n = 0;

	do {
		rev[n++] = digits[value % base];
		value /= base;
	} while (value != 0);
	for (int i = 0; i < n; i++)
		buf[i] = rev[n - 1 - i];
	buf[n] = '\0';
	return n;
}
/* [fmt_number] */

/* Emit a sign, a prefix and digits, padded to the spec's width. */
static void emit_number(struct fmt_out *out, const struct fmt_spec *spec, const char *prefix,
                        const char *digits, int ndigits)
{
	int plen = 0;
	while (prefix[plen])
		plen++;
	int pad = spec->width - plen - ndigits;

	if (!spec->left && !spec->zero)
		emit_pad(out, ' ', pad);
	for (int i = 0; i < plen; i++)
		emit(out, prefix[i]);
	if (!spec->left && spec->zero)
		emit_pad(out, '0', pad);
	for (int i = 0; i < ndigits; i++)
		emit(out, digits[i]);
	if (spec->left)
		emit_pad(out, ' ', pad);
}

static void emit_string(struct fmt_out *out, const struct fmt_spec *spec, const char *s)
{
	int len = 0;

	if (s == 0)
		s = "(null)";
	while (s[len] && (spec->precision < 0 || len < spec->precision))
		len++;
	if (!spec->left)
		emit_pad(out, ' ', spec->width - len);
	for (int i = 0; i < len; i++)
		emit(out, s[i]);
	if (spec->left)
		emit_pad(out, ' ', spec->width - len);
}

/* Fetch a signed argument of the spec's length, widened to 64 bits. */
static int64_t arg_signed(const struct fmt_spec *spec, va_list *ap)
{
	switch (spec->length) {
	case 1:
		return va_arg(*ap, long);
	case 2:
		return va_arg(*ap, long long);
	case 3: /* %zd: size_t's signed twin, sign-extended on 32-bit targets */
		return (int64_t)(intptr_t)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t arg_unsigned(const struct fmt_spec *spec, va_list *ap)
{
	switch (spec->length) {
	case 1:
		return va_arg(*ap, unsigned long);
	case 2:
		return va_arg(*ap, unsigned long long);
	case 3:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Render one integer conversion ('d', 'i', 'u', 'x', 'X' or 'p'). */
static void convert_integer(struct fmt_out *out, struct fmt_spec *spec, char conv, va_list *ap)
{
	char digits[FMT_NUM_MAX];
	const char *prefix = "";
	uint64_t value;
	int n;

	if (conv == 'd' || conv == 'i') {
		int64_t v = arg_signed(spec, ap);
		/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
		value = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		prefix = v < 0 ? "-" : "";
	} else if (conv == 'p') {
		value = (uintptr_t)va_arg(*ap, void *);
		prefix = "0x";
		spec->zero = true;
		if (spec->width == 0)
			spec->width = 2 + 2 * (int)sizeof(void *);
	} else {
		value = arg_unsigned(spec, ap);
	}
	unsigned base = (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
	n = fmt_number(digits, value, base, conv == 'X');
	emit_number(out, spec, prefix, digits, n);
}

/* Widths and precisions are clamped here: no field is wider than a screenful. */
#define FMT_FIELD_MAX 4096

static int clamp_field(int64_t v)
{
	return v > FMT_FIELD_MAX ? FMT_FIELD_MAX : (int)v;
}

/* A field count: '*' takes an int argument, else decimal digits (maybe none). */
static int64_t parse_count(const char **p, va_list *ap)
{
	int64_t n = 0;

	if (**p == '*') {
		(*p)++;
		return va_arg(*ap, int);
	}
	while (**p >= '0' && **p <= '9') {
		n = n * 10 + (*(*p)++ - '0');
		if (n > FMT_FIELD_MAX)
			n = FMT_FIELD_MAX + 1; /* keep reading digits, never overflow */
	}
	return n;
}

/* Parse flags, width, precision and length after a '%'; return the conversion. */
static const char *parse_spec(const char *p, struct fmt_spec *spec, va_list *ap)
{
	*spec = (struct fmt_spec){.precision = -1};
	for (; *p == '-' || *p == '0'; p++)
		*(*p == '-' ? &spec->left : &spec->zero) = true;
	int64_t width = parse_count(&p, ap);
	if (width < 0) { /* a negative '*' width means left-justify */
		spec->left = true;
		width = -width;
	}
	spec->width = clamp_field(width);
	if (*p == '.') {
		p++;
		int64_t precision = parse_count(&p, ap);
		spec->precision = precision < 0 ? -1 : clamp_field(precision);
	}
	if (*p == 'z') {
		spec->length = 3;
		p++;
	}
	for (; *p == 'l' && spec->length < 2; p++)
		spec->length++;
	return p;
}

/* Render the conversion at @p p (just after '%'); return where the text resumes. */
static const char *convert(struct fmt_out *out, const char *start, va_list *ap)
{
	struct fmt_spec spec;
	const char *p = parse_spec(start, &spec, ap);

	switch (*p) {
	case 'c': {
		char c = (char)va_arg(*ap, int);
		if (!spec.left)
			emit_pad(out, ' ', spec.width - 1);
		emit(out, c);
		if (spec.left)
			emit_pad(out, ' ', spec.width - 1);
		return p + 1;
	}
	case 's':
		emit_string(out, &spec, va_arg(*ap, const char *));
		return p + 1;
	case 'd':
	case 'i':
	case 'u':
	case 'x':
	case 'X':
	case 'p':
		convert_integer(out, &spec, *p, ap);
		return p + 1;
	case '%':
		emit(out, '%');
		return p + 1;
	default:
		/* Unknown conversion (or the format ended): print it as written. */
		emit(out, '%');
		return start;
	}
}

int kfmt_format(kfmt_sink_t sink, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_out out = {sink, ctx, 0};
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%')
			emit(&out, *fmt++);
		else
			fmt = convert(&out, fmt + 1, &args);
	}
	va_end(args);
	return out.count;
}

/** A bounded buffer for ksnprintf(): keeps counting past its end. */
struct fmt_buffer {
	char *buf;
	size_t size, used;
};

static void buffer_sink(void *ctx, char c)
{
	struct fmt_buffer *b = ctx;
	if (b->used + 1 < b->size)
		b->buf[b->used] = c;
	b->used++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buffer b = {buf, size, 0};
	int n = kfmt_format(buffer_sink, &b, fmt, ap);

	if (size > 0)
		buf[b.used < size ? b.used : size - 1] = '\0';
	return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
