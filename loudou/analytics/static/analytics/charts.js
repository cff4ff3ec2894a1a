/* Charts of the analytics pages and dashboards. Each <div class="chart" data-chart="ID">
   draws the JSON of <script type="application/json" id="ID"> (Django json_script);
   no inline script, so the page's CSP holds. Every chart has its table beside it. */
(function () {
  "use strict";
  function funnel(data) {
    return {
      tooltip: { trigger: "item", formatter: function (p) {
        var drop = p.data.drop === null || p.data.drop === undefined ? "" : " (-" + p.data.drop + "%)";
        return p.name + ": " + p.value + drop;
      } },
      series: [{
        type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "8%", gap: 2,
        label: { show: true, position: "inside", formatter: "{b}: {c}" },
        data: data.series
      }]
    };
  }
  function axes(data) {
    var twoAxes = data.series.some(function (s) { return s.axis === 1; });
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: twoAxes ? 60 : 20, top: 40, bottom: 40 },
      xAxis: { type: "category", data: data.categories },
      yAxis: twoAxes ? [{ type: "value" }, { type: "value" }] : [{ type: "value" }],
      series: data.series.map(function (s) {
        return { name: s.name, type: s.type, yAxisIndex: s.axis || 0, data: s.data };
      })
    };
  }
  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var option = data.kind === "funnel" ? funnel(data) : axes(data);
    var chart = window.echarts.init(el);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function drawAll() {
    document.querySelectorAll(".chart[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
