"""Roo Code (VS Code extension ``rooveterinaryinc.roo-cline``) and its fork Kilo Code.

Roo Code keeps Cline's task-folder format (see :mod:`extract.platforms.cline_family`) and adds
``apiProtocol`` to each ``api_req_started`` (whether ``tokensIn`` includes cached tokens), the
condense / truncation markers in the API history and a ``history_item.json`` per task folder.

Kilo Code (``kilocode.kilo-code``) is a fork of Roo Code that writes the same files with the same
Roo additions, so its tasks land under the ``roo_code`` platform; the extension id stays visible in
``source_uri`` and in each message's ``metadata.extension_id``.
"""

from __future__ import annotations

from extract.platforms.cline_family import ClineFamily


class RooCode(ClineFamily):
    name = "roo_code"
    extension_ids = ("rooveterinaryinc.roo-cline", "kilocode.kilo-code")
    locations_summary = (
        "VS Code-like `User/globalStorage/<extension id>/tasks/<task id>/` (Code, Insiders, "
        "VSCodium, Cursor, Windsurf; Linux, macOS, `%APPDATA%`, `~/.vscode-server` and friends): "
        "Roo Code `rooveterinaryinc.roo-cline` and its fork Kilo Code `kilocode.kilo-code`"
    )
