"""Subscriptions to articles and discussions, and the notifications they produce."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/<lang:lang>/notifications")
