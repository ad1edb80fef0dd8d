"""The option table, derived from the :class:`Settings` declarations, and turning raw values into typed ones.

One :class:`Option` per setting: its command-line flag, environment variable, profile key, kind
(str, int, float, bool, list, dict), choices and bounds. Values from the command line and the
environment arrive as text, values from a profile as YAML; both go through :func:`convert`, which
answers a bad value with one sentence naming where it came from, the value and what is accepted.
"""

from __future__ import annotations

import difflib
import typing
from dataclasses import MISSING, dataclass, fields
from functools import cache

from oneroster_conformance.client.settings import ConfigError, Settings

_KINDS = {str: "str", int: "int", float: "float", bool: "bool", tuple: "list", dict: "dict"}
_NOUN = {"str": "text", "int": "a whole number", "float": "a number", "bool": "true or false",
         "list": "a list of text", "dict": "a mapping"}
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class Option:
    name: str  # the Settings field
    kind: str
    default: object
    help: str
    group: str | None  # None: not a command-line option
    flag: str | None
    env: str | None
    profile_key: str | None
    choices: tuple[str, ...] | None
    repeat: bool
    negate: bool
    metavar: str | None
    minimum: float | None
    above: float | None

    @property
    def dest(self) -> str:
        return self.name

    def where(self, source: str) -> str:
        """How a person names this setting in ``source`` ("cli", "env" or a profile path)."""
        if source == "cli":
            return str(self.flag)
        if source == "env":
            return str(self.env)
        return f"the profile file {source}: '{self.profile_key}'"


def _kind(hint: object) -> str:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    base = typing.get_origin(hint) or hint
    if base is typing.Union or str(base) == "<class 'types.UnionType'>" or args and base not in (tuple, dict):
        return _kind(args[0]) if args else "str"
    return _KINDS.get(base, "str")  # type: ignore[arg-type]


@cache
def options() -> tuple[Option, ...]:
    hints = typing.get_type_hints(Settings)
    out = []
    for f in fields(Settings):
        m = f.metadata
        group = m.get("group")
        default = f.default if f.default is not MISSING else None
        flag = (m.get("flag") or "--" + f.name.replace("_", "-")) if group else None
        out.append(Option(
            name=f.name, kind=_kind(hints[f.name]), default=default, help=m.get("help", ""), group=group,
            flag=flag, env=f"ONEROSTER_{f.name.upper()}" if m.get("env") else None,
            profile_key=f.name if m.get("profile") else None, choices=m.get("choices"),
            repeat=bool(m.get("repeat")), negate=bool(m.get("negate")), metavar=m.get("metavar"),
            minimum=m.get("minimum"), above=m.get("above")))
    return tuple(out)


def by_name() -> dict[str, Option]:
    return {o.name: o for o in options()}


def command_line() -> list[Option]:
    return [o for o in options() if o.group]


def profile_keys() -> set[str]:
    """Keys a profile may hold: the settings, plus ``clients`` (extra clients) and ``name``."""
    return {o.profile_key for o in options() if o.profile_key} | {"clients", "name"}


def did_you_mean(word: str, known: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def convert(opt: Option, raw: object, source: str) -> object:
    """The typed value of ``raw`` for ``opt`` (text from the command line or environment, YAML from a profile)."""
    where = opt.where(source)
    text = isinstance(raw, str) and source in ("cli", "env")
    value: object = raw
    try:
        if opt.kind == "int":
            if isinstance(raw, bool | float) or (not text and not isinstance(raw, int)):
                raise ValueError
            value = int(raw)  # type: ignore[call-overload]
        elif opt.kind == "float":
            if isinstance(raw, bool) or (not text and not isinstance(raw, int | float)):
                raise ValueError
            value = float(raw)  # type: ignore[arg-type]
        elif opt.kind == "bool":
            if text:
                low = str(raw).strip().lower()
                if low not in TRUE + FALSE:
                    raise ValueError
                value = low in TRUE
            elif not isinstance(raw, bool):
                raise ValueError
        elif opt.kind == "list":
            # each value may hold several, space-separated, as a token request's scope parameter does
            if isinstance(raw, str):
                value = tuple(raw.replace(",", " ").split())
            elif isinstance(raw, list | tuple) and all(isinstance(x, str) for x in raw):
                value = tuple(part for x in raw for part in x.replace(",", " ").split())
            else:
                raise ValueError
            value = tuple(dict.fromkeys(value))  # a value named twice counts once
            if not value:
                raise ConfigError(f"{where} is empty: name at least one {(opt.metavar or 'value').lower()}.")
        elif opt.kind == "dict":
            if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
                raise ValueError
        elif not isinstance(raw, str):
            raise ValueError
    except ValueError:
        raise ConfigError(f"{where} {raw!r} is not {_NOUN[opt.kind]}: {_accepted(opt)}.") from None
    if opt.choices and value not in opt.choices:
        raise ConfigError(f"{where} {raw!r} is not known{did_you_mean(str(raw), opt.choices)}: "
                          f"use {' or '.join(opt.choices)}.")
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and ((opt.minimum is not None and value < opt.minimum)  # type: ignore[operator]
                   or (opt.above is not None and value <= opt.above)):  # type: ignore[operator]
        raise ConfigError(f"{where} {raw!r} is out of range: {_accepted(opt)}.")
    return value


def _accepted(opt: Option) -> str:
    noun = {"int": "a whole number", "float": "a number"}.get(opt.kind, _NOUN[opt.kind])
    if opt.minimum is not None:
        return f"use {noun} of at least {opt.minimum:g}"
    if opt.above is not None:
        return f"use {noun} above {opt.above:g}"
    if opt.kind == "bool":
        return "use true or false"
    if opt.kind == "dict":
        return "use a mapping of requirement ids to sentences"
    return f"use {noun}"
