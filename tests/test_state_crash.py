"""Crash safety and the lock: a run killed (SIGKILL) at named steps leaves the state exactly as before and the
next run succeeds; a second run while one holds the state is refused."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys

import pytest

from storyclust.ingest import read_articles
from storyclust.state import StateBusy, update
from storyclust.state.db import FAULT_ENV, Lock

CHILD = ("import sys; from storyclust.ingest import read_articles; from storyclust.state import update; "
         "update(sys.argv[1], read_articles(sys.argv[2:]).articles)")


def dump(folder) -> str:
    conn = sqlite3.connect(folder / "state.sqlite")
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def run_child(folder, paths, fault=None):
    env = {**__import__("os").environ}
    if fault:
        env[FAULT_ENV] = fault
    return subprocess.run([sys.executable, "-c", CHILD, str(folder), *map(str, paths)], env=env,
                          capture_output=True, text=True, timeout=300)


def _rows(text: str) -> list[str]:
    """The dump's rows but the run's start time (``runs``)."""
    return [line for line in text.splitlines() if not line.startswith('INSERT INTO "runs"')]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, seeds_dir, wire_dir):
    """The state after the seeds, and after the seeds then the wire copies, never interrupted."""
    folder = tmp_path_factory.mktemp("reference")
    update(folder, read_articles([seeds_dir]).articles)
    first = dump(folder)
    update(folder, read_articles([wire_dir]).articles)
    return first, dump(folder)


@pytest.mark.parametrize("step", ["verify", "stories-cluster", "before-commit"])
def test_killed_run_leaves_the_state_as_before(tmp_path, seeds_dir, wire_dir, step, uninterrupted):
    before, after = uninterrupted
    state = tmp_path / "state"
    update(state, read_articles([seeds_dir]).articles)
    assert _rows(dump(state)) == _rows(before)
    killed = run_child(state, [wire_dir], fault=step)
    assert killed.returncode == -signal.SIGKILL
    assert _rows(dump(state)) == _rows(before)
    finished = run_child(state, [wire_dir])
    assert finished.returncode == 0, finished.stderr
    assert _rows(dump(state)) == _rows(after)  # as if the killed run had never started


def test_killed_first_run_leaves_no_state_and_the_next_succeeds(tmp_path, seeds_dir):
    state = tmp_path / "state"
    assert run_child(state, [seeds_dir], fault="articles").returncode == -signal.SIGKILL
    assert "INSERT INTO" not in dump(state)
    assert run_child(state, [seeds_dir]).returncode == 0
    assert 'INSERT INTO "articles"' in dump(state)


def test_second_run_is_refused_while_one_holds_the_state(tmp_path, seeds_dir, make_articles):
    update(tmp_path, make_articles(["First words of a first article here."]))
    with Lock(tmp_path):
        with pytest.raises(StateBusy, match=r"another storyclust run is updating this state \(pid \d+\); wait"):
            update(tmp_path, make_articles(["Second article."], prefix="b"))
        child = subprocess.run([sys.executable, "-c", "from storyclust.cli import main; main()", "update", str(tmp_path), str(seeds_dir)],
                               capture_output=True, text=True, timeout=300)
        assert child.returncode == 1
        assert child.stderr.startswith("Error: ") and "another storyclust run is updating this state" in child.stderr
    assert update(tmp_path, make_articles(["Second article."], prefix="b")).added == 1


def test_lock_of_a_killed_run_is_released(tmp_path, seeds_dir):
    assert run_child(tmp_path, [seeds_dir], fault="verify").returncode == -signal.SIGKILL
    assert run_child(tmp_path, [seeds_dir]).returncode == 0
