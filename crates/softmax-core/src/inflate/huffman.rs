//! Canonical Huffman codes (RFC 1951 §3.2.2) over words of the decoder's state: a table indexed by
//! the next FAST_BITS input bits decodes the common short codes in one look-up; the rare longer codes
//! are decoded bit by bit from the count of codes of each length.

use super::{Bits, BAD_CODE, TRUNCATED};

pub(super) const FAST_BITS: u32 = 10;
pub(super) const FAST_SIZE: usize = 1 << FAST_BITS;
const MAX_BITS: usize = 15;
const MAX_SYMBOLS: usize = 288;

/// A code in `WORDS` words: the fast table (symbol << 4 | length, 0 for a longer or unused pattern),
/// the number of codes of each length, and the symbols in canonical order.
pub(super) struct Code<'a> {
    fast: &'a mut [u32],
    count: &'a mut [u32],
    symbol: &'a mut [u32],
}

impl<'a> Code<'a> {
    pub(super) const WORDS: usize = FAST_SIZE + (MAX_BITS + 1) + MAX_SYMBOLS;

    pub(super) fn new(words: &'a mut [u32]) -> Self {
        let (fast, rest) = words.split_at_mut(FAST_SIZE);
        let (count, symbol) = rest.split_at_mut(MAX_BITS + 1);
        Code {
            fast,
            count,
            symbol,
        }
    }

    /// Builds the code of `lens` (a length per symbol, 0 = unused). False when the lengths are
    /// over-subscribed, or incomplete — which RFC 1951 allows only for a single code of one bit, and
    /// here only where `single_ok` (the literal and distance codes, not the code length code).
    pub(super) fn build(&mut self, lens: &[u32], single_ok: bool) -> bool {
        for c in self.count.iter_mut() {
            *c = 0;
        }
        for &l in lens {
            if l as usize > MAX_BITS {
                return false;
            }
            self.count[l as usize] += 1;
        }
        let used = lens.len() as u32 - self.count[0];
        let mut left: i64 = 1;
        for len in 1..=MAX_BITS {
            left = (left << 1) - self.count[len] as i64;
            if left < 0 {
                return false;
            }
        }
        if left > 0 && used != 0 && !(single_ok && used == 1 && self.count[1] == 1) {
            return false;
        }
        let mut offset = [0u32; MAX_BITS + 2];
        for len in 1..=MAX_BITS {
            offset[len + 1] = offset[len] + self.count[len];
        }
        for (sym, &l) in lens.iter().enumerate() {
            if l != 0 {
                self.symbol[offset[l as usize] as usize] = sym as u32;
                offset[l as usize] += 1;
            }
        }
        for e in self.fast.iter_mut() {
            *e = 0;
        }
        let (mut code, mut index) = (0u32, 0usize);
        for len in 1..=FAST_BITS {
            for _ in 0..self.count[len as usize] {
                let entry = self.symbol[index] << 4 | len;
                let mut at = reverse(code, len) as usize;
                while at < FAST_SIZE {
                    self.fast[at] = entry;
                    at += 1 << len;
                }
                code += 1;
                index += 1;
            }
            code <<= 1;
        }
        true
    }

    /// RFC 1951's fixed literal/length code (§3.2.6).
    pub(super) fn fixed_literals(&mut self) {
        let mut lens = [8u32; 288];
        for l in &mut lens[144..256] {
            *l = 9;
        }
        for l in &mut lens[256..280] {
            *l = 7;
        }
        self.build(&lens, false);
    }

    /// The fixed distance code: 32 codes of 5 bits (30 and 31 are refused when they occur).
    pub(super) fn fixed_distances(&mut self) {
        self.build(&[5u32; 32], false);
    }

    /// The next symbol. TRUNCATED when the bits end inside a code (the last piece), BAD_CODE for a
    /// pattern no code has.
    // Inlined: called once per symbol, and through a call the bits could not stay in registers.
    #[inline(always)]
    pub(super) fn decode(&self, bits: &mut Bits) -> Result<u32, u32> {
        let entry = self.fast[bits.buf as usize & (FAST_SIZE - 1)];
        let len = entry & 15;
        if len != 0 {
            if len > bits.n {
                return Err(TRUNCATED);
            }
            bits.buf >>= len;
            bits.n -= len;
            return Ok(entry >> 4);
        }
        // Bit by bit: `code` is the code read so far; the codes of length `len` are first..first+count.
        let (mut code, mut first, mut index) = (0i64, 0i64, 0i64);
        let mut b = bits.buf;
        for len in 1..=MAX_BITS {
            if len as u32 > bits.n {
                return Err(TRUNCATED);
            }
            code |= (b & 1) as i64;
            b >>= 1;
            let count = self.count[len] as i64;
            if code - first < count {
                bits.buf >>= len;
                bits.n -= len as u32;
                return Ok(self.symbol[(index + code - first) as usize]);
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err(BAD_CODE)
    }
}

/// The low `len` bits of `code` in reverse order (codes are sent most significant bit first).
fn reverse(code: u32, len: u32) -> u32 {
    code.reverse_bits() >> (32 - len)
}
