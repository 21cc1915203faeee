"""Sending one e-mail through the configured SMTP server (POSTHANTERING_SMTP_*)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from services.core.settings import get_settings

# Worth another try later: the server is down, refused or dropped the connection.
TRANSIENT_SMTP_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)


def smtp_configured() -> bool:
    return bool(get_settings().smtp_host)


def send(to: str, subject: str, body: str) -> None:
    s = get_settings()
    msg = EmailMessage()
    msg["From"] = s.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30) as smtp:
        if s.smtp_starttls:
            smtp.starttls()
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password)
        smtp.send_message(msg)
