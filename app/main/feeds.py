"""Atom feeds per language (filled in by the discussions work)."""

from __future__ import annotations

from flask import Blueprint, make_response

feeds_bp = Blueprint("feeds", __name__, url_prefix="/<lang:lang>/feeds")


@feeds_bp.route("/articles.atom")
def articles():
    return make_response("", 204)


@feeds_bp.route("/discussions.atom")
def discussions():
    return make_response("", 204)
