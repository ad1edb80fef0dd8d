"""Pin a conformance run to the harness's own configuration and suites, wherever it is started.

pytest chooses its root folder (and so its configuration: testpaths, addopts) from the command line
before any plugin is loaded, and it takes every value that names an existing path as a place to look,
including the values of our options: ``--profile /home/me/district.yaml`` made the root ``/`` and
collected the project's own tests. Once the options are known (here) the choice is made again without
those values; and a run started with harness options in a folder without pytest configuration or test
files collects the bundled suites. A user's explicit ``-c``, ``--rootdir`` or test paths are left alone.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from _pytest.config.findpaths import determine_setup  # no public API chooses the root folder again

from oneroster_conformance.client.options import command_line


def _setup(config: pytest.Config, args: list[str]) -> tuple[Path, Path | None, Any]:
    ns = config.known_args_namespace
    kwargs: dict[str, Any] = dict(inifile=None, args=args, rootdir_cmd_arg=None,
                                  invocation_dir=config.invocation_params.dir)
    if "override_ini" in inspect.signature(determine_setup).parameters:
        kwargs["override_ini"] = ns.override_ini
    found = determine_setup(**kwargs)
    return found[0], found[1], found[2]


def _has_tests(folder: Path) -> bool:
    """A folder of the user's own tests (pytest would collect them): not a place to run the bundled suites."""
    return any(folder.glob("test_*.py")) or any(folder.glob("*_test.py")) or (folder / "conftest.py").exists()


def pin_conformance_run(config: pytest.Config, args: list[str]) -> None:
    from oneroster_conformance.resources import suites_dir

    ns = config.known_args_namespace
    if ns.inifilename or ns.rootdir or getattr(ns, "help", False):
        return  # the user chose the configuration
    explicit = [str(p) for p in ns.file_or_dir]
    rootpath, inipath, inicfg = _setup(config, explicit)
    harness_run = any(getattr(ns, o.name, None) not in (None, []) for o in command_line())
    collect: list[str] = []
    if inipath is None and not explicit and harness_run and not _has_tests(config.invocation_params.dir):
        collect = [str(suites_dir())]  # no configuration here: the harness's suites, with their configuration
        rootpath, inipath, inicfg = _setup(config, collect)
        if inipath is None:
            rootpath = suites_dir()
    if rootpath == config.rootpath and inipath == config.inipath:
        return
    config._rootpath, config._inipath = rootpath, inipath  # type: ignore[attr-defined]
    config.__dict__["_inicfg" if "_inicfg" in config.__dict__ else "inicfg"] = inicfg  # pytest 9 / pytest 8
    config._inicache.clear()  # type: ignore[attr-defined]
    config._parser.extra_info.update(rootdir=str(rootpath), inifile=str(inipath))  # type: ignore[attr-defined]
    ns.confcutdir = str(inipath.parent if inipath else rootpath)
    addopts = list(config.getini("addopts")) if inipath else ["-p", "no:cacheprovider"]
    config.pluginmanager.consider_preparse(addopts, exclude_only=False)
    args[:] = addopts + args + collect


def misspelt_option(parser: pytest.Parser, args: list[str]) -> str | None:
    """The sentence for a command-line flag pytest does not know that is close to a harness option."""
    import difflib

    known = {name for group in [parser._anonymous, *parser._groups]  # type: ignore[attr-defined]
             for opt in group.options for name in opt.names()}
    ours = [str(o.flag) for o in command_line()]
    for arg in args:
        flag = arg.split("=", 1)[0]
        if not flag.startswith("--") or flag in known:
            continue
        close = difflib.get_close_matches(flag, ours, n=1, cutoff=0.75)
        if close:
            return f"unknown option {flag}: did you mean {close[0]}? (oneroster-conformance --help lists the options)"
    return None
