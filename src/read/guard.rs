//! Third-party readers run inside [`catch`]: a panic in calamine (two files of the hostile
//! corpus make it panic) becomes an error that names the file, and the rest of the batch goes
//! on. While a guarded call runs on a thread, the panic hook stays quiet for that thread, so
//! a hostile file does not print a backtrace into a clerk's terminal.

use std::cell::Cell as StdCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static GUARDED: StdCell<bool> = const { StdCell::new(false) };
}

static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(|g| g.get()) {
                default(info);
            }
        }));
    });
}

/// Runs `f`; a panic inside becomes `Err(message)`.
///
/// Memory exhaustion is not a panic (the allocator aborts), which is why the readers check
/// sizes and cell counts *before* handing data to a library.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    let was = GUARDED.with(|g| g.replace(true));
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    r.map_err(|p| {
        if let Some(s) = p.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = p.downcast_ref::<String>() {
            s.clone()
        } else {
            "panic".to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn panics_become_errors() {
        let r: Result<(), String> = super::catch(|| panic!("boom {}", 1));
        assert_eq!(r.unwrap_err(), "boom 1");
        assert_eq!(super::catch(|| 7).unwrap(), 7);
    }
}
