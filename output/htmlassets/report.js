// exlog report behaviour: expand/collapse all evidence, and open every
// <details> for printing. No network, no eval; runs under a CSP that
// allows only this script. exlogReportInit is called again by the
// drag-and-drop page each time it inserts a report.
(function () {
  "use strict";
  function init(root) {
    document.documentElement.classList.add("js");
    var btn = root.querySelector(".toggle-all");
    if (btn && !btn.dataset.bound) {
      btn.dataset.bound = "1";
      btn.addEventListener("click", function () {
        var open = btn.dataset.open === "1";
        root.querySelectorAll("details.evidence").forEach(function (d) { d.open = open; });
        btn.dataset.open = open ? "0" : "1";
        btn.textContent = open ? "Collapse all evidence" : "Expand all evidence";
      });
    }
  }
  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    closedForPrint = [];
    document.querySelectorAll(".exlog-report details:not([open])").forEach(function (d) {
      d.open = true;
      closedForPrint.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (d) { d.open = false; });
    closedForPrint = [];
  });
  window.exlogReportInit = init;
  function start() {
    document.querySelectorAll(".exlog-report").forEach(init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
