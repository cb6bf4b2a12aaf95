"""The extract process's Arrow allocator: the system one (mimalloc kept what it freed)."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import REPO_ROOT

SHOW_BACKEND = "import extract.runner, pyarrow; print(pyarrow.default_memory_pool().backend_name)"


def _backend(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SHOW_BACKEND],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _env_without_choice() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}


def test_the_extract_process_uses_the_system_allocator() -> None:
    assert _backend(_env_without_choice()) == "system"


def test_an_allocator_the_user_chose_stays() -> None:
    env = _env_without_choice()
    default = subprocess.run(
        [sys.executable, "-c", "import pyarrow; print(pyarrow.default_memory_pool().backend_name)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert _backend({**env, "ARROW_DEFAULT_MEMORY_POOL": default}) == default
