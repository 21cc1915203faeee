// Posthantering UI: page viewer (zoom, fit, rotate, pan), keyboard routing (1-9), queue keys (j/k/Enter/x),
// session expiry warning, confirmations, upload with progress.
(function () {
  "use strict";
  const csrf = () => (JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "");
  const typing = (el) => el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);

  // Page viewer. The frame of each page is sized to the page's (rotated) box, so the scroll area always
  // holds the whole page: at any zoom or rotation every part can be scrolled to (mouse drag, arrow keys).
  // zoom 1 = the page fits the viewer's width.
  let zoom = 1, rotation = 0;
  const viewer = () => document.getElementById("pages");
  function fitScale(img) {
    const box = viewer();
    const turned = rotation % 180 !== 0;
    const w = turned ? img.naturalHeight : img.naturalWidth;
    return Math.max(0.05, (box.clientWidth - 32) / (w || 1));
  }
  function applyView(keepCentre) {
    const box = viewer();
    if (!box) return;
    const cx = (box.scrollLeft + box.clientWidth / 2) / Math.max(1, box.scrollWidth);
    const cy = (box.scrollTop + box.clientHeight / 2) / Math.max(1, box.scrollHeight);
    box.querySelectorAll(".page-frame img").forEach((img) => {
      if (!img.naturalWidth) return;
      const s = fitScale(img) * zoom;
      const w = img.naturalWidth * s, h = img.naturalHeight * s;
      const turned = rotation % 180 !== 0;
      const frame = img.parentElement;
      frame.style.width = `${turned ? h : w}px`;
      frame.style.height = `${turned ? w : h}px`;
      img.style.width = `${w}px`;
      img.style.height = `${h}px`;
      img.style.transform = `translate(-50%, -50%) rotate(${rotation}deg)`;
    });
    if (keepCentre === true) {  // zooming or turning keeps the spot being read in the middle
      box.scrollLeft = cx * box.scrollWidth - box.clientWidth / 2;
      box.scrollTop = cy * box.scrollHeight - box.clientHeight / 2;
    }
    const level = document.getElementById("zoom-level");
    if (level) level.textContent = `${Math.round(zoom * 100)} %`;
  }
  function fitPage() {
    const box = viewer();
    const img = box && box.querySelector(".page-frame img");
    if (!img || !img.naturalWidth) { zoom = 1; return; }
    const turned = rotation % 180 !== 0;
    const h = (turned ? img.naturalWidth : img.naturalHeight) * fitScale(img);
    zoom = Math.min(1, (box.clientHeight - 32) / h);
  }
  function viewCommand(cmd) {
    if (cmd === "in") zoom = Math.min(4, zoom + 0.25);
    else if (cmd === "out") zoom = Math.max(0.25, zoom - 0.25);
    else if (cmd === "rotate") rotation = (rotation + 90) % 360;
    else if (cmd === "width") zoom = 1;
    else if (cmd === "page") fitPage();
    else if (cmd === "reset") { zoom = 1; rotation = 0; }
    applyView(cmd === "in" || cmd === "out" || cmd === "rotate");
  }
  document.addEventListener("click", (e) => {
    const t = e.target.closest("[data-zoom],[data-rotate],[data-fit],[data-reset]");
    if (!t) return;
    if (t.dataset.zoom) viewCommand(parseFloat(t.dataset.zoom) > 0 ? "in" : "out");
    else if (t.dataset.rotate) viewCommand("rotate");
    else if (t.dataset.fit) viewCommand(t.dataset.fit);
    else viewCommand("reset");
  });
  window.addEventListener("resize", () => applyView(true));
  document.addEventListener("DOMContentLoaded", () => {
    const box = viewer();
    if (!box) return;
    box.querySelectorAll(".page-frame img").forEach((img) => {
      if (img.complete) applyView(false); else img.addEventListener("load", () => applyView(false));
    });
    let drag = null;  // pan with the mouse
    box.addEventListener("mousedown", (e) => { drag = { x: e.clientX, y: e.clientY, l: box.scrollLeft, t: box.scrollTop }; box.classList.add("panning"); });
    window.addEventListener("mousemove", (e) => { if (drag) { box.scrollLeft = drag.l - (e.clientX - drag.x); box.scrollTop = drag.t - (e.clientY - drag.y); } });
    window.addEventListener("mouseup", () => { drag = null; box.classList.remove("panning"); });
  });

  // Queue: one tab stop per row; j/k move between rows, Enter opens, x (or space) marks the row.
  const rows = () => Array.from(document.querySelectorAll("#queue-table tbody tr[data-href]"));
  function moveRow(step) {
    const all = rows();
    if (!all.length) return;
    const at = all.indexOf(document.activeElement);
    const next = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    all[next].focus();
  }

  // Keys: 1-9 route to a suggestion (only where the page offers them: an item waiting for a decision),
  // d discards advertising, +/- zoom, r rotates, w/h fit width/page; in the queue j/k/Enter/x.
  document.addEventListener("keydown", (e) => {
    if (typing(document.activeElement) || e.ctrlKey || e.metaKey || e.altKey) return;
    const button = /^[1-9]$/.test(e.key) && document.querySelector(`button[data-key="${e.key}"]`);
    if (button) { e.preventDefault(); button.closest("form").requestSubmit(button); return; }
    const shortcut = document.querySelector(`button[data-shortcut="${e.key}"]`);
    if (shortcut) { e.preventDefault(); shortcut.closest("form").requestSubmit(shortcut); return; }
    if (rows().length) {
      const row = document.activeElement && document.activeElement.closest ? document.activeElement.closest("tr[data-href]") : null;
      if (e.key === "j") { e.preventDefault(); moveRow(1); return; }
      if (e.key === "k") { e.preventDefault(); moveRow(-1); return; }
      if (row && e.key === "Enter" && document.activeElement === row) { e.preventDefault(); window.location.href = row.dataset.href; return; }
      if (row && (e.key === "x" || e.key === " ")) {
        e.preventDefault();
        const box = row.querySelector('input[name="item_ids"]');
        if (box) box.checked = !box.checked;
        return;
      }
    }
    if (!viewer()) return;
    const keys = { "+": "in", "-": "out", r: "rotate", w: "width", h: "page", 0: "reset" };
    if (keys[e.key]) { e.preventDefault(); viewCommand(keys[e.key]); }
  });

  // Forms that must be confirmed (rerouting an item that is already routed).
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  }, true);

  // Queue: select all.
  document.addEventListener("change", (e) => {
    if (e.target.id === "select-all") {
      document.querySelectorAll('input[name="item_ids"]').forEach((box) => { box.checked = e.target.checked; });
    }
  });

  // Session: warn before the idle timeout (or the absolute limit); "Fortsätt arbeta" extends it.
  let warnTimer = null, tickTimer = null;
  function scheduleWarning(secondsLeft) {
    const box = document.getElementById("session-warning");
    if (!box) return;
    const warn = parseInt(document.body.dataset.sessionWarn || "120", 10);
    clearTimeout(warnTimer); clearInterval(tickTimer);
    box.hidden = true;
    const deadline = Date.now() + secondsLeft * 1000;
    warnTimer = setTimeout(() => {
      box.hidden = false;
      const text = document.getElementById("session-left");
      tickTimer = setInterval(() => {
        const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
        if (text) text.textContent = left > 60 ? `${Math.ceil(left / 60)} minuter` : `${left} sekunder`;
        if (left === 0) {
          clearInterval(tickTimer);
          const msg = document.getElementById("session-message");
          if (msg) msg.textContent = "Du är utloggad. Ett beslut du fattar nu sparas när du har loggat in igen.";
        }
      }, 1000);
    }, Math.max(0, (secondsLeft - warn) * 1000));
  }
  document.addEventListener("DOMContentLoaded", () => {
    const left = document.body.dataset.sessionLeft;
    if (left) scheduleWarning(parseInt(left, 10));
    const extend = document.getElementById("session-extend");
    if (extend) extend.addEventListener("click", () => {
      fetch("/ui/session/forlang", { method: "POST", headers: { "X-CSRF-Token": csrf(), Accept: "application/json" }, credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : Promise.reject(r)))
        .then((body) => scheduleWarning(body.seconds_left))
        .catch(() => { window.location.href = "/ui/login?next=" + encodeURIComponent(window.location.pathname); });
    });
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
        status.textContent = body.detail ? `Avvisad: ${body.detail}` : `Fel (${xhr.status})`;
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
