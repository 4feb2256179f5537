"""The model: state arrays, per-run context, and one module per phase of the weekly step."""
