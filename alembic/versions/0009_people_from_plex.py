"""people from Plex: a member may have no email or password yet (they sign in with Plex), one person per Plex
account, and invites that let an imported member set their own email and password

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INVITE_USER_FK = 'fk_invite_user_id_user'
USERS = sa.table('user', sa.column('id', sa.Integer()), sa.column('plex_account_id', sa.Integer()),
                 sa.column('email', sa.String()), sa.column('password_hash', sa.String()))  # fmt: skip


def upgrade() -> None:
    _unlink_duplicate_accounts()
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True)
        batch_op.alter_column('password_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True)
        batch_op.drop_index('ix_user_plex_account_id')
        batch_op.create_index('ix_user_plex_account_id', ['plex_account_id'], unique=True)

    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(INVITE_USER_FK, 'user', ['user_id'], ['id'], ondelete='CASCADE')


def _unlink_duplicate_accounts() -> None:
    """Before the account becomes unique: the lowest user id keeps a Plex account linked to several people (the
    one the rules of watching already counted its plays for); the others are unlinked."""
    dup = USERS.alias('dup')
    op.get_bind().execute(
        USERS.update()
        .where(
            USERS.c.plex_account_id.is_not(None),
            USERS.c.id
            != sa.select(sa.func.min(dup.c.id)).where(dup.c.plex_account_id == USERS.c.plex_account_id).scalar_subquery(),
        )
        .values(plex_account_id=None)
    )


def downgrade() -> None:
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.drop_constraint(INVITE_USER_FK, type_='foreignkey')
        batch_op.drop_column('user_id')

    conn = op.get_bind()
    # The older schema requires both: people without them get an address nobody receives mail at and a hash
    # nothing verifies against (they sign in again after an upgrade, with Plex).
    conn.execute(USERS.update().where(USERS.c.email.is_(None)).values(
        email=sa.literal('plex-') + sa.cast(USERS.c.id, sa.String()) + sa.literal('@users.invalid')))  # fmt: skip
    conn.execute(USERS.update().where(USERS.c.password_hash.is_(None)).values(password_hash='!'))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_plex_account_id')
        batch_op.create_index('ix_user_plex_account_id', ['plex_account_id'], unique=False)
        batch_op.alter_column('password_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False)
        batch_op.alter_column('email', existing_type=sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False)
