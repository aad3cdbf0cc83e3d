from flask import Blueprint

bp = Blueprint("discussions", __name__, url_prefix="/<lang:lang>/discussions")
