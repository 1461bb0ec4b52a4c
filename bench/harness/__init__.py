"""What every benchmark of `make bench` shares: the sandbox, measured runs, configs, reports."""
