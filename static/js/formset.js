// Interviewer rows of the log/edit interview form: add and remove rows without
// reloading, the way Django formsets expect.
//
// - Adding clones the formset's empty_form (kept in a <template>), numbers it
//   with TOTAL_FORMS and increments TOTAL_FORMS.
// - Removing never renumbers: it ticks the row's DELETE box and hides the row,
//   so the server drops it (and rows already saved are deleted).
// - Without JavaScript the page offers a few empty rows; on load the surplus
//   trailing empty ones are removed (the button replaces them).
// Also: the contact pickers list the people of the company typed above, the
// role box suggests that company's open roles, and one row at most is ticked
// as the main contact.
(function () {
  "use strict";

  function normalise(text) {
    return (text || "").trim().replace(/\s+/g, " ").toLowerCase();
  }

  function setupFormset(container) {
    const prefix = container.dataset.prefix;
    const form = container.closest("form");
    const total = container.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    const maxForms = container.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    const rows = container.querySelector("[data-formset-rows]");
    const template = container.querySelector("template[data-formset-template]");
    const addButton = container.querySelector("[data-formset-add]");
    const companyInput = form.querySelector('input[name="company"]');

    function liveRows() {
      return Array.from(rows.querySelectorAll("[data-formset-row]")).filter(function (row) {
        return !row.hidden;
      });
    }

    function refresh() {
      liveRows().forEach(function (row, index) {
        const number = row.querySelector("[data-row-number]");
        if (number) number.textContent = String(index + 1);
      });
      const max = maxForms ? parseInt(maxForms.value, 10) : 1000;
      addButton.disabled = parseInt(total.value, 10) >= max;
    }

    function currentCompany() {
      return normalise(companyInput ? companyInput.value : form.dataset.company);
    }

    // Show only the contacts of the company being logged (all of them when it is blank).
    function filterContacts(row) {
      const company = currentCompany();
      row.querySelectorAll('select[name$="-contact"] option[data-company]').forEach(function (option) {
        option.hidden = Boolean(company) && option.dataset.company !== company && !option.selected;
      });
    }

    // A picked contact makes the "new person" fields unnecessary: fold them away,
    // unless something was typed there (never hide what the user entered).
    function toggleNewPerson(row) {
      const select = row.querySelector('select[name$="-contact"]');
      const block = row.querySelector("[data-new-person]");
      if (!select || !block) return;
      const typed = Array.from(block.querySelectorAll("input")).some(function (input) {
        return input.value.trim() !== "";
      });
      const hasErrors = block.querySelector(".is-invalid") !== null;
      block.hidden = Boolean(select.value) && !typed && !hasErrors;
    }

    function setupRow(row) {
      const select = row.querySelector('select[name$="-contact"]');
      if (select) {
        select.addEventListener("change", function () {
          toggleNewPerson(row);
        });
      }
      toggleNewPerson(row);
      filterContacts(row);
    }

    function addRow() {
      const index = parseInt(total.value, 10);
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const row = rows.lastElementChild;
      setupRow(row);
      refresh();
      const first = row.querySelector("select, input:not([type=hidden]):not([type=checkbox])");
      if (first) first.focus();
    }

    function removeRow(row) {
      const deleteBox = row.querySelector('input[name$="-DELETE"]');
      if (deleteBox) deleteBox.checked = true;
      row.hidden = true;
      refresh();
    }

    addButton.addEventListener("click", addRow);

    rows.addEventListener("click", function (event) {
      const button = event.target.closest("[data-formset-remove]");
      if (button) removeRow(button.closest("[data-formset-row]"));
    });

    // One main contact at most: ticking one row unticks the others.
    rows.addEventListener("change", function (event) {
      const box = event.target;
      if (box.matches('input[type="checkbox"][name$="-is_main"]') && box.checked) {
        rows.querySelectorAll('input[type="checkbox"][name$="-is_main"]').forEach(function (other) {
          if (other !== box) other.checked = false;
        });
      }
    });

    if (companyInput) {
      companyInput.addEventListener("input", function () {
        rows.querySelectorAll("[data-formset-row]").forEach(filterContacts);
      });
    }

    // The page renders a few empty rows for browsers without JavaScript; here the button
    // adds rows, so trailing untouched rows go (one row always stays). Only trailing ones,
    // so the rows left keep their numbers and TOTAL_FORMS stays their count.
    function dropSurplusBlankRows() {
      let all = Array.from(rows.querySelectorAll("[data-formset-row]"));
      while (all.length > 1) {
        const last = all[all.length - 1];
        if (!last.hasAttribute("data-formset-blank")) break;
        last.remove();
        all.pop();
        total.value = String(parseInt(total.value, 10) - 1);
      }
    }

    dropSurplusBlankRows();
    addButton.hidden = false;
    const hint = container.querySelector("[data-no-js-hint]");
    if (hint) hint.hidden = true;
    rows.querySelectorAll("[data-formset-row]").forEach(setupRow);
    refresh();
  }

  // The role box suggests the open roles at the company typed above.
  function setupRoleHints(form) {
    const companyInput = form.querySelector('input[name="company"]');
    const list = document.getElementById("role-options");
    const data = document.getElementById("roles-by-company");
    if (!companyInput || !list || !data) return;
    const rolesByCompany = JSON.parse(data.textContent);
    function update() {
      const roles = rolesByCompany[normalise(companyInput.value)] || [];
      list.replaceChildren.apply(
        list,
        roles.map(function (role) {
          const option = document.createElement("option");
          option.value = role;
          return option;
        })
      );
    }
    companyInput.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("[data-formset]").forEach(setupFormset);
  document.querySelectorAll("form.interview-form").forEach(setupRoleHints);
})();
