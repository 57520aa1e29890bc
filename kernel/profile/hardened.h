/*
 * hardened.h - the HARDENED profile: every check the kernel has.
 * Assertions kept, no monitor at boot (and none in its default, production
 * image: no debugger to reach), stack protector
 * on every function with arrays or address-taken locals.
 */
#define KEEL_PROFILE_NAME "hardened"
#define KEEL_ASSERTS      1
#define KEEL_MONITOR      0
