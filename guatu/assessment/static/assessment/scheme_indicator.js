// Show the settings of the chosen method only; all stay in the form (a phone keeps its scroll short).
(function () {
  "use strict";
  var select = document.getElementById("id_method");
  if (!select) { return; }
  function show() {
    document.querySelectorAll("section[data-method]").forEach(function (section) {
      section.hidden = section.getAttribute("data-method").split(" ").indexOf(select.value) < 0;
    });
  }
  select.addEventListener("change", show);
  show();
})();
