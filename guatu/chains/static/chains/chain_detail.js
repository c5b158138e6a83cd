// The chain page's chart: each target's completion rate, from the page's #chain-chart-data block.
(function () {
  "use strict";
  var el = document.getElementById("chain-chart");
  var source = document.getElementById("chain-chart-data");
  if (!window.echarts || !el || !source) { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; }},
    grid: {left: 48, right: 16, bottom: 64, top: 24},
    xAxis: {type: "category", data: data.labels, axisLabel: {interval: 0, rotate: 20}},
    yAxis: {type: "value", axisLabel: {formatter: "{value}%"}},
    series: [{type: "bar", data: data.rates.map(function (v) { return v === null ? null : Number(v); }), label: {show: true, position: "top", formatter: "{c}%"}}]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
