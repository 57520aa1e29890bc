# Keel - a teaching microkernel for x86.
#
#   make              build the kernel (build/$(PROFILE)/keel.elf)
#   make run          boot it in QEMU, serial console on this terminal
#   make test         every test: unit, in-kernel, end to end, lint
#   make help         every target
#
# Variables: PROFILE=dev|standard|hardened, SLICES=N (build slices 0..N),
# CMDLINE="key=value ..." (extra boot options for run targets), GDBPORT.

PROFILE ?= dev
PROFILES := dev standard hardened
ifeq ($(filter $(PROFILE),$(PROFILES)),)
$(error PROFILE must be one of: $(PROFILES))
endif

# The slices, in order. SLICES=N builds slices 0..N; the default is all.
SLICE_NAMES := boot sched mem user ipc cap dev
SLICES ?= $(words $(wordlist 2,99,$(SLICE_NAMES)))
ifeq ($(filter $(SLICES),$(shell seq 0 $(words $(wordlist 2,99,$(SLICE_NAMES))))),)
$(error SLICES must be a slice number from 0 to $(words $(wordlist 2,99,$(SLICE_NAMES))))
endif

# COVERAGE=1 builds an instrumented kernel (and unit tests) for
# `make coverage`, in a build directory of its own.
ifeq ($(COVERAGE),1)
BUILD ?= build/coverage
UNIT_BUILD ?= $(BUILD)/unit
endif

VERSION := 0.1.0
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
ISO_CMDLINE ?=

CROSS ?= i686-linux-gnu-
CC := $(CROSS)gcc
NM := $(CROSS)nm
PYTHON := /usr/bin/python3
QEMU := qemu-system-i386
GDBPORT ?= $(shell expr `id -u` % 5000 + 25000)

# ---------------------------------------------------------------------------
# Sources, slice by slice: the folders are the map. Slice S (named in
# SLICE_NAMES) is the folders kernel/S/ and arch/x86/S/; slice 0 also owns
# kernel/lib/, the pure code every slice uses. Every .c and .S file in them
# is the slice's kernel code, except its monitor commands (S/monitor.c) and
# its invariant checkers (S/*_check.c), which only tests and the monitor
# call: they are debug code.
#
# Two images. A production image (IMAGE=production, the default of the
# STANDARD and HARDENED profiles) is that kernel code and nothing else. A
# test image (IMAGE=test, the default of DEV; what `make test`, `make grade`
# and `make bench` boot) adds each slice's debug code: its monitor
# commands, its in-kernel tests (tests/kernel/S/) and benchmarks
# (tests/bench/S/), and for slice 0 the monitor, the test runner and the
# benchmark runner (kernel/debug/, arch/x86/debug/). A production image
# links kernel/debug/absent.c instead, which says "not in this image".
# kernel/profile/P/ holds files only profile P links; COVERAGE=1 adds the
# coverage runtime, kernel/debug/gcov.c.
#
# Each object is compiled with KEEL_SLICE set to its slice's name (the
# first part of the ids of the tests it declares).

ARCH := x86
ARCH_DIR := arch/$(ARCH)
IMAGE_DEFAULT_dev := test
IMAGE ?= $(or $(IMAGE_DEFAULT_$(PROFILE)),production)
ifeq ($(filter $(IMAGE),test production),)
$(error IMAGE must be test or production)
endif
# The build directory of a profile's default image is build/PROFILE;
# the other image gets build/PROFILE-IMAGE.
BUILD ?= build/$(PROFILE)$(if $(filter $(IMAGE),$(or $(IMAGE_DEFAULT_$(PROFILE)),production)),,-$(IMAGE))

KERNEL := $(BUILD)/keel.elf
ISO := $(BUILD)/keel.iso

sources_in = $(sort $(foreach d,$(1),$(wildcard $(d)/*.c $(d)/*.S)))
slice_dirs = $(if $(filter 0,$(1)),kernel/lib) kernel/$(2) $(ARCH_DIR)/$(2)
# $(call slice_code,N,NAME), $(call slice_debug,N,NAME): the two halves.
slice_code = $(filter-out %/monitor.c %_check.c,$(call sources_in,$(call slice_dirs,$(1),$(2))))
slice_debug = $(filter %/monitor.c %_check.c,$(call sources_in,$(call slice_dirs,$(1),$(2)))) \
	$(if $(filter 0,$(1)),$(filter-out $(DEBUG_ONLY_IF),$(call sources_in,kernel/debug $(ARCH_DIR)/debug))) \
	$(call sources_in,tests/kernel/$(2) tests/bench/$(2))
DEBUG_ONLY_IF := kernel/debug/absent.c kernel/debug/gcov.c
slice_name = $(word $(shell expr $(1) + 1),$(SLICE_NAMES))

SLICE_IDS := $(shell seq 0 $(SLICES))
$(foreach n,$(SLICE_IDS),$(eval slice$(n)_src := $(call slice_code,$(n),$(call slice_name,$(n))) \
	$(if $(filter test,$(IMAGE)),$(call slice_debug,$(n),$(call slice_name,$(n))))))

# Slice by slice in order: link order is the order of tests, monitor
# commands and start-up entries in their sections.
SRC := $(foreach n,$(SLICE_IDS),$(slice$(n)_src)) \
	$(if $(filter production,$(IMAGE)),kernel/debug/absent.c) \
	$(call sources_in,kernel/profile/$(PROFILE)) \
	$(if $(filter 1,$(COVERAGE)),kernel/debug/gcov.c)
OBJ := $(patsubst %,$(BUILD)/obj/%.o,$(SRC))

# Per-object slice name: objects of slice N get the Nth name; the rest are
# slice 0's.
$(OBJ): SLICE_NAME := boot
$(foreach n,$(SLICE_IDS),$(eval $(patsubst %,$(BUILD)/obj/%.o,$(slice$(n)_src)): \
	SLICE_NAME := $(call slice_name,$(n))))
# Arch-private headers (x86.h) are visible to the port's own files only.
$(BUILD)/obj/$(ARCH_DIR)/%.o: ARCH_CFLAGS := -I$(ARCH_DIR)

# Quiet by default; V=1 shows each command, make -s shows nothing.
ifeq ($(V),1)
Q :=
say = @true
else ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
Q := @
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

# ---------------------------------------------------------------------------
# Flags. Warnings are errors; the kernel is freestanding 32-bit code with
# frame pointers (the backtrace walks them) and no FPU/SSE use. Top-level
# order is kept so tests and monitor commands appear in source order. The
# stack is only 4-byte aligned where the CPU or trap.S calls C, so GCC must
# not assume more.

OPT_dev := -Og
OPT_standard := -O2
OPT_hardened := -O2 -fstack-protector-strong -mstack-protector-guard=global

CFLAGS := -std=gnu11 -m32 -march=i686 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-optimize-sibling-calls \
	-fno-asynchronous-unwind-tables -fno-toplevel-reorder -mgeneral-regs-only \
	-mpreferred-stack-boundary=2 -g \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
	$(OPT_$(PROFILE)) \
	-Ikernel/include -I$(ARCH_DIR)/include -include kernel/profile/$(PROFILE).h \
	-DKEEL_VERSION='"$(VERSION)"' -MMD -MP
ASFLAGS := -m32 -g -Ikernel/include -I$(ARCH_DIR)/include -MMD -MP
# The coverage build counts arcs in every kernel object but the runtime
# that prints the counters (kernel/debug/gcov.c); the symbol table is data.
COVERAGE_CFLAGS := -fprofile-arcs -ftest-coverage -fprofile-update=single
COVERAGE_EXCLUDE := kernel/debug/gcov.c
ifeq ($(COVERAGE),1)
CFLAGS += $(COVERAGE_CFLAGS)
endif
cflags_for = $(if $(filter $(COVERAGE_EXCLUDE),$(1)),$(filter-out $(COVERAGE_CFLAGS),$(CFLAGS)),$(CFLAGS))
LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack \
	-T arch/x86/linker.ld

# ---------------------------------------------------------------------------


.PHONY: print-slices print-slice-map unit-build fuzz all kernel iso run run-iso bochs qemu-gdb gdb test unit ktest coverage lint tcb \
	format clean deps help bench bench-linux capgraph FORCE

all: kernel
kernel: $(KERNEL)

# The build flags are part of what an object depends on.
$(BUILD)/flags: FORCE | deps-build
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS) $(LDFLAGS) $(SLICES)' | cmp -s - $@ || \
		echo '$(CC) $(CFLAGS) $(LDFLAGS) $(SLICES)' > $@

# The list of objects is part of what the links depend on: adding,
# removing or reordering a file relinks even though no object changed.
$(BUILD)/objects: FORCE
	@mkdir -p $(@D)
	@echo '$(OBJ)' | cmp -s - $@ || echo '$(OBJ)' > $@

$(BUILD)/obj/%.c.o: %.c $(BUILD)/flags
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(call cflags_for,$<) $(ARCH_CFLAGS) -DKEEL_SLICE='"$(SLICE_NAME)"' -c $< -o $@

$(BUILD)/obj/%.S.o: %.S $(BUILD)/flags
	@mkdir -p $(@D)
	$(call say,AS,$<)
	$(Q)$(CC) $(ASFLAGS) $(ARCH_CFLAGS) -c $< -o $@

# The symbol table: link once without it, generate it from that link, link
# again with it, and check that no function moved between the two links.
$(BUILD)/ksyms-empty.c: scripts/mksyms
	@mkdir -p $(@D)
	$(Q)$(PYTHON) scripts/mksyms --empty $@

$(BUILD)/ksyms%.o: $(BUILD)/ksyms%.c $(BUILD)/flags
	$(Q)$(CC) $(filter-out $(COVERAGE_CFLAGS),$(CFLAGS)) -c $< -o $@

$(BUILD)/keel-pass1.elf: $(OBJ) $(BUILD)/ksyms-empty.o arch/x86/linker.ld $(BUILD)/objects
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(OBJ) $(BUILD)/ksyms-empty.o -lgcc

$(BUILD)/ksyms-final.c: $(BUILD)/keel-pass1.elf scripts/mksyms
	$(call say,SYMS,$@)
	$(Q)$(PYTHON) scripts/mksyms --nm $(NM) $< $@

$(KERNEL): $(OBJ) $(BUILD)/ksyms-final.o arch/x86/linker.ld $(BUILD)/objects
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(OBJ) $(BUILD)/ksyms-final.o -lgcc
	@$(PYTHON) scripts/mksyms --nm $(NM) $@ $(BUILD)/ksyms-check.c
	@cmp -s $(BUILD)/ksyms-check.c $(BUILD)/ksyms-final.c || \
		{ echo "error: functions moved between the two links; see $(BUILD)/ksyms-check.c" >&2; \
		  rm -f $@; exit 1; }

-include $(OBJ:.o=.d) $(BUILD)/ksyms-final.d $(BUILD)/ksyms-empty.d

# ---------------------------------------------------------------------------
# Running and debugging.

QEMU_FLAGS := -M pc -cpu max -m 128M -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
# QEMU under scripts/qemu-run: `halt` (exit status 33) and Ctrl-A X (0)
# end make cleanly with status 0; a panic (37) or a failed test (35) says
# so in a line of words and fails with status 1, since the kernel did
# fail (scripts/qemu-run says more).
QEMU_RUN := scripts/qemu-run $(QEMU)
# From slice 3 on, the boot archive of user programs (userspace/user.mk)
# goes to the kernel as a Multiboot module.
QEMU_INITRD = $(if $(USER_ARCHIVE),-initrd $(USER_ARCHIVE))

run: $(KERNEL) | deps-run
	@echo "Booting Keel in QEMU: Ctrl-A X quits, 'halt' at the prompt too."
	$(QEMU_RUN) $(QEMU_FLAGS) -display none -serial mon:stdio \
		-kernel $(KERNEL) $(QEMU_INITRD) -append "exit=qemu $(CMDLINE)"

# The ISO's command line is baked into its grub.cfg: a change rebuilds it.
$(BUILD)/iso-cmdline: FORCE
	@mkdir -p $(@D)
	@echo '$(ISO_CMDLINE)' | cmp -s - $@ || echo '$(ISO_CMDLINE)' > $@

$(ISO): $(KERNEL) scripts/mkiso $(BUILD)/iso-cmdline | deps-iso
	$(call say,ISO,$@)
	$(Q)scripts/mkiso $(KERNEL) $@ "$(ISO_CMDLINE)" "$(USER_ARCHIVE)"

iso: $(ISO)

run-iso: $(ISO) | deps-run
	@echo "Booting the ISO in QEMU through GRUB: Ctrl-A X quits."
	$(QEMU_RUN) $(QEMU_FLAGS) -display none -serial mon:stdio -cdrom $(ISO)

bochs: $(ISO) | deps-bochs
	scripts/bochs $(ISO)

qemu-gdb: $(KERNEL) | deps-run
	@echo "QEMU is waiting for GDB on port $(GDBPORT): run 'make gdb' in another terminal."
	$(QEMU_RUN) $(QEMU_FLAGS) -display none -serial mon:stdio -S -gdb tcp::$(GDBPORT) \
		-kernel $(KERNEL) $(QEMU_INITRD) -append "exit=qemu $(CMDLINE)"

$(BUILD)/gdbinit: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' 'set pagination off' 'set confirm off' \
		'set architecture i386' 'file $(abspath $(KERNEL))' \
		'source $(abspath scripts/gdb/keel.py)' \
		'target remote localhost:$(GDBPORT)' > $@

gdb: $(KERNEL) $(BUILD)/gdbinit | deps-debug
	gdb -q -x $(BUILD)/gdbinit

# ---------------------------------------------------------------------------
# Host unit tests: pure kernel files compiled for the host with cmocka,
# AddressSanitizer and UndefinedBehaviorSanitizer. tests/unit/test_X.c
# tests the file X.c of its kernel folder (kernel/*/X.c); unit_src_X lists
# the kernel files it needs when they are more than that one.

HOSTCC ?= gcc
UNIT_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra -Werror -Ikernel/include -I$(ARCH_DIR)/include \
	-include kernel/profile/dev.h -DKEEL_VERSION='"$(VERSION)"' -DKEEL_HOST_TEST
UNIT_TESTS := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
unit_src_fmt_edges := kernel/lib/fmt.c
unit_src_config := kernel/boot/config.c kernel/boot/config_check.c kernel/lib/fmt.c
unit_src_pmm := kernel/mem/pmm.c kernel/mem/pmm_check.c
unit_src_handle := kernel/user/handle.c kernel/user/handle_check.c
unit_src_slab := kernel/mem/slab.c kernel/mem/slab_check.c kernel/mem/kmalloc.c kernel/sched/spinlock.c kernel/mem/pmm.c kernel/mem/pmm_check.c
unit_src_msgq := kernel/ipc/msgq.c kernel/ipc/msgq_check.c
unit_src_cap := kernel/cap/cap.c kernel/cap/cap_check.c kernel/user/handle.c kernel/user/handle_check.c
UNIT_BUILD ?= build/unit
UNIT_BINS := $(patsubst %,$(UNIT_BUILD)/test_%,$(UNIT_TESTS))
ifeq ($(COVERAGE),1)
UNIT_CFLAGS += --coverage
endif

unit_src = $(or $(unit_src_$(1)),$(wildcard kernel/*/$(1).c))
$(UNIT_BUILD)/test_%: tests/unit/test_%.c $(wildcard kernel/*/*.c kernel/include/keel/*.h tests/unit/*.h) | deps-test
	@mkdir -p $(@D)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(call unit_src,$*) -lcmocka

unit-build: $(UNIT_BINS)

# The fuzz target of elf_check() (tests/fuzz/fuzz_elf.c, libFuzzer under
# ASan and UBSan): FUZZ_RUNS inputs mutated from the valid images that
# elf_seeds writes, from libFuzzer's seed FUZZ_SEED. The corpus starts
# afresh each time, so a run repeats exactly; a failing input is saved
# in $(FUZZ_BUILD)/. tests/run runs it with the unit tests.
FUZZ_CC ?= clang
FUZZ_BUILD ?= build/fuzz
FUZZ_RUNS ?= 500000
FUZZ_SEED ?= 1
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Ikernel/include -I$(ARCH_DIR)/include -include kernel/profile/dev.h \
	-DKEEL_HOST_TEST
FUZZ_DEPS := $(wildcard kernel/include/keel/*.h tests/unit/*.h)

$(FUZZ_BUILD)/fuzz_elf: tests/fuzz/fuzz_elf.c kernel/user/elf.c $(FUZZ_DEPS) | deps-test
	@mkdir -p $(@D)
	$(call say,CLANG,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_elf.c kernel/user/elf.c

$(FUZZ_BUILD)/elf_seeds: tests/fuzz/elf_seeds.c $(FUZZ_DEPS) | deps-test
	@mkdir -p $(@D)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) -std=gnu11 -Wall -Wextra -Werror -Ikernel/include -I$(ARCH_DIR)/include -o $@ $<

fuzz: $(FUZZ_BUILD)/fuzz_elf $(FUZZ_BUILD)/elf_seeds
	@rm -rf $(FUZZ_BUILD)/elf-seeds $(FUZZ_BUILD)/elf-corpus
	@mkdir -p $(FUZZ_BUILD)/elf-seeds $(FUZZ_BUILD)/elf-corpus
	@$(FUZZ_BUILD)/elf_seeds $(FUZZ_BUILD)/elf-seeds
	@echo "fuzz_elf: $(FUZZ_RUNS) runs from seed $(FUZZ_SEED) (make fuzz FUZZ_SEED=$(FUZZ_SEED) repeats them)"
	@$(FUZZ_BUILD)/fuzz_elf -runs=$(FUZZ_RUNS) -seed=$(FUZZ_SEED) -max_len=4096 \
		-artifact_prefix=$(FUZZ_BUILD)/ $(FUZZ_BUILD)/elf-corpus $(FUZZ_BUILD)/elf-seeds \
		>$(FUZZ_BUILD)/fuzz_elf.log 2>&1 || \
		{ tail -n 30 $(FUZZ_BUILD)/fuzz_elf.log; echo "fuzz_elf: FAILED (log: $(FUZZ_BUILD)/fuzz_elf.log)"; exit 1; }
	@tail -n 1 $(FUZZ_BUILD)/fuzz_elf.log

# ---------------------------------------------------------------------------
# Tests and checks.

# Everything the tests drive: compilers, QEMU, GRUB, Bochs, GDB, cmocka,
# Sphinx and Doxygen.
TEST_DEPS := build run iso bochs debug test book

test:
	@scripts/deps --check $(TEST_DEPS) 2>/dev/null || scripts/deps $(TEST_DEPS)
	@$(PYTHON) tests/run $(TESTFLAGS)

unit: | deps-test
	@$(PYTHON) tests/run --only unit

ktest: $(KERNEL) | deps-run
	@$(PYTHON) tests/harness/ktest --kernel $(KERNEL) $(T)

# Benchmarks run the optimised STANDARD kernel, in a test image (the
# production image has no benchmarks); BENCHFLAGS=--tcg forces emulation.
bench: | deps-run
	@$(MAKE) -s PROFILE=standard IMAGE=test
	@$(PYTHON) scripts/bench --kernel build/standard-test/keel.elf $(BENCHFLAGS)

# The same work on Debian's Linux kernel, in the mode of Keel's last run
# (build/bench/results.json), beside Keel's figures; `make bench` does it
# too when `scripts/deps bench-linux` has fetched the kernel. The program
# is a host program, static, run as /init from a newc initramfs.
LINUX_BENCH := build/linux
bench-linux: | deps-run
	@$(PYTHON) scripts/bench-linux $(BENCHFLAGS)

$(LINUX_BENCH)/bench: tests/bench/linux/bench.c | deps-test
	@mkdir -p $(@D)
	gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

$(LINUX_BENCH)/bench.cpio: $(LINUX_BENCH)/bench | deps-build
	rm -rf $(@D)/initramfs && mkdir -p $(@D)/initramfs && cp $< $(@D)/initramfs/init
	cd $(@D)/initramfs && echo init | cpio -o -H newc --quiet >../bench.cpio

# The capability graph (slice 5): boot the in-kernel case that spawns
# t_cap_show and runs the monitor's `capgraph`, and draw what it prints
# with Graphviz (scripts/capgraph): build/capgraph.dot and .svg.
capgraph: kernel | deps-run deps-graph
	@$(if $(wildcard scripts/capgraph),$(PYTHON) scripts/capgraph --kernel $(KERNEL),\
		echo "capgraph: slice 5 (capabilities) is not in this tree" >&2; exit 1)

# Line coverage of kernel/ and arch/ by the in-kernel suites (one boot per
# suite, counters summed) and of the pure files by the unit tests.
coverage: | deps-run deps-test
	@$(PYTHON) scripts/coverage --build $(or $(COVERAGE_BUILD),build/coverage) $(T)

lint: | deps-test
	@scripts/lint
	@$(MAKE) -s --no-print-directory kernel
	@scripts/check-headers $(BUILD)
	@$(MAKE) -s --no-print-directory tcb

# The trusted base: code lines linked into the STANDARD production image.
tcb: | deps-build
	@$(MAKE) -s --no-print-directory PROFILE=standard IMAGE=production BUILD=build/standard
	@$(PYTHON) scripts/tcb --build build/standard

format: | deps-test
	clang-format -i $$(git ls-files 'kernel/*.[ch]' 'arch/*.[ch]' 'userspace/*.[ch]' 'tests/*.[ch]')

clean:
	rm -rf build

deps:
	scripts/deps all

deps-%:
	@scripts/deps --check $* 2>/dev/null || scripts/deps $*

print-slices:
	@echo $(words $(wordlist 2,99,$(SLICE_NAMES)))

# Every source file and the name of its slice, one pair a line.
print-slice-map:
	@$(foreach n,$(SLICE_IDS),$(foreach f,$(slice$(n)_src),\
		echo '$(f) $(call slice_name,$(n))';))

help::
	@sed -n 's/^#   //p' Makefile | head -3
	@echo "Targets:"
	@echo "  all         build the kernel ELF ($(KERNEL); PROFILE=, IMAGE=test|production, SLICES=N)"
	@echo "  iso         build a GRUB rescue ISO ($(ISO))"
	@echo "  run         boot in QEMU, serial on the terminal (Ctrl-A X quits)"
	@echo "  run-iso     boot the ISO in QEMU through GRUB"
	@echo "  bochs       boot the ISO in Bochs with its debugger"
	@echo "  qemu-gdb    start QEMU halted, waiting for GDB on port $(GDBPORT)"
	@echo "  gdb         attach GDB with symbols and the 'keel' commands"
	@echo "  test        run every test; ends with 'N passed, N failed'"
	@echo "  unit        run the host unit tests only"
	@echo "  fuzz        fuzz elf_check() for FUZZ_RUNS inputs from seed FUZZ_SEED (libFuzzer)"
	@echo "  ktest T=X   run in-kernel tests X (all, a suite, suite.case)"
	@echo "  bench       run the benchmarks: median, p99, min, max (JSON in build/bench)"
	@echo "  bench-linux the same work on Debian's Linux, beside Keel's (scripts/deps bench-linux)"
	@echo "  capgraph    draw t_cap_show's capability graph (build/capgraph.dot and .svg)"
	@echo "  coverage    line coverage of kernel/ and arch/ by the tests (report in build/coverage)"
	@echo "  lint        check sizes, formatting, quoted paths, header owners and the trusted base"
	@echo "  tcb         count the trusted base: code lines of the STANDARD production image"
	@echo "  format      clang-format the C sources"
	@echo "  deps        install every Debian package the project uses"
	@echo "  clean       remove build/"

# The book (make book, book-pdf, docs), the labs (make lab, grade,
# autograder) and the user programs (from slice 3 on) keep their rules
# beside their sources; included after the main help:: rule so that
# `make help` lists the main targets first. A lab tree of an earlier
# slice has no userspace/user.mk.
include book/book.mk
include labs/labs.mk
include $(wildcard userspace/user.mk)

FORCE:
