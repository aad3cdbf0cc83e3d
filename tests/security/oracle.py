"""The XSS oracle: parse what a browser would build and look for anything that runs.

HTML is parsed with html5lib (the HTML5 parsing algorithm, as browsers do; bleach
vendors it, so no extra dependency is needed). A page is inert when:

- every <script> is ours: a src under /static/ or /<lang>/i18n.js, no inline code;
- no attribute name starts with "on" (event handlers), on any element, in any namespace;
- no href/src/action/formaction/xlink:href/data/poster/background/cite value, once
  entity-decoded (the parser does that) and stripped of whitespace and control
  characters, starts with javascript:, vbscript: or data: (data: images are refused too);
- no iframe, frame, frameset, object, embed, applet, base, link[rel=import], style
  with url()/expression(), meta http-equiv=refresh/set-cookie;
- no style attribute carrying url(, expression(, behavior or -moz-binding;
- every <form> is one of ours: a GET form to a local path, or a form with a CSRF token.

Feeds: the XML is parsed, every link checked, and every HTML-typed text construct
(type="html" or "xhtml") put through the same HTML oracle.
"""

from __future__ import annotations

import re
from pathlib import Path

try:
    import html5lib
except ImportError:  # bleach ships the same parser
    from bleach._vendor import html5lib

PAYLOAD_FILE = Path(__file__).resolve().parent.parent / "data" / "xss_payloads.txt"
TOKENS = {"{TAB}": "\t", "{LF}": "\n", "{CR}": "\r", "{NUL}": "\x00", "{FF}": "\x0c",
          "{LS}": "\u2028", "{PS}": "\u2029"}

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster",
                  "background", "cite", "srcdoc", "lowsrc", "dynsrc", "codebase"}
FORBIDDEN_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base",
                      "isindex", "portal"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
BAD_CSS = re.compile(r"url\s*\(|expression\s*\(|behavior\s*:|-moz-binding|@import", re.I)
OUR_SCRIPT = re.compile(r"^/(static/[\w./-]+|[a-z]{2}/i18n\.js)(\?[\w=.&-]*)?$")
STRIP = re.compile(r"[\s\x00-\x20\u200b-\u200f\u2028\u2029\ufeff]+")


def load_payloads() -> list[str]:
    lines = PAYLOAD_FILE.read_text(encoding="utf-8").split("\n")
    out = []
    for line in lines:
        if not line:
            continue
        for token, char in TOKENS.items():
            line = line.replace(token, char)
        out.append(line)
    return out


def _local(name: str) -> str:
    """'{http://www.w3.org/2000/svg}a' -> 'a'; attribute '{xlink ns}href' -> 'xlink:href'."""
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return f"xlink:{local}" if ns.endswith("xlink") else local
    return name


def dangerous_url(value: str) -> bool:
    return STRIP.sub("", value).lower().startswith(BAD_SCHEMES)


def html_problems(html: str, where: str = "") -> list[str]:
    """Everything executable or hijacking in `html` (an empty list: the page is inert)."""
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    problems: list[str] = []

    def bad(message: str) -> None:
        problems.append(f"{where}: {message}")

    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        tag = _local(element.tag).lower()
        attrs = {_local(k).lower(): v for k, v in element.attrib.items()}
        if tag == "script":
            src = attrs.get("src", "")
            if not OUR_SCRIPT.match(src) or (element.text or "").strip():
                bad(f"foreign script src={src!r} text={(element.text or '')[:60]!r}")
        if tag in FORBIDDEN_ELEMENTS:
            bad(f"<{tag}> element {attrs}")
        if tag == "meta" and attrs.get("http-equiv", "").strip().lower() in (
                "refresh", "set-cookie"):
            bad(f"<meta http-equiv={attrs['http-equiv']!r}>")
        if tag == "link" and "import" in attrs.get("rel", "").lower():
            bad("<link rel=import>")
        if tag == "style" and BAD_CSS.search(element.text or ""):
            bad(f"<style> with {(element.text or '')[:60]!r}")
        for name, value in attrs.items():
            if name.startswith("on"):
                bad(f"event handler {name}={value[:60]!r} on <{tag}>")
            if name in URL_ATTRIBUTES and dangerous_url(value):
                bad(f"{name}={value[:60]!r} on <{tag}>")
            if name == "style" and BAD_CSS.search(value):
                bad(f"style={value[:60]!r} on <{tag}>")
            if (tag == "meta" and name == "content" and "http-equiv" in attrs
                    and re.search(r"url\s*=", value, re.I)):
                bad(f"<meta content={value[:60]!r}>")
        if tag == "form":
            action = attrs.get("action", "")
            method = attrs.get("method", "get").lower()
            has_token = any(
                i.get("name") == "csrf_token" and i.get("type") == "hidden"
                and len(i.get("value", "")) > 20
                for i in element.iter("input")
            )
            local = action == "" or (action.startswith("/") and not action.startswith("//"))
            if not local or (method != "get" and not has_token):
                bad(f"a form we did not render: action={action!r} method={method!r}")
    return problems


# -- feeds ----------------------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_problems(xml: bytes, where: str = "") -> list[str]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(xml, parser)
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in ("href", "src"):
            value = element.get(name)
            if value is not None and dangerous_url(value):
                problems.append(f"{where}: {element.tag} {name}={value[:60]!r}")
        kind = element.get("type")
        if kind == "html":
            problems += html_problems(element.text or "", f"{where} <{element.tag}> (html)")
        elif kind == "xhtml":
            inner = "".join(etree.tostring(child, encoding="unicode") for child in element)
            problems += html_problems(inner, f"{where} <{element.tag}> (xhtml)")
    return problems


# -- calendar files -------------------------------------------------------------------------

ICS_PROPERTIES = {"BEGIN", "END", "PRODID", "VERSION", "CALSCALE", "METHOD", "UID", "DTSTAMP",
                  "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "URL", "LOCATION",
                  "LAST-MODIFIED"}


def ics_problems(body: bytes, where: str = "") -> list[str]:
    """Plain text properties: no CR/LF smuggles in a new property or component."""
    text = body.decode("utf-8")
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    problems = []
    lines = [line for line in unfolded.split("\r\n") if line]
    if any("\n" in line or "\r" in line for line in lines):
        problems.append(f"{where}: a bare CR or LF inside a content line")
    names = [re.split(r"[;:]", line, maxsplit=1)[0].upper() for line in lines]
    unknown = sorted(set(names) - ICS_PROPERTIES)
    if unknown:
        problems.append(f"{where}: unexpected properties {unknown}")
    if names.count("SUMMARY") != 1 or names.count("BEGIN") != 2:
        problems.append(f"{where}: components or summaries were added: {names}")
    return problems
