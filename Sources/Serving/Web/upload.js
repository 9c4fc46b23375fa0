// The upload page: classify + moderate each image, then (with the ingest scope) a batch whose
// `image.duplicate_found` events name near duplicates.
"use strict";

(function () {
  let me = null;
  const seen = new Map(); // sha256 -> file name, for this session's exact duplicates
  const results = document.getElementById("results");
  const uploadError = document.getElementById("upload-error");

  function renderModeration(box, moderation) {
    box.textContent = "";
    if (!moderation) return;
    box.append("Moderation: ", Lenscale.badge(moderation.outcome), " ",
               Lenscale.element("span", { class: "muted" }, "by " + moderation.stage));
    if (moderation.review_item) box.append(" · review item #" + moderation.review_item);
    if (moderation.outcome === "uncertain") box.append(Lenscale.element("span", { class: "muted" }, " · heavy stage running…"));
    const flagged = moderation.categories.filter((c) => c.verdict !== "allow");
    if (flagged.length) {
      box.append(Lenscale.element("div", { class: "muted" },
        flagged.map((c) => c.name + " " + c.score.toFixed(3) + (c.evidence ? " (" + c.evidence + ")" : "")).join(", ")));
    }
  }

  // Polls the decision in force until the heavy stage (or a person) has decided.
  async function followModeration(sha256, box) {
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 500));
      try {
        const decision = await Lenscale.api("/v1/moderation/" + sha256);
        if (decision.outcome !== "uncertain") { renderModeration(box, decision); box.closest(".result").dataset.final = "true"; return; }
      } catch (_) { /* keep polling */ }
    }
  }

  async function classify(file) {
    const card = Lenscale.element("div", { class: "result", "data-name": file.name });
    const img = Lenscale.element("img", { alt: file.name });
    img.src = URL.createObjectURL(file);
    const title = Lenscale.element("h3", {}, file.name);
    const labels = Lenscale.element("ol", { class: "labels" });
    const moderation = Lenscale.element("div", { class: "moderation" });
    const note = Lenscale.element("div", { class: "muted note" }, "classifying…");
    card.append(img, title, labels, moderation, note);
    results.prepend(card);
    try {
      const answer = await Lenscale.api("/v1/classify?moderate=true&top=5", {
        method: "POST", headers: { "Content-Type": file.type || "application/octet-stream" }, body: file });
      card.dataset.sha256 = answer.sha256;
      for (const label of answer.labels) {
        labels.append(Lenscale.element("li", { class: "label" }, label.name + " — " + (label.score * 100).toFixed(1) + " %"));
      }
      const duplicateOf = seen.get(answer.sha256);
      note.textContent = answer.model + " · cache " + answer.cache + " · sha256 " + answer.sha256.slice(0, 12) + "…" +
        (duplicateOf && duplicateOf !== file.name ? " · exact duplicate of " + duplicateOf : "");
      seen.set(answer.sha256, seen.get(answer.sha256) || file.name);
      renderModeration(moderation, answer.moderation);
      if (answer.moderation && answer.moderation.outcome === "uncertain") followModeration(answer.sha256, moderation);
      else card.dataset.final = "true";
    } catch (e) {
      note.textContent = "";
      note.append(Lenscale.element("span", { class: "error" }, e.message));
    }
  }

  // Reads the event feed to its end, returning the last id.
  async function latestEvent() {
    let after = 0;
    for (;;) {
      const page = await Lenscale.api("/v1/events?after=" + after + "&limit=1000");
      if (!page.events.length) return after;
      after = page.next;
    }
  }

  async function findDuplicates(files) {
    if (!me.scopes.includes("ingest") && !me.scopes.includes("admin")) return;
    const card = document.getElementById("duplicates-card");
    const status = document.getElementById("duplicates-status");
    const list = document.getElementById("duplicates");
    card.classList.remove("hidden");
    status.textContent = "Submitting a batch…";
    try {
      const cursor = await latestEvent();
      const form = new FormData();
      for (const file of files) form.append("images", file, file.name);
      const receipt = await Lenscale.api("/v1/batches", { method: "POST", body: form });
      let batch;
      for (let i = 0; i < 240; i++) {
        batch = await Lenscale.api("/v1/batches/" + receipt.id);
        status.textContent = "Batch " + receipt.id + ": " + JSON.stringify(batch.counts);
        if (batch.completed_at) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const names = new Map(batch.items.filter((i) => i.sha256).map((i) => [i.sha256, i.name]));
      let after = cursor, found = 0;
      for (;;) {
        const page = await Lenscale.api("/v1/events?after=" + after + "&limit=1000");
        for (const event of page.events) {
          if (event.kind !== "image.duplicate_found" || !names.has(event.subject)) continue;
          for (const near of event.data.near) {
            found++;
            const other = names.get(near.sha256) || seen.get(near.sha256) || ("an ingested image " + near.sha256.slice(0, 12) + "…");
            list.append(Lenscale.element("li", { class: "duplicate" },
              names.get(event.subject) + " ≈ " + other + " (Hamming distance " + near.distance + ")"));
          }
        }
        if (!page.events.length) break;
        after = page.next;
      }
      status.textContent = "Batch " + receipt.id + " done: " + (found ? found + " near duplicate(s)." : "no near duplicates.");
    } catch (e) {
      status.textContent = "";
      status.append(Lenscale.element("span", { class: "error" }, "Duplicate search failed: " + e.message));
    }
  }

  async function upload(fileList) {
    uploadError.textContent = "";
    const files = Array.from(fileList).filter((f) => /^image\/(jpeg|png|webp)$/.test(f.type) || /\.(jpe?g|png|webp)$/i.test(f.name));
    if (!files.length) { uploadError.textContent = "Choose JPEG, PNG or WebP images."; return; }
    for (const file of files) await classify(file);
    findDuplicates(files);
  }

  Lenscale.signIn((whoami) => {
    me = whoami;
    const drop = document.getElementById("drop");
    const input = document.getElementById("files");
    // Copy the list, then clear the input, so choosing the same file again uploads it again.
    input.addEventListener("change", () => { const files = Array.from(input.files); input.value = ""; upload(files); });
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); upload(e.dataTransfer.files); });
  });
})();
