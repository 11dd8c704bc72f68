//! The core's modules import one way: no top-level module depends, through any chain of
//! `crate::` paths, on a module that depends back on it. The test reads the source, so a new
//! cycle fails `scripts/test` and names the modules that form it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// The modules a directory declares under `#[cfg(test)]` (test-only files, e.g. a harness).
fn test_only_modules(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for name in ["mod.rs", "lib.rs"] {
        let Ok(text) = fs::read_to_string(dir.join(name)) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for pair in lines.windows(2) {
            if pair[0] == "#[cfg(test)]" {
                let decl = pair[1].trim_end_matches(';');
                if let Some(m) = decl.rsplit(' ').next().filter(|_| decl.contains("mod ")) {
                    out.insert(format!("{m}.rs"));
                }
            }
        }
    }
    out
}

/// The top-level module each `.rs` file under `src/` belongs to (`src/state/apply.rs` is
/// `state`); `lib.rs` is the crate root and is left out (it only declares and re-exports).
/// Test code is not the library: test-only files are left out, and so is every file's text
/// from its first `#[cfg(test)]` on (test modules close their files).
fn module_files(src: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let test_only = test_only_modules(&dir);
        for entry in fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            let file = path.file_name().map(|f| f.to_string_lossy().to_string());
            if file.is_some_and(|f| test_only.contains(&f)) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src).expect("under src");
                let first = rel.components().next().expect("a component");
                let name = first.as_os_str().to_string_lossy();
                let module = name.trim_end_matches(".rs").to_string();
                if module != "lib" {
                    let text = fs::read_to_string(&path).expect("read file");
                    let library = text.split("#[cfg(test)]").next().unwrap_or_default();
                    out.push((module, library.to_string()));
                }
            }
        }
    }
    out
}

/// Source text without `//` comments (doc comments name modules they do not import).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
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

/// `name -> module` for the crate root's re-exports (`pub use error::{Error, ...}`).
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let code = code_of(lib);
    for stmt in code.split(';') {
        let stmt = stmt.trim();
        let Some(path) = stmt.strip_prefix("pub use ") else {
            continue;
        };
        let module = leading_ident(path);
        let tail = &path[module.len()..];
        let names: Vec<String> = match (tail.find('{'), tail.rfind('}')) {
            (Some(a), Some(b)) => tail[a + 1..b]
                .split(',')
                .map(|n| n.rsplit("::").next().unwrap_or("").trim().to_string())
                .collect(),
            _ => vec![tail.rsplit("::").next().unwrap_or("").trim().to_string()],
        };
        for n in names.into_iter().filter(|n| !n.is_empty()) {
            map.insert(n, module.clone());
        }
    }
    map
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

/// Which module imports which, with the file text that shows each edge (for the message).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = module_files(&src);
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let reexports = root_reexports(&fs::read_to_string(src.join("lib.rs")).expect("lib.rs"));
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &files {
        let deps = graph.entry(module.clone()).or_default();
        for name in crate_paths(&code_of(text)) {
            let target = if modules.contains(&name) {
                Some(name)
            } else {
                reexports.get(&name).cloned()
            };
            if let Some(t) = target.filter(|t| t != module) {
                deps.insert(t);
            }
        }
    }
    graph
}

#[test]
fn the_core_has_no_module_cycle() {
    let graph = module_graph();
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
fn the_scanner_sees_imports_and_cycles() {
    // The scan must find what it looks for, or the test above could never fail.
    let paths = crate_paths("use crate::a::B;\nuse crate::{c, d::{E, F}};\nlet x = crate::g(1);");
    assert_eq!(paths, ["a", "c", "d", "g"]);
    let reexports = root_reexports("pub use error::{Error, ErrorKind};\npub use actor::Actor;");
    assert_eq!(reexports["ErrorKind"], "error");
    assert_eq!(reexports["Actor"], "actor");
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
    // And the real graph is not empty: the core's modules do import each other; the test-only
    // harness is seen as such (it may use the engine; the library's state may not).
    assert!(module_graph()["state"].contains("estate"));
    let state = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/state");
    assert!(test_only_modules(&state).contains("spec.rs"));
}
