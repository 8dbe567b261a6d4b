"""ops_report (for `eqc show --ops`) and rewrite_kernel on a real kernel."""

from __future__ import annotations

import re

import pytest
from eqc.compiler.ir.kernel import verify_kernel
from eqc.compiler.rewrite import RewriteOptions, ops_report, rewrite_kernel


def _model(name):
    loader = pytest.importorskip("eqc.frontend.loader")
    return loader.load(f"stdlib:{name}")


def test_ops_report_gray_scott_has_before_and_after_cycles():
    text = ops_report(_model("gray_scott"))
    before = int(re.search(r"before .*?(\d+)\s*$", text, re.M).group(1))
    after = int(re.search(r"after .*?(\d+)\s*$", text, re.M).group(1))
    assert after < before
    assert "stop:" in text
    # the baseline: Gray-Scott's two 5-point Laplacians and shared u*v^2 under plain CSE
    # (benchmarks/egraph.py: 27 cycles) cost more than the rewritten kernel
    cse = int(re.search(r"sympy\.cse .*?(\d+)\s*$", text, re.M).group(1))
    assert after < cse <= before


def test_rewrite_kernel_keeps_the_contract():
    disc = pytest.importorskip("eqc.compiler.passes.discretise")
    from eqc.compiler.options import CompileOptions

    k = disc.discretise(_model("gray_scott"), CompileOptions())
    new = verify_kernel(rewrite_kernel(k, RewriteOptions(time_limit=0.5)))
    assert new.fields == k.fields and new.params == k.params and new.ghosts == k.ghosts
    assert new.invariants and new.body
    names = {str(s) for s, _ in new.invariants + new.body}
    assert not names & (set(k.fields) | set(k.params))
    assert "rewrite" in dict(new.meta)
