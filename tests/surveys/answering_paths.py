"""Whole paths through the DPS experience survey, as a member clicks and types them."""

from __future__ import annotations

from tests.surveys.driver import Respondent


async def answer_registered_path(r: Respondent, *, secret: str = "") -> None:
    """The path of an organisation on the portal: skips what_stopped_you."""
    await r.press("Start")
    assert "Which best describes your organisation?" in r.text
    await r.choose("Small charity (income under £100k)")
    assert "✓ Saved: Small charity" in r.text
    await r.choose("London")
    await r.choose("Yes")
    await r.choose("4 – Easy")
    await r.choose("Tight but manageable")
    await r.tick(["Being expected to find match funding", "Payment in arrears or cash flow"])
    await r.choose("The prison")
    assert "What benefits, if any" in r.text  # goto jumped past what_stopped_you
    await r.type(f"Steadier work for our tutors {secret}".strip())
    await r.press("Skip this one")  # disadvantages
    await r.choose("No")  # conflicting messages: skip to anything_else
    assert "anything else" in r.text
    await r.press("Skip this one")
    assert "Check your answers" in r.text


async def answer_unregistered_path(r: Respondent, *, secret: str = "") -> None:
    await r.press("Start")
    await r.choose("Community interest company (CIC)")
    await r.choose("Across several regions")
    await r.choose("No")
    assert "What stopped you from registering" in r.text
    await r.type(f"The contracts are too large for us {secret}".strip())
    for _ in range(2):
        await r.press("Skip this one")
    await r.choose("Yes")
    await r.type("Two prisons told us different start dates")
    await r.press("Skip this one")
    assert "Check your answers" in r.text
