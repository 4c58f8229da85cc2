// The inspection form: steps, autosave of every answer, answers kept on the phone while offline, photos.
//
// Every change is written to localStorage first (keyed by inspection, item and the answer version it was
// based on), then sent with htmx. A successful answer clears it; a failed send leaves it, marks the item
// "Not yet saved" and counts it in the banner; it is sent again when the browser is back online, on the
// next page load, and every 20 s. The server checks the version, so a late send never overwrites someone
// else's newer answer: it gets a 409 showing theirs.
//
// No inline scripts: the page passes its texts and ids in data-* attributes.
(function () {
  "use strict";
  var root = document.getElementById("conduct");
  if (!root || !window.htmx) {
    return;
  }
  var inspectionId = root.getAttribute("data-inspection");
  var editable = root.hasAttribute("data-editable");
  var PREFIX = "qorgau:answer:" + inspectionId + ":";
  var SKIP = { version: true, csrfmiddlewaretoken: true };
  var timers = {};
  var inflight = {}; // item id -> the stash sequence number being sent
  var inflightValues = {}; // item id -> the values being sent
  var badResponse = {}; // item id -> true when the answer did not come back as an answer box
  var queue = []; // items waiting for their turn: one answer is sent at a time
  var sessionLost = false;
  var seq = Date.now();

  // 409 (conflict) and 422 (bad value) answers carry the re-drawn item: swap them like a success.
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "409", swap: true, error: false },
    { code: "422", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
  ];

  function text(name, n) {
    return (root.getAttribute("data-text-" + name) || "").replace("{n}", n).replace("{t}", n);
  }

  // Storage -----------------------------------------------------------------------------------------------

  var storage = (function () {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null; // private mode or full: autosave still works, only the offline copy is missing
    }
  })();

  function stashKeys(itemId) {
    var keys = [];
    if (!storage) {
      return keys;
    }
    var prefix = PREFIX + (itemId ? itemId + ":" : "");
    for (var i = 0; i < storage.length; i++) {
      var key = storage.key(i);
      if (key && key.indexOf(prefix) === 0) {
        keys.push(key);
      }
    }
    return keys;
  }

  function readStash(itemId) {
    var best = null;
    stashKeys(itemId).forEach(function (key) {
      try {
        var data = JSON.parse(storage.getItem(key));
        if (data && (!best || data.seq > best.seq)) {
          best = data;
        }
      } catch (e) {
        storage.removeItem(key);
      }
    });
    return best;
  }

  function removeStash(itemId) {
    stashKeys(itemId).forEach(function (key) {
      storage.removeItem(key);
    });
  }

  function writeStash(form) {
    var itemId = form.getAttribute("data-item");
    var base = form.elements.version.value;
    var data = { item: itemId, base: base, values: serialize(form), seq: ++seq, at: new Date().toISOString() };
    if (!storage) {
      return data;
    }
    removeStash(itemId); // one copy per item: the newest, on the version it was typed over
    try {
      storage.setItem(PREFIX + itemId + ":" + base, JSON.stringify(data));
    } catch (e) {
      // Storage full: the answer is still sent; only the offline copy is missing.
    }
    return data;
  }

  function pendingItems() {
    var ids = {};
    stashKeys("").forEach(function (key) {
      var itemId = key.slice(PREFIX.length).split(":")[0];
      if (formFor(itemId)) {
        ids[itemId] = true;
      }
    });
    return Object.keys(ids);
  }

  // Forms -------------------------------------------------------------------------------------------------

  function formFor(itemId) {
    return document.querySelector('form[data-answer-form][data-item="' + itemId + '"]');
  }

  function serialize(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (!SKIP[name] && typeof value === "string") {
        pairs.push([name, value]);
      }
    });
    return pairs;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function restore(form, pairs) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "file" || el.type === "button" || el.type === "submit") {
        return;
      }
      var values = pairs.filter(function (p) { return p[0] === el.name; }).map(function (p) { return p[1]; });
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else {
        el.value = values.length ? values[0] : "";
      }
    });
    var override = form.querySelector("details.cf-override");
    if (override && form.elements.override_result && form.elements.override_result.value) {
      override.open = true;
    }
    var comment = form.querySelector("[data-comment-box]");
    if (comment && form.elements.comment && form.elements.comment.value) {
      comment.open = true;
    }
  }

  function remember(form) {
    // What the server last rendered: a change back to it needs no save.
    form._saved = serialize(form);
  }

  function setState(itemId, state) {
    var form = formFor(itemId);
    if (!form) {
      return;
    }
    var box = form.closest(".cf-answer");
    var pending = box.querySelector("[data-pending-badge]");
    var saving = box.querySelector("[data-saving-badge]");
    var savedAt = box.querySelector("[data-saved-at]");
    box.classList.toggle("is-pending", state === "pending");
    if (pending) { pending.hidden = state !== "pending"; }
    if (saving) { saving.hidden = state !== "saving"; }
    if (savedAt) { savedAt.hidden = state === "pending" || state === "saving"; }
  }

  function updateBanner() {
    var banner = document.getElementById("sync-banner");
    if (!banner) {
      return;
    }
    var n = pendingItems().length;
    if (sessionLost && n) {
      banner.textContent = text("session", n);
      banner.className = "cf-banner bad";
      banner.hidden = false;
    } else if (!navigator.onLine) {
      banner.textContent = text("offline", n);
      banner.className = "cf-banner offline";
      banner.hidden = false;
    } else if (n) {
      banner.textContent = text("waiting", n);
      banner.className = "cf-banner waiting";
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
    root.setAttribute("data-pending", String(n));
  }

  // Saving ------------------------------------------------------------------------------------------------

  function changed(form, delay) {
    var itemId = form.getAttribute("data-item");
    var answered = form.elements.version.value !== "0";
    if (answered && form._saved && same(serialize(form), form._saved)) {
      // Back to what is saved (e.g. typed and deleted a letter): nothing to send.
      if (!inflight[itemId]) {
        removeStash(itemId);
        setState(itemId, "saved");
      }
      clearTimeout(timers[itemId]);
      updateBanner();
      return;
    }
    writeStash(form);
    setState(itemId, navigator.onLine ? "saving" : "pending");
    updateBanner();
    clearTimeout(timers[itemId]);
    timers[itemId] = setTimeout(function () { send(itemId); }, delay);
  }

  function send(itemId) {
    clearTimeout(timers[itemId]);
    var form = formFor(itemId);
    var stash = readStash(itemId);
    if (!form || !stash) {
      return;
    }
    if (!navigator.onLine) {
      setState(itemId, "pending");
      updateBanner();
      return;
    }
    if (inflight[itemId]) {
      return; // sent again once the answer in flight is back, if it was changed meanwhile
    }
    if (Object.keys(inflight).length) {
      // One at a time, in order: a burst of answers coming back online does not hit the server at once.
      if (queue.indexOf(itemId) === -1) {
        queue.push(itemId);
      }
      setState(itemId, "saving");
      return;
    }
    inflight[itemId] = stash.seq;
    inflightValues[itemId] = stash.values;
    setState(itemId, "saving");
    // A form that has just been swapped in (or a page still loading) may not be wired up by htmx yet;
    // processing it again is harmless.
    htmx.process(form);
    htmx.trigger(form, "qorgau-save");
  }

  function drain() {
    while (queue.length && !Object.keys(inflight).length) {
      send(queue.shift());
    }
  }

  function sendAll() {
    if (!navigator.onLine) {
      updateBanner();
      return;
    }
    pendingItems().forEach(function (itemId) {
      if (!inflight[itemId]) {
        send(itemId);
      }
    });
  }

  function answerForm(elt) {
    return elt && elt.matches && elt.matches("form[data-answer-form]") ? elt : null;
  }

  // The element that made the request. Once its answer has replaced it, htmx fires the later events on the
  // nearest ancestor still in the page (detail.elt), so the form is found in the request's config.
  function origin(event) {
    var config = event.detail.requestConfig;
    return (config && config.elt) || event.detail.elt;
  }

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var form = answerForm(event.detail.elt);
    if (!form) {
      return;
    }
    var itemId = form.getAttribute("data-item");
    var xhr = event.detail.xhr;
    var ok = [200, 409, 422].indexOf(xhr.status) !== -1;
    // A redirect to the sign-in page also ends in a 200: only an answer box may replace the answer box.
    if (!ok || xhr.responseText.indexOf('data-answer-for="' + itemId + '"') === -1) {
      event.detail.shouldSwap = false;
      badResponse[itemId] = true;
      sessionLost = xhr.status === 200; // followed a redirect to the sign-in page
    }
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var sent = answerForm(origin(event));
    if (!sent) {
      return;
    }
    var itemId = sent.getAttribute("data-item");
    var sentSeq = inflight[itemId];
    var sentValues = inflightValues[itemId];
    delete inflight[itemId];
    delete inflightValues[itemId];
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status === 0) {
      setTimeout(drain, 0); // a network failure: htmx:sendError marks it first
      return;
    }
    var form = formFor(itemId);
    if (badResponse[itemId] || !form) {
      delete badResponse[itemId];
      setState(itemId, "pending");
      updateBanner();
      drain();
      return;
    }
    sessionLost = false;
    remember(form);
    var stash = readStash(itemId);
    if (stash && stash.seq > sentSeq && xhr.status !== 409 && !same(stash.values, sentValues)) {
      // Typed on while the save was on its way: put that back and send it on the new version.
      restore(form, stash.values);
      writeStash(form);
      send(itemId);
    } else {
      removeStash(itemId);
      setState(itemId, "saved");
    }
    refreshStep();
    refreshProgress();
    updateBanner();
    drain();
  });

  document.body.addEventListener("htmx:sendError", function (event) {
    var elt = origin(event);
    var form = answerForm(elt);
    if (form) {
      var itemId = form.getAttribute("data-item");
      delete inflight[itemId];
      setState(itemId, "pending");
      updateBanner();
      return;
    }
    var photoForm = elt && elt.closest && elt.closest("form[data-photo-form]");
    if (photoForm) {
      photoForm._waiting = true;
      photoState(photoForm, text("photo-offline"));
      return;
    }
    // Any other form (a finding, its deletion): nothing was sent; what was typed is still in the form.
    var other = elt && elt.closest && elt.closest("form");
    var note = other && other.querySelector("[data-send-error]");
    if (note) {
      note.textContent = text("not-sent");
      note.hidden = false;
    }
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = origin(event);
    var note = elt && elt.querySelector && elt.querySelector("[data-send-error]");
    if (note) { note.hidden = true; }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = target.form && answerForm(target.form);
    if (form) {
      var clears = target.getAttribute("data-clears");
      if (clears && form.elements[clears] && (target.type !== "checkbox" || target.checked) && target.value) {
        var other = form.elements[clears];
        if (other.type === "checkbox") { other.checked = false; } else { other.value = ""; }
      }
      if (target.type === "radio" && target.value === "no" && target.checked) {
        // A "no" is usually worth a word: open the comment.
        var comment = form.querySelector("[data-comment-box]");
        if (comment) { comment.open = true; }
      }
      changed(form, target.tagName === "TEXTAREA" ? 800 : 0);
      return;
    }
    if (target.type === "file" && target.closest("form[data-photo-form]")) {
      upload(target.closest("form[data-photo-form]"));
    }
    if (target.hasAttribute("data-finding-photos")) {
      var count = target.closest("label").querySelector("[data-file-count]");
      if (count) { count.textContent = target.files.length ? "(" + target.files.length + ")" : ""; }
    }
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    var form = target.form && answerForm(target.form);
    if (form && (target.tagName === "TEXTAREA" || target.type === "number")) {
      changed(form, 800);
    }
  });

  // Enter in a number field, or the "confirm these numbers" button: save now, never a page load.
  document.addEventListener("submit", function (event) {
    var form = answerForm(event.target);
    if (form) {
      event.preventDefault();
      writeStash(form);
      send(form.getAttribute("data-item"));
      return;
    }
    if (event.target.matches("form[data-submit-form]") && (pendingItems().length || !navigator.onLine)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      sendAll();
      window.alert(text(navigator.onLine ? "pending-submit" : "not-sent"));
    }
  }, true);

  window.addEventListener("online", function () { sessionLost = false; sendAll(); retryPhotos(); });
  window.addEventListener("offline", updateBanner);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { sendAll(); }
  });
  setInterval(sendAll, 20000);

  // Panic button test: fill a time with the phone's clock, and show the time since the press ---------------

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function nowTime() {
    var d = new Date();
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-now]");
    if (button && button.form) {
      var input = button.form.elements[button.getAttribute("data-now")];
      input.value = nowTime();
      input.dispatchEvent(new Event("change", { bubbles: true }));
      tick();
      return;
    }
    var link = event.target.closest("a[data-step-link]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      var hash = link.hash ? link.hash.slice(1) : "";
      showStep(link.getAttribute("data-step-link"), hash);
    }
  });

  function seconds(value) {
    var parts = (value || "").split(":");
    if (parts.length < 2) { return null; }
    return (+parts[0]) * 3600 + (+parts[1]) * 60 + (+(parts[2] || 0));
  }

  function tick() {
    document.querySelectorAll("form[data-answer-form] [data-panic-timer]").forEach(function (timer) {
      var form = timer.closest("form");
      var pressed = seconds(form.elements.pressed_at.value);
      if (pressed === null || form.elements.arrived_at.value) {
        timer.hidden = true;
        return;
      }
      var d = new Date();
      var elapsed = d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds() - pressed;
      if (elapsed < 0) { elapsed += 86400; }
      if (elapsed > 6 * 3600) { timer.hidden = true; return; } // an old press: no running clock
      timer.textContent = text("since", Math.floor(elapsed / 60) + ":" + pad(elapsed % 60));
      timer.hidden = false;
    });
  }
  setInterval(tick, 1000);

  // Steps: every section is on the page, so the form keeps working offline; only one is shown -------------

  function currentStep() {
    var shown = root.querySelector(".cf-step:not([hidden])");
    return shown ? shown.getAttribute("data-step") : "";
  }

  function refreshStep() {
    var code = currentStep();
    root.querySelectorAll(".cf-chip[data-step-link]").forEach(function (chip) {
      if (chip.getAttribute("data-step-link") === code) {
        chip.setAttribute("aria-current", "step");
      } else {
        chip.removeAttribute("aria-current");
      }
    });
  }

  // Progress: counted from the answer boxes on the page, so a save needs to send back only its item.
  function refreshProgress() {
    var total = 0;
    var answered = 0;
    root.querySelectorAll(".cf-step[data-step]").forEach(function (step) {
      var items = step.querySelectorAll(".cf-item").length;
      if (!items) {
        return;
      }
      var done = step.querySelectorAll(".cf-answer[data-answered]").length;
      total += items;
      answered += done;
      var chip = root.querySelector('.cf-chip[data-step-link="' + step.getAttribute("data-step") + '"]');
      if (chip) {
        chip.classList.toggle("done", done === items);
        var count = chip.querySelector("[data-chip-count]");
        if (count) { count.textContent = done + "/" + items; }
      }
    });
    var label = root.querySelector("[data-progress-text]");
    if (label) { label.textContent = answered + "/" + total; }
    var bar = root.querySelector("[data-progress-bar]");
    if (bar) { bar.max = total; bar.value = answered; bar.textContent = answered + "/" + total; }
    var finish = root.querySelector("[data-chip-finish]");
    if (finish) { finish.classList.toggle("done", answered === total); }
    root.querySelectorAll("[data-todo]").forEach(function (li) {
      var box = document.getElementById("answer-" + li.getAttribute("data-todo"));
      li.hidden = !!(box && box.hasAttribute("data-answered"));
    });
    var left = root.querySelector("[data-todo-count]");
    if (left) { left.textContent = String(total - answered); }
    var head = root.querySelector("[data-todo-head]");
    if (head) { head.hidden = answered === total; }
    var allDone = root.querySelector("[data-todo-done]");
    if (allDone) { allDone.hidden = answered !== total; }
  }

  function showStep(code, anchor) {
    var step = document.getElementById("step-" + code);
    if (!step) {
      return;
    }
    root.querySelectorAll(".cf-step").forEach(function (s) { s.hidden = s !== step; });
    refreshStep();
    var url = new URL(window.location.href);
    url.searchParams.set("section", code);
    url.hash = anchor || "";
    history.replaceState(null, "", url.toString());
    var target = anchor ? document.getElementById(anchor) : root;
    if (target) {
      target.scrollIntoView({ block: "start" });
      if (anchor) { target.classList.add("cf-flash"); setTimeout(function () { target.classList.remove("cf-flash"); }, 1600); }
    }
  }

  // Photos: uploaded at once, with the GPS point if the phone gives one within a few seconds --------------

  function photoState(form, message) {
    var state = form.querySelector("[data-photo-state]");
    if (state) {
      state.textContent = message || "";
      state.hidden = !message;
    }
  }

  function upload(form) {
    var file = form.querySelector("input[type=file]");
    if (!file || !file.files.length) {
      return;
    }
    if (!navigator.onLine) {
      form._waiting = true;
      photoState(form, text("photo-offline"));
      return;
    }
    photoState(form, text("photo-sending"));
    var done = false;
    function go() {
      if (done) { return; }
      done = true;
      form._waiting = false;
      htmx.process(form);
      htmx.trigger(form, "qorgau-upload");
    }
    if (!navigator.geolocation) {
      go();
      return;
    }
    setTimeout(go, 4000);
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.latitude.value = pos.coords.latitude.toFixed(6);
      form.elements.longitude.value = pos.coords.longitude.toFixed(6);
      form.elements.accuracy.value = Math.round(pos.coords.accuracy);
      go();
    }, go, { enableHighAccuracy: true, timeout: 3500, maximumAge: 60000 });
  }

  function retryPhotos() {
    document.querySelectorAll("form[data-photo-form]").forEach(function (form) {
      if (form._waiting) { upload(form); }
    });
  }

  // Start: put back what was typed but not saved before the page was left, then send it -------------------

  function start() {
    if (!editable) {
      return;
    }
    document.querySelectorAll("form[data-answer-form]").forEach(remember);
    stashKeys("").forEach(function (key) {
      var stash;
      try { stash = JSON.parse(storage.getItem(key)); } catch (e) { stash = null; }
      var form = stash && formFor(stash.item);
      if (!form) {
        return;
      }
      if (same(stash.values, form._saved)) {
        storage.removeItem(key); // it was saved after all; only the answer got lost on the way
        return;
      }
      restore(form, stash.values);
      // Sent on the version it was typed over: if someone saved since, the server shows a conflict.
      form.elements.version.value = stash.base;
      setState(stash.item, "pending");
    });
    updateBanner();
    refreshProgress();
    tick();
    sendAll();
    if (window.location.hash) {
      var target = document.getElementById(window.location.hash.slice(1));
      if (target) { target.scrollIntoView({ block: "start" }); }
    }
  }

  start();
})();
