/* The battle map (挂图作战): ECharts panels drawn from the page's embedded payload (the same JSON as
   GET /api/v1/battlemap). Every chart element carries the URL of the list behind it; a click opens it.
   On the wall screen (data-wall), the panels take turns and the page refreshes itself. */
(function () {
  "use strict";

  var COLORS = { ahead: "#1e7b34", behind: "#d69e2e", far_behind: "#b3261e", no_plan: "#9aa5b1" };
  var charts = [];

  function num(text) { return text === null || text === undefined ? null : Number(text); }

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) { return null; }
    var old = window.echarts.getInstanceByDom(el);
    if (old) { old.dispose(); }
    var c = window.echarts.init(el);
    c.setOption(Object.assign({ animation: false, textStyle: { fontFamily: "inherit" } }, option));
    c.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url) { window.location.href = url; }
    });
    charts.push(c);
    return c;
  }

  function percentAxis() { return { type: "value", axisLabel: { formatter: "{value}%" } }; }

  function rankChart(id, rows, L) {
    if (!rows.length) { return; }
    var sorted = rows.slice().reverse();  // best at the top
    var tp = num(rows[0].figures.time_progress_percent);  // the axis reaches the time progress line
    chart(id, {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 40, top: 24, bottom: 8, containLabel: true },
      xAxis: Object.assign(percentAxis(), { max: function (v) { return Math.ceil(Math.max(v.max, tp) / 5) * 5; } }),
      yAxis: { type: "category", data: sorted.map(function (r) { return r.name; }) },
      series: [{
        name: L.completion_rate, type: "bar",
        label: { show: true, position: "right", formatter: function (p) { return p.value === null ? "—" : p.value + "%"; } },
        data: sorted.map(function (r) {
          return { value: num(r.figures.completion_rate_percent), url: r.url, itemStyle: { color: COLORS[r.figures.band] } };
        }),
        markLine: { symbol: "none", label: { formatter: L.time_progress + " {c}%" }, data: [{ xAxis: tp }] }
      }]
    });
  }

  function draw(data, L) {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    chart("chart-tags", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.tags.map(function (t) { return t.name; }) },
      yAxis: percentAxis(),
      series: [
        { name: L.completion_rate, type: "bar", label: { show: true, position: "top", formatter: "{c}%" },
          data: data.tags.map(function (t) {
            return { value: num(t.figures.completion_rate_percent), url: t.url, itemStyle: { color: COLORS[t.figures.band] } };
          }) },
        { name: L.time_progress, type: "line", symbol: "none", lineStyle: { type: "dashed" },
          data: data.tags.map(function (t) { return num(t.figures.time_progress_percent); }) },
        { name: L.planned_progress, type: "line", symbol: "circle",
          data: data.tags.map(function (t) { return num(t.figures.planned_progress_percent); }) }
      ]
    });
    var months = []; for (var m = 1; m <= 12; m++) { months.push(m + L.month_suffix); }
    var curveSeries = [];
    data.curves.forEach(function (c) {
      var tag = data.tags.filter(function (t) { return t.tag === c.tag; })[0];
      if (!tag || !tag.projects) { return; }
      curveSeries.push({ name: c.name + " · " + L.completed, type: "line",
        data: c.points.map(function (p) { return { value: num(p.completion_rate_percent), url: tag.url }; }) });
      curveSeries.push({ name: c.name + " · " + L.planned, type: "line", lineStyle: { type: "dashed" }, symbol: "none",
        data: c.points.map(function (p) { return num(p.planned_progress_percent); }) });
    });
    chart("chart-curve", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: months }, yAxis: percentAxis(), series: curveSeries
    });
    var lit = data.lights.by_tag.filter(function (t) { return t.projects; });
    chart("chart-lights-tag", {
      tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: lit.map(function (t) { return t.name; }) }, yAxis: { type: "value", minInterval: 1 },
      series: [["red", L.red, "#b3261e"], ["yellow", L.yellow, "#d69e2e"], ["green", L.green, "#1e7b34"]].map(function (s) {
        return { name: s[1], type: "bar", stack: "lights", itemStyle: { color: s[2] },
          data: lit.map(function (t) { return { value: t[s[0]], url: t.url }; }) };
      })
    });
    var units = data.lights.by_unit;
    chart("chart-lights-unit", {
      tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", data: units.map(function (u) { return u.name; }).reverse() },
      series: [["red", L.red, "#b3261e"], ["yellow", L.yellow, "#d69e2e"]].map(function (s) {
        return { name: s[1], type: "bar", stack: "lights", itemStyle: { color: s[2] },
          data: units.map(function (u) { return { value: u[s[0]], url: u.url }; }).reverse() };
      })
    });
    rankChart("chart-areas", data.areas, L);
    rankChart("chart-departments", data.departments, L);
    var cells = data.problems.cells;
    var tiers = []; var statuses = [];
    cells.forEach(function (c) {
      if (tiers.indexOf(c.tier_label) < 0) { tiers.push(c.tier_label); }
      if (statuses.indexOf(c.status_label) < 0) { statuses.push(c.status_label); }
    });
    var problemSeries = statuses.map(function (status) {
      return { name: status, type: "bar", stack: "problems",
        data: tiers.map(function (tier) {
          var cell = cells.filter(function (c) { return c.tier_label === tier && c.status_label === status; })[0];
          return cell ? { value: cell.count, url: cell.url } : { value: 0 };
        }) };
    });
    problemSeries.push({ name: L.overdue, type: "bar", itemStyle: { color: "#b3261e" },
      data: tiers.map(function (tier) {
        var overdue = cells.filter(function (c) { return c.tier_label === tier && c.overdue; });
        var total = overdue.reduce(function (n, c) { return n + c.overdue; }, 0);
        return { value: total, url: overdue.length === 1 ? overdue[0].overdue_url : data.problems.overdue_url };
      }) });
    chart("chart-problems", {
      tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: tiers }, yAxis: { type: "value", minInterval: 1 }, series: problemSeries
    });
    if (data.chains.length) {
      rankChart("chart-chains", data.chains.map(function (c) { return Object.assign({}, c, { name: c.name }); }), L);
    }
    // The reserve: each tier's investment, the part ready for the next tier's gate apart (万元).
    var tiers3 = data.reserve;
    chart("chart-reserve", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " " + L.ten_k_yuan; } },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value" }, yAxis: { type: "category", data: tiers3.map(function (t) { return t.label; }) },
      series: [
        { name: L.ready, type: "bar", stack: "t", itemStyle: { color: "#1e7b34" },
          data: tiers3.map(function (t) { return { value: num(t.ready_investment) || 0, url: t.url }; }) },
        { name: L.not_ready, type: "bar", stack: "t", itemStyle: { color: "#9aa5b1" },
          data: tiers3.map(function (t) {
            if (t.ready_investment === null) { return { value: 0, url: t.url }; }
            return { value: Math.round((num(t.investment) - num(t.ready_investment)) * 100) / 100, url: t.url };
          }) },
        { name: L.top_tier, type: "bar", stack: "t", itemStyle: { color: "#2b6cb0" },
          data: tiers3.map(function (t) { return { value: t.ready_investment === null ? num(t.investment) : 0, url: t.url }; }) }
      ]
    });
    var countyMap = document.getElementById("county-map");
    if (countyMap) {
      var tiles = document.getElementById("tile-map");
      if (window.GuatuMaps && countyMap.dataset.featuresUrl) {
        window.GuatuMaps.counties(countyMap, countyMap.dataset.featuresUrl, data.children);
      } else if (tiles) {
        countyMap.hidden = true;  // no boundaries vendored yet: the schematic tiles instead
        tiles.hidden = false;
      }
    }
  }

  function cycle(root) {
    var panels = Array.prototype.slice.call(root.querySelectorAll(".bm-panel"));
    var perPage = 4;
    var pages = Math.ceil(panels.length / perPage);
    var seconds = Number(root.dataset.cycleSeconds) || 20;
    var page = Number(window.sessionStorage.getItem("battlemap-page") || 0) % pages;
    function show() {
      panels.forEach(function (p, i) { p.hidden = Math.floor(i / perPage) !== page; });
      charts.forEach(function (c) { c.resize(); });
      window.sessionStorage.setItem("battlemap-page", String(page));
    }
    show();
    window.setInterval(function () { page = (page + 1) % pages; show(); }, seconds * 1000);
  }

  function refresh(root) {
    // Fetch the endpoint first: a network blip must not leave an error page on the wall.
    var seconds = Number(root.dataset.refreshSeconds) || 300;
    window.setInterval(function () {
      fetch(root.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (r.ok) { window.location.reload(); } })
        .catch(function () { /* keep showing the figures we have */ });
    }, seconds * 1000);
  }

  function start() {
    var root = document.getElementById("battlemap");
    var data = JSON.parse(document.getElementById("battlemap-data").textContent);
    var L = JSON.parse(document.getElementById("battlemap-labels").textContent);
    draw(data, L);
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
    if (root.dataset.wall) {
      cycle(root);
      refresh(root);
      var updated = document.getElementById("bm-updated");
      if (updated) { updated.textContent = L.updated + " " + new Date().toLocaleTimeString(); }
    }
    root.dataset.ready = "1";
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
