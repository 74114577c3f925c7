import init from './motus-viewer.js';
init({ module_or_path: new URL('./motus-viewer_bg.wasm', import.meta.url) });
