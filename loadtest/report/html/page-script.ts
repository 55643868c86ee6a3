/**
 * The script inlined into report.html: draws every chart from the embedded JSON with uPlot (also
 * inlined), syncs cursor and zoom across the time charts, wires the findings' "show" buttons to zoom
 * to their evidence window, and resizes charts with the page. Plain ES2017, no modules, no network.
 * When done it sets `data-charts-rendered` on <html>, `window.__vigilRenderMs` (this script's time) and
 * `window.__vigilDoneAtMs` (since navigation start); the benchmark reads them.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  "use strict";
  var started = performance.now();
  var specs = JSON.parse(document.getElementById("vigil-charts").textContent);
  function num(v) {
    var a = Math.abs(v);
    if (a >= 1000) return Math.round(v).toLocaleString("en-US");
    if (a >= 100) return v.toFixed(0);
    if (a >= 10) return v.toFixed(1);
    if (a >= 1) return v.toFixed(2);
    if (a === 0) return "0";
    return v.toPrecision(2);
  }
  function fmt(v, unit) {
    if (v === null || v === undefined || isNaN(v)) return "—";
    if (unit === "ms") return Math.abs(v) >= 1000 ? (v / 1000).toFixed(2) + " s" : num(v) + " ms";
    if (unit === "bytes") { var u = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0; while (Math.abs(v) >= 1024 && i < 4) { v /= 1024; i++; } return (i ? v.toFixed(1) : v.toFixed(0)) + " " + u[i]; }
    if (unit === "ratio") return v.toFixed(2);
    if (unit === "1/s") return num(v) + "/s";
    if (unit === "count" || unit === "%") return num(v) + (unit === "%" ? "%" : "");
    return num(v) + " " + unit;
  }
  function clock(sec) { return new Date(sec * 1000).toISOString().slice(11, 19); }
  var timeCharts = [];
  var all = [];
  var syncing = false;
  function options(spec, width) {
    var isTime = spec.xKind === "time";
    var series = [{ label: isTime ? "time (UTC)" : spec.xLabel, value: function (u, v) { return v == null ? "—" : isTime ? clock(v) : fmt(v, spec.xLabel === "ms" ? "ms" : "count"); } }];
    var unitOf = { y: null, y2: null };
    var hasY2 = false;
    spec.series.forEach(function (s) {
      // An axis shared by series of different units gets plain numbers.
      if (!unitOf[s.scale]) unitOf[s.scale] = s.unit;
      else if (unitOf[s.scale] !== s.unit) unitOf[s.scale] = "count";
      if (s.scale === "y2") hasY2 = true;
      var o = { label: s.label, stroke: s.color, width: 1.5, scale: s.scale, spanGaps: !isTime, value: (function (unit) { return function (u, v) { return fmt(v, unit); }; })(s.unit) };
      if (s.dash) o.dash = [6, 4];
      if (s.style === "step") o.paths = uPlot.paths.stepped({ align: 1 });
      if (s.style === "bars") { o.paths = uPlot.paths.bars({ size: [0.7, 60], align: 0 }); o.fill = s.color + "99"; o.points = { show: false }; }
      if (s.style === "points") { o.paths = function () { return null; }; o.points = { show: true, size: 12, stroke: s.color, fill: s.color }; }
      series.push(o);
    });
    function axisValues(unit) { return function (u, splits) { return splits.map(function (v) { return v == null ? "" : fmt(v, unit); }); }; }
    var axes = [
      isTime ? { values: function (u, splits) { return splits.map(clock); } } : { label: spec.xLabel, values: axisValues(spec.xLabel === "ms" ? "ms" : "count") },
      { scale: "y", label: spec.yLabel, values: axisValues(unitOf.y), size: 64 }
    ];
    if (hasY2) axes.push({ scale: "y2", side: 1, label: spec.y2Label || "", values: axisValues(unitOf.y2), grid: { show: false }, size: 64 });
    var scales = { x: { time: isTime, distr: spec.xLog ? 3 : 1 }, y: { auto: true }, y2: { auto: true } };
    var opts = {
      width: width, height: spec.height || 240, series: series, axes: axes, scales: scales,
      legend: { live: true },
      cursor: isTime ? { sync: { key: "vigil-time", setSeries: false }, drag: { x: true, y: false } } : { drag: { x: true, y: false } },
      hooks: {}
    };
    if (isTime) opts.hooks.setScale = [function (u, key) {
      if (key !== "x" || syncing) return;
      syncing = true;
      timeCharts.forEach(function (o) { if (o !== u) o.setScale("x", { min: u.scales.x.min, max: u.scales.x.max }); });
      syncing = false;
    }];
    return opts;
  }
  specs.forEach(function (spec) {
    var el = document.querySelector('[data-chart="' + spec.id + '"]');
    if (!el) return;
    try {
      var chart = new uPlot(options(spec, el.clientWidth || 600), spec.data, el);
      chart.vigilSpec = spec;
      chart.vigilEl = el;
      all.push(chart);
      if (spec.xKind === "time") timeCharts.push(chart);
    } catch (error) {
      console.error("Cannot draw chart " + spec.id + ": " + error);
    }
  });
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { all.forEach(function (c) { c.setSize({ width: c.vigilEl.clientWidth || 600, height: c.vigilSpec.height || 240 }); }); }, 100);
  });
  function zoom(min, max) {
    if (timeCharts.length === 0) return;
    timeCharts[0].setScale("x", { min: min, max: max });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-zoom-from]"), function (button) {
    button.addEventListener("click", function () {
      zoom(Number(button.getAttribute("data-zoom-from")), Number(button.getAttribute("data-zoom-to")));
      document.getElementById("timeseries").scrollIntoView({ behavior: "smooth" });
    });
  });
  var reset = document.getElementById("zoom-reset");
  if (reset) reset.addEventListener("click", function () {
    var first = timeCharts[0];
    if (!first) return;
    var xs = first.data[0];
    zoom(xs[0], xs[xs.length - 1]);
  });
  window.__vigilRenderMs = performance.now() - started;
  // Since navigation start: HTML parse, uPlot, and every chart drawn.
  window.__vigilDoneAtMs = performance.now();
  document.documentElement.setAttribute("data-charts-rendered", String(all.length));
})();
`;
