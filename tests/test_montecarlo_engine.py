"""The Monte Carlo engine: independent spawned streams, failures recorded, resumable Parquet
checkpoints, and the same results on a Dask cluster as on local processes."""

from __future__ import annotations

import copy
import io

import numpy as np
import pandas as pd
import pytest

from aichain_utils.replication import lab
from aichain_utils.simulation import simulate


@pytest.fixture(scope="module")
def small():
    """The calibrated parameters on a small panel (12 units per industry: 4,620 unit-years), for speed."""
    p = copy.deepcopy(simulate.load_params())
    p["design"]["units_per_industry"] = 12
    p["design"]["itse_missing_rows"] = 170
    return p


def _bytes(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, engine="pyarrow")
    return buf.getvalue()


def test_replication_streams_are_the_spawned_children():
    children = np.random.SeedSequence(7).spawn(6)
    for r in (0, 3, 5):
        assert (lab.replication_seed(7, r).generate_state(8) == children[r].generate_state(8)).all()
    assert not (lab.replication_seed(7, 0).generate_state(8) == lab.replication_seed(8, 0).generate_state(8)).all()


def test_simulator_takes_a_seed_sequence_without_changing_it(small):
    seed = lab.replication_seed(3, 1)
    a = simulate.simulate_panel(small, seed=seed).raw
    b = simulate.simulate_panel(small, seed=seed).raw  # the same object again: the same panel
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert seed.n_children_spawned == 0
    other = simulate.simulate_panel(small, seed=lab.replication_seed(3, 2)).raw
    assert not np.allclose(a["robots"], other["robots"])


def test_a_failing_replication_is_recorded_not_fatal(small, monkeypatch):
    broken = copy.deepcopy(small)
    del broken["effects"]["aie_on_fsie"]
    rows = lab.run_replication(broken, 1, 0)
    assert len(rows) == 1 and rows[0]["error"].startswith("KeyError") and np.isnan(rows[0]["estimate"])

    calls = {"n": 0}
    real = lab.lab_estimates

    def flaky(data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise np.linalg.LinAlgError("singular matrix")
        return real(data)

    monkeypatch.setattr(lab, "lab_estimates", flaky)  # n_jobs=1 runs in this process
    frame = lab.monte_carlo(reps=3, first_seed=5, n_jobs=1, base=small)
    failed = frame[frame["error"] != ""]
    assert failed["replication"].tolist() == [1]
    assert failed["error"].iloc[0] == "LinAlgError: singular matrix"
    assert (frame.loc[frame["error"] == "", "replication"].value_counts() == len(lab.ESTIMATORS)).all()
    summary = lab.monte_carlo_summary(frame)
    assert (summary["replications"] == 2).all()  # the failed replication is left out of the summary


def test_interrupted_run_resumes_to_the_same_bytes(small, tmp_path):
    whole = lab.monte_carlo(reps=3, first_seed=9, n_jobs=1, chunk_size=1, checkpoint=tmp_path / "a", base=small)

    class Stop(Exception):
        pass

    def stop_after_two(done, total):
        if done == 2:
            raise Stop

    with pytest.raises(Stop):
        lab.monte_carlo(3, 9, n_jobs=1, chunk_size=1, checkpoint=tmp_path / "b", base=small, on_chunk=stop_after_two)
    assert sorted(p.name for p in (tmp_path / "b").glob("chunk-*.parquet")) == [
        "chunk-00000.parquet",
        "chunk-00001.parquet",
    ]
    first = (tmp_path / "b" / "chunk-00000.parquet").stat().st_mtime_ns
    resumed = lab.monte_carlo(3, 9, n_jobs=1, chunk_size=1, checkpoint=tmp_path / "b", base=small)
    assert (tmp_path / "b" / "chunk-00000.parquet").stat().st_mtime_ns == first  # not recomputed
    assert _bytes(resumed) == _bytes(whole)
    for k in range(3):
        name = f"chunk-{k:05d}.parquet"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    with pytest.raises(ValueError, match=r"holds a different run.*first_seed"):
        lab.monte_carlo(3, 10, n_jobs=1, chunk_size=1, checkpoint=tmp_path / "b", base=small)


def test_dask_cluster_gives_the_local_results_byte_for_byte(small):
    distributed = pytest.importorskip("distributed")
    local = lab.monte_carlo(reps=4, first_seed=21, n_jobs=1, chunk_size=2, base=small)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as tasks,
    ):
        on_cluster = lab.monte_carlo(reps=4, first_seed=21, chunk_size=2, base=small, scheduler=client)
    assert len(tasks.data) >= 2  # the replications ran as tasks on the cluster's workers
    assert _bytes(on_cluster) == _bytes(local)
    assert on_cluster["replication"].tolist() == local["replication"].tolist()


def test_battery_replication_runs_every_table(small):
    rows = pd.DataFrame(lab.run_replication(small, 2, 0, what="battery"))
    tables = rows["estimator"].str.extract(r"^Table (\d+)")[0].astype(int)
    assert sorted(tables.unique()) == list(range(3, 11))
    main = rows[rows["estimator"].str.startswith("Table 3 (6)")]
    assert len(main) == 1 and np.isfinite(main["estimate"].iloc[0]) and main["error"].iloc[0] == ""
    with pytest.raises(ValueError, match="what='tables'"):
        lab.monte_carlo(reps=1, what="tables")
