from flask import render_template

from app.discussions import bp


@bp.route("/")
def index():
    return render_template("discussions/index.html")
