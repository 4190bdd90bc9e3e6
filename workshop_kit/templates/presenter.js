// The presenter view: poll the small JSON state, swap the panel when it changed, send keys and clicks as actions.
(function () {
  "use strict";
  const token = new URLSearchParams(window.location.search).get("token") || "";
  const body = document.body;
  const pollMs = Number(body.dataset.pollMs) || 500;
  let panelKey = body.dataset.panelKey || "";
  let busy = false;

  function text(id, value) {
    const el = document.getElementById(id);
    if (el && el.textContent !== value) el.textContent = value;
  }

  function show(view) {
    text("wk-count", view.count_text || "");
    text("wk-timer", view.timer ? view.timer.text : "");
    text("wk-signals", view.signals_text || "");
    text("wk-pace", view.pace ? view.pace.text : "");
    text("wk-pace-rule", view.pace ? view.pace.rule : "");
    document.getElementById("wk-show-live").setAttribute("aria-pressed", view.show_live ? "true" : "false");
    document.getElementById("wk-self-paced").setAttribute("aria-pressed", view.self_paced ? "true" : "false");
    const plan = document.getElementById("wk-plan");
    if (plan && document.activeElement !== plan) plan.value = view.plan;
    if (view.panel_html !== undefined && view.panel_key !== panelKey) {
      // HTML rendered by the server's autoescaping template: participants' text arrives escaped
      document.getElementById("wk-panel").innerHTML = view.panel_html;
      panelKey = view.panel_key;
      body.dataset.panelKey = panelKey;
    }
    body.dataset.mode = view.mode || view.screen;
  }

  async function poll() {
    if (!busy) {
      try {
        const response = await fetch("api/state?have=" + encodeURIComponent(panelKey), { headers: { "X-Presenter-Token": token }, cache: "no-store" });
        if (response.ok) show(await response.json());
      } catch (err) {
        text("wk-error", "Cannot reach the presenter server: is workshop-kit serve still running?");
      }
    }
    window.setTimeout(poll, pollMs);
  }

  async function act(action, value) {
    busy = true;
    try {
      const response = await fetch("api/action", {
        method: "POST",
        headers: { "X-Presenter-Token": token, "Content-Type": "application/json" },
        body: JSON.stringify({ action: action, value: value || "" }),
      });
      const answer = await response.json();
      if (!response.ok) {
        text("wk-error", answer.error || "That did not work.");
        return;
      }
      text("wk-error", "");
      show(answer);
    } catch (err) {
      text("wk-error", "Cannot reach the presenter server: is workshop-kit serve still running?");
    } finally {
      busy = false;
    }
  }

  const KEYS = {
    ArrowRight: "next", PageDown: "next", " ": "next",
    ArrowLeft: "previous", PageUp: "previous",
    r: "reveal", h: "hide", l: "show_live", j: "join", t: "timer_start", p: "timer_pause",
  };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target && (target.tagName === "SELECT" || target.tagName === "INPUT")) return;
    if (target && target.tagName === "BUTTON" && (event.key === " " || event.key === "Enter")) return;
    const action = KEYS[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (action) {
      event.preventDefault();
      act(action);
    }
  });
  document.querySelectorAll("[data-action]").forEach(function (button) {
    button.addEventListener("click", function () { act(button.dataset.action); });
  });
  document.getElementById("wk-plan").addEventListener("change", function (event) { act("plan", event.target.value); });
  window.setTimeout(poll, pollMs);
})();
