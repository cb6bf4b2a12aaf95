"""Extract: land AI coding-assistant conversation logs as raw Parquet records."""

import os

__version__ = "0.1.0"

# Arrow's default allocator (mimalloc in the Linux wheels) keeps much of what it frees, per thread:
# in the extract process, which builds and writes batch after batch and reads every state file to
# compact them, that was about 50 MB of its peak RSS for a 1 GB corpus. The system allocator gives
# it back, at no measurable cost in speed. Arrow reads this when pyarrow is imported, so it is set
# here, before any module of the package imports pyarrow; a value the user set stays.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
