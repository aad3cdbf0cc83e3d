from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/<lang:lang>/moderation")
