// Type-ahead for long unit lists: the page's datalist holds the first units of the scope; as the
// office types, the matching ones are asked for (/complaints/units.json?q=) and offered instead.
(function () {
  "use strict";
  var input = document.querySelector("input[list=unit-options]");
  var list = document.getElementById("unit-options");
  if (!input || !list || !window.fetch) return;
  var timer = null;
  var url = list.getAttribute("data-url") || "/complaints/units.json";
  input.addEventListener("input", function () {
    var q = input.value.trim();
    clearTimeout(timer);
    if (q.length < 1 || q.indexOf(" ") >= 0) return;
    timer = setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { units: [] }; })
        .then(function (data) {
          if (!data.units.length) return;
          list.textContent = "";
          data.units.forEach(function (u) {
            var option = document.createElement("option");
            option.value = u.code + " " + u.name;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 200);
  });
})();
