//! serde values <-> Python objects (dict, list, str, int, float, bool, None), so that
//! commands go in and events and views come out as plain Python data without a JSON string.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

use crate::errors::invalid_input;

pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// How deep a value from Python may nest. Every command's JSON form is a few levels deep; the
/// bound keeps a hostile value from exhausting the native stack.
pub const MAX_DEPTH: usize = 32;

pub fn from_py(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    from_py_at(obj, path, 0)
}

/// A Python `str` as Rust text: one with a lone surrogate is not Unicode text, and is an
/// `InvalidInputError` naming the field, not a `UnicodeEncodeError`.
pub fn text_of<'a>(s: &'a Bound<'_, PyString>, path: &str) -> PyResult<&'a str> {
    s.to_str()
        .map_err(|_| invalid_input(path, "not valid Unicode text (it holds a lone surrogate)"))
}

fn from_py_at(obj: &Bound<'_, PyAny>, path: &str, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(invalid_input(
            path,
            format!("nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    let from_py = |o: &Bound<'_, PyAny>, p: &str| from_py_at(o, p, depth + 1);
    if obj.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = obj.cast::<PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if obj.is_instance_of::<PyInt>() {
        let i: i64 = obj
            .extract()
            .map_err(|_| invalid_input(path, "integer out of range"))?;
        Ok(Value::Number(i.into()))
    } else if let Ok(f) = obj.cast::<PyFloat>() {
        Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| invalid_input(path, "not a finite number"))
    } else if let Ok(s) = obj.cast::<PyString>() {
        Ok(Value::String(text_of(s, path)?.to_owned()))
    } else if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key = match k.cast::<PyString>() {
                Ok(k) => text_of(k, path)?.to_owned(),
                Err(_) => return Err(invalid_input(path, "dictionary keys must be strings")),
            };
            let value = from_py(&v, &format!("{path}.{key}"))?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            items.push(from_py(&item?, &format!("{path}[{i}]"))?);
        }
        Ok(Value::Array(items))
    } else {
        Err(invalid_input(
            path,
            format!("cannot use a {} here", obj.get_type().name()?),
        ))
    }
}
