// Draws each timeline the server wrote (a canvas with its data as JSON in data-chart) with
// Chart.js, served from npm at /assets/chartjs/.  Without JavaScript, or without the library,
// the data stays the table the server wrote beside it.
(function () {
  "use strict";
  if (typeof window.Chart !== "function") {
    return;
  }
  var colours = {figure: "#1f4e79", target: "#b35900"};
  var shapes = {figure: "circle", target: "rect"};

  function draw(canvas) {
    var data = JSON.parse(canvas.getAttribute("data-chart"));
    var numbers = new Intl.NumberFormat(data.lang === "zh" ? "zh-CN" : "en", {
      notation: "compact", maximumFractionDigits: 3
    });
    var years = [];
    data.series.forEach(function (series) {
      series.points.forEach(function (point) { years.push(point[0]); });
    });
    new window.Chart(canvas, {
      type: "line",
      data: {
        datasets: data.series.map(function (series) {
          return {
            label: series.label,
            data: series.points.map(function (p) { return {x: p[0], y: p[1]}; }),
            borderColor: colours[series.kind],
            backgroundColor: series.kind === "target" ? "#ffffff" : colours[series.kind],
            pointStyle: shapes[series.kind],
            pointRadius: 6,
            borderDash: series.kind === "target" ? [6, 4] : [],
            showLine: series.points.length > 1
          };
        })
      },
      options: {
        animation: false,
        responsive: false,
        plugins: {
          title: {display: false},
          legend: {position: "bottom"},
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + " " + item.parsed.x + ": " + numbers.format(item.parsed.y);
              }
            }
          }
        },
        scales: {
          x: {
            type: "linear",
            min: Math.min.apply(null, years) - 1,
            max: Math.max.apply(null, years) + 1,
            title: {display: true, text: data.x},
            ticks: {stepSize: 1, precision: 0, callback: function (value) { return String(value); }}
          },
          y: {
            beginAtZero: true,
            title: {display: true, text: data.y},
            ticks: {callback: function (value) { return numbers.format(value); }}
          }
        }
      }
    });
    canvas.setAttribute("data-drawn", "chart.js");
    var table = canvas.parentNode.querySelector("details.chart-data");
    if (table) {
      table.open = false;
    }
  }

  function start() {
    document.querySelectorAll("figure.chart canvas[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
