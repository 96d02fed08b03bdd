"""chat conversations per member; chat messages know their conversation, how they ended and who answered;
AI calls say whether their model was in the price table

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('chat_conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )  # fmt: skip
    with op.batch_alter_table('chat_conversation', schema=None) as batch_op:
        batch_op.create_index('ix_chat_conversation_user_updated', ['user_id', 'updated_at'], unique=False)

    with op.batch_alter_table('chat_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conversation_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='complete', nullable=False)
        )
        batch_op.add_column(
            sa.Column('answered_by', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('extras', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            'fk_chat_message_conversation_id', 'chat_conversation', ['conversation_id'], ['id'], ondelete='CASCADE'
        )
        batch_op.create_index('ix_chat_message_conversation', ['conversation_id', 'id'], unique=False)

    with op.batch_alter_table('ai_call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priced', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('ai_call', schema=None) as batch_op:
        batch_op.drop_column('priced')

    with op.batch_alter_table('chat_message', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_message_conversation')
        batch_op.drop_constraint('fk_chat_message_conversation_id', type_='foreignkey')
        batch_op.drop_column('extras')
        batch_op.drop_column('answered_by')
        batch_op.drop_column('status')
        batch_op.drop_column('conversation_id')

    with op.batch_alter_table('chat_conversation', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_conversation_user_updated')
    op.drop_table('chat_conversation')
