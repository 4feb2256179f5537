"""Results: the per-run Parquet/JSON store and DuckDB queries over it (docs/OUTPUTS.md)."""

from plazasim.results.store import RunTables, check_out_dir, query, read_run, write_run

__all__ = ["RunTables", "check_out_dir", "query", "read_run", "write_run"]
