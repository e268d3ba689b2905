// The drag-and-drop page of exlog serve. It uploads the bundle to
// POST /api/analyze (with upload progress), receives the exlog.report/v1
// JSON, and asks POST /api/render for the HTML rendering of that report
// — the same renderer as the report file — which it inserts. Served from
// the page's own origin under a CSP without inline script.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var drop = $("drop"), input = $("file"), status = $("status"), statusText = $("status-text"),
      progress = $("progress"), errBox = $("error"), actions = $("actions"), out = $("report");
  var maxUpload = Number(document.body.dataset.maxUpload) || 0;
  var last = null; // {name, json}

  function human(n) {
    var u = ["bytes", "KiB", "MiB", "GiB", "TiB"], i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + " " + u[i];
  }
  if (maxUpload) { $("limit").textContent = human(maxUpload); }

  function setState(state, text, pct) {
    document.body.dataset.state = state;
    status.hidden = state === "idle" || state === "done" || state === "error";
    status.className = "status " + state;
    statusText.textContent = text || "";
    if (pct == null) { progress.removeAttribute("value"); } else { progress.value = pct; }
    drop.classList.toggle("busy", state === "uploading" || state === "analysing");
  }
  function fail(msg) {
    errBox.hidden = false;
    errBox.textContent = msg;
    setState("error");
  }

  function start(file) {
    if (!file) { return; }
    if (document.body.dataset.state === "uploading" || document.body.dataset.state === "analysing") { return; }
    errBox.hidden = true;
    actions.hidden = true;
    out.textContent = "";
    if (maxUpload && file.size > maxUpload) {
      fail(file.name + " is " + human(file.size) + ", over this server's limit of " + human(maxUpload) + ".");
      return;
    }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/analyze");
    // The server refuses API requests without this header: a page on
    // another origin cannot send it without a CORS preflight.
    xhr.setRequestHeader("X-Exlog-Request", "1");
    xhr.setRequestHeader("X-Exlog-Filename", encodeURIComponent(file.name).replace(/%20/g, " "));
    xhr.responseType = "text";
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        var pct = Math.round(100 * e.loaded / e.total);
        setState("uploading", "Uploading " + file.name + ": " + pct + " % of " + human(e.total), pct);
      }
    };
    xhr.upload.onload = function () { setState("analysing", "Analysing " + file.name + " …", null); };
    xhr.onerror = function () { fail("The upload failed: is exlog serve still running?"); };
    xhr.onload = function () {
      var body = xhr.responseText, msg;
      if (xhr.status !== 200) {
        try { msg = JSON.parse(body).error; } catch (e) { msg = body; }
        if (xhr.status === 503) {
          fail("The server is busy with other analyses. Try again in " + (xhr.getResponseHeader("Retry-After") || "a few") + " s.");
          return;
        }
        fail((xhr.status === 413 ? "Too large: " : "Could not analyse " + file.name + ": ") + msg);
        return;
      }
      last = { name: file.name, json: body };
      setState("analysing", "Rendering the report …", null);
      render(file.name, body, false).then(function (html) {
        out.innerHTML = html; // produced by the server's html/template renderer: escaped
        if (window.exlogReportInit) {
          out.querySelectorAll(".exlog-report").forEach(window.exlogReportInit);
        }
        document.body.classList.add("compact");
        actions.hidden = false;
        setState("done");
        document.body.dataset.reportReady = "1";
      }, function (e) { fail(String(e)); });
    };
    setState("uploading", "Uploading " + file.name + " …", 0);
    xhr.send(file);
  }

  function render(name, json, standalone) {
    return fetch("/api/render?name=" + encodeURIComponent(name) + (standalone ? "&standalone=1" : ""), {
      method: "POST", headers: { "Content-Type": "application/json", "X-Exlog-Request": "1" }, body: json
    }).then(function (r) {
      return r.text().then(function (t) {
        if (!r.ok) { throw new Error("rendering failed: " + t); }
        return t;
      });
    });
  }

  function save(data, type, filename) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([data], { type: type }));
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    drop.classList.remove("over");
    var f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    start(f);
  });
  // A bundle dropped anywhere else on the page should not navigate away.
  window.addEventListener("dragover", function (e) { e.preventDefault(); });
  window.addEventListener("drop", function (e) {
    e.preventDefault();
    if (!drop.contains(e.target)) { start(e.dataTransfer && e.dataTransfer.files[0]); }
  });
  drop.addEventListener("keydown", function (e) {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); }
  });
  input.addEventListener("change", function () { start(input.files[0]); input.value = ""; });
  $("again").addEventListener("click", function () {
    out.textContent = ""; actions.hidden = true; document.body.classList.remove("compact");
    delete document.body.dataset.reportReady; setState("idle"); drop.focus();
  });
  $("save-json").addEventListener("click", function () {
    if (last) { save(last.json, "application/json", last.name + ".exlog.json"); }
  });
  $("save-html").addEventListener("click", function () {
    if (!last) { return; }
    render(last.name, last.json, true).then(function (html) {
      save(html, "text/html", last.name + ".exlog.html");
    }, function (e) { fail(String(e)); });
  });
  setState("idle");
})();
