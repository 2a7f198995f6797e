//! A panic in a dependency (mrml, minijinja, html5ever, fluent) must never take the process
//! down: every public entry point that renders runs through [`contained`], which turns a
//! panic into an `internal-error` diagnostic for the file being rendered.

use crate::diagnostic::{Code, Diagnostic, Location};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `f`; a panic inside it becomes an `internal-error` diagnostic at `file`.
///
/// `AssertUnwindSafe` is sound here: what `f` mutates is per render (its output, its scope);
/// the engine's shared state is immutable after loading, or behind caches that a half-done
/// render can only leave less full.
pub(crate) fn contained<T>(file: &str, f: impl FnOnce() -> T) -> Result<T, Diagnostic> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| internal_error(file, &*payload))
}

fn internal_error(file: &str, payload: &(dyn std::any::Any + Send)) -> Diagnostic {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    Diagnostic::error(
        Code::InternalError,
        format!(
            "internal error while rendering {file}: {message} (this is a bug in Letterpress or \
             a library it uses, not in your template; please report it with this file)"
        ),
        Some(Location::start_of(file)),
    )
}

/// Registers the test-only template function `__letterpress_test_panic(message)`, which
/// panics: the tests prove with it that a panic anywhere inside a render is contained.
/// Compiled only with the `test-hooks` feature, which only dev-dependencies enable.
#[cfg(feature = "test-hooks")]
pub(crate) fn install_test_hooks(env: &mut minijinja::Environment<'static>) {
    env.add_function("__letterpress_test_panic", |message: String| -> String {
        panic!("{message}")
    });
}
