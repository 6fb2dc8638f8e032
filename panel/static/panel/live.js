/* Rustmail panel: live events.
 *
 * Keeps a WebSocket to /ws/events and, for every event, dispatches a DOM CustomEvent on
 * document.body named "rm:<type>" (for example "rm:message.created") with the event as `detail`:
 *   {id, type, at, ticket_id, category_id, data}
 * A page refreshes a fragment with htmx:
 *   hx-get="..." hx-trigger="rm:message.created[detail.ticket_id=='<uuid>'] from:body"
 *
 * Nothing is lost across reconnections: the script reconnects with growing delays and asks for
 * what came since the last event it saw (the page's own render point on the first connection,
 * from the script tag's data-after). When events may have been missed all the same (the socket was
 * away too long), it dispatches "rm:resync": pages then reload what they show.
 *
 * It also dispatches "rm:live" with detail {connected: true|false} and keeps
 * <body data-live="connected|connecting|offline|closed"> for an indicator.
 * Pages work without this script: they just do not move by themselves.
 */
(function () {
  "use strict";
  if (!("WebSocket" in window)) return;

  var script = document.currentScript;
  var initial = script && script.dataset.after;
  var path = (script && script.dataset.url) || "/ws/events";
  // The id to resume from: everything up to it has been dispatched (or was before the page).
  var resume = /^\d+$/.test(initial || "") ? Number(initial) : null;
  var seen = new Set(); // ids above `resume` already dispatched (they may come again)
  var socket = null;
  var attempts = 0;
  var timer = null;
  var stopped = false;
  var MAX_DELAY = 30000;

  function body() {
    return document.body || document.documentElement;
  }

  function fire(name, detail) {
    body().dispatchEvent(new CustomEvent(name, { detail: detail, bubbles: true }));
  }

  function setState(state) {
    if (document.body) document.body.dataset.live = state;
  }

  function advance(to) {
    if (typeof to !== "number" || (resume !== null && to <= resume)) return;
    resume = to;
    seen.forEach(function (id) {
      if (id <= resume) seen.delete(id);
    });
  }

  function url() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var query = resume !== null ? "?after=" + resume : "";
    return scheme + location.host + path + query;
  }

  function onFrame(message) {
    var frame;
    try {
      frame = JSON.parse(message.data);
    } catch (error) {
      return;
    }
    if (frame.type === "hello") {
      attempts = 0;
      if (resume === null) advance(frame.resume);
      return;
    }
    if (frame.type === "resync") {
      seen.clear();
      resume = null;
      advance(frame.resume);
      fire("rm:resync", { resume: frame.resume });
      return;
    }
    if (typeof frame.id !== "number" || (resume !== null && frame.id <= resume) || seen.has(frame.id)) {
      advance(frame.resume);
      return;
    }
    seen.add(frame.id);
    var detail = {
      id: frame.id,
      type: frame.type,
      at: frame.at,
      ticket_id: frame.ticket_id,
      category_id: frame.category_id,
      data: frame.data || {},
    };
    advance(frame.resume);
    fire("rm:" + frame.type, detail);
  }

  function connect() {
    timer = null;
    if (stopped || (socket && socket.readyState <= 1)) return;
    setState("connecting");
    try {
      socket = new WebSocket(url());
    } catch (error) {
      schedule();
      return;
    }
    socket.onopen = function () {
      setState("connected");
      fire("rm:live", { connected: true });
    };
    socket.onmessage = onFrame;
    socket.onclose = function (event) {
      var wasOpen = body().dataset.live === "connected";
      socket = null;
      if (wasOpen) fire("rm:live", { connected: false });
      // 4401 signed out, 4403 not allowed: reconnecting will not help.
      if (event.code === 4401 || event.code === 4403) {
        stopped = true;
        setState("closed");
        return;
      }
      setState("offline");
      schedule();
    };
  }

  function schedule() {
    if (stopped || timer !== null) return;
    // 0.5 s, 1 s, 2 s ... up to 30 s, with jitter so a restarted server is not hit all at once.
    var delay = Math.min(MAX_DELAY, 500 * Math.pow(2, attempts));
    attempts += 1;
    timer = setTimeout(connect, delay * (0.75 + Math.random() * 0.5));
  }

  function now() {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    connect();
  }

  // Back online, or back on the tab: try at once rather than at the end of a long delay.
  window.addEventListener("online", now);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !socket) now();
  });
  window.addEventListener("pagehide", function () {
    stopped = true;
    if (socket) socket.close(1000);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      stopped = false; // restored from the back/forward cache: resume from where it was
      now();
    }
  });

  window.RustmailLive = {
    resume: function () {
      return resume;
    },
    reconnect: now,
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
