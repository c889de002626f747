/* The search page: pagefind's UI over the index built with the site (works offline, no server). */
window.addEventListener("DOMContentLoaded", function () {
  var host = document.getElementById("search");
  if (typeof PagefindUI === "undefined") {
    host.textContent = "本站点没有搜索索引（预览模式或构建时使用了 --no-search）。";
    return;
  }
  /* From file:// the browser refuses pagefind's module (an ES import of a local file): say so at
     once instead of a search box that never answers. */
  if (window.location.protocol === "file:") {
    document.getElementById("search-from-file").hidden = false;
    return;
  }
  /* One index per year and one of the other pages, searched as one (each year indexed alone). */
  var merged = (host.getAttribute("data-merge") || "").split(" ").filter(Boolean).map(function (path) {
    return { bundlePath: new URL(path, document.baseURI).href };
  });
  new PagefindUI({
    element: "#search",
    mergeIndex: merged,
    showSubResults: true,
    showImages: false,
    translations: { placeholder: "搜索项目、部门或指标", zero_results: "没有找到与 [SEARCH_TERM] 相关的项目",
                    clear_search: "清除", load_more: "更多结果" }
  });
  /* pagefind's box has only a title: give it a real label (screen readers, WCAG 1.3.1). */
  function label() {
    var input = host.querySelector("input[type=text], input.pagefind-ui__search-input");
    if (!input) { return false; }
    input.id = "search-input";
    var text = document.createElement("label");
    text.setAttribute("for", "search-input");
    text.className = "search-label";
    text.textContent = "搜索关键词";
    host.insertBefore(text, host.firstChild);
    return true;
  }
  if (!label()) {
    var watcher = new MutationObserver(function () { if (label()) { watcher.disconnect(); } });
    watcher.observe(host, { childList: true, subtree: true });
  }
});
