"""The work queue's filters as query parameters, read into a queries.ComplaintFilter.

The same parameters as `GET /api/v1/complaints` (its list), so that an export of a filtered list
takes exactly the list's filters.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from tousu.api.schemas import LooseMoment, QueryId, Text
from tousu.domain.codes import Category, Channel, UrgencyType
from tousu.domain.workflow import Status
from tousu.services.queries import Archived, ComplaintFilter


def complaint_filter(
    status: Annotated[list[Status] | None, Query(max_length=20)] = None,
    channel: Channel | None = None,
    category: Category | None = None,
    urgency_type: UrgencyType | None = None,
    owner: QueryId = None,
    overdue: bool | None = None,
    customer_id: QueryId = None,
    batch_id: QueryId = None,
    received_from: LooseMoment | None = None,
    received_to: LooseMoment | None = None,
    q: Annotated[Text | None, Query(max_length=100, description="keyword in the complaint text")] = None,
    archived: Annotated[
        Archived | None,
        Query(
            description="archived complaints (finished long ago): `exclude` (the working set), `include` or "
            "`only`; by default excluded, but included when `received_from` or `received_to` bounds the list"
        ),
    ] = None,
) -> ComplaintFilter:
    return ComplaintFilter(
        status=[s.value for s in status] if status else None,
        channel=channel,
        category=category,
        urgency_type=urgency_type,
        owner=owner,
        overdue=overdue,
        received_from=received_from,
        received_to=received_to,
        customer_id=customer_id,
        batch_id=batch_id,
        q=q,
        archived=archived,
    )


Filters = Annotated[ComplaintFilter, Depends(complaint_filter)]
