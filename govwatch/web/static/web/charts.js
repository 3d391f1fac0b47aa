/* GovWatch charts: every element with data-chart="ID" is drawn by Apache ECharts from the option
 * in <script type="application/json" id="ID"> (the template tag {% chart %} writes both).
 *
 * An option is plain data. Where ECharts wants a function (renderItem, formatter), the option names
 * one of the functions below as "@name". Tooltips are drawn on the canvas (renderMode richText):
 * the site's Content-Security-Policy allows no inline styles, which HTML tooltips would need.
 */
(function () {
  "use strict";

  function day(ms) {
    var d = new Date(ms);
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  var functions = {
    // A horizontal bar between two moments on a time axis: value [row, start ms, end ms, ...].
    span: function (params, api) {
      var row = api.value(0);
      var start = api.coord([api.value(1), row]);
      var end = api.coord([api.value(2), row]);
      var height = api.size([0, 1])[1] * 0.55;
      var shape = echarts.graphic.clipRectByRect(
        { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 2), height: height },
        { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height }
      );
      return shape && { type: "rect", transition: ["shape"], shape: shape, style: api.style() };
    },
    // The tooltip of a span: its name, dates and the words in value[3].
    spanTip: function (p) {
      var v = p.value;
      return p.name + "\n" + day(v[1]) + " 至 " + day(v[2]) + (v[3] ? "\n" + v[3] : "");
    },
    // The tooltip of a dated point: [ms, row, words].
    pointTip: function (p) {
      return (p.value[2] || p.seriesName) + "\n" + day(p.value[0]);
    },
    percent: function (v) {
      return v + "%";
    },
  };

  function resolve(node) {
    if (Array.isArray(node)) {
      return node.map(resolve);
    }
    if (node && typeof node === "object") {
      var out = {};
      Object.keys(node).forEach(function (key) {
        var value = node[key];
        if (typeof value === "string" && value.charAt(0) === "@" && functions[value.slice(1)]) {
          out[key] = functions[value.slice(1)];
        } else {
          out[key] = resolve(value);
        }
      });
      return out;
    }
    return node;
  }

  var instances = {};

  function prepared(option) {
    option = resolve(option);
    var base = option.baseOption || option; // an option with media queries keeps its defaults in baseOption
    base.tooltip = Object.assign({ renderMode: "richText", confine: true }, base.tooltip || {});
    return option;
  }

  function draw(element) {
    var id = element.getAttribute("data-chart");
    var source = document.getElementById(id);
    if (!source || typeof echarts === "undefined") {
      return;
    }
    // data-chart-theme="dark": ECharts' own dark theme, for the big screen.
    var chart = echarts.init(element, element.getAttribute("data-chart-theme") || null, { renderer: "canvas" });
    chart.setOption(prepared(JSON.parse(source.textContent)));
    instances[id] = chart;
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  // For pages that refresh their figures (the big screen): redraw chart ID with a new option.
  window.GovWatchCharts = {
    update: function (id, option) {
      if (instances[id]) {
        instances[id].setOption(prepared(option), true);
      }
    },
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
