"""``make test``'s phases: lint, the data check, a from-scratch build of the book, its PDFs, then pytest.

Run by ``make test`` (``python .ci/phases.py BIN -- SPHINX_FLAGS``). The phases are the ones ``make test``
always ran; what this adds is that the build phases that do not share a folder run two at a time (each
is a single-threaded Sphinx build, or Chromium printing one page, so on CI's two cores two of them take
about the time of one):

1. ``lint``, ``check-data``, ``execution`` (``rm -rf _build``, the cache guard, the parallel
   pre-execution of every chapter), one after another;
2. the four PDFs, two at a time (:data:`STEPS`): each is a single-page build into its own folder
   (``_build/singlehtml``, ``_build/zh/singlehtml``, ``_build/student/singlehtml``,
   ``_build/student/zh/singlehtml``, each with its own Sphinx state and MyST-NB files beside it) read from
   the one execution cache, printed by its own Chromium to its own file in ``_build/pdf``. The lanes are
   the instructor's PDFs (Chinese, then English) and the student's (Chinese, then English): the two
   student builds, both under ``_build/student``, never run at the same time;
3. the wheel of the teaching kit (``_build/kit-cache``), which both sites put into their ``kit/``:
   made once here, so that the two sites never write it at the same time;
4. the English and the Chinese site, at the same time: ``_build/html`` (with ``_build/.doctrees``, which
   the English PDF's single-page build filled) and ``_build/zh/html`` (with ``_build/zh/.doctrees``),
   copied into ``_build/html/zh`` when it is done. They start after every PDF is printed, because a site's
   digest (``tools/build_book.py``: nothing to do when nothing changed) counts the PDFs;
5. ``handouts`` (the handouts PDFs and the course packs, written into both sites), then ``pytest``.

A phase that runs beside another writes its output to ``_build/test-logs/<phase>.log``, printed whole
when it ends (so the two logs do not interleave); a phase alone prints as it goes. A phase that fails
ends its lane and, once the step is over, ``make test`` with that phase's status, its name and its log
printed last. At the end every phase's wall time and CPU time (user + system of its processes) are
printed, with each step's wall time, also when a phase failed, and written to
``_build/test-logs/phase-times.json`` (:func:`record`), which ``make bench`` reads for its row on
``make test``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "_build" / "test-logs"
#: How many last lines of a failed phase's log are printed again at the end (its cause is there).
FAILED_TAIL = 15


@dataclass
class Phase:
    """One phase: its name, its command (None: skipped, ``note`` says why) and its extra environment."""

    name: str
    cmd: list[str] | None
    env: dict[str, str] = field(default_factory=dict)
    note: str = ""
    wall: float = 0.0
    cpu: float = 0.0
    status: int | None = None


def _chromium() -> bool:
    return shutil.which("chromium") is not None


def _pdf(name: str, bin_dir: str, flags: list[str], out: str, student: bool, zh: bool) -> Phase:
    """A PDF phase (``tools/make_pdf.py --build``), skipped with a note when Chromium is not installed."""
    cmd = [f"{bin_dir}/python", "tools/make_pdf.py", "--build", "_build"]
    cmd += ["--out", "_build/student"] if student else []
    cmd += ["--language", "zh_CN"] if zh else []
    cmd += [out, "--", *flags]
    env = {"AICHAIN_EDITION": "student"} if student else {}
    what = {(False, False): "book PDF", (True, False): "student PDF", (False, True): "Chinese PDF"}
    note = f"chromium is not installed: no {what.get((student, zh), 'Chinese student PDF')} (its tests are skipped)"
    return Phase(name, cmd if _chromium() else None, env, "" if _chromium() else note)


def steps(bin_dir: str, flags: list[str]) -> list[list[list[Phase]]]:
    """The steps of ``make test``, in order: each a list of lanes run at the same time, each lane a list of
    phases run one after another (see the module's docstring)."""
    py = f"{bin_dir}/python"
    lint = " && ".join(
        [f"{bin_dir}/ruff check .", f"{bin_dir}/ruff format --check .", f"{py} tools/sync_environment.py --check",
         f"{bin_dir}/lint-imports --no-cache"]
    )  # fmt: skip
    prepare = f"rm -rf _build && {py} tools/cache_guard.py _build && {py} tools/preexecute.py _build"
    wheel = (
        "import tempfile; from pathlib import Path; from aichain_utils.book.kit import build_wheel; "
        "d = tempfile.TemporaryDirectory(); build_wheel(Path(d.name), Path('_build/kit-cache'))"
    )
    site = [py, "tools/build_book.py", "_build", "--counterpart", "zh_CN", "--", *flags]
    zh_site = [py, "tools/build_book.py", "_build", "--language", "zh_CN", "--", *flags]
    handouts = Phase("handouts", [py, "tools/course_pack.py", "_build"])
    if not _chromium():
        handouts = Phase("handouts", None, note="chromium is not installed: no handouts PDF (its test is skipped)")
    # --no-loadscope-reorder: the files in tests/conftest.py's order (the longest first), not by their number of tests
    pytest = [py, "-m", "pytest", "-n", "2", "--dist", "loadfile", "--no-loadscope-reorder", "--durations=30"]
    pdfs = [  # the longest first in each lane (measured: Chinese 80 s and 71 s, English 36 s and 33 s)
        [
            _pdf("Chinese PDF", bin_dir, flags, "_build/pdf/aichain-zh.pdf", False, True),
            _pdf("PDF build", bin_dir, flags, "_build/pdf/aichain.pdf", False, False),
        ],
        [
            _pdf("zh student PDF", bin_dir, flags, "_build/pdf/aichain-student-zh.pdf", True, True),
            _pdf("student PDF", bin_dir, flags, "_build/pdf/aichain-student.pdf", True, False),
        ],
    ]
    return [
        [[Phase("lint", ["sh", "-c", lint])]],
        [[Phase("check-data", [py, "tools/check_data.py", "--brief"])]],
        [[Phase("execution", ["sh", "-c", prepare])]],
        pdfs,
        [[Phase("kit wheel", [py, "-c", wheel])]],
        [[Phase("Chinese site", zh_site)], [Phase("site build", site)]],
        [[handouts]],
        [[Phase("pytest", pytest)]],
    ]


def _cpu_seconds(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def run_phase(phase: Phase, log: Path | None) -> int:
    """Run ``phase`` (its output into ``log`` when given, else to the terminal); record its wall and CPU
    time (its processes', from ``wait4``) and return its status."""
    started = time.perf_counter()
    if phase.cmd is None:
        print(phase.note, flush=True)
        phase.status = 0
        return 0
    env = {**os.environ, **phase.env}
    out = log.open("w", encoding="utf-8") if log else None
    try:
        proc = subprocess.Popen(phase.cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT if out else None)
        _, status, usage = os.wait4(proc.pid, 0)
        phase.status, phase.cpu = os.waitstatus_to_exitcode(status), _cpu_seconds(usage)
        proc.returncode = phase.status
    except OSError as exc:  # the command could not start
        print(f"make test: {phase.name}: {exc}", file=out or sys.stdout, flush=True)
        phase.status = 127
    finally:
        if out:
            out.close()
    phase.wall = time.perf_counter() - started
    return phase.status


def _log(phase: Phase) -> Path:
    """The log of a phase run beside another: ``_build/test-logs/<phase>.log``."""
    return LOGS / f"{phase.name.replace(' ', '-')}.log"


def run_step(lanes: list[list[Phase]]) -> list[Phase]:
    """Run the lanes of a step at the same time (a lane stops at its first failure); the phases that failed."""
    if len(lanes) == 1:
        for phase in lanes[0]:
            if run_phase(phase, None) != 0:
                return [phase]
        return []
    LOGS.mkdir(parents=True, exist_ok=True)
    lock, failed = threading.Lock(), []

    def lane(phases: list[Phase]) -> None:
        for phase in phases:
            log = _log(phase)
            status = run_phase(phase, log)
            with lock:  # one phase's log at a time, whole
                print(f"\n===== make test: {phase.name} (run beside another phase; log {log}) =====", flush=True)
                if log.is_file():
                    sys.stdout.write(log.read_text(encoding="utf-8", errors="replace"))
                sys.stdout.flush()
            if status != 0:
                with lock:
                    failed.append(phase)
                return

    threads = [threading.Thread(target=lane, args=(phases,)) for phases in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failed


def report(plan: list[list[list[Phase]]], walls: list[float]) -> str:
    """The phase times: each phase's wall and CPU time, each step of phases run together, and the total."""
    lines = ["make test phase times (wall, and CPU: user + system of the phase's processes):"]
    for lanes, wall in zip(plan, walls, strict=True):
        together = len(lanes) > 1
        for phase in (p for lane in lanes for p in lane if p.status is not None):
            mark = " (two at a time)" if together else ""
            lines.append(f"  {phase.name:<15} {phase.wall:7.1f} s   CPU {phase.cpu:7.1f} s{mark}")
        if together:
            names = " | ".join(" + ".join(p.name for p in lane if p.status is not None) for lane in lanes)
            lines.append(f"  {'  step':<15} {wall:7.1f} s   ({names})")
    total_cpu = sum(p.cpu for lanes in plan for lane in lanes for p in lane)
    lines.append(f"  {'total':<15} {sum(walls):7.1f} s   CPU {total_cpu:7.1f} s")
    return "\n".join(lines)


#: The record of the last run's phase times (:func:`record`), read by ``benchmarks/bench.py``.
RECORD = "phase-times.json"


def _commit() -> str | None:
    """The commit ``make test`` ran on (None outside a git checkout or with uncommitted changes to it)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    return None if dirty.stdout.strip() else head.stdout.strip()


def record(plan: list[list[list[Phase]]], walls: list[float], status: int, without: set[str]) -> dict:
    """What this run measured, as written to ``_build/test-logs/phase-times.json``: when, on how many cores
    and at what load, on which commit, whether every phase ran and passed (``complete``: none left out with
    ``--without``, none failed), each phase's wall and CPU time and the total wall time (the sum of the
    steps' wall times)."""
    phases = [
        {"name": p.name, "step": k, "wall_s": round(p.wall, 1), "cpu_s": round(p.cpu, 1), "status": p.status}
        for k, lanes in enumerate(plan) for lane in lanes for p in lane if p.status is not None
    ]  # fmt: skip
    ran = {p["name"] for p in phases}
    return {
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cores": os.cpu_count(),
        "load_average_at_end": round(os.getloadavg()[0], 1),
        "commit": _commit(),
        "complete": status == 0 and not without and ran == {p.name for lanes in plan for lane in lanes for p in lane},
        "left_out": sorted(without),
        "status": status,
        "total_wall_s": round(sum(walls), 1),
        "phases": phases,
    }


def main(argv: list[str]) -> int:
    own, flags = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    without = set()
    while own[:1] == ["--without"] and len(own) > 1:  # --without pytest: the build phases alone
        without.add(own[1])
        own = own[2:]
    if len(own) != 1:
        sys.exit("usage: python .ci/phases.py [--without PHASE]... BIN_DIR [-- SPHINX_FLAGS]")
    plan, walls, status = steps(own[0], flags or ["--warningiserror", "--keep-going"]), [], 0
    plan = [lanes for lanes in plan if not {p.name for lane in lanes for p in lane} <= without]
    for lanes in plan:
        started = time.perf_counter()
        failed = run_step(lanes)
        walls.append(time.perf_counter() - started)
        if failed:
            for phase in failed:
                log = _log(phase) if len(lanes) > 1 else None
                if log and log.is_file():  # its cause last, after the other lane's log
                    tail = log.read_text(encoding="utf-8", errors="replace").rstrip().splitlines()[-FAILED_TAIL:]
                    print(f"\nThe last lines of {log}:\n" + "\n".join(tail), flush=True)
                print(f"\nmake test: the phase {phase.name!r} failed (status {phase.status})", flush=True)
            status = failed[0].status or 1
            break
    print(report(plan[: len(walls)], walls), flush=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / RECORD).write_text(json.dumps(record(plan, walls, status, without), indent=1) + "\n", encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
