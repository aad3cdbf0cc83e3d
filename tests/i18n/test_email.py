"""Emails speak the recipient's preferred language, whatever the page they were sent from."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path


def read_outbox(app) -> list[email.message.EmailMessage]:
    outbox = Path(app.instance_path) / "outbox"
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(outbox.glob("*.eml"))
    ]


def test_password_reset_email_is_in_the_members_language(app, client, make_user):
    make_user("lucia", email="lucia@example.org", preferred_language="es")
    # Asked from the English page: the mail still follows Lucía's setting.
    response = client.post("/en/auth/reset", data={"email": "lucia@example.org"})
    assert response.status_code == 302
    [message] = read_outbox(app)
    assert message["To"] == "lucia@example.org"
    assert message["Subject"] == "Restablece tu contraseña de Agora"
    body = message.get_content()
    assert "Hola, lucia:" in body
    assert "Alguien ha pedido restablecer la contraseña" in body
    assert "Someone asked" not in body
    assert "/es/auth/reset/" in body  # the link opens the Spanish page
    # The page that asked stays English.
    assert "If an account uses that address" in client.get("/en/auth/login").get_data(
        as_text=True
    )


def test_email_to_a_member_of_an_untranslated_language_is_in_english(app, client, make_user):
    make_user("aino", email="aino@example.org", preferred_language="fi")
    client.post("/fr/auth/reset", data={"email": "aino@example.org"})
    [message] = read_outbox(app)
    assert message["Subject"] == "Reset your Agora password"
    assert "Someone asked to reset the password" in message.get_content()
