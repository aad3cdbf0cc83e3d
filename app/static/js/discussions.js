// Discussion pages: "Quote" fills the reply box with the reply's text prefixed by "> ".
// Without JavaScript the link still works: it reloads the page with ?quote=<id>.
(function () {
  "use strict";
  var box = document.querySelector("#reply-form textarea");
  if (!box) { return; }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.quote-link") : null;
    if (!link) { return; }
    var reply = document.getElementById(link.getAttribute("data-quote-target"));
    var body = reply && reply.querySelector(".comment-body");
    if (!body) { return; }
    event.preventDefault();
    var lines = body.innerText.trim().split("\n").map(function (line) {
      return line ? "> " + line : ">";
    });
    var prefix = box.value && !/\n$/.test(box.value) ? box.value + "\n\n" : box.value;
    box.value = prefix + lines.join("\n") + "\n\n";
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  });
})();
