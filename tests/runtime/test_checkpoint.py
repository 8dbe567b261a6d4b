"""Atomic checkpoints: a failure mid-write leaves the old file intact."""

from __future__ import annotations

import numpy as np
import pytest
from eqc.runtime.checkpoint import atomic_write, load_checkpoint, save_checkpoint


def test_checkpoint_round_trip(tmp_path) -> None:
    p = tmp_path / "ck.npz"
    save_checkpoint(p, {"y": np.arange(6.0).reshape(2, 3), "step": np.int64(7)}, {"t": 0.5, "method": "rk4"})
    arrays, meta = load_checkpoint(p)
    np.testing.assert_array_equal(arrays["y"], np.arange(6.0).reshape(2, 3))
    assert int(arrays["step"]) == 7 and meta == {"t": 0.5, "method": "rk4"}


def test_failure_mid_write_leaves_the_old_file_intact(tmp_path) -> None:
    p = tmp_path / "ck.npz"
    save_checkpoint(p, {"y": np.ones(3)}, {"t": 1.0})
    with pytest.raises(RuntimeError, match="disk on fire"):
        with atomic_write(p, "wb") as f:
            f.write(b"half a checkpoint")
            raise RuntimeError("disk on fire")
    arrays, meta = load_checkpoint(p)
    np.testing.assert_array_equal(arrays["y"], np.ones(3))
    assert meta == {"t": 1.0}
    assert sorted(x.name for x in tmp_path.iterdir()) == ["ck.npz"]  # no temp file left


def test_an_interrupt_mid_write_also_leaves_it_intact(tmp_path) -> None:
    p = tmp_path / "log.txt"
    with atomic_write(p, "w") as f:
        f.write("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(p, "w") as f:
            f.write("new")
            raise KeyboardInterrupt
    assert p.read_text() == "old"
