"""Experiments: one run, and (in later work) compare, sweep, calibrate, sensitivity."""
