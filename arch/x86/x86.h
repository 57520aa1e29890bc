/*
 * x86.h - definitions private to the x86 port: layout constants, control
 * register bits, port I/O and the pieces the port's files share.
 *
 * Assembly includes this file too, so the C parts are hidden from it.
 */
#ifndef ARCH_X86_H
#define ARCH_X86_H

#define KERNEL_VBASE    0xC0000000 /* where physical 0 appears once paging is on */
#define PAGE_SIZE       4096
#define BOOT_STACK_SIZE 16384
#define BOOT_MAP_LIMIT  0x01000000 /* the boot page tables map physical 0-16 MiB */

#define PTE_PRESENT 0x001
#define PTE_WRITE   0x002
#define PTE_LARGE   0x080 /* a 4 MiB page, in a page-directory entry */

#define CR0_WP  0x00010000
#define CR0_PG  0x80000000
#define CR4_PSE 0x00000010
#define CR4_PAE 0x00000020 /* slice 2: 64-bit entries, three levels, NX */
#define CR4_PGE 0x00000080 /* slice 2: global pages survive a CR3 load */

/* Segment selectors: index * 8 + requested privilege level. */
#define SEL_KCODE  0x08
#define SEL_KDATA  0x10
#define SEL_UCODE  (0x18 | 3)
#define SEL_UDATA  (0x20 | 3)
#define SEL_TSS    0x28 /* slice 2: the task state the CPU saves into on a double fault */
#define SEL_DF_TSS 0x30 /* slice 2: the double-fault handler's task */

#define PTE_PWT   0x008 /* write-through */
#define PTE_PCD   0x010 /* cache disabled: for device registers */
#define EFLAGS_IF 0x200

/* Interrupt vectors: the CPU's exceptions, then the PICs' lines, then the APIC's. */
#define T_EXCEPTIONS  32
#define T_IRQ0        32 /* PIC lines 0-15 arrive at 32-47 */
#define T_LAPIC_TIMER 48
#define T_STUBS       49  /* stubs for vectors 0..48 ... */
#define T_SPURIOUS    255 /* ... and the local APIC's spurious vector */

/* The trap frame, as trap.S builds it; trap.c checks these against the struct. */
#define TF_EDI         0
#define TF_EBP         8
#define TF_EAX         28
#define TF_GS          32
#define TF_DS          44
#define TF_TRAPNO      48
#define TF_ERR         52
#define TF_EIP         56
#define TF_CS          60
#define TF_EFLAGS      64
#define TF_ESP         68 /* only in a frame from ring 3: the CPU pushes esp and ss too */
#define TF_SS          72
#define TF_KERNEL_SIZE 68 /* a frame from ring 0 ends before esp */
#define TF_SIZE        76

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* Physical address -> kernel virtual address: below BOOT_MAP_LIMIT with the
 * boot tables, anywhere in the direct map once slice 2 has built it. */
static inline void *phys_to_virt(uint32_t pa)
{
	return (void *)(uintptr_t)(pa + KERNEL_VBASE);
}

/* The registers a panic report shows. */
struct arch_regs {
	uint32_t eax, ebx, ecx, edx, esi, edi, ebp, esp;
	uint32_t eip, eflags;
	uint32_t cs, ds, es, ss;
	uint32_t cr0, cr2, cr3, cr4;
};

/* What the CPU and trap.S push on an interrupt or exception, lowest address first. */
struct trap_frame {
	uint32_t edi, esi, ebp, esp_at_pushal, ebx, edx, ecx, eax; /* pushal */
	uint32_t gs, fs, es, ds;                                   /* trap_common */
	uint32_t trapno, err;                                      /* the stub */
	uint32_t eip, cs, eflags;                                  /* the CPU */
	uint32_t esp, ss; /* the CPU, only when it came from ring 3 (slice 3) */
};

/* True if @tf was pushed by a trap from user mode (ring 3). */
static inline bool trap_from_user(const struct trap_frame *tf)
{
	return (tf->cs & 3) == 3;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid_leaf(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid"
	                 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	                 : "a"(leaf), "c"(0));
}

void gdt_init(void);
/* Fill GDT slot @sel (SEL_TSS or SEL_DF_TSS) with a 32-bit TSS descriptor. */
void gdt_set_tss(uint16_t sel, const void *tss, uint32_t size);

/* Slice 1. */
void pic_init(void);
/* Route vector @vector through a task gate to the TSS selected by @tss_sel. */
void idt_set_task_gate(unsigned vector, uint16_t tss_sel);
/* Route vector @vector to @handler through an interrupt gate that code at
 * privilege @dpl may raise with `int` (3: user mode may; 0: only the kernel). */
void idt_set_gate(unsigned vector, uintptr_t handler, unsigned dpl);
/*
 * Slice 3's hooks into the trap path; NULL before it. A trap from ring 3
 * goes to x86_user_trap (a system call, or a fault that kills the task:
 * it returns true if it dealt with the trap); every return to ring 3
 * passes x86_user_return, where a thread of a dying task leaves.
 */
extern bool (*x86_user_trap)(struct trap_frame *tf);
extern void (*x86_user_return)(struct trap_frame *tf);
/* An exception's name ("page fault (#PF)"); "interrupt" past the exceptions. */
const char *x86_exception_name(unsigned vector);
/* Set the stack the CPU switches to on a trap from ring 3 (the TSS's esp0). */
void x86_tss_set_kernel_stack(uint32_t top);
/* The address of esp0 in this CPU's TSS: sysenter's stack MSR points here. */
uint32_t *x86_tss_kernel_stack_slot(void);
/* Bytes of the TSS's I/O permission bitmap: a bit for each of 65,536 ports. */
#define X86_IOMAP_BYTES 8192
/* The TSS's I/O permission bitmap (all ones, no port, until slice 6 fills it). */
uint8_t *x86_tss_iomap(void);
/* Let ring 3 use the ports the bitmap allows (@on), or none at all. */
void x86_tss_iomap_use(bool on);
/* If set, called after a kernel page fault is decoded, to say more (slice 2). */
extern void (*x86_page_fault_detail)(uint32_t cr2, uint32_t err);
void pic_mask(unsigned irq);
void pic_unmask(unsigned irq);
void pic_eoi(unsigned irq);
bool pic_spurious(unsigned irq);
#define PIT_HZ 1193182u
void pit_start_periodic(unsigned hz);
void pit_oneshot_start(uint16_t count);
bool pit_oneshot_done(void);
bool lapic_init(void);
uint32_t lapic_timer_calibrate_begin(void);
uint32_t lapic_timer_read(void);
void lapic_timer_start(uint32_t counts, uint8_t vector);
void lapic_eoi(void);
extern uint32_t boot_pgdir[1024];
void serial_init(void);
void vga_init(void);
void multiboot_parse(uint32_t magic, uint32_t mbi_phys);

extern char boot_stack_bottom[], boot_stack_top[];
/* May the backtrace read the word at @va? Slice 0 knows the boot mapping;
 * slice 2 installs a page-table walk. */
extern bool (*x86_kernel_readable)(uintptr_t va);
extern char _kernel_phys_start[], _kernel_phys_end[];
#endif

#endif
