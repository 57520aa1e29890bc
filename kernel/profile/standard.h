/*
 * standard.h - the STANDARD profile: what a deployment runs.
 * Assertions compiled out, no monitor at boot, full optimisation (-O2).
 * Its default image is a production image: no monitor, tests or benchmarks.
 */
#define KEEL_PROFILE_NAME "standard"
#define KEEL_ASSERTS      0
#define KEEL_MONITOR      0
