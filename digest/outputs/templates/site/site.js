// The site's one script: search (Pagefind's own interface) and labels kept in this browser.
// Labels live in localStorage, one entry per topic ({id: 1 or 0}); "Export labels" downloads them as the
// CSV `digest label` writes, for `digest label --topic T --import T.csv`.
(function () {
  "use strict";
  var PREFIX = "arxiv-digest:labels:";
  var root = document.body.getAttribute("data-root") || "";
  var pageTopic = document.body.getAttribute("data-topic");

  function readLabels(topic) {
    try {
      var stored = JSON.parse(window.localStorage.getItem(PREFIX + topic) || "{}");
      return stored && typeof stored === "object" ? stored : {};
    } catch (error) {
      return {};
    }
  }

  function writeLabels(topic, labels) {
    window.localStorage.setItem(PREFIX + topic, JSON.stringify(labels));
  }

  function labelsCsv(labels) {
    var rows = ["id,label,note"];
    Object.keys(labels).sort().forEach(function (id) { rows.push(id + "," + labels[id]); });
    return rows.join("\n") + "\n";
  }

  function showLabels() {
    document.querySelectorAll("[data-label-count]").forEach(function (count) {
      count.textContent = String(Object.keys(readLabels(count.getAttribute("data-label-count"))).length);
    });
    if (!pageTopic) { return; }
    var labels = readLabels(pageTopic);
    document.querySelectorAll("article[data-id]").forEach(function (article) {
      var chosen = labels[article.getAttribute("data-id")];
      article.querySelectorAll("button[data-label]").forEach(function (button) {
        button.setAttribute("aria-pressed", String(chosen !== undefined && String(chosen) === button.getAttribute("data-label")));
      });
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button") : null;
    if (!button) { return; }
    if (button.hasAttribute("data-label") && pageTopic) {
      var id = button.closest("article[data-id]").getAttribute("data-id");
      var labels = readLabels(pageTopic);
      if (button.getAttribute("aria-pressed") === "true") {
        delete labels[id];
      } else {
        labels[id] = Number(button.getAttribute("data-label"));
      }
      writeLabels(pageTopic, labels);
      showLabels();
    } else if (button.hasAttribute("data-export")) {
      var topic = button.getAttribute("data-export");
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([labelsCsv(readLabels(topic))], { type: "text/csv" }));
      link.download = topic + ".csv";
      document.body.appendChild(link);
      link.click();
      link.remove();
    }
  });

  window.addEventListener("storage", showLabels);
  showLabels();

  // One Pagefind bundle a month (pagefind/bundles.js lists them, newest first), searched as one index.
  var base = new URL(root || "./", window.location.href).pathname;
  var bundles = (window.arxivDigestBundles || []).map(function (month) { return base + "pagefind/" + month + "/"; });
  if (window.PagefindUI && bundles.length && document.getElementById("search")) {
    new window.PagefindUI({
      element: "#search",
      bundlePath: bundles[0],
      mergeIndex: bundles.slice(1).map(function (bundle) { return { bundlePath: bundle }; }),
      showSubResults: true,
      showImages: false,
      baseUrl: base,
    });
  }
})();
