//! uniffi-bindgen, pinned to the workspace's uniffi version (the generator must match the
//! scaffolding that built the library).
fn main() {
    uniffi::uniffi_bindgen_main()
}
