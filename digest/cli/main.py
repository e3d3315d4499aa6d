"""The `digest` command: the group and its options; each command lives in the module of its group (`runs`,
`inspect`, `topics`, `checks`) and parses, calls the library and reports. Errors become one `Error: …` line
and an exit code."""

from __future__ import annotations

import click

from digest.cli.checks import check_config, notify_command
from digest.cli.inspect import explain, status, try_topic, verify_command
from digest.cli.logs import LogFormat, configure_logging
from digest.cli.runs import backfill, render, run, serve
from digest.cli.site import site
from digest.cli.topics import label, tune

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


for command in (run, backfill, serve, render, explain, try_topic, verify_command, status, label, tune):
    main.add_command(command)
for command in (site, check_config, notify_command):
    main.add_command(command)
