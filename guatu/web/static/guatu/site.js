// The page frame's few behaviours, declared in the markup with data attributes instead of inline handlers
// (the Content-Security-Policy allows no inline script):
//   <select data-autosubmit>            submits its form when the choice changes (the language switch);
//   <form data-confirm="Question?">     asks before it submits, and stays put on Cancel;
//   <button data-print>                 prints the page;
//   every <form method="post">          carries a one-time token (form_token), made when the page loads, so
//                                       that a double click or a re-post is refused by the server
//                                       (guatu.web.middleware.OneTimeFormTokenMiddleware).
// Listeners sit on the document, so markup that htmx swaps in later behaves the same.
(function () {
  "use strict";
  function newToken() {
    // crypto.getRandomValues works on plain-http intranet addresses too (randomUUID needs a secure context).
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function addToken(form) {
    if ((form.getAttribute("method") || "").toLowerCase() !== "post" || form.querySelector("input[name=form_token]")) {
      return;
    }
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "form_token";
    input.value = newToken();
    form.appendChild(input);
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.forms, addToken);
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute) { addToken(form); }  // a form htmx swapped in after the page loaded
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
