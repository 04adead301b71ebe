/* The Django admin's autocomplete boxes (select2, e.g. a membership's person, scheme and line
   manager) name their combobox by an element that is empty until something is chosen, so a
   screen reader announces an unnamed box (axe-core: aria-input-field-name, WCAG 4.1.2). Each is
   named here by its field's own label. Loaded by templates/admin/base_site.html. */
(function () {
  "use strict";

  function name(root) {
    root.querySelectorAll(".select2-selection[role=combobox][aria-labelledby^='select2-']").forEach(function (box) {
      var shownId = box.getAttribute("aria-labelledby");
      var fieldId = shownId.replace(/^select2-/, "").replace(/-container$/, "");
      var label = document.querySelector("label[for='" + fieldId + "']");
      if (!label) return;
      if (!label.id) label.id = fieldId + "-label";
      box.setAttribute("aria-labelledby", label.id + " " + shownId);
      var shown = document.getElementById(shownId);
      if (shown) shown.setAttribute("aria-labelledby", label.id);
    });
  }

  new MutationObserver(function () {
    name(document);
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
