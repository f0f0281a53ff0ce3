"""Sending one outbox message: e-mail over SMTP, or a JSON POST to a group-chat robot.

The robot body is the text message both 企业微信 and 钉钉 group robots take:
`{"msgtype": "text", "text": {"content": "..."}}`; they answer 200 with `errcode` 0 on success
and 200 with another `errcode` when they refuse, so that is a failure too.

An e-mail may carry attachments (the scheduled reports' workbooks), built by the dispatcher at
send time and never stored in the outbox; a non-ASCII file name is encoded as RFC 2231 says.
"""

from __future__ import annotations

import contextlib
import json
import smtplib
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from types import TracebackType
from typing import Any

from tousu.services.outbox import Message
from tousu.settings import Settings

SMTP_TIMEOUT = 30
WEBHOOK_TIMEOUT = 10


class SendError(Exception):
    """Why a message was not delivered, in words an administrator can act on."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    media_type: str  # "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text_of(payload: dict[str, Any], public_url: str) -> str:
    """The message as one text: subject, body and the link (absolute when the site's address is known)."""
    link = f"{public_url.rstrip('/')}{payload.get('link', '')}"
    return "\n".join(part for part in (f"【投诉处理】{payload['subject']}", payload.get("text", ""), link) if part)


def robot_body(payload: dict[str, Any], public_url: str) -> bytes:
    return json.dumps(
        {"msgtype": "text", "text": {"content": text_of(payload, public_url)}}, ensure_ascii=False
    ).encode()


def email_of(message: Message, settings: Settings, attachments: Sequence[Attachment] = ()) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = f"【投诉处理】{message.payload['subject']}"
    mail["From"] = settings.smtp_from
    mail["To"] = message.recipient
    mail["Date"] = formatdate(localtime=False)
    # Stable per outbox row: a mail resent after a lost acknowledgement is recognised as the same.
    mail["Message-ID"] = f"<tousu-outbox-{message.id}@{settings.smtp_from.rpartition('@')[2] or 'tousu'}>"
    mail.set_content(
        text_of(message.payload, settings.public_url) + "\n\n（本邮件由投诉处理系统自动发送，请勿直接回复。）"
    )
    for attachment in attachments:
        maintype, _, subtype = attachment.media_type.partition("/")
        mail.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return mail


class Senders:
    """Sends a batch of messages; keeps one SMTP connection open for the batch's e-mails."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Senders:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._smtp = None

    def send(self, message: Message, attachments: Sequence[Attachment] = ()) -> None:
        """Send one message; attachments go with an e-mail (a robot takes text alone)."""
        if message.channel == "email":
            self._email(message, attachments)
        elif message.channel == "webhook":
            self._webhook(message)
        else:
            raise SendError(f"未知的发送渠道：{message.channel}")

    def _connection(self) -> smtplib.SMTP:
        settings = self._settings
        if not settings.smtp_host:
            raise SendError("未配置邮件服务器（TOUSU_SMTP_HOST），无法发送邮件")
        if self._smtp is None:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                smtp.login(settings.smtp_user, password)
            self._smtp = smtp
        return self._smtp

    def _email(self, message: Message, attachments: Sequence[Attachment]) -> None:
        try:
            self._connection().send_message(email_of(message, self._settings, attachments))
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"邮件服务器拒收收件人：{exc.recipients}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.__exit__(None, None, None)  # a broken connection is not reused
            raise SendError(f"邮件发送失败：{type(exc).__name__}: {exc}") from None

    def _webhook(self, message: Message) -> None:
        request = urllib.request.Request(
            message.recipient,
            data=robot_body(message.payload, self._settings.public_url),
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "tousu-notifications"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
                answer = response.read(4096)
        except urllib.error.HTTPError as exc:
            raise SendError(f"接收方返回 HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SendError(f"无法连接接收方：{reason}") from None
        try:
            reply = json.loads(answer) if answer.strip() else {}
        except ValueError:
            return  # not a robot's JSON answer: a 2xx is success
        if isinstance(reply, dict) and reply.get("errcode", 0) not in (0, "0"):
            raise SendError(f"群机器人拒绝：errcode={reply.get('errcode')} {reply.get('errmsg', '')}".strip())
