// Planning pages: tick or untick a whole group of checkboxes (districts of a campaign, schools of a page).
(function () {
  "use strict";
  function boxes(name) {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]')
    );
  }
  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("button[data-check-all]");
    if (!trigger) return;
    var all = boxes(trigger.getAttribute("data-check-all"));
    var tick = all.some(function (box) { return !box.checked; });
    all.forEach(function (box) { box.checked = tick; });
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches('input[type="checkbox"][data-check-all]')) {
      boxes(target.getAttribute("data-check-all")).forEach(function (box) { box.checked = target.checked; });
      return;
    }
    // A filter form reloads the page as soon as a filter changes (the whole page: the bulk action
    // depends on the filters, e.g. a city supervisor's district).
    var form = target.form;
    if (form && form.hasAttribute("data-autosubmit")) {
      form.submit();
    }
  });
})();
