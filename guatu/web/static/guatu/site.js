// The page frame's few behaviours, declared in the markup with data attributes instead of inline handlers
// (the Content-Security-Policy allows no inline script):
//   <select data-autosubmit>            submits its form when the choice changes (the language switch);
//   <form data-confirm="Question?">     asks before it submits, and stays put on Cancel;
//   <button data-print>                 prints the page;
//   every <form method="post">          carries a one-time token (form_token), made when the page loads, so
//                                       that a double click or a re-post is refused by the server
//                                       (guatu.web.middleware.OneTimeFormTokenMiddleware);
//   <input role="combobox" data-lookup> a search-as-you-type picker (guatu.web.lookups): htmx fetches up to 20
//                                       matches into its listbox as one types (or on Down arrow / a click);
//                                       Up/Down move, Enter or a click picks (the id goes into the hidden input
//                                       beside the box, the name into the box), Escape closes. Typing clears the
//                                       id, so what is sent is the typed name, which the server resolves (as it
//                                       does without JavaScript).
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
    var option = event.target.closest && event.target.closest(".lookup-options [role=option]");
    if (option) {
      event.preventDefault();  // inside a <label>: no click passed on to the box
      var input = document.querySelector("input[data-lookup][aria-controls='" + option.parentNode.id + "']");
      if (input && option.getAttribute("aria-disabled") !== "true") { pick(input, option); }
      return;
    }
    if (isLookup(event.target) && listOf(event.target) && listOf(event.target).hidden) {
      openOrFetch(event.target);
      return;
    }
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });

  // --- search-as-you-type pickers ---------------------------------------------------------------------------
  function isLookup(element) {
    return Boolean(element && element.matches && element.matches("input[data-lookup]"));
  }
  function listOf(input) { return document.getElementById(input.getAttribute("aria-controls")); }
  function idInput(input) { return document.getElementById(input.id + "_value"); }
  function choices(list) {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option]:not([aria-disabled=true])"));
  }
  function activeOption(input) {
    var id = input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }
  function setActive(input, option) {
    var list = listOf(input);
    choices(list).forEach(function (each) { each.setAttribute("aria-selected", each === option ? "true" : "false"); });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({block: "nearest"});
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function showList(input, open) {
    var list = listOf(input);
    if (!list) { return; }
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { setActive(input, null); }
  }
  function pick(input, option) {
    var hidden = idInput(input);
    input.value = option.getAttribute("data-label");
    showList(input, false);
    if (hidden) {
      hidden.value = option.getAttribute("data-value");
      hidden.dispatchEvent(new Event("change", {bubbles: true}));  // a filter bar that follows its changes
    }
  }
  function openOrFetch(input) {
    var list = listOf(input);
    if (list && list.children.length) { showList(input, true); } else { window.htmx.trigger(input, "lookup-open"); }
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var input = event.detail.elt;
    if (isLookup(input)) {  // the endpoint reads the typed text as q, and names its options after the list
      event.detail.parameters.q = input.value;
      event.detail.parameters.list = input.getAttribute("aria-controls");
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    var input = list && list.id && document.querySelector("input[data-lookup][aria-controls='" + list.id + "']");
    if (input) {
      setActive(input, null);  // new options: none highlighted yet
      showList(input, document.activeElement === input);
    }
  });
  document.addEventListener("change", function (event) {
    // The box's own change (typing, then Enter or leaving it) is not a pick: a filter bar that follows its
    // changes waits for the pick (the hidden id's change) or for the form to be sent. Caught on the way down,
    // before the form sees it.
    if (isLookup(event.target)) { event.stopPropagation(); }
  }, true);
  document.addEventListener("input", function (event) {
    if (isLookup(event.target)) {
      var hidden = idInput(event.target);
      if (hidden) { hidden.value = ""; }  // the name no longer says which one was picked: the server reads it
    }
  });
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!isLookup(input)) { return; }
    var list = listOf(input);
    var open = list && !list.hidden;
    var items = list ? choices(list) : [];
    var at = items.indexOf(activeOption(input));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) { openOrFetch(input); return; }
      if (!items.length) { return; }
      var next = event.key === "ArrowDown" ? (at + 1) % items.length : (at <= 0 ? items.length - 1 : at - 1);
      setActive(input, items[next]);
    } else if (event.key === "Enter" && open && at >= 0) {
      event.preventDefault();  // picks; Enter with nothing highlighted submits the form as usual
      pick(input, items[at]);
    } else if (event.key === "Enter" && open) {
      showList(input, false);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      showList(input, false);
    }
  });
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest(".lookup-options")) {
      event.preventDefault();  // the box keeps the focus (and does not fire its change) while one is clicked
    }
  });
  document.addEventListener("focusout", function (event) {
    if (isLookup(event.target)) { showList(event.target, false); }
  });
})();
