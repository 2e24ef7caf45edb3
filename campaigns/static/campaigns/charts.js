// Charts of the rectification dashboard and the benchmarking page (ECharts, served by Chuxin itself).
(function () {
  "use strict";
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node || typeof echarts === "undefined") { return; }
    var instance = echarts.init(node, null, { renderer: "svg" });
    instance.setOption(option);
    window.addEventListener("resize", function () { instance.resize(); });
    return instance;
  }
  var board = data("cx-board-data");
  if (board) {
    var labels = board.labels;
    var byCategory = chart("cx-chart-category", {
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [labels.found, labels.closed, labels.overdue] },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },  // counts of problems: whole numbers
      yAxis: { type: "category", data: board.categories, inverse: true,
               axisLabel: { width: 160, overflow: "truncate" } },
      series: [
        { name: labels.found, type: "bar", data: board.found },
        { name: labels.closed, type: "bar", data: board.closed },
        { name: labels.overdue, type: "bar", data: board.overdue }
      ]
    });
    if (byCategory && board.category_links) {
      byCategory.on("click", function (p) { var url = board.category_links[p.dataIndex]; if (url) { window.location = url; } });
    }
    chart("cx-chart-series", {
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [labels.found_total, labels.closed_total, labels.close_rate] },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: board.months },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: labels.found_total, type: "line", data: board.found_total },
        { name: labels.closed_total, type: "line", data: board.closed_total },
        { name: labels.close_rate, type: "line", yAxisIndex: 1, data: board.close_rate, lineStyle: { type: "dashed" } }
      ]
    });
  }
  var bench = data("cx-bench-data");
  if (bench) {
    chart("cx-chart-bench", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: bench.labels, axisLabel: { interval: 0, width: 80, overflow: "break" } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: bench.series.map(function (s) { return { name: s.name, type: "bar", data: s.values }; })
    });
  }
})();
