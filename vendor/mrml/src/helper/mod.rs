#[cfg(feature = "render")]
pub mod size;
#[cfg(feature = "render")]
pub mod sort;
#[cfg(feature = "render")]
pub mod spacing;
#[cfg(feature = "render")]
pub mod style;
