/* Page behaviours without inline scripts, so the Content-Security-Policy can forbid them (script-src 'self').
   Markup opts in with data attributes:
   - <select data-autosubmit> submits its form on change;
   - <form data-confirm="…"> asks before submitting;
   - <button data-print> prints the page;
   - .nav-toggle opens the side navigation on small screens;
   - a JSON <script id="chart-data"> of {key: {data, layout}} is drawn into #chart-<key> (underscores become
     dashes) with the bundled plotly.min.js, or, when it is a single figure, into the first .chart. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var print = event.target.closest ? event.target.closest("[data-print]") : null;
    if (print) {
      window.print();
      return;
    }
    var toggle = event.target.closest ? event.target.closest(".nav-toggle") : null;
    if (toggle) {
      document.body.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", String(document.body.classList.contains("nav-open")));
    }
  });

  function drawCharts() {
    var source = document.getElementById("chart-data");
    if (!source) {
      return;
    }
    var charts = document.querySelectorAll(".chart");
    if (!window.Plotly) {
      charts.forEach(function (el) {
        el.textContent = el.dataset.fallback || "图表组件加载失败，请参阅下方数据表或导出 Excel。";
      });
      return;
    }
    var specs = JSON.parse(source.textContent);
    var config = { displaylogo: false, responsive: true, locale: "zh-CN" };
    if (specs && specs.data && specs.layout) {
      if (charts.length) {
        window.Plotly.newPlot(charts[0], specs.data, specs.layout, config);
      }
      return;
    }
    Object.keys(specs || {}).forEach(function (key) {
      var el = document.getElementById("chart-" + key.replace(/_/g, "-"));
      if (el && specs[key]) {
        window.Plotly.newPlot(el, specs[key].data, specs[key].layout, config);
      }
    });
  }

  function ready() {
    drawCharts();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
