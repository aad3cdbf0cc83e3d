"""Demo articles for `make run`: a few realistic pieces in several languages, with
translations, an upcoming and a past event, and some comments."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.articles import services
from app.articles.models import Article
from app.articles.queries import load_article
from app.comments import services as comments
from app.db_types import utcnow
from app.extensions import db


def _article(author, language: str, title: str, summary: str, body: str, **fields) -> Article:  # noqa: ANN001, ANN003
    data = services.ArticleInput(
        kind=fields.pop("kind", "blog"), original_language=language,
        text=services.VersionText(title, summary, body), **fields,
    )
    article = services.create_article(author, data, publish=True)
    db.session.commit()
    return load_article(article.id)  # type: ignore[return-value]


def _version(article: Article, translator, language: str, title: str, summary: str,  # noqa: ANN001
             body: str) -> None:
    fresh = load_article(article.id)  # the last commit expired its versions
    services.add_version(fresh, translator, language,  # type: ignore[arg-type]
                         services.VersionText(title, summary, body))
    db.session.commit()


def _local(days: int, hour: int, minute: int = 0) -> datetime:
    """A naive wall-clock time `days` from today (the event's own zone applies)."""
    day = (utcnow() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, minute)


def load_demo_articles(users: dict) -> None:
    anna, marie, lucia = users["anna"], users["marie"], users["lucia"]
    admin, moderator = users["admin"], users["moderator"]

    circles = _article(
        admin, "en",
        "Learning circles in public libraries",
        "Small peer groups meeting weekly in a library can bring back adults who "
        "left school early. Here is what we learnt from two years of running them.",
        "<p>Two years ago our library started hosting <strong>learning circles</strong>: "
        "groups of six to ten adults who meet once a week to follow a free online course "
        "together, with a facilitator who is not a teacher.</p>"
        "<h2>What worked</h2><ul><li>Meeting at the same time every week.</li>"
        "<li>Choosing courses with the group, not for it.</li>"
        "<li>Ending each session with a short plan for the week.</li></ul>"
        "<p>Most participants had not taken any course for over ten years. Eight in ten "
        "finished their first circle.</p>",
        themes=["learning-environments", "support-for-learners"],
        tags="libraries, peer learning, community",
    )
    _version(
        circles, marie, "fr",
        "Des cercles d'apprentissage dans les bibliothèques publiques",
        "De petits groupes qui se retrouvent chaque semaine à la bibliothèque peuvent "
        "ramener vers la formation des adultes sortis tôt de l'école.",
        "<p>Il y a deux ans, notre bibliothèque a commencé à accueillir des "
        "<strong>cercles d'apprentissage</strong> : des groupes de six à dix adultes qui "
        "suivent ensemble, une fois par semaine, un cours en ligne gratuit.</p>"
        "<h2>Ce qui a marché</h2><ul><li>Se retrouver chaque semaine à la même heure.</li>"
        "<li>Choisir les cours avec le groupe.</li>"
        "<li>Finir chaque séance par un petit plan pour la semaine.</li></ul>",
    )
    _version(
        circles, anna, "de",
        "Lernzirkel in öffentlichen Bibliotheken",
        "Kleine Gruppen, die sich wöchentlich in der Bibliothek treffen, holen "
        "Erwachsene zurück ins Lernen.",
        "<p>Seit zwei Jahren finden in unserer Bibliothek <strong>Lernzirkel</strong> "
        "statt: sechs bis zehn Erwachsene, die gemeinsam einen kostenlosen Online-Kurs "
        "belegen.</p><p>Acht von zehn Teilnehmenden schließen ihren ersten Zirkel ab.</p>",
    )

    basic = _article(
        marie, "fr",
        "Compétences numériques de base : partir des usages",
        "Plutôt que de commencer par le vocabulaire, nous partons de ce que les "
        "apprenants veulent faire avec leur téléphone.",
        "<p>Dans nos ateliers, la première séance commence par une question simple : "
        "<em>qu'aimeriez-vous faire avec votre téléphone que vous ne savez pas faire ?</em></p>"
        "<p>Prendre un rendez-vous médical, envoyer une photo à un petit-enfant, remplir "
        "une démarche administrative : chaque besoin devient un fil conducteur.</p>",
        themes=["life-skills"], tags="compétences numériques, inclusion",
    )
    _version(
        basic, lucia, "es",
        "Competencias digitales básicas: partir de los usos",
        "En lugar de empezar por el vocabulario, partimos de lo que los alumnos quieren "
        "hacer con su móvil.",
        "<p>En nuestros talleres la primera sesión empieza con una pregunta sencilla: "
        "<em>¿qué le gustaría hacer con su teléfono que todavía no sabe hacer?</em></p>",
    )

    _article(
        lucia, "es",
        "Evaluar la calidad de la formación de adultos sin ahogarse en indicadores",
        "Tres preguntas que nuestro centro se hace cada trimestre en lugar de cuarenta "
        "indicadores.",
        "<p>Durante años rellenamos cuadros con cuarenta indicadores que nadie leía. "
        "Ahora nos hacemos tres preguntas cada trimestre:</p><ol>"
        "<li>¿Quién no ha vuelto y por qué?</li><li>¿Qué ha cambiado en la vida de los "
        "participantes?</li><li>¿Qué haríamos de otra manera?</li></ol>",
        kind="resource", themes=["quality"], tags="evaluación, calidad",
    )

    _article(
        anna, "de",
        "Neue Förderrichtlinie für Grundbildung veröffentlicht",
        "Die Richtlinie fördert ab dem kommenden Jahr Projekte zur Alphabetisierung "
        "und Grundbildung am Arbeitsplatz.",
        "<p>Gefördert werden Projekte, die Lesen, Schreiben und Rechnen direkt am "
        "Arbeitsplatz stärken. Anträge können Volkshochschulen, Vereine und Betriebe "
        "gemeinsam stellen.</p>",
        kind="news", themes=["policy"], tags="grundbildung, förderung",
    )

    webinar = _article(
        moderator, "fr",
        "Webinaire : accueillir les apprenants adultes allophones",
        "Une heure d'échanges entre formateurs sur l'accueil des adultes qui apprennent "
        "le français.",
        "<p>Nous partagerons des outils simples pour le premier entretien, et vous "
        "pourrez poser vos questions.</p>",
        kind="event", themes=["support-for-learners"], tags="langues, accueil",
        event_start_local=_local(12, 14), event_end_local=_local(12, 15, 30),
        event_timezone="Europe/Paris", is_online=True,
        online_url="https://meet.example.org/agora-accueil",
        registration_url="https://events.example.org/accueil",
    )
    _version(
        webinar, admin, "en",
        "Webinar: welcoming adult learners of French",
        "One hour for trainers to share how they welcome adults learning French.",
        "<p>We will share simple tools for the first interview, and you can ask your "
        "questions.</p>",
    )

    _article(
        anna, "de",
        "Fachtag Erwachsenenbildung in Leipzig",
        "Ein Tag mit Workshops zu Lernorten, Beratung und Qualität.",
        "<p>Der Fachtag brachte über hundert Lehrende aus Sachsen zusammen.</p>",
        kind="event", themes=["learning-environments"], tags="fachtag",
        event_start_local=_local(-40, 9), event_end_local=_local(-40, 17),
        event_timezone="Europe/Berlin", venue="Volkshochschule Leipzig, Löhrstraße 3-7",
    )

    first = comments.post_comment(
        marie, "We tried something similar in Lyon. Choosing the course with the group "
        "made the biggest difference for us.", article=circles)
    db.session.flush()
    comments.post_comment(admin, "Thank you! Did you meet in the library itself?",
                          article=circles, parent=first)
    comments.post_comment(lucia, "Muy útil. ¿Tenéis una guía para facilitadores?",
                          article=circles)
    comments.post_comment(anna, "Genau so machen wir es auch: erst die Bedürfnisse, "
                          "dann die Begriffe.", article=basic)
    db.session.commit()
