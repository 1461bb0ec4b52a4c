"""The benchmarks `make bench` runs, one module each, each returning a report section."""
