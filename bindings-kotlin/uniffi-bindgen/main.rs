//! uniffi-bindgen, pinned to the workspace's uniffi version (the generator must match the
//! scaffolding that built the library), plus one fix to what it generates for Kotlin.
//!
//! UniFFI 0.32 converts arguments (Kotlin to Rust) inside the call wrapper but lets what that
//! conversion throws escape untyped: a string with a lone surrogate throws
//! `MalformedInputException`, and a `null` inside a `List` from Java throws a
//! `NullPointerException` deep in generated code. After generating, this binary rewrites the one
//! wrapper every fallible call goes through, so both reach the caller as the binding's typed
//! (unchecked) `commshub.ota.CommsHubOtaException.InvalidInput`, like every other bad input.
//!
//! It also builds each exception's `message` from every field, so a `BulkRejected` with a
//! million rows carried an 80 MB message into every log line that printed it. The message is
//! rewritten to the core's short description (the rows stay in the `rows` property).
//!
//! And it gives every record's constructor `@JvmOverloads`, so that Java can leave out the
//! trailing fields that have defaults (a `CampaignPolicy`'s, say), as Kotlin can.
//!
//! If a uniffi upgrade changes what is rewritten, the rewrite finds nothing and generation
//! fails loudly instead of silently dropping the fix.

use std::path::{Path, PathBuf};

const WRAPPER: &str = "private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError(";
const CALL: &str = "    val return_value = callback(status)\n";
const TYPED_CALL: &str = r#"    // commshub-ota: argument conversion failures are typed errors (see uniffi-bindgen/main.rs).
    val return_value = try {
        callback(status)
    } catch (e: java.nio.charset.CharacterCodingException) {
        throw commshub.ota.CommsHubOtaException.InvalidInput("argument", "text is not valid Unicode (it holds a lone surrogate)", "invalid argument: text is not valid Unicode (it holds a lone surrogate)")
    } catch (e: NullPointerException) {
        throw commshub.ota.CommsHubOtaException.InvalidInput("argument", "a null where a value is required (inside a list or record)", "invalid argument: a null where a value is required (inside a list or record)")
    }
"#;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out_dir = args
        .windows(2)
        .find(|w| w[0] == "--out-dir")
        .map(|w| PathBuf::from(&w[1]));
    let kotlin = args
        .windows(2)
        .any(|w| w[0] == "--language" && w[1] == "kotlin");
    uniffi::uniffi_bindgen_main();
    if let (Some(dir), true) = (out_dir, kotlin) {
        if let Err(why) = type_argument_failures(&dir) {
            eprintln!("uniffi-bindgen (commshub-ota): {why}");
            std::process::exit(1);
        }
    }
}

/// Rewrites the call wrapper in each generated `.kt` file (one per crate: the binding's and the
/// core's `commshub.ota.model`), and the exception messages in the file that declares them.
fn type_argument_failures(dir: &Path) -> Result<(), String> {
    let (mut wrappers, mut messages, mut records) = (0, 0, 0);
    for file in kotlin_files(dir)? {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        if !text.contains(WRAPPER) {
            continue;
        }
        let (text, overloaded) = jvm_overloads(&text);
        records += overloaded;
        let start = text
            .find(WRAPPER)
            .ok_or("the call wrapper has changed shape")?;
        let body = start
            + text[start..]
                .find(CALL)
                .ok_or("the call wrapper has changed shape")?;
        let mut fixed = format!(
            "{}{TYPED_CALL}{}",
            &text[..body],
            &text[body + CALL.len()..]
        );
        wrappers += 1;
        if let Some(short) = short_messages(&fixed) {
            fixed = short;
            messages += 1;
        }
        std::fs::write(&file, fixed).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    match (wrappers, messages) {
        (2, 1) if records > 0 => Ok(()),
        _ => Err(format!(
            "expected two generated files with uniffiRustCallWithError, one declaring the \
             exception and records to overload, found {wrappers}, {messages} and {records}"
        )),
    }
}

/// `data class Name (` becomes `data class Name @JvmOverloads constructor(` (top-level records
/// only: an enum's variants have no defaults); with the number rewritten.
fn jvm_overloads(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len() + 4096);
    let mut rewritten = 0;
    for line in text.split_inclusive('\n') {
        match line
            .strip_prefix("data class ")
            .and_then(|rest| rest.strip_suffix(" (\n"))
        {
            Some(name) if !name.contains(' ') => {
                out.push_str(&format!("data class {name} @JvmOverloads constructor(\n"));
                rewritten += 1;
            }
            _ => out.push_str(line),
        }
    }
    (out, rewritten)
}

/// Every exception's `message` getter that lists all fields becomes its `description`; `None`
/// in a file that declares no exception.
fn short_messages(text: &str) -> Option<String> {
    const ALL_FIELDS_END: &str = "description=${ `description` }\"";
    let mut out = String::with_capacity(text.len());
    let mut rewritten = 0;
    for line in text.split_inclusive('\n') {
        let code = line.trim_end();
        if code.trim_start().starts_with("get() = \"") && code.ends_with(ALL_FIELDS_END) {
            let indent = &code[..code.len() - code.trim_start().len()];
            out.push_str(indent);
            out.push_str("get() = `description`\n");
            rewritten += 1;
        } else {
            out.push_str(line);
        }
    }
    (rewritten > 0).then_some(out)
}

fn kotlin_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            out.extend(kotlin_files(&path)?);
        } else if path.extension().is_some_and(|x| x == "kt") {
            out.push(path);
        }
    }
    Ok(out)
}
