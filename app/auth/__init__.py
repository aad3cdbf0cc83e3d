from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/<lang:lang>")

from app.auth import views  # noqa: E402,F401
