"""Demo discussions in four languages, with replies, for `make run` and `flask seed demo`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.comments.services import post_comment
from app.db_types import utcnow
from app.discussions.models import Discussion
from app.discussions.services import create_discussion
from app.extensions import db

DEMO_DISCUSSIONS = [
    {
        "author": "anna",
        "language": "en",
        "title": "How do you keep adult learners coming back after the first month?",
        "body": (
            "<p>Our evening literacy courses fill up every September, and by October a third "
            "of the seats are empty. The learners who leave rarely tell us why.</p>"
            "<p>What has worked for you? We are thinking about buddy systems, shorter modules "
            "and a phone call after two missed sessions.</p>"
        ),
        "themes": ["support-for-learners"],
        "tags": "retention, literacy, evening classes",
        "replies": [
            ("marie", "We started a ten-minute check-in at the end of each session where "
                      "learners say one thing they could use at work. Drop-outs halved."),
            ("lucia", "A phone call works, but it matters who calls. When the tutor calls it "
                      "feels like caring; when the office calls it feels like control."),
            ("anna", "> A phone call works, but it matters who calls.\n\nThat is a good point. "
                     "Our tutors are paid by the hour, so we will need to budget the calls."),
        ],
    },
    {
        "author": "marie",
        "language": "fr",
        "title": "Reconnaître les compétences acquises hors de la formation formelle",
        "body": (
            "<p>Beaucoup d'adultes que nous accompagnons ont des années d'expérience bénévole "
            "ou familiale, mais aucun diplôme pour le prouver.</p>"
            "<p>Quels outils utilisez-vous pour rendre ces compétences visibles auprès des "
            "employeurs ? Portfolios, badges numériques, entretiens ?</p>"
        ),
        "themes": ["quality", "policy"],
        "tags": "validation, compétences, portfolio",
        "replies": [
            ("moderator", "Nous testons les open badges depuis un an. Les employeurs locaux "
                          "les lisent quand on leur explique ce qu'il y a derrière."),
            ("lucia", "En Espagne, la procédure d'accréditation existe mais elle est longue. "
                      "Un portfolio préparé avec un conseiller aide beaucoup."),
        ],
    },
    {
        "author": "anna",
        "language": "de",
        "title": "Digitale Grundbildung für ältere Erwachsene: Erfahrungen gesucht",
        "body": (
            "<p>Wir planen einen Kurs für Menschen über 65, die Online-Banking und "
            "Videotelefonie lernen möchten.</p>"
            "<p>Welche Gruppengröße hat sich bei Ihnen bewährt, und arbeiten Sie mit eigenen "
            "Geräten der Teilnehmenden oder mit Leihgeräten?</p>"
        ),
        "themes": ["life-skills", "learning-environments"],
        "tags": "digitale Kompetenzen, Senioren",
        "replies": [
            ("marie", "Chez nous, six personnes au maximum, et toujours sur leur propre "
                      "téléphone : c'est celui qu'elles utiliseront ensuite."),
            ("admin", "Eigene Geräte, unbedingt. Leihgeräte sind gut für die erste Stunde, "
                      "danach fehlt der Transfer in den Alltag."),
        ],
    },
    {
        "author": "lucia",
        "language": "es",
        "title": "¿Cómo evaluáis el impacto de los cursos de idiomas para personas migrantes?",
        "body": (
            "<p>Nos piden indicadores para la financiación pública, pero las horas de "
            "asistencia no dicen nada sobre la autonomía que ganan las personas.</p>"
            "<p>¿Alguien mide, por ejemplo, si después del curso hacen trámites sin ayuda?</p>"
        ),
        "themes": ["quality"],
        "tags": "evaluación, idiomas, migración",
        "replies": [
            ("anna", "Wir fragen drei Monate nach dem Kurs nach: Arzttermin, Behördenbrief, "
                     "Elterngespräch – allein oder mit Hilfe?"),
            ("lucia", "¡Muy buena idea! Tres preguntas concretas son más fáciles de defender "
                      "ante la administración que una encuesta larga."),
        ],
    },
    {
        "author": "moderator",
        "language": "en",
        "title": "Open call: share your favourite free resources for trainers",
        "body": (
            "<p>This discussion is open for two weeks. Post one resource per reply, with a "
            "sentence on how you use it, and we will collect the best in an article.</p>"
        ),
        "themes": ["learning-environments"],
        "tags": "resources, open call",
        "window_days": 14,
        "pinned": True,
        "replies": [
            ("marie", "The EU's DigComp framework: we use the self-assessment grid on the "
                      "first day. https://joint-research-centre.ec.europa.eu/digcomp_en"),
        ],
    },
]


def load_demo_discussions(users: dict) -> None:
    """Create the demo discussions once (skipped when they already exist)."""
    now = utcnow()
    for index, spec in enumerate(DEMO_DISCUSSIONS):
        exists = db.session.scalar(select(Discussion.id).where(Discussion.title == spec["title"]))
        if exists is not None:
            continue
        author = users[spec["author"]]
        window = spec.get("window_days")
        d = create_discussion(
            author,
            title=spec["title"],
            body=spec["body"],
            language=spec["language"],
            themes=spec["themes"],
            tags=spec["tags"],
            opens_at=now - timedelta(days=1) if window else None,
            closes_at=now + timedelta(days=window) if window else None,
        )
        d.pinned = bool(spec.get("pinned"))
        # Spread the start dates so the list's order and relative times look lived-in.
        started = now - timedelta(days=len(DEMO_DISCUSSIONS) - index, hours=3)
        d.created_at = d.updated_at = d.last_activity_at = started
        db.session.flush()
        last = started
        for n, (username, text) in enumerate(spec["replies"], start=1):
            reply = post_comment(users[username], text, discussion=d)
            last = reply.created_at = started + timedelta(hours=5 * n)
        db.session.flush()
        db.session.refresh(d, ["last_activity_at"])
        d.last_activity_at = last
    db.session.flush()
