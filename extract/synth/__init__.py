"""A synthetic corpus of assistant logs, in every platform's real on-disk format, with a manifest
of the exact totals a correct warehouse must show (``python -m extract synth``).

One module per platform writer (``claude_code``, ``copilot_chat``, ``chatgpt``, ``continue_``,
``cline_family`` for Cline and Roo Code, ``openai_api``), ``manifest`` for the totals and
``corpus`` to generate a corpus or extend it (new and grown sessions). Deterministic: one seed,
the same bytes.
"""

from extract.synth.corpus import SynthError, extend, generate, parse_size
from extract.synth.manifest import Manifest, Totals

__all__ = ["Manifest", "SynthError", "Totals", "extend", "generate", "parse_size"]
