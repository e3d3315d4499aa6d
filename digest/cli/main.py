"""The `digest` command: the group and its options; each command lives in the module of its group (`runs`,
`inspect`, `topics`, `checks`, `site`) and parses, calls the library and reports. Errors become one `Error: …`
line and an exit code.

The group imports a command's module only when that command runs (click's lazy-group pattern), so
`digest run` never loads what `tune`, `explain` or `notify` need, and every invocation starts sooner."""

from __future__ import annotations

import importlib

import click

from digest.cli.logs import LogFormat, configure_logging

__all__ = ["main"]

COMMANDS = {
    "backfill": "runs:backfill",
    "check-config": "checks:check_config",
    "explain": "inspect:explain",
    "label": "topics:label",
    "notify": "checks:notify_command",
    "render": "runs:render",
    "run": "runs:run",
    "serve": "runs:serve",
    "site": "site:site",
    "status": "inspect:status",
    "try": "inspect:try_topic",
    "tune": "topics:tune",
    "verify": "inspect:verify_command",
}
"""Each command, as `module:function` in `digest.cli`, in the order `--help` lists them."""


class LazyGroup(click.Group):
    """A group that imports a command's module the first time the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, function = COMMANDS[cmd_name].split(":")
        command: click.Command = getattr(importlib.import_module(f"digest.cli.{module}"), function)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="arxiv-digest")
@click.option("-v", "--verbose", count=True, help="More log lines (repeatable).")
@click.option("-q", "--quiet", count=True, help="Warnings and errors only.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    envvar="DIGEST_LOG_FORMAT",
    default="text",
    show_default=True,
    help="JSON lines suit containers and log collectors.",
)
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: int, log_format: LogFormat) -> None:
    """Daily markdown digests of new arXiv papers, one per topic."""
    ctx.obj = {"verbosity": verbose - quiet, "log_format": log_format}
    configure_logging(verbose - quiet, log_format)
