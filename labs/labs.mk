# labs/labs.mk - make rules for the labs and grading (included by the top Makefile).
#
#   make lab N [DEST=dir]   write lab N's student tree (default ../keel-labN);
#                           MKLABFLAGS=--carry|--reference|--update (scripts/mklab)
#   make grade [LAB=N]      build this tree with the lab's pristine tests and score it;
#                           GRADEFLAGS=... are passed to scripts/grade
#   make autograder LAB=N   package a Gradescope autograder (build/autograder-labN.zip)
#
# In Keel's source tree all three exist; `make grade LAB=N` grades the
# work tree against lab N (the reference code scores full marks). A
# student tree (written by `make lab`) knows its lab from .grader/LAB and
# has `make grade` only. docs/labs.md and docs/instructor.md explain the
# rest; the tools are scripts/mklab, scripts/grade and scripts/mkautograder.

LAB_SOURCE_TREE := $(wildcard scripts/mklab)
LAB_GRADER := $(if $(wildcard .grader/scripts/grade),.grader/scripts/grade,scripts/grade)
LAB_TREE_LAB := $(strip $(if $(wildcard .grader/LAB),$(shell cat .grader/LAB)))
LAB ?= $(LAB_TREE_LAB)
GRADEFLAGS ?=
LAB_LIST := $(notdir $(wildcard labs/[0-9]*))

# `make lab 3`: the number is a second goal; take it as LAB and do nothing for it.
ifeq (lab,$(firstword $(MAKECMDGOALS)))
LAB_GOAL_NUMBER := $(word 2,$(MAKECMDGOALS))
ifneq ($(LAB_GOAL_NUMBER),)
LAB := $(LAB_GOAL_NUMBER)
$(eval $(LAB_GOAL_NUMBER):;@:)
endif
endif

.PHONY: grade lab autograder lab-print-slices

grade: | deps-build deps-run
	@test -n "$(LAB)" || { echo "usage: make grade LAB=N (labs: $(LAB_LIST))" >&2; exit 2; }
	@$(PYTHON) $(LAB_GRADER) --lab $(LAB) --workdir build/grade $(GRADEFLAGS) .

ifneq ($(LAB_SOURCE_TREE),)
lab: | deps-build
	@test -n "$(LAB)" || { echo "usage: make lab N [DEST=dir] (labs: $(LAB_LIST))" >&2; exit 2; }
	@$(PYTHON) scripts/mklab $(MKLABFLAGS) $(LAB) $(or $(DEST),../keel-lab$(LAB))

autograder: | deps-build
	@test -n "$(LAB)" || { echo "usage: make autograder LAB=N" >&2; exit 2; }
	@$(PYTHON) scripts/mkautograder $(LAB) $(or $(DEST),build/autograder-lab$(LAB).zip)

# For scripts/mklab: each slice's number, name and files (every file of its
# folders, headers included), and each host unit test's sources, whatever
# SLICES says.
lab-slice-files = $(sort $(foreach d,$(call slice_dirs,$(1),$(2)) tests/kernel/$(2) tests/bench/$(2) \
	$(if $(filter 0,$(1)),kernel/debug $(ARCH_DIR)/debug),$(wildcard $(d)/*.*)))
lab-print-slices:
	@$(foreach n,$(shell seq 0 $(words $(wordlist 2,99,$(SLICE_NAMES)))),\
		echo 'slice $(n) $(call slice_name,$(n)) $(call lab-slice-files,$(n),$(call slice_name,$(n)))';)
	@$(foreach t,$(UNIT_TESTS),echo 'unit $(t) $(call unit_src,$(t))';)

help::
	@echo "Labs:"
	@echo "  lab N       write lab N's student tree (DEST=dir, default ../keel-labN)"
	@echo "  grade       score this tree on a lab's tests (LAB=N; GRADEFLAGS=...)"
	@echo "  autograder  package a Gradescope autograder (LAB=N)"
else
lab autograder:
	@echo "make $@ works in Keel's source tree; this is the tree of lab $(LAB_TREE_LAB)." >&2
	@exit 2

help::
	@echo "Lab:"
	@echo "  grade       score lab $(LAB_TREE_LAB) with its pristine tests (labs/*/handout.rst)"
endif
