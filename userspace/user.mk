# userspace/user.mk - building the user programs and the boot archive
# (included by the top Makefile).
#
#   $(BUILD)/boot.cpio      the boot archive: every program, by file name
#   $(BUILD)/user/bin/NAME  one program (userspace/programs/NAME.c or
#                           userspace/tests/NAME.c)
#
# User programs exist from slice 3 (user) on: with SLICES below 3, or in
# a tree without userspace/lib/ (a lab tree of an earlier slice), this
# file defines nothing but an empty USER_ARCHIVE, and the run targets
# boot without an archive.
#
# Each program is one C file linked with the user library (userspace/lib/,
# as libkeel.a) by userspace/user.ld. Programs see two include folders:
# userspace/include/ (the library) and kernel/include/, for <keel/abi.h>
# alone; a check refuses any other kernel header. The archive is a cpio
# "newc" file of the programs' names without folders, in sorted order,
# with fixed owners, modes and times, so the same sources give the same
# bytes. A test image's archive (IMAGE=test) adds the test programs of
# userspace/tests/ and the malformed images userspace/mkbad.py derives
# from hello; a production archive holds userspace/programs/ only.

USER_SLICE := 3
USER_ARCHIVE :=

ifneq ($(wildcard userspace/lib/start.S),)
ifeq ($(shell test $(SLICES) -ge $(USER_SLICE) && echo yes),yes)

USER_BUILD := $(BUILD)/user
USER_ARCHIVE := $(BUILD)/boot.cpio
AR := $(CROSS)ar
STRIP := $(CROSS)strip

USER_CFLAGS := -std=gnu11 -m32 -march=i686 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-mgeneral-regs-only -O2 -g \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
	-Iuserspace/include -Ikernel/include -MMD -MP -DKEEL_SLICES=$(SLICES)
USER_ASFLAGS := -m32 -g -MMD -MP
USER_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack \
	-T userspace/user.ld

USER_LIB_SRC := $(sort $(wildcard userspace/lib/*.c userspace/lib/*.S))
USER_LIB_OBJ := $(patsubst %,$(USER_BUILD)/obj/%.o,$(filter-out %/start.S,$(USER_LIB_SRC)))
USER_START := $(USER_BUILD)/obj/userspace/lib/start.S.o
USER_LIB := $(USER_BUILD)/libkeel.a

USER_PROGRAMS := $(patsubst userspace/programs/%.c,%,$(sort $(wildcard userspace/programs/*.c)))
# A later slice's test programs are in userspace/tests/NAME/ (NAME the
# slice's name, as in SLICE_NAMES) and are built only with that slice.
USER_LATER := $(wordlist $(shell expr $(USER_SLICE) + 2),$(shell expr $(SLICES) + 1),$(SLICE_NAMES))
USER_TEST_DIRS := userspace/tests $(addprefix userspace/tests/,$(USER_LATER))
USER_TEST_SRC := $(sort $(foreach d,$(USER_TEST_DIRS),$(wildcard $(d)/*.c)))
USER_TESTS := $(notdir $(USER_TEST_SRC:.c=))
USER_BAD := bad_magic bad_class bad_machine bad_overlap bad_wx bad_kernel bad_toolarge \
	bad_entry bad_truncated
USER_IN_ARCHIVE := $(USER_PROGRAMS) $(if $(filter test,$(IMAGE)),$(USER_TESTS))
USER_BINS := $(patsubst %,$(USER_BUILD)/bin/%,$(USER_IN_ARCHIVE))
USER_SRC := $(USER_LIB_SRC) $(wildcard userspace/programs/*.c) $(USER_TEST_SRC)

.PHONY: user
user: $(USER_ARCHIVE)
all kernel: $(USER_ARCHIVE)
run qemu-gdb: $(USER_ARCHIVE)
# `keel user NAME` in `make gdb` reads a program's symbols from $(USER_BUILD)/bin/.
gdb: $(USER_BINS)
$(ISO): $(USER_ARCHIVE)

# The user build's flags are part of what its objects depend on.
$(USER_BUILD)/flags: FORCE | deps-build
	@mkdir -p $(@D)
	@echo '$(CC) $(USER_CFLAGS) $(USER_LDFLAGS)' | cmp -s - $@ || \
		echo '$(CC) $(USER_CFLAGS) $(USER_LDFLAGS)' > $@

# User code sees <keel/abi.h> and no other kernel header: the contract is
# that one file.
$(USER_BUILD)/includes-ok: $(USER_SRC) $(wildcard userspace/include/*.h)
	@mkdir -p $(@D)
	@bad=$$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](keel/|.*kernel/|.*arch/)' \
		$^ | grep -vE '[<"]keel/abi\.h[>"]'); \
	if [ -n "$$bad" ]; then \
		echo "$$bad"; \
		echo "error: user code may include <keel/abi.h> and no other kernel header" >&2; \
		exit 1; \
	fi
	@touch $@

$(USER_BUILD)/obj/%.c.o: %.c $(USER_BUILD)/flags $(USER_BUILD)/includes-ok
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(USER_BUILD)/obj/%.S.o: %.S $(USER_BUILD)/flags
	@mkdir -p $(@D)
	$(call say,AS,$<)
	$(Q)$(CC) $(USER_ASFLAGS) -c $< -o $@

$(USER_LIB): $(USER_LIB_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcsD $@ $^

# A program: its one C file, the start-up code and the library. Its
# object is reached through a pattern, which would make it an intermediate
# file that make deletes (and so rebuilds next time): keep it, and the
# start-up object, which only such rules name.
USER_PROG_OBJ := $(patsubst %,$(USER_BUILD)/obj/userspace/programs/%.c.o,$(USER_PROGRAMS)) \
	$(patsubst %,$(USER_BUILD)/obj/%.o,$(USER_TEST_SRC))
.SECONDARY: $(USER_PROG_OBJ) $(USER_START)

$(USER_BUILD)/bin/%: $(USER_BUILD)/obj/userspace/programs/%.c.o $(USER_START) $(USER_LIB) \
		userspace/user.ld
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(USER_LDFLAGS) -o $@ $(USER_START) $< $(USER_LIB) -lgcc

define USER_TEST_RULE
$$(USER_BUILD)/bin/%: $$(USER_BUILD)/obj/$(1)/%.c.o $$(USER_START) $$(USER_LIB) userspace/user.ld
	@mkdir -p $$(@D)
	$$(call say,LD,$$@)
	$$(Q)$$(CC) $$(USER_LDFLAGS) -o $$@ $$(USER_START) $$< $$(USER_LIB) -lgcc
endef
$(foreach d,$(USER_TEST_DIRS),$(eval $(call USER_TEST_RULE,$(d))))

# The archive, staged in a folder of its own: fixed names, modes, owners
# and times. Its programs carry no debug sections (GDB reads them from
# $(USER_BUILD)/bin/). The malformed images come from hello, one defect each.
$(USER_ARCHIVE): $(USER_BINS) userspace/mkbad.py userspace/user.mk | deps-build
	$(call say,CPIO,$@)
	$(Q)rm -rf $(USER_BUILD)/root && mkdir -p $(USER_BUILD)/root
	$(Q)for f in $(USER_BINS); do \
		$(STRIP) --strip-debug -o $(USER_BUILD)/root/$${f##*/} $$f || exit 1; done
	$(Q)$(if $(filter test,$(IMAGE)),$(PYTHON) userspace/mkbad.py $(USER_BUILD)/root/hello \
		$(USER_BUILD)/root $(USER_BAD))
	$(Q)chmod 0755 $(USER_BUILD)/root/* && touch -h -d @0 $(USER_BUILD)/root/*
	$(Q)cd $(USER_BUILD)/root && ls | LC_ALL=C sort | \
		cpio -o -H newc --reproducible -R 0:0 --quiet > $(abspath $@).tmp
	$(Q)mv $@.tmp $@

-include $(USER_LIB_OBJ:.o=.d) $(USER_START:.o=.d) \
	$(patsubst %,$(USER_BUILD)/obj/userspace/programs/%.c.d,$(USER_PROGRAMS)) \
	$(patsubst %,$(USER_BUILD)/obj/%.d,$(USER_TEST_SRC))

help::
	@echo "User programs:"
	@echo "  user        build the boot archive of user programs ($(USER_ARCHIVE))"

endif
endif
