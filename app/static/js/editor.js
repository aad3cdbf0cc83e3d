// Rich-text editing for article bodies. Without JavaScript the form keeps its plain
// <textarea name="body">; here each textarea marked data-rich-text is swapped for a
// Trix editor bound to a hidden input with the same name, so the server receives the
// same field either way. The HTML is sanitized on the server whatever arrives.
(function () {
  "use strict";
  if (!window.customElements || !window.customElements.get) { return; }

  function upgrade(textarea) {
    var id = textarea.id || ("rich-" + Math.random().toString(36).slice(2));
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = textarea.name;
    input.id = id + "-input";
    input.value = textarea.value;

    var editor = document.createElement("trix-editor");
    editor.setAttribute("input", input.id);
    editor.className = "trix-content rich-editor";
    var label = document.querySelector('label[for="' + id + '"]');
    if (label) {
      label.id = label.id || (id + "-label");
      editor.setAttribute("aria-labelledby", label.id);
      label.setAttribute("for", input.id);
      label.addEventListener("click", function () { editor.focus(); });
    }
    var described = textarea.getAttribute("aria-describedby");
    if (described) { editor.setAttribute("aria-describedby", described); }
    if (textarea.getAttribute("aria-invalid")) { editor.setAttribute("aria-invalid", "true"); }

    // Files are not uploaded anywhere: refuse attachments instead of losing them silently.
    editor.addEventListener("trix-file-accept", function (event) { event.preventDefault(); });

    textarea.parentNode.insertBefore(input, textarea);
    textarea.parentNode.insertBefore(editor, textarea);
    textarea.parentNode.removeChild(textarea);
  }

  // Trix takes its toolbar buttons out of the Tab order (tabindex="-1") and acts on
  // mousedown only, so without a mouse there were no lists, headings or quotes. The
  // toolbar becomes one Tab stop (the WAI-ARIA toolbar pattern): arrow keys, Home and
  // End move between its buttons, and Enter or Space presses one the way Trix's own
  // keyboard shortcuts do, by sending the button a mousedown.
  function toolbarButtons(toolbar) {
    return Array.prototype.filter.call(
      toolbar.querySelectorAll(".trix-button-row button"),
      function (b) { return !b.disabled && b.offsetParent !== null; });
  }

  function makeStop(toolbar, button) {
    var all = toolbar.querySelectorAll(".trix-button-row button");
    for (var i = 0; i < all.length; i++) { all[i].tabIndex = all[i] === button ? 0 : -1; }
  }

  function keyboardToolbar(editor) {
    var toolbar = editor.toolbarElement;
    if (!toolbar || toolbar.hasAttribute("role")) { return; }
    toolbar.setAttribute("role", "toolbar");
    var labelledby = editor.getAttribute("aria-labelledby");
    if (labelledby) { toolbar.setAttribute("aria-labelledby", labelledby); }
    var first = toolbarButtons(toolbar)[0];
    if (!first) { return; }
    makeStop(toolbar, first);

    toolbar.addEventListener("keydown", function (event) {
      var buttons = toolbarButtons(toolbar);
      var at = buttons.indexOf(event.target);
      if (at < 0) { return; }  // the link dialog's own fields keep their keys
      var moves = {ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1};
      if (!Object.prototype.hasOwnProperty.call(moves, event.key)) { return; }
      var to = moves[event.key];
      event.preventDefault();
      var next = buttons[(to + buttons.length) % buttons.length];
      makeStop(toolbar, next);
      next.focus();
    });
    // A click with detail 0 comes from the keyboard (a mouse click has had its mousedown).
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest(".trix-button-row button") : null;
      if (!button || event.detail !== 0) { return; }
      button.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, cancelable: true }));
    });
    // Leaving the toolbar resets its stop to the first button, which is never disabled.
    toolbar.addEventListener("focusout", function (event) {
      if (!toolbar.contains(event.relatedTarget)) { makeStop(toolbar, first); }
    });
  }

  document.addEventListener("trix-initialize", function (event) { keyboardToolbar(event.target); });

  function start() {
    var fields = document.querySelectorAll("textarea[data-rich-text]");
    for (var i = 0; i < fields.length; i++) { upgrade(fields[i]); }
  }

  // Trix registers <trix-editor> when its script has run (it is loaded just before this one).
  if (window.customElements.get("trix-editor")) {
    start();
  } else if (window.customElements.whenDefined) {
    window.customElements.whenDefined("trix-editor").then(start);
  }
})();
