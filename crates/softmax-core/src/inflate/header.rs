//! The gzip member header (RFC 1952 §2.3): checked and skipped byte by byte, whatever the pieces.

use super::{
    crc32, Bits, BAD_HEADER, BAD_HEADER_CRC, COUNT, FCOMMENT, FEXTRA, FHCRC, FLAGS, FNAME,
    FTEXT_RESERVED, HEADER_CRC,
};
use super::{MODE, M_BLOCK, M_COMMENT, M_EXTRA, M_EXTRA_LEN, M_HCRC, M_HEADER, M_NAME, TRUNCATED};

/// The gzip header, byte by byte (each byte also goes into the header CRC). False: more input needed.
pub(super) fn header(s: &mut [u32], bits: &mut Bits) -> Result<bool, u32> {
    bits.align();
    loop {
        let mode = s[MODE];
        let b = match bits.byte() {
            Some(b) => b as u32,
            None if bits.last => return Err(TRUNCATED),
            None => return Ok(false),
        };
        if mode != M_HCRC {
            s[HEADER_CRC] = crc32(s[HEADER_CRC], &[b as u8]);
        }
        let next = match mode {
            M_HEADER => {
                let i = s[COUNT];
                let ok = match i {
                    0 => b == 0x1f,
                    1 => b == 0x8b,
                    2 => b == 8,
                    3 => b & FTEXT_RESERVED == 0,
                    _ => true,
                };
                if !ok {
                    return Err(BAD_HEADER);
                }
                if i == 3 {
                    s[FLAGS] = b;
                }
                s[COUNT] = i + 1;
                if i < 9 {
                    continue;
                }
                s[COUNT] = 0;
                M_EXTRA_LEN
            }
            M_EXTRA_LEN | M_HCRC => {
                if s[COUNT] == 0 {
                    s[COUNT] = 1 | b << 8;
                    continue;
                }
                let v = (s[COUNT] >> 8) | b << 8;
                s[COUNT] = v;
                if mode == M_HCRC {
                    if v != s[HEADER_CRC] & 0xffff {
                        return Err(BAD_HEADER_CRC);
                    }
                    s[MODE] = M_BLOCK;
                    return Ok(true);
                }
                M_EXTRA
            }
            M_EXTRA => {
                s[COUNT] -= 1;
                M_EXTRA
            }
            _ => {
                // NAME and COMMENT end at a zero byte.
                if b != 0 {
                    continue;
                }
                mode + 1
            }
        };
        s[MODE] = next;
        // Skip the parts the flags leave out; the mode entered first reads nothing.
        if !skip_absent(s) {
            return Ok(true);
        }
    }
}

/// Moves past header parts that are absent (or done); false once the header is complete.
fn skip_absent(s: &mut [u32]) -> bool {
    loop {
        let flags = s[FLAGS];
        match s[MODE] {
            M_EXTRA_LEN if flags & FEXTRA == 0 => s[MODE] = M_NAME,
            M_EXTRA_LEN => return true,
            M_EXTRA if s[COUNT] == 0 => s[MODE] = M_NAME,
            M_NAME if flags & FNAME == 0 => s[MODE] = M_COMMENT,
            M_COMMENT if flags & FCOMMENT == 0 => s[MODE] = M_HCRC,
            M_HCRC if flags & FHCRC == 0 => {
                s[MODE] = M_BLOCK;
                return false;
            }
            M_HCRC => {
                s[COUNT] = 0;
                return true;
            }
            _ => return true,
        }
    }
}
