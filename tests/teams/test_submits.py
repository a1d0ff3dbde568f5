"""Card submits reach the core registry with the values Slack would send, and results show."""

from __future__ import annotations

from collections.abc import Mapping

from bot.interactions import ActionResult, Caller, Form, FormField, FormResult, action, form
from bot.messages import Actions, Button, Choice, ChoiceOption, Message, plain
from bot.services import Services
from handlers.teams.cards import render_card
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams import activities
from tests.teams.server import running_teams

SEEN: list[tuple[str, str, str]] = []


@action("teams-test.echo")
async def _echo(services: Services, caller: Caller, value: str) -> ActionResult:
    SEEN.append(("teams-test.echo", caller.user_id, value))
    return ActionResult(replace=plain(f"You chose {value}"), reply=plain("Noted, thank you."))


@action("teams-test.ask")
async def _ask(services: Services, caller: Caller, value: str) -> ActionResult:
    fields = (FormField("name", "Organisation", max_length=50),)
    return ActionResult(
        form=Form(action="teams-test.form", title="Tell us", fields=fields, private=value)
    )


@form("teams-test.form")
async def _form(
    services: Services, caller: Caller, values: Mapping[str, str], private: str
) -> FormResult:
    if not values.get("name", "").strip():
        return FormResult(errors={"name": "Please give a name."})
    return FormResult(reply=Message(text=f"Thanks, {values['name']} ({private})"))


def _submit_data(card: dict, title: str) -> dict:
    """The data of the card's Action.Submit with this title, as Teams would post it back."""
    for element in card["body"]:
        for act in element.get("actions", []):
            if act.get("title", "").endswith(title):
                return dict(act["data"])
    raise AssertionError(f"no button {title!r} in {card!r}")


def _input_id(card: dict, kind: str) -> str:
    return next(e["id"] for e in card["body"] if e["type"] == kind)


async def test_button_replaces_the_card_and_replies(
    services: Services, connector: FakeBotConnector
) -> None:
    card = render_card(Message("Pick", (Actions((Button("B", "teams-test.echo", "option-b"),)),)))
    data = _submit_data(card, "B")
    async with running_teams(services) as client:
        answer = await client.post(
            activities.card_submit(connector.service_url, data, card_id="card-9")
        )
    assert answer.status == 202
    assert SEEN[-1] == ("teams-test.echo", activities.USER_AAD, "option-b")
    [update] = connector.updates()
    assert update.path == f"/v3/conversations/{activities.PERSONAL}/activities/card-9"
    assert "You chose option-b" in update.card_text
    [reply] = connector.posts()
    assert "Noted, thank you." in reply.card_text


async def test_single_and_multiple_choices_send_routing_and_options(
    services: Services, connector: FakeBotConnector
) -> None:
    options = tuple(ChoiceOption(f"Option {n}", f"o{n}") for n in range(1, 8))
    single = render_card(Message("Q", (Choice("teams-test.echo", "single", options, "inv:q1:3"),)))
    multiple = render_card(
        Message(
            "Q",
            (
                Choice("teams-test.echo", "multiple", options[:3], "inv:q2:4"),
                Actions((Button("Next", "teams-test.echo", "inv:q2:4", style="primary"),)),
            ),
        )
    )
    few = render_card(Message("Q", (Choice("teams-test.echo", "single", options[:2], "inv:q3:1"),)))
    single_data = _submit_data(single, "Send") | {_input_id(single, "Input.ChoiceSet"): "o6"}
    multiple_data = _submit_data(multiple, "Next") | {
        _input_id(multiple, "Input.ChoiceSet"): "o1,o3"
    }
    few_data = _submit_data(few, "Option 2")
    async with running_teams(services) as client:
        for data in (single_data, multiple_data, few_data):
            await client.post(activities.card_submit(connector.service_url, data))
    assert [value for _name, _user, value in SEEN[-3:]] == [
        "inv:q1:3|o6",
        "inv:q2:4|o1,o3",
        "inv:q3:1|o2",
    ]


async def test_free_text_sends_routing_and_the_text(
    services: Services, connector: FakeBotConnector
) -> None:
    card = render_card(Message("Q", (Choice("teams-test.echo", "text", (), "inv:q5:2", 500),)))
    text_input = next(e for e in card["body"] if e["type"] == "Input.Text")
    assert text_input["maxLength"] == 500
    data = _submit_data(card, "Send") | {text_input["id"]: "  Slow vetting at HMP X  "}
    async with running_teams(services) as client:
        await client.post(activities.card_submit(connector.service_url, data))
    assert SEEN[-1][2] == "inv:q5:2|Slow vetting at HMP X"


async def test_form_opens_shows_field_errors_in_place_then_succeeds(
    services: Services, connector: FakeBotConnector
) -> None:
    opener = render_card(Message("Go", (Actions((Button("Tell us", "teams-test.ask", "ctx-7"),)),)))
    async with running_teams(services) as client:
        await client.post(
            activities.card_submit(connector.service_url, _submit_data(opener, "Tell us"))
        )
        [form_post] = connector.posts()
        form_card = form_post.card
        name_input = next(e for e in form_card["body"] if e.get("id", "").endswith("name"))
        assert name_input["maxLength"] == 50
        submit = _submit_data(form_card, "Submit")

        await client.post(
            activities.card_submit(
                connector.service_url, submit | {name_input["id"]: "  "}, card_id="form-1"
            )
        )
        [again] = connector.updates()
        assert again.path.endswith("/activities/form-1")
        assert "Please give a name." in again.card_text

        await client.post(
            activities.card_submit(
                connector.service_url, submit | {name_input["id"]: "Clinks"}, card_id="form-1"
            )
        )
    receipt = connector.updates()[-1]
    assert "Sent: Tell us" in receipt.card_text
    thanks = connector.posts()[-1]
    assert thanks.body["text"] == "Thanks, Clinks (ctx-7)"


async def test_unknown_button_gets_a_plain_sentence(
    services: Services, connector: FakeBotConnector
) -> None:
    data = {"action": "no.such.action", "value": "x"}
    async with running_teams(services) as client:
        await client.post(activities.card_submit(connector.service_url, data))
    [reply] = connector.posts()
    assert "no longer does anything" in reply.card_text
