// The database worker: the page's module, started here, answers queries (docs/viewer.md).
import init from './motus-viewer.js';
init({ module_or_path: new URL('./motus-viewer_bg.wasm', import.meta.url) }).catch((e) => {
  postMessage(['fatal', 0, String(e && e.message ? e.message : e)]);
});
