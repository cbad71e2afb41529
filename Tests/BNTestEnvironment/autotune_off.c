// The test process's environment, set before any test runs: a constructor runs when the test
// binary loads, before Swift Testing starts, so every backend a test makes (and every bench or
// bn-train process a test starts, which inherits the environment) sees it.
#include <stdlib.h>

// BN_AUTOTUNE=0 unless the caller set it: a first-use search of launch settings would time
// candidates while other tests load the machine, write what it found into the user's own tuning
// table, and make later backends of the run launch with other settings than earlier ones. The
// tests of the search turn it on for their own backends and processes.
__attribute__((constructor)) static void bn_tests_turn_autotune_off(void) {
    setenv("BN_AUTOTUNE", "0", 0);
}
