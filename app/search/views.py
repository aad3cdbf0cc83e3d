from flask import render_template, request

from app.search import bp


@bp.route("/search")
def search():
    return render_template("search/search.html", q=request.args.get("q", ""))
