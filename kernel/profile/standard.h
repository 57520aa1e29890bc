/*
 * standard.h - the STANDARD profile: what a deployment runs.
 * Assertions compiled out, no monitor, full optimisation (-O2).
 */
#define KEEL_PROFILE_NAME "standard"
#define KEEL_ASSERTS      0
#define KEEL_MONITOR      0
