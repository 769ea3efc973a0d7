// Dates in the ROC calendar beside the date pickers of a Chinese page: a browser's picker
// follows its own locale (mm/dd/yyyy in an English browser), so the page says the chosen
// day as the documents will (民國115年03月02日 09:00, Taipei time). Complete without it.
(function () {
  "use strict";
  if (document.documentElement.lang.indexOf("zh") !== 0) { return; }
  function roc(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(value);
    if (!m || Number(m[1]) <= 1911) { return ""; }
    var day = "民國" + (Number(m[1]) - 1911) + "年" + m[2] + "月" + m[3] + "日";
    return m[4] ? day + " " + m[4] + ":" + m[5] + "（臺北時間）" : day;
  }
  var inputs = document.querySelectorAll('input[type="datetime-local"], input[type="date"]');
  for (var i = 0; i < inputs.length; i++) {
    var input = inputs[i];
    input.lang = "zh-TW";
    var shown = document.createElement("small");
    shown.className = "roc";
    shown.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", shown);
    var show = (function (from, to) {
      return function () { to.textContent = roc(from.value); };
    })(input, shown);
    input.addEventListener("input", show);
    input.addEventListener("change", show);
    show();
  }
})();
