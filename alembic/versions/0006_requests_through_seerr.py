"""requests through Overseerr / Seerr: what a request asked for and where it stands, weekly quotas, the Seerr
webhook's secret and the poll's lease on the integration row

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('content_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tvdb_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('year', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('seasons', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('seasons_available', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('status_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column('media_item_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='smartplex', nullable=False)
        )
        batch_op.create_foreign_key(
            'fk_content_request_media_item_id', 'media_item', ['media_item_id'], ['id'], ondelete='SET NULL'
        )
        batch_op.drop_index(batch_op.f('ix_content_request_overseerr_request_id'))
        batch_op.create_index('uq_content_request_overseerr_request_id', ['overseerr_request_id'], unique=True)
        batch_op.create_index('ix_content_request_status', ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_request_tvdb_id'), ['tvdb_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_request_media_item_id'), ['media_item_id'], unique=False)

    op.create_table('request_quota',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('movies_per_week', sa.Integer(), nullable=True),
    sa.Column('seasons_per_week', sa.Integer(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )

    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webhook_secret_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('webhook_secret_encrypted', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True))
        batch_op.add_column(sa.Column('webhook_auth_encrypted', sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=True))
        batch_op.add_column(sa.Column('lease_owner', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))
        batch_op.add_column(sa.Column('lease_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_polled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index('uq_integration_webhook_secret_hash', ['webhook_secret_hash'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.drop_index('uq_integration_webhook_secret_hash')
        batch_op.drop_column('last_polled_at')
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('lease_owner')
        batch_op.drop_column('webhook_auth_encrypted')
        batch_op.drop_column('webhook_secret_encrypted')
        batch_op.drop_column('webhook_secret_hash')

    op.drop_table('request_quota')

    # Rows only SmartPlex's reservation ever had, and duplicates of a Seerr request, cannot go back.
    op.execute(sa.text("DELETE FROM content_request WHERE status = 'submitting'"))
    with op.batch_alter_table('content_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_request_media_item_id'))
        batch_op.drop_index(batch_op.f('ix_content_request_tvdb_id'))
        batch_op.drop_index('ix_content_request_status')
        batch_op.drop_index('uq_content_request_overseerr_request_id')
        batch_op.create_index(batch_op.f('ix_content_request_overseerr_request_id'), ['overseerr_request_id'], unique=False)
        batch_op.drop_constraint('fk_content_request_media_item_id', type_='foreignkey')
        batch_op.drop_column('origin')
        batch_op.drop_column('media_item_id')
        batch_op.drop_column('status_reason')
        batch_op.drop_column('seasons_available')
        batch_op.drop_column('seasons')
        batch_op.drop_column('year')
        batch_op.drop_column('tvdb_id')
