"""Scenario TOML files shipped with plazasim (``plazasim scenarios`` lists them)."""
