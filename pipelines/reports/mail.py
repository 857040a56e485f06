"""The audit by email: when an SMTP server is configured (RAPPORT_SMTP_HOST, _PORT,
_USER, _PASSWORD, _FROM from the environment), the client's recipients (audits.yaml
`recipients:`) get the PDF (or the HTML when no PDF was written) with a short
plain-text body of the top findings. STARTTLS is used whenever the server offers it.
The password is only handed to smtplib's login: never logged or shown."""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from pipelines.reports.findings import CONCERN, Finding

DEFAULT_PORT = 587
TIMEOUT_SECONDS = 60
TOP_FINDINGS = 5


class MailError(RuntimeError):
    """The audit could not be emailed (no server configured, or the server refused)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = DEFAULT_PORT
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "rapport@localhost"


def smtp_settings() -> SmtpSettings | None:
    """The server of the environment, or None when RAPPORT_SMTP_HOST is unset."""
    host = os.environ.get("RAPPORT_SMTP_HOST", "").strip()
    if not host:
        return None
    port_text = os.environ.get("RAPPORT_SMTP_PORT", "").strip() or str(DEFAULT_PORT)
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise MailError(f"RAPPORT_SMTP_PORT must be a port number, not {port_text!r}")
    user = os.environ.get("RAPPORT_SMTP_USER", "").strip() or None
    sender = os.environ.get("RAPPORT_SMTP_FROM", "").strip() or user or "rapport@localhost"
    return SmtpSettings(
        host,
        int(port_text),
        user,
        os.environ.get("RAPPORT_SMTP_PASSWORD") or None,
        sender,
    )


def subject(client: str, period_label: str) -> str:
    return f"{client}: social audit to {period_label}"


def body(client: str, period_label: str, findings: list[Finding], attached: list[Path]) -> str:
    top = sorted(findings, key=lambda f: f.kind != CONCERN)[:TOP_FINDINGS]
    lines = [f"The {client} social audit for the period to {period_label} is attached.", ""]
    if top:
        lines.append("Top findings:")
        for f in top:
            mark = "concern" if f.kind == CONCERN else "strength"
            lines.append(f"- @{f.handle} ({mark}): {f.text}")
        if len(findings) > len(top):
            lines.append(f"... and {len(findings) - len(top)} more in the report.")
    else:
        lines.append("No findings this period.")
    lines += ["", "Attached: " + ", ".join(p.name for p in attached), "", "-- Rapport"]
    return "\n".join(lines) + "\n"


def compose(
    settings: SmtpSettings,
    client: str,
    period_label: str,
    recipients: tuple[str, ...],
    findings: list[Finding],
    attachments: list[Path],
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject(client, period_label)
    msg["From"] = settings.sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="rapport.local")
    msg.set_content(body(client, period_label, findings, attachments))
    for path in attachments:
        kind = ("application", "pdf") if path.suffix == ".pdf" else ("text", "html")
        data = path.read_bytes()
        if kind[0] == "text":
            msg.add_attachment(data.decode("utf-8"), subtype=kind[1], filename=path.name)
        else:
            msg.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=path.name)
    return msg


def send(settings: SmtpSettings, msg: EmailMessage) -> None:
    """Deliver `msg`; MailError (without the password) when the server refuses it."""
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.user and settings.password:
                smtp.login(settings.user, settings.password)
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        reason = str(exc)
        if settings.password:
            reason = reason.replace(settings.password, "***")
        raise MailError(
            f"the audit was not emailed via {settings.host}:{settings.port}: {reason}"
        ) from None


def email_audit(
    client: str,
    period_label: str,
    recipients: tuple[str, ...],
    findings: list[Finding],
    attachments: list[Path],
    settings: SmtpSettings | None = None,
) -> str:
    """Email the audit; returns a line saying to whom. MailError when it cannot."""
    settings = settings or smtp_settings()
    if settings is None:
        raise MailError("no SMTP server configured (set RAPPORT_SMTP_HOST)")
    if not recipients:
        raise MailError(f"client {client} has no recipients in audits.yaml")
    send(settings, compose(settings, client, period_label, recipients, findings, attachments))
    return f"emailed {', '.join(p.name for p in attachments)} to {', '.join(recipients)}"
