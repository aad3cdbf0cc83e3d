from flask import render_template
from flask_login import login_required

from app.articles import bp


@bp.route("/")
def index():
    return render_template("articles/index.html")


@bp.route("/new")
@login_required
def new():
    return render_template("articles/index.html")
