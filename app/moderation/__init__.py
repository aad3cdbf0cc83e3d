from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/<lang:lang>/moderation")

from app.moderation import views  # noqa: E402,F401
