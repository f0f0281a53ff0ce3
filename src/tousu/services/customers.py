"""Customers: found by phone, with their complaint history and notes, seen within the actor's scope.

A customer is *in scope* for an actor who sees everything, or who can see at least one of the
customer's complaints (the complaint rule, `actors.can_see`). In scope: the record, the
complaints the actor can see, their settlements, and the notes written in the actor's hall.
Out of scope: only the card an agent needs when the customer calls (name, masked phone, VIP
level and flags) and how much history there is elsewhere.

The address and ID number are not on the record: each complaint keeps those given for it, and
they are seen where the complaint is seen (`contact_details`). Filing a complaint for a phone
number brings its customer into scope, but not what other halls were told.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tousu.domain.codes import Role, VipLevel
from tousu.domain.workflow import ACTIVE_STATUSES
from tousu.services import timeline
from tousu.services.actors import Actor, can_see, require_role
from tousu.services.errors import Conflict, Invalid, NotFound
from tousu.storage.tables import complaints, customer_notes, customers, settlements, users

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


# Numbers typed inside free text, half- or full-width, grouped with spaces, dashes, dots,
# slashes or brackets as people write them (139.1111.2222, (0592)5551234, 3502 0319 9001 …);
# never part of a longer run of digits (an order number is not a phone number).
_D = "[0-9０-９]"
_SEP = r"[\s\-－.．/／—–·]?"
_OPEN, _CLOSE = "[(（]?", "[)）]?"
_LAST = "[0-9０-９XxＸｘ]"
_NUMBERS_IN_TEXT = re.compile(
    rf"(?<![0-9０-９])(?:"
    rf"(?P<id>(?:(?:{_D}{{6}}{_SEP}{_D}{{8}}|{_D}{{6}}{_SEP}{_D}{{4}}{_SEP}{_D}{{4}}){_SEP}{_D}{{3}}{_LAST}"
    rf"|{_D}{{4}}(?:{_SEP}{_D}{{4}}){{3}}{_SEP}{_D}{_LAST})(?!{_LAST})|{_D}{{15}}(?![0-9０-９]))"
    rf"|(?P<mobile>(?:[+＋]?86{_SEP})?{_OPEN}[1１][3-9３-９]{_D}{_CLOSE}{_SEP}{_D}{{4}}{_SEP}{_D}{{4}}(?![0-9０-９]))"
    rf"|(?P<landline>{_OPEN}[0０]{_D}{{2,3}}{_CLOSE}{_SEP}{_D}{{3,4}}{_SEP}{_D}{{4}}(?![0-9０-９]))"
    rf")"
)
_NOT_DIGITS = re.compile(r"[^0-9０-９XxＸｘ]")


def mask_numbers_in_text(text: str) -> str:
    """Phone and ID numbers inside free text masked like the customer's own: for lists and excerpts.

    >>> mask_numbers_in_text("我的手机13900001111，身份证350203199001011234，座机0592-5551234")
    '我的手机139****1111，身份证350***********1234，座机059****1234'
    """

    def masked(match: re.Match[str]) -> str:
        digits = _NOT_DIGITS.sub("", match.group())
        if match.group("id"):
            return str(mask_id_number(digits))
        return mask_phone(re.sub(r"^86(?=\d{11}$)", "", digits))

    return _NUMBERS_IN_TEXT.sub(masked, text)


def find_or_create(conn: sa.Connection, *, data: dict[str, Any], now: datetime) -> tuple[dict[str, Any], bool]:
    """The customer with this phone number, and whether this contact created it from `data`.

    Two first complaints from one new number at the same moment still make one customer:
    the insert yields to the unique phone index and the winner's row is read back. The record
    takes the name given now: numbers change hands, and the caller is whoever called last
    (each complaint keeps the name given for it).
    """
    phone = normalise_phone(data["phone"])
    values = {
        "name": data["name"],
        "phone": phone,
        "vip_level": VipLevel(data.get("vip_level") or "normal").value,
        "important": bool(data.get("important")),
        "sensitive": bool(data.get("sensitive")),
        "created_at": now,
    }
    # Insert first: most complainants are new, and then one statement does it all.
    created = conn.execute(_INSERT_ONCE[conn.dialect.name], values).mappings().first()
    if created is not None:
        return dict(created), True
    found = dict(conn.execute(_BY_PHONE, {"phone": phone}).mappings().one())
    name = values["name"]
    if name and name != found["name"]:
        conn.execute(
            customers.update().where(customers.c.id == found["id"]).values(name=name, version=customers.c.version + 1)
        )
        found = {**found, "name": name, "version": found["version"] + 1}
    return found, False


def given_details(data: dict[str, Any]) -> dict[str, Any]:
    """The name, address and ID number given at intake, checked, as the complaint stores them."""
    id_number = data.get("id_number") or None
    if id_number is not None and not ID_NUMBER.match(id_number):
        raise Invalid("invalid_id_number", "身份证号码应为18位（最后一位可为X）。", "customer.id_number")
    return {
        "customer_name": data["name"].strip(),
        "customer_address": (data.get("address") or "").strip(),
        "customer_id_number": id_number,
    }


def contact_details(
    conn: sa.Connection, *, customer_id: int, actor: Actor, complaint: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The customer's address and ID number as far as the actor may know them: those given for
    `complaint`, else the latest given for a complaint of theirs the actor can see."""
    found: dict[str, Any] = {"address": "", "id_number": None}
    if complaint is not None:
        found = {"address": complaint["customer_address"], "id_number": complaint["customer_id_number"]}
    if found["address"] and found["id_number"]:
        return found
    given = sa.or_(complaints.c.customer_address != "", complaints.c.customer_id_number.is_not(None))
    columns = (complaints.c.customer_address, complaints.c.customer_id_number)
    for row in _visible(conn, customer_id, actor, columns, given):
        found["address"] = found["address"] or row["customer_address"]
        found["id_number"] = found["id_number"] or row["customer_id_number"]
        if found["address"] and found["id_number"]:
            break
    return found


def _visible(
    conn: sa.Connection,
    customer_id: int,
    actor: Actor,
    columns: Sequence[sa.ColumnElement[Any]],
    *where: sa.ColumnElement[bool],
) -> Iterator[sa.RowMapping]:
    """The customer's complaints the actor can see (the complaint rule, `can_see`), newest first."""
    return (row for row in _of_customer(conn, customer_id, columns, *where) if can_see(actor, dict(row)))


def _of_customer(
    conn: sa.Connection, customer_id: int, columns: Sequence[sa.ColumnElement[Any]], *where: sa.ColumnElement[bool]
) -> Iterator[sa.RowMapping]:
    """The customer's complaints, newest first, with what `can_see` reads of them."""
    return iter(
        conn.execute(
            sa.select(*columns, *_SCOPE_COLUMNS)
            .where(complaints.c.customer_id == customer_id, *where)
            .order_by(complaints.c.received_at.desc(), complaints.c.id.desc())
        ).mappings()
    )


def view(
    conn: sa.Connection, *, customer_id: int, actor: Actor, complaint: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The customer record with the contact details the actor may know (see `contact_details`);
    for a complaint, under the name given for it."""
    record = get(conn, customer_id=customer_id)
    if complaint is not None and complaint["customer_name"]:
        record["name"] = complaint["customer_name"]
    return {**record, **contact_details(conn, customer_id=customer_id, actor=actor, complaint=complaint)}


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
        raise _not_found(customer_id)
    return dict(row)


def _not_found(customer_id: int) -> NotFound:
    # One answer for "no such customer" and "not yours": ids cannot be probed.
    return NotFound("customer_not_found", f"客户 {customer_id} 不存在或您无权查看。")


def find_by_phone(conn: sa.Connection, *, phone: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(customers).where(customers.c.phone == normalise_phone(phone))).mappings().first()
    return None if row is None else dict(row)


_HISTORY_COLUMNS = (
    complaints.c.id,
    complaints.c.reference,
    complaints.c.category,
    complaints.c.topic,
    complaints.c.status,
    complaints.c.received_at,
    complaints.c.replied_at,
    complaints.c.urgency_types,
    complaints.c.settlement_confirmed,
)
_SCOPE_COLUMNS = (complaints.c.team, complaints.c.owner_id, complaints.c.responsible_id, complaints.c.received_by_id)
"""What `can_see` reads of a complaint."""


def _complaints_of(
    conn: sa.Connection, customer_id: int, actor: Actor
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The customer's complaints, newest first: those the actor can see, and the others.

    Filtered with `can_see` itself, so customers follow the complaint rule exactly; one
    customer's complaints are few.
    """
    seen: list[dict[str, Any]] = []
    unseen: list[dict[str, Any]] = []
    for row in _of_customer(conn, customer_id, _HISTORY_COLUMNS):
        (seen if can_see(actor, dict(row)) else unseen).append({c.name: row[c.name] for c in _HISTORY_COLUMNS})
    return seen, unseen


def in_scope(conn: sa.Connection, *, customer_id: int, actor: Actor) -> bool:
    """The one rule: the actor sees everything, or sees at least one of the customer's complaints."""
    return actor.sees_everything or bool(_complaints_of(conn, customer_id, actor)[0])


def get_in_scope(conn: sa.Connection, *, customer_id: int, actor: Actor) -> dict[str, Any]:
    """The customer if in the actor's scope; 404 otherwise, as for a missing id."""
    row = get(conn, customer_id=customer_id)
    if not in_scope(conn, customer_id=customer_id, actor=actor):
        raise _not_found(customer_id)
    return row


def _elsewhere(unseen: list[dict[str, Any]]) -> dict[str, Any]:
    """How much history the actor may not see: counts and the last contact, nothing of the contents."""
    active = {s.value for s in ACTIVE_STATUSES}
    return {
        "complaints": len(unseen),
        "open": sum(1 for c in unseen if c["status"] in active),
        "last_contact_at": max((c["received_at"] for c in unseen), default=None),
    }


def lookup(conn: sa.Connection, *, customer_id: int, actor: Actor) -> dict[str, Any]:
    """What the actor may know of a customer who is on the line.

    `in_scope` with the full `history` when the actor may see the customer, else only the
    counts of the history `elsewhere` (the caller shows the limited card).
    """
    seen, unseen = _complaints_of(conn, customer_id, actor)
    if not (actor.sees_everything or seen):
        return {"in_scope": False, "elsewhere": _elsewhere(unseen)}
    return {"in_scope": True, "history": _history(conn, customer_id, actor, seen), "elsewhere": _elsewhere(unseen)}


def _history(conn: sa.Connection, customer_id: int, actor: Actor, seen: list[dict[str, Any]]) -> dict[str, Any]:
    """The complaints the actor can see, their settlements only, and the notes (备案 filing notes:
    managers and up)."""
    settled = (
        conn.execute(
            sa.select(settlements, complaints.c.reference)
            .join(complaints, complaints.c.id == settlements.c.complaint_id)
            .where(complaints.c.customer_id == customer_id, complaints.c.id.in_([c["id"] for c in seen]))
            .order_by(settlements.c.created_at.desc())
        )
        .mappings()
        .all()
    )
    notes_query = sa.select(customer_notes).where(customer_notes.c.customer_id == customer_id)
    if not actor.at_least(Role.MANAGER):
        notes_query = notes_query.where(customer_notes.c.kind != "filing")
    if not actor.sees_everything:  # a hall's notes are its own
        hall = sa.select(users.c.id).where(users.c.team == actor.team) if actor.team else sa.select(sa.null())
        notes_query = notes_query.where(
            sa.or_(customer_notes.c.author_id == actor.id, customer_notes.c.author_id.in_(hall))
        )
    notes = conn.execute(notes_query.order_by(customer_notes.c.created_at.desc())).mappings().all()
    return {
        "complaints": seen,
        "settlements": [dict(r) for r in settled],
        "notes": [dict(r) for r in notes],
    }


def add_note(
    conn: sa.Connection, *, customer_id: int, kind: str, text: str, actor: Actor, now: datetime
) -> dict[str, Any]:
    get_in_scope(conn, customer_id=customer_id, actor=actor)
    if kind == "filing":
        require_role(actor, Role.MANAGER)
    if not text.strip():
        raise Invalid("empty_note", "备注内容不能为空。", "text")
    values = {"customer_id": customer_id, "kind": kind, "text": text.strip(), "author_id": actor.id, "created_at": now}
    note_id = conn.execute(customer_notes.insert().values(**values)).inserted_primary_key[0]  # type: ignore[index]
    return {"id": note_id, **values}


FLAG_FIELDS = ("vip_level", "important", "sensitive")


def update_flags(
    conn: sa.Connection, *, customer_id: int, changes: dict[str, Any], version: int, actor: Actor, now: datetime
) -> dict[str, Any]:
    """Change the VIP level or flags (managers and up), recorded in the timeline of each of the
    customer's complaints: the flags change how those complaints are handled. A new address is
    recorded on the latest complaint of theirs the manager can see, and seen with it."""
    before = get_in_scope(conn, customer_id=customer_id, actor=actor)
    require_role(actor, Role.MANAGER)
    if unknown := set(changes) - {*FLAG_FIELDS, "address"}:
        raise Invalid("not_changeable", "只能修改客户级别、重要/敏感标记和地址。", sorted(unknown)[0])
    if not changes:
        raise Invalid("nothing_to_change", "没有需要修改的内容。")
    stale = Conflict("stale_version", "客户资料已被他人修改，请刷新后重试。", "version")
    if before["version"] != version:
        raise stale
    address = changes.pop("address", None)
    result = conn.execute(
        customers.update()
        .where(customers.c.id == customer_id, customers.c.version == version)
        .values(**changes, version=version + 1)
    )
    if result.rowcount == 0:
        raise stale
    after = get(conn, customer_id=customer_id)
    _audit(conn, before=before, after=after, actor=actor, now=now)
    if address is not None:
        _record_address(conn, customer_id=customer_id, address=address.strip(), actor=actor, now=now)
    return {**after, **contact_details(conn, customer_id=customer_id, actor=actor)}


def _audit(conn: sa.Connection, *, before: dict[str, Any], after: dict[str, Any], actor: Actor, now: datetime) -> None:
    diff = timeline.change({k: before[k] for k in FLAG_FIELDS}, {k: after[k] for k in FLAG_FIELDS})
    if not diff["after"]:
        return
    ids = conn.execute(sa.select(complaints.c.id).where(complaints.c.customer_id == after["id"])).scalars().all()
    entry = timeline.Entry(kind="customer_updated", actor_id=actor.id, data=diff)
    for complaint_id in ids:
        timeline.append_all(conn, complaint_id=complaint_id, at=now, entries=[entry])


def _record_address(conn: sa.Connection, *, customer_id: int, address: str, actor: Actor, now: datetime) -> None:
    latest = next(_visible(conn, customer_id, actor, (complaints.c.id, complaints.c.customer_address)), None)
    if latest is None or latest["customer_address"] == address:
        return
    conn.execute(complaints.update().where(complaints.c.id == latest["id"]).values(customer_address=address))
    # The address itself is not copied into the timeline.
    entry = timeline.Entry(
        kind="customer_updated", actor_id=actor.id, data={"before": {}, "after": {"address": "（已修改）"}}
    )
    timeline.append_all(conn, complaint_id=latest["id"], at=now, entries=[entry])
