"""One person at the keyboard, playing members and the coordinator: each line they type becomes
the same core call Slack would make.

`/dps-update ...` goes to bot.dps_update.run_command, a number to dispatch_action with the value
Slack's button would carry, a form to dispatch_form; the console's own commands (/as, /in,
/clock, /help) only change who and where the person is, or what time it is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

from rich.text import Text

from bot.clock import ManualClock
from bot.commands import COMMAND, parse
from bot.demo_seed import MEMBERS, NETWORK, PLATFORM, TEAM, Person
from bot.digest_job import digest_preview
from bot.dps_update import run_command
from bot.interactions import (
    ActionResult,
    Attachment,
    Caller,
    Form,
    dispatch_action,
    dispatch_form,
)
from bot.jobs import run_all
from bot.messages import Message
from bot.outbox import PACING
from bot.services import Services
from bot.text import format_moment
from handlers.console import world
from handlers.console.delivery import Conversations, Post, next_due, summary
from handlers.console.forms import Cancelled, FormPrompter
from handlers.console.lines import LineSource
from handlers.console.screen import BoardKey, Screen, Shown
from handlers.console.timeshift import BadShift, example_moment, target_time, usage

log = logging.getLogger(__name__)

NUMBERS = re.compile(r"^\d+(\s*,\s*\d+)*$")
MAX_STEPS = 168  # a week in hours: how finely `/clock` walks the scheduler through time
MAX_PACED_TICKS = 600  # ticks a second apart while paced posts wait, at most, per step

HELP = f"""\
What you can type here (the bot's own commands are the same as in Slack):
  {COMMAND} ...           the bot: try `{COMMAND} help` for all it can do
  1   or   1,3              press button 1, or choose options 1 and 3 of a question
  /press N                  the same as typing N
  /as member NAME           be a member ({{members}})
  /as coordinator           be the network's coordinator
  /in #CHANNEL   /in dm     go to a channel or your DM with the bot, and read what was
                            posted there since you last looked ({{places}})
  /clock +7d   +2h   {{moment}}
                            move time on: scheduled posts, reminders and digests arrive
  /digest                   coordinators: preview this week's digest (nothing is posted)
  /where                    who and where you are, and the time
  /help                     this list
  /quit   (or Ctrl-D)       leave the demo"""

SORRY = "Sorry, something went wrong on our side and nothing was saved. The details are in {log}."


class DemoSession:
    def __init__(
        self,
        services: Services,
        clock: ManualClock,
        screen: Screen,
        lines: LineSource,
        conversations: Conversations,
        log_path: Path,
        reports: Path,
    ) -> None:
        self.services = services
        self.clock = clock
        self.screen = screen
        self.lines = lines
        self.log_path = log_path
        self.reports = reports
        self.person: Person = MEMBERS[0]
        self.where = world.find_place("network-news") or world.dm_of(self.person)
        self.conversations = conversations
        self.prompter = FormPrompter(screen.console, lines, services.settings.timezone)
        self._commands: dict[str, Callable[[str], Awaitable[bool]]] = {
            COMMAND: self._dps_update,
            "/as": self._as,
            "/in": self._in,
            "/clock": self._clock,
            "/digest": self._digest,
            "/press": self._press_command,
            "/where": self._where,
            "/help": self._help,
            "/cancel": self._cancel,
            "/quit": self._quit,
            "/exit": self._quit,
        }

    # -- the loop ---------------------------------------------------------------------------

    async def run(self) -> int:
        self._welcome()
        await self._guarded(self._catch_up())
        while True:
            line = self.lines.read(self.prompt())
            if line is None:
                break
            if not await self._guarded(self.handle(line)):
                break
            await self._guarded(self._catch_up())
        self.screen.note("Goodbye, and thank you for trying sectorbot.")
        return 0

    async def _guarded(self, work: Awaitable[bool | None]) -> bool:
        """Run one step; an unexpected failure is logged and told in one sentence, and the demo
        carries on (False only when the person asked to leave)."""
        try:
            return (await work) is not False
        except Exception:
            log.exception("demo: a step failed for %s in %s", self.person.name, self.where.label)
            self.screen.problem(SORRY.format(log=self.log_path))
            return True

    def prompt(self) -> Text:
        role = "coordinator" if self.person.coordinator else "member"
        place = "DM" if self.where.is_dm else self.where.label
        prompt = Text()
        prompt.append(f"{role} ", style="dim")
        prompt.append(self.person.name, style="bold")
        prompt.append(" @ ", style="dim")
        prompt.append(place, style="cyan")
        prompt.append(" > ", style="bold")
        return prompt

    async def handle(self, line: str) -> bool:
        """Act on one line; False when the person wants to leave."""
        text = line.strip()
        if not text:
            self.screen.note("Type a command, or a number to press a button. /help lists them.")
            return True
        if NUMBERS.match(text):
            await self._press(text)
            return True
        if text.startswith("/"):
            name, _, rest = text.partition(" ")
            command = self._commands.get(name.lower())
            if command is None:
                self.screen.problem(f"There is no {name} here. Type /help to see what you can do.")
                return True
            return await command(rest.strip())
        self.screen.problem(
            "Messages aren't read here. Use a command such as "
            f"`{COMMAND} help`, or type a number to press a button. /help lists everything."
        )
        return True

    # -- the bot's commands and buttons -----------------------------------------------------

    def caller(self) -> Caller:
        return Caller(
            platform=PLATFORM,
            team_id=TEAM,
            user_id=self.person.user_id,
            channel_id=self.where.channel_id,
        )

    async def _dps_update(self, rest: str) -> bool:
        result = await run_command(self.services, self.caller(), parse(rest))
        await self._show_result(result, origin=None)
        return True

    async def _press_command(self, rest: str) -> bool:
        if NUMBERS.match(rest):
            await self._press(rest)
        else:
            self.screen.problem("Say which button, by its number: /press 1.")
        return True

    async def _press(self, text: str) -> None:
        shown = self._pressable()
        if shown is None:
            self.screen.problem(
                f"There is nothing to press in {self.where.label} just now. "
                f"Try `{COMMAND}` for the latest updates."
            )
            return
        numbers = [int(n) for n in text.split(",")]
        chosen = shown.board.press(numbers)
        if isinstance(chosen, str):
            self.screen.problem(chosen)
            return
        self.screen.note(f"{self.person.name} chose: {chosen.labels}")
        result = await dispatch_action(self.services, self.caller(), chosen.action, chosen.value)
        await self._show_result(result, origin=shown)

    def _pressable(self) -> Shown | None:
        """The newest message with buttons the person can see: here, or in their DM (whose posts
        are shown wherever they are). Pressing one in the DM takes them there, as clicking a
        button in Slack's DM pane would."""
        here = self.screen.latest(self.where.channel_id, self.person.user_id)
        if self.where.is_dm:
            return here
        dm = world.dm_of(self.person)
        there = self.screen.latest(dm.channel_id, self.person.user_id)
        if there is not None and (here is None or there.order > here.order):
            self.where = dm
            self.screen.note(f"You are now in {dm.label}, where that message is.")
            return there
        return here

    async def _show_result(self, result: ActionResult, origin: Shown | None) -> None:
        self._show_replace_and_reply(result.replace, result.reply, origin)
        if result.files:
            self._save_files(result.files)
        if result.form is not None:
            await self._run_form(result.form, origin)

    def _show_replace_and_reply(
        self, replace: Message | None, reply: Message | None, origin: Shown | None
    ) -> None:
        if replace is not None:
            if origin is not None:
                self.screen.show(replace, origin.key, "sectorbot (message updated)", replaces=True)
            else:
                reply = replace if reply is None else reply
        if reply is not None:
            private = not self.where.is_dm
            header = "sectorbot · only you can see this" if private else "sectorbot"
            self.screen.show(reply, BoardKey(self.where.channel_id, self.person.user_id), header)

    def _save_files(self, files: tuple[Attachment, ...]) -> None:
        """Files the bot sends privately (a survey report) go to the demo's reports folder,
        where Slack would put them in the person's DM."""
        self.reports.mkdir(parents=True, exist_ok=True)
        for attachment in files:
            path = self.reports / Path(attachment.filename).name
            path.write_bytes(attachment.content)
            self.screen.note(f"Saved {attachment.title or attachment.filename} to {path}")

    async def _run_form(self, form: Form, origin: Shown | None) -> None:
        caller = self.caller()
        try:
            values = self.prompter.fill(form)
            while True:
                result = await dispatch_form(
                    self.services, caller, form.action, values, form.private
                )
                if not result.errors:
                    break
                values = self.prompter.fill(form, values, result.errors)
        except Cancelled:
            self.screen.note("Form closed; nothing was sent.")
            return
        self._show_replace_and_reply(result.replace, result.reply, origin)

    # -- who, where and when ----------------------------------------------------------------

    async def _as(self, rest: str) -> bool:
        role, _, name = rest.partition(" ")
        role = role.lower()
        if role == "coordinator":
            self._become(world.coordinator())
            return True
        person = world.find_member(name if role == "member" else rest)
        if person is None:
            asked = name or rest
            lead = f"There is no member called {asked}. " if asked.strip() else ""
            self.screen.problem(
                f"{lead}Try /as member NAME ({world.member_names()}) or /as coordinator."
            )
            return True
        self._become(person)
        return True

    def _become(self, person: Person) -> None:
        self.person = person
        if self.where.is_dm:
            self.where = world.dm_of(person)
        self.screen.note(f"You are now {self._describe()}.")
        self._show_arrivals()  # what came to their DM (or here) since they last looked

    async def _in(self, rest: str) -> bool:
        if rest.strip().lower() in ("dm", "direct", "@sectorbot"):
            self.where = world.dm_of(self.person)
        else:
            found = world.find_place(rest) if rest.strip() else None
            if found is None:
                lead = f"There is no channel called {rest.strip()}. " if rest.strip() else ""
                self.screen.problem(f"{lead}Try /in dm, or one of {world.place_names()}.")
                return True
            self.where = found
        self.screen.note(f"You are now in {self.where.label}.")
        if self._show_arrivals():
            return True
        waiting = self.screen.latest(self.where.channel_id, self.person.user_id)
        if waiting is not None:
            self.screen.note("Still waiting for an answer here:")
            self.screen.show(waiting.message, waiting.key, "sectorbot (earlier)")
        return True

    async def _clock(self, rest: str) -> bool:
        zone = self.services.settings.timezone
        if not rest:
            now = self.clock()
            self.screen.note(f"It is {format_moment(now, zone)}. {usage(now, zone)}")
            return True
        try:
            target = target_time(rest, self.clock(), zone)
        except BadShift as error:
            self.screen.problem(str(error))
            return True
        await self._walk_to(target)
        self._summarise()
        self.screen.note(f"It is now {format_moment(self.clock(), zone)}.")
        return True

    async def _walk_to(self, target: datetime) -> None:
        """Move time on in steps, running the scheduler's jobs at each, as production's ticks
        would have: a reminder due on Thursday arrives before the survey closes on Friday."""
        step = max(timedelta(hours=1), (target - self.clock()) / MAX_STEPS)
        while self.clock() < target:
            # Tick on the hour, as posts are usually timed: 08:30 -> 09:00 -> 10:00 -> ...
            on_the_hour = self.clock().replace(minute=0, second=0, microsecond=0) + step
            self.clock.set(min(on_the_hour, target))
            await self._settle()

    async def _settle(self) -> None:
        """Scheduler ticks at the current time, as production's would run them, then show what
        arrived here. The outbox paces posts to one a second per conversation (a second post
        to a DM waits until 09:00:01), so while a paced post is waiting the clock moves on to
        it and ticks again, until nothing more is due."""
        for _ in range(MAX_PACED_TICKS):
            posted = len(self.conversations)
            await run_all(self.services)
            if len(self.conversations) == posted:
                break  # nothing was sent, so nothing is held back by pacing
            due = await next_due(self.services)
            if due is None or due > self.clock() + PACING:
                break
            if due > self.clock():
                self.clock.set(due)
        self._show_arrivals()

    async def _catch_up(self) -> None:
        """After each line: what it queued (an update published now, a concern's notice) goes
        out as production's next tick would send it, and what went elsewhere is one line."""
        await self._settle()
        self._summarise()

    # -- posts ------------------------------------------------------------------------------

    def _sees(self, post: Post) -> bool:
        """Posts here, and to the current person's DM, are shown in full as they arrive."""
        return post.where.channel_id == self.where.channel_id or post.where.dm_of == self.person

    def _show_arrivals(self) -> int:
        """Show unread posts here, then those in the person's DM, each oldest first (a tick's
        paced posts then read as one conversation at a time); how many were shown."""
        shown = [post for post in self.conversations.unread() if self._sees(post)]
        shown.sort(key=lambda post: post.where.channel_id != self.where.channel_id)  # stable
        zone = self.services.settings.timezone
        for post in shown:
            header = f"sectorbot → {post.where.label} · {format_moment(post.at, zone)}"
            self.screen.show(post.message, BoardKey(post.where.channel_id, None), header)
        self.conversations.mark_read(shown)
        return len(shown)

    def _summarise(self) -> None:
        """One dim line for what was posted elsewhere, once: reading it is a command away."""
        elsewhere = self.conversations.unmentioned()
        if elsewhere:
            self.screen.note(summary(elsewhere))

    async def _digest(self, _rest: str) -> bool:
        """The weekly digest as it would be posted now, from the same core function as
        `sectorbot digest preview`; nothing is queued or posted."""
        if not self.person.coordinator:
            self.screen.problem(
                "Only coordinators can preview the weekly digest. Type /as coordinator first."
            )
            return True
        place = self.where if not self.where.is_dm else world.network_place()
        preview = await digest_preview(
            self.services, place.channel_id, platform=PLATFORM, team_id=TEAM
        )
        if not preview.gets_digest:
            self.screen.note(
                f"{place.label} does not get the weekly digest (`{COMMAND} digest on` there "
                "turns it on). This is what it would say:"
            )
        header = f"Digest preview for {place.label} · only you can see this · nothing is posted"
        for message in preview.messages:
            self.screen.show(message, BoardKey(self.where.channel_id, self.person.user_id), header)
        return True

    # -- the console's own small talk -------------------------------------------------------

    def _describe(self) -> str:
        role = "the coordinator" if self.person.coordinator else "member"
        return f"{role} {self.person.full_name} ({self.person.organisation})"

    async def _where(self, _rest: str) -> bool:
        when = format_moment(self.clock(), self.services.settings.timezone)
        self.screen.note(f"You are {self._describe()}, in {self.where.label}. It is {when}.")
        return True

    async def _help(self, _rest: str) -> bool:
        text = HELP.format(
            members=world.member_names(),
            places=world.place_names(),
            moment=example_moment(self.clock(), self.services.settings.timezone),
        )
        self.screen.console.print(Text(text), soft_wrap=True)
        return True

    async def _cancel(self, _rest: str) -> bool:
        self.screen.note("There is no form open. Type /quit, or press Ctrl-D, to leave the demo.")
        return True

    async def _quit(self, _rest: str) -> bool:
        return False

    def _welcome(self) -> None:
        console = self.screen.console
        console.print(Text(f"sectorbot demo · {NETWORK}", style="bold magenta"))
        self.screen.note(
            "A terminal chat with the real bot on a demo database. The organisations, people and "
            "figures are made up."
        )
        when = format_moment(self.clock(), self.services.settings.timezone)
        self.screen.note(f"You are {self._describe()}, in {self.where.label}. It is {when}.")
        self.screen.note(
            f"Start with `{COMMAND}` for the latest updates, or /help for everything you can do."
        )
        self.screen.note(
            "At 09:00 the weekly digest and the members' survey invitations go out: try /clock +1h."
        )
