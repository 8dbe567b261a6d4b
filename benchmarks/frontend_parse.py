"""How long the frontend takes: building the LALR grammar once, then parsing and checking
each standard model, and a long synthetic model (1000 lets, a 3000-term sum).

Run:  nice python benchmarks/frontend_parse.py [--repeat 7]

Prints a table of medians (milliseconds) per model and the command that made it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()

    from eqc.frontend import parser
    from eqc.frontend.loader import parse, read_source, stdlib_names

    def grammar() -> None:
        parser._parser.cache_clear()
        parser._parser()

    rows = [("grammar (LALR tables)", 0, median_ms(grammar, args.repeat), float("nan"))]
    for name in stdlib_names():
        text, _ = read_source(f"stdlib:{name}")
        lark_ms = median_ms(lambda text=text: parser.parse_statements(text), args.repeat)
        rows.append((f"stdlib:{name}", len(text), median_ms(lambda text=text: parse(text), args.repeat), lark_ms))
    lets = "field u\ndt(u) = -a999\ninit u = 1\nlet a0 = u\n" + "".join(
        f"let a{i} = u*a{i - 1} + {i}\n" for i in range(1, 1000))
    long_sum = "field u\ninit u = 1\ndt(u) = " + " + ".join(f"{i}.5*u^{i % 7}" for i in range(3000)) + "\n"
    for label, text in [("1000 lets", lets), ("3000-term sum", long_sum)]:
        rows.append((label, len(text), median_ms(lambda text=text: parse(text), max(1, args.repeat // 3)),
                     median_ms(lambda text=text: parser.parse_statements(text), max(1, args.repeat // 3))))

    print(f"{'input':32} {'bytes':>8} {'parse+check ms':>15} {'lark only ms':>13} {'ratio':>6}")
    for label, size, total, lark in rows:
        ratio = total / lark if lark == lark else float("nan")
        print(f"{label:32} {size:8d} {total:15.1f} {lark:13.1f} {ratio:6.1f}")
    print("\nmedians of", args.repeat, "runs; made by: python", " ".join(sys.argv))


if __name__ == "__main__":
    main()
