"""Operator CLI: `python -m smartplex {migrate,create-admin,health,demo}`."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from smartplex import log
from smartplex.config import get_settings


def _migrate(_args: argparse.Namespace) -> int:
    from smartplex import migrations

    migrations.upgrade()
    print(f"Database is at revision {migrations.current_revision()} (head {migrations.head_revision()}).")
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    from smartplex.services import auth

    password = os.environ.get("SMARTPLEX_ADMIN_PASSWORD") or ""
    if not password:
        if not sys.stdin.isatty():
            print("Set SMARTPLEX_ADMIN_PASSWORD or run interactively to enter a password.", file=sys.stderr)
            return 2
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            print("The passwords do not match.", file=sys.stderr)
            return 2
    try:
        user = auth.create_first_admin(args.name, args.email, password, password)
    except auth.ValidationError as exc:
        for field_name, message in exc.errors.items():
            print(f"{field_name}: {message}", file=sys.stderr)
        return 2
    except auth.AuthError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"Created admin {user.name} <{user.email}>.")
    return 0


def _health(_args: argparse.Namespace) -> int:
    from smartplex.services import health

    report = health.report()
    print(json.dumps(report, indent=2))
    return 1 if report["status"] == "error" else 0


def _demo(args: argparse.Namespace) -> int:
    from smartplex import demo

    return demo.main(print, port=args.port, every=args.every)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m smartplex", description="SmartPlex operator commands.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="upgrade the database schema to the latest revision").set_defaults(run=_migrate)
    admin = commands.add_parser("create-admin", help="create the first admin (password from SMARTPLEX_ADMIN_PASSWORD or a prompt)")
    admin.add_argument("--name", required=True)
    admin.add_argument("--email", required=True)
    admin.set_defaults(run=_create_admin)
    commands.add_parser("health", help="print the health report as JSON; exit 1 when the database is down").set_defaults(run=_health)
    demo = commands.add_parser("demo", help="run SmartPlex against the Plex simulator with its own demo database")
    demo.add_argument("--port", type=int, default=3000)
    demo.add_argument("--every", type=float, default=5.0, help="seconds between simulated plays")
    demo.set_defaults(run=_demo)
    args = parser.parse_args(argv)
    log.configure(get_settings().log_level)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
