"""Order a straight-line program to keep few values live at once.

The x86 instruction scheduler before register allocation keeps close to source order, so
the order of the assignments is the order of the machine code, and every value live across
more than ~30 assignments is spilled to the stack and reloaded. A body that computes every
temporary first and every output last keeps all shared temporaries live across the whole
point loop. Here

1. the outputs are ordered greedily, each next output being the one whose evaluation leaves
   the fewest values live afterwards (values whose remaining users are all scheduled die),
   ties to the one needing the fewest new temporaries — the list-scheduling heuristic for
   register pressure of Goodman & Hsu (*Code scheduling and register allocation in large
   basic blocks*, ICS 1988) applied at the granularity of outputs;
2. each output's missing temporaries are emitted depth-first just before it
   (Sethi–Ullman-style evaluation order, *The Generation of Optimal Code for Arithmetic
   Expressions*, JACM 1970), and an output that is a long sum is evaluated as a running sum,
   each term computed right before it is added, so its terms are not all live at once.

The program computes the same values with the same operations; a running sum adds its terms
in a different order (rounding only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp

__all__ = ["schedule", "live_profile"]

Assignment = tuple[sp.Symbol, sp.Expr]

# Beyond this many outputs the greedy order (quadratic in the outputs: 0.35 s at 200 outputs
# of an 800-reaction network) is skipped.
_MAX_ORDERED_OUTPUTS = 200
# A sum with at least this many terms is evaluated as a running sum.
_RUNNING_SUM = 4


def live_profile(body: Sequence[Assignment], outputs: Sequence[sp.Expr]) -> tuple[int, float]:
    """``(max, mean)`` number of temporaries live after each assignment of ``body``, an
    output being used (stored) right after its assignment or, if it is an expression, at
    the end."""
    syms = {s for s, _ in body}
    remaining = dict.fromkeys(syms, 0)
    for _, e in body:
        for a in e.free_symbols & syms:
            remaining[a] += 1
    stored_at_once = {o for o in outputs if o in syms}
    for o in outputs:
        for a in sp.sympify(o).free_symbols & syms:
            remaining[a] += 1
    live: set[sp.Symbol] = set()
    sizes = []
    for s, e in body:
        for a in e.free_symbols & syms:
            remaining[a] -= 1
            if not remaining[a]:
                live.discard(a)
        live.add(s)
        if s in stored_at_once:
            remaining[s] -= 1
            if not remaining[s]:
                live.discard(s)
        sizes.append(len(live))
    return (max(sizes), sum(sizes) / len(sizes)) if sizes else (0, 0.0)


def _greedy_order(deps: list[list[int]], out_deps: list[list[int]], remaining: list[int]) -> list[int]:
    """Step 1 of the module docstring over temporaries numbered ``0..n-1``: ``deps[s]``, the
    temporaries ``s`` reads; ``out_deps[k]``, those output ``k`` reads; ``remaining[s]``,
    the users of ``s``. Each next output is the one leaving the fewest values live, then
    the one adding the fewest temporaries, then the first."""
    done: set[int] = set()
    live: set[int] = set()
    rem = list(remaining)

    def closure(roots: list[int]) -> set[int]:
        """The not yet computed temporaries ``roots`` need."""
        seen: set[int] = set()
        stack = [r for r in roots if r not in done]
        while stack:
            s = stack.pop()
            if s not in seen:
                seen.add(s)
                stack.extend(d for d in deps[s] if d not in done and d not in seen)
        return seen

    def after(k: int) -> tuple[int, int, int, set[int]]:
        """(values live after output ``k``, temporaries it adds, ``k``, those temporaries)."""
        new = closure(out_deps[k])
        used: dict[int, int] = {}
        for s in new:
            for d in deps[s]:
                used[d] = used.get(d, 0) + 1
        for d in out_deps[k]:
            used[d] = used.get(d, 0) + 1
        killed = sum(1 for d, m in used.items() if rem[d] == m and (d in live or d in new))
        return len(live) + len(new) - killed, len(new), k, new  # ``k`` is unique: sets never compared

    left = list(range(len(out_deps)))
    order = []
    while left:
        _, _, k, new = min(map(after, left))
        left.remove(k)
        order.append(k)
        for s in new:
            for d in deps[s]:
                rem[d] -= 1
        done |= new
        live = {x for x in live | new if rem[x]}
        for d in out_deps[k]:
            rem[d] -= 1
            if not rem[d]:
                live.discard(d)
    return order


def schedule(
    body: Sequence[Assignment], outputs: Sequence[sp.Expr], new_symbol: Callable[[], sp.Symbol]
) -> tuple[tuple[Assignment, ...], tuple[sp.Expr, ...]]:
    """``(body, outputs)`` reordered output by output; outputs that are not atoms become
    temporaries placed right after their last dependency."""
    return _Scheduler(body, outputs, new_symbol).run()


class _Scheduler:
    def __init__(self, body: Sequence[Assignment], outputs: Sequence[sp.Expr], new_symbol):
        self.body = list(body)
        self.defs = dict(body)
        self.new_symbol = new_symbol
        self.position = {s: i for i, (s, _) in enumerate(body)}
        self.deps = {s: sorted(e.free_symbols & self.defs.keys(), key=self.position.__getitem__) for s, e in body}
        self.outputs = [sp.sympify(o) for o in outputs]
        self.out_deps = [sorted(o.free_symbols & self.defs.keys(), key=self.position.__getitem__)
                         for o in self.outputs]
        self._reset_remaining()
        self.done: set[sp.Symbol] = set()
        self.live: set[sp.Symbol] = set()
        self.order: list[Assignment] = []

    # -- the order of the outputs ----------------------------------------------------------
    def _closure(self, roots: Sequence[sp.Symbol]) -> list[sp.Symbol]:
        """The not yet scheduled temporaries ``roots`` need, dependencies first."""
        out: list[sp.Symbol] = []
        seen: set[sp.Symbol] = set()
        stack = [(r, False) for r in reversed(roots)]
        while stack:
            s, post = stack.pop()
            if post:
                out.append(s)
                continue
            if s in seen or s in self.done:
                continue
            seen.add(s)
            stack.append((s, True))
            stack.extend((d, False) for d in reversed(self.deps[s]) if d not in self.done and d not in seen)
        return out

    def _output_order(self) -> list[int]:
        n = len(self.outputs)
        if n > _MAX_ORDERED_OUTPUTS:
            return list(range(n))
        index = {s: i for i, (s, _) in enumerate(self.body)}  # integers: sympy hashing is slow
        deps = [[index[d] for d in self.deps[s]] for s, _ in self.body]
        out_deps = [[index[d] for d in ds] for ds in self.out_deps]
        return _greedy_order(deps, out_deps, [self.remaining[s] for s, _ in self.body])

    def _reset_remaining(self) -> None:
        """``remaining[s]``: the unscheduled direct users of ``s`` (temporaries and outputs)."""
        self.remaining = dict.fromkeys(self.defs, 0)
        for s in self.defs:
            for d in self.deps[s]:
                self.remaining[d] += 1
        for deps in self.out_deps:
            for d in deps:
                self.remaining[d] += 1

    # -- emission --------------------------------------------------------------------------
    def _use(self, deps) -> None:
        """One use of each of ``deps`` is scheduled; those with no use left die."""
        for d in deps:
            self.remaining[d] -= 1
            if not self.remaining[d]:
                self.live.discard(d)

    def _place(self, s: sp.Symbol, e: sp.Expr) -> None:
        self._use(e.free_symbols & self.defs.keys())
        self.done.add(s)
        if self.remaining.get(s, 0):
            self.live.add(s)
        self.order.append((s, e))

    def _emit(self, roots: Sequence[sp.Symbol]) -> None:
        for s in self._closure(roots):
            self._place(s, self.defs[s])

    def _deps_of(self, e: sp.Basic) -> list[sp.Symbol]:
        return sorted(e.free_symbols & self.defs.keys(), key=self.position.__getitem__)

    def _running_sum(self, s: sp.Symbol, e: sp.Add) -> None:
        """``s = e`` as partial sums, each term's missing temporaries right before it;
        terms over values already computed come first (they may end those values)."""
        terms = sorted(sp.Add.make_args(e), key=lambda t: (bool(self._closure(self._deps_of(t))), sp.default_sort_key(t)))
        acc: sp.Expr | None = None
        for i, t in enumerate(terms):
            self._emit(self._deps_of(t))
            if acc is None:
                acc = t
                continue
            sym = s if i == len(terms) - 1 else self.new_symbol()
            self.order.append((sym, sp.Add(acc, t)))
            acc = sym
        self.done.add(s)
        self._use(self._deps_of(e))
        if self.remaining.get(s, 0):
            self.live.add(s)

    def run(self) -> tuple[tuple[Assignment, ...], tuple[sp.Expr, ...]]:
        def long_sum(e: sp.Basic) -> bool:
            return isinstance(e, sp.Add) and len(e.args) >= _RUNNING_SUM

        new_outputs: list[sp.Expr] = list(self.outputs)
        for k in self._output_order():
            o = self.outputs[k]
            if o in self.defs:  # an output that is a temporary: stored where it is defined
                if o not in self.done and long_sum(self.defs[o]):
                    self._running_sum(o, self.defs[o])
                else:
                    self._emit([o])
                self._use([o])
            elif long_sum(o):
                new_outputs[k] = self.new_symbol()
                self._running_sum(new_outputs[k], o)
            else:
                self._emit(self.out_deps[k])
                self._use(self.out_deps[k])
                if not o.is_Atom:  # an expression becomes a temporary right after its inputs
                    new_outputs[k] = self.new_symbol()
                    self.order.append((new_outputs[k], o))
        for s, _ in self.body:  # temporaries no output uses (none expected) keep their place
            if s not in self.done:
                self._emit([s])
        return tuple(self.order), tuple(new_outputs)
