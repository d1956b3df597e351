//! gzip (RFC 1952) decoding of DEFLATE (RFC 1951) data, streaming: the caller feeds the compressed
//! file in pieces and each call writes its output straight into a region the caller names (in the wasm
//! build, where the data will live), so that no buffer of decompressed data exists besides it.
//!
//! Everything the decoder keeps between calls is in two caller-owned slices: `state` (`STATE_WORDS`
//! words: the fields, the bit buffer, the Huffman tables) and `window` (the last 32 KiB of output, for
//! back-references that reach before the current call's output). Both are plain memory, so the wasm
//! exports need no handle table and a decoder is freed by freeing them.

mod crc;
mod header;
mod huffman;
#[cfg(test)]
mod tests;

pub use crc::crc32;
use header::header;
use huffman::{Code, FAST_SIZE};

/// Words of `state`.
pub const STATE_WORDS: usize = T_END;
/// Bytes of `window`: the farthest a DEFLATE distance reaches back.
pub const WINDOW_BYTES: usize = 32768;

// The outcome of a call, in `state[STATUS]`: progress below 16, errors from 16 on.
/// All the input was taken; the stream goes on in the next piece.
pub const NEED_INPUT: u32 = 0;
/// The stream ended (a `last` call, after its final member's trailer).
pub const DONE: u32 = 1;
/// The output region is full and more output follows; call again with room (and the rest of the input).
pub const OUTPUT_FULL: u32 = 2;
/// Not gzip: magic number, compression method or reserved flags.
pub const BAD_HEADER: u32 = 16;
/// The header's CRC-16 (FHCRC) does not match.
pub const BAD_HEADER_CRC: u32 = 17;
/// Block type 3.
pub const BAD_BLOCK_TYPE: u32 = 18;
/// A stored block's LEN and NLEN disagree.
pub const BAD_STORED_LENGTH: u32 = 19;
/// A dynamic block's code lengths: over-subscribed or incomplete codes, a repeat with nothing before
/// it or past the end, too many codes, no end-of-block code.
pub const BAD_CODE_LENGTHS: u32 = 20;
/// A bit pattern that is no code, or a literal/length 286–287 or distance 30–31.
pub const BAD_CODE: u32 = 21;
/// A distance before the start of the output.
pub const DISTANCE_TOO_FAR: u32 = 22;
/// The trailer's CRC-32 is not that of the output.
pub const CRC_MISMATCH: u32 = 23;
/// The trailer's ISIZE is not the output's size (mod 2³²).
pub const LENGTH_MISMATCH: u32 = 24;
/// The last piece ended inside the stream.
pub const TRUNCATED: u32 = 25;

// state[..]: the fields, then the tables.
/// What the last call did: NEED_INPUT, DONE, OUTPUT_FULL or an error (which stays: later calls repeat it).
pub const STATUS: usize = 0;
/// Input bytes the last call took (from `in_start`).
pub const IN_USED: usize = 1;
/// Output bytes the last call wrote (from `out_start`).
pub const OUT_USED: usize = 2;
const MODE: usize = 3;
const BITS_LO: usize = 4;
const BITS_HI: usize = 5;
const NBITS: usize = 6;
/// gzip FLG; in a block, BFINAL.
const FLAGS: usize = 7;
/// A counter: header byte, bytes left to skip or copy, code length index.
const COUNT: usize = 8;
const HEADER_CRC: usize = 9;
const CRC: usize = 10;
const SIZE: usize = 11;
/// Valid bytes in the window (≤ WINDOW_BYTES).
const HISTORY: usize = 12;
/// Where the window's next byte goes.
const WPOS: usize = 13;
/// A match's distance while it is being copied.
const DIST: usize = 14;
const FINAL: usize = 15;
const HLIT: usize = 16;
const HDIST: usize = 17;
const HCLEN: usize = 18;
const FIELDS: usize = 20;
/// The tables after the fields: the literal/length code, the distance code, the code lengths.
const T_END: usize = FIELDS + 2 * Code::WORDS + 320;

// Modes.
const M_HEADER: u32 = 0;
const M_EXTRA_LEN: u32 = 1;
const M_EXTRA: u32 = 2;
const M_NAME: u32 = 3;
const M_COMMENT: u32 = 4;
const M_HCRC: u32 = 5;
const M_BLOCK: u32 = 6;
const M_STORED_LEN: u32 = 7;
const M_STORED: u32 = 8;
const M_TABLE_SIZES: u32 = 9;
const M_CLEN_LENS: u32 = 10;
const M_CODE_LENS: u32 = 11;
const M_CODES: u32 = 12;
const M_COPY: u32 = 13;
const M_TRAILER: u32 = 14;
const M_MEMBER_END: u32 = 15;
const M_FAILED: u32 = 16;

const FTEXT_RESERVED: u32 = 0xe0;
const FHCRC: u32 = 0x02;
const FEXTRA: u32 = 0x04;
const FNAME: u32 = 0x08;
const FCOMMENT: u32 = 0x10;

/// Bits one literal/length + distance step may need: 15 + 5 + 15 + 13.
const STEP_BITS: u32 = 48;

const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order in which a dynamic block lists the code length code's lengths.
const CLEN_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// Sets `state` (STATE_WORDS words) to the start of a gzip stream.
pub fn init(state: &mut [u32]) {
    for w in state.iter_mut() {
        *w = 0;
    }
    state[MODE] = M_HEADER;
}

/// The input bits: up to 64 in a buffer, refilled from the current piece.
#[derive(Clone, Copy)]
struct Bits<'a> {
    buf: u64,
    n: u32,
    input: &'a [u8],
    pos: usize,
    last: bool,
}

impl<'a> Bits<'a> {
    #[inline(always)]
    fn refill(&mut self) {
        if self.n <= 56 && self.pos + 8 <= self.input.len() {
            // Whole bytes below 64 bits; the bits above `n` then hold the start of the next byte,
            // which the next refill ORs in again at the same place (and the state stores masked).
            let mut w = [0u8; 8];
            w.copy_from_slice(&self.input[self.pos..self.pos + 8]);
            self.buf |= u64::from_le_bytes(w) << self.n;
            let k = (63 - self.n) >> 3;
            self.pos += k as usize;
            self.n += 8 * k;
        }
        while self.n <= 56 && self.pos < self.input.len() {
            self.buf |= (self.input[self.pos] as u64) << self.n;
            self.pos += 1;
            self.n += 8;
        }
    }

    /// Whether a step needing up to `k` bits may run: they are there, or no more input will come (a
    /// read past the end then reports TRUNCATED). False: wait for the next piece.
    fn ready(&mut self, k: u32) -> bool {
        self.refill();
        self.n >= k || self.last
    }

    #[inline(always)]
    fn take(&mut self, k: u32) -> Result<u32, u32> {
        if self.n < k {
            return Err(TRUNCATED);
        }
        let v = (self.buf & ((1u64 << k) - 1)) as u32;
        self.buf >>= k;
        self.n -= k;
        Ok(v)
    }

    /// Clears the bits above `n`: before the input is read past the buffer (whole bytes, in the
    /// header and stored blocks), so that the next refill does not OR them with other bytes.
    fn drop_lookahead(&mut self) {
        if self.n < 64 {
            self.buf &= (1u64 << self.n) - 1;
        }
    }

    fn align(&mut self) {
        let drop = self.n & 7;
        self.buf >>= drop;
        self.n -= drop;
    }

    /// The next byte: from the bit buffer (aligned), else from the piece; None when there is none yet.
    fn byte(&mut self) -> Option<u8> {
        if self.n >= 8 {
            let b = self.buf as u8;
            self.buf >>= 8;
            self.n -= 8;
            Some(b)
        } else if self.pos < self.input.len() {
            self.drop_lookahead();
            self.pos += 1;
            Some(self.input[self.pos - 1])
        } else {
            None
        }
    }

    fn exhausted(&self) -> bool {
        self.n < 8 && self.pos == self.input.len()
    }
}

/// The output of one call: `buf[start..]`, with the window behind it.
struct Out<'a, 'w> {
    buf: &'a mut [u8],
    pos: usize,
    start: usize,
    window: &'w [u8],
    wpos: usize,
    history: usize,
    /// Output from here on is not in the CRC and size yet.
    crc_from: usize,
}

impl<'a, 'w> Out<'a, 'w> {
    /// Adds the output not counted yet to the member's CRC and size.
    fn count(&mut self, s: &mut [u32]) {
        let fresh = &self.buf[self.crc_from..self.pos];
        s[CRC] = crc32(s[CRC], fresh);
        s[SIZE] = s[SIZE].wrapping_add(fresh.len() as u32);
        self.crc_from = self.pos;
    }

    fn room(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Copies `len` bytes (at most `room()`) from `dist` back.
    fn copy_match(&mut self, dist: usize, len: usize) -> Result<(), u32> {
        let here = self.pos - self.start;
        if dist <= here {
            let end = self.pos + len;
            if dist == 1 {
                let b = self.buf[self.pos - 1];
                self.buf[self.pos..end].fill(b);
            } else if len <= 16 && dist >= len {
                for i in self.pos..end {
                    self.buf[i] = self.buf[i - dist];
                }
            } else {
                // The output from `start` on repeats with period `dist`: what is already written (a
                // whole number of periods) is copied after itself, doubling each time.
                let start = self.pos - dist;
                let mut at = self.pos;
                while at < end {
                    let n = (at - start).min(end - at);
                    self.buf.copy_within(start..start + n, at);
                    at += n;
                }
            }
            self.pos = end;
            return Ok(());
        }
        if dist > here + self.history {
            return Err(DISTANCE_TOO_FAR);
        }
        let mask = WINDOW_BYTES - 1;
        for _ in 0..len {
            let here = self.pos - self.start;
            self.buf[self.pos] = if dist <= here {
                self.buf[self.pos - dist]
            } else {
                self.window[(self.wpos + WINDOW_BYTES - (dist - here)) & mask]
            };
            self.pos += 1;
        }
        Ok(())
    }
}

/// Decodes `input[in_start..]` into `out[out_start..]`, taking `last` to mean that no input follows
/// this piece. The outcome is in `state[STATUS]` (progress or error), `state[IN_USED]` and
/// `state[OUT_USED]`; the output is also in the CRC and, its last 32 KiB, in `window`.
pub fn feed(
    state: &mut [u32],
    window: &mut [u8],
    input: &[u8],
    in_start: usize,
    out: &mut [u8],
    out_start: usize,
    last: bool,
) {
    if state[MODE] == M_FAILED {
        state[IN_USED] = 0;
        state[OUT_USED] = 0;
        return;
    }
    let mut bits = Bits {
        buf: state[BITS_LO] as u64 | (state[BITS_HI] as u64) << 32,
        n: state[NBITS],
        input,
        pos: in_start,
        last,
    };
    let mut o = Out {
        buf: &mut *out,
        pos: out_start,
        start: out_start,
        window,
        wpos: state[WPOS] as usize,
        history: state[HISTORY] as usize,
        crc_from: out_start,
    };
    let result = run(state, &mut bits, &mut o);
    o.count(state);
    let (wpos, history) = (o.wpos, (o.history + (o.pos - o.start)).min(WINDOW_BYTES));
    let written = o.pos - out_start;
    let produced = &out[out_start..out_start + written];
    // The window keeps the last 32 KiB of output, for the next call's back-references.
    let keep = written.min(WINDOW_BYTES);
    let mut wpos = (wpos + written - keep) & (WINDOW_BYTES - 1);
    let mut rest = &produced[written - keep..];
    while !rest.is_empty() {
        let n = rest.len().min(WINDOW_BYTES - wpos);
        window[wpos..wpos + n].copy_from_slice(&rest[..n]);
        wpos = (wpos + n) & (WINDOW_BYTES - 1);
        rest = &rest[n..];
    }
    state[WPOS] = wpos as u32;
    state[HISTORY] = history as u32;
    // Only the `n` bits taken from the input are kept (see Bits::refill).
    bits.drop_lookahead();
    state[BITS_LO] = bits.buf as u32;
    state[BITS_HI] = (bits.buf >> 32) as u32;
    state[NBITS] = bits.n;
    state[IN_USED] = (bits.pos - in_start) as u32;
    state[OUT_USED] = written as u32;
    state[STATUS] = match result {
        Ok(status) => status,
        Err(e) => {
            state[MODE] = M_FAILED;
            e
        }
    };
}

/// Runs the modes until the input or the output runs out or the stream ends.
fn run(s: &mut [u32], bits: &mut Bits, o: &mut Out) -> Result<u32, u32> {
    loop {
        match s[MODE] {
            M_HEADER | M_EXTRA_LEN | M_EXTRA | M_NAME | M_COMMENT | M_HCRC => {
                if !header(s, bits)? {
                    return Ok(NEED_INPUT);
                }
            }
            M_BLOCK => {
                if !bits.ready(3) {
                    return Ok(NEED_INPUT);
                }
                s[FINAL] = bits.take(1)?;
                s[MODE] = match bits.take(2)? {
                    0 => {
                        bits.align();
                        M_STORED_LEN
                    }
                    1 => {
                        let (_, mut lit, mut dist, _) = tables(s);
                        lit.fixed_literals();
                        dist.fixed_distances();
                        M_CODES
                    }
                    2 => M_TABLE_SIZES,
                    _ => return Err(BAD_BLOCK_TYPE),
                };
            }
            M_STORED_LEN => {
                if !bits.ready(32) {
                    return Ok(NEED_INPUT);
                }
                let len = bits.take(16)?;
                let nlen = bits.take(16)?;
                if len != !nlen & 0xffff {
                    return Err(BAD_STORED_LENGTH);
                }
                s[COUNT] = len;
                s[MODE] = M_STORED;
            }
            M_STORED => {
                if !stored(s, bits, o)? {
                    return Ok(if s[MODE] == M_STORED && o.room() == 0 {
                        OUTPUT_FULL
                    } else {
                        NEED_INPUT
                    });
                }
            }
            M_TABLE_SIZES => {
                if !bits.ready(14) {
                    return Ok(NEED_INPUT);
                }
                s[HLIT] = bits.take(5)? + 257;
                s[HDIST] = bits.take(5)? + 1;
                s[HCLEN] = bits.take(4)? + 4;
                if s[HLIT] > 286 || s[HDIST] > 30 {
                    return Err(BAD_CODE_LENGTHS);
                }
                for w in &mut tables(s).3[..19] {
                    *w = 0;
                }
                s[COUNT] = 0;
                s[MODE] = M_CLEN_LENS;
            }
            M_CLEN_LENS => {
                while s[COUNT] < s[HCLEN] {
                    if !bits.ready(3) {
                        return Ok(NEED_INPUT);
                    }
                    let len = bits.take(3)?;
                    let at = CLEN_ORDER[s[COUNT] as usize];
                    tables(s).3[at] = len;
                    s[COUNT] += 1;
                }
                // The code length code is built where the literal code will be: it is not needed after.
                let (_, mut lit, _, lens) = tables(s);
                if !lit.build(&lens[..19], false) {
                    return Err(BAD_CODE_LENGTHS);
                }
                s[COUNT] = 0;
                s[MODE] = M_CODE_LENS;
            }
            M_CODE_LENS => {
                if !code_lengths(s, bits)? {
                    return Ok(NEED_INPUT);
                }
                let (hlit, hdist) = (s[HLIT] as usize, s[HDIST] as usize);
                let (_, mut lit, mut dist, lens) = tables(s);
                if lens[256] == 0
                    || !lit.build(&lens[..hlit], true)
                    || !dist.build(&lens[hlit..hlit + hdist], true)
                {
                    return Err(BAD_CODE_LENGTHS);
                }
                s[MODE] = M_CODES;
            }
            M_CODES | M_COPY => {
                if let Some(status) = codes(s, bits, o)? {
                    return Ok(status);
                }
            }
            M_TRAILER => {
                bits.align();
                if !bits.ready(64) {
                    return Ok(NEED_INPUT);
                }
                let crc = bits.take(32)?;
                let size = bits.take(32)?;
                o.count(s);
                if crc != s[CRC] {
                    return Err(CRC_MISMATCH);
                }
                if size != s[SIZE] {
                    return Err(LENGTH_MISMATCH);
                }
                s[MODE] = M_MEMBER_END;
            }
            M_MEMBER_END => {
                bits.refill();
                if bits.exhausted() {
                    return Ok(if bits.last { DONE } else { NEED_INPUT });
                }
                // Another member follows (gzip files may be concatenated): its output continues this one's.
                member_restart(s, o);
            }
            _ => return Err(BAD_HEADER),
        }
    }
}

/// A new member (after the previous one's trailer, which counted the output so far): its own CRC
/// and size, and no history to refer back to.
fn member_restart(s: &mut [u32], o: &mut Out) {
    s[CRC] = 0;
    s[SIZE] = 0;
    s[MODE] = M_HEADER;
    s[COUNT] = 0;
    s[HEADER_CRC] = 0;
    o.start = o.pos;
    o.history = 0;
}

/// The literal/length code, the distance code and the code lengths, all in `state`.
fn tables(s: &mut [u32]) -> (&mut [u32], Code<'_>, Code<'_>, &mut [u32]) {
    let (fields, rest) = s[..T_END].split_at_mut(FIELDS);
    let (lit, rest) = rest.split_at_mut(Code::WORDS);
    let (dist, lens) = rest.split_at_mut(Code::WORDS);
    (fields, Code::new(lit), Code::new(dist), lens)
}

/// A stored block's bytes; false when the input or the output ran out first.
fn stored(s: &mut [u32], bits: &mut Bits, o: &mut Out) -> Result<bool, u32> {
    while s[COUNT] > 0 && bits.n >= 8 && o.room() > 0 {
        o.buf[o.pos] = bits.buf as u8;
        bits.buf >>= 8;
        bits.n -= 8;
        o.pos += 1;
        s[COUNT] -= 1;
    }
    if bits.n < 8 {
        bits.drop_lookahead();
        let n = (s[COUNT] as usize)
            .min(o.room())
            .min(bits.input.len() - bits.pos);
        o.buf[o.pos..o.pos + n].copy_from_slice(&bits.input[bits.pos..bits.pos + n]);
        o.pos += n;
        bits.pos += n;
        s[COUNT] -= n as u32;
    }
    if s[COUNT] > 0 {
        if o.room() > 0 && bits.last && bits.exhausted() {
            return Err(TRUNCATED);
        }
        return Ok(false);
    }
    s[MODE] = end_of_block(s);
    Ok(true)
}

fn end_of_block(s: &[u32]) -> u32 {
    if s[FINAL] != 0 {
        M_TRAILER
    } else {
        M_BLOCK
    }
}

/// A dynamic block's code lengths; false when more input is needed.
fn code_lengths(s: &mut [u32], bits: &mut Bits) -> Result<bool, u32> {
    let total = s[HLIT] + s[HDIST];
    while s[COUNT] < total {
        if !bits.ready(7 + 7) {
            return Ok(false);
        }
        let i = s[COUNT] as usize;
        let (fields, lit, _, lens) = tables(s);
        let sym = lit.decode(bits)?;
        let (value, repeat) = match sym {
            0..=15 => (sym, 1),
            16 => {
                if i == 0 {
                    return Err(BAD_CODE_LENGTHS);
                }
                (lens[i - 1], 3 + bits.take(2)?)
            }
            17 => (0, 3 + bits.take(3)?),
            _ => (0, 11 + bits.take(7)?),
        };
        let end = i + repeat as usize;
        if end > total as usize {
            return Err(BAD_CODE_LENGTHS);
        }
        for w in &mut lens[i..end] {
            *w = value;
        }
        fields[COUNT] = end as u32;
    }
    Ok(true)
}

/// Literals and matches until the block ends or the input or output runs out: Some(status) to
/// return, None when the block ended (the mode says what comes next).
fn codes(s: &mut [u32], bits: &mut Bits, o: &mut Out) -> Result<Option<u32>, u32> {
    if s[MODE] == M_COPY {
        // A match the previous call had no room to finish.
        let (dist, len) = (s[DIST] as usize, s[COUNT] as usize);
        let n = len.min(o.room());
        o.copy_match(dist, n)?;
        if n < len {
            s[COUNT] = (len - n) as u32;
            return Ok(Some(OUTPUT_FULL));
        }
        s[MODE] = M_CODES;
    }
    let (s, lit, dist_code, _) = tables(s);
    loop {
        if fast_codes(&lit, &dist_code, bits, o)? {
            s[MODE] = end_of_block(s);
            return Ok(None);
        }
        if !bits.ready(STEP_BITS) {
            return Ok(Some(NEED_INPUT));
        }
        let before = (bits.buf, bits.n);
        let sym = lit.decode(bits)?;
        if sym != 256 && o.room() == 0 {
            // A full destination may still see the end of the block (and of the stream): only output waits.
            (bits.buf, bits.n) = before;
            return Ok(Some(OUTPUT_FULL));
        }
        if sym < 256 {
            o.buf[o.pos] = sym as u8;
            o.pos += 1;
            continue;
        }
        if sym == 256 {
            break;
        }
        let (len, dist) = length_and_distance(sym, &dist_code, bits)?;
        let n = len.min(o.room());
        o.copy_match(dist, n)?;
        if n < len {
            s[DIST] = dist as u32;
            s[COUNT] = (len - n) as u32;
            s[MODE] = M_COPY;
            return Ok(Some(OUTPUT_FULL));
        }
    }
    s[MODE] = end_of_block(s);
    Ok(None)
}

/// The common case of `codes`: while 8 input bytes and a longest match of room are left, a step
/// can run out of neither, so it needs no checks for them; and the bits and the output position are
/// kept in locals (in registers: through `bits` and `o`, every byte written could alias them).
/// True at the end of the block.
fn fast_codes(lit: &Code, dist_code: &Code, bits: &mut Bits, o: &mut Out) -> Result<bool, u32> {
    let mut b = *bits;
    let mut op = o.pos;
    let (in_len, out_len) = (b.input.len(), o.buf.len());
    let mut result = Ok(false);
    while b.pos + 8 <= in_len && op + 258 <= out_len {
        // A refill leaves 56 bits or more; a step takes at most 48, so short codes leave enough for more.
        if b.n < STEP_BITS {
            b.refill();
        }
        let sym = match lit.decode(&mut b) {
            Ok(sym) => sym,
            Err(e) => {
                result = Err(e);
                break;
            }
        };
        if sym < 256 {
            o.buf[op] = sym as u8;
            op += 1;
            continue;
        }
        if sym == 256 {
            result = Ok(true);
            break;
        }
        let step = length_and_distance(sym, dist_code, &mut b).and_then(|(len, dist)| {
            o.pos = op;
            o.copy_match(dist, len)
        });
        op = o.pos;
        if let Err(e) = step {
            result = Err(e);
            break;
        }
    }
    o.pos = op;
    *bits = b;
    result
}

/// The match that length symbol `sym` (257…285) starts: its length and distance.
#[inline(always)]
fn length_and_distance(sym: u32, dist_code: &Code, bits: &mut Bits) -> Result<(usize, usize), u32> {
    let k = sym as usize - 257;
    if k >= 29 {
        return Err(BAD_CODE);
    }
    let len = LEN_BASE[k] as usize + bits.take(LEN_EXTRA[k] as u32)? as usize;
    let d = dist_code.decode(bits)? as usize;
    if d >= 30 {
        return Err(BAD_CODE);
    }
    Ok((
        len,
        DIST_BASE[d] as usize + bits.take(DIST_EXTRA[d] as u32)? as usize,
    ))
}

const _: () = assert!(FAST_SIZE <= Code::WORDS);
