// The score card's chart: points and points lost per indicator, from the page's #card-chart-data block.
(function () {
  "use strict";
  var el = document.getElementById("card-chart");
  var source = document.getElementById("card-chart-data");
  if (!window.echarts || !el || !source) { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    legend: {top: 0, data: [data.labels.points, data.labels.lost]},
    grid: {left: 8, right: 16, top: 32, bottom: 8, containLabel: true},
    xAxis: {type: "value"},
    yAxis: {type: "category", inverse: true, data: data.names, axisLabel: {width: 110, overflow: "truncate"}},
    series: [
      {name: data.labels.points, type: "bar", stack: "w", data: data.points.map(Number), itemStyle: {color: "#1f5fa8"}},
      {name: data.labels.lost, type: "bar", stack: "w", data: data.lost.map(Number), itemStyle: {color: "#e8b4b0"}}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
