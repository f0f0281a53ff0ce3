"""The database schema (SQLAlchemy Core). Alembic migrations must follow every change here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from tousu.domain.workflow import ACTIVE_STATUSES, CLOCK_RUNNING, OPEN_STATUSES, Status

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
    sa.Column("owner_id", sa.ForeignKey("users.id"), nullable=True, index=True),  # who coordinates the batch
    sa.Column("fault_ticket", sa.String(200), nullable=True),  # the network fault ticket: its number or a link
    sa.Column("closed_at", UtcDateTime, nullable=True),  # closed: takes in no new complaints
    sa.Column("closed_by_id", sa.ForeignKey("users.id"), nullable=True),
    # One open batch per issue and start; a closed one does not stop a new batch on its issue.
    sa.Index(
        "uq_batches_open_issue_key_opened_at",
        "issue_key",
        "opened_at",
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    ),
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
    # What the customer gave for this complaint: seen where the complaint is seen (migrations 0018,
    # 0019). A phone number changes hands: the name is the one this caller gave.
    sa.Column("customer_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("customer_address", sa.String(300), nullable=False, server_default=""),
    sa.Column("customer_id_number", sa.String(18), nullable=True),
    sa.Column("proxy_name", sa.String(100), nullable=True),
    sa.Column("proxy_authorisation", sa.Text, nullable=True),
    # Transferred by 12300/12315/the ministry: their case number and the reply deadline they set.
    sa.Column("transfer_source", sa.String(16), nullable=True),
    sa.Column("transfer_case_number", sa.String(64), nullable=True),
    sa.Column("transfer_reply_by", UtcDateTime, nullable=True),
    sa.Column("topic", sa.String(100), nullable=True),
    sa.Column("area", sa.String(100), nullable=True),
    sa.Column("issue_key", sa.String(200), nullable=False),  # indexed with received_at, below
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
    # Set when a finished complaint leaves the working set (services/archive.py); reopening clears it.
    sa.Column("archived_at", UtcDateTime, nullable=True),
    sa.Column("work_quality", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("root_cause", sa.Text, nullable=True),
    # One kind of tousu.domain.improvement.RootCauseKind, chosen at close; None: 未分类.
    sa.Column("root_cause_kind", sa.String(32), nullable=True, index=True),
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

# Indexes for a province's complaints (migration 0013): each list's filter and order, the SLA
# sweep's due rows, batch detection and merges. The queue order is (priority, reply_by, id); the
# partial ones hold only the complaints someone still works on, a small share of the table.
_ACTIVE = complaints.c.status.in_(sorted(s.value for s in ACTIVE_STATUSES))
_CLOCKED = complaints.c.status.in_(sorted(s.value for s in CLOCK_RUNNING))
# The queue order of the working set and of the archive apart (migration 0016): the working
# set's indexes stay small however many years the archive holds.
_LIVE = complaints.c.archived_at.is_(None)
_ARCHIVED = complaints.c.archived_at.is_not(None)
for _prefix, _where in (("ix_complaints", _LIVE), ("ix_complaints_archived", _ARCHIVED)):
    sa.Index(
        f"{_prefix}_queue",
        complaints.c.priority,
        complaints.c.reply_by,
        complaints.c.id,
        postgresql_where=_where,
        sqlite_where=_where,
    )
    sa.Index(
        f"{_prefix}_team_queue",
        complaints.c.team,
        complaints.c.priority,
        complaints.c.reply_by,
        complaints.c.id,
        postgresql_where=_where,
        sqlite_where=_where,
    )
# The finished complaints not yet archived, oldest change first: what the next archive pass takes.
_FINISHED = complaints.c.status.in_(sorted(s.value for s in Status if s not in ACTIVE_STATUSES))
sa.Index(
    "ix_complaints_archivable",
    complaints.c.updated_at,
    postgresql_where=sa.and_(_LIVE, _FINISHED),
    sqlite_where=sa.and_(_LIVE, _FINISHED),
)
sa.Index(
    "ix_complaints_active_queue",
    complaints.c.priority,
    complaints.c.reply_by,
    complaints.c.id,
    postgresql_where=_ACTIVE,
    sqlite_where=_ACTIVE,
)
sa.Index(
    "ix_complaints_active_team_queue",
    complaints.c.team,
    complaints.c.priority,
    complaints.c.reply_by,
    complaints.c.id,
    postgresql_where=_ACTIVE,
    sqlite_where=_ACTIVE,
)
# The sweep's rows: a complaint at level L is due once reply_by + L steps has passed.
sa.Index(
    "ix_complaints_sla_due",
    complaints.c.escalation_level,
    complaints.c.reply_by,
    postgresql_where=_CLOCKED,
    sqlite_where=_CLOCKED,
)
# 我的待办: complaints escalated to a rung and still waiting, for a director (level) or a hall (team).
_OPEN = complaints.c.status.in_(sorted(s.value for s in OPEN_STATUSES))
sa.Index(
    "ix_complaints_open_escalation",
    complaints.c.escalation_level,
    complaints.c.team,
    postgresql_where=_OPEN,
    sqlite_where=_OPEN,
)
# Each person's complaints still worked on (an agent's queue, 我的待办): a few hundred rows each,
# where the full indexes below hold years of them (migration 0017).
for _column in (complaints.c.owner_id, complaints.c.responsible_id, complaints.c.received_by_id):
    sa.Index(f"ix_complaints_active_{_column.name}", _column, postgresql_where=_ACTIVE, sqlite_where=_ACTIVE)
sa.Index("ix_complaints_issue_key_received_at", complaints.c.issue_key, complaints.c.received_at)
sa.Index("ix_complaints_received_by_id", complaints.c.received_by_id)
sa.Index("ix_complaints_merged_into_id", complaints.c.merged_into_id)
# The dashboard's satisfaction of the last weeks, read from the index alone.
sa.Index(
    "ix_complaints_satisfaction_received_at",
    complaints.c.received_at,
    complaints.c.satisfaction,
    postgresql_where=complaints.c.satisfaction.is_not(None),
    sqlite_where=complaints.c.satisfaction.is_not(None),
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
    # 我的待办's approvals (services/todo.py), counted on every page: the pending few, by role.
    sa.Index(
        "ix_settlements_pending_approver_role",
        "approver_role",
        sqlite_where=sa.text("status = 'pending_approval'"),
        postgresql_where=sa.text("status = 'pending_approval'"),
    ),
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

# In-app notifications (the bell): one row per person told, written with the event that caused it.
notifications = sa.Table(
    "notifications",
    metadata,
    _id(),
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),  # see services/notifications.py
    sa.Column("complaint_id", sa.ForeignKey("complaints.id"), nullable=True, index=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("link", sa.String(200), nullable=False),  # a path of this site, e.g. /complaints/12
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("read_at", UtcDateTime, nullable=True),
    sa.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
)

# How each person wants to be told besides the bell (always on); no row means the bell alone.
notification_preferences = sa.Table(
    "notification_preferences",
    metadata,
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("email", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("webhook", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("email_address", sa.String(254), nullable=False, server_default=""),
    sa.Column("webhook_url", sa.String(500), nullable=False, server_default=""),
    sa.Column("daily_digest", sa.Boolean, nullable=False, server_default=sa.false()),  # one e-mail a day
    # Scheduled reports by e-mail (services/scheduled_reports.py): 日报 daily, 周报 on Mondays.
    sa.Column("daily_report", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("weekly_report", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

# Messages to send (e-mail, group-chat webhooks), written in the transaction of their cause and
# sent by a dispatcher (services/outbox.py): retried with backoff, each claimed by one sender.
outbox = sa.Table(
    "outbox",
    metadata,
    _id(),
    sa.Column("channel", sa.String(16), nullable=False),  # email | webhook
    sa.Column("recipient", sa.String(500), nullable=False),  # the address or the URL
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=True, index=True),
    sa.Column("notification_id", sa.ForeignKey("notifications.id"), nullable=True, index=True),
    sa.Column("payload", sa.JSON, nullable=False),  # {"subject", "body"}
    sa.Column("status", sa.String(16), nullable=False),  # pending | sending | sent | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UtcDateTime, nullable=False),  # for `sending`: when the claim lapses
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("sent_at", UtcDateTime, nullable=True),
    # One message per notification and channel, one digest per person and day: never queued twice.
    sa.Column("dedup_key", sa.String(100), nullable=False, unique=True),
    sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
)

# Improvement measures (整改措施): what is done about one kind of root cause, by whom and by when.
improvement_measures = sa.Table(
    "improvement_measures",
    metadata,
    _id(),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("root_cause_kind", sa.String(32), nullable=False, index=True),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("owner_id", sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("team", sa.String(100), nullable=False, server_default=""),  # the hall it is for; "": every hall
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),  # open | in_progress | done | verified
    sa.Column("evidence", sa.Text, nullable=False, server_default=""),
    sa.Column("created_by_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("completed_at", UtcDateTime, nullable=True),
    sa.Column("verified_by_id", sa.ForeignKey("users.id"), nullable=True),
    sa.Column("verified_at", UtcDateTime, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
)

# The complaints that caused a measure.
improvement_measure_complaints = sa.Table(
    "improvement_measure_complaints",
    metadata,
    sa.Column("measure_id", sa.ForeignKey("improvement_measures.id"), primary_key=True),
    sa.Column("complaint_id", sa.ForeignKey("complaints.id"), primary_key=True, index=True),
)

# A measure's own history: created, status changes, evidence recorded.
improvement_measure_events = sa.Table(
    "improvement_measure_events",
    metadata,
    _id(),
    sa.Column("measure_id", sa.ForeignKey("improvement_measures.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),  # created | status | evidence
    sa.Column("actor_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)

# The administrators' policy overrides (services/policy_settings.py): every change is a new row
# holding the whole override document; the highest version is in force.
policy_settings = sa.Table(
    "policy_settings",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("overrides", sa.JSON, nullable=False),  # key (dotted path) -> value
    sa.Column("changed_by_id", sa.ForeignKey("users.id"), nullable=True),  # None: the command line
    sa.Column("changed_at", UtcDateTime, nullable=False),
)
