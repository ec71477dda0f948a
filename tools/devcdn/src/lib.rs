//! devcdn
