"""Outgoing email: SMTP when MAIL_SERVER is set, else the log and instance/outbox/*.eml."""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

log = logging.getLogger("agora.mail")


def send_mail(to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@agora>"
    msg.set_content(body)
    server = current_app.config.get("MAIL_SERVER")
    if server:
        with smtplib.SMTP(server, current_app.config["MAIL_PORT"], timeout=10) as smtp:
            if current_app.config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if current_app.config.get("MAIL_USERNAME"):
                smtp.login(current_app.config["MAIL_USERNAME"], current_app.config["MAIL_PASSWORD"])
            smtp.send_message(msg)
    else:
        outbox = Path(current_app.instance_path) / "outbox"
        outbox.mkdir(exist_ok=True)
        path = outbox / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(msg))
        log.info("mail to %s: %s (saved to %s)\n%s", to, subject, path, body)
    return msg


def send_template_mail(to: str, language: str, template: str, subject, **context) -> EmailMessage:  # noqa: ANN001
    """Render `template` (and the lazy `subject`) in the recipient's language."""
    with force_locale(language):
        body = render_template(template, **context)
        return send_mail(to, str(subject), body)
