"""Extract: land AI coding-assistant conversation logs as raw Parquet records."""

__version__ = "0.1.0"
