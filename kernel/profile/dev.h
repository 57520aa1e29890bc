/*
 * dev.h - the DEV profile: for learning and debugging.
 * Assertions on, the monitor started after boot (a test image), light
 * optimisation (-Og) so GDB shows every variable.
 */
#define KEEL_PROFILE_NAME "dev"
#define KEEL_ASSERTS      1
#define KEEL_MONITOR      1
