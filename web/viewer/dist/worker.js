// The database worker: the same WebAssembly module as the page, started in a Web Worker so
// that reading and querying a large file never blocks the page. Its main() sees no window and
// installs the worker's message handler instead of mounting the UI.
import init from './motus-viewer.js';
init({ module_or_path: new URL('./motus-viewer_bg.wasm', import.meta.url) }).catch((e) => {
  postMessage(['fatal', 0, String(e && e.message ? e.message : e)]);
});
