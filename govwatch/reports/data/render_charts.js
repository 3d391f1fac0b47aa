/* Charts as PNG images for documents: Apache ECharts renders each option to SVG on the server
 * (its SSR mode, no browser), resvg turns the SVG into a PNG with the machine's fonts.
 *
 * stdin:  {"node_modules": DIR, "font": FAMILY, "font_files": [PATH, ...], "scale": N,
 *          "charts": {NAME: {"option": {...}, "width": PX, "height": PX}}}
 * stdout: {NAME: "<PNG, base64>"}
 * Options are plain data as for web/charts.js; of its named functions ("@name") the formatters
 * below are known here too.
 */
"use strict";

const path = require("path");

const functions = {
  percent: function (v) {
    return v + "%";
  },
};

function resolve(node) {
  if (Array.isArray(node)) return node.map(resolve);
  if (node && typeof node === "object") {
    const out = {};
    for (const key of Object.keys(node)) {
      const value = node[key];
      out[key] = typeof value === "string" && value.charAt(0) === "@" && functions[value.slice(1)]
        ? functions[value.slice(1)]
        : resolve(value);
    }
    return out;
  }
  return node;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const job = JSON.parse(input);
  const echarts = require(path.join(job.node_modules, "echarts", "dist", "echarts.js"));
  const { Resvg } = require(path.join(job.node_modules, "@resvg", "resvg-js"));
  const out = {};
  for (const [name, chart] of Object.entries(job.charts)) {
    const option = resolve(chart.option);
    option.animation = false;
    option.textStyle = Object.assign({ fontFamily: job.font }, option.textStyle || {});
    const instance = echarts.init(null, null, {
      renderer: "svg", ssr: true, width: chart.width, height: chart.height,
    });
    instance.setOption(option);
    const svg = instance.renderToSVGString();
    instance.dispose();
    const png = new Resvg(svg, {
      background: "#ffffff",
      fitTo: { mode: "zoom", value: job.scale || 2 },
      // The font files named (parsing every system font takes seconds); all of them otherwise.
      font: job.font_files && job.font_files.length
        ? { loadSystemFonts: false, fontFiles: job.font_files, defaultFontFamily: job.font }
        : { loadSystemFonts: true, defaultFontFamily: job.font },
    }).render().asPng();
    out[name] = Buffer.from(png).toString("base64");
  }
  process.stdout.write(JSON.stringify(out));
});
