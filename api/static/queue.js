// The alert queue: a "select all on this page" box. Without JavaScript the box stays
// hidden and each alert is ticked on its own.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) { return; }
  var boxes = document.querySelectorAll("input[name=alert_ids]");
  all.hidden = false;
  all.addEventListener("change", function () {
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = all.checked; }
  });
})();
