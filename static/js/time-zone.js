// The sign-up page: preselect the browser's own time zone while the field still shows
// the default (templates/accounts/signup.html).
(function () {
  "use strict";
  const select = document.querySelector("select.js-guess-time-zone");
  const guess = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!select || !guess || select.value !== "UTC") return;
  if (select.querySelector('option[value="' + guess + '"]')) select.value = guess;
})();
