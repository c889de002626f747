/* 长者模式 (elder-friendly mode): remembered across pages. The page works without this script:
   the checkbox alone switches the mode for the current page through CSS :has(). */
(function () {
  var KEY = "perfsite-elder";
  var root = document.documentElement;
  var stored = null;
  try { stored = window.localStorage.getItem(KEY); } catch (e) { /* storage blocked */ }
  if (stored === "1") { root.classList.add("elder"); }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("elder-toggle");
    if (!box) { return; }
    box.checked = root.classList.contains("elder");
    box.addEventListener("change", function () {
      root.classList.toggle("elder", box.checked);
      try { window.localStorage.setItem(KEY, box.checked ? "1" : "0"); } catch (e) { /* storage blocked */ }
    });
  });
})();
