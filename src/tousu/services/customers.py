"""Customers: found by phone, with their complaint history and notes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tousu.domain.codes import Role, VipLevel
from tousu.services.actors import Actor, require_role
from tousu.services.errors import Conflict, Invalid, NotFound
from tousu.storage.tables import complaints, customer_notes, customers, settlements

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
"""Mainland mobiles and landlines with their area code: a number we can call back."""
ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")


def normalise_phone(phone: str) -> str:
    cleaned = re.sub(r"[\s()]", "", phone).removeprefix("+86")
    if not PHONE.match(cleaned):
        raise Invalid(
            "invalid_phone", f"电话号码“{phone}”格式不正确：请填写11位手机号或带区号的固定电话。", "customer.phone"
        )
    return cleaned


def mask_phone(phone: str) -> str:
    """139****1234 for mobiles; keep the area code and last four otherwise."""
    if len(phone) == 11 and phone.isdigit():
        return f"{phone[:3]}****{phone[-4:]}"
    return phone[:-4].rstrip("-")[:4] + "****" + phone[-4:] if len(phone) > 6 else "****"


def mask_id_number(id_number: str | None) -> str | None:
    return None if id_number is None else f"{id_number[:3]}{'*' * 11}{id_number[-4:]}"


def find_or_create(conn: sa.Connection, *, data: dict[str, Any], now: datetime) -> tuple[dict[str, Any], bool]:
    """The customer with this phone number, and whether this contact created it from `data`.

    Two first complaints from one new number at the same moment still make one customer:
    the insert yields to the unique phone index and the winner's row is read back.
    """
    phone = normalise_phone(data["phone"])
    id_number = data.get("id_number")
    if id_number is not None and not ID_NUMBER.match(id_number):
        raise Invalid("invalid_id_number", "身份证号码应为18位（最后一位可为X）。", "customer.id_number")
    values = {
        "name": data["name"],
        "phone": phone,
        "address": data.get("address") or "",
        "id_number": id_number,
        "vip_level": VipLevel(data.get("vip_level") or "normal").value,
        "important": bool(data.get("important")),
        "sensitive": bool(data.get("sensitive")),
        "created_at": now,
    }
    # Insert first: most complainants are new, and then one statement does it all.
    created = conn.execute(_INSERT_ONCE[conn.dialect.name], values).mappings().first()
    if created is not None:
        return dict(created), True
    return dict(conn.execute(_BY_PHONE, {"phone": phone}).mappings().one()), False


_BY_PHONE = sa.select(customers).where(customers.c.phone == sa.bindparam("phone"))
_INSERT_ONCE = {
    dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(customers)
    .on_conflict_do_nothing(index_elements=["phone"])
    .returning(*customers.c)
    for dialect in (postgresql, sqlite)
}


def get(conn: sa.Connection, *, customer_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(customers).where(customers.c.id == customer_id)).mappings().first()
    if row is None:
        raise NotFound("customer_not_found", f"客户 {customer_id} 不存在。")
    return dict(row)


def find_by_phone(conn: sa.Connection, *, phone: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(customers).where(customers.c.phone == normalise_phone(phone))).mappings().first()
    return None if row is None else dict(row)


def history(conn: sa.Connection, *, customer_id: int, actor: Actor) -> dict[str, Any]:
    """Earlier complaints, settlements and notes; 备案 (filing) notes only for managers and up."""
    past = (
        conn.execute(
            sa.select(
                complaints.c.id,
                complaints.c.reference,
                complaints.c.category,
                complaints.c.status,
                complaints.c.received_at,
                complaints.c.replied_at,
                complaints.c.urgency_types,
                complaints.c.settlement_confirmed,
            )
            .where(complaints.c.customer_id == customer_id)
            .order_by(complaints.c.received_at.desc())
        )
        .mappings()
        .all()
    )
    settled = (
        conn.execute(
            sa.select(settlements, complaints.c.reference)
            .join(complaints, complaints.c.id == settlements.c.complaint_id)
            .where(complaints.c.customer_id == customer_id)
            .order_by(settlements.c.created_at.desc())
        )
        .mappings()
        .all()
    )
    notes_query = sa.select(customer_notes).where(customer_notes.c.customer_id == customer_id)
    if not actor.at_least(Role.MANAGER):
        notes_query = notes_query.where(customer_notes.c.kind != "filing")
    notes = conn.execute(notes_query.order_by(customer_notes.c.created_at.desc())).mappings().all()
    return {
        "complaints": [dict(r) for r in past],
        "settlements": [dict(r) for r in settled],
        "notes": [dict(r) for r in notes],
    }


def add_note(
    conn: sa.Connection, *, customer_id: int, kind: str, text: str, actor: Actor, now: datetime
) -> dict[str, Any]:
    if kind == "filing":
        require_role(actor, Role.MANAGER)
    if not text.strip():
        raise Invalid("empty_note", "备注内容不能为空。", "text")
    get(conn, customer_id=customer_id)
    values = {"customer_id": customer_id, "kind": kind, "text": text.strip(), "author_id": actor.id, "created_at": now}
    note_id = conn.execute(customer_notes.insert().values(**values)).inserted_primary_key[0]  # type: ignore[index]
    return {"id": note_id, **values}


def update_flags(
    conn: sa.Connection, *, customer_id: int, changes: dict[str, Any], version: int, actor: Actor
) -> dict[str, Any]:
    require_role(actor, Role.MANAGER)
    result = conn.execute(
        customers.update()
        .where(customers.c.id == customer_id, customers.c.version == version)
        .values(**changes, version=version + 1)
    )
    if result.rowcount == 0:
        get(conn, customer_id=customer_id)
        raise Conflict("stale_version", "客户资料已被他人修改，请刷新后重试。", "version")
    return get(conn, customer_id=customer_id)
