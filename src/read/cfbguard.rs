//! A bound on the sector chains of an xls (OLE compound file) before calamine reads it.
//!
//! calamine 0.38 follows the directory chain with no length limit and the other chains up to
//! their declared sizes: a sector table whose chain loops back on itself made it allocate past
//! 2 GiB on a 4.6 KB file (found by the `xls` fuzz target). Here every chain calamine will
//! follow — the directory's, the mini-FAT's, the mini stream's and each regular stream's — is
//! walked over the file's own sector table and must end within the file's number of sectors;
//! a chain that loops or runs longer is refused before calamine sees the file. What this walk
//! cannot read (a short header, a sector past the end) is left to calamine, which reports it.

const END: u32 = 0xFFFF_FFFA; // ids from here up are markers (ENDOFCHAIN, FREESECT, …)
const HEADER_DIFAT: usize = 109;

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    b.get(off..off + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// `Err(why)` when a sector chain loops or is longer than the file has sectors.
pub fn check(bytes: &[u8]) -> Result<(), String> {
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
    if mini_fat_len > 0 {
        walk(mini_fat_start, "小扇区分配表")?;
    }
    // Each directory entry's stream: the root's mini stream and every regular stream.
    let cutoff = u32_at(bytes, 56).unwrap_or(4096) as u64;
    for (n, entry) in dir_ids
        .iter()
        .filter_map(|&id| sector(id))
        .flat_map(|s| s.chunks_exact(128))
        .enumerate()
    {
        let kind = entry[66];
        let start = u32_at(entry, 116).unwrap_or(u32::MAX);
        let size = u32_at(entry, 120).unwrap_or(0) as u64;
        if (n == 0 || (kind == 2 && size >= cutoff)) && start < END {
            walk(start, "数据流")?;
        }
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
        assert_eq!(check(&ok), Ok(()));
        // The directory's chain points back at itself.
        let looping = cfb(&[0xFFFF_FFFD, 1], 1);
        assert!(check(&looping).unwrap_err().contains("循环"));
    }

    #[test]
    fn not_a_compound_file_is_left_alone() {
        assert_eq!(check(b"PK\x03\x04"), Ok(()));
        assert_eq!(check(&[0u8; 1024]), Ok(()));
    }
}
