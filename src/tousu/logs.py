"""Logging: one line per event as `key=value` pairs, with personal data masked in every message.

Phones and ID numbers are masked wherever they appear in a logged line (message, exception text,
traceback), with the same masking the API shows; PostgreSQL's error details that quote a row
or a key's value are blanked. SQL parameters never reach a log at all: engines are created with
`hide_parameters=True` (see storage.db).
"""

from __future__ import annotations

import logging
import re
import traceback
from datetime import UTC, datetime
from typing import Any

from tousu.services.customers import mask_numbers_in_text

# PostgreSQL quotes the offending row or key in its DETAIL lines: names and addresses too.
FAILING_ROW = re.compile(r"Failing row contains \(.*\)")
KEY_VALUE = re.compile(r"Key \(([^)]*)\)=\((.*?)\)")

ACCESS_LOGGER = "tousu.access"


# The request ids tousu makes (uuid4 hex, access_log) hold runs of digits that look like phone
# numbers: masked, the id quoted to a user in an error could not be found in the log.
OWN_REQUEST_ID = re.compile(r"(request_id=[0-9a-f]{32})(?![0-9a-z])")


def mask_text(text: str) -> str:
    """`text` with every phone number and ID number masked, and quoted database rows blanked."""
    text = FAILING_ROW.sub("Failing row contains (…)", text)
    text = KEY_VALUE.sub(lambda m: f"Key ({m.group(1)})=(…)", text)
    parts = OWN_REQUEST_ID.split(text)  # the ids at odd positions stay as they are
    return "".join(part if i % 2 else mask_numbers_in_text(part) for i, part in enumerate(parts))


class MaskingFormatter(logging.Formatter):
    """`2026-11-23T02:00:00.000Z level=INFO logger=tousu.access key=value ...`, masked."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        line = f"{moment} level={record.levelname} logger={record.name} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return mask_text(line)


def log_exception(logger: logging.Logger, message: str, exc: BaseException) -> None:
    """Log `exc` with its traceback, masked before the record exists: every handler gets the masked text."""
    trace = "".join(traceback.format_exception(exc)).rstrip()
    logger.error("%s error=%s\n%s", message, type(exc).__name__, mask_text(trace))


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` for the server, applied by uvicorn in each worker process."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"masked": {"()": MaskingFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "masked", "stream": "ext://sys.stderr"}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # uvicorn's own lines go through the same masking; its access log is replaced by ours.
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
            "alembic": {"level": "WARNING", "handlers": [], "propagate": True},  # its start-up chatter
        },
    }
