from __future__ import annotations

import os
from pathlib import Path

from extract.discovery import RealPaths, discover_sources
from extract.platforms import REGISTRY
from extract.platforms.cline_family import TASK_FILES
from extract.progress import RunError

from .conftest import PROJECT, SESSION_ID, build_claude_home

CC = REGISTRY["claude_code"]


def names(files: list) -> list[str]:
    return sorted(Path(f.uri).name for f in files)


def test_default_roots_union(tmp_path: Path) -> None:
    env = {"CLAUDE_CONFIG_DIR": f"{tmp_path}/a, {tmp_path}/b,,"}
    roots = CC.default_roots(env, tmp_path / "home")
    assert roots == [
        tmp_path / "home" / ".claude" / "projects",
        tmp_path / "home" / ".config" / "claude" / "projects",
        tmp_path / "a" / "projects",
        tmp_path / "b" / "projects",
    ]


def test_file_formats() -> None:
    kinds = {
        "s.jsonl": ("jsonl", "session_line"),
        "agent-x.meta.json": ("json", "subagent_meta"),
        "sessions-index.json": ("json", "sessions_index"),
        "web.json": ("json", "document"),
    }
    for name, (splitter, kind) in kinds.items():
        fmt = CC.file_format(Path(name))
        assert fmt is not None
        assert (fmt.splitter, fmt.record_kind) == (splitter, kind)
    assert CC.file_format(Path("web.json")).array_member == "loglines"
    assert CC.file_format(Path("notes.txt")) is None


def test_source_version() -> None:
    assert CC.source_version({"version": "2.1.31"}) == "2.1.31"
    assert CC.source_version({"version": 1}) is None
    assert CC.source_version([{"version": "1"}]) is None
    assert CC.source_version(None) is None


def test_recursive_discovery_of_subagents_and_side_files(tmp_path: Path) -> None:
    projects = build_claude_home(tmp_path / ".claude")
    index = projects / PROJECT / "sessions-index.json"
    index.write_text('{"version":1,"entries":[]}')
    wf = projects / PROJECT / SESSION_ID / "subagents" / "workflows" / "wf1"
    wf.mkdir(parents=True)
    (wf / "agent-w1.jsonl").write_text("{}\n")
    (projects / PROJECT / "agent-old.jsonl").write_text("{}\n")
    errors: list[RunError] = []
    files = discover_sources(CC, [projects], explicit=False, errors=errors)
    assert errors == []
    assert names(files) == sorted(
        [
            f"{SESSION_ID}.jsonl",
            "agent-a1b2c3d4e5f6a7b8c.jsonl",
            "agent-a1b2c3d4e5f6a7b8c.meta.json",
            "web_session.json",
            "sessions-index.json",
            "agent-w1.jsonl",
            "agent-old.jsonl",
        ]
    )


def test_missing_default_roots_are_silent_missing_explicit_is_an_error(tmp_path: Path) -> None:
    errors: list[RunError] = []
    assert discover_sources(CC, [tmp_path / "nope"], explicit=False, errors=errors) == []
    assert errors == []
    assert discover_sources(CC, [tmp_path / "nope"], explicit=True, errors=errors) == []
    assert [e.message for e in errors] == ["source path not found"]


def test_symlinks_are_deduplicated_by_real_path(tmp_path: Path) -> None:
    projects = build_claude_home(tmp_path / "real")
    session = projects / PROJECT / f"{SESSION_ID}.jsonl"
    # a second root that is a symlink to the same folder, and a file symlink inside the tree
    (tmp_path / "alias").symlink_to(projects, target_is_directory=True)
    (projects / PROJECT / "link.jsonl").symlink_to(session)
    # a directory loop must not hang discovery
    (projects / PROJECT / "loop").symlink_to(projects, target_is_directory=True)
    errors: list[RunError] = []
    files = discover_sources(CC, [projects, tmp_path / "alias"], explicit=False, errors=errors)
    uris = [f.uri for f in files]
    assert len(uris) == len(set(uris)) == 4
    assert os.path.realpath(session) in uris


def test_real_paths_agree_with_realpath(tmp_path: Path) -> None:
    """Resolved once per folder, the same as os.path.realpath: through a symlinked folder, for a
    symlinked file, and for a relative path."""
    real = tmp_path / "real" / "sub"
    real.mkdir(parents=True)
    (real / "a.jsonl").write_text("{}\n")
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    (real / "link.jsonl").symlink_to(real / "a.jsonl")
    # a relative symlink to a folder that is reached through another symlink (a chain), and a
    # symlinked folder below an ordinary one
    (tmp_path / "chain").symlink_to("alias/sub", target_is_directory=True)
    (real / "deeper").mkdir()
    (real / "deeper" / "b.jsonl").write_text("{}\n")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "to_deeper").symlink_to(real / "deeper", target_is_directory=True)
    paths = [
        tmp_path / "alias" / "sub" / "a.jsonl",
        tmp_path / "alias" / "sub" / "link.jsonl",
        real / "a.jsonl",
        real / "missing.jsonl",
        Path(os.path.relpath(real / "a.jsonl")),
        tmp_path / "chain" / "a.jsonl",
        tmp_path / "chain" / "deeper" / "b.jsonl",
        tmp_path / "plain" / "to_deeper" / "b.jsonl",
        tmp_path / "plain" / ".." / "alias" / "sub" / "deeper" / "b.jsonl",
        tmp_path / "nowhere" / "c.jsonl",
    ]
    resolver = RealPaths()
    assert [resolver.resolve(p) for p in paths] == [os.path.realpath(p) for p in paths]
    assert resolver.resolve(paths[1]) == str((real / "a.jsonl").resolve())


def test_explicit_file_and_folder(tmp_path: Path) -> None:
    projects = build_claude_home(tmp_path / ".claude")
    session = projects / PROJECT / f"{SESSION_ID}.jsonl"
    errors: list[RunError] = []
    assert names(discover_sources(CC, [session], explicit=True, errors=errors)) == [session.name]
    folder = projects / PROJECT / SESSION_ID
    assert names(discover_sources(CC, [folder], explicit=True, errors=errors)) == [
        "agent-a1b2c3d4e5f6a7b8c.jsonl",
        "agent-a1b2c3d4e5f6a7b8c.meta.json",
    ]
    assert errors == []


def test_cli_scans_fake_home_and_claude_config_dir(tmp_path: Path, monkeypatch, run_json) -> None:
    home = tmp_path / "home"
    build_claude_home(home / ".claude")
    other = tmp_path / "cfg"
    (other / "projects" / "p").mkdir(parents=True)
    (other / "projects" / "p" / "s.jsonl").write_text('{"version":"1.0.0"}\n')
    xdg = home / ".config" / "claude" / "projects" / "q"
    xdg.mkdir(parents=True)
    (xdg / "t.jsonl").write_text("{}\n{}\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", f"{other},{home / '.claude'}")
    summary = run_json()
    counts = summary["platforms"]["claude_code"]
    # 4 from ~/.claude (also reached through CLAUDE_CONFIG_DIR: counted once), 1 + 1 more
    assert counts["files_seen"] == 6
    assert counts["new"] == 6


def test_source_replaces_default_roots(tmp_path: Path, monkeypatch, run_json) -> None:
    home = tmp_path / "home"
    build_claude_home(home / ".claude")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    only = tmp_path / "only.jsonl"
    only.write_text('{"a":1}\n')
    summary = run_json("--source", f"claude_code={only}")
    assert summary["platforms"]["claude_code"]["files_seen"] == 1
    assert summary["totals"]["rows_landed"] == 1


def test_walk_knows_real_paths_through_symlinks(tmp_path: Path, monkeypatch) -> None:
    """The real path the scan gives each file (from its folder's, without realpath per file) is
    os.path.realpath's: below a symlinked folder, a chain of symlinks, for a symlinked file and
    from a relative root; and discovery's source_uri is that real path."""
    real = tmp_path / "real" / "sub"
    (real / "deeper").mkdir(parents=True)
    (real / "a.jsonl").write_text("{}\n")
    (real / "deeper" / "b.jsonl").write_text("{}\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "c.jsonl").write_text("{}\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "chain").symlink_to("real/sub", target_is_directory=True)
    (root / "via_chain").symlink_to(tmp_path / "chain", target_is_directory=True)
    (root / "link.jsonl").symlink_to(tmp_path / "elsewhere" / "c.jsonl")
    (root / "rel.jsonl").symlink_to("../elsewhere/c.jsonl")
    (tmp_path / "root_alias").symlink_to("root", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    for start in (root, Path("root"), Path("root_alias"), tmp_path / "real" / ".." / "root"):
        found = list(CC.walk(start))
        assert found, start
        for path, real_path in found:
            assert real_path == os.path.realpath(path), path
        assert [Path(path) for path, _ in found] == list(CC.discover(start))
        errors: list[RunError] = []
        files = discover_sources(CC, [start], explicit=True, errors=errors)
        assert errors == []
        assert sorted(f.uri for f in files) == sorted(
            {
                os.path.realpath(tmp_path / p)
                for p in ("real/sub/a.jsonl", "real/sub/deeper/b.jsonl")
            }
            | {os.path.realpath(tmp_path / "elsewhere" / "c.jsonl")}
        )
        assert all(f.path.is_relative_to(start) for f in files)  # paths as discovered


def test_walk_reports_an_unlistable_folder_and_goes_on(tmp_path: Path, monkeypatch) -> None:
    root = build_claude_home(tmp_path / ".claude")
    locked = root / PROJECT / "locked"
    locked.mkdir()
    (locked / "x.jsonl").write_text("{}\n")
    listing = os.scandir

    def scandir(path):  # as for a folder without read permission (root reads any)
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)

    monkeypatch.setattr(os, "scandir", scandir)
    errors: list[RunError] = []
    files = discover_sources(CC, [root], explicit=True, errors=errors)
    assert [(e.file, e.message) for e in errors] == [(str(locked), "Permission denied")]
    assert files and not [f for f in files if "locked" in f.uri]


def test_a_platform_that_overrides_discover_is_still_found(tmp_path: Path) -> None:
    """A platform written before ``find`` (it overrides ``discover``) keeps its own discovery:
    runs list its paths, and one that filters the default scan through ``super()`` works too."""
    projects = tmp_path / "projects" / "-home-dev-app"
    projects.mkdir(parents=True)
    for name in ("a.jsonl", "b.jsonl"):
        (projects / name).write_text('{"type":"user"}\n')

    class OnlyA(type(CC)):  # type: ignore[misc]
        def discover(self, root, on_error=None):  # type: ignore[no-untyped-def]
            for path in super().discover(root, on_error):
                if path.name == "a.jsonl":
                    yield path

    errors: list[RunError] = []
    files = discover_sources(OnlyA(), [tmp_path / "projects"], explicit=True, errors=errors)
    assert [Path(f.uri).name for f in files] == ["a.jsonl"] and not errors
    assert [f.uri for f in files] == [os.path.realpath(projects / "a.jsonl")]


def _example_and_fixture_files() -> list[Path]:
    tests = Path(__file__).parent
    return [
        p
        for top in (tests / "fixtures", tests.parent.parent / "examples")
        for p in sorted(top.rglob("*"))
        if p.is_file()
    ]


def test_file_format_of_a_str_is_that_of_the_path() -> None:
    """Discovery hands the built-in platforms (``str_paths``) a str: the same format as the Path,
    for every example and fixture file and for names no platform takes."""
    files = _example_and_fixture_files()
    files += [Path(n) for n in ("a.txt", "x.JSON", "d/.jsonl", "taskHistory.json", "e.zip")]
    assert len(files) > 50
    for platform in REGISTRY.values():
        assert platform.str_paths, platform.name
        for path in files:
            expected = platform.file_format(path)
            assert platform.file_format(str(path)) == expected, (platform.name, path)
            assert platform.format_of(str(path)) == expected, (platform.name, path)


def test_format_of_gives_a_platform_without_str_paths_a_path() -> None:
    seen: list[object] = []

    class PathOnly(type(CC)):  # type: ignore[misc]
        str_paths = False

        def file_format(self, path):  # type: ignore[no-untyped-def]
            seen.append(path)
            return super().file_format(path)

    assert PathOnly().format_of("/x/s.jsonl") is not None
    assert seen == [Path("/x/s.jsonl")] and isinstance(seen[0], Path)


def test_cline_family_keeps_the_files_the_path_rules_keep() -> None:
    """The task-folder rules on the str a scan gives agree with the same rules on Path parts."""

    def by_path(path: Path) -> bool:
        name = path.name
        if name not in TASK_FILES:
            return "globalStorage" not in path.parts
        if name == "taskHistory.json":
            return path.parent.name in ("state", "tasks")
        return path.parent.parent.name == "tasks" or "globalStorage" not in path.parts

    cases = [
        "/h/.config/Code/User/globalStorage/ext/tasks/t1/ui_messages.json",
        "/h/.config/Code/User/globalStorage/ext/tasks/t1/checkpoints/ui_messages.json",
        "/h/.config/Code/User/globalStorage/ext/state/taskHistory.json",
        "/h/.config/Code/User/globalStorage/ext/tasks/taskHistory.json",
        "/h/.config/Code/User/globalStorage/ext/cache/taskHistory.json",
        "/h/.config/Code/User/globalStorage/ext/settings/x_ui_messages.json",
        "/copies/t1_ui_messages.json",
        "/copies/deep/ui_messages.json",
        "tasks/t1/ui_messages.json",
        "t1/ui_messages.json",
        "ui_messages.json",
        "/ui_messages.json",
        "/tasks/ui_messages.json",
        "state/taskHistory.json",
        "taskHistory.json",
        "globalStorage/taskHistory.json",
        "./tasks/t/api_conversation_history.json",
    ]
    for family in (REGISTRY["cline"], REGISTRY["roo_code"]):
        for case in cases:
            text = os.path.join(*case.split("/")) if not case.startswith("/") else case
            assert family._wanted(text) == by_path(Path(text)), case


def test_file_name_is_the_last_component() -> None:
    from extract.platforms.base import file_name

    for text in ("a.jsonl", "/x/y/a.json", "x/y/", "", "/", "./a", "../b/c.zip", "dir.d/f"):
        assert file_name(text) == os.path.basename(text), text
        if text and not text.endswith("/"):
            assert file_name(Path(text)) == Path(text).name, text
