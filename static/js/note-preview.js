// The note previews of the log form are htmx elements; rows the formset adds after the page
// loaded (from its <template>) are new to htmx, so hand each one to htmx.process.
(function () {
  "use strict";
  if (!window.htmx) return;
  document.querySelectorAll("[data-formset-rows]").forEach(function (rows) {
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(function (node) {
          if (node.nodeType === Node.ELEMENT_NODE) window.htmx.process(node);
        });
      });
    }).observe(rows, { childList: true });
  });
})();
