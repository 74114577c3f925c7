//! The bytes the page and the database worker exchange: a compact binary form of the same
//! serde types both sides share (one module runs on both sides, so the layout is always the
//! same on both ends).
//!
//! Why not JSON: every type the worker sends was decoded on the page by serde_json's
//! self-describing path (field names matched as text, fields in any order, arrays accepted
//! for structs), monomorphised per answer type. Here a struct is its fields in order, an enum
//! its variant index and then its content, so each type's decoder is a straight sequence of
//! reads. It cut 45 KB (gzip) of the download against JSON (docs/viewer.md, "Size and speed").
//!
//! The form (little-endian): `bool` and `u8`/`i8` one byte; other integers eight bytes
//! (`u64`/`i64`); floats eight bytes (`f64`); `char` four bytes; strings and bytes a `u32`
//! length and the bytes; `Option` a byte 0/1 and the value; sequences and maps a `u32` count
//! and the elements; tuples and structs their fields in order; enums a `u32` variant index and
//! the variant's content.
//!
//! What it cannot carry, and says so instead of garbling: types that need a self-describing
//! format (`#[serde(flatten)]`, `untagged`, internally and adjacently tagged enums,
//! `serde_json::Value`) and skipped fields (`skip_serializing_if`), whose absence a reader
//! could not tell.

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::ser::{self, Serialize};
use std::fmt;

/// What went wrong encoding or decoding.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

type Result<T> = std::result::Result<T, Error>;

fn unsupported<T>(what: &str) -> Result<T> {
    Err(Error(format!(
        "{what} cannot travel between the page and the worker"
    )))
}

/// Encodes `value`.
pub fn to_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    let mut out = Encoder { buf: Vec::new() };
    value.serialize(&mut out)?;
    Ok(out.buf)
}

/// Decodes what [`to_bytes`] made; every byte must be used.
pub fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let mut d = Decoder { buf: bytes };
    let v = T::deserialize(&mut d)?;
    if d.buf.is_empty() {
        Ok(v)
    } else {
        Err(Error(format!("{} bytes left over", d.buf.len())))
    }
}

struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, v: &[u8]) -> Result<()> {
        self.len(v.len())?;
        self.buf.extend_from_slice(v);
        Ok(())
    }
    fn len(&mut self, n: usize) -> Result<()> {
        match u32::try_from(n) {
            Ok(n) => {
                self.u32(n);
                Ok(())
            }
            Err(_) => unsupported("a length over 4 GiB"),
        }
    }
    /// A count written when the elements are done: where it goes, and how many so far.
    fn open_count(&mut self) -> Counted<'_> {
        let at = self.buf.len();
        self.u32(0);
        Counted {
            enc: self,
            at,
            n: 0,
        }
    }
}

struct Counted<'a> {
    enc: &'a mut Encoder,
    at: usize,
    n: u32,
}

impl Counted<'_> {
    fn close(self) -> Result<()> {
        self.enc.buf[self.at..self.at + 4].copy_from_slice(&self.n.to_le_bytes());
        Ok(())
    }
}

impl<'a> ser::Serializer for &'a mut Encoder {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Counted<'a>;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Counted<'a>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.buf.push(v as u8);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        self.buf.push(v as u8);
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        self.u64(v as i64 as u64);
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        self.u64(v as i64 as u64);
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        self.u64(v as u64);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        self.buf.push(v);
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<()> {
        self.u64(v as u64);
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<()> {
        self.u64(v as u64);
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<()> {
        self.u64(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.u64((v as f64).to_bits());
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        self.u64(v.to_bits());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<()> {
        self.u32(v as u32);
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<()> {
        self.bytes(v.as_bytes())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        self.bytes(v)
    }
    fn serialize_none(self) -> Result<()> {
        self.buf.push(0);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        self.buf.push(1);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<()> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, index: u32, _: &'static str) -> Result<()> {
        self.u32(index);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        value: &T,
    ) -> Result<()> {
        self.u32(index);
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Counted<'a>> {
        Ok(self.open_count())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self> {
        self.u32(index);
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Counted<'a>> {
        Ok(self.open_count())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self> {
        self.u32(index);
        Ok(self)
    }
    fn is_human_readable(&self) -> bool {
        false
    }
}

impl ser::SerializeSeq for Counted<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.n += 1;
        value.serialize(&mut *self.enc)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

impl ser::SerializeMap for Counted<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.n += 1;
        key.serialize(&mut *self.enc)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut *self.enc)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

macro_rules! in_order {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for &mut Encoder {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
                value.serialize(&mut **self)
            }
            fn end(self) -> Result<()> {
                Ok(())
            }
        }
    };
}
in_order!(SerializeTuple, serialize_element);
in_order!(SerializeTupleStruct, serialize_field);
in_order!(SerializeTupleVariant, serialize_field);

macro_rules! fields_in_order {
    ($trait:ident) => {
        impl ser::$trait for &mut Encoder {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                _: &'static str,
                value: &T,
            ) -> Result<()> {
                value.serialize(&mut **self)
            }
            fn skip_field(&mut self, key: &'static str) -> Result<()> {
                unsupported(&format!("a skipped field ({key})"))
            }
            fn end(self) -> Result<()> {
                Ok(())
            }
        }
    };
}
fields_in_order!(SerializeStruct);
fields_in_order!(SerializeStructVariant);

struct Decoder<'b> {
    buf: &'b [u8],
}

impl<'b> Decoder<'b> {
    fn take(&mut self, n: usize) -> Result<&'b [u8]> {
        if self.buf.len() < n {
            return Err(Error("the message ends too early".into()));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    fn chunk(&mut self) -> Result<&'b [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn str(&mut self) -> Result<&'b str> {
        std::str::from_utf8(self.chunk()?).map_err(|_| Error("a string is not UTF-8".into()))
    }
}

/// `n` elements in a row (a sequence's, a tuple's, a struct's fields).
struct Elements<'d, 'b> {
    de: &'d mut Decoder<'b>,
    n: u32,
}

impl<'de, 'b> de::SeqAccess<'de> for Elements<'_, 'b> {
    type Error = Error;
    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>> {
        if self.n == 0 {
            return Ok(None);
        }
        self.n -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.n as usize)
    }
}

impl<'de, 'b> de::MapAccess<'de> for Elements<'_, 'b> {
    type Error = Error;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.n == 0 {
            return Ok(None);
        }
        self.n -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }
    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.de)
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.n as usize)
    }
}

impl<'de, 'b> de::EnumAccess<'de> for &mut Decoder<'b> {
    type Error = Error;
    type Variant = Self;
    fn variant_seed<V: de::DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let index = self.u32()?;
        let v = seed.deserialize(index.into_deserializer())?;
        Ok((v, self))
    }
}

impl<'de, 'b> de::VariantAccess<'de> for &mut Decoder<'b> {
    type Error = Error;
    fn unit_variant(self) -> Result<()> {
        Ok(())
    }
    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self)
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(Elements {
            de: self,
            n: len as u32,
        })
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_seq(Elements {
            de: self,
            n: fields.len() as u32,
        })
    }
}

impl<'de, 'b> de::Deserializer<'de> for &mut Decoder<'b> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        unsupported("a value of a self-describing type (flatten, untagged, JSON)")
    }
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_bool(self.u8()? != 0)
    }
    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_i8(self.u8()? as i8)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_i64(self.u64()? as i64)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_i64(self.u64()? as i64)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_i64(self.u64()? as i64)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_u8(self.u8()?)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_u64(self.u64()?)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_u64(self.u64()?)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_u64(self.u64()?)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_f64(f64::from_bits(self.u64()?))
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_f64(f64::from_bits(self.u64()?))
    }
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match char::from_u32(self.u32()?) {
            Some(c) => visitor.visit_char(c),
            None => Err(Error("not a character".into())),
        }
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_str(self.str()?)
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_str(self.str()?)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_bytes(self.chunk()?)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_bytes(self.chunk()?)
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.u8()? {
            0 => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_unit()
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let n = self.u32()?;
        visitor.visit_seq(Elements { de: self, n })
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(Elements {
            de: self,
            n: len as u32,
        })
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_tuple(len, visitor)
    }
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let n = self.u32()?;
        visitor.visit_map(Elements { de: self, n })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_tuple(fields.len(), visitor)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(self)
    }
    /// A variant's name where it travels on its own (the tag of an adjacently tagged enum):
    /// its index, as [`ser::Serializer::serialize_unit_variant`] wrote it.
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_u32(self.u32()?)
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        unsupported("an ignored value")
    }
    fn is_human_readable(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeMap;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum Cell {
        #[serde(rename = "n")]
        Null,
        #[serde(rename = "i")]
        Integer(i64),
        #[serde(rename = "x")]
        Large { class: String, bytes: i64 },
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum External {
        Unit,
        Newtype(String),
        Tuple(u8, f64),
        Struct { a: Option<u32>, b: Vec<Cell> },
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Everything {
        flag: bool,
        small: i8,
        count: usize,
        signed: i64,
        real: f64,
        letter: char,
        text: String,
        nothing: Option<String>,
        something: Option<String>,
        #[serde(default)]
        list: Vec<External>,
        map: BTreeMap<String, i32>,
        pair: (u16, String),
        unit: (),
    }

    fn sample() -> Everything {
        Everything {
            flag: true,
            small: -3,
            count: 70_000,
            signed: i64::MIN,
            real: -0.1,
            letter: 'é',
            text: "naïve \"quoted\"\n".into(),
            nothing: None,
            something: Some(String::new()),
            list: vec![
                External::Unit,
                External::Newtype("x".into()),
                External::Tuple(7, f64::INFINITY),
                External::Struct {
                    a: Some(u32::MAX),
                    b: vec![
                        Cell::Null,
                        Cell::Integer(-1),
                        Cell::Large {
                            class: "blob".into(),
                            bytes: 1 << 40,
                        },
                    ],
                },
            ],
            map: [("a".to_string(), -1), ("b".to_string(), 2)].into(),
            pair: (65535, "p".into()),
            unit: (),
        }
    }

    #[test]
    fn every_shape_comes_back_as_it_went() {
        let v = sample();
        let bytes = to_bytes(&v).unwrap();
        assert_eq!(from_bytes::<Everything>(&bytes).unwrap(), v);
    }

    #[test]
    fn a_cut_or_padded_message_is_refused() {
        let bytes = to_bytes(&sample()).unwrap();
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            let e = from_bytes::<Everything>(&bytes[..cut]).unwrap_err();
            assert!(e.to_string().contains("ends too early"), "{cut}: {e}");
        }
        let mut padded = bytes.clone();
        padded.push(0);
        let e = from_bytes::<Everything>(&padded).unwrap_err();
        assert_eq!(e.to_string(), "1 bytes left over");
    }

    #[test]
    fn shapes_it_cannot_carry_are_refused_by_name() {
        #[derive(Serialize)]
        struct Skips {
            #[serde(skip_serializing_if = "Option::is_none")]
            gone: Option<u8>,
        }
        let e = to_bytes(&Skips { gone: None }).unwrap_err();
        assert!(e.to_string().contains("skipped field (gone)"), "{e}");

        #[derive(Debug, Serialize, Deserialize)]
        #[serde(tag = "status")]
        enum Internal {
            A { x: u8 },
        }
        let bytes = to_bytes(&Internal::A { x: 1 }).unwrap();
        let e = from_bytes::<Internal>(&bytes).unwrap_err();
        assert!(e.to_string().contains("self-describing"), "{e}");

        #[derive(Debug, Serialize, Deserialize)]
        #[serde(tag = "t", content = "v")]
        enum Adjacent {
            N,
        }
        let bytes = to_bytes(&Adjacent::N).unwrap();
        let e = from_bytes::<Adjacent>(&bytes).unwrap_err();
        assert!(e.to_string().contains("self-describing"), "{e}");
    }
}
