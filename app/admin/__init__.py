"""Administration of members: list, search, roles, deactivation."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/<lang:lang>/admin")
