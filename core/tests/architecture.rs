//! The core's architecture, read off its source: every non-test line of every file under
//! `core/src` (test items, `#[cfg(test)] mod tests { .. }`, are dropped; the rest of the file is
//! read). Three rules:
//!
//! 1. the top-level modules are layers, and a layer imports only the layers before it in
//!    [`LAYERS`] (the order `lib.rs` declares them in);
//! 2. inside the crate, code names the canonical path (`crate::kernel::error::Error`), never a
//!    crate-root alias (`crate::Error`), which exists for the crate's users only;
//! 3. only the engine implements methods on `Engine` (the read side answers on the state).
//!
//! `COMMSHUB_ARCH_SRC=<dir>` points the tests at another source tree (for instance an older
//! commit's `core/src` from `git archive`), to see what they would say of it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, each importing only those before it. `ffi` and `schema` are edges (the types as
/// the JVM binding and the JSON Schema see them) and come last.
const LAYERS: &[&str] = &[
    "kernel", "model", "write", "journal", "store", "read", "engine", "synth", "ffi", "schema",
];

fn src_dir() -> PathBuf {
    match std::env::var_os("COMMSHUB_ARCH_SRC") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
    }
}

/// The text of a file without its test items: an item under `#[cfg(test)]` is dropped, whether
/// a declaration (`mod spec;`) or a block (`mod tests { .. }`, to its closing brace).
fn library_text(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "#[cfg(test)]" {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        // Skip the item the attribute applies to (further attributes, then its text).
        let mut depth = 0i64;
        let mut opened = false;
        for item in lines.by_ref() {
            let code = code_of(item);
            for ch in code.chars() {
                match ch {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            let attribute = code.trim_start().starts_with("#[");
            if (opened && depth <= 0) || (!opened && !attribute && code.trim_end().ends_with(';')) {
                break;
            }
        }
    }
    out
}

/// Files declared under `#[cfg(test)]` in a directory's `mod.rs`/`lib.rs` (test-only files).
fn test_only_files(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for name in ["mod.rs", "lib.rs"] {
        let Ok(text) = fs::read_to_string(dir.join(name)) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for pair in lines.windows(2) {
            if pair[0] == "#[cfg(test)]" && pair[1].contains("mod ") && pair[1].ends_with(';') {
                let name = pair[1]
                    .trim_end_matches(';')
                    .rsplit(' ')
                    .next()
                    .unwrap_or("");
                out.insert(format!("{name}.rs"));
            }
        }
    }
    out
}

/// One library file: its path under `src/`, its top-level module, its non-test text.
struct SourceFile {
    path: String,
    module: String,
    text: String,
}

/// Every `.rs` file under `src` but `lib.rs` (it declares the layers and re-exports the public
/// paths) and the test-only files.
fn library_files(src: &Path) -> Vec<SourceFile> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let test_only = test_only_files(&dir);
        // Modules declared under `#[cfg(test)]` in `lib.rs`/`mod.rs` are test-only files.
        let mut entries: Vec<PathBuf> = fs::read_dir(&dir)
            .expect("read src")
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let file = path.file_name().map(|f| f.to_string_lossy().to_string());
            if file.as_ref().is_some_and(|f| test_only.contains(f)) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src).expect("under src");
                let first = rel.components().next().expect("a component");
                let module = first.as_os_str().to_string_lossy();
                let module = module.trim_end_matches(".rs").to_string();
                if module != "lib" {
                    let text = fs::read_to_string(&path).expect("read file");
                    out.push(SourceFile {
                        path: rel.display().to_string(),
                        module,
                        text: library_text(&text),
                    });
                }
            }
        }
    }
    out
}

/// A line without its `//` comment (doc comments name modules they do not import).
fn code_of(line: &str) -> &str {
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// The names directly after `crate::` (and those inside `crate::{a, b::c}`), in order.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group: split on commas at brace depth 0.
            let mut depth = 0;
            let mut item = String::new();
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(leading_ident(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(ch);
            }
            out.push(leading_ident(&item));
        } else {
            out.push(leading_ident(rest));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn leading_ident(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Each `crate::` name a file's code uses, with the line it is on (1-based, in the library
/// text, which is the file's own numbering up to its first test item).
fn imports(file: &SourceFile) -> Vec<(usize, String)> {
    file.text
        .lines()
        .enumerate()
        .flat_map(|(i, line)| {
            crate_paths(code_of(line))
                .into_iter()
                .map(move |name| (i + 1, name))
        })
        .collect()
}

/// The top-level modules `lib.rs` declares (`pub mod kernel;`, `mod x;`), in order.
fn declared_modules(lib: &str) -> Vec<String> {
    lib.lines()
        .map(code_of)
        .map(str::trim)
        .filter_map(|l| {
            let l = l.strip_prefix("pub ").unwrap_or(l);
            let l = l.strip_prefix("pub(crate) ").unwrap_or(l);
            l.strip_prefix("mod ")
                .and_then(|m| m.strip_suffix(';'))
                .map(str::to_string)
        })
        .collect()
}

/// Tarjan's strongly connected components of a small graph, each with more than one module.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut scc = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    scc.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if scc.len() > 1 {
                    scc.sort();
                    self.out.push(scc);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.out
}

/// Which top-level module imports which (through `crate::` paths to a top-level module; a root
/// alias counts as the module it re-exports from, so an old tree is judged fairly too).
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = library_files(src);
    let lib = fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let modules: BTreeSet<String> = declared_modules(&lib).into_iter().collect();
    let aliases = root_aliases(&lib);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let deps = graph.entry(file.module.clone()).or_default();
        for (_, name) in imports(file) {
            let target = if modules.contains(&name) {
                Some(name)
            } else {
                aliases.get(&name).cloned()
            };
            if let Some(t) = target.filter(|t| *t != file.module) {
                deps.insert(t);
            }
        }
    }
    graph
}

/// `name -> top-level module` for the crate root's re-exports (`pub use error::{Error, ..}`,
/// `pub use model::notices as notify`).
fn root_aliases(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let code: String = lib.lines().map(code_of).collect::<Vec<_>>().join("\n");
    for stmt in code.split(';') {
        let stmt = stmt.trim();
        let Some(path) = stmt
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("pub use "))
            .and_then(|_| stmt.find("pub use ").map(|i| &stmt[i + "pub use ".len()..]))
        else {
            continue;
        };
        let module = leading_ident(path);
        let tail = &path[module.len()..];
        let names: Vec<String> = match (tail.find('{'), tail.rfind('}')) {
            (Some(a), Some(b)) => tail[a + 1..b]
                .split(',')
                .map(|n| last_name(n).to_string())
                .collect(),
            _ => vec![last_name(tail).to_string()],
        };
        for n in names.into_iter().filter(|n| !n.is_empty()) {
            map.insert(n, module.clone());
        }
    }
    map
}

/// `a::b as c` is `c`; `a::b` is `b`.
fn last_name(item: &str) -> &str {
    let item = item.trim();
    match item.rsplit_once(" as ") {
        Some((_, alias)) => alias.trim(),
        None => item.rsplit("::").next().unwrap_or("").trim(),
    }
}

#[test]
fn the_core_has_no_module_cycle() {
    let graph = module_graph(&src_dir());
    let found = cycles(&graph);
    let explain: Vec<String> = found
        .iter()
        .map(|scc| {
            let members: BTreeSet<&String> = scc.iter().collect();
            let edges: Vec<String> = scc
                .iter()
                .flat_map(|m| {
                    graph[m]
                        .iter()
                        .filter(|d| members.contains(d))
                        .map(move |d| format!("{m} -> {d}"))
                })
                .collect();
            format!("{{{}}}: {}", scc.join(", "), edges.join(", "))
        })
        .collect();
    assert!(
        found.is_empty(),
        "module cycles in core/src:\n{}",
        explain.join("\n")
    );
}

#[test]
fn each_layer_imports_only_the_layers_before_it() {
    let src = src_dir();
    let lib = fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let declared = declared_modules(&lib);
    assert_eq!(
        declared, LAYERS,
        "lib.rs must declare the layers, in their order, and nothing else"
    );
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut wrong = Vec::new();
    for file in library_files(&src) {
        let Some(own) = rank(&file.module) else {
            wrong.push(format!("{}: not under a layer", file.path));
            continue;
        };
        for (line, name) in imports(&file) {
            if let Some(target) = rank(&name).filter(|&t| t > own) {
                wrong.push(format!(
                    "{}:{line}: {} imports {}, a later layer",
                    file.path, LAYERS[own], LAYERS[target]
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "layer order broken:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_crate_names_canonical_paths_not_root_aliases() {
    let src = src_dir();
    let lib = fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let modules: BTreeSet<String> = declared_modules(&lib).into_iter().collect();
    let mut wrong = Vec::new();
    for file in library_files(&src) {
        for (line, name) in imports(&file) {
            if !modules.contains(&name) {
                wrong.push(format!("{}:{line}: crate::{name}", file.path));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "crate-root aliases used inside the crate (name the layer path):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn only_the_engine_implements_methods_on_engine() {
    let mut wrong = Vec::new();
    for file in library_files(&src_dir()) {
        if file.module == "engine" {
            continue;
        }
        for (i, line) in file.text.lines().enumerate() {
            let code = code_of(line).trim_start();
            if code.starts_with("impl")
                && code
                    .split_whitespace()
                    .any(|w| w == "Engine" || w.ends_with("::Engine"))
            {
                wrong.push(format!("{}:{}: {code}", file.path, i + 1));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "methods on Engine outside engine/:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_scanner_sees_imports_test_items_and_cycles() {
    // The scan must find what it looks for, or the tests above could never fail.
    let paths = crate_paths("use crate::a::B;\nuse crate::{c, d::{E, F}};\nlet x = crate::g(1);");
    assert_eq!(paths, ["a", "c", "d", "g"]);
    let aliases = root_aliases(
        "pub use error::{Error, ErrorKind};\npub use ids::actor::Actor;\npub use model::notices as notify;",
    );
    assert_eq!(aliases["ErrorKind"], "error");
    assert_eq!(aliases["Actor"], "ids");
    assert_eq!(aliases["notify"], "model");
    // Test items are dropped, and only they: code after a test module is still read.
    let text = "use crate::a::X;\n#[cfg(test)]\nmod tests {\n    use crate::b::Y;\n    fn f() { }\n}\n#[cfg(test)]\nmod spec;\nuse crate::c::Z;\n";
    let library = library_text(text);
    assert_eq!(crate_paths(&library), ["a", "c"]);
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(cycles(&graph), vec![vec!["a", "b", "c"]]);
    // And the real tree is seen: the write side imports the model, the model's aggregate file is
    // read past its first test item, and the spec harness is test-only.
    let src = src_dir();
    assert!(module_graph(&src)["write"].contains("model"));
    assert!(test_only_files(&src.join("write")).contains("spec.rs"));
    let files = library_files(&src);
    assert!(files.iter().all(|f| !f.path.ends_with("spec.rs")));
    let table = files
        .iter()
        .find(|f| f.path == "model/estate/table.rs")
        .expect("model/estate/table.rs");
    let whole = fs::read_to_string(src.join("model/estate/table.rs")).expect("read");
    assert!(whole.contains("mod tests {") && !table.text.contains("mod tests {"));
    assert!(table.text.contains("pub struct EstateTable"));
}
