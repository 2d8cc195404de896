/*
 * Explorables: draw every <div class="w2s-explorable"> of the page with Vega-Lite.
 *
 * The spec (data included, computed by w2s_lib when the book was built) sits in a
 * <script type="application/json"> inside the div; vega, vega-lite and vega-embed are the
 * site's own copies (_static/vendor/vega, from npm). Controls are Vega-Lite parameters
 * bound to inputs, so a control only re-filters data already on the page.
 *
 * window.w2sExplorables.ready      resolves when every explorable of the page is drawn
 * window.w2sExplorables.displayed  what a drawn explorable shows, by named layer (tests)
 * window.w2sExplorables.set        move one control as a reader does (input/change event)
 * window.w2sExplorables.sweep      move a control through values, timing each update
 *                                  from the input event to the redrawn view (benchmarks)
 */
(function () {
  "use strict";

  function embed(el) {
    var specNode = el.querySelector("script.w2s-explorable-spec");
    var view = el.querySelector(".w2s-explorable-view");
    var spec = JSON.parse(specNode.textContent);
    return vegaEmbed(view, spec, { actions: false, renderer: "canvas", config: { background: "white" } })
      .then(function (result) {
        el.w2sView = result.view;
        el.setAttribute("data-ready", "1");
        return result.view;
      })
      .catch(function (err) {
        el.setAttribute("data-ready", "error");
        var msg = document.createElement("p");
        msg.className = "w2s-explorable-error";
        msg.textContent = "This figure could not be drawn: " + err;
        el.appendChild(msg);
        throw err;
      });
  }

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

  function start() {
    var els = Array.prototype.slice.call(document.querySelectorAll(".w2s-explorable"));
    window.w2sExplorables.ready = Promise.all(els.map(embed));
  }

  window.w2sExplorables = {
    ready: null,
    displayed: function (name) { return displayed(typeof name === "string" ? find(name) : name); },
    set: set,
    sweep: sweep,
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
