"""The harness's options as people read them: argparse specs, the grouped --help text and the docs table.

Everything here is derived from the settings declarations (``client/settings.py``).
"""

from __future__ import annotations

import textwrap
from typing import Any

from oneroster_conformance.client.options import Option, command_line
from oneroster_conformance.client.settings import GROUPS


def _default(o: Option) -> str:
    if o.default in (None, (), False) or o.negate:
        return ""
    return "every scope" if isinstance(o.default, tuple) else str(o.default)


def option_help(o: Option) -> str:
    choices = f" ({' or '.join(o.choices)})" if o.choices else ""
    default = f"; default {_default(o)}" if _default(o) else ""
    env = f" [env {o.env}{default}]" if o.env else ""
    return f"{o.help}{choices}{env}"


def argparse_specs() -> list[tuple[str, str, dict[str, Any]]]:
    """(group, flag, keyword arguments of addoption) per option, in --help order.

    Values are taken as text and checked by the settings resolution, so a bad value gets the same
    one sentence from the command line, the environment or a profile."""
    out = []
    for group in GROUPS:
        for o in (o for o in command_line() if o.group == group):
            kw: dict[str, Any] = {"dest": o.name, "default": None, "help": option_help(o)}
            if o.kind == "bool":
                kw |= {"action": "store_const", "const": "false" if o.negate else "true"}
            else:
                kw |= {"action": "append" if o.repeat else "store", "metavar": o.metavar or o.name.upper()}
            out.append((group, str(o.flag), kw))
    return out


def help_text(prog: str = "oneroster-conformance") -> str:
    lines = [f"usage: {prog} [options]", "",
             "Checks a OneRoster REST provider against the spec (without --base-url: the built-in reference",
             "provider). Settings come from the command line, then ONEROSTER_* environment variables, then",
             "the --profile file, then the defaults shown.", ""]
    for group in GROUPS:
        lines.append(f"{group}:")
        for o in (o for o in command_line() if o.group == group):
            flag = o.flag if o.kind == "bool" else f"{o.flag} {o.metavar or o.name.upper()}"
            lines.append(f"  {flag}")
            lines += textwrap.wrap(option_help(o), 100, initial_indent=" " * 6, subsequent_indent=" " * 6)
        lines.append("")
    lines += ["other:", "  --strict", "      the same as --gate-should", "  --version",
              "      the harness's, the requirement catalogue's and pytest's versions",
              "  --cleanup JOURNAL",
              "      delete the records a killed run created (its <report-dir>/writes-journal.jsonl), with the "
              "run's credential options; nothing else is touched (docs/writes.md)", "",
              f"pytest's own options (-k, -x, -v, -r, --hypothesis-profile ...): {prog} --help-pytest"]
    return "\n".join(lines)


def markdown_table() -> str:
    """The options table of docs/options.md."""
    rows = ["| option | environment | profile key | meaning |", "|---|---|---|---|"]
    for group in GROUPS:
        rows.append(f"| **{group}** | | | |")
        for o in (o for o in command_line() if o.group == group):
            rows.append(f"| `{o.flag}` | {f'`{o.env}`' if o.env else ''} | "
                        f"{f'`{o.profile_key}`' if o.profile_key else ''} | {option_help(o).split(' [env')[0]}"
                        f"{'; default ' + _default(o) if _default(o) else ''} |")
    return "\n".join(rows)


DOC_HEAD = """# Options

Every option of `python -m pytest` / `oneroster-conformance`, generated from the settings declarations
in `oneroster_conformance/client/settings.py` (`python -m oneroster_conformance.option_docs > docs/options.md`;
a test keeps this file up to date). Each may also come from its environment variable or, where a profile
key is shown, from the `--profile` YAML file; the command line wins, then the environment, then the profile.
`--strict` is the same as `--gate-should`; `oneroster-conformance --cleanup JOURNAL` deletes what a killed
run with `--allow-writes` created (docs/writes.md). pytest's own options (`-k`, `-x`, `-v`, `-r`,
`--hypothesis-profile quick|certification|thorough`) work as usual.

"""


def options_document() -> str:
    return DOC_HEAD + markdown_table() + "\n"


if __name__ == "__main__":
    print(options_document(), end="")
