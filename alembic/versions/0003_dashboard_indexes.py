"""dashboard indexes: a server's recently added items in index order; a server's recent plays by item and
person from the index alone (the existing (server_id, viewed_at) index, widened)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:02:18.676516
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WIDE = ['server_id', 'viewed_at', 'media_item_id', 'plex_account_id', 'user_id', 'event']


def upgrade() -> None:
    with op.batch_alter_table('media_item', schema=None) as batch_op:
        batch_op.create_index('ix_media_item_server_added', ['server_id', 'added_at'], unique=False)

    with op.batch_alter_table('watch_event', schema=None) as batch_op:
        batch_op.drop_index('ix_watch_event_server_viewed')
        batch_op.create_index('ix_watch_event_server_viewed', WIDE, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('watch_event', schema=None) as batch_op:
        batch_op.drop_index('ix_watch_event_server_viewed')
        batch_op.create_index('ix_watch_event_server_viewed', ['server_id', 'viewed_at'], unique=False)

    with op.batch_alter_table('media_item', schema=None) as batch_op:
        batch_op.drop_index('ix_media_item_server_added')
