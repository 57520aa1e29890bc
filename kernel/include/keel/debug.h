/**
 * @file debug.h
 * @brief What kernel_main() asks of the debugging tools (kernel/debug/):
 * the test runner, the benchmarks and the monitor.
 *
 * A test image links the tools, which define these. A production image
 * links kernel/debug/absent.c instead, which answers each with one line
 * saying the tool is not in this image. So the production kernel needs
 * only this header, not the tools' own (ktest.h, kbench.h, monitor.h,
 * which include it).
 */
#ifndef KEEL_DEBUG_H
#define KEEL_DEBUG_H

/**
 * @brief Take the grader's key (`ktest_key=`, 32 hex digits) from kconfig
 * and erase every copy the kernel keeps (kconfig, the boot command line).
 * Called by kernel_main() right after the command line is parsed, before
 * any other slice's code runs. Without a key, results are not tagged.
 */
void ktest_prepare(void);

/**
 * @brief Run the cases @p selection names and report them in KTAP.
 *
 * @p selection is "all", "list" (print every id, run nothing) or a
 * comma-separated list of SUITE or SUITE.CASE (a leading "slice." is
 * accepted too). An unknown name is reported with the list of suites.
 * @return the exit code for the harness: KEEL_EXIT_PASS or KEEL_EXIT_FAIL.
 */
int ktest_run(const char *selection);

/**
 * @brief Run the benchmarks @p selection names ("all" or names separated
 * by ','), printing their samples. @return KEEL_EXIT_PASS, or
 * KEEL_EXIT_FAIL for an unknown name.
 */
int kbench_run(const char *selection);

/**
 * @brief Read and run commands until `halt` or `reboot`. Test images only
 * (kernel/debug/monitor.c); a production image prints that the monitor
 * is not in it, and returns (kernel/debug/absent.c).
 */
void monitor_run(void);

#endif
