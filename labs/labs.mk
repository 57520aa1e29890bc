# labs/labs.mk - make rules for the labs and grading (included by the top Makefile).
