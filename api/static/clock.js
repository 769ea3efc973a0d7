// Live statutory clocks: every <time class="countdown" datetime="..."> shows the time left
// (or how far past due), updated each second. The page is complete without it.
(function () {
  "use strict";
  var zh = document.documentElement.lang.indexOf("zh") === 0;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var nodes = document.querySelectorAll("time.countdown");
    var now = Date.now();
    for (var i = 0; i < nodes.length; i++) {
      var due = Date.parse(nodes[i].getAttribute("datetime"));
      if (isNaN(due)) { continue; }
      var left = Math.round((due - now) / 1000);
      var s = Math.abs(left);
      var text = Math.floor(s / 3600) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
      nodes[i].textContent = left >= 0
        ? (zh ? "剩餘 " : "") + text + (zh ? "" : " left")
        : (zh ? "逾期 " : "overdue by ") + text;
      nodes[i].className = left >= 0 ? "countdown" : "countdown overdue";
    }
  }
  tick();
  setInterval(tick, 1000);
})();
