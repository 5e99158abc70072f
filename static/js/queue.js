// The approval queue's keyboard and focus (templates/messaging/queue/).
//
// Keys: j / k move between the cards on screen (not those of a closed "Later" group),
// a approves, e edits, s opens skip, ? shows the keys.
// Keys are ignored while typing in a box or with a modifier held, so they never eat text.
// Counts are not kept here: every in-place answer swaps in the server's counts out of band
// (queue/_counts.html). Everything here is an extra: without JavaScript every action is a
// plain form.
(function () {
  "use strict";

  const CARD = "[data-queue-card]";

  function cards() {
    return Array.from(document.querySelectorAll(CARD));
  }

  // Cards still waiting for a decision (not approved/skipped in place).
  function openCards() {
    return cards().filter(function (card) {
      return !card.hasAttribute("data-done");
    });
  }

  // Whether the card can be seen: not folded away in a closed group (the "Later" <details>).
  function shown(card) {
    const group = card.parentElement && card.parentElement.closest("details");
    return !group || group.open;
  }

  // Open cards the keys move between: only those on screen.
  function reachableCards() {
    return openCards().filter(shown);
  }

  function current() {
    const active = document.activeElement;
    const card = active ? active.closest(CARD) : null;
    return card || document.querySelector(CARD + ".is-current");
  }

  function focusCard(card) {
    if (!card) return;
    cards().forEach(function (c) {
      c.classList.remove("is-current");
    });
    card.classList.add("is-current");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  // The open card nearest to `card` in the page: the next one after it (step > 0) or the
  // one before it (step < 0), else the nearest on the other side. Never a card dealt with.
  function neighbour(card, step) {
    const all = cards();
    const at = all.indexOf(card);
    const open = reachableCards();
    const after = open.filter(function (c) {
      return all.indexOf(c) > at;
    });
    const before = open.filter(function (c) {
      return all.indexOf(c) < at;
    });
    const next = after[0];
    const previous = before[before.length - 1];
    return step > 0 ? next || previous : previous || next;
  }

  function move(step) {
    const list = reachableCards();
    if (!list.length) return;
    const here = current();
    const index = list.indexOf(here);
    if (index === -1) {
      // Nothing yet: the first open card. From a card dealt with: its nearest open one.
      focusCard(here ? neighbour(here, step) : list[0]);
      return;
    }
    focusCard(list[Math.min(Math.max(index + step, 0), list.length - 1)]);
  }

  function typing(target) {
    if (!target) return false;
    const tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function click(card, action) {
    const button = card && card.querySelector('[data-action="' + action + '"]');
    if (button && !button.disabled) button.click();
    return button;
  }

  function showHelp() {
    const modal = document.getElementById("queue-help");
    if (modal && window.bootstrap) window.bootstrap.Modal.getOrCreateInstance(modal).show();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      focusCard(event.target.closest(CARD));
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector(".modal.show")) return;
    const card = current();
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "a":
        if (!card || card.hasAttribute("data-done") || !shown(card)) return;
        click(card, "approve");
        break;
      case "e":
        if (!card || card.hasAttribute("data-done") || !shown(card)) return;
        click(card, "edit");
        break;
      case "s": {
        if (!card || card.hasAttribute("data-done") || !shown(card)) return;
        const details = card.querySelector("details[data-skip]");
        if (!details) return;
        details.open = true;
        const input = details.querySelector('input[name="reason"]');
        if (input) input.focus();
        break;
      }
      case "?":
        showHelp();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // A card clicked becomes the current one, so keys act on what the user looks at.
  document.addEventListener("click", function (event) {
    const card = event.target.closest && event.target.closest(CARD);
    if (card) {
      cards().forEach(function (c) {
        c.classList.remove("is-current");
      });
      card.classList.add("is-current");
    }
  });

  // After a card is swapped (approved, skipped, edited), keep the place: an edit form gets
  // the cursor, a card dealt with hands focus to the next open one after it (else the nearest
  // open one before it). Not if the user has moved to another card while the answer came.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    // htmx fires this on what it swapped in: the card, and the counts swapped out of band.
    const swapped = event.target;
    if (!(swapped instanceof Element) || !swapped.matches(CARD)) return;
    if (swapped.hasAttribute("data-editing")) {
      const box = swapped.querySelector("textarea");
      if (box) box.focus();
      return;
    }
    const active = document.activeElement;
    if (active && active !== document.body && !swapped.contains(active)) return;
    if (swapped.hasAttribute("data-done")) {
      focusCard(neighbour(swapped, 1) || swapped);
    } else {
      focusCard(swapped);
    }
  });

  function readyIds() {
    return openCards()
      .filter(function (c) {
        return c.dataset.ready === "1";
      })
      .map(function (c) {
        return c.dataset.pk;
      });
  }

  // "Approve all": ask here with the server's count (on its button) instead of on a second
  // page; only cards still open on the page are sent (the server checks each one again).
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches("[data-approve-all]")) return;
    const ids = readyIds();
    const shown = form.querySelector("[data-ready-count]");
    const count = shown ? Number(shown.getAttribute("data-ready-count")) : 0;
    if (!ids.length || !count) {
      event.preventDefault();
      window.alert("No draft on this page is ready to approve.");
      return;
    }
    const question =
      "Approve " + count + " draft" + (count === 1 ? "" : "s") + "? Each goes out at its own time.";
    if (!window.confirm(question)) {
      event.preventDefault();
      return;
    }
    form.querySelectorAll('input[name="ids"]').forEach(function (input) {
      if (ids.indexOf(input.value) === -1) input.remove();
    });
    const confirmed = document.createElement("input");
    confirmed.type = "hidden";
    confirmed.name = "confirmed";
    confirmed.value = "on";
    form.appendChild(confirmed);
  });
})();
