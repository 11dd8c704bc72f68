//! The checked-in JSON Schema of everything that crosses a binding (`tests/schema/core.json`)
//! is the one the core generates (feature `schema`): a change to a command, query, answer or
//! event that is not regenerated fails here, and the Python binding's typed surface is checked
//! against the file (`bindings-python/tests/test_schema.py`), so a binding that drifts from the
//! core fails `scripts/test`. Regenerate with
//! `UPDATE_SCHEMA=1 cargo test -p commshub-ota --features schema --test schema`.
#![cfg(feature = "schema")]

use std::path::Path;

#[test]
fn the_checked_in_schema_is_the_cores() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/schema/core.json");
    let generated = commshub_ota::schema::surface_json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create tests/schema");
        std::fs::write(&path, &generated).expect("write the schema");
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "tests/schema/core.json is not the core's schema: regenerate it with \
         UPDATE_SCHEMA=1 cargo test -p commshub-ota --features schema --test schema"
    );
}

#[test]
fn the_schema_names_every_command_query_and_event() {
    let schema: serde_json::Value =
        serde_json::from_str(&commshub_ota::schema::surface_json()).expect("JSON");
    let defs = &schema["$defs"];
    let tags = |name: &str, tag: &str| -> Vec<String> {
        defs[name]["oneOf"]
            .as_array()
            .map(|variants| {
                variants
                    .iter()
                    .filter_map(|v| v["properties"][tag]["const"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let commands = tags("Command", "type");
    assert!(
        commands.contains(&"lift_defect_suspension".to_string()),
        "{commands:?}"
    );
    assert_eq!(commands.len(), 51);
    assert!(commands.contains(&"rotate_key".to_string()), "{commands:?}");
    assert_eq!(tags("EventPayload", "type").len(), 52);
    assert!(tags("Query", "name").contains(&"explain".to_string()));
}
