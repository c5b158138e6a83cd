// The page frame's few behaviours, declared in the markup with data attributes instead of inline handlers
// (the Content-Security-Policy allows no inline script):
//   <select data-autosubmit>            submits its form when the choice changes (the language switch);
//   <form data-confirm="Question?">     asks before it submits, and stays put on Cancel;
//   <button data-print>                 prints the page.
// Listeners sit on the document, so markup that htmx swaps in later behaves the same.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
