use super::*;

#[path = "vectors.rs"]
mod vectors;

/// A caller: feeds `gz` in pieces of `piece` bytes; the output goes into regions of `region` bytes
/// (each a fresh buffer, so back-references cross into the window), or, with `region` 0, into one
/// destination of `dest` bytes. Gives the final status and the output.
fn decode_with(gz: &[u8], piece: usize, region: usize, dest: usize) -> (u32, Vec<u8>) {
    let mut state = vec![0u32; STATE_WORDS];
    let mut window = vec![0u8; WINDOW_BYTES];
    init(&mut state);
    let mut whole = vec![0u8; dest];
    let mut at_out = 0;
    let mut result = Vec::new();
    let pieces: Vec<&[u8]> = if gz.is_empty() {
        vec![gz]
    } else {
        gz.chunks(piece).collect()
    };
    for (i, p) in pieces.iter().enumerate() {
        let last = i + 1 == pieces.len();
        let mut at = 0;
        loop {
            if region == 0 {
                feed(&mut state, &mut window, p, at, &mut whole, at_out, last);
                at_out += state[OUT_USED] as usize;
            } else {
                let mut buf = vec![0u8; region];
                feed(&mut state, &mut window, p, at, &mut buf, 0, last);
                result.extend_from_slice(&buf[..state[OUT_USED] as usize]);
            }
            at += state[IN_USED] as usize;
            match state[STATUS] {
                OUTPUT_FULL if region != 0 => continue,
                NEED_INPUT => {
                    assert_eq!(at, p.len(), "NEED_INPUT leaves no input behind");
                    assert!(!last, "NEED_INPUT on the last piece");
                    break;
                }
                status => {
                    if region == 0 {
                        result = whole[..at_out].to_vec();
                    }
                    return (status, result);
                }
            }
        }
    }
    unreachable!("the last piece ends with DONE, OUTPUT_FULL or an error")
}

fn decode(gz: &[u8]) -> (u32, Vec<u8>) {
    decode_with(gz, 1 << 16, 1 << 16, 0)
}

const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// A gzip member around raw DEFLATE data, its trailer computed from `data`.
fn member(deflate: &[u8], data: &[u8]) -> Vec<u8> {
    let mut v = HEADER.to_vec();
    v.extend_from_slice(deflate);
    v.extend_from_slice(&crc32(0, data).to_le_bytes());
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v
}

/// BFINAL 1, BTYPE 00; LEN 5, NLEN !5; "hello".
const STORED: [u8; 10] = [0x01, 5, 0, 0xfa, 0xff, b'h', b'e', b'l', b'l', b'o'];
/// BFINAL 1, BTYPE 01; fixed literals 'a' 'b' 'c' (8 bits each, 0x30 + byte), length symbol 260
/// (length 6, 7 bits), distance code 2 (distance 3, 5 bits), end of block (7 zero bits).
const FIXED: [u8; 6] = [75, 76, 74, 134, 32, 0];
/// BFINAL 1, BTYPE 10; HLIT 257, HDIST 1, HCLEN 18; code length code: symbols 1 and 18 of one bit
/// each (1 → 0, 18 → 1); lengths: 18 ×97 zeros (extra 86), 'a' = 1, 18 ×138 (127), 18 ×20 (9),
/// 256 = 1, distance 0 = 1 (a single one-bit code); then 'a' 'a' 'a' (0 0 0) and end of block (1).
const DYNAMIC: [u8; 13] = [5, 192, 129, 0, 0, 0, 0, 0, 144, 86, 255, 19, 32];

/// The 40 000 bytes of the level vectors: a 600-byte motif over 16 letters, repeated with 8 random
/// letters changed each time (x ← 1103515245·x + 12345 mod 2³¹, x >> 16 drawn each time; the letter
/// before its position, as Python evaluates `m[i] = v`).
fn motif_data() -> Vec<u8> {
    let mut x: u64 = 1;
    let mut next = || {
        x = (x * 1_103_515_245 + 12_345) % (1 << 31);
        (x >> 16) as usize
    };
    let motif: Vec<u8> = (0..600).map(|_| 97 + (next() % 16) as u8).collect();
    let mut out = Vec::new();
    while out.len() < 40_000 {
        let mut m = motif.clone();
        for _ in 0..8 {
            let letter = 65 + (next() % 26) as u8;
            m[next() % 600] = letter;
        }
        out.extend_from_slice(&m);
    }
    out.truncate(40_000);
    out
}

#[test]
fn crc32_known_values() {
    assert_eq!(crc32(0, b"123456789"), 0xcbf4_3926);
    assert_eq!(crc32(0, b"hello"), 0x3610_a686);
    assert_eq!(crc32(crc32(0, b"hel"), b"lo"), 0x3610_a686);
    assert_eq!(crc32(0, b""), 0);
}

#[test]
fn stored_block() {
    let gz = member(&STORED, b"hello");
    // The trailer as worked by hand: CRC-32 0x3610a686, ISIZE 5, little-endian.
    assert_eq!(&gz[20..], &[0x86, 0xa6, 0x10, 0x36, 5, 0, 0, 0]);
    assert_eq!(decode(&gz), (DONE, b"hello".to_vec()));
}

#[test]
fn fixed_block() {
    assert_eq!(
        decode(&member(&FIXED, b"abcabcabc")),
        (DONE, b"abcabcabc".to_vec())
    );
}

#[test]
fn dynamic_block() {
    assert_eq!(decode(&member(&DYNAMIC, b"aaa")), (DONE, b"aaa".to_vec()));
}

#[test]
fn zlib_levels_in_any_pieces() {
    let data = motif_data();
    for gz in [vectors::LEVEL_1, vectors::LEVEL_6, vectors::LEVEL_9] {
        assert_eq!(gz[10] >> 1 & 3, 2, "a dynamic block");
        assert_eq!(decode(gz), (DONE, data.clone()));
        // One byte of input at a time; one byte of output at a time; odd sizes of both.
        assert_eq!(decode_with(gz, 1, 1 << 16, 0), (DONE, data.clone()));
        assert_eq!(decode_with(gz, 1 << 16, 1, 0), (DONE, data.clone()));
        assert_eq!(decode_with(gz, 7, 333, 0), (DONE, data.clone()));
        // One destination of exactly the output's size, in pieces.
        assert_eq!(decode_with(gz, 100, 0, data.len()), (DONE, data.clone()));
    }
}

#[test]
fn header_fields_are_skipped_and_the_header_crc_checked() {
    let mut gz = HEADER.to_vec();
    gz[3] = FEXTRA as u8 | FNAME as u8 | FCOMMENT as u8 | FHCRC as u8;
    gz.extend_from_slice(&[3, 0, b'x', b'y', b'z']); // XLEN 3
    gz.extend_from_slice(b"name\0comment\0");
    let hcrc = crc32(0, &gz) as u16;
    gz.extend_from_slice(&hcrc.to_le_bytes());
    let body = member(&STORED, b"hello");
    gz.extend_from_slice(&body[10..]);
    for piece in [1, 3, 1 << 16] {
        assert_eq!(decode_with(&gz, piece, 64, 0), (DONE, b"hello".to_vec()));
    }
    let at = gz.len() - body.len() + 10 - 2;
    gz[at] ^= 1;
    assert_eq!(decode(&gz).0, BAD_HEADER_CRC);
}

#[test]
fn concatenated_members_continue_the_output() {
    let mut gz = member(&FIXED, b"abcabcabc");
    gz.extend_from_slice(&member(&STORED, b"hello"));
    gz.extend_from_slice(&member(&DYNAMIC, b"aaa"));
    for (piece, region) in [(1 << 16, 1 << 16), (1, 1), (5, 4)] {
        assert_eq!(
            decode_with(&gz, piece, region, 0),
            (DONE, b"abcabcabchelloaaa".to_vec())
        );
    }
}

#[test]
fn bad_headers() {
    let good = member(&STORED, b"hello");
    for (at, value) in [(0, 0x1e), (1, 0x8c), (2, 7), (3, 0x20), (3, 0x80)] {
        let mut gz = good.clone();
        gz[at] = value;
        assert_eq!(decode(&gz), (BAD_HEADER, vec![]), "byte {at} = {value:#x}");
    }
    // Trailing bytes that are not another member.
    let mut gz = good.clone();
    gz.push(0);
    assert_eq!(decode(&gz).0, BAD_HEADER);
}

#[test]
fn bad_block_type() {
    // BFINAL 1, BTYPE 11.
    assert_eq!(decode(&member(&[0x07, 0], b"")).0, BAD_BLOCK_TYPE);
}

#[test]
fn bad_stored_length() {
    let mut deflate = STORED;
    deflate[3] = 0xfb; // NLEN is not !LEN
    assert_eq!(decode(&member(&deflate, b"hello")).0, BAD_STORED_LENGTH);
}

#[test]
fn bad_code_lengths() {
    // The code length code with three one-bit codes (1, 17, 18): over-subscribed.
    let bits = dynamic_start(&[1, 2, 17]);
    assert_eq!(decode(&member(&pack(&bits), b"")).0, BAD_CODE_LENGTHS);
    // The worked dynamic block with its second run of zeros one longer, over symbol 256: no
    // end-of-block code. Symbols 18 and 1 of the code length code: one bit each (1 → 0, 18 → 1).
    let mut bits = dynamic_start(&[2, 17]);
    for (v, n) in [
        (1, 1),
        (86, 7),
        (0, 1),
        (1, 1),
        (127, 7),
        (1, 1),
        (10, 7),
        (0, 1),
    ] {
        // 97 zeros, 'a' = 1, 138 zeros, 21 zeros (symbol 256 gets 0), distance 0 = 1
        put(&mut bits, v, n);
    }
    assert_eq!(decode(&member(&pack(&bits), b"")).0, BAD_CODE_LENGTHS);
}

/// Appends the `n` low bits of `v`, least significant first (header fields, extra bits).
fn put(bits: &mut Vec<u8>, v: u32, n: u32) {
    bits.extend((0..n).map(|i| (v >> i & 1) as u8));
}

/// Bits packed into bytes, the first in the lowest bit.
fn pack(bits: &[u8]) -> Vec<u8> {
    bits.chunks(8)
        .map(|c| c.iter().enumerate().map(|(i, &b)| b << i).sum())
        .collect()
}

/// A dynamic block's start: BFINAL 1, BTYPE 10, HLIT 257, HDIST 1, HCLEN 18, then the code length
/// code's 18 lengths (in CLEN_ORDER) with 1 at the positions `ones`, else 0.
fn dynamic_start(ones: &[usize]) -> Vec<u8> {
    let mut bits = Vec::new();
    for (v, n) in [(1, 1), (2, 2), (0, 5), (0, 5), (14, 4)] {
        put(&mut bits, v, n);
    }
    for i in 0..18 {
        put(&mut bits, u32::from(ones.contains(&i)), 3);
    }
    bits
}

/// Fixed-code bits: BFINAL 1, BTYPE 01, then (code, length) pairs sent most significant bit first.
fn fixed_bits(codes: &[(u32, u32)]) -> Vec<u8> {
    let mut bits = vec![1u8, 1, 0];
    for &(code, len) in codes {
        for i in (0..len).rev() {
            bits.push((code >> i & 1) as u8);
        }
    }
    pack(&bits)
}

#[test]
fn bad_code() {
    // Literal/length 286 (8 bits 0xc0 + 6).
    assert_eq!(decode(&member(&fixed_bits(&[(0xc6, 8)]), b"")).0, BAD_CODE);
    // 'a', then length 3 (symbol 257: 7 bits 0000001) at distance code 30 (5 bits 11110).
    assert_eq!(
        decode(&member(&fixed_bits(&[(0x91, 8), (1, 7), (30, 5)]), b"")).0,
        BAD_CODE
    );
}

#[test]
fn distance_too_far() {
    // 'a', then length 3 at distance 2 (code 1): one byte of history only.
    let gz = member(&fixed_bits(&[(0x91, 8), (1, 7), (1, 5), (0, 7)]), b"");
    assert_eq!(decode(&gz), (DISTANCE_TOO_FAR, b"a".to_vec()));
    assert_eq!(decode_with(&gz, 1, 1, 0), (DISTANCE_TOO_FAR, b"a".to_vec()));
    // At distance 1 it is fine: "aaaa".
    let ok = fixed_bits(&[(0x91, 8), (1, 7), (0, 5), (0, 7)]);
    assert_eq!(decode(&member(&ok, b"aaaa")), (DONE, b"aaaa".to_vec()));
}

#[test]
fn trailer_mismatches() {
    let good = member(&FIXED, b"abcabcabc");
    let n = good.len();
    let mut gz = good.clone();
    gz[n - 8] ^= 1;
    assert_eq!(decode(&gz).0, CRC_MISMATCH);
    let mut gz = good.clone();
    gz[n - 4] ^= 1;
    assert_eq!(decode(&gz).0, LENGTH_MISMATCH);
}

#[test]
fn every_prefix_is_truncated() {
    let mut gz = member(&FIXED, b"abcabcabc");
    let first = gz.len();
    gz.extend_from_slice(&member(&DYNAMIC, b"aaa"));
    let mut stored = HEADER.to_vec();
    stored[3] = (FNAME | FHCRC) as u8;
    stored.extend_from_slice(b"n\0");
    let hcrc = crc32(0, &stored) as u16;
    stored.extend_from_slice(&hcrc.to_le_bytes());
    stored.extend_from_slice(&member(&STORED, b"hello")[10..]);
    for whole in [gz, stored, vectors::LEVEL_6.to_vec()] {
        for len in 0..whole.len() {
            // A prefix that ends between two members is a whole stream.
            if len == first {
                continue;
            }
            // (The 2 KB vector in one piece only: its 2 395 prefixes × 40 KB of output are slow enough.)
            let pieces: &[usize] = if whole.len() > 100 {
                &[1 << 16]
            } else {
                &[1, 5, 1 << 16]
            };
            for &piece in pieces {
                assert_eq!(
                    decode_with(&whole[..len], piece, 1 << 16, 0).0,
                    TRUNCATED,
                    "{len} of {} bytes",
                    whole.len()
                );
            }
        }
    }
}

#[test]
fn output_larger_than_the_destination() {
    let gz = member(&FIXED, b"abcabcabc");
    for dest in 0..9 {
        for piece in [1, 1 << 16] {
            assert_eq!(
                decode_with(&gz, piece, 0, dest),
                (OUTPUT_FULL, b"abcabcabc"[..dest].to_vec())
            );
        }
    }
    assert_eq!(decode_with(&gz, 1, 0, 9), (DONE, b"abcabcabc".to_vec()));
    let data = motif_data();
    assert_eq!(
        decode_with(vectors::LEVEL_9, 1000, 0, 39_999),
        (OUTPUT_FULL, data[..39_999].to_vec())
    );
}

#[test]
fn an_error_stays() {
    let mut state = vec![0u32; STATE_WORDS];
    let mut window = vec![0u8; WINDOW_BYTES];
    init(&mut state);
    let mut out = [0u8; 16];
    feed(
        &mut state,
        &mut window,
        &[0x1f, 0x8c],
        0,
        &mut out,
        0,
        false,
    );
    assert_eq!(
        (state[STATUS], state[IN_USED], state[OUT_USED]),
        (BAD_HEADER, 2, 0)
    );
    let good = member(&STORED, b"hello");
    feed(&mut state, &mut window, &good, 0, &mut out, 0, true);
    assert_eq!(
        (state[STATUS], state[IN_USED], state[OUT_USED]),
        (BAD_HEADER, 0, 0)
    );
    init(&mut state);
    feed(&mut state, &mut window, &good, 0, &mut out, 0, true);
    assert_eq!((state[STATUS], &out[..5]), (DONE, &b"hello"[..]));
}

/// Debian's dataset-fashion-mnist, when installed: the labels and test images decode (their CRC-32
/// and size checked by the trailer) to IDX files of the expected shape.
#[test]
fn fashion_mnist_files_when_present() {
    let dir = "/usr/share/datasets/fashion-mnist";
    for (file, magic, count, size) in [
        ("t10k-labels-idx1-ubyte.gz", 0x801u32, 10_000u32, 8 + 10_000),
        (
            "t10k-images-idx3-ubyte.gz",
            0x803,
            10_000,
            16 + 10_000 * 784,
        ),
    ] {
        let path = format!("{dir}/{file}");
        let gz = match std::fs::read(&path) {
            Ok(gz) => gz,
            Err(_) => {
                println!("skipped: {path} is not installed");
                continue;
            }
        };
        let (status, out) = decode_with(&gz, 1 << 16, 0, size);
        assert_eq!((status, out.len()), (DONE, size), "{path}");
        assert_eq!(u32::from_be_bytes([out[0], out[1], out[2], out[3]]), magic);
        assert_eq!(u32::from_be_bytes([out[4], out[5], out[6], out[7]]), count);
    }
}
