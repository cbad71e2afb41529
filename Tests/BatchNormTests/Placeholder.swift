// The umbrella suites.
