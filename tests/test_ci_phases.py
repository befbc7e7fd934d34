"""``make test``'s phases (``.ci/phases.py``): build phases two at a time, each timed, a failure named."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from aichain_utils.paths import repo_root

ROOT = repo_root()


def _phases():
    spec = importlib.util.spec_from_file_location("ci_phases", ROOT / ".ci" / "phases.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["ci_phases"] = module
    spec.loader.exec_module(module)
    return module


def _option(cmd: list[str], flag: str, default: str | None = None) -> str | None:
    return cmd[cmd.index(flag) + 1] if flag in cmd else default


def _writes(phase) -> set[str]:
    """The folders and files a build phase writes: its pages' folder (with its Sphinx state beside them)
    and its PDF; ``_build`` itself for a build into the build folder."""
    cmd = phase.cmd or []
    out = _option(cmd, "--out", "_build")
    folder = f"{out}/zh" if "--language" in cmd else out
    pdfs = {arg for arg in cmd if arg.endswith(".pdf")}
    return {folder} | pdfs


def test_phases_run_beside_each_other_write_different_folders(monkeypatch):
    phases = _phases()
    monkeypatch.setattr(phases, "_chromium", lambda: True)
    plan = phases.steps("/bin", ["--warningiserror", "--keep-going"])
    together = [lanes for lanes in plan if len(lanes) > 1]
    assert together, "no phases run two at a time"
    names = [p.name for lanes in plan for lane in lanes for p in lane]
    for name in ("lint", "check-data", "execution", "PDF build", "student PDF", "Chinese PDF", "zh student PDF",
                 "site build", "Chinese site", "handouts", "pytest"):  # fmt: skip
        assert names.count(name) == 1, name
    for lanes in together:
        written = [set().union(*(_writes(p) for p in lane)) for lane in lanes]
        assert not written[0] & written[1], f"two lanes write the same folder or file: {written}"
    # the sites start after every PDF (a site's digest counts the PDFs), the PDFs after the execution
    order = {p.name: k for k, lanes in enumerate(plan) for lane in lanes for p in lane}
    assert max(order[n] for n in ("PDF build", "student PDF", "Chinese PDF", "zh student PDF")) < order["site build"]
    assert order["execution"] < order["PDF build"] and order["Chinese site"] < order["handouts"] < order["pytest"]
    assert order["kit wheel"] < order["site build"] == order["Chinese site"]


def test_a_failing_phase_beside_another_fails_with_its_name_and_every_time_is_printed(tmp_path, monkeypatch, capsys):
    phases = _phases()
    monkeypatch.setattr(phases, "LOGS", tmp_path / "logs")
    ok = phases.Phase("fine", [sys.executable, "-c", "print('fine output')"])
    bad = phases.Phase("broken", [sys.executable, "-c", "import sys; print('the cause'); sys.exit(3)"])
    after = phases.Phase("after broken", [sys.executable, "-c", "print('never')"])
    failed = phases.run_step([[ok], [bad, after]])
    assert failed == [bad] and bad.status == 3 and ok.status == 0 and after.status is None
    out = capsys.readouterr().out
    assert "fine output" in out and "the cause" in out and "never" not in out
    assert (tmp_path / "logs" / "broken.log").read_text(encoding="utf-8").strip() == "the cause"
    report = phases.report([[[ok], [bad, after]]], [1.5])
    assert "fine" in report and "broken" in report and "after broken" not in report and "CPU" in report


@pytest.mark.parametrize("fail", [False, True])
def test_main_prints_the_phase_times_last_and_returns_the_failing_status(tmp_path, monkeypatch, capsys, fail):
    phases = _phases()
    monkeypatch.setattr(phases, "LOGS", tmp_path / "logs")
    code = "import sys; sys.exit(5)" if fail else "pass"
    plan = [[[phases.Phase("one", [sys.executable, "-c", code])]], [[phases.Phase("two", [sys.executable, "-c", ""])]]]
    monkeypatch.setattr(phases, "steps", lambda bin_dir, flags: plan)
    assert phases.main(["/bin"]) == (5 if fail else 0)
    out = capsys.readouterr().out
    assert out.rstrip().splitlines()[-1].lstrip().startswith("total")
    assert ("the phase 'one' failed (status 5)" in out) == fail
    assert ("  two " in out) != fail  # nothing runs after a failed step


@pytest.mark.parametrize("fail", [False, True])
def test_main_records_the_phase_times_and_whether_the_run_was_complete(tmp_path, monkeypatch, fail):
    """The record ``make bench`` reads: each phase that ran with its times, the total, and ``complete`` only
    when every phase ran and passed (a failure, or a phase left out with ``--without``, is not complete)."""
    import json

    phases = _phases()
    monkeypatch.setattr(phases, "LOGS", tmp_path / "logs")
    code = "import sys; sys.exit(4)" if fail else "pass"
    plan = [[[phases.Phase("one", [sys.executable, "-c", code])], [phases.Phase("beside", [sys.executable, "-c", ""])]],
            [[phases.Phase("pytest", [sys.executable, "-c", ""])]]]  # fmt: skip
    monkeypatch.setattr(phases, "steps", lambda bin_dir, flags: plan)
    phases.main(["/bin"])
    saved = json.loads((tmp_path / "logs" / phases.RECORD).read_text(encoding="utf-8"))
    assert saved["complete"] is not fail and saved["status"] == (4 if fail else 0) and saved["left_out"] == []
    assert [p["name"] for p in saved["phases"]] == (["one", "beside"] if fail else ["one", "beside", "pytest"])
    assert saved["total_wall_s"] >= max(p["wall_s"] for p in saved["phases"]) and saved["cores"] >= 1
    assert set(saved) >= {"finished", "commit", "load_average_at_end"}
    if not fail:
        phases.main(["--without", "pytest", "/bin"])
        saved = json.loads((tmp_path / "logs" / phases.RECORD).read_text(encoding="utf-8"))
        assert saved["complete"] is False and saved["left_out"] == ["pytest"] and saved["status"] == 0


def test_a_failed_phase_beside_another_has_its_cause_printed_last(tmp_path, monkeypatch, capsys):
    phases = _phases()
    monkeypatch.setattr(phases, "LOGS", tmp_path / "logs")
    cause = "import sys, time; time.sleep(0.2); print('BUILD FAILED. Cause: a cell'); sys.exit(1)"
    slow = "import time; time.sleep(1.5); print('the other lane, printed after the failure')"
    lanes = [[phases.Phase("bad", [sys.executable, "-c", cause])], [phases.Phase("slow", [sys.executable, "-c", slow])]]
    monkeypatch.setattr(phases, "steps", lambda bin_dir, flags: [lanes])
    assert phases.main(["/bin"]) == 1
    out = capsys.readouterr().out
    assert out.index("the other lane") < out.rindex("BUILD FAILED. Cause: a cell") < out.index("'bad' failed")


def test_worker_times_name_each_workers_busy_time_and_longest_files():
    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import worker_times

    lines = worker_times({"gw1": {"tests/a.py": 1.0}, "gw0": {"tests/b.py": 10.0, "tests/c.py": 5.5}})
    assert lines[0].startswith("gw0: 15.5 s in 2 test files") and "b.py 10 s, c.py 6 s" in lines[0]
    assert lines[1].startswith("gw1: 1.0 s")


def test_the_longest_files_start_first_on_both_workers_and_the_third_is_short():
    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import LONGEST_FIRST, SHORT_THIRD, file_order

    names = ["test_a.py", LONGEST_FIRST[2], "test_b.py", LONGEST_FIRST[0], LONGEST_FIRST[1]]
    assert file_order(names) == [LONGEST_FIRST[0], LONGEST_FIRST[1], "test_a.py", LONGEST_FIRST[2], "test_b.py"]
    with_short = file_order([*names, SHORT_THIRD])
    assert with_short[2] == SHORT_THIRD and with_short[3:] == [LONGEST_FIRST[2], "test_a.py", "test_b.py"]
    assert (Path(__file__).parent / SHORT_THIRD).is_file()
    pytest_args = next(
        p.cmd for lanes in _phases().steps("/bin", []) for lane in lanes for p in lane if p.name == "pytest"
    )
    assert "--no-loadscope-reorder" in pytest_args and "loadfile" in pytest_args


def _bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_bench_reports_make_tests_record_against_ten_minutes(tmp_path):
    """``make bench``'s row on ``make test``: the total wall time of a complete run against 600 s, its
    commit named; an incomplete run or a missing record gives no time and no verdict, and says why."""
    import json

    phases, bench = _phases(), _bench()
    ran = phases.Phase("pytest", ["true"], wall=700.0, cpu=1300.0, status=0)
    saved = phases.record([[[ran]]], [700.0], 0, set())
    path = tmp_path / "phase-times.json"
    path.write_text(json.dumps(saved), encoding="utf-8")
    row = bench._make_test_row(path)
    assert row["met"] is False and row["median_s"] == 700.0 and row["target_s"] == 600
    assert "CPU 1300 s" in row["step"] and "finished" in row["step"]
    assert "700.0 s against 600 s" in bench._fmt_misses([row], {})
    path.write_text(json.dumps({**saved, "total_wall_s": 590.0}), encoding="utf-8")
    assert bench._make_test_row(path)["met"] is True
    path.write_text(json.dumps({**saved, "complete": False, "left_out": ["pytest"]}), encoding="utf-8")
    row = bench._make_test_row(path)
    assert row["met"] is None and "left out: pytest" in row["step"]
    missing = bench._make_test_row(tmp_path / "none.json")
    assert missing["met"] is None and "no record" in missing["step"]
    assert "| - |" in bench._fmt_table([missing]) and bench._fmt_misses([missing], {}) == "Every target is met."
