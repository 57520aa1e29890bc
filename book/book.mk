# book/book.mk - make rules for the book (included by the top Makefile).
