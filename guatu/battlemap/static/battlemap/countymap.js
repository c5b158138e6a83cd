/* The battle map's county map (区县地图): a prefecture's or province's counties coloured by completion rate
   against time progress, drawn with the vendored ECharts from the vendored boundaries
   (static/battlemap/geo/<province code>.json, docs/maps.md). Nothing is fetched but that static file.

   GuatuMaps.counties(el, featuresUrl, data[, labels]) → Promise of the chart (null when no county matched).
   data: the battle map API's `children`, one per county:
     {name, division_code, completion_rate_percent, time_progress_percent, projects, band, url}
   band: ahead | behind | far_behind | no_plan (the API's bands). A click opens the county's `url`. */
(function () {
  "use strict";

  var BANDS = ["ahead", "behind", "far_behind", "no_plan"];
  var MAX_LABELLED = 40;  // a province's hundred-odd names would cover the map: then names show on hover
  var COLORS = { ahead: "#1e7b34", behind: "#d69e2e", far_behind: "#b3261e", no_plan: "#c4cbd3" };
  var LABELS = {
    ahead: "达到或超过时序进度",
    behind: "略低于时序进度",
    far_behind: "严重滞后于时序进度",
    no_plan: "无数据",
    completion_rate: "完成率",
    time_progress: "时序进度",
    projects: "项目数",
    failed: "县界数据加载失败",
    none: "没有可显示的县市区边界"
  };

  function code(text) { return String(text || "").trim().slice(0, 6); }

  function percent(text) { return text === null || text === undefined || text === "" ? "—" : text + "%"; }

  function message(el, text) {
    el.textContent = "";
    var p = document.createElement("p");
    p.className = "bm-map-empty";
    p.textContent = text;
    el.appendChild(p);
  }

  // Each unit of `data` with the feature it is drawn on: by division code, else by name (a county renumbered
  // since the source was taken keeps its name; guatu/battlemap/geo.py knows the codes).
  function match(features, data) {
    var byCode = {}, byName = {};
    features.forEach(function (f) { byCode[f.properties.adcode] = f; byName[f.properties.name] = f; });
    var pairs = [];
    data.forEach(function (unit) {
      var feature = byCode[code(unit.division_code)] || byName[unit.name];
      if (feature) { pairs.push({ unit: unit, feature: feature }); }
    });
    return pairs;
  }

  function option(mapName, pairs, L) {
    return {
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var d = p.data;
          if (!d) { return ""; }
          return "<strong>" + d.county + "</strong><br>" +
            L.completion_rate + "：" + percent(d.rate) + "<br>" +
            L.time_progress + "：" + percent(d.timeProgress) + "<br>" +
            L.projects + "：" + d.projects + "<br>" + L[d.band];
        }
      },
      visualMap: {
        type: "piecewise",
        orient: "horizontal",
        left: "center",
        bottom: 0,
        dimension: 0,
        pieces: BANDS.map(function (band, i) { return { value: i, label: L[band], color: COLORS[band] }; }),
        textStyle: { fontSize: 12 }
      },
      series: [{
        type: "map",
        map: mapName,
        nameProperty: "adcode",
        roam: false,
        layoutCenter: ["50%", "44%"],
        layoutSize: "82%",
        selectedMode: false,
        label: { show: pairs.length <= MAX_LABELLED, fontSize: 11, color: "#1f2933", textBorderColor: "#ffffff", textBorderWidth: 2, formatter: function (p) { return p.data ? p.data.county : ""; } },
        emphasis: { label: { show: true, fontWeight: "bold" }, itemStyle: { borderColor: "#1f2933", borderWidth: 2 } },
        itemStyle: { borderColor: "#ffffff", borderWidth: 1 },
        data: pairs.map(function (pair) {
          var unit = pair.unit;
          var band = BANDS.indexOf(unit.band) >= 0 ? unit.band : "no_plan";
          return {
            name: pair.feature.properties.adcode,
            value: BANDS.indexOf(band),
            county: unit.name,
            band: band,
            rate: unit.completion_rate_percent,
            timeProgress: unit.time_progress_percent,
            projects: unit.projects,
            url: unit.url
          };
        })
      }]
    };
  }

  function counties(el, featuresUrl, data, labels) {
    var L = Object.assign({}, LABELS, labels || {});
    return fetch(featuresUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status + " " + featuresUrl); }
        return r.json();
      })
      .then(function (collection) {
        var pairs = match(collection.features, data || []);
        if (!pairs.length) { message(el, L.none); return null; }
        // Only the units' counties: a prefecture's map is its counties, not the whole province.
        var mapName = "guatu-counties-" + (el.id || "map");
        window.echarts.registerMap(mapName, {
          type: "FeatureCollection",
          features: pairs.map(function (pair) { return pair.feature; })
        });
        var old = window.echarts.getInstanceByDom(el);
        if (old) { old.dispose(); }
        var chart = window.echarts.init(el);
        chart.setOption(option(mapName, pairs, L));
        chart.on("click", function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
        window.addEventListener("resize", function () { chart.resize(); });
        window.addEventListener("beforeprint", function () { chart.resize(); });
        el.dataset.counties = String(pairs.length);
        el.dataset.ready = "1";
        return chart;
      })
      .catch(function () { message(el, L.failed); return null; });
  }

  window.GuatuMaps = Object.assign(window.GuatuMaps || {}, { counties: counties });
})();
