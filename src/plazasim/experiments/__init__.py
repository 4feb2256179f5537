"""Experiments: one run, compare, validate, prior predictive checks, posterior draws."""
