// Posthantering UI: page viewer zoom/rotate, keyboard routing (1-9), queue select-all, upload with progress.
(function () {
  "use strict";
  const csrf = () => (JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "");
  const typing = (el) => el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);

  // Page viewer: CSS transforms only, nothing is re-rendered on the server.
  let zoom = 1, rotation = 0;
  function applyView() {
    document.querySelectorAll("#pages img").forEach((img) => {
      img.style.transform = `scale(${zoom}) rotate(${rotation}deg)`;
      img.parentElement.style.marginBottom = `${Math.max(1, zoom) * 1}rem`;
    });
    const level = document.getElementById("zoom-level");
    if (level) level.textContent = `${Math.round(zoom * 100)} %`;
  }
  document.addEventListener("click", (e) => {
    const t = e.target.closest("[data-zoom],[data-rotate],[data-reset]");
    if (!t) return;
    if (t.dataset.zoom) zoom = Math.min(3, Math.max(0.5, zoom + parseFloat(t.dataset.zoom)));
    if (t.dataset.rotate) rotation = (rotation + parseInt(t.dataset.rotate, 10)) % 360;
    if (t.hasAttribute("data-reset")) { zoom = 1; rotation = 0; }
    applyView();
  });

  // Keys: 1-9 route to a suggestion, k discards advertising (data-shortcut), +/- zoom, r rotates.
  document.addEventListener("keydown", (e) => {
    if (typing(document.activeElement) || e.ctrlKey || e.metaKey || e.altKey) return;
    const button = /^[1-9]$/.test(e.key) && document.querySelector(`button[data-key="${e.key}"]`);
    if (button) { e.preventDefault(); button.closest("form").requestSubmit(button); return; }
    const shortcut = document.querySelector(`button[data-shortcut="${e.key}"]`);
    if (shortcut) { e.preventDefault(); shortcut.closest("form").requestSubmit(shortcut); return; }
    if (!document.getElementById("pages")) return;
    if (e.key === "+") { zoom = Math.min(3, zoom + 0.25); applyView(); }
    else if (e.key === "-") { zoom = Math.max(0.5, zoom - 0.25); applyView(); }
    else if (e.key === "r") { rotation = (rotation + 90) % 360; applyView(); }
  });

  // Queue: select all.
  document.addEventListener("change", (e) => {
    if (e.target.id === "select-all") {
      document.querySelectorAll('input[name="item_ids"]').forEach((box) => { box.checked = e.target.checked; });
    }
  });

  // Upload: drag and drop or choose, one XMLHttpRequest per file with a progress bar.
  function upload(file, list) {
    const row = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    const status = document.createElement("span");
    status.textContent = "Skickar…";
    row.append(name, bar, status);
    list.prepend(row);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/ui/ladda-upp");
    xhr.setRequestHeader("X-CSRF-Token", csrf());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (ev) => { if (ev.lengthComputable) bar.value = (ev.loaded / ev.total) * 100; });
    xhr.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
      bar.value = 100;
      status.textContent = "";
      if (xhr.status === 202 || xhr.status === 200) {
        const link = document.createElement("a");
        link.href = body.url;
        link.textContent = xhr.status === 200 ? `Redan inläst (#${body.id})` : `Mottagen #${body.id}`;
        status.className = "ok";
        status.append(link);
      } else {
        status.className = "err";
        status.textContent = body.error && body.detail ? `Avvisad: ${body.detail}` : (body.error || `Fel (${xhr.status})`);
        if (xhr.status === 401 || xhr.status === 204) status.textContent = "Inloggningen har gått ut – logga in igen.";
      }
    });
    xhr.addEventListener("error", () => { status.className = "err"; status.textContent = "Nätverksfel"; });
    const data = new FormData();
    data.append("file", file);
    xhr.send(data);
  }
  document.addEventListener("DOMContentLoaded", () => {
    const zone = document.getElementById("dropzone");
    if (!zone) return;
    const input = document.getElementById("file-input");
    const list = document.getElementById("uploads");
    const send = (files) => Array.from(files).forEach((f) => upload(f, list));
    zone.addEventListener("click", (e) => { if (e.target.tagName !== "LABEL" && e.target !== input) input.click(); });
    zone.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
    ["dragenter", "dragover"].forEach((ev) => zone.addEventListener(ev, (e) => { e.preventDefault(); zone.classList.add("over"); }));
    ["dragleave", "drop"].forEach((ev) => zone.addEventListener(ev, (e) => { e.preventDefault(); zone.classList.remove("over"); }));
    zone.addEventListener("drop", (e) => send(e.dataTransfer.files));
    input.addEventListener("change", () => { send(input.files); input.value = ""; });
  });
})();
