"""Comments shared by articles (comments) and discussions (replies).

`bp` holds the actions on one comment (edit, delete, hide, unhide), whatever it
belongs to; posting stays with the article or discussion that owns the thread.
"""

from flask import Blueprint

bp = Blueprint("comments", __name__, url_prefix="/<lang:lang>/comments")
