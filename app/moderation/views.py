from flask import render_template

from app.moderation import bp
from app.permissions import moderator_required


@bp.route("/")
@moderator_required
def index():
    return render_template("moderation/index.html")
