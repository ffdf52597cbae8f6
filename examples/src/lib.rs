//! The dynatomic examples live in this folder; this library holds nothing but their shared documentation.
