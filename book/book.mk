# book/book.mk - make rules for the book (included by the top Makefile).
#
#   make book         the HTML book, into $(BOOK_BUILD)/html
#   make book-pdf     the same as a PDF through LaTeX (scripts/deps book-pdf)
#   make docs         the Doxygen API reference alone, into $(BOOK_BUILD)/doxygen/html
#   make book-check   every check of `make book`, without writing HTML (fast)
#
# Two Doxygen runs come first. docs/Doxyfile documents the public headers
# (kernel/include/keel) and fails on any undocumented declaration; its XML
# feeds the book's API reference through Breathe. book/code-index.doxyfile
# indexes every C file, so a chapter can quote any symbol. Sphinx then
# reads chapters/ with -n -W --keep-going: a quotation that no longer
# resolves, a broken cross reference or any warning fails the build.
#
# Variables: BOOK_BUILD (default build/book); KEEL_SOURCE_URL, a pattern
# for the links of listings, e.g.
#   https://git.example.org/keel/blob/{commit}/{path}#L{first}-L{last}
# (unset: each listing links to a page of the book that shows the file).

BOOK_BUILD ?= build/book
KEEL_SOURCE_URL ?=
SPHINXBUILD := $(PYTHON) -m sphinx
BOOK_SPHINXFLAGS := -n -W --keep-going -E -q -c book
BOOK_ENV := KEEL_BOOK_BUILD='$(abspath $(BOOK_BUILD))' KEEL_SOURCE_URL='$(KEEL_SOURCE_URL)' \
	PYTHONDONTWRITEBYTECODE=1
BOOK_API_XML := $(BOOK_BUILD)/doxygen/xml/index.xml
BOOK_CODE_XML := $(BOOK_BUILD)/code-xml/index.xml
BOOK_HEADERS := $(wildcard kernel/include/keel/*.h)
BOOK_CODE := $(shell find kernel arch tests/kernel userspace -name '*.[ch]' 2>/dev/null)

.PHONY: book book-pdf book-check docs

# The API reference. Doxygen writes its output even when it fails, so a
# failure removes it: the next make must not take it for up to date.
$(BOOK_API_XML): docs/Doxyfile $(BOOK_HEADERS) | deps-book
	$(call say,DOXYGEN,docs/Doxyfile)
	@rm -rf $(BOOK_BUILD)/doxygen && mkdir -p $(BOOK_BUILD)/doxygen
	$(Q)( cat docs/Doxyfile; echo 'OUTPUT_DIRECTORY = $(BOOK_BUILD)/doxygen' ) | doxygen - || \
		{ rm -rf $(BOOK_BUILD)/doxygen; \
		  echo "error: every public declaration in kernel/include/keel/ needs a doc comment" \
		       "(/** @brief ... */); see the lines above" >&2; exit 1; }

# The code index for quoting by symbol.
$(BOOK_CODE_XML): book/code-index.doxyfile docs/Doxyfile $(BOOK_CODE) | deps-book
	$(call say,DOXYGEN,book/code-index.doxyfile)
	@rm -rf $(BOOK_BUILD)/code-xml && mkdir -p $(BOOK_BUILD)
	$(Q)( cat book/code-index.doxyfile; echo 'OUTPUT_DIRECTORY = $(BOOK_BUILD)' ) | doxygen - \
		|| { rm -rf $(BOOK_BUILD)/code-xml; exit 1; }

docs: $(BOOK_API_XML)
	@echo "API reference: $(BOOK_BUILD)/doxygen/html/index.html"

book: $(BOOK_API_XML) $(BOOK_CODE_XML) | deps-book
	$(call say,SPHINX,$(BOOK_BUILD)/html)
	$(Q)$(BOOK_ENV) $(SPHINXBUILD) -b html $(BOOK_SPHINXFLAGS) chapters $(BOOK_BUILD)/html
	@echo "The book: $(BOOK_BUILD)/html/index.html"

book-check: $(BOOK_API_XML) $(BOOK_CODE_XML) | deps-book
	$(call say,SPHINX,check)
	$(Q)$(BOOK_ENV) $(SPHINXBUILD) -b dummy $(BOOK_SPHINXFLAGS) chapters $(BOOK_BUILD)/check
	@echo "book-check: every quotation and reference resolves"

book-pdf: $(BOOK_API_XML) $(BOOK_CODE_XML) | deps-book deps-book-pdf
	$(call say,SPHINX,$(BOOK_BUILD)/latex)
	$(Q)$(BOOK_ENV) $(SPHINXBUILD) -b latex $(BOOK_SPHINXFLAGS) chapters $(BOOK_BUILD)/latex
	$(call say,LATEX,$(BOOK_BUILD)/latex/keel.pdf)
	$(Q)$(MAKE) -s -C $(BOOK_BUILD)/latex LATEXMKOPTS='-silent -interaction=nonstopmode' \
		all-pdf >$(BOOK_BUILD)/latex/build.log 2>&1 || \
		{ tail -30 $(BOOK_BUILD)/latex/build.log >&2; \
		  echo "error: LaTeX failed; the full log is $(BOOK_BUILD)/latex/build.log" >&2; exit 1; }
	@echo "The book as PDF: $(BOOK_BUILD)/latex/keel.pdf"

help::
	@echo "Book:"
	@echo "  book        build the book as HTML ($(BOOK_BUILD)/html/index.html)"
	@echo "  book-pdf    build the book as a PDF through LaTeX (scripts/deps book-pdf)"
	@echo "  docs        build the Doxygen API reference alone ($(BOOK_BUILD)/doxygen/html)"
	@echo "  book-check  check every quotation and cross reference, without writing HTML"
