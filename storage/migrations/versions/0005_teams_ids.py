"""Room for Teams ids: conversation, user and message ids longer than Slack's

Teams personal-chat conversation ids (`a:1...`) and user ids (`29:1...`) often pass 64
characters, where Slack's never do.

Revision ID: teams_ids (Alembic refuses "-" in revision ids)
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "teams_ids"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("channels", "channel_id", False),
    ("members", "user_id", False),
    ("members", "dm_channel", True),
    ("outbox", "conversation", False),
    ("outbox", "message_ts", True),
    ("invitations", "conversation", True),
    ("invitations", "message_ts", True),
)


def _resize(length_from: int, length_to: int) -> None:
    # SQLite ignores VARCHAR lengths, and rebuilding these tables there (batch mode) would
    # cascade-delete subscriptions through the channels foreign key: nothing to do on SQLite.
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column, nullable in COLUMNS:
        op.alter_column(
            table,
            column,
            existing_type=sa.String(length_from),
            type_=sa.String(length_to),
            existing_nullable=nullable,
        )


def upgrade() -> None:
    _resize(64, 255)


def downgrade() -> None:
    _resize(255, 64)
