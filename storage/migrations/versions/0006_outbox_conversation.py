"""Index the outbox by conversation: every sent post holds its conversation's other pending
posts (pacing), an UPDATE that otherwise scans the whole table, payloads and all, per post.

Revision ID: outbox_conversation
Revises: teams_ids
"""

from collections.abc import Sequence

from alembic import op

revision: str = "outbox_conversation"
down_revision: str | None = "teams_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.create_index(
            "ix_outbox_conversation",
            ["platform", "conversation", "state", "next_attempt_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_conversation")
