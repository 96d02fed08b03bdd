"""durable webhook queue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 07:34:24.757565
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('webhook_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('processed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_webhook_event_processed_at'), ['processed_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('webhook_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_event_processed_at'))
        batch_op.drop_column('processed_at')
        batch_op.drop_column('payload')

