/* The search page: pagefind's UI over the index built with the site (works offline, no server). */
window.addEventListener("DOMContentLoaded", function () {
  if (typeof PagefindUI === "undefined") {
    document.getElementById("search").textContent = "本站点没有搜索索引（预览模式或构建时使用了 --no-search）。";
    return;
  }
  new PagefindUI({
    element: "#search",
    showSubResults: true,
    showImages: false,
    translations: { placeholder: "搜索项目、部门或指标", zero_results: "没有找到与 [SEARCH_TERM] 相关的项目",
                    clear_search: "清除", load_more: "更多结果" }
  });
});
