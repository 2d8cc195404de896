/*
 * Embedded ipywidgets on a static page need require.js and the widget manager from a CDN.
 * Offline (or behind a firewall) they render as nothing at all. This script finds every
 * widget view that has not rendered a few seconds after the page loaded and puts a short
 * note in its place, pointing the reader to the launch buttons and to the kernel-free
 * animation on the same page. If the widget renders later (slow network), the note goes.
 */
(function () {
  "use strict";

  var VIEW_SELECTOR = 'script[type="application/vnd.jupyter.widget-view+json"]';
  var NOTE_CLASS = "w2s-widget-fallback";
  var GRACE_MS = 3000;      // time the widget manager gets to render after page load
  var WATCH_MS = 30000;     // keep checking for a late render, then stop
  var POLL_MS = 500;
  var MESSAGE =
    "Interactive controls need a live kernel: use the launch button (rocket icon) to open " +
    "this chapter in Binder or Colab; the animation on this page shows the same effect " +
    "without one.";

  // The html manager inserts a <div class="widget-subarea"> (holding the view) just
  // before each view script tag; the view rendered when that div has content.
  function rendered(script) {
    var prev = script.previousElementSibling;
    while (prev && prev.classList.contains(NOTE_CLASS)) {
      prev = prev.previousElementSibling;
    }
    return !!(prev && prev.classList.contains("widget-subarea") && prev.children.length > 0);
  }

  function noteFor(script) {
    var prev = script.previousElementSibling;
    return prev && prev.classList.contains(NOTE_CLASS) ? prev : null;
  }

  function addNote(script) {
    if (noteFor(script)) {
      return;
    }
    var note = document.createElement("div");
    note.className = "admonition note " + NOTE_CLASS;
    note.setAttribute("role", "note");
    var title = document.createElement("p");
    title.className = "admonition-title";
    title.textContent = "Live controls unavailable here";
    var body = document.createElement("p");
    body.textContent = MESSAGE;
    note.appendChild(title);
    note.appendChild(body);
    script.parentNode.insertBefore(note, script);
  }

  function update(final) {
    var scripts = document.querySelectorAll(VIEW_SELECTOR);
    var pending = 0;
    for (var i = 0; i < scripts.length; i++) {
      var s = scripts[i];
      if (rendered(s)) {
        var note = noteFor(s);
        if (note) {
          note.remove();
        }
      } else {
        pending += 1;
        if (final) {
          addNote(s);
        }
      }
    }
    return pending;
  }

  function start() {
    if (!document.querySelector(VIEW_SELECTOR)) {
      return;
    }
    // Without require.js (blocked or offline) no widget can ever render: say so at once.
    var managerMissing = typeof window.require !== "function";
    var t0 = Date.now();
    var timer = setInterval(function () {
      var elapsed = Date.now() - t0;
      var pending = update(managerMissing || elapsed >= GRACE_MS);
      if (pending === 0 || elapsed >= WATCH_MS) {
        clearInterval(timer);
      }
    }, POLL_MS);
    update(managerMissing);
  }

  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
})();

/*
 * Online, the ipywidgets HTML manager typesets widget labels with the MathJax 2 API
 * (`MathJax.Hub.Queue(["Typeset", MathJax.Hub, el])`), but the site ships MathJax 3: every
 * widget with a description then throws "Cannot read properties of undefined (reading
 * 'Queue')" and math in labels stays raw. Give the MathJax 3 object a minimal `Hub.Queue`
 * that forwards to `MathJax.typesetPromise`, installed whenever MathJax replaces its global.
 */
(function () {
  "use strict";

  function queue() {
    var mj = window.MathJax;
    for (var i = 0; i < arguments.length; i++) {
      var job = arguments[i];
      if (Array.isArray(job) && job[0] === "Typeset" && mj && mj.startup && mj.startup.promise) {
        var el = job[2];
        mj.startup.promise
          .then(function () { return mj.typesetPromise(el ? [el] : undefined); })
          .catch(function () {});
      }
    }
  }

  function withHub(mj) {
    if (mj && typeof mj === "object" && mj.version && !mj.Hub) {
      mj.Hub = { Queue: queue };
    }
    return mj;
  }

  var current = withHub(window.MathJax);
  try {
    Object.defineProperty(window, "MathJax", {
      configurable: true,
      enumerable: true,
      get: function () { return current; },
      set: function (value) { current = withHub(value); },
    });
  } catch (e) {
    // A browser that refuses the accessor keeps the plain global (widgets then log an error).
  }
})();
