/*
 * Explorables: draw every <div class="w2s-explorable"> of the page with Vega-Lite.
 *
 * The spec (data included, computed by w2s_lib when the book was built) is a JSON file beside
 * the page (the div's data-spec-src; or, in older builds, a <script type="application/json">
 * inside the div); vega, vega-lite and vega-embed are the site's own copies
 * (_static/vendor/vega, from npm). Controls are Vega-Lite parameters bound to inputs, so a
 * control only re-filters data already on the page.
 *
 * Loading is lazy: the page's text comes first. Vega and an explorable's spec are fetched only
 * when the figure nears the viewport (IntersectionObserver), or when a script asks for
 * window.w2sExplorables.ready.
 *
 * Each explorable gets a text alternative (a polite aria-live region under the figure, which
 * also describes the canvas): what the figure shows (its description or titles, axes and
 * legends), the current value of every control, and the numbers its text marks print. It is
 * rewritten whenever a control moves.
 *
 * window.w2sExplorables.ready      draws every explorable of the page now; resolves when done
 * window.w2sExplorables.displayed  what a drawn explorable shows, by named layer (tests)
 * window.w2sExplorables.describe   its current text alternative (tests)
 * window.w2sExplorables.set        move one control as a reader does (input/change event)
 * window.w2sExplorables.sweep      move a control through values, timing each update
 *                                  from the input event to the redrawn view (benchmarks)
 */
(function () {
  "use strict";

  var VENDOR = ["vendor/vega/vega.min.js", "vendor/vega/vega-lite.min.js", "vendor/vega/vega-embed.min.js"];
  // The directory this script was served from (the site's _static/).
  var STATIC = (function () {
    var src = document.currentScript && document.currentScript.src;
    return src ? src.replace(/[^/]*$/, "") : "_static/";
  })();
  var NEAR = "800px 0px";  // start loading a figure this far before it scrolls into view

  var vegaLoading = null;
  function loadVega() {
    if (window.vegaEmbed) return Promise.resolve();
    if (!vegaLoading) {
      // One after another, in order: each bundle needs the one before it.
      vegaLoading = VENDOR.reduce(function (chain, path) {
        return chain.then(function () {
          return new Promise(function (resolve, reject) {
            var s = document.createElement("script");
            s.src = STATIC + path;
            s.onload = resolve;
            s.onerror = function () { reject(new Error("could not load " + path)); };
            document.head.appendChild(s);
          });
        });
      }, Promise.resolve());
    }
    return vegaLoading;
  }

  function loadSpec(el) {
    var inline = el.querySelector("script.w2s-explorable-spec");
    if (inline) return Promise.resolve(JSON.parse(inline.textContent));
    var src = el.getAttribute("data-spec-src");
    return fetch(new URL(src, document.baseURI).href).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status + " for " + src);
      return r.json();
    });
  }

  var counter = 0;
  function prepare(el) {
    // The region that carries the text alternative; the figure (a canvas) points at it.
    var id = "w2s-explorable-alt-" + (++counter);
    var alt = document.createElement("div");
    alt.className = "w2s-explorable-alt";
    alt.id = id;
    alt.setAttribute("aria-live", "polite");
    alt.textContent = "Interactive figure, drawn when it scrolls into view.";
    el.appendChild(alt);
    el.w2sAlt = alt;
  }

  function draw(el) {
    if (el.w2sDrawn) return el.w2sDrawn;
    el.setAttribute("aria-busy", "true");
    el.w2sDrawn = Promise.all([loadSpec(el), loadVega()])
      .then(function (got) {
        var spec = got[0];
        el.w2sSpec = spec;
        var view = el.querySelector(".w2s-explorable-view");
        return vegaEmbed(view, spec, { actions: false, renderer: "canvas", config: { background: "white" } });
      })
      .then(function (result) {
        el.w2sView = result.view;
        accessible(el);
        el.removeAttribute("aria-busy");
        el.setAttribute("data-ready", "1");
        return result.view;
      })
      .catch(function (err) {
        el.removeAttribute("aria-busy");
        el.setAttribute("data-ready", "error");
        var msg = document.createElement("p");
        msg.className = "w2s-explorable-error";
        msg.textContent = "This figure could not be drawn: " + err;
        el.appendChild(msg);
        throw err;
      });
    return el.w2sDrawn;
  }

  // ------------------------------------------------------------------ text alternative
  function textOf(item) {
    var t = item.text;
    if (Array.isArray(t)) t = t.join(" ");
    return t == null ? "" : String(t).trim();
  }

  // Texts of the scenegraph, by role: titles, axis titles, legend titles and labels, and the
  // figure's own text marks (readouts).
  function sceneTexts(view) {
    var out = { title: [], axis: [], legend: [], marks: [] };
    function walk(node, role) {
      if (!node) return;
      var r = node.role || role;
      if (node.marktype === "text") {
        var bucket = r === "title-text" || r === "title-subtitle" ? "title"
          : r === "axis-title" ? "axis"
          : r === "legend-title" || r === "legend-label" ? "legend"
          : r === "mark" ? "marks" : null;
        if (bucket) {
          (node.items || []).forEach(function (item) {
            var t = textOf(item);
            if (t && out[bucket].indexOf(t) < 0) out[bucket].push(t);
          });
        }
      }
      (node.items || []).forEach(function (item) { (item.items || []).forEach(function (n) { walk(n, r); }); });
    }
    walk(view.scenegraph().root, null);
    return out;
  }

  // Every control: its label and the value it shows now.
  function controlValues(el) {
    var out = [];
    el.querySelectorAll(".vega-bindings .vega-bind").forEach(function (bind) {
      var nameEl = bind.querySelector(".vega-bind-name");
      var name = nameEl ? nameEl.textContent.trim() : "";
      var value = "";
      var select = bind.querySelector("select");
      var radios = bind.querySelectorAll('input[type="radio"]');
      var box = bind.querySelector('input[type="checkbox"]');
      var other = bind.querySelector("input");
      if (select) {
        value = select.options[select.selectedIndex] ? select.options[select.selectedIndex].text : select.value;
      } else if (radios.length) {
        radios.forEach(function (r) {
          if (r.checked) {
            var lab = bind.querySelector('label[for="' + r.id + '"]');
            value = lab ? lab.textContent.trim() : r.value;
          }
        });
      } else if (box) {
        value = box.checked ? "on" : "off";
      } else if (other) {
        value = other.value;
      }
      if (name) out.push(name + " = " + value);
    });
    return out;
  }

  function describe(el) {
    var spec = el.w2sSpec || {};
    var texts = sceneTexts(el.w2sView);
    var parts = [];
    var what = spec.description || texts.title.join(". ");
    parts.push("Interactive figure" + (what ? ": " + what : "") + ".");
    if (texts.axis.length) parts.push("Axes: " + texts.axis.join("; ") + ".");
    if (texts.legend.length) parts.push("Legend: " + texts.legend.join(", ") + ".");
    var controls = controlValues(el);
    if (controls.length) parts.push("Controls: " + controls.join(", ") + ".");
    if (texts.marks.length) parts.push("Shown: " + texts.marks.join("; ") + ".");
    return parts.join(" ");
  }

  function updateAlt(el) {
    var text = describe(el);
    if (el.w2sAlt.textContent !== text) el.w2sAlt.textContent = text;
    return text;
  }

  // Labels and roles the bound inputs lack; the canvas as an image described by the region.
  function accessible(el) {
    var view = el.querySelector(".w2s-explorable-view");
    var canvas = view.querySelector("canvas");
    var target = canvas || view;
    target.setAttribute("role", "img");
    target.setAttribute("aria-label", "Interactive figure; its description and current values follow.");
    target.setAttribute("aria-describedby", el.w2sAlt.id);
    el.querySelectorAll(".vega-bindings .vega-bind").forEach(function (bind, i) {
      var nameEl = bind.querySelector(".vega-bind-name");
      var radioGroup = bind.querySelector(".vega-bind-radio");
      if (nameEl && radioGroup) {
        nameEl.id = nameEl.id || el.w2sAlt.id + "-control-" + i;
        radioGroup.setAttribute("role", "radiogroup");
        radioGroup.setAttribute("aria-labelledby", nameEl.id);
      }
      var value = bind.querySelector(".vega-bind-value");
      if (value) value.setAttribute("aria-hidden", "true");  // the slider itself announces it
    });
    // Rewrite the alternative after every re-run the controls cause (debounced: a drag moves a
    // slider through many values, and a screen reader should hear where it stopped).
    var timer = null;
    var schedule = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { el.w2sView.runAsync().then(function () { updateAlt(el); }); }, 150);
    };
    var bindings = el.querySelector(".vega-bindings");
    if (bindings) {
      bindings.addEventListener("input", schedule);
      bindings.addEventListener("change", schedule);
    }
    updateAlt(el);
  }

  // ------------------------------------------------------------------ tests and benchmarks
  // Datum fields of every item of every named mark ("<layer>_marks" in the compiled Vega).
  function displayed(el) {
    var out = {};
    function walk(node) {
      if (!node) return;
      if (node.marktype && node.name && /_marks$/.test(node.name) && node.marktype !== "group") {
        // Vega-Lite names a layer's marks "<name>_marks" (inside layers "<name>_<i>_marks").
        var layer = node.name.replace(/_marks$/, "").replace(/_\d+$/, "");
        var rows = out[layer] || (out[layer] = []);
        (node.items || []).forEach(function (item) {
          var d = item.datum || {};
          var row = {};
          Object.keys(d).forEach(function (k) {
            var v = d[k];
            if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") row[k] = v;
          });
          rows.push(row);
        });
      }
      (node.items || []).forEach(function (item) {
        (item.items || []).forEach(walk);
      });
    }
    walk(el.w2sView.scenegraph().root);
    return out;
  }

  function find(name) {
    var el = document.querySelector('.w2s-explorable[data-explorable="' + name + '"]');
    if (!el || !el.w2sView) throw new Error("explorable " + name + " is not drawn on this page");
    return el;
  }

  // Move control `param` to `value` through its input element, as a reader's drag does.
  function setControl(el, param, value) {
    var inputs = el.querySelectorAll('.vega-bindings [name="' + param + '"]');
    if (!inputs.length) throw new Error("no input for control " + param);
    var input = inputs[0];
    if (input.tagName === "SELECT") {
      var idx = -1;
      for (var i = 0; i < input.options.length; i++) {
        if (String(input.options[i].value) === String(value)) idx = i;
      }
      if (idx < 0) throw new Error("control " + param + " has no option " + value);
      input.selectedIndex = idx;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (input.type === "radio") {
      var hit = null;
      inputs.forEach(function (r) { if (String(r.value) === String(value)) hit = r; });
      if (!hit) throw new Error("control " + param + " has no option " + value);
      hit.checked = true;
      hit.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (input.type === "checkbox") {
      input.checked = !!value;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    } else {
      input.value = String(value);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  // Set several controls, then resolve once the view has re-run and re-rendered.
  function set(name, setting) {
    var el = find(name);
    Object.keys(setting).forEach(function (p) { setControl(el, p, setting[p]); });
    return el.w2sView.runAsync().then(function () { return displayed(el); });
  }

  // Time each step of a sweep: input event -> dataflow re-run -> canvas redrawn.
  function sweep(name, param, values) {
    var el = find(name);
    var times = [];
    var chain = Promise.resolve();
    values.forEach(function (v) {
      chain = chain.then(function () {
        var t0 = performance.now();
        setControl(el, param, v);
        return el.w2sView.runAsync().then(function () { times.push(performance.now() - t0); });
      });
    });
    return chain.then(function () { return times; });
  }

  // ------------------------------------------------------------------ start
  var all = null;
  var everything = null;
  function drawAll() {
    if (!all) start();
    if (!everything) everything = Promise.all(all.map(draw));
    return everything;
  }

  function start() {
    if (all) return;
    all = Array.prototype.slice.call(document.querySelectorAll(".w2s-explorable"));
    all.forEach(prepare);
    if (!("IntersectionObserver" in window)) { drawAll(); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        draw(entry.target).catch(function () {});  // the error is shown in the figure
      });
    }, { rootMargin: NEAR });
    all.forEach(function (el) { observer.observe(el); });
  }

  var api = {
    displayed: function (name) { return displayed(typeof name === "string" ? find(name) : name); },
    describe: function (name) { return updateAlt(typeof name === "string" ? find(name) : name); },
    set: set,
    sweep: sweep,
  };
  // Asking for `ready` draws every explorable of the page (tests and benchmarks do).
  Object.defineProperty(api, "ready", { enumerable: true, get: drawAll });
  window.w2sExplorables = api;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
