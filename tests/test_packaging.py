"""The wheel built from the repository holds the whole package, and its commands run from it."""

import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from harness import ROOT

pytestmark = pytest.mark.slow
SOURCES = ("dlx_tf", "setup.cfg", "setup.py", "README.md", "LICENSE")


def _source_modules():
    modules = []
    for folder, _, files in os.walk(os.path.join(ROOT, "dlx_tf")):
        if "__pycache__" in folder:
            continue
        modules += [os.path.relpath(os.path.join(folder, f), ROOT).replace(os.sep, "/")
                    for f in files if f.endswith(".py")]
    return sorted(modules)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """A wheel built from a copy of the sources, so no stale `build/` folder can leak in."""
    base = tmp_path_factory.mktemp("wheel")
    for name in SOURCES:
        source, target = os.path.join(ROOT, name), base / "src" / name
        if os.path.isdir(source):
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(base / "dist"), str(base / "src")],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    (path,) = (base / "dist").glob("dlx_tf-*.whl")
    return path


def test_every_folder_of_the_package_is_a_package():
    folders = {os.path.dirname(module) for module in _source_modules()}
    assert [f for f in sorted(folders) if not os.path.exists(os.path.join(ROOT, f,
                                                                        "__init__.py"))] == []


def test_the_wheel_holds_every_module_and_the_license(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert sorted(n for n in names if n.startswith("dlx_tf/")) == _source_modules()
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE")
               for n in names)


def test_the_installed_wheel_imports_every_module_and_runs_the_generate_command(
        wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(site), str(wheel)], check=True, timeout=300)
    # PYTHONPATH comes before the editable install of the repository, and the working
    # folder is empty: every import below is served from the wheel.
    env = dict(os.environ, PYTHONPATH=str(site))
    modules = [m[:-3].replace("/", ".").removesuffix(".__init__") for m in _source_modules()]
    check = ("import importlib, sys\n"
             f"for name in {modules!r}:\n"
             "    module = importlib.import_module(name)\n"
             f"    assert module.__file__.startswith({str(site)!r}), module.__file__\n"
             "print(len(sys.modules))")
    result = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    result = subprocess.run([sys.executable, "-m", "dlx_tf.generate", "--help"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("usage: python -m dlx_tf.generate")
