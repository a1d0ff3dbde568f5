"""A whole anonymous survey answered in Teams through card submits: invited through the outbox
with the Teams sender, started, every kind of question answered, submitted."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.outbox import send_due
from bot.services import Services
from bot.surveys.service import open_survey
from handlers.teams.sender import TeamsSender
from storage.models import DraftAnswer, Invitation, Member, OutboxItem, SurveyResponse
from tests.conftest import COORDINATOR
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams import activities
from tests.teams.respondent import TeamsRespondent
from tests.teams.server import running_teams


async def test_a_member_answers_a_whole_survey_through_card_submits(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        # The member has talked to the bot: their personal conversation is stored.
        await client.post(activities.message(connector.service_url, "help"))
        connector.calls.clear()
        opened = await open_survey(
            services,
            "dps-experience",
            [activities.USER_AAD],
            actor=COORDINATOR,
            platform="teams",
            team_id=activities.TENANT,
        )
        assert opened.invited == 1
        assert await send_due(services, TeamsSender(services, client.bot.adapter), "teams") == 1
        [invitation] = connector.posts()
        assert invitation.path == f"/v3/conversations/{activities.PERSONAL}/activities"
        member = TeamsRespondent(client, connector, invitation.card, connector.last_id)
        assert "Start" in [s["title"] for s in member._submits()]

        await member.press("Start")
        assert "Which best describes your organisation?" in member.text
        await member.choose("small-charity")  # six options: a ChoiceSet and Send
        await member.choose("london")  # eleven options: a ChoiceSet and Send
        await member.choose("yes")  # yes/no: buttons
        await member.choose("4")  # a scale: buttons
        assert "how was the time you had" in member.text
        await member.choose(_first_value(member))
        assert "costing a bid difficult" in member.text
        costing = _all_values(member)[:2]
        await member.tick(*costing)  # a multi-select ChoiceSet and Next
        await member.choose(_first_value(member))  # specification
        assert "What benefits" in member.text
        await member.type("Steadier funding for  our mentors.")  # inline: ROUTING|TEXT
        await member.type("The portal | takes a long time.")
        await member.choose("no")  # conflicting messages: no, so on to anything else
        await member.type("Thank you for asking.")
        assert "Submit" in [s["title"] for s in member._submits()]
        await member.press("Submit")

    async with services.sessions() as session:
        [response] = (await session.scalars(select(SurveyResponse))).all()
        row = await session.scalar(select(Invitation))
        drafts = await session.scalar(select(func.count()).select_from(DraftAnswer))
        teams_member = await session.scalar(select(Member).where(Member.platform == "teams"))
        invite = await session.scalar(select(OutboxItem).where(OutboxItem.kind == "survey.invite"))
    assert response.member_id is None
    answers = response.answers
    assert answers["org_type"] == "small-charity"
    assert answers["region"] == "london"
    assert answers["registered"] == "yes"
    assert str(answers["portal_ease"]) == "4"
    assert sorted(answers["costing"]) == sorted(costing)
    assert answers["benefits"] == "Steadier funding for  our mentors."
    assert answers["disadvantages"] == "The portal | takes a long time."
    assert answers["conflicting_messages"] == "no"
    assert answers["anything_else"] == "Thank you for asking."
    assert "what_stopped_you" not in answers
    assert drafts == 0
    assert row is not None and row.state == "completed"
    assert teams_member is not None and teams_member.user_id == activities.USER_AAD
    assert invite is not None and invite.state == "sent"
    assert activities.USER_AAD not in str(answers)


def _all_values(member: TeamsRespondent) -> list[str]:
    choices = member._choice_set()
    return [str(c["value"]) for c in choices["choices"]]


def _first_value(member: TeamsRespondent) -> str:
    for submit in member._submits():
        value = str(submit["data"].get("value", ""))
        if "|" in value and submit["data"].get("action") == "survey.answer":
            return value.split("|", 1)[1]
    return _all_values(member)[0]
