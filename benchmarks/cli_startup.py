"""How long `cancelscout --help` and `--version` take, beside a bare typer app in the same run.

    .venv/bin/python benchmarks/cli_startup.py [--repeat N]

The baseline is the smallest typer CLI with two commands, run by the same interpreter: what
any typer program pays to start and print its help. Issue 11's target: `--help` and `--version`
in at most 0.15 s. Medians of N runs each, interleaved so machine load hits both alike.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_TYPER_APP = '''
import typer
app = typer.Typer(no_args_is_help=True, add_completion=False)
@app.command()
def a(x: int = 1) -> None:
    """Do a."""
@app.command()
def b(x: int = 1) -> None:
    """Do b."""
app()
'''


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_TYPER_APP, encoding="utf-8")
        commands = {
            "bare typer --help": [sys.executable, str(bare), "--help"],
            "cancelscout --help": [sys.executable, "-m", "cancelscout", "--help"],
            "cancelscout --version": [sys.executable, "-m", "cancelscout", "--version"],
        }
        script = Path(sys.executable).with_name("cancelscout")  # the installed console script
        if script.exists():
            commands["(script) --help"] = [str(script), "--help"]
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, command in commands.items():
                times[name].append(wall(command))
    baseline = statistics.median(times["bare typer --help"])
    print(f"{'command':<24}{'median s':>10}{'× bare':>9}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<24}{median:>10.3f}{median / baseline:>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
