/* The big screen refreshes itself: every data-refresh seconds it fetches its figures again
 * (data-source, the same JSON the page was drawn from) and redraws the tiles, the charts and the
 * ranking list. A failed fetch keeps the last figures and says so; the next one tries again. */
(function () {
  "use strict";

  var body = document.body;
  var source = body.getAttribute("data-source");
  var seconds = parseInt(body.getAttribute("data-refresh"), 10) || 60;
  var stale = document.querySelector("[data-stale]");

  function show(data) {
    ["today", "month"].forEach(function (group) {
      data.tiles[group].forEach(function (tile) {
        var element = document.querySelector('[data-tile="' + group + "." + tile.key + '"]');
        if (element) {
          element.textContent = tile.shown;
        }
      });
    });
    Object.keys(data.charts).forEach(function (name) {
      if (window.GovWatchCharts) {
        window.GovWatchCharts.update("chart-screen-" + name, data.charts[name]);
      }
    });
    var list = document.querySelector("[data-ranking]");
    if (list) {
      list.textContent = "";
      data.ranking.forEach(function (row) {
        var item = document.createElement("li");
        [["rank", row.rank], ["name", row.unit_name], ["score", row.score === null ? "—" : row.score]].forEach(function (part) {
          var span = document.createElement("span");
          span.className = part[0];
          span.textContent = part[1];
          item.appendChild(span);
        });
        list.appendChild(item);
      });
    }
    var at = document.querySelector("[data-at]");
    if (at) {
      at.textContent = data.at.slice(11, 16);
    }
  }

  function refresh() {
    fetch(source, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (stale) stale.hidden = true;
      })
      .catch(function () {
        if (stale) stale.hidden = false;
      });
  }

  window.setInterval(refresh, seconds * 1000);
})();
