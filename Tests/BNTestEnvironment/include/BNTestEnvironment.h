// Nothing to import: the target only sets the test process's environment as it loads (autotune_off.c).
