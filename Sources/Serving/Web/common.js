// Lenscale pages: the API key (sessionStorage, sent as Bearer), JSON calls, and sign-in.
"use strict";

const Lenscale = {
  storageKey: "lenscale.key",
  key() { return sessionStorage.getItem(this.storageKey); },

  // Calls the API; resolves to parsed JSON (or null for empty bodies), rejects with the
  // server's `{"error": {"message"}}` text.
  async api(path, options = {}) {
    const headers = Object.assign({}, options.headers || {});
    const key = this.key();
    if (key) headers["Authorization"] = "Bearer " + key;
    const response = await fetch(path, Object.assign({}, options, { headers }));
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (_) { body = null; }
    if (!response.ok) {
      const message = body && body.error ? body.error.message : (text || response.statusText);
      const error = new Error(message);
      error.status = response.status;
      error.code = body && body.error ? body.error.code : null;
      throw error;
    }
    return body;
  },

  // An authenticated binary GET as an object URL (for <img> and canvases).
  async objectURL(path) {
    const response = await fetch(path, { headers: { "Authorization": "Bearer " + this.key() } });
    if (!response.ok) throw new Error("cannot load " + path + ": " + response.status);
    return URL.createObjectURL(await response.blob());
  },

  element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "class") node.className = value; else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child instanceof Node ? child : String(child));
    return node;
  },

  badge(outcome) { return this.element("span", { class: "badge " + outcome, "data-outcome": outcome }, outcome); },

  // Wires the sign-in card; calls onSignedIn(whoami) once a key is accepted (now or stored).
  async signIn(onSignedIn) {
    const form = document.getElementById("signin");
    const app = document.getElementById("app");
    const who = document.getElementById("who");
    const error = document.getElementById("signin-error");
    const show = (me) => {
      form.classList.add("hidden");
      app.classList.remove("hidden");
      who.textContent = "";
      who.append("Signed in as ", this.element("strong", { id: "who-name" }, me.name),
                 " (" + me.scopes.join(", ") + ") ");
      const out = this.element("button", { id: "signout", type: "button" }, "Sign out");
      out.addEventListener("click", () => { sessionStorage.removeItem(this.storageKey); location.reload(); });
      who.append(out);
      onSignedIn(me);
    };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      sessionStorage.setItem(this.storageKey, document.getElementById("key").value.trim());
      try {
        show(await this.api("/v1/whoami"));
      } catch (e) {
        sessionStorage.removeItem(this.storageKey);
        error.textContent = "Sign-in failed: " + e.message;
      }
    });
    if (this.key()) {
      try { show(await this.api("/v1/whoami")); } catch (_) { sessionStorage.removeItem(this.storageKey); }
    }
  },
};
