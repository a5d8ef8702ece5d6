pub mod assess;
pub mod class;
pub mod data;
pub mod learners;
pub mod packs;
pub mod study;
pub mod words;
