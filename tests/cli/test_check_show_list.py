"""`eqc check`, `eqc show` and `eqc list` through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from eqc.frontend.loader import stdlib_names

from eqc.cli import main


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("name", stdlib_names())
def test_check_every_stdlib_model(runner: CliRunner, name: str) -> None:
    result = runner.invoke(main, ["check", f"stdlib:{name}"])
    assert result.exit_code == 0, result.output
    assert f"model {name}" in result.output and "ok: no errors" in result.output


@pytest.mark.parametrize("name", stdlib_names())
def test_show_every_stdlib_model(runner: CliRunner, name: str) -> None:
    result = runner.invoke(main, ["show", f"stdlib:{name}"])
    assert result.exit_code == 0, result.output
    assert "dependency order" in result.output


def test_check_summary(runner: CliRunner) -> None:
    out = runner.invoke(main, ["check", "stdlib:gray_scott"]).output
    assert "evolution PDE, 2D" in out
    assert "x in [0, 2.5] periodic, 256 points" in out
    assert "2 (2 evolution, 0 steady)" in out
    out = runner.invoke(main, ["check", "stdlib:burgers_1d"]).output
    assert "bcs:        2 (2 dirichlet)" in out


def test_show_gray_scott(runner: CliRunner) -> None:
    result = runner.invoke(main, ["show", "stdlib:gray_scott"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "dt(u) = Du*(d(u, x, 2) + d(u, y, 2))" in out
    assert "r = u*v^2" in out
    assert "diffusivity of u" in out and "2e-05" in out
    assert "field:u -> field:v -> let:r -> eq:u -> eq:v" in out
    assert "dt(u): Du*d(u, x, 2) + Du*d(u, y, 2) - F*u  |  F - u*v^2" in out


def test_show_ops_flag(runner: CliRunner) -> None:
    result = runner.invoke(main, ["show", "--ops", "stdlib:heat_1d"])
    assert result.exit_code == 0, result.output


def test_list(runner: CliRunner) -> None:
    result = runner.invoke(main, ["list"])
    assert result.exit_code == 0, result.output
    for name in stdlib_names():
        assert name in result.output
    assert "Gray–Scott reaction–diffusion" in result.output


@pytest.mark.parametrize("text,where", [
    ("field u\ndt(u) = Du2*u\ninit u = 1\n", ":2:9: error: unknown name `Du2`"),
    ("field u\ndt(u) = (u\ninit u = 1\n", ":2:9: error: unterminated `(`"),
    ("", ":1:1: error: the model is empty"),
])
def test_errors_exit_2_without_traceback(runner: CliRunner, tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "bad.pde"
    path.write_text(text)
    for cmd in ("check", "show"):
        result = runner.invoke(main, [cmd, str(path)])
        assert result.exit_code == 2
        assert where in result.output
        assert "^" in result.output
        assert "Traceback" not in result.output


def test_missing_file_and_unknown_stdlib(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["check", str(tmp_path / "nope.pde")])
    assert result.exit_code == 2 and "no such file" in result.output
    result = runner.invoke(main, ["check", "stdlib:gray_scot"])
    assert result.exit_code == 2 and "did you mean `gray_scott`?" in result.output
