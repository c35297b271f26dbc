"""The package as a user installs it: a wheel that builds, passes ``twine check``, and runs from
a fresh virtual environment with its templates, data, demo shop and bundled site profiles."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

from cancelscout import __version__

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "CHANGELOG.md", "src", "site_profiles")


def _run(*args: str | Path, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [str(a) for a in args], capture_output=True, text=True, timeout=300, **kw
    )


def test_packaging_wheel_builds_checks_and_runs_installed(tmp_path: Path) -> None:
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
    tree = tmp_path / "tree"
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            tree.mkdir(exist_ok=True)
            shutil.copy2(source, tree / name)
    dist = tmp_path / "dist"
    built = _run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, tree)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(dist.glob(f"cancelscout-{__version__}-*.whl"))
    checked = _run(sys.executable, "-m", "twine", "check", "--strict", wheel)
    assert checked.returncode == 0 and "PASSED" in checked.stdout, checked.stdout + checked.stderr

    names = set(zipfile.ZipFile(wheel).namelist())
    for inside in (
        "cancelscout/data/clauses.yaml",
        "cancelscout/data/keywords.yaml",
        "cancelscout/output/templates/report.html.j2",
        "cancelscout/demo/site/index.html",
        "cancelscout/py.typed",
    ):
        assert inside in names, inside
    data = f"cancelscout-{__version__}.data/data/share/cancelscout/site_profiles/"
    assert data + "demo-xingchen.yaml" in names

    # A fresh environment: the wheel installed alone, its dependencies lent by this one.
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    env_python = bin_dir / "python"
    purelib = _run(env_python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    (Path(purelib.stdout.strip()) / "lent.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    installed = _run(env_python, "-m", "pip", "install", "--no-deps", "--no-index", wheel)
    assert installed.returncode == 0, installed.stderr[-2000:]

    env = {**os.environ, "CANCELSCOUT_HOME": str(tmp_path / "home")}
    version = _run(bin_dir / "cancelscout", "--version", cwd=tmp_path, env=env)
    assert version.stdout.strip() == f"cancelscout {__version__}", version.stderr
    where = _run(env_python, "-c", "import cancelscout; print(cancelscout.__file__)", cwd=tmp_path)
    assert str(env_dir) in where.stdout  # the installed copy, not this checkout
    listed = _run(bin_dir / "cancelscout", "profiles", "list", cwd=tmp_path, env=env)
    assert listed.returncode == 0 and "demo-xingchen" in listed.stdout, listed.stderr
    # Typer guesses the shell from the parent processes unless told not to (its own tests' switch);
    # then "bash" is the shell asked for, whoever started pytest.
    quiet = {**env, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    completion = _run(bin_dir / "cancelscout", "--show-completion", "bash", cwd=tmp_path, env=quiet)
    assert "complete" in completion.stdout, completion.stderr
