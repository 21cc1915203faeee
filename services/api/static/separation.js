// The batch review (issue 16): pages in pile order; each kept page either starts a letter or continues
// the one before. Keys: arrows move, S starts/joins a letter, X removes/keeps a page, R turns it,
// Enter confirms. The final layout goes to the server as JSON in the form's "layout" field.
(function () {
  const list = document.getElementById("sep-pages");
  if (!list) return;
  const reviewing = list.dataset.reviewing === "true";
  const initial = JSON.parse(list.dataset.layout || "{}");
  const items = Array.from(list.querySelectorAll(".sep-page"));
  const n = items.length;
  const removed = new Set(initial.removed || []);
  const starts = new Set((initial.documents || []).map((d) => d[0]));
  const rotations = {};

  function layout() {
    const documents = [];
    for (let i = 0; i < n; i++) {
      if (removed.has(i)) continue;
      if (starts.has(i) || documents.length === 0) documents.push([]);
      documents[documents.length - 1].push(i);
    }
    return { documents: documents, removed: Array.from(removed).sort((a, b) => a - b), rotations: rotations };
  }

  function paint() {
    const l = layout();
    const docOf = {};
    l.documents.forEach((d, k) => d.forEach((i) => { docOf[i] = k; }));
    items.forEach((el, i) => {
      el.classList.toggle("removed", removed.has(i));
      el.classList.toggle("start", l.documents.some((d) => d[0] === i));
      const label = el.querySelector(".sep-doc");
      if (label) label.textContent = removed.has(i) ? "" : "Brev " + (docOf[i] + 1);
      const img = el.querySelector("img");
      if (img) img.style.transform = rotations[i] ? "rotate(" + rotations[i] + "deg)" : "";
    });
    const field = document.getElementById("sep-layout");
    if (field) field.value = JSON.stringify(l);
  }

  function act(i, what) {
    if (!reviewing) return;
    if (what === "start") { if (starts.has(i)) starts.delete(i); else starts.add(i); }
    if (what === "remove") { if (removed.has(i)) removed.delete(i); else removed.add(i); }
    if (what === "rotate") { rotations[i] = ((rotations[i] || 0) + 90) % 360; }
    paint();
  }

  items.forEach((el, i) => {
    el.querySelectorAll("[data-act]").forEach((b) => b.addEventListener("click", () => act(i, b.dataset.act)));
    el.addEventListener("keydown", (e) => {
      if (e.target !== el) return;
      const k = e.key.toLowerCase();
      if (k === "arrowright" && i + 1 < n) { items[i + 1].focus(); e.preventDefault(); }
      else if (k === "arrowleft" && i > 0) { items[i - 1].focus(); e.preventDefault(); }
      else if (k === "s") { act(i, "start"); e.preventDefault(); }
      else if (k === "x" || k === "delete") { act(i, "remove"); e.preventDefault(); }
      else if (k === "r") { act(i, "rotate"); e.preventDefault(); }
      else if (k === "enter" && reviewing) { document.getElementById("sep-form").requestSubmit(); e.preventDefault(); }
    });
  });
  paint();
  if (reviewing && items.length) items[0].focus();
})();
