//! `Tree`: what a value's `Serialize` said, kept as data, so a part of a
//! summary whose type only its family names (a family in a wasm chunk of
//! its own) can still be written out by the main module, byte for byte as
//! the typed value would have been.
//!
//! ```text
//!   family:  to_tree(&summary) ──► Tree   (the family's Serialize, run once)
//!   main:    Tree::serialize(s) ──► the same serializer calls, in order
//! ```
//! A `Tree` replays every call the value made (struct and field names,
//! enum variants, `Option`s, integer and float widths), so any serializer
//! (compact or pretty JSON) writes exactly what it would have written for
//! the value itself. Unlike `serde_json::Value` it keeps a struct's field
//! order and an `f32` as an `f32`.

use serde::ser::{self, Serialize, SerializeMap, SerializeSeq, SerializeStruct, Serializer};

/// A serialized value, as the calls that wrote it.
#[derive(Clone, Debug, PartialEq)]
pub enum Tree {
    Bool(bool),
    I64(i64),
    U64(u64),
    F32(f32),
    F64(f64),
    Char(char),
    Str(String),
    Bytes(Vec<u8>),
    None,
    Some(Box<Tree>),
    Unit,
    UnitStruct(&'static str),
    UnitVariant { name: &'static str, index: u32, variant: &'static str },
    NewtypeStruct(&'static str, Box<Tree>),
    NewtypeVariant { name: &'static str, index: u32, variant: &'static str, value: Box<Tree> },
    Seq(Vec<Tree>),
    Tuple(Vec<Tree>),
    TupleStruct(&'static str, Vec<Tree>),
    TupleVariant { name: &'static str, index: u32, variant: &'static str, fields: Vec<Tree> },
    Map(Vec<(Tree, Tree)>),
    Struct(&'static str, Vec<(&'static str, Tree)>),
    StructVariant { name: &'static str, index: u32, variant: &'static str, fields: Vec<(&'static str, Tree)> },
}

/// `value` as a [`Tree`]. Fails only where `value`'s own `Serialize` fails,
/// or for 128-bit integers (which nothing here writes).
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
        use ser::{SerializeStructVariant, SerializeTuple, SerializeTupleStruct, SerializeTupleVariant};
        match self {
            Tree::Bool(v) => s.serialize_bool(*v),
            Tree::I64(v) => s.serialize_i64(*v),
            Tree::U64(v) => s.serialize_u64(*v),
            Tree::F32(v) => s.serialize_f32(*v),
            Tree::F64(v) => s.serialize_f64(*v),
            Tree::Char(v) => s.serialize_char(*v),
            Tree::Str(v) => s.serialize_str(v),
            Tree::Bytes(v) => s.serialize_bytes(v),
            Tree::None => s.serialize_none(),
            Tree::Some(v) => s.serialize_some(v),
            Tree::Unit => s.serialize_unit(),
            Tree::UnitStruct(name) => s.serialize_unit_struct(name),
            Tree::UnitVariant { name, index, variant } => s.serialize_unit_variant(name, *index, variant),
            Tree::NewtypeStruct(name, v) => s.serialize_newtype_struct(name, v),
            Tree::NewtypeVariant { name, index, variant, value } => {
                s.serialize_newtype_variant(name, *index, variant, value)
            }
            Tree::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                items.iter().try_for_each(|v| seq.serialize_element(v))?;
                seq.end()
            }
            Tree::Tuple(items) => {
                let mut t = s.serialize_tuple(items.len())?;
                items.iter().try_for_each(|v| t.serialize_element(v))?;
                t.end()
            }
            Tree::TupleStruct(name, items) => {
                let mut t = s.serialize_tuple_struct(name, items.len())?;
                items.iter().try_for_each(|v| t.serialize_field(v))?;
                t.end()
            }
            Tree::TupleVariant { name, index, variant, fields } => {
                let mut t = s.serialize_tuple_variant(name, *index, variant, fields.len())?;
                fields.iter().try_for_each(|v| t.serialize_field(v))?;
                t.end()
            }
            Tree::Map(entries) => {
                let mut m = s.serialize_map(Some(entries.len()))?;
                entries.iter().try_for_each(|(k, v)| m.serialize_entry(k, v))?;
                m.end()
            }
            Tree::Struct(name, fields) => {
                let mut st = s.serialize_struct(name, fields.len())?;
                fields.iter().try_for_each(|(k, v)| st.serialize_field(k, v))?;
                st.end()
            }
            Tree::StructVariant { name, index, variant, fields } => {
                let mut st = s.serialize_struct_variant(name, *index, variant, fields.len())?;
                fields.iter().try_for_each(|(k, v)| st.serialize_field(k, v))?;
                st.end()
            }
        }
    }
}

/// Builds a [`Tree`] from a value's serializer calls.
struct TreeSerializer;

/// A sequence, tuple or struct being built; `head` says which.
struct Collect<H, V> {
    head: H,
    items: Vec<V>,
}

/// A map being built: the entries so far and a key awaiting its value.
struct CollectMap {
    entries: Vec<(Tree, Tree)>,
    key: Option<Tree>,
}

type Variant = (&'static str, u32, &'static str);

impl Serializer for TreeSerializer {
    type Ok = Tree;
    type Error = TreeError;
    type SerializeSeq = Collect<(), Tree>;
    type SerializeTuple = Collect<(), Tree>;
    type SerializeTupleStruct = Collect<&'static str, Tree>;
    type SerializeTupleVariant = Collect<Variant, Tree>;
    type SerializeMap = CollectMap;
    type SerializeStruct = Collect<&'static str, (&'static str, Tree)>;
    type SerializeStructVariant = Collect<Variant, (&'static str, Tree)>;

    fn serialize_bool(self, v: bool) -> Result<Tree, TreeError> {
        Ok(Tree::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Tree, TreeError> {
        Ok(Tree::I64(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Tree, TreeError> {
        Ok(Tree::I64(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Tree, TreeError> {
        Ok(Tree::I64(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Tree, TreeError> {
        Ok(Tree::I64(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Tree, TreeError> {
        Ok(Tree::U64(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Tree, TreeError> {
        Ok(Tree::U64(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Tree, TreeError> {
        Ok(Tree::U64(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Tree, TreeError> {
        Ok(Tree::U64(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Tree, TreeError> {
        Ok(Tree::F32(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Tree, TreeError> {
        Ok(Tree::F64(v))
    }
    fn serialize_char(self, v: char) -> Result<Tree, TreeError> {
        Ok(Tree::Char(v))
    }
    fn serialize_str(self, v: &str) -> Result<Tree, TreeError> {
        Ok(Tree::Str(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Tree, TreeError> {
        Ok(Tree::Bytes(v.to_vec()))
    }
    fn serialize_none(self) -> Result<Tree, TreeError> {
        Ok(Tree::None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Tree, TreeError> {
        Ok(Tree::Some(Box::new(to_tree(v)?)))
    }
    fn serialize_unit(self) -> Result<Tree, TreeError> {
        Ok(Tree::Unit)
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<Tree, TreeError> {
        Ok(Tree::UnitStruct(name))
    }
    fn serialize_unit_variant(self, name: &'static str, index: u32, variant: &'static str) -> Result<Tree, TreeError> {
        Ok(Tree::UnitVariant { name, index, variant })
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, v: &T) -> Result<Tree, TreeError> {
        Ok(Tree::NewtypeStruct(name, Box::new(to_tree(v)?)))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Tree, TreeError> {
        Ok(Tree::NewtypeVariant { name, index, variant, value: Box::new(to_tree(v)?) })
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, TreeError> {
        Ok(Collect { head: (), items: Vec::with_capacity(len.unwrap_or(0)) })
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, TreeError> {
        Ok(Collect { head: (), items: Vec::with_capacity(len) })
    }
    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<Self::SerializeTupleStruct, TreeError> {
        Ok(Collect { head: name, items: Vec::with_capacity(len) })
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, TreeError> {
        Ok(Collect { head: (name, index, variant), items: Vec::with_capacity(len) })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, TreeError> {
        Ok(CollectMap { entries: Vec::with_capacity(len.unwrap_or(0)), key: None })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Self::SerializeStruct, TreeError> {
        Ok(Collect { head: name, items: Vec::with_capacity(len) })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, TreeError> {
        Ok(Collect { head: (name, index, variant), items: Vec::with_capacity(len) })
    }
}

impl SerializeSeq for Collect<(), Tree> {
    type Ok = Tree;
    type Error = TreeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), TreeError> {
        self.items.push(to_tree(v)?);
        Ok(())
    }
    fn end(self) -> Result<Tree, TreeError> {
        Ok(Tree::Seq(self.items))
    }
}

impl ser::SerializeTuple for Collect<(), Tree> {
    type Ok = Tree;
    type Error = TreeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), TreeError> {
        self.items.push(to_tree(v)?);
        Ok(())
    }
    fn end(self) -> Result<Tree, TreeError> {
        Ok(Tree::Tuple(self.items))
    }
}

impl ser::SerializeTupleStruct for Collect<&'static str, Tree> {
    type Ok = Tree;
    type Error = TreeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), TreeError> {
        self.items.push(to_tree(v)?);
        Ok(())
    }
    fn end(self) -> Result<Tree, TreeError> {
        Ok(Tree::TupleStruct(self.head, self.items))
    }
}

impl ser::SerializeTupleVariant for Collect<Variant, Tree> {
    type Ok = Tree;
    type Error = TreeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), TreeError> {
        self.items.push(to_tree(v)?);
        Ok(())
    }
    fn end(self) -> Result<Tree, TreeError> {
        let (name, index, variant) = self.head;
        Ok(Tree::TupleVariant { name, index, variant, fields: self.items })
    }
}

impl SerializeMap for CollectMap {
    type Ok = Tree;
    type Error = TreeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), TreeError> {
        self.key = Some(to_tree(k)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), TreeError> {
        let k = self.key.take().ok_or_else(|| TreeError("a map value came without its key".into()))?;
        self.entries.push((k, to_tree(v)?));
        Ok(())
    }
    fn end(self) -> Result<Tree, TreeError> {
        Ok(Tree::Map(self.entries))
    }
}

impl SerializeStruct for Collect<&'static str, (&'static str, Tree)> {
    type Ok = Tree;
    type Error = TreeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), TreeError> {
        self.items.push((key, to_tree(v)?));
        Ok(())
    }
    fn end(self) -> Result<Tree, TreeError> {
        Ok(Tree::Struct(self.head, self.items))
    }
}

impl ser::SerializeStructVariant for Collect<Variant, (&'static str, Tree)> {
    type Ok = Tree;
    type Error = TreeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), TreeError> {
        self.items.push((key, to_tree(v)?));
        Ok(())
    }
    fn end(self) -> Result<Tree, TreeError> {
        let (name, index, variant) = self.head;
        Ok(Tree::StructVariant { name, index, variant, fields: self.items })
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
        Named { a: f32, b: Option<bool> },
    }

    #[derive(Serialize)]
    struct Unit;

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
        small: f32,
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
        // Field order as declared (a serde_json::Value would sort it), and
        // the f32 as an f32 (0.1, not 0.10000000149011612).
        let text = serde_json::to_string(&tree).unwrap();
        assert!(
            text.starts_with(
                r#"{"zeta":18446744073709551615,"alpha":0.14182395539999793,"kept_none":null,"small":0.1,"#
            ),
            "{text}"
        );
    }

    #[test]
    fn a_tree_keeps_the_calls_not_just_the_text() {
        let tree = to_tree(&vec![Some(Mode::Hash), None]).unwrap();
        assert_eq!(
            tree,
            Tree::Seq(vec![
                Tree::Some(Box::new(Tree::UnitVariant { name: "Mode", index: 0, variant: "hash" })),
                Tree::None,
            ])
        );
        assert_eq!(to_tree(&1u128).unwrap_err().to_string(), "u128 is not supported");
    }
}
