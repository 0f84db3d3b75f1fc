"""`roleplay dashboard` as a manager sees it: a real server process, a real headless
Chromium, a database played through the real engine.

Chromium comes from Debian's packages (`apt-get install chromium`); `.ci/run` installs it.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from click.testing import CliRunner

from bot.analytics.dashboard import CHARTS, allowed_sql, canned_queries, charts, metadata
from bot.analytics.team import QUERIES_FILE
from bot.cli import main
from bot.content.library import load_library
from bot.engine.trainer import Trainer
from bot.messages import Inbound, Learner
from bot.storage.sqlite import SqliteStore

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROLEPLAY = Path(sys.executable).with_name("roleplay")
BEN_CFO = ["What number are you looking for?", "OK, 10% off."]


def _replies(name: str) -> list[str]:
    lines = (GOLDEN / f"{name}.replies").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def _play(trainer: Trainer, user: str, command: str, replies: list[str]) -> None:
    who = Learner("terminal", user, user)
    trainer.handle(Inbound(who, command))
    for text in replies:
        if trainer.handle(Inbound(who, text)).ended:
            return
    trainer.handle(Inbound(who, "/quit"))


def _cli(db: Path, *args: str) -> None:
    result = CliRunner().invoke(main, [*args, "--db", str(db)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def db() -> Iterator[Path]:
    """Team West: ana passed the CFO exam (certified, assignment done); ben failed a cold
    call last week and a CFO practice this week (assignment not done)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roleplay.db"
        _cli(path, "team", "create", "West")
        _cli(path, "team", "add", "West", "terminal:ana", "terminal:ben")
        _cli(path, "team", "assign", "West", "cfo_best_price", "--due", "2099-12-31")
        store = SqliteStore(path)
        trainer = Trainer(load_library(), store)
        _play(trainer, "ana", "/exam cfo_best_price", _replies("cfo_best_price/win"))
        _play(trainer, "ben", "/start cold_call", _replies("cold_call/fail_feature_dump"))
        _play(trainer, "ben", "/start cfo_best_price", BEN_CFO)
        last_week = (datetime.now(UTC) - timedelta(days=7)).isoformat()
        with sqlite3.connect(path) as conn:  # the cold call a week back: a trend of two weeks
            conn.execute(
                "UPDATE sessions SET started_at = ? WHERE scenario_id = 'cold_call'", (last_week,)
            )
        yield path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(db: Path) -> Iterator[str]:
    port = _free_port()
    args = [str(ROLEPLAY), "dashboard", "--db", str(db), "--port", str(port), "--team", "West"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    pytest.fail(f"roleplay dashboard did not start:\n{proc.communicate()[0]}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def _dump_dom(url: str) -> str:
    """The page's DOM after its scripts ran, from headless Chromium (no network but ours)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "the dashboard tests need Chromium: `apt-get install chromium` "
            "(Debian; .ci/run installs it when run as root)"
        )
    with tempfile.TemporaryDirectory() as profile:
        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic"]
        args += ["--no-first-run", "--disable-background-networking", "--disable-sync"]
        args += ["--disable-component-update", f"--user-data-dir={profile}"]
        args += ["--window-size=1280,1000", "--virtual-time-budget=10000", "--dump-dom", url]
        done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


PAGES = {
    "not_done": "/roleplay/not_done?team=West",
    "missed_moves": "/roleplay/missed_moves?team=West",
    "certified": "/roleplay/certified?team=West",
    "dashboard": "/-/dashboards/team?team=West",
    **{slug: f"/-/dashboards/team/{slug}?team=West" for slug in CHARTS},
}


@pytest.fixture(scope="module")
def dom(server: str) -> dict[str, str]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        pages = pool.map(_dump_dom, [server + path for path in PAGES.values()])
        return dict(zip(PAGES, pages, strict=True))


def _column(html: str, column: str) -> list[str]:
    cells = re.findall(rf'<td class="col-{column}(?: [^"]*)?">(.*?)</td>', html, flags=re.S)
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


def _marks(html: str, kind: str) -> list[str]:
    """The SVG paths Vega drew for one mark type (line, symbol, rect), across the page."""
    groups = re.findall(rf'<g class="mark-{kind} role-mark[^"]*"[^>]*>(.*?)</g>', html, flags=re.S)
    return [d for group in groups for d in re.findall(r'<path[^>]* d="([^"]+)"', group)]


def test_not_done_lists_the_rep_who_has_not_done_the_cfo_assignment(dom: dict[str, str]) -> None:
    page = dom["not_done"]
    assert _column(page, "rep") == ["ben"]
    assert _column(page, "scenario") == ["cfo_best_price"]
    assert _column(page, "attempts") == ["1"]


def test_missed_moves_quote_what_a_rep_said(dom: dict[str, str]) -> None:
    said = _replies("cfo_best_price/win") + _replies("cold_call/fail_feature_dump") + BEN_CFO
    examples = _column(dom["missed_moves"], "example")
    assert examples, "no missed move listed"
    assert all(any(example in reply for reply in said) for example in examples), examples
    assert "OK, 10% off." in examples


def test_certified_lists_the_rep_who_passed_the_exam(dom: dict[str, str]) -> None:
    page = dom["certified"]
    assert _column(page, "rep") == ["ana"]
    assert _column(page, "score") == ["100"]


def test_the_dashboard_draws_every_chart(dom: dict[str, str]) -> None:
    page = dom["dashboard"]
    assert page.count('class="marks"') == len(CHARTS)
    lines = _marks(page, "line")
    assert any(d.count("L") >= 1 for d in lines), "ben's two weeks draw no line"
    assert len(_marks(page, "rect")) == 1  # one assignment, one bar


def test_each_chart_page_draws_its_marks(dom: dict[str, str]) -> None:
    # ana's one week and ben's two: three points; the bar is the CFO assignment, half done.
    assert len(_marks(dom["score_trend"], "symbol")) == 3
    assert _marks(dom["score_trend"], "line")
    assert _marks(dom["skill_trend"], "symbol")
    bars = _marks(dom["completion"], "rect")
    assert len(bars) == 1
    assert "cfo_best_price" in dom["completion"]


def _status(url: str, data: bytes | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _people(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM people").fetchone()[0])


def test_writes_are_refused_and_change_nothing(server: str, db: Path) -> None:
    before = _people(db)
    write = urlencode({"sql": "DELETE FROM people"})
    assert _status(f"{server}/roleplay.json?{write}") == 403
    assert _status(f"{server}/roleplay?{write}") == 403
    assert _status(f"{server}/roleplay/people?_where=1%3D1") == 403
    assert _status(f"{server}/roleplay/not_done?team=West", data=b"team=West") == 405
    assert _people(db) == before > 0


def test_raw_tables_are_hidden_but_the_reports_show(server: str) -> None:
    assert _status(f"{server}/roleplay/turns") == 403
    assert _status(f"{server}/roleplay/people.json") == 403
    with urllib.request.urlopen(f"{server}/roleplay", timeout=10) as response:
        page = response.read().decode()
    assert "/roleplay/not_done?team=West" in page
    assert "/roleplay/turns" not in page


def test_only_the_exact_report_sql_runs(server: str) -> None:
    sql = canned_queries()["certified"]["sql"]
    ok = urlencode({"sql": sql, "team": "West", "_shape": "objects"})
    with urllib.request.urlopen(f"{server}/roleplay.json?{ok}", timeout=10) as response:
        assert [row["rep"] for row in json.load(response)["rows"]] == ["ana"]
    changed = urlencode({"sql": sql + " ", "team": "West"})
    assert _status(f"{server}/roleplay.json?{changed}") == 403


def test_the_dashboard_sees_sessions_played_after_it_started(server: str, db: Path) -> None:
    url = f"{server}/roleplay/reps.json?team=West&_shape=objects"

    def sessions() -> dict[str, int]:
        with urllib.request.urlopen(url, timeout=10) as response:
            return {row["rep"]: row["sessions"] for row in json.load(response)["rows"]}

    before = sessions()
    trainer = Trainer(load_library(), SqliteStore(db))
    _play(trainer, "ana", "/start cold_call", _replies("cold_call/win"))
    assert sessions() == {**before, "ana": before["ana"] + 1}


def test_canned_queries_and_charts_are_the_report_sql_verbatim() -> None:
    raw = yaml.safe_load(QUERIES_FILE.read_text(encoding="utf-8"))["queries"]
    canned = canned_queries()
    assert set(canned) == set(raw)
    for name, spec in raw.items():
        assert canned[name]["sql"] == spec["sql"]
        assert canned[name]["title"] == spec["title"]
        assert canned[name]["params"] == ["team"]
        assert "write" not in canned[name]
    assert {chart["query"] for chart in charts().values()} <= allowed_sql()
    assert {chart["query"] for chart in charts().values()} == {
        raw[name]["sql"] for name, _ in CHARTS.values()
    }


def test_the_team_option_is_the_filter_default_and_links_the_reports() -> None:
    config = metadata("West & East")
    team_filter = config["plugins"]["datasette-dashboards"]["team"]["filters"]["team"]
    assert team_filter["default"] == "West & East"
    links = config["databases"]["roleplay"]["description_html"]
    assert "/roleplay/not_done?team=West+%26+East" in links
    assert "West &amp; East" in links
    assert "default" not in metadata()["plugins"]["datasette-dashboards"]["team"]["filters"]["team"]


def test_the_command_refuses_a_missing_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["dashboard", "--db", str(tmp_path / "none.db")])
    assert result.exit_code != 0
    assert "no database at" in result.output
