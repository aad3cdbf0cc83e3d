// Comments without a full reload: the comment form is posted with fetch (the CSRF
// token travels in the form data) and the server answers the new comment's HTML,
// rendered by the same template as the page, which is inserted in place. Without
// JavaScript, or if anything goes wrong on the network, the form posts normally.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) { return; }

  function showError(form, message) {
    var box = form.querySelector("[data-comment-error]");
    var area = form.querySelector("textarea");
    if (box) {
      box.textContent = message;
      box.hidden = !message;
    }
    if (area) {
      if (message) { area.setAttribute("aria-invalid", "true"); } else { area.removeAttribute("aria-invalid"); }
    }
  }

  function insert(data) {
    var list = data.parent_id
      ? document.querySelector('[data-replies-for="' + data.parent_id + '"]')
      : document.querySelector("[data-comment-list]");
    if (!list) { window.location.hash = "comment-" + data.id; window.location.reload(); return; }
    list.insertAdjacentHTML("beforeend", data.html);
    var count = document.querySelector("[data-comment-count]");
    if (count && data.count_label) { count.textContent = data.count_label; }
    var added = document.getElementById("comment-" + data.id);
    if (added) {
      added.setAttribute("tabindex", "-1");
      added.focus();
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-confirm")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      return;
    }
    if (!form.hasAttribute("data-comment-form")) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var saved = false;
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (button) { button.disabled = false; }
      if (!result.ok) {
        showError(form, result.data.error && result.data.message ? result.data.message : (result.data.error || ""));
        return;
      }
      saved = true;
      showError(form, "");
      form.reset();
      var details = form.closest("details");
      if (details) { details.open = false; }
      insert(result.data);
    }).catch(function () {
      // Saved but not shown: reload. Unknown answer (a login page, a network error):
      // let the browser post the form the plain way.
      if (saved) { window.location.reload(); } else { form.submit(); }
    });
  });
})();
