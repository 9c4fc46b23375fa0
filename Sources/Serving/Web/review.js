// The review page: claims the oldest pending item, draws the image with the detector's boxes,
// and records approve / reject (keys A / R) as the signed-in reviewer, then claims the next.
"use strict";

(function () {
  let current = null;
  let busy = false;
  let idleTimer = null;
  const $ = (id) => document.getElementById(id);

  function setPending(count) { $("pending").textContent = String(count); }

  async function refreshAudit() {
    try {
      // The newest entries: page to the end, keep the last 20.
      let after = 0, rows = [];
      for (;;) {
        const page = await Lenscale.api("/v1/audit?after=" + after + "&limit=1000");
        rows = rows.concat(page.entries).slice(-20);
        if (page.entries.length < 1000) break;
        after = page.next;
      }
      const body = $("audit").querySelector("tbody");
      body.textContent = "";
      for (const e of rows.reverse()) {
        const tr = Lenscale.element("tr", { class: "audit-entry", "data-event": e.event, "data-sha256": e.sha256 });
        for (const value of [e.id, e.event, e.sha256.slice(0, 12) + "…", e.actor, e.outcome, e.policy_version, e.reason || "", new Date(e.created_at).toLocaleString()]) {
          tr.append(Lenscale.element("td", {}, value));
        }
        body.append(tr);
      }
    } catch (e) { $("review-error").textContent = "Audit log: " + e.message; }
  }

  async function drawImage(item) {
    const canvas = $("canvas");
    const context = canvas.getContext("2d");
    const url = await Lenscale.objectURL(item.image_url);
    const image = new Image();
    await new Promise((resolve, reject) => { image.onload = resolve; image.onerror = reject; image.src = url; });
    const scale = Math.min(1, 900 / image.naturalWidth);
    canvas.width = Math.round(image.naturalWidth * scale);
    canvas.height = Math.round(image.naturalHeight * scale);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    context.lineWidth = 3;
    context.font = "bold 14px system-ui, sans-serif";
    for (const d of item.decision.detections) {
      const [x, y, w, h] = [d.box.x * scale, d.box.y * scale, d.box.width * scale, d.box.height * scale];
      context.strokeStyle = "#ff3b30";
      context.strokeRect(x, y, w, h);
      const text = d.label + " " + d.score.toFixed(2);
      context.fillStyle = "rgba(255, 59, 48, .85)";
      context.fillRect(x, Math.max(0, y - 18), context.measureText(text).width + 8, 18);
      context.fillStyle = "#fff";
      context.fillText(text, x + 4, Math.max(13, y - 4));
    }
    canvas.dataset.boxes = String(item.decision.detections.length);
    canvas.dataset.loaded = item.sha256;
    $("image-note").textContent = image.naturalWidth + "×" + image.naturalHeight + " px · " + item.decision.detections.length + " box(es)";
    URL.revokeObjectURL(url);
  }

  function show(item) {
    current = item;
    $("empty").classList.add("hidden");
    $("current").classList.remove("hidden");
    $("current").dataset.item = String(item.id);
    $("item-id").textContent = "#" + item.id;
    $("item-state").textContent = "";
    $("item-state").append(Lenscale.badge(item.state));
    $("item-category").textContent = item.category;
    $("item-reason").textContent = item.reason === "sampled" ? "sampled for quality control" : "flagged by the " + item.decision.stage + " stage";
    $("item-created").textContent = new Date(item.created_at).toLocaleString();
    $("item-sha").textContent = item.sha256;
    $("item-policy").textContent = item.decision.policy_version;
    $("item-lease").textContent = item.lease_until ? new Date(item.lease_until).toLocaleTimeString() : "–";
    const scores = $("scores").querySelector("tbody");
    scores.textContent = "";
    for (const c of item.decision.categories) {
      const tr = Lenscale.element("tr", { class: "score", "data-category": c.name });
      tr.append(Lenscale.element("td", {}, c.name), Lenscale.element("td", {}, c.score.toFixed(3)));
      const verdict = Lenscale.element("td");
      verdict.append(Lenscale.badge(c.verdict));
      tr.append(verdict, Lenscale.element("td", {}, c.evidence));
      scores.append(tr);
    }
    const boxes = $("boxes").querySelector("tbody");
    boxes.textContent = "";
    for (const d of item.decision.detections) {
      boxes.append(Lenscale.element("tr", {}, Lenscale.element("td", {}, d.label), Lenscale.element("td", {}, d.score.toFixed(3))));
    }
    $("reason").value = "";
    $("approve").disabled = $("reject").disabled = false;
    drawImage(item).catch((e) => { $("review-error").textContent = e.message; });
  }

  function showEmpty() {
    current = null;
    $("current").classList.add("hidden");
    $("empty").classList.remove("hidden");
    clearTimeout(idleTimer);
    idleTimer = setTimeout(claimNext, 3000);
  }

  async function claimNext() {
    clearTimeout(idleTimer);
    $("review-error").textContent = "";
    try {
      const answer = await Lenscale.api("/v1/review/claim", { method: "POST" });
      setPending(answer.pending);
      if (answer.item) show(answer.item); else showEmpty();
    } catch (e) {
      $("review-error").textContent = e.message;
      idleTimer = setTimeout(claimNext, 5000);
    }
  }

  async function decide(verdict) {
    if (!current || busy) return;
    busy = true;
    $("approve").disabled = $("reject").disabled = true;
    const item = current;
    try {
      const answer = await Lenscale.api("/v1/review/" + item.id, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ verdict, reason: $("reason").value || (verdict === "approve" ? "approved on the review page" : "rejected on the review page") }) });
      $("decision-status").textContent = "";
      $("decision-status").append("Item #" + item.id + " ", Lenscale.badge(answer.item.state), " by " + answer.item.reviewer);
      $("decision-status").dataset.item = String(item.id);
      $("decision-status").dataset.state = answer.item.state;
      await refreshAudit();
      await claimNext();
    } catch (e) {
      $("review-error").textContent = e.message;
      $("approve").disabled = $("reject").disabled = false;
    } finally {
      busy = false;
    }
  }

  Lenscale.signIn(() => {
    $("approve").addEventListener("click", () => decide("approve"));
    $("reject").addEventListener("click", () => decide("reject"));
    $("skip").addEventListener("click", () => claimNext());
    document.addEventListener("keydown", (event) => {
      if (event.target instanceof HTMLInputElement || event.ctrlKey || event.metaKey || event.altKey) return;
      const key = event.key.toLowerCase();
      if (key === "a") decide("approve");
      else if (key === "r") decide("reject");
      else if (key === "n") claimNext();
    });
    claimNext();
    refreshAudit();
  });
})();
