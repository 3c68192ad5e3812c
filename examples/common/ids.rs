//! Identifiers with their check characters: the GB 11643 citizen ID number and the GB 32100
//! unified social credit code. The generators print valid numbers unless a fixture is about an
//! invalid one, so the check characters are computed here, never copied from the library.

/// GB 11643 check character of the first 17 digits (ISO 7064 MOD 11-2).
pub fn id_check(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).expect("digit") * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

/// GB 11643 citizen ID: 6-digit area + YYYYMMDD + 3-digit sequence + check.
pub fn id_number(area: &str, birth: &str, seq: &str) -> String {
    let base = format!("{area}{birth}{seq}");
    assert_eq!(base.len(), 17, "{base}");
    let check = id_check(&base);
    format!("{base}{check}")
}

/// GB 32100 unified social credit code: `9` `1` + 6-digit area + 9-char
/// organisation code (with its GB 11714 check) + check char.
pub fn credit_code(area: &str, org8: &str) -> String {
    const CS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let val = |c: char| CS.find(c).unwrap() as u32;
    // GB 11714 organisation code check (weights 3 7 9 10 5 8 4 2).
    let ow = [3, 7, 9, 10, 5, 8, 4, 2];
    let s: u32 = org8
        .chars()
        .zip(ow)
        .map(|(c, w)| c.to_digit(36).unwrap() * w)
        .sum();
    let oc = match 11 - s % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap(),
    };
    let base = format!("91{area}{org8}{oc}");
    assert_eq!(base.len(), 17);
    const W: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: u32 = base.chars().zip(W).map(|(c, w)| val(c) * w).sum();
    let c = (31 - sum % 31) % 31;
    format!("{base}{}", CS.chars().nth(c as usize).unwrap())
}
