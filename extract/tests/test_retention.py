"""Claude Code's cleanupPeriodDays: what it would delete before it lands (extract/retention.py)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import Result

from extract import retention
from extract.lake import Lake
from extract.retention import DEFAULT_PERIOD_DAYS, cleanup_period, scan
from extract.state import load_states
from extract.tests.conftest import build_claude_home

NOW = datetime.now(timezone.utc)


def _age(path: Path, days: float) -> None:
    when = (NOW - timedelta(days=days)).timestamp()
    os.utime(path, (when, when))


def _settings(config_dir: Path, **settings: object) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "settings.json").write_text(json.dumps(settings))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fake $HOME whose ~/.claude holds the fixture sessions, all modified 25 days ago."""
    home = tmp_path / "home"
    projects = build_claude_home(home / ".claude")
    for path in projects.rglob("*"):
        if path.is_file():
            _age(path, 25)
    return home


def test_period_default_user_setting_and_managed_override(tmp_path: Path) -> None:
    config = tmp_path / ".claude"
    config.mkdir()
    assert cleanup_period(config, tmp_path / "none.json").days == DEFAULT_PERIOD_DAYS
    _settings(config, cleanupPeriodDays=90)
    period = cleanup_period(config, tmp_path / "none.json")
    assert (period.days, period.source) == (90, str(config / "settings.json"))
    managed = tmp_path / "managed-settings.json"
    managed.write_text(json.dumps({"cleanupPeriodDays": 10}))
    assert cleanup_period(config, managed).days == 10
    _settings(config, cleanupPeriodDays="forever")
    bad = cleanup_period(config, tmp_path / "none.json")
    assert bad.days == DEFAULT_PERIOD_DAYS and "not a whole number" in bad.problems[0]
    (config / "settings.json").write_text("{not json")
    assert "cannot read" in cleanup_period(config, tmp_path / "none.json").problems[0]


def test_old_transcripts_not_in_the_lake_are_at_risk_until_they_land(
    home: Path, tmp_path: Path
) -> None:
    env: dict[str, str] = {}
    none = tmp_path / "none.json"
    (claude,) = scan({}, NOW, env=env, home=home, managed=none)
    # 25 days old, default 30 - margin 7 = 23: every source file is at risk
    assert claude.transcripts == 4 and len(claude.at_risk) == 4
    assert claude.period.days == 30 and not claude.short
    (message,) = claude.warnings()
    assert "4 Claude Code transcript(s)" in message and "not in the lake" in message

    young = scan({}, NOW, env=env, home=home, managed=none, margin_days=2)[0]
    assert young.at_risk == []  # 25 < 30 - 2: not yet

    lake = tmp_path / "lake"
    from extract.runner import run_extract

    summary = run_extract(lake_uri=str(lake), platforms=["claude_code"], env=env, home=home)
    assert summary.status == "ok"
    landed = scan(load_states(Lake(str(lake))), NOW, env=env, home=home, managed=none)[0]
    assert landed.at_risk == [] and landed.warnings() == []

    # a session that grew after it landed is at risk again (its new lines are not in the lake)
    session = next((home / ".claude" / "projects").rglob("*.jsonl"))
    with open(session, "ab") as f:
        f.write(b'{"type":"user"}\n')
    _age(session, 25)
    grown = scan(load_states(Lake(str(lake))), NOW, env=env, home=home, managed=none)[0]
    assert [r.path for r in grown.at_risk] == [os.path.realpath(session)]
    assert grown.at_risk[0].landed


def test_short_and_zero_periods_warn(home: Path, tmp_path: Path) -> None:
    _settings(home / ".claude", cleanupPeriodDays=10)
    (short,) = scan({}, NOW, env={}, home=home, managed=tmp_path / "none.json")
    assert short.short
    assert any("cleanupPeriodDays is 10" in w for w in short.warnings())
    _settings(home / ".claude", cleanupPeriodDays=0)
    (zero,) = scan({}, NOW, env={}, home=home, managed=tmp_path / "none.json")
    assert any("keeps no transcripts" in w for w in zero.warnings())


def test_claude_config_dir_is_a_config_folder(tmp_path: Path) -> None:
    other = tmp_path / "work-claude"
    build_claude_home(other)
    _settings(other, cleanupPeriodDays=60)
    homes = scan(
        {},
        NOW,
        env={"CLAUDE_CONFIG_DIR": str(other)},
        home=tmp_path / "empty-home",
        managed=tmp_path / "none.json",
    )
    assert [(h.config_dir, h.period.days) for h in homes] == [(str(other), 60)]


def test_states_are_read_only_when_something_is_old(home: Path, tmp_path: Path) -> None:
    calls: list[int] = []

    def states() -> dict:
        calls.append(1)
        return {}

    scan(None, NOW, env={}, home=home, managed=tmp_path / "none.json", load_states=states)
    assert calls == [1]
    scan(None, NOW - timedelta(days=20), env={}, home=home, load_states=states)
    assert calls == [1]  # seen from 20 days ago nothing was old enough: the state was not read


def test_extract_run_warns_on_stderr(
    invoke: Callable[..., Result], home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.setattr(retention, "managed_settings_path", lambda: tmp_path / "none.json")
    _settings(home / ".claude", cleanupPeriodDays=26)  # 25-day-old sessions: deleted tomorrow
    lake = str(tmp_path / "lake")
    # a filtered run lands nothing for good (no state): the transcripts stay at risk
    filtered = invoke(
        "run", "--quiet", "--lake", lake, "--platform", "claude_code", "--session", "none"
    )
    assert filtered.exit_code == 0, filtered.output
    assert "warning: 4 Claude Code transcript(s)" in filtered.stderr
    assert "cleanupPeriodDays is 26" not in filtered.stderr  # 26 is not short
    landed = invoke("run", "--quiet", "--lake", lake, "--platform", "claude_code")
    assert landed.exit_code == 0 and landed.stderr == ""
    # given with --source, the folder is a copy, not Claude Code's own: no warning
    _settings(home / ".claude", cleanupPeriodDays=3)
    explicit = invoke(
        "run",
        "--quiet",
        "--lake",
        lake,
        "--source",
        f"claude_code={home / '.claude' / 'projects'}",
        "--platform",
        "claude_code",
    )
    assert explicit.stderr == ""
    default = invoke("run", "--quiet", "--lake", lake, "--platform", "claude_code")
    assert "warning: Claude Code's cleanupPeriodDays is 3" in default.stderr
