"""several servers per household: who each server lists as its accounts, removed servers kept as history, and
each member's chosen server

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('server', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_ids', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('removed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chosen_server_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('chosen_server_id')
    with op.batch_alter_table('server', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
        batch_op.drop_column('account_ids')
