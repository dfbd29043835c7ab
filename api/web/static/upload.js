// The upload page (api/web/pages_upload.py says what it does and why). No build step, no library
// but htmx, which shows each batch as its own page does.
(function () {
  "use strict";

  var settingsNode = document.getElementById("upload-settings");
  var form = document.getElementById("upload");
  if (!settingsNode || !form) return;
  var S = JSON.parse(settingsNode.textContent);
  var T = S.texts;
  var STORE_PREFIX = "bordereau.upload.";
  // The service keeps an Idempotency-Key for a day: a resume record older than this is of no use.
  var RECORD_LIFETIME_MS = 20 * 3600 * 1000;

  var dossierSelect = document.getElementById("u-dossier");
  var drop = document.getElementById("drop");
  var pickFiles = document.getElementById("u-files");
  var pickFolder = document.getElementById("u-folder");
  var chosen = document.getElementById("chosen");
  var rows = document.getElementById("chosen-rows");
  var summary = document.getElementById("chosen-summary");
  var sendButton = document.getElementById("u-send");
  var clearButton = document.getElementById("u-clear");
  var statusLine = document.getElementById("u-status");
  var results = document.getElementById("results");
  var resultBatches = document.getElementById("result-batches");
  var resumeNotice = document.getElementById("resume-notice");

  var items = [];      // {file, path, row, bar, state}
  var sending = false;

  function say(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, name) {
      return values && name in values ? String(values[name]) : "{" + name + "}";
    });
  }

  function megabytes(bytes) {
    var mb = bytes / (1024 * 1024);
    return (mb < 0.1 ? "< 0,1" : mb.toFixed(1).replace(".", ",")) + " Mo";
  }

  function setStatus(text) { statusLine.textContent = text; }

  // ---- choosing files ------------------------------------------------------------------------

  function identity(item) { return item.path + "|" + item.file.size + "|" + item.file.lastModified; }

  function addFiles(files) {
    if (sending) return;
    var known = {};
    items.forEach(function (item) { known[identity(item)] = true; });
    files.forEach(function (entry) {
      var item = {file: entry.file, path: entry.path || entry.file.name, state: "chosen"};
      if (known[identity(item)]) return;
      known[identity(item)] = true;
      items.push(item);
      addRow(item);
    });
    refreshSummary();
  }

  function addRow(item) {
    var row = document.createElement("tr");
    var name = document.createElement("th");
    name.scope = "row";
    name.textContent = item.path;
    var size = document.createElement("td");
    size.className = "num";
    size.textContent = megabytes(item.file.size);
    var progressCell = document.createElement("td");
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", say(T["upload.bar"], {name: item.path}));
    progressCell.appendChild(bar);
    var state = document.createElement("td");
    row.append(name, size, progressCell, state);
    rows.appendChild(row);
    item.row = row;
    item.bar = bar;
    item.stateCell = state;
    if (item.file.size > S.maxFileBytes) {
      markItem(item, "refused", say(T["upload.too_large"], {mb: S.maxFileMb}));
    } else if (item.file.size === 0) {
      markItem(item, "refused", T["upload.empty"]);
    } else {
      markItem(item, "chosen", T["upload.state_waiting"]);
    }
  }

  function markItem(item, state, text) {
    item.state = state;
    item.stateCell.textContent = text;
    item.row.className = "up up-" + state;
    if (state === "sent" || state === "skipped") item.bar.value = 100;
  }

  function sendable() {
    return items.filter(function (item) { return item.state !== "refused"; });
  }

  function refreshSummary() {
    chosen.hidden = items.length === 0;
    var ok = sendable();
    var bytes = ok.reduce(function (sum, item) { return sum + item.file.size; }, 0);
    summary.textContent = say(T["upload.summary"], {count: ok.length, size: megabytes(bytes)});
  }

  // Folders dropped: walk them (the browser hands a tree of entries, read in pages).
  function readEntry(entry, prefix, out) {
    return new Promise(function (resolve) {
      if (entry.isFile) {
        entry.file(function (file) { out.push({file: file, path: prefix + file.name}); resolve(); },
                   function () { resolve(); });
      } else if (entry.isDirectory) {
        var reader = entry.createReader();
        var children = [];
        var next = function () {
          reader.readEntries(function (batch) {
            if (!batch.length) {
              Promise.all(children.map(function (child) {
                return readEntry(child, prefix + entry.name + "/", out);
              })).then(function () { resolve(); });
              return;
            }
            children = children.concat(Array.prototype.slice.call(batch));
            next();
          }, function () { resolve(); });
        };
        next();
      } else {
        resolve();
      }
    });
  }

  function filesOfDrop(dataTransfer) {
    var out = [];
    var entries = [];
    if (dataTransfer.items && dataTransfer.items.length && dataTransfer.items[0].webkitGetAsEntry) {
      for (var i = 0; i < dataTransfer.items.length; i++) {
        var item = dataTransfer.items[i];
        if (item.kind !== "file") continue;
        // An item without an entry (made by a page, not by the file manager) is a plain file.
        var entry = item.webkitGetAsEntry();
        if (entry) {
          entries.push(entry);
        } else if (item.getAsFile()) {
          out.push({file: item.getAsFile(), path: item.getAsFile().name});
        }
      }
      return Promise.all(entries.map(function (entry) { return readEntry(entry, "", out); }))
        .then(function () { return out; });
    }
    Array.prototype.forEach.call(dataTransfer.files, function (file) { out.push({file: file, path: file.name}); });
    return Promise.resolve(out);
  }

  drop.addEventListener("dragover", function (event) {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    drop.classList.remove("over");
    filesOfDrop(event.dataTransfer).then(addFiles);
  });

  function fromInput(input) {
    var picked = Array.prototype.map.call(input.files, function (file) {
      return {file: file, path: file.webkitRelativePath || file.name};
    });
    input.value = "";
    addFiles(picked);
  }
  pickFiles.addEventListener("change", function () { fromInput(pickFiles); });
  pickFolder.addEventListener("change", function () { fromInput(pickFolder); });

  clearButton.addEventListener("click", function () {
    if (sending) return;
    items = [];
    rows.textContent = "";
    refreshSummary();
    setStatus("");
  });

  // ---- resuming: one record per upload, by what it holds ---------------------------------------

  function fingerprint(dossier, flow, list) {
    var text = dossier + "\n" + flow + "\n" + list.map(identity).sort().join("\n");
    var hash = 2166136261;  // FNV-1a, 32 bits: a name for the record, not a security measure
    for (var i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 16777619) >>> 0;
    }
    return hash.toString(16) + "-" + list.length;
  }

  function loadRecord(name) {
    try {
      var record = JSON.parse(localStorage.getItem(STORE_PREFIX + name) || "null");
      if (record && Date.now() - record.started < RECORD_LIFETIME_MS) return record;
    } catch (e) { /* storage refused or damaged: start afresh */ }
    return null;
  }

  function saveRecord(name, record) {
    try { localStorage.setItem(STORE_PREFIX + name, JSON.stringify(record)); } catch (e) { /* private mode */ }
  }

  function dropRecord(name) {
    try { localStorage.removeItem(STORE_PREFIX + name); } catch (e) { /* nothing kept */ }
  }

  function unfinishedRecords() {
    var found = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key && key.indexOf(STORE_PREFIX) === 0) {
          var record = loadRecord(key.slice(STORE_PREFIX.length));
          if (record) found.push(record); else localStorage.removeItem(key);
        }
      }
    } catch (e) { /* no storage: nothing to resume */ }
    return found;
  }

  function randomKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // ---- sending ---------------------------------------------------------------------------------

  // Read when sending, not when the page loads: the settings are the page's, and may be changed.
  function partsOf(list) {
    var partFiles = JSON.parse(settingsNode.textContent).partFiles || S.partFiles;
    var parts = [];
    var current = [];
    var bytes = 0;
    list.forEach(function (item) {
      if (current.length && (current.length >= partFiles || bytes + item.file.size > S.partBytes)) {
        parts.push(current);
        current = [];
        bytes = 0;
      }
      current.push(item);
      bytes += item.file.size;
    });
    if (current.length) parts.push(current);
    return parts;
  }

  function wait(seconds) {
    return new Promise(function (resolve) { setTimeout(resolve, seconds * 1000); });
  }

  function online() {
    if (navigator.onLine !== false) return Promise.resolve();
    return new Promise(function (resolve) { window.addEventListener("online", resolve, {once: true}); });
  }

  // One sending of a part: resolves with {status, body, retryAfter}; status 0 when the connection failed.
  function sendOnce(part, fields, key) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("dossier_id", fields.dossier);
      if (fields.flow) data.append("flow", fields.flow);
      if (fields.total > part.length) data.append("upload_total", String(fields.total));
      var starts = [];
      var offset = 0;
      part.forEach(function (item) {
        starts.push(offset);
        offset += item.file.size;
        data.append("files", item.file, item.path);
      });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/v1/batches");
      xhr.setRequestHeader("X-CSRF-Token", S.csrf);
      xhr.setRequestHeader("Idempotency-Key", key);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        // The body is the files in order (plus a little framing): each file's share of what went.
        part.forEach(function (item, i) {
          var done = Math.max(0, Math.min(item.file.size, event.loaded - starts[i]));
          item.bar.value = item.file.size ? Math.floor(100 * done / item.file.size) : 100;
        });
      });
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        resolve({status: xhr.status, body: body, retryAfter: parseFloat(xhr.getResponseHeader("Retry-After") || "")});
      });
      xhr.addEventListener("error", function () { resolve({status: 0}); });
      xhr.addEventListener("timeout", function () { resolve({status: 0}); });
      xhr.send(data);
    });
  }

  // Sends a part until the service has it, or refuses it for good (resolves {batch} or {problem}).
  function sendPart(part, fields, key, label) {
    var attempt = 0;
    var serverErrors = 0;
    var loop = function () {
      part.forEach(function (item) { markItem(item, "sending", T["upload.state_sending"]); });
      setStatus(label);
      return sendOnce(part, fields, key).then(function (answer) {
        if (answer.status === 202) return {batch: answer.body};
        var temporary = answer.status === 0 || answer.status === 429 || answer.status === 409 ||
                        answer.status === 503 || answer.status === 502 || answer.status === 504;
        if (answer.status >= 500 && !temporary) serverErrors += 1;
        if (!temporary && !(answer.status >= 500 && serverErrors < 5)) {
          return {problem: answer.body || {detail: T["upload.failed"]}};
        }
        attempt += 1;
        var delay = answer.retryAfter > 0 ? answer.retryAfter : Math.min(30, Math.pow(2, Math.min(attempt, 5)));
        var message = answer.status === 0 ? T["upload.offline"] : T["upload.waiting_retry"];
        setStatus(say(message, {seconds: Math.ceil(delay)}));
        part.forEach(function (item) { item.bar.value = 0; });
        return online().then(function () { return wait(delay); }).then(loop);
      });
    };
    return loop();
  }

  function showBatch(batchId, count) {
    results.hidden = false;
    var article = document.createElement("article");
    article.className = "result";
    var heading = document.createElement("h3");
    var link = document.createElement("a");
    link.href = "/app/batches/" + encodeURIComponent(batchId);
    link.textContent = say(T["upload.part"], {count: count});
    heading.appendChild(link);
    var live = document.createElement("div");
    live.setAttribute("hx-get", "/app/batches/" + encodeURIComponent(batchId) + "/live?level=4");
    live.setAttribute("hx-trigger", "load");
    live.setAttribute("hx-swap", "outerHTML");
    article.append(heading, live);
    resultBatches.appendChild(article);
    if (window.htmx) window.htmx.process(article);
  }

  // A refusal in the page's words when it has them for the problem's code, else the service's sentence.
  function problemText(problem) {
    var detail = problem && ((problem.code && S.errors[problem.code]) || problem.detail || problem.title);
    return say(T["upload.refused"], {detail: detail || T["upload.failed"]});
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) return;
    var fields = {dossier: dossierSelect.value, flow: (form.querySelector("input[name=flow]:checked") || {}).value || ""};
    var list = sendable().filter(function (item) { return item.state !== "sent" && item.state !== "skipped"; });
    if (!fields.dossier) { setStatus(T["upload.no_dossier"]); dossierSelect.focus(); return; }
    if (!list.length) { setStatus(T["upload.no_files"]); pickFiles.focus(); return; }
    fields.total = list.length;
    var name = fingerprint(fields.dossier, fields.flow, list);
    var record = loadRecord(name) || {key: randomKey(), started: Date.now(), done: {}, files: list.length};
    saveRecord(name, record);
    var parts = partsOf(list);
    sending = true;
    sendButton.disabled = true;
    clearButton.disabled = true;
    var failed = false;
    var chain = Promise.resolve();
    parts.forEach(function (part, index) {
      chain = chain.then(function () {
        if (failed) return null;
        if (record.done[index]) {
          part.forEach(function (item) { markItem(item, "skipped", T["upload.skipped"]); });
          showBatch(record.done[index], part.length);
          return null;
        }
        var label = say(T["upload.sending"], {part: (index + 1) + " / " + parts.length});
        return sendPart(part, fields, record.key + "-" + index, label).then(function (outcome) {
          if (outcome.batch) {
            record.done[index] = outcome.batch.id;
            saveRecord(name, record);
            part.forEach(function (item) { markItem(item, "sent", T["upload.sent"]); });
            showBatch(outcome.batch.id, part.length);
          } else {
            failed = true;
            var text = problemText(outcome.problem);
            part.forEach(function (item) { markItem(item, "refused", text); });
            setStatus(text);
          }
        });
      });
    });
    chain.then(function () {
      sending = false;
      sendButton.disabled = false;
      clearButton.disabled = false;
      if (!failed) {
        dropRecord(name);
        setStatus(say(T["upload.done"], {count: list.length, batches: parts.length}));
      }
    });
  });

  var waiting = unfinishedRecords();
  if (waiting.length && resumeNotice) {
    resumeNotice.textContent = say(T["upload.resumed"], {count: waiting[0].files});
    resumeNotice.hidden = false;
  }
})();
