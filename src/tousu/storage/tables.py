"""The database schema (SQLAlchemy Core). Alembic migrations must follow every change here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Stored in UTC; always read back timezone-aware (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


Money = sa.Numeric(12, 2, asdecimal=False)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


users = sa.Table(
    "users",
    metadata,
    _id(),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("team", sa.String(100), nullable=False, server_default=""),
    sa.Column("password_hash", sa.String(200), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),  # False: disabled
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_login_at", UtcDateTime, nullable=True),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    _id(),
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),  # api | session
    sa.Column("name", sa.String(100), nullable=False, server_default=""),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=True),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
    sa.Column("prefix", sa.String(16), nullable=False, server_default=""),  # the token's first characters
    sa.Column("last_used_at", UtcDateTime, nullable=True),
)

# Who changed which account or token, when: the administrators' actions, kept apart from complaint timelines.
audit_events = sa.Table(
    "audit_events",
    metadata,
    _id(),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Column("actor_id", sa.ForeignKey("users.id"), nullable=True),  # None: the command line
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target_user_id", sa.ForeignKey("users.id"), nullable=True, index=True),
    sa.Column("target_token_id", sa.ForeignKey("api_tokens.id"), nullable=True),
    sa.Column("data", sa.JSON, nullable=False),
)

customers = sa.Table(
    "customers",
    metadata,
    _id(),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("phone", sa.String(20), nullable=False, index=True, unique=True),  # the customer's identity
    sa.Column("address", sa.String(300), nullable=False, server_default=""),
    sa.Column("id_number", sa.String(18), nullable=True),
    sa.Column("vip_level", sa.String(16), nullable=False, server_default="normal"),
    sa.Column("important", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("sensitive", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)

customer_notes = sa.Table(
    "customer_notes",
    metadata,
    _id(),
    sa.Column("customer_id", sa.ForeignKey("customers.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),  # note | filing (备案, managers only)
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

batches = sa.Table(
    "batches",
    metadata,
    _id(),
    sa.Column("issue_key", sa.String(200), nullable=False, index=True),
    sa.Column("opened_at", UtcDateTime, nullable=False),
    sa.Column("last_at", UtcDateTime, nullable=False),
    sa.Column("member_count", sa.Integer, nullable=False),
    sa.UniqueConstraint("issue_key", "opened_at"),
)

complaints = sa.Table(
    "complaints",
    metadata,
    _id(),
    sa.Column("reference", sa.String(32), nullable=False, unique=True),
    sa.Column("channel", sa.String(32), nullable=False, index=True),
    sa.Column("customer_id", sa.ForeignKey("customers.id"), nullable=False, index=True),
    sa.Column("received_by_id", sa.ForeignKey("users.id"), nullable=False),
    # The first responder stays responsible until an explicit hand-over (首问负责制).
    sa.Column("responsible_id", sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("owner_id", sa.ForeignKey("users.id"), nullable=True, index=True),
    sa.Column("team", sa.String(100), nullable=False, server_default=""),
    sa.Column("category", sa.String(32), nullable=True, index=True),
    sa.Column("category_source", sa.String(16), nullable=False, server_default="person"),
    sa.Column("demands", sa.JSON, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("claimed_amount", Money, nullable=True),
    sa.Column("occurred_at", UtcDateTime, nullable=True),
    sa.Column("received_at", UtcDateTime, nullable=False, index=True),
    sa.Column("proxy_name", sa.String(100), nullable=True),
    sa.Column("proxy_authorisation", sa.Text, nullable=True),
    # Transferred by 12300/12315/the ministry: their case number and the reply deadline they set.
    sa.Column("transfer_source", sa.String(16), nullable=True),
    sa.Column("transfer_case_number", sa.String(64), nullable=True),
    sa.Column("transfer_reply_by", UtcDateTime, nullable=True),
    sa.Column("topic", sa.String(100), nullable=True),
    sa.Column("area", sa.String(100), nullable=True),
    sa.Column("issue_key", sa.String(200), nullable=False, index=True),
    sa.Column("urgency_types", sa.JSON, nullable=False),
    sa.Column("manual_urgency", sa.JSON, nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("status", sa.String(24), nullable=False, index=True),
    sa.Column("acknowledge_by", UtcDateTime, nullable=False),
    sa.Column("reply_by", UtcDateTime, nullable=True, index=True),
    sa.Column("follow_up_by", UtcDateTime, nullable=True),
    sa.Column("paused_since", UtcDateTime, nullable=True),
    sa.Column("paused_seconds", sa.Integer, nullable=False, server_default="0"),
    sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"),
    sa.Column("replied_at", UtcDateTime, nullable=True),
    sa.Column("closed_at", UtcDateTime, nullable=True),
    sa.Column("work_quality", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("root_cause", sa.Text, nullable=True),
    sa.Column("responsible_person", sa.String(100), nullable=True),
    sa.Column("improvement_measure", sa.Text, nullable=True),
    sa.Column("satisfaction", sa.String(16), nullable=True),
    sa.Column("settlement_confirmed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("merged_into_id", sa.ForeignKey("complaints.id"), nullable=True),
    sa.Column("batch_id", sa.ForeignKey("batches.id"), nullable=True, index=True),
    sa.Column("analysis", sa.JSON, nullable=True),
    sa.Column("analyzer_version", sa.String(32), nullable=True),
    sa.Column("search_tokens", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    _id(),
    sa.Column("complaint_id", sa.ForeignKey("complaints.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("actor_id", sa.ForeignKey("users.id"), nullable=True),  # None: the system
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    # Makes system events (SLA warnings, escalations, batch alerts) idempotent across processes.
    sa.Column("dedup_key", sa.String(64), nullable=True),
    sa.UniqueConstraint("complaint_id", "dedup_key"),
)

settlements = sa.Table(
    "settlements",
    metadata,
    _id(),
    sa.Column("complaint_id", sa.ForeignKey("complaints.id"), nullable=False, index=True),
    sa.Column("refund", Money, nullable=False),
    sa.Column("compensation", Money, nullable=False),
    sa.Column("gift", Money, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("legal_basis", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.String(24), nullable=False),  # granted | pending_approval | approved | denied
    sa.Column("team", sa.String(100), nullable=False, server_default=""),
    sa.Column("proposed_by_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("approver_role", sa.String(16), nullable=True),
    sa.Column("decided_by_id", sa.ForeignKey("users.id"), nullable=True),
    sa.Column("decided_at", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # [{type, amount, basis}] (see tousu.domain.remedies), the facts they rest on, an exception's reason
    sa.Column("items", sa.JSON, nullable=True),
    sa.Column("facts", sa.JSON, nullable=True),
    sa.Column("override_reason", sa.Text, nullable=True),
)

complaint_links = sa.Table(
    "complaint_links",
    metadata,
    _id(),
    sa.Column("complaint_id", sa.ForeignKey("complaints.id"), nullable=False, index=True),
    sa.Column("other_id", sa.ForeignKey("complaints.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),  # related | merged
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("complaint_id", "other_id"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("complaint_id", sa.ForeignKey("complaints.id"), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # SHA-256 of the request that used the key: a retry must send the same one.
    sa.Column("request_digest", sa.String(64), nullable=True),
)

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)

# Failed logins per account and per client address, shared by every server process. A row
# counts failures until `until`; once `failures` reaches the limit, logins wait until `until`.
login_throttle = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("scope", sa.String(16), primary_key=True),  # account | address
    sa.Column("subject", sa.String(200), primary_key=True),  # the username as typed, or the address
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("until", UtcDateTime, nullable=False, index=True),
)

import_keys = sa.Table(
    "import_keys",
    metadata,
    # The source row's key (its key column, or a hash of its content): a re-run skips it.
    sa.Column("source_key", sa.String(200), primary_key=True),
    sa.Column("complaint_id", sa.ForeignKey("complaints.id"), nullable=False, index=True),
    sa.Column("imported_at", UtcDateTime, nullable=False),
)

# A person's change to a label the analyzer reads (category, demands, emotion): the organisation's
# own labelled examples, with what the analyzer had said and which analyzer and model said it.
label_corrections = sa.Table(
    "label_corrections",
    metadata,
    _id(),
    sa.Column("complaint_id", sa.ForeignKey("complaints.id"), nullable=False, index=True),
    sa.Column("field", sa.String(16), nullable=False),  # category | demands | emotion
    sa.Column("old_value", sa.JSON, nullable=True),
    sa.Column("new_value", sa.JSON, nullable=False),
    sa.Column("analyzer_value", sa.JSON, nullable=True),  # the analyzer's answer, when it gave one
    sa.Column("text", sa.Text, nullable=False),  # the complaint's words at the time
    sa.Column("analyzer_version", sa.String(64), nullable=True),
    sa.Column("model_version", sa.String(100), nullable=True),
    sa.Column("actor_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
)

# Analyzer models trained on the organisation's history; the one `active` is what every server uses.
analyzer_models = sa.Table(
    "analyzer_models",
    metadata,
    _id(),
    sa.Column("version", sa.String(100), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),  # candidate | active | retired | refused
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("created_by_id", sa.ForeignKey("users.id"), nullable=True),  # None: the command line
    sa.Column("artifact", sa.LargeBinary, nullable=False),  # the model file (.npz) itself
    sa.Column("metrics", sa.JSON, nullable=False),  # candidate and baseline scored on the held-out history
    sa.Column("reason", sa.Text, nullable=True),  # why it was refused
    sa.Column("activated_at", UtcDateTime, nullable=True),
)

# Who trained, activated or withdrew which model, when.
analyzer_model_events = sa.Table(
    "analyzer_model_events",
    metadata,
    _id(),
    sa.Column("model_id", sa.ForeignKey("analyzer_models.id"), nullable=True, index=True),
    sa.Column("action", sa.String(16), nullable=False),  # trained | refused | activated | deactivated
    sa.Column("actor_id", sa.ForeignKey("users.id"), nullable=True),  # None: the command line
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)
