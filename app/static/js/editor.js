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
