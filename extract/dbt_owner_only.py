"""A dbt-duckdb plugin: the DuckDB warehouse is created readable by its owner only.

``profiles.yml`` lists it under the ``duckdb`` output's ``plugins``, so every dbt command on
DuckDB loads it before it opens the warehouse. It sets the dbt process's umask to 077: the
warehouse file DuckDB creates is 0600, and so are its write-ahead log (``<warehouse>.wal``) and
spill files, which hold the same conversations while a build runs. Everything else the dbt
process creates is owner-only too (``target/``, ``logs/``). An existing warehouse keeps its mode
(DuckDB writes it in place): ``extract health`` warns when it is open to others.

The umask is the process's, so this is the one place that sets it: the extractor itself creates
its lake files with explicit modes (extract/lake.py).
"""

from __future__ import annotations

import os
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

OWNER_ONLY_UMASK = 0o077


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        os.umask(os.umask(OWNER_ONLY_UMASK) | OWNER_ONLY_UMASK)
