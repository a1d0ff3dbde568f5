"""Build the Teams app package to sideload: `python -m handlers.teams.manifest.package`.

Fills the bot's Entra app id (TEAMS_APP_ID, or --app-id) into manifest.json and zips it with
the two icons, flat, as Teams requires.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path

from bot.config import ENTRA_ID
from handlers.teams.manifest.icons import color_icon, outline_icon

MANIFEST = Path(__file__).with_name("manifest.json")


def manifest_for(app_id: str) -> dict[str, object]:
    if not ENTRA_ID.match(app_id):
        raise ValueError(f"{app_id!r} is not an Entra application (client) id")
    data: dict[str, object] = json.loads(MANIFEST.read_text().replace("{{TEAMS_APP_ID}}", app_id))
    return data


def build(app_id: str, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest_for(app_id), indent=2))
        package.writestr("color.png", color_icon())
        package.writestr("outline.png", outline_icon())
    return out


def main(argv: list[str] | None = None) -> int:
    from bot.config import ConfigError, Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-id", help="the bot's Entra app id (default: TEAMS_APP_ID)")
    parser.add_argument("--out", default="sectorbot-teams.zip", type=Path)
    args = parser.parse_args(argv)
    try:
        app_id = args.app_id or Settings.from_env().teams_app_id
    except ConfigError as error:
        print(f"sectorbot: {error}", file=sys.stderr)
        return 2
    if not app_id:
        print("sectorbot: set TEAMS_APP_ID or pass --app-id", file=sys.stderr)
        return 2
    try:
        path = build(app_id, args.out)
    except ValueError as error:
        print(f"sectorbot: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {path}: upload it in Teams under Apps > Manage your apps > Upload an app.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
