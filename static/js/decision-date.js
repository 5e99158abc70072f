// The log form's "Use this date" button beside what they said: it fills "Decision expected
// by" with the date Followup read (templates/interviews/_decision_preview.html). Without
// JavaScript the button stays hidden and the form asks before saving instead.
(function () {
  "use strict";
  function reveal(root) {
    root.querySelectorAll("[data-use-decision-date]").forEach(function (button) {
      button.hidden = false;
    });
  }
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-use-decision-date]");
    const input = document.getElementById("id_decision_date");
    if (!button || !input) return;
    input.value = button.dataset.useDecisionDate;
    // The preview listens for this and says the date now matches.
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  document.addEventListener("htmx:load", function (event) {
    reveal(event.target);
  });
  reveal(document);
})();
