//! Bounded decoding of stream data (content streams, form XObjects, CMaps).
//!
//! FlateDecode is done here with flate2 in fixed-size steps so that the output can never
//! grow past the limit: a 500 KB stream inflating to 512 MiB is stopped at the limit, not
//! after. The other filters go through lopdf's decoders, which (in 0.47) enforce the same
//! bound per filter; lopdf's unbounded `decompressed_content` is never called.

use flate2::{Decompress, FlushDecompress, Status};
use lopdf::{Dictionary, Object, Stream};

/// Why a stream could not be fully decoded.
#[derive(Debug)]
pub(crate) enum DecodeError {
    /// The decoded data would exceed the limit (a bomb, or far beyond any real page).
    TooLarge,
    /// A filter we cannot or will not decode (images, unknown names).
    Unsupported(String),
}

/// Decoded bytes plus a note when the data was damaged (the prefix that decoded is kept:
/// readers show what they can of a truncated stream, and so do we).
pub(crate) struct Decoded {
    pub data: Vec<u8>,
    pub damaged: Option<String>,
}

pub(crate) fn filters(dict: &Dictionary) -> Vec<Vec<u8>> {
    match dict.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    }
}

fn params(dict: &Dictionary, index: usize) -> Option<&Dictionary> {
    match dict.get(b"DecodeParms").or_else(|_| dict.get(b"DP")) {
        Ok(Object::Array(a)) => a.get(index).and_then(|p| p.as_dict().ok()),
        Ok(Object::Dictionary(d)) => Some(d),
        _ => None,
    }
}

/// Decodes a stream's data through its filter chain, never producing more than `limit`
/// bytes. Parameters given by reference are not resolved (content streams use none in
/// practice).
pub(crate) fn decode_stream(stream: &Stream, limit: usize) -> Result<Decoded, DecodeError> {
    let names = filters(&stream.dict);
    let params: Vec<Option<&Dictionary>> =
        (0..names.len()).map(|i| params(&stream.dict, i)).collect();
    decode_chain(&stream.content, &names, &params, limit)
}

/// Decodes `data` through the filters `names` (with `params[i]` for filter `i`), never
/// producing more than `limit` bytes. Image filters (DCT, CCITT, JBIG2, JPX) are
/// `Unsupported` here: the image reader decodes them itself after the others.
pub(crate) fn decode_chain(
    data: &[u8],
    names: &[Vec<u8>],
    params: &[Option<&Dictionary>],
    limit: usize,
) -> Result<Decoded, DecodeError> {
    if names.is_empty() {
        if data.len() > limit {
            return Err(DecodeError::TooLarge);
        }
        return Ok(Decoded {
            data: data.to_vec(),
            damaged: None,
        });
    }
    if names.len() > 8 {
        return Err(DecodeError::Unsupported(format!("{} filters", names.len())));
    }
    let mut data = std::borrow::Cow::Borrowed(data);
    let mut damaged = None;
    for (i, name) in names.iter().enumerate() {
        let p = params.get(i).copied().flatten();
        let out = match name.as_slice() {
            b"FlateDecode" | b"Fl" => {
                let (out, err) = inflate(&data, limit)?;
                if let Some(e) = err {
                    damaged = Some(e);
                }
                predictor(out, p, limit)?
            }
            b"LZWDecode" | b"LZW" | b"ASCII85Decode" | b"A85" | b"ASCIIHexDecode" | b"AHx"
            | b"RunLengthDecode" | b"RL" => lopdf_filter(name, p, &data, limit)?,
            b"Crypt" => data.into_owned(),
            other => {
                return Err(DecodeError::Unsupported(format!(
                    "/{}",
                    String::from_utf8_lossy(other)
                )));
            }
        };
        if out.len() > limit {
            return Err(DecodeError::TooLarge);
        }
        data = std::borrow::Cow::Owned(out);
    }
    Ok(Decoded {
        data: data.into_owned(),
        damaged,
    })
}

/// One non-Flate filter through lopdf's bounded decoder: a throw-away stream carrying just
/// that filter (long names, as lopdf matches them) and its parameters.
fn lopdf_filter(
    name: &[u8],
    p: Option<&Dictionary>,
    data: &[u8],
    limit: usize,
) -> Result<Vec<u8>, DecodeError> {
    let long: &[u8] = match name {
        b"LZW" => b"LZWDecode",
        b"A85" => b"ASCII85Decode",
        b"AHx" => b"ASCIIHexDecode",
        b"RL" => b"RunLengthDecode",
        n => n,
    };
    let mut dict = Dictionary::new();
    dict.set("Filter", Object::Name(long.to_vec()));
    if let Some(p) = p {
        dict.set("DecodeParms", Object::Dictionary(p.clone()));
    }
    let s = Stream::new(dict, data.to_vec());
    match s.decompressed_content_with_limit(limit) {
        Ok(v) => Ok(v),
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            Err(DecodeError::TooLarge)
        }
        Err(e) => Err(DecodeError::Unsupported(format!(
            "/{} data is damaged ({e})",
            String::from_utf8_lossy(long)
        ))),
    }
}

/// Inflates zlib (or, failing that, raw deflate) data, stopping with `TooLarge` as soon as
/// the output would pass `limit`. Corrupt data ends the output where it broke, with a note.
pub(crate) fn inflate(
    input: &[u8],
    limit: usize,
) -> Result<(Vec<u8>, Option<String>), DecodeError> {
    let (out, err) = inflate_with(input, limit, true)?;
    if err.is_some() && out.is_empty() && input.len() > 2 {
        // A missing or broken zlib header (seen in encrypted and hand-made files): retry as
        // raw deflate, after the two header bytes and then from the start.
        for skip in [2usize, 0] {
            let (raw, raw_err) = inflate_with(&input[skip..], limit, false)?;
            if !raw.is_empty() {
                return Ok((raw, raw_err));
            }
        }
    }
    Ok((out, err))
}

fn inflate_with(
    input: &[u8],
    limit: usize,
    zlib: bool,
) -> Result<(Vec<u8>, Option<String>), DecodeError> {
    const STEP: usize = 64 * 1024;
    let mut d = Decompress::new(zlib);
    let mut buf = vec![0u8; STEP];
    let mut out: Vec<u8> =
        Vec::with_capacity(input.len().saturating_mul(4).min(limit).min(1 << 24));
    loop {
        let before_in = d.total_in() as usize;
        let before_out = d.total_out();
        let res = d.decompress(
            &input[before_in.min(input.len())..],
            &mut buf,
            FlushDecompress::None,
        );
        let produced = (d.total_out() - before_out) as usize;
        if out.len() + produced > limit {
            return Err(DecodeError::TooLarge);
        }
        out.extend_from_slice(&buf[..produced]);
        match res {
            Ok(Status::StreamEnd) => break,
            Ok(_) => {
                if d.total_in() as usize == before_in && produced == 0 {
                    // No progress: the input ended without an end-of-stream marker.
                    return Ok((out, Some("the compressed data is truncated".into())));
                }
            }
            Err(e) => return Ok((out, Some(format!("the compressed data is damaged ({e})")))),
        }
    }
    if out.len() > limit {
        return Err(DecodeError::TooLarge);
    }
    Ok((out, None))
}

/// PNG (10–15) and TIFF (2, 8-bit) predictors after Flate.
fn predictor(data: Vec<u8>, p: Option<&Dictionary>, limit: usize) -> Result<Vec<u8>, DecodeError> {
    let Some(p) = p else { return Ok(data) };
    let get = |k: &[u8], dflt: i64| p.get(k).and_then(Object::as_i64).unwrap_or(dflt);
    let pred = get(b"Predictor", 1);
    if pred < 2 {
        return Ok(data);
    }
    let colors = get(b"Colors", 1).clamp(1, 32) as usize;
    let bpc = get(b"BitsPerComponent", 8).clamp(1, 16) as usize;
    let columns = get(b"Columns", 1).clamp(1, 1 << 24) as usize;
    let bpp = (colors * bpc).div_ceil(8).max(1);
    let row = (colors * bpc * columns).div_ceil(8);
    if row == 0 || row > limit {
        return Err(DecodeError::Unsupported(
            "predictor parameters out of range".into(),
        ));
    }
    if pred == 2 {
        if bpc != 8 {
            return Err(DecodeError::Unsupported(
                "TIFF predictor with sub-byte samples".into(),
            ));
        }
        let mut data = data;
        for r in data.chunks_mut(row) {
            for i in bpp..r.len() {
                r[i] = r[i].wrapping_add(r[i - bpp]);
            }
        }
        return Ok(data);
    }
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        let (&kind, src) = chunk.split_first().unwrap_or((&0, &[]));
        let mut cur = vec![0u8; row];
        for i in 0..src.len().min(row) {
            let a = if i >= bpp { cur[i - bpp] } else { 0 } as i16;
            let b = prev[i] as i16;
            let c = if i >= bpp { prev[i - bpp] } else { 0 } as i16;
            let x = src[i];
            cur[i] = match kind {
                1 => x.wrapping_add(a as u8),
                2 => x.wrapping_add(b as u8),
                3 => x.wrapping_add(((a + b) / 2) as u8),
                4 => {
                    let pp = a + b - c;
                    let (pa, pb, pc) = ((pp - a).abs(), (pp - b).abs(), (pp - c).abs());
                    let pr = if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    };
                    x.wrapping_add(pr as u8)
                }
                _ => x,
            };
        }
        let n = src.len().min(row);
        out.extend_from_slice(&cur[..n]);
        prev = cur;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::ZlibEncoder};
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn bomb_is_stopped_at_the_limit() {
        let big = vec![b' '; 8 << 20];
        let z = zlib(&big);
        assert!(z.len() < 64 << 10);
        assert!(matches!(inflate(&z, 1 << 20), Err(DecodeError::TooLarge)));
        let (ok, err) = inflate(&z, 8 << 20).unwrap();
        assert_eq!(ok.len(), 8 << 20);
        assert!(err.is_none());
    }

    #[test]
    fn truncated_keeps_prefix() {
        let data: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let z = zlib(&data);
        let (out, err) = inflate(&z[..z.len() / 2], 10 << 20).unwrap();
        assert!(err.is_some());
        assert!(!out.is_empty() && data.starts_with(&out));
    }

    #[test]
    fn filter_chain() {
        let mut dict = Dictionary::new();
        dict.set(
            "Filter",
            Object::Array(vec![
                Object::Name(b"ASCIIHexDecode".to_vec()),
                Object::Name(b"FlateDecode".to_vec()),
            ]),
        );
        let z = zlib(b"BT (hi) Tj ET");
        let hex: String = z.iter().map(|b| format!("{b:02x}")).collect::<String>() + ">";
        let s = Stream::new(dict, hex.into_bytes());
        assert_eq!(decode_stream(&s, 1000).unwrap().data, b"BT (hi) Tj ET");
        assert!(matches!(decode_stream(&s, 5), Err(DecodeError::TooLarge)));
    }
}
