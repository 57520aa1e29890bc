/*
 * monitor.c - the x86 half of the monitor's `info`: what processor this
 * is, asked through the CPUID instruction.
 *
 * Leaf 0 gives the vendor string and the highest basic leaf; leaf 1 the
 * family, model and the basic feature bits; leaf 0x80000001 the extended
 * bits, among them NX (no-execute), which slice 2 needs for W^X. Only the
 * monitor prints them, so this is debug code, linked into test images
 * only (the kernel itself asks CPUID for what it needs, with cpuid_leaf()
 * where it needs it).
 */
#include <keel/arch.h>
#include <keel/kprintf.h>

#include "x86.h"

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static struct cpuid_regs cpuid(uint32_t leaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
	                 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
	                 : "a"(leaf), "c"(0));
	return r;
}

struct feature {
	uint8_t reg; /* 0 = leaf 1 EDX, 1 = leaf 1 ECX, 2 = leaf 0x80000001 EDX */
	uint8_t bit;
	const char *name;
};

static const struct feature features[] = {
    {0, 0, "fpu"},     {0, 3, "pse"},         {0, 4, "tsc"},     {0, 5, "msr"},
    {0, 6, "pae"},     {0, 8, "cx8"},         {0, 9, "apic"},    {0, 11, "sep"},
    {0, 13, "pge"},    {0, 15, "cmov"},       {0, 16, "pat"},    {0, 19, "clflush"},
    {0, 23, "mmx"},    {0, 24, "fxsr"},       {0, 25, "sse"},    {0, 26, "sse2"},
    {1, 0, "sse3"},    {1, 9, "ssse3"},       {1, 21, "x2apic"}, {1, 24, "tsc-deadline"},
    {1, 30, "rdrand"}, {1, 31, "hypervisor"}, {2, 20, "nx"},     {2, 27, "rdtscp"},
    {2, 29, "lm"},
};

static void describe_features(uint32_t max_ext)
{
	struct cpuid_regs l1 = cpuid(1);
	uint32_t words[3] = {l1.edx, l1.ecx, 0};

	if (max_ext >= 0x80000001)
		words[2] = cpuid(0x80000001).edx;
	kprintf("Features:");
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (words[features[i].reg] & (1u << features[i].bit))
			kprintf(" %s", features[i].name);
	kprintf("\n");
}

void arch_cpu_describe(void)
{
	struct cpuid_regs l0 = cpuid(0);
	char vendor[13];
	uint32_t *v = (uint32_t *)vendor;

	v[0] = l0.ebx, v[1] = l0.edx, v[2] = l0.ecx; /* the vendor string's order */
	vendor[12] = '\0';
	struct cpuid_regs l1 = cpuid(1);
	unsigned family = (l1.eax >> 8) & 0xf, model = (l1.eax >> 4) & 0xf;
	if (family == 0xf)
		family += (l1.eax >> 20) & 0xff;
	if (family >= 6)
		model |= ((l1.eax >> 16) & 0xf) << 4;
	kprintf("CPU: %s family %u model %u stepping %u\n", vendor, family, model, l1.eax & 0xf);
	describe_features(cpuid(0x80000000).eax);
}
