"""Slack-flavoured markdown (what the core writes) as rich Text for the terminal.

The core writes one dialect, Slack's mrkdwn, for every platform; here *bold*, _italic_,
~strike~ and `code` become styles and <url|label> becomes "label (url)", so a link stays usable
when copied out of a terminal.
"""

from __future__ import annotations

import re

from rich.text import Text

_TOKEN = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|(?P<link><(?P<target>[^<>|\s]+)(?:\|(?P<label>[^<>]*))?>)"
    r"|(?P<bold>(?<![\w*])\*(?=\S)(?P<bold_text>[^*\n]*?\S)\*(?![\w*]))"
    r"|(?P<italic>(?<![\w_])_(?=\S)(?P<italic_text>[^_\n]*?\S)_(?![\w_]))"
    r"|(?P<strike>(?<![\w~])~(?=\S)(?P<strike_text>[^~\n]*?\S)~(?![\w~]))"
)

STYLES = {"bold": "bold", "italic": "italic", "strike": "strike", "code": "cyan", "link": "blue"}


def unescape(text: str) -> str:
    """Slack's three escapes back to the characters they stand for."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _link(target: str, label: str | None) -> tuple[str, str | None]:
    """The visible label and the address shown after it (None when they are the same)."""
    if target.startswith("@") or target.startswith("#"):  # mentions: <@U123>, <#C123|name>
        return (("#" + label) if label and target.startswith("#") else (label or target)), None
    address = target.removeprefix("mailto:")
    if not label or unescape(label) == address:
        return address, None
    return unescape(label), address


def to_text(mrkdwn: str, base_style: str = "") -> Text:
    """Convert one piece of mrkdwn to styled Text; anything unrecognised stays as written."""
    text = Text(style=base_style)
    position = 0
    for match in _TOKEN.finditer(mrkdwn):
        if match.start() > position:
            text.append(unescape(mrkdwn[position : match.start()]))
        if match["code"]:
            text.append(unescape(match["code"][1:-1]), style=STYLES["code"])
        elif match["link"]:
            label, address = _link(match["target"], match["label"])
            text.append(label, style="underline " + STYLES["link"])
            if address:
                text.append(f" ({address})", style="dim")
        else:
            kind = next(k for k in ("bold", "italic", "strike") if match[k])
            inner = to_text(match[f"{kind}_text"])
            inner.stylize(STYLES[kind])
            text.append_text(inner)
        position = match.end()
    if position < len(mrkdwn):
        text.append(unescape(mrkdwn[position:]))
    return text
