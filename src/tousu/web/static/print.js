// The document page's 打印 button (the site's CSP allows no inline scripts), and the print
// reported to the complaint's timeline once the browser's print dialog closes (the button or Ctrl+P).
"use strict";
(function () {
  var button = document.getElementById("print-button");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
  var sheet = document.getElementById("document");
  var token = document.querySelector('meta[name="csrf-token"]');
  if (!sheet || !token) {
    return;
  }
  window.addEventListener("afterprint", function () {
    fetch("/api/v1/complaints/" + sheet.dataset.complaint + "/documents/" + sheet.dataset.kind + "/printed", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token.content },
      body: JSON.stringify({ case_number: sheet.dataset.caseNumber || null }),
    });
  });
})();
