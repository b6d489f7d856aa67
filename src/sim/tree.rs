//! `Tree`: a value as the JSON it serializes to, kept as data, so a part
//! of a summary whose type only its family names (a family in a wasm chunk
//! of its own) can still be written out by the main module, byte for byte
//! as the typed value would have been.
//!
//! ```text
//!   family:  to_tree(&summary) ──► Tree   (its own Serialize, when a summary is written)
//!   main:    Tree::serialize(s) ──► the JSON serde_json writes for the value
//! ```
//! Why not `serde_json::Value`: without serde_json's `preserve_order` it
//! sorts an object's keys (the golden files keep struct order), and that
//! feature would change the order of every `Value` in the program (input
//! fields, the chunk kinds' specs); and it too writes an f32 as an f64.
//! It is JSON's data model (null, bool, integer, f64, string, array,
//! object) with what `serde_json::Value` loses: an object keeps the order
//! its fields were written in (a struct's declaration order). Enums,
//! tuples, `Option`s and newtypes become what serde_json makes of them. Only
//! this data model, not every serializer call, so that writing a tree pulls
//! little of serde_json's code into the browser's download.
//!
//! It refuses what it could not write back byte for byte: an `f32`
//! (serde_json writes f32s and f64s with different exponent thresholds:
//! `1e13f32` is `1e+13`, `1e13f64` is `10000000000000.0`), a float map key,
//! and 128-bit integers. A summary uses f64.

use serde::ser::{self, Impossible, Serialize, SerializeMap, SerializeSeq, Serializer};

/// A serialized value in JSON's data model, objects in written order.
#[derive(Clone, Debug, PartialEq)]
pub enum Tree {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(String),
    Seq(Vec<Tree>),
    Map(Vec<(String, Tree)>),
}

/// `value` as a [`Tree`]. Fails where `value`'s own `Serialize` fails, for
/// an `f32` or a 128-bit integer, and for a map key that is not a string,
/// a char, an integer, a bool, a unit variant or a newtype or `Some` of one.
pub fn to_tree<T: Serialize + ?Sized>(value: &T) -> Result<Tree, TreeError> {
    value.serialize(TreeSerializer)
}

/// Why a value could not become a [`Tree`].
#[derive(Clone, Debug, PartialEq)]
pub struct TreeError(String);

impl std::fmt::Display for TreeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TreeError {}

impl ser::Error for TreeError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        TreeError(msg.to_string())
    }
}

impl Serialize for Tree {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Tree::Null => s.serialize_unit(),
            Tree::Bool(v) => s.serialize_bool(*v),
            Tree::I64(v) => s.serialize_i64(*v),
            Tree::U64(v) => s.serialize_u64(*v),
            Tree::F64(v) => s.serialize_f64(*v),
            Tree::Str(v) => s.serialize_str(v),
            Tree::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                items.iter().try_for_each(|v| seq.serialize_element(v))?;
                seq.end()
            }
            Tree::Map(entries) => {
                let mut m = s.serialize_map(Some(entries.len()))?;
                entries.iter().try_for_each(|(k, v)| m.serialize_entry(k.as_str(), v))?;
                m.end()
            }
        }
    }
}

/// Builds a [`Tree`] from a value's serializer calls.
struct TreeSerializer;

/// An array being built (sequences, tuples, tuple structs); for a tuple
/// variant, the variant's name (written as `{"variant": [...]}`).
struct Items {
    variant: Option<&'static str>,
    items: Vec<Tree>,
}

/// An object being built (maps, structs); for a struct variant, the
/// variant's name (written as `{"variant": {...}}`); a key awaiting its value.
struct Entries {
    variant: Option<&'static str>,
    entries: Vec<(String, Tree)>,
    key: Option<String>,
}

fn wrap(variant: Option<&'static str>, value: Tree) -> Tree {
    match variant {
        Some(v) => Tree::Map(vec![(v.to_owned(), value)]),
        None => value,
    }
}

/// Methods for the scalars a `Tree` keeps as they are (integers widened).
macro_rules! scalars {
    ($($method:ident: $t:ty => $variant:ident),*) => {$(
        fn $method(self, v: $t) -> Result<Tree, TreeError> {
            Ok(Tree::$variant(v.into()))
        }
    )*};
}

impl Serializer for TreeSerializer {
    type Ok = Tree;
    type Error = TreeError;
    type SerializeSeq = Items;
    type SerializeTuple = Items;
    type SerializeTupleStruct = Items;
    type SerializeTupleVariant = Items;
    type SerializeMap = Entries;
    type SerializeStruct = Entries;
    type SerializeStructVariant = Entries;

    scalars!(serialize_bool: bool => Bool, serialize_i8: i8 => I64, serialize_i16: i16 => I64, serialize_i32: i32 => I64,
        serialize_i64: i64 => I64, serialize_u8: u8 => U64, serialize_u16: u16 => U64, serialize_u32: u32 => U64,
        serialize_u64: u64 => U64, serialize_f64: f64 => F64);
    /// Refused: as an f64 it would be written with f64's exponent rule.
    fn serialize_f32(self, v: f32) -> Result<Tree, TreeError> {
        Err(TreeError(format!("an f32 ({v}) is not supported: use f64")))
    }
    fn serialize_char(self, v: char) -> Result<Tree, TreeError> {
        Ok(Tree::Str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Tree, TreeError> {
        Ok(Tree::Str(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Tree, TreeError> {
        Ok(Tree::Seq(v.iter().map(|&b| Tree::U64(b.into())).collect()))
    }
    fn serialize_none(self) -> Result<Tree, TreeError> {
        Ok(Tree::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Tree, TreeError> {
        to_tree(v)
    }
    fn serialize_unit(self) -> Result<Tree, TreeError> {
        Ok(Tree::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Tree, TreeError> {
        Ok(Tree::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Tree, TreeError> {
        Ok(Tree::Str(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, v: &T) -> Result<Tree, TreeError> {
        to_tree(v)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Tree, TreeError> {
        Ok(wrap(Some(variant), to_tree(v)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Items, TreeError> {
        Ok(Items { variant: None, items: Vec::with_capacity(len.unwrap_or(0)) })
    }
    fn serialize_tuple(self, len: usize) -> Result<Items, TreeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Items, TreeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Items, TreeError> {
        Ok(Items { variant: Some(variant), items: Vec::with_capacity(len) })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Entries, TreeError> {
        Ok(Entries { variant: None, entries: Vec::with_capacity(len.unwrap_or(0)), key: None })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Entries, TreeError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Entries, TreeError> {
        Ok(Entries { variant: Some(variant), entries: Vec::with_capacity(len), key: None })
    }
}

impl SerializeSeq for Items {
    type Ok = Tree;
    type Error = TreeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), TreeError> {
        self.items.push(to_tree(v)?);
        Ok(())
    }
    fn end(self) -> Result<Tree, TreeError> {
        Ok(wrap(self.variant, Tree::Seq(self.items)))
    }
}

/// Tuples, tuple structs and tuple variants are arrays, as sequences are.
macro_rules! items_as_seq {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Items {
            type Ok = Tree;
            type Error = TreeError;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), TreeError> {
                SerializeSeq::serialize_element(self, v)
            }
            fn end(self) -> Result<Tree, TreeError> {
                SerializeSeq::end(self)
            }
        }
    )*};
}

items_as_seq!(
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl SerializeMap for Entries {
    type Ok = Tree;
    type Error = TreeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), TreeError> {
        self.key = Some(k.serialize(KeySerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), TreeError> {
        let k = self.key.take().ok_or_else(|| TreeError("a map value came without its key".into()))?;
        self.entries.push((k, to_tree(v)?));
        Ok(())
    }
    fn end(self) -> Result<Tree, TreeError> {
        Ok(wrap(self.variant, Tree::Map(self.entries)))
    }
}

impl ser::SerializeStruct for Entries {
    type Ok = Tree;
    type Error = TreeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), TreeError> {
        self.entries.push((key.to_owned(), to_tree(v)?));
        Ok(())
    }
    fn end(self) -> Result<Tree, TreeError> {
        SerializeMap::end(self)
    }
}

impl ser::SerializeStructVariant for Entries {
    type Ok = Tree;
    type Error = TreeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), TreeError> {
        ser::SerializeStruct::serialize_field(self, key, v)
    }
    fn end(self) -> Result<Tree, TreeError> {
        SerializeMap::end(self)
    }
}

/// A map key as the text JSON writes in quotes: a string as it is, an
/// integer or a bool in decimal or as `true`/`false` (serde_json's rule).
struct KeySerializer;

fn not_a_key() -> TreeError {
    TreeError("a map key must be a string, a char, an integer or a bool".into())
}

/// Key methods: scalars JSON writes as text in quotes, and the ones it refuses.
macro_rules! key_as_text {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<String, TreeError> {
            Ok(v.to_string())
        }
    )*};
}

macro_rules! not_a_key {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, _v: $t) -> Result<String, TreeError> {
            Err(not_a_key())
        }
    )*};
}

impl Serializer for KeySerializer {
    type Ok = String;
    type Error = TreeError;
    type SerializeSeq = Impossible<String, TreeError>;
    type SerializeTuple = Impossible<String, TreeError>;
    type SerializeTupleStruct = Impossible<String, TreeError>;
    type SerializeTupleVariant = Impossible<String, TreeError>;
    type SerializeMap = Impossible<String, TreeError>;
    type SerializeStruct = Impossible<String, TreeError>;
    type SerializeStructVariant = Impossible<String, TreeError>;

    key_as_text!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_char: char);
    not_a_key!(serialize_f32: f32, serialize_f64: f64, serialize_bytes: &[u8]);
    fn serialize_str(self, v: &str) -> Result<String, TreeError> {
        Ok(v.to_owned())
    }
    fn serialize_none(self) -> Result<String, TreeError> {
        Err(not_a_key())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<String, TreeError> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<String, TreeError> {
        Err(not_a_key())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<String, TreeError> {
        Err(not_a_key())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, TreeError> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, v: &T) -> Result<String, TreeError> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _v: &T,
    ) -> Result<String, TreeError> {
        Err(not_a_key())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, TreeError> {
        Err(not_a_key())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, TreeError> {
        Err(not_a_key())
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeTupleStruct, TreeError> {
        Err(not_a_key())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, TreeError> {
        Err(not_a_key())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, TreeError> {
        Err(not_a_key())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct, TreeError> {
        Err(not_a_key())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, TreeError> {
        Err(not_a_key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Mode {
        Hash,
        AnyNode,
        Weighted(u32),
        Pair(u8, i16),
        Named { a: f64, b: Option<bool> },
    }

    #[derive(Serialize)]
    struct Unit;

    /// A map whose key is a float (no `Ord` for a `BTreeMap` of them).
    struct FloatKeys;

    impl Serialize for FloatKeys {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut m = s.serialize_map(Some(1))?;
            m.serialize_entry(&1.5f64, &1)?;
            m.end()
        }
    }

    #[derive(Serialize)]
    struct Id(u64);

    #[derive(Serialize)]
    struct Tuple(char, String);

    /// Every shape serde has, with the attributes the summaries use.
    #[derive(Serialize)]
    struct Everything {
        zeta: u64,
        alpha: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u32>,
        kept_none: Option<u32>,
        small: f64,
        negative: i32,
        modes: Vec<Mode>,
        by_name: BTreeMap<String, (u8, bool)>,
        by_number: BTreeMap<u32, &'static str>,
        unit: (),
        unit_struct: Unit,
        id: Id,
        tuple: Tuple,
        bytes: serde_bytes_like::Bytes,
        #[serde(flatten)]
        extra: BTreeMap<&'static str, f64>,
    }

    /// `serialize_bytes` without a crate for it.
    mod serde_bytes_like {
        pub struct Bytes(pub Vec<u8>);
        impl serde::Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&self.0)
            }
        }
    }

    fn everything() -> Everything {
        Everything {
            zeta: u64::MAX,
            alpha: 0.141_823_955_399_997_93,
            skipped: None,
            kept_none: None,
            small: 0.1,
            negative: -7,
            modes: vec![
                Mode::Hash,
                Mode::AnyNode,
                Mode::Weighted(3),
                Mode::Pair(1, -2),
                Mode::Named { a: 1.5, b: Some(true) },
            ],
            by_name: [("shard-10".to_string(), (1, true)), ("shard-2".to_string(), (2, false))].into(),
            by_number: [(10, "ten"), (2, "two")].into(),
            unit: (),
            unit_struct: Unit,
            id: Id(42),
            tuple: Tuple('é', "quote \" and \\ slash".into()),
            bytes: serde_bytes_like::Bytes(vec![0, 255]),
            extra: [("hits", 3.0), ("hit_ratio", 0.25)].into(),
        }
    }

    #[test]
    fn a_tree_writes_exactly_what_the_value_writes() {
        let v = everything();
        let tree = to_tree(&v).unwrap();
        assert_eq!(serde_json::to_string(&tree).unwrap(), serde_json::to_string(&v).unwrap());
        assert_eq!(serde_json::to_string_pretty(&tree).unwrap(), serde_json::to_string_pretty(&v).unwrap());
        // Field order as declared (a serde_json::Value would sort it).
        let text = serde_json::to_string(&tree).unwrap();
        assert!(
            text.starts_with(
                r#"{"zeta":18446744073709551615,"alpha":0.14182395539999793,"kept_none":null,"small":0.1,"#
            ),
            "{text}"
        );
    }

    #[test]
    fn a_tree_is_json_with_objects_in_written_order() {
        let tree = to_tree(&vec![Some(Mode::Hash), None, Some(Mode::Weighted(3))]).unwrap();
        assert_eq!(
            tree,
            Tree::Seq(vec![Tree::Str("hash".into()), Tree::Null, Tree::Map(vec![("weighted".into(), Tree::U64(3))]),])
        );
        // Keys as JSON writes them, `Some` of one too.
        let keys = to_tree(&BTreeMap::from([(2u8, 'x'), (10, 'y')])).unwrap();
        assert_eq!(keys, Tree::Map(vec![("2".into(), Tree::Str("x".into())), ("10".into(), Tree::Str("y".into()))]));
        let some_keys = BTreeMap::from([(Some(1u32), 2u32)]);
        assert_eq!(
            serde_json::to_string(&to_tree(&some_keys).unwrap()).unwrap(),
            serde_json::to_string(&some_keys).unwrap()
        );
        let text = |t: Tree| serde_json::to_string(&t).unwrap();
        assert_eq!(text(to_tree(&[f64::NAN, f64::INFINITY, 1e-7, 1e16, -0.0]).unwrap()), "[null,null,1e-7,1e+16,-0.0]");
        // Refused, with a reason, rather than written differently.
        assert_eq!(to_tree(&1u128).unwrap_err().to_string(), "u128 is not supported");
        assert_eq!(to_tree(&1e13f32).unwrap_err().to_string(), "an f32 (10000000000000) is not supported: use f64");
        assert!(to_tree(&BTreeMap::from([(1u8, 0.5f32)])).is_err());
        let float_key = to_tree(&FloatKeys).unwrap_err().to_string();
        assert_eq!(float_key, "a map key must be a string, a char, an integer or a bool");
    }
}
