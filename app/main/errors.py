"""Error pages in the layout, in the page's language."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("agora.errors")

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try "
                                "again.")),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (_l("Page not found"), _l("We could not find that page. It may have moved or never "
                                   "existed.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is larger than we accept.")),
    422: (_l("Check your input"), _l("Some of what you entered needs correcting.")),
    429: (_l("Too many requests"), _l("You are doing that too often. Please wait a minute and "
                                      "try again.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. It has been logged; "
                                         "please try again later.")),
    503: (_l("Unavailable"), _l("The service is temporarily unavailable.")),
}


def render_error(code: int, detail: str | None = None):  # noqa: ANN201
    title, message = MESSAGES.get(code, MESSAGES[500])
    wants_json = request.accept_mimetypes.best == "application/json"
    if wants_json:
        return {"error": str(title), "message": detail or str(message)}, code
    return render_template("error.html", code=code, title=title, message=message,
                           detail=detail), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):  # noqa: ANN001
        from flask_babel import gettext as _

        return render_error(400, _("Your form expired or was sent from elsewhere. "
                                   "Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        if exc.code not in MESSAGES:
            return exc
        response = render_error(exc.code)
        if exc.code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            body, code = response
            return body, code, {"Allow": ", ".join(exc.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        propagate = app.config.get("PROPAGATE_EXCEPTIONS")
        if propagate or (propagate is None and (app.testing or app.debug)):
            raise exc  # tests and the debugger want the real traceback
        log.exception("unhandled error on %s %s", request.method, request.path)
        try:
            from app.extensions import db

            db.session.rollback()
        except Exception:  # noqa: BLE001,S110
            pass
        return render_error(500)
