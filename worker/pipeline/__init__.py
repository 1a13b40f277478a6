"""The nightly pipeline: sync -> tag -> profiles -> reports, one run at a time."""
