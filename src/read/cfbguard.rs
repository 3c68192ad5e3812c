//! A bound on the sector chains of an xls (OLE compound file) before calamine reads it.
//!
//! calamine 0.38 follows the directory chain with no length limit and the other chains up to
//! their declared sizes: a sector table whose chain loops back on itself made it allocate past
//! 2 GiB on a 4.6 KB file (found by the `xls` fuzz target). Here every chain calamine will
//! follow — the directory's, the mini-FAT's, the mini stream's and each regular stream's — is
//! walked over the file's own sector table and must end within the file's number of sectors;
//! a chain that loops or runs longer is refused before calamine sees the file. What this walk
//! cannot read (a short header, a sector past the end) is left to calamine, which reports it.
//!
//! The workbook stream itself is then read (from the regular sectors or the mini stream) and its
//! DIMENSIONS records checked: calamine reserves room for every cell a sheet declares before
//! reading one, and a declared 4,294,967,295 × 8 sheet made it abort the process on a 950 KB
//! file (the `xls` fuzz target again). A sheet larger than BIFF8 allows (65,536 rows × 256
//! columns), or whose last row comes before its first, is refused. calamine then lays every
//! sheet out densely, from its first to its last row and column with a cell (values and
//! formulas apart), all sheets at once: two cells far apart made a 233 KB file take 9 GB. The
//! sum of those areas over the sheets the workbook lists must stay within the cell limit.

const END: u32 = 0xFFFF_FFFA; // ids from here up are markers (ENDOFCHAIN, FREESECT, …)
const HEADER_DIFAT: usize = 109;
/// Streams shorter than this live in the mini stream (calamine 0.38 `cfb.rs`, whatever the
/// header says).
const MINI_STREAM_CUTOFF: u64 = 4096;
/// What [`check`] says of a workbook with a FILEPASS record (see `read::sheet::read_xls`).
pub const ENCRYPTED: &str = "encrypted";
/// The largest sheet of the xls format (BIFF8).
const MAX_ROWS: u64 = 65_536;
const MAX_COLS: u64 = 256;

/// One DIMENSIONS record (MS-XLS 2.4.90) as calamine computes the room it reserves from it:
/// `Err` for a sheet larger than the format allows.
fn dimensions_record(data: &[u8]) -> Result<(), String> {
    let u16_at = |b: &[u8], o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as u32;
    let dims = match data.len() {
        10 => Some((
            u16_at(data, 0),
            u16_at(data, 2),
            u16_at(data, 4),
            u16_at(data, 6),
        )),
        14 | 16 => Some((
            u32_at(data, 0).unwrap_or(0),
            u32_at(data, 4).unwrap_or(0),
            u16_at(data, 8),
            u16_at(data, 10),
        )),
        _ => None,
    };
    if let Some((rf, rl, cf, cl)) = dims {
        let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
        if rl >= 1 && cl >= 1 {
            // calamine: rows = (rl - 1) - rf + 1 in u32, which wraps when rl ≤ rf.
            let rows = (rl - 1).wrapping_sub(rf).wrapping_add(1) as u64;
            let cols = (cl - cf) as u64;
            if rl <= rf || rows > MAX_ROWS || cols > MAX_COLS {
                return Err(format!(
                    "工作表声明的范围（DIMENSIONS）为第 {rf} 至 {rl} 行、第 {cf} 至 {cl} 列，\
                     超出 xls 格式的 {MAX_ROWS} 行 × {MAX_COLS} 列：文件已损坏"
                ));
            }
        }
    }
    Ok(())
}

/// The DIMENSIONS records of a workbook stream (MS-XLS 2.4.90), as calamine computes the room
/// it reserves from them: `Err` for a sheet larger than the format allows.
fn check_dimensions(stream: &[u8]) -> Result<(), String> {
    let u16_at = |b: &[u8], o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as u32;
    let mut i = 0usize;
    while let Some(head) = stream.get(i..i + 4) {
        let typ = u16_at(head, 0);
        let len = u16_at(head, 2) as usize;
        let Some(data) = stream.get(i + 4..i + 4 + len) else {
            break;
        };
        // FILEPASS: what follows is encrypted — RC4 (type 1), which calamine refuses as such,
        // or XOR obfuscation (type 0), which it reads on as if it were not, into garbage.
        if typ == 0x002F {
            return Err(ENCRYPTED.into());
        }
        if typ == 0x0200 {
            dimensions_record(data)?;
        }
        i += 4 + len;
    }
    Ok(())
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    b.get(off..off + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The most sheets whose layout is computed; a workbook listing more is refused.
const MAX_SHEETS_LISTED: usize = 1024;

/// The records of a stream from `pos`: (type, data), until the stream ends or a record is cut.
fn records(stream: &[u8], pos: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut i = pos;
    std::iter::from_fn(move || {
        let head = stream.get(i..i.checked_add(4)?)?;
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = u16::from_le_bytes([head[2], head[3]]) as usize;
        let data = stream.get(i + 4..i + 4 + len)?;
        i += 4 + len;
        Some((typ, data))
    })
}

/// The cells calamine lays out for the sheet whose BOF is at `pos`: the bounding box of its
/// value cells plus that of its formulas (nested substreams skipped, as calamine skips them).
fn dense_cells(stream: &[u8], pos: usize) -> Result<u64, String> {
    #[derive(Default)]
    struct Bbox(Option<(u32, u32, u32, u32)>);
    impl Bbox {
        fn add(&mut self, r: u32, c: u32) {
            self.0 = Some(match self.0 {
                None => (r, r, c, c),
                Some((r0, r1, c0, c1)) => (r0.min(r), r1.max(r), c0.min(c), c1.max(c)),
            });
        }
        fn area(&self) -> u64 {
            self.0.map_or(0, |(r0, r1, c0, c1)| {
                (r1 - r0 + 1) as u64 * (c1 - c0 + 1) as u64
            })
        }
    }
    let u16_at = |b: &[u8], o: usize| {
        b.get(o..o + 2)
            .map(|s| u16::from_le_bytes([s[0], s[1]]) as u32)
    };
    let (mut cells, mut formulas) = (Bbox::default(), Bbox::default());
    let (mut seen_bof, mut depth) = (false, 0usize);
    // A STRING record (a formula's text value) is placed where the last formula was, at A1
    // before any: calamine lays out the sheet from there.
    let mut formula_at = (0u32, 0u32);
    for (typ, data) in records(stream, pos) {
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let at = || Some((u16_at(data, 0)?, u16_at(data, 2)?));
        match typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            // calamine reads each sheet from where the workbook says it starts, which need not
            // be where a record of the sequential scan starts: its DIMENSIONS are checked here.
            0x0200 => dimensions_record(data)?,
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                if let Some((r, c)) = at() {
                    cells.add(r, c);
                }
            }
            0x00BD => {
                if let (Some((r, c)), Some(last)) =
                    (at(), u16_at(data, data.len().saturating_sub(2)))
                {
                    cells.add(r, c);
                    cells.add(r, last);
                }
            }
            0x0006 => {
                if let Some((r, c)) = at() {
                    cells.add(r, c);
                    formulas.add(r, c);
                    formula_at = (r, c);
                }
            }
            0x0207 => cells.add(formula_at.0, formula_at.1),
            _ => {}
        }
    }
    Ok(cells.area() + formulas.area())
}

/// The cells calamine would lay out for every sheet the workbook lists (BoundSheet8 records of
/// the globals substream): `Err` over `max_cells`.
fn check_layout(stream: &[u8], max_cells: u64) -> Result<(), String> {
    let mut offsets: Vec<usize> = Vec::new();
    for (typ, data) in records(stream, 0) {
        match typ {
            0x000A => break,
            0x0085 => {
                if let Some(p) = u32_at(data, 0) {
                    offsets.push(p as usize);
                }
            }
            _ => {}
        }
    }
    if offsets.len() > MAX_SHEETS_LISTED {
        return Err(format!(
            "工作簿列出 {} 个工作表（超出 {MAX_SHEETS_LISTED} 个的上限）",
            offsets.len()
        ));
    }
    let mut seen: std::collections::HashMap<usize, u64> = std::collections::HashMap::new();
    let mut total = 0u64;
    for p in offsets {
        let n = match seen.get(&p) {
            Some(&n) => n,
            None => {
                let n = dense_cells(stream, p)?;
                seen.insert(p, n);
                n
            }
        };
        total = total.saturating_add(n);
        if total > max_cells {
            return Err(format!(
                "工作表中的单元格分布得太散：读取时需展开为超过 {max_cells} 个单元格（limit）"
            ));
        }
    }
    Ok(())
}

/// `Err(why)` when a sector chain loops or is longer than the file has sectors, when a sheet is
/// declared larger than the format allows, when the sheets' cells would be laid out over more
/// than `max_cells`, or ([`ENCRYPTED`]) when the workbook is encrypted.
pub fn check(bytes: &[u8], max_cells: u64) -> Result<(), String> {
    if bytes.len() < 512 || bytes[..8] != [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] {
        return Ok(());
    }
    let shift = u16::from_le_bytes([bytes[30], bytes[31]]);
    if !(7..=16).contains(&shift) {
        return Ok(());
    }
    let ss = 1usize << shift;
    let maxid = bytes.len() / ss;
    // As calamine reads a sector: an id past the file's sectors is an error; the last sector
    // may be cut short by the end of the file (what there is of it is used).
    let sector = |id: u32| -> Option<&[u8]> {
        if id as usize > maxid {
            return None;
        }
        let off = (id as usize).checked_add(1)?.checked_mul(ss)?;
        let end = off.checked_add(ss)?.min(bytes.len());
        Some(bytes.get(off..end).unwrap_or(&[]))
    };
    let Some(dir_start) = u32_at(bytes, 48) else {
        return Ok(());
    };
    let mini_fat_start = u32_at(bytes, 60).unwrap_or(u32::MAX);
    let mini_fat_len = u32_at(bytes, 64).unwrap_or(0);
    let mut difat_next = u32_at(bytes, 68).unwrap_or(u32::MAX);
    // The sector table, from the header's DIFAT and its chain (bounded as calamine bounds it).
    let mut difat: Vec<u32> = (0..HEADER_DIFAT)
        .filter_map(|i| u32_at(bytes, 76 + 4 * i))
        .collect();
    let mut hops = 0usize;
    while difat_next < END {
        hops += 1;
        if hops > maxid + 1 {
            return Err("扇区分配表的链（DIFAT）循环".into());
        }
        let Some(s) = sector(difat_next) else {
            return Ok(());
        };
        let n = s.len() / 4;
        if n == 0 {
            return Ok(());
        }
        difat.extend((0..n - 1).filter_map(|i| u32_at(s, 4 * i)));
        difat_next = u32_at(s, 4 * (n - 1)).unwrap_or(u32::MAX);
    }
    let mut fat: Vec<u32> = Vec::new();
    for id in difat.into_iter().filter(|&id| id < END) {
        let Some(s) = sector(id) else {
            return Ok(());
        };
        fat.extend((0..s.len() / 4).filter_map(|i| u32_at(s, 4 * i)));
    }
    // A chain ends within the file's sectors.
    let walk = |start: u32, what: &str| -> Result<Vec<u32>, String> {
        let mut ids = Vec::new();
        let mut id = start;
        while id < END {
            if ids.len() > maxid {
                return Err(format!("{what}的扇区链循环或超出文件长度"));
            }
            ids.push(id);
            match fat.get(id as usize) {
                Some(&next) => id = next,
                None => break,
            }
        }
        Ok(ids)
    };
    let dir_ids = walk(dir_start, "目录")?;
    let mini_fat_ids = if mini_fat_len > 0 {
        walk(mini_fat_start, "小扇区分配表")?
    } else {
        Vec::new()
    };
    // The bytes of a regular stream's chain, cut to its size.
    let regular = |ids: &[u32], size: u64| -> Vec<u8> {
        let mut out: Vec<u8> = Vec::new();
        for &id in ids {
            if out.len() as u64 >= size {
                break;
            }
            out.extend_from_slice(sector(id).unwrap_or(&[]));
        }
        out.truncate(size.min(out.len() as u64) as usize);
        out
    };
    // Each directory entry's stream: the root's mini stream and every regular stream.
    // Streams under 4,096 bytes are in the mini stream — calamine's fixed cutoff, not the
    // header's field (a file claiming a cutoff of 2 GB had its 940 KB workbook read from the
    // mini stream here, 128 bytes of it, while calamine read it whole: 15 GB).
    let cutoff = MINI_STREAM_CUTOFF;
    let mut mini_stream: Vec<u8> = Vec::new();
    // calamine reads the first entry named `Workbook` in any case, else (on any error) the
    // first named `Book`: both are checked, whatever their kind.
    let mut workbook: Option<(u32, u64)> = None;
    let mut book: Option<(u32, u64)> = None;
    // Every stream in the mini stream: calamine reads the summary streams too, and follows a
    // mini chain until the declared size is reached — a looping one up to 4 GB.
    let mut minis: Vec<(u32, u64)> = Vec::new();
    for (n, entry) in dir_ids
        .iter()
        .filter_map(|&id| sector(id))
        .flat_map(|s| s.chunks_exact(128))
        .enumerate()
    {
        let kind = entry[66];
        let start = u32_at(entry, 116).unwrap_or(u32::MAX);
        // As calamine reads an entry: the size is 64 bits in a file of 4,096-byte sectors.
        let size = if ss == 4096 {
            entry
                .get(120..128)
                .map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
        } else {
            u32_at(entry, 120).unwrap_or(0) as u64
        };
        if n > 0 && kind == 2 && size < cutoff && size > 0 && start < END {
            minis.push((start, size));
        }
        if (n == 0 || (kind == 2 && size >= cutoff)) && start < END {
            let ids = walk(start, "数据流")?;
            if n == 0 {
                mini_stream = regular(&ids, size);
            }
        }
        // The name as calamine reads it: all 64 bytes up to the first NUL, whatever the name
        // length field says (a file saying 0 had its `Workbook` missed here, 2.5 GB there).
        let name: Vec<u16> = entry[..64]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&c| c != 0)
            .collect();
        let name = String::from_utf16_lossy(&name);
        if name.eq_ignore_ascii_case("Workbook") && workbook.is_none() {
            workbook = Some((start, size));
        }
        if name.eq_ignore_ascii_case("Book") && book.is_none() {
            book = Some((start, size));
        }
    }
    // A stream in the mini stream: its sectors by the mini sector table.
    let mini_fat: Vec<u32> = mini_fat_ids
        .iter()
        .filter_map(|&id| sector(id))
        .flat_map(|s| s.chunks_exact(4))
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let mini_chain = |start: u32, size: u64| -> Result<Vec<u8>, String> {
        let mini_shift = u16::from_le_bytes([bytes[32], bytes[33]]);
        if mini_shift > 12 {
            return Ok(Vec::new());
        }
        let mss = 1usize << mini_shift;
        let mut out: Vec<u8> = Vec::new();
        let mut id = start;
        let mut hops = 0usize;
        while id < END && (out.len() as u64) < size {
            // Counted in hops, not bytes: a sector at the end of the mini stream adds nothing.
            hops += 1;
            if hops > mini_fat.len() + 1 {
                return Err("小扇区的链循环或超出文件长度".into());
            }
            let off = (id as usize).saturating_mul(mss);
            match mini_stream.get(off..off.saturating_add(mss).min(mini_stream.len())) {
                Some(s) if !s.is_empty() => out.extend_from_slice(s),
                _ => break,
            }
            id = mini_fat.get(id as usize).copied().unwrap_or(u32::MAX);
        }
        out.truncate(size.min(out.len() as u64) as usize);
        Ok(out)
    };
    for &(start, size) in &minis {
        mini_chain(start, size)?;
    }
    let check_stream = |start: u32, size: u64| -> Result<(), String> {
        let stream = if size >= cutoff {
            regular(&walk(start, "数据流")?, size)
        } else {
            mini_chain(start, size)?
        };
        check_dimensions(&stream)?;
        check_layout(&stream, max_cells)
    };
    for (start, size) in workbook.into_iter().chain(book) {
        check_stream(start, size)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compound file of 512-byte sectors: sector 0 the FAT, sector 1 the directory.
    fn cfb(fat: &[u32], dir_start: u32) -> Vec<u8> {
        let mut b = vec![0u8; 512 * 3];
        b[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
        b[30..32].copy_from_slice(&9u16.to_le_bytes());
        b[48..52].copy_from_slice(&dir_start.to_le_bytes());
        b[56..60].copy_from_slice(&4096u32.to_le_bytes());
        b[60..64].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
        b[68..72].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
        for i in 0..HEADER_DIFAT {
            let v: u32 = if i == 0 { 0 } else { 0xFFFF_FFFF };
            b[76 + 4 * i..80 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        for (i, v) in fat.iter().enumerate() {
            b[512 + 4 * i..516 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        // The root entry's stream: none.
        b[1024 + 116..1024 + 120].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
        b
    }

    #[test]
    fn a_looping_directory_chain_is_refused_an_ending_one_is_not() {
        // FAT: sector 0 is the FAT itself (FATSECT), sector 1 the directory, ending.
        let ok = cfb(&[0xFFFF_FFFD, 0xFFFF_FFFE], 1);
        assert_eq!(check(&ok, 1000), Ok(()));
        // The directory's chain points back at itself.
        let looping = cfb(&[0xFFFF_FFFD, 1], 1);
        assert!(check(&looping, 1000).unwrap_err().contains("循环"));
    }

    /// A BIFF8 DIMENSIONS record.
    fn dims(rf: u32, rl: u32, cf: u16, cl: u16) -> Vec<u8> {
        let mut r = vec![0x00, 0x02, 14, 0];
        r.extend_from_slice(&rf.to_le_bytes());
        r.extend_from_slice(&rl.to_le_bytes());
        r.extend_from_slice(&cf.to_le_bytes());
        r.extend_from_slice(&cl.to_le_bytes());
        r.extend_from_slice(&[0, 0]);
        r
    }

    #[test]
    fn sheets_larger_than_the_format_are_refused() {
        let bof = [0x09u8, 0x08, 2, 0, 0, 6];
        let stream = |d: Vec<u8>| [bof.to_vec(), d].concat();
        assert_eq!(check_dimensions(&stream(dims(0, 1501, 1, 8))), Ok(()));
        assert_eq!(check_dimensions(&stream(dims(0, 65_536, 0, 256))), Ok(()));
        assert_eq!(check_dimensions(&stream(dims(0, 0, 0, 0))), Ok(()));
        for bad in [
            dims(0, u32::MAX, 1, 8),
            dims(0, 65_537, 0, 1),
            dims(0, 10, 0, 257),
            dims(7, 3, 0, 4),
        ] {
            let e = check_dimensions(&stream(bad)).unwrap_err();
            assert!(e.contains("DIMENSIONS"), "{e}");
        }
        // A record cut short by the end of the stream ends the scan.
        assert_eq!(check_dimensions(&[0x00, 0x02, 14, 0, 1, 2]), Ok(()));
    }

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        [
            &typ.to_le_bytes()[..],
            &(data.len() as u16).to_le_bytes(),
            data,
        ]
        .concat()
    }

    fn number(r: u16, c: u16) -> Vec<u8> {
        record(
            0x0203,
            &[&r.to_le_bytes()[..], &c.to_le_bytes(), &[0; 10]].concat(),
        )
    }

    /// Globals listing `sheets` sheets that all start at the one sheet after them.
    fn workbook(sheets: usize, cells: &[(u16, u16)]) -> Vec<u8> {
        let bof = record(0x0809, &[0, 6, 5, 0, 0, 0, 0, 0]);
        let eof = record(0x000A, &[]);
        let bound_len = 4 + 8;
        let sheet_at = (bof.len() + sheets * bound_len + eof.len()) as u32;
        let mut s = bof.clone();
        for _ in 0..sheets {
            s.extend(record(
                0x0085,
                &[&sheet_at.to_le_bytes()[..], &[0, 0, 1, 0]].concat(),
            ));
        }
        s.extend(&eof);
        s.extend(&bof);
        for &(r, c) in cells {
            s.extend(number(r, c));
        }
        s.extend(&eof);
        s
    }

    #[test]
    fn cells_far_apart_are_refused_close_ones_not() {
        // 3 rows × 3 columns = 9 cells laid out, twice over for two sheets.
        assert_eq!(check_layout(&workbook(1, &[(0, 0), (2, 2)]), 9), Ok(()));
        assert!(check_layout(&workbook(2, &[(0, 0), (2, 2)]), 9).is_err());
        // Two cells at opposite corners of the largest sheet.
        let far = workbook(1, &[(0, 0), (65_535, 65_535)]);
        assert!(check_layout(&far, 20_000_000).unwrap_err().contains("太散"));
    }

    #[test]
    fn not_a_compound_file_is_left_alone() {
        assert_eq!(check(b"PK\x03\x04", 1000), Ok(()));
        assert_eq!(check(&[0u8; 1024], 1000), Ok(()));
    }
}
