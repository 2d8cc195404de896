// The kernel's view of an explorable (an anywidget): the same Vega-Lite spec as the static
// site, drawn once with the Vega of this package (static/vendor/vega, prepended to this
// module by live.py); each kernel update then swaps the figure's named data sets and sets
// its parameters in the live Vega view, so a change redraws in one dataflow pass instead of
// compiling and embedding the spec again.
function applyState(view, state) {
  if (!state) return Promise.resolve();
  const data = state.data || {};
  for (const name of Object.keys(data)) {
    view.change(name, vega.changeset().remove(vega.truthy).insert(data[name]));
  }
  const params = state.params || {};
  for (const name of Object.keys(params)) view.signal(name, params[name]);
  return view.runAsync();
}

async function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "w2s-live-explorable";
  el.appendChild(box);
  const result = await vegaEmbed(box, model.get("spec"), { actions: false, renderer: "canvas" });
  const view = result.view;
  el.w2sView = view;
  await applyState(view, model.get("state"));
  el.setAttribute("data-seq", String((model.get("state") || {}).seq || 0));
  const onState = async () => {
    const state = model.get("state");
    await applyState(view, state);
    el.setAttribute("data-seq", String(state.seq || 0));
    el.dispatchEvent(new CustomEvent("w2s-redrawn", { detail: state.seq || 0 }));
  };
  model.on("change:state", onState);
  return () => { model.off("change:state", onState); result.finalize(); };
}

export default { render };
