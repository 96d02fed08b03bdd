"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 07:19:55.360172
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ai_learning_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('why_failed', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('missing_data', sa.JSON(), nullable=False),
    sa.Column('times_asked', sa.Integer(), server_default='1', nullable=False),
    sa.Column('priority', sa.Integer(), server_default='0', nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('plex_account_id', sa.Integer(), nullable=True),
    sa.Column('plex_username', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('webhook_secret_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('webhook_secret_encrypted', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('last_login_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('login_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('webhook_secret_hash')
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_email'), ['email'], unique=True)
        batch_op.create_index(batch_op.f('ix_user_plex_account_id'), ['plex_account_id'], unique=False)

    op.create_table('ai_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('feature', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('prompt_tokens', sa.Integer(), server_default='0', nullable=False),
    sa.Column('completion_tokens', sa.Integer(), server_default='0', nullable=False),
    sa.Column('latency_ms', sa.Integer(), server_default='0', nullable=False),
    sa.Column('cost_usd', sa.Float(), server_default='0.0', nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ai_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ai_call_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ai_call_user_id'), ['user_id'], unique=False)

    op.create_table('auth_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_session_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_auth_session_user_id'), ['user_id'], unique=False)

    op.create_table('chat_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('chat_message', schema=None) as batch_op:
        batch_op.create_index('ix_chat_message_user_created', ['user_id', 'created_at'], unique=False)

    op.create_table('invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('plex_account_id', sa.Integer(), nullable=True),
    sa.Column('plex_username', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('used_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['used_by'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invite_created_by'), ['created_by'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_created', ['user_id', 'created_at'], unique=False)

    op.create_table('server',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('machine_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('connection_urls', sa.JSON(), nullable=False),
    sa.Column('preferred_connection_url', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
    sa.Column('token_encrypted', sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('unreachable_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_full_sync_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_incremental_sync_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('machine_id')
    )
    with op.batch_alter_table('server', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_server_owner_id'), ['owner_id'], unique=False)

    op.create_table('ai_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ai_call_id', sa.Integer(), nullable=True),
    sa.Column('chat_message_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('confidence', sa.Float(), server_default='0.0', nullable=False),
    sa.Column('data_sources', sa.JSON(), nullable=False),
    sa.Column('missing_data', sa.JSON(), nullable=False),
    sa.Column('rating', sa.Integer(), server_default='0', nullable=False),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ai_call_id'], ['ai_call.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['chat_message_id'], ['chat_message.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ai_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ai_feedback_ai_call_id'), ['ai_call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ai_feedback_chat_message_id'), ['chat_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ai_feedback_user_id'), ['user_id'], unique=False)

    op.create_table('content_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('server_id', sa.Integer(), nullable=True),
    sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('tmdb_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('poster_path', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('available_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('overseerr_request_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['server_id'], ['server.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('content_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_request_overseerr_request_id'), ['overseerr_request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_request_tmdb_id'), ['tmdb_id'], unique=False)
        batch_op.create_index('ix_content_request_user_requested', ['user_id', 'requested_at'], unique=False)

    op.create_table('integration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('base_url', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('secret_encrypted', sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=True),
    sa.Column('health_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('last_checked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_latency_ms', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('circuit_state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('circuit_opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['server_id'], ['server.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('server_id', 'kind')
    )
    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integration_server_id'), ['server_id'], unique=False)

    op.create_table('media_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_id', sa.Integer(), nullable=False),
    sa.Column('rating_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('section_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('parent_title', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('grandparent_title', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('parent_rating_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('grandparent_rating_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('item_index', sa.Integer(), server_default='0', nullable=False),
    sa.Column('parent_index', sa.Integer(), server_default='0', nullable=False),
    sa.Column('year', sa.Integer(), server_default='0', nullable=False),
    sa.Column('genres', sa.JSON(), nullable=False),
    sa.Column('directors', sa.JSON(), nullable=False),
    sa.Column('actors', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), server_default='', nullable=False),
    sa.Column('content_rating', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('studio', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('guid', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
    sa.Column('imdb_id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('tmdb_id', sa.Integer(), nullable=True),
    sa.Column('tvdb_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('duration_ms', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('rating', sa.Float(), server_default='0.0', nullable=False),
    sa.Column('audience_rating', sa.Float(), server_default='0.0', nullable=False),
    sa.Column('file_size_bytes', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('thumb', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
    sa.Column('removed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('synced_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['server_id'], ['server.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('server_id', 'rating_key')
    )
    with op.batch_alter_table('media_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_item_added_at'), ['added_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_item_grandparent_rating_key'), ['grandparent_rating_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_item_imdb_id'), ['imdb_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_item_parent_rating_key'), ['parent_rating_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_item_tmdb_id'), ['tmdb_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_item_tvdb_id'), ['tvdb_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_item_type'), ['type'], unique=False)

    op.create_table('sync_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('items_seen', sa.Integer(), server_default='0', nullable=False),
    sa.Column('items_changed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('items_removed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('duration_ms', sa.Integer(), server_default='0', nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['server_id'], ['server.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_run_server_id'), ['server_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_run_started_at'), ['started_at'], unique=False)

    op.create_table('sync_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('interval_minutes', sa.Integer(), server_default='60', nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('last_run_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('next_run_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('run_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('lease_owner', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('lease_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['server_id'], ['server.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('server_id', 'kind')
    )
    with op.batch_alter_table('sync_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_schedule_next_run_at'), ['next_run_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_schedule_server_id'), ['server_id'], unique=False)

    op.create_table('webhook_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('server_id', sa.Integer(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('payload_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('remote_ip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['server_id'], ['server.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhook_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_event_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_event_payload_hash'), ['payload_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_event_received_at'), ['received_at'], unique=False)

    op.create_table('deletion_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_id', sa.Integer(), nullable=True),
    sa.Column('media_item_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('deleted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('deleted_by', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('score', sa.Float(), server_default='0.0', nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('can_undo', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['deleted_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['media_item_id'], ['media_item.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['server_id'], ['server.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deletion_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deletion_log_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deletion_log_deleted_by'), ['deleted_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_deletion_log_media_item_id'), ['media_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deletion_log_server_id'), ['server_id'], unique=False)

    op.create_table('watch_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('plex_account_id', sa.Integer(), nullable=True),
    sa.Column('media_item_id', sa.Integer(), nullable=True),
    sa.Column('rating_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('viewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('progress', sa.Float(), server_default='0.0', nullable=False),
    sa.Column('view_offset_ms', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('user_rating', sa.Float(), server_default='0.0', nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attributed_to_request_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['attributed_to_request_id'], ['content_request.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['media_item_id'], ['media_item.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['server_id'], ['server.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key')
    )
    with op.batch_alter_table('watch_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watch_event_media_item_id'), ['media_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_watch_event_plex_account_id'), ['plex_account_id'], unique=False)
        batch_op.create_index('ix_watch_event_server_viewed', ['server_id', 'viewed_at'], unique=False)
        batch_op.create_index('ix_watch_event_user_viewed', ['user_id', 'viewed_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('watch_event', schema=None) as batch_op:
        batch_op.drop_index('ix_watch_event_user_viewed')
        batch_op.drop_index('ix_watch_event_server_viewed')
        batch_op.drop_index(batch_op.f('ix_watch_event_plex_account_id'))
        batch_op.drop_index(batch_op.f('ix_watch_event_media_item_id'))

    op.drop_table('watch_event')
    with op.batch_alter_table('deletion_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deletion_log_server_id'))
        batch_op.drop_index(batch_op.f('ix_deletion_log_media_item_id'))
        batch_op.drop_index(batch_op.f('ix_deletion_log_deleted_by'))
        batch_op.drop_index(batch_op.f('ix_deletion_log_deleted_at'))

    op.drop_table('deletion_log')
    with op.batch_alter_table('webhook_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_event_received_at'))
        batch_op.drop_index(batch_op.f('ix_webhook_event_payload_hash'))
        batch_op.drop_index(batch_op.f('ix_webhook_event_owner_id'))

    op.drop_table('webhook_event')
    with op.batch_alter_table('sync_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_schedule_server_id'))
        batch_op.drop_index(batch_op.f('ix_sync_schedule_next_run_at'))

    op.drop_table('sync_schedule')
    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_run_started_at'))
        batch_op.drop_index(batch_op.f('ix_sync_run_server_id'))

    op.drop_table('sync_run')
    with op.batch_alter_table('media_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_item_type'))
        batch_op.drop_index(batch_op.f('ix_media_item_tvdb_id'))
        batch_op.drop_index(batch_op.f('ix_media_item_tmdb_id'))
        batch_op.drop_index(batch_op.f('ix_media_item_parent_rating_key'))
        batch_op.drop_index(batch_op.f('ix_media_item_imdb_id'))
        batch_op.drop_index(batch_op.f('ix_media_item_grandparent_rating_key'))
        batch_op.drop_index(batch_op.f('ix_media_item_added_at'))

    op.drop_table('media_item')
    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integration_server_id'))

    op.drop_table('integration')
    with op.batch_alter_table('content_request', schema=None) as batch_op:
        batch_op.drop_index('ix_content_request_user_requested')
        batch_op.drop_index(batch_op.f('ix_content_request_tmdb_id'))
        batch_op.drop_index(batch_op.f('ix_content_request_overseerr_request_id'))

    op.drop_table('content_request')
    with op.batch_alter_table('ai_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ai_feedback_user_id'))
        batch_op.drop_index(batch_op.f('ix_ai_feedback_chat_message_id'))
        batch_op.drop_index(batch_op.f('ix_ai_feedback_ai_call_id'))

    op.drop_table('ai_feedback')
    with op.batch_alter_table('server', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_server_owner_id'))

    op.drop_table('server')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_created')

    op.drop_table('notification')
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invite_created_by'))

    op.drop_table('invite')
    with op.batch_alter_table('chat_message', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_message_user_created')

    op.drop_table('chat_message')
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_auth_session_expires_at'))

    op.drop_table('auth_session')
    with op.batch_alter_table('ai_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ai_call_user_id'))
        batch_op.drop_index(batch_op.f('ix_ai_call_created_at'))

    op.drop_table('ai_call')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_plex_account_id'))
        batch_op.drop_index(batch_op.f('ix_user_email'))

    op.drop_table('user')
    op.drop_table('ai_learning_item')
