// Agora's small page script: remembers the reader's language and time zone in
// cookies (so "/" and dates follow them), and nothing else global.
(function () {
  "use strict";
  var year = 60 * 60 * 24 * 365;
  function setCookie(name, value) {
    document.cookie = name + "=" + encodeURIComponent(value) + "; path=/; max-age=" + year + "; SameSite=Lax";
  }
  function getCookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : null;
  }
  var lang = document.documentElement.getAttribute("lang");
  if (lang && getCookie("agora_lang") !== lang) { setCookie("agora_lang", lang); }
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && getCookie("agora_tz") !== tz) { setCookie("agora_tz", tz); }
  } catch (e) { /* old browser: times stay in UTC */ }
})();
