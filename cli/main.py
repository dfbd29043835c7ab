"""The ``bordereau`` command line. Each command imports what it needs when it
runs, so ``bordereau --help`` stays fast and nothing is built at import."""

from __future__ import annotations

import typer

from cli import login, operator, serve, upload

app = typer.Typer(name="bordereau", no_args_is_help=True, add_completion=False,
                  help="Invoice ingestion with a processing SLA.")
app.command("serve")(serve.serve)
app.command("api")(serve.api)
app.command("worker")(serve.worker)
app.command("beat")(serve.beat)
app.command("migrate")(serve.migrate_cmd)
app.command("upload")(upload.upload)
app.command("login")(login.login)
app.command("logout")(login.logout)
app.command("whoami")(login.whoami)
app.add_typer(operator.operator_app, name="operator")
# The group's name before this release; "admin" is a client account's role now.
app.add_typer(operator.operator_app, name="admin", hidden=True, deprecated=True)


def _mount_sub_apps() -> None:
    # Each feature with commands of its own exposes a Typer app in its module.
    from cli.backup import backup_app
    from cli.billing import billing_operator_app
    from cli.contract import contract_app
    from cli.export import export_app
    from cli.extract import extract
    from cli.probes import probes_app
    from cli.purge import purge_app

    operator.operator_app.registered_commands += billing_operator_app.registered_commands
    app.add_typer(backup_app, name="backup")
    app.add_typer(contract_app, name="contract")
    app.add_typer(export_app, name="export")
    app.command("extract")(extract)
    app.add_typer(probes_app, name="probes")
    app.add_typer(purge_app, name="purge")


_mount_sub_apps()

if __name__ == "__main__":  # pragma: no cover
    app()
