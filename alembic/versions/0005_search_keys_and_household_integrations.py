"""search keys and backdrops for items; household integrations (Seerr, Tautulli, the AI provider) next to the
Plex servers' own, with their kind-specific settings

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 14:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from smartplex.services.text import search_key

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOUSEHOLD = sa.text('server_id IS NULL')
BATCH = 5_000


def upgrade() -> None:
    with op.batch_alter_table('media_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('art', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True))
        batch_op.add_column(sa.Column('search_key', sa.Text(), server_default='', nullable=False))
    _backfill_search_keys()

    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settings', sa.JSON(), nullable=True))
        batch_op.alter_column('server_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(
            'uq_integration_household_kind', ['kind'], unique=True, sqlite_where=HOUSEHOLD, postgresql_where=HOUSEHOLD
        )


def _backfill_search_keys() -> None:
    """The key of every item already synced, as plex.parse computes it for new ones."""
    conn = op.get_bind()
    items = sa.table(
        'media_item', sa.column('id'), sa.column('type'), sa.column('title'), sa.column('parent_title'),
        sa.column('grandparent_title'), sa.column('search_key'),
    )  # fmt: skip
    last = 0
    while True:
        rows = conn.execute(
            sa.select(items.c.id, items.c.type, items.c.title, items.c.parent_title, items.c.grandparent_title)
            .where(items.c.id > last)
            .order_by(items.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        keys = [
            {'row_id': r.id, 'key': search_key(r.title, {'episode': r.grandparent_title, 'season': r.parent_title}.get(r.type))}
            for r in rows
        ]
        conn.execute(items.update().where(items.c.id == sa.bindparam('row_id')).values(search_key=sa.bindparam('key')), keys)
        last = rows[-1].id


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM integration WHERE server_id IS NULL"))
    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.drop_index('uq_integration_household_kind', sqlite_where=HOUSEHOLD, postgresql_where=HOUSEHOLD)
        batch_op.alter_column('server_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('settings')

    with op.batch_alter_table('media_item', schema=None) as batch_op:
        batch_op.drop_column('search_key')
        batch_op.drop_column('art')
