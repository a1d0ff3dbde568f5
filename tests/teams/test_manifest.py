"""The app package a coordinator sideloads: manifest with the bot id, and icons Teams accepts."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest

from handlers.teams.manifest.package import build, main

APP_ID = "5b1f4c2e-1111-4222-8333-944455556666"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_package_has_the_bot_id_scopes_commands_and_icons(tmp_path: Path) -> None:
    with zipfile.ZipFile(build(APP_ID, tmp_path / "app.zip")) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        assert _png_size(package.read("color.png")) == (192, 192)
        assert _png_size(package.read("outline.png")) == (32, 32)
    assert float(manifest["manifestVersion"]) >= 1.17
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    titles = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert titles == [
        "dps-update budget",
        "dps-update vetting",
        "dps-update subscribe",
        "dps-update survey",
        "dps-update help",
    ]
    assert "{{" not in json.dumps(manifest)


def test_a_bad_app_id_is_one_plain_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_env_file: Path
) -> None:
    assert main(["--app-id", "my-bot", "--out", str(tmp_path / "x.zip")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "sectorbot: 'my-bot' is not an Entra application (client) id"
