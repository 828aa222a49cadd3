// Haven's own behaviour, in one static file: the Content-Security-Policy allows no inline
// script or event handler. Every page works without it; this only saves a click.
(function () {
  "use strict";

  // <select data-autosubmit>: submit its form when the choice changes (the language menu;
  // a <noscript> button does it without JavaScript).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });

  // <button data-print>: open the browser's print dialogue (receipts).
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (button) {
      window.print();
    }
  });

  // The walk-in form: "Add another family member" adds a block from the formset's empty
  // form; without JavaScript the two blank blocks still work.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("#add-member") : null;
    if (!button) {
      return;
    }
    var total = document.getElementById("id_members-TOTAL_FORMS");
    var template = document.getElementById("member-template");
    var members = document.getElementById("members");
    if (!total || !template || !members) {
      return;
    }
    var index = parseInt(total.value, 10);
    members.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, index));
    total.value = index + 1;
  });
})();
