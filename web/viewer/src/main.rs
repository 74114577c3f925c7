//! The Motus browser viewer. One WebAssembly module runs twice: on the page it mounts the
//! Leptos UI; in the Web Worker (`worker.js`) it holds the database and answers queries.

mod app;
mod client;
mod graph_layout;
mod pages;
mod protocol;
mod route;
mod ui;
mod worker;

fn main() {
    console_error_panic_hook::set_once();
    if web_sys::window().is_some() {
        leptos::mount::mount_to_body(app::App);
    } else {
        worker::start();
    }
}
