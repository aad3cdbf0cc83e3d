from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/<lang:lang>")

from app.search import views  # noqa: E402,F401
