/* The forecast chart: the simulated distribution of the period's revenue, its P10-P90
   band, the median and the target. Reads <script type="application/json" id="ID"> of
   <div class="chart" data-forecast-chart="ID"> (json_script; no inline script under the CSP). */
(function () {
  "use strict";
  function option(data) {
    var lines = [{ xAxis: data.p50, name: "P50" }];
    if (data.target !== null && data.target !== undefined) {
      lines.push({ xAxis: data.target, name: data.labels.target, lineStyle: { color: "#b91c1c", type: "solid", width: 2 } });
    }
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 60, right: 30, top: 40, bottom: 50 },
      xAxis: { type: "value", name: data.labels.x, nameLocation: "middle", nameGap: 30, scale: true },
      yAxis: { type: "value", name: data.labels.y },
      series: [{
        name: data.labels.series, type: "line", smooth: true, symbol: "none", areaStyle: { opacity: 0.25 },
        data: data.density,
        markArea: { itemStyle: { color: "rgba(37, 99, 235, 0.12)" },
          label: { position: "insideBottom", color: "#1e3a8a" },
          data: [[{ name: data.labels.band, xAxis: data.p10 }, { xAxis: data.p90 }]] },
        markLine: { symbol: "none", label: { formatter: "{b}", position: "end" }, data: lines }
      }]
    };
  }
  function draw(el) {
    var source = document.getElementById(el.dataset.forecastChart);
    if (!source || !window.echarts) { return; }
    var chart = window.echarts.init(el);
    chart.setOption(option(JSON.parse(source.textContent)));
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function drawAll() { document.querySelectorAll(".chart[data-forecast-chart]").forEach(draw); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
