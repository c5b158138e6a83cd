// The summary's chart: completion rate, planned progress and time progress per list, from #summary-chart-data.
(function () {
  "use strict";
  var el = document.getElementById("summary-chart");
  var source = document.getElementById("summary-chart-data");
  if (!window.echarts || !el || !source) { return; }
  var data = JSON.parse(source.textContent);
  var num = function (v) { return v === null ? null : Number(v); };
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; }},
    legend: {top: 0, left: "center", data: [data.labels.completion_rate, data.labels.planned_progress, data.labels.time_progress]},
    grid: {left: 48, right: 16, bottom: 32, top: 40},
    xAxis: {type: "category", data: data.tags, axisLabel: {interval: 0}},
    yAxis: {type: "value", axisLabel: {formatter: "{value}%"}},
    series: [
      {name: data.labels.completion_rate, type: "bar", data: data.completion_rate.map(num), label: {show: true, position: "top", formatter: "{c}%"}},
      {name: data.labels.planned_progress, type: "bar", data: data.planned_progress.map(num), itemStyle: {color: "#5b7db1"}},
      {name: data.labels.time_progress, type: "bar", data: data.time_progress.map(num), itemStyle: {color: "#9aa5b1"}}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
