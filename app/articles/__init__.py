from flask import Blueprint

bp = Blueprint("articles", __name__, url_prefix="/<lang:lang>/articles")

from app.articles import views  # noqa: E402,F401
