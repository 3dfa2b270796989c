"""The bot's transports side by side on a paid broadcast, in one sitting, alternating.

    python -m bench.compare_transports                    # 3 rounds of 20,000 at 1000/s
    python -m bench.compare_transports --rounds 2 --subscribers 10000

Runs `bench.broadcast --paid --transport T` for each transport in turn, round after round
(so a noisy neighbour hits both alike), and prints each run's rate and the bot's CPU seconds
while delivering, then the medians. The aiohttp one needs `pip install aiohttp`.

Measured on the shared 2-core machine (10 runs each, 20,000 subscribers, alternating): the
bot's CPU while delivering was the same within noise (httpcore median 16.2 s, mean 15.8;
aiohttp median 15.8 s, mean 15.9; single runs 13-18 s), but aiohttp drew 429s in 6 of its 10
runs (none over httpcore) and a lower rate (median 918/s against 957/s). The bot keeps its
httpcore pools (bot.telegram.transport) and does not depend on aiohttp.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass

from bench._bots import ROOT

TRANSPORTS = ("httpcore", "aiohttp")
_RATE = re.compile(r"achieved rate\s+([\d.]+) msg/s")
_CPU = re.compile(r"bot CPU\s+([\d.]+) s from start .*; ([\d.]+) s while delivering = ([\d.]+)")
_CHECKS = re.compile(r"^(lost|duplicated|429s received)\s+(\d+)", re.M)


@dataclass(frozen=True)
class Run:
    transport: str
    rate: float
    cpu_total: float
    cpu_delivering: float
    core_share: float
    faults: str  # lost, duplicated, 429s: a run with any is no fair comparison


def run(transport: str, subscribers: int) -> Run:
    command = [sys.executable, "-m", "bench.broadcast", "--paid", "--transport", transport]
    command += ["--subscribers", str(subscribers)]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    rate, cpu = _RATE.search(out), _CPU.search(out)
    if rate is None or cpu is None:
        raise SystemExit(f"unexpected output from {' '.join(command)}:\n{out}")
    faults = ", ".join(f"{name} {n}" for name, n in _CHECKS.findall(out) if n != "0")
    return Run(transport, float(rate[1]), float(cpu[1]), float(cpu[2]), float(cpu[3]), faults)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--subscribers", type=int, default=20_000)
    args = parser.parse_args()
    runs: list[Run] = []
    print("round  transport  rate msg/s  bot CPU s (start..last)  while delivering  of a core")
    for round_ in range(1, args.rounds + 1):
        # Alternate which goes first, so neither always runs on a cooler machine.
        order = TRANSPORTS if round_ % 2 else TRANSPORTS[::-1]
        for transport in order:
            r = run(transport, args.subscribers)
            runs.append(r)
            flag = f"  ({r.faults})" if r.faults else ""
            print(
                f"{round_:>5}  {transport:<9}  {r.rate:>10.1f}  {r.cpu_total:>23.1f}"
                f"  {r.cpu_delivering:>16.1f}  {r.core_share:>9.2f}{flag}",
                flush=True,
            )
    print("median")
    for transport in TRANSPORTS:
        mine = [r for r in runs if r.transport == transport]
        print(
            f"       {transport:<9}  {statistics.median(r.rate for r in mine):>10.1f}"
            f"  {statistics.median(r.cpu_total for r in mine):>23.1f}"
            f"  {statistics.median(r.cpu_delivering for r in mine):>16.1f}"
            f"  {statistics.median(r.core_share for r in mine):>9.2f}"
        )


if __name__ == "__main__":
    main()
