"""Home page, the language redirect, health check, robots.txt."""

from __future__ import annotations

from flask import current_app, jsonify, make_response, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from app.extensions import db
from app.i18n import negotiate_language
from app.main import bp


@bp.route("/")
def root():
    user_lang = current_user.preferred_language if current_user.is_authenticated else None
    response = redirect(url_for("main.home", lang=negotiate_language(user_lang)), code=302)
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response


@bp.route("/<lang:lang>/")
def home():
    from app.main.home import home_panels

    return render_template("main/home.html", **home_panels())


@bp.route("/healthz")
def healthz():
    status = {"database": "ok", "search_index": "ok"}
    code = 200
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001  (any failure means "down")
        db.session.rollback()
        status["database"] = f"error: {type(exc).__name__}"
        code = 503
    from app.search import facade

    status["search_index"] = facade.health()
    if status["search_index"] != "ok":
        code = 503
    status["status"] = "ok" if code == 200 else "error"
    return jsonify(status), code


@bp.route("/robots.txt")
def robots():
    body = "User-agent: *\nDisallow: /*/auth/\nDisallow: /*/settings\n"
    body += f"Sitemap: {url_for('main.sitemap', _external=True)}\n"
    response = make_response(body)
    response.mimetype = "text/plain"
    return response


@bp.route("/sitemap.xml")
def sitemap():
    from app.main.sitemap import sitemap_entries

    xml = render_template("main/sitemap.xml", entries=sitemap_entries(),
                          languages=current_app.config["LANGUAGES"])
    response = make_response(xml)
    response.mimetype = "application/xml"
    return response


@bp.route("/<lang:lang>/privacy")
def privacy():
    return render_template("main/privacy.html")
